"""What the inventory `domain` prior buys, and what it costs when the label is wrong.

    TASKVALUE_MIRROR=../shared/data .venv/bin/python -m bench.domain_prior [--matchers tfidf,hybrid]

(also run by `python -m bench.matching`). Each Emerging Task is matched as a text-only inventory task
whose domain is an SOC major group, once with its own group ("right") and once with the most
confusable other one: the major group of the best-ranked occupation outside its own ("wrong").
Candidates inside the domain rank by score + bonus (`match.prefer_domain`, the pipeline's code), for
each bonus of a grid. The suggested bonus maximises top-5 occupation accuracy on half A when 80% of
labels are right and 20% wrong; half B is held out. Bonus 0 is the matcher without the prior.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import polars as pl

from assets.inventory.matching.corpus import Corpus, load_corpus
from assets.inventory.matching.match import domain_members, prefer_domain, ranked
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.matching.text import few_words
from assets.inventory.thresholds import DEFAULT_DOMAIN_BONUS, DEFAULT_THRESHOLDS
from bench.matching import CANDIDATES, bands, occupation_ranks, onet_connection, score_set, tuning_half
from orchestration.resources import settings_from_env

BONUS_GRID = (0.0, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2)
RIGHT_SHARE = 0.8  # assumed share of inventory domain labels that name the task's real SOC group


def with_domain(
    matcher, corpus: Corpus, queries: list[str], everywhere: pl.DataFrame, groups: list[str | None]
) -> dict[float, pl.DataFrame]:
    """Per bonus, each query's candidates (task, doc, score) best-first when its domain is
    `groups[i]` (None: no prior)."""
    out: dict[float, list[pl.DataFrame]] = {b: [] for b in BONUS_GRID}
    free = [i for i, g in enumerate(groups) if g is None]
    for b in BONUS_GRID:
        out[b].append(everywhere.filter(pl.col("task").is_in(free)).select("task", "doc", "score"))
    for group in sorted({g for g in groups if g is not None}):
        idx = np.asarray([i for i, g in enumerate(groups) if g == group], dtype=np.int64)
        docs, members = domain_members(corpus, [group])
        inside = ranked(
            matcher, corpus, lambda _m, idx=idx: [[queries[i]] for i in idx], CANDIDATES, docs, members
        )
        inside = inside.with_columns(task=pl.Series(idx).gather(inside["task"]))
        mine = everywhere.filter(pl.col("task").is_in(idx))
        for b in BONUS_GRID:
            found = prefer_domain(mine, inside, members, b, CANDIDATES)
            out[b].append(found.select("task", "doc", "score"))
    return {b: pl.concat(frames).sort("task", maintain_order=True) for b, frames in out.items()}


def rank1(
    found: pl.DataFrame, corpus: Corpus, queries: list[str], truths: list[str], idx: list[int]
) -> list[tuple[float, bool, bool]]:
    """(score, occupation right, few content words) of the rank-1 candidate of each query in idx:
    what bench.matching's `bands` reads (a query of few content words is at most `low`)."""
    best = found.group_by("task", maintain_order=True).head(1)
    first = {t: (s, corpus.soc_codes[d]) for t, d, s in best.select("task", "doc", "score").iter_rows()}
    return [(first[i][0], first[i][1] == truths[i], few_words(queries[i], None)) for i in idx if i in first]


def evaluate(name: str, con, corpus: Corpus, cache_dir) -> dict:
    emerging = con.execute(
        "select task, onet_soc_code from staging.onet_emerging_tasks order by task, onet_soc_code"
    ).fetchall()
    queries, truths = [e[0] for e in emerging], [e[1] for e in emerging]
    matcher = make_matcher(name, cache_dir=cache_dir).fit_corpus(corpus)
    everywhere = ranked(matcher, corpus, lambda _m: [[q] for q in queries], CANDIDATES)
    plain = occupation_ranks(everywhere, corpus.soc_codes, len(queries))
    right = [t[:3] for t in truths]
    wrong = [next((c[:3] for c in occs if c[:3] != r), None) for occs, r in zip(plain, right, strict=True)]
    found = {
        "right": with_domain(matcher, corpus, queries, everywhere, right),
        "wrong": with_domain(matcher, corpus, queries, everywhere, wrong),
    }
    ranks = {
        label: {b: occupation_ranks(f, corpus.soc_codes, len(queries)) for b, f in per_bonus.items()}
        for label, per_bonus in found.items()
    }
    halves = {
        "A": [i for i, q in enumerate(queries) if tuning_half(q)],
        "B": [i for i, q in enumerate(queries) if not tuning_half(q)],
    }
    rows = []
    for b in BONUS_GRID:
        row: dict = {"bonus": b}
        for half, idx in halves.items():
            for label in ("right", "wrong"):
                got = score_set([ranks[label][b][i] for i in idx], [{truths[i]} for i in idx])
                row[f"{half}_{label}_top1"], row[f"{half}_{label}_top5"] = got["top1"], got["top5"]
            row[f"{half}_expected_top5"] = (
                RIGHT_SHARE * row[f"{half}_right_top5"] + (1 - RIGHT_SHARE) * row[f"{half}_wrong_top5"]
            )
        rows.append(row)
    best = max(rows, key=lambda r: (round(r["A_expected_top5"], 9), -r["bonus"]))
    # the confidence bands were calibrated without the prior: do they hold for its rank-1 candidates?
    default = DEFAULT_DOMAIN_BONUS[name]
    cases = {
        "no prior": ("right", 0.0),
        f"right, {default}": ("right", default),
        f"wrong, {default}": ("wrong", default),
    }
    band_rows = {
        case: bands(rank1(found[label][b], corpus, queries, truths, halves["B"]), DEFAULT_THRESHOLDS[name])
        for case, (label, b) in cases.items()
    }
    return {
        "matcher": name,
        "rows": rows,
        "suggested_bonus": best["bonus"],
        "default": default,
        "bands_half_B": band_rows,
    }


def markdown(result: dict) -> str:
    lines = [
        f"{result['matcher']} (default bonus {result['default']}; suggested from half A {result['suggested_bonus']}):",
        "| bonus | A right top-5 | A wrong top-5 | A expected | B right top-1 / top-5 | B wrong top-1 / top-5 | B expected |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['bonus']} | {r['A_right_top5']:.1%} | {r['A_wrong_top5']:.1%} | {r['A_expected_top5']:.1%} "
            f"| {r['B_right_top1']:.1%} / {r['B_right_top5']:.1%} | {r['B_wrong_top1']:.1%} / {r['B_wrong_top5']:.1%} "
            f"| {r['B_expected_top5']:.1%} |"
        )
    lines.append("")
    lines.append(f"rank-1 occupation precision by confidence band, half B ({result['matcher']}):")
    for case, table in result["bands_half_B"].items():
        cells = []
        for band in table:
            p = band["top1_occupation_precision"]
            cells.append(f"{band['band']} {'n/a' if p is None else f'{p:.0%}'} (n={band['n']})")
        lines.append(f"  {case:>12}: " + " · ".join(cells))
    return "\n".join(lines)


def run(matchers: list[str], con, cache_dir) -> list[dict]:
    corpus = load_corpus(con)
    results = []
    for name in matchers:
        result = evaluate(name, con, corpus, cache_dir)
        print(markdown(result), flush=True)
        print()
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,embeddings,hybrid")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings_from_env()
    run(args.matchers.split(","), onet_connection(settings), settings.cache / "embeddings")


if __name__ == "__main__":
    main()
