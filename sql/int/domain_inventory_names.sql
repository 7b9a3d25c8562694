-- One row per distinct `domain` value in the inventory, and the configured domain it maps to.
-- Names match a domain's id, name or aliases case-insensitively ('-', '_', dashes and runs of
-- whitespace are equal; zero-width characters are ignored). A name that matches nothing stays here
-- with domain_id null: reported, never dropped.
-- columns:
--   inventory_domain: The domain as written in the inventory ('' when the column is empty).
--   name_normalized: The name as compared (lower case, separators folded).
--   domain_id: Configured domain it maps to; null when it matches none.
--   matched_by: id, name or alias; null when unmatched.
--   is_matched: True when the name maps to a configured domain.
--   inventory_tasks: Inventory tasks that carry this name.
--   is_declared_unmapped: True when the config file declares the name unmapped on purpose
--     (unmapped_inventory_domains: work with no O*NET counterpart); such a name is not warned about.
--   is_no_domain: True when the value says there is no domain: empty, only dashes, or a placeholder
--     (n/a, na, none, null, nil, nan, unknown, tbd, other, misc, miscellaneous, ?). Such a task is
--     judged and matched as one without a domain, and the name is not warned about.
with names as (
    select
        coalesce(trim(domain), '') as inventory_domain,
        -- as assets/coverage/domains.py normalize_name: zero-width characters dropped, runs of
        -- whitespace (RE2's \s is ASCII only and lacks the vertical tab, so \pZ, VT and the C1/FS spaces
        -- too), '_', '-' and dashes
        trim(regexp_replace(
            regexp_replace(lower(coalesce(domain, '')), '[\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]', '', 'g'),
            '[\s\pZ\x{0B}\x{85}\x{1C}-\x{1F}_\x{2010}-\x{2015}-]+', ' ', 'g'
        )) as name_normalized,
        count(*) as inventory_tasks
    from staging.inventory_tasks
    group by all
)

select
    n.inventory_domain,
    n.name_normalized,
    a.domain_id,
    a.matched_by,
    a.domain_id is not null as is_matched,
    n.inventory_tasks,
    u.name_normalized is not null as is_declared_unmapped,
    -- a spreadsheet's '-' or 'N/A', pandas' 'nan': no claim of a domain, not a name to map
    n.name_normalized in (
        '', 'n/a', 'na', 'none', 'null', 'nil', 'nan', 'unknown', 'tbd', 'other', 'misc', 'miscellaneous', '?'
    ) and a.domain_id is null and u.name_normalized is null as is_no_domain
from names as n
left join int.domain_aliases as a on a.name_normalized = n.name_normalized
left join int.domain_unmapped_names as u on u.name_normalized = n.name_normalized
order by is_matched, n.inventory_tasks desc, n.inventory_domain
