"""Text matching on RL-style prompts: the example inventory's hinted tasks with their hint hidden.

    .venv/bin/python -m bench.inventory_hints [--matchers tfidf,embeddings,hybrid]

Reads the published warehouse (run the refresh first; `TASKVALUE_WAREHOUSE` picks another file).
Every inventory task that names an occupation (`onet_soc_code`, no explicit O*NET task ID) carries a
human's answer to "which occupation does this imitate?". Each one is matched again as a text-only
task: hint removed, title, prompt and domain kept, through the pipeline's `match_tasks`. A
candidate is right when its O*NET-SOC code lies under the hinted code (a hinted broad group
accepts any of its occupations). Reported per matcher, without and with the domain prior and the
technology prior (software the prompt names, O*NET Technology Skills): top-1,
top-5, MRR over the top 5, top-1 within the hinted SOC minor group (e.g. 15-12 for any computer
occupation), and the rank-1 precision per confidence band, which is what the coverage rule trusts.

Unlike the Emerging Tasks of `bench.matching`, these prompts are long, full of environment and
grading text, and use the jargon of the work (LRU cache, DCF, ICD-10) rather than O*NET's phrasing.
The set is small and was written by the same team as the code, so read it as an indication with
wide error bars (one task is 0.8 points), not as a tuning target: nothing was tuned on it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl

from assets.inventory.assets import query_tasks
from assets.inventory.matching.corpus import load_corpus
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.matching.technology import load_technology
from assets.inventory.occupation_codes import soc_prefixes
from assets.inventory.thresholds import DEFAULT_DOMAIN_BONUS, DEFAULT_TECHNOLOGY_BONUS, DEFAULT_THRESHOLDS
from bench.bands import bands_text
from bench.published import open_published, save_results
from orchestration.resources import settings_from_env

TOP = 5
BANDS = ("high", "medium", "low", "none")


def blind_tasks(tasks: list[QueryTask]) -> tuple[list[QueryTask], dict[str, tuple[str, ...]]]:
    """The hinted tasks with the hint removed, and each one's hinted code prefix (the answer)."""
    hinted = [t for t in tasks if t.soc_code and t.onet_task_id is None]
    truth = {t.task_id: soc_prefixes(t.soc_code) for t in hinted}
    return [dataclasses.replace(t, soc_code=None, hint_text=None) for t in hinted], truth


def band(score: float, thresholds: tuple[float, float, float]) -> str:
    high, medium, low = thresholds
    return "high" if score >= high else "medium" if score >= medium else "low" if score >= low else "none"


def score_hits(
    candidates: pl.DataFrame, truth: dict[str, tuple[str, ...]], thresholds: tuple[float, float, float]
) -> dict:
    """Accuracy of ranked candidates (inventory_task_id, code, score, ranking_score) against truth."""
    ranked = candidates.sort(["inventory_task_id", "ranking_score"], descending=[False, True])
    first_hit: dict[str, int | None] = {}
    minor1 = 0
    per_band: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (task_id,), rows in ranked.group_by("inventory_task_id", maintain_order=True):
        answer = truth[task_id]
        codes = rows["code"].to_list()[:TOP]
        first_hit[task_id] = next((i for i, c in enumerate(codes) if c.startswith(answer)), None)
        minor1 += codes[0][:4] == answer[0][:4]
        counts = per_band[band(rows["score"][0], thresholds)]
        counts[0] += 1
        counts[1] += first_hit[task_id] == 0
    n = len(truth)  # a task without any candidate counts as a miss
    hits = [first_hit.get(t) for t in truth]
    return {
        "n": n,
        "top1": sum(h == 0 for h in hits) / n,
        "top5": sum(h is not None for h in hits) / n,
        "mrr5": sum(1 / (h + 1) for h in hits if h is not None) / n,
        "top1_minor_group": minor1 / n,
        "bands": {b: {"n": per_band[b][0], "right": per_band[b][1]} for b in BANDS if b in per_band},
    }


def run(matcher_name: str, con: duckdb.DuckDBPyConnection, cache_dir: Path) -> list[dict]:
    blind, truth = blind_tasks(query_tasks(con))
    corpus = load_corpus(con)
    matcher = make_matcher(matcher_name, cache_dir=cache_dir).fit_corpus(corpus)
    technology = load_technology(con, corpus)
    codes = dict(zip(corpus.task_ids.tolist(), corpus.soc_codes.tolist(), strict=True))
    rows = []
    for prior, bonus in (("off", 0.0), ("on", DEFAULT_DOMAIN_BONUS[matcher_name])):
        for tech_bonus in (0.0, DEFAULT_TECHNOLOGY_BONUS[matcher_name]):
            found = match_tasks(
                matcher, corpus, blind, TOP, bonus, technology=technology, technology_bonus=tech_bonus
            ).with_columns(code=pl.col("onet_task_id").replace_strict(codes, return_dtype=pl.String))
            rows.append(
                {
                    "matcher": matcher_name,
                    "domain_prior": prior,
                    "bonus": bonus,
                    "technology_bonus": tech_bonus,
                }
                | score_hits(found, truth, DEFAULT_THRESHOLDS[matcher_name])
            )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| matcher | domain prior | technology prior | n | top-1 | top-5 | MRR@5 | top-1 minor group | "
        "rank-1 right by band |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        by_band = bands_text(r["bands"])
        tech = f"on ({r['technology_bonus']})" if r["technology_bonus"] else "off"
        lines.append(
            f"| {r['matcher']} | {r['domain_prior']} ({r['bonus']}) | {tech} | {r['n']} | {r['top1']:.1%} | "
            f"{r['top5']:.1%} | {r['mrr5']:.3f} | {r['top1_minor_group']:.1%} | {by_band} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,embeddings,hybrid")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings_from_env()
    con = open_published(settings)
    rows = [row for name in args.matchers.split(",") for row in run(name, con, settings.cache / "embeddings")]
    print(markdown(rows))
    save_results("inventory_hints", rows)


if __name__ == "__main__":
    main()
