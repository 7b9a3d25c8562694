"""The warning when a refresh changes decisions the published warehouse applied: lines gone from the
overrides file, and lines without text_hash still pinning a task rewritten since that publish."""

from __future__ import annotations

import duckdb
from dagster_duckdb import DuckDBResource

from assets.inventory.override_warnings import changed_since_publish, published_decisions_unchanged
from tests.conftest import settings_for

DECISIONS = (
    "create table staging.inventory_overrides (inventory_task_id varchar, action varchar, onet_task_id bigint, "
    "source_row bigint, status varchar, text_hash varchar)"
)
TASKS = "create table staging.inventory_tasks (task_id varchar, text_hash varchar)"


def warehouse(path, decisions: list[tuple], tasks: list[tuple]) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists staging")
        con.execute(DECISIONS)
        con.execute(TASKS)
        if decisions:
            con.executemany("insert into staging.inventory_overrides values (?, ?, ?, ?, ?, ?)", decisions)
        if tasks:
            con.executemany("insert into staging.inventory_tasks values (?, ?)", tasks)


def work_settings(tmp_path):
    """Settings whose work database directory exists (the refresh's side of the comparison)."""
    settings = settings_for(tmp_path, tmp_path)
    settings.work_db.parent.mkdir(parents=True)
    return settings


def test_an_emptied_overrides_file_and_a_rewritten_task_are_named(tmp_path):
    settings = work_settings(tmp_path)
    published = [
        ("SWE-2", "pin", 21670, 2, "ok", None),
        ("CPY-6", "reject", 20554, 3, "ok", None),
        ("CPY-9", "reject", None, 4, "ok", None),
        ("OLD-1", "pin", 100, 5, "unknown_inventory_task", None),  # never applied: not a loss
    ]
    tasks = [("SWE-2", "aaaaaaaaaaaa"), ("CPY-6", "bbbbbbbbbbbb"), ("CPY-9", "cccccccccccc")]
    warehouse(settings.warehouse, published, tasks)
    # this refresh: the file kept only SWE-2's pin, and SWE-2 was rewritten
    warehouse(
        settings.work_db, [("SWE-2", "pin", 21670, 2, "ok", None)], [("SWE-2", "dddddddddddd"), *tasks[1:]]
    )
    result = published_decisions_unchanged(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed and result.severity.value == "WARN"
    assert (result.metadata["decisions_removed"].value, result.metadata["pins_on_rewritten_tasks"].value) == (
        2,
        1,
    )
    assert result.metadata["decisions"].value.splitlines() == [
        "- reject 20554 for CPY-6 (line 3 of the published file): no longer in the overrides file; the published "
        "warehouse applied it, this refresh does not",
        "- reject every candidate for CPY-9 (line 4 of the published file): no longer in the overrides file; the "
        "published warehouse applied it, this refresh does not",
        "- line 2: pin 21670 for SWE-2: the task was rewritten since the published refresh (text_hash "
        "aaaaaaaaaaaa → dddddddddddd), and the line quotes no text_hash, so it still applies: check it, and add "
        "text_hash dddddddddddd to the line to confirm it",
    ]
    # the same decisions and texts: nothing to say; a line quoting its text_hash is the text_changed status's
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("delete from staging.inventory_overrides")
        con.executemany(
            "insert into staging.inventory_overrides values (?, ?, ?, ?, ?, ?)",
            [("SWE-2", "pin", 21670, 2, "ok", "dddddddddddd"), *published[1:3]],
        )
        assert changed_since_publish(con, settings.warehouse) == []


def test_no_published_warehouse_or_one_without_overrides_says_nothing(tmp_path):
    settings = work_settings(tmp_path)
    warehouse(settings.work_db, [], [])
    with duckdb.connect(str(settings.work_db)) as con:
        assert changed_since_publish(con, settings.warehouse) == []  # no file
        with duckdb.connect(str(settings.warehouse)) as old:
            old.execute("create schema staging; create table staging.inventory_tasks (task_id varchar)")
        assert changed_since_publish(con, settings.warehouse) == []


def test_an_unreadable_published_warehouse_is_a_warning_not_a_crash(tmp_path):
    # the check's own parameter `duckdb` (the resource) shadowed the module in its except clause
    settings = work_settings(tmp_path)
    warehouse(settings.work_db, [("SWE-2", "pin", 21670, 2, "ok", None)], [("SWE-2", "aaaaaaaaaaaa")])
    settings.warehouse.write_bytes(b"not a duckdb file")
    result = published_decisions_unchanged(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed and result.severity.value == "WARN"
    assert result.metadata["error"].value.startswith(
        f"cannot read the published warehouse {settings.warehouse}: "
    )


def test_a_pin_on_a_task_id_reused_since_the_publish_is_named(tmp_path):
    # a pin for CPY-001 outlived its task (unknown_inventory_task at the publish); a new task took the
    # ID, and the pin applied to it without a word (a chemistry worksheet covering Writers' work)
    settings = work_settings(tmp_path)
    published = [
        ("CPY-001", "pin", 22653, 2, "unknown_inventory_task", None),
        ("NEW-1", "pin", 5, 3, "ok", None),
    ]
    warehouse(settings.warehouse, published, [("NEW-1", "eeeeeeeeeeee")])
    now = [
        ("CPY-001", "pin", 22653, 2, "ok", None),
        ("NEW-1", "pin", 5, 3, "ok", None),
        ("NEW-2", "pin", 6, 4, "ok", None),  # a new line for a new task: written for it
    ]
    warehouse(
        settings.work_db, now, [("CPY-001", "ffffffffffff"), ("NEW-1", "eeeeeeeeeeee"), ("NEW-2", "gg")]
    )
    result = published_decisions_unchanged(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed and result.metadata["pins_on_returned_task_ids"].value == 1
    assert result.metadata["decisions"].value.splitlines() == [
        "- line 2: pin 22653 for CPY-001: the published refresh had no task CPY-001 (the line did not apply "
        "then), and the line quotes no text_hash, so it now applies to the task that has the ID; if that is a "
        "new task reusing a deleted one's ID, the line was not written for it: check it, and add text_hash "
        "ffffffffffff to the line to confirm it",
    ]
    # quoting the new task's text_hash confirms it
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute(
            "update staging.inventory_overrides set text_hash = 'ffffffffffff' where inventory_task_id = 'CPY-001'"
        )
        assert changed_since_publish(con, settings.warehouse) == []


def test_a_pin_on_a_task_quarantined_or_unread_at_the_publish_is_not_named(tmp_path):
    # the task was there, but quarantined (its line said it applies once the row is fixed), or its
    # file could not be read: the task now accepted is the one the line was written for
    settings = work_settings(tmp_path)
    published = [("SWE-2", "pin", 21670, 2, "unknown_inventory_task", None)]
    warehouse(settings.warehouse, published, [])
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create table staging.inventory_quarantine (task_id varchar, reason varchar)")
        con.execute("insert into staging.inventory_quarantine values ('SWE-2', 'unparseable_value')")
        con.execute("create table staging.inventory_files (source_file varchar, status varchar)")
        con.execute("insert into staging.inventory_files values ('a.csv', 'loaded')")
    warehouse(settings.work_db, [("SWE-2", "pin", 21670, 2, "ok", None)], [("SWE-2", "aaaaaaaaaaaa")])
    with duckdb.connect(str(settings.work_db)) as con:
        assert changed_since_publish(con, settings.warehouse) == []
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("delete from staging.inventory_quarantine")
    with duckdb.connect(str(settings.work_db)) as con:
        assert [r[0] for r in changed_since_publish(con, settings.warehouse)] == ["returned"]
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("insert into staging.inventory_files values ('b.xlsx', 'unreadable')")
    with duckdb.connect(str(settings.work_db)) as con:
        assert changed_since_publish(con, settings.warehouse) == []


def test_a_warehouse_published_before_text_hash_still_shows_a_rewritten_pinned_task(tmp_path):
    # an upgrade from 26 Nov: the published staging.inventory_tasks had title and description, no
    # text_hash, and the first refresh after it said nothing of a pinned task rewritten into other work
    from assets.inventory.ingest import text_hash

    settings = work_settings(tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema staging")
        con.execute(DECISIONS.replace(", text_hash varchar", ""))
        con.execute(
            "create table staging.inventory_tasks (task_id varchar, title varchar, description varchar)"
        )
        con.execute("insert into staging.inventory_overrides values ('CPY-001', 'pin', 22655, 2, 'ok')")
        con.execute(
            "insert into staging.inventory_tasks values ('CPY-001', 'Draft a product launch blog post', "
            "'Write 600 words.'), ('CPY-002', 'Write a tagline', null)"
        )
    now = text_hash("Reconcile month-end general ledger accounts", "Write 600 words.")
    before = text_hash("Draft a product launch blog post", "Write 600 words.")
    same = text_hash("Write a tagline", None)
    warehouse(
        settings.work_db,
        [("CPY-001", "pin", 22655, 2, "ok", None), ("CPY-002", "pin", 1, 3, "ok", None)],
        [("CPY-001", now), ("CPY-002", same)],
    )
    with duckdb.connect(str(settings.work_db)) as con:
        assert changed_since_publish(con, settings.warehouse) == [
            ("rewritten", "CPY-001", "pin", 22655, 2, before, now, None)
        ]


def test_an_occupation_decision_changed_to_another_code_is_named_as_removed(tmp_path):
    settings = work_settings(tmp_path)
    with_code = DECISIONS.replace("text_hash varchar)", "text_hash varchar, onet_soc_code varchar)")
    for path, code in ((settings.warehouse, "15-1252.00"), (settings.work_db, "15-1250")):
        with duckdb.connect(str(path)) as con:
            con.execute("create schema staging")
            con.execute(with_code)
            con.execute(TASKS)
            con.execute("insert into staging.inventory_tasks values ('SWE-4', 'aaaaaaaaaaaa')")
            con.execute(
                "insert into staging.inventory_overrides values ('SWE-4', 'occupation', null, 2, 'ok', null, ?)",
                [code],
            )
    result = published_decisions_unchanged(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed
    assert result.metadata["decisions"].value.splitlines() == [
        "- occupation 15-1252.00 for SWE-4 (line 2 of the published file): no longer in the overrides file; the "
        "published warehouse applied it, this refresh does not",
    ]
    # the same code again: nothing to say
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("update staging.inventory_overrides set onet_soc_code = '15-1252.00'")
        assert changed_since_publish(con, settings.warehouse) == []
