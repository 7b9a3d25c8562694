-- The sector lens: one row per NAICS sector x OES detailed occupation, the value model run on that
-- sector's employment and wages. The wage bill is the sector's TOT_EMP x A_MEAN (H_MEAN x hours when
-- A_MEAN is missing, flagged; null when neither is published, when the mean is top-coded (#: at or
-- above the top code, so unknown) or when employment is suppressed; never 0).
-- The digital share is the occupation's value-weighted digital share from the national task model
-- (task weights do not vary by sector), combined over the O*NET codes that share the OES code by
-- their allocated employment. The digital wage bill multiplies the unrounded share and rounds the
-- product half to even to the cent (the published share is rounded to 12 decimals).
-- columns:
--   naics: NAICS sector code (e.g. 52, 31-33, 99).
--   naics_title: NAICS sector title.
--   oes_code: OES OCC_CODE (detailed, aggregates included).
--   occupation_title: OES occupation title: the OES row's title, as marts.occupation_value.oes_title (in
--     the other marts occupation_title is the O*NET title).
--   employment: Employment of the occupation in the sector (TOT_EMP; null when suppressed). Joined to
--     marts.occupation_value on oes_code, one row here meets every O*NET code sharing the OES row
--     (onet_codes_sharing): sum the sector's employment or wage bill before that join, not after.
--   hourly_wage_usd: Mean hourly wage in the sector ($/hr; H_MEAN or A_MEAN / hours, flagged in
--     hourly_wage_basis).
--   annual_wage_usd: Mean annual wage in the sector ($/yr; A_MEAN or H_MEAN x hours, flagged).
--   wage_basis: a_mean, h_mean_x_hours (derived, flagged), top_coded (the mean is marked #, at or above
--     the top code: unknown, not unpublished) or missing.
--   wage_bill_usd: employment x annual_wage_usd ($/yr); null when either is missing.
--   has_tasks: Whether an O*NET occupation with tasks maps to the OES code.
--   digital_share: Value-weighted share of the occupation's digital tasks (null without tasks; rounded
--     to 12 decimals); for an OES code shared by several O*NET codes, their shares weighted by their
--     allocated employment (national).
--   judgment_share: Value-weighted share of the occupation's judgment tasks (null without tasks; rounded
--     to 12 decimals; weighted the same way).
--   digital_wage_bill_usd: wage_bill_usd x digital_share ($/yr; the unrounded share, the product rounded
--     half to even to the cent).
--   rank_in_sector: Rank of the occupation by wage bill within the sector (1 = largest; equal bills are
--     numbered in oes_code order; null without a wage bill, e.g. employment or wage suppressed in the
--     OES file).
--   digital_rank_in_sector: Rank by digital wage bill within the sector (1 = largest; equal bills are
--     numbered in oes_code order; null without a digital wage bill or when it is 0: no digital tasks).
--   hourly_wage_basis: h_mean, a_mean_div_hours (derived from the annual mean: the sector file publishes
--     only annual wages for the row), top_coded or missing.
with code_weights as (
    select
        onet_soc_code,
        coalesce(sum(task_weight) filter (where is_digital), 0) as digital_w,
        coalesce(sum(task_weight) filter (where nature = 'judgment'), 0) as judgment_w
    from marts.task_value
    group by onet_soc_code
),

occupation_shares as (
    select
        c.oes_code,
        sum(c.allocated_employment * w.digital_w) / sum(c.allocated_employment) as digital_share_unrounded,
        -- rounded so that exact fractions stay exact: a float 0.49999999999999994 fails `>= 0.5`
        round(digital_share_unrounded, 12) as digital_share,
        round(sum(c.allocated_employment * w.judgment_w) / sum(c.allocated_employment), 12) as judgment_share
    from int.onet_oes_crosswalk as c
    join code_weights as w using (onet_soc_code)
    where c.oes_code is not null and c.allocated_employment > 0
    group by c.oes_code
),

sector as (
    select
        s.naics,
        s.naics_title,
        s.occ_code as oes_code,
        s.occ_title as occupation_title,
        s.tot_emp as employment,
        coalesce(s.h_mean_usd, round_even((s.a_mean_usd / $hours_per_year)::decimal(38, 9), 2))::decimal(12, 2) as hourly_wage_usd,
        coalesce(s.a_mean_usd::decimal(18, 2), (s.h_mean_usd * $hours_per_year)::decimal(18, 2)) as annual_wage_usd,
        case
            when s.a_mean_usd is not null then 'a_mean'
            when s.h_mean_usd is not null then 'h_mean_x_hours'
            when s.mean_top_coded then 'top_coded'
            else 'missing'
        end as wage_basis,
        case
            when s.h_mean_usd is not null then 'h_mean'
            when s.a_mean_usd is not null then 'a_mean_div_hours'
            when s.mean_top_coded then 'top_coded'
            else 'missing'
        end as hourly_wage_basis
    from (
        select
            *,
            -- a mean marked # (at or above the top code) is unknown, which is not the same as unpublished
            list_has_any(string_split(coalesce(markers, ''), ';'), ['A_MEAN=#', 'H_MEAN=#']) as mean_top_coded
        from staging.oes_sector
    ) as s
    where s.o_group = 'detailed'
),

valued as (
    select
        s.*,
        (s.employment * s.annual_wage_usd)::decimal(20, 2) as wage_bill_usd,
        o.oes_code is not null as has_tasks,
        o.digital_share,
        o.judgment_share,
        -- half to even, like the project's other exact cents: equal weights make shares such as 29/32,
        -- whose products end in exactly half a cent
        round_even(wage_bill_usd * o.digital_share_unrounded, 2)::decimal(20, 2) as digital_wage_bill_usd
    from sector as s
    left join occupation_shares as o using (oes_code)
)

select
    naics,
    naics_title,
    oes_code,
    occupation_title,
    employment,
    hourly_wage_usd,
    annual_wage_usd,
    wage_basis,
    wage_bill_usd,
    has_tasks,
    digital_share,
    judgment_share,
    digital_wage_bill_usd,
    -- nulls sort last, so the ranked rows are numbered 1..n; an occupation without a bill gets no rank
    case
        when wage_bill_usd is not null
            then row_number() over (partition by naics order by wage_bill_usd desc nulls last, oes_code)
    end as rank_in_sector,
    -- an occupation without digital tasks has no digital rank (its $0 would be numbered by code)
    case
        when digital_wage_bill_usd > 0
            then row_number() over (
                partition by naics order by (digital_wage_bill_usd > 0) desc, digital_wage_bill_usd desc, oes_code
            )
    end as digital_rank_in_sector,
    hourly_wage_basis
from valued
order by naics, rank_in_sector nulls last, oes_code
