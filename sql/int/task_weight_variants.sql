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
--   expected_times_per_year: Expected yearly frequency from the FT distribution (null without FT).
--   relevance_pct: RT data value, % of respondents for whom the task is relevant (null without RT).
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

ft as (
    select
        onet_soc_code,
        task_id,
        sum(data_value / 100 * list_extract($ft_rates, category::integer)) as expected_times_per_year,
        bool_or(coalesce(recommend_suppress, false)) as suppressed,
        count(distinct category) as categories
    from staging.onet_task_ratings
    where scale_id = 'FT'
    group by all
),

rt as (
    select onet_soc_code, task_id, avg(data_value) as relevance_pct,
        bool_or(coalesce(recommend_suppress, false)) as suppressed
    from staging.onet_task_ratings
    where scale_id = 'RT'
    group by all
),

im as (
    select onet_soc_code, task_id, avg(data_value) as importance,
        bool_or(coalesce(recommend_suppress, false)) as suppressed
    from staging.onet_task_ratings
    where scale_id = 'IM'
    group by all
),

rated as (
    select
        t.*,
        ft.expected_times_per_year,
        rt.relevance_pct,
        im.importance,
        case
            when ft.categories = 7 and not ft.suppressed and rt.relevance_pct is not null and not rt.suppressed
                then ft.expected_times_per_year * rt.relevance_pct / 100
        end as ft_rt_score,
        case when im.importance is not null and not im.suppressed then im.importance end as importance_score
    from tasks as t
    left join ft using (onet_soc_code, task_id)
    left join rt using (onet_soc_code, task_id)
    left join im using (onet_soc_code, task_id)
),

long as (
    select *, 'ft_rt' as weighting, ft_rt_score as rated_score from rated
    union all
    select *, 'importance' as weighting, importance_score as rated_score from rated
),

-- fallback inside a rated occupation: mean rated score per point, times the task's points
fallback as (
    select
        *,
        avg(rated_score) over o / avg(case when rated_score is not null then points end) over o
            as score_per_point
    from long
    window o as (partition by weighting, onet_soc_code)
),

scored as (
    select
        weighting,
        onet_soc_code,
        task_id,
        task_type,
        case
            when rated_score is not null then weighting
            when score_per_point is not null then weighting || '_fallback'
            else 'core_supplemental'
        end as method,
        expected_times_per_year,
        relevance_pct,
        importance,
        points,
        coalesce(rated_score, score_per_point * points, points) as score,
        case
            when rated_score is not null or score_per_point is not null
                then round(coalesce(rated_score, score_per_point * points) * 1e6)::hugeint
            else points::hugeint
        end as weight_units
    from fallback
    union all
    select
        'core_supplemental', onet_soc_code, task_id, task_type, 'core_supplemental',
        expected_times_per_year, relevance_pct, importance, points, points, points::hugeint
    from rated
    union all
    select
        'equal', onet_soc_code, task_id, task_type, 'equal',
        expected_times_per_year, relevance_pct, importance, points, 1, 1::hugeint
    from rated
),

-- an occupation whose scores are all zero has no information: use its points instead
guarded as (
    select
        * exclude (method, score, weight_units),
        case when sum(weight_units) over o = 0 then 'core_supplemental' else method end as method,
        case when sum(weight_units) over o = 0 then points else score end as score,
        case when sum(weight_units) over o = 0 then points::hugeint else weight_units end as weight_units
    from scored
    window o as (partition by weighting, onet_soc_code)
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
    weight_units::double / sum(weight_units) over (partition by weighting, onet_soc_code) as weight
from guarded
order by weighting, onet_soc_code, task_id
