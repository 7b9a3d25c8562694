"""Warnings a data lead sees in the Dagster UI when inventory rows did not make it in.

The ingest quarantines bad rows rather than stopping the refresh, so a run with quarantined rows is
green: without a check, the only trace was one log line, and a task that was published before could
drop out of every mart (a second file reusing its ID quarantines both copies) with the row count
unchanged. These checks warn (they never block) and name the rows.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.published_reads import READ_ERRORS, unreadable_published
from assets.common.warehouse import attached_columns, attached_read_only
from assets.common.warn_checks import warning_check
from orchestration.resources import TaskvalueSettings

ROWS_SHOWN = 50
TASKS = AssetKey(["staging", "inventory_tasks"])
QUARANTINE = AssetKey(["staging", "inventory_quarantine"])


def _quarantined(con: duckdb.DuckDBPyConnection) -> tuple[bool, dict]:
    rows = con.execute(
        "select source_file, source_sheet, source_row, task_id, reason, detail from staging.inventory_quarantine "
        "order by source_file, source_row"
    ).fetchall()
    by_file = Counter(f"{r[0]}: {r[4]}" for r in rows)
    lines = [
        f"- {file}{f' [{sheet}]' if sheet else ''} row {row if row is not None else '(whole file)'}"
        f"{f' ({task})' if task else ''}: {detail or reason}".replace(
            "\n", " "
        )  # detail starts with the reason
        for file, sheet, row, task, reason, detail in rows[:ROWS_SHOWN]
    ]
    return not rows, {
        "rows_quarantined": MetadataValue.int(len(rows)),
        "by_file_and_reason": MetadataValue.json(dict(sorted(by_file.items()))),
        "rows": MetadataValue.md("\n".join(lines) or "none"),
    }


no_row_quarantined = warning_check(
    QUARANTINE,
    "inventory_quarantine__no_row_quarantined",
    "Warns when the ingest quarantined inventory rows (they are in no mart), with every row's file, line, "
    "task ID, reason and detail (the first 50), and the counts per file and reason.",
    _quarantined,
)


def _files_without_rows(con: duckdb.DuckDBPyConnection) -> tuple[bool, dict]:
    rows = con.execute(
        # loaded only: a link read under another name, the overrides file, an unsupported or unreadable
        # file are recorded with no rows on purpose (and the last two warned about where they are)
        "select source_file, bytes, notes from staging.inventory_files "
        "where status = 'loaded' and coalesce(rows_read, 0) = 0 order by source_file"
    ).fetchall()
    lines = [f"- {file} ({size or 0:,} bytes): {notes or 'no data rows'}" for file, size, notes in rows]
    return not rows, {
        "files_without_rows": MetadataValue.int(len(rows)),
        "files": MetadataValue.md("\n".join(lines) or "none"),
    }


# an inventory file that holds no row is usually an export that failed (0 bytes, or a header alone):
# its tasks are simply absent, and the run was green without a word
every_file_holds_rows = warning_check(
    AssetKey(["staging", "inventory_files"]),
    "inventory_files__every_file_holds_rows",
    "Warns with the inventory files that hold no data row (an empty file, a header alone): often an "
    "export that failed, whose tasks are then missing from every mart.",
    _files_without_rows,
)


def dropped_since_publish(con: duckdb.DuckDBPyConnection, published: Path) -> list[tuple]:
    """(task_id, source_file, source_row, where it is now) for every task of the published warehouse's
    inventory that this refresh did not accept: quarantined (with the places and reasons) or in no file."""
    if not published.is_file():
        return []
    with attached_read_only(con, published, "published_inventory") as alias:
        columns = attached_columns(con, alias, "staging", "inventory_tasks")
        if "task_id" not in columns:  # a warehouse published before the inventory existed
            return []
        # an older warehouse may lack the provenance columns: the IDs are what matters
        where = ", ".join(c if c in columns else f"null as {c}" for c in ("source_file", "source_row"))
        return con.execute(
            f"""
            with dropped as (
                select p.task_id, {where}
                from published_inventory.staging.inventory_tasks as p
                where p.task_id not in (select task_id from staging.inventory_tasks)
            ),

            quarantined as (
                select
                    task_id,
                    string_agg(
                        source_file || coalesce(' [' || source_sheet || ']', '') || ' row ' || source_row
                            || ': ' || reason,
                        '; ' order by source_file, source_row
                    ) as places
                from staging.inventory_quarantine
                where task_id is not null and task_id <> ''
                group by task_id
            ),

            -- a ragged or malformed line has no task_id column to read: its ID is only in raw_record,
            -- as its first cell ("_field_1": "T-5") or as the first cell of the raw line ("_line":
            -- "T-5,..."), quoted or not, before any delimiter the reader detects (read decoded: JSON
            -- stores a tab as backslash-t)
            raw_ids as (
                select
                    source_file, source_row, reason,
                    try(json_extract_string(raw_record, '$._field_1')) as first_cell,
                    try(json_extract_string(raw_record, '$._line')) as line
                from staging.inventory_quarantine
                where coalesce(task_id, '') = ''
            ),

            by_raw_record as (
                select
                    d.task_id,
                    string_agg(
                        q.source_file || ' row ' || q.source_row || ': ' || q.reason,
                        '; ' order by q.source_file, q.source_row
                    ) as places
                from dropped as d
                inner join raw_ids as q
                    on q.first_cell = d.task_id
                    or list_contains([d.task_id || s for s in [',', ';', chr(9), '|']], left(q.line, length(d.task_id) + 1))
                    or list_contains(
                        [chr(34) || d.task_id || chr(34) || s for s in [',', ';', chr(9), '|']],
                        left(q.line, length(d.task_id) + 3)
                    )
                group by d.task_id
            ),

            -- IDs are case-sensitive: 'T-1' rewritten 't-1' is a new task, and the old one is gone
            case_variants as (
                select d.task_id, string_agg(t.task_id, ', ' order by t.task_id) as ids
                from dropped as d
                inner join staging.inventory_tasks as t on lower(t.task_id) = lower(d.task_id)
                group by d.task_id
            )

            select
                d.task_id,
                d.source_file,
                d.source_row,
                coalesce(
                    'quarantined: ' || q.places,
                    'quarantined, its ID read from the raw line: ' || r.places,
                    'in no inventory file'
                ) || coalesce('; accepted as ' || v.ids || ', which differs only by case (IDs are case-sensitive)', '')
            from dropped as d
            left join quarantined as q on q.task_id = d.task_id
            left join by_raw_record as r on r.task_id = d.task_id
            left join case_variants as v on v.task_id = d.task_id
            order by d.task_id
            """
        ).fetchall()


@asset_check(
    pool=WORK_DB_POOL,
    asset=TASKS,
    name="inventory_tasks__every_published_task_still_accepted",
    blocking=False,
    description="Warns when tasks of the published warehouse's inventory are not among this refresh's accepted "
    "tasks (they drop out of every mart when this refresh publishes): each with where it was and where it is "
    "now, quarantined (file, row, reason) or in no inventory file.",
)
def every_published_task_still_accepted(
    settings: TaskvalueSettings, duckdb: DuckDBResource
) -> AssetCheckResult:
    try:
        with duckdb.get_connection() as con:
            dropped = dropped_since_publish(con, settings.warehouse)
    except READ_ERRORS as exc:
        return unreadable_published(settings.warehouse, exc)
    lines = [
        f"- {task}{f' (was {file} row {row})' if file else ''}: {now}"
        for task, file, row, now in dropped[:ROWS_SHOWN]
    ]
    return AssetCheckResult(
        passed=not dropped,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "tasks_dropped": MetadataValue.int(len(dropped)),
            "quarantined": MetadataValue.int(sum(now.startswith("quarantined") for *_, now in dropped)),
            "published_warehouse": MetadataValue.path(str(settings.warehouse)),
            "tasks": MetadataValue.md("\n".join(lines) or "none"),
        },
    )


ROW_WARNINGS = [no_row_quarantined, every_published_task_still_accepted, every_file_holds_rows]
