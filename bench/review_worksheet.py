"""The review loop on a labelled inventory: refresh, fill in the review worksheet, refresh again.

    .venv/bin/python -m bench.review_worksheet [--data bench/data/session24_persona_inventory]
        [--matcher tfidf] [--pins-only]

A reviewer who knows each task's occupation (the inventory's `truth.csv`: the code and its
defensible alternates) opens `exports/inventory_review.csv`, types `pin` on each task's best-ranked
candidate of a right occupation and, for a task with no such candidate, `occupation` on its first
row with the right code typed over its `onet_soc_code` (not with --pins-only), leaves the other rows
alone, saves the sheet as `_overrides.csv` in the inventory directory and refreshes. The script does
exactly that to a copy of the inventory and prints the grounding before and after, the status of
every decision read back, and how many labelled tasks got a pin and how many an occupation.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import duckdb

from bench.reviewer_inventory import ROOT, refresh

PERSONA = ROOT / "bench" / "data" / "session24_persona_inventory"


def labels(truth_file: Path) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Per labelled task: its right codes (the label and its alternates), and the label."""
    with truth_file.open(newline="", encoding="utf-8") as f:
        labelled = [r for r in csv.DictReader(f) if r["truth"]]
    right = {r["task_id"]: {r["truth"], *filter(None, r["alts"].split("|"))} for r in labelled}
    return right, {r["task_id"]: r["truth"] for r in labelled}


def fill(
    sheet: Path, right: dict[str, set[str]], truth: dict[str, str], dest: Path, occupations: bool = True
) -> tuple[int, int, int]:
    """The sheet with `pin` typed on each task's best-ranked right candidate, and `occupation` (the
    task's labelled code) on the first row of a labelled task without one; (pins, occupations, rows)."""
    with sheet.open(newline="", encoding="utf-8-sig") as f:  # the export starts with a BOM, for Excel
        rows = list(csv.reader(f))
    header = rows[0]
    task, kind, code, action = (
        header.index(c) for c in ("inventory_task_id", "row_kind", "onet_soc_code", "action")
    )
    pinned: set[str] = set()
    first: dict[str, list[str]] = {}
    for row in rows[1:]:  # in review_order: a task's candidates by rank
        if row[kind] != "candidate":
            continue
        first.setdefault(row[task], row)
        if row[task] not in pinned and row[code] in right.get(row[task], ()):
            row[action] = "pin"
            pinned.add(row[task])
    named = [t for t in right if t in first and t not in pinned] if occupations else []
    for t in named:
        first[t][action], first[t][code] = "occupation", truth[t]
    with dest.open("w", newline="", encoding="utf-8-sig") as f:  # as Excel saves "CSV UTF-8"
        csv.writer(f).writerows(rows)
    return len(pinned), len(named), len(rows) - 1


def verdicts(warehouse: Path) -> tuple[Counter, Counter]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        grounding = Counter(
            dict(
                con.execute(
                    "select grounding || coalesce(' (' || ungrounded_reason || ')', ''), count(*) "
                    "from marts.inventory_grounding where not is_excluded_status group by 1"
                ).fetchall()
            )
        )
        statuses = Counter(
            dict(
                con.execute("select status, count(*) from staging.inventory_overrides group by 1").fetchall()
            )
        )
    return grounding, statuses


def rank1_of_named(warehouse: Path) -> Counter:
    """The tasks an occupation decision placed (their rank 1 is hinted by the overrides: not a pin), by
    their rank-1 band and credibility and the verdict that follows (a task with a status coverage
    leaves out: `excluded`)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return Counter(
            dict(
                con.execute(
                    "select c.confidence || case when c.is_credible then ', credible' else ', not credible' end "
                    "|| ' -> ' || case when g.is_excluded_status then 'excluded' else g.grounding "
                    "|| coalesce(' (' || g.ungrounded_reason || ')', '') end, count(*) "
                    "from int.inventory_candidate_value as c "
                    "inner join marts.inventory_task_matches as m using (inventory_task_id, rank) "
                    "inner join marts.inventory_grounding as g using (inventory_task_id) "
                    "where c.rank = 1 and m.hint_source = 'overrides' group by 1 order by 1"
                ).fetchall()
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=PERSONA, help="a directory with inventory/ and truth.csv"
    )
    parser.add_argument("--matcher", default="tfidf")
    parser.add_argument(
        "--pins-only", action="store_true", help="type no occupation decision (the loop before them)"
    )
    args = parser.parse_args()
    right, truth = labels(args.data / "truth.csv")
    with tempfile.TemporaryDirectory(prefix="taskvalue-review-") as tmp:
        tmp = Path(tmp)
        inventory = tmp / "inventory"
        shutil.copytree(args.data / "inventory", inventory)
        if any(p.name.lower().startswith("_override") for p in inventory.iterdir()):
            raise SystemExit(f"{args.data / 'inventory'} has an overrides file already: start from none")
        before = refresh(inventory, args.matcher, tmp / "before")
        sheet = before.parent / "exports" / "inventory_review.csv"
        pins, named, rows = fill(sheet, right, truth, inventory / "_overrides.csv", not args.pins_only)
        after = refresh(inventory, args.matcher, tmp / "after")
        (was, _), (now, statuses) = verdicts(before), verdicts(after)
        hinted = rank1_of_named(after)
    print(f"{args.data.name}, {args.matcher}: {len(right)} labelled tasks; worksheet of {rows} rows")
    print(
        f"pins typed: {pins}; occupations typed: {named} (of the {len(right) - pins} labelled tasks with no "
        "right candidate in the sheet)"
    )
    if hinted:
        print(f"tasks given an occupation, by rank-1 band -> verdict: {dict(hinted)}")
    print(f"decisions read back: {dict(statuses)}")
    print("| grounding (tasks counted) | before | after |\n|---|---:|---:|")
    for key in sorted(set(was) | set(now)):
        print(f"| {key} | {was[key]} | {now[key]} |")


if __name__ == "__main__":
    main()
