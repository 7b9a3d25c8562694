-- One row per O*NET occupation with tasks: the OES row it maps to, how it was matched, and the share of
-- that row's employment and wage bill allocated to it. Matching order: the 6-digit code's own OES
-- detailed row (detailed), else the one OES aggregate in its SOC broad group (oes_aggregate; an
-- aggregate is a detailed row whose code ends in 0 or is not a SOC 2018 detailed code), else the OES
-- broad row, counting only broad employment not already published in detailed rows (broad), else none.
-- When several O*NET codes share one OES row, its employment is divided (equal_split, or by task_count)
-- with largest-remainder rounding, so the allocated employment adds back up to the OES figure exactly.
-- columns:
--   onet_soc_code: O*NET-SOC code of the occupation.
--   occupation_title: O*NET occupation title.
--   soc_code: 6-digit SOC code of the O*NET code (its first 7 characters).
--   soc_major_code: SOC major group code (XX-0000).
--   soc_major_title: SOC major group title.
--   task_count: Task statements of the occupation in the O*NET release.
--   oes_vintage: OES May vintage (year) used.
--   oes_code: OES OCC_CODE matched (null when match_level is none).
--   oes_title: OES OCC_TITLE matched.
--   oes_o_group: O_GROUP of the matched OES row (detailed or broad).
--   match_level: detailed, oes_aggregate, broad or none.
--   allocation_rule: How the OES row's employment is divided among the O*NET codes sharing it:
--     equal_split or task_count (proportional to task statements); sole when only one code maps.
--   onet_codes_sharing: Number of O*NET codes mapped to the same OES row.
--   allocation_share: Share of the OES row's employment given to this code, before integer rounding.
--   oes_employment: Employment of the matched OES row (broad: the part not published in detailed rows).
--   allocated_employment: Employment allocated to this code (integer; sums to oes_employment per row).
--   hourly_wage_usd: OES H_MEAN, or A_MEAN / hours per year when only annual wages are published
--     (rounded half to even to the cent).
--   hourly_wage_basis: h_mean, a_mean_div_hours (derived, flagged), top_coded (the mean is marked #,
--     at or above the top code: unknown, not unpublished) or missing.
--   annual_wage_usd: OES A_MEAN, or H_MEAN x hours per year when A_MEAN is missing.
--   wage_basis: a_mean, h_mean_x_hours (derived, flagged; hourly-only occupations do not work a full
--     year, so this overstates their pay), top_coded or missing.
--   annual_only: OES publishes only annual wages for the row (ANNUAL=TRUE).
--   hourly_only: OES publishes only hourly wages for the row (HOURLY=TRUE).
--   allocated_wage_bill_cents: allocated_employment x annual wage, in cents (exact integer).
--   allocated_wage_bill_usd: allocated_employment x annual_wage_usd in $ (exact; null when no wage).
with oes as (
    select * from staging.oes_national where $which = 'current'
    union all by name
    select * from staging.oes_national_previous where $which = 'previous'
),

soc_detailed as (
    select soc_code from staging.soc_structure where soc_group = 'Detailed'
),

oes_detailed as (
    select
        o.occ_code,
        o.occ_title,
        o.tot_emp,
        o.h_mean_usd,
        o.a_mean_usd,
        o.annual_only,
        o.hourly_only,
        -- a mean marked # (at or above the top code) is unknown, which is not the same as unpublished
        list_contains(string_split(coalesce(o.markers, ''), ';'), 'A_MEAN=#') as a_mean_top_coded,
        list_contains(string_split(coalesce(o.markers, ''), ';'), 'H_MEAN=#') as h_mean_top_coded,
        o.vintage_year,
        (o.occ_code like '%0' or s.soc_code is null) as is_aggregate
    from oes as o
    left join soc_detailed as s on s.soc_code = o.occ_code
    where o.o_group = 'detailed'
),

-- per SOC broad group: the employment its detailed rows publish, and its single OES aggregate (a
-- group with two aggregates is ambiguous and gets none)
broad_groups as (
    select
        left(occ_code, 6) as broad_prefix,
        sum(tot_emp) as detailed_employment,
        case when count(*) filter (where is_aggregate) = 1 then any_value(occ_code) filter (where is_aggregate) end
            as aggregate_code
    from oes_detailed
    group by 1
),

-- broad rows repeat their detailed rows' employment; only the remainder is unpublished elsewhere
oes_broad as (
    select
        b.occ_code,
        b.occ_title,
        b.tot_emp - coalesce(g.detailed_employment, 0) as tot_emp,
        b.h_mean_usd,
        b.a_mean_usd,
        b.annual_only,
        b.hourly_only,
        list_contains(string_split(coalesce(b.markers, ''), ';'), 'A_MEAN=#') as a_mean_top_coded,
        list_contains(string_split(coalesce(b.markers, ''), ';'), 'H_MEAN=#') as h_mean_top_coded,
        b.vintage_year
    from oes as b
    left join broad_groups as g on g.broad_prefix = left(b.occ_code, 6)
    where b.o_group = 'broad'
),

onet as (
    select
        t.onet_soc_code,
        left(t.onet_soc_code, 7) as soc_code,
        count(*) as task_count
    from staging.onet_task_statements as t
    group by all
),

matched as (
    select
        o.onet_soc_code,
        o.soc_code,
        o.task_count,
        case
            when d.occ_code is not null then 'detailed'
            when g.aggregate_code is not null then 'oes_aggregate'
            when b.occ_code is not null and b.tot_emp > 0 then 'broad'
            else 'none'
        end as match_level,
        case
            when d.occ_code is not null then d.occ_code
            when g.aggregate_code is not null then g.aggregate_code
            when b.occ_code is not null and b.tot_emp > 0 then b.occ_code
        end as oes_code,
        case
            when d.occ_code is not null or g.aggregate_code is not null then 'detailed'
            when b.occ_code is not null and b.tot_emp > 0 then 'broad'
        end as oes_o_group,
        case when $allocation_rule = 'task_count' then o.task_count else 1 end::hugeint as share_points
    from onet as o
    left join oes_detailed as d on d.occ_code = o.soc_code
    left join broad_groups as g on g.broad_prefix = left(o.soc_code, 6)
    left join oes_broad as b on b.occ_code = left(o.soc_code, 6) || '0'
),

oes_rows as (
    select 'detailed' as oes_o_group, * exclude (is_aggregate) from oes_detailed
    union all by name
    select 'broad' as oes_o_group, * from oes_broad
),

sharing as (
    select oes_code, oes_o_group, count(*) as onet_codes_sharing, sum(share_points) as share_points_total
    from matched
    group by all
),

-- largest remainder: floor of each exact share, then one more worker to the largest remainders
floors as (
    select
        m.*,
        r.occ_title as oes_title,
        r.tot_emp as oes_employment,
        r.h_mean_usd,
        r.a_mean_usd,
        r.annual_only,
        r.hourly_only,
        r.a_mean_top_coded,
        r.h_mean_top_coded,
        r.vintage_year,
        s.onet_codes_sharing,
        s.share_points_total,
        (r.tot_emp::hugeint * m.share_points) // s.share_points_total as employment_floor,
        (r.tot_emp::hugeint * m.share_points) % s.share_points_total as employment_remainder
    from matched as m
    join sharing as s on s.oes_code is not distinct from m.oes_code and s.oes_o_group is not distinct from m.oes_o_group
    left join oes_rows as r on r.occ_code = m.oes_code and r.oes_o_group = m.oes_o_group
),

allocated as (
    select
        *,
        oes_employment - sum(employment_floor) over w as leftover,
        row_number() over (w order by employment_remainder desc, onet_soc_code) as remainder_rank
    from floors
    window w as (partition by oes_code, oes_o_group)
),

wages as (
    select
        a.*,
        case
            when a.oes_code is null then null
            else a.employment_floor + case when a.remainder_rank <= a.leftover then 1 else 0 end
        end::bigint as allocated_employment,
        case
            when a.a_mean_usd is not null then a.a_mean_usd::decimal(18, 2)
            when a.h_mean_usd is not null then (a.h_mean_usd * $hours_per_year)::decimal(18, 2)
        end as annual_wage_usd,
        case
            when a.a_mean_usd is not null then 'a_mean'
            when a.h_mean_usd is not null then 'h_mean_x_hours'
            when a.a_mean_top_coded or a.h_mean_top_coded then 'top_coded'
            else 'missing'
        end as wage_basis,
        case
            when a.h_mean_usd is not null then a.h_mean_usd::decimal(12, 2)
            when a.a_mean_usd is not null then round_even((a.a_mean_usd / $hours_per_year)::decimal(38, 9), 2)::decimal(12, 2)
        end as hourly_wage_usd,
        case
            when a.h_mean_usd is not null then 'h_mean'
            when a.a_mean_usd is not null then 'a_mean_div_hours'
            when a.a_mean_top_coded or a.h_mean_top_coded then 'top_coded'
            else 'missing'
        end as hourly_wage_basis
    from allocated as a
)

select
    w.onet_soc_code,
    oc.title as occupation_title,
    w.soc_code,
    left(w.soc_code, 2) || '-0000' as soc_major_code,
    mj.soc_title as soc_major_title,
    w.task_count,
    coalesce(w.vintage_year, (select max(vintage_year) from oes)) as oes_vintage,
    w.oes_code,
    w.oes_title,
    w.oes_o_group,
    w.match_level,
    case
        when w.oes_code is null then null
        when w.onet_codes_sharing = 1 then 'sole'
        when $allocation_rule = 'task_count' then 'task_count'
        else 'equal_split'
    end as allocation_rule,
    case when w.oes_code is not null then w.onet_codes_sharing end as onet_codes_sharing,
    case when w.oes_code is not null then w.share_points / w.share_points_total end as allocation_share,
    w.oes_employment,
    w.allocated_employment,
    w.hourly_wage_usd,
    w.hourly_wage_basis,
    w.annual_wage_usd,
    w.wage_basis,
    w.annual_only,
    w.hourly_only,
    (w.allocated_employment::hugeint * (w.annual_wage_usd * 100)::hugeint) as allocated_wage_bill_cents,
    (allocated_wage_bill_cents::decimal(38, 0) / 100)::decimal(20, 2) as allocated_wage_bill_usd
from wages as w
left join staging.onet_occupations as oc on oc.onet_soc_code = w.onet_soc_code
left join staging.soc_structure as mj on mj.soc_code = left(w.soc_code, 2) || '-0000'
order by w.onet_soc_code
