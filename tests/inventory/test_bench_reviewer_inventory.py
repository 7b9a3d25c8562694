"""bench/reviewer_inventory: its inventory reads whole, and its scoring counts what it says."""

from __future__ import annotations

import csv

import duckdb

from assets.inventory.ingest import OnetLookup, ingest_directory
from bench.reviewer_inventory import DATA, score


def test_the_reviewer_inventory_reads_whole_and_every_task_has_a_truth_row():
    result = ingest_directory(DATA / "inventory", OnetLookup())
    assert result.quarantine.is_empty()
    with (DATA / "truth.csv").open(newline="", encoding="utf-8") as f:
        truth = {row["task_id"]: row for row in csv.DictReader(f)}
    assert sorted(result.tasks["task_id"].to_list()) == sorted(truth) and len(truth) == 120
    assert sum(1 for row in truth.values() if row["truth"]) == 105
    # the Jira export's `Component/s` names domains here, but is a module in most projects: not read,
    # and the file's notes say so
    jira = result.tasks.filter(result.tasks["source_file"] == "jira_export_rl_backlog.csv")
    assert jira.height == 42 and jira["domain"].null_count() == 42
    notes = result.files.filter(result.files["source_file"] == "jira_export_rl_backlog.csv")["notes"][0]
    assert "column 'Component/s' is kept in extra_fields, not read as the domain" in notes


def test_scoring_counts_strict_and_lenient_hits_bands_and_verdicts(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.inventory_task_matches as select * from (values "
        "('a', 1, '15-1252.00', 'low', 'text'), ('a', 2, '15-1251.00', 'low', 'text'), "
        "('b', 1, '15-1251.00', 'medium', 'text'), ('b', 2, '15-1252.00', 'low', 'text'), "
        "('c', 1, '11-1011.00', 'none', 'text')) "
        "as t(inventory_task_id, rank, onet_soc_code, confidence, method)"
    )
    con.execute(
        "create table marts.inventory_grounding as select * from (values ('a', 'unverified'), "
        "('b', 'grounded'), ('c', 'ungrounded'), ('d', 'ungrounded')) as t(inventory_task_id, grounding)"
    )
    con.close()
    truth = {
        "a": {"truth": "15-1252.00", "alts": "", "category": "standard"},
        "b": {"truth": "15-1252.00", "alts": "15-1251.00", "category": "judgment"},
        "c": {"truth": "23-1011.00", "alts": "", "category": "standard"},
        "d": {"truth": "", "alts": "", "category": "toy"},  # no occupation: not scored, verdict counted
    }
    got = score(path, truth)
    assert got["n"] == 3
    assert (got["top1"], got["top1_lenient"]) == (1 / 3, 2 / 3)
    assert (got["top5"], got["top5_lenient"]) == (2 / 3, 2 / 3)
    assert got["rank1_right_by_band"] == {
        "medium": {"n": 1, "right": 1},
        "low": {"n": 1, "right": 1},
        "none": {"n": 1, "right": 0},
    }
    assert got["grounding_by_category"] == {
        "judgment/grounded": 1,
        "standard/ungrounded": 1,
        "standard/unverified": 1,
        "toy/ungrounded": 1,
    }


def test_the_session24_persona_inventory_reads_as_documented_and_every_task_has_an_answer(shared_data):
    from bench.reviewer_inventory import ROOT

    data = ROOT / "bench" / "data" / "session24_persona_inventory"
    result = ingest_directory(data / "inventory", OnetLookup())
    assert sorted(result.quarantine["reason"].to_list()) == [
        "duplicate_task_id",
        "duplicate_task_id",
        "no_text",
    ]
    with (data / "truth.csv").open(newline="", encoding="utf-8") as f:
        truth = {row["task_id"]: row for row in csv.DictReader(f)}
    assert sorted(result.tasks["task_id"].to_list()) == sorted(truth) and len(truth) == 58
    # every answer is an O*NET occupation with tasks in the release the tool reads
    statements = (shared_data / "onet" / "29.0" / "Task Statements.txt").read_text(encoding="utf-8")
    with_tasks = {line.split("\t", 1)[0] for line in statements.splitlines()[1:]}
    answers = {c for row in truth.values() for c in [row["truth"], *row["alts"].split("|")] if c}
    assert answers <= with_tasks and all(row["truth"] for row in truth.values())
    assert truth["SWE-021"]["truth"] == "15-1252.00"  # "Add structured logging": Software Developers


def test_the_review_bench_pins_each_tasks_best_ranked_right_candidate_and_names_the_rest(tmp_path):
    from bench.review_worksheet import fill

    sheet = tmp_path / "inventory_review.csv"
    header = "inventory_task_id,action,onet_task_id,note,text_hash,review_order,row_kind,onet_soc_code\n"
    sheet.write_text(
        "\ufeff" + header + "a,,1,,aaaaaaaaaaaa,1,candidate,11-1011.00\n"
        "a,,2,,aaaaaaaaaaaa,2,candidate,15-1252.00\n"  # a's first right candidate: pinned
        "a,,3,,aaaaaaaaaaaa,3,candidate,15-1251.00\n"  # right too (an alternate), but ranked lower
        "b,reject,4,done,,4,decision,15-1252.00\n"  # a decision already made stays as it is
        "b,,5,,bbbbbbbbbbbb,5,candidate,43-4051.00\n"  # no right candidate: named on its first one
        "b,,7,,bbbbbbbbbbbb,6,candidate,43-4051.00\n"
        "c,,6,,cccccccccccc,7,candidate,15-1252.00\n",  # no truth: left undecided
        encoding="utf-8",
    )
    out = tmp_path / "_overrides.csv"
    right = {"a": {"15-1252.00", "15-1251.00"}, "b": {"15-1252.00"}}
    truth = {"a": "15-1252.00", "b": "15-1252.00"}
    assert fill(sheet, right, truth, out) == (1, 1, 7)
    with out.open(newline="", encoding="utf-8-sig") as f:
        actions = [
            (r["inventory_task_id"], r["onet_task_id"], r["action"], r["onet_soc_code"])
            for r in csv.DictReader(f)
        ]
    assert actions == [
        ("a", "1", "", "11-1011.00"),
        ("a", "2", "pin", "15-1252.00"),
        ("a", "3", "", "15-1251.00"),
        ("b", "4", "reject", "15-1252.00"),
        ("b", "5", "occupation", "15-1252.00"),  # the labelled code typed over the candidate's
        ("b", "7", "", "43-4051.00"),
        ("c", "6", "", "15-1252.00"),
    ]
    # --pins-only: the loop without occupation decisions
    assert fill(sheet, right, truth, out, occupations=False) == (1, 0, 7)
