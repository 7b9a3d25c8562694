"""Dagster assets of the coverage layer: one per table (see models.py for the table specs and build order)."""

from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.common.inputs import read_files_metadata, sha256_if_present
from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.sql_models import load_model
from assets.coverage.config import CoverageSettings
from assets.coverage.domains import load_domains
from assets.coverage.models import (
    FRAME_MODELS,
    SQL_MODELS,
    FrameModel,
    Model,
    build_frame_model,
    build_model,
)
from orchestration.resources import TaskvalueSettings


def _asset_args(model: Model | FrameModel, kind: str, description: str) -> dict:
    """What every coverage table asset declares: key [schema, table] and deps from its spec."""
    return {
        "key": AssetKey(list(model.key)),
        "deps": [AssetKey(list(d)) for d in model.deps],
        "group_name": model.schema,  # grouped by layer: int or marts, like the other layers' tables
        "kinds": {"duckdb", kind},
        "description": description,
    }


def _frame_asset(model: FrameModel) -> AssetsDefinition:
    @asset(pool=WORK_DB_POOL, **_asset_args(model, "toml", model.description))
    def _build(
        coverage_settings: CoverageSettings, settings: TaskvalueSettings, duckdb: DuckDBResource
    ) -> MaterializeResult:
        domains_file = coverage_settings.domains_path_in(settings.project_dir)
        sha = sha256_if_present(domains_file)  # hashed before the read: a change meanwhile reads as changed
        domains = load_domains(domains_file)
        count = {"domains": MetadataValue.int(len(domains))} if model.shows_domain_count else {}
        extra = {
            **count,
            "domains_file": MetadataValue.path(str(domains_file)),
            **read_files_metadata({domains_file: sha}),
        }
        with duckdb.get_connection() as con:
            build_frame_model(con, model, domains)
            return table_result(con, model.qualified, order_by=model.order_by, extra=extra)

    return _build


def _sql_asset(model: Model) -> AssetsDefinition:
    @asset(pool=WORK_DB_POOL, **_asset_args(model, "sql", load_model(model.schema, model.table).description))
    def _build(coverage_settings: CoverageSettings, duckdb: DuckDBResource) -> MaterializeResult:
        extra = {"coverage_rule": MetadataValue.text(coverage_settings.rule_text())}
        with duckdb.get_connection() as con:
            build_model(con, model, coverage_settings)
            return table_result(con, model.qualified, order_by=model.order_by, extra=extra)

    return _build


TABLE_ASSETS = [*(_frame_asset(m) for m in FRAME_MODELS), *(_sql_asset(m) for m in SQL_MODELS)]
