"""OES parsing on fixtures in the published layouts: markers, ANNUAL/HOURLY, older vintages, CSV copies,
and hostile files that must stop with the file, the row and the column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assets.common.errors import SourceFormatError
from assets.staging import oes
from tests.conftest import FIXTURES
from tests.fixtures.mirror.build_mirror import OES_HEADER

OES_FIXTURES = FIXTURES / "oes"


def _rows(frame) -> dict[str, dict]:
    return {r["occ_code"]: r for r in frame.iter_rows(named=True)}


def test_every_marker_becomes_a_flag_never_a_zero():
    frame, rows_read = oes.parse(OES_FIXTURES / "markers_M2024_dl.xlsx", 2024)
    assert rows_read == frame.height == 6
    rows = _rows(frame)

    ceo = rows["11-1011"]  # `#`: top-coded percentiles, mean still published
    assert ceo["h_mean_usd"] == Decimal("126.41") and ceo["a_mean_usd"] == 262930
    assert (
        ceo["h_median_usd"] == Decimal("99.24") and ceo["h_pct75_usd"] is None and ceo["a_pct90_usd"] is None
    )
    assert ceo["top_coded"] and not ceo["wage_not_available"]
    assert ceo["markers"] == "H_PCT75=#;H_PCT90=#;A_PCT75=#;A_PCT90=#"

    teachers = rows["25-2021"]  # ANNUAL=TRUE: hourly columns hold *
    assert teachers["annual_only"] and not teachers["hourly_only"]
    assert teachers["h_mean_usd"] is None and teachers["a_mean_usd"] == 70740
    assert teachers["markers"].startswith("H_MEAN=*;")

    actors = rows["27-2011"]  # HOURLY=TRUE: annual columns hold *
    assert actors["hourly_only"] and not actors["annual_only"]
    assert actors["h_mean_usd"] == Decimal("44.40") and actors["a_mean_usd"] is None

    fishers = rows["45-3031"]  # ** no employment, * no wage, ~ low reporting
    assert fishers["tot_emp"] is None and fishers["employment_not_available"]
    assert fishers["wage_not_available"] and fishers["low_reporting"]
    assert fishers["pct_total"] == 0.01 and fishers["pct_rpt"] is None
    assert fishers["markers"].startswith("TOT_EMP=**;EMP_PRSE=**;PCT_RPT=~;H_MEAN=*;A_MEAN=*")

    plain = rows["53-7199"]
    assert plain["markers"] is None
    assert not any(plain[f] for f in ("top_coded", "wage_not_available", "employment_not_available"))
    assert (plain["tot_emp"], plain["a_mean_usd"], plain["pct_rpt"]) == (400, 44720, 1.0)

    # Row numbers as a person counts them in the sheet (header = row 1); text columns kept as published.
    assert [r["source_row"] for r in frame.iter_rows(named=True)] == [2, 3, 4, 5, 6, 7]
    assert set(frame["o_group"]) == {"total", "detailed"}
    assert frame["naics"][0] == "000000" and frame["vintage_year"][0] == 2024


def test_lower_case_headers_of_an_older_vintage_parse():
    frame, _ = oes.parse(OES_FIXTURES / "lowercase_M2019_dl.xlsx", 2019)
    rows = _rows(frame)
    assert rows["00-0000"]["tot_emp"] == 146_875_480  # "146,875,480" stored as text
    assert rows["15-1132"]["a_mean_usd"] == 111950 and rows["15-1132"]["top_coded"]
    assert frame["pct_rpt"].null_count() == frame.height  # the column did not exist then


def test_title_row_and_extra_sheet_before_the_data():
    frame, _ = oes.parse(OES_FIXTURES / "titled_M2024_dl.xlsx", 2024)
    assert frame["occ_code"].to_list() == ["00-0000", "11-1011"]
    assert frame["source_row"].to_list() == [4, 5]  # title on row 1, blank row 2, header on row 3


CSV_ROWS = [
    ["99", "U.S.", "1", "US", "000000", "Cross-industry", "cross-industry", "1235", "00-0000",
     "All Occupations", "total", "140,886,310", "0.1", "", "", "", "", "27.07", "56,310", "0.1",
     "10.77", "13.84", "21.08", "33.14", "50.80", "22,410", "28,790", "43,850", "68,930", "105,660", "", ""],
    ["99", "U.S.", "1", "US", "000000", "Cross-industry", "cross-industry", "1235", "11-1011",
     "Chief Executives", "detailed", "200,480", "1.3", "", "", "", "", "95.12", "197,840", "0.8",
     "27.38", "53.52", "#", "#", "#", "56,950", "111,320", "#", "#", "#", "", ""],
]  # fmt: skip


def _csv_bytes(rows, header=OES_HEADER) -> bytes:
    def quote(v: str) -> str:
        return f'"{v}"' if "," in v else v

    lines = [",".join(header)] + [",".join(quote(v) for v in r) for r in rows]
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n"


def test_csv_copy_with_bom_crlf_and_thousands_separators(tmp_path):
    path = tmp_path / "national_May2021_dl.csv"
    path.write_bytes(_csv_bytes(CSV_ROWS))
    assert (
        path.read_bytes().startswith(b"\xef\xbb\xbfAREA,") and b'"140,886,310"\r\n' not in path.read_bytes()
    )
    frame, rows_read = oes.parse(path, 2021)
    assert rows_read == 2
    rows = _rows(frame)
    assert rows["00-0000"]["area"] == "99"  # the BOM did not stick to the first header
    assert rows["00-0000"]["tot_emp"] == 140_886_310 and rows["00-0000"]["a_mean_usd"] == 56310
    assert rows["11-1011"]["h_mean_usd"] == Decimal("95.12") and rows["11-1011"]["a_median_usd"] is None
    assert rows["11-1011"]["markers"] == "H_MEDIAN=#;H_PCT75=#;H_PCT90=#;A_MEDIAN=#;A_PCT75=#;A_PCT90=#"
    assert rows["11-1011"]["hourly_only"] is False
    assert frame["source_row"].to_list() == [2, 3]


# --- hostile files -------------------------------------------------------------------------------


def _error(path: Path) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as err:
        oes.parse(path, 2024)
    return err.value


def test_misspelt_tot_emp_names_the_file_and_the_column(tmp_path):
    path = tmp_path / "national_M2024_dl.csv"
    path.write_bytes(_csv_bytes(CSV_ROWS, [("TOT_EMPL" if h == "TOT_EMP" else h) for h in OES_HEADER]))
    err = _error(path)
    assert err.file == str(path) and err.column == "TOT_EMP"
    assert str(path) in str(err) and "'TOT_EMP'" in str(err) and "TOT_EMPL" in str(err)  # lists what it found


@pytest.mark.parametrize("column", ["TOT_EMP", "H_MEAN", "A_MEAN"])
def test_an_empty_value_cell_is_a_damaged_file_not_a_missing_estimate(tmp_path, column):
    # a blanked TOT_EMP loaded as null (no marker) and dropped the occupation's wage bill; a blanked
    # A_MEAN quietly became H_MEAN x 2,080 (a reviewer's corruption runs, 27 Nov). BLS marks every
    # value it does not publish; releases 2020-2024 have no empty cell in these columns.
    rows = [list(CSV_ROWS[0]), list(CSV_ROWS[1])]
    rows[1][OES_HEADER.index(column)] = ""
    path = tmp_path / "blank.csv"
    path.write_bytes(_csv_bytes(rows))
    err = _error(path)
    assert (err.file, err.row, err.column) == (str(path), 3, column)
    assert "the cell is empty" in str(err) and "marker" in str(err)


def test_a_column_named_twice_names_the_header_row_and_the_column(tmp_path):
    # a header with TOT_EMP twice failed with "zip() argument 2 is longer than argument 1"
    header = ["TOT_EMP" if h == "O_GROUP" else h for h in OES_HEADER]
    path = tmp_path / "twice.csv"
    path.write_bytes(_csv_bytes(CSV_ROWS, header))
    err = _error(path)
    assert (err.file, err.row, err.column) == (str(path), 1, "TOT_EMP")
    assert "twice" in str(err)


def test_non_numeric_wage_names_file_row_and_column(tmp_path):
    rows = [list(CSV_ROWS[0]), list(CSV_ROWS[1])]
    rows[1][17] = "95.1x"  # H_MEAN
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv_bytes(rows))
    err = _error(path)
    assert (err.file, err.row, err.column) == (str(path), 3, "H_MEAN")
    assert "'95.1x'" in str(err)


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        (17, "95.125", "sub-cent hourly wage"),
        (11, "200.5", "fractional employment"),
        (18, "N/A", "unknown marker"),
    ],
)
def test_values_that_would_change_in_the_cast_are_refused(tmp_path, column, value, why):
    rows = [list(CSV_ROWS[0]), list(CSV_ROWS[1])]
    rows[1][column] = value
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv_bytes(rows))
    err = _error(path)
    assert (err.row, err.column) == (3, OES_HEADER[column]), why


def test_unbalanced_quote_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    body = _csv_bytes(CSV_ROWS).replace(b'"200,480"', b'"200,480')
    path.write_bytes(body)
    err = _error(path)
    assert err.file == str(path) and err.row is not None
    assert "not well-formed CSV" in str(err)


@pytest.mark.parametrize("cut", [1, -1])
def test_ragged_row_names_the_row(tmp_path, cut):
    rows = [list(CSV_ROWS[0]), list(CSV_ROWS[1])]
    rows[1] = rows[1][:-1] if cut == 1 else rows[1] + ["extra"]
    path = tmp_path / "ragged.csv"
    path.write_bytes(_csv_bytes(rows))
    err = _error(path)
    assert err.row == 3 and "expected 32 comma-separated fields" in str(err)


def test_missing_occ_code_value_and_bad_code(tmp_path):
    rows = [list(CSV_ROWS[0]), list(CSV_ROWS[1])]
    rows[1][8] = "11-101"
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv_bytes(rows))
    err = _error(path)
    assert (err.row, err.column) == (3, "OCC_CODE")


def test_a_file_without_an_occ_code_header_is_refused(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("this is,not an OES file\n1,2\n")
    err = _error(path)
    assert err.column == "OCC_CODE"


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "national_M2024_dl.xlsx"
    path.write_bytes(b"<html>Access Denied</html>")
    err = _error(path)
    assert "cannot be opened as a spreadsheet" in str(err) and err.file == str(path)


def test_older_occ_group_header_is_read_as_o_group(tmp_path):
    path = tmp_path / "national_M2018_dl.csv"
    path.write_bytes(_csv_bytes(CSV_ROWS, [("OCC_GROUP" if h == "O_GROUP" else h) for h in OES_HEADER]))
    frame, _ = oes.parse(path, 2018)
    assert frame["o_group"].to_list() == ["total", "detailed"]


def test_a_column_named_twice_in_another_case_is_refused(tmp_path):
    # tot_emp beside TOT_EMP: which one is read would be silent (mutation audit, 27 Nov)
    header = ["tot_emp" if h == "O_GROUP" else h for h in OES_HEADER]
    (tmp_path / "t.csv").write_bytes(_csv_bytes(CSV_ROWS, header))
    err = _error(tmp_path / "t.csv")
    assert "twice" in str(err) and err.column == "TOT_EMP"
    assert "'tot_emp' and" in str(err)  # both spellings named
