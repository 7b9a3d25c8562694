-- What to stamp on each inventory task in an RL platform: one row per inventory task with its best
-- O*NET match, the match's SOC code, tier, nature and value. Exported as Parquet and CSV
-- (warehouse/exports/inventory_export.*). The stamp columns are filled only when the best match is
-- credible (it passes the coverage rule): a guess is not stamped on a task as if it were known (a
-- sudoku puzzle is not worth a records clerk's $203M). The guess stays visible in
-- candidate_onet_task_id and confidence, for review. A match credible only because the inventory
-- named the occupation (is_task_uncertain) gets the occupation's stamps (onet_soc_code, soc_code,
-- tier, hourly_wage_usd) but not the task's (onet_task_id, nature, is_digital, annual_value_usd):
-- which of the occupation's tasks it imitates is a guess.
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   title: Inventory task title.
--   onet_task_id: O*NET Task ID of the best match; null when the best match is not credible, is task-uncertain,
--     or there is none.
--   onet_soc_code: O*NET-SOC code of the best match (null when not credible).
--   soc_code: 6-digit SOC code of the best match, the O*NET code without its .NN suffix (null when not credible).
--   tier: Value tier of the best match (null when not credible).
--   nature: judgment, routine, interpersonal, physical or unknown (null when not credible or task-uncertain).
--   is_digital: True when the matched task can be done at a computer (null when not credible or task-uncertain).
--   annual_value_usd: National annual value of the matched O*NET task (USD/year; null when not credible or
--     task-uncertain).
--   hourly_wage_usd: Mean hourly wage of the matched occupation (USD/hour; null when not credible).
--   confidence: Confidence band of the best candidate (high/medium/low/none), credible or not.
--   is_grounded: Grounded in valuable work; null when unverified (see marts.inventory_grounding).
--   ungrounded_reason: Why not grounded (for unverified tasks: no_credible_match, or domain_not_configured),
--     or null when grounded.
--   grounding: grounded, ungrounded or unverified (no credible match, though the task declares a
--     configured domain or a candidate of it scores at or above the matcher's resemblance floor (a
--     weak text match); or a credible match, but a domain name that matches no configured domain).
--   status: Inventory status as written (e.g. active, retired); retired-like statuses cover nothing.
--   candidate_onet_task_id: O*NET Task ID of the rank-1 candidate even when it is not credible (for
--     review; null when there is no candidate).
--   is_match_credible: True when the best match passes the coverage rule, so the stamp columns are filled.
--   method: How the best candidate was found: override (pinned by a human in the overrides file:
--     confidence high whatever the text says), explicit (the task's own onet_task_id), hinted (among
--     the occupation its onet_soc_code names) or text. A task without a candidate says override when
--     a human rejected its candidates, text otherwise.
--   is_task_uncertain: True when the best match is credible only because the inventory named its
--     occupation and the text is too weak to say which task (a hinted candidate below medium on its
--     own score): the occupation's stamps are filled, the task's are null.
select
    inventory_task_id,
    title,
    case when best_is_credible and not best_is_task_uncertain then best_onet_task_id end as onet_task_id,
    case when best_is_credible then best_onet_soc_code end as onet_soc_code,
    case when best_is_credible then left(best_onet_soc_code, 7) end as soc_code,
    case when best_is_credible then tier end as tier,
    case when best_is_credible and not best_is_task_uncertain then nature end as nature,
    case when best_is_credible and not best_is_task_uncertain then is_digital end as is_digital,
    case when best_is_credible and not best_is_task_uncertain then best_annual_value_usd end as annual_value_usd,
    case when best_is_credible then best_hourly_wage_usd end as hourly_wage_usd,
    best_confidence as confidence,
    is_grounded,
    ungrounded_reason,
    grounding,
    status,
    best_onet_task_id as candidate_onet_task_id,
    coalesce(best_is_credible, false) as is_match_credible,
    -- a pin is high by fiat: say so, so a human decision does not read as a confident text match
    best_method as method,
    best_is_task_uncertain as is_task_uncertain
from marts.inventory_grounding
order by inventory_task_id
