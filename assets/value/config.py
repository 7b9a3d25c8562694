"""Typed configuration of the value layer (a Dagster resource named `value_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `value_settings_from_env`.
Defaults and the reasons for them are documented in the README ("The value model").
"""

import os
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from assets.common.env import env_flag

DEFAULT_FT_RATES = [1.0, 4.0, 24.0, 104.0, 250.0, 750.0, 2000.0]
# Hourly wage bands: roughly doubling steps, because wages are spread log-normally. $15/hr is the
# bottom of the OES distribution, $200/hr its top (physicians, executives).
DEFAULT_TIER_THRESHOLDS = [15.0, 25.0, 50.0, 100.0, 200.0]

WeightingMethod = Literal["ft_rt", "importance", "core_supplemental", "equal"]
AllocationRule = Literal["equal_split", "task_count"]


class ValueSettings(ConfigurableResource):
    """Settings of the value model: weights, employment allocation, tiers, priority, task attributes."""

    weighting_method: WeightingMethod = Field(
        default="ft_rt",
        description="Task weights: ft_rt (expected yearly frequency x relevance), importance (IM), "
        "core_supplemental (Core 2 / Supplemental 1 / n/a 1) or equal. Tasks without usable ratings "
        "fall back to core_supplemental.",
    )
    ft_rates_per_year: list[float] = Field(
        default=DEFAULT_FT_RATES,
        description="Times a year for FT categories 1..7 (yearly or less .. hourly or more).",
    )
    core_points: int = Field(default=2, description="Fallback weight points of a Core task.")
    supplemental_points: int = Field(default=1, description="Fallback points of a Supplemental task.")
    untyped_points: int = Field(default=1, description="Fallback points of a task whose type is n/a.")
    allocation_rule: AllocationRule = Field(
        default="equal_split",
        description="How an OES row's employment is divided among the O*NET codes that share it.",
    )
    hours_per_year: int = Field(default=2080, description="Hours in a full-time year (BLS convention).")
    tier_thresholds_usd: list[float] = Field(
        default=DEFAULT_TIER_THRESHOLDS,
        description="Ascending hourly bounds ($/hr, applied to loaded_hourly_cost_usd) between tiers.",
    )
    loaded_cost_multiplier: float = Field(
        default=1.0,
        description="Employer cost per $ of wage; 1.0 = tiers on wages. ~1.42 when wages are 70% of cost.",
    )
    priority_digital_only: bool = Field(
        default=True, description="Priority score counts only digital tasks' annual value."
    )
    priority_judgment_first: bool = Field(
        default=True, description="Within a tier, judgment tasks rank before other tasks."
    )
    top_tasks_per_occupation: int = Field(default=3, description="Tasks listed in occupation_value.")
    task_attributes_path: str = Field(
        default="../shared/data/gpts_are_gpts/full_labelset.tsv",
        description="CSV/TSV/Parquet with a Task ID column and numeric attributes; relative to the "
        "project directory; empty = none.",
    )
    task_attributes_task_id_column: str = Field(default="Task ID")
    task_attributes_code_column: str = Field(
        default="O*NET-SOC Code", description="Optional occupation column; used when present."
    )


# Environment variable -> field. Lists are comma-separated.
ENV_OVERRIDES = {
    "TASKVALUE_WEIGHTING_METHOD": "weighting_method",
    "TASKVALUE_FT_RATES": "ft_rates_per_year",
    "TASKVALUE_ALLOCATION_RULE": "allocation_rule",
    "TASKVALUE_TIER_THRESHOLDS_USD": "tier_thresholds_usd",
    "TASKVALUE_LOADED_COST_MULTIPLIER": "loaded_cost_multiplier",
    "TASKVALUE_PRIORITY_DIGITAL_ONLY": "priority_digital_only",
    "TASKVALUE_PRIORITY_JUDGMENT_FIRST": "priority_judgment_first",
    "TASKVALUE_TASK_ATTRIBUTES": "task_attributes_path",
}


def _parse(var: str, field: str, raw: str):
    if field in {"ft_rates_per_year", "tier_thresholds_usd"}:
        return [float(x) for x in raw.split(",") if x.strip()]
    if field.startswith("priority_"):
        return env_flag(var, raw)
    return raw


def value_settings_from_env(environ: dict[str, str] | None = None, **overrides) -> ValueSettings:
    """Defaults, then TASKVALUE_* environment variables, then explicit overrides (tests)."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    for var, field in ENV_OVERRIDES.items():
        if var in environ:
            if field.startswith("priority_") and not environ[var].strip():
                continue  # an empty yes/no variable is unset, as for the other settings
            values[field] = _parse(var, field, environ[var])
    values.update(overrides)
    settings = ValueSettings(**values)
    if len(settings.ft_rates_per_year) != 7:
        raise ValueError("ft_rates_per_year needs exactly 7 rates (FT categories 1..7)")
    if settings.tier_thresholds_usd != sorted(settings.tier_thresholds_usd):
        raise ValueError("tier_thresholds_usd must be ascending")
    return settings
