"""A warning when the O*NET <-> OES join reaches less employment than it should.

DOMAIN.md expects 98-99% of OES detailed employment to have O*NET tasks behind it (98.6% on May 2024
with O*NET 29.0). A much lower share means the join broke (a re-coded release, a vintage whose codes
O*NET does not use yet): the numbers still add up, but much of the economy silently drops out. Not
blocking: small test mirrors and partial releases are legitimately below it.
"""

from dagster import AssetKey, MetadataValue

from assets.common.warn_checks import warning_check

EXPECTED_MIN_SHARE = 0.98


def _coverage(con) -> tuple[bool, dict]:
    row = con.execute(
        "select share_of_oes_detailed_employment, employment from marts.join_quality where section = 'coverage'"
    ).fetchone()
    share, employment = row or (None, None)
    share = None if share is None else float(share)  # DOUBLE in the mart; a DECIMAL elsewhere
    return share is not None and share >= EXPECTED_MIN_SHARE, {
        "share_of_oes_detailed_employment": MetadataValue.float(round(share or 0.0, 6)),
        "employment_with_tasks": MetadataValue.int(int(employment or 0)),
        "expected_at_least": MetadataValue.float(EXPECTED_MIN_SHARE),
    }


tasks_reach_oes_employment = warning_check(
    AssetKey(["marts", "join_quality"]),
    "join_quality__tasks_reach_at_least_98_pct_of_oes_employment",
    "Warns when less than 98% of OES detailed employment has O*NET tasks behind it (DOMAIN.md expects "
    "98-99%): the O*NET <-> OES join has probably broken for a release or vintage.",
    _coverage,
)
