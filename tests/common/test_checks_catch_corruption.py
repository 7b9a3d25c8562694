"""The blocking checks fail on the corruptions they exist for (a check that cannot fail is a defect).

Each case copies the real published warehouse (or, for a table that is empty on the real release, the
one published from tests/fixtures/mirror), applies one realistic corruption with SQL, and runs the
suite's own query and expectations against the copy, as the asset check does."""

from __future__ import annotations

import pytest

from assets.common.gx_checks import run_suite
from tests.conftest import connect_to_copy

pytestmark = pytest.mark.slow


def _suite(name: str):
    from assets.changes.checks import SUITES as CHANGES
    from assets.coverage.checks import SUITES as COVERAGE
    from assets.inventory.checks import SUITES as INVENTORY
    from assets.staging.checks import SUITES as STAGING
    from assets.value.checks import SUITES as VALUE

    every = (*STAGING.values(), *VALUE.values(), *COVERAGE.values(), *INVENTORY.values(), *CHANGES.values())
    return next(s for suites in every for s in suites if s.name == name)


# two families of one level, the larger first: `{level}` rows, restricted by `{where}`
_FAMILY_PAIR = (
    "create temp table pair as select activity_id, row_number() over (order by annual_value_usd desc, "
    "activity_id) as n from marts.task_family_value where level = '{level}' and annual_value_usd is not null "
    "{where} qualify n <= 2"
)
_MOVE_1000 = (
    "update marts.task_family_value as v set annual_value_usd = annual_value_usd "
    "+ case p.n when 1 then -1000 else 1000 end from pair as p "
    "where v.level = '{level}' and v.activity_id = p.activity_id"
)
# an OES code no O*NET occupation maps to: only the OES files say what its row must hold
_UNMATCHED_OES = (
    "(select min(oes_code) from marts.release_changes where change_level = 'occupation' and oes_code not in "
    "(select oes_code from int.onet_oes_crosswalk where oes_code is not null))"
)


_TEXT_ROW = (
    "(inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
    "where method = 'text' and rank = {rank} and onet_soc_code <> '15-1252.00' order by inventory_task_id limit 1)"
)


@pytest.fixture
def copy(real_warehouse, tmp_path):
    yield from connect_to_copy(real_warehouse.warehouse, tmp_path, "corrupted.duckdb")


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
        "domain_coverage__one_row_per_domain_and_totals_and_splits_add_up_to_the_cent",
        ["update marts.domain_coverage set value_coverage_pct = 55 where domain_id = 'legal'"],
        "ExpectColumnValuesToBeInSet(column='percentages_as_computed')",
    ),
    # a domain's value a cent above its tasks', with its splits made to agree: money is exact, no tolerance
    "domain_value_a_cent_off_its_tasks": (
        "domain_coverage__one_row_per_domain_and_totals_and_splits_add_up_to_the_cent",
        [
            "update marts.domain_coverage set total_value_usd = total_value_usd + 0.01, "
            "uncovered_value_usd = uncovered_value_usd + 0.01, judgment_value_usd = judgment_value_usd + 0.01 "
            "where domain_id = 'legal'",
            "update marts.domain_coverage_slices set total_value_usd = total_value_usd + 0.01, "
            "uncovered_value_usd = uncovered_value_usd + 0.01 where (domain_id, dimension, slice) in ("
            "select (domain_id, dimension, min(slice)) from marts.domain_coverage_slices "
            "where domain_id = 'legal' and total_value_usd is not null group by domain_id, dimension)",
        ],
        "ExpectColumnValuesToBeInSet(column='totals_are_the_sum_of_their_tasks')",
    ),
    # a cent moved between two OES codes of a sector domain: the domain's total is unchanged
    "sector_cent_moved_between_occupations": (
        "domain_task_coverage__one_row_per_domain_and_task_and_sector_values_apportioned_to_the_cent",
        [
            "create temp table pair as select task_id, row_number() over (order by task_id) as n from ("
            "select min(c.task_id) as task_id from int.domain_task_coverage as c "
            "join int.domain_members as m using (domain_id, onet_soc_code) where c.domain_id = "
            "'sector-finance-and-insurance' and m.sector_wage_bill_usd < m.national_wage_bill_usd "
            "and c.annual_value_usd > 1 group by m.oes_code order by m.oes_code limit 2)",
            "update int.domain_task_coverage as c set annual_value_usd = annual_value_usd "
            "+ case p.n when 1 then 0.01 else -0.01 end from pair as p "
            "where c.domain_id = 'sector-finance-and-insurance' and c.task_id = p.task_id",
        ],
        "ExpectColumnValuesToBeInSet(column='sector_values_add_up_to_the_sector_bill')",
    ),
    # a cent moved between two tasks of one OES code of a sector domain: every sum still holds
    "sector_cent_moved_within_an_occupation": (
        "domain_task_coverage__one_row_per_domain_and_task_and_sector_values_apportioned_to_the_cent",
        [
            "create temp table pair as select task_id, row_number() over (order by task_id) as n from ("
            "select c.task_id from int.domain_task_coverage as c join int.domain_members as m "
            "using (domain_id, onet_soc_code) where c.domain_id = 'sector-finance-and-insurance' "
            "and m.oes_code = '13-2011' order by c.task_id limit 2)",
            "update int.domain_task_coverage as c set annual_value_usd = annual_value_usd "
            "+ case p.n when 1 then 0.01 else -0.01 end from pair as p "
            "where c.domain_id = 'sector-finance-and-insurance' and c.task_id = p.task_id",
        ],
        "ExpectColumnValuesToBeInSet(column='value_is_its_largest_remainder_share')",
    ),
    # a remainder cent given to the wrong task: both stay within a cent of their share, every sum holds
    # (Finance and Insurance, OES 11-1011: task 15367 got the cent, 8823 did not)
    "sector_remainder_cent_to_the_wrong_task": (
        "domain_task_coverage__one_row_per_domain_and_task_and_sector_values_apportioned_to_the_cent",
        [
            "update int.domain_task_coverage set annual_value_usd = annual_value_usd "
            "+ case task_id when 15367 then -0.01 else 0.01 end "
            "where domain_id = 'sector-finance-and-insurance' and task_id in (15367, 8823)"
        ],
        "ExpectColumnValuesToBeInSet(column='value_is_its_largest_remainder_share')",
    ),
    # a sector bill counted twice
    "sector_bill_doubled": (
        "domain_members__one_row_per_domain_and_occupation_with_shares_in_0_1_and_bills_as_summed",
        [
            "update int.domain_members set sector_wage_bill_usd = 2 * sector_wage_bill_usd "
            "where domain_id = 'sector-finance-and-insurance' and oes_code = '13-2011'"
        ],
        "ExpectColumnValuesToBeInSet(column='sector_bills_are_their_sums')",
    ),
    # a slice whose covered and uncovered parts miss its total by a cent
    "slice_parts_a_cent_off": (
        "domain_coverage_slices__one_row_per_slice_and_covered_within_total",
        [
            "update marts.domain_coverage_slices set uncovered_value_usd = uncovered_value_usd + 0.01 "
            "where domain_id = 'legal' and dimension = 'nature' and slice = 'judgment'"
        ],
        "ExpectColumnValuesToBeInSet(column='covered_and_uncovered_make_the_total')",
    ),
    # a gap listed with another value than its task has in the domain
    "gap_value_not_the_tasks": (
        "coverage_gaps__ranked_uncovered_tasks_only_with_their_values",
        [
            "update marts.coverage_gaps set annual_value_usd = annual_value_usd + 1 where domain_id = 'legal' "
            "and gap_rank = 1"
        ],
        "ExpectColumnValuesToBeInSet(column='value_is_the_tasks_in_the_domain')",
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
    # a text match said to lie in an occupation a reviewer named
    "hint_source_on_a_text_match": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set hint_source = 'overrides' where "
            + _TEXT_ROW.format(rank=1)
        ],
        "ExpectColumnValuesToBeInSet(column='hint_source_names_who_named_it')",
    ),
    # a shared sentence said to be dropped (or kept) against the floor it was counted by
    "boilerplate_flag_against_the_floor": (
        "inventory_shared_sentences__shared_by_3_or_more_and_dropped_at_the_floor",
        [
            "update int.inventory_shared_sentences set is_boilerplate = not is_boilerplate where sentence = 'Grading:'"
        ],
        "ExpectColumnValuesToBeInSet(column='dropped_exactly_at_the_floor')",
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
    # $1,000 moved from the largest DWA to the next: every level still adds up to the linked value
    "dwa_value_moved_to_another_dwa": (
        "task_family_value__each_family_is_its_tasks_1_over_k_shares_to_the_cent",
        [_FAMILY_PAIR.format(level="dwa", where=""), _MOVE_1000.format(level="dwa")],
        "ExpectColumnValuesToBeInSet(column='value_is_its_tasks_shares_to_the_cent')",
    ),
    # $1,000 moved between two IWAs of one GWA: the GWA and the level total are unchanged
    "iwa_value_moved_within_its_gwa": (
        "task_family_value__each_iwa_and_gwa_is_the_sum_of_the_families_under_it",
        [
            _FAMILY_PAIR.format(level="iwa", where="and gwa_id = '4.A.1.a.1'"),
            _MOVE_1000.format(level="iwa"),
        ],
        "ExpectColumnValuesToBeInSet(column='value_is_the_sum_of_its_children')",
    ),
    # an occupation's current bill $1M off, its change with it (so the row agrees with itself)
    "occupation_row_off_by_a_million": (
        "release_changes__matched_occupation_rows_add_up_their_task_rows",
        [
            "update marts.release_changes set current_value_usd = current_value_usd + 1000000, "
            "value_change_usd = value_change_usd + 1000000 "
            "where change_level = 'occupation' and oes_code = '15-1252'"
        ],
        "ExpectColumnValuesToBeInSet(column='current_side_is_its_task_rows')",
    ),
    # the same on an occupation without O*NET tasks: no task row to disagree with, only the files
    "unmatched_occupation_row_off_by_a_million": (
        "release_changes__occupation_rows_restate_both_oes_files",
        [
            "update marts.release_changes set previous_value_usd = previous_value_usd - 1000000, "
            "value_change_usd = value_change_usd + 1000000 "
            f"where change_level = 'occupation' and oes_code = {_UNMATCHED_OES}"
        ],
        "ExpectColumnValuesToBeInSet(column='values_are_the_files_wage_bills')",
    ),
    # rows of a staging table lost after its load: source_files still says 2,087 DWAs
    "staging_rows_lost_after_load": (
        "source_files__rows_loaded_are_the_staging_tables_rows",
        [
            "delete from staging.onet_dwa_reference where dwa_id = "
            "(select max(dwa_id) from staging.onet_dwa_reference)"
        ],
        "ExpectColumnValuesToBeInSet(column='rows_loaded_equal_table_rows')",
    ),
    # a DWA filed under another GWA than its IWA's
    "dwa_under_another_gwa_than_its_iwa": (
        "onet_dwa_reference__each_dwa_sits_under_its_iwa_and_that_iwas_gwa",
        [
            "update staging.onet_dwa_reference set gwa_id = '4.A.1.a.1' where dwa_id = "
            "(select min(dwa_id) from staging.onet_dwa_reference where gwa_id <> '4.A.1.a.1')"
        ],
        "ExpectColumnValuesToBeInSet(column='gwa_is_its_iwas')",
    ),
    # a DWA moved to another IWA of its own GWA: the GWAs agree, the IDs do not
    "dwa_under_another_iwa_of_its_gwa": (
        "onet_dwa_reference__each_dwa_sits_under_its_iwa_and_that_iwas_gwa",
        [
            "update staging.onet_dwa_reference set iwa_id = '4.A.1.a.1.I02' where dwa_id = "
            "(select min(dwa_id) from staging.onet_dwa_reference where iwa_id = '4.A.1.a.1.I01')"
        ],
        "ExpectColumnValuesToBeInSet(column='dwa_id_extends_iwa_id')",
    ),
    # a candidate valued a dollar off the value model: the grounding and the export would disagree with it
    "candidate_valued_off_the_value_model": (
        "inventory_candidate_value__every_candidate_once_and_valued_as_the_value_model",
        [
            "update int.inventory_candidate_value set annual_value_usd = annual_value_usd + 1 "
            "where inventory_task_id = (select min(inventory_task_id) from int.inventory_candidate_value "
            "where annual_value_usd is not null) and rank = 1"
        ],
        "ExpectColumnValuesToBeInSet(column='valued_as_task_value')",
    ),
    # a candidate lost between the coverage rule and its valuation
    "candidate_lost_before_valuation": (
        "inventory_candidate_value__every_candidate_once_and_valued_as_the_value_model",
        ["delete from int.inventory_candidate_value where rank = 2 and inventory_task_id = 'SWE-001'"],
        "ExpectColumnValuesToBeInSet(column='every_candidate_present')",
    ),
    # a candidate ranked up by a bonus no prior gave: outside any domain, naming no software
    "ranking_bonus_without_a_prior": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set ranking_score = score + 0.01 where (inventory_task_id, rank) = "
            "(select (inventory_task_id, rank) from marts.inventory_task_matches where method = 'text' "
            "and not coalesce(in_inventory_domain, false) and coalesce(technology_share, 0) = 0 "
            "order by inventory_task_id, rank limit 1)"
        ],
        "ExpectColumnValuesToBeInSet(column='priors_consistent')",
    ),
    # the technology prior applied to a candidate inside an occupation a human named
    "technology_share_on_a_hinted_candidate": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set technology_share = 0.5 where (inventory_task_id, rank) = "
            "(select (inventory_task_id, rank) from marts.inventory_task_matches where method = 'hinted' "
            "order by inventory_task_id, rank limit 1)"
        ],
        "ExpectColumnValuesToBeInSet(column='priors_consistent')",
    ),
    # the software words a candidate's share is of, lost
    "technology_words_without_the_share": (
        "inventory_task_matches__keys_bands_and_scores_valid",
        [
            "update marts.inventory_task_matches set technology_words = null where (inventory_task_id, rank) = "
            "(select (inventory_task_id, rank) from marts.inventory_task_matches where technology_share > 0 "
            "order by inventory_task_id, rank limit 1)"
        ],
        "ExpectColumnValuesToBeInSet(column='priors_consistent')",
    ),
    # a Technology Skills row loaded twice: the software would count one occupation twice
    "technology_example_listed_twice": (
        "onet_technology_skills__one_row_per_known_occupation_and_example",
        [
            "insert into staging.onet_technology_skills select * from staging.onet_technology_skills "
            "where onet_soc_code = '15-1252.00' and example = 'Django'"
        ],
        "ExpectCompoundColumnsToBeUnique(column_list=['onet_soc_code', 'example'])",
    ),
    # the review worksheet without one task: saved as the overrides file, nobody would see it again
    "review_sheet_lost_a_task": (
        "inventory_review__every_decision_and_every_task_kept",
        ["delete from marts.inventory_review where inventory_task_id = 'SWE-001'"],
        "ExpectColumnValuesToBeInSet(column='every_inventory_task_present')",
    ),
    # a candidate written out as a decision nobody made: saved back, it would pin itself
    "review_candidate_pinned_by_the_sheet": (
        "inventory_review__every_decision_and_every_task_kept",
        [
            "update marts.inventory_review set action = 'pin' where review_order = (select min(review_order) from marts.inventory_review)"
        ],
        "ExpectColumnValuesToBeInSet(column='action_iff_decision')",
    ),
    # a candidate carrying an old wording's hash: a decision typed on it would never apply
    "review_candidate_with_a_stale_text_hash": (
        "inventory_review__every_decision_and_every_task_kept",
        [
            "update marts.inventory_review set text_hash = '000000000000' where review_order = (select max(review_order) from marts.inventory_review)"
        ],
        "ExpectColumnValuesToBeInSet(column='candidate_hash_is_current')",
    ),
}

# staging.onet_task_ratings is empty on the real release (no Task Ratings file): corrupt the fixture's.
# Task 8823 is FT 4: 50, 5: 50 (tests/fixtures/mirror/README.md).
FIXTURE_CASES = {
    # a value mistyped: the distribution holds 110%
    "ft_distribution_over_100_pct": (
        "onet_task_ratings__ft_distributions_sum_to_100_pct",
        [
            "update staging.onet_task_ratings set data_value = 60 "
            "where task_id = 8823 and scale_id = 'FT' and category = 4"
        ],
        "ExpectColumnValuesToBeInSet(column='sums_to_100_pct')",
    ),
    # a value read a decimal place off: 55% over the 7 categories
    "ft_distribution_short_of_100_pct": (
        "onet_task_ratings__ft_distributions_sum_to_100_pct",
        [
            "update staging.onet_task_ratings set data_value = 5 "
            "where task_id = 8823 and scale_id = 'FT' and category = 5"
        ],
        "ExpectColumnValuesToBeInSet(column='sums_to_100_pct')",
    ),
}

# Suites of the mutation review's gaps: each passes on both published warehouses as they are.
UNCORRUPTED = [
    "task_family_value__each_family_is_its_tasks_1_over_k_shares_to_the_cent",
    "task_family_value__each_iwa_and_gwa_is_the_sum_of_the_families_under_it",
    "release_changes__occupation_rows_restate_both_oes_files",
    "release_changes__matched_occupation_rows_add_up_their_task_rows",
    "source_files__rows_loaded_are_the_staging_tables_rows",
    "onet_dwa_reference__each_dwa_sits_under_its_iwa_and_that_iwas_gwa",
    "onet_iwa_reference__each_iwa_id_extends_its_gwa_id",
    "onet_task_ratings__ft_distributions_sum_to_100_pct",
]


@pytest.fixture
def fixture_copy(fixture_settings, tmp_path):
    yield from connect_to_copy(fixture_settings.warehouse, tmp_path, "corrupted_fixture.duckdb")


def _fails_on(con, name, statements, expected):
    suite = _suite(name)
    ok, failures = run_suite(con.execute(suite.query).df(), suite)
    assert ok, failures  # the published warehouse passes
    for statement in statements:
        con.execute(statement)
    ok, failures = run_suite(con.execute(suite.query).df(), suite)
    assert not ok
    assert expected in {f["expectation"] for f in failures}, failures


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_check_fails_on_the_corruption_it_guards_against(copy, case):
    _fails_on(copy, *CASES[case])


@pytest.mark.parametrize("case", sorted(FIXTURE_CASES))
def test_the_check_fails_on_the_corruption_of_the_fixture_it_guards_against(fixture_copy, case):
    _fails_on(fixture_copy, *FIXTURE_CASES[case])


@pytest.mark.parametrize("name", UNCORRUPTED)
def test_the_suite_passes_on_the_real_and_the_fixture_warehouse(real_con, fx, name):
    suite = _suite(name)
    for con in (real_con, fx):
        frame = con.execute(suite.query).df()
        assert run_suite(frame, suite) == (True, [])
    # only the ratings are empty on the real release; every suite validates rows of the fixture
    assert len(fx.execute(suite.query).df()) > 0


def test_a_naics_rule_naming_no_sector_of_the_file_warns_with_the_sectors_it_has(copy):
    # a reviewer recoded the sector file (every "52" written "520000"): the sector domain published
    # with no occupation and no word of why (27 Nov)
    from assets.coverage.checks import _naics_not_in_file

    assert _naics_not_in_file(copy)[0]
    copy.execute("update marts.sector_occupation_value set naics = '520000' where naics = '52'")
    passed, metadata = _naics_not_in_file(copy)
    assert not passed and metadata["rules_naming_no_sector"].value == 1
    assert metadata["rules"].value.startswith(
        "- sector-finance-and-insurance: naics '52' is no sector of the OES file (it has: 11, 21, 22, 23,"
    )
