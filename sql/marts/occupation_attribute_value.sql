-- Bring-your-own task attributes aggregated per O*NET occupation with the same task weights as the
-- value model: the weighted mean attribute over the tasks that have it, and the exposed value
-- (sum over tasks of annual value x attribute).
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   occupation_title: O*NET occupation title.
--   oes_code: OES OCC_CODE matched.
--   attribute: Name of the attribute.
--   tasks_count: Tasks of the occupation.
--   tasks_with_attribute: Tasks that have a value for the attribute.
--   weight_covered: Sum of the task weights of the tasks that have a value (1 = all covered).
--   weighted_mean_attribute: Sum of weight x value / sum of weight over the covered tasks.
--   wage_bill_usd: Allocated wage bill of the occupation ($/yr).
--   exposed_value_usd: Sum over tasks of annual value x attribute value ($/yr).
--   exposed_share_of_wage_bill: exposed_value_usd / wage_bill_usd.
with per_occupation as (
    select
        onet_soc_code,
        attribute,
        count(attribute_value) as tasks_with_attribute,
        sum(task_weight) filter (where attribute_value is not null) as weight_covered,
        sum(task_weight * attribute_value) / sum(task_weight) filter (where attribute_value is not null)
            as weighted_mean_attribute,
        sum(exposed_value_usd) as exposed_value_usd
    from marts.task_attribute_value
    group by all
)

select
    o.onet_soc_code,
    o.occupation_title,
    o.oes_code,
    p.attribute,
    o.tasks_count,
    p.tasks_with_attribute,
    coalesce(p.weight_covered, 0) as weight_covered,
    p.weighted_mean_attribute,
    o.wage_bill_usd,
    p.exposed_value_usd::decimal(20, 2) as exposed_value_usd,
    p.exposed_value_usd / o.wage_bill_usd as exposed_share_of_wage_bill
from per_occupation as p
join marts.occupation_value as o using (onet_soc_code)
order by o.onet_soc_code, p.attribute
