-- Per domain, where the inventory sits against where the value sits: the share of the domain's
-- inventory tasks whose best match is in the bottom tiers, against the share of the domain's
-- value in the top tiers (see int.domain_tier_order). A large positive gap means effort is piling up on cheap work.
-- An inventory task counts for a domain when its best match is credible and is a characteristic
-- occupation of it (int.domain_members.is_characteristic: any member of a code-based domain),
-- unless its status is excluded (e.g. retired).
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   bottom_tiers: Labels of the bottom (lowest-paid) tiers, lowest first.
--   top_tiers: Labels of the top (highest-paid) tiers, lowest first.
--   inventory_tasks_matched: Inventory tasks whose credible best match is in the domain (tasks with an
--     excluded status, e.g. retired, left out).
--   inventory_bottom_tier_tasks: Of those, tasks whose best match is in a bottom tier.
--   inventory_bottom_tier_share_pct: inventory_bottom_tier_tasks / inventory_tasks_matched x 100 (rounded
--     to 4 decimals, like every _pct column here).
--   total_value_usd: Annual value of the domain (USD/year).
--   top_tier_value_usd: Annual value of the domain in the top tiers (USD/year).
--   value_top_tier_share_pct: top_tier_value_usd / total_value_usd x 100.
--   concentration_gap_pct: inventory_bottom_tier_share_pct - value_top_tier_share_pct (percentage points).
--   bottom_tier_value_usd: Annual value of the domain in the bottom tiers (USD/year).
--   value_bottom_tier_share_pct: bottom_tier_value_usd / total_value_usd x 100.
--   bottom_tier_overweight_pct: inventory_bottom_tier_share_pct - value_bottom_tier_share_pct (percentage
--     points): above 0, the inventory leans to the domain's lowest-paid work more than its value does.
--   inventory_median_hourly_wage_usd: Median hourly wage of the best matches of the inventory tasks
--     matched here (USD/hour; with an even count the mean of the middle two, rounded half up to the cent;
--     null without any).
--   value_median_hourly_wage_usd: Hourly wage at which half of the domain's value is earned at or below
--     (value-weighted median, USD/hour).
with tiers as (
    select
        string_agg(tier, ', ' order by tier_position) filter (where is_bottom_tier) as bottom_tiers,
        string_agg(tier, ', ' order by tier_position) filter (where is_top_tier) as top_tiers
    from int.domain_tier_order
),

inventory as (
    select
        dm.domain_id,
        count(distinct g.inventory_task_id) as inventory_tasks_matched,
        count(distinct g.inventory_task_id) filter (where g.is_bottom_tier) as inventory_bottom_tier_tasks,
        -- one wage per inventory task (its best match), whatever the number of members it reaches
        -- in decimal: the mean of two middle wages ends in a half cent, which rounds up exactly
        median(g.best_hourly_wage_usd::decimal(14, 4)) as inventory_median_hourly_wage_usd
    from marts.inventory_grounding as g
    inner join int.domain_members as dm
        on dm.onet_soc_code = g.best_onet_soc_code and dm.is_characteristic
    where g.best_is_credible and not g.is_excluded_status
    group by dm.domain_id
),

-- the domain's value by hourly wage, for the value-weighted median
wage_value as (
    select domain_id, hourly_wage_usd, sum(annual_value_usd) as value_usd
    from int.domain_task_coverage
    where hourly_wage_usd is not null and annual_value_usd > 0
    group by domain_id, hourly_wage_usd
),

value_median as (
    select
        domain_id,
        -- the lowest wage whose cumulative value reaches half of the total
        min(hourly_wage_usd) filter (where 2 * cumulative_usd >= total_usd) as value_median_hourly_wage_usd
    from (
        select
            *,
            sum(value_usd) over (partition by domain_id order by hourly_wage_usd) as cumulative_usd,
            sum(value_usd) over (partition by domain_id) as total_usd
        from wage_value
    )
    group by domain_id
)

select
    c.domain_id,
    t.bottom_tiers,
    t.top_tiers,
    coalesce(i.inventory_tasks_matched, 0) as inventory_tasks_matched,
    coalesce(i.inventory_bottom_tier_tasks, 0) as inventory_bottom_tier_tasks,
    round(100 * i.inventory_bottom_tier_tasks / nullif(i.inventory_tasks_matched, 0), 4)
        as inventory_bottom_tier_share_pct,
    c.total_value_usd,
    c.top_tier_value_usd,
    round(100 * c.top_tier_value_usd / nullif(c.total_value_usd, 0), 4) as value_top_tier_share_pct,
    round(inventory_bottom_tier_share_pct - value_top_tier_share_pct, 4) as concentration_gap_pct,
    c.bottom_tier_value_usd,
    round(100 * c.bottom_tier_value_usd / nullif(c.total_value_usd, 0), 4) as value_bottom_tier_share_pct,
    round(inventory_bottom_tier_share_pct - value_bottom_tier_share_pct, 4) as bottom_tier_overweight_pct,
    round(i.inventory_median_hourly_wage_usd, 2)::decimal(12, 2) as inventory_median_hourly_wage_usd,
    v.value_median_hourly_wage_usd::decimal(12, 2) as value_median_hourly_wage_usd
from marts.domain_coverage as c
cross join tiers as t
left join inventory as i using (domain_id)
left join value_median as v using (domain_id)
order by c.domain_id
