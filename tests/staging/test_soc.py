"""SOC 2018 structure: the header is found below BLS's title rows; every code knows its groups."""

from __future__ import annotations

import pytest
import xlsxwriter

from assets.common.errors import SourceFormatError
from assets.staging import soc
from tests.conftest import FIXTURES


def test_fixture_structure_and_hierarchy():
    frame, rows_read = soc.parse(FIXTURES / "mirror" / "soc" / "soc_2018_definitions.xlsx")
    assert rows_read == frame.height == 16
    rows = {r["soc_code"]: r for r in frame.iter_rows(named=True)}
    assert rows["11-0000"]["major_code"] == "11-0000" and rows["11-0000"]["minor_code"] is None
    assert rows["15-1200"]["major_code"] == "15-0000" and rows["15-1200"]["broad_code"] is None
    dev = rows["15-1252"]
    assert (dev["soc_group"], dev["major_code"], dev["minor_code"], dev["broad_code"]) == (
        "Detailed",
        "15-0000",
        "15-1200",
        "15-1250",
    )
    assert rows["29-2012"]["broad_code"] == "29-2010"
    assert rows["15-1252"]["source_row"] == 13  # title rows 1-2, blank row 3, header row 4
    assert rows["11-0000"]["soc_definition"] is None


def _workbook(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("2018 SOC")
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row)
    wb.close()


def test_missing_header_is_a_clear_error(tmp_path):
    path = tmp_path / "soc.xlsx"
    _workbook(path, [["SOC Group", "Code", "SOC Title"], ["Major", "11-0000", "Management"]])
    with pytest.raises(SourceFormatError) as err:
        soc.parse(path)
    assert err.value.column == "SOC Code" and str(path) in str(err.value)


def test_bad_code_names_row_and_column(tmp_path):
    path = tmp_path / "soc.xlsx"
    _workbook(
        path,
        [
            ["Title row"],
            ["SOC Group", "SOC Code", "SOC Title", "SOC Definition"],
            ["Major", "11-0000", "Management", ""],
            ["Detailed", "11-10111", "Chief Executives", "Lead."],
        ],
    )
    with pytest.raises(SourceFormatError) as err:
        soc.parse(path)
    assert (err.value.row, err.value.column) == (4, "SOC Code")


def test_a_code_under_a_group_it_does_not_extend_names_row_and_column(tmp_path):
    # a reviewer blanked the "13-1020 Broad" row: 13-1021..23 were filed under 13-1010 and published
    header = ["SOC Group", "SOC Code", "SOC Title", "SOC Definition"]
    rows = [
        ["Major", "13-0000", "Business and Financial Operations Occupations", ""],
        ["Minor", "13-1000", "Business Operations Specialists", ""],
        ["Broad", "13-1010", "Agents and Business Managers of Artists, Performers, and Athletes", ""],
        ["Detailed", "13-1011", "Agents and Business Managers of Artists, Performers, and Athletes", "x"],
        ["Detailed", "13-1021", "Buyers and Purchasing Agents, Farm Products", "x"],
    ]
    path = tmp_path / "soc.xlsx"
    _workbook(path, [header, *rows])
    with pytest.raises(SourceFormatError) as err:
        soc.parse(path)
    assert (err.value.row, err.value.column) == (6, "SOC Code")
    assert "13-1021 is not a member of the group 13-1010" in str(err.value)
    # SOC 2018's Physicians broad group (29-1210) holds 29-1211 to 29-1229: read as published
    physicians = [
        ["Major", "29-0000", "Healthcare Practitioners and Technical Occupations", ""],
        ["Minor", "29-1000", "Healthcare Diagnosing or Treating Practitioners", ""],
        ["Broad", "29-1210", "Physicians", ""],
        ["Detailed", "29-1221", "Pediatricians, General", "x"],
    ]
    _workbook(path, [header, *physicians])
    frame, _ = soc.parse(path)
    assert frame.filter(soc_code="29-1221")["broad_code"].to_list() == ["29-1210"]


SOC_HEADER = ["SOC Group", "SOC Code", "SOC Title", "SOC Definition"]


def test_a_blanked_minor_or_major_row_is_refused(tmp_path):
    # without its Minor (13-2000) or Major (15-0000) row, the next codes would be filed under the
    # group above them, and the SOC domains are built on these groups (mutation audit, 27 Nov)
    head = [
        ["Major", "13-0000", "Business", ""],
        ["Minor", "13-1000", "Business Operations", ""],
        ["Broad", "13-1010", "Agents", ""],
        ["Detailed", "13-1011", "Agents", "x"],
    ]
    minor_blanked = [["Broad", "13-2010", "Accountants", ""], ["Detailed", "13-2011", "Accountants", "x"]]
    _workbook(tmp_path / "minor.xlsx", [SOC_HEADER, *head, *minor_blanked])
    with pytest.raises(SourceFormatError, match="not a member of the group 13-1000"):
        soc.parse(tmp_path / "minor.xlsx")
    major_blanked = [
        ["Minor", "15-1200", "Computer", ""],
        ["Broad", "15-1210", "CIS", ""],
        ["Detailed", "15-1211", "CSA", "x"],
    ]
    _workbook(tmp_path / "major.xlsx", [SOC_HEADER, *head, *major_blanked])
    with pytest.raises(SourceFormatError, match="not a member of the group 13-0000"):
        soc.parse(tmp_path / "major.xlsx")
