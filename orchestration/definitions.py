"""The Dagster Definitions: every asset, check, resource, job, schedule and sensor, assembled here.

Each layer package exposes ASSETS and CHECKS; orchestration/sensors.py and schedules.py expose their
jobs. The publish asset depends on every table, so the warehouse is swapped in only after all of
them were built and their blocking checks passed.
"""

import logging
from collections.abc import Mapping

from dagster import Definitions, LoggerDefinition, in_process_executor

import assets.changes as changes
import assets.coverage as coverage
import assets.inventory as inventory
import assets.value as value
from assets.coverage.config import coverage_settings_from_env
from assets.ingest.assets import INGEST_ASSETS
from assets.inventory.config import inventory_settings_from_env
from assets.publish.assets import build_publish_asset
from assets.staging.assets import STAGING_ASSETS
from assets.staging.checks import STAGING_CHECKS
from assets.value.config import value_settings_from_env
from orchestration import schedules, sensors
from orchestration.freshness import apply_global_freshness
from orchestration.jobs import build_jobs
from orchestration.resources import duckdb_for, settings_from_env
from orchestration.unknown_settings import unknown_variables

TABLE_ASSETS = [
    *INGEST_ASSETS,
    *STAGING_ASSETS,
    *value.ASSETS,
    *inventory.ASSETS,
    *coverage.ASSETS,
    *changes.ASSETS,
]
published = build_publish_asset(TABLE_ASSETS)
ALL_ASSETS = apply_global_freshness([*TABLE_ASSETS, published])
ALL_CHECKS = [*STAGING_CHECKS, *value.CHECKS, *inventory.CHECKS, *coverage.CHECKS, *changes.CHECKS]


def build_definitions(
    *, loggers: Mapping[str, LoggerDefinition] | None = None, **setting_overrides
) -> Definitions:
    """Everything Dagster loads; `loggers` replace the jobs' default console logger (the CLI's)."""
    settings = settings_from_env(**setting_overrides)
    return Definitions(
        loggers=loggers,
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        resources={
            "settings": settings,
            "duckdb": duckdb_for(settings),
            "value_settings": value_settings_from_env(),
            "inventory_settings": inventory_settings_from_env(),
            "coverage_settings": coverage_settings_from_env(),
        },
        jobs=[*build_jobs(), *sensors.JOBS, *schedules.JOBS],
        schedules=schedules.SCHEDULES,
        sensors=sensors.SENSORS,
        # One writer per DuckDB file, and subprocess start-up dominates small steps: runs from the UI
        # execute in process too (see ../shared/STACK.md).
        executor=in_process_executor,
    )


defs = build_definitions()
# `dagster dev`, `taskvalue refresh` and the tests load this module: a misspelt setting is named on
# stderr (the logging module's last-resort handler, or Dagster's)
for _line in unknown_variables():
    logging.getLogger("taskvalue").warning("warning: %s", _line)
