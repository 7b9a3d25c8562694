-- Coverage of each domain split by tier, by nature and by the digital flag: one row per
-- (domain, dimension, slice). The long form of the splits in marts.domain_coverage, for BI tools
-- and for the report chart. Domains overlap (see marts.domain_coverage): add across domains only
-- within domain_kind = 'soc_major_group' (joined from marts.domain_coverage on domain_id), and across
-- slices only within one dimension.
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   dimension: tier, nature or digital.
--   slice: The tier label, the nature, or digital / not digital / unknown.
--   slice_order: Sort order within the dimension (tiers from lowest-paid up).
--   tasks_total: O*NET tasks in the slice.
--   tasks_covered: Of those, tasks the inventory covers.
--   total_value_usd: Annual value of the slice (USD/year; null when none of its tasks has a value, e.g.
--     the 'no tier' slice).
--   covered_value_usd: Annual value of its covered tasks (USD/year; null like total_value_usd).
--   uncovered_value_usd: Annual value of its uncovered tasks (USD/year; null like total_value_usd).
--   value_coverage_pct: covered_value_usd / total_value_usd x 100 (rounded to 4 decimals; null when the
--     slice has no value).
with tasks as (
    select * from int.domain_task_coverage
),

long as (
    select domain_id, 'tier' as dimension, coalesce(tier, 'no tier') as slice,
        coalesce(tier_position, 99) as slice_order, is_covered, annual_value_usd
    from tasks
    union all
    select domain_id, 'nature', nature,
        case nature when 'judgment' then 1 when 'interpersonal' then 2 when 'routine' then 3
            when 'physical' then 4 else 5 end,
        is_covered, annual_value_usd
    from tasks
    union all
    select domain_id, 'digital',
        case when is_digital then 'digital' when not is_digital then 'not digital' else 'unknown' end,
        case when is_digital then 1 when not is_digital then 2 else 3 end, is_covered, annual_value_usd
    from tasks
)

select
    domain_id,
    dimension,
    slice,
    slice_order::integer as slice_order,
    count(*) as tasks_total,
    count(*) filter (where is_covered) as tasks_covered,
    -- a slice whose tasks all lack a value (the 'no tier' tasks: no published wage) has an unknown
    -- value, not $0; a slice with known values and nothing covered has $0 covered
    sum(annual_value_usd)::decimal(20, 2) as total_value_usd,
    case when count(annual_value_usd) > 0 then coalesce(sum(annual_value_usd) filter (where is_covered), 0)::decimal(20, 2) end
        as covered_value_usd,
    case when count(annual_value_usd) > 0 then coalesce(sum(annual_value_usd) filter (where not is_covered), 0)::decimal(20, 2) end
        as uncovered_value_usd,
    round(100 * covered_value_usd / nullif(total_value_usd, 0), 4) as value_coverage_pct
from long
group by domain_id, dimension, slice, slice_order
order by domain_id, dimension, slice_order, slice
