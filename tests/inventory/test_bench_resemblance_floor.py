"""bench/resemblance_floor suggests the floor that lets at most a share of the pooled real tasks below it."""

import numpy as np
import polars as pl

from assets.inventory.matching.match import QueryTask
from bench.resemblance_floor import best_scores, figures, suggest_floor, toy_tasks


def test_the_suggested_floor_lets_the_allowed_share_of_real_tasks_below_it():
    real = np.array([0.30, 0.05, 0.12, 0.2, 0.062, 0.09, 0.4, 0.5, 0.6, 0.7])
    # 10% of 10 tasks: one may fall below; the floor is the shortest decimal above it
    floor = suggest_floor(real, 0.10)
    assert floor == 0.062 and (real < floor).sum() == 1
    assert suggest_floor(real, 0.0) == 0.05  # none below
    assert (real < suggest_floor(real, 0.25)).sum() == 2


def test_best_scores_take_each_tasks_rank_one_and_zero_without_a_candidate():
    found = pl.DataFrame({"inventory_task_id": ["A", "A", "B"], "score": [0.2, 0.4, 0.1]})
    tasks = [QueryTask("A", "t", None), QueryTask("B", "t", None), QueryTask("C", "t", None)]
    assert best_scores(found, tasks).tolist() == [0.4, 0.1, 0.0]


def test_figures_pool_the_real_sets_and_count_each_set_below_each_floor():
    sets = {
        "a real": np.array([0.15, 0.2, 0.3]),
        "b real": np.array([0.14, 0.4]),
        "b toy": np.array([0.05, 0.135, 0.25]),
    }
    got = figures("hybrid", sets, 0.0)
    # below every real task of both sets: 0.14 is the lowest
    assert got["floors"] == {"suggested": 0.14, "in_use": 0.132, "low_band": 0.282}
    assert got["below"]["b toy"] == {"suggested": 2, "in_use": 1, "low_band": 3, "n": 3}
    assert got["below"]["a real"] == {"suggested": 0, "in_use": 0, "low_band": 2, "n": 3}
    assert got["below"]["b real"]["suggested"] == 0


def test_the_labelled_inventories_have_a_verdict_for_every_task():
    import csv

    from bench.resemblance_floor import LABELLED

    for directory, kinds in LABELLED.values():
        rows = list(csv.DictReader((directory / "truth.csv").open(encoding="utf-8")))
        assert rows and all(r["category"] in (*kinds, "toy") for r in rows), directory


def test_the_toy_set_is_sixty_prompts_with_ids_titles_and_text():
    toys = toy_tasks()
    assert len(toys) == len({t.task_id for t in toys}) == 60
    assert all(t.title and t.description for t in toys)
