"""Checks of the coverage layer: a blocking Great Expectations suite on every table, plus warnings
that list inventory domain names matching no configured domain (reported, never dropped) and
excluded statuses that look like misspelt inventory statuses.

Check names are statements about the table (`<table>__<what holds>`).
"""

from difflib import get_close_matches

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from assets.common.gx_checks import GxSuite, between, gx_asset_check, in_set, not_null, true, unique
from assets.common.pools import WORK_DB_POOL
from assets.common.results import markdown_table
from assets.common.warn_checks import warning_check
from assets.coverage.config import CoverageSettings
from assets.inventory.overrides import ACTIONS

REASONS = [
    "rejected_by_reviewer",
    "declared_unmapped_domain",
    "no_credible_match",
    "low_tier_only",
    "physical_work",
    "outside_declared_domain",
    "domain_not_configured",
]
# Money here is DECIMAL cents summed exactly, so every money identity below holds with no tolerance.

SUITES: dict[tuple[str, str], list[GxSuite]] = {
    ("int", "domain_definitions"): [
        GxSuite(
            "domain_definitions__one_row_per_rule_with_known_types",
            "select * from int.domain_definitions",
            [
                unique("domain_id", "rule_type", "rule_value"),
                not_null("domain_name"),
                in_set("rule_type", ["soc_prefix", "soc_code", "onet_code", "naics"]),
                in_set("domain_kind", ["soc_major_group", "custom", "naics_sector"]),
            ],
            row_id_columns=["domain_id", "rule_value"],
        )
    ],
    ("int", "domain_aliases"): [
        GxSuite(
            "domain_aliases__every_name_names_one_domain",
            "select * from int.domain_aliases",
            [unique("name_normalized"), not_null("domain_id")],
            row_id_columns=["domain_id", "name_normalized"],
        )
    ],
    ("int", "domain_unmapped_names"): [
        GxSuite(
            "domain_unmapped_names__names_unique",
            "select * from int.domain_unmapped_names",
            [unique("name_normalized"), not_null("name_as_written")],
            row_id_columns=["name_normalized"],
        )
    ],
    ("int", "domain_tier_order"): [
        GxSuite(
            "domain_tier_order__one_position_per_tier",
            "select * from int.domain_tier_order",
            [unique("tier"), unique("tier_position"), not_null("tier_position")],
            row_id_columns=["tier"],
        )
    ],
    ("int", "domain_members"): [
        GxSuite(
            "domain_members__one_row_per_domain_and_occupation_with_shares_in_0_1_and_bills_as_summed",
            """
            select m.*,
                -- a code-based domain takes whole occupations, and each of them counts for its inventory
                (m.value_share < 1 or m.is_characteristic) as whole_members_are_characteristic,
                -- a sector member's two bills are the sums they stand for (its values are apportioned by them)
                m.sector_wage_bill_usd is null or (
                    m.sector_wage_bill_usd = (
                        select sum(s.wage_bill_usd) from marts.sector_occupation_value as s
                        inner join int.domain_definitions as d
                            on d.rule_type = 'naics' and d.rule_value = s.naics and d.domain_id = m.domain_id
                        where s.oes_code = m.oes_code and s.wage_bill_usd > 0)
                    and m.national_wage_bill_usd is not distinct from (
                        select sum(t.annual_value_usd) from marts.task_value as t where t.oes_code = m.oes_code)
                ) as sector_bills_are_their_sums
            from int.domain_members as m
            """,
            [
                unique("domain_id", "onet_soc_code"),
                between("value_share", 0, 1),
                between("employment_share", 0, 1),
                not_null("value_share"),
                not_null("is_characteristic"),
                true("whole_members_are_characteristic"),
                true("sector_bills_are_their_sums"),
            ],
            row_id_columns=["domain_id", "onet_soc_code"],
        ),
    ],
    ("int", "domain_inventory_names"): [
        GxSuite(
            "domain_inventory_names__one_row_per_name_and_no_task_lost",
            """
            select n.*, (select sum(inventory_tasks) from int.domain_inventory_names)
                = (select count(*) from staging.inventory_tasks) as every_task_counted
            from int.domain_inventory_names as n
            """,
            [unique("inventory_domain"), true("every_task_counted")],
            row_id_columns=["inventory_domain"],
        )
    ],
    ("int", "inventory_candidate_value"): [
        GxSuite(
            "inventory_candidate_value__every_candidate_once_and_valued_as_the_value_model",
            """
            -- the columns checked only: 5 rows a task with their statement texts (5M at 1M tasks) held
            -- 8 GB in pandas, the refresh's peak
            select v.inventory_task_id, v.rank, v.is_credible, v.is_bottom_tier, v.nature,
                (select count(*) from int.inventory_candidate_value)
                    = (select count(*) from int.inventory_match_credibility where rank is not null)
                    as every_candidate_present,
                v.onet_task_id is null or t.task_id is null
                    or (v.annual_value_usd is not distinct from t.annual_value_usd
                        and v.tier_rank is not distinct from t.tier_rank
                        and v.oes_code is not distinct from t.oes_code) as valued_as_task_value
            from int.inventory_candidate_value as v
            left join marts.task_value as t on t.task_id = v.onet_task_id
            """,
            [
                unique("inventory_task_id", "rank"),
                not_null("is_credible"),
                not_null("is_bottom_tier"),
                in_set("nature", ["judgment", "routine", "interpersonal", "physical", "unknown"]),
                true("every_candidate_present"),
                true("valued_as_task_value"),
            ],
            row_id_columns=["inventory_task_id", "rank"],
        )
    ],
    ("int", "inventory_match_credibility"): [
        GxSuite(
            "inventory_match_credibility__one_row_per_candidate_and_every_task_judged",
            """
            select c.*,
                (not covers or is_credible) as covers_only_if_credible,
                (not is_credible or onet_task_id is not null) as credible_only_with_a_task,
                (not is_task_uncertain or is_credible) as uncertain_only_if_credible,
                (select count(distinct inventory_task_id) from int.inventory_match_credibility)
                    = (select count(*) from staging.inventory_tasks) as every_inventory_task_present
            from int.inventory_match_credibility as c
            """,
            [
                unique("inventory_task_id", "rank"),
                not_null("inventory_task_id"),
                not_null("is_credible"),
                not_null("is_excluded_status"),
                not_null("covers"),
                in_set("confidence", ["high", "medium", "low", "none"]),
                true("covers_only_if_credible"),
                true("credible_only_with_a_task"),
                true("uncertain_only_if_credible"),
                true("every_inventory_task_present"),
            ],
            row_id_columns=["inventory_task_id", "rank"],
        )
    ],
    ("int", "domain_task_coverage"): [
        GxSuite(
            "domain_task_coverage__one_row_per_domain_and_task_and_sector_values_apportioned_to_the_cent",
            """
            with shares as (
                select c.*, m.oes_code, t.annual_value_usd as national_value_usd,
                    m.sector_wage_bill_usd, m.national_wage_bill_usd,
                    -- value x S / N in cents, for a sector member below its cap (a numerator over N)
                    case when t.annual_value_usd is not null
                        and m.sector_wage_bill_usd < m.national_wage_bill_usd
                    then (t.annual_value_usd * 100)::hugeint * (m.sector_wage_bill_usd * 100)::hugeint
                    end as share_numerator,
                    (m.national_wage_bill_usd * 100)::hugeint as share_denominator
                from int.domain_task_coverage as c
                inner join int.domain_members as m using (domain_id, onet_soc_code)
                left join marts.task_value as t using (onet_soc_code, task_id)
            ),
            apportioned as (
                select *,
                    share_numerator // share_denominator as floor_cents,
                    row_number() over (
                        partition by domain_id, oes_code, share_numerator is null
                        order by share_numerator % share_denominator desc, task_id
                    ) as remainder_rank,
                    (sector_wage_bill_usd * 100)::hugeint
                        - sum(share_numerator // share_denominator) over (partition by domain_id, oes_code)
                        as cents_left
                from shares
            )
            select *,
                -- each OES code's tasks add up to the sector's bill (the national value where the sector's
                -- bill reaches it); code-based domains have no bill here
                coalesce(sum(annual_value_usd) over (partition by domain_id, oes_code)
                    = least(sector_wage_bill_usd, national_wage_bill_usd), true)
                    as sector_values_add_up_to_the_sector_bill,
                -- and each task holds its own share: the floor, plus a cent for the largest remainders
                -- (ties to the lower Task ID); its national value in code-based domains and capped codes
                case
                    when national_value_usd is null then annual_value_usd is null
                    when share_numerator is null then annual_value_usd is not distinct from national_value_usd
                    else coalesce((annual_value_usd * 100)::hugeint
                        = floor_cents + case when remainder_rank <= cents_left then 1 else 0 end, false)
                end as value_is_its_largest_remainder_share
            from apportioned
            """,
            [
                unique("domain_id", "task_id"),
                between("annual_value_usd", 0, None),
                not_null("is_covered"),
                between("covering_inventory_tasks", 0, None),
                true("sector_values_add_up_to_the_sector_bill"),
                true("value_is_its_largest_remainder_share"),
            ],
            row_id_columns=["domain_id", "task_id"],
        )
    ],
    ("marts", "inventory_grounding"): [
        GxSuite(
            "inventory_grounding__one_row_per_inventory_task_with_a_known_reason",
            """
            select
                g.*,
                (coalesce(g.is_grounded, false) = (g.ungrounded_reason is null)) as grounded_iff_no_reason,
                -- unverified: only 'no credible match' (a domain name matching no configured domain
                -- aside) in a declared domain or with a candidate at or above the resemblance floor
                -- (read from the matches table, where the band check holds it to the score), or
                -- only a domain name that matches no configured domain; never a verdict on evidence
                ((g.is_grounded is null) = (
                    list_has_all(['no_credible_match', 'domain_not_configured'], g.ungrounded_reasons)
                    and list_contains(g.ungrounded_reasons, 'no_credible_match')
                    and (g.declared_domain_id is not null or not coalesce(m.resembles_no_work, true))
                    or g.ungrounded_reasons = ['domain_not_configured']
                )) as unverified_iff_no_evidence_either_way,
                (g.grounding = case g.is_grounded when true then 'grounded' when false then 'ungrounded'
                    else 'unverified' end) as grounding_matches_is_grounded,
                -- a person rejected every candidate: ungrounded for it, never unverified
                (list_contains(g.ungrounded_reasons, 'rejected_by_reviewer')
                    = coalesce(g.best_method = 'override' and g.best_onet_task_id is null, false))
                    as rejected_iff_every_candidate_was_rejected,
                (select count(*) from marts.inventory_grounding)
                    = (select count(*) from staging.inventory_tasks) as every_inventory_task_present
            from marts.inventory_grounding as g
            left join (
                select inventory_task_id, bool_and(resembles_no_work) as resembles_no_work
                from marts.inventory_task_matches
                where onet_task_id is not null
                group by inventory_task_id
            ) as m on m.inventory_task_id = g.inventory_task_id
            """,
            [
                unique("inventory_task_id"),
                not_null("grounding"),
                in_set("grounding", ["grounded", "ungrounded", "unverified"]),
                in_set("ungrounded_reason", REASONS),
                in_set("best_confidence", ["high", "medium", "low", "none"]),
                true("grounded_iff_no_reason"),
                true("unverified_iff_no_evidence_either_way"),
                true("grounding_matches_is_grounded"),
                true("rejected_iff_every_candidate_was_rejected"),
                true("every_inventory_task_present"),
            ],
            row_id_columns=["inventory_task_id"],
        )
    ],
    ("marts", "domain_coverage_slices"): [
        GxSuite(
            "domain_coverage_slices__one_row_per_slice_and_covered_within_total",
            """
            select *,
                coalesce(covered_value_usd <= total_value_usd,
                         covered_value_usd is null and total_value_usd is null)
                    and tasks_covered <= tasks_total as covered_within_total,
                covered_value_usd + uncovered_value_usd is not distinct from total_value_usd
                    as covered_and_uncovered_make_the_total
            from marts.domain_coverage_slices
            """,
            [
                unique("domain_id", "dimension", "slice"),
                in_set("dimension", ["tier", "nature", "digital"]),
                between("value_coverage_pct", 0, 100),
                true("covered_within_total"),
                true("covered_and_uncovered_make_the_total"),
            ],
            row_id_columns=["domain_id", "dimension", "slice"],
        )
    ],
    ("marts", "domain_coverage"): [
        GxSuite(
            "domain_coverage__one_row_per_domain_and_totals_and_splits_add_up_to_the_cent",
            """
            with slices as (
                select domain_id, dimension, coalesce(sum(total_value_usd), 0) as v,
                    coalesce(sum(covered_value_usd), 0) as c
                from marts.domain_coverage_slices group by all
            ),
            tasks as (
                select domain_id, coalesce(sum(annual_value_usd), 0) as v,
                    coalesce(sum(annual_value_usd) filter (where is_covered), 0) as c
                from int.domain_task_coverage group by all
            )
            select
                d.*,
                d.covered_value_usd <= d.total_value_usd and d.tasks_covered <= d.tasks_total
                    as covered_within_total,
                coalesce((
                    select bool_and(s.v = d.total_value_usd and s.c = d.covered_value_usd)
                    from slices as s where s.domain_id = d.domain_id
                ), d.tasks_total = 0) as splits_add_up,
                coalesce((
                    select t.v = d.total_value_usd and t.c = d.covered_value_usd
                    from tasks as t where t.domain_id = d.domain_id
                ), d.tasks_total = 0 and d.total_value_usd = 0) as totals_are_the_sum_of_their_tasks,
                d.judgment_value_usd + d.routine_value_usd + d.interpersonal_value_usd
                    + d.physical_value_usd + d.unknown_nature_value_usd = d.total_value_usd as natures_add_up,
                (select count(*) from marts.domain_coverage)
                    = (select count(distinct domain_id) from int.domain_definitions) as every_domain_present,
                d.uncovered_value_usd = d.total_value_usd - d.covered_value_usd
                    as uncovered_is_total_less_covered,
                d.value_coverage_pct is not distinct from
                    round(100 * d.covered_value_usd / nullif(d.total_value_usd, 0), 4)
                and d.task_coverage_pct is not distinct from
                    round(100 * d.tasks_covered / nullif(d.tasks_total, 0), 4) as percentages_as_computed
            from marts.domain_coverage as d
            """,
            [
                unique("domain_id"),
                not_null("domain_name"),
                between("value_coverage_pct", 0, 100),
                between("task_coverage_pct", 0, 100),
                true("covered_within_total"),
                true("uncovered_is_total_less_covered"),
                true("percentages_as_computed"),
                true("splits_add_up"),
                true("totals_are_the_sum_of_their_tasks"),
                true("natures_add_up"),
                true("every_domain_present"),
            ],
            row_id_columns=["domain_id"],
        )
    ],
    ("marts", "coverage_gaps"): [
        GxSuite(
            "coverage_gaps__ranked_uncovered_tasks_only_with_their_values",
            """
            select g.*, not coalesce(c.is_covered, true) as is_uncovered_task,
                g.annual_value_usd is not distinct from c.annual_value_usd as value_is_the_tasks_in_the_domain
            from marts.coverage_gaps as g
            left join int.domain_task_coverage as c using (domain_id, task_id)
            """,
            [
                unique("domain_id", "gap_rank"),
                unique("domain_id", "task_id"),
                between("gap_rank", 1, None),
                not_null("task"),
                true("is_uncovered_task"),
                true("value_is_the_tasks_in_the_domain"),
            ],
            row_id_columns=["domain_id", "gap_rank"],
        )
    ],
    ("marts", "domain_concentration"): [
        GxSuite(
            "domain_concentration__one_row_per_domain_with_shares_in_0_100",
            "select * from marts.domain_concentration",
            [
                unique("domain_id"),
                between("inventory_bottom_tier_share_pct", 0, 100),
                between("value_top_tier_share_pct", 0, 100),
                between("concentration_gap_pct", -100, 100),
                between("value_bottom_tier_share_pct", 0, 100),
                between("bottom_tier_overweight_pct", -100, 100),
                between("inventory_median_hourly_wage_usd", 0, None),
                between("value_median_hourly_wage_usd", 0, None),
            ],
            row_id_columns=["domain_id"],
        )
    ],
    ("marts", "inventory_export"): [
        GxSuite(
            "inventory_export__one_row_per_inventory_task",
            """
            select e.*, (select count(*) from marts.inventory_export)
                = (select count(*) from staging.inventory_tasks) as every_inventory_task_present,
                -- a guess is never stamped: the occupation's stamps are filled exactly for credible
                -- matches, the task's only when the text also says which task (not task-uncertain)
                ((e.onet_soc_code is not null) = e.is_match_credible) as stamped_iff_credible,
                ((e.onet_task_id is not null) = (e.is_match_credible and not e.is_task_uncertain))
                    as task_stamped_iff_credible_and_certain,
                -- the stamp is the rank-1 candidate unless a lower rank grounds the task (covering_max_rank)
                (e.onet_task_id is null or e.onet_task_id = e.candidate_onet_task_id or e.stamped_rank > 1)
                    as stamp_is_the_candidate,
                (e.is_match_credible = (e.stamped_rank is not null)) as stamped_rank_iff_credible
            from marts.inventory_export as e
            """,
            [
                unique("inventory_task_id"),
                not_null("inventory_task_id"),
                in_set("confidence", ["high", "medium", "low", "none"]),
                in_set("method", ["override", "explicit", "hinted", "text"]),
                true("every_inventory_task_present"),
                true("stamped_iff_credible"),
                true("task_stamped_iff_credible_and_certain"),
                true("stamp_is_the_candidate"),
                true("stamped_rank_iff_credible"),
            ],
            row_id_columns=["inventory_task_id"],
        )
    ],
    ("marts", "inventory_review"): [
        GxSuite(
            "inventory_review__every_decision_and_every_task_kept",
            """
            -- the columns checked only: the sheet is 5 rows a task (500,000 at 100k tasks), and its
            -- texts would more than double the frame Great Expectations holds
            select r.review_order, r.inventory_task_id, r.action, r.row_kind, r.confidence,
                -- saved over the overrides file, the sheet must keep every decision it had: each
                -- line once (a line twice and another missing would keep the count)
                (select count(*) from marts.inventory_review where row_kind = 'decision')
                    = (select count(*) from staging.inventory_overrides)
                and not exists (
                    select source_row from staging.inventory_overrides
                    except
                    select overrides_line from marts.inventory_review where row_kind = 'decision'
                ) as every_decision_line_present,
                (select count(distinct inventory_task_id) from marts.inventory_review
                    where inventory_task_id in (select task_id from staging.inventory_tasks))
                    = (select count(*) from staging.inventory_tasks) as every_inventory_task_present,
                -- a row with an action is a decision; a candidate's action is left to the reviewer
                ((r.action is not null) = (r.row_kind = 'decision')) as action_iff_decision,
                ((r.decision_status is not null) = (r.row_kind = 'decision')) as status_iff_decision,
                -- a decision typed on a candidate is tied to the task's wording now
                (r.row_kind = 'decision' or r.text_hash is not distinct from t.text_hash) as candidate_hash_is_current
            from marts.inventory_review as r
            left join staging.inventory_tasks as t on t.task_id = r.inventory_task_id
            """,
            [
                unique("review_order"),
                not_null("review_order"),
                not_null("inventory_task_id"),
                in_set("action", list(ACTIONS)),
                in_set("row_kind", ["decision", "candidate"]),
                in_set("confidence", ["high", "medium", "low", "none"]),
                true("every_decision_line_present"),
                true("every_inventory_task_present"),
                true("action_iff_decision"),
                true("status_iff_decision"),
                true("candidate_hash_is_current"),
            ],
            row_id_columns=["review_order"],
        )
    ],
}

GX_CHECKS = [gx_asset_check(list(key), suite) for key, suites in SUITES.items() for suite in suites]


def _unmatched_names(con) -> tuple[bool, dict]:
    rows = con.execute(
        "select inventory_domain, inventory_tasks from int.domain_inventory_names "
        # tasks without a domain ('' or a placeholder such as N/A) have no name to match: the index
        # report counts them apart
        "where not is_matched and not is_declared_unmapped and not is_no_domain "
        "order by inventory_tasks desc, inventory_domain"
    ).fetchall()
    return not rows, {
        "unmatched_names": MetadataValue.int(len(rows)),
        "unmatched_tasks": MetadataValue.int(sum(r[1] for r in rows)),
        "names": MetadataValue.md(markdown_table(["inventory domain", "tasks"], rows) if rows else "none"),
    }


def _naics_not_in_file(con) -> tuple[bool, dict]:
    rows = con.execute(
        """
        select d.domain_id, d.rule_value,
            (select string_agg(distinct naics, ', ' order by naics) from marts.sector_occupation_value) as sectors
        from int.domain_definitions as d
        where d.rule_type = 'naics'
            and not exists (select 1 from marts.sector_occupation_value as s where s.naics = d.rule_value)
        order by d.domain_id, d.rule_value
        """
    ).fetchall()
    return not rows, {
        "rules_naming_no_sector": MetadataValue.int(len(rows)),
        "rules": MetadataValue.md(
            "\n".join(
                f"- {d}: naics {v!r} is no sector of the OES file (it has: {s or 'none'})" for d, v, s in rows
            )
            or "none"
        ),
    }


# a NAICS code the OES sector file does not hold (a typo in the config, or BLS recoding a sector)
# leaves the sector domain without an occupation: its report says so, and this says why. A warning:
# a file of other sectors on purpose (a test mirror, a vintage before a sector existed) is no error
every_naics_rule_names_a_sector = warning_check(
    AssetKey(["int", "domain_members"]),
    "domain_members__every_naics_rule_names_a_sector_of_the_oes_file",
    "Warns with the naics rules of config/domains.toml that name no sector of the OES sector file (the "
    "sector domain then has no occupation), listing the sectors the file has.",
    _naics_not_in_file,
)


def _code_rules_matching_nothing(con) -> tuple[bool, dict]:
    rows = con.execute(
        """
        select d.domain_id, d.rule_type, d.rule_value
        from int.domain_definitions as d
        where d.rule_type in ('soc_prefix', 'soc_code', 'onet_code')
            and not exists (
                select 1 from (select distinct onet_soc_code from marts.task_value) as o
                where (d.rule_type = 'soc_prefix' and starts_with(o.onet_soc_code, d.rule_value))
                    or (d.rule_type = 'soc_code' and left(o.onet_soc_code, 7) = d.rule_value)
                    or (d.rule_type = 'onet_code' and o.onet_soc_code = d.rule_value)
            )
        order by d.domain_id, d.rule_type, d.rule_value
        """
    ).fetchall()
    return not rows, {
        "rules_matching_nothing": MetadataValue.int(len(rows)),
        "rules": MetadataValue.md(
            "\n".join(f"- {d}: {t} {v!r} matches no O*NET occupation with tasks" for d, t, v in rows)
            or "none"
        ),
    }


# a code rule that matches nothing (a typo such as '51-' for '15-', a code O*NET dropped) publishes its
# domain smaller than configured, or at $0 with no occupation, and nothing said why
every_code_rule_matches_an_occupation = warning_check(
    AssetKey(["int", "domain_members"]),
    "domain_members__every_code_rule_matches_an_occupation",
    "Warns with the soc_prefixes, soc_codes and onet_codes of config/domains.toml that match no O*NET "
    "occupation with tasks (a typo, or a code the release dropped): their domain is published without "
    "those occupations, at $0 when no rule of it matches.",
    _code_rules_matching_nothing,
)


every_inventory_domain_matches = warning_check(
    AssetKey(["int", "domain_inventory_names"]),
    "domain_inventory_names__every_name_matches_a_domain",
    "Warns with the inventory domain names that match no configured domain (add them as aliases, or list "
    "them in unmapped_inventory_domains when the work has no O*NET counterpart).",
    _unmatched_names,
)


def misspelt_statuses(excluded: list[str], present: set[str]) -> dict[str, list[str]]:
    """Excluded statuses no inventory task has, each with the inventory statuses it nearly spells."""
    return {
        status: near
        for status in excluded
        if status not in present and (near := get_close_matches(status, sorted(present), n=3, cutoff=0.75))
    }


@asset_check(
    pool=WORK_DB_POOL,
    asset=AssetKey(["int", "inventory_match_credibility"]),
    name="inventory_match_credibility__every_excluded_status_is_spelt_as_in_the_inventory",
    blocking=False,
    description="Warns when an excluded status (TASKVALUE_COVERAGE_EXCLUDED_STATUSES) matches no inventory "
    "task but nearly spells a status the inventory uses ('retird' for 'retired'): those tasks would count.",
)
def excluded_statuses_spelt_as_in_the_inventory(
    duckdb: DuckDBResource, coverage_settings: CoverageSettings
) -> AssetCheckResult:
    excluded = [s for s in coverage_settings.coverage_params()["excluded_statuses"].split(",") if s]
    with duckdb.get_connection() as con:
        present = {
            r[0]
            for r in con.execute(
                "select distinct lower(trim(status)) from staging.inventory_tasks where trim(coalesce(status, '')) <> ''"
            ).fetchall()
        }
    typos = misspelt_statuses(excluded, present)
    return AssetCheckResult(
        passed=not typos,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "excluded_statuses": MetadataValue.text(", ".join(excluded) or "none"),
            "unmatched_excluded_statuses": MetadataValue.text(
                ", ".join(s for s in excluded if s not in present) or "none"
            ),
            "likely_misspelt": MetadataValue.md(
                markdown_table(
                    ["excluded status", "inventory statuses it nearly spells"],
                    [(s, ", ".join(n)) for s, n in typos.items()],
                )
                if typos
                else "none"
            ),
        },
    )


CHECKS = [
    *GX_CHECKS,
    every_naics_rule_names_a_sector,
    every_code_rule_matches_an_occupation,
    every_inventory_domain_matches,
    excluded_statuses_spelt_as_in_the_inventory,
]
