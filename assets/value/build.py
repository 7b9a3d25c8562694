"""Build the whole value model on an open connection, outside Dagster (benchmarks, notebooks).

The order is the asset graph's: seeds and configuration tables, the int layer, then the marts.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, replace_table_from_frame
from assets.value import attributes, seeds
from assets.value.config import ValueSettings, attribute_file
from assets.value.sql_assets import bound_params, value_params
from orchestration.resources import TaskvalueSettings

SQL_ORDER = [
    ("int", "onet_oes_crosswalk"),
    ("int", "task_weight_variants"),
    ("int", "task_weights"),
    ("int", "dwa_labels"),
    ("int", "task_labels"),
    ("marts", "task_value"),
    ("marts", "occupation_value"),
    ("marts", "task_family_value"),
    ("marts", "sector_occupation_value"),
    ("marts", "join_quality"),
    ("marts", "weighting_sensitivity"),
    ("marts", "task_attribute_value"),
    ("marts", "task_attribute_unmatched"),
    ("marts", "occupation_attribute_value"),
]


def build_all(con: duckdb.DuckDBPyConnection, settings: TaskvalueSettings, value: ValueSettings) -> None:
    """Every table of the value model and the release changes, from the staging tables in `con`."""
    replace_table_from_frame(
        con, "int.activity_labels", seeds.read_activity_labels(), column_docs=seeds.LABEL_DOCS
    )
    replace_table_from_frame(
        con,
        "int.wage_tiers",
        seeds.tier_frame(value.tier_thresholds_usd, value.loaded_cost_multiplier),
        column_docs=seeds.TIER_DOCS,
    )
    path = attribute_file(settings, value)  # as the asset reads it
    frame = (
        attributes.read_task_attributes(
            path, value.task_attributes_task_id_column, value.task_attributes_code_column
        )[0]
        if path is not None and path.is_file()
        else attributes.empty_attributes()
    )
    replace_table_from_frame(con, "int.task_attributes_raw", frame, column_docs=attributes.RAW_DOCS)
    params = value_params(settings, value)
    for schema, table in SQL_ORDER:
        model = load_model(schema, table)
        build_sql_model(con, model, bound_params(model, params))
    previous = replace(load_model("int", "onet_oes_crosswalk"), table="onet_oes_crosswalk_previous")
    build_sql_model(con, previous, bound_params(previous, {**params, "which": "previous"}))
    releases = {
        "previous_release": settings.onet_previous_release or None,
        "current_release": settings.onet_release,
    }
    for table in ("release_changes", "onet_release_changes"):
        changes = load_model("marts", table)
        build_sql_model(con, changes, bound_params(changes, {**params, **releases}))
