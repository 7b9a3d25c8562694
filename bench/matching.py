"""Matcher quality against ground truth written by O*NET's analysts, and matcher throughput.

    .venv/bin/python -m bench.matching [--matchers tfidf,embeddings,hybrid] [--sample 2000] [--synthetic 0]

Three ground-truth sets, each scored at the OCCUPATION level on the matcher's real ranking
(`occupation_search`: occupations ranked by aggregated evidence; top-1, top-5 accuracy and MRR
over the top 50 occupations):

Each matcher is scored through `match.ranked`, the ranking the pipeline uses (a hybrid fuses its
parts there).

1. emerging: every O*NET Emerging Task -> the occupation O*NET filed it under. New tasks are not
   in Task Statements; revisions are rewordings of one that is. Split by a fixed hash of the task
   text into half A (used to tune the weights and calibrate the thresholds) and half B (HELD OUT).
2. dwa: every DWA title -> any occupation having a task linked to that DWA. The O*NET documents
   are built WITHOUT DWA titles here, or the answer would be in the index.
3. stripped: a seeded sample of task statements with the words of their occupation's title
   removed -> their occupation, leave-one-out: the sampled statements are removed from the corpus
   (documents, centroids and all), so no feature can see them.

Also prints score bands (precision of the rank-1 occupation per confidence band): thresholds are
suggested from emerging half A and the bands' precision is reported on half B; the domain-prior
table (bench/domain_prior.py: Emerging Tasks given their own or a confusable SOC group as domain);
and a 100k synthetic-inventory throughput run of the default matcher through the real pipeline.
Results go to stdout (markdown) and bench/results/matching.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from assets.ingest.catalog import ONET_FILES
from assets.inventory.matching.corpus import Corpus, load_corpus
from assets.inventory.matching.match import QueryTask, match_tasks, ranked
from assets.inventory.matching.matchers import EmbeddingMatcher, make_matcher
from assets.inventory.matching.technology import load_technology
from assets.inventory.matching.text import few_words
from assets.inventory.thresholds import DEFAULT_DOMAIN_BONUS, DEFAULT_TECHNOLOGY_BONUS, DEFAULT_THRESHOLDS
from assets.staging import onet
from orchestration.resources import settings_from_env

CANDIDATES = 50
KEYS = (
    "occupations",
    "task_statements",
    "tasks_to_dwas",
    "dwa_reference",
    "emerging_tasks",
    "technology_skills",
)
STOP = {"and", "or", "of", "the", "except", "all", "other", "including", "in", "for", "a"}


def onet_connection(settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the O*NET staging tables, parsed from the mirror like the pipeline does."""
    mirror = settings.mirror or settings.path("../shared/data")
    con = duckdb.connect()
    con.execute("create schema staging")
    for key in KEYS:
        frame, _ = onet.parse(key, mirror / "onet" / settings.onet_release / ONET_FILES[key])
        con.register("_f", frame.to_arrow())
        con.execute(f"create table staging.onet_{key} as select * from _f")
        con.unregister("_f")
    return con


def occupation_ranks(found: pl.DataFrame, soc_codes: np.ndarray, n_queries: int) -> list[list[str]]:
    """Per query, its candidate occupations best first (found is sorted best-first per task)."""
    out: list[list[str]] = [[] for _ in range(n_queries)]
    for task, doc in zip(found["task"].to_list(), found["doc"].to_list(), strict=True):
        code = soc_codes[doc]
        if code not in out[task]:
            out[task].append(code)
    return out


def tuning_half(task: str) -> bool:
    """Fixed split of the Emerging Tasks: True = half A (tuning/calibration), False = B (held out)."""
    return hashlib.sha256(task.encode()).digest()[0] % 2 == 0


def without(corpus: Corpus, drop_ids) -> tuple[Corpus, np.ndarray]:
    """The corpus minus the given task IDs (leave-one-out for the stripped set), and the kept indices."""
    keep = np.flatnonzero(~np.isin(corpus.task_ids, np.asarray(drop_ids)))
    return corpus.subset(keep), keep


def score_set(ranked: list[list[str]], truths: list[set[str]]) -> dict:
    top1 = top5 = rr = 0.0
    for occs, truth in zip(ranked, truths, strict=True):
        pos = next((i for i, c in enumerate(occs) if c in truth), None)
        if pos is not None:
            top1 += pos == 0
            top5 += pos < 5
            rr += 1.0 / (pos + 1)
    n = max(len(truths), 1)
    return {"n": len(truths), "top1": top1 / n, "top5": top5 / n, "mrr": rr / n}


def strip_title_words(task: str, title: str) -> str:
    words = {w for w in re.findall(r"[a-z]+", title.lower()) if w not in STOP}
    stems = {w[:-1] if w.endswith("s") else w for w in words}
    kept = [
        t
        for t in task.split()
        if re.sub(r"[^a-z]", "", t.lower()).rstrip("s") not in stems
        and re.sub(r"[^a-z]", "", t.lower()) not in words
    ]
    return " ".join(kept)


def ground_truth(con, sample: int, seed: int = 13):
    emerging = con.execute(
        "select task, onet_soc_code, category from staging.onet_emerging_tasks order by task, onet_soc_code"
    ).fetchall()
    dwa = con.execute(
        """
        select d.dwa_title, list(distinct l.onet_soc_code)
        from staging.onet_dwa_reference d join staging.onet_tasks_to_dwas l using (dwa_id)
        group by d.dwa_title order by d.dwa_title
        """
    ).fetchall()
    statements = con.execute(
        """
        select t.task_id, t.task, t.onet_soc_code, o.title
        from staging.onet_task_statements t join staging.onet_occupations o using (onet_soc_code)
        order by t.task_id
        """
    ).fetchall()
    rng = random.Random(seed)
    picked = rng.sample(statements, min(sample, len(statements)))
    return {
        "emerging": ([e[0] for e in emerging], [{e[1]} for e in emerging], None),
        "emerging_A_tuning": (
            [e[0] for e in emerging if tuning_half(e[0])],
            [{e[1]} for e in emerging if tuning_half(e[0])],
            None,
        ),
        "emerging_B_held_out": (
            [e[0] for e in emerging if not tuning_half(e[0])],
            [{e[1]} for e in emerging if not tuning_half(e[0])],
            None,
        ),
        # Revisions reword an existing statement; New tasks are genuinely new work.
        "emerging_revision": (
            [e[0] for e in emerging if e[2] == "Revision"],
            [{e[1]} for e in emerging if e[2] == "Revision"],
            None,
        ),
        "emerging_new": (
            [e[0] for e in emerging if e[2] != "Revision"],
            [{e[1]} for e in emerging if e[2] != "Revision"],
            None,
        ),
        "dwa": ([d[0] for d in dwa], [set(d[1]) for d in dwa], None),
        "stripped": (
            [strip_title_words(s[1], s[3]) for s in picked],
            [{s[2]} for s in picked],
            [s[0] for s in picked],
        ),
    }


def parts(matcher) -> tuple:
    return getattr(matcher, "parts", (matcher,))


def left_out(full, matcher_name: str, use: Corpus, keep: np.ndarray, cache_dir: Path):
    """`full` refitted on the corpus minus the held-out statements (embedding vectors reused)."""
    matcher = make_matcher(matcher_name, cache_dir=cache_dir)
    for part, full_part in zip(parts(matcher), parts(full), strict=True):
        if isinstance(part, EmbeddingMatcher):
            part._docs, part._occ_for = full_part._docs[keep], None
            part.encode_cached = full_part.encode_cached
        else:
            part.fit_corpus(use)
    return matcher


def evaluate(
    matcher_name: str, con, sets, cache_dir: Path
) -> tuple[list[dict], dict[str, list[tuple[float, bool]]]]:
    corpus = load_corpus(con)
    rows, calibration = [], {}
    fits: dict[bool, tuple] = {}
    for set_name, (queries, truths, exclude) in sets.items():
        # the dwa set: documents without DWA titles, or the answer would be in the index
        dwas = set_name != "dwa"
        if dwas not in fits:
            t0 = time.perf_counter()
            matcher = make_matcher(matcher_name, cache_dir=cache_dir).fit_corpus(corpus, dwas=dwas)
            for part in parts(matcher):
                part.fit_occupations(corpus)
            fits[dwas] = (matcher, time.perf_counter() - t0)
        matcher, fit_s = fits[dwas]
        use = corpus
        if exclude is not None:  # leave-one-out: drop the sampled statements from the corpus entirely
            use, keep = without(corpus, exclude)
            matcher = left_out(matcher, matcher_name, use, keep, cache_dir)
        t0 = time.perf_counter()
        found = ranked(matcher, use, lambda _m, q=queries: [[x] for x in q], CANDIDATES)
        search_s = time.perf_counter() - t0
        ranked_occupations = occupation_ranks(found, use.soc_codes, len(queries))
        result = score_set(ranked_occupations, truths)
        result.update(
            matcher=matcher_name,
            set=set_name,
            tasks_per_s=len(queries) / search_s if search_s else float("inf"),
            fit_s=fit_s,
        )
        rows.append(result)
        if set_name.startswith("emerging_"):  # calibration: A suggests thresholds, B checks them
            best = found.group_by("task", maintain_order=True).head(1)
            calibration[set_name] = [
                (score, use.soc_codes[doc] in truths[task], few_words(queries[task], None))
                for task, doc, score in best.select("task", "doc", "score").iter_rows()
            ]
    return rows, calibration


def bands(calibration: list[tuple[float, bool, bool]], thresholds: tuple[float, float, float]) -> list[dict]:
    """Precision per band as the mart bands: a task of fewer than 3 content words is at most low."""
    high, medium, low = thresholds
    edges = [("high", high, 9.0), ("medium", medium, high), ("low", low, medium), ("none", -1.0, low)]
    out = []
    for name, lo, hi in edges:
        hits = [
            ok
            for s, ok, few in calibration
            if (name == "low" and few and s >= low) or (not (few and s >= medium) and lo <= s < hi)
        ]
        out.append(
            {
                "band": name,
                "n": len(hits),
                "top1_occupation_precision": float(np.mean(hits)) if hits else None,
            }
        )
    return out


def suggest(
    calibration: list[tuple[float, bool, bool]], targets=(0.7, 0.45, 0.2), min_n: int = 15
) -> list[float]:
    """Lowest score thresholds whose rank-1 occupation precision (score >= t) reaches each target,
    among the tasks a threshold decides (not those of fewer than 3 content words, at most low)."""
    calibration = [(s, ok) for s, ok, few in calibration if not few]
    scores = np.array([s for s, _ in calibration])
    oks = np.array([ok for _, ok in calibration], dtype=float)
    order = np.argsort(-scores)
    scores, oks = scores[order], oks[order]
    precision = np.cumsum(oks) / np.arange(1, len(oks) + 1)
    out = []
    for target in targets:
        ok = np.flatnonzero((precision >= target) & (np.arange(1, len(oks) + 1) >= min_n))
        cut = ok[-1] if ok.size else 0
        below = float(scores[cut + 1]) if cut + 1 < len(scores) else -1.0
        out.append(short_threshold(float(scores[cut]), below))
    return out


def short_threshold(score: float, below: float) -> float:
    """The shortest decimal <= score that still lies above the next lower score: rounding 0.50333
    to 0.503 would let in 0.5033 and 0.50321 too, and the band would miss its target."""
    for digits in range(3, 8):
        t = math.floor(score * 10**digits) / 10**digits
        if t > below:
            return t
    return score


CODE_SNIPPETS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "code_snippets"


def synthetic_inventory(
    con, n: int, seed: int = 5, domains: bool = False, code_share: float = 0.0
) -> list[QueryTask]:
    """n inventory-like tasks: a DWA title as title, 2-4 task statements as prompt, 5% with 2,400+ chars.
    A `code_share` of them are SWE-style prompts instead: 2 statements, then 4-8 unfenced snippets,
    traces, logs or configs (tests/fixtures/code_snippets, 100-600 characters each): 0.7-4.2 kB,
    2.3 kB on average."""
    rng = random.Random(seed)
    snippets = [f.read_text() for f in sorted(CODE_SNIPPETS.glob("*.txt"))] if code_share else []
    titles = [r[0] for r in con.execute("select dwa_title from staging.onet_dwa_reference").fetchall()]
    tasks = [r[0] for r in con.execute("select task from staging.onet_task_statements").fetchall()]
    groups = [
        r[0]
        for r in con.execute(
            "select distinct left(onet_soc_code, 3) from staging.onet_occupations order by 1"
        ).fetchall()
    ]
    out = []
    for i in range(n):
        if snippets and rng.random() < code_share:
            body = (
                " ".join(rng.choice(tasks) for _ in range(2))
                + "\n\n"
                + "\n".join(rng.sample(snippets, rng.randint(4, 8)))
                + "\nMake the failing test pass."
            )
        else:
            k = 24 if rng.random() < 0.05 else rng.randint(2, 4)
            body = " ".join(rng.choice(tasks) for _ in range(k))
        domain = (rng.choice(groups),) if domains else ()
        out.append(
            QueryTask(
                f"SYN-{i:06d}",
                rng.choice(titles),
                f"You are an agent. {body} Grade: rubric.",
                domain_prefixes=domain,
            )
        )
    return out


def throughput_100k(con, n: int, domains: bool = False, code_share: float = 0.0) -> dict:
    """The default matcher over n synthetic tasks; with `domains`, each task carries a random SOC major
    group as its domain, so the domain prior's second ranking is paid for every task; `code_share` of
    them are SWE prompts with unfenced code (synthetic_inventory)."""
    corpus = load_corpus(con)
    tasks = synthetic_inventory(con, n, domains=domains, code_share=code_share)
    t0 = time.perf_counter()
    matcher = make_matcher("tfidf").fit_corpus(corpus)
    matcher.fit_occupations(corpus)
    technology = load_technology(con, corpus)  # the technology prior, on by default in the pipeline
    fit_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    result = match_tasks(
        matcher,
        corpus,
        tasks,
        5,
        DEFAULT_DOMAIN_BONUS["tfidf"] if domains else 0.0,
        technology=technology,
        technology_bonus=DEFAULT_TECHNOLOGY_BONUS["tfidf"],
    )
    match_s, match_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    return {
        "tasks": n,
        "with_domains": domains,
        "code_share": code_share,
        "long_prompts": sum(len(t.description) >= 2000 for t in tasks),
        "mean_prompt_chars": round(sum(len(t.description) for t in tasks) / max(n, 1)),
        "fit_s": round(fit_s, 2),
        "match_s": round(match_s, 2),
        "total_s": round(fit_s + match_s, 2),
        "tasks_per_s": round(n / match_s),
        "match_cpu_s": round(match_cpu_s, 2),
        "tasks_per_cpu_s": round(n / match_cpu_s),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "rows": result.height,
        "tasks_naming_software": result.filter(pl.col("technology_share").is_not_null())[
            "inventory_task_id"
        ].n_unique(),
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| matcher | ground truth | n | top-1 occ. | top-5 occ. | MRR | tasks/s | fit s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['matcher']} | {r['set']} | {r['n']} | {r['top1']:.1%} | {r['top5']:.1%} | {r['mrr']:.3f} "
            f"| {r['tasks_per_s']:,.0f} | {r['fit_s']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,embeddings,hybrid")
    parser.add_argument("--sample", type=int, default=2000, help="task statements in the 'stripped' set")
    parser.add_argument(
        "--synthetic", type=int, default=100_000, help="synthetic tasks for throughput (0: skip)"
    )
    parser.add_argument(
        "--synthetic-domains",
        action="store_true",
        help="give every synthetic task an SOC major group as domain",
    )
    parser.add_argument(
        "--synthetic-code",
        type=float,
        default=0.0,
        help="share of synthetic tasks that are SWE prompts with unfenced code (0-1)",
    )
    parser.add_argument(
        "--no-domain-prior", action="store_true", help="skip the domain-prior table (bench/domain_prior.py)"
    )
    parser.add_argument(
        "--throughput-only", action="store_true", help="only the synthetic throughput run (no quality sets)"
    )
    args = parser.parse_args()
    if not 0 <= args.synthetic_code <= 1:
        parser.error("--synthetic-code is a share: between 0 and 1")
    if args.throughput_only and args.synthetic <= 0:
        parser.error("--throughput-only needs --synthetic above 0")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings_from_env()
    con = onet_connection(settings)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(parents=True, exist_ok=True)

    def throughput() -> dict:
        figures = throughput_100k(con, args.synthetic, args.synthetic_domains, args.synthetic_code)
        print(f"synthetic throughput (tfidf, full pipeline): {figures}")
        return figures

    if args.throughput_only:  # its own file: the quality figures in matching.json stay
        (results / "matching_throughput.json").write_text(json.dumps(throughput(), indent=2))
        return
    sets = ground_truth(con, args.sample)
    report: dict = {"quality": [], "bands": {}, "suggested_thresholds": {}}
    for name in args.matchers.split(","):
        rows, calibration = evaluate(name, con, sets, settings.cache / "embeddings")
        report["quality"].extend(rows)
        report["suggested_thresholds"][name] = suggest(calibration["emerging_A_tuning"])
        report.setdefault("calibration", {})[name] = calibration  # (rank-1 score, occupation right)
        report["bands"][name] = {
            half: bands(calibration[half], DEFAULT_THRESHOLDS[name])
            for half in ("emerging_A_tuning", "emerging_B_held_out")
        }
    print(markdown(report["quality"]))
    print()
    for name, halves in report["bands"].items():
        suggested = report["suggested_thresholds"][name]
        print(f"{name} bands (thresholds {DEFAULT_THRESHOLDS[name]}; suggested from half A {suggested}):")
        for half, table in halves.items():
            for b in table:
                p = b["top1_occupation_precision"]
                prec = "n/a" if p is None else f"{p:.1%}"
                print(f"  {half:>20} {b['band']:>6}: n={b['n']:>4}  rank-1 occupation precision {prec}")
    if not args.no_domain_prior:
        from bench import domain_prior  # imports this module

        print()
        report["domain_prior"] = domain_prior.run(
            args.matchers.split(","), con, settings.cache / "embeddings"
        )
    if args.synthetic:
        print()
        report["throughput"] = throughput()
    (results / "matching.json").write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
