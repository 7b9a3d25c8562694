-- What to stamp on each inventory task in an RL platform: one row per inventory task with its best
-- credible O*NET match, the match's SOC code, tier, nature and value. Exported as Parquet and CSV
-- (warehouse/exports/inventory_export.*). The stamp columns are filled only from a credible match
-- (it passes the coverage rule): a guess is not stamped on a task as if it were known (a sudoku
-- puzzle is not worth a records clerk's $203M). The stamped match is the best-ranked credible
-- candidate: the rank-1 candidate under the default rule; with covering_max_rank above 1, a
-- lower-ranked candidate that grounds the task when rank 1 does not (stamped_rank says which), so
-- that the export and marts.inventory_grounding agree. The best guess stays visible in
-- candidate_onet_task_id and confidence, for review. A match credible only because the inventory
-- named the occupation (is_task_uncertain) gets the occupation's stamps (onet_soc_code, soc_code,
-- oes_code, tier, tier_rank, hourly_wage_usd) but not the task's (onet_task_id, nature, is_digital,
-- annual_value_usd): which of the occupation's tasks it imitates is a guess.
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   title: Inventory task title.
--   onet_task_id: O*NET Task ID of the stamped match; null when no candidate is credible, the stamped one is
--     task-uncertain, or there is none.
--   onet_soc_code: O*NET-SOC code of the stamped match (null when no candidate is credible).
--   soc_code: 6-digit SOC code of the stamped match, the O*NET code without its .NN suffix (null when none is
--     credible).
--   tier: Value tier of the stamped match (null when no candidate is credible).
--   nature: judgment, routine, interpersonal, physical or unknown (null when none is credible or task-uncertain).
--   is_digital: True when the stamped task can be done at a computer (null when none is credible or
--     task-uncertain).
--   annual_value_usd: National annual value of the stamped O*NET task (USD/year; null when none is credible or
--     task-uncertain).
--   hourly_wage_usd: Mean hourly wage of the stamped occupation (USD/hour; null when none is credible).
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
--   is_match_credible: True when a candidate passes the coverage rule, so the stamp columns are filled (the
--     rank-1 candidate under the default rule).
--   method: How the best candidate was found: override (pinned by a human in the overrides file:
--     confidence high whatever the text says), explicit (the task's own onet_task_id), hinted (among
--     the occupation its onet_soc_code names) or text. A task without a candidate says override when
--     a human rejected its candidates, text otherwise.
--   is_task_uncertain: True when the stamped match (else the best candidate) is credible only because the
--     inventory named its occupation and the text is too weak to say which task (a hinted candidate
--     below medium on its own score): the occupation's stamps are filled, the task's are null.
--   stamped_rank: Rank of the stamped match among the task's candidates (1 under the default rule; null
--     when no candidate is credible).
--   tier_rank: Tier number of the stamped match (1 = lowest-paid band, as marts.task_value.tier_rank; null
--     when no candidate is credible): sort tiers by it, the labels do not sort as text.
--   oes_code: OES code whose employment and wage value the stamped match (null when none is credible):
--     the key of marts.sector_occupation_value and marts.occupation_value.oes_code. It differs from
--     soc_code where OES publishes the occupation only in an aggregate (31-1121 Home Health Aides is
--     valued from 31-1120).
-- the best-ranked credible candidate, valued as marts.inventory_grounding values it
with stamp as (
    select *
    from int.inventory_candidate_value
    where is_credible
    qualify row_number() over (partition by inventory_task_id order by rank) = 1
)

select
    g.inventory_task_id,
    g.title,
    case when not s.is_task_uncertain then s.onet_task_id end as onet_task_id,
    s.onet_soc_code,
    left(s.onet_soc_code, 7) as soc_code,
    s.tier,
    case when not s.is_task_uncertain then s.nature end as nature,
    case when not s.is_task_uncertain then s.is_digital end as is_digital,
    case when not s.is_task_uncertain then s.annual_value_usd end as annual_value_usd,
    s.hourly_wage_usd,
    g.best_confidence as confidence,
    g.is_grounded,
    g.ungrounded_reason,
    g.grounding,
    g.status,
    g.best_onet_task_id as candidate_onet_task_id,
    s.inventory_task_id is not null as is_match_credible,
    -- a pin is high by fiat: say so, so a human decision does not read as a confident text match
    g.best_method as method,
    coalesce(s.is_task_uncertain, g.best_is_task_uncertain) as is_task_uncertain,
    s.rank as stamped_rank,
    s.tier_rank,
    s.oes_code
from marts.inventory_grounding as g
left join stamp as s on s.inventory_task_id = g.inventory_task_id
order by g.inventory_task_id
