-- How much the ranking depends on the task weighting: for each pair of weighting methods, the Spearman
-- rank correlation and the top-100 overlap of tasks (ranked by annual value) and of occupations
-- (ranked by the annual value of their digital tasks, since total occupation value does not depend on
-- weights). Under each method a task's value is the allocated wage bill x that method's weight,
-- rounded to the cent on its own (not marts.task_value's largest-remainder cents, which only the
-- method in use has), so every method is ranked alike. A ratings method is compared only when some task actually used ratings; without Task
-- Ratings (the real release) this compares the Core/Supplemental fallback against equal weights.
-- columns:
--   entity: task or occupation.
--   method_a: First weighting method.
--   method_b: Second weighting method.
--   items_compared: Tasks or occupations ranked (those with a wage bill).
--   spearman_rank_correlation: Pearson correlation of the average ranks under the two methods (equal
--     values share their average rank), rounded to 12 decimals.
--   top_n: Size of the top list compared (100, or fewer items).
--   top_n_overlap: Items in both top lists (equal values at the cut enter in Task ID or O*NET-SOC code
--     order).
--   top_n_overlap_share: top_n_overlap / top_n.
with methods as (
    select weighting
    from int.task_weight_variants
    group by weighting
    having weighting in ('core_supplemental', 'equal') or bool_or(method = weighting)
),

task_values as (
    select
        v.weighting,
        v.task_id::varchar as item,
        -- to the cent, so equal values tie exactly whatever order the doubles were summed in
        round(c.allocated_wage_bill_usd::double * v.weight, 2) as value
    from int.task_weight_variants as v
    join methods using (weighting)
    join int.onet_oes_crosswalk as c using (onet_soc_code)
    where c.allocated_wage_bill_usd is not null
),

occupation_values as (
    select
        v.weighting,
        v.onet_soc_code as item,
        round(sum(case when l.is_digital then c.allocated_wage_bill_usd::double * v.weight else 0 end), 2) as value
    from int.task_weight_variants as v
    join methods using (weighting)
    join int.onet_oes_crosswalk as c using (onet_soc_code)
    join int.task_labels as l using (onet_soc_code, task_id)
    where c.allocated_wage_bill_usd is not null
    group by all
),

values_ as (
    select 'task' as entity, * from task_values
    union all
    select 'occupation', * from occupation_values
),

ranked as (
    select
        *,
        rank() over (partition by entity, weighting order by value desc)
            + (count(*) over (partition by entity, weighting, value) - 1) / 2.0 as avg_rank,
        -- task IDs compared as numbers (as text '10' < '9'); O*NET-SOC codes as text
        row_number() over (
            partition by entity, weighting order by value desc, try_cast(item as bigint), item
        ) as position
    from values_
),

pairs as (
    select
        a.entity,
        a.weighting as method_a,
        b.weighting as method_b,
        count(*) as items_compared,
        -- rounded: a parallel corr() differs in the last bits between identical runs
        round(corr(a.avg_rank, b.avg_rank), 12) as spearman_rank_correlation,
        least(100, count(*)) as top_n
    from ranked as a
    join ranked as b on a.entity = b.entity and a.item = b.item and a.weighting < b.weighting
    group by all
),

top_overlaps as (
    select p.entity, p.method_a, p.method_b, count(*) as top_n_overlap
    from pairs as p
    join ranked as a on a.entity = p.entity and a.weighting = p.method_a and a.position <= p.top_n
    join ranked as b on b.entity = p.entity and b.weighting = p.method_b and b.item = a.item and b.position <= p.top_n
    group by all
)

select
    p.entity,
    p.method_a,
    p.method_b,
    p.items_compared,
    p.spearman_rank_correlation,
    p.top_n,
    coalesce(o.top_n_overlap, 0) as top_n_overlap,
    coalesce(o.top_n_overlap, 0) / p.top_n as top_n_overlap_share
from pairs as p
left join top_overlaps as o using (entity, method_a, method_b)
order by p.entity, p.method_a, p.method_b
