-- One row per (weighting method, O*NET occupation, task): the task's weight within its occupation under
-- each method, so the ranking's sensitivity to the weighting can be measured. Methods: ft_rt (expected
-- times a year from the FT distribution x RT/100), importance (IM), core_supplemental (Core 2,
-- Supplemental 1, n/a 1; configurable points) and equal. A task whose ratings are missing or marked
-- Recommend Suppress falls back: inside an occupation with rated tasks it gets the rated tasks' mean
-- score scaled by its Core/Supplemental points; in an occupation without ratings, its points.
-- Weights are exact fractions weight_units / sum(weight_units) (scores are quantised to 1e-6).
-- columns:
--   weighting: Weighting method requested (ft_rt, importance, core_supplemental or equal).
--   onet_soc_code: O*NET-SOC code of the occupation.
--   task_id: O*NET Task ID.
--   task_type: Core, Supplemental, or null (n/a in the release).
--   method: Method actually used for this task: ft_rt, importance, core_supplemental, equal, or
--     ft_rt_fallback / importance_fallback (ratings missing or suppressed; scaled points).
--   expected_times_per_year: Expected yearly frequency from the FT distribution (null without FT; shown
--     also when a rating is marked Recommend Suppress and the weight falls back: see method).
--   relevance_pct: RT data value, % of respondents for whom the task is relevant (null without RT;
--     shown also when suppressed and not used: see method).
--   importance: IM data value, 1-5 (null without IM).
--   points: Core/Supplemental fallback points of the task.
--   score: Raw score the weight is proportional to.
--   weight_units: Score quantised to an integer (score x 1e6, points as they are).
--   weight: weight_units / sum of weight_units in the occupation; sums to 1 per occupation.
with tasks as (
    select
        onet_soc_code,
        task_id,
        task_type,
        case task_type
            when 'Core' then $core_points
            when 'Supplemental' then $supplemental_points
            else $untyped_points
        end::bigint as points
    from staging.onet_task_statements
),

-- one pass over the ratings for the three scales
ratings as (
    select
        onet_soc_code,
        task_id,
        sum(data_value / 100 * list_extract($ft_rates, category::integer)) filter (where scale_id = 'FT')
            as expected_times_per_year,
        bool_or(coalesce(recommend_suppress, false)) filter (where scale_id = 'FT') as ft_suppressed,
        count(distinct category) filter (where scale_id = 'FT') as ft_categories,
        avg(data_value) filter (where scale_id = 'RT') as relevance_pct,
        bool_or(coalesce(recommend_suppress, false)) filter (where scale_id = 'RT') as rt_suppressed,
        avg(data_value) filter (where scale_id = 'IM') as importance,
        bool_or(coalesce(recommend_suppress, false)) filter (where scale_id = 'IM') as im_suppressed
    from staging.onet_task_ratings
    where scale_id in ('FT', 'RT', 'IM')
    group by all
),

rated as (
    select
        t.*,
        r.expected_times_per_year,
        r.relevance_pct,
        r.importance,
        case
            when r.ft_categories = 7 and not r.ft_suppressed and r.relevance_pct is not null and not r.rt_suppressed
                then r.expected_times_per_year * r.relevance_pct / 100
        end as ft_rt_score,
        case when r.importance is not null and not r.im_suppressed then r.importance end as importance_score
    from tasks as t
    left join ratings as r using (onet_soc_code, task_id)
),

-- fallback inside a rated occupation: mean rated score per point, times the task's points
per_point as (
    select
        onet_soc_code,
        avg(ft_rt_score) / avg(points) filter (where ft_rt_score is not null) as ft_rt_per_point,
        avg(importance_score) / avg(points) filter (where importance_score is not null) as importance_per_point
    from rated
    group by all
),

-- the two rated methods side by side (one row per task), before the all-zero guard
scored as (
    select
        r.*,
        coalesce(r.ft_rt_score, p.ft_rt_per_point * r.points) as ft_rt_value,
        case
            when r.ft_rt_score is not null then 'ft_rt'
            when p.ft_rt_per_point is not null then 'ft_rt_fallback'
            else 'core_supplemental'
        end as ft_rt_method,
        coalesce(round(ft_rt_value * 1e6)::hugeint, r.points::hugeint) as ft_rt_units,
        coalesce(r.importance_score, p.importance_per_point * r.points) as importance_value,
        case
            when r.importance_score is not null then 'importance'
            when p.importance_per_point is not null then 'importance_fallback'
            else 'core_supplemental'
        end as importance_method,
        coalesce(round(importance_value * 1e6)::hugeint, r.points::hugeint) as importance_units
    from rated as r
    join per_point as p using (onet_soc_code)
),

-- an occupation whose units are all zero has no information: it uses its points instead, so its
-- total is the sum of its points
totals as (
    select
        onet_soc_code,
        sum(points)::hugeint as points_total,
        count(*)::hugeint as tasks_total,
        sum(ft_rt_units) = 0 as ft_rt_zero,
        sum(importance_units) = 0 as importance_zero,
        case when ft_rt_zero then points_total else sum(ft_rt_units) end as ft_rt_total,
        case when importance_zero then points_total else sum(importance_units) end as importance_total
    from scored
    group by all
),

long as (
    select
        'ft_rt' as weighting, s.*,
        case when o.ft_rt_zero then 'core_supplemental' else s.ft_rt_method end as method,
        case when o.ft_rt_zero then s.points else coalesce(s.ft_rt_value, s.points) end as score,
        case when o.ft_rt_zero then s.points::hugeint else s.ft_rt_units end as weight_units,
        o.ft_rt_total as units_total
    from scored as s join totals as o using (onet_soc_code)
    union all
    select
        'importance', s.*,
        case when o.importance_zero then 'core_supplemental' else s.importance_method end,
        case when o.importance_zero then s.points else coalesce(s.importance_value, s.points) end,
        case when o.importance_zero then s.points::hugeint else s.importance_units end,
        o.importance_total
    from scored as s join totals as o using (onet_soc_code)
    union all
    select 'core_supplemental', s.*, 'core_supplemental', s.points, s.points::hugeint, o.points_total
    from scored as s join totals as o using (onet_soc_code)
    union all
    select 'equal', s.*, 'equal', 1, 1::hugeint, o.tasks_total
    from scored as s join totals as o using (onet_soc_code)
)

select
    weighting,
    onet_soc_code,
    task_id,
    task_type,
    method,
    expected_times_per_year,
    relevance_pct,
    importance,
    points,
    score::double as score,
    weight_units,
    weight_units::double / units_total as weight
from long
