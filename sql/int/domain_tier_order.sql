-- One row per value tier of marts.task_value, ordered by the hourly wages it holds (1 = lowest).
-- The coverage layer needs "bottom" and "top" tier without knowing the tier labels, so the order is
-- read from the data: a tier's position is the rank of the lowest hourly wage among its tasks.
-- The bottom tiers are the bottom_tier_count (TASKVALUE_COVERAGE_BOTTOM_TIERS) lowest-paid bands and
-- the top tiers the top_tier_count (TASKVALUE_COVERAGE_TOP_TIERS) highest-paid ones; 0 means a third of the bands, rounded up (2 of 6 bands, 1 of 3;
-- none when one band holds every task).
-- columns:
--   tier: Tier label as in marts.task_value.
--   tier_position: 1 for the lowest-paid tier, counting up.
--   tier_min_hourly_usd: Lowest hourly wage (USD/hour) among the tier's tasks (a wage seen, not the band's
--     bound: that is marts.task_value.tier_min_usd).
--   tier_max_hourly_usd: Highest hourly wage (USD/hour) among the tier's tasks (not the band's bound:
--     marts.task_value.tier_max_usd).
--   is_bottom_tier: True for the bottom (lowest-paid) tiers.
--   is_top_tier: True for the top (highest-paid) tiers (never also a bottom tier).
with tiers as (
    select
        tier,
        min(hourly_wage_usd) as tier_min_hourly_usd,
        max(hourly_wage_usd) as tier_max_hourly_usd
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
),

counts as (
    -- a single band holding every task is neither bottom nor top: "a third" of one band made all work
    -- low-tier, $100/hr executives included (tier bounds set beyond every wage)
    select
        case
            when $bottom_tier_count > 0 then $bottom_tier_count
            when tier_count < 2 then 0
            else ceil(tier_count / 3)::integer
        end as n_bottom,
        case
            when $top_tier_count > 0 then $top_tier_count
            when tier_count < 2 then 0
            else ceil(tier_count / 3)::integer
        end as n_top,
        tier_count
    from (select count(*) as tier_count from tiers)
),

checked as (
    -- counts set by hand (the other may be the default third) must leave a band outside each group
    -- and the two groups apart: 50 bottom bands of 6 flagged every task low tier, $200+/hr included
    select
        *,
        case
            when tier_count > 0 and ($bottom_tier_count > 0 or $top_tier_count > 0)
                and (n_bottom >= tier_count or n_top >= tier_count or n_bottom + n_top > tier_count)
                then error(
                    'TASKVALUE_COVERAGE_BOTTOM_TIERS=' || $bottom_tier_count || ' and TASKVALUE_COVERAGE_TOP_TIERS='
                    || $top_tier_count || ' make ' || n_bottom || ' bottom and ' || n_top || ' top bands of the '
                    || tier_count || ' tier bands of marts.task_value: each must be below ' || tier_count
                    || ' and together at most ' || tier_count || ' (0 = a third of the bands)'
                )
        end as misconfigured
    from counts
)

select
    o.tier,
    o.tier_position,
    o.tier_min_hourly_usd,
    o.tier_max_hourly_usd,
    o.tier_position <= c.n_bottom as is_bottom_tier,
    o.tier_position > greatest(o.tier_count - c.n_top, c.n_bottom) as is_top_tier
from ordered as o
cross join checked as c
where c.misconfigured is null  -- evaluated, so a misconfiguration raises its error
order by o.tier_position
