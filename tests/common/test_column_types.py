"""Column types an analyst or a BI tool can rely on: money is exact (a `*_usd` column is DECIMAL with
cents), and O*NET Task IDs join without a cast (BIGINT everywhere).

A DOUBLE sum of many cents shows float noise (DuckDB summed the 650 coverage gaps' values to
2553049545574.1733 when they were DOUBLE; exactly, 2553049545574.17) and rounds half cents by their
binary representation."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow


def _money_columns(con) -> list[tuple[str, str, str]]:
    return con.execute(
        """
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ('int', 'marts')
            -- priority_score is dollars too (a task's value, or 0): coverage_gaps had it as DOUBLE
            and (suffix(column_name, '_usd') or column_name = 'priority_score')
        order by all
        """
    ).fetchall()


def _struct_money_fields(con) -> list[tuple[str, str, str]]:
    """Money inside list-of-struct columns (marts.domain_coverage.by_tier, by_nature)."""
    rows = con.execute(
        """
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ('int', 'marts') and data_type like 'STRUCT(%'
        """
    ).fetchall()
    return [
        (table, f"{column}.{field}", kind)
        for table, column, data_type in rows
        for field, kind in re.findall(r"(\w+_usd) ([A-Z]+(?:\(\d+,\d+\))?)", data_type)
    ]


@pytest.mark.parametrize("warehouse", ["real_con", "fx"])
def test_every_money_column_is_a_decimal_of_cents(request, warehouse):
    con = request.getfixturevalue(warehouse)
    columns = _money_columns(con) + _struct_money_fields(con)
    not_cents = [c for c in columns if not re.fullmatch(r"DECIMAL\(\d+,2\)", c[2])]
    assert not not_cents
    # the coverage marts are among them: 35 columns and the by_tier/by_nature fields were DOUBLE
    tables = {t for t, _, _ in columns}
    assert {
        "marts.coverage_gaps",
        "marts.domain_coverage",
        "marts.domain_coverage_slices",
        "marts.domain_concentration",
        "marts.inventory_grounding",
        "marts.inventory_export",
        "marts.task_value",
    } <= tables
    assert ("marts.domain_coverage", "by_tier.total_value_usd", "DECIMAL(20,2)") in columns


@pytest.mark.parametrize("warehouse", ["real_con", "fx"])
def test_every_onet_task_id_is_a_bigint_that_joins_without_a_cast(request, warehouse):
    con = request.getfixturevalue(warehouse)
    columns = con.execute(
        """
        select table_schema || '.' || table_name, column_name, data_type
        from information_schema.columns
        where table_schema in ('int', 'marts')
          and (column_name = 'task_id' or suffix(column_name, 'onet_task_id'))
        order by all
        """
    ).fetchall()
    assert [c for c in columns if c[2] != "BIGINT"] == []
    # the three that were VARCHAR: DuckDB refuses to compare VARCHAR with BIGINT without a cast
    for table, column in [
        ("marts.inventory_export", "onet_task_id"),
        ("marts.inventory_export", "candidate_onet_task_id"),
        ("marts.inventory_grounding", "best_onet_task_id"),
    ]:
        assert (table, column, "BIGINT") in columns
        joined = con.execute(
            f"select count(*) from {table} as x join marts.task_value as t on t.task_id = x.{column}"
        ).fetchone()[0]
        assert joined == con.execute(f"select count({column}) from {table}").fetchone()[0]
