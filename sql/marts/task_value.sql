-- The prioritized task-value table: one row per (O*NET occupation, task). Annual value = the
-- occupation's allocated wage bill x the task's weight, rounded to cents by largest remainder so that
-- the values of an occupation add up to its allocated bill exactly. Hourly value = the occupation's
-- mean hourly wage. Priority: tasks with a positive priority score first, then by tier (highest-paid
-- first), then judgment before other natures (configurable), then by priority score. Rows are
-- stored in priority_rank order.
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
--   hourly_wage_basis: h_mean, a_mean_div_hours (derived from annual, flagged), top_coded (the mean
--     is marked #, at or above the top code: unknown, not unpublished) or missing.
--   annual_only: OES publishes only annual wages for the occupation.
--   hourly_only: OES publishes only hourly wages for the occupation (derived annual overstates pay).
--   loaded_hourly_cost_usd: hourly_wage_usd x the loaded-cost multiplier ($/hr employer cost; exact, rounded
--     half to even to the cent).
--   annual_wage_usd: Mean annual wage of the occupation ($/yr, OES A_MEAN or H_MEAN x hours).
--   wage_basis: a_mean, h_mean_x_hours (derived, flagged), top_coded or missing.
--   occupation_wage_bill_usd: Allocated wage bill of the occupation ($/yr).
--   annual_value_usd: Annual value of the task ($/yr, cents exact; null when the occupation has no
--     OES row or no wage). Tasks of equal weight have equal value up to the one cent the rounding
--     gives some of them (without Task Ratings every Core task of an occupation weighs the same, and
--     so does every Supplemental one): that cent orders nothing, so a "top N" within an occupation
--     cuts through a tie; occupation_value.top_tasks breaks it by Task ID.
--   tier: Hourly cost band of the task, e.g. '$50-100/hr' (on loaded_hourly_cost_usd).
--   tier_rank: Tier number, 1 = lowest-paid band.
--   tier_min_usd: Lower bound of the tier ($/hr, inclusive).
--   tier_max_usd: Upper bound of the tier ($/hr, exclusive; null for the top tier).
--   nature: judgment, interpersonal, routine, physical, or unknown (no DWA).
--   is_digital: Whether the task can be done at a computer: at least half of its DWAs are labelled
--     digital (digital_dwa_share >= 0.5); null when the task has no DWA.
--   digital_dwa_share: Share of the task's DWAs that are digital.
--   job_zone: O*NET job zone of the occupation (1-5).
--   dwa_count: Number of DWAs linked to the task.
--   dwa_ids: The linked DWA IDs.
--   priority_score: Annual value counted for prioritising ($/yr): annual_value_usd for digital tasks,
--     0 for the rest (when restricted to digital work, the default); null for a task without a value
--     (its occupation has no OES wage).
--   priority_rank: Overall priority rank (1 = first).
--   priority_rank_in_major_group: Priority rank within the SOC major group.
--   onet_codes_sharing: O*NET codes that share this occupation's OES row (1: the row is its alone; null
--     when unmatched).
--     Above 1, OES publishes one figure for several O*NET occupations and the employment (hence the
--     value) is divided among them by int.onet_oes_crosswalk.allocation_rule (equal split by default):
--     an assumption, not a measurement. At 1, a breakout code (not .00) stands for its whole OES row,
--     an "All Other" residual whose .00 code has no tasks: an assumption too.
with occupations as (
    -- one row per occupation: everything a task inherits from it, and its tier
    select
        c.onet_soc_code,
        c.occupation_title,
        c.soc_major_code,
        c.soc_major_title,
        c.oes_code,
        c.oes_title,
        c.match_level,
        c.allocated_employment,
        c.hourly_wage_usd,
        c.hourly_wage_basis,
        c.annual_only,
        c.hourly_only,
        round_even(c.hourly_wage_usd * $loaded_cost_multiplier::decimal(10, 4), 2)::decimal(12, 2) as loaded_hourly_cost_usd,
        c.annual_wage_usd,
        c.wage_basis,
        c.allocated_wage_bill_usd as occupation_wage_bill_usd,
        c.allocated_wage_bill_cents as bill_cents,
        c.onet_codes_sharing,
        tr.tier,
        tr.tier_rank,
        tr.tier_min_usd,
        tr.tier_max_usd,
        j.job_zone
    from int.onet_oes_crosswalk as c
    left join int.wage_tiers as tr
        on round_even(c.hourly_wage_usd * $loaded_cost_multiplier::decimal(10, 4), 2)::decimal(12, 2) >= tr.tier_min_usd
        and (tr.tier_max_usd is null or round_even(c.hourly_wage_usd * $loaded_cost_multiplier::decimal(10, 4), 2)::decimal(12, 2) < tr.tier_max_usd)
    left join staging.onet_job_zones as j using (onet_soc_code)
),

units as (
    select onet_soc_code, sum(weight_units) as units_total from int.task_weights group by all
),

-- largest remainder on cents, on narrow rows: exact integer shares, then one cent more to the
-- largest remainders
cents as (
    select
        w.onet_soc_code,
        w.task_id,
        o.bill_cents,
        (o.bill_cents * w.weight_units) // u.units_total as cents_floor,
        (o.bill_cents * w.weight_units) % u.units_total as cents_remainder
    from int.task_weights as w
    join units as u using (onet_soc_code)
    join occupations as o using (onet_soc_code)
),

valued as (
    select
        onet_soc_code,
        task_id,
        cents_floor + case
            when row_number() over (partition by onet_soc_code order by cents_remainder desc, task_id)
                <= bill_cents - sum(cents_floor) over (partition by onet_soc_code) then 1 else 0
        end as value_cents
    from cents
),

scored as (
    select
        v.onet_soc_code,
        v.task_id,
        o.soc_major_code,
        o.tier_rank,
        l.nature,
        (v.value_cents::decimal(38, 0) / 100)::decimal(20, 2) as annual_value_usd,
        case
            when v.value_cents is null then null
            when not $digital_only or l.is_digital then annual_value_usd
            else 0
        end::decimal(20, 2) as priority_score
    from valued as v
    join occupations as o using (onet_soc_code)
    join int.task_labels as l using (onet_soc_code, task_id)
),

-- the ranking on narrow rows; the wide columns are joined once, at the end
ranked as (
    select
        onet_soc_code,
        task_id,
        soc_major_code,
        annual_value_usd,
        priority_score,
        row_number() over (order by
            coalesce(priority_score, 0) > 0 desc,
            tier_rank desc nulls last,
            $judgment_first and nature = 'judgment' desc,
            priority_score desc nulls last,
            task_id) as priority_rank
    from scored
),

-- within a major group the order is the overall one
ranked_in_group as (
    select
        *,
        row_number() over (partition by soc_major_code order by priority_rank) as priority_rank_in_major_group
    from ranked
)

select
    o.onet_soc_code,
    o.occupation_title,
    o.soc_major_code,
    o.soc_major_title,
    o.oes_code,
    o.oes_title,
    o.match_level,
    t.task_id,
    t.task,
    t.task_type,
    w.method as weighting_method,
    w.weight as task_weight,
    o.allocated_employment,
    o.hourly_wage_usd,
    o.hourly_wage_basis,
    o.annual_only,
    o.hourly_only,
    o.loaded_hourly_cost_usd,
    o.annual_wage_usd,
    o.wage_basis,
    o.occupation_wage_bill_usd,
    r.annual_value_usd,
    o.tier,
    o.tier_rank,
    o.tier_min_usd,
    o.tier_max_usd,
    l.nature,
    l.is_digital,
    l.digital_dwa_share,
    o.job_zone,
    l.dwa_count,
    l.dwa_ids,
    r.priority_score,
    r.priority_rank,
    r.priority_rank_in_major_group,
    o.onet_codes_sharing
from ranked_in_group as r
join staging.onet_task_statements as t using (onet_soc_code, task_id)
join occupations as o using (onet_soc_code)
join int.task_weights as w using (onet_soc_code, task_id)
join int.task_labels as l using (onet_soc_code, task_id)
-- Stored in rank order so that `select * ... limit 20`, BI tools and exports see the top priorities first.
order by r.priority_rank
