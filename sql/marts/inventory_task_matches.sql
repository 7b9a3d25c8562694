-- One row per (inventory task, O*NET task candidate): the top-k O*NET occupations each inventory
-- task imitates, each represented by its best-matching task statement, best first, with a score and
-- a confidence band. Precedence: a human pin
-- (overrides file) first, then an explicit onet_task_id, then text matching (narrowed to the
-- hinted occupation when the task names one; otherwise preferring the occupations of the task's
-- configured domain by a score bonus). A task with no candidate keeps one row with a null
-- onet_task_id and confidence 'none', so every accepted inventory task appears.
-- columns:
--   inventory_task_id: task_id of the task in staging.inventory_tasks.
--   rank: 1 = best candidate; consecutive within a task (several pins of one task: in file order;
--     in the review worksheet saved as the overrides file, by its rank column).
--     Pins and the explicit link are always kept; matched candidates fill the list up to the top k.
--   onet_task_id: O*NET Task ID of the candidate (null: no candidate).
--   onet_soc_code: O*NET-SOC code of the candidate's occupation.
--   occupation_title: O*NET title of that occupation.
--   onet_task: The O*NET task statement.
--   score: Occupation score in [0, 1]: weighted mean of cosines (best statement, top-3 statements,
--     occupation centroid, occupation title + description) of the candidate's occupation; the
--     statement's cosine when the hint names one occupation; 0 for a hinted candidate added without
--     text evidence (the text found fewer than k); 1.0 for explicit links and pins.
--   ranking_score: What the candidates are ranked by: score, plus the domain bonus when
--     in_inventory_domain (so a lower score inside the domain may rank above a higher one outside),
--     plus the technology bonus times technology_share.
--   in_inventory_domain: True when the candidate's occupation belongs to the configured domain the
--     task's `domain` maps to (text matching preferred it; for a sector domain, one of its
--     characteristic occupations, int.domain_members.is_characteristic); null when no domain prior
--     applied (hint, explicit link, pin, no or unmapped domain, a domain whose codes name no
--     occupation with tasks, or the prior turned off).
--   confidence: high, medium, low or none: score bands per matcher (README, Confidence bands); explicit
--     links and pins are high; a hinted rank-1 candidate is at least medium, other hinted ones at
--     least low (the occupation was named by a human).
--   matcher: Text matcher of this refresh (tfidf, embeddings or hybrid).
--   method: override (pinned by a human; on a row without a candidate: a human rejected every
--     candidate, or the ones there were), explicit (the task's onet_task_id), hinted (text matching
--     among the occupation named by the task's onet_soc_code or by an occupation decision:
--     hint_source), or text (all O*NET tasks).
--   override_note: The reviewer's note when a pin, a reject or an occupation decision shaped this
--     task's list.
--   text_confidence: The band the score alone earns, without the floor of hinted candidates: below
--     confidence for a hinted candidate whose statement was picked on weak text evidence (the
--     occupation is the one a human named; the task within it may not be the one imitated). A pin or
--     an explicit link is high (and its score 1) by convention: a person stated the task, whatever
--     the text says.
--   text_hash: The inventory task's text_hash (staging.inventory_tasks): quote it in the overrides
--     file so a decision stops applying once the task is rewritten.
--   few_words: The task's title and prompt hold fewer than 3 distinct content words (code, boilerplate,
--     English stop words and numbers not counted): its text_confidence is at most low, since one or
--     two words match an occupation on a word alone ('title' scored high against Title Examiners).
--     Null for an explicit link and a task without text candidates.
--   resembles_no_work: True when the candidate was found by text matching over all O*NET tasks and
--     its score is below the matcher's resemblance floor (README, Ungrounded for lack of a match):
--     the task's text resembles no O*NET work even weakly. False for hinted, explicit and pinned
--     candidates (a person named the work); null on a row without a candidate.
--   technology_share: Of the software the task's text names (words of O*NET Technology Skills
--     examples, each weighted by its rarity across occupations), the share the candidate's occupation
--     lists, 0 to 1 (README, The technology prior); ranking_score adds the technology bonus times it.
--     Null when the task names no listed software, for hinted, explicit and pinned candidates, and
--     when the prior is off.
--   technology_words: The words of listed software the task's text names, sorted (what
--     technology_share is computed from; the same on every row of the task that has a share). Null
--     where technology_share is null.
--   hint_source: For a hinted candidate, who named the occupation: inventory (the task's
--     onet_soc_code or occupation column) or overrides (an occupation decision of the overrides
--     file, which replaces the inventory's); null for other methods.
with candidates as (
    select inventory_task_id, onet_task_id, score, ranking_score, in_domain, method, technology_share, technology_words
    from inventory_match_candidates
),

decisions as (
    select inventory_task_id, action, onet_task_id, note, source_row, pin_order
    from staging.inventory_overrides
    where status = 'ok'
),

pins as (
    -- several pins of one task rank in pin_order (file order; a worksheet's rank column)
    select
        inventory_task_id,
        onet_task_id,
        1.0::double as score,
        1.0::double as ranking_score,
        null::boolean as in_domain,
        'override' as method,
        null::double as technology_share,
        null::varchar[] as technology_words,
        note,
        0 as priority,
        pin_order,
        0 as type_rank
    from decisions
    where action = 'pin'
),

-- the occupation a reviewer named (the matcher searched it instead of the inventory's hint)
occupation_decided as (
    select inventory_task_id, arg_min(note, source_row) as note
    from decisions
    where action = 'occupation'
    group by inventory_task_id
),

rejected_all as (
    select inventory_task_id, arg_min(note, source_row) as note
    from decisions
    where action = 'reject' and onet_task_id is null
    group by inventory_task_id
),

-- candidates a reject removed, so a task left without any says why (method override, the note)
rejected_candidates as (
    select
        r.inventory_task_id,
        string_agg(distinct r.note, '; ' order by r.note) as note
    from decisions as r
    inner join candidates as c on c.inventory_task_id = r.inventory_task_id and c.onet_task_id = r.onet_task_id
    where r.action = 'reject'
    group by r.inventory_task_id
),

kept as (
    select
        c.inventory_task_id,
        c.onet_task_id,
        c.score,
        c.ranking_score,
        c.in_domain,
        c.method,
        c.technology_share,
        c.technology_words,
        -- the note of the occupation decision that named the occupation searched, and the notes of the
        -- rejects that removed this task's other candidates (a kept candidate has no reject of its own)
        nullif(concat_ws('; ', case when c.method = 'hinted' then od.note end, rc.note), '') as note,
        case c.method when 'explicit' then 1 else 2 end as priority,
        null::bigint as pin_order,
        -- equal scores (a hint completed without text evidence scores 0): Core statements first
        case s.task_type when 'Core' then 0 when 'Supplemental' then 1 else 2 end as type_rank
    from candidates as c
    left join staging.onet_task_statements as s on s.task_id = c.onet_task_id
    left join decisions as r
        on r.inventory_task_id = c.inventory_task_id and r.onet_task_id = c.onet_task_id and r.action = 'reject'
    left join rejected_candidates as rc on rc.inventory_task_id = c.inventory_task_id
    left join occupation_decided as od on od.inventory_task_id = c.inventory_task_id
    where r.inventory_task_id is null
        and c.inventory_task_id not in (select inventory_task_id from rejected_all)
        and (c.inventory_task_id, c.onet_task_id) not in (select (inventory_task_id, onet_task_id) from pins)
),

combined as (
    -- one row per (task, O*NET task) whatever the inputs hold, so the mart's key never repeats: a
    -- repeated pin counts once, by its first line (the staging table already marks repeats
    -- `duplicate`; this guards the key all the same)
    select *
    from (select * from pins union all by name select * from kept)
    qualify row_number() over (
        partition by inventory_task_id, onet_task_id order by priority, pin_order, ranking_score desc
    ) = 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by inventory_task_id
            order by priority, pin_order, ranking_score desc, type_rank, onet_task_id
        ) as rank
    from combined
),

unmatched as (
    select
        t.task_id as inventory_task_id,
        1::bigint as rank,
        null::bigint as onet_task_id,
        0.0::double as score,
        0.0::double as ranking_score,
        null::boolean as in_domain,
        null::double as technology_share,
        null::varchar[] as technology_words,
        -- rejected by a human (every candidate, or the ones there were): traceable to the decision
        case
            when ra.inventory_task_id is null and rc.inventory_task_id is null then 'text'
            else 'override'
        end as method,
        coalesce(ra.note, rc.note) as note
    from staging.inventory_tasks as t
    left join rejected_all as ra on ra.inventory_task_id = t.task_id
    left join rejected_candidates as rc on rc.inventory_task_id = t.task_id
    where t.task_id not in (select inventory_task_id from ranked)
),

final as (
    -- what a person stated (pins, the explicit link) is never cut; matching fills up to the top k
    select
        inventory_task_id, rank, onet_task_id, score, ranking_score, in_domain, method, note, technology_share,
        technology_words
    from ranked where rank <= $top_k or method in ('override', 'explicit')
    union all
    select
        inventory_task_id, rank, onet_task_id, score, ranking_score, in_domain, method, note, technology_share,
        technology_words
    from unmatched
),

-- per task: its text_hash, and whether its text holds fewer than 3 content words (every candidate row
-- of a task says the same). Joined here on one row per task, not onto the finished rows: at 1M tasks
-- (5M rows) the late join cost 1.6 GB of the build's peak
words as (
    select
        t.task_id as inventory_task_id,
        any_value(t.text_hash) as text_hash,
        bool_or(c.few_words) as few_words
    from staging.inventory_tasks as t
    left join inventory_match_candidates as c on c.inventory_task_id = t.task_id
    group by t.task_id
),

banded as (
    -- the band the score earns alone; hinted candidates are floored above it (confidence). Banded on
    -- the published score (6 decimals), so that a reader re-deriving a band from it gets ours. One or
    -- two words match an occupation on a word alone: never above low
    select
        f.*,
        w.few_words,
        w.text_hash,
        case
            when f.onet_task_id is null then 'none'
            when f.method in ('explicit', 'override') then 'high'
            when w.few_words and round(f.score, 6) >= $low then 'low'
            when round(f.score, 6) >= $high then 'high'
            when round(f.score, 6) >= $medium then 'medium'
            when round(f.score, 6) >= $low then 'low'
            else 'none'
        end as text_confidence
    from final as f
    left join words as w on w.inventory_task_id = f.inventory_task_id
)

select
    f.inventory_task_id,
    f.rank::integer as rank,
    f.onet_task_id,
    s.onet_soc_code,
    o.title as occupation_title,
    s.task as onet_task,
    round(f.score, 6) as score,
    round(f.ranking_score, 6) as ranking_score,
    f.in_domain as in_inventory_domain,
    case
        when f.onet_task_id is null then 'none'
        when f.text_confidence in ('high', 'medium') then f.text_confidence
        -- a hinted candidate lies in the occupation a human named: only the task is uncertain
        when f.method = 'hinted' and f.rank = 1 then 'medium'
        when f.text_confidence = 'low' or f.method = 'hinted' then 'low'
        else 'none'
    end as confidence,
    $matcher as matcher,
    f.method,
    f.note as override_note,
    f.text_confidence,
    f.text_hash,
    f.few_words,
    case when f.onet_task_id is not null then f.method = 'text' and round(f.score, 6) < $unrelated end
        as resembles_no_work,
    round(f.technology_share, 6) as technology_share,
    f.technology_words,
    case when f.method = 'hinted' then case when od.inventory_task_id is null then 'inventory' else 'overrides' end end
        as hint_source
from banded as f
left join staging.onet_task_statements as s on s.task_id = f.onet_task_id
left join staging.onet_occupations as o on o.onet_soc_code = s.onet_soc_code
left join occupation_decided as od on od.inventory_task_id = f.inventory_task_id
order by f.inventory_task_id, f.rank
