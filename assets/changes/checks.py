"""Blocking checks of the release-change tables.

Check names are statements about the table (`<table>__<what holds>`).
"""

from assets.common.gx_checks import GxSuite, gx_asset_check, in_set, not_null, row_count_between, true, unique

# The occupation rows of marts.release_changes restated from the two staged OES files. Where OES
# publishes no A_MEAN the bill is TOT_EMP x H_MEAN x hours a year (a setting the check cannot read):
# every such row must imply the same whole number of hours, which must reproduce its bill exactly.
OCCUPATIONS_FROM_FILES = """
with cur as (select * from staging.oes_national where o_group = 'detailed'),
prev as (select * from staging.oes_national_previous where o_group = 'detailed'),
occupations as (select * from marts.release_changes where change_level = 'occupation'),
hourly_only as (
    select round(o.current_value_usd / (c.tot_emp * c.h_mean_usd))::bigint as hours
    from occupations as o join cur as c on c.occ_code = o.oes_code
    where c.a_mean_usd is null and c.h_mean_usd is not null and c.tot_emp > 0
    union all
    select round(o.previous_value_usd / (p.tot_emp * p.h_mean_usd))::bigint
    from occupations as o join prev as p on p.occ_code = o.oes_code
    where p.a_mean_usd is null and p.h_mean_usd is not null and p.tot_emp > 0
),
hours as (select count(distinct hours) as distinct_hours, min(hours) as hours from hourly_only)
select
    coalesce(o.oes_code, c.occ_code, p.occ_code) as oes_code,
    o.status,
    o.previous_value_usd,
    o.current_value_usd,
    h.hours as hours_per_year_implied,
    count(*) over (partition by coalesce(o.oes_code, c.occ_code, p.occ_code)) = 1
        and o.oes_code is not null and (c.occ_code is not null or p.occ_code is not null)
        as one_row_per_code_of_either_file,
    o.status is not distinct from case
        when p.occ_code is null then 'new' when c.occ_code is null then 'removed' else 'continuing'
    end and o.previous_oes_code is not distinct from p.occ_code as status_as_in_files,
    o.previous_employment is not distinct from p.tot_emp
        and o.current_employment is not distinct from c.tot_emp as employment_as_in_files,
    -- H_MEAN as published, else A_MEAN / hours to the cent, else null
    case
        when p.h_mean_usd is not null then o.previous_hourly_wage_usd = p.h_mean_usd
        when p.a_mean_usd is not null
            then h.hours is null or abs(o.previous_hourly_wage_usd - p.a_mean_usd / h.hours) <= 0.005000001
        else o.previous_hourly_wage_usd is null
    end and case
        when c.h_mean_usd is not null then o.current_hourly_wage_usd = c.h_mean_usd
        when c.a_mean_usd is not null
            then h.hours is null or abs(o.current_hourly_wage_usd - c.a_mean_usd / h.hours) <= 0.005000001
        else o.current_hourly_wage_usd is null
    end as hourly_wages_as_in_files,
    -- the wage bill: TOT_EMP x A_MEAN, else TOT_EMP x H_MEAN x hours, else null (never 0)
    o.previous_value_usd is not distinct from
            coalesce(p.tot_emp * p.a_mean_usd, p.tot_emp * p.h_mean_usd * h.hours)
        and o.current_value_usd is not distinct from
            coalesce(c.tot_emp * c.a_mean_usd, c.tot_emp * c.h_mean_usd * h.hours)
        as values_are_the_files_wage_bills,
    h.distinct_hours <= 1 and (h.hours is null or h.hours between 1 and 8784) as one_whole_number_of_hours,
    o.value_change_usd is not distinct from o.current_value_usd - o.previous_value_usd
        and (o.value_change_pct is null) = (o.value_change_usd is null or o.previous_value_usd = 0)
        and (o.value_change_pct is null
            or abs(o.value_change_pct - o.value_change_usd / o.previous_value_usd * 100) <= 0.005000001)
        as change_consistent
from occupations as o
full join cur as c on c.occ_code = o.oes_code
full join prev as p on p.occ_code = coalesce(o.oes_code, c.occ_code)
cross join hours as h
"""

# An OES code every O*NET code of which is matched to its detailed row (in that vintage's crosswalk):
# its occupation row summarises its task rows, so each side is theirs, exactly.
OCCUPATIONS_FROM_TASKS = """
with current_matched as (
    select oes_code, min(hourly_wage_usd) as hourly_wage_usd, max(hourly_wage_usd) as hourly_wage_max,
        sum(allocated_employment) as employment
    from int.onet_oes_crosswalk where oes_code is not null
    group by oes_code having bool_and(oes_o_group = 'detailed')
),
previous_matched as (
    select oes_code, min(hourly_wage_usd) as hourly_wage_usd, max(hourly_wage_usd) as hourly_wage_max,
        sum(allocated_employment) as employment
    from int.onet_oes_crosswalk_previous where oes_code is not null
    group by oes_code having bool_and(oes_o_group = 'detailed')
),
current_tasks as (
    select oes_code, sum(current_value_usd) as value_usd
    from marts.release_changes where change_level = 'task' and oes_code is not null group by all
),
previous_tasks as (
    select previous_oes_code as oes_code, sum(previous_value_usd) as value_usd
    from marts.release_changes where change_level = 'task' and previous_oes_code is not null group by all
)
select
    o.oes_code,
    o.current_value_usd,
    ct.value_usd as current_task_value_usd,
    o.previous_value_usd,
    pt.value_usd as previous_task_value_usd,
    cm.oes_code is null or (
        o.current_value_usd is not distinct from ct.value_usd
        and o.current_employment is not distinct from cm.employment
        and o.current_hourly_wage_usd is not distinct from cm.hourly_wage_usd
        and cm.hourly_wage_usd is not distinct from cm.hourly_wage_max
    ) as current_side_is_its_task_rows,
    pm.oes_code is null or (
        o.previous_value_usd is not distinct from pt.value_usd
        and o.previous_employment is not distinct from pm.employment
        and o.previous_hourly_wage_usd is not distinct from pm.hourly_wage_usd
        and pm.hourly_wage_usd is not distinct from pm.hourly_wage_max
    ) as previous_side_is_its_task_rows
from marts.release_changes as o
left join current_matched as cm using (oes_code)
left join previous_matched as pm using (oes_code)
left join current_tasks as ct using (oes_code)
left join previous_tasks as pt using (oes_code)
where o.change_level = 'occupation'
"""

SUITES: dict[tuple[str, str], list[GxSuite]] = {
    ("int", "onet_oes_crosswalk_previous"): [
        GxSuite(
            "onet_oes_crosswalk_previous__allocated_employment_sums_to_oes_employment",
            """
            -- employment the OES file suppresses (May 2020: 13-1074) is null on both sides: that agrees
            select oes_code, oes_o_group, sum(allocated_employment) is not distinct from min(oes_employment)
                and min(oes_employment) is not distinct from max(oes_employment) as sums_exactly,
                count(*) = count(distinct onet_soc_code) as codes_unique
            from int.onet_oes_crosswalk_previous where oes_code is not null group by all
            """,
            [true("sums_exactly"), true("codes_unique")],
            row_id_columns=["oes_code", "oes_o_group"],
        ),
    ],
    ("marts", "release_changes"): [
        GxSuite(
            "release_changes__one_row_per_occupation_and_task",
            """
            select *,
                change_level = 'occupation' or value_change_usd is null
                    or value_change_usd = current_value_usd - previous_value_usd as change_consistent
            from marts.release_changes
            """,
            [
                unique("change_level", "oes_code", "onet_soc_code", "task_id"),
                in_set("change_level", ["occupation", "task"]),
                in_set(
                    "status",
                    [
                        "new",
                        "removed",
                        "continuing",
                        "matched_only_current",
                        "matched_only_previous",
                        "unmatched",
                    ],
                ),
                not_null("current_vintage"),
                true("change_consistent"),
            ],
            row_id_columns=["change_level", "oes_code", "onet_soc_code", "task_id"],
        ),
        GxSuite(
            "release_changes__task_values_add_up_to_allocated_bills_in_both_vintages",
            # like marts.task_value's own check, for the previous vintage too: a value change per
            # occupation is then the change of its allocated bill, with no rounding left in it
            """
            select r.onet_soc_code,
                sum(r.previous_value_usd) is not distinct from min(cp.allocated_wage_bill_usd) as previous_adds_up,
                sum(r.current_value_usd) is not distinct from min(c.allocated_wage_bill_usd) as current_adds_up
            from marts.release_changes as r
            join int.onet_oes_crosswalk_previous as cp using (onet_soc_code)
            join int.onet_oes_crosswalk as c using (onet_soc_code)
            where r.change_level = 'task'
            group by all
            """,
            [unique("onet_soc_code"), true("previous_adds_up"), true("current_adds_up")],
            row_id_columns=["onet_soc_code"],
        ),
        GxSuite(
            "release_changes__occupation_rows_restate_both_oes_files",
            OCCUPATIONS_FROM_FILES,
            [
                true("one_row_per_code_of_either_file"),
                true("status_as_in_files"),
                true("employment_as_in_files"),
                true("hourly_wages_as_in_files"),
                true("values_are_the_files_wage_bills"),
                true("one_whole_number_of_hours"),
                true("change_consistent"),
                row_count_between(1, None),
            ],
            row_id_columns=["oes_code"],
            description="Each occupation row restates one OES detailed row of either staged vintage "
            "(staging.oes_national, staging.oes_national_previous): its status, employment, mean hourly "
            "wage and wage bill (TOT_EMP x A_MEAN, else TOT_EMP x H_MEAN x hours a year, else null), and "
            "its change = current - previous. A failure means sql/marts/release_changes.sql no longer "
            "computes the occupation side from the files (or a row is missing or doubled): look at the "
            "failing OES codes, fix the model, and do not publish until it passes.",
        ),
        GxSuite(
            "release_changes__matched_occupation_rows_add_up_their_task_rows",
            OCCUPATIONS_FROM_TASKS,
            [
                true("current_side_is_its_task_rows"),
                true("previous_side_is_its_task_rows"),
                unique("oes_code"),
                row_count_between(1, None),
            ],
            row_id_columns=["oes_code"],
            description="For an OES code whose O*NET codes all match its detailed row (per vintage's "
            "crosswalk), the occupation row's wage bill equals the sum of its task rows' values to the "
            "cent, its employment the crosswalk's allocated employment, and its hourly wage the "
            "crosswalk's. A failure means the occupation and task rows of marts.release_changes disagree: "
            "one side was computed from other inputs than the other; compare the failing code's rows with "
            "int.onet_oes_crosswalk(_previous) and fix sql/marts/release_changes.sql.",
        ),
    ],
    ("marts", "onet_release_changes"): [
        GxSuite(
            "onet_release_changes__one_row_per_task_and_known_change",
            """
            select *,
                case change
                    when 'added' then previous_task is null and task is not null
                    when 'removed' then task is null and previous_task is not null
                    else task is not null and previous_task is not null
                end as sides_match_change
            from marts.onet_release_changes
            """,
            [
                unique("change", "task_id"),
                in_set("change", ["added", "removed", "reworded", "moved"]),
                not_null("task_id"),
                not_null("previous_release"),
                not_null("current_release"),
                true("sides_match_change"),
            ],
            row_id_columns=["change", "task_id"],
        ),
    ],
}

CHANGES_CHECKS = [gx_asset_check(list(key), suite) for key, suites in SUITES.items() for suite in suites]
