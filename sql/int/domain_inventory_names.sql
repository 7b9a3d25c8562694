-- One row per distinct `domain` value in the inventory, and the configured domain it maps to.
-- Names match a domain's id, name or aliases case-insensitively ('-', '_' and runs of spaces are
-- equal). A name that matches nothing stays here with domain_id null: reported, never dropped.
-- columns:
--   inventory_domain: The domain as written in the inventory ('' when the column is empty).
--   name_normalized: The name as compared (lower case, separators folded).
--   domain_id: Configured domain it maps to; null when it matches none.
--   matched_by: id, name or alias; null when unmatched.
--   is_matched: True when the name maps to a configured domain.
--   inventory_tasks: Inventory tasks that carry this name.
--   is_declared_unmapped: True when the config file declares the name unmapped on purpose
--     (unmapped_inventory_domains: work with no O*NET counterpart); such a name is not warned about.
with names as (
    select
        coalesce(trim(domain), '') as inventory_domain,
        regexp_replace(lower(trim(coalesce(domain, ''))), '[\s_\-]+', ' ', 'g') as name_normalized,
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
    u.name_normalized is not null as is_declared_unmapped
from names as n
left join int.domain_aliases as a on a.name_normalized = n.name_normalized
left join int.domain_unmapped_names as u on u.name_normalized = n.name_normalized
order by is_matched, n.inventory_tasks desc, n.inventory_domain
