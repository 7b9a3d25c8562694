"""Inventory files as they come out of real tools: nothing is lost, nothing crashes, no garbage is
accepted. Each case was found by feeding the ingest adversarial files (26 Nov 2026)."""

from __future__ import annotations

import csv
import json
import os

import polars as pl
import pytest
import xlsxwriter

from assets.inventory.ingest import OnetLookup, ingest_directory
from tests.inventory.test_inventory_ingest import assert_counts_add_up


@pytest.fixture
def onet() -> OnetLookup:
    return OnetLookup(task_ids={8823, 8824}, soc_codes={"15-1252.00"}, titles={})


def quarantine(result) -> dict[tuple[str, int | None], tuple[str, str]]:
    return {
        (q["source_file"], q["source_row"]): (q["reason"], q["detail"])
        for q in result.quarantine.iter_rows(named=True)
    }


def test_a_header_that_cannot_be_parsed_quarantines_its_file_only(tmp_path, onet):
    (tmp_path / "bad.csv").write_text('"task_id,title\nT1,a\n')  # the header's quote never closes
    (tmp_path / "good.csv").write_text("task_id,title\nG1,fine\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["G1"]
    reason, detail = quarantine(result)[("bad.csv", None)]
    assert reason == "unreadable_file" and "header (line 1)" in detail


def test_line_separators_inside_a_field_do_not_split_the_record(tmp_path, onet):
    # csv writers leave \x0b (Word's soft line break), \x0c, \x85 and U+2028 unquoted
    with open(tmp_path / "a.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["task_id", "title", "description"])
        w.writerows([["W1", "Word paste", "Step 1\x0bStep 2"], ["W2", "Web text", "Para\u2028Para"]])
        w.writerow(["W3", "Last", "ok"])
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"task_id": "J1", "title": "nel\x85here"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    result = ingest_directory(tmp_path, onet)
    got = dict(result.tasks.select("task_id", "description").iter_rows())
    assert got["W1"] == "Step 1\x0bStep 2" and got["W2"] == "Para\u2028Para"
    rows = dict(result.tasks.select("task_id", "source_row").iter_rows())
    assert (rows["W3"], rows["J1"]) == (4, 1)  # line numbers not shifted by phantom lines
    assert result.quarantine.height == 0
    assert_counts_add_up(result)


def test_repeated_and_blank_header_names_keep_every_cell(tmp_path, onet):
    (tmp_path / "a.csv").write_text("task_id,title,notes,notes,\nT1,Fix,first,second,blank\n")
    result = ingest_directory(tmp_path, onet)
    extra = json.loads(result.tasks["extra_fields"][0])
    assert extra == {"notes": "first", "notes (column 4)": "second", "(column 5)": "blank"}
    notes = result.files["notes"][0]
    assert "column 4: repeated 'notes' header" in notes and "column 5: blank header" in notes


def test_a_multi_line_record_with_the_wrong_width_is_quarantined_whole(tmp_path, onet):
    # balanced quotes, one field too many: the lines inside the prompt must not pass for tasks
    (tmp_path / "a.csv").write_text(
        'task_id,title,description\nT1,Parse CSV,"Given:\nX1,fake,row\nparse it",extra\nT2,ok,fine\n'
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T2"]
    reason, detail = quarantine(result)[("a.csv", 2)]
    assert reason == "ragged_row" and detail.endswith("lines 2-4: 4 fields where the header has 3")
    assert "X1,fake,row" in result.quarantine["raw_record"][0]
    assert_counts_add_up(result)


def test_a_repeated_header_row_and_delimiter_only_rows(tmp_path, onet):
    (tmp_path / "a.csv").write_text("task_id,title\nT1,a\n,\ntask_id,title\nT2,b\n,,\n")  # cat a.csv b.csv
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T1", "T2"]
    assert quarantine(result) == {
        ("a.csv", 4): (
            "repeated_header",
            "repeated_header: a header row inside the data (files concatenated, or a second table?); "
            "rows below it are read with the header on line 1",
        )
    }


@pytest.mark.parametrize(
    "instances, onet_task_id, reason_detail",
    [
        (
            "99999999999999999999",
            "",
            "instances: cannot read '99999999999999999999' (larger than 9,223,372,036,854,775,807, the "
            "largest whole number a column holds)",
        ),  # beyond BIGINT
        ("1", "1e300", "onet_task_id: cannot read '1e300' (an exponent: write the number out)"),
        ("-3", "", "instances: cannot read '-3' (negative)"),
        ("2.5", "", "instances: cannot read '2.5' (not a whole number)"),
        ("1", "0", "onet_task_id: cannot read '0' (0 is no ID)"),
        ("1,2", "", "instances: cannot read '1,2' (a comma that does not separate thousands)"),
        (
            "1",
            "8823,8824",
            "onet_task_id: cannot read '8823,8824' (a comma: one whole number is expected, with no separators)",
        ),  # two IDs, not 88238824
        (
            "1",
            "8,823",
            "onet_task_id: cannot read '8,823' (a comma: one whole number is expected, with no separators)",
        ),  # IDs have no thousands separators
    ],
)
def test_numbers_that_are_not_one_whole_number_are_unparseable(
    tmp_path, onet, instances, onet_task_id, reason_detail
):
    (tmp_path / "a.csv").write_text(
        f'task_id,title,instances,onet_task_id\nT1,a,"{instances}","{onet_task_id}"\n'
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.height == 0
    assert quarantine(result)[("a.csv", 2)] == ("unparseable_value", f"unparseable_value: {reason_detail}")


def test_a_thousands_separator_still_reads(tmp_path, onet):
    (tmp_path / "a.csv").write_text('task_id,title,instances\nT1,a,"1,200"\n')
    assert ingest_directory(tmp_path, onet).tasks["instances"].to_list() == [1200]


def test_json_surrogates_duplicate_keys_nan_and_booleans(tmp_path, onet):
    (tmp_path / "a.json").write_text(
        '[{"task_id": "S1", "title": "truncated emoji \\ud83d"},'
        ' {"task_id": "D1", "title": "first", "title": "second"},'
        ' {"task_id": NaN, "title": "no id"},'
        ' {"task_id": true, "title": "a boolean"},'
        ' {"task_id": "N1", "title": NaN, "description": "NaN title is missing, not the word"}]'
    )
    result = ingest_directory(tmp_path, onet)
    q = quarantine(result)
    assert q[("a.json", 1)] == (
        "malformed_json",
        "malformed_json: unpaired UTF-16 surrogate in title (a truncated emoji?)",
    )
    assert q[("a.json", 2)] == ("malformed_json", "malformed_json: key 'title' given more than once")
    assert (
        "second" in result.quarantine.filter(pl.col("source_row") == 2)["raw_record"][0]
    )  # both values kept
    assert q[("a.json", 3)][0] == "missing_id"
    assert q[("a.json", 4)] == ("unparseable_value", "unparseable_value: task_id: cannot read True")
    assert result.tasks.select("task_id", "title").rows() == [("N1", None)]
    assert_counts_add_up(result)


def test_invisible_characters_do_not_make_a_second_id(tmp_path, onet):
    (tmp_path / "a.csv").write_text("task_id,title\nT3,a\nT3\u200b,b\n", encoding="utf-8")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.height == 0
    assert {r for r, _ in quarantine(result).values()} == {"duplicate_task_id"}


def test_utf16_files_from_excel_unicode_text(tmp_path, onet):
    (tmp_path / "a.txt").write_bytes("task_id\ttitle\r\nT1\tHello\r\n".encode("utf-16"))
    (tmp_path / "b.json").write_bytes('[{"task_id": "T2", "title": "Wide"}]'.encode("utf-16"))
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"]) == ["T1", "T2"]
    assert dict(result.files.select("source_file", "encoding").iter_rows()) == {
        "a.txt": "utf-16",
        "b.json": "utf-16",
    }


def test_unreadable_files_and_links_are_reported_not_skipped(tmp_path, onet):
    inv, outside = tmp_path / "inv", tmp_path / "outside"
    inv.mkdir()
    outside.mkdir()
    (outside / "linked.csv").write_text("task_id,title\nL1,via a linked directory\n")
    os.symlink(outside, inv / "team")  # a linked directory is followed
    os.symlink(inv, inv / "team" / "loop")  # and a link loop ends
    os.symlink(tmp_path / "missing.csv", inv / "broken.csv")
    (inv / "ok.csv").write_text("task_id,title\nK1,fine\n")
    result = ingest_directory(inv, onet)
    assert sorted(result.tasks["task_id"]) == ["K1", "L1"]
    status = dict(result.files.select("source_file", "status").iter_rows())
    assert status["broken.csv"] == "unreadable" and status["team/linked.csv"] == "loaded"
    assert quarantine(result)[("broken.csv", None)][0] == "unreadable_file"


def test_xlsx_sheets_keep_their_own_header_and_rows(tmp_path, onet):
    wb = xlsxwriter.Workbook(tmp_path / "inv.xlsx")
    a = wb.add_worksheet("A")
    a.write_row(0, 0, ["task_id", "title"])
    a.write_row(1, 0, ["A1", "first sheet"])
    b = wb.add_worksheet("B")
    b.set_row(0, 40)  # a formatted, empty first row is written to the file but holds no value
    b.write_row(3, 0, ["ID", "Prompt", "Owner"])
    b.write_row(4, 0, ["B1", "second sheet prompt", "ana"])
    b.write_row(5, 0, ["A1", "the same ID on another sheet", "ana"])
    wb.close()
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.select("task_id", "description", "owner", "source_sheet", "source_row").rows() == [
        ("B1", "second sheet prompt", "ana", "B", 5)
    ]
    detail = quarantine(result)[("inv.xlsx", 2)][1]
    assert "inv.xlsx [A] row 2; inv.xlsx [B] row 6" in detail


def test_a_stray_quote_closed_lines_later_quarantines_only_its_line(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        'task_id,title,description\nT1,"Stray,desc\nT2,ok two,desc two\nT3,ok three,desc three\n'
        'T4,four,measure 5"\nT5,ok five,desc\n'
    )
    result = ingest_directory(tmp_path, onet)
    # the lines the stray quote spans each parse alone as rows: only its own line is bad (T4's
    # trailing quote is kept as text, as a quote inside an unquoted field is)
    assert result.tasks["task_id"].to_list() == ["T2", "T3", "T4", "T5"]
    assert {k: v[0] for k, v in quarantine(result).items()} == {("a.csv", 2): "malformed_csv"}
    assert_counts_add_up(result)


def test_ids_are_not_folded_beyond_invisible_characters(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        "task_id,title\nT²,superscript\nT2,plain\nＴ１,full width\n", encoding="utf-8"
    )
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"]) == ["T2", "T²", "Ｔ１"]


def test_a_link_to_a_directory_inside_the_tree_does_not_rename_its_files(tmp_path, onet):
    (tmp_path / "2026-11").mkdir()
    (tmp_path / "2026-11" / "tasks.csv").write_text("task_id,title\nT1,a\n")
    os.symlink(tmp_path / "2026-11", tmp_path / "latest")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.select("task_id", "source_file").rows() == [("T1", "2026-11/tasks.csv")]


def test_a_fifo_is_reported_unreadable_and_does_not_block(tmp_path, onet):
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "ok.csv").write_text("task_id,title\nK1,fine\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["K1"]
    assert quarantine(result)[("pipe.csv", None)] == (
        "unreadable_file",
        "cannot read the file: not a regular file",
    )


def test_nested_duplicate_keys_and_header_renames_that_collide(tmp_path, onet):
    (tmp_path / "a.jsonl").write_text('{"task_id": "J1", "title": "t", "meta": {"a": 1, "a": 2}}\n')
    (tmp_path / "b.csv").write_text("task_id,title,notes,notes,notes (column 4)\nT1,t,first,second,third\n")
    result = ingest_directory(tmp_path, onet)
    assert quarantine(result)[("a.jsonl", 1)] == (
        "malformed_json",
        "malformed_json: key 'meta.a' given more than once",
    )
    extra = json.loads(result.tasks.filter(pl.col("task_id") == "T1")["extra_fields"][0])
    assert sorted(extra.values()) == ["first", "second", "third"]


def test_concatenated_excel_csvs_with_byte_order_marks(tmp_path, onet):
    part = "\ufefftask_id,title\r\n"
    (tmp_path / "a.csv").write_text(part + "T1,a\r\n" + part + "T2,b\r\n", encoding="utf-8")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["task_id"].to_list() == ["T1", "T2"]
    assert quarantine(result)[("a.csv", 3)][0] == "repeated_header"


@pytest.mark.parametrize("raw, expected", [("1,200.00", 1200), ("8823_8824", None)])
def test_excel_number_formats_read_and_underscored_numbers_do_not(tmp_path, onet, raw, expected):
    (tmp_path / "a.csv").write_text(f'task_id,title,instances\nT1,a,"{raw}"\n')
    result = ingest_directory(tmp_path, onet)
    assert (result.tasks["instances"].to_list() or [None]) == [expected]
    assert (result.quarantine.height == 1) is (expected is None)


def saved_by_excel(path) -> None:
    """The workbook as Excel or LibreOffice saves it: computed results, no request to recalculate
    when opened (xlsxwriter writes `fullCalcOnLoad="1"`, so its results are placeholders)."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        items = [(item, src.read(item.filename)) for item in src.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for item, data in items:
            if item.filename == "xl/workbook.xml":
                assert b' fullCalcOnLoad="1"' in data
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            out.writestr(item, data)


def test_xlsx_error_cells_keep_their_error_text(tmp_path, onet):
    wb = xlsxwriter.Workbook(tmp_path / "inv.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_row(0, 1, ["task_id", "title", "instances", "notes"])  # the used range starts at column B
    ws.write_row(1, 1, ["E1", "count failed"])
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    ws.write_row(2, 1, ["E2", "note failed", 3])
    ws.write_formula(2, 4, "=NA()", None, "#N/A")
    wb.close()
    saved_by_excel(tmp_path / "inv.xlsx")
    result = ingest_directory(tmp_path, onet)
    # before: both error cells read as empty, E1 accepted without its count, E2's note gone
    assert quarantine(result)[("inv.xlsx", 2)] == (
        "unparseable_value",
        "unparseable_value: instances: cannot read '#DIV/0!' (not a number)",
    )
    assert json.loads(result.tasks.filter(pl.col("task_id") == "E2")["extra_fields"][0]) == {"notes": "#N/A"}


def test_xlsx_rows_are_sheet_rows_below_an_empty_formula_and_a_wide_styled_banner(tmp_path, onet):
    wb = xlsxwriter.Workbook(tmp_path / "formula.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_formula(0, 0, '=IF(1=2,"Title","")', None, "")  # saved as <v></v>: calamine skips the row
    ws.write_row(2, 0, ["task_id", "title", "instances"])
    ws.write_row(3, 0, ["T1", "one"])
    ws.write_formula(3, 2, "=NA()", None, "#N/A")
    wb.close()
    saved_by_excel(tmp_path / "formula.xlsx")
    wb = xlsxwriter.Workbook(tmp_path / "banner.xlsx")
    ws = wb.add_worksheet("S")
    fill = wb.add_format({"bg_color": "#DDEEFF"})
    for r in range(40):  # 40 x 120 styled empty cells: more XML than the first 64 kB
        for c in range(120):
            ws.write_blank(r, c, None, fill)
    ws.write_row(40, 0, ["task_id", "title", "instances"])
    ws.write_row(41, 0, ["T2", "two"])
    ws.write_formula(41, 2, "=1/0", None, "#DIV/0!")
    wb.close()
    saved_by_excel(tmp_path / "banner.xlsx")
    result = ingest_directory(tmp_path, onet)
    # before: rows 2 and 42 were reported as 2 and 2, and the error cells were read as empty
    assert quarantine(result) == {
        ("formula.xlsx", 4): (
            "unparseable_value",
            "unparseable_value: instances: cannot read '#N/A' (not a number)",
        ),
        ("banner.xlsx", 42): (
            "unparseable_value",
            "unparseable_value: instances: cannot read '#DIV/0!' (not a number)",
        ),
    }


def rewrite_sheet(tmp_path, edit) -> None:
    """tmp_path/built.xlsx becomes tmp_path/inv.xlsx with its first sheet's XML passed through `edit`."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "built.xlsx") as src, zipfile.ZipFile(tmp_path / "inv.xlsx", "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, edit(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    (tmp_path / "built.xlsx").unlink()


@pytest.mark.parametrize("saved", [b"</f>", b"</f><v/>", b"</f><v></v>"])  # POI/ExcelJS, openpyxl, lxml
def test_xlsx_formulas_saved_without_a_result_are_named(tmp_path, onet, saved):

    wb = xlsxwriter.Workbook(tmp_path / "built.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["task_id", "title", "instances"])
    ws.write_row(1, 0, ["T1", "plain"])
    ws.write_formula(2, 0, '="T"&"2"')
    ws.write(2, 1, "formula id")
    ws.write_formula(2, 2, "=2+3")
    wb.close()
    # as a library that never calculates writes them (openpyxl): the formula, no <v> result
    rewrite_sheet(tmp_path, lambda xml: xml.replace(b"</f><v>0</v>", saved))
    result = ingest_directory(tmp_path, onet)
    reason, detail = quarantine(result)[("inv.xlsx", 3)]
    assert reason == "missing_id"
    assert (
        'flag: \'task_id\' is a formula with no saved result, or an empty one (="T"&"2"): it reads as empty'
        in detail
    )
    assert "flag: 'instances' is a formula with no saved result, or an empty one (=2+3)" in detail
    assert result.tasks["task_id"].to_list() == ["T1"]


def test_xlsx_placeholder_results_of_a_workbook_never_recalculated_are_not_read(tmp_path, onet):
    # pandas' to_excel (xlsxwriter) writes a prompt starting with '=' as a formula and saves 0 as its
    # result, with fullCalcOnLoad: the prompt read as "0" and an instance count =1/0 as 0, accepted
    wb = xlsxwriter.Workbook(tmp_path / "inv.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["task_id", "title", "prompt", "instances"])
    ws.write_row(1, 0, ["P-1", "Heading"])
    ws.write_formula(1, 2, "=== Instructions ===\nSolve it")
    ws.write_row(2, 0, ["P-2", "counted"])
    ws.write_formula(2, 3, "=1/0")
    ws.write_row(3, 0, ["P-3", "plain", "a prompt", 4])
    wb.close()
    result = ingest_directory(tmp_path, onet)
    assert result.quarantine.height == 0
    got = {r["task_id"]: r for r in result.tasks.iter_rows(named=True)}
    assert (got["P-1"]["description"], got["P-2"]["instances"], got["P-3"]["instances"]) == (None, None, 4)
    assert got["P-1"]["flags"].startswith(
        "'prompt' is a formula (=== Instructions ===\nSolve it) whose saved result, 0, is a placeholder: "
        "the program that wrote the workbook asked for it to be recalculated when opened"
    )
    assert "'instances' is a formula (=1/0) whose saved result, 0, is a placeholder" in got["P-2"]["flags"]
    assert got["P-3"]["flags"] is None
    # a result a generator computed and saved (xlsxwriter given one, ExcelJS, EPPlus) is the value
    wb = xlsxwriter.Workbook(tmp_path / "computed.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["task_id", "title", "instances"])
    ws.write_formula(1, 0, '="C-"&1', None, "C-1")
    ws.write(1, 1, "computed")
    ws.write_formula(1, 2, "=1*10", None, 10)
    wb.close()
    got = {r["task_id"]: r for r in ingest_directory(tmp_path, onet).tasks.iter_rows(named=True)}
    assert (got["C-1"]["instances"], got["C-1"]["flags"]) == (10, None)
    # the same workbook saved by Excel: its results are the values
    saved_by_excel(tmp_path / "inv.xlsx")
    got = {r["task_id"]: r for r in ingest_directory(tmp_path, onet).tasks.iter_rows(named=True)}
    assert (got["P-1"]["description"], got["P-1"]["flags"]) == ("0", None)


def test_a_parquet_value_python_cannot_hold_is_kept_as_its_stored_number(tmp_path, onet):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Postgres' 'infinity' exported as the largest timestamp made the whole file unreadable
    big = 2**63 - 1
    pq.write_table(
        pa.table(
            {
                "task_id": ["Q-1", "Q-2", "Q-3"],
                "title": ["ok", "infinite", "ok too"],
                "expires_at": pa.array([1_700_000_000_000_000, big, None], pa.timestamp("us")),
                "created_at": pa.array([None, big, None], pa.timestamp("us")),
            }
        ),
        tmp_path / "pg.parquet",
    )
    result = ingest_directory(tmp_path, onet)
    assert result.files["status"].to_list() == ["loaded"]
    assert sorted(result.tasks["task_id"].to_list()) == ["Q-1", "Q-3"]
    assert json.loads(result.tasks.filter(pl.col("task_id") == "Q-1")["extra_fields"][0]) == {
        "expires_at": "2023-11-14T22:13:20"
    }
    reason, detail = quarantine(result)[("pg.parquet", 2)]
    assert reason == "unparseable_value"
    assert f"created_at: cannot read '{big}'" in detail
    assert (
        f"'expires_at' holds a timestamp[us] value Python cannot represent (OverflowError: date value out "
        f"of range); kept as its stored number {big}"
    ) in detail
    # a date past 9999 (Postgres' date 'infinity') and a list holding such a timestamp
    pq.write_table(
        pa.table(
            {
                "task_id": ["D-1"],
                "title": ["dated"],
                "until": pa.array([2**31 - 1], pa.int32()).cast(pa.date32()),
                "history": pa.array([[big]], pa.list_(pa.timestamp("us"))),
            }
        ),
        tmp_path / "pg.parquet",
    )
    result = ingest_directory(tmp_path, onet)
    assert result.files["status"].to_list() == ["loaded"]
    (flags,) = result.tasks.filter(pl.col("task_id") == "D-1")["flags"].to_list()
    assert "'until' holds a date32[day] value Python cannot represent" in flags and "2147483647" in flags
    assert "'history' holds a list<element: timestamp[us]> value" in flags


def test_documentation_files_beside_the_inventory_are_not_read(tmp_path, onet):
    (tmp_path / "tasks.csv").write_text("task_id,title\nT-1,real\n")
    (tmp_path / "README.txt").write_text("Our tasks.\n\ntask_id,title,description\nEX-1,Example,An example\n")
    (tmp_path / "LICENSE").write_text("task_id,title\nL-1,licensed\n")
    (tmp_path / "readme.csv").write_text("task_id,title\nR-1,a real file named readme\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"].to_list()) == ["R-1", "T-1"]
    files = {r["source_file"]: (r["status"], r["notes"]) for r in result.files.iter_rows(named=True)}
    assert files["README.txt"] == (
        "skipped",
        "a documentation file (README, LICENSE, CHANGELOG …), not read; rename it to read it as tasks",
    )
    assert files["LICENSE"][0] == "skipped"


def test_ids_that_differ_only_in_case_are_kept_and_flagged(tmp_path, onet):
    # case-sensitive IDs are distinct tasks, but 'T-1' beside 't-1' is usually a typo: say so
    (tmp_path / "a.csv").write_text("task_id,title\nT-1,first\nT-2,second\n")
    (tmp_path / "b.csv").write_text("task_id,title\nt-1,third\nstrasse,x\nSTRASSE,y\n")
    result = ingest_directory(tmp_path, onet)
    assert result.quarantine.height == 0
    flags = dict(result.tasks.select("task_id", "flags").iter_rows())
    assert flags["T-1"] == "task_id 'T-1' differs only in letter case from 't-1' (b.csv row 2)"
    assert flags["t-1"] == "task_id 't-1' differs only in letter case from 'T-1' (a.csv row 2)"
    assert flags["strasse"] == "task_id 'strasse' differs only in letter case from 'STRASSE' (b.csv row 4)"
    assert flags["T-2"] is None


def test_xlsx_shared_formulas_saved_without_a_result_are_named(tmp_path, onet):

    wb = xlsxwriter.Workbook(tmp_path / "built.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["task_id", "title", "instances"])
    for r in (1, 2):
        ws.write_row(r, 0, [f"T{r}", "shared"])
        ws.write_formula(r, 2, "=2+3")
    wb.close()

    def shared(xml: bytes) -> bytes:  # the first cell holds the text, the others <f t="shared" si="0"/>
        xml = xml.replace(
            b'<c r="C2"><f>2+3</f><v>0</v></c>', b'<c r="C2"><f t="shared" ref="C2:C3" si="0">2+3</f></c>'
        ).replace(b'<c r="C3"><f>2+3</f><v>0</v></c>', b'<c r="C3"><f t="shared" si="0"/></c>')
        assert b'si="0"/>' in xml
        return xml

    rewrite_sheet(tmp_path, shared)
    flags = dict(ingest_directory(tmp_path, onet).tasks.select("task_id", "flags").iter_rows())
    assert "'instances' is a formula with no saved result, or an empty one (=2+3)" in flags["T1"]
    assert (
        "'instances' is a formula with no saved result, or an empty one (=2+3 shared, as in its first"
        in flags["T2"]
    )


def test_a_row_without_a_column_for_the_id_or_the_text_says_so_not_that_it_is_empty(tmp_path, onet):
    # before: every row of a German header said "neither title nor description has text"
    (tmp_path / "de.csv").write_text("Task ID;Titel;Beschreibung\nA-1;Hallo;Welt\n")
    (tmp_path / "tk.csv").write_text("Ticket,title,description\nX-1,y,z\n,empty id,\n")
    q = quarantine(ingest_directory(tmp_path, onet))
    assert q[("de.csv", 2)] == (
        "no_text",
        "no_text: no column is named title or description (columns: 'Task ID', 'Titel', 'Beschreibung'; "
        "accepted names: title (name, task_name, task_title, summary, short_title, headline); description "
        "(prompt, task_prompt, instructions, instruction, task_description, details, body, text, task_text, "
        "problem_statement, input, question, problem))",
    )
    assert q[("tk.csv", 2)][1].startswith(
        "missing_id: no column is named task_id (columns: 'Ticket', 'title', 'description'; accepted names: "
        "task_id (id, "
    )
    assert q[("tk.csv", 3)][1].startswith("missing_id: no column is named task_id")


def test_a_json_record_without_text_speaks_of_the_record_not_of_the_files_columns(tmp_path, onet):
    # a persona's tracker (27 Nov): the file has title and prompt keys, this one record lacks them
    (tmp_path / "t.jsonl").write_text(
        '{"task_id": "A", "title": "Reconcile ledger", "prompt": "Match lines."}\n'
        '{"task_id": "B", "domain": "support", "status": "draft"}\n'
    )
    q = quarantine(ingest_directory(tmp_path, onet))
    assert q[("t.jsonl", 2)][1].startswith(
        "no_text: this record has no key named title or description (its keys: 'task_id', 'domain', 'status'; "
        "accepted names: title (name, "
    )


def test_spaces_around_an_id_and_bytes_that_are_not_utf8_are_flagged(tmp_path, onet):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "a.csv").write_text('task_id,title\n"T-20 ",a\nT-21,b\n')
    pq.write_table(
        pa.table(
            {
                "task_id": ["B-1"],
                "title": ["binary"],
                "description": pa.array([b"bytes \xe9t\xe9"], pa.binary()),
            }
        ),
        tmp_path / "b.parquet",
    )
    tasks = {r["task_id"]: r for r in ingest_directory(tmp_path, onet).tasks.iter_rows(named=True)}
    assert tasks["T-20"]["flags"] == "task_id 'T-20 ' read as 'T-20' (surrounding spaces dropped)"
    assert tasks["T-21"]["flags"] is None
    assert (tasks["B-1"]["description"], tasks["B-1"]["flags"]) == (
        "bytes \ufffdt\ufffd",
        "description: bytes that are not UTF-8 text, read with each undecodable byte as \ufffd",
    )


def test_xlsx_ids_read_as_the_spreadsheet_shows_them_or_flagged(tmp_path, onet):
    # calamine reads the stored number: 007 (7 formatted 000) was '7' and collided with a CSV's 7;
    # an ID turned into a date, or longer than a spreadsheet number holds, was read with no sign
    wb = xlsxwriter.Workbook(tmp_path / "ids.xlsx")
    ws = wb.add_worksheet("Tasks")
    padded, month = wb.add_format({"num_format": "000"}), wb.add_format({"num_format": "mmm-yy"})
    ws.write_row(0, 0, ["task_id", "title", "instances"])
    ws.write_number(1, 0, 7, padded)
    ws.write(1, 1, "padded")
    ws.write_number(1, 2, 5, padded)  # a count shown 005 is still 5
    ws.write_number(2, 0, 45292, month)
    ws.write(2, 1, "typed 2024-01")
    ws.write_number(3, 0, 1234567890123456789)
    ws.write(3, 1, "nineteen digits")
    ws.write_number(4, 0, 123456789012345)
    ws.write(4, 1, "fifteen digits")
    wb.close()
    saved_by_excel(tmp_path / "ids.xlsx")
    (tmp_path / "b.csv").write_text("task_id,title\n7,seven\n")
    result = ingest_directory(tmp_path, onet)
    assert result.quarantine.height == 0
    got = {r["task_id"]: (r["instances"], r["flags"]) for r in result.tasks.iter_rows(named=True)}
    assert got["007"] == (5, "task_id: the number 7 shown as '007' (number format '000'), read as shown")
    assert got["7"] == (None, None)
    assert got["2024-01-01 00:00:00"][1].startswith(
        "task_id '2024-01-01 00:00:00' is a date or time in the workbook: the spreadsheet turned what was "
        "typed into one"
    )
    (long_id,) = [k for k in got if len(k) == 19 and k.isdigit()]
    assert got[long_id][1].startswith("task_id is a number of more than 15 significant digits (stored as ")
    assert got["123456789012345"] == (None, None)


@pytest.mark.parametrize(
    "stored, long",
    [
        ("123456789012345", False),
        ("123456789012345.0", False),
        ("1234567890123456", True),
        ("1.2345678901234568e+18", True),
        ("1E+20", True),
        ("0.1", False),
        ("-42", False),
    ],
)
def test_a_stored_number_too_long_for_a_spreadsheet(stored, long):
    from assets.inventory.xlsx_numbers import too_long

    assert too_long(stored) is long


def test_a_trailing_delimiter_and_tasks_keyed_by_id_are_named(tmp_path, onet):
    (tmp_path / "a.csv").write_text("task_id,title,description\nR-1,One,x,\n")
    (tmp_path / "b.json").write_text('{"tasks": {"J-3": {"title": "x"}}}')
    result = ingest_directory(tmp_path, onet)
    assert quarantine(result)[("a.csv", 2)] == (
        "ragged_row",
        "ragged_row: 4 fields where the header has 3 (the fields past the header's are empty: a delimiter at "
        "the end of the line?)",
    )
    notes = dict(result.files.select("source_file", "notes").iter_rows())
    assert notes["b.json"].endswith("its keys: 'tasks'; 'tasks' holds an object (keyed by ID?), not a list")


def test_a_json_record_with_a_repeated_key_is_quarantined_under_its_id(tmp_path, onet):
    (tmp_path / "a.jsonl").write_text(
        '{"task_id": "J-11", "title": "a", "title": "b"}\n{"task_id": "J-12", "title": "c"}\n'
    )
    result = ingest_directory(tmp_path, onet)
    q = result.quarantine.select("source_row", "task_id", "reason").rows()
    assert q == [(1, "J-11", "malformed_json")]  # the ID was null: the row named no task
    assert result.tasks["task_id"].to_list() == ["J-12"]
    # the ID only names the quarantined record: a valid task of that ID elsewhere is no duplicate of
    # it, and a repeated ID key names no ID (JSON keeps the last one)
    (tmp_path / "a.jsonl").write_text(
        '{"id": "T-1", "title": "a", "id": "T-2"}\n{"task_id": "J-11", "title": "a", "title": "b"}\n'
    )
    (tmp_path / "b.csv").write_text("task_id,title\nT-1,valid\nJ-11,also valid\n")
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"].to_list()) == ["J-11", "T-1"]
    assert result.quarantine.select("source_row", "task_id").rows() == [(1, None), (2, "J-11")]
