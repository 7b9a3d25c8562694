-- Value by work-activity family at three levels (dwa, iwa, gwa). A task linked to k DWAs gives 1/k of
-- its annual value to each; DWA value rolls up to its IWA and GWA. Employment reached counts each
-- occupation once per family (no double counting across its tasks). A task linked to no DWA is in no
-- family: the families of a level add up to the value of the linked tasks only (on the real data
-- 301 tasks, $138.1bn of $10.34tn, are linked to none). A DWA no task links to has no row (5 of the
-- 2,087 DWAs in release 29.0).
-- columns:
--   level: dwa, iwa or gwa.
--   activity_id: DWA ID, IWA ID or GWA Element ID.
--   activity_title: Title of the activity.
--   gwa_id: GWA the activity belongs to (itself for level gwa).
--   nature: Label of the activity from the mapping (most specific row for its level).
--   is_digital: Digital label of the activity from the mapping. Summing value by it counts each
--     task's 1/k share by the activity's own label, so it differs from summing marts.task_value by its
--     is_digital, the task's flag (half or more of its DWAs digital): on the real data 61.6% of
--     the gwa families' value against 68.6% of marts.task_value's.
--   annual_value_usd: Annual value of the family ($/yr), the 1/k shares of its tasks summed exactly
--     (integer arithmetic) and rounded half to even to cents, so it is deterministic and unbiased.
--   employment_reached: Allocated employment of the distinct occupations with a task in the family
--     (null when none of them has an OES row).
--   occupations_count: Distinct O*NET occupations with a task in the family.
--   tasks_count: Distinct tasks linked to the family.
--   employment_weighted_hourly_wage_usd: Mean hourly wage of the occupations reached, weighted by their
--     allocated employment ($/hr; weights the published marts.task_value.hourly_wage_usd, already in
--     cents, so it re-derives from that table; an annual-only wage enters as A_MEAN/hours rounded;
--     an occupation without a wage counts in neither sum), rounded to cents.
--   value_rank_in_level: Rank by annual value within the level (1 = largest; equal values are numbered
--     in activity_id order; null when the family has no value: its tasks belong only to occupations
--     without an OES wage).
with linked as (
    select * from marts.task_value where dwa_count > 0
),

-- a common multiple of every k: a task's 1/k share of its value in cents is then a whole number of
-- 1/L cents, so family sums are exact integers whatever the order of summation
common as (
    select list_reduce(list(distinct dwa_count::hugeint), lambda a, b: lcm(a, b)) as l from linked
),

task_links as (
    -- the task's linked DWAs are listed on marts.task_value (dwa_ids, dwa_count = k)
    select
        t.onet_soc_code,
        t.task_id,
        unnest(t.dwa_ids) as dwa_id,
        (t.annual_value_usd * 100)::hugeint * (c.l // t.dwa_count) as share_units,
        t.allocated_employment,
        t.hourly_wage_usd
    from linked as t
    cross join common as c
),

with_families as (
    select k.*, d.iwa_id, d.gwa_id
    from task_links as k
    join staging.onet_dwa_reference as d using (dwa_id)
),

-- one pass for the three levels: a grouping set per level
values_ as (
    select
        case when grouping(dwa_id) = 0 then 'dwa' when grouping(iwa_id) = 0 then 'iwa' else 'gwa' end as level,
        coalesce(dwa_id, iwa_id, gwa_id) as activity_id,
        any_value(gwa_id) as gwa_id,
        sum(share_units) as units,
        count(distinct task_id) as tasks_count
    from with_families
    group by grouping sets ((dwa_id), (iwa_id), (gwa_id))
),

-- the exact sum in cents (units / L), rounded half to even: half-cent sums are common (k = 2 splits),
-- and rounding them half to even keeps the levels unbiased
rounded as (
    select
        u.* exclude (units),
        (case
            when 2 * (u.units % c.l) > c.l then u.units // c.l + 1
            when 2 * (u.units % c.l) = c.l then u.units // c.l + (u.units // c.l) % 2
            else u.units // c.l
        end)::decimal(38, 0) * 0.01::decimal(3, 2) as value_usd
    from values_ as u
    cross join common as c
),

-- each occupation once per family
occupation_families as (
    select
        case when grouping(dwa_id) = 0 then 'dwa' when grouping(iwa_id) = 0 then 'iwa' else 'gwa' end as level,
        coalesce(dwa_id, iwa_id, gwa_id) as activity_id,
        any_value(allocated_employment) as allocated_employment,
        any_value(hourly_wage_usd) as hourly_wage_usd
    from with_families
    group by grouping sets ((dwa_id, onet_soc_code), (iwa_id, onet_soc_code), (gwa_id, onet_soc_code))
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
    from occupation_families
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
    v.value_usd::decimal(20, 2) as annual_value_usd,
    r.employment_reached::bigint as employment_reached,
    r.occupations_count,
    v.tasks_count,
    round(r.wage, 2)::decimal(12, 2) as employment_weighted_hourly_wage_usd,
    -- nulls sort last, so valued families are numbered 1..n; a family without a value gets no rank
    case
        when v.value_usd is not null
            then row_number() over (partition by v.level order by v.value_usd desc nulls last, v.activity_id)
    end as value_rank_in_level
from rounded as v
join reach as r using (level, activity_id)
left join titles as t using (level, activity_id)
order by v.level, value_rank_in_level nulls last, v.activity_id
