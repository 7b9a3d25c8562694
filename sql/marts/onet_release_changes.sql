-- What changed in O*NET's task statements between the previous release (setting
-- onet_previous_release, env TASKVALUE_ONET_PREVIOUS_RELEASE) and the configured one, matched on Task
-- ID: one row per task and change. added: in the current release only; removed: in the previous
-- release only; reworded: same Task ID, text differs after collapsing whitespace; moved: same Task ID
-- under another O*NET-SOC code. A task both reworded and moved has one row for each. No rows when no
-- previous release is configured or the mirror does not have it (staging.onet_task_statements_previous
-- is then empty).
-- columns:
--   change: added, removed, reworded or moved.
--   task_id: O*NET Task ID.
--   onet_soc_code: O*NET-SOC code of the task in the current release (null when removed).
--   previous_onet_soc_code: O*NET-SOC code of the task in the previous release (null when added).
--   task: Task statement in the current release (null when removed).
--   previous_task: Task statement in the previous release (null when added).
--   task_type: Core, Supplemental or null in the current release (previous release's when removed).
--   previous_release: O*NET release compared from (e.g. 28.3).
--   current_release: O*NET release compared to (e.g. 29.0).
with cur as (
    select * from staging.onet_task_statements
),

prev as (
    select * from staging.onet_task_statements_previous
),

paired as (
    select
        coalesce(c.task_id, p.task_id) as task_id,
        c.onet_soc_code,
        p.onet_soc_code as previous_onet_soc_code,
        c.task,
        p.task as previous_task,
        coalesce(c.task_type, p.task_type) as task_type,
        case
            when p.task_id is null then 'added'
            when c.task_id is null then 'removed'
        end as presence,
        regexp_replace(trim(c.task), '\s+', ' ', 'g')
        is distinct from regexp_replace(trim(p.task), '\s+', ' ', 'g') as text_differs
    from cur as c
    full outer join prev as p on p.task_id = c.task_id
    -- an empty previous table means nothing to compare, not "every task was added"
    where exists (select 1 from prev)
),

changes as (
    select *, presence as change from paired where presence is not null
    union all
    select *, 'reworded' as change from paired where presence is null and text_differs
    union all
    select *, 'moved' as change from paired where presence is null and onet_soc_code <> previous_onet_soc_code
)

select
    change,
    task_id,
    onet_soc_code,
    previous_onet_soc_code,
    task,
    previous_task,
    task_type,
    $previous_release::varchar as previous_release,
    $current_release as current_release
from changes
order by change, task_id
