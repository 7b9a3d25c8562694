"""Typed configuration of the value layer (a Dagster resource named `value_settings`).

Fields may be overridden by environment variables (TASKVALUE_...): each is the field's default whenever
the resource is built, also from a run's partial config (see `from_env` in assets/common/env.py).
Defaults and the reasons for them are documented in the README ("The value model").
"""

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from dagster import ConfigurableResource
from pydantic import field_validator

from assets.common.env import (
    env_field,
    env_flag,
    env_overrides,
    integer,
    number,
    numbers,
    one_of,
    setting_name,
    settings_from,
)
from assets.common.errors import SourceFormatError

if TYPE_CHECKING:  # the resources module is the orchestration layer's; only its type is named here
    from orchestration.resources import TaskvalueSettings

DEFAULT_FT_RATES = [1.0, 4.0, 24.0, 104.0, 250.0, 750.0, 2000.0]
# Upper bounds that keep the SQL's integer arithmetic in range (scores x 1e6 as HUGEINT, points as
# BIGINT): a rate above once a minute (525,600 a year) or a million points means nothing anyway.
MAX_FT_RATE = 1_000_000
MAX_POINTS = 1_000_000
# Hourly wage bands: roughly doubling steps, because wages are spread log-normally. $15/hr is the
# bottom of the OES distribution, $200/hr its top (physicians, executives).
DEFAULT_TIER_THRESHOLDS = [15.0, 25.0, 50.0, 100.0, 200.0]

WeightingMethod = Literal["ft_rt", "importance", "core_supplemental", "equal"]
AllocationRule = Literal["equal_split", "task_count"]


# The GPTs-are-GPTs exposure labels beside the project (../shared/data). Only this default may be absent
# (a user's machine has no ../shared): a path someone configured must exist.
DEFAULT_TASK_ATTRIBUTES = "../shared/data/gpts_are_gpts/full_labelset.tsv"


class ValueSettings(ConfigurableResource):
    """Settings of the value model: weights, employment allocation, tiers, priority, task attributes."""

    weighting_method: WeightingMethod = env_field(
        "TASKVALUE_WEIGHTING_METHOD",
        "ft_rt",
        one_of(*get_args(WeightingMethod)),
        description="Task weights: ft_rt (expected yearly frequency x relevance), importance (IM), "
        "core_supplemental (Core 2 / Supplemental 1 / n/a 1) or equal. Tasks without usable ratings "
        "fall back to core_supplemental.",
    )
    ft_rates_per_year: list[float] = env_field(
        "TASKVALUE_FT_RATES",
        DEFAULT_FT_RATES,
        numbers,
        description="Times a year for FT categories 1..7 (yearly or less .. hourly or more).",
    )
    core_points: int = env_field(
        "TASKVALUE_CORE_POINTS", 2, integer, description="Fallback weight points of a Core task."
    )
    supplemental_points: int = env_field(
        "TASKVALUE_SUPPLEMENTAL_POINTS", 1, integer, description="Fallback points of a Supplemental task."
    )
    untyped_points: int = env_field(
        "TASKVALUE_UNTYPED_POINTS", 1, integer, description="Fallback points of a task whose type is n/a."
    )
    allocation_rule: AllocationRule = env_field(
        "TASKVALUE_ALLOCATION_RULE",
        "equal_split",
        one_of(*get_args(AllocationRule)),
        description="How an OES row's employment is divided among the O*NET codes that share it.",
    )
    hours_per_year: int = env_field(
        "TASKVALUE_HOURS_PER_YEAR", 2080, integer, description="Hours in a full-time year (BLS convention)."
    )
    tier_thresholds_usd: list[float] = env_field(
        "TASKVALUE_TIER_THRESHOLDS_USD",
        DEFAULT_TIER_THRESHOLDS,
        numbers,
        description="Ascending hourly bounds ($/hr, applied to loaded_hourly_cost_usd) between tiers.",
    )
    loaded_cost_multiplier: float = env_field(
        "TASKVALUE_LOADED_COST_MULTIPLIER",
        1.0,
        number,
        description="Employer cost per $ of wage; 1.0 = tiers on wages. ~1.42 when wages are 70% of cost.",
    )
    priority_digital_only: bool = env_field(
        "TASKVALUE_PRIORITY_DIGITAL_ONLY",
        True,
        env_flag,
        description="Priority score counts only digital tasks' annual value.",
    )
    priority_judgment_first: bool = env_field(
        "TASKVALUE_PRIORITY_JUDGMENT_FIRST",
        True,
        env_flag,
        description="Within a tier, judgment tasks rank before other tasks.",
    )
    top_tasks_per_occupation: int = env_field(
        "TASKVALUE_TOP_TASKS_PER_OCCUPATION", 3, integer, description="Tasks listed in occupation_value."
    )
    task_attributes_path: str = env_field(
        # an empty value is a value: TASKVALUE_TASK_ATTRIBUTES= means no attribute file
        "TASKVALUE_TASK_ATTRIBUTES",
        DEFAULT_TASK_ATTRIBUTES,
        empty_is_value=True,
        description="CSV/TSV/Parquet with a Task ID column and numeric attributes; relative to the "
        "project directory; empty = none.",
    )
    task_attributes_task_id_column: str = env_field(
        "TASKVALUE_TASK_ATTRIBUTES_TASK_ID_COLUMN",
        "Task ID",
        description="Task ID column of the attribute file (case, spaces and punctuation ignored).",
    )
    task_attributes_code_column: str = env_field(
        "TASKVALUE_TASK_ATTRIBUTES_CODE_COLUMN",
        "O*NET-SOC Code",
        description="Optional occupation column; used when present (case, spaces and punctuation ignored).",
    )

    # validated here, not only when read from the environment: a run's config may set them too. A bad
    # value fails where it is set, naming it, not half way through a run (or, worse, publishes).
    @field_validator("ft_rates_per_year")
    @classmethod
    def _seven_rates(cls, v: list[float]) -> list[float]:
        if len(v) != 7:
            raise ValueError(
                "ft_rates_per_year (TASKVALUE_FT_RATES) needs exactly 7 rates (FT categories 1..7)"
            )
        if not all(math.isfinite(x) and 0 <= x <= MAX_FT_RATE for x in v):
            raise ValueError(
                f"ft_rates_per_year (TASKVALUE_FT_RATES) must be between 0 and {MAX_FT_RATE:,} times a year "
                f"(got {v})"
            )
        # a rate rounds to the 1e-6 grid of the scores: all 0 would silently turn ft_rt into the fallback
        if not any(x >= 1e-6 for x in v):
            raise ValueError(
                f"ft_rates_per_year (TASKVALUE_FT_RATES) needs a rate of at least 0.000001 a year (got {v}): "
                "with none, no task has an ft_rt score and every weight falls back"
            )
        return v

    @field_validator("tier_thresholds_usd")
    @classmethod
    def _ascending(cls, v: list[float]) -> list[float]:
        name = "tier_thresholds_usd (TASKVALUE_TIER_THRESHOLDS_USD)"
        if not v:
            raise ValueError(f"{name} needs at least one bound: with none there is one tier, $0+/hr")
        if not all(math.isfinite(x) and 0 < x < 100_000 for x in v):
            raise ValueError(f"{name} must be dollars per hour above 0 and below 100,000 (got {v})")
        if any(round(x, 2) != x for x in v):
            raise ValueError(f"{name} must be whole cents, like 15 or 15.50 (got {v})")
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(f"{name} must be strictly ascending, without repeats (got {v})")
        return v

    @field_validator("loaded_cost_multiplier")
    @classmethod
    def _multiplier(cls, v: float) -> float:
        # bound as DECIMAL(10, 4) in SQL, so that loaded costs are exact cents
        if not (math.isfinite(v) and 0 < v <= 10) or round(v, 4) != v:
            raise ValueError(
                "loaded_cost_multiplier (TASKVALUE_LOADED_COST_MULTIPLIER) is the employer cost per $ of "
                f"wage: above 0, at most 10, at most 4 decimals, e.g. 1.0 or 1.42 (got {v})"
            )
        return v

    @field_validator("hours_per_year")
    @classmethod
    def _hours(cls, v: int) -> int:
        if not 1 <= v <= 8784:
            raise ValueError(
                f"{setting_name(cls, 'hours_per_year')} must be between 1 and 8,784 (got {v}); BLS uses 2,080"
            )
        return v

    @field_validator("core_points", "supplemental_points", "untyped_points", "top_tasks_per_occupation")
    @classmethod
    def _at_least_one(cls, v: int, info) -> int:
        if not 1 <= v <= MAX_POINTS:
            raise ValueError(
                f"{setting_name(cls, info.field_name)} must be between 1 and {MAX_POINTS:,} (got {v})"
            )
        return v


# Environment variable -> field. Lists are comma-separated. An empty value is unset, except
# TASKVALUE_TASK_ATTRIBUTES (empty = no attribute file).
ENV_OVERRIDES = env_overrides(ValueSettings)


def attribute_file(settings: "TaskvalueSettings", value: ValueSettings) -> Path | None:
    """The attribute file to read, resolved against the project (None: none configured). A file the
    user named must exist (a typo would empty the attribute marts); only the default, ../shared/data's
    labelset, may be absent (a user's machine without that mirror)."""
    configured = value.task_attributes_path
    path = settings.path(configured) if configured else None
    if path is not None and not path.is_file() and configured != DEFAULT_TASK_ATTRIBUTES:
        raise SourceFormatError(
            str(path),
            "task attribute file not found (TASKVALUE_TASK_ATTRIBUTES / value_settings.task_attributes_path); "
            "set it empty for no attribute file",
        )
    return path


def value_settings_from_env(environ: Mapping[str, str] | None = None, **overrides) -> ValueSettings:
    """Defaults, then TASKVALUE_* environment variables, then explicit overrides (tests)."""
    return settings_from(ValueSettings, environ, overrides)
