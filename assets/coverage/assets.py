"""Dagster assets of the coverage layer: one per table (see models.py for the SQL and build order)."""

from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.common.results import table_result
from assets.common.sql_models import load_model
from assets.coverage.config import CoverageSettings
from assets.coverage.models import (
    SQL_MODELS,
    Model,
    build_domain_aliases,
    build_domain_definitions,
    build_model,
)
from orchestration.resources import TaskvalueSettings


@asset(key=AssetKey(["int", "domain_definitions"]), group_name="int", kinds={"duckdb", "toml"})
def domain_definitions(
    coverage_settings: CoverageSettings, settings: TaskvalueSettings, duckdb: DuckDBResource
) -> MaterializeResult:
    """One row per (domain, membership rule), read from the domains config file (config/domains.toml)."""
    domains_file = coverage_settings.domains_path_in(settings.project_dir)
    with duckdb.get_connection() as con:
        count = build_domain_definitions(con, coverage_settings, settings.project_dir)
        return table_result(
            con,
            "int.domain_definitions",
            order_by="domain_order",
            extra={
                "domains": MetadataValue.int(count),
                "domains_file": MetadataValue.path(str(domains_file)),
            },
        )


@asset(
    key=AssetKey(["int", "domain_aliases"]),
    deps=[AssetKey(["int", "domain_definitions"])],
    group_name="int",
    kinds={"duckdb", "toml"},
)
def domain_aliases(
    coverage_settings: CoverageSettings, settings: TaskvalueSettings, duckdb: DuckDBResource
) -> MaterializeResult:
    """Every accepted name (id, name, aliases) of every configured domain, read from the domains config
    file: the names the inventory's `domain` column may use."""
    with duckdb.get_connection() as con:
        build_domain_aliases(con, coverage_settings, settings.project_dir)
        return table_result(
            con,
            "int.domain_aliases",
            order_by="domain_id, name_normalized",
            extra={
                "domains_file": MetadataValue.path(
                    str(coverage_settings.domains_path_in(settings.project_dir))
                )
            },
        )


def _sql_asset(model: Model) -> AssetsDefinition:
    doc = load_model(model.schema, model.table).description

    @asset(
        key=AssetKey(list(model.key)),
        deps=[AssetKey(list(d)) for d in model.deps],
        group_name=model.schema,  # grouped by layer: int or marts, like the other layers' tables
        kinds={"duckdb", "sql"},
        description=doc,
    )
    def _build(coverage_settings: CoverageSettings, duckdb: DuckDBResource) -> MaterializeResult:
        with duckdb.get_connection() as con:
            build_model(con, model, coverage_settings)
            return table_result(
                con,
                model.qualified,
                order_by=model.order_by,
                extra={"coverage_rule": MetadataValue.text(coverage_settings.rule_text())},
            )

    return _build


TABLE_ASSETS = [domain_definitions, domain_aliases, *(_sql_asset(m) for m in SQL_MODELS)]
