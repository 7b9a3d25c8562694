-- The prioritized task-value table: one row per (O*NET occupation, task). Annual value = the
-- occupation's allocated wage bill x the task's weight, rounded to cents by largest remainder so that
-- the values of an occupation add up to its allocated bill exactly. Hourly value = the occupation's
-- mean hourly wage. Priority: tasks with a positive priority score first, then by tier (highest-paid
-- first), then judgment before other natures (configurable), then by priority score.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   occupation_title: O*NET occupation title.
--   soc_major_code: SOC major group code (XX-0000).
--   soc_major_title: SOC major group title.
--   oes_code: OES OCC_CODE the occupation is matched to (null when unmatched).
--   oes_title: OES occupation title.
--   match_level: detailed, oes_aggregate, broad or none (see int.onet_oes_crosswalk).
--   task_id: O*NET Task ID.
--   task: Task statement text.
--   task_type: Core, Supplemental, or null (n/a in the release).
--   weighting_method: Method used for this task's weight (ratings or a fallback).
--   task_weight: Weight of the task within its occupation (sums to 1 per occupation).
--   allocated_employment: Employment allocated to the occupation from its OES row.
--   hourly_wage_usd: Mean hourly wage of the occupation ($/hr, OES H_MEAN or derived).
--   hourly_wage_basis: h_mean, a_mean_div_hours (derived from annual, flagged) or missing.
--   annual_only: OES publishes only annual wages for the occupation.
--   hourly_only: OES publishes only hourly wages for the occupation (derived annual overstates pay).
--   loaded_hourly_cost_usd: hourly_wage_usd x the loaded-cost multiplier ($/hr employer cost).
--   annual_wage_usd: Mean annual wage of the occupation ($/yr, OES A_MEAN or H_MEAN x hours).
--   wage_basis: a_mean, h_mean_x_hours (derived, flagged) or missing.
--   occupation_wage_bill_usd: Allocated wage bill of the occupation ($/yr).
--   annual_value_usd: Annual value of the task ($/yr, cents exact; null when the occupation has no
--     OES row or no wage).
--   tier: Hourly cost band of the task, e.g. '$50-100/hr' (on loaded_hourly_cost_usd).
--   tier_rank: Tier number, 1 = lowest-paid band.
--   tier_min_usd: Lower bound of the tier ($/hr, inclusive).
--   tier_max_usd: Upper bound of the tier ($/hr, exclusive; null for the top tier).
--   nature: judgment, interpersonal, routine, physical, or unknown (no DWA).
--   is_digital: Whether the task can be done at a computer (null when unknown).
--   digital_dwa_share: Share of the task's DWAs that are digital.
--   job_zone: O*NET job zone of the occupation (1-5).
--   dwa_count: Number of DWAs linked to the task.
--   dwa_ids: The linked DWA IDs.
--   priority_score: Annual value counted for prioritising ($/yr): annual_value_usd for digital tasks,
--     0 for the rest (when restricted to digital work, the default).
--   priority_rank: Overall priority rank (1 = first).
--   priority_rank_in_major_group: Priority rank within the SOC major group.
with base as (
    select
        c.onet_soc_code,
        c.occupation_title,
        c.soc_major_code,
        c.soc_major_title,
        c.oes_code,
        c.oes_title,
        c.match_level,
        t.task_id,
        t.task,
        t.task_type,
        w.method as weighting_method,
        w.weight as task_weight,
        w.weight_units,
        c.allocated_employment,
        c.hourly_wage_usd,
        c.hourly_wage_basis,
        c.annual_only,
        c.hourly_only,
        round(c.hourly_wage_usd * $loaded_cost_multiplier, 2)::decimal(12, 2) as loaded_hourly_cost_usd,
        c.annual_wage_usd,
        c.wage_basis,
        c.allocated_wage_bill_usd as occupation_wage_bill_usd,
        c.allocated_wage_bill_cents as bill_cents,
        l.nature,
        l.is_digital,
        l.digital_dwa_share,
        j.job_zone,
        l.dwa_count,
        l.dwa_ids
    from staging.onet_task_statements as t
    join int.onet_oes_crosswalk as c using (onet_soc_code)
    join int.task_weights as w using (onet_soc_code, task_id)
    join int.task_labels as l using (onet_soc_code, task_id)
    left join staging.onet_job_zones as j using (onet_soc_code)
),

-- largest remainder on cents: exact integer shares, then one cent more to the largest remainders
cents as (
    select
        *,
        (bill_cents * weight_units) // sum(weight_units) over o as cents_floor,
        (bill_cents * weight_units) % sum(weight_units) over o as cents_remainder
    from base
    window o as (partition by onet_soc_code)
),

valued as (
    select
        *,
        cents_floor + case
            when row_number() over (o order by cents_remainder desc, task_id)
                <= bill_cents - sum(cents_floor) over o then 1 else 0
        end as value_cents
    from cents
    window o as (partition by onet_soc_code)
),

scored as (
    select
        v.*,
        (v.value_cents::decimal(38, 0) / 100)::decimal(20, 2) as annual_value_usd,
        tr.tier,
        tr.tier_rank,
        tr.tier_min_usd,
        tr.tier_max_usd,
        case
            when v.value_cents is null then null
            when not $digital_only or v.is_digital then annual_value_usd
            else 0
        end::decimal(20, 2) as priority_score
    from valued as v
    left join int.wage_tiers as tr
        on v.loaded_hourly_cost_usd >= tr.tier_min_usd
        and (tr.tier_max_usd is null or v.loaded_hourly_cost_usd < tr.tier_max_usd)
)

select
    onet_soc_code,
    occupation_title,
    soc_major_code,
    soc_major_title,
    oes_code,
    oes_title,
    match_level,
    task_id,
    task,
    task_type,
    weighting_method,
    task_weight,
    allocated_employment,
    hourly_wage_usd,
    hourly_wage_basis,
    annual_only,
    hourly_only,
    loaded_hourly_cost_usd,
    annual_wage_usd,
    wage_basis,
    occupation_wage_bill_usd,
    annual_value_usd,
    tier,
    tier_rank,
    tier_min_usd,
    tier_max_usd,
    nature,
    is_digital,
    digital_dwa_share,
    job_zone,
    dwa_count,
    dwa_ids,
    priority_score,
    row_number() over (order by
        coalesce(priority_score, 0) > 0 desc,
        tier_rank desc nulls last,
        $judgment_first and nature = 'judgment' desc,
        priority_score desc nulls last,
        task_id) as priority_rank,
    row_number() over (partition by soc_major_code order by
        coalesce(priority_score, 0) > 0 desc,
        tier_rank desc nulls last,
        $judgment_first and nature = 'judgment' desc,
        priority_score desc nulls last,
        task_id) as priority_rank_in_major_group
from scored
order by priority_rank
