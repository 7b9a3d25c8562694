"""Refusing to publish 0% coverage over the last good figures when the inventory directory empties.

An unmounted network share, or a sync client that cleared the folder, leaves the inventory directory
without a file, and the refresh would publish every domain at 0% coverage in place of yesterday's
figures. A team starting out (no published warehouse with inventory tasks yet) is not stopped, and
TASKVALUE_INVENTORY_ALLOW_EMPTY=true publishes an empty inventory on purpose.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from assets.common.errors import TaskvalueError


def published_inventory(warehouse: Path) -> tuple[int, list[str]]:
    """Inventory tasks in the published warehouse, and (up to 3 of) their source files."""
    if not warehouse.is_file():
        return 0, []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'staging' and table_name = 'inventory_tasks'"
        ).fetchone()[0]
        if not present:
            return 0, []
        tasks, files = con.execute(
            "select count(*), list(distinct source_file order by source_file) from staging.inventory_tasks"
        ).fetchone()
    return tasks, (files or [])[:3]


def refuse_a_vanished_inventory(
    directory: Path, files: pl.DataFrame, warehouse: Path, allow_empty: bool
) -> None:
    """Raise when the directory holds no inventory file (only reserved or editor files, or nothing)
    while the published warehouse has inventory tasks, unless an empty inventory is allowed."""
    if allow_empty or files.filter(pl.col("status") != "skipped").height:
        return
    tasks, names = published_inventory(warehouse)
    if tasks:
        raise TaskvalueError(
            f"inventory directory {directory} holds no inventory file, but the published warehouse has "
            f"{tasks:,} inventory tasks (from {', '.join(names)}{', …' if len(names) == 3 else ''}): an unmounted "
            "share or an emptied folder looks like this, so the refresh stops rather than publish 0% coverage "
            "over them. Restore the files or point TASKVALUE_INVENTORY_DIR at them; to publish an empty "
            "inventory on purpose, set TASKVALUE_INVENTORY_ALLOW_EMPTY=true"
        )
