"""The review worksheet (marts.inventory_review, exports/inventory_review.csv): every decision of the
overrides file and every undecided candidate in the overrides file's layout, which a reviewer fills
in and saves as the overrides file.

Built over the coverage fixture (tests/fixtures/coverage/upstream.sql: eight inventory tasks; inv-7
has no candidate) with overrides lines inserted as staging would hold them."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from assets.common.errors import SourceFormatError
from assets.coverage.exports import export_csv
from assets.inventory import overrides
from tests.coverage.conftest import build_fixture_db

LINES = (
    "insert into staging.inventory_overrides values "
    # a pin of inv-1's second candidate, a reject of inv-3's only one, a line naming no task
    "('inv-1', 'pin', 102, 'the tests, really', 'o.csv', 2, null, 'ok', null), "
    "('inv-3', 'reject', 201, '-- not copy', 'o.csv', 3, 'aaaaaaaaaa03', 'ok', null), "
    "('gone', 'reject', null, null, 'o.csv', 4, null, 'unknown_inventory_task', 'no such task')"
)
# as the matches are once the reject applies: inv-3 is left without a candidate (one `none` row)
REJECTED = (
    "delete from marts.inventory_task_matches where inventory_task_id = 'inv-3'",
    "insert into marts.inventory_task_matches (inventory_task_id, rank, onet_task_id, score, confidence, "
    "method, text_confidence) values ('inv-3', 1, null, 0, 'none', 'override', 'none')",
)
CONTEXT = (
    "select inventory_task_id, action, onet_task_id, row_kind, rank, grounding from marts.inventory_review"
)


@pytest.fixture
def con():
    con = build_fixture_db(edits=[LINES, *REJECTED])
    yield con
    con.close()


def sheet(con) -> list[tuple]:
    return con.execute(CONTEXT + " order by review_order").fetchall()


def test_decisions_as_written_then_every_undecided_candidate_tasks_to_review_first(con):
    assert sheet(con) == [
        # (unverified tasks would come first; the fixture's one is inv-3, until its reject)
        # ungrounded: inv-3 rejected by the reviewer (its reject stays a row of its own, whose O*NET
        # task is no candidate any more: no rank), low-tier cook, off-domain market sizing, text
        # resembling no work, no candidate
        ("inv-3", "reject", 201, "decision", None, "ungrounded"),
        ("inv-4", None, 301, "candidate", 1, "ungrounded"),
        ("inv-5", None, 401, "candidate", 1, "ungrounded"),
        ("inv-6", None, 202, "candidate", 1, "ungrounded"),
        ("inv-7", None, None, "candidate", None, "ungrounded"),
        # grounded: inv-1's pin before its other candidate, which is not repeated for 102
        ("inv-1", "pin", 102, "decision", 2, "grounded"),
        ("inv-1", None, 101, "candidate", 1, "grounded"),
        ("inv-2", None, 102, "candidate", 1, "grounded"),
        ("inv-2", None, 201, "candidate", 2, "grounded"),
        ("inv-8", None, 402, "candidate", 1, "grounded"),
        # a decision naming no inventory task is kept, last
        ("gone", "reject", None, "decision", None, None),
    ]
    # a rejected O*NET task is no candidate any more: the value model still says what it is
    assert con.execute(
        "select occupation_title, onet_task_statement, tier, decision_status, text_hash "
        "from marts.inventory_review where inventory_task_id = 'inv-3'"
    ).fetchone() == ("Writers and Authors", "Write articles", "mid", "ok", "aaaaaaaaaa03")
    # a candidate carries the task's text_hash now; a decision the hash its line quotes (none here)
    assert con.execute(
        "select text_hash from marts.inventory_review where inventory_task_id = 'inv-1' order by review_order"
    ).fetchall() == [(None,), ("aaaaaaaaaa01",)]


def test_the_reader_reads_past_exactly_the_worksheets_own_columns(con):
    columns = [r[0] for r in con.execute("describe marts.inventory_review").fetchall()]
    assert tuple(columns[:5]) == overrides.COLUMNS
    assert tuple(columns[5:]) == overrides.WORKSHEET_COLUMNS
    # none of them shadows a column or alias the overrides file reads (`onet_task` is one), but the
    # one read on purpose: an occupation decision's code, in onet_soc_code
    assert set(overrides.WORKSHEET_COLUMNS) & set(overrides._LOOKUP) == {overrides.SOC_COLUMN}


def written(con, tmp_path: Path) -> Path:
    path = tmp_path / "_overrides.csv"
    export_csv(con, "inventory_review", path)
    return path


def decisions(path: Path) -> list[tuple]:
    frame = overrides.read_overrides(path)
    return frame.select("inventory_task_id", "action", "onet_task_id", "note", "text_hash").rows()


def test_the_exported_sheet_saved_as_the_overrides_file_makes_the_same_decisions(con, tmp_path):
    path = written(con, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeffinventory_task_id,action,")  # a BOM, so Excel reads it as UTF-8
    assert "'-- not copy" in text  # escaped in the CSV like any cell a spreadsheet would run
    assert decisions(path) == [
        ("inv-3", "reject", 201, "-- not copy", "aaaaaaaaaa03"),  # the escape taken off again
        ("inv-1", "pin", 102, "the tests, really", None),
        ("gone", "reject", None, None, None),
    ]


def test_an_action_typed_on_a_candidate_becomes_a_decision_tied_to_the_tasks_wording(con, tmp_path):
    path = written(con, tmp_path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == "inv-4":  # the cook: pin it with a note
            row[header.index("action")], row[header.index("note")] = "pin", "yes, the kitchen task"
        if row[0] == "inv-7":  # no candidate: no counterpart
            row[header.index("action")] = "reject"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    got = decisions(path)
    assert ("inv-4", "pin", 301, "yes, the kitchen task", "aaaaaaaaaa04") in got
    assert ("inv-7", "reject", None, None, "aaaaaaaaaa07") in got
    assert len(got) == 5  # the three decisions it had, and the two typed in


def test_a_note_typed_without_an_action_is_an_error_naming_the_line(con, tmp_path):
    path = written(con, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith("inv-6,"))
    cells = lines[number - 1].split(",")
    cells[3] = "wrong occupation"  # the note column, action left empty
    lines[number - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        overrides.read_overrides(path)
    assert err.value.row == number and err.value.column == "action"
    assert "a note but no action" in str(err.value)


def test_a_hand_written_file_still_needs_an_action_on_every_line(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text("inventory_task_id,action,onet_task_id,note\nW-1,,102,forgot the action\nW-2,,101,\n")
    with pytest.raises(SourceFormatError, match="action must be pin, reject or occupation"):
        overrides.read_overrides(path)
    # and a column that is neither the file's nor the worksheet's is still refused
    path.write_text("inventory_task_id,action,onet_task_id,ranks\nW-1,pin,102,1\n")
    with pytest.raises(SourceFormatError, match="unknown column 'ranks'"):
        overrides.read_overrides(path)


# what a person does to a spreadsheet before saving it (a review of 28 Nov) ------------------------

SHEET_HEADER = (
    "inventory_task_id,action,onet_task_id,note,text_hash,review_order,row_kind,decision_status,rank\n"
)


def test_pins_typed_in_a_sorted_sheet_rank_by_the_sheets_rank_not_by_line(tmp_path):
    from tests.inventory.test_overrides_review import build_matches, build_overrides, matches, warehouse

    # the sheet sorted by something else before saving: W-1's rank-3 candidate now comes first
    path = tmp_path / "_overrides.csv"
    path.write_text(
        SHEET_HEADER
        + "W-1,pin,102,,,9,candidate,,3\nW-1,pin,100,,,8,candidate,,2\nW-2,,101,,,1,candidate,,1\n"
    )
    assert overrides.read_overrides(path)["pin_order"].to_list() == [2, 1]
    con = duckdb.connect()
    warehouse(con)
    build_overrides(con, path)
    build_matches(con)
    assert [m[:3] for m in matches(con, "W-1")] == [
        (1, 100, "override"),
        (2, 102, "override"),
        (3, 101, "text"),
    ]
    # a hand-written file keeps its line order
    path.write_text("inventory_task_id,action,onet_task_id,note\nW-1,pin,102,\nW-1,pin,100,\n")
    build_overrides(con, path)
    build_matches(con)
    assert [m[1] for m in matches(con, "W-1")[:2]] == [102, 100]
    con.close()


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ("W-1,,102,,,1,candidate,pin,1", "decision_status"),  # the action typed one column too far
        ("W-1,pin,102,,,1,candidate,,first", "rank"),
    ],
)
def test_a_value_typed_where_the_sheet_does_not_read_it_is_an_error_naming_the_column(
    tmp_path, cells, column
):
    path = tmp_path / "_overrides.csv"
    path.write_text(SHEET_HEADER + "W-2,,101,,,2,candidate,,1\n" + cells + "\n")
    with pytest.raises(SourceFormatError) as err:
        overrides.read_overrides(path)
    assert (err.value.row, err.value.column) == (3, column)


def test_a_decided_row_whose_occupation_was_edited_names_the_line(tmp_path):
    path = tmp_path / "_overrides.csv"
    # the reviewer typed pin and changed the row's occupation to Accountants: the pin is of task 11303
    path.write_text(
        "inventory_task_id,action,onet_task_id,note,text_hash,row_kind,onet_soc_code\n"
        "FIN-006,,3422,,,candidate,13-2072.00\nFIN-006,pin,11303,,,candidate,13-2011.00\n"
    )
    frame = overrides.read_overrides(path)
    with pytest.raises(SourceFormatError) as err:
        overrides.check_sheet_occupations(path, frame, {11303: "43-4131.00", 3422: "13-2072.00"})
    assert (err.value.row, err.value.column) == (3, "onet_soc_code")
    assert "O*NET task 11303 is one of 43-4131.00's" in str(err.value)
    overrides.check_sheet_occupations(path, frame, {11303: "13-2011.00"})  # as shown: no error


def test_a_blank_action_in_a_hand_written_file_says_where_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text("inventory_task_id,action,onet_task_id,note,text_hash\nW-1,,102,,\n")
    with pytest.raises(
        SourceFormatError, match="skipped only while its own columns, such as row_kind, are kept"
    ):
        overrides.read_overrides(path)


def test_the_sheet_saved_among_the_inventory_files_stops_the_ingest_naming_it(con, tmp_path):
    from assets.inventory.ingest import OnetLookup, ReviewSheetInInventory, ingest_directory

    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "tasks.csv").write_text("task_id,title\nT-1,Write a blog post\n")
    export_csv(con, "inventory_review", inventory / "inventory_review.csv")
    with pytest.raises(ReviewSheetInInventory, match="save it as CSV under the name _overrides.csv") as err:
        ingest_directory(inventory, OnetLookup())
    assert err.value.file == "inventory_review.csv"
    (inventory / "inventory_review.csv").rename(inventory / "_overrides.csv")
    assert ingest_directory(inventory, OnetLookup()).tasks.height == 1


def test_a_decision_made_before_the_task_was_rewritten_offers_its_candidate_again():
    stale = (
        "insert into staging.inventory_overrides values ('inv-2', 'pin', 201, 'old wording', 'o.csv', 2, "
        "'bbbbbbbbbbbb', 'text_changed', 'task inv-2 was rewritten since this decision')"
    )
    con = build_fixture_db(edits=[stale])
    assert con.execute(
        "select row_kind, action, text_hash, decision_status from marts.inventory_review "
        "where inventory_task_id = 'inv-2' and onet_task_id = 201 order by review_order"
    ).fetchall() == [
        ("decision", "pin", "bbbbbbbbbbbb", "text_changed"),
        ("candidate", None, "aaaaaaaaaa02", None),  # to pin again on the wording it has now
    ]
    con.close()


def test_without_row_kind_a_worksheet_column_is_an_unknown_column_as_before(tmp_path):
    # a hand-written file with a `rank` column: strict (blank actions would otherwise be skipped)
    path = tmp_path / "_overrides.csv"
    path.write_text("inventory_task_id,action,onet_task_id,rank\nW-1,pin,102,1\n")
    with pytest.raises(SourceFormatError, match="unknown column 'rank'.*row_kind column"):
        overrides.read_overrides(path)


def test_the_sheet_saved_as_xlsx_among_the_inventory_files_is_refused_too(con, tmp_path):
    import xlsxwriter

    from assets.inventory.ingest import OnetLookup, ReviewSheetInInventory, ingest_directory

    inventory = tmp_path / "inventory"
    inventory.mkdir()
    export_csv(con, "inventory_review", tmp_path / "sheet.csv")
    with (tmp_path / "sheet.csv").open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    book = xlsxwriter.Workbook(str(inventory / "review done.xlsx"))
    sheet = book.add_worksheet()
    for n, row in enumerate(rows):
        sheet.write_row(n, 0, row)
    book.close()
    with pytest.raises(ReviewSheetInInventory) as err:
        ingest_directory(inventory, OnetLookup())
    assert err.value.file == "review done.xlsx"


def test_each_task_says_what_it_is_on_its_first_row_without_the_inventorys_boilerplate():
    # 28 Nov persona: 35 chat-format tasks had no title, and the sheet showed a reviewer `BA-001` and five
    # O*NET statements; their descriptions all began with one system prompt
    long_ask = "Reconcile " + "the March ledger against the bank statement, " * 7
    con = build_fixture_db(
        edits=[
            LINES,
            "update staging.inventory_tasks set title = null, description = 'You are an agent in a "
            "sandbox.\n\nReconcile the   March bank statement against the ledger. Use the files in /data. "
            "Answer in JSON.' where task_id = 'inv-1'",
            f"update staging.inventory_tasks set title = null, description = '{long_ask}' "
            "where task_id = 'inv-2'",
            # whole sentences go, not text that contains one (a review cut '1.' out of '0. 1. 2.' lists)
            "update staging.inventory_tasks set description = '1. Draft the post. Never Answer in JSON.Use "
            "YAML.' where task_id = 'inv-3'",
            "update staging.inventory_tasks set description = 'Answer in JSON.' where task_id = 'inv-4'",
            "insert into int.inventory_shared_sentences (sentence, tasks, is_boilerplate) values "
            "('You are an agent in a sandbox.', 5, true), ('Answer in JSON.', 4, true), ('1.', 4, true), "
            "('Use the files in /data.', 3, false)",
        ]
    )
    try:
        excerpts = dict(
            con.execute(
                "select inventory_task_id, task_excerpt from marts.inventory_grounding "
                "where inventory_task_id in ('inv-1', 'inv-2', 'inv-3', 'inv-4', 'inv-5')"
            ).fetchall()
        )
        # the text as the matcher reads it: boilerplate sentences out (a repeated one it keeps stays),
        # whitespace collapsed
        assert (
            excerpts["inv-1"]
            == "Reconcile the March bank statement against the ledger. Use the files in /data."
        )
        assert len(excerpts["inv-2"]) <= 240 and excerpts["inv-2"].endswith("…")
        assert excerpts["inv-2"].startswith("Reconcile the March ledger against the bank statement, the")
        assert excerpts["inv-3"] == "Draft the post. Never Answer in JSON.Use YAML."
        assert excerpts["inv-4"] == "Answer in JSON."  # nothing but boilerplate: matched, and shown, whole
        assert excerpts["inv-5"] == "long prompt"
        # the sheet: on the task's first row only (inv-1's pin decision, then its candidate)
        assert con.execute(
            "select row_kind, task_title, task_excerpt from marts.inventory_review "
            "where inventory_task_id = 'inv-1' order by review_order"
        ).fetchall() == [
            ("decision", None, excerpts["inv-1"]),
            ("candidate", None, None),
        ]
        # inv-2: no decision, its rank-1 candidate first; every task has its excerpt exactly once
        assert con.execute(
            "select rank from marts.inventory_review where inventory_task_id = 'inv-2' and task_excerpt is not null"
        ).fetchall() == [(1,)]
        assert con.execute(
            "select count(*), count(distinct inventory_task_id) from marts.inventory_review "
            "where task_excerpt is not null"
        ).fetchone() == (8, 8)
        # a report's row names a task without a title by what it says
        from assets.common.warehouse import dict_rows
        from assets.coverage.grounding_sections import title_cell

        rows = {
            r["inventory_task_id"]: r
            for r in dict_rows(
                con,
                "select * from marts.inventory_grounding where inventory_task_id in ('inv-1', 'inv-2', 'inv-3')",
            )
        }
        assert (
            title_cell(rows["inv-1"])
            == "Reconcile the March bank statement against the ledger. Use the files in /data."
        )
        assert len(title_cell(rows["inv-2"])) == 80 and title_cell(rows["inv-2"]).endswith("…")
        assert title_cell(rows["inv-3"]) == "Blog post"
    finally:
        con.close()
