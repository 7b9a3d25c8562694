"""The coverage layer's tables, in build order, and how to build them on a DuckDB connection.

Assets (assets.py) wrap these one table each; tests and the CLI call `build_all` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, replace_table_from_frame
from assets.coverage.config import CoverageSettings
from assets.coverage.domains import (
    ALIASES_DOCS,
    DEFINITIONS_DOCS,
    aliases_frame,
    definitions_frame,
    load_domains,
)
from orchestration.resources import PROJECT_DIR

# Upstream tables owned by other layers (contracts from issues 3 and 4).
TASK_VALUE = ("marts", "task_value")
SECTOR_VALUE = ("marts", "sector_occupation_value")
MATCHES = ("marts", "inventory_task_matches")
INVENTORY = ("staging", "inventory_tasks")
OCCUPATIONS = ("staging", "onet_occupations")


@dataclass(frozen=True)
class Model:
    schema: str
    table: str
    deps: tuple[tuple[str, str], ...]
    order_by: str
    # which CoverageSettings parameters the SQL binds
    params: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.table)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


RULE = ("min_confidence_level", "explicit_ids_cover", "covering_max_rank")
DEFINITIONS = ("int", "domain_definitions")
ALIASES = ("int", "domain_aliases")
CREDIBILITY = ("int", "inventory_match_credibility")  # the coverage rule, applied once

SQL_MODELS: tuple[Model, ...] = (
    Model(
        "int", "domain_tier_order", (TASK_VALUE,), "tier_position", ("bottom_tier_count", "top_tier_count")
    ),
    Model("int", "domain_members", (DEFINITIONS, TASK_VALUE, SECTOR_VALUE), "domain_id, onet_soc_code"),
    Model("int", "domain_inventory_names", (INVENTORY, ALIASES), "is_matched, inventory_tasks desc"),
    Model(
        "int",
        "inventory_match_credibility",
        (MATCHES, INVENTORY),
        "inventory_task_id, rank",
        (*RULE, "excluded_statuses"),
    ),
    Model(
        "int",
        "domain_task_coverage",
        (
            ("int", "domain_members"),
            TASK_VALUE,
            OCCUPATIONS,
            ("int", "domain_tier_order"),
            CREDIBILITY,
        ),
        "domain_id, priority_score desc",
    ),
    Model(
        "marts",
        "inventory_grounding",
        (
            CREDIBILITY,
            TASK_VALUE,
            INVENTORY,
            OCCUPATIONS,
            ("int", "domain_tier_order"),
            ("int", "domain_inventory_names"),
            ("int", "domain_members"),
        ),
        "inventory_task_id",
    ),
    Model(
        "marts",
        "domain_coverage_slices",
        (("int", "domain_task_coverage"),),
        "domain_id, dimension, slice_order",
    ),
    Model(
        "marts",
        "domain_coverage",
        (
            DEFINITIONS,
            ("int", "domain_task_coverage"),
            ("marts", "domain_coverage_slices"),
            ("marts", "inventory_grounding"),
            ("int", "domain_members"),
        ),
        "uncovered_value_rank",
    ),
    Model("marts", "coverage_gaps", (("int", "domain_task_coverage"),), "domain_id, gap_rank", ("top_gaps",)),
    Model(
        "marts",
        "domain_concentration",
        (
            ("int", "domain_tier_order"),
            ("marts", "inventory_grounding"),
            ("int", "domain_members"),
            ("marts", "domain_coverage"),
        ),
        "concentration_gap_pct desc nulls last",
    ),
    Model("marts", "inventory_export", (("marts", "inventory_grounding"),), "inventory_task_id"),
)
MARTS = tuple(m for m in SQL_MODELS if m.schema == "marts")


def model_params(model: Model, settings: CoverageSettings) -> dict[str, object]:
    rule = settings.coverage_params()
    values = {
        **rule,
        "top_gaps": settings.top_gaps_per_domain,
        "bottom_tier_count": settings.bottom_tier_count,
        "top_tier_count": settings.top_tier_count,
    }
    return {name: values[name] for name in model.params}


def build_domain_definitions(
    con: duckdb.DuckDBPyConnection, settings: CoverageSettings, project_dir: str | Path = PROJECT_DIR
) -> int:
    """int.domain_definitions from the domains file; returns the domain count."""
    domains = load_domains(settings.domains_path_in(project_dir))
    replace_table_from_frame(
        con,
        "int.domain_definitions",
        definitions_frame(domains),
        table_doc="One row per (domain, membership rule) of the domains config file.",
        column_docs=DEFINITIONS_DOCS,
    )
    return len(domains)


def build_domain_aliases(
    con: duckdb.DuckDBPyConnection, settings: CoverageSettings, project_dir: str | Path = PROJECT_DIR
) -> int:
    """int.domain_aliases from the domains file; returns the domain count."""
    domains = load_domains(settings.domains_path_in(project_dir))
    replace_table_from_frame(
        con,
        "int.domain_aliases",
        aliases_frame(domains),
        table_doc="Every accepted name of every configured domain (id, name and aliases).",
        column_docs=ALIASES_DOCS,
    )
    return len(domains)


def build_model(con: duckdb.DuckDBPyConnection, model: Model, settings: CoverageSettings) -> None:
    build_sql_model(con, load_model(model.schema, model.table), model_params(model, settings))


def build_all(con: duckdb.DuckDBPyConnection, settings: CoverageSettings) -> None:
    """Every coverage table in dependency order (tests, CLI)."""
    build_domain_definitions(con, settings)
    build_domain_aliases(con, settings)
    for model in SQL_MODELS:
        build_model(con, model, settings)
