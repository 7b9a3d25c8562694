"""Small reference tables built from configuration and reviewable seed files (not from sources).

- the label mapping sql/seeds/activity_labels.csv (work activity -> nature, digital);
- the wage tiers from ValueSettings (hourly thresholds + loaded-cost multiplier).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError
from assets.common.sql_models import SQL_DIR

LABELS_CSV = SQL_DIR / "seeds" / "activity_labels.csv"
NATURES = ("judgment", "routine", "interpersonal", "physical")
LEVELS = ("gwa", "iwa", "dwa")

LABEL_DOCS = {
    "level": "Level of the work activity: gwa, iwa or dwa (more specific rows refine their GWA).",
    "element_id": "O*NET Element ID (GWA), IWA ID or DWA ID.",
    "element_name": "Name of the activity as published (for reviewers).",
    "nature": "judgment, routine, interpersonal or physical.",
    "is_digital": "Whether the activity can be done at a computer.",
    "rationale": "Why the label was chosen (for reviewers).",
}

TIER_DOCS = {
    "tier_rank": "Tier number, 1 = lowest-paid band.",
    "tier": "Tier label, e.g. '$50-100/hr' (bounds on loaded hourly cost).",
    "tier_min_usd": "Lower bound, $/hr loaded cost, inclusive.",
    "tier_max_usd": "Upper bound, $/hr loaded cost, exclusive (null for the top tier).",
    "loaded_cost_multiplier": "Employer cost per $ of wage used to compute loaded cost (1.0 = wages).",
    "wage_min_usd": "Lower bound expressed as an hourly wage ($/hr): the lowest wage whose loaded cost "
    "(rounded to the cent, as in marts.task_value) reaches tier_min_usd.",
    "wage_max_usd": "Upper bound expressed as an hourly wage ($/hr): the lowest wage of the next tier.",
}


def read_activity_labels(path: Path = LABELS_CSV) -> pl.DataFrame:
    """The mapping file, validated: known levels and natures, true/false digital, no duplicate IDs."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except Exception as exc:  # polars raises several types for malformed CSV
        raise SourceFormatError(str(path), f"cannot read the label mapping: {exc}") from exc
    missing = [c for c in LABEL_DOCS if c not in frame.columns]
    if missing:
        raise SourceFormatError(str(path), f"missing columns {missing}")
    frame = frame.select(list(LABEL_DOCS)).with_columns(pl.col(c).str.strip_chars() for c in LABEL_DOCS)
    for i, row in enumerate(frame.iter_rows(named=True), start=2):
        if row["level"] not in LEVELS:
            raise SourceFormatError(str(path), f"level must be one of {LEVELS}", row=i, column="level")
        if row["nature"] not in NATURES:
            raise SourceFormatError(str(path), f"nature must be one of {NATURES}", row=i, column="nature")
        if (row["is_digital"] or "").lower() not in {"true", "false"}:
            raise SourceFormatError(str(path), "is_digital must be true or false", row=i, column="is_digital")
        if not row["element_id"]:
            raise SourceFormatError(str(path), "element_id is empty", row=i, column="element_id")
    dupes = frame.filter(pl.struct("level", "element_id").is_duplicated())
    if dupes.height:
        raise SourceFormatError(str(path), f"duplicate rows for {dupes['element_id'].to_list()}")
    return frame.with_columns(pl.col("is_digital").str.to_lowercase() == "true")


def _money(x: float) -> str:
    # cents kept where a bound has them: {:g} wrote 12345.67 as 12345.7 and 10000.01 as 10000
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _first_wage(bound: float, multiplier: float) -> float:
    """The lowest wage (in cents) whose loaded cost, rounded half to even to the cent as
    marts.task_value rounds it, reaches `bound`."""
    target = Decimal(str(bound))
    cents = max(0, math.floor(target / Decimal(str(multiplier)) * 100))
    # a small multiplier maps many wage cents onto one loaded cent: walk down to the first of them
    while cents > 0 and _loaded(cents - 1, multiplier) >= target:
        cents -= 1
    while _loaded(cents, multiplier) < target:
        cents += 1
    return cents / 100


def _loaded(cents: int, multiplier: float) -> Decimal:
    return (Decimal(cents) / 100 * Decimal(str(multiplier))).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def tier_frame(thresholds: list[float], multiplier: float) -> pl.DataFrame:
    """One row per tier: [0, t1), [t1, t2), ..., [tn, inf) on loaded hourly cost."""
    bounds = [0.0, *thresholds]
    rows = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] if i + 1 < len(bounds) else None
        label = f"${_money(low)}-{_money(high)}/hr" if high is not None else f"${_money(low)}+/hr"
        rows.append(
            {
                "tier_rank": i + 1,
                "tier": label,
                "tier_min_usd": low,
                "tier_max_usd": high,
                "loaded_cost_multiplier": multiplier,
                "wage_min_usd": _first_wage(low, multiplier),
                "wage_max_usd": None if high is None else _first_wage(high, multiplier),
            }
        )
    money = pl.Decimal(12, 2)
    return pl.DataFrame(rows).with_columns(
        pl.col("tier_rank").cast(pl.Int32),
        *(pl.col(c).cast(money) for c in ["tier_min_usd", "tier_max_usd", "wage_min_usd", "wage_max_usd"]),
    )
