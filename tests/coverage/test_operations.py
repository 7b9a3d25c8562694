"""Schedules, release checks and the global freshness policy."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import DagsterEventType, FreshnessPolicy

from orchestration.freshness import GLOBAL_FRESHNESS_POLICY
from orchestration.resources import settings_from_env
from orchestration.schedules import SCHEDULES, oes_release_check_job, onet_release_check_job


def test_schedules_follow_the_publishers_calendars():
    crons = {s.name: s.cron_schedule for s in SCHEDULES}
    assert crons == {
        "onet_release_check_schedule": "0 6 15 3,6,9,12 *",  # quarterly
        "oes_release_check_schedule": "0 6 * 4,5 1",  # spring, yearly
        "daily_inventory_refresh_schedule": "0 5 * * *",
        "daily_full_refresh_schedule": "0 4 * * *",  # keeps sources, staging and value fresh
    }
    full = next(s for s in SCHEDULES if s.name == "daily_full_refresh_schedule")
    assert full.job_name == "refresh_job"


def test_one_freshness_policy_on_every_asset():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    policies = {graph.get(k).freshness_policy for k in graph.materializable_asset_keys}
    assert policies == {GLOBAL_FRESHNESS_POLICY}
    assert isinstance(GLOBAL_FRESHNESS_POLICY, FreshnessPolicy)  # the current API, not LegacyFreshnessPolicy


def test_daily_inventory_job_and_schedules_load_in_definitions():
    from orchestration.definitions import defs

    daily = next(s for s in defs.schedules if s.name == "daily_inventory_refresh_schedule")
    assert daily.job_name == "inventory_refresh_job"  # the same job the inventory sensor requests
    job = defs.resolve_job_def("inventory_refresh_job")
    keys = {"/".join(k.path) for k in job.asset_layer.selected_asset_keys}
    # the inventory, everything downstream of it, and the publish step; not the value model
    assert {"staging/inventory_tasks", "marts/inventory_task_matches", "marts/domain_coverage"} <= keys
    assert {"reports/index", "warehouse/exports", "warehouse/published"} <= keys
    assert "marts/task_value" not in keys and "staging/oes_national" not in keys
    assert {s.name for s in defs.schedules} >= {s.name for s in SCHEDULES}


class _Releases(BaseHTTPRequestHandler):
    published = {"/db_29_1_text.zip", "/oesm25nat.zip"}

    def do_HEAD(self):  # noqa: N802 (http.server API)
        self.send_response(200 if self.path in self.published else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def release_server():
    server = HTTPServer(("127.0.0.1", 0), _Releases)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _run(job, op_name, base_url, instance=None, **settings):
    return job.execute_in_process(
        run_config={"ops": {op_name: {"config": {"base_url": base_url, "timeout_s": 5}}}},
        resources={"settings": settings_from_env(environ={}, **settings)},
        raise_on_error=False,
        instance=instance,
    )


def _failure(result):
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE)
    return failure.step_failure_data.user_failure_data


def test_a_run_that_finds_a_newer_release_fails_saying_what_to_set(release_server):
    # a green run with a warning in its log goes unnoticed: a failed one stands out and is alerted on
    onet = _run(onet_release_check_job, "check_onet_release", release_server, onet_release="29.0")
    assert not onet.success
    assert _failure(onet).description == (
        "O*NET 29.1 is published (configured: 29.0). Set TASKVALUE_ONET_RELEASE=29.1 and run refresh_job."
    )
    assert _failure(onet).metadata["newer_release"].value == "O*NET 29.1"
    oes = _run(oes_release_check_job, "check_oes_release", release_server, oes_vintage=2024)
    assert not oes.success
    assert _failure(oes).description == (
        "OES May 2025 is published (configured: 2024). Set TASKVALUE_OES_VINTAGE=2025 "
        "TASKVALUE_OES_PREVIOUS_VINTAGE=2024 and run refresh_job."
    )


def test_a_run_on_the_latest_release_succeeds(release_server):
    current = _run(onet_release_check_job, "check_onet_release", release_server, onet_release="29.1")
    assert current.success and current.output_for_node("check_onet_release")["newer"] == []
    oes = _run(oes_release_check_job, "check_oes_release", release_server, oes_vintage=2025)
    assert oes.success and oes.output_for_node("check_oes_release")["newer"] == []


def test_release_check_offline_fails_with_a_clear_message():
    # nothing listens on port 9: the request fails the way it does offline
    result = _run(onet_release_check_job, "check_onet_release", "http://127.0.0.1:9")
    assert not result.success
    message = _failure(result).description
    assert "Could not check for a new release" in message
    assert "offline" in message and "onetcenter.org" in message


def test_jobs_that_write_the_work_db_queue_one_at_a_time(tmp_path):
    # refresh_job and inventory_refresh_job both write the work DB: the shipped instance file makes
    # the run queue start one of them at a time instead of letting the second fail at publish
    import shutil
    from pathlib import Path

    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import WRITER_TAGS

    for name in ("refresh_job", "inventory_refresh_job"):
        assert defs.resolve_job_def(name).tags.items() >= WRITER_TAGS.items()
    shutil.copy(Path(__file__).parents[2] / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = DagsterInstance.from_config(str(tmp_path))
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    ((key, value),) = WRITER_TAGS.items()
    assert {"key": key, "limit": 1} in limits


def test_a_materialize_from_the_asset_graph_queues_behind_the_writers_too(tmp_path):
    # the implicit asset job carries no tag: every asset is in one pool instead, limited to one run at
    # a time (measured with a daemon: without the pools block a Materialize started beside a running
    # refresh_job; with it, it waited QUEUED until refresh_job ended)
    import shutil
    from pathlib import Path

    from dagster import DagsterInstance

    from assets.common.pools import WORK_DB_POOL
    from orchestration.definitions import defs

    # every step a Materialize or an "Execute checks" can run: 88 assets and their checks (the checks
    # open the work database too, and were outside the pool at first)
    nodes = defs.resolve_implicit_global_asset_job_def().graph.nodes
    assert len(nodes) > 100
    assert {node.definition.pool for node in nodes} == {WORK_DB_POOL}
    shutil.copy(Path(__file__).parents[2] / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = DagsterInstance.from_config(str(tmp_path))
    pool_config = instance.get_concurrency_config().pool_config
    assert (pool_config.pool_granularity.value, pool_config.default_pool_limit) == ("run", 1)
    # a Materialize that hangs (no dagster/max_runtime tag) is failed after 3 hours like a refresh
    assert instance.run_monitoring_max_runtime_seconds == 10800


def test_a_hung_writer_run_is_failed_after_three_hours_instead_of_holding_the_queue(tmp_path):
    import shutil
    from pathlib import Path

    from dagster import DagsterInstance

    from orchestration.definitions import defs

    for name in ("refresh_job", "inventory_refresh_job"):
        assert defs.resolve_job_def(name).tags["dagster/max_runtime"] == "10800"
    shutil.copy(Path(__file__).parents[2] / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = DagsterInstance.from_config(str(tmp_path))
    assert instance.run_monitoring_enabled
