"""The resemblance floor: below which score a task's text resembles no O*NET work at all.

    .venv/bin/python -m bench.resemblance_floor [--matchers tfidf,embeddings,hybrid] [--share 0.01]

A task without a configured domain or a named occupation is ungrounded for lack of a match only when
its best text match scores below this floor (`marts.inventory_task_matches.resembles_no_work`). The
confidence bands cannot say it: they were calibrated on O*NET's own phrasing, and RL prompts score
lower (a quarter of the example inventory's real tasks fell below `low`).

Real work: every task of the published example inventory except those in a domain declared unmapped
(games, puzzles) and those linked by an explicit O*NET Task ID, matched as text alone (occupation
hint and domain removed). Toys: `bench/data/toy_tasks/toy_tasks.jsonl`, 60 prompts of the kind RL
and eval sets are full of and no job is paid for (puzzles, textbook algorithms, word games, riddles,
school arithmetic), written for this bench. Both sets are matched together, as one inventory. The
suggested floor is the shortest decimal below which at most `--share` of the real tasks fall; the
bench also prints what share of the toys falls below it, and the same for the floor in use
(`assets/inventory/thresholds.py`). Reads the published warehouse (run the refresh first).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
from pathlib import Path

import numpy as np
import polars as pl

from assets.inventory.assets import query_tasks
from assets.inventory.matching.corpus import load_corpus
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.thresholds import DEFAULT_THRESHOLDS, DEFAULT_UNRELATED_BELOW
from bench.matching import short_threshold
from bench.published import open_published, save_results
from orchestration.resources import settings_from_env

TOYS = Path(__file__).resolve().parent / "data" / "toy_tasks" / "toy_tasks.jsonl"


def real_tasks(con) -> list[QueryTask]:
    """The example inventory's real work, as text alone."""
    unmapped = {
        r[0]
        for r in con.execute(
            "select inventory_task_id from marts.inventory_grounding "
            "where list_contains(ungrounded_reasons, 'declared_unmapped_domain')"
        ).fetchall()
    }
    return [
        dataclasses.replace(t, soc_code=None, hint_text=None, domain_prefixes=())
        for t in query_tasks(con)
        if t.onet_task_id is None and t.task_id not in unmapped
    ]


def toy_tasks() -> list[QueryTask]:
    rows = [json.loads(line) for line in TOYS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [QueryTask(r["task_id"], r["title"], r["prompt"]) for r in rows]


def best_scores(found: pl.DataFrame, tasks: list[QueryTask]) -> np.ndarray:
    """Each task's rank-1 score (0 for a task without a candidate)."""
    best = dict(found.group_by("inventory_task_id").agg(pl.col("score").max()).iter_rows())
    return np.array([best.get(t.task_id, 0.0) for t in tasks])


def suggest_floor(real: np.ndarray, share: float) -> float:
    """The shortest decimal below which at most `share` of the real scores fall."""
    ordered = np.sort(real)
    allowed = math.floor(share * len(ordered))
    below = ordered[allowed - 1] if allowed else -1.0
    return short_threshold(float(ordered[allowed]), float(below))


def figures(name: str, real: np.ndarray, toys: np.ndarray, share: float) -> dict:
    suggested = suggest_floor(real, share)
    in_use = DEFAULT_UNRELATED_BELOW[name]
    low = DEFAULT_THRESHOLDS[name][2]

    def below(floor: float) -> dict:
        return {
            "floor": floor,
            "real_below": int((real < floor).sum()),
            "toys_below": int((toys < floor).sum()),
        }

    return {
        "matcher": name,
        "real": len(real),
        "toys": len(toys),
        "real_median": float(np.median(real)),
        "toy_median": float(np.median(toys)),
        "suggested": below(suggested),
        "in_use": below(in_use),
        "low_band": below(low),
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| matcher | real / toys | median real / toy | floor in use: real below, toys below | "
        "suggested | below `low` (the rule before) |",
        "|---|---:|---:|---|---|---|",
    ]
    for r in rows:
        cells = [
            f"{f['floor']}: {f['real_below']}/{r['real']}, {f['toys_below']}/{r['toys']}"
            for f in (r["in_use"], r["suggested"], r["low_band"])
        ]
        lines.append(
            f"| {r['matcher']} | {r['real']} / {r['toys']} | {r['real_median']:.3f} / {r['toy_median']:.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,embeddings,hybrid")
    parser.add_argument("--share", type=float, default=0.01, help="real tasks allowed below the floor")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings_from_env()
    con = open_published(settings)
    real, toys = real_tasks(con), toy_tasks()
    corpus = load_corpus(con)
    rows = []
    for name in args.matchers.split(","):
        matcher = make_matcher(name, cache_dir=settings.cache / "embeddings").fit_corpus(corpus)
        found = match_tasks(matcher, corpus, real + toys, 5, 0.0)
        rows.append(figures(name, best_scores(found, real), best_scores(found, toys), args.share))
    print(markdown(rows))
    save_results("resemblance_floor", rows)


if __name__ == "__main__":
    main()
