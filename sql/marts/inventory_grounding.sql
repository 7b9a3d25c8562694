-- One row per inventory task: its best O*NET match, what that match is worth, and whether the task is
-- grounded in valuable work. A task is ungrounded when (first reason that holds, in this order):
--   rejected_by_reviewer: a person rejected every candidate in the overrides file (a reject with an
--     empty onet_task_id, or a reject of each one): the task has no O*NET counterpart, whatever its
--     domain says;
--   declared_unmapped_domain: no candidate passes the coverage rule and the task's `domain` is
--     declared unmapped (unmapped_inventory_domains: the team said this work has no O*NET
--     counterpart, so its text matches do not count; only an explicit link or a pin could ground it);
--   no_credible_match: no candidate passes the coverage rule (confidence or explicit ID). When this is
--     the only reason (besides domain_not_configured) and the task declares a configured domain, or
--     some candidate of it is not a text match below the resemblance floor (best_resembles_no_work),
--     the task is unverified (is_grounded null), not ungrounded: it claims work we know, or its text
--     resembles work, and text matching could not say which (RL prompts rarely use O*NET's words);
--     naming its occupation (onet_soc_code) or pinning a match settles it. Ungrounded by it alone: no
--     configured domain, and the text resembles no O*NET work even weakly (every candidate scores
--     below the matcher's resemblance floor, set below every real task of the labelled inventories
--     it was calibrated on) or it has no candidate;
--   low_tier_only: every credible match is in a bottom (lowest-paid) tier;
--   physical_work: every credible match is physical work (a task-uncertain match, whose statement is
--     the text's guess within the occupation the task named: when at least half of that occupation's
--     work, by task weight, is physical);
--   outside_declared_domain: its declared domain maps to a configured domain and no credible
--     match is a characteristic occupation of that domain (int.domain_members.is_characteristic);
--   domain_not_configured: its `domain` names no configured domain, is not declared unmapped and is
--     no placeholder for "no domain" (int.domain_inventory_names.is_no_domain: '-', 'N/A', ...; a
--     typo, a missing alias): the domain claim cannot be checked, so a task with a credible match and
--     no other reason is unverified, never grounded (without a credible match it is judged as one
--     without a domain).
-- This is the seed's pet peeve (RL tasks that imitate no valuable work) made measurable.
-- columns:
--   inventory_task_id: Task ID in the inventory.
--   title: Inventory task title.
--   status: Inventory status as written (e.g. active, draft).
--   inventory_domain: Domain as written in the inventory ('' when empty).
--   declared_domain_id: Configured domain the declared name maps to; null when it matches none.
--   best_onet_task_id: O*NET Task ID of the rank-1 candidate (null when there is none).
--   best_onet_soc_code: O*NET-SOC code of the rank-1 candidate.
--   best_task: Task statement of the rank-1 candidate.
--   best_occupation_title: Occupation title of the rank-1 candidate.
--   best_score: Matcher score of the rank-1 candidate.
--   best_confidence: Confidence band of the rank-1 candidate (high/medium/low/none).
--   best_method: How the rank-1 candidate was found (explicit/hinted/text/override).
--   best_is_credible: True when the rank-1 candidate passes the coverage rule.
--   best_annual_value_usd: National annual value of the rank-1 candidate (USD/year).
--   best_hourly_wage_usd: Mean hourly wage of the rank-1 candidate's occupation (USD/hour).
--   tier: Tier of the rank-1 candidate.
--   is_bottom_tier: True when the rank-1 candidate is in a bottom (lowest-paid) tier, credible or not
--     (filter on best_is_credible to count the inventory's bottom-tier work; the reason low_tier_only
--     counts only credible matches).
--   nature: Nature of the rank-1 candidate (judgment/routine/interpersonal/physical/unknown).
--   is_digital: Digital flag of the rank-1 candidate.
--   credible_matches: Candidates that pass the coverage rule.
--   credible_value_usd: Highest national annual value among the credible candidates (USD/year).
--   is_grounded: True when none of the reasons below holds; false when one does; null when unverified
--     (no credible match, but the task declares a configured domain or a candidate of it scores at
--     or above the resemblance floor; or a credible match, but its domain names no configured
--     domain, and no other reason).
--   ungrounded_reason: The first reason that holds, or null when grounded (for unverified tasks:
--     no_credible_match, or domain_not_configured).
--   ungrounded_reasons: Every reason that holds (empty when grounded); rejected_by_reviewer or
--     declared_unmapped_domain replaces no_credible_match.
--   grounding: 'grounded', 'ungrounded' or 'unverified' (is_grounded true, false or null).
--   is_excluded_status: True when the task's status is one of the coverage settings' excluded
--     statuses (e.g. retired): it covers nothing and is left out of the matched-inventory counts.
--   best_is_task_uncertain: True when the rank-1 candidate is credible only because the inventory
--     named its occupation (onet_soc_code): the occupation is a human's, but the text is too weak to
--     say this statement is the task imitated, so its task-level labels (best_task, nature,
--     is_digital, best_annual_value_usd) are a guess within that occupation.
--   best_resembles_no_work: True when every candidate is a text match scoring below the matcher's
--     resemblance floor: the text resembles no O*NET work even weakly (null: no candidate). Read over
--     all candidates, not rank 1: a domain's bonus may rank a lower-scoring candidate first.
--   best_is_outside_declared_domain: True when the task declares a configured domain and the rank-1
--     candidate's occupation is not one of its characteristic members: a text match there passes the
--     coverage rule only at off_domain_min_confidence (high by default), so a weaker one is "not
--     credible" for that reason (int.inventory_match_credibility.is_outside_declared_domain).
--   tier_rank: Tier number of tier (1 = lowest-paid band, as marts.task_value.tier_rank): sort tiers by it,
--     the labels do not sort as text.
--   task_excerpt: The task's description as the matcher reads it, its first 240 characters: its
--     sentences without those the matcher drops as boilerplate (int.inventory_shared_sentences; all of
--     them when it says nothing else), whitespace collapsed, '…' when cut; null when it has none. Says
--     what a task is when its title is empty (a prompt-only or chat-format row) or says little.
--   best_is_held_back_by_label: True when the rank-1 candidate is a text match whose score would cover
--     but the task's label keeps it out: outside the declared domain (best_is_outside_declared_domain),
--     or a domain no configuration names, below off_domain_min_confidence. Name the occupation, pin
--     the match or fix the label.
with excluded as (
    select inventory_task_id, bool_or(is_excluded_status) as is_excluded_status
    from int.inventory_match_credibility
    group by inventory_task_id
),

-- the sentences the matcher drops as boilerplate (assets/inventory/matching/text.py strip_boilerplate)
boilerplate as (
    select coalesce(list(sentence), []::varchar[]) as sentences
    from int.inventory_shared_sentences
    where is_boilerplate
),

inventory as (
    select
        i.task_id::varchar as inventory_task_id,
        i.title,
        -- its sentences as the matcher splits them (text.py sentences(): after . ! ? : ; and a space,
        -- after 。！？；, at line breaks; RE2 has no look-behind, so a separator is put in and split at)
        list_filter(
            list_transform(
                string_split(
                    regexp_replace(
                        regexp_replace(
                            regexp_replace(coalesce(i.description, ''), '([.!?:;])\s+', '\1' || chr(30), 'g'),
                            '([。！？；])', '\1' || chr(30), 'g'
                        ),
                        '\n+', chr(30), 'g'
                    ),
                    chr(30)
                ),
                lambda x: trim(x)
            ),
            lambda x: x <> ''
        ) as description_sentences,
        i.status,
        coalesce(trim(i.domain), '') as inventory_domain,
        n.domain_id as declared_domain_id,
        coalesce(x.is_excluded_status, false) as is_excluded_status,
        coalesce(n.is_declared_unmapped, false) as is_declared_unmapped,
        n.domain_id is null and not coalesce(n.is_declared_unmapped, false) and not coalesce(n.is_no_domain, true)
            as is_unknown_domain
    from staging.inventory_tasks as i
    left join int.domain_inventory_names as n on n.inventory_domain = coalesce(trim(i.domain), '')
    left join excluded as x on x.inventory_task_id = i.task_id::varchar
),

-- the text as the matcher reads it: without its boilerplate sentences, whole when it says nothing else;
-- cut here, so that no task's whole text rides through the joins and the sort below
excerpted as (
    select
        * exclude (own_text),
        case
            when own_text = '' then null
            when length(own_text) > 240 then rtrim(left(own_text, 239)) || '…'
            else own_text
        end as task_excerpt
    from (
        select
            i.* exclude (description_sentences),
            trim(regexp_replace(
                coalesce(
                    nullif(array_to_string(list_filter(i.description_sentences, lambda x: not list_contains(b.sentences, x)), ' '), ''),
                    array_to_string(i.description_sentences, ' ')
                ),
                '\s+', ' ', 'g'
            )) as own_text
        from inventory as i
        cross join boilerplate as b
    )
),

-- the coverage rule's verdict and the value of each candidate come from one place, which the RL export
-- reads too (int.inventory_candidate_value)
best as (
    select * from int.inventory_candidate_value where rank = 1
),

-- a task-uncertain match says only its occupation about the task: physical when the occupation's
-- work is (marts.occupation_value.physical_share)
credible as (
    select
        v.inventory_task_id,
        count(*) as credible_matches,
        max(v.annual_value_usd) as credible_value_usd,
        bool_and(v.is_bottom_tier) as all_low_tier,
        bool_and(case when v.is_task_uncertain then p.physical_share >= 0.5 else v.nature = 'physical' end)
            as all_physical,
        list(v.onet_soc_code) as credible_codes
    from int.inventory_candidate_value as v
    left join marts.occupation_value as p on p.onet_soc_code = v.onet_soc_code
    where v.is_credible
    group by v.inventory_task_id
),

-- whether the task's text resembles no O*NET work: every candidate below the floor (a domain's bonus
-- may rank a lower-scoring candidate first, so rank 1 alone does not tell)
resemblance as (
    select inventory_task_id, bool_and(resembles_no_work) as resembles_no_work
    from int.inventory_candidate_value
    where onet_task_id is not null
    group by inventory_task_id
),

judged as (
    select
        i.*,
        b.onet_task_id as best_onet_task_id,
        b.onet_soc_code as best_onet_soc_code,
        b.task as best_task,
        b.occupation_title as best_occupation_title,
        b.score as best_score,
        b.confidence as best_confidence,
        b.method as best_method,
        coalesce(b.is_credible, false) as best_is_credible,
        r.resembles_no_work as best_resembles_no_work,
        b.annual_value_usd as best_annual_value_usd,
        b.hourly_wage_usd as best_hourly_wage_usd,
        b.tier,
        b.tier_rank,
        coalesce(b.is_bottom_tier, false) as is_bottom_tier,
        b.nature,
        b.is_digital,
        coalesce(b.is_task_uncertain, false) as best_is_task_uncertain,
        coalesce(b.is_outside_declared_domain, false) as best_is_outside_declared_domain,
        coalesce(b.is_held_back_by_label, false) as best_is_held_back_by_label,
        coalesce(c.credible_matches, 0) as credible_matches,
        c.credible_value_usd,
        list_filter(
            [
                case
                    when c.inventory_task_id is not null then null
                    -- a person's "no O*NET counterpart" is evidence, not an open question: never unverified
                    when b.method = 'override' and b.onet_task_id is null then 'rejected_by_reviewer'
                    when i.is_declared_unmapped then 'declared_unmapped_domain'
                    else 'no_credible_match'
                end,
                case when c.all_low_tier then 'low_tier_only' end,
                case when c.all_physical then 'physical_work' end,
                case
                    when i.declared_domain_id is not null
                        and c.inventory_task_id is not null
                        and not exists (
                            select 1
                            from int.domain_members as dm
                            where dm.domain_id = i.declared_domain_id
                                and dm.is_characteristic
                                and list_contains(c.credible_codes, dm.onet_soc_code)
                        )
                        then 'outside_declared_domain'
                end,
                case when i.is_unknown_domain then 'domain_not_configured' end
            ],
            lambda x: x is not null
        ) as ungrounded_reasons
    from excerpted as i
    left join best as b on b.inventory_task_id = i.inventory_task_id
    left join credible as c on c.inventory_task_id = i.inventory_task_id
    left join resemblance as r on r.inventory_task_id = i.inventory_task_id
),

-- unverified: no credible match in a configured domain (it claims work we know), or without one but
-- with a best candidate at or above the resemblance floor (the text resembles work, too weakly to say
-- which: not evidence of no work), or a credible match whose domain claim cannot be checked (the name
-- matches no configured domain); nothing else against it
verdicts as (
    select
        *,
        list_has_all(['no_credible_match', 'domain_not_configured'], ungrounded_reasons)
            and list_contains(ungrounded_reasons, 'no_credible_match')
            and (declared_domain_id is not null or not coalesce(best_resembles_no_work, true))
            or ungrounded_reasons = ['domain_not_configured'] as is_unverified
    from judged
)

select
    inventory_task_id,
    title,
    status,
    inventory_domain,
    declared_domain_id,
    best_onet_task_id,
    best_onet_soc_code,
    best_task,
    best_occupation_title,
    best_score,
    best_confidence,
    best_method,
    best_is_credible,
    best_annual_value_usd,
    best_hourly_wage_usd,
    tier,
    is_bottom_tier,
    nature,
    is_digital,
    credible_matches,
    credible_value_usd,
    case
        when len(ungrounded_reasons) = 0 then true
        when is_unverified then null
        else false
    end as is_grounded,
    ungrounded_reasons[1] as ungrounded_reason,
    ungrounded_reasons,
    case
        when len(ungrounded_reasons) = 0 then 'grounded'
        when is_unverified then 'unverified'
        else 'ungrounded'
    end as grounding,
    is_excluded_status,
    best_is_task_uncertain,
    best_resembles_no_work,
    best_is_outside_declared_domain,
    tier_rank,
    task_excerpt,
    best_is_held_back_by_label
from verdicts
order by inventory_task_id
