-- One row per (O*NET occupation, task): nature and digital label derived from the task's DWAs.
-- Rule: nature is the label held by most of the task's DWAs; ties go to judgment, then interpersonal,
-- then routine, then physical. The task is digital when at least half of its DWAs are digital. A task
-- without DWAs is labelled unknown (is_digital null), never guessed.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   task_id: O*NET Task ID.
--   dwa_count: Distinct DWAs linked to the task.
--   dwa_ids: The linked DWA IDs, sorted.
--   judgment_dwas: Linked DWAs labelled judgment.
--   interpersonal_dwas: Linked DWAs labelled interpersonal.
--   routine_dwas: Linked DWAs labelled routine.
--   physical_dwas: Linked DWAs labelled physical.
--   digital_dwa_share: Share of linked DWAs that are digital (null without DWAs).
--   nature: judgment, interpersonal, routine, physical, or unknown (no DWA).
--   is_digital: digital_dwa_share >= 0.5; null when the task has no DWA.
with links as (
    select distinct onet_soc_code, task_id, dwa_id
    from staging.onet_tasks_to_dwas
),

per_task as (
    select
        l.onet_soc_code,
        l.task_id,
        count(*) as dwa_count,
        list(l.dwa_id order by l.dwa_id) as dwa_ids,
        count(*) filter (where d.nature = 'judgment') as judgment_dwas,
        count(*) filter (where d.nature = 'interpersonal') as interpersonal_dwas,
        count(*) filter (where d.nature = 'routine') as routine_dwas,
        count(*) filter (where d.nature = 'physical') as physical_dwas,
        avg(case when d.is_digital then 1.0 else 0.0 end) as digital_dwa_share
    from links as l
    join int.dwa_labels as d using (dwa_id)
    group by all
)
select
    t.onet_soc_code,
    t.task_id,
    coalesce(p.dwa_count, 0) as dwa_count,
    coalesce(p.dwa_ids, []::varchar[]) as dwa_ids,
    coalesce(p.judgment_dwas, 0) as judgment_dwas,
    coalesce(p.interpersonal_dwas, 0) as interpersonal_dwas,
    coalesce(p.routine_dwas, 0) as routine_dwas,
    coalesce(p.physical_dwas, 0) as physical_dwas,
    p.digital_dwa_share,
    case
        when p.dwa_count is null then 'unknown'
        when p.judgment_dwas >= greatest(p.interpersonal_dwas, p.routine_dwas, p.physical_dwas) then 'judgment'
        when p.interpersonal_dwas >= greatest(p.routine_dwas, p.physical_dwas) then 'interpersonal'
        when p.routine_dwas >= p.physical_dwas then 'routine'
        else 'physical'
    end as nature,
    p.digital_dwa_share >= 0.5 as is_digital
from staging.onet_task_statements as t
left join per_task as p using (onet_soc_code, task_id)
