"""source_files__rows_loaded_are_the_staging_tables_rows builds its query for the staging tables that
exist: a run of a selection may stage only some files into a new database."""

import duckdb

from assets.common.gx_checks import run_suite
from assets.staging.checks import FILE_FED_TABLES, source_files_rows_suite


def _work_db(tables: dict[str, int], listed: dict[str, int]) -> duckdb.DuckDBPyConnection:
    """Staging tables with the given rows, and source_files rows saying how many each file gave."""
    con = duckdb.connect()
    con.execute("create schema staging")
    for table, rows in tables.items():
        con.execute(f"create table {table} as select range as source_row from range({rows})")
    con.execute(
        "create table staging.source_files (target_table varchar, status varchar, rows_loaded bigint)"
    )
    for table, rows in listed.items():
        con.execute("insert into staging.source_files values (?, 'loaded', ?)", [table, rows])
    return con


def _check(con: duckdb.DuckDBPyConnection):
    existing = {
        f"{s}.{t}"
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name = 'staging'"
        ).fetchall()
    }
    suite = source_files_rows_suite(existing)
    ok, failures = run_suite(con.execute(suite.query).df(), suite)
    return ok, {f["expectation"]: [r["target_table"] for r in f["failing_rows"]] for f in failures}


def test_a_selection_that_staged_two_files_passes():
    assert "staging.onet_occupations" in FILE_FED_TABLES
    con = _work_db(
        {"staging.onet_occupations": 3, "staging.onet_task_statements": 5},
        {"staging.onet_occupations": 3, "staging.onet_task_statements": 5},
    )
    assert _check(con) == (True, {})


def test_rows_lost_a_listed_table_never_created_and_an_unlisted_nonempty_table_fail():
    con = _work_db(
        {"staging.onet_occupations": 2, "staging.onet_job_zones": 4},
        {"staging.onet_occupations": 3, "staging.onet_task_statements": 5},
    )
    ok, failing = _check(con)
    assert not ok
    assert sorted(failing["ExpectColumnValuesToBeInSet(column='rows_loaded_equal_table_rows')"]) == [
        "staging.onet_job_zones",  # 4 rows, but no file says it gave them
        "staging.onet_occupations",  # 3 loaded, 2 there now
        "staging.onet_task_statements",  # listed, but not in the database
    ]


def test_a_listed_table_that_is_no_file_fed_staging_table_fails():
    con = _work_db({"staging.onet_occupations": 1}, {"staging.onet_occupations": 1, "staging.mystery": 0})
    ok, failing = _check(con)
    assert not ok
    assert failing["ExpectColumnValuesToBeInSet(column='names_a_file_fed_staging_table')"] == [
        "staging.mystery"
    ]
