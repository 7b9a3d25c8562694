-- One row per (domain, O*NET occupation) in the domain, with the share of the occupation's value and
-- employment that belongs to it. Code-based domains take the whole occupation (share 1). A sector
-- domain takes the sector's part: its OES sector wage bill (employment) over the national bill
-- (employment) of the occupation's OES code, the sector lens of DOMAIN.md applied to each task. The
-- share is capped at 1: the sector and national files are separate estimates, and a sector that
-- employs nearly all of an occupation can show a bill above the national one (Educational Services,
-- 25-1043: 1.0022); the domain then counts the occupation's whole national value, never more.
-- columns:
--   domain_id: Domain slug from config/domains.toml.
--   onet_soc_code: O*NET-SOC code of a member occupation.
--   oes_code: OES code the occupation's value comes from.
--   matched_rule: The rule that made it a member (rule_type:rule_value; when several match, the most
--     specific: an O*NET code, then a 6-digit SOC code, then the longest prefix).
--   value_share: Share of the occupation's annual value counted in this domain (1 for code-based
--     domains; capped at 1).
--   employment_share: Share of the occupation's employment counted in this domain (1 for code-based
--     domains; capped at 1).
--   is_characteristic: True when inventory tasks matched to the occupation count for the domain: always
--     for code-based domains; for a sector domain, when the sector's share of the occupation's value
--     is at least the sector's share of all value (location quotient >= 1): the value the sector
--     domain counts (its members' national task value x value_share) over the national value of all
--     tasks. Value always counts by
--     value_share; this only keeps a sector from claiming every task of an occupation it barely
--     employs (0.04% of Electronics Engineers' value is in Finance and Insurance).
--   sector_wage_bill_usd: For a sector domain, the sector's wage bill of the occupation's OES code
--     (USD/year; summed over the domain's sectors); null for code-based domains.
--   national_wage_bill_usd: For a sector domain, the national value of all tasks of that OES code
--     (USD/year; the O*NET codes sharing it together); null for code-based domains. The sector's
--     task values are the national ones apportioned exactly in this ratio (int.domain_task_coverage).
with rules as (
    select domain_id, rule_type, rule_value from int.domain_definitions
),

occupations as (
    select
        onet_soc_code,
        any_value(oes_code) as oes_code,
        any_value(allocated_employment)::double as allocated_employment
    from marts.task_value
    group by onet_soc_code
),

-- national bill and employment per OES code, summed over the O*NET codes sharing it
oes_totals as (
    select
        t.oes_code,
        sum(t.annual_value_usd) as national_bill_usd
    from marts.task_value as t
    group by t.oes_code
),

oes_employment as (
    select oes_code, sum(allocated_employment) as national_employment
    from occupations
    group by oes_code
),

code_members as (
    select
        r.domain_id,
        o.onet_soc_code,
        o.oes_code,
        arg_min(
            r.rule_type || ':' || r.rule_value,
            [case r.rule_type when 'onet_code' then 0 when 'soc_code' then 1 else 2 end, -length(r.rule_value)]
        ) as matched_rule,
        1.0::double as value_share,
        1.0::double as employment_share
    from rules as r
    inner join occupations as o
        on (r.rule_type = 'soc_prefix' and starts_with(o.onet_soc_code, r.rule_value))
        or (r.rule_type = 'soc_code' and left(o.onet_soc_code, 7) = r.rule_value)
        or (r.rule_type = 'onet_code' and o.onet_soc_code = r.rule_value)
    group by r.domain_id, o.onet_soc_code, o.oes_code
),

sector_members as (
    select
        r.domain_id,
        o.onet_soc_code,
        o.oes_code,
        min(r.rule_type || ':' || r.rule_value) as matched_rule,
        least(1.0, sum(s.wage_bill_usd)::double / nullif(any_value(b.national_bill_usd), 0)) as value_share,
        least(1.0, sum(s.employment)::double / nullif(any_value(e.national_employment), 0)) as employment_share,
        sum(s.wage_bill_usd)::decimal(20, 2) as sector_wage_bill_usd,
        any_value(b.national_bill_usd)::decimal(20, 2) as national_wage_bill_usd
    from rules as r
    inner join marts.sector_occupation_value as s
        on r.rule_type = 'naics' and s.naics = r.rule_value
    inner join occupations as o on o.oes_code = s.oes_code
    inner join oes_totals as b on b.oes_code = o.oes_code
    inner join oes_employment as e on e.oes_code = o.oes_code
    where s.wage_bill_usd is not null and s.wage_bill_usd > 0
    group by r.domain_id, o.onet_soc_code, o.oes_code
),

-- the sector's share of all value: the bar an occupation's own sector share must reach
sector_totals as (
    select
        m.domain_id,
        sum(b.national_bill_usd * coalesce(m.value_share, 0))
            / nullif((select sum(national_bill_usd) from oes_totals), 0) as sector_value_share
    from (select domain_id, oes_code, any_value(value_share) as value_share from sector_members group by all) as m
    inner join oes_totals as b on b.oes_code = m.oes_code
    group by m.domain_id
)

select
    domain_id, onet_soc_code, oes_code, matched_rule, value_share, employment_share, true as is_characteristic,
    null::decimal(20, 2) as sector_wage_bill_usd, null::decimal(20, 2) as national_wage_bill_usd
from code_members
union all
select
    m.domain_id,
    m.onet_soc_code,
    m.oes_code,
    m.matched_rule,
    coalesce(m.value_share, 0),
    coalesce(m.employment_share, 0),
    coalesce(m.value_share >= t.sector_value_share, false) as is_characteristic,
    m.sector_wage_bill_usd,
    m.national_wage_bill_usd
from sector_members as m
left join sector_totals as t on t.domain_id = m.domain_id
order by domain_id, onet_soc_code
