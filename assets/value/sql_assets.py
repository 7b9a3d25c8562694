"""Assets whose table is one SQL model file (sql/<schema>/<table>.sql), with parameters from settings.

Dependencies are read from the model's SQL (every `staging.x`, `int.x`, `marts.x` it names), so the
graph cannot drift from the queries.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from dagster import AssetKey, AssetsDefinition, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.sql_models import SqlModel, load_model
from assets.common.warehouse import build_sql_model
from assets.value.config import ValueSettings
from orchestration.resources import TaskvalueSettings

_TABLE_REF = re.compile(r"\b(staging|int|marts)\.([a-z_][a-z0-9_]*)\b")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")

Params = Callable[[TaskvalueSettings, ValueSettings], Mapping[str, object]]


def value_params(settings: TaskvalueSettings, value: ValueSettings) -> dict[str, object]:
    """Every parameter a value-model SQL file may bind; each model takes the ones it names."""
    return {
        "which": "current",
        "allocation_rule": value.allocation_rule,
        "hours_per_year": value.hours_per_year,
        "weighting_method": value.weighting_method,
        "ft_rates": [float(x) for x in value.ft_rates_per_year],
        "core_points": value.core_points,
        "supplemental_points": value.supplemental_points,
        "untyped_points": value.untyped_points,
        "loaded_cost_multiplier": value.loaded_cost_multiplier,
        "digital_only": value.priority_digital_only,
        "judgment_first": value.priority_judgment_first,
        "top_tasks": value.top_tasks_per_occupation,
    }


def model_deps(model: SqlModel) -> list[AssetKey]:
    code = "\n".join(line.split("--", 1)[0] for line in model.sql.splitlines())  # comments name tables too
    refs = set(_TABLE_REF.findall(code))
    refs.discard((model.schema, model.table))
    return [AssetKey([s, t]) for s, t in sorted(refs)]


def bound_params(model: SqlModel, params: Mapping[str, object]) -> dict[str, object]:
    used = set(_PARAM.findall(model.sql))
    missing = used - set(params)
    if missing:
        raise ValueError(f"sql/{model.schema}/{model.table}.sql uses unknown parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}


def sql_model_asset(
    schema: str,
    table: str,
    *,
    group: str,
    order_by: str | None = None,
    source: tuple[str, str] | None = None,
    params: Params = value_params,
    overrides: Mapping[str, object] | None = None,
    description: str | None = None,
) -> AssetsDefinition:
    """Asset building `schema.table` from its SQL file (or from `source`'s file under another name)."""
    base = load_model(*(source or (schema, table)))
    model = replace(base, schema=schema, table=table, description=description or base.description)
    deps = [k for k in model_deps(base) if k != AssetKey([schema, table])]

    @asset(
        pool=WORK_DB_POOL,
        key=AssetKey([schema, table]),
        deps=deps,
        group_name=group,
        kinds={"duckdb", "sql"},
        description=model.description,
    )
    def _asset(
        settings: TaskvalueSettings, value_settings: ValueSettings, duckdb: DuckDBResource
    ) -> MaterializeResult:
        values = {**params(settings, value_settings), **(overrides or {})}
        with duckdb.get_connection() as con:
            build_sql_model(con, model, bound_params(model, values))
            return table_result(con, model.qualified, order_by=order_by)

    return _asset
