"""SQL files under sql/<schema>/<table>.sql and the column documentation in their headers.

A model file starts with a comment header:

    -- One row per ... (table description)
    -- columns:
    --   onet_soc_code: O*NET-SOC code of the occupation
    --   ...

followed by a single `select` (CTEs allowed). Parameters are bound by DuckDB as `$name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
# a column line is indented 2-3 spaces; deeper lines continue the column above, even one that
# starts with "word:"
_COLUMN_LINE = re.compile(r"^--\s{2,3}([A-Za-z_][A-Za-z0-9_]*):\s*(.+)$")


@dataclass(frozen=True)
class SqlModel:
    schema: str
    table: str
    sql: str
    description: str
    column_docs: dict[str, str]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


def parse_header(text: str) -> tuple[str, dict[str, str]]:
    """The leading comment block of a model: its description and, after `-- columns:`, one
    description per column (continuation lines are indented deeper than column lines)."""
    description_lines: list[str] = []
    docs: dict[str, str] = {}
    in_columns = False
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if line.strip().lower() == "-- columns:":
            in_columns = True
            continue
        m = _COLUMN_LINE.match(line)
        if in_columns and m:
            docs[m.group(1)] = m.group(2).strip()
        elif in_columns and line.startswith("--    ") and docs:
            last = next(reversed(docs))
            docs[last] += " " + line[2:].strip()
        elif not in_columns:
            description_lines.append(line[2:].strip())
    return " ".join(x for x in description_lines if x), docs


@cache
def load_model(schema: str, table: str) -> SqlModel:
    path = SQL_DIR / schema / f"{table}.sql"
    text = path.read_text(encoding="utf-8")
    description, docs = parse_header(text)
    return SqlModel(schema, table, text, description, docs)
