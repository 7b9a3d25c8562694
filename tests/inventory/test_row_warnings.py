"""The inventory's warning checks: quarantined rows, and published tasks this refresh did not accept."""

from __future__ import annotations

import duckdb

from tests.conftest import run_refresh
from tests.inventory.inventory_helpers import inventory_selection


def test_quarantined_rows_and_tasks_dropped_since_the_last_publish_are_warned(tmp_path, shared_data):
    # the last publish had T-1, T-2 and T-3; now a second file reuses T-1 (both copies are quarantined)
    # and T-2 was deleted: the run is green, and without these checks the UI showed nothing
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text(
        "task_id,title\nT-1,Reconcile the general ledger\nT-3,Draft a press release\n"
        "T-5,Review a lease, then summarise it\n"  # an unquoted comma: a ragged row, no task_id read
        'T-6,"Plan a "launch" event\n'  # a stray quote: a malformed line
        "t-7,Write a cover letter\n"  # was T-7: IDs are case-sensitive
    )
    (inventory / "b.csv").write_text(
        "task_id,title,instances\nT-1,Audit expense reports,2\nT-4,Plan a menu,two\n"
    )
    published = tmp_path / "taskvalue.duckdb"  # where run_refresh's settings put the warehouse
    with duckdb.connect(str(published)) as con:
        con.execute("create schema staging")
        con.execute(
            "create table staging.inventory_tasks as select * from (values "
            "('T-1', 'a.csv', 2), ('T-2', 'a.csv', 3), ('T-3', 'a.csv', 4), ('T-5', 'a.csv', 5), ('T-6', 'a.csv', 6), ('T-7', 'a.csv', 7)) "
            "t(task_id, source_file, source_row)"
        )
    result, settings = run_refresh(
        tmp_path, shared_data, selection=inventory_selection(), inventory_dir=str(inventory)
    )
    assert result.success and settings.warehouse == published
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    quarantine = checks["inventory_quarantine__no_row_quarantined"]
    assert not quarantine.passed and quarantine.severity.value == "WARN"
    assert quarantine.metadata["rows_quarantined"].value == 5
    assert quarantine.metadata["by_file_and_reason"].value == {
        "a.csv: duplicate_task_id": 1,
        "a.csv: malformed_csv": 1,
        "a.csv: ragged_row": 1,
        "b.csv: duplicate_task_id": 1,
        "b.csv: unparseable_value": 1,
    }
    assert "- b.csv row 3 (T-4): unparseable_value: instances: cannot read 'two'" in (
        quarantine.metadata["rows"].value
    )
    dropped = checks["inventory_tasks__every_published_task_still_accepted"]
    assert not dropped.passed and dropped.severity.value == "WARN"
    assert dropped.metadata["tasks_dropped"].value == 5 and dropped.metadata["quarantined"].value == 3
    # a ragged or malformed line reads no task_id: its ID is found at the start of the raw line
    assert dropped.metadata["tasks"].value.splitlines() == [
        "- T-1 (was a.csv row 2): quarantined: a.csv row 2: duplicate_task_id; b.csv row 2: duplicate_task_id",
        "- T-2 (was a.csv row 3): in no inventory file",
        "- T-5 (was a.csv row 5): quarantined, its ID read from the raw line: a.csv row 4: ragged_row",
        "- T-6 (was a.csv row 6): quarantined, its ID read from the raw line: a.csv row 5: malformed_csv",
        "- T-7 (was a.csv row 7): in no inventory file; accepted as t-7, which differs only by case (IDs are "
        "case-sensitive)",
    ]


def test_an_unreadable_published_warehouse_is_a_warning_not_a_failed_refresh(tmp_path, shared_data):
    from dagster_duckdb import DuckDBResource

    from assets.inventory.row_warnings import every_published_task_still_accepted
    from tests.conftest import settings_for

    settings = settings_for(tmp_path, shared_data)
    settings.warehouse.write_bytes(b"not a duckdb file")
    settings.work_db.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("create schema staging; create table staging.inventory_tasks (task_id varchar)")
        con.execute(
            "create table staging.inventory_quarantine (task_id varchar, source_file varchar, "
            "source_sheet varchar, source_row bigint, reason varchar, raw_record varchar)"
        )
    result = every_published_task_still_accepted(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed and result.severity.value == "WARN"
    assert result.metadata["error"].value.startswith(
        f"cannot read the published warehouse {settings.warehouse}: "
    )
