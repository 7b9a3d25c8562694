-- Bring-your-own task attributes joined onto the task-value table: one row per (O*NET occupation, task,
-- attribute) for every attribute-file row that matches a task of the release (by Task ID, and by
-- O*NET-SOC code when the file has one). Exposed value = annual value x attribute value. Rows that do
-- not match are in marts.task_attribute_unmatched, never dropped silently.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   task_id: O*NET Task ID.
--   task: Task statement text.
--   attribute: Name of the attribute (a numeric or true/false column of the file; true counts as 1).
--   attribute_value: Value of the attribute for the task (null when the cell is empty or a missing-value
--     marker such as NA).
--   source_row: Data row of the attribute file the value came from (when the file repeats the task: the
--     first row naming its O*NET-SOC code, else the first row).
--   task_weight: Weight of the task within its occupation.
--   annual_value_usd: Annual value of the task ($/yr).
--   exposed_value_usd: annual_value_usd x attribute_value ($/yr), computed exactly (the attribute to 12
--     decimals) and rounded half to even to cents; null when the task has no annual value or no
--     attribute value.
with matched as (
    select
        r.*,
        -- a row that names the task's occupation is more specific than one matched by Task ID alone
        row_number() over (
            partition by t.onet_soc_code, t.task_id, r.attribute order by r.onet_soc_code is null, r.source_row
        ) as occurrence,
        t.onet_soc_code as task_onet_soc_code,
        t.task,
        t.task_weight,
        t.annual_value_usd,
        -- exact product in units of 1e-12 cent: a double product lands half-cent ties on either side
        (t.annual_value_usd * 100)::hugeint
        * (r.attribute_value::decimal(38, 12) * 1000000000000::decimal(13, 0))::hugeint as exposed_units
    from int.task_attributes_raw as r
    join marts.task_value as t
        on t.task_id = r.task_id and (r.onet_soc_code is null or r.onet_soc_code = t.onet_soc_code)
),

rounded as (
    select
        *,
        exposed_units // 1000000000000 as whole_cents,
        exposed_units % 1000000000000 as rest
    from matched
    where occurrence = 1
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
    -- half to even (// and % truncate toward zero, so the sign is applied to the step)
    ((whole_cents + case
        when 2 * abs(rest) > 1000000000000 then sign(rest)
        when 2 * abs(rest) = 1000000000000 and whole_cents % 2 != 0 then sign(rest)
        else 0
    end)::decimal(38, 0) * 0.01::decimal(3, 2))::decimal(20, 2) as exposed_value_usd
from rounded
order by onet_soc_code, task_id, attribute
