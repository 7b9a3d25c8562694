"""Typed configuration of the coverage layer (a Dagster resource named `coverage_settings`).

Fields may be overridden by environment variables (TASKVALUE_...): each is the field's default whenever
the resource is built, also from a run's partial config (see `from_env` in assets/common/env.py).
An empty variable is unset, except TASKVALUE_COVERAGE_EXCLUDED_STATUSES= (exclude no status).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import field_validator

from assets.common.env import (
    env_field,
    env_flag,
    env_overrides,
    integer,
    one_of,
    setting_name,
    settings_from,
)
from assets.common.errors import SettingError
from orchestration.resources import PROJECT_DIR

# Confidence bands of marts.inventory_task_matches, weakest first.
CONFIDENCE_ORDER = ("none", "low", "medium", "high")


class CoverageSettings(ConfigurableResource):
    """Settings of the coverage layer: where the domains live and when a task counts as covered."""

    domains_file: str = env_field(
        "TASKVALUE_DOMAINS_FILE",
        "config/domains.toml",
        description="Domains config (relative to the project directory).",
    )
    min_confidence: str = env_field(
        "TASKVALUE_COVERAGE_MIN_CONFIDENCE",
        "medium",
        one_of(*CONFIDENCE_ORDER[1:]),
        description="Weakest match confidence (low/medium/high) that covers an O*NET task.",
    )
    off_domain_min_confidence: str = env_field(
        "TASKVALUE_COVERAGE_OFF_DOMAIN_MIN_CONFIDENCE",
        "high",
        one_of(*CONFIDENCE_ORDER[1:]),
        description="Weakest confidence at which a text match outside the inventory task's declared domain, "
        "or of a task whose domain names no configured domain, covers (low/medium/high; no weaker than "
        "min_confidence). The text and the label disagree, or the label cannot be checked.",
    )
    explicit_ids_cover: bool = env_field(
        "TASKVALUE_COVERAGE_EXPLICIT_COVERS",
        True,
        env_flag,
        description="A match by explicit O*NET Task ID or a human override pin covers (confidence high by fiat); "
        "false: coverage counts only what matching found.",
    )
    covering_max_rank: int = env_field(
        "TASKVALUE_COVERAGE_MAX_RANK",
        1,
        integer,
        description="Only candidates ranked this high or better cover (1 = the best match of each inventory task).",
    )
    excluded_statuses: str = env_field(
        "TASKVALUE_COVERAGE_EXCLUDED_STATUSES",
        "retired",
        empty_is_value=True,
        description="Comma-separated inventory statuses whose tasks cover nothing (they are still judged).",
    )
    top_gaps_per_domain: int = env_field(
        "TASKVALUE_COVERAGE_TOP_GAPS", 25, integer, description="Rows per domain in marts.coverage_gaps."
    )
    bottom_tier_count: int = env_field(
        "TASKVALUE_COVERAGE_BOTTOM_TIERS",
        0,
        integer,
        description="How many of the lowest-paid tier bands count as 'low tier' (0: a third of the bands, rounded up).",
    )
    top_tier_count: int = env_field(
        "TASKVALUE_COVERAGE_TOP_TIERS",
        0,
        integer,
        description="How many of the highest-paid tier bands count as 'top tier' (0: a third of the bands, rounded up).",
    )

    @field_validator("min_confidence", "off_domain_min_confidence")
    @classmethod
    def _known_band(cls, v: str, info) -> str:
        v = v.strip().lower()
        if v not in CONFIDENCE_ORDER[1:]:
            raise ValueError(f"{info.field_name} must be one of low, medium, high (got {v!r})")
        return v

    @field_validator("covering_max_rank", "top_gaps_per_domain")
    @classmethod
    def _at_least_one(cls, v: int, info) -> int:
        if v < 1:
            raise ValueError(f"{setting_name(cls, info.field_name)} must be at least 1 (got {v})")
        return v

    @field_validator("bottom_tier_count", "top_tier_count")
    @classmethod
    def _not_negative(cls, v: int, info) -> int:
        # 0 means the default (a third of the bands); the upper bound depends on the tiers of the
        # value model and is checked where they are known (sql/int/domain_tier_order.sql)
        if v < 0:
            raise ValueError(
                f"{setting_name(cls, info.field_name)} must be 0 (a third of the bands) or more (got {v})"
            )
        return v

    @property
    def domains_path(self) -> Path:
        """The domains file, a relative path taken from the project directory (PROJECT_DIR)."""
        return self.domains_path_in(PROJECT_DIR)

    def domains_path_in(self, project_dir: str | Path) -> Path:
        """The domains file, a relative path taken from `project_dir` (settings.project_dir), like
        every other relative path of the configuration."""
        p = Path(self.domains_file).expanduser()
        return p if p.is_absolute() else Path(project_dir) / p

    def sql_params(self) -> dict[str, object]:
        """The coverage rule as DuckDB parameters (see sql/int/inventory_match_credibility.sql)."""
        return {
            "min_confidence_level": CONFIDENCE_ORDER.index(self.min_confidence),
            "explicit_ids_cover": self.explicit_ids_cover,
            "covering_max_rank": self.covering_max_rank,
            # never weaker than the rule for every match
            "off_domain_min_confidence_level": max(
                CONFIDENCE_ORDER.index(self.off_domain_min_confidence),
                CONFIDENCE_ORDER.index(self.min_confidence),
            ),
        }

    def coverage_params(self) -> dict[str, object]:
        """The rule plus the statuses that never cover (sql/int/inventory_match_credibility.sql)."""
        statuses = ",".join(s.strip().lower() for s in self.excluded_statuses.split(",") if s.strip())
        return {**self.sql_params(), "excluded_statuses": statuses}

    def rule_text(self) -> str:
        explicit = (
            " or by explicit O*NET Task ID / human pin (at any rank)"
            if self.explicit_ids_cover
            else " (found by matching: explicit O*NET Task IDs and human pins do not count)"
        )
        rank = (
            "its best match"
            if self.covering_max_rank == 1
            else f"one of its top {self.covering_max_rank} matches"
        )
        level = self.sql_params()["off_domain_min_confidence_level"]
        off_domain = (
            f" A text match outside the configured domain the inventory task declares, or of a task whose "
            f"domain names no configured domain, counts only at confidence {CONFIDENCE_ORDER[level]}."
            if level > CONFIDENCE_ORDER.index(self.min_confidence)
            else ""
        )
        statuses = self.coverage_params()["excluded_statuses"]
        excluded = (
            f" Inventory tasks with status {statuses.replace(',', ', ')} do not count." if statuses else ""
        )
        return (
            f"An O*NET task counts as covered when an inventory task has it as {rank} with "
            f"confidence {self.min_confidence} or higher{explicit}. Text or hinted matches of inventory tasks whose "
            f"domain is declared unmapped (unmapped_inventory_domains) do not count.{off_domain}{excluded}"
        )


# Environment variable -> field. Documented in the README ("Coverage").
ENV_OVERRIDES = env_overrides(CoverageSettings)


def coverage_settings_from_env(environ: Mapping[str, str] | None = None, **overrides) -> CoverageSettings:
    """Defaults, then TASKVALUE_* environment variables, then explicit overrides (tests)."""
    return settings_from(CoverageSettings, environ, overrides)


def refuse_tier_counts_beyond(coverage: CoverageSettings, bands: int) -> None:
    """Refuse, before a run, tier counts set by hand that cannot fit the `bands` tier bands the value
    model's thresholds define (int.domain_tier_order applies the same rule to the bands the data
    fills, which can only be fewer: what fails here fails there, half way through a run)."""
    bottom, top = coverage.bottom_tier_count, coverage.top_tier_count
    if not (bottom or top):
        return
    third = 0 if bands < 2 else math.ceil(bands / 3)
    n_bottom, n_top = bottom or third, top or third
    if n_bottom >= bands or n_top >= bands or n_bottom + n_top > bands:
        raise SettingError(
            f"TASKVALUE_COVERAGE_BOTTOM_TIERS={bottom} and TASKVALUE_COVERAGE_TOP_TIERS={top} make {n_bottom} "
            f"bottom and {n_top} top bands of the {bands} tier bands TASKVALUE_TIER_THRESHOLDS_USD defines: "
            f"each must be below {bands} and together at most {bands} (0 = a third of the bands)"
        )
