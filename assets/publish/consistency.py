"""Refuses to publish a warehouse that mixes two refreshes.

A run that rebuilds only some tables (inventory_refresh_job, or a selection materialized from the
UI) publishes the whole working database, so every table it did NOT rebuild must still be the one
readers already have. That fails when a full refresh died midway (the working database then holds
some new staging tables next to old marts) or when the working database was deleted. Publishing
such a file would put numbers from two source releases side by side, so publish refuses instead and
says which tables differ; a full refresh_job fixes it. The publish asset also refuses a selection
that rebuilds a table without what is downstream of it (`assets/publish/assets.py`).

The `meta` schema is bookkeeping that every run appends to (one row per loaded file, written in the
same transaction as its table), so it is not compared: a stale data table is caught by itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.common.warehouse import attached_read_only

_TABLES = (
    "select schema_name, table_name from duckdb_tables() "
    "where database_name = $db and schema_name <> 'meta' and not internal and not temporary order by 1, 2"
)


def _table_names(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [f"{s}.{t}" for s, t in con.execute(_TABLES, {"db": database}).fetchall()]


def _fingerprints(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, tuple]:
    """{schema.table: (columns and types, rows, order-independent hash of every row)}."""
    out = {}
    for schema, table in con.execute(_TABLES, {"db": database}).fetchall():
        name = f'"{database}"."{schema}"."{table}"'
        columns = con.execute(
            "select list(column_name || ' ' || data_type order by column_index) from duckdb_columns() "
            "where database_name = $db and schema_name = $s and table_name = $t",
            {"db": database, "s": schema, "t": table},
        ).fetchone()[0]
        rows, digest = con.execute(f"select count(*), sum(hash(r)::hugeint) from {name} r").fetchone()
        out[f"{schema}.{table}"] = (tuple(columns or ()), rows, digest)
    return out


def tables_not_as_published(con: duckdb.DuckDBPyConnection, published: Path, rebuilt: set[str]) -> list[str]:
    """Tables outside `rebuilt` that differ between the working database (open on `con`) and the
    published file, each with the reason. With nothing published yet, every table of the working
    database must have been rebuilt (a first full refresh that died leaves a partial database)."""
    work = con.execute("select current_database()").fetchone()[0]
    if not published.is_file():
        return [
            f"{table}: left in the working database by an earlier run, and no warehouse was published yet"
            for table in sorted(set(_table_names(con, work)) - rebuilt)
        ]
    with attached_read_only(con, published, "published_copy") as alias:
        before = _fingerprints(con, alias)
        now = _fingerprints(con, work)
    problems = []
    for table in sorted((set(before) | set(now)) - rebuilt):
        if table not in now:
            problems.append(f"{table}: published, but missing from the working database")
        elif table not in before:
            problems.append(f"{table}: in the working database, but never published")
        elif before[table] != now[table]:
            problems.append(f"{table}: changed since the last publish by a run that did not finish")
    return problems
