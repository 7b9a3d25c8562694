"""Blocking checks of the value model: the DOMAIN.md invariants and a GX suite on every table.

Check names are statements about the table (`<table>__<what holds>`).
"""

from __future__ import annotations

from assets.common.gx_checks import (
    GxSuite,
    between,
    gx_asset_check,
    in_set,
    not_null,
    row_count_between,
    true,
    unique,
)

NATURES = ["judgment", "routine", "interpersonal", "physical"]
MATCH_LEVELS = ["detailed", "oes_aggregate", "broad", "none"]
WEIGHTINGS = ["ft_rt", "importance", "core_supplemental", "equal"]

# The release's GWAs: every 4.A.x.y.n element of the content model, and every GWA an IWA or DWA names.
RELEASE_GWAS = """
    select element_id as gwa_id from staging.onet_content_model_reference
    where regexp_full_match(element_id, '4\\.A\\.[0-9]+\\.[a-z]\\.[0-9]+')
    union select gwa_id from staging.onet_iwa_reference
    union select gwa_id from staging.onet_dwa_reference
"""

# Every activity of the release with its title, one row per (level, id): what a label row names.
RELEASE_ACTIVITIES = """
    select 'gwa' as level, element_id as id, element_name as title
    from staging.onet_content_model_reference
    union all select 'iwa', iwa_id, iwa_title from staging.onet_iwa_reference
    union all select 'dwa', dwa_id, dwa_title from staging.onet_dwa_reference
"""

# marts.task_family_value recomputed from O*NET's links (staging) and each task's value: a task linked
# to k DWAs gives value_cents / k to each; over a common multiple m of every k the shares are whole
# numbers of 1/m cent, so each family's exact sum is an integer, which the table rounds to the cent,
# ties to the even cent. Counts, employment reached (each occupation once) and the employment-weighted
# wage are recomputed the same way, per level.
FAMILY_LINKS = """
    select l.onet_soc_code, l.task_id, l.dwa_id, d.iwa_id, d.gwa_id,
        count(*) over (partition by l.onet_soc_code, l.task_id) as k,
        (t.annual_value_usd * 100)::hugeint as value_cents, t.allocated_employment, t.hourly_wage_usd
    from staging.onet_tasks_to_dwas as l
    join staging.onet_dwa_reference as d using (dwa_id)
    join marts.task_value as t using (onet_soc_code, task_id)
"""
FAMILY_RECOMPUTED = f"""
with links as ({FAMILY_LINKS}),
per_level as (
    select 'dwa' as level, dwa_id as activity_id, * from links
    union all select 'iwa', iwa_id, * from links
    union all select 'gwa', gwa_id, * from links
),
multiple as (select list_reduce(list(distinct k::hugeint), lambda a, b: lcm(a, b)) as m from links),
families as (
    select level, activity_id, any_value(gwa_id) as gwa_id, sum(value_cents * (m // k)) as units,
        count(distinct task_id) as tasks, count(distinct onet_soc_code) as occupations
    from per_level cross join multiple
    group by level, activity_id
),
reach as (
    select level, activity_id, sum(allocated_employment) as employment,
        sum(allocated_employment * hourly_wage_usd)
            / sum(allocated_employment) filter (where hourly_wage_usd is not null) as wage
    from (
        select distinct level, activity_id, onet_soc_code, allocated_employment, hourly_wage_usd
        from per_level
    )
    group by level, activity_id
)
select
    coalesce(v.level, f.level) as level,
    coalesce(v.activity_id, f.activity_id) as activity_id,
    v.annual_value_usd,
    f.units / m.m / 100 as exact_value_usd,
    v.level is not null and f.level is not null as a_row_per_linked_family,
    -- the nearest cent to units / m cents, ties to the even cent
    (v.annual_value_usd is null and f.units is null)
        or 2 * abs((v.annual_value_usd * 100)::hugeint * m.m - f.units) < m.m
        or (2 * abs((v.annual_value_usd * 100)::hugeint * m.m - f.units) = m.m
            and (v.annual_value_usd * 100)::hugeint % 2 = 0) as value_is_its_tasks_shares_to_the_cent,
    v.gwa_id is not distinct from f.gwa_id as gwa_as_in_reference,
    v.tasks_count is not distinct from f.tasks
        and v.occupations_count is not distinct from f.occupations as counts_as_linked,
    v.employment_reached is not distinct from r.employment as employment_reached_as_linked,
    (v.employment_weighted_hourly_wage_usd is null and r.wage is null)
        or abs(v.employment_weighted_hourly_wage_usd - r.wage) <= 0.005000001 as wage_as_linked
from marts.task_family_value as v
full join families as f using (level, activity_id)
left join reach as r on r.level = f.level and r.activity_id = f.activity_id
cross join multiple as m
"""

# Each IWA row against its DWA rows, each GWA row against its IWA rows (through the references): every
# level is its exact sum rounded to the cent, so a parent and the sum of its rounded children differ
# by at most half a cent per valued child plus its own half cent.
FAMILY_ROLL_UP = """
with children as (
    select 'iwa' as parent_level, d.iwa_id as parent_id, v.annual_value_usd
    from marts.task_family_value as v
    join staging.onet_dwa_reference as d on d.dwa_id = v.activity_id
    where v.level = 'dwa'
    union all
    select 'gwa', i.gwa_id, v.annual_value_usd
    from marts.task_family_value as v
    join staging.onet_iwa_reference as i on i.iwa_id = v.activity_id
    where v.level = 'iwa'
),
sums as (
    select parent_level, parent_id, sum(annual_value_usd) as children_value_usd,
        count(annual_value_usd) as valued_children
    from children group by all
)
select p.level, p.activity_id, p.annual_value_usd, s.children_value_usd, s.valued_children,
    (p.annual_value_usd is null and s.children_value_usd is null)
        or 200 * abs(p.annual_value_usd - s.children_value_usd) <= s.valued_children + 1
        as value_is_the_sum_of_its_children
from marts.task_family_value as p
left join sums as s on s.parent_level = p.level and s.parent_id = p.activity_id
where p.level in ('iwa', 'gwa')
"""

SUITES: dict[tuple[str, str], list[GxSuite]] = {
    ("int", "activity_labels"): [
        GxSuite(
            "activity_labels__every_gwa_in_release_is_labelled",
            f"""
            select g.gwa_id, l.element_id is not null as labelled
            from ({RELEASE_GWAS}) as g
            left join int.activity_labels as l on l.level = 'gwa' and l.element_id = g.gwa_id
            """,
            [true("labelled"), row_count_between(1, None)],
            row_id_columns=["gwa_id"],
            description="A GWA of the release without a row in sql/seeds/activity_labels.csv fails the run: "
            "add a row (nature, is_digital, rationale) for it.",
        ),
        GxSuite(
            "activity_labels__rows_name_their_activity_by_id_and_title",
            f"""
            select l.level, l.element_id, l.element_name,
                regexp_full_match(
                    l.element_id,
                    case l.level
                        when 'gwa' then '4\\.A\\.[0-9]+\\.[a-z]\\.[0-9]+'
                        when 'iwa' then '4\\.A\\.[0-9]+\\.[a-z]\\.[0-9]+\\.I[0-9]+'
                        else '4\\.A\\.[0-9]+\\.[a-z]\\.[0-9]+\\.I[0-9]+\\.D[0-9]+'
                    end
                ) as id_fits_level,
                r.title is null or lower(trim(r.title)) = lower(trim(l.element_name)) as name_matches
            from int.activity_labels as l
            left join ({RELEASE_ACTIVITIES}) as r on r.level = l.level and r.id = l.element_id
            """,
            [true("id_fits_level"), true("name_matches")],
            row_id_columns=["level", "element_id"],
            description="A row of sql/seeds/activity_labels.csv whose element_id does not have the form of its "
            "level, or names an activity whose title in the release differs from element_name (a mistyped "
            "ID), would label the wrong activities or none: it fails the run. (An ID the release does not "
            "hold is allowed, as releases drop activities; tests check every row against O*NET 29.0.)",
        ),
        GxSuite(
            "activity_labels__rows_unique_with_known_labels",
            "select * from int.activity_labels",
            [unique("level", "element_id"), in_set("nature", NATURES), not_null("is_digital")],
            row_id_columns=["level", "element_id"],
        ),
    ],
    ("int", "wage_tiers"): [
        GxSuite(
            "wage_tiers__bands_ordered_and_unique",
            """
            select *,
                tier_max_usd is null or tier_max_usd > tier_min_usd as ordered,
                -- a partition of [0, inf): each band starts where the one below ends, only the top is open
                tier_min_usd = coalesce(lag(tier_max_usd) over (order by tier_rank), 0) as starts_where_previous_ends,
                (tier_max_usd is null) = (tier_rank = max(tier_rank) over ()) as only_the_top_band_open
            from int.wage_tiers
            """,
            [
                unique("tier_rank"),
                unique("tier"),
                true("ordered"),
                true("starts_where_previous_ends"),
                true("only_the_top_band_open"),
                row_count_between(1, None),
            ],
            row_id_columns=["tier_rank"],
        )
    ],
    ("int", "task_attributes_raw"): [
        GxSuite(
            "task_attributes_raw__rows_numbered_and_named",
            "select * from int.task_attributes_raw",
            [not_null("source_row"), not_null("attribute"), unique("source_row", "attribute")],
            row_id_columns=["source_row", "attribute"],
        )
    ],
    ("int", "onet_oes_crosswalk"): [
        GxSuite(
            "onet_oes_crosswalk__one_row_per_onet_occupation_with_tasks",
            """
            select c.*, (select count(distinct onet_soc_code) from staging.onet_task_statements)
                = (select count(*) from int.onet_oes_crosswalk) as every_occupation_present
            from int.onet_oes_crosswalk as c
            """,
            [
                unique("onet_soc_code"),
                in_set("match_level", MATCH_LEVELS),
                not_null("match_level"),
                true("every_occupation_present"),
                between("allocated_employment", 0, None),
                between("allocation_share", 0, 1, strict_min=True),
            ],
            row_id_columns=["onet_soc_code"],
        ),
        GxSuite(
            "onet_oes_crosswalk__allocated_employment_sums_to_oes_employment",
            """
            select c.oes_code, c.oes_o_group,
                sum(c.allocated_employment) as allocated,
                min(c.oes_employment) as oes_employment,
                any_value(o.tot_emp) as oes_file_employment,
                -- suppressed employment is null on both sides, which agrees
                sum(c.allocated_employment) is not distinct from min(c.oes_employment)
                    and min(c.oes_employment) is not distinct from max(c.oes_employment) as sums_exactly,
                -- against the staged OES file itself, not only the table's own copy of it (a broad
                -- row: what its detailed rows do not publish)
                sum(c.allocated_employment) is not distinct from any_value(o.tot_emp) - coalesce(any_value(p.published), 0)
                    as equals_the_oes_file,
                sum(c.allocated_wage_bill_cents) = min(c.oes_employment) * min(c.annual_wage_usd * 100)
                    or min(c.annual_wage_usd) is null or min(c.oes_employment) is null as bill_sums_exactly
            from int.onet_oes_crosswalk as c
            left join staging.oes_national as o on o.occ_code = c.oes_code and o.o_group = c.oes_o_group
            left join (
                -- detailed employment per SOC broad group (an OES-only code such as 15-1256: the
                -- group of the SOC codes sharing its first six characters)
                select broad_code, sum(tot_emp) as published
                from (
                    select d.tot_emp, coalesce(s.broad_code, (
                        select any_value(x.broad_code) from staging.soc_structure as x
                        where x.soc_group = 'Detailed' and left(x.soc_code, 6) = left(d.occ_code, 6)
                    )) as broad_code
                    from staging.oes_national as d
                    left join staging.soc_structure as s on s.soc_code = d.occ_code and s.soc_group = 'Detailed'
                    where d.o_group = 'detailed'
                )
                group by 1
            ) as p on c.oes_o_group = 'broad' and p.broad_code = c.oes_code
            where c.oes_code is not null
            group by all
            """,
            [
                true("sums_exactly"),
                true("equals_the_oes_file"),
                true("bill_sums_exactly"),
                row_count_between(1, None),
            ],
            row_id_columns=["oes_code", "oes_o_group"],
            description="Employment shared by several O*NET codes is divided, never copied: per OES row the "
            "allocated employment adds up to the OES employment exactly (and so does the wage bill).",
        ),
        GxSuite(
            "onet_oes_crosswalk__total_allocated_within_oes_detailed_total",
            """
            select *, allocated <= oes_total as within_total
            from (
                select
                    (select sum(allocated_employment) from int.onet_oes_crosswalk) as allocated,
                    (select sum(tot_emp) from staging.oes_national where o_group = 'total') as oes_total
            )
            """,
            [true("within_total")],
            row_id_columns=["allocated", "oes_total"],
            description="Guards against the copied-employment bug (177.7M counted against 140.9M).",
        ),
    ],
    ("int", "task_weight_variants"): [
        GxSuite(
            "task_weight_variants__weights_sum_to_one_per_method_and_occupation",
            """
            select weighting, onet_soc_code, abs(sum(weight) - 1) < 1e-9 as sums_to_one,
                count(*) = count(distinct task_id) as tasks_unique
            from int.task_weight_variants group by all
            """,
            [true("sums_to_one"), true("tasks_unique"), in_set("weighting", WEIGHTINGS)],
            row_id_columns=["weighting", "onet_soc_code"],
        )
    ],
    ("int", "task_weights"): [
        GxSuite(
            "task_weights__weights_sum_to_one_per_occupation",
            """
            select onet_soc_code, abs(sum(weight) - 1) < 1e-9 as sums_to_one, min(weight) >= 0 as non_negative
            from int.task_weights group by all
            """,
            [true("sums_to_one"), true("non_negative")],
            row_id_columns=["onet_soc_code"],
        ),
        GxSuite(
            "task_weights__every_task_weighted_once",
            """
            select t.onet_soc_code, t.task_id, count(w.task_id) as weights
            from staging.onet_task_statements as t
            left join int.task_weights as w using (onet_soc_code, task_id)
            group by all
            """,
            [in_set("weights", [1])],
            row_id_columns=["onet_soc_code", "task_id"],
        ),
    ],
    ("int", "dwa_labels"): [
        GxSuite(
            "dwa_labels__every_dwa_labelled",
            "select * from int.dwa_labels",
            [unique("dwa_id"), not_null("nature"), in_set("nature", NATURES), not_null("is_digital")],
            row_id_columns=["dwa_id"],
        )
    ],
    ("int", "task_labels"): [
        GxSuite(
            "task_labels__one_label_per_task",
            """
            select *, (dwa_count = 0) = (nature = 'unknown') as unknown_iff_no_dwa from int.task_labels
            """,
            [
                unique("onet_soc_code", "task_id"),
                in_set("nature", [*NATURES, "unknown"]),
                true("unknown_iff_no_dwa"),
            ],
            row_id_columns=["onet_soc_code", "task_id"],
        )
    ],
    ("marts", "task_value"): [
        GxSuite(
            "task_value__value_sums_to_allocated_bill_per_occupation",
            """
            with task_sums as (
                select onet_soc_code, sum(annual_value_usd) as value_usd, count(annual_value_usd) as valued
                from marts.task_value group by all
            )
            -- the bill is the crosswalk's, not the table's own copy of it
            select c.onet_soc_code, t.value_usd, c.allocated_wage_bill_usd as bill_usd,
                (t.value_usd = c.allocated_wage_bill_usd)
                    or (c.allocated_wage_bill_usd is null and t.valued = 0) as equal_to_the_cent
            from int.onet_oes_crosswalk as c
            inner join task_sums as t using (onet_soc_code)
            """,
            [true("equal_to_the_cent"), row_count_between(1, None)],
            row_id_columns=["onet_soc_code"],
            description="Sum of task values = the occupation's allocated wage bill, to the cent.",
        ),
        GxSuite(
            "task_value__every_task_once_with_labels_and_ranks",
            """
            select t.*,
                (select count(*) from staging.onet_task_statements) = (select count(*) from marts.task_value)
                    as every_task_present,
                hourly_wage_usd is null or tier is not null as tiered_when_wage_known
            from marts.task_value as t
            """,
            [
                unique("onet_soc_code", "task_id"),
                unique("priority_rank"),
                not_null("task"),
                in_set("nature", [*NATURES, "unknown"]),
                between("annual_value_usd", 0, None),
                between("task_weight", 0, 1),
                true("every_task_present"),
                true("tiered_when_wage_known"),
                row_count_between(1, None),
            ],
            row_id_columns=["onet_soc_code", "task_id"],
        ),
        GxSuite(
            "task_value__each_value_is_its_weighted_share_and_each_tier_fits_its_cost",
            """
            select t.onet_soc_code, t.task_id, t.annual_value_usd, t.task_weight, t.tier,
                -- largest remainder: the floor of the exact share or one cent more
                t.annual_value_usd is null
                    or abs(t.annual_value_usd - c.allocated_wage_bill_usd::double * w.weight) < 0.0101
                    as within_a_cent_of_its_share,
                t.task_weight = w.weight as weight_as_computed,
                t.tier is null
                    or (t.loaded_hourly_cost_usd >= r.tier_min_usd
                        and (r.tier_max_usd is null or t.loaded_hourly_cost_usd < r.tier_max_usd))
                    as tier_fits_cost
            from marts.task_value as t
            inner join int.onet_oes_crosswalk as c using (onet_soc_code)
            left join int.task_weights as w using (onet_soc_code, task_id)
            left join int.wage_tiers as r on r.tier = t.tier
            """,
            [true("within_a_cent_of_its_share"), true("weight_as_computed"), true("tier_fits_cost")],
            row_id_columns=["onet_soc_code", "task_id"],
            description="Each task's value is its weighted share of the occupation's allocated bill (within the "
            "cent the largest-remainder rounding moves), its weight is int.task_weights', and its tier's band "
            "holds its loaded hourly cost.",
        ),
    ],
    ("marts", "occupation_value"): [
        GxSuite(
            "occupation_value__one_row_per_occupation_with_shares_0_to_1",
            """
            select *, abs(judgment_share + routine_share + interpersonal_share + physical_share + unknown_share - 1)
                < 1e-9 as natures_sum_to_one
            from marts.occupation_value
            """,
            [
                unique("onet_soc_code"),
                between("digital_share", 0, 1.000000001),
                true("natures_sum_to_one"),
                between("employment", 0, None),
            ],
            row_id_columns=["onet_soc_code"],
        )
    ],
    ("marts", "task_family_value"): [
        GxSuite(
            "task_family_value__levels_add_up_to_linked_task_value",
            """
            with linked as (
                select sum(annual_value_usd) as v from marts.task_value where dwa_count > 0
            )
            select level, count(*) as families, abs(sum(annual_value_usd) - (select v from linked)) <= 1
                as adds_up_within_a_dollar
            from marts.task_family_value group by level
            """,
            [
                true("adds_up_within_a_dollar"),
                in_set("level", ["dwa", "iwa", "gwa"]),
                row_count_between(3, 3),
            ],
            row_id_columns=["level"],
        ),
        GxSuite(
            "task_family_value__each_family_is_its_tasks_1_over_k_shares_to_the_cent",
            FAMILY_RECOMPUTED,
            [
                true("a_row_per_linked_family"),
                true("value_is_its_tasks_shares_to_the_cent"),
                true("gwa_as_in_reference"),
                true("counts_as_linked"),
                true("employment_reached_as_linked"),
                true("wage_as_linked"),
                row_count_between(1, None),
            ],
            row_id_columns=["level", "activity_id"],
            description="Recomputed from staging.onet_tasks_to_dwas, the DWA reference and marts.task_value: "
            "each DWA, IWA and GWA row is the sum of 1/k of the value of each task linked to it (k = the "
            "task's DWA links), exact and rounded half to even to the cent; every linked family has a row "
            "and no other row exists; its GWA, task and occupation counts, employment reached (each "
            "occupation once) and employment-weighted wage are those of its linked tasks. A failure means "
            "value moved between families, a family is missing or invented, or the model's split or "
            "roll-up changed: compare the failing rows' exact_value_usd with annual_value_usd and fix "
            "sql/marts/task_family_value.sql (or the input it read) before publishing.",
        ),
        GxSuite(
            "task_family_value__each_iwa_and_gwa_is_the_sum_of_the_families_under_it",
            FAMILY_ROLL_UP,
            [true("value_is_the_sum_of_its_children"), row_count_between(1, None)],
            row_id_columns=["level", "activity_id"],
            description="Each IWA row's value is the sum of its DWA rows' values, and each GWA row's the sum "
            "of its IWA rows' (through the DWA and IWA references), within the half cent per family that "
            "rounding each level to the cent allows. A failure means value moved between families of one "
            "level, or a DWA's GWA contradicts its IWA's: look at the failing parent's children and fix "
            "sql/marts/task_family_value.sql or the reference it read.",
        ),
        GxSuite(
            "task_family_value__families_unique",
            "select * from marts.task_family_value",
            [
                unique("level", "activity_id"),
                not_null("activity_title"),
                between("annual_value_usd", 0, None),
            ],
            row_id_columns=["level", "activity_id"],
        ),
    ],
    ("marts", "sector_occupation_value"): [
        GxSuite(
            "sector_occupation_value__one_row_per_sector_and_occupation",
            """
            select *,
                (rank_in_sector is null) = (wage_bill_usd is null) as ranked_iff_valued,
                rank_in_sector is null or count(*) over (partition by naics, rank_in_sector) = 1
                    as rank_unique_in_sector,
                (digital_rank_in_sector is null) = (coalesce(digital_wage_bill_usd, 0) = 0)
                    as digitally_ranked_iff_digital_bill
            from marts.sector_occupation_value
            """,
            [
                unique("naics", "oes_code"),
                true("ranked_iff_valued"),
                true("rank_unique_in_sector"),
                true("digitally_ranked_iff_digital_bill"),
                not_null("naics_title"),
                between("digital_share", 0, 1.000000001),
                between("wage_bill_usd", 0, None),
                in_set("wage_basis", ["a_mean", "h_mean_x_hours", "top_coded", "missing"]),
                in_set("hourly_wage_basis", ["h_mean", "a_mean_div_hours", "top_coded", "missing"]),
            ],
            row_id_columns=["naics", "oes_code"],
        )
    ],
    ("marts", "join_quality"): [
        GxSuite(
            "join_quality__coverage_reported_once",
            """
            select count(*) filter (where section = 'coverage') as coverage_rows,
                max(share_of_oes_detailed_employment) filter (where section = 'coverage') as coverage_share
            from marts.join_quality
            """,
            [in_set("coverage_rows", [1]), between("coverage_share", 0, 1)],
        )
    ],
    ("marts", "weighting_sensitivity"): [
        GxSuite(
            "weighting_sensitivity__correlations_and_overlaps_in_range",
            "select * from marts.weighting_sensitivity",
            [
                unique("entity", "method_a", "method_b"),
                between("spearman_rank_correlation", -1.000000001, 1.000000001),
                between("top_n_overlap_share", 0, 1),
                row_count_between(2, None),
            ],
            row_id_columns=["entity", "method_a", "method_b"],
        )
    ],
    ("marts", "task_attribute_value"): [
        GxSuite(
            "task_attribute_value__one_value_per_task_and_attribute",
            "select * from marts.task_attribute_value",
            [unique("onet_soc_code", "task_id", "attribute"), not_null("task")],
            row_id_columns=["onet_soc_code", "task_id", "attribute"],
        )
    ],
    ("marts", "task_attribute_unmatched"): [
        GxSuite(
            "task_attribute_unmatched__rows_in_equal_matched_plus_unmatched",
            """
            select *, rows_in = rows_matched + rows_unmatched and rows_in = rows_accounted as nothing_dropped
            from (
                select
                    (select count(distinct source_row) from int.task_attributes_raw) as rows_in,
                    (select count(distinct source_row) from marts.task_attribute_value) as rows_matched,
                    (select count(*) from marts.task_attribute_unmatched) as rows_unmatched,
                    -- a row both matched and reported must not hide one that is neither
                    (select count(*) from (
                        select source_row from marts.task_attribute_value
                        union select source_row from marts.task_attribute_unmatched
                    )) as rows_accounted
            )
            """,
            [true("nothing_dropped")],
            row_id_columns=["rows_in", "rows_matched", "rows_unmatched", "rows_accounted"],
            description="Every attribute-file row is either joined onto a task or listed as unmatched.",
        )
    ],
    ("marts", "occupation_attribute_value"): [
        GxSuite(
            "occupation_attribute_value__one_row_per_occupation_and_attribute",
            "select * from marts.occupation_attribute_value",
            [unique("onet_soc_code", "attribute"), between("weight_covered", 0, 1.000000001)],
            row_id_columns=["onet_soc_code", "attribute"],
        )
    ],
}

VALUE_CHECKS = [gx_asset_check(list(key), suite) for key, suites in SUITES.items() for suite in suites]
