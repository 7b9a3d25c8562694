-- One row per (O*NET occupation, task): the task's weight within its occupation under the configured
-- weighting method (see int.task_weight_variants for every method and the fallback rule). Weights add
-- up to 1 within each occupation.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   task_id: O*NET Task ID.
--   task_type: Core, Supplemental, or null (n/a in the release).
--   weighting: Weighting method configured (ft_rt, importance, core_supplemental or equal).
--   method: Method actually used for this task (ratings, or a fallback; see task_weight_variants).
--   expected_times_per_year: Expected yearly frequency from the FT distribution (null without FT; shown
--     also when a rating is marked Recommend Suppress and the weight falls back: see method).
--   relevance_pct: RT data value, % of respondents for whom the task is relevant (null without RT;
--     shown also when suppressed and not used: see method).
--   importance: IM data value, 1-5 (null without IM).
--   points: Core/Supplemental fallback points of the task.
--   score: Raw score the weight is proportional to.
--   weight_units: Integer score; the weight is weight_units / sum of weight_units in the occupation.
--   weight: Weight of the task in its occupation; sums to 1 per occupation.
select
    onet_soc_code,
    task_id,
    task_type,
    weighting,
    method,
    expected_times_per_year,
    relevance_pct,
    importance,
    points,
    score,
    weight_units,
    weight
from int.task_weight_variants
where weighting = $weighting_method
