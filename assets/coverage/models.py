"""The coverage layer's tables, in build order, and how to build them on a DuckDB connection.

Assets (assets.py) wrap these one table each; tests and the CLI call `build_all` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, replace_table_from_frame
from assets.coverage.config import CoverageSettings
from assets.coverage.domains import (
    ALIASES_DOCS,
    DEFINITIONS_DOCS,
    UNMAPPED_DOCS,
    Domain,
    aliases_frame,
    definitions_frame,
    load_domains,
    unmapped_frame,
)

# Upstream tables owned by other layers (contracts from issues 3 and 4).
TASK_VALUE = ("marts", "task_value")
SECTOR_VALUE = ("marts", "sector_occupation_value")
MATCHES = ("marts", "inventory_task_matches")
INVENTORY = ("staging", "inventory_tasks")
OCCUPATIONS = ("staging", "onet_occupations")
OCCUPATION_VALUE = ("marts", "occupation_value")
OVERRIDES = ("staging", "inventory_overrides")


class _Table:
    """Naming shared by both kinds of table spec below (their dataclasses declare the fields)."""

    schema: str
    table: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.table)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class Model(_Table):
    """A table built by sql/<schema>/<table>.sql."""

    schema: str
    table: str
    deps: tuple[tuple[str, str], ...]
    order_by: str
    # which CoverageSettings parameters the SQL binds
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameModel(_Table):
    """A table derived from the domains config file by a Polars frame function (no SQL file)."""

    schema: str
    table: str
    frame_fn: Callable[[list[Domain]], pl.DataFrame]
    table_doc: str  # COMMENT ON TABLE
    column_docs: Mapping[str, str]  # COMMENT ON COLUMN, every column
    description: str  # the asset's description in the Dagster UI
    order_by: str  # of the preview in the materialization metadata
    deps: tuple[tuple[str, str], ...] = ()
    # also show the number of configured domains in the materialization metadata
    shows_domain_count: bool = False


RULE = ("min_confidence_level", "explicit_ids_cover", "covering_max_rank", "off_domain_min_confidence_level")
DEFINITIONS = ("int", "domain_definitions")
ALIASES = ("int", "domain_aliases")
UNMAPPED = ("int", "domain_unmapped_names")
CREDIBILITY = ("int", "inventory_match_credibility")  # the coverage rule, applied once
CANDIDATE_VALUE = ("int", "inventory_candidate_value")  # what each candidate is worth, valued once

# Built first: the SQL models read them. A new config-derived table is one more entry.
FRAME_MODELS: tuple[FrameModel, ...] = (
    FrameModel(
        *DEFINITIONS,
        definitions_frame,
        table_doc="One row per (domain, membership rule) of the domains config file.",
        column_docs=DEFINITIONS_DOCS,
        description="One row per (domain, membership rule), read from the domains config file"
        " (config/domains.toml).",
        order_by="domain_order",
        shows_domain_count=True,
    ),
    FrameModel(
        *ALIASES,
        aliases_frame,
        table_doc="Every accepted name of every configured domain (id, name and aliases).",
        column_docs=ALIASES_DOCS,
        description="Every accepted name (id, name, aliases) of every configured domain, read from the"
        " domains config file: the names the inventory's `domain` column may use.",
        order_by="domain_id, name_normalized",
        deps=(DEFINITIONS,),
    ),
    FrameModel(
        *UNMAPPED,
        unmapped_frame,
        table_doc="Inventory domain names declared to map to no domain on purpose (unmapped_inventory_domains).",
        column_docs=UNMAPPED_DOCS,
        description="Inventory `domain` names the domains config file declares unmapped on purpose "
        "(`unmapped_inventory_domains`: work with no O*NET counterpart, such as puzzles): their tasks stay "
        "ungrounded, but the domain-name warning does not flag them.",
        order_by="name_normalized",
        deps=(DEFINITIONS,),
    ),
)

SQL_MODELS: tuple[Model, ...] = (
    Model(
        "int", "domain_tier_order", (TASK_VALUE,), "tier_position", ("bottom_tier_count", "top_tier_count")
    ),
    Model("int", "domain_members", (DEFINITIONS, TASK_VALUE, SECTOR_VALUE), "domain_id, onet_soc_code"),
    Model(
        "int", "domain_inventory_names", (INVENTORY, ALIASES, UNMAPPED), "is_matched, inventory_tasks desc"
    ),
    Model(
        "int",
        "inventory_match_credibility",
        (MATCHES, INVENTORY, ("int", "domain_inventory_names"), ("int", "domain_members")),
        "inventory_task_id, rank",
        (*RULE, "excluded_statuses"),
    ),
    Model(
        "int",
        "inventory_candidate_value",
        (CREDIBILITY, TASK_VALUE, ("int", "domain_tier_order"), OCCUPATIONS),
        "inventory_task_id, rank",
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
            CANDIDATE_VALUE,
            OCCUPATION_VALUE,
            INVENTORY,
            ("int", "domain_inventory_names"),
            ("int", "domain_members"),
            ("int", "inventory_shared_sentences"),  # the boilerplate an excerpt leaves out
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
        ("coverage_rule",),
    ),
    Model(
        "marts",
        "coverage_gaps",
        (("int", "domain_task_coverage"), ("int", "inventory_match_credibility")),
        "domain_id, gap_rank",
        ("top_gaps",),
    ),
    Model(
        "marts",
        "domain_concentration",
        (
            ("int", "domain_tier_order"),
            ("marts", "inventory_grounding"),
            ("int", "domain_members"),
            ("int", "domain_task_coverage"),
            ("marts", "domain_coverage"),
        ),
        "concentration_gap_pct desc nulls last",
    ),
    Model(
        "marts",
        "inventory_export",
        (("marts", "inventory_grounding"), CANDIDATE_VALUE),
        "inventory_task_id",
    ),
    Model(
        "marts",
        "inventory_review",
        (
            ("marts", "inventory_grounding"),
            CANDIDATE_VALUE,
            MATCHES,
            INVENTORY,
            OVERRIDES,
            TASK_VALUE,
        ),
        "review_order",
    ),
)
MARTS = tuple(m for m in SQL_MODELS if m.schema == "marts")


def model_params(model: Model, settings: CoverageSettings) -> dict[str, object]:
    rule = settings.coverage_params()
    values = {
        **rule,
        "top_gaps": settings.top_gaps_per_domain,
        "coverage_rule": settings.rule_text(),
        "bottom_tier_count": settings.bottom_tier_count,
        "top_tier_count": settings.top_tier_count,
    }
    return {name: values[name] for name in model.params}


def build_frame_model(con: duckdb.DuckDBPyConnection, model: FrameModel, domains: list[Domain]) -> None:
    replace_table_from_frame(
        con,
        model.qualified,
        model.frame_fn(domains),
        table_doc=model.table_doc,
        column_docs=model.column_docs,
    )


def build_model(con: duckdb.DuckDBPyConnection, model: Model, settings: CoverageSettings) -> None:
    build_sql_model(con, load_model(model.schema, model.table), model_params(model, settings))


def build_all(con: duckdb.DuckDBPyConnection, settings: CoverageSettings) -> None:
    """Every coverage table in dependency order (tests, CLI)."""
    domains = load_domains(settings.domains_path)  # parsed once for every frame model
    for frame_model in FRAME_MODELS:
        build_frame_model(con, frame_model, domains)
    for model in SQL_MODELS:
        build_model(con, model, settings)
