"""The review worksheet (marts.inventory_review, exports/inventory_review.csv): every decision of the
overrides file and every undecided candidate in the overrides file's layout, which a reviewer fills
in and saves as the overrides file.

Built over the coverage fixture (tests/fixtures/coverage/upstream.sql: eight inventory tasks; inv-7
has no candidate) with overrides lines inserted as staging would hold them."""

from __future__ import annotations

import csv
from pathlib import Path

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
    # none of them shadows a column or alias the overrides file reads (`onet_task` is one)
    assert not set(overrides.WORKSHEET_COLUMNS) & set(overrides._LOOKUP)


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
    with pytest.raises(SourceFormatError, match="action must be pin or reject"):
        overrides.read_overrides(path)
    # and a column that is neither the file's nor the worksheet's is still refused
    path.write_text("inventory_task_id,action,onet_task_id,ranks\nW-1,pin,102,1\n")
    with pytest.raises(SourceFormatError, match="unknown column 'ranks'"):
        overrides.read_overrides(path)
