-- What did and did not join between O*NET and OES, as one long table of sections:
-- match_level (O*NET occupations and allocated employment per match level), onet_without_oes (each
-- O*NET occupation with tasks but no OES row), onet_without_tasks (each O*NET occupation of the
-- release without task statements: it is in no other table, and an "All Other" .00 code among them
-- leaves its OES row to its breakouts), oes_without_tasks (each OES detailed row no O*NET
-- occupation with tasks maps to), wage_missing (matched occupations whose wage bill is null: no usable
-- mean wage, or the employment suppressed, `**`),
-- tasks_without_dwa (tasks labelled unknown), and coverage (share of OES detailed employment that has
-- tasks behind it; expect 98-99%). Sections overlap (match_level and coverage both count the matched
-- employment): filter on section before adding up.
-- columns:
--   section: match_level, onet_without_oes, onet_without_tasks, oes_without_tasks, wage_missing,
--     tasks_without_dwa or coverage.
--   item_code: Match level, O*NET-SOC code or OES code the row is about (null for totals).
--   item_title: Title of the item.
--   occupations_count: O*NET occupations (or OES rows) counted in the row.
--   tasks_count: Tasks counted in the row (where meaningful).
--   employment: Employment counted in the row (workers; null where no OES employment applies: the
--     match level none, O*NET occupations without an OES row or without tasks).
--   share_of_oes_detailed_employment: employment / total OES detailed employment.
with detailed as (
    select occ_code, occ_title, tot_emp from staging.oes_national where o_group = 'detailed'
),

total as (
    select sum(tot_emp) as employment from detailed
),

matched_codes as (
    select distinct oes_code from int.onet_oes_crosswalk where oes_o_group = 'detailed'
),

sections as (
    select
        'match_level' as section,
        match_level as item_code,
        null as item_title,
        count(*) as occupations_count,
        sum(task_count) as tasks_count,
        sum(allocated_employment) as employment
    from int.onet_oes_crosswalk
    group by match_level

    union all
    select 'onet_without_oes', onet_soc_code, occupation_title, 1, task_count, null
    from int.onet_oes_crosswalk
    where match_level = 'none'

    union all
    select 'onet_without_tasks', o.onet_soc_code, o.title, 1, 0, null
    from staging.onet_occupations as o
    where o.onet_soc_code not in (select onet_soc_code from staging.onet_task_statements)

    union all
    select 'oes_without_tasks', d.occ_code, d.occ_title, 1, 0, d.tot_emp
    from detailed as d
    where d.occ_code not in (select oes_code from matched_codes)

    union all
    select 'wage_missing', onet_soc_code, occupation_title, 1, task_count, allocated_employment
    from int.onet_oes_crosswalk
    where oes_code is not null and allocated_wage_bill_usd is null

    union all
    select 'tasks_without_dwa', null, 'Tasks with no DWA (nature unknown)', count(distinct onet_soc_code), count(*),
        null
    from int.task_labels
    where nature = 'unknown'

    union all
    select 'coverage', null, 'OES detailed employment with tasks', count(*), null, sum(d.tot_emp)
    from detailed as d
    where d.occ_code in (select oes_code from matched_codes)
)

select
    section,
    item_code,
    item_title,
    occupations_count,
    tasks_count::bigint as tasks_count,
    employment::bigint as employment,
    employment / (select employment from total) as share_of_oes_detailed_employment
from sections
order by section, employment desc nulls last, item_code
