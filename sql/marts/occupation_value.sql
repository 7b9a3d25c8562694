-- One row per O*NET occupation with tasks: allocated employment and wage bill, the value-weighted shares
-- of its work by nature and digital label, and its top tasks by annual value. Shares are weighted by
-- task weight, which equals value-weighting because every task of an occupation has the same wage
-- (exactly, before task values are rounded to cents: a share recomputed from the published cents can
-- differ in the last of its 12 decimals). Several O*NET occupations can share one OES row
-- (onet_codes_sharing > 1: Registered Nurses are 5 rows, each with a fifth of the employment), so rank
-- OES occupations by summing over oes_code, not by these rows.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   occupation_title: O*NET occupation title.
--   soc_major_code: SOC major group code (XX-0000).
--   soc_major_title: SOC major group title.
--   oes_code: OES OCC_CODE matched (null when unmatched).
--   oes_title: OES occupation title.
--   match_level: detailed, oes_aggregate, broad or none.
--   employment: Employment allocated to the occupation (workers; marts.task_value.allocated_employment):
--     the OES row's employment divided among the O*NET codes sharing it.
--   hourly_wage_usd: Mean hourly wage ($/hr).
--   hourly_wage_basis: h_mean, a_mean_div_hours (derived, flagged), top_coded (the mean is marked #,
--     at or above the top code: unknown, not unpublished) or missing.
--   annual_wage_usd: Mean annual wage ($/yr).
--   wage_basis: a_mean, h_mean_x_hours (derived, flagged), top_coded or missing.
--   wage_bill_usd: Allocated wage bill ($/yr) = employment x annual wage; null when no wage
--     (marts.task_value.occupation_wage_bill_usd).
--   tier: Hourly cost band of the occupation.
--   tasks_count: Task statements of the occupation.
--   digital_share: Value-weighted share of digital tasks (unknown tasks count as not digital; the sum of
--     their task weights, rounded to 12 decimals).
--   judgment_share: Value-weighted share of judgment tasks (task weights, rounded to 12 decimals).
--   routine_share: Value-weighted share of routine tasks (task weights, rounded to 12 decimals).
--   interpersonal_share: Value-weighted share of interpersonal tasks (task weights, rounded to 12
--     decimals).
--   physical_share: Value-weighted share of physical tasks (task weights, rounded to 12 decimals).
--   unknown_share: Value-weighted share of tasks without DWA (nature unknown; task weights, rounded to
--     12 decimals).
--   digital_value_usd: Annual value of the digital tasks ($/yr).
--   digital_judgment_value_usd: Annual value of the digital judgment tasks ($/yr).
--   top_tasks: The occupation's top tasks by annual value (task texts, highest first: by task weight,
--     which orders them as value does and also ranks an occupation without a wage, then by Task ID).
--   onet_codes_sharing: O*NET codes that share this occupation's OES row (1: the row is its alone; null
--     when unmatched).
--     Above 1, OES publishes one figure for several O*NET occupations and the employment (hence the
--     value) is divided among them by int.onet_oes_crosswalk.allocation_rule (equal split by default):
--     an assumption, not a measurement. At 1, a breakout code (not .00) stands for its whole OES row,
--     an "All Other" residual whose .00 code has no tasks: an assumption too.
--   tier_rank: Tier number of tier (1 = lowest-paid band, as marts.task_value.tier_rank): sort tiers by it,
--     the labels do not sort as text ('$15-25/hr' after '$100-200/hr').
with per_occupation as (
    select
        onet_soc_code,
        count(*) as tasks_count,
        sum(task_weight) filter (where is_digital) as digital_w,
        sum(task_weight) filter (where nature = 'judgment') as judgment_w,
        sum(task_weight) filter (where nature = 'routine') as routine_w,
        sum(task_weight) filter (where nature = 'interpersonal') as interpersonal_w,
        sum(task_weight) filter (where nature = 'physical') as physical_w,
        sum(task_weight) filter (where nature = 'unknown') as unknown_w,
        sum(annual_value_usd) filter (where is_digital) as digital_value,
        sum(annual_value_usd) filter (where is_digital and nature = 'judgment') as digital_judgment_value,
        -- top-n by (weight desc, task_id asc) without sorting every task: max_by keeps the n largest
        max_by(task, {weight: task_weight, task_id_desc: -task_id}, greatest($top_tasks, 1))[1:$top_tasks]
            as top_tasks,
        any_value(tier) as tier,
        any_value(tier_rank) as tier_rank
    from marts.task_value
    group by onet_soc_code
)

select
    c.onet_soc_code,
    c.occupation_title,
    c.soc_major_code,
    c.soc_major_title,
    c.oes_code,
    c.oes_title,
    c.match_level,
    c.allocated_employment as employment,
    c.hourly_wage_usd,
    c.hourly_wage_basis,
    c.annual_wage_usd,
    c.wage_basis,
    c.allocated_wage_bill_usd as wage_bill_usd,
    p.tier,
    p.tasks_count,
    -- rounded to 1e-12 so that exact fractions stay exact: a float 0.49999999999999994 fails `>= 0.5`
    round(coalesce(p.digital_w, 0), 12) as digital_share,
    round(coalesce(p.judgment_w, 0), 12) as judgment_share,
    round(coalesce(p.routine_w, 0), 12) as routine_share,
    round(coalesce(p.interpersonal_w, 0), 12) as interpersonal_share,
    round(coalesce(p.physical_w, 0), 12) as physical_share,
    round(coalesce(p.unknown_w, 0), 12) as unknown_share,
    case when c.allocated_wage_bill_usd is not null then coalesce(p.digital_value, 0) end::decimal(20, 2)
        as digital_value_usd,
    case when c.allocated_wage_bill_usd is not null then coalesce(p.digital_judgment_value, 0) end::decimal(20, 2)
        as digital_judgment_value_usd,
    p.top_tasks,
    c.onet_codes_sharing,
    p.tier_rank
from int.onet_oes_crosswalk as c
join per_occupation as p using (onet_soc_code)
order by wage_bill_usd desc nulls last, c.onet_soc_code
