"""bench/resemblance_floor suggests the floor that lets at most a share of real tasks below it."""

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


def test_figures_count_real_tasks_and_toys_below_each_floor():
    got = figures("hybrid", np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.05, 0.15, 0.25]), 0.25)
    assert got["suggested"] == {"floor": 0.2, "real_below": 1, "toys_below": 2}
    assert got["in_use"] == {"floor": 0.173, "real_below": 1, "toys_below": 2}
    assert got["low_band"] == {"floor": 0.282, "real_below": 2, "toys_below": 3}


def test_the_toy_set_is_sixty_prompts_with_ids_titles_and_text():
    toys = toy_tasks()
    assert len(toys) == len({t.task_id for t in toys}) == 60
    assert all(t.title and t.description for t in toys)
