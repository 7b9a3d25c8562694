"""The SQL header parser and the build's check that headers and tables agree."""

from __future__ import annotations

import duckdb
import pytest

from assets.common.sql_models import SqlModel, parse_header
from assets.common.warehouse import build_sql_model


def test_a_continuation_line_starting_with_a_word_and_colon_stays_in_its_column():
    # marts.task_family_value once documented a column "value" that way
    header = """-- A table.
-- columns:
--   rank_in_level: Rank (null when the family has no
--     value: its tasks have no wage).
--   other: Something else.
select 1"""
    description, docs = parse_header(header)
    assert description == "A table."
    assert docs == {
        "rank_in_level": "Rank (null when the family has no value: its tasks have no wage).",
        "other": "Something else.",
    }


def model(sql: str, docs: dict[str, str]) -> SqlModel:
    return SqlModel("marts", "t", sql, "A table.", docs)


def test_the_build_refuses_a_documented_column_the_table_lacks():
    con = duckdb.connect()
    with pytest.raises(ValueError, match=r"sql/marts/t.sql: the header describes columns .*\['value'\]"):
        build_sql_model(con, model("select 1 as a", {"a": "A.", "value": "Not a column."}))
    assert con.execute("select count(*) from duckdb_tables() where table_name = 't'").fetchone() == (0,)


def test_the_build_refuses_an_undocumented_column_and_comments_the_documented_ones():
    con = duckdb.connect()
    with pytest.raises(ValueError, match=r"columns without a description in the header: \['b'\]"):
        build_sql_model(con, model("select 1 as a, 2 as b", {"a": "A."}))
    build_sql_model(con, model("select 1 as a", {"a": "The a."}))
    assert con.execute("select comment from duckdb_columns() where table_name = 't'").fetchall() == [
        ("The a.",)
    ]
