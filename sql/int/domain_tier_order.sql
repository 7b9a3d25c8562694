-- One row per value tier of marts.task_value, ordered by the hourly wages it holds (1 = lowest).
-- The coverage layer needs "bottom" and "top" tier without knowing the tier labels, so the order is
-- read from the data: a tier's position is the rank of the lowest hourly wage among its tasks.
-- columns:
--   tier: Tier label as in marts.task_value.
--   tier_position: 1 for the lowest-paid tier, counting up.
--   tier_min_hourly_usd: Lowest hourly wage (USD/hour) among the tier's tasks.
--   tier_max_hourly_usd: Highest hourly wage (USD/hour) among the tier's tasks.
--   is_bottom_tier: True for the lowest-paid tier.
--   is_top_tier: True for the highest-paid tier.
with tiers as (
    select
        tier,
        min(hourly_wage_usd)::double as tier_min_hourly_usd,
        max(hourly_wage_usd)::double as tier_max_hourly_usd
    from marts.task_value
    where tier is not null and hourly_wage_usd is not null
    group by tier
),

ordered as (
    select
        *,
        row_number() over (order by tier_min_hourly_usd, tier_max_hourly_usd, tier)::integer as tier_position,
        count(*) over () as tier_count
    from tiers
)

select
    tier,
    tier_position,
    tier_min_hourly_usd,
    tier_max_hourly_usd,
    tier_position = 1 as is_bottom_tier,
    tier_position = tier_count as is_top_tier
from ordered
order by tier_position
