"""Re-executing a failed or refused refresh: what publish counts as rebuilt, and what it still refuses.

Dagster's "re-execute from failure" starts a NEW run that executes only the failed steps and those
downstream of them; publish counts the tables of the runs it re-executes too (`_run_family` in
assets/publish/assets.py). These tests re-execute real runs with Dagster's public API
(`ReexecutionOptions`, `execute_job`) on a persistent instance, over the fixture mirror.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, ReexecutionOptions, execute_job, reconstructable

from tests.conftest import FIXTURES, REPO, failure_text

ATTRIBUTE_TABLES = {
    AssetKey(["int", "task_attributes_raw"]),
    AssetKey(["marts", "task_attribute_value"]),
    AssetKey(["marts", "task_attribute_unmatched"]),
    AssetKey(["marts", "occupation_attribute_value"]),
}
OUTPUTS = {AssetKey(["warehouse", "exports"]), AssetKey(["warehouse", "published"])}
# A wrong attribute file (no "Task ID" column): int.task_attributes_raw raises SourceFormatError.
WRONG_ATTRIBUTES = "task,exposure\n21667,0.5\n"
ATTRIBUTE_VALUES = (
    "select onet_soc_code, task_id, attribute_value from marts.task_attribute_value "
    "where attribute = 'exposure' order by all"
)


def define_refresh_job():
    from orchestration.definitions import build_definitions

    return build_definitions().resolve_job_def("refresh_job")


def define_inventory_refresh_job():
    from orchestration.definitions import build_definitions

    return build_definitions().resolve_job_def("inventory_refresh_job")


def _execute(define, instance: DagsterInstance, reexecution_options: ReexecutionOptions | None = None):
    job = reconstructable(define)
    # Dagster keeps the last job it reconstructed in this process; drop it so every run builds its
    # Definitions from the current environment (this test's paths), as a fresh run worker does.
    type(job).get_definition.cache_clear()
    type(job).get_repository_definition.cache_clear()
    return execute_job(job, instance=instance, reexecution_options=reexecution_options)


def _materialized(result) -> set[AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def _failed_steps(result) -> list[str]:
    return sorted(e.step_key for e in result.all_events if e.is_step_failure)


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _counts(path: Path, *tables: str) -> list[int]:
    return [_query(path, f"select count(*) from {t}")[0][0] for t in tables]


def _tables(path: Path) -> list[tuple]:
    return _query(path, "select schema_name, table_name from duckdb_tables() order by all")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Settings from the environment (as `dagster dev` reads them) pointing under tmp_path, and a
    persistent Dagster instance there: re-execution needs the parent run's records."""
    from orchestration.resources import settings_from_env

    for var in [v for v in os.environ if v.startswith("TASKVALUE_")]:
        monkeypatch.delenv(var)
    inventory = tmp_path / "inventory"
    shutil.copytree(REPO / "inventory", inventory)
    attributes = tmp_path / "attributes.csv"
    shutil.copyfile(FIXTURES / "value" / "attributes.csv", attributes)
    # a configured overrides file must exist (only the default _overrides.csv may be absent)
    (tmp_path / "overrides.csv").write_text("inventory_task_id,action,onet_task_id,note\n")
    for var, value in {
        "TASKVALUE_MIRROR": FIXTURES / "mirror",
        "TASKVALUE_CACHE_DIR": tmp_path / "cache",
        "TASKVALUE_WAREHOUSE": tmp_path / "taskvalue.duckdb",
        "TASKVALUE_WORK_DB": tmp_path / "work" / "taskvalue.duckdb",
        "TASKVALUE_INVENTORY_DIR": inventory,
        "TASKVALUE_INVENTORY_OVERRIDES": tmp_path / "overrides.csv",
        "TASKVALUE_TASK_ATTRIBUTES": attributes,
    }.items():
        monkeypatch.setenv(var, str(value))
    home = tmp_path / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        yield SimpleNamespace(
            settings=settings_from_env(),
            instance=instance,
            attributes=attributes,
            inventory=inventory,
            overrides=tmp_path / "overrides.csv",
        )


@pytest.mark.slow
def test_reexecution_from_failure_publishes_the_parent_runs_tables_with_its_own(env):
    # A first refresh that dies late: every table is built except the attribute ones, nothing is published.
    env.attributes.write_text(WRONG_ATTRIBUTES)
    failed = _execute(define_refresh_job, env.instance)
    assert not failed.success
    assert _failed_steps(failed) == ["int__task_attributes_raw"]
    assert "no Task ID column 'Task ID'" in failure_text(failed, "int__task_attributes_raw")
    built_by_parent = _materialized(failed)
    assert AssetKey(["marts", "task_value"]) in built_by_parent
    assert AssetKey(["staging", "oes_national"]) in built_by_parent
    assert not built_by_parent & (ATTRIBUTE_TABLES | OUTPUTS)
    assert not env.settings.warehouse.exists()

    # The cause removed, re-execute from failure: a new run of the failed step and what is downstream.
    shutil.copyfile(FIXTURES / "value" / "attributes.csv", env.attributes)
    options = ReexecutionOptions.from_failure(failed.run_id, env.instance)
    result = _execute(define_refresh_job, env.instance, options)
    assert result.success, failure_text(result)
    assert env.instance.get_run_by_id(result.run_id).parent_run_id == failed.run_id
    # It rebuilt only the attribute tables. Nothing was published before, so publishing counted the
    # parent's materializations: otherwise every other table would be "left in the working database
    # by an earlier run, and no warehouse was published yet", and publish would refuse.
    assert _materialized(result) == ATTRIBUTE_TABLES | OUTPUTS

    # The published warehouse holds the parent's tables and the re-execution's, with their values.
    published = env.settings.warehouse
    assert _tables(published) == _tables(env.settings.work_db)
    assert _counts(published, "marts.task_value", "staging.oes_national", "staging.inventory_tasks") == [
        11,
        15,
        176,
    ]
    # fixture attributes.csv: 7 rows of one numeric column (exposure); 4 of them name a task of 29.0
    assert _counts(published, "int.task_attributes_raw", "marts.task_attribute_unmatched") == [7, 3]
    assert _query(published, ATTRIBUTE_VALUES) == [
        ("11-1011.00", 8823, 0.5),
        ("15-1252.00", 21667, 1.0),
        ("15-1252.00", 21670, 0.5),
        ("15-1252.00", 21673, 0.0),
    ]


@pytest.mark.slow
def test_a_reexecution_that_rebuilds_a_table_but_not_its_downstream_tables_is_refused(env):
    first = _execute(define_refresh_job, env.instance)
    assert first.success, failure_text(first)
    published = env.settings.warehouse
    before = published.read_bytes()
    env.attributes.write_text(",O*NET-SOC Code,Task ID,exposure\n0,15-1252.00,21667.0,0.25\n")

    # "Re-execute selected steps" of that run: the raw attributes and publish, not the marts computed
    # from them. The run records no asset selection (the parent ran the whole job), yet publishing
    # would put the new raw attributes beside marts computed from the old ones.
    steps = ["int__task_attributes_raw", "warehouse__published"]
    partial = _execute(
        define_refresh_job, env.instance, ReexecutionOptions(first.run_id, step_selection=steps)
    )
    assert not partial.success
    assert _materialized(partial) == {AssetKey(["int", "task_attributes_raw"])}
    message = failure_text(partial, "warehouse__published")
    for table in ("task_attribute_value", "task_attribute_unmatched", "occupation_attribute_value"):
        assert f"marts.{table}: downstream of what this run rebuilds, but not selected" in message
    assert published.read_bytes() == before

    # Re-executing the refused run from failure runs publish alone: the raw attributes it counts as
    # rebuilt (its parent's) are still newer than the marts, so it refuses again.
    again = _execute(
        define_refresh_job, env.instance, ReexecutionOptions.from_failure(partial.run_id, env.instance)
    )
    assert not again.success
    assert _materialized(again) == set()
    assert "marts.task_attribute_value: downstream of what this run rebuilds" in failure_text(
        again, "warehouse__published"
    )
    assert published.read_bytes() == before

    # The raw attributes with everything downstream of them: publishes the new file's values.
    whole = ["int__task_attributes_raw*"]
    result = _execute(
        define_refresh_job, env.instance, ReexecutionOptions(first.run_id, step_selection=whole)
    )
    assert result.success, failure_text(result)
    assert _materialized(result) == ATTRIBUTE_TABLES | OUTPUTS
    assert _query(published, ATTRIBUTE_VALUES) == [("15-1252.00", 21667, 0.25)]
    assert _counts(published, "int.task_attributes_raw", "marts.task_value") == [1, 11]


@pytest.mark.slow
def test_reexecution_from_failure_still_refuses_a_table_none_of_its_runs_rebuilt(env):
    assert _execute(define_refresh_job, env.instance).success
    published = env.settings.warehouse
    before = published.read_bytes()

    # inventory_refresh_job after a new inventory file arrived, with a malformed overrides file: it
    # rebuilds the inventory tables (one task more than published), then fails on the overrides.
    (env.inventory / "added_tasks.csv").write_text(
        "task_id,title,description,domain,instances,onet_task_id,onet_soc_code,created_at\n"
        'ADDED-1,Write launch blog post,"Draft a blog post with a call to action.",digital copywriting,3,,,2025-03-02\n'
    )
    env.overrides.write_text("inventory_task_id,action,onet_task_id,note\nADDED-1,maybe,,\n")
    failed = _execute(define_inventory_refresh_job, env.instance)
    assert not failed.success
    assert _failed_steps(failed) == ["staging__inventory_overrides"]
    assert AssetKey(["staging", "inventory_tasks"]) in _materialized(failed)

    # Before the re-execution, a table outside the inventory job changes in the working database with
    # no materialization in this instance: a full refresh killed between its DuckDB commit and
    # Dagster's event, or one run against another DAGSTER_HOME. Neither run rebuilt it, so it is
    # compared with the published warehouse, and the mix is refused.
    con = duckdb.connect(str(env.settings.work_db))
    con.execute("update staging.oes_national set tot_emp = tot_emp + 1 where occ_code = '15-1252'")
    con.close()
    env.overrides.write_text("inventory_task_id,action,onet_task_id,note\n")
    refused = _execute(
        define_inventory_refresh_job,
        env.instance,
        ReexecutionOptions.from_failure(failed.run_id, env.instance),
    )
    assert not refused.success
    assert AssetKey(["staging", "inventory_overrides"]) in _materialized(refused)
    # Only that table: the inventory tables the parent run rebuilt count as rebuilt.
    message = failure_text(refused, "warehouse__published")
    assert (
        "(1):\n- staging.oes_national: changed since the last publish by a run that did not finish\n"
        in message
    )
    assert published.read_bytes() == before

    # The table put back, re-executing the refused run from failure publishes (its tables and its parent's).
    con = duckdb.connect(str(env.settings.work_db))
    con.execute("update staging.oes_national set tot_emp = tot_emp - 1 where occ_code = '15-1252'")
    con.close()
    result = _execute(
        define_inventory_refresh_job,
        env.instance,
        ReexecutionOptions.from_failure(refused.run_id, env.instance),
    )
    assert result.success, failure_text(result)
    assert _materialized(result) == {AssetKey(["warehouse", "published"])}
    assert _counts(published, "staging.inventory_tasks", "staging.oes_national") == [177, 15]
    assert _query(published, "select title from staging.inventory_tasks where task_id = 'ADDED-1'") == [
        ("Write launch blog post",)
    ]


@pytest.mark.slow
def test_a_table_another_run_rebuilt_during_this_run_stops_publish(env, monkeypatch):
    """Two refreshes writing one working database interleave table by table (`dagster job execute`
    and a Materialize from the asset graph run outside the run queue). Here another writer records a
    materialization of marts.domain_coverage while an inventory refresh runs, just before its publish
    step looks: the refresh must not publish a file that holds the other run's table."""
    from dagster import AssetMaterialization

    import assets.publish.assets as publish_assets

    first = _execute(define_refresh_job, env.instance)
    assert first.success, failure_text(first)
    before = _query(env.settings.warehouse, "select count(*) from marts.domain_coverage")

    latest = publish_assets._latest_materializations

    def another_writer_first(context, upstream):
        env.instance.report_runless_asset_event(AssetMaterialization(["marts", "domain_coverage"]))
        return latest(context, upstream)

    monkeypatch.setattr(publish_assets, "_latest_materializations", another_writer_first)
    second = _execute(define_inventory_refresh_job, env.instance)
    assert not second.success
    assert _failed_steps(second) == ["warehouse__published"]
    text = failure_text(second, "warehouse__published")
    assert "would mix two refreshes (1):" in text
    assert (
        "marts.domain_coverage: rebuilt outside any run (a reported materialization) while this run was running"
        in text
    )
    # the first refresh's warehouse stays published
    assert _query(env.settings.warehouse, "select count(*) from marts.domain_coverage") == before


@pytest.mark.slow
def test_a_write_recorded_only_once_the_copy_is_made_still_stops_the_swap(env, monkeypatch):
    # another run closed its connection just before publish opened the work database, and Dagster
    # recorded its materialization a moment later: the first look misses it, the look before the
    # swap does not
    from dagster import AssetMaterialization

    import assets.publish.assets as publish_assets

    first = _execute(define_refresh_job, env.instance)
    assert first.success, failure_text(first)
    published_at = env.settings.warehouse.stat().st_mtime_ns
    latest, calls = publish_assets._latest_materializations, []

    def recorded_late(context, upstream):
        calls.append(1)
        if len(calls) == 2:
            env.instance.report_runless_asset_event(AssetMaterialization(["marts", "coverage_gaps"]))
        return latest(context, upstream)

    monkeypatch.setattr(publish_assets, "_latest_materializations", recorded_late)
    second = _execute(define_inventory_refresh_job, env.instance)
    assert not second.success and len(calls) == 2
    assert "marts.coverage_gaps: rebuilt outside any run" in failure_text(second, "warehouse__published")
    assert env.settings.warehouse.stat().st_mtime_ns == published_at  # not swapped
    assert not list(env.settings.warehouse.parent.glob(".*.tmp*"))


@pytest.mark.slow
def test_a_refresh_that_ran_between_a_failed_run_and_its_reexecution_is_no_overlap(env):
    # a refresh fails; another one (the next schedule) runs and publishes; "re-execute from failure"
    # of the first must not be refused as if the two had run at once (its family started earlier)
    env.attributes.write_text(WRONG_ATTRIBUTES)
    failed = _execute(define_refresh_job, env.instance)
    assert not failed.success
    shutil.copyfile(FIXTURES / "value" / "attributes.csv", env.attributes)
    between = _execute(define_refresh_job, env.instance)
    assert between.success, failure_text(between)
    options = ReexecutionOptions.from_failure(failed.run_id, env.instance)
    result = _execute(define_refresh_job, env.instance, options)
    assert result.success, failure_text(result)
    assert _materialized(result) == ATTRIBUTE_TABLES | OUTPUTS
    assert _counts(env.settings.warehouse, "int.task_attributes_raw", "marts.task_value") == [7, 11]


def test_only_other_runs_writing_while_a_run_of_the_family_ran_count_as_overlapping():
    from types import SimpleNamespace as Record

    from assets.publish.assets import _written_by_overlapping_runs

    latest = {
        AssetKey(["staging", "oes_national"]): Record(run_id="earlier-full-refresh", timestamp=100.0),
        # between the failed parent (140-160) and its re-execution (200-): not an overlap
        AssetKey(["marts", "task_value"]): Record(run_id="between", timestamp=180.0),
        AssetKey(["marts", "domain_coverage"]): Record(run_id="other", timestamp=205.0),
        AssetKey(["marts", "coverage_gaps"]): Record(run_id="this", timestamp=210.0),
        AssetKey(["marts", "inventory_export"]): Record(run_id="parent", timestamp=150.0),
        AssetKey(["marts", "inventory_grounding"]): Record(run_id="beside-parent", timestamp=155.0),
    }
    family = {"this", "parent"}
    windows = [(140.0, 160.0), (200.0, float("inf"))]
    assert _written_by_overlapping_runs(latest, family, windows) == [
        "marts.domain_coverage: rebuilt by run other while this run was running (two refreshes overlapped)",
        "marts.inventory_grounding: rebuilt by run beside-parent while this run was running (two refreshes overlapped)",
    ]
    # a record at the very second a window opens or closes counts; no window (no run started), none
    assert len(_written_by_overlapping_runs(latest, family, [(205.0, 205.0)])) == 1
    assert _written_by_overlapping_runs(latest, family, []) == []
