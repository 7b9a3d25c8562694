"""The one freshness policy applied to the whole graph.

Every asset is expected to be refreshed at least weekly: the full refresh and the inventory refresh
both run daily (schedules.py), so a healthy deployment stays well inside it. Dagster warns after two
days without a materialization (one missed daily run is tolerated) and fails after eight.
It uses the current FreshnessPolicy API (`FreshnessPolicy.time_window` +
`apply_freshness_policy`), applied in one place rather than repeated on each asset.
"""

from __future__ import annotations

from datetime import timedelta

from dagster import FreshnessPolicy, apply_freshness_policy, map_asset_specs

GLOBAL_FRESHNESS_POLICY = FreshnessPolicy.time_window(
    fail_window=timedelta(days=8), warn_window=timedelta(days=2)
)


def apply_global_freshness(assets: list) -> list:
    """The same assets with GLOBAL_FRESHNESS_POLICY on every spec (a policy set on an asset is replaced)."""
    return list(map_asset_specs(lambda spec: apply_freshness_policy(spec, GLOBAL_FRESHNESS_POLICY), assets))
