"""docs/coverage.md carries the data dictionary of every coverage mart, in sync with the SQL headers.

Regenerate the section with `python -m tests.coverage.test_docs > /tmp/dict.md` and paste it in.
"""

from __future__ import annotations

from pathlib import Path

from assets.common.sql_models import load_model
from assets.coverage.models import MARTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"


def data_dictionary() -> str:
    out = []
    for m in MARTS:
        model = load_model(m.schema, m.table)
        out += [f"### `marts.{m.table}` → `exports/{m.table}.parquet`", "", model.description, ""]
        out += ["| column | description |", "|---|---|"]
        out += [f"| `{c}` | {d.replace('|', '/')} |" for c, d in model.column_docs.items()]
        out.append("")
    return "\n".join(out)


def test_data_dictionary_matches_the_sql_headers():
    assert data_dictionary() in DOC.read_text(encoding="utf-8"), "docs/coverage.md data dictionary is stale"


if __name__ == "__main__":
    print(data_dictionary())
