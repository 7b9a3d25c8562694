"""The resemblance floor: below which score a task's text resembles no O*NET work at all.

    .venv/bin/python -m bench.resemblance_floor [--matchers tfidf,embeddings,hybrid] [--share 0]

A task without a configured domain or a named occupation is ungrounded for lack of a match only when
every text match of it scores below this floor (`marts.inventory_grounding.best_resembles_no_work`).
The confidence bands cannot say it: they were calibrated on O*NET's own phrasing, and RL prompts
score lower (a quarter of the example inventory's real tasks fell below `low`).

Labelled sets, each matched as text alone (occupation hint and domain removed), all together as one
inventory:
- `example`: the published example inventory, except the tasks in a domain declared unmapped (games,
  puzzles) and those linked by an explicit O*NET Task ID: all real work;
- `reviewer`: bench/data/reviewer_inventory (judgment, standard and template tasks are real work;
  toys are toys), written by a reviewer acting as a data lead;
- `persona`: bench/data/persona_inventory (real, toy, borderline), written by another, for a tracker
  without a domain column;
- `toys`: bench/data/toy_tasks, 60 prompts of the kind RL and eval sets are full of and no job is paid
  for (puzzles, textbook algorithms, word games, riddles, school arithmetic).
The suggested floor is the shortest decimal below which at most `--share` of the pooled real tasks
fall (0, the default: below every one of them); the bench prints, per set, how many real tasks and
toys fall below it and below the floor in use (`assets/inventory/thresholds.py`). Reads the published
warehouse (run the refresh first).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
from pathlib import Path

import numpy as np
import polars as pl

from assets.inventory.assets import onet_lookup, query_tasks
from assets.inventory.ingest import ingest_directory
from assets.inventory.matching.corpus import load_corpus
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.thresholds import DEFAULT_THRESHOLDS, DEFAULT_UNRELATED_BELOW
from bench.matching import short_threshold
from bench.published import open_published, save_results
from orchestration.resources import settings_from_env

DATA = Path(__file__).resolve().parent / "data"
TOYS = DATA / "toy_tasks" / "toy_tasks.jsonl"
# labelled inventories: directory, and each category's kind (real work, toy, or neither)
LABELLED = {
    "reviewer": (
        DATA / "reviewer_inventory",
        {"judgment": "real", "standard": "real", "template": "real", "toy": "toy"},
    ),
    "persona": (DATA / "persona_inventory", {"real": "real", "toy": "toy", "borderline": "borderline"}),
}


def example_tasks(con) -> list[QueryTask]:
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


def labelled_tasks(con, directory: Path, kinds: dict[str, str]) -> dict[str, list[QueryTask]]:
    """A labelled inventory's tasks as text alone, by kind (real, toy, borderline), read by the ingest."""
    truth = {
        r["task_id"]: r["category"] for r in csv.DictReader((directory / "truth.csv").open(encoding="utf-8"))
    }
    tasks = ingest_directory(directory / "inventory", onet_lookup(con)).tasks
    by_kind: dict[str, list[QueryTask]] = {}
    for task_id, title, description in tasks.select("task_id", "title", "description").iter_rows():
        kind = kinds.get(truth.get(task_id, ""))
        if kind:
            by_kind.setdefault(kind, []).append(QueryTask(task_id, title, description))
    return by_kind


def best_scores(found: pl.DataFrame, tasks: list[QueryTask]) -> np.ndarray:
    """Each task's best score (0 for a task without a candidate)."""
    best = dict(found.group_by("inventory_task_id").agg(pl.col("score").max()).iter_rows())
    return np.array([best.get(t.task_id, 0.0) for t in tasks])


def suggest_floor(real: np.ndarray, share: float) -> float:
    """The shortest decimal below which at most `share` of the real scores fall."""
    ordered = np.sort(real)
    allowed = math.floor(share * len(ordered))
    below = ordered[allowed - 1] if allowed else -1.0
    return short_threshold(float(ordered[allowed]), float(below))


def figures(name: str, sets: dict[str, np.ndarray], share: float) -> dict:
    """Per labelled set ('<set> <kind>' -> scores): how many fall below the suggested floor, the floor
    in use and the low band."""
    real = np.concatenate([v for k, v in sets.items() if k.endswith(" real")])
    suggested = suggest_floor(real, share)
    floors = {
        "suggested": suggested,
        "in_use": DEFAULT_UNRELATED_BELOW[name],
        "low_band": DEFAULT_THRESHOLDS[name][2],
    }
    return {
        "matcher": name,
        "floors": floors,
        "below": {
            label: {key: int((scores < floor).sum()) for key, floor in floors.items()} | {"n": len(scores)}
            for label, scores in sets.items()
        },
        "medians": {label: float(np.median(scores)) for label, scores in sets.items()},
    }


def markdown(rows: list[dict]) -> str:
    lines = ["| matcher | set | n | median | below the floor in use | below the suggested | below `low` |"]
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        f = r["floors"]
        for label, b in r["below"].items():
            lines.append(
                f"| {r['matcher']} | {label} | {b['n']} | {r['medians'][label]:.3f} | {b['in_use']} ({f['in_use']}) "
                f"| {b['suggested']} ({f['suggested']}) | {b['low_band']} ({f['low_band']}) |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,embeddings,hybrid")
    parser.add_argument("--share", type=float, default=0.0, help="pooled real tasks allowed below the floor")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings_from_env()
    con = open_published(settings)
    groups = {"example real": example_tasks(con), "toys toy": toy_tasks()}
    for set_name, (directory, kinds) in LABELLED.items():
        for kind, tasks in labelled_tasks(con, directory, kinds).items():
            groups[f"{set_name} {kind}"] = tasks
    # one inventory, IDs kept apart by their set
    tagged = {
        label: [dataclasses.replace(t, task_id=f"{label}/{t.task_id}") for t in ts]
        for label, ts in groups.items()
    }
    every = [t for ts in tagged.values() for t in ts]
    corpus = load_corpus(con)
    rows = []
    for name in args.matchers.split(","):
        matcher = make_matcher(name, cache_dir=settings.cache / "embeddings").fit_corpus(corpus)
        found = match_tasks(matcher, corpus, every, 5, 0.0)
        sets = {label: best_scores(found, ts) for label, ts in tagged.items()}
        rows.append(figures(name, sets, args.share))
    print(markdown(rows))
    save_results("resemblance_floor", rows)


if __name__ == "__main__":
    main()
