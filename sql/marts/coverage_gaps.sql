-- The top uncovered O*NET tasks of each domain (top_gaps_per_domain of them, 25 by default:
-- TASKVALUE_COVERAGE_TOP_GAPS), ranked by the value model's exact priority value (task weight x
-- occupation wage bill for a task with a priority score, times the sector share for sector
-- domains: the score before its cents are apportioned), then the value model's own priority rank
-- (equal task weights make ties common: judgment before other natures; ranked by the cents, a
-- rounding remainder of one cent put routine tasks first). Each row carries what makes the task
-- matter. Domains overlap (see marts.domain_coverage): a task can be a gap of a SOC group domain and
-- of a custom or sector domain, so add values across domains only within domain_kind =
-- 'soc_major_group' (joined from marts.domain_coverage on domain_id).
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   gap_rank: Rank within the domain (1 = the uncovered task to build first).
--   onet_soc_code: O*NET-SOC code of the task's occupation.
--   occupation_title: O*NET occupation title.
--   task_id: O*NET Task ID.
--   task: Task statement.
--   annual_value_usd: Annual value of the task in this domain (USD/year).
--   employment_reached: Workers in the task's occupation counted in this domain, rounded to whole workers
--     (a sector domain counts the sector's share of the occupation's employment).
--   hourly_wage_usd: Mean hourly wage of the occupation (USD/hour; the national mean, also in a sector
--     domain).
--   tier: Value tier.
--   nature: judgment, routine, interpersonal, physical or unknown.
--   is_digital: True when the task can be done at a computer.
--   priority_score: Priority score in the domain ($/yr, exact cents): annual_value_usd where the value
--     model scores the task, else 0. The ranking uses the exact value before a sector's cents are
--     apportioned, so a row can show a score a cent above the one before.
--   priority_rank: The value model's overall priority rank (national).
--   task_uncertain_inventory_task_ids: Inventory tasks that named this task's occupation but whose
--     text was too weak to say which of its tasks they imitate (their covering match is task-uncertain,
--     int.inventory_match_credibility.is_task_uncertain): one of them may do this very task. Empty
--     when none; pin the intended task in the overrides file to settle it.
--   tier_rank: Tier number of tier (1 = lowest-paid band, as marts.task_value.tier_rank): sort tiers by it,
--     the labels do not sort as text.
--   weak_match_inventory_task_ids: Inventory tasks whose best candidate is this very task, but too weak
--     to cover it (rank 1, matched by text or a named occupation, at least low confidence, not
--     credible under the coverage rule; excluded statuses and declared-unmapped domains left out): the
--     text points here and no one confirmed it. Empty when none; pin the task in the overrides file if
--     that is the work.
with uncertain as (
    select onet_soc_code, list_sort(list(distinct inventory_task_id)) as inventory_task_ids
    from int.inventory_match_credibility
    where covers and is_task_uncertain
    group by onet_soc_code
),

weak as (
    select onet_task_id as task_id, list_sort(list(distinct inventory_task_id)) as inventory_task_ids
    from int.inventory_match_credibility
    where rank = 1 and not is_credible and not is_excluded_status and not in_declared_unmapped_domain
        and method in ('text', 'hinted') and confidence_level >= 1 and onet_task_id is not null
    group by onet_task_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by domain_id order by priority_value desc nulls last, priority_rank, task_id
        ) as gap_rank
    from int.domain_task_coverage
    where not is_covered
)

select
    domain_id,
    gap_rank,
    onet_soc_code,
    occupation_title,
    task_id,
    task,
    annual_value_usd,
    round(employment_reached)::bigint as employment_reached,
    hourly_wage_usd,
    tier,
    nature,
    is_digital,
    priority_score,
    priority_rank,
    coalesce(u.inventory_task_ids, []::varchar[]) as task_uncertain_inventory_task_ids,
    tier_rank,
    coalesce(w.inventory_task_ids, []::varchar[]) as weak_match_inventory_task_ids
from ranked
left join uncertain as u using (onet_soc_code)
left join weak as w using (task_id)
where gap_rank <= $top_gaps
order by domain_id, gap_rank
