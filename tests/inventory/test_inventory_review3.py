"""Defects found by the third review of the inventory changes (26 Nov 2026), one test each: a
generic task sheet is read beside a lookup, sparse rows of field-name words are tasks, merged cells
are indexed by row, an empty second JSON list is no list, a stray quote in the overrides file is an
error, editor backups are not overrides files, and a retried first sensor tick repeats its run key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import RunRequest, SensorEvaluationContext

import orchestration.sensors as sensors
from assets.common.errors import SourceFormatError
from assets.coverage.config import coverage_settings_from_env
from assets.inventory import overrides
from assets.inventory.config import inventory_settings_from_env
from assets.inventory.ingest import OnetLookup, ingest_directory
from orchestration.sensors import inventory_files_sensor, watched_files
from tests.conftest import settings_for
from tests.inventory.test_inventory_ingest_review import files, quarantine, write_workbook


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    # files written by a test are complete at once (tests/inventory/test_inventory_sensor.py tests the wait)
    monkeypatch.setattr(sensors, "SETTLE_S", 0.0)


@pytest.fixture
def onet() -> OnetLookup:
    return OnetLookup(task_ids={8823}, soc_codes={"15-1252.00"}, titles={"software developers": "15-1252.00"})


# 1: which sheet is a lookup ------------------------------------------------------------------------

GENERIC_TASKS = [
    ["ID", "Name", "Description", "Owner"],
    ["T-1", "Reconcile bank statements", "Match the ledger to the statement", "fin-team"],
    ["T-2", "Draft a lease", "Write a commercial lease", "legal-team"],
]


@pytest.mark.parametrize(
    "lookup",
    [
        [["Domain", "Description"], ["finance", "Money tasks"], ["legal", "Law tasks"]],
        [["SOC Code", "Title"], ["13-2011", "Accountants"], ["23-1011", "Lawyers"]],
        [["Environment", "Description"], ["sandbox", "A VM"], ["harness", "The eval harness"]],
    ],
)
def test_a_generic_task_sheet_is_read_beside_a_lookup_with_no_id_column(tmp_path, onet, lookup):
    write_workbook(tmp_path / "tasks.xlsx", {"Tasks": GENERIC_TASKS, "Lookup": lookup})
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T-1", "T-2"]
    # the lookup is read as before (it names a text field): its rows have no ID
    assert {k: v[0] for k, v in quarantine(result).items()} == {
        ("tasks.xlsx", 2): "missing_id",
        ("tasks.xlsx", 3): "missing_id",
    }
    assert files(result)["tasks.xlsx"]["rows_skipped"] == 0


def test_a_jira_sheet_is_not_taken_for_a_lookup(tmp_path, onet):
    jira = [["Key", "Summary", "Description", "Status"], ["OPS-1", "Rotate keys", "Rotate the keys", "Done"]]
    components = [["ID", "Name", "Area"], ["c1", "Billing", "finance"]]  # generic: a lookup
    envs = [["Environment", "Description"], ["sandbox", "A VM"]]  # no ID column
    write_workbook(tmp_path / "jira.xlsx", {"Issues": jira, "Components": components, "Envs": envs})
    result = ingest_directory(tmp_path, onet)
    # no sheet is clearly the task table (Key and Summary are generic names), so every sheet is
    # read, as before the lookup rule: nothing is skipped, the ID-less rows are quarantined
    assert result.tasks["task_id"].to_list() == ["OPS-1", "c1"]
    assert list(quarantine(result)) == [("jira.xlsx", 2)]
    # with a clearly named task sheet beside them, the generic Issues and Components are lookups
    tasks = [["Task ID", "Title"], ["T1", "first"]]
    write_workbook(tmp_path / "jira.xlsx", {"Tasks": tasks, "Issues": jira, "Components": components})
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T1"]
    notes = files(result)["jira.xlsx"]["notes"]
    assert "sheet 'Issues' not read: a lookup table?" in notes
    assert "while sheet 'Tasks' names task_id and a text column" in notes


def test_a_legend_sheet_without_ids_beside_a_task_table_is_not_read(tmp_path, onet):
    tasks = [["Task ID", "Title", "Domain"], ["T1", "Reconcile bank statements", "finance"]]
    legend = [["Domain", "Description"], ["finance", "Money tasks"], ["legal", "Law tasks"]]
    notes_sheet = [["Domain", "Description"], ["ops", "Ops tasks"]]  # not named as a lookup: read
    write_workbook(tmp_path / "tasks.xlsx", {"Tasks": tasks, "Legend": legend, "Domains 2": notes_sheet})
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T1"]
    assert {k: v[0] for k, v in quarantine(result).items()} == {("tasks.xlsx", 2): "missing_id"}
    info = files(result)["tasks.xlsx"]
    assert info["rows_skipped"] == 3  # the legend's header and two rows
    assert (
        "sheet 'Legend' not read: a lookup table? its name says so, its header ('Domain', 'Description') "
        "has no task_id column, and sheet 'Tasks' is the task table; add a task_id column to read it"
    ) in info["notes"]
    # a legend WITH an ID column is read: its rows may be tasks
    legend_ids = [["ID", "Domain", "Description"], ["L1", "finance", "Money tasks"]]
    write_workbook(tmp_path / "tasks.xlsx", {"Tasks": tasks, "Legend": legend_ids})
    assert ingest_directory(tmp_path, onet).tasks["task_id"].to_list() == ["T1", "L1"]


# 2: a sparse row of field-name words is a task -------------------------------------------------------


def test_a_sparse_row_whose_cells_are_field_names_is_a_task_not_a_header(tmp_path, onet):
    (tmp_path / "tasks.csv").write_text(
        "task_id,title,description,environment\n"
        "T-1,Reconcile,Match ledger,sandbox\n"
        "T-2,Summary,,sandbox\n"
        "T-3,Headline,,harness\n"
        "task id,Summary,Prompt,env\n"  # a stacked header still is one
        "T-4,Text,,sandbox\n"
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T-1", "T-2", "T-3", "T-4"]
    assert {k: v[0] for k, v in quarantine(result).items()} == {("tasks.csv", 5): "repeated_header"}


# 3: merged cells ---------------------------------------------------------------------------------


def test_merged_ranges_are_indexed_by_the_rows_they_hide(tmp_path, onet):
    from assets.inventory.read_xlsx import _merged_by_row

    # one-row merges never hide a value; a tall merge is indexed only as far as the sheet goes
    merged = [(2, 2, 2, 3), (3, 4, 5, 4), (4, 0, 1_048_576, 0)]
    index = _merged_by_row(merged, last_row=6)
    assert index == {4: [(3, 4, 5, 4)], 5: [(3, 4, 5, 4), (4, 0, 1_048_576, 0)], 6: [(4, 0, 1_048_576, 0)]}


def test_a_description_merged_across_columns_raises_no_flag(tmp_path, onet):
    import xlsxwriter

    wb = xlsxwriter.Workbook(tmp_path / "m.xlsx")
    ws = wb.add_worksheet("Tasks")
    ws.write_row(0, 0, ("task_id", "title", "description", "", "domain"))
    for r in range(1, 4):
        ws.write_row(r, 0, (f"T-{r}", f"Task {r}"))
        ws.merge_range(r, 2, r, 3, f"Describe thing {r}")
        ws.write(r, 4, "finance")
    ws.merge_range(4, 4, 5, 4, "legal")
    ws.write_row(4, 0, ("T-4", "Task 4", "d"))
    ws.write_row(5, 0, ("T-5", "Task 5", "d"))
    wb.close()
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    assert result.tasks["description"].to_list()[:3] == [f"Describe thing {r}" for r in range(1, 4)]
    flagged = {r["task_id"]: r["flags"] for r in result.tasks.iter_rows(named=True) if r["flags"]}
    assert list(flagged) == ["T-5"]
    assert "'domain' merged over rows 5-6: its value is read on row 5 only" in str(flagged["T-5"])


# 4: an empty second JSON list ------------------------------------------------------------------------


def test_an_empty_second_json_list_is_not_a_competing_task_list(tmp_path, onet):
    doc = {"tasks": [{"task_id": "J1", "title": "t"}], "items": []}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    (tmp_path / "b.json").write_text(json.dumps({"tasks": [], "items": [{"task_id": "J2", "title": "t"}]}))
    (tmp_path / "c.json").write_text(json.dumps({"tasks": [], "items": []}))
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["J1", "J2"]
    assert result.quarantine.is_empty()
    info = files(result)
    assert (info["a.json"]["notes"], info["a.json"]["rows_skipped"]) == ("key 'items' not read", 0)
    assert info["b.json"]["notes"] == "key 'tasks' not read"
    assert info["c.json"]["rows_read"] == 0


def test_a_wrapper_object_with_task_fields_is_named_in_the_notes(tmp_path, onet):
    # the wrapper may be a task itself or a suite's own id and name: the notes say it is not read
    doc = {"task_id": "J8", "title": "one", "data": [{"task_id": "J9", "title": "two"}]}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["J9"]
    info = files(result)["a.json"]
    assert info["rows_skipped"] == 0  # no row of a list was left unread
    assert info["notes"] == (
        "the object's own keys ('task_id', 'title') look like a task's fields but are not read as a "
        "task: only 'data' holds tasks (move it into the list if it is one)"
    )


def test_a_space_before_a_quote_is_named_and_a_joined_jsonl_file_reads(tmp_path, onet):
    (tmp_path / "a.csv").write_text('task_id,title,instances\nG1, "Write a parser, then test it",2\n')
    (tmp_path / "b.jsonl").write_text(
        '{"task_id": "J1", "title": "one"}\n\ufeff{"task_id": "J2", "title": "two"}\n'
    )
    result = ingest_directory(tmp_path, onet)
    q = result.quarantine.row(0, named=True)
    assert (q["source_file"], q["source_row"], q["reason"]) == ("a.csv", 2, "ragged_row")
    assert q["detail"].endswith(
        "(a space between the delimiter and a quote makes the quote literal: remove the space)"
    )
    assert result.tasks["task_id"].to_list() == ["J1", "J2"]
    assert (
        files(result)["b.jsonl"]["notes"]
        == "line 2 starts with a byte-order mark (files joined?); read without it"
    )


def test_the_space_hint_is_not_given_for_a_tab_or_a_properly_quoted_cell(tmp_path, onet):
    (tmp_path / "a.tsv").write_text('task_id\ttitle\tinstances\nG1\t\t"quoted"\t4\n')
    (tmp_path / "b.csv").write_text('task_id,title,instances\nG2,"He said, ""hi"" to them",2,extra\n')
    (tmp_path / "c.jsonl").write_text('{"task_id": "J1", "title": "one"}\n\ufeff\n')
    result = ingest_directory(tmp_path, onet)
    details = [r["detail"] for r in result.quarantine.iter_rows(named=True)]
    assert len(details) == 2 and not any("space between" in d for d in details)
    assert result.tasks["task_id"].to_list() == ["J1"]  # a line holding only a byte-order mark is blank


# 5: a stray quote in the overrides file ----------------------------------------------------------------

HEADER = "inventory_task_id,action,onet_task_id,note\n"


@pytest.mark.parametrize(
    "body, message",
    [
        # open to the end of the file: the two decisions below would be one note
        (
            'CPY-001,pin,22670,"reviewed by J., ok\nDA-009,reject,16266,clinical\nPZL-003,reject,,a game\n',
            "does not close",
        ),
        # a later quoted note: the quotes pair up wrongly
        (
            'CPY-001,pin,22670,"reviewed by J., ok\nDA-009,reject,16266\nPZL-003,reject,,"a game, no"\n',
            "does not close",
        ),
        # closed by a quote further down: the lines between would be swallowed
        (
            'CPY-001,pin,22670,"reviewed by J., ok\nDA-009,reject,16266\nPZL-003,reject,,a game, J. said"\n',
            "each line after it reads as a decision",
        ),
    ],
)
def test_a_stray_quote_in_the_overrides_file_is_an_error_naming_its_line(tmp_path, body, message):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + body)
    with pytest.raises(SourceFormatError, match=message) as err:
        overrides.read_overrides(path)
    assert err.value.row == 2


def test_a_note_spanning_lines_that_are_not_decisions_is_read(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + 'DA-009,reject,16266,"checked:\nnot, clinical, at all\n"\nCPY-001,pin,22653,x\n')
    read = overrides.read_overrides(path)
    assert read["source_row"].to_list() == [2, 5]
    assert read["note"].to_list()[0] == "checked:\nnot, clinical, at all"


# 6: editor backups are not overrides files -------------------------------------------------------------


def test_editor_backups_of_the_overrides_file_are_ignored(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "_overrides.csv").write_text(HEADER)
    for backup in (
        "_overrides.csv~",
        "_overrides.bak",
        "_overrides.csv.bak",
        "_overrides.orig",
        "_overrides.swp",
    ):
        (inventory / backup).write_text(HEADER)
        assert not overrides.is_overrides_name(inventory / backup)
    assert overrides.locate_overrides(inventory, None) == inventory / "_overrides.csv"
    assert sorted(watched_files(inventory)) == ["_overrides.csv"]
    for meant in ("_Overrides.XLSX", "_overrides.txt", "_overrides.JSON", "_overrides.parquet"):
        assert overrides.is_overrides_name(Path(meant))
    (inventory / "_Overrides.XLSX").write_bytes(b"")
    with pytest.raises(SourceFormatError, match="only one overrides file is read"):
        overrides.locate_overrides(inventory, None)


def test_a_renamed_copy_of_the_overrides_file_is_not_skipped_silently(tmp_path):
    # a browser's second download, a versioned copy: decisions in them would not be read, so the
    # refresh stops naming the file (and the sensor watches it), like any other `_overrides.*`
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "_overrides.csv").write_text(HEADER)
    for copy in ("_overrides (1).csv", "_overrides_v2.csv", "_Overrides copy.xlsx"):
        (inventory / copy).write_text(HEADER)
        assert overrides.is_overrides_name(inventory / copy)
        assert copy in watched_files(inventory)
        with pytest.raises(SourceFormatError, match="only one overrides file is read") as err:
            overrides.locate_overrides(inventory, None)
        assert copy in str(err.value)
        (inventory / copy).unlink()


# 7: the first sensor tick ---------------------------------------------------------------------------


def first_tick(settings, last_run_key=None, started=1_764_000_000.0):
    """A cursor-less tick as the daemon evaluates it: the sensor's start time and last run key."""
    context = SensorEvaluationContext(
        instance_ref=None,
        cursor=None,
        last_run_key=last_run_key,
        last_sensor_start_time=started,
        resources={
            "settings": settings,
            "inventory_settings": inventory_settings_from_env(environ={}),
            "coverage_settings": coverage_settings_from_env(environ={}),
        },
    )
    return inventory_files_sensor(context)


def test_a_retried_first_tick_requests_the_same_run_key(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    first, again = first_tick(settings), first_tick(settings)
    assert isinstance(first, RunRequest)
    assert first.run_key == again.run_key  # Dagster dedupes the retry
    # after a cursor reset Dagster still holds the last run key: a new epoch, a new key
    after_reset = first_tick(settings, last_run_key=first.run_key)
    assert after_reset.run_key != first.run_key
    # a restarted sensor is a new epoch too
    assert first_tick(settings, started=1_764_000_999.0).run_key != first.run_key
