-- Bring-your-own task attributes joined onto the task-value table: one row per (O*NET occupation, task,
-- attribute) for every attribute-file row that matches a task of the release (by Task ID, and by
-- O*NET-SOC code when the file has one). Exposed value = annual value x attribute value. Rows that do
-- not match are in marts.task_attribute_unmatched, never dropped silently.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   task_id: O*NET Task ID.
--   task: Task statement text.
--   attribute: Name of the attribute (numeric column of the file).
--   attribute_value: Value of the attribute for the task.
--   source_row: Data row of the attribute file the value came from.
--   task_weight: Weight of the task within its occupation.
--   annual_value_usd: Annual value of the task ($/yr).
--   exposed_value_usd: annual_value_usd x attribute_value ($/yr).
with matched as (
    select
        r.*,
        row_number() over (partition by t.onet_soc_code, t.task_id, r.attribute order by r.source_row) as occurrence,
        t.onet_soc_code as task_onet_soc_code,
        t.task,
        t.task_weight,
        t.annual_value_usd
    from int.task_attributes_raw as r
    join marts.task_value as t
        on t.task_id = r.task_id and (r.onet_soc_code is null or r.onet_soc_code = t.onet_soc_code)
)

select
    task_onet_soc_code as onet_soc_code,
    task_id,
    task,
    attribute,
    attribute_value,
    source_row,
    task_weight,
    annual_value_usd,
    round(annual_value_usd * attribute_value, 2)::decimal(20, 2) as exposed_value_usd
from matched
where occurrence = 1
order by onet_soc_code, task_id, attribute
