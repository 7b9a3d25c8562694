"""Matching and grounding on an inventory written by a reviewer who did not tune the matcher.

    .venv/bin/python -m bench.reviewer_inventory [--matchers tfidf,hybrid] [--variants as-exported,...]

`bench/data/reviewer_inventory/` holds 120 RL/eval tasks a reviewer wrote on 27 Nov 2026, acting as
a data lead trying taskvalue on their own inventory: a Jira CSV export (`Issue key`, two `Labels`
columns, `Component/s`), a JSONL of eval prompts (chat `messages`, `prompt` or `question`), and an
XLSX tracker with an Owners lookup sheet, across software, data, support, medicine, education,
finance, law and admin, plus toy tasks ("reverse a string"). `truth.csv` is the reviewer's answer for
each task: the O*NET-SOC code a human would pick (105 tasks have one; `alts` lists other defensible
codes) and a category: toy (no real work behind it), template (the low-paid part of a job),
judgment (the high-paid part) or standard.

For each matcher and variant (the files as exported; with the Jira file's `Component/s` renamed to
`domain`, as its note tells a user whose components name domains) the script runs `taskvalue refresh`
on the data mirror with this inventory into a temporary directory, then reports occupation top-1/top-5 (strict: the reviewer's code; lenient: or
one of its alternates), the rank-1 precision per confidence band, and the grounding verdict per
category. The inventory was written after the matcher was built and the matcher was not tuned on
it (the resemblance floor was since set below its real tasks, with two other inventories'); it is
small (one task is about a point), so read it as a check, not a target.

`--data bench/data/session24_persona_inventory --variants as-exported` scores another inventory in
the same layout: 58 SWE, data and customer-support prompts (JSONL with `id`/`name`/`prompt`, an XLSX
tracker) a persona wrote in session 24 to try the tool as an RL data lead, with sandbox preambles
and three rows the ingest quarantines (a duplicated ID twice, one without text). Its `truth.csv`
was written by the engineer who built the technology prior, before that prior was first run: the
first code is the likeliest occupation, `alts` the other defensible ones (lenient sets: any
computer occupation a coding task plausibly imitates).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from bench.bands import bands_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "reviewer_inventory"
BANDS = ("high", "medium", "low", "none")


def inventory(variant: str, out: Path, data: Path = DATA) -> Path:
    """The inventory as exported, or with the Jira file's `Component/s` renamed to `domain`, as its
    note tells a user whose components name work domains (this reviewer's do)."""
    if variant == "as-exported":
        return data / "inventory"
    jira = data / "inventory" / "jira_export_rl_backlog.csv"
    if not jira.exists():
        raise SystemExit(f"variant {variant} needs {jira}: this inventory has no Jira export")
    copy = out / "inventory"
    shutil.copytree(data / "inventory", copy)
    jira = copy / "jira_export_rl_backlog.csv"
    header, rest = jira.read_text(encoding="utf-8").split("\n", 1)
    jira.write_text(header.replace("Component/s", "domain") + "\n" + rest, encoding="utf-8")
    return copy


def build(matcher: str, variant: str, out: Path, data: Path = DATA) -> Path:
    """A warehouse of this inventory, built by the refresh as a user would."""
    return refresh(inventory(variant, out, data), matcher, out)


def refresh(inventory_dir: Path, matcher: str, out: Path) -> Path:
    """`taskvalue refresh` of the inventory in `inventory_dir` into `out` (its warehouse file)."""
    env = os.environ | {
        "TASKVALUE_INVENTORY_DIR": str(inventory_dir),
        "TASKVALUE_MATCHER": matcher,
        "TASKVALUE_WAREHOUSE": str(out / "taskvalue.duckdb"),
        "TASKVALUE_WORK_DB": str(out / "work" / "taskvalue.duckdb"),
        "DAGSTER_HOME": str(out / "dagster"),
    }
    env.setdefault("TASKVALUE_MIRROR", str(ROOT.parent / "shared" / "data"))
    env.setdefault("TASKVALUE_CACHE_DIR", str(ROOT / "warehouse" / "cache"))
    (out / "dagster").mkdir(parents=True)
    (out / "dagster" / "dagster.yaml").touch()
    cli = Path(sys.executable).with_name("taskvalue")
    done = subprocess.run([str(cli), "refresh"], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"refresh with {matcher} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return out / "taskvalue.duckdb"


def score(warehouse: Path, truth: dict[str, dict]) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    ranked: dict[str, list[tuple]] = defaultdict(list)
    for task_id, code, confidence, method in con.execute(
        "select inventory_task_id, onet_soc_code, confidence, method from marts.inventory_task_matches "
        "order by inventory_task_id, rank"
    ).fetchall():
        ranked[task_id].append((code, confidence, method))
    verdicts = dict(
        con.execute("select inventory_task_id, grounding from marts.inventory_grounding").fetchall()
    )
    con.close()
    answered = {t: r for t, r in truth.items() if r["truth"]}
    hits = Counter()
    by_band: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for task_id, row in answered.items():
        strict = {row["truth"]}
        lenient = strict | {a for a in row["alts"].split("|") if a}
        codes = [c for c, _, _ in ranked.get(task_id, [])][:5]
        hits["top1"] += bool(codes) and codes[0] in strict
        hits["top1_lenient"] += bool(codes) and codes[0] in lenient
        hits["top5"] += any(c in strict for c in codes)
        hits["top5_lenient"] += any(c in lenient for c in codes)
        if codes:
            confidence = ranked[task_id][0][1]
            by_band[confidence][0] += 1
            by_band[confidence][1] += codes[0] in lenient
    n = len(answered)
    grounding = Counter((row["category"], verdicts.get(task_id, "missing")) for task_id, row in truth.items())
    return {
        "n": n,
        **{k: hits[k] / n for k in ("top1", "top1_lenient", "top5", "top5_lenient")},
        "rank1_right_by_band": {
            b: {"n": by_band[b][0], "right": by_band[b][1]} for b in BANDS if b in by_band
        },
        "grounding_by_category": {f"{c}/{g}": k for (c, g), k in sorted(grounding.items())},
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| inventory | matcher | n | top-1 strict / lenient | top-5 strict / lenient | rank-1 right (lenient) by band |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        bands = bands_text(r["rank1_right_by_band"])
        lines.append(
            f"| {r['variant']} | {r['matcher']} | {r['n']} | {r['top1']:.1%} / {r['top1_lenient']:.1%} | "
            f"{r['top5']:.1%} / {r['top5_lenient']:.1%} | {bands} |"
        )
    lines += ["", "Grounding verdict by the reviewer's category (category/verdict: tasks):"]
    lines += [
        f"- {r['variant']}, {r['matcher']}: "
        + ", ".join(f"{k} {v}" for k, v in r["grounding_by_category"].items())
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matchers", default="tfidf,hybrid")
    parser.add_argument("--variants", default="as-exported,component-as-domain")
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA,
        help="a directory with inventory/ and truth.csv in this layout (bench/data/session24_persona_inventory: "
        "use --variants as-exported)",
    )
    args = parser.parse_args()
    with (args.data / "truth.csv").open(newline="", encoding="utf-8") as f:
        truth = {row["task_id"]: row for row in csv.DictReader(f)}
    rows = []
    for variant in args.variants.split(","):
        for matcher in args.matchers.split(","):
            with tempfile.TemporaryDirectory(prefix=f"taskvalue-reviewer-{matcher}-") as tmp:
                found = score(build(matcher, variant, Path(tmp), args.data), truth)
                rows.append({"matcher": matcher, "variant": variant} | found)
    print(markdown(rows))
    out = ROOT / "bench" / "results" / f"{args.data.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
