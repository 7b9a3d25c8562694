-- The review worksheet: every decision of the overrides file as written, and every candidate of every
-- inventory task not yet decided, in the overrides file's layout. Exported as
-- warehouse/exports/inventory_review.csv: type pin or reject in `action` on the candidates you decide
-- (reject with onet_task_id emptied: the task has no O*NET counterpart; occupation, with the right
-- code in onet_soc_code, when no candidate is of the right occupation), save the sheet as CSV under
-- the name of the overrides file (inventory/_overrides.csv), and refresh. The first five columns are
-- the overrides file's own; the overrides reader reads past the others (they say what each row is)
-- and skips the rows left without an action. The decisions already made are rows of their own, so
-- saving the whole sheet over the overrides file keeps them. Tasks the text could not place come
-- first (unverified, then ungrounded, then grounded; tasks whose status coverage leaves out after
-- them; a decision naming no inventory task last). Several pins of one task rank by the sheet's
-- `rank` (a pin typed on a candidate after the task's pins), so sorting the sheet changes nothing.
-- columns:
--   inventory_task_id: Inventory task the row is about.
--   action: The decision: pin, reject or occupation as the overrides file has it; null on a candidate
--     not decided yet (type pin, reject or occupation to decide it).
--   onet_task_id: O*NET Task ID of the candidate or of the decision (null: a task without candidates,
--     a decision rejecting every candidate, or an occupation decision).
--   note: The reviewer's note of the decision (null on a candidate).
--   text_hash: On a decision, the text_hash its line quotes (null: it applies whatever the task's text
--     becomes); on a candidate, the task's text_hash now, so a decision typed in stops applying once
--     the task is rewritten.
--   review_order: The worksheet's order (increasing, not consecutive: sort by it): tasks to review
--     first, a task's decisions in file order, then its candidates by rank. The task's place x
--     1,000,000 plus the row's place within the task (the sheet is 5 rows a task: numbering them
--     consecutively took a window over every wide row, half the memory of building the table).
--   row_kind: decision (a line of the overrides file) or candidate (a match not decided yet).
--   decision_status: For a decision, whether it applies (staging.inventory_overrides.status: ok,
--     duplicate, conflict, unknown_inventory_task, unknown_onet_task, text_changed); null on a
--     candidate.
--   decision_detail: Why a decision does not apply as written (staging.inventory_overrides.detail;
--     the line numbers it names are overrides_line's).
--   overrides_line: For a decision, its line in the overrides file the refresh read.
--   rank: Rank of the candidate among the task's matches (1 = best; for a pin, the rank it holds;
--     null for a reject, whose O*NET task is no candidate any more). Several pins of one task rank
--     in the order of this column when the sheet is read back.
--   confidence: Confidence band of the candidate (high/medium/low/none).
--   score: Matcher score of the candidate (the rank follows marts.inventory_task_matches.ranking_score,
--     which adds the domain and technology bonuses, so a lower rank can have a higher score).
--   method: How the candidate was found (explicit/hinted/text/override).
--   is_credible: True when the candidate passes the coverage rule (it covers value and grounds the
--     task).
--   onet_soc_code: O*NET-SOC code of the candidate's or the decision's O*NET task; for an occupation
--     decision, the occupation it names (on a candidate row, type the right code here with the
--     action occupation: the task is matched among that occupation's statements).
--   occupation_title: Title of that occupation (O*NET's; SOC 2018's for a SOC code or group).
--   onet_task_statement: The O*NET task statement (not `onet_task`, which the overrides file reads as
--     an alias of onet_task_id).
--   tier: Value tier of the O*NET task's occupation.
--   hourly_wage_usd: Mean hourly wage of that occupation (USD/hour).
--   annual_value_usd: National annual value of the O*NET task (USD/year).
--   task_title: Title of the inventory task (null for a decision naming no inventory task).
--   task_status: The task's status as written (a status coverage leaves out, such as retired, sorts
--     the task after the others).
--   grounding: The task's grounding now (grounded, ungrounded, unverified; marts.inventory_grounding).
--   ungrounded_reason: The first reason the task is not grounded, or null.
--   task_excerpt: What the task says (marts.inventory_grounding.task_excerpt: its description's first
--     200 characters without the inventory's boilerplate), on the task's first row only (its other
--     rows follow it in review_order; one copy a task keeps the sheet's size down at a million tasks).
with decisions as (
    select
        o.inventory_task_id, o.action, o.onet_task_id, o.note, o.text_hash,
        o.status as decision_status, o.detail as decision_detail, o.source_row,
        o.onet_soc_code as decided_soc_code, o.occupation_title as decided_title,
        row_number() over (partition by o.inventory_task_id order by o.source_row) as position
    from staging.inventory_overrides as o
),

-- a candidate someone already decided on (pinned, or a line naming it) is that decision's row; but a
-- decision made before the task was rewritten (text_changed) no longer applies, and the candidate is
-- offered again with the task's hash now
undecided as (
    select c.*
    from int.inventory_candidate_value as c
    where c.onet_task_id is not null
        and not exists (
            select 1 from decisions as d
            where d.inventory_task_id = c.inventory_task_id and d.onet_task_id = c.onet_task_id
                and d.decision_status <> 'text_changed'
        )
),

-- the value model's view of any O*NET task a decision names (a rejected one is no candidate)
decided_task as (
    select task_id, onet_soc_code, occupation_title, task, tier, hourly_wage_usd, annual_value_usd
    from marts.task_value
),

-- a task's place in the sheet: the tasks the text could not place first, then by ID (one row a task)
task_order as (
    select
        inventory_task_id,
        row_number() over (
            order by
                coalesce(is_excluded_status, false),
                case grounding when 'unverified' then 1 when 'ungrounded' then 2 when 'grounded' then 3 end,
                inventory_task_id
        ) as task_position
    from marts.inventory_grounding
),

-- a row's place within its task: its decisions in file order, then its candidates by rank
candidate_rows as (
    select
        u.inventory_task_id, null::varchar as action, u.onet_task_id, null::varchar as note,
        t.text_hash, 'candidate' as row_kind, null::varchar as decision_status,
        null::varchar as decision_detail, null::integer as overrides_line, u.rank, u.confidence, u.score,
        u.method, u.is_credible, u.onet_soc_code, u.occupation_title, u.task as onet_task_statement,
        u.tier, u.hourly_wage_usd, u.annual_value_usd, 500000 + u.rank as position
    from undecided as u
    left join staging.inventory_tasks as t on t.task_id = u.inventory_task_id
),

-- a task with no candidate and no decision still gets a row, to pin a task found by hand or reject
bare_rows as (
    select
        t.task_id as inventory_task_id, null::varchar as action, null::integer as onet_task_id,
        null::varchar as note, t.text_hash, 'candidate' as row_kind, null::varchar as decision_status,
        null::varchar as decision_detail, null::integer as overrides_line, null::integer as rank,
        m.confidence, null::double as score, m.method, false as is_credible,
        null::varchar as onet_soc_code, null::varchar as occupation_title,
        null::varchar as onet_task_statement, null::varchar as tier, null::decimal(10, 2) as hourly_wage_usd,
        null::decimal(18, 2) as annual_value_usd, 500000 as position
    from staging.inventory_tasks as t
    left join marts.inventory_task_matches as m on m.inventory_task_id = t.task_id and m.rank = 1
    where not exists (select 1 from undecided as u where u.inventory_task_id = t.task_id)
        and not exists (select 1 from decisions as d where d.inventory_task_id = t.task_id)
),

decision_rows as (
    select
        d.inventory_task_id, d.action, d.onet_task_id, d.note, d.text_hash, 'decision' as row_kind,
        d.decision_status, d.decision_detail, d.source_row as overrides_line, c.rank, c.confidence,
        c.score, c.method, c.is_credible, coalesce(v.onet_soc_code, d.decided_soc_code) as onet_soc_code,
        coalesce(v.occupation_title, d.decided_title) as occupation_title,
        v.task as onet_task_statement, v.tier, v.hourly_wage_usd, v.annual_value_usd, d.position
    from decisions as d
    left join int.inventory_candidate_value as c
        on c.inventory_task_id = d.inventory_task_id and c.onet_task_id = d.onet_task_id
    left join decided_task as v on v.task_id = d.onet_task_id
),

-- the position of a task's first row: its first decision, else its best-ranked candidate, else its
-- bare row (the positions candidate_rows and bare_rows give)
task_first as (
    select
        t.task_id as inventory_task_id,
        case
            when exists (select 1 from decisions as d where d.inventory_task_id = t.task_id) then 1
            else 500000 + coalesce((select min(u.rank) from undecided as u where u.inventory_task_id = t.task_id), 0)
        end as first_position
    from staging.inventory_tasks as t
),

all_rows as (
    select * from decision_rows
    union all by name
    select * from candidate_rows
    union all by name
    select * from bare_rows
)

select
    r.inventory_task_id,
    r.action,
    r.onet_task_id,
    r.note,
    r.text_hash,
    -- a decision naming no inventory task has no place: after every task, in file order
    case
        when o.task_position is null
            then (select count(*) + 1 from task_order) * 1000000 + r.overrides_line
        else o.task_position * 1000000 + r.position
    end::bigint as review_order,
    r.row_kind,
    r.decision_status,
    r.decision_detail,
    r.overrides_line,
    r.rank,
    r.confidence,
    r.score,
    r.method,
    r.is_credible,
    r.onet_soc_code,
    r.occupation_title,
    r.onet_task_statement,
    r.tier,
    r.hourly_wage_usd,
    r.annual_value_usd,
    g.title as task_title,
    g.status as task_status,
    g.grounding,
    g.ungrounded_reason,
    case when r.position = f.first_position then g.task_excerpt end as task_excerpt
from all_rows as r
left join task_order as o on o.inventory_task_id = r.inventory_task_id
left join marts.inventory_grounding as g on g.inventory_task_id = r.inventory_task_id
left join task_first as f on f.inventory_task_id = r.inventory_task_id
order by review_order
