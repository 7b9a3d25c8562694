"""The value model's non-default settings on the real data: the SQL rebuilt over the real warehouse's tables."""

from decimal import Decimal as D

import pytest

from tests.rebuild_on_copy import rebuild_on_copy

pytestmark = pytest.mark.slow


def test_task_count_allocation_divides_by_task_statements_with_largest_remainders(real_warehouse):
    # SQL mutation audit (27 Nov): the task_count rule had no test. OES May 2024 11-9041 Architectural
    # and Engineering Managers: 210,340 over 11-9041.00 (19 tasks) and 11-9041.01 (18 tasks):
    # 210,340 x 19/37 = 108,012.43 and x 18/37 = 102,327.57; floors leave 1 worker for the larger
    # remainder (.57), so 108,012 and 102,328
    con = rebuild_on_copy(real_warehouse, ["int.onet_oes_crosswalk"], allocation_rule="task_count")
    rows = dict(
        con.execute(
            "select onet_soc_code, (allocation_rule, task_count, allocated_employment) from int.onet_oes_crosswalk "
            "where oes_code in ('11-9041', '15-1299')"
        ).fetchall()
    )
    assert rows["11-9041.00"] == ("task_count", 19, 108_012)
    assert rows["11-9041.01"][1:] == (18, 102_328)
    # 15-1299 (439,380 over 9 codes, 215 tasks): .01 has 35 tasks, 439,380 x 35/215 = 71,527.44;
    # .05 and .06 both have 20 (40,872.56 each): equal remainders, and the lower code gets the worker
    assert rows["15-1299.01"][1:] == (35, 71_527)
    assert (rows["15-1299.05"][2], rows["15-1299.06"][2]) == (40_873, 40_872)
    assert sum(r[2] for code, r in rows.items() if code.startswith("15-1299")) == 439_380
    assert con.execute(
        "select count(*) from (select oes_code from int.onet_oes_crosswalk where oes_code is not null "
        "group by oes_code, oes_o_group having sum(allocated_employment) <> min(oes_employment))"
    ).fetchone() == (0,)
    # a code alone on its OES row is still `sole`, whatever the rule
    assert con.execute(
        "select allocation_rule, allocated_employment from int.onet_oes_crosswalk where onet_soc_code = '15-1252.00'"
    ).fetchone() == ("sole", 1_654_440)


def test_loaded_cost_multiplier_rounds_half_to_even_and_moves_tiers(real_warehouse):
    # 47-4011.00 Construction and Building Inspectors, $36.75/hr:
    # x 1.42 = 52.185, half to even 52.18, which moves the task from $25-50/hr to $50-100/hr
    con = rebuild_on_copy(real_warehouse, ["marts.task_value"], loaded_cost_multiplier=1.42)
    got = dict(
        con.execute(
            "select distinct onet_soc_code, (hourly_wage_usd, loaded_hourly_cost_usd, tier) from marts.task_value "
            "where onet_soc_code in ('47-4011.00', '35-3023.00', '15-1252.00')"
        ).fetchall()
    )
    assert got["47-4011.00"] == (D("36.75"), D("52.18"), "$50-100/hr")
    # Fast Food and Counter Workers: 15.07 x 1.42 = 21.3994
    assert got["35-3023.00"] == (D("15.07"), D("21.40"), "$15-25/hr")
    # Software Developers: 69.50 x 1.42 = 98.69, still under $100
    assert got["15-1252.00"] == (D("69.50"), D("98.69"), "$50-100/hr")
    # the multiplier moves tiers, never money: every task keeps the value the default run published
    assert con.execute(
        "select count(*) from marts.task_value as t join real.marts.task_value as r using (onet_soc_code, task_id) "
        "where t.annual_value_usd is distinct from r.annual_value_usd"
    ).fetchone() == (0,)
    assert (
        con.execute(
            "select count(*) from marts.task_value as t join real.marts.task_value as r using (onet_soc_code, task_id) "
            "where t.tier is distinct from r.tier"
        ).fetchone()[0]
        > 1_000
    )
