-- One row per Detailed Work Activity: its nature and digital label, resolved from the reviewable mapping
-- sql/seeds/activity_labels.csv (int.activity_labels). The most specific row wins: a DWA row, else its
-- IWA's row, else its GWA's row.
-- columns:
--   dwa_id: O*NET DWA ID.
--   dwa_title: DWA title.
--   iwa_id: IWA the DWA belongs to.
--   gwa_id: GWA (Element ID under 4.A) the DWA belongs to.
--   nature: judgment, routine, interpersonal or physical (null only if the GWA is unlabelled; a
--     blocking check forbids that).
--   is_digital: Whether the activity can be done at a computer.
--   label_level: Level of the mapping row used: dwa, iwa or gwa.
select
    d.dwa_id,
    d.dwa_title,
    d.iwa_id,
    d.gwa_id,
    coalesce(ld.nature, li.nature, lg.nature) as nature,
    coalesce(ld.is_digital, li.is_digital, lg.is_digital) as is_digital,
    case
        when ld.element_id is not null then 'dwa'
        when li.element_id is not null then 'iwa'
        when lg.element_id is not null then 'gwa'
    end as label_level
from staging.onet_dwa_reference as d
left join int.activity_labels as ld on ld.level = 'dwa' and ld.element_id = d.dwa_id
left join int.activity_labels as li on li.level = 'iwa' and li.element_id = d.iwa_id
left join int.activity_labels as lg on lg.level = 'gwa' and lg.element_id = d.gwa_id
order by d.dwa_id
