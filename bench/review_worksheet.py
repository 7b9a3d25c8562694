"""The review loop on a labelled inventory: refresh, fill in the review worksheet, refresh again.

    .venv/bin/python -m bench.review_worksheet [--data bench/data/session24_persona_inventory] [--matcher tfidf]

A reviewer who knows each task's occupation (the inventory's `truth.csv`: the code and its
defensible alternates) opens `exports/inventory_review.csv`, types `pin` on each task's best-ranked
candidate of a right occupation, leaves the other rows alone, saves the sheet as `_overrides.csv` in
the inventory directory and refreshes. The script does exactly that to a copy of the inventory and
prints the grounding before and after, the status of every decision read back, and how many
labelled tasks had no right candidate to pin (those need their occupation named in the inventory,
or a task found by hand).
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


def right_codes(truth_file: Path) -> dict[str, set[str]]:
    with truth_file.open(newline="", encoding="utf-8") as f:
        return {
            r["task_id"]: {r["truth"], *filter(None, r["alts"].split("|"))}
            for r in csv.DictReader(f)
            if r["truth"]
        }


def fill(sheet: Path, right: dict[str, set[str]], dest: Path) -> tuple[int, int]:
    """The sheet with `pin` typed on each task's best-ranked right candidate; (pins, rows)."""
    with sheet.open(newline="", encoding="utf-8-sig") as f:  # the export starts with a BOM, for Excel
        rows = list(csv.reader(f))
    header = rows[0]
    task, kind, code, action = (
        header.index(c) for c in ("inventory_task_id", "row_kind", "onet_soc_code", "action")
    )
    pinned: set[str] = set()
    for row in rows[1:]:  # in review_order: a task's candidates by rank
        if row[kind] == "candidate" and row[task] not in pinned and row[code] in right.get(row[task], ()):
            row[action] = "pin"
            pinned.add(row[task])
    with dest.open("w", newline="", encoding="utf-8-sig") as f:  # as Excel saves "CSV UTF-8"
        csv.writer(f).writerows(rows)
    return len(pinned), len(rows) - 1


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=PERSONA, help="a directory with inventory/ and truth.csv"
    )
    parser.add_argument("--matcher", default="tfidf")
    args = parser.parse_args()
    right = right_codes(args.data / "truth.csv")
    with tempfile.TemporaryDirectory(prefix="taskvalue-review-") as tmp:
        tmp = Path(tmp)
        inventory = tmp / "inventory"
        shutil.copytree(args.data / "inventory", inventory)
        if any(p.name.lower().startswith("_override") for p in inventory.iterdir()):
            raise SystemExit(f"{args.data / 'inventory'} has an overrides file already: start from none")
        before = refresh(inventory, args.matcher, tmp / "before")
        sheet = before.parent / "exports" / "inventory_review.csv"
        pins, rows = fill(sheet, right, inventory / "_overrides.csv")
        after = refresh(inventory, args.matcher, tmp / "after")
        (was, _), (now, statuses) = verdicts(before), verdicts(after)
    print(f"{args.data.name}, {args.matcher}: {len(right)} labelled tasks; worksheet of {rows} rows")
    print(
        f"pins typed: {pins} (the other {len(right) - pins} labelled tasks had no right candidate in the sheet)"
    )
    print(f"decisions read back: {dict(statuses)}")
    print("| grounding (tasks counted) | before | after |\n|---|---:|---:|")
    for key in sorted(set(was) | set(now)):
        print(f"| {key} | {was[key]} | {now[key]} |")


if __name__ == "__main__":
    main()
