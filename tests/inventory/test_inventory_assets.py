"""The inventory assets in Dagster over the real O*NET files: blocking checks, precedence, overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.inventory.inventory_helpers import refresh, rows


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, shared_data):
    tmp = tmp_path_factory.mktemp("inventory")
    inventory = tmp / "inventory"
    shutil.copytree(FIXTURES / "inventory" / "mixed", inventory)
    settings = refresh(tmp, shared_data, inventory)
    return tmp, inventory, settings


def test_counting_invariant_holds_per_file_in_the_warehouse(refreshed):
    _, _, settings = refreshed
    files = rows(
        settings,
        "select source_file, status, rows_read, rows_accepted, rows_quarantined from staging.inventory_files order by 1",
    )
    assert ("tasks.csv", "loaded", 12, 5, 7) in files
    assert ("tasks.jsonl", "loaded", 4, 1, 3) in files
    assert ("notes.md", "unsupported", 0, 0, 0) in files
    reasons = dict(rows(settings, "select reason, count(*) from staging.inventory_quarantine group by 1"))
    assert reasons == {
        "missing_id": 1,
        "no_text": 1,
        "unparseable_value": 2,
        "duplicate_task_id": 4,
        "malformed_json": 1,
        "not_an_object": 1,
        "unsupported_file": 1,
    }


def test_explicit_onet_task_id_wins(refreshed):
    _, _, settings = refreshed
    got = rows(
        settings,
        "select rank, onet_task_id, method, confidence, score from marts.inventory_task_matches where inventory_task_id = 'EXPLICIT-1'",
    )
    assert got == [(1, 21505, "explicit", "high", 1.0)]


def test_hint_narrows_candidates_to_the_named_occupation(refreshed):
    _, _, settings = refreshed
    codes = rows(
        settings,
        "select distinct onet_soc_code, method from marts.inventory_task_matches where inventory_task_id = 'JSONL-1'",
    )
    assert codes == [("43-4051.00", "hinted")]  # resolved from the title "Customer Service Representatives"
    # an unknown hint falls back to text matching over every occupation
    methods = rows(
        settings,
        "select distinct method from marts.inventory_task_matches where inventory_task_id = 'UNKNOWN-1'",
    )
    assert methods == [("text",)]


def test_overrides_apply_and_survive_a_refresh(refreshed):
    tmp, inventory, settings = refreshed

    def state():
        pinned = rows(
            settings,
            "select rank, onet_task_id, method, confidence, override_note from marts.inventory_task_matches where inventory_task_id = 'GOOD-2' and rank = 1",
        )
        rejected = rows(
            settings,
            "select rank, onet_task_id, method, confidence from marts.inventory_task_matches where inventory_task_id = 'GOOD-1'",
        )
        stale = rows(
            settings, "select inventory_task_id, status from staging.inventory_overrides where status <> 'ok'"
        )
        return pinned, rejected, stale

    before = state()
    assert before[0] == [(1, 22656, "override", "high", "reviewed: copywriting")]
    assert before[1] == [(1, None, "override", "none")]
    assert before[2] == [("GHOST-9", "unknown_inventory_task")]
    # the inventory changes (a new task arrives), the overrides file is untouched: decisions persist
    with open(inventory / "tasks.jsonl", "a") as fh:
        fh.write(
            '{"id": "NEW-1", "name": "Prepare month-end accruals", "prompt": "Book the accrual entries."}\n'
        )
    settings2 = refresh(tmp, Path(settings.mirror), inventory)
    assert settings2.work_db == settings.work_db
    assert state() == before
    assert rows(
        settings, "select count(*) from marts.inventory_task_matches where inventory_task_id = 'NEW-1'"
    ) == [(5,)]


def test_every_accepted_task_has_ranked_candidates(refreshed):
    _, _, settings = refreshed
    missing = rows(
        settings,
        "select task_id from staging.inventory_tasks where task_id not in (select inventory_task_id from marts.inventory_task_matches)",
    )
    assert missing == []
    ranks = rows(
        settings,
        "select inventory_task_id, list(rank order by rank) from marts.inventory_task_matches where inventory_task_id = 'GOOD-2' group by 1",
    )
    assert ranks == [("GOOD-2", [1, 2, 3, 4, 5])]


def test_a_reject_that_removed_nothing_warns_on_the_matches(tmp_path, shared_data):
    from dagster import AssetCheckSeverity

    from tests.conftest import run_refresh
    from tests.inventory.inventory_helpers import inventory_selection

    inventory = tmp_path / "inventory"
    shutil.copytree(FIXTURES / "inventory" / "mixed", inventory)
    with open(inventory / "_overrides.csv", "a") as fh:  # EXPLICIT-1's only candidate is 21505
        fh.write("EXPLICIT-1,reject,22656,not this one\n")
    result, _ = run_refresh(
        tmp_path, shared_data, selection=inventory_selection(), inventory_dir=str(inventory)
    )
    assert result.success
    (check,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "inventory_task_matches__every_reject_removed_a_candidate"
    ]
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert check.metadata["rejects_without_effect"].value == 1
    assert "overrides line 5: reject 22656 for EXPLICIT-1 removed nothing" in check.metadata["lines"].value


def test_an_empty_inventory_directory_refreshes_with_every_check_green(tmp_path, shared_data):
    # no inventory task is a valid state (a team starting out): no blocking check may require a match
    # (the confidence-band check did, and failed the whole refresh)
    from tests.conftest import run_refresh
    from tests.inventory.inventory_helpers import inventory_selection

    inventory = tmp_path / "inventory"
    inventory.mkdir()
    result, _ = run_refresh(
        tmp_path, shared_data, selection=inventory_selection(), inventory_dir=str(inventory)
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 20  # the inventory's checks ran (an empty list would pass the next line)
    failed = [e.check_name for e in evaluations if not e.passed]
    assert failed == []


def test_an_inventory_directory_that_empties_after_a_publish_stops_the_refresh(tmp_path):
    # an unmounted share looks like an empty folder, or like a link into it that cannot be read:
    # publishing would turn yesterday's coverage into 0% everywhere; a team starting out (nothing
    # published with tasks) is not stopped
    import duckdb
    import polars as pl

    from assets.common.errors import TaskvalueError
    from assets.inventory.vanished import refuse_a_vanished_inventory

    warehouse = tmp_path / "taskvalue.duckdb"
    schema = {
        "source_file": pl.String,
        "status": pl.String,
        "rows_read": pl.Int64,
        "rows_quarantined": pl.Int64,
    }
    nothing = pl.DataFrame(schema=schema)
    only_reserved = pl.DataFrame([("_overrides.csv", "skipped", 0, 0)], schema=schema, orient="row")
    broken_link = pl.DataFrame([("tasks.csv", "unreadable", 0, 0)], schema=schema, orient="row")
    all_bad = pl.DataFrame([("tasks.csv", "loaded", 12, 12)], schema=schema, orient="row")
    refuse_a_vanished_inventory(tmp_path, 0, nothing, warehouse, allow_empty=False)  # nothing published yet
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging")
        con.execute(
            "create table staging.inventory_tasks as select * from (values ('T-1', 'a.csv'), ('T-2', 'b.jsonl'), "
            "('T-3', 'c.xlsx'), ('T-4', 'd.tsv')) as t(task_id, source_file)"
        )
    published = "but the published warehouse has 4 inventory tasks (from a.csv, b.jsonl, c.xlsx, …)"
    for files, held in (
        (nothing, "no inventory file"),
        (only_reserved, "no inventory file"),
        (broken_link, "no accepted inventory task (tasks.csv: unreadable)"),
        (all_bad, "no accepted inventory task (tasks.csv: 12 rows, all quarantined)"),
    ):
        with pytest.raises(TaskvalueError) as raised:
            refuse_a_vanished_inventory(tmp_path / "inv", 0, files, warehouse, allow_empty=False)
        assert str(raised.value).startswith(
            f"inventory directory {tmp_path / 'inv'} holds {held}, {published}"
        )
        assert "TASKVALUE_INVENTORY_ALLOW_EMPTY=true" in str(raised.value)
        refuse_a_vanished_inventory(tmp_path / "inv", 0, files, warehouse, allow_empty=True)
    # one accepted task is an inventory, however small
    refuse_a_vanished_inventory(tmp_path / "inv", 1, all_bad, warehouse, allow_empty=False)
    # a published warehouse that cannot be read is named, not a bare DuckDB error
    warehouse.write_bytes(b"not a duckdb file")
    with pytest.raises(TaskvalueError, match="cannot be read to tell whether it had some"):
        refuse_a_vanished_inventory(tmp_path / "inv", 0, nothing, warehouse, allow_empty=False)
