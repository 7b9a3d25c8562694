-- What to stamp on each inventory task in an RL platform: one row per inventory task with its best
-- O*NET match, the match's SOC code, tier, nature and value. Exported as Parquet and CSV
-- (warehouse/exports/inventory_export.*).
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   title: Inventory task title.
--   onet_task_id: O*NET Task ID of the best match (null when there is no candidate).
--   onet_soc_code: O*NET-SOC code of the best match.
--   soc_code: 6-digit SOC code of the best match (the O*NET code without its .NN suffix).
--   tier: Value tier of the best match.
--   nature: judgment, routine, interpersonal, physical or unknown.
--   is_digital: True when the matched task can be done at a computer.
--   annual_value_usd: National annual value of the matched O*NET task (USD/year).
--   hourly_wage_usd: Mean hourly wage of the matched occupation (USD/hour).
--   confidence: Confidence band of the match (high/medium/low/none).
--   is_grounded: Grounded in valuable work; null when unverified (see marts.inventory_grounding).
--   ungrounded_reason: Why not grounded (no_credible_match for unverified tasks too), or null when grounded.
--   grounding: grounded, ungrounded or unverified (no credible match at all, though the task declares a
--     configured domain).
select
    inventory_task_id,
    title,
    best_onet_task_id as onet_task_id,
    best_onet_soc_code as onet_soc_code,
    left(best_onet_soc_code, 7) as soc_code,
    tier,
    nature,
    is_digital,
    best_annual_value_usd as annual_value_usd,
    best_hourly_wage_usd as hourly_wage_usd,
    best_confidence as confidence,
    is_grounded,
    ungrounded_reason,
    grounding
from marts.inventory_grounding
order by inventory_task_id
