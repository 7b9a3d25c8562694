-- Human decisions on inventory-to-O*NET matches, read from the overrides file on every refresh
-- (default inventory/_overrides.csv), one row per line, with whether each applies. Nothing is
-- dropped: a stale decision (its inventory task or O*NET task no longer exists, or the task was
-- rewritten since the text_hash the line quotes), a repeated one and contradictory ones stay here
-- with their status and a detail naming the other lines, and a non-blocking check lists every line
-- not applied as written.
-- columns:
--   inventory_task_id: Inventory task the decision is about.
--   action: pin (this O*NET task is a rank-1 match; several pins of one task rank in file order),
--     reject (never propose it; with an empty onet_task_id: the task has no O*NET counterpart) or
--     occupation (the task imitates work of the occupation onet_soc_code names: text matching picks
--     its candidates among that occupation's statements, as for a task naming its occupation).
--   onet_task_id: O*NET Task ID pinned or rejected (null: reject every candidate; an occupation
--     decision).
--   note: Free-text reason written by the reviewer.
--   source_row: Line of the decision in the overrides file (header is line 1; a quoted note over
--     several lines: the line it starts on).
--   status: ok (applied), duplicate (repeats an earlier line: applied once, by that line),
--     conflict (contradicts another line of the same task: a pin and a reject of one O*NET task, a
--     reject of every candidate and a pin or an occupation decision, or occupation decisions naming
--     different occupations; none of them is applied), unknown_inventory_task, unknown_onet_task or
--     unknown_occupation (a code neither SOC 2018 nor O*NET has, or no O*NET occupation with tasks
--     under it; stale, not applied),
--     text_changed (the line quotes a text_hash the task no longer has: it was rewritten since the
--     decision; not applied).
--   detail: Why the status is not ok, naming the other line(s), the ID that differs only by case or
--     where the ingest quarantined the task and why;
--     for an applied pin or occupation decision, every warning that holds: its occupation is not
--     within the one the task's onet_soc_code names (an occupation decision replaces it), the task's
--     status is one coverage leaves out (it covers nothing), an occupation written by a title was
--     read as a code other than as written; null otherwise.
--   source_file: Path of the overrides file.
--   text_hash: The task's text_hash as the line quotes it (staging.inventory_tasks.text_hash when the
--     decision was made; null: the decision applies whatever the task's text becomes).
--   pin_order: The order several pins of one task rank in (smallest first): the line's position in a
--     hand-written file (source_row); in the review worksheet saved as the overrides file, the order
--     of the sheet's rank column (a pin typed on a candidate after the task's pins, by the
--     candidate's rank), so sorting the sheet before saving it does not reorder the pins.
--   onet_soc_code: The occupation the line names, in normal form (15-1252.00, 15-1252, a group such
--     as 15-1250; an occupation written by its title, the title's code): for an occupation decision,
--     the decision; on a pin or reject line (a review worksheet's row), the occupation of its O*NET
--     task as shown (checked when read); null when the line names none.
--   occupation_title: Title of onet_soc_code: O*NET's for an O*NET-SOC code, SOC 2018's for a SOC
--     code or group.
with overrides as (
    select * from inventory_overrides_frame
),

-- the title of every SOC 2018 and O*NET code (an occupation decision must name one)
titles as (
    select onet_soc_code as code, title from staging.onet_occupations
    union all
    -- a SOC code (15-1252) or group (15-1250) O*NET does not list as such
    select soc_code, soc_title from staging.soc_structure
    where soc_code not in (select onet_soc_code from staging.onet_occupations)
),

-- the O*NET occupations with tasks under each occupation decision's code (none: unknown_occupation)
decided_codes as (
    select o.source_row, c.onet_soc_code
    from overrides as o
    inner join (select distinct onet_soc_code from staging.onet_task_statements) as c
        on list_bool_or(list_transform(o.soc_prefixes, lambda p: starts_with(c.onet_soc_code, p)))
    where o.action = 'occupation'
),

-- task IDs are case-sensitive: a decision naming 'cpy-014' is stale, and says which ID it meant
folded_ids as (
    select lower(task_id) as folded, string_agg(task_id, ', ' order by task_id) as ids
    from staging.inventory_tasks
    group by 1
),

-- a task quarantined by the ingest is not in the inventory, but the decision is not stale: say where
-- it is and why, so fixing the row is the fix
quarantined as (
    select
        task_id,
        string_agg(
            source_file || coalesce(' [' || source_sheet || ']', '') || ' row ' || source_row || ': ' || reason,
            '; ' order by source_file, source_row
        ) as places
    from staging.inventory_quarantine
    where task_id is not null
    group by task_id
),

resolved as (
    select
        o.*,
        case
            when t.task_id is null then 'unknown_inventory_task'
            when o.onet_task_id is not null and s.task_id is null then 'unknown_onet_task'
            when o.action = 'occupation' and not (o.onet_soc_code in (select code from titles))
                then 'unknown_occupation'
            when o.action = 'occupation'
                and not exists (select 1 from decided_codes as d where d.source_row = o.source_row)
                then 'unknown_occupation'
            when o.text_hash is not null and o.text_hash <> t.text_hash then 'text_changed'
        end as stale_status,
        case
            when t.task_id is null and f.ids is not null
                then 'no inventory task ' || o.inventory_task_id || '; ' || f.ids
                    || ' differs only by case (task IDs are case-sensitive)'
            when t.task_id is null and q.places is not null
                then 'no inventory task ' || o.inventory_task_id || ': the ingest quarantined it ('
                    || q.places || '); the decision applies once the row is fixed'
            when t.task_id is null then 'no inventory task ' || o.inventory_task_id
            when o.onet_task_id is not null and s.task_id is null
                then 'O*NET has no task ' || o.onet_task_id || ' in the staged release'
            when o.action = 'occupation' and not (o.onet_soc_code in (select code from titles))
                then 'neither SOC 2018 nor O*NET has an occupation or group ' || coalesce(o.onet_soc_code, o.occupation_written)
                    || ' (a group code ends in 0: 15-1250; check the digits)'
            when o.action = 'occupation'
                and not exists (select 1 from decided_codes as d where d.source_row = o.source_row)
                then 'O*NET has no occupation with tasks under ' || coalesce(o.onet_soc_code, o.occupation_written)
                    || ' in the staged release'
            when o.text_hash is not null and o.text_hash <> t.text_hash
                then 'task ' || o.inventory_task_id || ' was rewritten since this decision (text_hash '
                    || o.text_hash || ', now ' || t.text_hash || ' in ' || t.source_file || ' row ' || t.source_row
                    || '): not applied; re-read the task and write the new text_hash to apply it again'
        end as stale_detail,
        s.onet_soc_code as pinned_soc_code,
        case when t.onet_soc_code_known then t.onet_soc_code end as hint_code,
        -- a pin on a task coverage leaves out (TASKVALUE_COVERAGE_EXCLUDED_STATUSES) covers nothing
        case
            when list_contains(string_split($excluded_statuses, ','), lower(trim(t.status))) then t.status
        end as excluded_status
    from overrides as o
    left join staging.inventory_tasks as t on t.task_id = o.inventory_task_id
    left join folded_ids as f on f.folded = lower(o.inventory_task_id)
    left join quarantined as q on q.task_id = o.inventory_task_id
    left join staging.onet_task_statements as s on s.task_id = o.onet_task_id
),

live as (
    select * from resolved where stale_status is null
),

-- a pin and a reject of the same O*NET task, or a reject of every candidate and any pin: neither
-- can be applied without ignoring the other, so none is
conflicts as (
    select
        a.source_row,
        string_agg(
            'line ' || b.source_row || ' ('
            || case
                when b.action = 'pin' then 'pin ' || b.onet_task_id
                when b.action = 'occupation' then 'occupation ' || b.onet_soc_code
                when b.onet_task_id is null then 'reject of every candidate'
                else 'reject ' || b.onet_task_id
            end || ')',
            ', ' order by b.source_row
        ) as other_lines
    from live as a
    inner join live as b
        on b.inventory_task_id = a.inventory_task_id
        and (
            (
                b.action <> a.action
                and (
                    b.onet_task_id = a.onet_task_id
                    or (a.action = 'reject' and a.onet_task_id is null)
                    or (b.action = 'reject' and b.onet_task_id is null)
                )
            )
            -- a task is matched within one occupation
            or (a.action = 'occupation' and b.action = 'occupation' and a.onet_soc_code <> b.onet_soc_code)
        )
    group by a.source_row
),

-- an exact repeat of a decision (same task, action and O*NET task or decided occupation) is applied
-- once, by its first line
repeats as (
    select
        l.source_row,
        first_value(l.source_row) over same_decision as first_row,
        first_value(l.note) over same_decision as first_note
    from live as l
    where l.source_row not in (select source_row from conflicts)
    window same_decision as (
        partition by
            l.inventory_task_id, l.action, l.onet_task_id, case when l.action = 'occupation' then l.onet_soc_code end
        order by l.source_row
    )
),

-- the O*NET occupations a pin or an occupation decision puts the task in
named_codes as (
    select source_row, pinned_soc_code as code, hint_code
    from resolved
    where action = 'pin' and pinned_soc_code is not null and hint_code is not null
    union all
    select d.source_row, d.onet_soc_code, r.hint_code
    from decided_codes as d
    inner join resolved as r on r.source_row = d.source_row
    where r.hint_code is not null
),

-- whether the pinned occupation (for an occupation decision: any O*NET occupation under its code) is
-- one the task's onet_soc_code names (any SOC level): the same O*NET code, its 6-digit code, or a SOC
-- 2018 major, minor or broad group it belongs to (29-1229.01 is in 29-1210 Physicians though its
-- digits start 29-122), else by the group code's digits without their trailing zeros (29-1000 -> 29-1)
hint_fits as (
    select
        r.source_row,
        bool_or(r.code = r.hint_code
            or left(r.code, 7) = r.hint_code
            or exists (
                select 1
                from staging.soc_structure as s
                where s.soc_code = left(r.code, 7)
                    and r.hint_code in (s.major_code, s.minor_code, s.broad_code)
            )
            or (r.hint_code not like '%.%'
                and starts_with(r.code, split_part(r.hint_code, '-', 1) || '-' || rtrim(split_part(r.hint_code, '-', 2), '0'))))
            as fits
    from named_codes as r
    group by r.source_row
)

select
    r.inventory_task_id,
    r.action,
    r.onet_task_id,
    r.note,
    r.source_row,
    case
        when r.stale_status is not null then r.stale_status
        when c.source_row is not null then 'conflict'
        when p.first_row < r.source_row then 'duplicate'
        else 'ok'
    end as status,
    case
        when r.stale_status is not null then r.stale_detail
        when c.source_row is not null
            then 'contradicts ' || c.other_lines || ' of the same task: none of them is applied'
        when p.first_row < r.source_row
            then 'repeats line ' || p.first_row || ' (applied once, as that line)'
                || case when r.note is distinct from p.first_note then '; this line''s note is not used' else '' end
        -- an applied line: every warning that holds, in one detail
        else nullif(concat_ws('; ',
            case when r.action = 'occupation' and r.occupation_read_as is not null
                then r.occupation_read_as
                    || case when r.occupation_written is not null then ' (applied; write the code to confirm it)' else '' end
                end,
            case when r.action = 'pin' and not h.fits
                then 'pinned occupation ' || r.pinned_soc_code || ' is not the occupation the task''s onet_soc_code '
                    || r.hint_code || ' names (applied; check the pin)' end,
            case when r.action = 'occupation' and not h.fits
                then 'occupation ' || r.onet_soc_code || ' is not within the occupation the task''s onet_soc_code '
                    || r.hint_code || ' names (applied: it replaces it; correct the inventory too)' end,
            case when r.action in ('pin', 'occupation') and r.excluded_status is not null
                then 'applied, but the task''s status ' || r.excluded_status || ' is one coverage leaves out '
                    || '(TASKVALUE_COVERAGE_EXCLUDED_STATUSES): the ' || r.action || ' covers no O*NET task' end
        ), '')
    end as detail,
    r.source_file,
    r.text_hash,
    r.pin_order,
    r.onet_soc_code,
    t.title as occupation_title
from resolved as r
left join conflicts as c on c.source_row = r.source_row
left join repeats as p on p.source_row = r.source_row
left join hint_fits as h on h.source_row = r.source_row
left join titles as t on t.code = r.onet_soc_code
order by r.source_row
