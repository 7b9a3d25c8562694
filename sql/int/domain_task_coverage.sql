-- One row per (domain, O*NET task) with the task's value in the domain and whether the inventory
-- covers it: a task is covered when a candidate of an inventory task covers it under the coverage
-- rule (int.inventory_match_credibility.covers: credible, and the inventory task's status is not
-- excluded).
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   onet_soc_code: O*NET-SOC code of the task's occupation.
--   task_id: O*NET Task ID.
--   task: Task statement.
--   occupation_title: O*NET occupation title.
--   annual_value_usd: Annual value of the task in this domain (USD/year, exact cents). For a sector domain,
--     the task's national value x the sector's wage bill / the national bill of its OES code
--     (int.domain_members), computed in integer cents and apportioned by largest remainder (ties to
--     the lower Task ID), so the sector's tasks of an OES code add up to the sector's wage bill to the
--     cent; the national value where the sector's bill reaches the national one (the share is capped at 1).
--   employment_reached: Employment of the task's occupation counted in this domain (workers).
--   hourly_wage_usd: Mean hourly wage of the occupation (USD/hour; the national mean, also in a sector
--     domain).
--   tier: Value tier of the task.
--   tier_rank: Tier number, 1 = lowest-paid band (marts.task_value.tier_rank).
--   tier_position: Position of the tier, 1 = lowest-paid (int.domain_tier_order).
--   is_bottom_tier: True when the task sits in a bottom (lowest-paid) tier (false when it has no tier:
--     no published wage).
--   is_top_tier: True when the task sits in a top (highest-paid) tier (false when it has no tier).
--   nature: judgment, routine, interpersonal, physical or unknown.
--   is_digital: True when the task can be done at a computer.
--   priority_score: The value model's priority score in this domain ($/yr, exact cents): the task's
--     annual_value_usd here (a sector's share apportioned to the cent) where the value model scores
--     the task, else its score (0, or null without a value).
--   priority_rank: The value model's overall priority rank (national).
--   is_covered: True when the coverage rule holds for at least one inventory task.
--   covering_inventory_tasks: Number of inventory tasks that cover the task.
--   covering_inventory_task_ids: Their inventory task IDs, sorted.
--   is_covered_task_uncertain: True when every covering match covers only because the inventory named
--     the occupation (a hinted candidate lifted to medium): the occupation is right, but the text
--     alone was too weak to say that this is the task imitated (inventory_task_matches.text_confidence).
--   priority_value: The priority score before its cents are apportioned (task weight x occupation wage
--     bill x the domain's value share; 0 without a priority score): what gaps are ranked by, so that
--     tasks of equal weight tie whichever got the largest-remainder cent.
with covered as (
    select
        onet_task_id,
        count(distinct inventory_task_id) as covering_inventory_tasks,
        list_sort(list(distinct inventory_task_id)) as covering_inventory_task_ids,
        bool_and(is_task_uncertain) as is_task_uncertain
    from int.inventory_match_credibility
    where covers
    group by onet_task_id
),

-- a sector's share of a task's value, exactly: value x sector bill / national bill in integer cents
sector_exact as (
    select
        d.domain_id,
        t.task_id,
        d.oes_code,
        (d.sector_wage_bill_usd * 100)::hugeint as sector_cents,
        (t.annual_value_usd * 100)::hugeint * (d.sector_wage_bill_usd * 100)::hugeint as numerator,
        (d.national_wage_bill_usd * 100)::hugeint as denominator
    from int.domain_members as d
    inner join marts.task_value as t on t.onet_soc_code = d.onet_soc_code
    where d.sector_wage_bill_usd < d.national_wage_bill_usd and t.annual_value_usd is not null
),

sector_floor as (
    select *, numerator // denominator as floor_cents, numerator % denominator as remainder
    from sector_exact
),

-- the cents the floors leave out of the sector's bill go to the largest remainders, one each
sector_value as (
    select
        domain_id,
        task_id,
        ((floor_cents + case when row_number() over (
            partition by domain_id, oes_code order by remainder desc, task_id
        ) <= any_value(sector_cents) over (partition by domain_id, oes_code)
            - sum(floor_cents) over (partition by domain_id, oes_code) then 1 else 0 end)::decimal(20, 0)
            * 0.01)::decimal(20, 2) as annual_value_usd
    from sector_floor
)

select
    d.domain_id,
    t.onet_soc_code,
    t.task_id,
    t.task,
    o.title as occupation_title,
    -- exact cents: sums of doubles drift in the last digits (and with the order of summation). A
    -- sector share below its cap has a sector_value row (null with the task's value); else the task's
    coalesce(sv.annual_value_usd, t.annual_value_usd) as annual_value_usd,
    t.allocated_employment::double * d.employment_share as employment_reached,
    t.hourly_wage_usd,
    t.tier,
    t.tier_rank,
    tr.tier_position,
    coalesce(tr.is_bottom_tier, false) as is_bottom_tier,
    coalesce(tr.is_top_tier, false) as is_top_tier,
    coalesce(t.nature, 'unknown') as nature,
    t.is_digital,
    -- the score is the task's value or 0: in a sector domain, the apportioned cents above
    case
        when t.priority_score > 0 then coalesce(sv.annual_value_usd, t.annual_value_usd)
        else t.priority_score
    end as priority_score,
    t.priority_rank,
    c.onet_task_id is not null as is_covered,
    coalesce(c.covering_inventory_tasks, 0) as covering_inventory_tasks,
    coalesce(c.covering_inventory_task_ids, []::varchar[]) as covering_inventory_task_ids,
    coalesce(c.is_task_uncertain, false) as is_covered_task_uncertain,
    case
        when t.priority_score > 0 then t.task_weight * t.occupation_wage_bill_usd * d.value_share
        when t.priority_score = 0 then 0
    end as priority_value
from int.domain_members as d
inner join marts.task_value as t on t.onet_soc_code = d.onet_soc_code
left join staging.onet_occupations as o on o.onet_soc_code = t.onet_soc_code
left join int.domain_tier_order as tr on tr.tier = t.tier
left join covered as c on c.onet_task_id = t.task_id
left join sector_value as sv on sv.domain_id = d.domain_id and sv.task_id = t.task_id
order by d.domain_id, t.onet_soc_code, t.task_id
