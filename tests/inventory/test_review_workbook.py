"""The review worksheet as an Excel workbook (exports/inventory_review.xlsx), saved as the overrides
file `_overrides.xlsx`: it opens alike in every locale, keeps IDs and codes as text, and is read
back as the CSV sheet is.

Built over the coverage fixture, as tests/inventory/test_review_worksheet.py; one refresh over the
real O*NET files reads a workbook as the overrides file."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import fastexcel
import pytest
import xlsxwriter

from assets.common.errors import SourceFormatError
from assets.coverage.exports import XLSX_MAX_ROWS, export_all, export_file_names, export_xlsx, xlsx_file
from assets.inventory import overrides
from tests.conftest import FIXTURES
from tests.inventory.inventory_helpers import refresh, rows
from tests.inventory.test_review_worksheet import LINES, REJECTED, build_fixture_db


@pytest.fixture
def con():
    con = build_fixture_db(edits=[LINES, *REJECTED])
    yield con
    con.close()


def cells(path: Path) -> list[list[str | None]]:
    frame = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_polars()
    return [list(r) for r in frame.rows()]


def saved(
    path: Path, sheet: list[list[str | None]], numbers: dict[tuple[int, int], float] | None = None
) -> Path:
    """The sheet as a reviewer's spreadsheet saves it (text cells; `numbers` typed as numbers)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = book.add_worksheet("inventory_review")
    for r, row in enumerate(sheet):
        for c, value in enumerate(row):
            if numbers and (r, c) in numbers:
                ws.write_number(r, c, numbers[r, c])
            elif value is not None:
                ws.write_string(r, c, value)
    book.close()
    return path


def test_the_workbook_holds_the_sheet_as_text_with_the_actions_offered(con, tmp_path):
    path = tmp_path / "inventory_review.xlsx"
    export_xlsx(con, "inventory_review", path)
    got = cells(path)
    described = [r[0] for r in con.execute("describe marts.inventory_review").fetchall()]
    assert got[0] == described
    count = con.execute("select count(*) from marts.inventory_review").fetchone()[0]
    assert len(got) == count + 1
    # a note a spreadsheet would run as a formula is text, with no escape quote to take off
    assert got[1][:5] == ["inv-3", "reject", "201", "-- not copy", "aaaaaaaaaa03"]
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert '<dataValidation type="list"' in xml and '"pin,reject,occupation"' in xml
    assert '<pane ySplit="1"' in xml  # the header stays in view


def test_the_workbook_saved_as_the_overrides_file_makes_the_same_decisions(con, tmp_path):
    path = tmp_path / "_overrides.xlsx"
    export_xlsx(con, "inventory_review", path)
    frame = overrides.read_overrides(path)
    assert frame.select("inventory_task_id", "action", "onet_task_id", "note", "text_hash").rows() == [
        ("inv-3", "reject", 201, "-- not copy", "aaaaaaaaaa03"),
        ("inv-1", "pin", 102, "the tests, really", None),
        ("gone", "reject", None, None, None),
    ]
    # numbered by sheet row, as Excel shows them (the header is row 1)
    assert frame["source_row"].to_list()[0] == 2


def test_decisions_typed_in_the_workbook_are_read_with_their_sheet_rows(con, tmp_path):
    export = tmp_path / "inventory_review.xlsx"
    export_xlsx(con, "inventory_review", export)
    sheet = cells(export)
    header = sheet[0]
    at = {
        name: header.index(name) for name in ("inventory_task_id", "action", "onet_task_id", "onet_soc_code")
    }
    pin = next(n for n, r in enumerate(sheet) if r[0] == "inv-4" and r[at["action"]] is None)
    named = next(n for n, r in enumerate(sheet) if r[0] == "inv-6" and r[at["action"]] is None)
    sheet[pin][at["action"]] = "pin"
    sheet[named][at["action"]], sheet[named][at["onet_soc_code"]] = "occupation", "Software Developers"
    # the reviewer retyped the O*NET task ID as a number: read as the same ID
    path = saved(tmp_path / "_overrides.xlsx", sheet, {(pin, at["onet_task_id"]): 301.0})
    frame = overrides.read_overrides(path)
    typed = frame.filter(frame["inventory_task_id"].is_in(["inv-4", "inv-6"]))
    assert typed.select(
        "inventory_task_id", "action", "onet_task_id", "occupation_written", "source_row"
    ).rows() == [
        ("inv-4", "pin", 301, None, pin + 1),
        ("inv-6", "occupation", None, "Software Developers", named + 1),
    ]


def test_a_malformed_row_of_the_workbook_is_an_error_naming_its_sheet_row(tmp_path):
    sheet = [
        ["inventory_task_id", "action", "onet_task_id", "note"],
        ["W-1", "pin", "100", None],
        [None, None, None, None],  # a blank row keeps the numbering
        ["W-2", "pin", None, "forgot the ID"],
    ]
    with pytest.raises(SourceFormatError, match="a pin needs an onet_task_id") as err:
        overrides.read_overrides(saved(tmp_path / "_overrides.xlsx", sheet))
    assert err.value.row == 4 and err.value.column == "onet_task_id"


def test_a_workbook_with_decisions_on_two_sheets_is_an_error(tmp_path):
    path = tmp_path / "_overrides.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name in ("one", "two"):
        book.add_worksheet(name).write_row(0, 0, ["inventory_task_id", "action", "onet_task_id"])
    book.close()
    with pytest.raises(SourceFormatError, match="keep the decisions on one sheet"):
        overrides.read_overrides(path)
    # an empty workbook: no decisions yet
    empty = tmp_path / "empty.xlsx"
    book = xlsxwriter.Workbook(str(empty))
    book.add_worksheet("x")
    book.close()
    assert overrides.read_overrides(empty).is_empty()


def test_the_workbook_is_the_overrides_file_only_when_the_csv_is_absent(tmp_path):
    workbook = tmp_path / "_overrides.xlsx"
    workbook.write_bytes(b"")
    assert overrides.locate_overrides(tmp_path, None) == workbook
    (tmp_path / "_overrides.csv").write_text("inventory_task_id,action,onet_task_id\n")
    with pytest.raises(SourceFormatError, match="only one overrides file is read") as err:
        overrides.locate_overrides(tmp_path, None)
    assert "_overrides.xlsx" in str(err.value)
    # a configured workbook is read too (alone: the default CSV beside it would be read by nobody)
    (tmp_path / "_overrides.csv").unlink()
    assert overrides.locate_overrides(tmp_path, workbook) == workbook


def test_a_sheet_too_long_to_review_by_hand_is_exported_as_csv_only(con, tmp_path):
    assert xlsx_file("inventory_review") in export_file_names({"inventory_review": XLSX_MAX_ROWS})
    assert xlsx_file("inventory_review") not in export_file_names({"inventory_review": XLSX_MAX_ROWS + 1})
    counts = export_all(con, tmp_path)
    assert (tmp_path / "inventory_review.xlsx").is_file()
    assert export_file_names(counts) == {p.name for p in tmp_path.iterdir()}


@pytest.fixture(scope="module")
def from_workbook(tmp_path_factory, shared_data):
    tmp = tmp_path_factory.mktemp("workbook")
    inventory = tmp / "inventory"
    shutil.copytree(FIXTURES / "inventory" / "mixed", inventory)
    (inventory / "_overrides.csv").unlink()
    sheet = [
        ["inventory_task_id", "action", "onet_task_id", "note", "onet_soc_code"],
        ["GOOD-2", "pin", "22656", "reviewed: copywriting", None],
        ["JSONL-1", "occupation", None, None, "43-4000"],
    ]
    saved(inventory / "_overrides.xlsx", sheet)
    return refresh(tmp, shared_data, inventory)


def test_a_refresh_reads_the_workbook_as_the_overrides_file(from_workbook):
    assert rows(
        from_workbook,
        "select inventory_task_id, action, status, source_row from staging.inventory_overrides order by 4",
    ) == [("GOOD-2", "pin", "ok", 2), ("JSONL-1", "occupation", "ok", 3)]
    assert rows(
        from_workbook,
        "select onet_task_id, method, override_note from marts.inventory_task_matches "
        "where inventory_task_id = 'GOOD-2' and rank = 1",
    ) == [(22656, "override", "reviewed: copywriting")]
    assert rows(
        from_workbook,
        "select source_file like '%_overrides.xlsx' from staging.inventory_overrides limit 1",
    ) == [(True,)]


def workbook(path: Path, build) -> Path:
    book = xlsxwriter.Workbook(str(path))
    build(book.add_worksheet("decisions"), book)
    book.close()
    return path


HEADER = ["inventory_task_id", "action", "onet_task_id", "note", "onet_soc_code"]


def test_a_cell_that_reads_empty_but_is_not_is_an_error_naming_row_and_column(tmp_path):
    # an error value or a formula without its result reads as empty: on a reject, that is a reject
    # of every candidate
    def na(ws, _):
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["W-1", "reject"])
        ws.write_formula(1, 2, "=NA()", None, "#N/A")

    with pytest.raises(SourceFormatError, match="the error value #N/A") as err:
        overrides.read_overrides(workbook(tmp_path / "na.xlsx", na))
    assert (err.value.row, err.value.column) == (2, "onet_task_id")

    def unsaved(ws, _):  # as a program writes a formula it gave no result
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["W-1", "pin", "100"])
        ws.write_row(2, 0, ["W-2", "reject"])
        ws.write_formula(2, 2, "=VLOOKUP(A3,Sheet2!A:B,2,0)")

    with pytest.raises(SourceFormatError, match="VLOOKUP") as err:
        overrides.read_overrides(workbook(tmp_path / "unsaved.xlsx", unsaved))
    assert (err.value.row, err.value.column) == (3, "onet_task_id")


def test_rows_are_numbered_as_excel_numbers_them_and_ids_read_as_shown(tmp_path):
    def below_a_title(ws, book):
        ws.write(0, 0, "Decisions of the March review")
        ws.write_row(2, 0, HEADER)  # the header on row 3
        padded = book.add_format({"num_format": "000"})
        ws.write_number(3, 0, 7, padded)  # an ID 007 kept as a number shown with zeros
        ws.write_row(3, 1, ["pin", "100"])
        ws.write_row(4, 0, ["W-2", "pin", ""])

    with pytest.raises(SourceFormatError, match="a pin needs an onet_task_id") as err:
        overrides.read_overrides(workbook(tmp_path / "title.xlsx", below_a_title))
    assert err.value.row == 5

    def missing_column(ws, _):
        ws.write_row(1, 0, ["inventory_task_id", "action", "note"])  # the header on row 2

    with pytest.raises(SourceFormatError, match="missing column") as err:
        overrides.read_overrides(workbook(tmp_path / "missing.xlsx", missing_column))
    assert err.value.row == 2

    def padded_only(ws, book):
        ws.write_row(0, 0, HEADER)
        ws.write_number(1, 0, 7, book.add_format({"num_format": "000"}))
        ws.write_row(1, 1, ["pin", "100"])

    frame = overrides.read_overrides(workbook(tmp_path / "padded.xlsx", padded_only))
    assert frame.select("inventory_task_id", "source_row").rows() == [("007", 2)]  # as the ingest reads it


def test_a_code_excel_turned_into_a_date_is_an_error_saying_so(tmp_path):
    import datetime

    def dated(ws, book):
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["W-1", "occupation"])
        ws.write_datetime(1, 4, datetime.datetime(2021, 11, 1), book.add_format({"num_format": "mm-yyyy"}))

    with pytest.raises(SourceFormatError, match="is a date in the workbook") as err:
        overrides.read_overrides(workbook(tmp_path / "date.xlsx", dated))
    assert (err.value.row, err.value.column) == (2, "onet_soc_code")


def test_a_number_its_format_shows_as_typed_reads_as_typed(tmp_path):
    # a format of zeros that adds none (123 as 000), and an onet_task_id longer than a number holds
    def formatted(ws, book):
        ws.write_row(0, 0, HEADER)
        ws.write_number(1, 0, 123, book.add_format({"num_format": "000"}))
        ws.write_row(1, 1, ["pin", "100"])

    frame = overrides.read_overrides(workbook(tmp_path / "fmt.xlsx", formatted))
    assert frame.select("inventory_task_id", "onet_task_id").rows() == [("123", 100)]

    def too_long(ws, _):
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["W-1", "reject"])
        ws.write_number(1, 2, 1.5e17)

    with pytest.raises(SourceFormatError, match="longer than a spreadsheet number holds") as err:
        overrides.read_overrides(workbook(tmp_path / "long.xlsx", too_long))
    assert (err.value.row, err.value.column) == (2, "onet_task_id")


def test_an_error_value_on_a_row_nobody_decided_is_no_error(tmp_path):
    # a note column filled by a lookup formula gives #N/A on the candidates nobody decided
    def notes(ws, _):
        ws.write_row(0, 0, [*HEADER, "row_kind"])
        ws.write_row(1, 0, ["W-1", "", "100", None, None, "candidate"])
        ws.write_formula(1, 3, "=VLOOKUP(A2,Z:Z,1,0)", None, "#N/A")
        ws.write_row(2, 0, ["W-2", "pin", "101", None, None, "candidate"])

    frame = overrides.read_overrides(workbook(tmp_path / "notes.xlsx", notes))
    assert frame.select("inventory_task_id", "action", "onet_task_id").rows() == [("W-2", "pin", 101)]
