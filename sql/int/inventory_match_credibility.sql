-- The coverage rule, applied once: one row per candidate of marts.inventory_task_matches, saying
-- whether it is credible (it passes the rule) and whether its inventory task counts at all.
-- int.domain_task_coverage and marts.inventory_grounding both read the rule from here, so coverage,
-- grounding and the RL export cannot disagree on which match counts.
-- The rule (CoverageSettings): a candidate is credible when it has an O*NET task and either came
-- from an explicit O*NET Task ID or a human override pin (confidence high by fiat; at any rank: a
-- task may imitate several O*NET tasks, and a person said so) while explicit_ids_cover holds, or was
-- found by matching (text or hinted), is ranked covering_max_rank or better and has a confidence of
-- at least min_confidence (none < low < medium < high; default medium), and its inventory task's
-- `domain` is not declared unmapped (unmapped_inventory_domains: the team said this work has no
-- O*NET counterpart, so a text match, however strong, is a coincidence of words: a Minesweeper
-- puzzle scored medium on Fuel Cell Engineers). A text match (no occupation named) outside the
-- configured domain the task declares (not one of its characteristic occupations) needs
-- off_domain_min_confidence (default high): the text and the label disagree, and a medium match is
-- right about half the time ("Recruiter outreach sequence for nurses", labelled Recruiting, scored
-- medium on Registered Nurses and covered $3.08B of nursing work). So does a text match of a task whose
-- `domain` names no configured domain and is not declared unmapped (a typo, a missing alias, an
-- environment's name such as "browser-agent"): the label cannot be checked against the match, and a
-- misspelt label must not let a match cover that the right spelling would judge off its domain (a
-- persona's 17 such tasks covered $33.4B of its $35.6B with medium text matches while the same run
-- called them unverified; one, "Reserve meeting rooms and catering", on Audio and Video Technicians).
-- A named occupation, an explicit ID or a pin is a person's word, and stands against the label.
-- With explicit_ids_cover false, coverage counts only what matching found. Inventory tasks whose
-- status is in excluded_statuses (comma-separated, e.g. 'retired') keep their candidates here but
-- cover nothing.
-- Every inventory task has at least one row: marts.inventory_task_matches gives a task without a
-- candidate a rank-1 row with no O*NET task, and a task missing there anyway would get a row with a
-- null rank, so that its status is still judged here.
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   rank: Rank of the candidate (1 = best); null when the task has no candidate.
--   onet_task_id: O*NET Task ID of the candidate (null when there is none).
--   onet_soc_code: O*NET-SOC code of the candidate.
--   score: Matcher score of the candidate.
--   confidence: Confidence band of the candidate (high/medium/low/none).
--   method: How the candidate was found (explicit/hinted/text/override; '' when there is none).
--   confidence_level: The band as a number: 0 none, 1 low, 2 medium, 3 high.
--   text_confidence_level: The band the score earns alone, without the floor of hinted candidates
--     (inventory_task_matches.text_confidence), as a number.
--   is_credible: True when the candidate passes the coverage rule.
--   is_task_uncertain: True when the candidate is credible only because the inventory named the
--     occupation (a hinted candidate lifted to medium): the occupation is right, but the text alone
--     is too weak to say that this is the task imitated.
--   is_excluded_status: True when the inventory task's status is one of the excluded statuses: it
--     covers nothing and is left out of the matched-inventory counts.
--   covers: True when the candidate counts for coverage: credible, and its task's status is not excluded.
--   in_declared_unmapped_domain: True when the inventory task's `domain` is declared unmapped on
--     purpose (int.domain_inventory_names.is_declared_unmapped): only its explicit links and pins
--     can be credible.
--   is_outside_declared_domain: True when the inventory task's `domain` maps to a configured domain
--     and the candidate's occupation is not one of that domain's characteristic occupations
--     (int.domain_members.is_characteristic); a text match there needs off_domain_min_confidence.
--   resembles_no_work: True when the candidate is a text match below the matcher's resemblance floor
--     (marts.inventory_task_matches.resembles_no_work); null when the task has no candidate.
--   in_unconfigured_domain: True when the inventory task's `domain` names no configured domain, is not
--     declared unmapped and is no placeholder for "no domain" (int.domain_inventory_names.is_no_domain:
--     empty, '-', 'N/A', ...; marts.inventory_grounding's domain_not_configured): a text match needs
--     off_domain_min_confidence, as outside a declared domain.
--   is_held_back_by_label: True when the candidate is a text match that passes the coverage rule's
--     rank and confidence but not off_domain_min_confidence, and its task's label is why: outside
--     the declared domain, or a domain no configuration names.
with inventory as (
    select
        i.task_id::varchar as inventory_task_id,
        -- empty entries dropped: '' (no excluded status) must not exclude tasks without a status
        list_contains(
            list_filter(list_transform(string_split(lower($excluded_statuses), ','), lambda x: trim(x)), lambda x: x <> ''),
            lower(trim(coalesce(i.status, '')))
        ) as is_excluded_status,
        coalesce(n.is_declared_unmapped, false) as in_declared_unmapped_domain,
        n.domain_id as declared_domain_id,
        n.domain_id is null and not coalesce(n.is_declared_unmapped, false) and not coalesce(n.is_no_domain, true)
            as in_unconfigured_domain
    from staging.inventory_tasks as i
    left join int.domain_inventory_names as n on n.inventory_domain = coalesce(trim(i.domain), '')
),

candidates as (
    select
        coalesce(m.inventory_task_id::varchar, i.inventory_task_id) as inventory_task_id,
        m.rank,
        m.onet_task_id,
        m.onet_soc_code,
        m.score::double as score,
        lower(coalesce(m.confidence, 'none')) as confidence,
        lower(coalesce(m.method, '')) as method,
        lower(coalesce(m.text_confidence, m.confidence, 'none')) as text_confidence,
        m.resembles_no_work,
        coalesce(i.is_excluded_status, false) as is_excluded_status,
        coalesce(i.in_declared_unmapped_domain, false) as in_declared_unmapped_domain,
        coalesce(i.in_unconfigured_domain, false) as in_unconfigured_domain,
        i.declared_domain_id is not null and m.onet_soc_code is not null and not exists (
            select 1
            from int.domain_members as dm
            where dm.domain_id = i.declared_domain_id
                and dm.is_characteristic
                and dm.onet_soc_code = m.onet_soc_code
        ) as is_outside_declared_domain
    from marts.inventory_task_matches as m
    full join inventory as i on i.inventory_task_id = m.inventory_task_id::varchar
),

levelled as (
    select
        *,
        case confidence when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end
            as confidence_level,
        case text_confidence when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end
            as text_confidence_level
    from candidates
),

judged as (
    select
        *,
        onet_task_id is not null
        and case
            when method in ('explicit', 'override') then $explicit_ids_cover
            else rank <= $covering_max_rank and confidence_level >= $min_confidence_level
                and not in_declared_unmapped_domain
                and (
                    method <> 'text' or not (is_outside_declared_domain or in_unconfigured_domain)
                    or confidence_level >= $off_domain_min_confidence_level
                )
        end as is_credible,
        -- the label, not the score, kept it out: what the reports give as the reason
        onet_task_id is not null and method = 'text' and rank <= $covering_max_rank
            and confidence_level >= $min_confidence_level and not in_declared_unmapped_domain
            and (is_outside_declared_domain or in_unconfigured_domain)
            and confidence_level < $off_domain_min_confidence_level as is_held_back_by_label
    from levelled
)

select
    inventory_task_id,
    rank,
    onet_task_id,
    onet_soc_code,
    score,
    confidence,
    method,
    confidence_level,
    text_confidence_level,
    is_credible,
    is_credible and text_confidence_level < $min_confidence_level as is_task_uncertain,
    is_excluded_status,
    is_credible and not is_excluded_status as covers,
    in_declared_unmapped_domain,
    is_outside_declared_domain,
    resembles_no_work,
    in_unconfigured_domain,
    is_held_back_by_label
from judged
