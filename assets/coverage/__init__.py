"""Registry of this layer's assets and checks, collected by orchestration/definitions.py.

The coverage tables read marts built by the value and inventory layers. If one of those is missing
from the graph, loading fails and names it: silently dropping the whole coverage layer would leave
a graph that loads but never reports.
"""

from dagster import AssetKey

import assets.changes as _changes
import assets.inventory as _inventory
import assets.value as _value
from assets.coverage.assets import TABLE_ASSETS
from assets.coverage.checks import CHECKS as _CHECKS
from assets.coverage.models import INVENTORY, MATCHES, SECTOR_VALUE, TASK_VALUE
from assets.coverage.outputs import build_exports_asset, build_report_assets, configured_domain_ids

UPSTREAM = [AssetKey(list(k)) for k in (TASK_VALUE, SECTOR_VALUE, MATCHES, INVENTORY)]


def _keys(assets_defs) -> set[AssetKey]:
    return {k for a in assets_defs for k in a.keys}


_other_keys = _keys([*_value.ASSETS, *_inventory.ASSETS, *_changes.ASSETS])
_missing = [k.to_user_string() for k in UPSTREAM if k not in _other_keys]
if _missing:
    raise ImportError(f"the coverage layer reads {', '.join(_missing)}, which no other layer defines")

_mart_keys = sorted(
    {k for k in _other_keys | _keys(TABLE_ASSETS) if k.path[0] == "marts"}, key=lambda k: k.path
)
ASSETS: list = [
    *TABLE_ASSETS,
    build_report_assets(*configured_domain_ids()),
    build_exports_asset(_mart_keys),
]
CHECKS: list = list(_CHECKS)
