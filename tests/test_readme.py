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


def test_every_environment_variable_is_in_the_readme():
    from assets.coverage.config import ENV_OVERRIDES as COVERAGE
    from assets.inventory.config import ENV_OVERRIDES as INVENTORY
    from assets.value.config import ENV_OVERRIDES as VALUE
    from orchestration.resources import ENV_OVERRIDES as SETTINGS

    text = README.read_text(encoding="utf-8")
    variables = set(SETTINGS) | set(VALUE) | set(INVENTORY) | set(COVERAGE)
    assert len(variables) > 40
    missing = sorted(v for v in variables if v not in text)
    assert not missing, f"README does not name {missing}"
