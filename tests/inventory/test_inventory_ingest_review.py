"""Defects found by the second adversarial review of the inventory ingest (26 Nov 2026), one test
each (D2-D12): no crash, no silent drop, and every row of every file either accepted, quarantined
or counted as a row of a part not read (rows_skipped, named in the notes)."""

from __future__ import annotations

import json
import os

import duckdb
import polars as pl
import pytest
import xlsxwriter

import assets.inventory.ingest as ingest_module
from assets.inventory.checks import SUITES
from assets.inventory.ingest import OnetLookup, ingest_directory
from tests.inventory.test_inventory_ingest import assert_counts_add_up


@pytest.fixture
def onet() -> OnetLookup:
    return OnetLookup(task_ids={8823}, soc_codes={"15-1252.00"}, titles={"software developers": "15-1252.00"})


def quarantine(result) -> dict[tuple[str, int | None], tuple[str, str]]:
    return {
        (q["source_file"], q["source_row"]): (q["reason"], q["detail"])
        for q in result.quarantine.iter_rows(named=True)
    }


def counting_check(result) -> list[tuple]:
    """The blocking counting check's query, run on the ingest's frames: the rows where it fails."""
    con = duckdb.connect()
    con.execute("create schema staging")
    for table, frame in (
        ("inventory_tasks", result.tasks),
        ("inventory_quarantine", result.quarantine),
        ("inventory_files", result.files),
    ):
        con.register("frame", frame.to_arrow())
        con.execute(f"create table staging.{table} as select * from frame")
        con.unregister("frame")
    (suite,) = SUITES[("staging", "inventory_files")]
    cursor = con.execute(suite.query)
    names = [d[0] for d in cursor.description]
    flags = [n for n in names if n in ("counts_add_up", "counts_match_tables", "skipped_rows_named_in_notes")]
    return [
        r
        for r in (dict(zip(names, row, strict=True)) for row in cursor.fetchall())
        if not all(r[f] for f in flags)
    ]


def files(result) -> dict[str, dict]:
    return {f["source_file"]: f for f in result.files.iter_rows(named=True)}


def strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"invalid JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


# --- D2: a time zone that pushes a date out of range ------------------------------------------


def test_d2_created_at_out_of_range_in_utc_is_unparseable_not_a_crash(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        "task_id,title,created_at\nY1,t,0001-01-01T00:00:00+05:00\nY2,t,9999-12-31T23:00:00-05:00\nG1,t,2025-01-06\n"
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["G1"]
    q = quarantine(result)
    assert q[("a.csv", 2)] == (
        "unparseable_value",
        "unparseable_value: created_at: cannot read '0001-01-01T00:00:00+05:00' (out of range when "
        "converted to UTC)",
    )
    assert q[("a.csv", 3)][0] == "unparseable_value" and "out of range" in q[("a.csv", 3)][1]


# --- D3: numbers and nesting Python's JSON reader refuses; nothing aborts the ingest -----------


def test_d3_huge_integers_and_deep_nesting_quarantine_the_line_or_the_file(tmp_path, onet):
    huge = "9" * 5000
    deep_line = "[" * 100_000 + "]" * 100_000
    deep_but_parsed = json.dumps({"task_id": "D1", "title": "t", "meta": json.loads("[" * 150 + "]" * 150)})
    (tmp_path / "a.jsonl").write_text(
        f'{{"task_id": "J1", "title": "fine"}}\n{{"task_id": "J2", "title": "t", "instances": {huge}}}\n'
        f"{deep_line}\n{deep_but_parsed}\n"
    )
    (tmp_path / "b.json").write_text(
        f'[{{"task_id": "B1", "title": "t"}}, {{"task_id": "B2", "instances": {huge}}}]'
    )
    (tmp_path / "c.json").write_text(deep_line)
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"]) == ["B1", "J1"]
    q = quarantine(result)
    assert (
        q[("a.jsonl", 2)][0] == "unparseable_value" and "instances: cannot read '9999" in q[("a.jsonl", 2)][1]
    )
    assert q[("a.jsonl", 3)] == ("malformed_json", "malformed_json: nested too deeply for the JSON reader")
    assert q[("a.jsonl", 4)] == ("malformed_json", "malformed_json: nested more than 100 levels deep")
    assert q[("b.json", 2)][0] == "unparseable_value"
    assert q[("c.json", None)] == (
        "unreadable_file",
        "not readable JSON: nested too deeply for the JSON reader",
    )
    assert_counts_add_up(result)
    assert counting_check(result) == []


def test_d3_an_unexpected_error_in_one_file_is_reported_and_the_rest_is_read(tmp_path, onet, monkeypatch):
    (tmp_path / "boom.csv").write_text("task_id,title\nX1,t\n")
    (tmp_path / "ok.csv").write_text("task_id,title\nK1,t\n")
    real_read = ingest_module.read_file

    def read_file(path):
        if path.name == "boom.csv":
            raise RuntimeError("a reader bug")
        return real_read(path)

    monkeypatch.setattr(ingest_module, "read_file", read_file)
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["K1"]
    assert files(result)["boom.csv"]["status"] == "unreadable"
    assert quarantine(result)[("boom.csv", None)] == (
        "unreadable_file",
        "unexpected error while reading the file (RuntimeError: a reader bug)",
    )


# --- D4: NaN is missing, and raw records are valid JSON ------------------------------------------


def test_d4_nan_reads_as_missing_in_every_field_and_raw_records_are_valid_json(tmp_path, onet):
    (tmp_path / "a.json").write_text(
        '[{"task_id": "N1", "title": "t", "instances": NaN, "onet_task_id": NaN, "created_at": NaN,'
        ' "tags": ["a", NaN], "notes": NaN},'
        ' {"task_id": NaN, "title": "no id", "instances": NaN}]'
    )
    pl.DataFrame({"task_id": ["P1"], "title": ["t"], "instances": [float("nan")]}).write_parquet(
        tmp_path / "b.parquet"
    )
    result = ingest_directory(tmp_path, onet)
    got = result.tasks.select(
        "task_id", "instances", "onet_task_id", "created_at", "tags", "extra_fields"
    ).rows()
    assert got == [("N1", None, None, None, ["a"], None), ("P1", None, None, None, None, None)]
    (raw,) = result.quarantine["raw_record"].to_list()
    assert strict_json(raw) == {"task_id": None, "title": "no id", "instances": None}


# --- D5: "1.000" is 1 or 1000 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, expected",
    [("1.000", None), ("12,000", 12000), ("2.0", 2), ("12.0", 12), ("1.200", None), ("1,000,000", 1000000)],
)
def test_d5_a_three_zero_fraction_is_ambiguous_and_unparseable(tmp_path, onet, written, expected):
    (tmp_path / "a.csv").write_text(f"task_id;title;instances\nE1;t;{written}\n")
    result = ingest_directory(tmp_path, onet)
    assert (result.tasks["instances"].to_list() or [None]) == [expected]
    if written == "1.000":
        reason, detail = quarantine(result)[("a.csv", 2)]
        assert reason == "unparseable_value" and "ambiguous" in detail
        whole = written[:-4]
        assert f"write {whole}000 or {whole}" in detail


# --- D6: rows that never reached the count -------------------------------------------------------


def test_d6_a_csv_without_a_header_quarantines_every_line_including_the_first(tmp_path, onet):
    (tmp_path / "a.csv").write_text("T1,Title one,desc one\nT2,Title two,desc two\n")
    result = ingest_directory(tmp_path, onet)
    assert files(result)["a.csv"]["rows_read"] == 2 and result.tasks.height == 0
    q = quarantine(result)
    assert {k: v[0] for k, v in q.items()} == {
        ("a.csv", 1): "unrecognized_header",
        ("a.csv", 2): "unrecognized_header",
    }
    assert "line 1: 'T1', 'Title one', 'desc one'" in q[("a.csv", 1)][1]
    assert "Accepted names: task_id (id, task_key" in q[("a.csv", 1)][1]
    raws = result.quarantine.sort("source_row")["raw_record"].to_list()
    assert json.loads(raws[0]) == {"_line": "T1,Title one,desc one"}  # the first task is kept
    assert counting_check(result) == []


def test_d6_a_title_line_above_a_csv_header_and_an_excel_sep_line(tmp_path, onet):
    (tmp_path / "a.csv").write_text("Task inventory export 2025-09-01\n\ntask_id,title\nTL1,t\n")
    (tmp_path / "b.csv").write_text("sep=;\ntask_id;title\nSP1;t\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks.select("task_id", "source_row").rows()) == [("SP1", 3), ("TL1", 4)]
    assert quarantine(result) == {
        ("a.csv", 1): (
            "unrecognized_header",
            "unrecognized_header: above the header (line 3): a title line? It is not read as a task",
        )
    }
    assert files(result)["b.csv"]["notes"] == "line 1 'sep=;' names the delimiter"


def test_a_one_word_title_that_is_also_a_column_name_yields_to_the_header_below(tmp_path, onet):
    # "Summary" is an alias of description: read as the header, it quarantined every task as ragged
    (tmp_path / "a.csv").write_text(
        "Summary\n\ntask_id,title,prompt\nT1,Write SQL,Join two tables\nT2,Fix,Fix it\n"
    )
    # a one-column file keeps "Summary" as its header: its rows are descriptions (without IDs)
    (tmp_path / "b.csv").write_text("Summary\nJoin two tables\nFix the failing test\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"].to_list()) == ["T1", "T2"]
    q = quarantine(result)
    assert {k: v[0] for k, v in q.items()} == {
        ("a.csv", 1): "unrecognized_header",
        ("b.csv", 2): "missing_id",
        ("b.csv", 3): "missing_id",
    }
    assert counting_check(result) == []


def write_workbook(path, sheets: dict[str, list[list]], hidden=()):
    wb = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        if name in hidden:
            ws.hide()
    wb.close()


def test_a_generic_lookup_sheet_beside_a_generic_task_sheet_is_told_apart_by_its_name(tmp_path, onet):
    # both headers generic (a Jira-style task sheet): the sheet named for owners is the lookup
    write_workbook(
        tmp_path / "book.xlsx",
        {
            "Task list": [["ID", "Name", "Description"], ["T1", "Write SQL", "Join two tables"]],
            "Owners": [["ID", "Name", "Team"], ["u1", "Alice", "RL"], ["u2", "Bob", "Evals"]],
        },
    )
    # a workbook of one generic sheet, whatever its name, is read
    write_workbook(tmp_path / "solo.xlsx", {"Team list": [["ID", "Name"], ["S1", "Review a contract"]]})
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"].to_list()) == ["S1", "T1"]
    info = files(result)["book.xlsx"]
    assert (info["rows_read"], info["rows_skipped"]) == (1, 3)
    assert (
        "sheet 'Owners' not read: a lookup table? its header ('ID', 'Name', 'Team') has only generic "
        "names, its name says lookup, while sheet 'Task list' is read as the tasks"
    ) in info["notes"]
    assert counting_check(result) == []


def test_d6_d8_sheets_not_read_are_named_with_their_rows_and_the_check_adds_them_up(tmp_path, onet):
    write_workbook(
        tmp_path / "book.xlsx",
        {
            "Tasks": [["Task ID", "Title", "Prompt"], ["T1", "first", "p"]],
            "Archived": [["Task #", "Task", "Prompt text"], ["AR1", "old", "p"], ["AR2", "old", "p"]],
            "Owners": [["ID", "Name", "Team"], ["u1", "Alice", "RL"], ["u2", "Bob", "Evals"]],
            "Old": [["task_id", "title"], ["OLD1", "hidden task"]],
        },
        hidden={"Old"},
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T1"]  # not u1/u2 (a lookup) nor OLD1 (hidden)
    info = files(result)["book.xlsx"]
    assert (info["rows_read"], info["rows_skipped"]) == (1, 3 + 3 + 2)
    notes = info["notes"]
    assert "sheet 'Archived' not read: no row in its first 30 names task_id" in notes
    assert "(first row: 'Task #', 'Task', 'Prompt text') [3 rows not read]" in notes
    assert "sheet 'Owners' not read: a lookup table? its header ('ID', 'Name', 'Team')" in notes
    assert "sheet 'Old' not read: it is hidden (unhide it to read it) [2 rows not read]" in notes
    assert counting_check(result) == []
    tampered = type(result)(
        result.tasks, result.quarantine, result.files.with_columns(rows_skipped=pl.lit(0))
    )
    assert [r["source_file"] for r in counting_check(tampered)] == ["book.xlsx"]


def test_d8_a_workbook_of_generic_sheets_only_is_still_read(tmp_path, onet):
    write_workbook(tmp_path / "book.xlsx", {"Sheet1": [["ID", "Name"], ["G1", "a task"]]})
    assert ingest_directory(tmp_path, onet).tasks["task_id"].to_list() == ["G1"]


def test_d6_d9_a_second_json_list_is_refused_or_counted(tmp_path, onet):
    (tmp_path / "two.json").write_text(
        json.dumps({"tasks": [{"task_id": "TL1", "title": "t"}], "items": [{"task_id": "TL2", "title": "t"}]})
    )
    (tmp_path / "other.json").write_text(
        json.dumps(
            {"version": 2, "tasks": [{"task_id": "O1", "title": "t"}], "owners": [{"id": 1}, {"id": 2}]}
        )
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["O1"]
    assert quarantine(result)[("two.json", None)] == (
        "unreadable_file",
        "the object holds lists under 'tasks' and 'items': put the tasks in one list (or one file per list)",
    )
    other = files(result)["other.json"]
    assert other["rows_skipped"] == 2
    assert (
        other["notes"]
        == "key 'version' not read; key 'owners' not read (only 'tasks' holds tasks) [2 rows not read]"
    )
    assert counting_check(result) == []


# --- D7: a file link ---------------------------------------------------------------------------------


def test_d7_a_file_link_is_read_once_under_the_real_name(tmp_path, onet):
    (tmp_path / "2026-11").mkdir()
    (tmp_path / "2026-11" / "tasks.csv").write_text("task_id,title\nL1,t\nL2,t\n")
    os.symlink(tmp_path / "2026-11" / "tasks.csv", tmp_path / "latest.csv")
    result = ingest_directory(tmp_path, onet)
    assert result.quarantine.height == 0
    assert result.tasks.select("task_id", "source_file").rows() == [
        ("L1", "2026-11/tasks.csv"),
        ("L2", "2026-11/tasks.csv"),
    ]
    info = files(result)
    assert info["latest.csv"]["status"] == "skipped"
    assert info["latest.csv"]["notes"] == "the same file as 2026-11/tasks.csv (a link), read under that name"
    assert info["2026-11/tasks.csv"]["notes"] == "also linked as latest.csv (read once)"


# --- D8: repeated headers and booleans in a workbook ---------------------------------------------


def test_d8_repeated_and_stacked_header_rows_in_a_sheet_are_quarantined(tmp_path, onet):
    write_workbook(
        tmp_path / "book.xlsx",
        {
            "Tasks": [
                ["task_id", "title", "description"],
                ["ST1", "t", "d"],
                ["task_id", "title", "description"],
                ["ST2", "t", "d"],
                ["Backlog ID", "Summary", "Prompt"],
                ["ST3", "t", "d"],
            ]
        },
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["ST1", "ST2", "ST3"]
    q = quarantine(result)
    assert {k: v[0] for k, v in q.items()} == {
        ("book.xlsx", 3): "repeated_header",
        ("book.xlsx", 5): "repeated_header",
    }
    assert "rows below it are read with the header on row 1" in q[("book.xlsx", 5)][1]


def test_d8_boolean_cells_in_id_and_number_fields_are_unparseable(tmp_path, onet):
    wb = xlsxwriter.Workbook(tmp_path / "book.xlsx")
    ws = wb.add_worksheet("Tasks")
    ws.write_row(0, 0, ["task_id", "title", "instances"])
    ws.write_boolean(1, 0, True)
    ws.write(1, 1, "boolean id")
    ws.write_row(2, 0, ["B2", "boolean count"])
    ws.write_boolean(2, 2, False)
    ws.write_row(3, 0, ["B3", "fine", 2])
    wb.close()
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["B3"]
    q = quarantine(result)
    assert q[("book.xlsx", 2)] == ("unparseable_value", "unparseable_value: task_id: cannot read True")
    assert q[("book.xlsx", 3)] == (
        "unparseable_value",
        "unparseable_value: instances: cannot read False (a boolean, not a number)",
    )


def test_merged_cells_are_flagged_on_the_rows_that_read_them_empty(tmp_path, onet):
    wb = xlsxwriter.Workbook(tmp_path / "book.xlsx")
    ws = wb.add_worksheet("Tasks")
    ws.write_row(0, 0, ["task_id", "title", "domain"])
    for r, task in enumerate(["M1", "M2", "M3"], start=1):
        ws.write_row(r, 0, [task, f"merged {r}"])
    ws.merge_range(1, 2, 3, 2, "legal")
    wb.close()
    flags = dict(ingest_directory(tmp_path, onet).tasks.select("task_id", "flags").iter_rows())
    assert flags == {
        "M1": None,
        "M2": "'domain' merged over rows 2-4: its value is read on row 2 only",
        "M3": "'domain' merged over rows 2-4: its value is read on row 2 only",
    }


# --- D10: text that is not text --------------------------------------------------------------------


def test_d10_invisible_only_text_is_no_text_and_nul_is_removed(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        "task_id,title,description\nIV1,\u200b,\nIV2,\x00,\nIV3,\u00ad,\nIV4,t\x00itle,ok\n", encoding="utf-8"
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.select("task_id", "title", "flags").rows() == [
        ("IV4", "title", "title: 1 NUL character(s) removed")
    ]
    q = quarantine(result)
    assert {q[("a.csv", n)][0] for n in (2, 3, 4)} == {"no_text"}
    raw = {
        r["source_row"]: json.loads(r["raw_record"])["title"] for r in result.quarantine.iter_rows(named=True)
    }
    assert raw == {2: "\u200b", 3: "\x00", 4: "\u00ad"}  # the original is kept


# --- D11: .txt ------------------------------------------------------------------------------------------


def test_d11_a_comma_separated_txt_is_read_as_csv(tmp_path, onet):
    (tmp_path / "a.txt").write_text("task_id,title,description\nTX1,t,d\n")
    (tmp_path / "b.txt").write_text("task_id\ttitle\nTX2\tt, with a comma\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.select("task_id", "title").rows() == [("TX1", "t"), ("TX2", "t, with a comma")]
    assert {f: i["file_type"] for f, i in files(result).items()} == {"a.txt": "csv", "b.txt": "tsv"}


# --- D12: SOC codes written without their punctuation -------------------------------------------------


@pytest.mark.parametrize(
    "written, code, hint, flag",
    [
        ("15125200", "15-1252.00", None, "onet_soc_code '15125200' read as 15-1252.00"),
        ("151252", "15-1252", None, "onet_soc_code '151252' read as 15-1252"),
        ("15 1252", "15-1252", None, "onet_soc_code '15 1252' read as 15-1252"),
        ("15-1252", "15-1252", None, None),
        (
            "15-1252.0",
            None,
            "15-1252.0",
            "onet_soc_code '15-1252.0' is not a SOC code (write 15-1252 or 15-1252.00); kept as written, "
            "not used to narrow the match",
        ),
        ("Software Developers", "15-1252.00", "Software Developers", None),
    ],
)
def test_d12_soc_codes_without_punctuation_are_normalized(tmp_path, onet, written, code, hint, flag):
    (tmp_path / "a.csv").write_text(f'task_id,title,onet_soc_code\nS1,t,"{written}"\n')
    row = ingest_directory(tmp_path, onet).tasks.row(0, named=True)
    assert (row["onet_soc_code"], row["occupation_hint"], row["flags"]) == (code, hint, flag)


# --- optional: encodings, nested exports, repeated Parquet columns -----------------------------------


def test_utf16_without_a_byte_order_mark_is_detected(tmp_path, onet):
    (tmp_path / "a.csv").write_bytes("task_id,title\nU1,Tést\n".encode("utf-16-le"))
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.select("task_id", "title").rows() == [("U1", "Tést")]
    assert files(result)["a.csv"]["encoding"] == "utf-16-le (no byte-order mark)"


def test_fields_nested_under_data_or_fields_are_named_in_the_reason(tmp_path, onet):
    (tmp_path / "ls.json").write_text(json.dumps([{"id": 101, "data": {"title": "LS", "prompt": "p"}}]))
    (tmp_path / "at.json").write_text(json.dumps({"records": [{"fields": {"Name": "AT", "Notes": "n"}}]}))
    q = quarantine(ingest_directory(tmp_path, onet))
    assert q[("ls.json", 1)] == (
        "no_text",
        "no_text: neither title nor description has text; the task fields are nested under 'data' "
        "(title, prompt): put them at the top level of each record",
    )
    assert q[("at.json", 1)][0] == "unrecognized_header"
    assert "nested under 'fields' (Name)" in q[("at.json", 1)][1]


def test_repeated_parquet_column_names_keep_both_columns(tmp_path, onet):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array(["DP1"]), pa.array(["title A"]), pa.array(["title B"])], names=["task_id", "title", "title"]
    )
    pq.write_table(table, tmp_path / "a.parquet")
    row = ingest_directory(tmp_path, onet).tasks.row(0, named=True)
    assert (row["title"], json.loads(row["extra_fields"])) == ("title A", {"title (column 3)": "title B"})


def test_an_explicit_link_against_the_rows_own_occupation_is_flagged(tmp_path):
    # 8823 is a Chief Executives task; the row also says Software Developers: the ID wins, as
    # documented, but the row contradicts itself and the flag says so (a pin in the same spot does)
    onet = OnetLookup(
        task_ids={8823, 16363},
        task_occupations={8823: "11-1011.00", 16363: "15-1252.00"},
        soc_codes={"11-1011.00", "15-1252.00"},
    )
    (tmp_path / "t.csv").write_text(
        "task_id,title,onet_task_id,onet_soc_code\n"
        "E1,Plan strategy,8823,15-1252\n"
        "E2,Write code,16363,15-1252\n"
        "E3,Write code,16363,15-0000\n"
    )
    flags = dict(ingest_directory(tmp_path, onet).tasks.select("task_id", "flags").iter_rows())
    assert flags["E1"] == (
        "onet_task_id 8823 is a task of 11-1011.00, not of the occupation onet_soc_code 15-1252 names: "
        "the onet_task_id is used; check the row"
    )
    assert not flags["E2"] and not flags["E3"]
