-- Every row of the bring-your-own attribute file that was not joined onto a task, with the reason: the
-- Task ID is missing, is not a whole number, is not in the O*NET release, the file's O*NET-SOC code is
-- not in the release, the task belongs to another occupation than the file says, or the row repeats an
-- earlier row for the same task. One row per file row.
-- columns:
--   source_row: Data row of the attribute file (1 = first row after the header; in a CSV or TSV, the line
--     number minus the header's).
--   onet_soc_code: O*NET-SOC code given in the file.
--   task_id_raw: Task ID as written in the file.
--   reason: task_id_missing, task_id_not_a_whole_number, task_id_not_in_release,
--     onet_soc_code_not_in_release (as written, e.g. 15-1252 for 15-1252.00), task_id_under_other_occupation
--     or duplicate_row.
--   duplicate_of_source_row: For duplicate_row, the file row whose values were used for the task (the
--     first naming its O*NET-SOC code, else the first; null for the other reasons).
--   conflicting_values: For duplicate_row, true when any attribute differs from that row's (a value or an
--     empty cell; the dropped values are not used anywhere), false when the rows agree; null otherwise.
with rows_ as (
    select source_row, any_value(onet_soc_code) as onet_soc_code, any_value(task_id_raw) as task_id_raw,
        any_value(task_id) as task_id
    from int.task_attributes_raw
    group by source_row
),

used as (
    select distinct source_row, onet_soc_code, task_id from marts.task_attribute_value
),

unmatched as (
    select
        r.source_row,
        r.onet_soc_code,
        r.task_id_raw,
        case
            -- empty, or a missing-value marker (the reader's NULL_TOKENS)
            when r.task_id_raw is null
                or trim(r.task_id_raw) in ('', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'NULL', 'null', 'None', '#N/A')
                then 'task_id_missing'
            when r.task_id is null then 'task_id_not_a_whole_number'
            when r.task_id not in (select task_id from staging.onet_task_statements) then 'task_id_not_in_release'
            when r.onet_soc_code is not null
                and r.onet_soc_code not in (select onet_soc_code from staging.onet_task_statements)
                then 'onet_soc_code_not_in_release'
            when r.onet_soc_code is not null and not exists (
                select 1 from staging.onet_task_statements as t
                where t.task_id = r.task_id and t.onet_soc_code = r.onet_soc_code
            ) then 'task_id_under_other_occupation'
            else 'duplicate_row'
        end as reason,
        u.source_row as kept_row
    from rows_ as r
    -- the row used for the same task (Task IDs are unique within a release)
    left join used as u on u.task_id = r.task_id
    where r.source_row not in (select source_row from used)
),

conflicts as (
    select
        d.source_row,
        bool_or(a.attribute_value is distinct from k.attribute_value) as conflicting_values
    from unmatched as d
    join int.task_attributes_raw as a on a.source_row = d.source_row
    join int.task_attributes_raw as k on k.source_row = d.kept_row and k.attribute = a.attribute
    where d.reason = 'duplicate_row'
    group by d.source_row
)

select
    d.source_row,
    d.onet_soc_code,
    d.task_id_raw,
    d.reason,
    case when d.reason = 'duplicate_row' then d.kept_row end as duplicate_of_source_row,
    c.conflicting_values
from unmatched as d
left join conflicts as c using (source_row)
order by d.source_row
