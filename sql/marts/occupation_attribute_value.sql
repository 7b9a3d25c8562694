-- Bring-your-own task attributes aggregated per O*NET occupation with the same task weights as the
-- value model: the weighted mean attribute over the tasks that have it, and the exposed value
-- (sum over tasks of annual value x attribute). One row per (occupation with tasks, attribute), also
-- when none of the occupation's tasks is in the file: the coverage columns say how much of the
-- occupation the figures rest on.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   occupation_title: O*NET occupation title.
--   oes_code: OES OCC_CODE matched.
--   attribute: Name of the attribute.
--   tasks_count: Tasks of the occupation.
--   tasks_with_attribute: Tasks that have a value for the attribute (0 when none of them is in the file).
--   weight_covered: Sum of the task weights of the tasks that have a value (exactly 1 = all covered, 0 =
--     none; summed in the weights' integer units, so full coverage is not 0.9999999999999999).
--   weighted_mean_attribute: Sum of weight x value / sum of weight over the covered tasks (tasks without
--     a value are left out, not counted as 0; null when none is covered).
--   wage_bill_usd: Allocated wage bill of the occupation ($/yr).
--   exposed_value_usd: Sum over the covered tasks of annual value x attribute value ($/yr): the exact sum,
--     rounded half to even to cents once (so it can differ by a few cents from the sum of the rounded
--     rows of marts.task_attribute_value). Tasks without a value add nothing; null when no task is
--     covered or the occupation has no wage bill.
--   exposed_share_of_wage_bill: exposed_value_usd / wage_bill_usd (a floor when weight_covered < 1; null
--     without a wage bill).
with attributes as (
    select distinct attribute from int.task_attributes_raw
),

units as (
    select onet_soc_code, sum(weight_units) as units_total from int.task_weights group by all
),

per_occupation as (
    -- the weights' integer units (weight = units / occupation total), so full coverage is exactly 1
    select
        v.onet_soc_code,
        v.attribute,
        count(v.attribute_value) as tasks_with_attribute,
        sum(w.weight_units) filter (where v.attribute_value is not null) as units_covered,
        sum(w.weight_units * v.attribute_value) as weighted_units,
        -- the same exact product as marts.task_attribute_value, in units of 1e-12 cent, summed exactly
        sum(
            (v.annual_value_usd * 100)::hugeint
            * (v.attribute_value::decimal(38, 12) * 1000000000000::decimal(13, 0))::hugeint
        ) as exposed_units
    from marts.task_attribute_value as v
    join int.task_weights as w using (onet_soc_code, task_id)
    group by all
),

rounded as (
    select
        *,
        exposed_units // 1000000000000 as whole_cents,
        exposed_units % 1000000000000 as rest
    from per_occupation
)

select
    o.onet_soc_code,
    o.occupation_title,
    o.oes_code,
    a.attribute,
    o.tasks_count,
    coalesce(p.tasks_with_attribute, 0) as tasks_with_attribute,
    coalesce(p.units_covered / u.units_total, 0) as weight_covered,
    p.weighted_units / p.units_covered as weighted_mean_attribute,
    o.wage_bill_usd,
    -- half to even (// and % truncate toward zero, so the sign is applied to the step)
    ((p.whole_cents + case
        when 2 * abs(p.rest) > 1000000000000 then sign(p.rest)
        when 2 * abs(p.rest) = 1000000000000 and p.whole_cents % 2 != 0 then sign(p.rest)
        else 0
    end)::decimal(38, 0) * 0.01::decimal(3, 2))::decimal(20, 2) as exposed_value_usd,
    exposed_value_usd / nullif(o.wage_bill_usd, 0) as exposed_share_of_wage_bill
from marts.occupation_value as o
cross join attributes as a
left join rounded as p on p.onet_soc_code = o.onet_soc_code and p.attribute = a.attribute
left join units as u on u.onet_soc_code = o.onet_soc_code
where o.tasks_count > 0
order by o.onet_soc_code, a.attribute
