"""bench/inventory_hints scores hidden-hint matches by code prefix, and counts tasks with no candidate."""

import polars as pl
import pytest

from assets.inventory.matching.match import QueryTask
from bench.inventory_hints import blind_tasks, score_hits

THRESHOLDS = (0.5, 0.3, 0.1)


def test_blind_tasks_hide_the_hint_and_keep_it_as_the_answer():
    tasks = [
        QueryTask("A", "t", "d", soc_code="15-1250", domain_prefixes=("15-",)),
        QueryTask("B", "t", "d", onet_task_id=7, soc_code="13-2011.00"),  # explicit: not a hint test
        QueryTask("C", "t", "d"),
    ]
    blind, truth = blind_tasks(tasks)
    assert truth == {"A": ("15-125",)}  # a broad code accepts any of its occupations
    assert [(t.task_id, t.soc_code, t.domain_prefixes) for t in blind] == [("A", None, ("15-",))]


def test_score_hits_counts_rank_of_first_right_candidate_and_misses():
    candidates = pl.DataFrame(
        {
            "inventory_task_id": ["A", "A", "B", "B", "B"],
            "code": ["15-1253.00", "15-1252.00", "43-4051.00", "13-2011.00", "13-2011.01"],
            "score": [0.6, 0.55, 0.2, 0.4, 0.1],
            # ranked by ranking_score, not score: B's 43-4051.00 was promoted by a domain bonus
            "ranking_score": [0.6, 0.55, 0.45, 0.4, 0.1],
        }
    )
    truth = {"A": ("15-1252.00",), "B": ("43-4051.00",), "C": ("29-1141.00",)}  # C: no candidate at all
    r = score_hits(candidates, truth, THRESHOLDS)
    assert r["n"] == 3
    assert r["top1"] == pytest.approx(1 / 3)  # B only
    assert r["top5"] == pytest.approx(2 / 3)  # A at rank 2, B at rank 1; C missed
    assert r["mrr5"] == pytest.approx((1 / 2 + 1) / 3)
    assert r["top1_minor_group"] == pytest.approx(2 / 3)  # A's 15-1253 shares 15-12
    # rank-1 bands use the plain score: A 0.6 high (wrong), B 0.2 low (right)
    assert r["bands"] == {"high": {"n": 1, "right": 0}, "low": {"n": 1, "right": 1}}
