"""Shared by the staging tests: the asset selection of the ingest and staging groups, and the
aggregate-code query (reusable as is against the work or the published database)."""

from assets.ingest.assets import INGEST_ASSETS
from assets.staging.assets import STAGING_ASSETS

SELECTION = [k for a in [*INGEST_ASSETS, *STAGING_ASSETS] for k in a.keys]

# Detailed OES rows that are OES aggregates: the code ends in 0, or SOC 2018 does not list it as
# a detailed occupation (../shared/DOMAIN.md).
AGGREGATE_CODES_SQL = """
select distinct o.occ_code
from staging.oes_national o
left join staging.soc_structure s on s.soc_code = o.occ_code and s.soc_group = 'Detailed'
where o.o_group = 'detailed' and (o.occ_code like '%0' or s.soc_code is null)
order by o.occ_code
"""
