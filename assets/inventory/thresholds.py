"""Confidence bands: score thresholds per matcher, calibrated with `python -m bench.matching`.

Scores of different matchers are not comparable (TF-IDF cosines are small, embedding cosines are
large), so each matcher has its own bands. How they were chosen, and the measured precision in
each band, is in the README ("Confidence bands and their calibration").
"""

from __future__ import annotations

from assets.inventory.config import InventorySettings

# matcher -> (high, medium, low): score >= high is 'high', >= medium 'medium', >= low 'low', else 'none'.
# Scores are OCCUPATION scores (weighted mean of best statement, top-3 statements, centroid and
# profile; match.py), calibrated on half A of the Emerging Tasks: the lowest score at which the
# rank-1 occupation precision of all matches at or above it reaches 70% / 45% / 20%.
DEFAULT_THRESHOLDS: dict[str, tuple[float, float, float]] = {
    "tfidf": (0.28, 0.15, 0.075),
    "embeddings": (0.695, 0.57, 0.375),
    "hybrid": (0.5033, 0.3876, 0.282),
}


def thresholds_for(settings: InventorySettings) -> tuple[float, float, float]:
    high, medium, low = DEFAULT_THRESHOLDS[settings.matcher]
    chosen = (
        settings.high_threshold if settings.high_threshold >= 0 else high,
        settings.medium_threshold if settings.medium_threshold >= 0 else medium,
        settings.low_threshold if settings.low_threshold >= 0 else low,
    )
    if not chosen[0] >= chosen[1] >= chosen[2]:
        raise ValueError(f"confidence thresholds must satisfy high >= medium >= low, got {chosen}")
    return chosen


# matcher -> the score below which a text match says the task's text resembles no O*NET work at all
# (column resembles_no_work): only such a task, without a configured domain or an occupation that
# has O*NET tasks (a code without them, 19-3039.00, is matched as text and faces the floor), is
# ungrounded for lack of a match. The bands cannot say it: RL prompts score lower than O*NET's own
# phrasing, and below `low` lay a quarter of the example inventory's real tasks (hint and domain
# removed). Calibrated with `python -m bench.resemblance_floor`: below every one of the 328 real
# tasks of three labelled inventories (README, "Ungrounded for lack of a match: the resemblance
# floor"); a floor at 1% of one inventory's real tasks put 5-10% of another's below it.
DEFAULT_UNRELATED_BELOW: dict[str, float] = {"tfidf": 0.045, "embeddings": 0.186, "hybrid": 0.132}


def unrelated_threshold_for(settings: InventorySettings) -> float:
    """The resemblance floor of the run: the setting, or the matcher's calibrated floor (never above
    the low band's threshold: a text that resembles work weakly is `low`)."""
    low = thresholds_for(settings)[2]
    if settings.unrelated_threshold >= 0:
        if settings.unrelated_threshold > low:
            raise ValueError(
                f"the unrelated threshold must not exceed the low threshold ({low}), got "
                f"{settings.unrelated_threshold}"
            )
        return settings.unrelated_threshold
    return min(DEFAULT_UNRELATED_BELOW[settings.matcher], low)


# matcher -> bonus added to the score of candidates inside the task's configured domain (ranking only;
# confidence bands use the plain score). Chosen with `python -m bench.matching` on half A of the
# Emerging Tasks, each given its own SOC major group as the domain for 80% of the weight and the
# most confusable other group for 20%: the bonus with the best top-5 (README, "The domain prior,
# measured").
DEFAULT_DOMAIN_BONUS: dict[str, float] = {"tfidf": 0.05, "embeddings": 0.08, "hybrid": 0.06}


# matcher -> bonus x technology_share added to a text-matched candidate's ranking score (ranking only).
# Chosen on three inventories with known occupations (the example's hinted tasks with the hint
# hidden, the reviewer's, a persona's): 0.1 gained top-1 and top-5 on each with tfidf and hybrid,
# with and without the domain prior (README, "The technology prior, measured").
DEFAULT_TECHNOLOGY_BONUS: dict[str, float] = {"tfidf": 0.1, "embeddings": 0.1, "hybrid": 0.1}


def _bonus(name: str, value: float, defaults: dict[str, float], matcher: str) -> float:
    bonus = value if value >= 0 else defaults[matcher]
    # scores are published to 6 decimals: a smaller bonus would be invisible in ranking_score
    if 0 < bonus < 1e-6:
        raise ValueError(f"{name} must be 0 (off) or at least 0.000001, got {bonus}")
    return float(bonus)


def domain_bonus_for(settings: InventorySettings) -> float:
    return _bonus("domain_bonus", settings.domain_bonus, DEFAULT_DOMAIN_BONUS, settings.matcher)


def technology_bonus_for(settings: InventorySettings) -> float:
    return _bonus("technology_bonus", settings.technology_bonus, DEFAULT_TECHNOLOGY_BONUS, settings.matcher)
