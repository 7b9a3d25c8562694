"""What a data lead sees in the Dagster UI: every asset described, typed and grouped; check names that
state what holds; table materializations with row count, documented columns and a preview; schedules
as the README describes them; definitions that load without deprecation warnings or private APIs."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from tests.conftest import FIXTURES, REPO, run_refresh

TABLE_GROUPS = {"staging", "int", "marts"}
LAYER_GROUPS = TABLE_GROUPS | {"ingest", "reports", "exports", "publish"}
NON_PUBLIC_METHODS = {
    "add_event_listener",
    "add_run",
    "add_run_tags",
    "all_logs",
    "get_event_records",
    "get_records_for_run",
    "get_runs",
    "is_ephemeral",
}


def test_every_asset_is_described_typed_and_in_a_layer_group():
    from orchestration.definitions import defs

    for spec in defs.resolve_all_asset_specs():
        name = spec.key.to_user_string()
        assert spec.description and len(spec.description.split()) >= 5, name
        assert spec.kinds, name
        assert spec.group_name in LAYER_GROUPS, (name, spec.group_name)
        if spec.group_name in TABLE_GROUPS:
            assert spec.group_name == spec.key.path[0], name  # group = schema


def test_every_check_is_named_by_its_table_and_what_holds():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assert graph.asset_check_keys
    for key in graph.asset_check_keys:
        table, _, statement = key.name.partition("__")
        assert table == key.asset_key.path[-1], key
        assert len(statement.split("_")) >= 2, key  # a statement, not a bare noun


def test_every_table_materialization_shows_rows_documented_columns_and_a_preview(tmp_path):
    import duckdb

    result, settings = run_refresh(tmp_path, FIXTURES / "mirror")
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    seen = set()
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        group = mat.asset_key.path[0]
        assert "preview" in mat.metadata or group == "warehouse", mat.asset_key
        if group not in TABLE_GROUPS:
            continue
        seen.add(mat.asset_key)
        md = mat.metadata
        rows = con.execute(f"select count(*) from {'.'.join(mat.asset_key.path)}").fetchone()[0]
        assert md["dagster/row_count"].value == rows, mat.asset_key
        columns = md["dagster/column_schema"].schema.columns
        assert columns and all(c.description for c in columns), mat.asset_key
        assert md["dagster/table_name"].value == ".".join(mat.asset_key.path)
        assert type(md["preview"]).__name__ == "MarkdownMetadataValue", mat.asset_key
    con.close()
    assert len(seen) >= 50


def _readme_schedule_rows() -> dict[str, tuple[str, str]]:
    """{schedule: (job, 'HH:MM')} from the README table under 'Schedules and sensors'."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Schedules and sensors", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+_schedule)` → `(\w+_job)`.*?\| [^|]*?(\d\d:\d\d) UTC[^|]*\|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


def test_schedules_run_the_jobs_at_the_utc_times_the_readme_states():
    from orchestration.definitions import defs

    readme = _readme_schedule_rows()
    schedules = {s.name: s for s in defs.schedules}
    assert len(readme) == 4 and set(readme) == set(schedules)
    for name, (job, hhmm) in readme.items():
        s = schedules[name]
        minute, hour = s.cron_schedule.split()[:2]
        assert (s.job_name, f"{int(hour):02d}:{int(minute):02d}", s.execution_timezone) == (job, hhmm, "UTC")
    # and on the days it states (a mutant moved the OES check to March and April: May's release unseen)
    section = (REPO / "README.md").read_text(encoding="utf-8").split("### Schedules and sensors", 1)[1]
    assert "quarterly: 15 Mar/Jun/Sep/Dec" in section and "every Monday of April and May" in section
    assert {name: s.cron_schedule for name, s in schedules.items()} == {
        "onet_release_check_schedule": "0 6 15 3,6,9,12 *",
        "oes_release_check_schedule": "0 6 * 4,5 1",
        "daily_inventory_refresh_schedule": "0 5 * * *",
        "daily_full_refresh_schedule": "0 4 * * *",
    }


def test_every_job_that_writes_the_work_database_is_tagged_so_the_queue_keeps_writers_apart():
    from orchestration.definitions import defs
    from orchestration.jobs import WRITER_TAGS

    for name in ("refresh_job", "inventory_refresh_job"):
        tags = defs.resolve_job_def(name).tags
        assert WRITER_TAGS.items() <= tags.items(), name
        # run monitoring ends a run after max_runtime: a first refresh downloads for minutes
        assert int(tags["dagster/max_runtime"]) >= 3600, name


def test_definitions_load_without_deprecation_or_dagster_warnings():
    code = """
import warnings
import dagster
for category in (DeprecationWarning, FutureWarning, dagster.BetaWarning, dagster.PreviewWarning,
                 dagster.SupersessionWarning):
    warnings.simplefilter("error", category)
from orchestration.definitions import defs
defs.resolve_asset_graph()
defs.resolve_all_job_defs()
for target in [*defs.schedules, *defs.sensors]:
    defs.resolve_job_def(target.job_name)
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_no_project_module_imports_private_dagster_apis():
    offenders = []
    for package in ("assets", "orchestration", "taskvalue_cli", "tests", "bench"):
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n.startswith("dagster._")]
                # instance methods outside Dagster's public API that this project once used (tests
                # may still use them to set up a state, such as a run recorded as STARTED)
                if package != "tests" and isinstance(node, ast.Attribute) and node.attr in NON_PUBLIC_METHODS:
                    offenders.append(f"{path.relative_to(REPO)}: .{node.attr}")
    assert offenders == []


def test_a_broken_domains_file_leaves_the_code_location_loading(tmp_path):
    # Per-domain report assets are declared from the domains file at load time. A typo in it must not
    # take the schedules and sensors down with the code location; the run that reads it fails instead.
    broken = tmp_path / "domains.toml"
    broken.write_text("[[domain]\nid = 'x'\n")
    code = f"""
import dagster as dg
from orchestration.definitions import defs
graph = defs.resolve_asset_graph()
reports = sorted(k.to_user_string() for k in graph.get_all_asset_keys() if k.path[0] == "reports")
assert reports == ["reports/index"], reports
index = next(s for s in defs.resolve_all_asset_specs() if s.key.to_user_string() == "reports/index")
assert "could not be read when this code location loaded" in index.description, index.description
assert {str(broken)!r} in index.description, index.description
assert {{s.name for s in defs.schedules}} >= {{"daily_full_refresh_schedule", "daily_inventory_refresh_schedule"}}, defs.schedules
assert {{s.name for s in defs.sensors}} >= {{"inventory_files_sensor"}}, defs.sensors
job = defs.resolve_job_def("refresh_job")
result = job.execute_in_process(
    asset_selection=[dg.AssetKey(["int", "domain_definitions"])],
    instance=dg.DagsterInstance.ephemeral(),
    raise_on_error=False,
)
assert not result.success
failure = next(e for e in result.all_events if e.is_step_failure)
message = failure.step_failure_data.error.cause.message  # the step error wraps the asset's
assert message.startswith("assets.common.errors.SourceFormatError: file " + {str(broken)!r} + ": not valid TOML"), message
print("ok")
"""
    env = {
        **os.environ,
        "TASKVALUE_DOMAINS_FILE": str(broken),
        "TASKVALUE_WORK_DB": str(tmp_path / "w.duckdb"),
    }
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
    assert f"no per-domain report assets declared: file {broken}: not valid TOML" in proc.stderr
