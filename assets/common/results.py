"""MaterializeResult with row count, column schema (with descriptions) and a markdown preview."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
from dagster import MaterializeResult, MetadataValue, TableColumn, TableSchema

from assets.common.warehouse import column_comments

PREVIEW_ROWS = 10


CELL_CHARS = 80  # longer cells are cut in previews and `taskvalue query` tables (csv/json keep all)


def _md_text(v: object) -> str:
    # one line, and a '|' inside a value or a column name must not start a new column
    return ("" if v is None else " ".join(str(v).splitlines())).replace("|", "\\|")


def render_markdown_table(columns: list[str], rows: list[tuple]) -> tuple[str, bool]:
    """The table, and whether a cell or column name was cut to CELL_CHARS."""
    cut = False

    def cell(v: object) -> str:
        nonlocal cut
        text = _md_text(v)
        if len(text) <= CELL_CHARS:
            return text
        cut = True
        return text[: CELL_CHARS - 3] + "..."

    head = "| " + " | ".join(cell(c) for c in columns) + " |"
    sep = "|" + "---|" * len(columns)
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join([head, sep, *body]), cut


def markdown_table(columns: list[str], rows: list[tuple]) -> str:
    return render_markdown_table(columns, rows)[0]


def table_metadata(con: duckdb.DuckDBPyConnection, qualified: str, order_by: str | None = None) -> dict:
    row_count = con.execute(f"select count(*) from {qualified}").fetchone()[0]
    described = con.execute(f"describe {qualified}").fetchall()
    docs = column_comments(con, qualified)
    schema = TableSchema(
        columns=[
            TableColumn(name=r[0], type=str(r[1]), description=docs.get(r[0]) or None) for r in described
        ]
    )
    order = f" order by {order_by}" if order_by else ""
    cur = con.execute(f"select * from {qualified}{order} limit {PREVIEW_ROWS}")
    cols = [d[0] for d in cur.description]
    preview = markdown_table(cols, cur.fetchall())
    return {
        "dagster/row_count": MetadataValue.int(int(row_count)),
        "dagster/column_schema": schema,
        "dagster/table_name": MetadataValue.text(qualified),
        "preview": MetadataValue.md(preview),
    }


def table_result(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    *,
    order_by: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> MaterializeResult:
    metadata = table_metadata(con, qualified, order_by)
    metadata.update(extra or {})
    return MaterializeResult(metadata=metadata)
