-- What changed between the previous and the current OES vintage, through the same O*NET release:
-- change_level occupation has one row per OES detailed code of either vintage (new, removed or
-- continuing, with employment, wage and wage bill shifts); change_level task has one row per
-- (O*NET occupation, task) with its annual value under each vintage (allocated bill x the same task
-- weight, both rounded to cents by the same largest-remainder rule, so in either vintage an
-- occupation's task values add up to its allocated bill) and whether its tier changed. Tasks added,
-- removed, reworded or moved between two O*NET releases are in marts.onet_release_changes. The two
-- levels hold the same money twice: filter on change_level before adding up.
-- columns:
--   change_level: occupation or task.
--   oes_code: OES OCC_CODE (current vintage's match for tasks, null when the task has none; either
--     vintage for occupations).
--   onet_soc_code: O*NET-SOC code (task rows only).
--   task_id: O*NET Task ID (task rows only).
--   title: OES occupation title (occupation rows) or task text (task rows).
--   status: occupation rows: new, removed or continuing; task rows: continuing, matched_only_current,
--     matched_only_previous or unmatched (no OES row in either vintage).
--   previous_vintage: OES vintage compared from (year).
--   current_vintage: OES vintage compared to (year).
--   previous_employment: Employment in the previous vintage (allocated, for task rows).
--   current_employment: Employment in the current vintage (allocated, for task rows).
--   previous_hourly_wage_usd: Mean hourly wage in the previous vintage ($/hr).
--   current_hourly_wage_usd: Mean hourly wage in the current vintage ($/hr).
--   previous_value_usd: Wage bill (occupation) or task annual value (task) in the previous vintage ($/yr;
--     null when that vintage has no row or no wage).
--   current_value_usd: Wage bill (occupation) or task annual value (task) in the current vintage ($/yr;
--     null when that vintage has no row or no wage).
--   value_change_usd: current_value_usd - previous_value_usd ($/yr; null when either side is null).
--   value_change_pct: value_change_usd / previous_value_usd x 100, rounded to 2 decimals (%).
--   previous_tier: Tier under the previous vintage's wage (task rows; null for occupation rows).
--   current_tier: Tier under the current vintage's wage (task rows; null for occupation rows).
--   tier_changed: Whether the tier differs between the vintages (task rows; null when either vintage
--     has no tier: no OES match or no published wage).
--   previous_oes_code: OES OCC_CODE in the previous vintage: the task's previous match (differs from
--     oes_code when OES re-coded the occupation between the vintages, e.g. 13-1021 vs the aggregate
--     13-1020, so the change is not only wages and employment); for occupations oes_code when the
--     previous vintage has it.
--   previous_tier_rank: Tier number of previous_tier (1 = lowest-paid band, as marts.task_value.tier_rank):
--     sort tiers by it, the labels do not sort as text.
--   current_tier_rank: Tier number of current_tier (1 = lowest-paid band).
with prev as (
    select * from staging.oes_national_previous where o_group = 'detailed'
),

cur as (
    select * from staging.oes_national where o_group = 'detailed'
),

vintages as (
    select
        (select max(vintage_year) from prev) as previous_vintage,
        (select max(vintage_year) from cur) as current_vintage
),

occ_wages as (
    select
        coalesce(c.occ_code, p.occ_code) as oes_code,
        coalesce(c.occ_title, p.occ_title) as title,
        case when p.occ_code is null then 'new' when c.occ_code is null then 'removed' else 'continuing' end
            as status,
        p.occ_code as previous_oes_code,
        p.tot_emp as previous_employment,
        c.tot_emp as current_employment,
        coalesce(p.h_mean_usd, round_even((p.a_mean_usd / $hours_per_year)::decimal(38, 9), 2)) as previous_hourly_wage_usd,
        coalesce(c.h_mean_usd, round_even((c.a_mean_usd / $hours_per_year)::decimal(38, 9), 2)) as current_hourly_wage_usd,
        p.tot_emp * coalesce(p.a_mean_usd::decimal(18, 2), p.h_mean_usd * $hours_per_year) as previous_value_usd,
        c.tot_emp * coalesce(c.a_mean_usd::decimal(18, 2), c.h_mean_usd * $hours_per_year) as current_value_usd
    from cur as c
    full outer join prev as p on p.occ_code = c.occ_code
),

-- the previous bill spread over the same task weights by the rule of marts.task_value: integer cents,
-- the floor of each exact share, then one cent more to the largest remainders (ties to the lowest
-- Task ID), so an occupation's previous task values add up to its previous allocated bill exactly
units as (
    select onet_soc_code, sum(weight_units) as units_total from int.task_weights group by all
),

previous_cents as (
    select
        w.onet_soc_code,
        w.task_id,
        cp.allocated_wage_bill_cents as bill_cents,
        (cp.allocated_wage_bill_cents * w.weight_units) // u.units_total as cents_floor,
        (cp.allocated_wage_bill_cents * w.weight_units) % u.units_total as cents_remainder
    from int.task_weights as w
    join units as u using (onet_soc_code)
    join int.onet_oes_crosswalk_previous as cp using (onet_soc_code)
),

previous_values as (
    select
        onet_soc_code,
        task_id,
        cents_floor + case
            when row_number() over (partition by onet_soc_code order by cents_remainder desc, task_id)
                <= bill_cents - sum(cents_floor) over (partition by onet_soc_code) then 1 else 0
        end as value_cents
    from previous_cents
),

tasks as (
    select
        t.oes_code,
        cp.oes_code as previous_oes_code,
        t.onet_soc_code,
        t.task_id,
        t.task as title,
        case
            when cp.oes_code is not null and t.oes_code is not null then 'continuing'
            when t.oes_code is not null then 'matched_only_current'
            when cp.oes_code is not null then 'matched_only_previous'
            else 'unmatched'
        end as status,
        cp.allocated_employment as previous_employment,
        t.allocated_employment as current_employment,
        cp.hourly_wage_usd as previous_hourly_wage_usd,
        t.hourly_wage_usd as current_hourly_wage_usd,
        (pv.value_cents::decimal(38, 0) / 100)::decimal(20, 2) as previous_value_usd,
        t.annual_value_usd as current_value_usd,
        round_even(cp.hourly_wage_usd * $loaded_cost_multiplier::decimal(10, 4), 2)::decimal(12, 2) as previous_loaded_usd,
        t.tier as current_tier,
        t.tier_rank as current_tier_rank
    from marts.task_value as t
    join int.onet_oes_crosswalk_previous as cp using (onet_soc_code)
    left join previous_values as pv using (onet_soc_code, task_id)
),

tasks_tiered as (
    select k.* exclude (previous_loaded_usd), tr.tier as previous_tier, tr.tier_rank as previous_tier_rank
    from tasks as k
    left join int.wage_tiers as tr
        on k.previous_loaded_usd >= tr.tier_min_usd
        and (tr.tier_max_usd is null or k.previous_loaded_usd < tr.tier_max_usd)
),

combined as (
    select
        'occupation' as change_level, oes_code, null::varchar as onet_soc_code, null::bigint as task_id, title,
        status, previous_employment, current_employment, previous_hourly_wage_usd, current_hourly_wage_usd,
        previous_value_usd, current_value_usd, null::varchar as previous_tier, null::varchar as current_tier,
        null::integer as previous_tier_rank, null::integer as current_tier_rank, previous_oes_code
    from occ_wages
    union all
    select
        'task', oes_code, onet_soc_code, task_id, title, status, previous_employment, current_employment,
        previous_hourly_wage_usd, current_hourly_wage_usd, previous_value_usd, current_value_usd,
        previous_tier, current_tier, previous_tier_rank, current_tier_rank, previous_oes_code
    from tasks_tiered
)

select
    k.change_level,
    k.oes_code,
    k.onet_soc_code,
    k.task_id,
    k.title,
    k.status,
    v.previous_vintage,
    v.current_vintage,
    k.previous_employment::bigint as previous_employment,
    k.current_employment::bigint as current_employment,
    k.previous_hourly_wage_usd::decimal(12, 2) as previous_hourly_wage_usd,
    k.current_hourly_wage_usd::decimal(12, 2) as current_hourly_wage_usd,
    k.previous_value_usd::decimal(20, 2) as previous_value_usd,
    k.current_value_usd::decimal(20, 2) as current_value_usd,
    (k.current_value_usd - k.previous_value_usd)::decimal(20, 2) as value_change_usd,
    round((k.current_value_usd - k.previous_value_usd) / nullif(k.previous_value_usd, 0) * 100, 2)::double
        as value_change_pct,
    k.previous_tier,
    k.current_tier,
    -- a side without a tier (no match, or a wage marked * or #) is no comparison, not a change
    case when k.change_level = 'task' then k.previous_tier <> k.current_tier end as tier_changed,
    k.previous_oes_code,
    k.previous_tier_rank,
    k.current_tier_rank
from combined as k
cross join vintages as v
order by k.change_level, abs(value_change_usd) desc nulls last, k.oes_code, k.task_id
