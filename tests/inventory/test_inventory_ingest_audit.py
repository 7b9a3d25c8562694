"""Ingest cases a mutation audit (28 Nov) found unguarded: each test names what a user would lose."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from assets.inventory.ingest import OnetLookup, ingest_directory


@pytest.fixture
def onet() -> OnetLookup:
    return OnetLookup(
        task_ids={21505, 22656},
        soc_codes={"13-2011.00", "27-3043.00", "43-4051.00", "15-1252.00"},
        titles={"customer service representatives": "43-4051.00"},
    )


def tasks_by_id(result) -> dict[str, dict]:
    return {t["task_id"]: t for t in result.tasks.iter_rows(named=True)}


def quarantined(result) -> list[tuple]:
    return [
        (q["source_file"], q["source_row"], q["task_id"], q["reason"], q["detail"])
        for q in result.quarantine.iter_rows(named=True)
    ]


def workbook(path: Path, rows: list[list], formats: dict | None = None, calc: bytes | None = None) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tasks")
    fmt = {k: wb.add_format({"num_format": v}) for k, v in (formats or {}).items()}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, tuple):  # (number, format name)
                ws.write_number(r, c, value[0], fmt[value[1]])
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(r, c, value)
            else:
                ws.write(r, c, value)
    wb.close()
    if calc is not None:  # rewrite xlsxwriter's fullCalcOnLoad="1" as another writer spells it
        with zipfile.ZipFile(path) as src:
            items = [(i, src.read(i.filename)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w") as out:
            for info, data in items:
                if info.filename == "xl/workbook.xml":
                    data = data.replace(b' fullCalcOnLoad="1"', calc)
                out.writestr(info, data)


# --- spreadsheets ---------------------------------------------------------------------------------


def test_a_value_under_a_blank_header_cell_is_kept_in_extra_fields(tmp_path, onet):
    workbook(
        tmp_path / "t.xlsx",
        [["task_id", "title", "", "domain"], ["X-1", "Reconcile", "reviewer: ask Maria", "finance"]],
    )
    task = tasks_by_id(ingest_directory(tmp_path, onet))["X-1"]
    assert json.loads(task["extra_fields"]) == {"(column 3)": "reviewer: ask Maria"}
    assert task["domain"] == "finance"


def test_a_formula_placeholder_is_empty_whichever_way_full_calc_on_load_is_spelled(tmp_path, onet):
    # fullCalcOnLoad="true" (not "1"): the saved 0 is a placeholder, never 0 instances
    workbook(
        tmp_path / "t.xlsx",
        [["task_id", "title", "instances"], ["F-1", "Formula count", "=A9*2"]],
        calc=b' fullCalcOnLoad="true"',
    )
    task = tasks_by_id(ingest_directory(tmp_path, onet))["F-1"]
    assert task["instances"] is None
    assert "placeholder" in task["flags"]


def test_number_formats_pad_only_whole_ids(tmp_path, onet):
    # 7 shown as 7.00 is ID '7' (a 0.00 format pads nothing); 7.5 in a 000 format stays '7.5', not '007'
    workbook(
        tmp_path / "t.xlsx",
        [
            ["task_id", "title"],
            [(7, "two"), "id 7 in format 0.00"],
            [(7.5, "pad"), "id 7.5 in format 000"],
            [(7, "pad"), "id 7 padded"],
        ],
        formats={"two": "0.00", "pad": "000"},
    )
    assert sorted(tasks_by_id(ingest_directory(tmp_path, onet))) == ["007", "7", "7.5"]


# --- JSON -----------------------------------------------------------------------------------------


def test_utf8_json_is_read_as_utf8_even_when_cp1252_could_decode_it(tmp_path, onet):
    (tmp_path / "t.json").write_text(
        json.dumps([{"task_id": "T-1", "title": "Résumé triage für Café"}], ensure_ascii=False),
        encoding="utf-8",
    )
    result = ingest_directory(tmp_path, onet)
    assert tasks_by_id(result)["T-1"]["title"] == "Résumé triage für Café"
    assert result.files["encoding"].to_list() == ["utf-8"]


def test_json_with_a_byte_order_mark_and_ndjson_files_are_read(tmp_path, onet):
    (tmp_path / "bom.json").write_bytes(
        b"\xef\xbb\xbf" + json.dumps([{"task_id": "J-1", "title": "Triage tickets"}]).encode()
    )
    (tmp_path / "t.ndjson").write_text(
        '{"task_id":"U-2","title":"ndjson line"}\n{"task_id":"U-3","title":"second"}\n'
    )
    (tmp_path / "TASKS.CSV").write_text("task_id,title\nU-1,Upper-case suffix\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(tasks_by_id(result)) == ["J-1", "U-1", "U-2", "U-3"]
    assert set(result.files["status"].to_list()) == {"loaded"}


def test_whole_numbers_only_whatever_the_format(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        'task_id,title,instances,created_at\nV-1,Blank count, , \nV-2,Minus one,-1,\nV-3,Bad commas,"1,234,5",\n'
    )
    (tmp_path / "b.json").write_text(
        json.dumps([{"task_id": "V-4", "title": "Float count", "instances": 1.5}])
    )
    result = ingest_directory(tmp_path, onet)
    # blank cells are missing values, not bad ones
    assert (
        tasks_by_id(result)["V-1"]["instances"] is None and tasks_by_id(result)["V-1"]["created_at"] is None
    )
    assert {q[2]: q[4] for q in quarantined(result)} == {
        "V-2": "unparseable_value: instances: cannot read '-1' (negative)",
        "V-3": "unparseable_value: instances: cannot read '1,234,5' (a comma that does not separate thousands)",
        "V-4": "unparseable_value: instances: cannot read 1.5 (not a whole number)",
    }


def test_dates_as_epoch_milliseconds_and_yyyymmdd_numbers(tmp_path, onet):
    rows = [
        {"task_id": "D-4", "title": "yyyymmdd int", "created_at": 20241102},
        {"task_id": "D-5", "title": "ms 2000", "created_at": 946684800000},
        {"task_id": "D-6", "title": "small int", "created_at": 5},
    ]
    (tmp_path / "b.json").write_text(json.dumps(rows))
    result = ingest_directory(tmp_path, onet)
    got = tasks_by_id(result)
    assert got["D-4"]["created_at"] == dt.datetime(2024, 11, 2)
    assert got["D-5"]["created_at"] == dt.datetime(2000, 1, 1)
    assert (
        got["D-5"]["flags"] == "created_at 946684800000 read as epoch milliseconds: 2000-01-01 00:00:00 UTC"
    )
    assert [(q[2], q[3]) for q in quarantined(result)] == [("D-6", "unparseable_value")]


# --- delimited text -------------------------------------------------------------------------------


def test_a_quoted_field_with_commas_across_lines_is_one_ragged_row_not_a_phantom_task(tmp_path, onet):
    (tmp_path / "t.csv").write_text(
        'task_id,title,description\nQ-1,Prompt,"Line one\nstep 1, step 2, step 3, step 4\nend, really",extra\nQ-2,Next,ok\n'
    )
    result = ingest_directory(tmp_path, onet)
    assert sorted(tasks_by_id(result)) == ["Q-2"]
    assert quarantined(result) == [
        ("t.csv", 2, None, "ragged_row", "ragged_row: lines 2-4: 4 fields where the header has 3")
    ]


def test_a_one_word_title_line_above_a_two_column_header(tmp_path, onet):
    (tmp_path / "t.csv").write_text("Summary\ntask_id,title\nB-1,Reconcile ledger\nB-2,Draft memo\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(tasks_by_id(result)) == ["B-1", "B-2"]
    assert [(q[1], q[3]) for q in quarantined(result)] == [(1, "unrecognized_header")]


def test_a_spreadsheet_float_id_is_the_same_task_as_its_integer(tmp_path, onet):
    # 12.0 (a spreadsheet's export of 12) in one file and 12 in another: one ID twice, never two tasks
    (tmp_path / "a.csv").write_text("task_id,title\n12.0,Spreadsheet float id\n")
    (tmp_path / "b.csv").write_text("task_id,title\n12,Same id as 12.0\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.height == 0
    assert [(q[0], q[2], q[3]) for q in quarantined(result)] == [
        ("a.csv", "12", "duplicate_task_id"),
        ("b.csv", "12", "duplicate_task_id"),
    ]


def test_a_zero_width_space_before_a_title_is_still_text(tmp_path, onet):
    (tmp_path / "c.json").write_text(json.dumps([{"task_id": "Z-1", "title": "\u200bReconcile the ledger"}]))
    assert tasks_by_id(ingest_directory(tmp_path, onet))["Z-1"]["title"] == "\u200bReconcile the ledger"


# --- headers --------------------------------------------------------------------------------------


def test_header_aliases_take_the_leftmost_of_equal_rank_and_read_onet_spellings(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        "task_id,name,summary,O*NET-SOC Code\nA-1,Short name,Longer summary text,43-4051\n"
    )
    task = tasks_by_id(ingest_directory(tmp_path, onet))["A-1"]
    assert (task["title"], task["onet_soc_code"]) == ("Short name", "43-4051")
    assert json.loads(task["extra_fields"]) == {"summary": "Longer summary text"}


def test_a_file_without_an_id_column_quarantines_its_rows_as_missing_ids(tmp_path, onet):
    # a data row that looks like words is not taken for a repeated header
    (tmp_path / "b.csv").write_text(
        "title,description,domain,environment,owner\nSummary,Details,finance,docker,Ann\n"
    )
    assert [(q[1], q[3]) for q in quarantined(ingest_directory(tmp_path, onet))] == [(2, "missing_id")]


def test_a_soc_code_written_with_an_en_dash_is_read_and_flagged(tmp_path, onet):
    (tmp_path / "t.csv").write_text("task_id,title,onet_soc_code\nU-1,Dash,43\u20134051\n", encoding="utf-8")
    task = tasks_by_id(ingest_directory(tmp_path, onet))["U-1"]
    assert (task["onet_soc_code"], task["flags"]) == (
        "43-4051",
        "onet_soc_code '43\u20134051' read as 43-4051",
    )


# --- files ----------------------------------------------------------------------------------------


def test_a_directory_link_loop_reads_each_file_once(tmp_path, onet):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "t.csv").write_text("task_id,title\nL-1,Loop\n")
    os.symlink("..", tmp_path / "sub" / "up")
    result = ingest_directory(tmp_path, onet)
    assert sorted(tasks_by_id(result)) == ["L-1"]
    assert result.quarantine.height == 0
    assert result.files.filter(result.files["status"] == "loaded").height == 1


def test_an_editor_autosave_file_is_skipped_not_quarantined(tmp_path, onet):
    (tmp_path / "#tasks.csv#").write_text("task_id,title\nU-4,emacs autosave\n")
    result = ingest_directory(tmp_path, onet)
    assert result.files.select("source_file", "status").rows() == [("#tasks.csv#", "skipped")]
    assert result.quarantine.height == 0


# --- the warning check ----------------------------------------------------------------------------


def test_a_single_quarantined_row_warns_and_is_listed():
    from assets.inventory.row_warnings import _quarantined

    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        "create table staging.inventory_quarantine (source_file varchar, source_sheet varchar, source_row bigint, "
        "task_id varchar, reason varchar, detail varchar)"
    )
    assert _quarantined(con)[0] is True
    con.execute(
        "insert into staging.inventory_quarantine values ('a.csv', null, 7, 'T-1', 'missing_id', 'missing_id: x')"
    )
    passed, meta = _quarantined(con)
    assert passed is False
    assert meta["rows_quarantined"].value == 1
    assert meta["rows"].value == "- a.csv row 7 (T-1): missing_id: x"


def test_a_quarantined_rows_raw_record_keeps_every_value_as_written(tmp_path, onet):
    # the raw record is what a user gets back for a quarantined row: Infinity stays Infinity (not
    # null), and a repeated header renamed past two names already taken keeps all three values
    (tmp_path / "inf.json").write_text('[{"task_id":"U-5","title":"inf","instances":Infinity}]')
    (tmp_path / "a.csv").write_text("task_id,title,Title,Title (column 3),Title (column 3.2)\nW-1,,a,b,c\n")
    raw = {
        q["task_id"]: json.loads(q["raw_record"])
        for q in ingest_directory(tmp_path, onet).quarantine.iter_rows(named=True)
    }
    assert raw["U-5"] == {"task_id": "U-5", "title": "inf", "instances": "Infinity"}
    assert raw["W-1"] == {
        "task_id": "W-1",
        "title": "",
        "Title (column 3.3)": "a",
        "Title (column 3)": "b",
        "Title (column 3.2)": "c",
    }


def test_a_summary_block_naming_no_id_or_text_column_is_not_the_header(tmp_path, onet):
    # 'domain,instances' names two inventory fields but neither an ID nor a text: the header is below
    # it, and the lines above the header are quarantined as they were written, not lost
    (tmp_path / "a.csv").write_text(
        "Task inventory, exported 2026-11-01\ndomain,instances\ncoding,120\n"
        "id,title,description\nT-1,Fix bug,Fix the flaky test\n"
    )
    result = ingest_directory(tmp_path, onet)
    assert [(t["task_id"], t["title"], t["source_row"]) for t in result.tasks.iter_rows(named=True)] == [
        ("T-1", "Fix bug", 5)
    ]
    assert [(q[1], q[3]) for q in quarantined(result)] == [
        (1, "unrecognized_header"),
        (2, "unrecognized_header"),
        (3, "unrecognized_header"),
    ]


def test_json_nested_exactly_max_depth_is_kept_and_one_level_more_is_quarantined(tmp_path, onet):
    from assets.inventory.read_json import MAX_DEPTH

    # the record is level 1, so meta holding MAX_DEPTH - 1 nested lists reaches exactly MAX_DEPTH
    def record(task_id: str, lists: int) -> str:
        return json.dumps({"task_id": task_id, "title": "t", "meta": json.loads("[" * lists + "]" * lists)})

    (tmp_path / "a.jsonl").write_text(record("AT", MAX_DEPTH - 1) + "\n" + record("OVER", MAX_DEPTH) + "\n")
    result = ingest_directory(tmp_path, onet)
    assert list(result.tasks["task_id"]) == ["AT"]
    assert [(q[1], q[2], q[3], q[4]) for q in quarantined(result)] == [
        (2, None, "malformed_json", f"malformed_json: nested more than {MAX_DEPTH} levels deep")
    ]


def test_a_dropped_task_is_found_on_its_raw_line_whatever_the_delimiter(tmp_path, onet):
    # a malformed line has no task_id to read; the warning finds the ID at the start of the raw line
    # after a tab (stored as the JSON escape \t), a semicolon, a pipe, or quoted (was: in no file)
    from assets.inventory.row_warnings import dropped_since_publish

    inventory = tmp_path / "inventory"
    inventory.mkdir()
    stray = '"Plan a "launch" event\n'
    (inventory / "a.tsv").write_text("task_id\ttitle\nT-1\tok\nT-6\t" + stray)
    (inventory / "b.csv").write_text("task_id;title\nS-1;ok\nS-6;" + stray)
    (inventory / "c.txt").write_text("task_id|title\nP-1|ok\nP-6|" + stray)
    (inventory / "d.csv").write_text('task_id,title\nQ-1,ok\n"Q-6",' + stray)
    result = ingest_directory(inventory, onet)
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema staging")
        con.execute(
            "create table staging.inventory_tasks as select * from (values ('T-6', 'a.tsv', 3), "
            "('S-6', 'b.csv', 3), ('P-6', 'c.txt', 3), ('Q-6', 'd.csv', 3), ('T-', 'a.tsv', 9)) "
            "t(task_id, source_file, source_row)"
        )
    con = duckdb.connect()
    con.execute("create schema staging")
    tasks, quarantine = result.tasks, result.quarantine  # noqa: F841 (read by DuckDB)
    con.execute("create table staging.inventory_tasks as select * from tasks")
    con.execute("create table staging.inventory_quarantine as select * from quarantine")
    assert {r[0]: r[3] for r in dropped_since_publish(con, published)} == {
        "P-6": "quarantined, its ID read from the raw line: c.txt row 3: malformed_csv",
        "Q-6": "quarantined, its ID read from the raw line: d.csv row 3: malformed_csv",
        "S-6": "quarantined, its ID read from the raw line: b.csv row 3: malformed_csv",
        "T-": "in no inventory file",  # a prefix of T-6 is not T-6
        "T-6": "quarantined, its ID read from the raw line: a.tsv row 3: malformed_csv",
    }


def test_inventory_files_without_a_row_are_warned(tmp_path, onet):
    # a 0-byte export and a header alone were read as nothing, and the run said nothing about them
    from assets.inventory.row_warnings import _files_without_rows

    (tmp_path / "a.csv").write_text("task_id,title\nT-1,Fix bug\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.tsv").write_text("task_id\ttitle\n")
    (tmp_path / "latest.csv").symlink_to("a.csv")  # read once, under a.csv: recorded with no rows
    (tmp_path / "_overrides.csv").write_text("inventory_task_id,action,onet_task_id,note\n")  # not tasks
    files = ingest_directory(tmp_path, onet).files  # noqa: F841 (read by DuckDB)
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute("create table staging.inventory_files as select * from files")
    passed, metadata = _files_without_rows(con)
    assert not passed and metadata["files_without_rows"].value == 2
    assert metadata["files"].value.splitlines() == [
        "- empty.csv (0 bytes): empty file",
        "- header.tsv (14 bytes): no rows below the header (line 1)",
    ]
