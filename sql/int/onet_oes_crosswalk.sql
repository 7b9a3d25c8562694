-- One row per O*NET occupation with tasks: the OES row it maps to, how it was matched, and the share of
-- that row's employment and wage bill allocated to it. Matching order: the 6-digit code's own OES
-- detailed row (detailed), else the OES aggregate in its SOC broad group (oes_aggregate; an aggregate
-- is a detailed row whose code ends in 0 or is not a SOC 2018 detailed code; when the group holds
-- several, as May 2020's 15-1256 and 15-1257, the one whose title shares the most words with the
-- code's SOC title, if no other shares as many), else the OES broad row, counting only broad
-- employment not already published in detailed rows (broad), else none. Broad groups are SOC 2018's
-- (29-1221 belongs to 29-1210); an OES-only code takes the group of the SOC codes sharing its first
-- six characters.
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
    select soc_code, soc_title, broad_code from staging.soc_structure where soc_group = 'Detailed'
),

-- the broad group of an OES-only code (an aggregate such as 15-1256 or 29-1228): that of the SOC
-- detailed codes sharing its first six characters, when they agree
prefix_broad as (
    select left(soc_code, 6) as prefix, any_value(broad_code) as broad_code
    from soc_detailed
    group by 1
    having count(distinct broad_code) = 1
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
        (o.occ_code like '%0' or s.soc_code is null) as is_aggregate,
        coalesce(s.broad_code, p.broad_code, left(o.occ_code, 6) || '0') as broad_code
    from oes as o
    left join soc_detailed as s on s.soc_code = o.occ_code
    left join prefix_broad as p on p.prefix = left(o.occ_code, 6)
    where o.o_group = 'detailed'
),

-- per SOC broad group: the employment its detailed rows publish
broad_groups as (
    select broad_code, sum(tot_emp) as detailed_employment
    from oes_detailed
    group by 1
),

-- the words left out when titles are compared: glue words, and in an 'Except' clause only the
-- plainest of them ('Except Coil Winders, Tapers, and Finishers')
glue as (
    select
        ['and', 'or', 'of', 'the', 'except', 'all', 'other', 'in', 'a', 'an'] as title_glue,
        ['and', 'or', 'of', 'the'] as clause_glue
),

-- title words (without the glue words), to tell apart the aggregates of a broad group that holds
-- several, and the words an aggregate excludes ('Surgeons, Except Ophthalmologists')
aggregates as (
    select
        d.occ_code,
        d.broad_code,
        list_filter(
            list_distinct(regexp_extract_all(lower(d.occ_title), '[a-z]+')),
            lambda w: not list_contains(g.title_glue, w)
        ) as words,
        list_distinct(flatten(list_transform(
            regexp_extract_all(lower(d.occ_title), 'except ([^;]*)', 1),
            lambda clause: list_filter(
                regexp_extract_all(clause, '[a-z]+'), lambda w: not list_contains(g.clause_glue, w)
            )
        ))) as excluded_words
    from oes_detailed as d
    cross join glue as g
    where d.is_aggregate
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
    left join broad_groups as g on g.broad_code = b.occ_code
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

onet_groups as (
    select
        o.*,
        coalesce(s.broad_code, p.broad_code, left(o.soc_code, 6) || '0') as broad_code,
        coalesce(s.soc_title, oc.title) as soc_title
    from onet as o
    left join soc_detailed as s on s.soc_code = o.soc_code
    left join prefix_broad as p on p.prefix = left(o.soc_code, 6)
    left join staging.onet_occupations as oc on oc.onet_soc_code = o.onet_soc_code
),

-- codes without an OES row of their own, with their title words (only these look for an aggregate)
orphans as (
    select
        o.onet_soc_code,
        o.broad_code,
        list_filter(
            list_distinct(regexp_extract_all(lower(o.soc_title), '[a-z]+')),
            lambda w: not list_contains(g.title_glue, w)
        ) as words,
        -- the title before its first comma: 'Ophthalmologists' of 'Ophthalmologists, Except Pediatric'
        regexp_extract_all(lower(split_part(o.soc_title, ',', 1)), '[a-z]+') as head_words
    from onet_groups as o
    cross join glue as g
    anti join oes_detailed as d on d.occ_code = o.soc_code
),

-- the aggregate of each code's broad group: the only one, or the one sharing the most title words
-- when no other shares as many (else none: a guess would move employment between occupations).
-- An aggregate whose title excludes the code (every word after its 'Except' is in the code's title
-- head) is not a candidate: May 2020's 29-1248 'Surgeons, Except Ophthalmologists' for 29-1241.
aggregate_of as (
    select onet_soc_code, oes_code
    from (
        select
            o.onet_soc_code,
            a.occ_code as oes_code,
            len(list_intersect(o.words, a.words)) as shared,
            count(*) over (partition by o.onet_soc_code) as candidates,
            row_number() over (partition by o.onet_soc_code order by shared desc) as pick,
            count(*) over (partition by o.onet_soc_code, shared) as tied
        from orphans as o
        join aggregates as a
            on a.broad_code = o.broad_code
            and not (len(a.excluded_words) > 0 and list_has_all(o.head_words, a.excluded_words))
    )
    where pick = 1 and (candidates = 1 or (shared > 0 and tied = 1))
),

matched as (
    select
        o.onet_soc_code,
        o.soc_code,
        o.task_count,
        case
            when d.occ_code is not null then 'detailed'
            when g.oes_code is not null then 'oes_aggregate'
            when b.occ_code is not null and b.tot_emp > 0 then 'broad'
            else 'none'
        end as match_level,
        case
            when d.occ_code is not null then d.occ_code
            when g.oes_code is not null then g.oes_code
            when b.occ_code is not null and b.tot_emp > 0 then b.occ_code
        end as oes_code,
        case
            when d.occ_code is not null or g.oes_code is not null then 'detailed'
            when b.occ_code is not null and b.tot_emp > 0 then 'broad'
        end as oes_o_group,
        case when $allocation_rule = 'task_count' then o.task_count else 1 end::hugeint as share_points
    from onet_groups as o
    left join oes_detailed as d on d.occ_code = o.soc_code
    left join aggregate_of as g on g.onet_soc_code = o.onet_soc_code
    left join oes_broad as b on b.occ_code = o.broad_code
),

oes_rows as (
    select 'detailed' as oes_o_group, * exclude (is_aggregate, broad_code) from oes_detailed
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
