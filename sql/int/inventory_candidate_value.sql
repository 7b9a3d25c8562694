-- What each inventory task's candidate is worth: one row per candidate of
-- int.inventory_match_credibility (tasks without a candidate have none here), with the coverage
-- rule's verdict and the value model's figures for its O*NET task. marts.inventory_grounding and
-- marts.inventory_export read a candidate's valuation from here only, so the grounding verdict and
-- the RL export's stamp cannot value the same candidate differently.
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   rank: Rank of the candidate (1 = best).
--   onet_task_id: O*NET Task ID of the candidate (null for a task whose candidates a person rejected).
--   onet_soc_code: O*NET-SOC code of the candidate.
--   score: Matcher score of the candidate.
--   confidence: Confidence band of the candidate (high/medium/low/none).
--   method: How the candidate was found (explicit/hinted/text/override).
--   is_credible: True when the candidate passes the coverage rule (int.inventory_match_credibility).
--   is_task_uncertain: True when the candidate is credible only because the inventory named the
--     occupation (int.inventory_match_credibility.is_task_uncertain).
--   resembles_no_work: True when the candidate is a text match below the matcher's resemblance floor.
--   is_outside_declared_domain: True when the candidate's occupation is not a characteristic one of the
--     configured domain the inventory task declares (int.inventory_match_credibility).
--   task: Task statement of the candidate.
--   occupation_title: O*NET title of the candidate's occupation.
--   oes_code: OES code the candidate's value comes from (marts.task_value.oes_code).
--   annual_value_usd: National annual value of the candidate's O*NET task (USD/year).
--   hourly_wage_usd: Mean hourly wage of the candidate's occupation (USD/hour).
--   tier: Value tier of the candidate.
--   tier_rank: Tier number (1 = lowest-paid band, as marts.task_value.tier_rank).
--   is_bottom_tier: True when the candidate is in a bottom (lowest-paid) tier (int.domain_tier_order;
--     false without a tier).
--   nature: judgment, routine, interpersonal, physical or unknown (unknown also when the task has no
--     value-model row).
--   is_digital: True when the candidate's task can be done at a computer.
--   is_held_back_by_label: True when the candidate's score would cover but its task's label keeps it
--     out (int.inventory_match_credibility.is_held_back_by_label).
select
    c.inventory_task_id,
    c.rank,
    c.onet_task_id,
    c.onet_soc_code,
    c.score,
    c.confidence,
    c.method,
    c.is_credible,
    c.is_task_uncertain,
    c.resembles_no_work,
    c.is_outside_declared_domain,
    t.task,
    o.title as occupation_title,
    t.oes_code,
    t.annual_value_usd,
    t.hourly_wage_usd,
    t.tier,
    t.tier_rank,
    coalesce(tr.is_bottom_tier, false) as is_bottom_tier,
    coalesce(t.nature, 'unknown') as nature,
    t.is_digital,
    c.is_held_back_by_label
from int.inventory_match_credibility as c
left join marts.task_value as t on t.task_id = c.onet_task_id
left join int.domain_tier_order as tr on tr.tier = t.tier
left join staging.onet_occupations as o on o.onet_soc_code = coalesce(c.onet_soc_code, t.onet_soc_code)
where c.rank is not null
order by c.inventory_task_id, c.rank
