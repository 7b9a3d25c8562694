"""A warning when this refresh changes human decisions the published warehouse applied.

The overrides file is re-read on every refresh, so emptying it (or losing lines in an edit) drops
every decision with a green run and coverage that quietly moves; and a decision whose line quotes no
text_hash keeps applying to a task rewritten into other work, or to a new task that reuses a deleted
task's ID. The published warehouse is the record of what applied before: decisions it applied that
this refresh does not make, and pins without a text_hash on tasks rewritten since it or on task IDs
it had no task for, are named (a warning: the refresh goes on).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.published_reads import READ_ERRORS, unreadable_published
from assets.common.warehouse import attached_columns, attached_read_only
from assets.inventory.assets import OVERRIDES
from assets.inventory.ingest import text_hash
from assets.inventory.row_warnings import ROWS_SHOWN
from orchestration.resources import TaskvalueSettings

_ALIAS = "published_overrides"


def changed_since_publish(con: duckdb.DuckDBPyConnection, published: Path) -> list[tuple]:
    """(kind, inventory_task_id, action, onet_task_id, line, published text_hash, text_hash now, the
    occupation code of an `occupation` line): kind
    `removed` for a decision the published warehouse applied and this refresh's file no longer makes,
    `rewritten` for an applied line without text_hash whose task's text changed since that publish,
    `returned` for one that applies to a task ID the published refresh had no task for (the line was
    there, unapplied)."""
    if not published.is_file():
        return []
    with attached_read_only(con, published, _ALIAS):
        decisions = attached_columns(con, _ALIAS, "staging", "inventory_overrides")
        tasks = attached_columns(con, _ALIAS, "staging", "inventory_tasks")
        if not {"inventory_task_id", "action", "onet_task_id", "status"} <= decisions:
            return []  # published before the overrides table had these columns
        # an occupation decision is the code it names (none before the column existed: no such lines)
        current = attached_columns(
            con, con.execute("select current_database()").fetchone()[0], "staging", "inventory_overrides"
        )
        code_now = "o.onet_soc_code" if "onet_soc_code" in current else "null::varchar"
        code_then = "p.onet_soc_code" if "onet_soc_code" in decisions else "null::varchar"
        same = (
            "o.inventory_task_id = p.inventory_task_id and o.action = p.action "
            "and o.onet_task_id is not distinct from p.onet_task_id "
            f"and (o.action <> 'occupation' or {code_now} is not distinct from {code_then})"
        )
        removed = f"""
            select 'removed', p.inventory_task_id, p.action, p.onet_task_id, p.source_row, null, null, {code_then}
            from {_ALIAS}.staging.inventory_overrides as p
            where p.status = 'ok'
                and not exists (select 1 from staging.inventory_overrides as o where {same})
        """
        published_hashes = _published_text_hashes(con, tasks)
        rewritten = f"""
            select 'rewritten', o.inventory_task_id, o.action, o.onet_task_id, o.source_row, pt.text_hash,
                t.text_hash, {code_now}
            from staging.inventory_overrides as o
            inner join staging.inventory_tasks as t on t.task_id = o.inventory_task_id
            inner join {published_hashes} as pt on pt.task_id = o.inventory_task_id
            where o.status = 'ok' and o.text_hash is null and pt.text_hash is not null
                and pt.text_hash <> t.text_hash
        """
        # a line the published refresh held for a task ID no inventory task had (unknown_inventory_task)
        # now applies to whatever task took the ID since, which it may not have been written for. Not
        # a task the published ingest quarantined (its line said it applies once the row is fixed),
        # nor one of a file it could not read (its tasks were there, unread)
        quarantined = (
            f"and not exists (select 1 from {_ALIAS}.staging.inventory_quarantine as q "
            "where q.task_id = o.inventory_task_id)"
            if "task_id" in attached_columns(con, _ALIAS, "staging", "inventory_quarantine")
            else ""
        )
        unread = (
            f"and not exists (select 1 from {_ALIAS}.staging.inventory_files where status = 'unreadable')"
            if "status" in attached_columns(con, _ALIAS, "staging", "inventory_files")
            else ""
        )
        returned = f"""
            select 'returned', o.inventory_task_id, o.action, o.onet_task_id, o.source_row, null, t.text_hash,
                {code_now}
            from staging.inventory_overrides as o
            inner join staging.inventory_tasks as t on t.task_id = o.inventory_task_id
            where o.status = 'ok' and o.text_hash is null
                and not exists (
                    select 1 from {_ALIAS}.staging.inventory_tasks as pt where pt.task_id = o.inventory_task_id
                )
                and exists (
                    select 1 from {_ALIAS}.staging.inventory_overrides as p
                    where {same} and p.status <> 'ok'
                )
                {quarantined}
                {unread}
        """
        # `returned` reads the published overrides' statuses of the text_hash era
        union = f"{removed} union all {rewritten}" + (
            f" union all {returned}" if "text_hash" in tasks else ""
        )
        return con.execute(f"select * from ({union}) order by 1, 2, 5").fetchall()


# no hashes to compare with: `rewritten` finds nothing
_NO_HASHES = "(select null::varchar as task_id, null::varchar as text_hash where false)"


def _published_text_hashes(con: duckdb.DuckDBPyConnection, tasks: set[str]) -> str:
    """The published tasks' text hashes, as a relation: the table's column, or, for a warehouse
    published before the column existed, computed from its titles and descriptions (the first refresh
    after an upgrade is when pins without a text_hash are oldest)."""
    if "text_hash" in tasks:
        return f"{_ALIAS}.staging.inventory_tasks"
    if not {"task_id", "title", "description"} <= tasks:
        return _NO_HASHES
    rows = con.execute(
        f"""
        select pt.task_id::varchar, pt.title, pt.description
        from {_ALIAS}.staging.inventory_tasks as pt
        where pt.task_id::varchar in (
            select inventory_task_id from staging.inventory_overrides where status = 'ok' and text_hash is null
        )
        """
    ).fetchall()
    con.execute("create or replace temp table published_text_hashes (task_id varchar, text_hash varchar)")
    con.executemany(
        "insert into published_text_hashes values (?, ?)",
        [(task_id, text_hash(title, description)) for task_id, title, description in rows],
    )
    return "published_text_hashes"


def _line(row: tuple) -> str:
    kind, task, action, onet_task_id, line, before, now, code = row
    target = code if action == "occupation" else "every candidate" if onet_task_id is None else onet_task_id
    if kind == "removed":
        return (
            f"- {action} {target} for {task} (line {line} of the published file): no longer in the overrides "
            "file; the published warehouse applied it, this refresh does not"
        )
    if kind == "returned":
        return (
            f"- line {line}: {action} {target} for {task}: the published refresh had no task {task} (the line "
            "did not apply then), and the line quotes no text_hash, so it now applies to the task that has the "
            "ID; if that is a new task reusing a deleted one's ID, the line was not written for it: check it, "
            f"and add text_hash {now} to the line to confirm it"
        )
    return (
        f"- line {line}: {action} {target} for {task}: the task was rewritten since the published refresh "
        f"(text_hash {before} → {now}), and the line quotes no text_hash, so it still applies: check it, "
        f"and add text_hash {now} to the line to confirm it"
    )


@asset_check(
    pool=WORK_DB_POOL,
    asset=OVERRIDES,
    name="inventory_overrides__published_decisions_unchanged",
    blocking=False,
    description="Warns when decisions the published warehouse applied are no longer in the overrides file "
    "(an emptied or edited file drops them, and coverage moves), and when a line without text_hash still "
    "pins a task rewritten since that publish, or now pins a task whose ID no task had at that publish "
    "(a task deleted and its ID reused); each named with its line.",
)
def published_decisions_unchanged(settings: TaskvalueSettings, duckdb: DuckDBResource) -> AssetCheckResult:
    try:
        with duckdb.get_connection() as con:
            changed = changed_since_publish(con, settings.warehouse)
    except READ_ERRORS as exc:  # (`duckdb` is the resource here: the module's errors are in READ_ERRORS)
        return unreadable_published(settings.warehouse, exc)
    return AssetCheckResult(
        passed=not changed,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "decisions_removed": MetadataValue.int(sum(r[0] == "removed" for r in changed)),
            "pins_on_rewritten_tasks": MetadataValue.int(sum(r[0] == "rewritten" for r in changed)),
            "pins_on_returned_task_ids": MetadataValue.int(sum(r[0] == "returned" for r in changed)),
            "published_warehouse": MetadataValue.path(str(settings.warehouse)),
            "decisions": MetadataValue.md("\n".join(_line(r) for r in changed[:ROWS_SHOWN]) or "none"),
        },
    )
