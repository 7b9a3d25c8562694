"""The blocking checks fail on the corruptions they exist for (a check that cannot fail is a defect).

Each case copies the real published warehouse, applies one realistic corruption with SQL, and runs the
suite's own query and expectations against the copy, as the asset check does."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from assets.common.gx_checks import run_suite

pytestmark = pytest.mark.slow


def _suite(name: str):
    from assets.coverage.checks import SUITES as COVERAGE
    from assets.inventory.checks import SUITES as INVENTORY
    from assets.value.checks import SUITES as VALUE

    every = (*VALUE.values(), *COVERAGE.values(), *INVENTORY.values())
    return next(s for suites in every for s in suites if s.name == name)


_TEXT_ROW = (
    "(inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
    "where method = 'text' and rank = {rank} and onet_soc_code <> '15-1252.00' order by inventory_task_id limit 1)"
)


@pytest.fixture
def copy(real_warehouse, tmp_path):
    path = tmp_path / "corrupted.duckdb"
    shutil.copy(real_warehouse.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


CASES = {
    # the crosswalk agrees with itself but no longer with the OES file: +1,000 workers on one row
    "crosswalk_employment_off_the_oes_file": (
        "onet_oes_crosswalk__allocated_employment_sums_to_oes_employment",
        [
            "update int.onet_oes_crosswalk set allocated_employment = allocated_employment + 1000, "
            "oes_employment = oes_employment + 1000, allocated_wage_bill_cents = (allocated_employment + 1000) "
            "* annual_wage_usd * 100 where onet_soc_code = '15-1252.00'"
        ],
        "ExpectColumnValuesToBeInSet(column='equals_the_oes_file')",
    ),
    # two tasks of one occupation swap values: the occupation's sum is unchanged
    "task_values_swapped": (
        "task_value__each_value_is_its_weighted_share_and_each_tier_fits_its_cost",
        [
            "create temp table pair as select task_id, annual_value_usd from marts.task_value "
            "where onet_soc_code = '15-1252.00' order by annual_value_usd desc, task_id limit 2",
            "create temp table swapped as select a.task_id, b.annual_value_usd from pair a, pair b "
            "where a.task_id <> b.task_id",
            "update marts.task_value as t set annual_value_usd = s.annual_value_usd from swapped s "
            "where t.onet_soc_code = '15-1252.00' and t.task_id = s.task_id",
            # equal values would make the swap invisible: make them differ first
            "update marts.task_value set annual_value_usd = annual_value_usd + 1 "
            "where onet_soc_code = '15-1252.00' and task_id = (select min(task_id) from pair)",
        ],
        "ExpectColumnValuesToBeInSet(column='within_a_cent_of_its_share')",
    ),
    # an occupation's bill doubled together with its task values: consistent within marts.task_value
    "bill_and_values_doubled": (
        "task_value__value_sums_to_allocated_bill_per_occupation",
        [
            "update marts.task_value set annual_value_usd = 2 * annual_value_usd, "
            "occupation_wage_bill_usd = 2 * occupation_wage_bill_usd where onet_soc_code = '15-1252.00'"
        ],
        "ExpectColumnValuesToBeInSet(column='equal_to_the_cent')",
    ),
    # every task value of an occupation lost: a sum over nothing is null, which must not pass
    "values_lost": (
        "task_value__value_sums_to_allocated_bill_per_occupation",
        ["update marts.task_value set annual_value_usd = null where onet_soc_code = '15-1252.00'"],
        "ExpectColumnValuesToBeInSet(column='equal_to_the_cent')",
    ),
    # overlapping tier bands
    "tier_bands_overlap": (
        "wage_tiers__bands_ordered_and_unique",
        ["update int.wage_tiers set tier_min_usd = 14 where tier_rank = 2"],
        "ExpectColumnValuesToBeInSet(column='starts_where_previous_ends')",
    ),
    # a coverage percentage that is not covered / total
    "coverage_pct_wrong": (
        "domain_coverage__one_row_per_domain_and_splits_add_up",
        ["update marts.domain_coverage set value_coverage_pct = 55 where domain_id = 'legal'"],
        "ExpectColumnValuesToBeInSet(column='percentages_as_computed')",
    ),
    # a candidate listed under an occupation that is not its statement's
    "candidate_under_another_occupation": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set onet_soc_code = '15-1252.00' where "
            + _TEXT_ROW.format(rank=1)
        ],
        "ExpectColumnValuesToBeInSet(column='candidate_resolves')",
    ),
    # a matched candidate ranked below one it outscores
    "ranks_out_of_score_order": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set ranking_score = 0.999 where inventory_task_id = ("
            "select inventory_task_id from marts.inventory_task_matches where method = 'text' and rank = 3 "
            "order by inventory_task_id limit 1) and rank = 3"
        ],
        "ExpectColumnValuesToBeInSet(column='ranked_by_ranking_score')",
    ),
    # a whole level of task families missing
    "family_level_missing": (
        "task_family_value__levels_add_up_to_linked_task_value",
        ["delete from marts.task_family_value where level = 'gwa'"],
        "ExpectTableRowCountToBeBetween(min_value=3, max_value=3)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_check_fails_on_the_corruption_it_guards_against(copy, case):
    name, statements, expected = CASES[case]
    suite = _suite(name)
    ok, failures = run_suite(copy.execute(suite.query).df(), suite)
    assert ok, failures  # the real warehouse passes
    for statement in statements:
        copy.execute(statement)
    ok, failures = run_suite(copy.execute(suite.query).df(), suite)
    assert not ok
    assert expected in {f["expectation"] for f in failures}, failures
