"""The blocking check that each match's confidence is the band its published score earns.

The thresholds are settings of the run (environment or launchpad), not data in the warehouse, so a
GX suite on its own query cannot know them: the matches asset runs this suite itself, with the
thresholds it used, and reports it as a blocking check of the table.
"""

from __future__ import annotations

from dagster import AssetCheckResult, MetadataValue

from assets.common.gx_checks import GxSuite, suite_check_result, true

BANDS_CHECK = "inventory_task_matches__confidence_is_the_band_of_its_score"
BANDS_DESCRIPTION = (
    "Recomputed from each row's published score with the thresholds of the run: text_confidence is "
    "the band the score earns (explicit links and pins high, no candidate none, at most low for a task "
    "of fewer than 3 content words), and confidence is "
    "that band with the floor of hinted candidates (rank 1 at least medium, others at least low); "
    "resembles_no_work is true exactly for a text match scoring below the run's resemblance floor. A "
    "failure means a confidence was written that the score does not support: fix "
    "sql/marts/inventory_task_matches.sql before publishing."
)

BANDS_SUITE = GxSuite(
    BANDS_CHECK,
    """
    select inventory_task_id, rank, method, score, text_confidence, confidence,
        text_confidence = case
            when onet_task_id is null then 'none'
            when method in ('explicit', 'override') then 'high'
            when few_words and score >= $low then 'low'
            when score >= $high then 'high'
            when score >= $medium then 'medium'
            when score >= $low then 'low'
            else 'none'
        end as text_confidence_is_the_band_of_the_score,
        confidence = case
            when onet_task_id is null then 'none'
            when text_confidence in ('high', 'medium') then text_confidence
            when method = 'hinted' and rank = 1 then 'medium'
            when text_confidence = 'low' or method = 'hinted' then 'low'
            else 'none'
        end as confidence_is_the_band_with_the_hint_floor,
        resembles_no_work is not distinct from
            case when onet_task_id is not null then method = 'text' and score < $unrelated end
            as resembles_no_work_is_below_the_floor
    from marts.inventory_task_matches
    """,
    [
        true("text_confidence_is_the_band_of_the_score"),
        true("confidence_is_the_band_with_the_hint_floor"),
        true("resembles_no_work_is_below_the_floor"),
    ],  # no row count: an empty inventory is valid (its matches table is empty)
    row_id_columns=["inventory_task_id", "rank"],
    description=BANDS_DESCRIPTION,
)


def bands_check_result(con, high: float, medium: float, low: float, unrelated: float) -> AssetCheckResult:
    thresholds = {"high": high, "medium": medium, "low": low, "unrelated": unrelated}
    frame = con.execute(BANDS_SUITE.query, thresholds).df()
    return suite_check_result(
        frame, BANDS_SUITE, check_name=BANDS_CHECK, extra={"thresholds": MetadataValue.json(thresholds)}
    )
