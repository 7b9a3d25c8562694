"""The matches' confidence is checked against the thresholds of the run, and the check can fail."""

from __future__ import annotations

import pytest

from assets.inventory.band_check import bands_check_result
from assets.inventory.thresholds import DEFAULT_THRESHOLDS, DEFAULT_UNRELATED_BELOW
from tests.conftest import connect_to_copy

pytestmark = pytest.mark.slow
TFIDF = (*DEFAULT_THRESHOLDS["tfidf"], DEFAULT_UNRELATED_BELOW["tfidf"])  # the real refresh's matcher


@pytest.fixture
def copy(real_warehouse, tmp_path):
    yield from connect_to_copy(real_warehouse.warehouse, tmp_path, "matches.duckdb")


def test_the_real_matches_pass_with_the_thresholds_they_were_built_with(copy):
    result = bands_check_result(copy, *TFIDF)
    assert result.passed, result.metadata
    assert (
        result.metadata["rows_validated"].value
        == copy.execute("select count(*) from marts.inventory_task_matches").fetchone()[0]
    )
    # other thresholds than the run's: the same rows no longer fit
    assert not bands_check_result(copy, 0.9, 0.8, 0.7, 0.7).passed
    assert not bands_check_result(copy, *TFIDF[:3], 0.2).passed  # another resemblance floor


@pytest.mark.parametrize(
    "corruption",
    [
        # a text candidate at low promoted to medium: it would cover value it has not earned
        "update marts.inventory_task_matches set confidence = 'medium', text_confidence = 'medium' "
        "where (inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
        "where method = 'text' and text_confidence = 'low' order by inventory_task_id, rank limit 1)",
        # a hinted rank-1 candidate without its floor
        "update marts.inventory_task_matches set confidence = 'low' "
        "where (inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
        "where method = 'hinted' and rank = 1 and text_confidence = 'low' order by inventory_task_id limit 1)",
        # a text candidate below the floor said to resemble work: its task would escape ungrounding
        "update marts.inventory_task_matches set resembles_no_work = false "
        "where (inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
        "where resembles_no_work order by inventory_task_id, rank limit 1)",
        # a hinted candidate said to resemble no work: a person named its occupation
        "update marts.inventory_task_matches set resembles_no_work = true "
        "where (inventory_task_id, rank) = (select (inventory_task_id, rank) from marts.inventory_task_matches "
        "where method = 'hinted' order by inventory_task_id, rank limit 1)",
    ],
    ids=["text_low_promoted", "hint_floor_lost", "below_floor_hidden", "hinted_below_floor"],
)
def test_a_confidence_the_score_does_not_support_fails_the_check(copy, corruption):
    assert copy.execute(corruption).fetchone()[0] == 1
    result = bands_check_result(copy, *TFIDF)
    assert not result.passed
    assert len(result.metadata["failing_rows"].value) >= 1


def test_an_empty_inventory_passes(tmp_path):
    # no inventory task, no match: a valid refresh (the first version required a row and failed it)
    import duckdb

    con = duckdb.connect()
    con.execute(
        "create schema marts; create table marts.inventory_task_matches (inventory_task_id varchar, "
        "rank integer, onet_task_id bigint, method varchar, score double, text_confidence varchar, "
        "confidence varchar, few_words boolean, resembles_no_work boolean)"
    )
    assert bands_check_result(con, *TFIDF).passed
