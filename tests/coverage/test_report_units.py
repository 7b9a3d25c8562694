"""Small pieces of the report writers and the output plumbing, each pinned by a known answer
(report-writer mutation audit, 28 Nov: every one of these survived the suite before)."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from assets.coverage import exports, reports
from assets.coverage.numbers import plural
from assets.coverage.outputs import retire_stale
from tests.coverage.conftest import build_fixture_db


def gap(**overrides) -> dict:
    row = {
        "gap_rank": 1,
        "task": "Write articles",
        "occupation_title": "Writers and Authors",
        "onet_soc_code": "27-3043.00",
        "onet_codes_sharing": 1,
        "oes_title": "Writers and Authors",
        "annual_value_usd": 300_000,
        "employment_reached": 200,
        "hourly_wage_usd": 35,
        "tier": "mid",
        "nature": "judgment",
        "is_digital": True,
        "task_uncertain_inventory_task_ids": [],
        "weak_match_inventory_task_ids": [],
    }
    return {**row, **overrides}


def test_a_gap_names_the_inventory_tasks_that_may_do_it_weak_matches_marked():
    rows = reports.gap_table(
        [
            gap(task_uncertain_inventory_task_ids=["A-1"], weak_match_inventory_task_ids=["A-1", "B-2"]),
            gap(gap_rank=2, weak_match_inventory_task_ids=["C-3"]),
            gap(gap_rank=3),
        ]
    ).rows
    # a task both named the occupation and matched the gap best is listed once, as the stronger
    assert [r[9] for r in rows] == ["A-1, B-2 (weak match)", "C-3 (weak match)", ""]
    assert len(reports.gap_table([gap()]).rows[0]) == 9  # no column when no gap has one
    sentence = reports.weak_match_sentence(["B-2", "C-3"])
    assert sentence.startswith("**Weak match:** `B-2`, `C-3` ranked the gaps marked with their IDs first")
    assert "pin the task in the overrides file or name the occupation (`onet_soc_code`)" in sentence
    assert "bottom-tier" not in sentence
    assert reports.weak_match_sentence(["B-2"], in_bottom_tier=True).endswith(
        "A bottom-tier gap (above) then counts as covered, and the task as ungrounded for imitating only "
        "low-tier work."
    )


def test_an_oes_row_split_two_ways_says_its_workers_are_a_share():
    cell = reports.occupation_cell(gap(onet_codes_sharing=2))
    assert cell == "Writers and Authors (workers: a share of its OES row, split among 2 O*NET occupations)"
    assert reports.occupation_cell(gap()) == "Writers and Authors"


def test_a_gap_of_unknown_digital_status_reads_unknown():
    rows = reports.gap_table([gap(is_digital=None), gap(gap_rank=2, is_digital=False), gap(gap_rank=3)]).rows
    assert [r[8] for r in rows] == ["unknown", "no", "yes"]


def test_zero_of_anything_is_plural():
    assert (plural(0, "task"), plural(1, "task"), plural(2, "task")) == ("0 tasks", "1 task", "2 tasks")


def test_the_report_lists_exactly_gaps_shown(monkeypatch, tmp_path):
    monkeypatch.setattr(reports, "GAPS_SHOWN", 1)
    md = reports.write_domain_report(
        build_fixture_db(), "digital-copywriting", tmp_path, "test rule"
    ).markdown
    assert "## The top gap: valuable digital work no inventory task covers" in md
    assert "| 1 | Write articles | Writers and Authors | $300.00k |" in md
    assert "| 2 |" not in md.split("## The top gap", 1)[1].split("\n## ", 1)[0]


def test_a_parquet_export_counts_every_row_across_batches(monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "EXPORT_BATCH_ROWS", 2)
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.t as select range as x from range(5)")
    assert exports.export_parquet(con, "t", tmp_path / "t.parquet") == 5
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 5


@pytest.mark.parametrize("suffixes", [(".md",), (".md", ".html")])
def test_only_the_refreshs_own_stale_outputs_are_retired(tmp_path, suffixes):
    for name in ("a.md", "b.md", "keep.txt"):
        (tmp_path / name).write_text("x")
    assert retire_stale(tmp_path, {"b.md"}, suffixes) == ["a.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.md", "keep.txt"]


def test_release_shifts_are_listed_by_size_losses_included(tmp_path):
    # a $200k fall outranks a $100k rise: sorted by the signed change, large losses fell off the list
    con = build_fixture_db(
        edits=[
            "update marts.release_changes set previous_value_usd = 500000, value_change_usd = -200000 "
            "where task_id = 201",
            "insert into marts.release_changes values ('task', '13-1161', '13-1161.00', 401, 'Analyse market data', "
            "'continuing', 2023, 2024, 150000, 250000, 100000, false)",
        ]
    )
    md = reports.write_domain_report(con, "digital-copywriting", tmp_path, "test rule").markdown
    rows = [line for line in md.splitlines() if line.startswith(("| 27-3043.00 |", "| 13-1161.00 |"))]
    assert rows == [
        "| 27-3043.00 | 27-3043 | $500.00k | $300.00k | -$200.00k |",
        "| 13-1161.00 | 13-1161 | $150.00k | $250.00k | $100.00k |",
    ]


def test_uncovered_value_by_occupation_lists_the_occupations_the_gap_list_leaves_out(monkeypatch, tmp_path):
    # without inv-8, digital copywriting has gaps in two occupations; one gap shown names only the
    # first, so the table adds the other, each with its uncovered digital value and tasks
    monkeypatch.setattr(reports, "GAPS_SHOWN", 1)
    con = build_fixture_db(
        edits=["delete from marts.inventory_task_matches where inventory_task_id = 'inv-8'"]
    )
    md = reports.write_domain_report(con, "digital-copywriting", tmp_path, "test rule").markdown
    section = md.split("### Uncovered value by occupation", 1)[1].split("\n## ", 1)[0]
    assert "The gap above comes from 1 occupation." in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "k |" in line]
    assert rows == [
        "| Writers and Authors | $400.00k | 2 of 2 | 200 | $35.00 |",
        "| Search Marketing Strategists (workers: a share of OES OES 13-1161, split among 2 O\\*NET occupations) "
        "| $150.00k | 1 of 1 | 50 | $40.00 |",
    ]


def test_the_occupations_table_appears_only_when_it_names_occupations_the_gaps_do_not(tmp_path):
    # digital copywriting's two gaps are both writers' tasks, the only occupation with uncovered value
    md = reports.write_domain_report(
        build_fixture_db(), "digital-copywriting", tmp_path, "test rule"
    ).markdown
    assert "### Uncovered value by occupation" not in md


def test_unverified_tasks_least_like_any_work_first_and_the_shown_note():
    from assets.coverage.grounding_sections import UNGROUNDED_SHOWN, lowest_score_first, shown_note

    tasks = [{"best_score": 0.3}, {"best_score": None}, {"best_score": 0.1}]
    assert [t["best_score"] for t in lowest_score_first(tasks)] == [None, 0.1, 0.3]
    assert shown_note([{}] * UNGROUNDED_SHOWN) == "."
    assert shown_note([{}] * (UNGROUNDED_SHOWN + 1)).startswith(f" (first {UNGROUNDED_SHOWN} shown;")


def test_a_lean_of_a_third_of_a_point_is_a_lean():
    sentence = reports.like_for_like_sentence(
        {
            "bottom_tier_overweight_pct": 0.3,
            "inventory_bottom_tier_share_pct": 10.3,
            "value_bottom_tier_share_pct": 10.0,
            "inventory_tasks_matched": 2,
            "inventory_median_hourly_wage_usd": 20,
            "value_median_hourly_wage_usd": 25,
        }
    )
    assert "the inventory leans to the bottom tiers 0.3 points more than its value does" in sentence


def test_unvalued_tasks_name_three_occupations_then_an_ellipsis():
    con = duckdb.connect()
    con.execute("create schema int")
    con.execute(
        "create table int.domain_task_coverage as select * from (values "
        "('d', 'A Clerks', '43-1.00', null::decimal(20, 2)), ('d', 'B Tellers', '43-2.00', null), "
        "('d', 'C Typists', '43-3.00', null), ('d', 'D Couriers', '43-4.00', null), "
        "('d', 'E Valued', '43-5.00', 10.00)) as t(domain_id, occupation_title, onet_soc_code, annual_value_usd)"
    )
    assert reports.unvalued_sentence(con, "d", 5) == (
        " 4 of the 5 tasks (4 occupations: A Clerks, B Tellers, C Typists, ...) have no published OES wage: "
        "counted among the tasks, but in no value figure (their value is unknown, not $0)."
    )
    con.execute("delete from int.domain_task_coverage where occupation_title = 'D Couriers'")
    assert "(3 occupations: A Clerks, B Tellers, C Typists) have" in reports.unvalued_sentence(con, "d", 4)


def test_a_slice_with_covered_value_never_reads_zero_percent():
    # the mart rounds the share to 4 decimals: $100M of $1T is 0.01%, shown as <0.1%, never 0.0%
    row = {
        "slice": "top",
        "tasks_total": 10,
        "tasks_covered": 1,
        "total_value_usd": 1e12,
        "covered_value_usd": 1e8,
        "value_coverage_pct": 0.0,
    }
    (cells,) = reports.slice_table("tier", [row]).rows
    assert cells == ("top", "10", "1", "$1.00T", "$100.00M", "<0.1%")


def test_only_strictly_richer_unlisted_gaps_count_as_worth_more():
    # the last gap listed (task 1) is worth $100; task 2 ties it and is not worth more, task 3 is; task 5
    # is a cent richer only from apportioning (the same weight as task 1 in the same occupation): not
    con = duckdb.connect()
    con.execute("create schema int")
    con.execute("create schema marts")
    con.execute(
        "create table int.domain_task_coverage as select * from (values "
        "('d', 'o', 1, false, 100.00::decimal(20, 2), 100.0), ('d', 'o', 2, false, 100.00, 50.0), "
        "('d', 'o', 3, false, 101.00, 50.0), ('d', 'o', 4, true, 500.00, 50.0), ('d', 'o', 5, false, 100.01, 0.0)) "
        "as t(domain_id, onet_soc_code, task_id, is_covered, annual_value_usd, priority_value)"
    )
    con.execute(
        "create table marts.task_value as select *, 1000.00::decimal(20, 2) as occupation_wage_bill_usd from "
        "(values (1, 0.1), (2, 0.1), (3, 0.101), (4, 0.5), (5, 0.1)) as t(task_id, task_weight)"
    )
    con.execute(
        "create table int.domain_members as select 'd' as domain_id, 'o' as onet_soc_code, 1.0 as value_share"
    )
    gaps = [{"task_id": 1, "annual_value_usd": 100.0}]
    assert reports.worth_more_than_last_gap(con, "d", gaps) == 1


def test_onet_changes_show_the_previous_code_of_a_moved_task_and_the_old_text_of_a_reworded_one():
    from assets.coverage.document import Doc, to_markdown
    from assets.coverage.release_sections import onet_release_changes_section

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.onet_release_changes as select * from (values "
        "('moved', 7, '15-1252.00', '15-1251.00', 'Write code', 'Write code', 'Core', '28.0', '29.0'), "
        "('reworded', 8, '15-1252.00', '15-1252.00', 'Test code', 'Test the code', 'Core', '28.0', '29.0'), "
        "('added', 9, '15-1252.00', null, 'Review code', null, 'Core', '28.0', '29.0')) as t(change, task_id, "
        "onet_soc_code, previous_onet_soc_code, task, previous_task, task_type, previous_release, current_release)"
    )
    doc = Doc("t")
    onet_release_changes_section(con, doc)
    md = to_markdown(doc)
    assert "## Release changes: O\\*NET 28.0 → 29.0" in md
    assert "- **Task statements:** added 1, removed 0, reworded 1, moved 1." in md
    rows = [line for line in md.splitlines() if line.startswith(("| added", "| reworded", "| moved"))]
    assert rows == [
        "| added | 9 | 15-1252.00 | Review code |  |",
        "| reworded | 8 | 15-1252.00 | Test code | Test the code |",
        "| moved | 7 | 15-1252.00 | Write code | 15-1251.00 |",
    ]


def test_a_sector_share_of_a_previous_value_rounds_half_a_cent_up(tmp_path):
    # sector-finance holds 10% of 27-3043: $2.05 before is $0.205 in the sector, $0.21 (not $0.20)
    con = build_fixture_db(
        edits=["update marts.release_changes set previous_value_usd = 2.05 where task_id = 201"]
    )
    md = reports.write_domain_report(con, "sector-finance", tmp_path, "test rule").markdown
    assert "| 27-3043.00 | 27-3043 | $0.21 | $30.00k | $30.00k |" in md


def test_tasks_no_domain_report_shows_list_the_least_like_any_work_first(tmp_path):
    # four ungrounded tasks in one group (no credible match, no configured domain): lowest score first
    con = build_fixture_db(
        edits=[
            "insert into staging.inventory_tasks values "
            "('inv-9', 'Knit', 'long prompt', 'Underwater basket weaving', 'active', null, null, 'inv.csv'), "
            "('inv-10', 'Spin', 'long prompt', 'Underwater basket weaving', 'active', null, null, 'inv.csv')",
            "insert into marts.inventory_task_matches values "
            "('inv-9', 1, 202, '27-3043.00', 0.07, 'none', 'text', 'none', true, 'tfidf'), "
            "('inv-10', 1, 202, '27-3043.00', 0.06, 'none', 'text', 'none', true, 'tfidf')",
        ]
    )
    index = reports.write_index(con, tmp_path)[0]
    homeless = index.split("### Tasks whose grounding no domain report shows (4)", 1)[1].split("\n#", 1)[0]
    listed = [line.split(" | ")[0] for line in homeless.splitlines() if line.startswith("| inv-")]
    assert listed == ["| inv-7", "| inv-6", "| inv-10", "| inv-9"]  # inv-7 has no candidate at all


def test_a_domain_declared_at_load_but_gone_from_the_marts_loses_its_stale_report(tmp_path):
    # the domains file lost 'ghost' after the code location loaded: its report asset still runs, finds
    # no row in marts.domain_coverage, and the previous refresh's ghost report is not kept as current
    from assets.coverage.outputs import report_key, reports_dir
    from tests.coverage.conftest import fixture_report_settings, materialize_reports

    settings = fixture_report_settings(tmp_path)
    staged = reports_dir(settings, staged=True)
    staged.mkdir(parents=True)
    for name in ("ghost.md", "ghost.html", "ghost.png", "food.md"):
        (staged / name).write_text("from the previous refresh")
    result = materialize_reports(settings, ["food", "ghost"])
    assert result.success
    assert sorted(p.name for p in staged.iterdir() if not p.name.startswith(".")) == [
        "food.html",
        "food.md",
        "food.png",
    ]
    assert (staged / "food.md").read_text() != "from the previous refresh"
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {report_key("food")}


def test_gaps_mostly_of_one_occupation_say_so_and_whether_their_order_is_a_tie_break():
    same = [gap(gap_rank=i, annual_value_usd=300_000 + (i % 2) / 100) for i in range(1, 4)]
    other = gap(gap_rank=4, occupation_title="Editors", annual_value_usd=100_000)
    assert reports.one_occupation_gaps_sentence([*same, other], judgment_first=True) == (
        "**3 of these 4 gaps are tasks of one occupation,** Writers and Authors, each worth $300.00k: the "
        "occupation's tasks share its wage bill equally (equal task weights), so their order is the value "
        "model's tie-break (judgment first), not a difference in value."
    )
    unequal = [gap(gap_rank=i, annual_value_usd=300_000 - i * 1000) for i in range(1, 4)]
    assert reports.one_occupation_gaps_sentence(unequal, judgment_first=True) == (
        "**3 of these 3 gaps are tasks of one occupation,** Writers and Authors: its wage bill is large enough "
        "that its tasks outrank other occupations' best."
    )
    # two of four, or fewer than three, is no concentration
    assert reports.one_occupation_gaps_sentence([*same[:2], other, gap(occupation_title="Poets")], True) == ""
    assert reports.one_occupation_gaps_sentence(same[:2], True) == ""
