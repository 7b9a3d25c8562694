"""Typed configuration of the coverage layer (a Dagster resource named `coverage_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `coverage_settings_from_env`.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field, field_validator

from assets.common.env import env_flag
from orchestration.resources import PROJECT_DIR

# Confidence bands of marts.inventory_task_matches, weakest first.
CONFIDENCE_ORDER = ("none", "low", "medium", "high")

ENV_OVERRIDES = {
    "TASKVALUE_DOMAINS_FILE": "domains_file",
    "TASKVALUE_COVERAGE_MIN_CONFIDENCE": "min_confidence",
    "TASKVALUE_COVERAGE_EXPLICIT_COVERS": "explicit_ids_cover",
    "TASKVALUE_COVERAGE_MAX_RANK": "covering_max_rank",
    "TASKVALUE_COVERAGE_TOP_GAPS": "top_gaps_per_domain",
    "TASKVALUE_COVERAGE_EXCLUDED_STATUSES": "excluded_statuses",
    "TASKVALUE_COVERAGE_BOTTOM_TIERS": "bottom_tier_count",
    "TASKVALUE_COVERAGE_TOP_TIERS": "top_tier_count",
}


class CoverageSettings(ConfigurableResource):
    """Settings of the coverage layer: where the domains live and when a task counts as covered."""

    domains_file: str = Field(
        default="config/domains.toml", description="Domains config (relative to the project directory)."
    )
    min_confidence: str = Field(
        default="medium",
        description="Weakest match confidence (low/medium/high) that covers an O*NET task.",
    )
    explicit_ids_cover: bool = Field(
        default=True,
        description="A match by explicit O*NET Task ID (or a human override pin) covers regardless of confidence.",
    )
    covering_max_rank: int = Field(
        default=1,
        description="Only candidates ranked this high or better cover (1 = the best match of each inventory task).",
    )
    excluded_statuses: str = Field(
        default="retired",
        description="Comma-separated inventory statuses whose tasks cover nothing (they are still judged).",
    )
    top_gaps_per_domain: int = Field(default=25, description="Rows per domain in marts.coverage_gaps.")
    bottom_tier_count: int = Field(
        default=0,
        description="How many of the lowest-paid tier bands count as 'low tier' (0: a third of the bands, rounded up).",
    )
    top_tier_count: int = Field(
        default=0,
        description="How many of the highest-paid tier bands count as 'top tier' (0: a third of the bands, rounded up).",
    )

    @field_validator("min_confidence")
    @classmethod
    def _known_band(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in CONFIDENCE_ORDER[1:]:
            raise ValueError(f"min_confidence must be one of low, medium, high (got {v!r})")
        return v

    @property
    def domains_path(self) -> Path:
        p = Path(self.domains_file).expanduser()
        return p if p.is_absolute() else PROJECT_DIR / p

    def sql_params(self) -> dict[str, object]:
        """The coverage rule as DuckDB parameters (see sql/int/domain_task_coverage.sql)."""
        return {
            "min_confidence_level": CONFIDENCE_ORDER.index(self.min_confidence),
            "explicit_ids_cover": self.explicit_ids_cover,
            "covering_max_rank": self.covering_max_rank,
        }

    def coverage_params(self) -> dict[str, object]:
        """The rule plus the statuses that never cover (sql/int/domain_task_coverage.sql)."""
        statuses = ",".join(s.strip().lower() for s in self.excluded_statuses.split(",") if s.strip())
        return {**self.sql_params(), "excluded_statuses": statuses}

    def rule_text(self) -> str:
        explicit = " or by explicit O*NET Task ID / human pin" if self.explicit_ids_cover else ""
        rank = (
            "its best match"
            if self.covering_max_rank == 1
            else f"one of its top {self.covering_max_rank} matches"
        )
        excluded = (
            f" Inventory tasks with status {self.excluded_statuses} do not count."
            if self.excluded_statuses.strip()
            else ""
        )
        return (
            f"An O*NET task counts as covered when an inventory task has it as {rank} with "
            f"confidence {self.min_confidence} or higher{explicit}.{excluded}"
        )


def coverage_settings_from_env(environ: dict[str, str] | None = None, **overrides) -> CoverageSettings:
    environ = os.environ if environ is None else environ
    values: dict = {}
    for var, field in ENV_OVERRIDES.items():
        raw = environ.get(var)
        # an empty value is a value: TASKVALUE_COVERAGE_EXCLUDED_STATUSES= excludes no status
        if raw is not None and (raw or field == "excluded_statuses"):
            values[field] = env_flag(var, raw) if field == "explicit_ids_cover" else raw
    values.update(overrides)
    return CoverageSettings(**values)
