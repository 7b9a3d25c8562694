-- Value by work-activity family at three levels (dwa, iwa, gwa). A task linked to k DWAs gives 1/k of
-- its annual value to each; DWA value rolls up to its IWA and GWA. Employment reached counts each
-- occupation once per family (no double counting across its tasks).
-- columns:
--   level: dwa, iwa or gwa.
--   activity_id: DWA ID, IWA ID or GWA Element ID.
--   activity_title: Title of the activity.
--   gwa_id: GWA the activity belongs to (itself for level gwa).
--   nature: Label of the activity from the mapping (most specific row for its level).
--   is_digital: Digital label of the activity from the mapping.
--   annual_value_usd: Annual value of the family ($/yr), the 1/k shares of its tasks.
--   employment_reached: Allocated employment of the distinct occupations with a task in the family.
--   occupations_count: Distinct O*NET occupations with a task in the family.
--   tasks_count: Distinct tasks linked to the family.
--   employment_weighted_hourly_wage_usd: Mean hourly wage of the occupations reached, weighted by their
--     allocated employment ($/hr).
--   value_rank_in_level: Rank by annual value within the level (1 = largest).
with links as (
    select distinct l.onet_soc_code, l.task_id, l.dwa_id
    from staging.onet_tasks_to_dwas as l
),

task_links as (
    select
        k.*,
        d.iwa_id,
        d.gwa_id,
        t.annual_value_usd::decimal(38, 6) / count(*) over (partition by k.onet_soc_code, k.task_id)
            as value_share,
        t.allocated_employment,
        t.hourly_wage_usd
    from links as k
    join marts.task_value as t using (onet_soc_code, task_id)
    join staging.onet_dwa_reference as d using (dwa_id)
),

long as (
    select 'dwa' as level, dwa_id as activity_id, gwa_id, * exclude (dwa_id, iwa_id, gwa_id) from task_links
    union all
    select 'iwa', iwa_id, gwa_id, * exclude (dwa_id, iwa_id, gwa_id) from task_links
    union all
    select 'gwa', gwa_id, gwa_id, * exclude (dwa_id, iwa_id, gwa_id) from task_links
),

values_ as (
    select level, activity_id, any_value(gwa_id) as gwa_id, round(sum(value_share), 2)::decimal(20, 2) as value_usd,
        count(distinct task_id) as tasks_count
    from long
    group by level, activity_id
),

reach as (
    select
        level,
        activity_id,
        sum(allocated_employment) as employment_reached,
        count(*) as occupations_count,
        sum(allocated_employment * hourly_wage_usd) / sum(allocated_employment) filter (
            where hourly_wage_usd is not null
        ) as wage
    from (
        select distinct level, activity_id, onet_soc_code, allocated_employment, hourly_wage_usd from long
    )
    group by level, activity_id
),

titles as (
    select 'dwa' as level, dwa_id as activity_id, dwa_title as activity_title, nature, is_digital
    from int.dwa_labels
    union all
    select 'iwa', i.iwa_id, i.iwa_title, coalesce(li.nature, lg.nature), coalesce(li.is_digital, lg.is_digital)
    from staging.onet_iwa_reference as i
    left join int.activity_labels as li on li.level = 'iwa' and li.element_id = i.iwa_id
    left join int.activity_labels as lg on lg.level = 'gwa' and lg.element_id = i.gwa_id
    union all
    select 'gwa', c.element_id, c.element_name, lg.nature, lg.is_digital
    from staging.onet_content_model_reference as c
    left join int.activity_labels as lg on lg.level = 'gwa' and lg.element_id = c.element_id
)

select
    v.level,
    v.activity_id,
    t.activity_title,
    v.gwa_id,
    t.nature,
    t.is_digital,
    v.value_usd as annual_value_usd,
    r.employment_reached::bigint as employment_reached,
    r.occupations_count,
    v.tasks_count,
    round(r.wage, 2)::decimal(12, 2) as employment_weighted_hourly_wage_usd,
    row_number() over (partition by v.level order by v.value_usd desc nulls last, v.activity_id)
        as value_rank_in_level
from values_ as v
join reach as r using (level, activity_id)
left join titles as t using (level, activity_id)
order by v.level, value_rank_in_level
