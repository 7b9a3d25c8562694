"""Writing tables into the working DuckDB database, one transaction per table.

Every table is replaced inside a single transaction together with its column comments, so a crash
leaves either the previous complete table or the new complete one, never half of either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from assets.common.sql_models import SqlModel


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements(qualified: str, table_doc: str, column_docs: Mapping[str, str]) -> list[str]:
    # COMMENT ON does not take bound parameters, hence literal quoting here.
    stmts = []
    if table_doc:
        stmts.append(f"comment on table {qualified} is {_quote_literal(table_doc)}")
    for col, doc in column_docs.items():
        stmts.append(f"comment on column {qualified}.{quote_ident(col)} is {_quote_literal(doc)}")
    return stmts


def _ensure_schema(con: duckdb.DuckDBPyConnection, qualified: str) -> None:
    schema = qualified.split(".")[0]
    con.execute(f"create schema if not exists {quote_ident(schema)}")


def replace_table_from_frame(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    frame: pl.DataFrame,
    *,
    table_doc: str = "",
    column_docs: Mapping[str, str] | None = None,
    extra_statements: Iterable[tuple[str, list]] = (),
) -> None:
    """Replace `qualified` with `frame` (and run extra statements) atomically."""
    column_docs = column_docs or {}
    unknown = set(column_docs) - set(frame.columns)
    if unknown:
        raise ValueError(f"{qualified}: documented columns not in frame: {sorted(unknown)}")
    _ensure_schema(con, qualified)
    con.execute("begin transaction")
    try:
        con.register("__frame", frame.to_arrow())
        con.execute(f"create or replace table {qualified} as select * from __frame")
        con.unregister("__frame")
        for stmt in comment_statements(qualified, table_doc, column_docs):
            con.execute(stmt)
        for sql, params in extra_statements:
            con.execute(sql, params)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def build_sql_model(
    con: duckdb.DuckDBPyConnection, model: SqlModel, params: Mapping[str, object] | None = None
) -> None:
    """Create or replace the model's table from its select, with its comments, in one transaction."""
    _ensure_schema(con, model.qualified)
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace table {model.qualified} as\n{model.sql}", dict(params or {}))
        cols = {r[0] for r in con.execute(f"describe {model.qualified}").fetchall()}
        missing_docs = cols - set(model.column_docs)
        if missing_docs:
            raise ValueError(
                f"sql/{model.schema}/{model.table}.sql: columns without a description in the header: "
                f"{sorted(missing_docs)}"
            )
        # the README's data dictionary is printed from the headers: a column they name must exist
        unknown_docs = set(model.column_docs) - cols
        if unknown_docs:
            raise ValueError(
                f"sql/{model.schema}/{model.table}.sql: the header describes columns the table does not have: "
                f"{sorted(unknown_docs)}"
            )
        for stmt in comment_statements(model.qualified, model.description, model.column_docs):
            con.execute(stmt)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def dict_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    """The rows of a query as {column: value} dicts."""
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


@contextmanager
def attached_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> Iterator[str]:
    """The database file at `path` attached to `con` read-only as `alias` for the block, detached after
    (and before: a block that died with its process can leave the alias attached to the connection)."""
    literal = str(path).replace("'", "''")  # ATTACH takes no bound parameters
    con.execute(f"detach database if exists {alias}")
    con.execute(f"attach '{literal}' as {alias} (read_only)")
    try:
        yield alias
    finally:
        con.execute(f"detach {alias}")


def attached_columns(con: duckdb.DuckDBPyConnection, alias: str, schema: str, table: str) -> set[str]:
    """The column names of schema.table in the database attached as `alias` (none: no such table, as
    in a warehouse published before the table existed)."""
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = ? and table_name = ?",
        [alias, schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the database open on `con` holds schema.table (an older warehouse may not); not one
    attached beside it, which a query naming schema.table does not read."""
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = current_database() and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def column_comments(con: duckdb.DuckDBPyConnection, qualified: str) -> dict[str, str]:
    schema, table = qualified.split(".")
    rows = con.execute(
        "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {name: comment or "" for name, comment in rows}


def table_comment(con: duckdb.DuckDBPyConnection, qualified: str) -> str:
    schema, table = qualified.split(".")
    row = con.execute(
        "select comment from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    return (row[0] or "") if row else ""
