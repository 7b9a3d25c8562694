-- Human decisions on inventory-to-O*NET matches, read from the overrides file on every refresh
-- (default inventory/_overrides.csv). A decision whose inventory task or O*NET task no longer
-- exists is kept here with its status, so nothing is dropped silently, and is not applied.
-- columns:
--   inventory_task_id: Inventory task the decision is about.
--   action: pin (this O*NET task is the rank-1 match) or reject (never propose it; with an empty
--     onet_task_id: the task has no O*NET counterpart).
--   onet_task_id: O*NET Task ID pinned or rejected (null: reject every candidate).
--   note: Free-text reason written by the reviewer.
--   source_row: Line of the decision in the overrides file (header is line 1).
--   status: ok (applied), unknown_inventory_task or unknown_onet_task (stale, not applied).
with overrides as (
    select * from inventory_overrides_frame
)

select
    o.inventory_task_id,
    o.action,
    o.onet_task_id,
    o.note,
    o.source_row,
    case
        when t.task_id is null then 'unknown_inventory_task'
        when o.onet_task_id is not null and s.task_id is null then 'unknown_onet_task'
        else 'ok'
    end as status
from overrides as o
left join staging.inventory_tasks as t on t.task_id = o.inventory_task_id
left join staging.onet_task_statements as s on s.task_id = o.onet_task_id
order by o.source_row
