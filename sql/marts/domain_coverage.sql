-- One row per configured domain: how much of its economic value the inventory covers. Value is
-- annual value in USD (national; the sector's share for sector domains). Coverage follows the
-- configurable rule described in int.domain_task_coverage. Splits by tier and nature are also in
-- long form in marts.domain_coverage_slices. Domains overlap: the soc_major_group domains partition
-- the economy (their values add up to marts.task_value's), custom and naics_sector domains re-cut
-- it, so add values across domains only within domain_kind = 'soc_major_group'.
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   domain_name: Display name of the domain.
--   domain_kind: soc_major_group, custom or naics_sector.
--   occupations: O*NET occupations in the domain.
--   tasks_total: O*NET tasks in the domain.
--   tasks_covered: Of those, tasks the inventory covers.
--   task_coverage_pct: tasks_covered / tasks_total x 100 (rounded to 4 decimals).
--   total_value_usd: Annual value of the domain's tasks (USD/year).
--   covered_value_usd: Annual value of its covered tasks (USD/year).
--   uncovered_value_usd: Annual value of its uncovered tasks (USD/year).
--   value_coverage_pct: covered_value_usd / total_value_usd x 100 (rounded to 4 decimals). It includes
--     covered_value_task_uncertain_usd (on the example inventory 86% of the SOC major groups' covered
--     value): subtract that for the coverage whose O*NET task the text itself picked.
--   uncovered_value_rank: Rank of the domain by uncovered value (1 = most uncovered value).
--   employment_reached: Workers in the domain's occupations (sector employment for sector domains), rounded to
--     whole workers. A sector domain's members are the occupations with a published sector wage bill
--     (no share of an occupation's value can be taken without one), so a sector's workers in
--     occupations whose sector wage is suppressed are not counted.
--   digital_value_usd: Annual value of digital tasks (USD/year).
--   digital_covered_value_usd: Annual value of covered digital tasks (USD/year).
--   judgment_value_usd: Annual value of judgment tasks (USD/year).
--   judgment_covered_value_usd: Annual value of covered judgment tasks (USD/year).
--   routine_value_usd: Annual value of routine tasks (USD/year).
--   routine_covered_value_usd: Annual value of covered routine tasks (USD/year).
--   interpersonal_value_usd: Annual value of interpersonal tasks (USD/year).
--   interpersonal_covered_value_usd: Annual value of covered interpersonal tasks (USD/year).
--   physical_value_usd: Annual value of physical tasks (USD/year).
--   physical_covered_value_usd: Annual value of covered physical tasks (USD/year).
--   unknown_nature_value_usd: Annual value of tasks without a nature label (USD/year).
--   unknown_nature_covered_value_usd: Annual value of covered tasks without a nature label (USD/year).
--   top_tier_value_usd: Annual value in the top (highest-paid) tiers (USD/year).
--   top_tier_covered_value_usd: Annual value of covered tasks in the top (highest-paid) tiers (USD/year).
--   bottom_tier_value_usd: Annual value in the bottom (lowest-paid) tiers (USD/year).
--   bottom_tier_covered_value_usd: Annual value of covered tasks in the bottom (lowest-paid) tiers (USD/year).
--   by_tier: Per tier, lowest-paid first: tier, tasks_total, tasks_covered, total_value_usd, covered_value_usd.
--   by_nature: Per nature: nature, tasks_total, tasks_covered, total_value_usd, covered_value_usd.
--   inventory_tasks_declared: Inventory tasks whose declared domain maps to this domain.
--   inventory_tasks_by_status: Declared inventory tasks per status: status, inventory_tasks.
--   inventory_tasks_matched: Inventory tasks whose credible best match is a characteristic occupation of
--     this domain (int.domain_members.is_characteristic)
--     (tasks with an excluded status, e.g. retired, left out).
--   inventory_tasks_grounded: Declared inventory tasks that are grounded (marts.inventory_grounding),
--     of every status like inventory_tasks_declared (a retired task counts; inventory_tasks_matched
--     leaves it out).
--   inventory_tasks_unverified: Declared inventory tasks with no credible match, neither grounded nor
--     ungrounded (marts.inventory_grounding.grounding = 'unverified'; every status): name their
--     occupation.
--   tasks_covered_task_uncertain: Of tasks_covered, tasks covered only because an inventory task named
--     their occupation, with the statement picked on text evidence too weak to cover on its own
--     (int.domain_task_coverage.is_covered_task_uncertain).
--   covered_value_task_uncertain_usd: The part of covered_value_usd from those tasks (USD/year): the
--     occupation is right, the task within it may not be; pinning matches makes it exact.
--   coverage_rule: The coverage rule this build applied, in words (CoverageSettings), so that the
--     coverage figures carry their definition; the reports quote it.
with domains as (
    select domain_id, any_value(domain_name) as domain_name, any_value(domain_kind) as domain_kind,
        min(domain_order) as domain_order
    from int.domain_definitions
    group by domain_id
),

tasks as (
    select * from int.domain_task_coverage
),

totals as (
    select
        domain_id,
        count(distinct onet_soc_code) as occupations,
        count(*) as tasks_total,
        count(*) filter (where is_covered) as tasks_covered,
        sum(annual_value_usd) as total_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_covered), 0) as covered_value_usd,
        count(*) filter (where is_covered_task_uncertain) as tasks_covered_task_uncertain,
        coalesce(sum(annual_value_usd) filter (where is_covered_task_uncertain), 0)
            as covered_value_task_uncertain_usd,
        coalesce(sum(annual_value_usd) filter (where is_digital), 0) as digital_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_digital and is_covered), 0) as digital_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'judgment'), 0) as judgment_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'judgment' and is_covered), 0)
            as judgment_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'routine'), 0) as routine_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'routine' and is_covered), 0)
            as routine_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'interpersonal'), 0) as interpersonal_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'interpersonal' and is_covered), 0)
            as interpersonal_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'physical'), 0) as physical_value_usd,
        coalesce(sum(annual_value_usd) filter (where nature = 'physical' and is_covered), 0)
            as physical_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (
            where nature not in ('judgment', 'routine', 'interpersonal', 'physical')), 0)
            as unknown_nature_value_usd,
        coalesce(sum(annual_value_usd) filter (
            where nature not in ('judgment', 'routine', 'interpersonal', 'physical') and is_covered), 0)
            as unknown_nature_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_top_tier), 0) as top_tier_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_top_tier and is_covered), 0) as top_tier_covered_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_bottom_tier), 0) as bottom_tier_value_usd,
        coalesce(sum(annual_value_usd) filter (where is_bottom_tier and is_covered), 0)
            as bottom_tier_covered_value_usd
    from tasks
    group by domain_id
),

employment as (
    -- whole workers: the shares of a split OES code add up to it, up to float noise
    select domain_id, round(sum(employment_reached))::bigint as employment_reached
    from (select distinct domain_id, onet_soc_code, employment_reached from tasks)
    group by domain_id
),

slices as (
    select
        domain_id,
        list(struct_pack(tier := slice, tasks_total, tasks_covered, total_value_usd, covered_value_usd)
            order by slice_order, slice) filter (where dimension = 'tier') as by_tier,
        list(struct_pack(nature := slice, tasks_total, tasks_covered, total_value_usd, covered_value_usd)
            order by slice_order, slice) filter (where dimension = 'nature') as by_nature
    from marts.domain_coverage_slices
    group by domain_id
),

declared_status as (
    select declared_domain_id as domain_id, coalesce(nullif(trim(status), ''), '(none)') as status,
        count(*) as inventory_tasks
    from marts.inventory_grounding
    where declared_domain_id is not null
    group by all
),

declared as (
    select
        domain_id,
        sum(inventory_tasks)::bigint as inventory_tasks_declared,
        list(struct_pack(status, inventory_tasks) order by inventory_tasks desc, status) as inventory_tasks_by_status
    from declared_status
    group by domain_id
),

grounded as (
    select
        declared_domain_id as domain_id,
        count(*) filter (where is_grounded) as inventory_tasks_grounded,
        count(*) filter (where is_grounded is null) as inventory_tasks_unverified
    from marts.inventory_grounding
    where declared_domain_id is not null
    group by all
),

matched as (
    select dm.domain_id, count(distinct g.inventory_task_id) as inventory_tasks_matched
    from marts.inventory_grounding as g
    inner join int.domain_members as dm
        on dm.onet_soc_code = g.best_onet_soc_code and dm.is_characteristic
    where g.best_is_credible and not g.is_excluded_status
    group by dm.domain_id
)

select
    d.domain_id,
    d.domain_name,
    d.domain_kind,
    coalesce(t.occupations, 0) as occupations,
    coalesce(t.tasks_total, 0) as tasks_total,
    coalesce(t.tasks_covered, 0) as tasks_covered,
    round(100 * t.tasks_covered / nullif(t.tasks_total, 0), 4) as task_coverage_pct,
    coalesce(t.total_value_usd, 0)::decimal(20, 2) as total_value_usd,
    coalesce(t.covered_value_usd, 0)::decimal(20, 2) as covered_value_usd,
    coalesce(t.total_value_usd - t.covered_value_usd, 0)::decimal(20, 2) as uncovered_value_usd,
    round(100 * t.covered_value_usd / nullif(t.total_value_usd, 0), 4) as value_coverage_pct,
    rank() over (order by coalesce(t.total_value_usd - t.covered_value_usd, 0) desc) as uncovered_value_rank,
    coalesce(e.employment_reached, 0) as employment_reached,
    coalesce(t.digital_value_usd, 0)::decimal(20, 2) as digital_value_usd,
    coalesce(t.digital_covered_value_usd, 0)::decimal(20, 2) as digital_covered_value_usd,
    coalesce(t.judgment_value_usd, 0)::decimal(20, 2) as judgment_value_usd,
    coalesce(t.judgment_covered_value_usd, 0)::decimal(20, 2) as judgment_covered_value_usd,
    coalesce(t.routine_value_usd, 0)::decimal(20, 2) as routine_value_usd,
    coalesce(t.routine_covered_value_usd, 0)::decimal(20, 2) as routine_covered_value_usd,
    coalesce(t.interpersonal_value_usd, 0)::decimal(20, 2) as interpersonal_value_usd,
    coalesce(t.interpersonal_covered_value_usd, 0)::decimal(20, 2) as interpersonal_covered_value_usd,
    coalesce(t.physical_value_usd, 0)::decimal(20, 2) as physical_value_usd,
    coalesce(t.physical_covered_value_usd, 0)::decimal(20, 2) as physical_covered_value_usd,
    coalesce(t.unknown_nature_value_usd, 0)::decimal(20, 2) as unknown_nature_value_usd,
    coalesce(t.unknown_nature_covered_value_usd, 0)::decimal(20, 2) as unknown_nature_covered_value_usd,
    coalesce(t.top_tier_value_usd, 0)::decimal(20, 2) as top_tier_value_usd,
    coalesce(t.top_tier_covered_value_usd, 0)::decimal(20, 2) as top_tier_covered_value_usd,
    coalesce(t.bottom_tier_value_usd, 0)::decimal(20, 2) as bottom_tier_value_usd,
    coalesce(t.bottom_tier_covered_value_usd, 0)::decimal(20, 2) as bottom_tier_covered_value_usd,
    s.by_tier,
    s.by_nature,
    coalesce(dc.inventory_tasks_declared, 0) as inventory_tasks_declared,
    coalesce(dc.inventory_tasks_by_status, []) as inventory_tasks_by_status,
    coalesce(m.inventory_tasks_matched, 0) as inventory_tasks_matched,
    coalesce(g.inventory_tasks_grounded, 0) as inventory_tasks_grounded,
    coalesce(g.inventory_tasks_unverified, 0) as inventory_tasks_unverified,
    coalesce(t.tasks_covered_task_uncertain, 0) as tasks_covered_task_uncertain,
    coalesce(t.covered_value_task_uncertain_usd, 0)::decimal(20, 2) as covered_value_task_uncertain_usd,
    $coverage_rule::varchar as coverage_rule
from domains as d
left join totals as t using (domain_id)
left join employment as e using (domain_id)
left join slices as s using (domain_id)
left join declared as dc using (domain_id)
left join grounded as g using (domain_id)
left join matched as m using (domain_id)
order by d.domain_order
