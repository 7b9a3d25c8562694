"""O*NET text files: the fixture release (tests/fixtures/mirror/onet/29.0) and hostile variants of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from assets.common.errors import SourceFormatError
from assets.staging import onet
from tests.conftest import FIXTURES

RELEASE = FIXTURES / "mirror" / "onet" / "29.0"
RATINGS_HEADER = (
    "O*NET-SOC Code\tTask ID\tScale ID\tCategory\tData Value\tN\tStandard Error\tLower CI Bound\t"
    "Upper CI Bound\tRecommend Suppress\tDate\tDomain Source"
)
STATEMENTS_HEADER = "O*NET-SOC Code\tTask ID\tTask\tTask Type\tIncumbents Responding\tDate\tDomain Source"


def test_task_ratings_fixture_has_the_published_header():
    assert (RELEASE / "Task Ratings.txt").read_text().split("\n")[0] == RATINGS_HEADER


def test_task_ratings_are_typed():
    frame, rows_read = onet.parse("task_ratings", RELEASE / "Task Ratings.txt")
    assert rows_read == frame.height == 99  # 11 tasks x (FT 1-7, IM, RT)
    ft = frame.filter(frame["scale_id"] == "FT")
    assert sorted(set(ft["category"])) == [1, 2, 3, 4, 5, 6, 7]
    assert frame.filter(frame["scale_id"] != "FT")["category"].null_count() == 22  # n/a on IM and RT
    by_key = {(r["task_id"], r["scale_id"], r["category"]): r for r in frame.iter_rows(named=True)}

    split = by_key[(8823, "FT", 4)]
    assert split["data_value"] == 50.0 and split["n"] == 20 and split["standard_error"] == 1.0
    assert split["lower_ci_bound"] == 48.0 and split["recommend_suppress"] is False
    assert split["date"] == dt.date(2023, 8, 1) and split["domain_source"] == "Incumbent"
    assert by_key[(8823, "IM", None)]["data_value"] == 4.5
    assert by_key[(21670, "RT", None)]["data_value"] == 80.0

    suppressed = [
        (r["task_id"], r["scale_id"]) for r in frame.iter_rows(named=True) if r["recommend_suppress"]
    ]
    assert suppressed == [(15373, "RT")]
    analyst = by_key[(21667, "FT", 6)]  # analyst ratings publish n/a statistics
    assert analyst["data_value"] == 100.0
    assert all(analyst[c] is None for c in ("n", "standard_error", "lower_ci_bound", "recommend_suppress"))
    # Each task's FT distribution sums to 100%.
    sums = ft.group_by("task_id").agg(pl.col("data_value").sum())
    assert set(sums["data_value"]) == {100.0}
    assert frame["source_row"].to_list() == list(range(2, 101))


def test_task_ratings_lines_as_the_29_x_file_prints_them(tmp_path):
    # the statistics as O*NET 28.2+ print them (4 decimals), an FT category of 0.00 with n/a bounds, and
    # an Occupational Expert RT row whose statistics and Recommend Suppress are all n/a
    lines = [
        RATINGS_HEADER,
        "11-1011.00\t8823\tFT\t1\t5.92\t76\t4.2651\t1.3474\t22.4442\tN\t08/2023\tIncumbent",
        "11-1011.00\t8823\tFT\t7\t0.00\t76\t0.0000\tn/a\tn/a\tN\t08/2023\tIncumbent",
        "11-1011.00\t8823\tIM\tn/a\t4.52\t75\t0.1055\t4.3146\t4.7350\tN\t08/2023\tIncumbent",
        "29-2036.00\t22834\tRT\tn/a\t100.00\t20\tn/a\tn/a\tn/a\tn/a\t08/2024\tOccupational Expert",
    ]
    path = tmp_path / "Task Ratings.txt"
    path.write_text("\n".join(lines) + "\n")
    frame, rows_read = onet.parse("task_ratings", path)
    assert rows_read == frame.height == 4
    rows = frame.select(
        "task_id",
        "scale_id",
        "category",
        "data_value",
        "n",
        "standard_error",
        "lower_ci_bound",
        "recommend_suppress",
        "date",
        "domain_source",
    ).rows()
    assert rows == [
        (8823, "FT", 1, 5.92, 76, 4.2651, 1.3474, False, dt.date(2023, 8, 1), "Incumbent"),
        (8823, "FT", 7, 0.0, 76, 0.0, None, False, dt.date(2023, 8, 1), "Incumbent"),
        (8823, "IM", None, 4.52, 75, 0.1055, 4.3146, False, dt.date(2023, 8, 1), "Incumbent"),
        (22834, "RT", None, 100.0, 20, None, None, None, dt.date(2024, 8, 1), "Occupational Expert"),
    ]


def test_task_statements_keep_n_a_as_null():
    frame, _ = onet.parse("task_statements", RELEASE / "Task Statements.txt")
    rows = {r["task_id"]: r for r in frame.iter_rows(named=True)}
    assert rows[8842]["task_type"] == "Supplemental" and rows[8842]["incumbents_responding"] == 94
    assert rows[21667]["task_type"] is None and rows[21667]["incumbents_responding"] is None
    assert rows[1886]["date"] == dt.date(2013, 7, 1)


@pytest.mark.parametrize("key", list(onet.SPECS))
def test_every_fixture_file_parses_and_counts_its_rows(key):
    from assets.ingest.catalog import ONET_FILES

    path = RELEASE / ONET_FILES[key]
    frame, rows_read = onet.parse(key, path)
    lines = path.read_text().rstrip("\n").split("\n")
    assert rows_read == frame.height == len(lines) - 1 > 0
    assert set(frame.columns) == {c.name for c in onet.SPECS[key]} | {"source_row"}


# --- hostile files: a new release that renamed or dropped columns, broken rows, other encodings ----


def _write(tmp_path: Path, text: str, name: str = "Task Statements.txt", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _error(key: str, path: Path) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as err:
        onet.parse(key, path)
    return err.value


def test_statements_without_a_task_id_column_name_file_and_column(tmp_path):
    path = _write(tmp_path, "O*NET-SOC Code\tTask\tTask Type\n15-1252.00\tDesign software.\tCore\n")
    err = _error("task_statements", path)
    assert (err.file, err.column) == (str(path), "Task ID")
    assert f"file {path}" in str(err) and "'Task ID'" in str(err) and "missing" in str(err)


def test_a_renamed_column_is_a_clear_error_listing_what_was_found(tmp_path):
    text = (
        RATINGS_HEADER.replace("Data Value", "Value")
        + "\n15-1252.00\t21667\tIM\tn/a\t4.5\t"
        + "\t".join(["n/a"] * 7)
    )
    path = _write(tmp_path, text + "\n", "Task Ratings.txt")
    err = _error("task_ratings", path)
    assert err.column == "Data Value" and "Value" in str(err) and str(path) in str(err)


def test_reordered_and_recased_columns_with_an_extra_one_still_parse(tmp_path):
    text = (
        "task id\tO*NET-SOC CODE\tTASK TYPE\tTask\tIncumbents  Responding\tNew Column\n"
        "21667\t15-1252.00\tCore\tDesign software.\t12\tx\n"
    )
    frame, _ = onet.parse("task_statements", _write(tmp_path, text))
    row = frame.row(0, named=True)
    assert (row["task_id"], row["task_type"], row["incumbents_responding"]) == (21667, "Core", 12)
    assert row["date"] is None and row["domain_source"] is None  # optional columns absent from this release


def test_ragged_row_names_file_and_row(tmp_path):
    text = f"{STATEMENTS_HEADER}\n15-1252.00\t21667\tDesign.\tCore\t5\t08/2024\tAnalyst\n15-1252.00\t21670\tFix bugs.\n"
    err = _error("task_statements", _write(tmp_path, text))
    assert err.row == 3 and "expected 7 tab-separated fields, found 3" in str(err)


def test_non_numeric_task_id_names_row_and_column(tmp_path):
    text = f"{STATEMENTS_HEADER}\n15-1252.00\t21667.5\tDesign.\tCore\t5\t08/2024\tAnalyst\n"
    err = _error("task_statements", _write(tmp_path, text))
    assert (err.row, err.column) == (2, "Task ID") and "'21667.5'" in str(err)


def test_an_empty_required_value_names_row_and_column(tmp_path):
    text = f"{STATEMENTS_HEADER}\n15-1252.00\t21667\tn/a\tCore\t5\t08/2024\tAnalyst\n"
    err = _error("task_statements", _write(tmp_path, text))
    assert (err.row, err.column) == (2, "Task")


def test_a_duplicated_header_is_refused(tmp_path):
    err = _error("occupations", _write(tmp_path, "O*NET-SOC Code\tTitle\ttitle\n11-1011.00\ta\tb\n"))
    assert err.column == "title"


def test_a_bad_date_names_row_and_column(tmp_path):
    text = f"{STATEMENTS_HEADER}\n15-1252.00\t21667\tDesign.\tCore\t5\t13/2024\tAnalyst\n"
    err = _error("task_statements", _write(tmp_path, text))
    assert (err.row, err.column) == (2, "Date")


def test_quotes_are_text_not_csv_quoting(tmp_path):
    text = (
        f'{STATEMENTS_HEADER}\n15-1252.00\t21667\t"Design" software, "quickly.\tCore\t5\t08/2024\tAnalyst\n'
    )
    frame, _ = onet.parse("task_statements", _write(tmp_path, text))
    assert frame["task"].to_list() == ['"Design" software, "quickly.']


# Encodings. Behaviour: UTF-8 (BOM optional) is read as is; a file that is not valid UTF-8 is decoded
# line by line, UTF-8 where a line is valid and cp1252 where it is not; CRLF and CR become LF; UTF-16
# (with BOM) is decoded whole. A line that is neither UTF-8 nor cp1252 stops the load with its row.


def test_cp1252_file_decodes(tmp_path):
    text = f"{STATEMENTS_HEADER}\r\n15-1252.00\t21667\tReview résumés – “quickly”.\tCore\t5\t08/2024\tAnalyst\r\n"
    frame, _ = onet.parse("task_statements", _write(tmp_path, text, encoding="cp1252"))
    assert frame["task"].to_list() == ["Review résumés – “quickly”."]


def test_mixed_utf8_and_cp1252_lines_both_decode(tmp_path):
    utf8_line = "15-1252.00\t21667\tCafé menus.\tCore\t5\t08/2024\tAnalyst\n".encode()
    cp1252_line = "15-1252.00\t21670\tCafé signs.\tCore\t5\t08/2024\tAnalyst\n".encode("cp1252")
    path = tmp_path / "Task Statements.txt"
    path.write_bytes(b"\xef\xbb\xbf" + STATEMENTS_HEADER.encode() + b"\n" + utf8_line + cp1252_line)
    frame, _ = onet.parse("task_statements", path)
    assert frame["task"].to_list() == ["Café menus.", "Café signs."]


def test_utf16_export_decodes(tmp_path):
    text = f"{STATEMENTS_HEADER}\r\n15-1252.00\t21667\tNaïve code.\tCore\t5\t08/2024\tAnalyst\r\n"
    frame, _ = onet.parse("task_statements", _write(tmp_path, text, encoding="utf-16"))
    assert frame["task"].to_list() == ["Naïve code."]


def test_undecodable_line_names_the_row(tmp_path):
    path = tmp_path / "Task Statements.txt"
    bad = b"15-1252.00\t21667\tBad \x81 byte.\tCore\t5\t08/2024\tAnalyst\n"
    path.write_bytes(STATEMENTS_HEADER.encode() + b"\n" + bad)
    err = _error("task_statements", path)
    assert err.row == 2 and "neither UTF-8 nor cp1252" in str(err)


def test_a_10_mb_field_loads_intact(tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    text = f"{STATEMENTS_HEADER}\n15-1252.00\t21667\t{huge}\tCore\t5\t08/2024\tAnalyst\n"
    frame, _ = onet.parse("task_statements", _write(tmp_path, text))
    assert frame["task"].str.len_chars().to_list() == [len(huge)]


def test_an_empty_file_is_refused(tmp_path):
    err = _error("job_zones", _write(tmp_path, "", "Job Zones.txt"))
    assert "empty" in str(err)
