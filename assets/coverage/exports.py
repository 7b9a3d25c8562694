"""Parquet exports of every mart (plus a CSV of the RL-platform export) under warehouse/exports/.

Each file is written to a temporary name in the same directory and renamed into place, so a BI tool
reading exports/<table>.parquet sees the previous complete file or the new complete one. The schema
of every export (columns, types, descriptions) is written beside them as schema.json, from the
COMMENT ON descriptions that every table carries.
"""

from __future__ import annotations

import codecs
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from assets.common.csv_cells import ESCAPED_PREFIXES
from assets.common.files import replacing, write_atomic
from assets.common.warehouse import column_comments, quote_ident, table_comment

# the RL export, and the review worksheet a reviewer fills in and saves as the overrides file
CSV_EXPORTS = ("inventory_export", "inventory_review")
# opened in a spreadsheet by design: Excel reads a CSV without a byte-order mark as the system's code
# page, so every curly quote and accent of the O*NET statements would show garbled
CSV_WITH_BOM = ("inventory_review",)
SCHEMA_FILE = "schema.json"
EXPORT_BATCH_ROWS = 131_072  # one Parquet row group per batch, as DuckDB's COPY writes them
# Every kind of file the exports directory gets from taskvalue: what retiring stale exports may delete.
EXPORT_SUFFIXES = (".parquet", ".csv", ".json")


def parquet_file(table: str) -> str:
    return f"{table}.parquet"


def csv_file(table: str) -> str:
    return f"{table}.csv"


def export_file_names(tables: Iterable[str]) -> set[str]:
    """Every file export_all writes when it exports `tables` (the keys of what it returns)."""
    tables = set(tables)
    return (
        {parquet_file(t) for t in tables} | {csv_file(t) for t in CSV_EXPORTS if t in tables} | {SCHEMA_FILE}
    )


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by table_name"
        ).fetchall()
    ]


def optional(field: pa.Field) -> pa.Field:
    """The field, and every field nested in it, nullable."""
    kind = field.type
    if pa.types.is_list(kind):
        kind = pa.list_(optional(kind.value_field))
    elif pa.types.is_large_list(kind):
        kind = pa.large_list(optional(kind.value_field))
    elif pa.types.is_struct(kind):
        kind = pa.struct([optional(f) for f in kind])
    return pa.field(field.name, kind, nullable=True, metadata=field.metadata)


def export_parquet(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> int:
    """Every column optional (nullable), whatever this refresh's rows hold: DuckDB's own COPY marks a
    column `required` when no row of the export has a null, so two refreshes' files of one table had
    different schemas and a BI tool appending them failed. Types are DuckDB's Arrow types, stored as
    COPY stores them (decimals as integers, zstd level 3); rows stream in batches, so a 5-million-row
    match table is never held whole."""
    # a relation refuses to start beside a result left unread (a `fetchone()` of a one-row query), as
    # a new execute() would simply end it: end it here the same way
    con.complete()
    reader = con.sql(f"select * from marts.{quote_ident(table)}").to_arrow_reader(EXPORT_BATCH_ROWS)
    schema = pa.schema([optional(f) for f in reader.schema])
    rows = 0
    with (
        replacing(dest) as tmp,
        pq.ParquetWriter(
            tmp, schema, compression="zstd", compression_level=3, store_decimal_as_integer=True
        ) as writer,
    ):
        for batch in reader:
            writer.write_batch(batch.cast(schema))
            rows += batch.num_rows
    return rows


def csv_cell(name: str, kind: str) -> str:
    """The SQL that writes one column as `neutralize_cell` would (assets/common/csv_cells.py): a text
    starting with a formula character or ' escaped with ', an empty text as empty as a null, a list or
    struct as JSON. DuckDB writes booleans as true/false and nulls as empty cells itself."""
    col = quote_ident(name)
    if kind == "VARCHAR":
        return f"case when left({col}, 1) in ({_ESCAPED_SQL}) then chr(39) || {col} else nullif({col}, '') end as {col}"
    if kind.endswith("]") or kind.startswith(("STRUCT", "MAP", "UNION")):
        return f"to_json({col}) as {col}"
    return col


_ESCAPED_SQL = ", ".join(f"chr({ord(c)})" for c in ESCAPED_PREFIXES)


def export_csv(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> None:
    """RFC 4180 (CRLF, quoted where needed), written by DuckDB: the review worksheet is 5 rows a task,
    and Python's csv module, cell by cell, took 10 s of a 100,000-task refresh."""
    kinds = con.execute(f"describe marts.{quote_ident(table)}").fetchall()
    cells = ", ".join(csv_cell(name, kind) for name, kind, *_ in kinds)
    with replacing(dest) as tmp:
        body = tmp.with_name(tmp.name + ".body")
        try:
            path = str(body).replace("'", "''")  # a quote in the directory name (o'neil)
            con.execute(
                f"copy (select {cells} from marts.{quote_ident(table)}) to '{path}' "
                "(format csv, header, new_line '\r\n')"
            )
            with open(tmp, "wb") as out, open(body, "rb") as rows:
                if table in CSV_WITH_BOM:
                    out.write(codecs.BOM_UTF8)
                shutil.copyfileobj(rows, out, 1 << 20)
        finally:
            body.unlink(missing_ok=True)


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    docs = column_comments(con, f"marts.{table}")
    cols = con.execute(f"describe marts.{quote_ident(table)}").fetchall()
    return {
        "table": f"marts.{table}",
        "file": parquet_file(table),
        "description": table_comment(con, f"marts.{table}"),
        "columns": [{"name": c[0], "type": str(c[1]), "description": docs.get(c[0], "")} for c in cols],
    }


def export_all(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Every marts.* table to <out_dir>/<table>.parquet; CSV for the RL export; schema.json. Rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    schemas = []
    for table in mart_tables(con):
        counts[table] = export_parquet(con, table, out_dir / parquet_file(table))
        schemas.append(table_schema(con, table))
        if table in CSV_EXPORTS:
            export_csv(con, table, out_dir / csv_file(table))
    write_atomic(out_dir / SCHEMA_FILE, json.dumps({"tables": schemas}, indent=2) + "\n")
    return counts
