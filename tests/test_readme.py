"""The README carries the data dictionary of every mart, in sync with the SQL headers.

Regenerate it with `uv run python -m tests.test_readme` and paste it under "Data dictionary".
"""

from pathlib import Path

from assets.common.sql_models import SQL_DIR, load_model

README = Path(__file__).resolve().parents[1] / "README.md"


def data_dictionary() -> str:
    """Every mart, then the intermediate tables built in SQL (the marts' columns point at them)."""
    out = []
    for schema in ("marts", "int"):
        if schema == "int":
            out += [INT_PREAMBLE, ""]
        for path in sorted((SQL_DIR / schema).glob("*.sql")):
            model = load_model(schema, path.stem)
            export = f" → `exports/{model.table}.parquet`" if schema == "marts" else ""
            out += [f"### `{schema}.{model.table}`{export}", "", model.description, ""]
            out += ["| column | description |", "|---|---|"]
            out += [f"| `{c}` | {d.replace('|', '/')} |" for c, d in model.column_docs.items()]
            out.append("")
    return "\n".join(out)


INT_PREAMBLE = (
    "### Intermediate tables (`int`)\n\n"
    "Not exported, and not an interface a BI tool should bind to (they may change shape between "
    "releases, see CHANGELOG.md for the marts); documented because the marts' descriptions point at "
    "them and analysts query them: `int.domain_task_coverage` is the only table listing every task of a "
    "domain, covered or not. The tables built in Python (`int.wage_tiers`, `int.activity_labels`, "
    "`int.task_attributes_raw`, `int.domain_definitions`, `int.domain_aliases`, "
    "`int.domain_unmapped_names`) carry their comments in the warehouse: `select table_name, "
    "column_name, comment from duckdb_columns() where schema_name = 'int'`; "
    "`int.onet_oes_crosswalk_previous` has the columns of `int.onet_oes_crosswalk`, for the previous "
    "OES vintage."
)


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
