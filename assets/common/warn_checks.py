"""Non-blocking checks: a warning on a table, computed by one function over the working database.

The blocking checks are Great Expectations suites (gx_checks.py); these flag what a person should look
at without stopping the refresh (an overrides line not applied, a domain name that maps to nothing).
"""

from collections.abc import Callable
from typing import Any

from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, AssetKey, asset_check
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL


def warning_check(
    asset_key: AssetKey,
    name: str,
    description: str,
    evaluate: Callable[[Any], tuple[bool, dict[str, Any]]],
) -> AssetChecksDefinition:
    """A WARN check on `asset_key`: `evaluate(connection)` returns (passed, metadata)."""

    @asset_check(pool=WORK_DB_POOL, asset=asset_key, name=name, blocking=False, description=description)
    def _check(duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            passed, metadata = evaluate(con)
        return AssetCheckResult(passed=passed, severity=AssetCheckSeverity.WARN, metadata=metadata)

    return _check
