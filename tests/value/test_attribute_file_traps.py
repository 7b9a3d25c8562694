"""Attribute files as analysts save them: each trap either reads exactly or stops naming file, row and
column. None may lose a row silently (an unbalanced quote used to swallow the rows below it)."""

from __future__ import annotations

import polars as pl
import pytest

from assets.common.errors import SourceFormatError
from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, replace_table_from_frame
from assets.value.attributes import read_attribute_file

HEAD = "O*NET-SOC Code\tTask ID\tscore\tnote\n"


def read(tmp_path, text: str | bytes, name: str = "a.tsv", task_id: str = "Task ID"):
    f = tmp_path / name
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    return read_attribute_file(f, task_id, "O*NET-SOC Code")


def values(read_file, attribute: str = "score") -> dict:
    rows = read_file.long.filter(pl.col("attribute") == attribute)
    return dict(zip(rows["task_id_raw"], rows["attribute_value"], strict=True))


def test_an_unbalanced_quote_stops_the_run_instead_of_swallowing_rows(tmp_path):
    text = (
        HEAD
        + '15-1252.00\t8823\t0.5\t"see manual p.3\n15-1252.00\t8824\t0.5\tok\n15-1252.00\t8825\t0.5\tpipe 12"\n'
    )
    with pytest.raises(
        SourceFormatError, match=r"a\.tsv, row 1: a quote opens a cell that runs over lines 2-4"
    ):
        read(tmp_path, text + "15-1252.00\t8826\t0.5\t\n")


def test_a_quoted_cell_over_several_lines_reads_and_later_rows_keep_their_line_numbers(tmp_path):
    # what pandas' to_csv and Excel (Alt+Enter) write for text with a line break
    got = read(
        tmp_path,
        'Task ID,Task,beta\r\n8823,"Direct or coordinate\r\nfinancial activities",0.5\r\n8831,Appoint heads,1\r\n',
        name="m.csv",
    )
    assert values(got, "beta") == {"8823": 0.5, "8831": 1.0}
    assert sorted(set(got.long["source_row"])) == [1, 3]  # line number minus the header's
    # a continuation line with commas is prose, not a row: no Task ID where the ID goes
    got = read(tmp_path, 'Task ID,score,note\n8823,0.5,"first line\nthen, also, this"\n', name="c.csv")
    assert values(got) == {"8823": 0.5}


@pytest.mark.parametrize(
    "body",
    [
        '8823\t0.5\t"see manual\n8824\t0.25\n8825\t0.75\tpipe 12"\n8826\t1\tok\n',  # a short row inside
        '8823\t0.5\t"see manual\n\n8824\t0.25\tx\n8825\t0.75\tpipe 12"\n',  # a blank line inside
    ],
)
def test_rows_swallowed_by_a_stray_quote_are_caught_however_they_are_shaped(tmp_path, body):
    with pytest.raises(
        SourceFormatError, match=r"row 1: a quote opens a cell that runs over lines 2-\d, and line \d"
    ):
        read(tmp_path, "Task ID\tscore\tnote\n" + body)


def test_a_quote_open_until_the_end_names_the_row_where_it_opened(tmp_path):
    with pytest.raises(SourceFormatError, match=r"row 1: bad quoting"):
        read(tmp_path, 'Task ID\tscore\tnote\n8823\t0.5\t"open\n')


def test_a_long_text_cell_is_read_not_called_bad_quoting(tmp_path):
    # beyond the csv module's default field limit (128 kB)
    got = read(tmp_path, f'Task ID,score,note\n8823,0.5,"{"x" * 200_000}"\n', name="l.csv")
    assert values(got) == {"8823": 0.5}


def test_pandas_quoting_in_a_tsv_still_reads(tmp_path):
    got = read(tmp_path, HEAD + '11-1011.00\t8823\t0.5\t"Conduct ""head counts"""\n11-1011.00\t8824\t1\t\n')
    assert values(got) == {"8823": 0.5, "8824": 1.0}
    assert got.ignored == {"note": "not numeric (data row 1: 'Conduct \"head counts\"')"}


def test_short_rows_are_padded_long_rows_with_data_stop_and_repeated_names_are_kept(tmp_path):
    # an editor strips trailing tabs: the missing cells are empty, nothing is lost
    got = read(tmp_path, "Task ID\tscore\tnote\n8823\t0.5\tchecked\n8831\t0.25\n")
    assert values(got) == {"8823": 0.5, "8831": 0.25}
    assert got.padded == [2]  # counted, for the run's warning
    # empty trailing cells beyond the header (a spreadsheet's trailing delimiters) hold nothing either
    assert values(read(tmp_path, "Task ID,score\n8823,0.5,,\n", name="a.csv")) == {"8823": 0.5}
    with pytest.raises(SourceFormatError, match=r"row 2: 5 cells where the header has 4"):
        read(tmp_path, HEAD + "a\t8823\t1\tx\nb\t8824\t1\tx\ty\n")
    got = read(tmp_path, "Task ID\tscore\tscore\tscore \n8823\t1\t2\t3\n")
    assert got.attributes == ["score", "score (column 3)", "score (column 4)"]
    # a generated name never takes another column's: 'a (column 4)' is written further on
    got = read(tmp_path, "Task ID,a,a (column 4),a\n8823,1,2,3\n", name="n.csv")
    assert dict(got.long.select("attribute", "attribute_value").rows()) == {
        "a": 1.0,
        "a (column 4)": 2.0,
        "a (column 4) (2)": 3.0,
    }


def test_padded_numbers_count_and_a_stray_percent_is_named_with_its_row(tmp_path):
    got = read(
        tmp_path, "Task ID,score,pct,blank,label\n8823, 0.5 ,1,,E1\n8824,0.25 ,20%,,E2\n", name="a.csv"
    )
    assert values(got) == {"8823": 0.5, "8824": 0.25}
    assert got.ignored == {
        "pct": "not numeric (data row 2: '20%'; 1 other cells are numbers)",
        "blank": "empty: no values",
        "label": "not numeric (data row 1: 'E1')",
    }
    assert got.stray == {"pct"}  # worth a warning; a text column such as 'label' is not


def test_non_ascii_digits_are_not_numbers(tmp_path):
    got = read(tmp_path, "Task ID\tscore\tother\n8823\t\u0661\t1\n8824\t\uff10.\uff15\t1\n")
    assert got.ignored == {"score": "not numeric (data row 1: '\u0661')"}


def test_infinite_values_stop_the_run_and_values_no_multiplier_has_are_no_attribute(tmp_path):
    with pytest.raises(SourceFormatError, match=r"row 2, column 'score': infinite value 'Infinity'"):
        read(tmp_path, "Task ID\tscore\n8823\t1\n8824\tInfinity\n")
    # an employment count is not a multiplier of a task's value (and would overflow the products)
    got = read(tmp_path, "Task ID\tscore\temployment\n8823\t1\t1650000\n")
    assert got.attributes == ["score"] and got.stray == {"employment"}
    assert got.ignored["employment"].startswith("beyond ±100,000 (data row 1: 1.65e+06)")


def test_cp1252_and_utf16_files_read(tmp_path):
    got = read(tmp_path, "Task ID\tExposición score\n8823\t0.5\n".encode("cp1252"))
    assert got.attributes == ["Exposición score"]
    got = read(tmp_path, "Task ID\tscore\r\n8823\t0.5\r\n".encode("utf-16"))
    assert values(got) == {"8823": 0.5}


@pytest.mark.parametrize("header", ["task_id", "TaskID", "Task ID ", "TASK-ID"])
def test_the_task_id_column_is_found_ignoring_case_spaces_and_punctuation(tmp_path, header):
    assert values(read(tmp_path, f"{header}\tscore\n8823\t0.5\n")) == {"8823": 0.5}


def test_two_candidate_task_id_columns_are_refused_and_a_missing_one_names_the_setting(tmp_path):
    with pytest.raises(SourceFormatError, match=r"\['task_id', 'TaskID'\] all match 'Task ID'"):
        read(tmp_path, "task_id\tTaskID\tscore\n8823\t8823\t0.5\n")
    with pytest.raises(SourceFormatError, match="TASKVALUE_TASK_ATTRIBUTES_TASK_ID_COLUMN"):
        read(tmp_path, "id\tscore\n8823\t0.5\n")


def test_columns_named_like_the_readers_own_columns_are_attributes(tmp_path):
    got = read(tmp_path, "Task ID\ttask_id\tattribute\tsource_row\n8823\t1\t2\t3\n")
    assert got.attributes == ["task_id", "attribute", "source_row"]
    assert got.long.select("attribute", "attribute_value").rows() == [
        ("attribute", 2.0),
        ("source_row", 3.0),
        ("task_id", 1.0),
    ]
    assert got.long["task_id"].to_list() == [8823] * 3


def test_a_header_without_rows_says_so(tmp_path):
    with pytest.raises(SourceFormatError, match="no data rows"):
        read(tmp_path, "Task ID\tscore\n")


def test_codes_are_trimmed_and_missing_markers_are_null(tmp_path):
    got = read(tmp_path, "O*NET-SOC Code\tTask ID\tscore\n 11-1011.00 \t8823\t1\nNA\t8824\t1\n")
    assert got.long["onet_soc_code"].to_list() == ["11-1011.00", None]


def test_parquet_text_numbers_and_list_columns(tmp_path):
    f = tmp_path / "a.parquet"
    pl.DataFrame(
        {
            "Task ID": [8823, 8824, 8825],
            "score_txt": [" 0.5", "n/a", "0.7"],
            "tags": [["a"], [], ["b"]],
            "flag": [True, False, None],
        }
    ).write_parquet(f)
    got = read_attribute_file(f, "Task ID", "O*NET-SOC Code")
    assert got.attributes == ["score_txt", "flag"]
    assert got.ignored == {"tags": "not one value per row (a list or binary column)"}
    assert values(got, "score_txt") == {"8823": 0.5, "8824": None, "8825": 0.7}


def test_unmatched_reasons_say_what_is_wrong_with_the_row(fixture_settings, tmp_path):
    """A missing Task ID and an O*NET-SOC code the release lacks are reported as such, not as 'not a
    whole number' and 'under another occupation'."""
    import duckdb

    f = tmp_path / "a.tsv"
    f.write_text(
        "O*NET-SOC Code\tTask ID\tscore\n"
        "15-1252.00\t21667\t1\n"  # matches
        "15-1252\t21670\t1\n"  # the SOC code, not the O*NET-SOC code
        "15-1252.00\t\t1\n"  # no Task ID
        "11-1011.00\t21673\t1\n"  # a real occupation, not this task's
    )
    con = duckdb.connect()
    con.execute(f"attach '{fixture_settings.warehouse}' as fx (read_only)")
    for schema, table in [("marts", "task_value"), ("staging", "onet_task_statements")]:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {schema}.{table} as select * from fx.{schema}.{table}")
    con.execute("create schema int")
    replace_table_from_frame(
        con, "int.task_attributes_raw", read_attribute_file(f, "Task ID", "O*NET-SOC Code").long
    )
    for table in ("task_attribute_value", "task_attribute_unmatched"):
        build_sql_model(con, load_model("marts", table))
    assert con.execute(
        "select source_row, reason from marts.task_attribute_unmatched order by 1"
    ).fetchall() == [
        (2, "onet_soc_code_not_in_release"),
        (3, "task_id_missing"),
        (4, "task_id_under_other_occupation"),
    ]
    assert con.execute("select source_row from marts.task_attribute_value").fetchall() == [(1,)]
    # a repeat with an empty code cell, above the row naming the occupation: the named row is used,
    # the other is its duplicate (first in the file, it won and the named row was the duplicate)
    f.write_text("O*NET-SOC Code\tTask ID\tscore\n\t21667\t0\n15-1252.00\t21667\t1\n")
    replace_table_from_frame(
        con, "int.task_attributes_raw", read_attribute_file(f, "Task ID", "O*NET-SOC Code").long
    )
    for table in ("task_attribute_value", "task_attribute_unmatched"):
        build_sql_model(con, load_model("marts", table))
    assert con.execute("select source_row, attribute_value from marts.task_attribute_value").fetchall() == [
        (2, 1.0)
    ]
    assert con.execute(
        "select source_row, reason, duplicate_of_source_row, conflicting_values from marts.task_attribute_unmatched"
    ).fetchall() == [(1, "duplicate_row", 2, True)]


def test_a_column_of_numbers_left_out_is_a_warning_in_the_ui(tmp_path):
    # one 'NAN' among numbers removed the column with a line in the run log as its only trace
    from dagster import materialize
    from dagster_duckdb import DuckDBResource

    from assets.value.assets import task_attributes_raw
    from assets.value.config import value_settings_from_env
    from tests.conftest import settings_for

    f = tmp_path / "labels.tsv"
    f.write_text("Task ID\tscore\tshare\tlabel\n21667\t1\t0.5\tE1\n21670\t0\tNAN\tE0\n")
    settings = settings_for(tmp_path, tmp_path)
    settings.work_db.parent.mkdir(parents=True)
    result = materialize(
        [task_attributes_raw],
        resources={
            "settings": settings,
            "value_settings": value_settings_from_env(environ={}, task_attributes_path=str(f)),
            "duckdb": DuckDBResource(database=str(settings.work_db)),
        },
    )
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "task_attributes_raw__every_column_of_numbers_is_an_attribute"
    assert not check.passed and check.severity.value == "WARN"
    # the label column (text) is no concern; the share column is
    assert check.metadata["columns_left_out"].value == {
        "share": "not numeric (data row 2: 'NAN'; 1 other cells are numbers)"
    }
    # and as markdown, which the command line prints under the check's name (it skips JSON)
    assert (
        check.metadata["columns"].value
        == "- 'share': not numeric (data row 2: 'NAN'; 1 other cells are numbers)"
    )


def test_only_pandas_index_columns_are_left_out_as_index(tmp_path):
    # 'Unnamed: 0' first is pandas' index; 'Unnamed: 3' further right is a column whose header cell
    # was blank when pandas read it: its numbers are an attribute (it was dropped as 'index')
    got = read(tmp_path, "Unnamed: 0\tTask ID\tscore\tUnnamed: 3\n0\t21667\t1\t0.25\n1\t21670\t0\t0.75\n")
    assert got.ignored == {"Unnamed: 0": "index"}
    assert values(got, "Unnamed: 3") == {"21667": 0.25, "21670": 0.75}
