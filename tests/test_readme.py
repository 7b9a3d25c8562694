"""The README carries the data dictionary of every mart, in sync with the SQL headers.

Regenerate it with `uv run python -m tests.test_readme` and paste it under "Data dictionary".
"""

from pathlib import Path

from assets.common.sql_models import SQL_DIR, load_model

README = Path(__file__).resolve().parents[1] / "README.md"


def data_dictionary() -> str:
    out = []
    for path in sorted((SQL_DIR / "marts").glob("*.sql")):
        model = load_model("marts", path.stem)
        out += [f"### `marts.{model.table}` → `exports/{model.table}.parquet`", "", model.description, ""]
        out += ["| column | description |", "|---|---|"]
        out += [f"| `{c}` | {d.replace('|', '/')} |" for c, d in model.column_docs.items()]
        out.append("")
    return "\n".join(out)


def test_readme_data_dictionary_matches_the_sql_headers():
    assert data_dictionary() in README.read_text(encoding="utf-8"), "README data dictionary is stale"


def test_readme_starts_with_the_two_commands():
    head = README.read_text(encoding="utf-8").split("```")[1]
    assert "make run" in head and "make test" in head


if __name__ == "__main__":
    print(data_dictionary())
