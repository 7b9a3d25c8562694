"""Parquet exports of every mart (plus CSVs of the RL-platform export and the review worksheet, and
the worksheet as an Excel workbook) under warehouse/exports/.

Each file is written to a temporary name in the same directory and renamed into place, so a BI tool
reading exports/<table>.parquet sees the previous complete file or the new complete one. The schema
of every export (columns, types, descriptions) is written beside them as schema.json, from the
COMMENT ON descriptions that every table carries.
"""

from __future__ import annotations

import codecs
import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
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
# the review worksheet as a workbook too: Excel opens it alike in every locale (a CSV opens in one
# column where the list separator is ';') and keeps what it holds as text (an ID 007 stays 007, a
# code 15-1250 is no date). Cells are written one by one (20,000 rows in 2.3 s), and nobody
# reviews tens of thousands of rows by hand: above XLSX_MAX_ROWS rows only the CSV is written.
XLSX_EXPORTS = ("inventory_review",)
XLSX_MAX_ROWS = 20_000
SCHEMA_FILE = "schema.json"
EXPORT_BATCH_ROWS = 131_072  # one Parquet row group per batch, as DuckDB's COPY writes them
# Every kind of file the exports directory gets from taskvalue: what retiring stale exports may delete.
EXPORT_SUFFIXES = (".parquet", ".csv", ".xlsx", ".json")


def parquet_file(table: str) -> str:
    return f"{table}.parquet"


def csv_file(table: str) -> str:
    return f"{table}.csv"


def xlsx_file(table: str) -> str:
    return f"{table}.xlsx"


def export_file_names(counts: Mapping[str, int]) -> set[str]:
    """Every file export_all writes when it exports these tables with these row counts (what it
    returns)."""
    return (
        {parquet_file(t) for t in counts}
        | {csv_file(t) for t in CSV_EXPORTS if t in counts}
        | {xlsx_file(t) for t in XLSX_EXPORTS if counts.get(t, XLSX_MAX_ROWS + 1) <= XLSX_MAX_ROWS}
        | {SCHEMA_FILE}
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


# columns a reviewer types into: text-formatted, so what is typed stays as typed
_TYPED_AS_TEXT = ("inventory_task_id", "action", "onet_task_id", "note", "text_hash", "onet_soc_code")


def export_xlsx(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> None:
    """The table as one sheet: a bold frozen header with filters, every text cell written as text (never
    read as a formula, a number or a date), `action` offered as a list (pin, reject, occupation)."""
    import xlsxwriter

    from assets.inventory.overrides import ACTIONS

    cursor = con.execute(f"select * from marts.{quote_ident(table)}")
    names = [d[0] for d in cursor.description]
    with replacing(dest) as tmp:
        # constant_memory: rows go to disk as written; strings are never turned into formulas or URLs
        book = xlsxwriter.Workbook(
            str(tmp), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet(table[:31])
        text = book.add_format({"num_format": "@"})
        bold = book.add_format({"bold": True})
        for i, name in enumerate(names):
            sheet.set_column(i, i, _WIDTHS.get(name, 12), text if name in _TYPED_AS_TEXT else None)
        sheet.write_row(0, 0, names, bold)
        sheet.freeze_panes(1, 0)
        row = 0
        while batch := cursor.fetchmany(EXPORT_BATCH_ROWS):
            for values in batch:
                row += 1
                for col, value in enumerate(values):
                    _write_cell(sheet, row, col, value)
        sheet.autofilter(0, 0, max(row, 1), len(names) - 1)
        if "action" in names:
            at = names.index("action")
            sheet.data_validation(
                1,
                at,
                max(row, 1) + 1000,
                at,
                {"validate": "list", "source": list(ACTIONS), "ignore_blank": True},
            )
        book.close()


_WIDTHS = {
    "note": 30,
    "onet_task_statement": 60,
    "task_title": 40,
    "task_excerpt": 60,
    "occupation_title": 30,
    "decision_detail": 40,
}


def _write_cell(sheet, row: int, col: int, value) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
    else:  # a list or struct, as the CSV writes it
        sheet.write_string(row, col, json.dumps(value, default=str))


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
        if table in XLSX_EXPORTS and counts[table] <= XLSX_MAX_ROWS:
            export_xlsx(con, table, out_dir / xlsx_file(table))
    write_atomic(out_dir / SCHEMA_FILE, json.dumps({"tables": schemas}, indent=2) + "\n")
    return counts
