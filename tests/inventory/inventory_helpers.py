"""Helpers shared by the inventory tests: refresh only the inventory, domain-config and O*NET assets."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckSeverity, AssetKey

from assets.inventory.assets import DOMAINS, FILES, MATCHES, OVERRIDES, QUARANTINE, TASKS
from assets.inventory.shared_sentences import SHARED
from tests.conftest import run_refresh


def inventory_selection() -> list[AssetKey]:
    from orchestration.definitions import ALL_ASSETS

    keys = [k for a in ALL_ASSETS for k in a.keys]
    onet = [k for k in keys if k.path[0] == "staging" and k.path[1].startswith("onet_")]
    return [
        AssetKey(["ingest", "onet"]),
        AssetKey(["ingest", "soc"]),
        AssetKey(["staging", "soc_structure"]),
        *onet,
        TASKS,
        QUARANTINE,
        FILES,
        OVERRIDES,
        *DOMAINS,
        SHARED,
        MATCHES,
    ]


def refresh(tmp: Path, mirror: Path, inventory: Path):
    result, settings = run_refresh(tmp, mirror, selection=inventory_selection(), inventory_dir=str(inventory))
    assert result.success
    checks = [e for e in result.get_asset_check_evaluations() if e.asset_key.path[1].startswith("inventory")]
    # blocking checks pass; a warning (an overrides line not applied as written) is the tests' to read
    blocking = [e for e in checks if e.severity != AssetCheckSeverity.WARN]
    assert blocking and all(e.passed for e in blocking), [(e.check_name, e.passed) for e in checks]
    return settings


def rows(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        return con.execute(sql).fetchall()
