"""The Dagster UI in a real headless Chromium (from the OS packages; `.ci/run` installs it).

`dagster dev` serves the project on 127.0.0.1 with a temporary DAGSTER_HOME and a temporary
warehouse (a copy of the real-data warehouse as its work database). The test checks that the asset
graph loads, that a materialization launched from the UI succeeds, and that a coverage report shows
as a markdown preview in its asset's metadata.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPORT = ["reports", "digital_copywriting"]
SCREENSHOTS = Path(os.environ.get("TASKVALUE_UI_SCREENSHOTS", "/tmp"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "dagster dev exited early"
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def _stop(proc: subprocess.Popen) -> None:
    # SIGINT to the whole session: dagster dev shuts its webserver, daemon and code servers down.
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def ui(tmp_path_factory, real_warehouse, shared_data):
    from dagster import AssetKey, DagsterInstance

    from orchestration.definitions import build_definitions

    tmp = tmp_path_factory.mktemp("ui")
    home = tmp / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    work = tmp / "work" / "taskvalue.duckdb"
    work.parent.mkdir()
    shutil.copyfile(real_warehouse.warehouse, work)  # every table of a real refresh, to build reports from
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "TASKVALUE_MIRROR": str(shared_data),
        "TASKVALUE_WAREHOUSE": str(tmp / "taskvalue.duckdb"),
        "TASKVALUE_WORK_DB": str(work),
        "TASKVALUE_CACHE_DIR": str(tmp / "cache"),
    }
    # Materialize one report (and the index) into this instance so the UI has a preview to show.
    defs = build_definitions(
        mirror_dir=str(shared_data),
        warehouse_path=env["TASKVALUE_WAREHOUSE"],
        work_db_path=str(work),
        cache_dir=env["TASKVALUE_CACHE_DIR"],
    )
    with DagsterInstance.from_config(str(home)) as instance:
        result = defs.resolve_job_def("refresh_job").execute_in_process(
            instance=instance, asset_selection=[AssetKey(REPORT), AssetKey(["reports", "index"])]
        )
        assert result.success

    port = _free_port()
    log = open(tmp / "dagster_dev.log", "w")  # noqa: SIM115 (closed in teardown)
    proc = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "dagster"),
            "dev",
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/server_info", proc)
        yield {"url": f"http://127.0.0.1:{port}", "home": home, "log": tmp / "dagster_dev.log"}
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "Chromium missing: apt-get install -y chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _dismiss_popups(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # First visit to a fresh instance may show a community sign-up dialog.
    skip = page.get_by_role("button", name="Skip")
    with contextlib.suppress(PlaywrightTimeout):
        skip.click(timeout=3_000)


def test_asset_graph_loads(ui, page):
    page.goto(f"{ui['url']}/asset-groups", wait_until="networkidle")
    _dismiss_popups(page)
    for group in ("staging", "marts", "reports", "publish"):
        page.locator("foreignObject").filter(has_text=group).first.wait_for(state="visible")
    # the global lineage shows one node per group (groups are layers); opening marts shows its tables
    # (long names are shortened on the nodes, so short ones are looked for)
    page.locator("foreignObject").filter(has_text="marts").first.dblclick()
    for name in ("occupation_value", "join_quality", "inventory_export"):
        page.locator("foreignObject").filter(has_text=name).first.wait_for(state="visible")
    page.screenshot(path=str(SCREENSHOTS / "taskvalue_ui_graph.png"))


def test_materialization_launches_and_succeeds(ui, page):
    from dagster import DagsterInstance, DagsterRunStatus

    page.goto(f"{ui['url']}/assets/int/domain_definitions", wait_until="networkidle")
    _dismiss_popups(page)
    page.locator("button", has_text="Materialize").first.click()
    page.get_by_text("Launched run").wait_for(state="visible")

    with DagsterInstance.from_config(str(ui["home"])) as instance:
        deadline = time.monotonic() + 180
        run = None
        while time.monotonic() < deadline:
            runs = [
                r
                for r in instance.get_runs()
                if r.asset_selection and {k.path[-1] for k in r.asset_selection} == {"domain_definitions"}
            ]
            run = runs[0] if runs else None
            if run and run.is_finished:
                break
            time.sleep(1)
        assert run is not None, "no run was launched"
        assert run.status == DagsterRunStatus.SUCCESS, f"run {run.run_id} ended {run.status}; see {ui['log']}"
    page.goto(f"{ui['url']}/runs/{run.run_id}", wait_until="networkidle")
    page.get_by_text("Success", exact=True).first.wait_for(state="visible")
    page.screenshot(path=str(SCREENSHOTS / "taskvalue_ui_run.png"))


def test_report_preview_renders(ui, page):
    page.goto(f"{ui['url']}/assets/{'/'.join(REPORT)}", wait_until="networkidle")
    _dismiss_popups(page)
    page.get_by_text("[Show Markdown]").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name="Coverage report: Digital copywriting").wait_for(state="visible")
    dialog.get_by_role("heading", name="Headline figures").wait_for(state="visible")
    dialog.get_by_text("Total annual value:").first.wait_for(state="visible")
    # the matplotlib chart is embedded in the preview and actually decodes in the browser
    chart = dialog.locator("img").first
    chart.wait_for(state="visible")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(SCREENSHOTS / "taskvalue_ui_report_preview.png"))
