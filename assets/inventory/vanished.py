"""Refusing to publish 0% coverage over the last good figures when the inventory disappears.

An unmounted network share, or a sync client that cleared the folder, leaves the inventory directory
without a task (no file, or only files that cannot be read: a link into the unmounted share), and
the refresh would publish every domain at 0% coverage in place of yesterday's figures. A team
starting out (no published warehouse with inventory tasks yet) is not stopped, and
TASKVALUE_INVENTORY_ALLOW_EMPTY=true publishes an empty inventory on purpose.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from assets.common.errors import TaskvalueError
from assets.common.warehouse import has_table


def published_inventory(warehouse: Path) -> tuple[int, list[str]]:
    """Inventory tasks in the published warehouse, and (up to 3 of) their source files."""
    if not warehouse.is_file():
        return 0, []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            if not has_table(con, "staging", "inventory_tasks"):
                return 0, []
            tasks, files = con.execute(
                "select count(*), list(distinct source_file order by source_file) from staging.inventory_tasks"
            ).fetchone()
    except duckdb.Error as exc:
        raise TaskvalueError(
            f"the inventory directory holds no inventory task, and the published warehouse {warehouse} cannot "
            f"be read to tell whether it had some ({exc}); fix or free that file, or set "
            "TASKVALUE_INVENTORY_ALLOW_EMPTY=true to publish an empty inventory"
        ) from exc
    return tasks, (files or [])[:3]


def refuse_a_vanished_inventory(
    directory: Path, accepted_tasks: int, files: pl.DataFrame, warehouse: Path, allow_empty: bool
) -> None:
    """Raise when the ingest accepted no inventory task while the published warehouse has some,
    unless an empty inventory is allowed. The message says what the directory held instead."""
    if allow_empty or accepted_tasks:
        return
    tasks, names = published_inventory(warehouse)
    if not tasks:
        return
    held = files.filter(pl.col("status") != "skipped")
    found = "no inventory file"
    if not held.is_empty():
        listed = ", ".join(_file_state(r) for r in held.head(3).iter_rows(named=True))
        found = f"no accepted inventory task ({listed}{', …' if held.height > 3 else ''})"
    raise TaskvalueError(
        f"inventory directory {directory} holds {found}, but the published warehouse has {tasks:,} inventory "
        f"tasks (from {', '.join(names)}{', …' if len(names) == 3 else ''}): an unmounted share or an emptied "
        "folder looks like this, so the refresh stops rather than publish 0% coverage over them. Restore the "
        "files or point TASKVALUE_INVENTORY_DIR at them; to publish an empty inventory on purpose, set "
        "TASKVALUE_INVENTORY_ALLOW_EMPTY=true"
    )


def _file_state(row: dict) -> str:
    """'tasks.csv: unreadable' or, for a file that was read, 'tasks.csv: 12 rows, all quarantined'."""
    if row["status"] != "loaded":
        return f"{row['source_file']}: {row['status']}"
    read, quarantined = row.get("rows_read") or 0, row.get("rows_quarantined") or 0
    return f"{row['source_file']}: {read:,} rows" + (", all quarantined" if quarantined else "")
