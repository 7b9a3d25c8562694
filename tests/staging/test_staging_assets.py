"""The ingest and staging groups run by Dagster over the fixture mirror (tests/fixtures/mirror):
typed tables with comments, staging.source_files, blocking GX checks, and broken inputs that fail
their asset with the file and the column."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from assets.staging.assets import STAGING_TABLE_ASSETS
from tests.conftest import FIXTURES, failure_text, run_refresh
from tests.fixtures.mirror import build_mirror
from tests.staging.staging_queries import AGGREGATE_CODES_SQL, SELECTION

MIRROR = FIXTURES / "mirror"


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    result, settings = run_refresh(tmp_path_factory.mktemp("fixture"), MIRROR, selection=SELECTION)
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    yield result, con
    con.close()


def _copy_mirror(tmp_path: Path) -> Path:
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return mirror


def _refresh_fails_naming(tmp_path, mirror, selection, path, column: str) -> None:
    """The selection fails, and its error names the file and the column."""
    result, _ = run_refresh(tmp_path / "run", mirror, selection=selection, raise_on_error=False)
    assert not result.success
    text = failure_text(result)
    assert f"file {path}" in text and f"column '{column}'" in text


def test_fixture_tables_hold_the_documented_figures(fixture_run):
    _, con = fixture_run
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    assert q("select count(*) from staging.oes_national") == [(15,)]
    assert q(
        "select sum(tot_emp) filter (where o_group = 'detailed'), max(tot_emp) filter (where o_group = 'total') "
        "from staging.oes_national"
    ) == [(1_600_000, 1_600_000)]
    assert q(
        "select a_mean_usd, h_mean_usd::varchar, top_coded from staging.oes_national where occ_code = '11-1011'"
    ) == [(208000, "100.00", True)]
    assert q("select count(*) from staging.oes_national_previous where o_group = 'detailed'") == [(5,)]
    assert q("select count(*), count(distinct naics) from staging.oes_sector") == [(24, 2)]
    assert q("select count(*) from staging.oes_sector where low_reporting") == [(1,)]
    assert q("select count(*), count(distinct onet_soc_code) from staging.onet_task_statements") == [(11, 4)]
    assert q("select count(*) from staging.onet_task_ratings") == [(99,)]
    assert q("select task_id, scale_id from staging.onet_task_ratings where recommend_suppress") == [
        (15373, "RT")
    ]
    assert q("select count(*) from staging.onet_tasks_to_dwas") == [(14,)]
    assert q("select count(*) from staging.soc_structure where soc_group = 'Detailed'") == [(6,)]


def test_aggregate_codes_are_detected_in_the_fixture(fixture_run):
    _, con = fixture_run
    assert con.execute(AGGREGATE_CODES_SQL).fetchall() == [("29-2010",)]


def test_source_files_has_one_row_per_file_with_its_checksum(fixture_run):
    _, con = fixture_run
    rows = con.execute(
        "select target_table, path, sha256, rows_read, rows_loaded, status from staging.source_files"
    ).fetchall()
    # One per staging table, except the previous O*NET release's (not configured here: no file).
    assert len(rows) == len(STAGING_TABLE_ASSETS) - 1 == 15
    for table, path, sha, rows_read, rows_loaded, status in rows:
        assert status == "loaded", table
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
        assert rows_read == rows_loaded > 0


def test_every_staging_column_has_a_comment_and_dagster_column_schema(fixture_run):
    result, con = fixture_run
    missing = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name in ('staging', 'meta') and coalesce(comment, '') = ''"
    ).fetchall()
    assert missing == []
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'staging'"
    ).fetchall()
    assert len(tables) == 17 and all(comment for _, comment in tables)
    # the staging layer's bookkeeping table is documented like the tables it describes
    assert (
        "which source file"
        in con.execute(
            "select comment from duckdb_tables() where schema_name = 'meta' and table_name = 'file_loads'"
        ).fetchone()[0]
    )
    for mat in result.get_asset_materialization_events():
        metadata = mat.materialization.metadata
        if mat.asset_key.path[0] == "staging":
            schema = metadata["dagster/column_schema"].schema
            assert all(c.description for c in schema.columns), mat.asset_key
            empty = mat.asset_key == AssetKey(["staging", "onet_task_statements_previous"])
            assert (metadata["dagster/row_count"].value == 0) == empty, mat.asset_key


def test_every_staging_check_passed(fixture_run):
    result, _ = fixture_run
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 17
    assert [e.check_name for e in evaluations if not e.passed] == []


def test_absent_task_ratings_is_a_state_not_an_error(tmp_path):
    mirror = _copy_mirror(tmp_path)
    (mirror / "onet" / "29.0" / "Task Ratings.txt").unlink()
    keys = [
        AssetKey(["ingest", "onet"]),
        *[AssetKey(["staging", f"onet_{t}"]) for t in ("occupations", "task_statements", "task_ratings")],
    ]
    result, settings = run_refresh(
        tmp_path / "run", mirror, selection=[*keys, AssetKey(["staging", "source_files"])]
    )
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        assert con.execute("select count(*) from staging.onet_task_ratings").fetchall() == [(0,)]
        assert con.execute(
            "select status, path, sha256, rows_read from staging.source_files where file_name = 'Task Ratings.txt'"
        ).fetchall() == [("absent", None, None, 0)]
        assert con.execute(
            "select acquired_via from ingest.onet where file_name = 'Task Ratings.txt'"
        ).fetchall() == [("absent",)]
    finally:
        con.close()


def test_statements_without_task_id_fail_their_asset_naming_file_and_column(tmp_path):
    mirror = _copy_mirror(tmp_path)
    path = mirror / "onet" / "29.0" / "Task Statements.txt"
    lines = path.read_text().split("\n")
    path.write_text(
        "\n".join("\t".join(f for i, f in enumerate(line.split("\t")) if i != 1) for line in lines)
    )
    selection = [AssetKey(["ingest", "onet"]), AssetKey(["staging", "onet_task_statements"])]
    _refresh_fails_naming(tmp_path, mirror, selection, path, "Task ID")


@pytest.mark.parametrize(
    ("file", "marker", "step", "skipped"),
    [
        (
            "Task Statements.txt",
            "\tCore\t",
            "staging__onet_task_statements",
            {
                "onet_tasks_to_dwas__task_ids_exist_in_statements",
                "onet_task_ratings__task_ids_exist_in_statements",
            },
        ),
        (
            "DWA Reference.txt",
            "\t4.A.",
            "staging__onet_dwa_reference",
            {"onet_tasks_to_dwas__links_unique_and_dwas_exist"},
        ),
    ],
)
def test_checks_that_read_another_table_wait_for_it_and_skip_when_it_failed(
    tmp_path, file, marker, step, skipped
):
    # a reviewer's broken statements also failed the checks of ratings and tasks-to-DWAs with
    # "Table ... onet_task_statements does not exist", and with a broken DWA Reference the links
    # check passed on the previous run's table of a reused work database (27 Nov)
    mirror = _copy_mirror(tmp_path)
    path = mirror / "onet" / "29.0" / file
    text = path.read_text()
    assert marker in text
    path.write_text(text.replace(marker, "\t" + marker, 1))  # one row, one field too many
    result, _ = run_refresh(tmp_path / "run", mirror, selection=SELECTION, raise_on_error=False)
    assert not result.success
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    assert failed == [step], failed
    ran = {e.check_name for e in result.get_asset_check_evaluations()}
    assert not skipped & ran


def test_oes_with_a_misspelt_tot_emp_fails_its_asset_naming_file_and_column(tmp_path):
    mirror = _copy_mirror(tmp_path)
    path = mirror / "oes" / "May2024" / "national_M2024_dl.xlsx"
    header = ["TOT_EMPL" if h == "TOT_EMP" else h for h in build_mirror.OES_HEADER]
    build_mirror._write_xlsx(path, "national_M2024_dl", header, build_mirror.national_rows(2024))
    selection = [AssetKey(["ingest", "oes_national"]), AssetKey(["staging", "oes_national"])]
    _refresh_fails_naming(tmp_path, mirror, selection, path, "TOT_EMP")


def test_a_failing_check_blocks_and_names_the_failing_rows(tmp_path):
    mirror = _copy_mirror(tmp_path)
    path = mirror / "onet" / "29.0" / "Task Ratings.txt"
    lines = path.read_text().split("\n")
    fields = lines[8].split("\t")  # row 9 of the file: task 8823, IM
    assert fields[2] == "IM"
    fields[4] = "7.00"  # importance is 1-5
    lines[8] = "\t".join(fields)
    path.write_text("\n".join(lines))
    selection = [
        AssetKey(["ingest", "onet"]),
        AssetKey(["staging", "onet_occupations"]),
        AssetKey(["staging", "onet_task_statements"]),
        AssetKey(["staging", "onet_task_ratings"]),
    ]
    result, _ = run_refresh(tmp_path / "run", mirror, selection=selection, raise_on_error=False)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["onet_task_ratings__scales_in_range"]
    failing = failed[0].metadata["failing_rows"].value
    assert any(9 in (row.get("source_row") for row in f["failing_rows"]) for f in failing)
    # source_row 9 of which file: the check names the file the table was loaded from
    assert failed[0].metadata["source_file"].value == (
        f"rows read from {path} (source_row: the row's line in that file)"
    )


def test_loaded_at_is_utc_whatever_the_machines_time_zone(monkeypatch):
    # current_timestamp into a TIMESTAMP column stored New York time on a New York machine, while the
    # column says UTC
    import datetime as dt
    import time

    import duckdb
    import polars as pl

    from assets.staging.assets import _load

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        con = duckdb.connect()
        con.execute("set TimeZone = 'America/New_York'")
        con.execute("create schema staging")
        file = {"source": "soc", "release": "2018", "file_name": "x.xlsx", "path": "/x.xlsx", "sha256": "0"}
        _load(con, "staging.t", pl.DataFrame({"a": [1]}), file, 1, "A table.", {"a": "A column."})
        (loaded,) = con.execute("select loaded_at from meta.file_loads").fetchone()
        utc_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert abs((utc_now - loaded).total_seconds()) < 60
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_staging_asset_without_its_ingest_table_says_which_to_materialize():
    # a selection of staging alone on a fresh work database failed with DuckDB's "Python Object 'soc'
    # of type module ... not suitable for replacement scans"
    import duckdb
    import pytest

    from assets.common.errors import TaskvalueError
    from assets.staging.assets import _file_row

    with pytest.raises(
        TaskvalueError, match=r"ingest.soc is not in the work database: materialize ingest/soc first"
    ):
        _file_row(duckdb.connect(), "soc", "soc_structure")


def test_a_file_of_the_published_release_that_lost_rows_is_refused(tmp_path):
    # a reviewer cut Tasks to DWAs.txt at a line boundary: it parsed, and the published digital value
    # fell from $7.13tn to $4.52tn with no warning (27 Nov). A release's files do not change.
    published, settings = run_refresh(tmp_path / "published", MIRROR, selection=SELECTION)
    assert published.success
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(settings.work_db, run / "taskvalue.duckdb")  # what the next refresh compares with
    mirror = _copy_mirror(tmp_path)
    dwas = mirror / "onet" / "29.0" / "Tasks to DWAs.txt"
    lines = dwas.read_text().splitlines(keepends=True)
    dwas.write_text("".join(lines[: len(lines) // 2]))  # cut at a line boundary: still parses

    result, _ = run_refresh(run, mirror, selection=SELECTION, raise_on_error=False)
    assert not result.success
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "source_files__no_file_of_a_release_lost_rows_since_publish"
    ]
    assert not evaluation.passed and evaluation.severity.value == "ERROR"
    kept, before = len(lines) // 2 - 1, len(lines) - 1  # data rows, the header aside
    assert evaluation.metadata["files"].value.startswith(
        f"- Tasks to DWAs.txt (onet 29.0, staging.onet_tasks_to_dwas): {kept:,} rows, {before:,} in the "
        "published warehouse"
    )
    # on purpose: accepted, and said so
    result, _ = run_refresh(run, mirror, selection=SELECTION, accept_changed_checksums=True)
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "source_files__no_file_of_a_release_lost_rows_since_publish"
    ]
    assert (
        evaluation.passed
        and "Accepted: TASKVALUE_ACCEPT_CHANGED_CHECKSUMS" in evaluation.metadata["files"].value
    )


SOURCE_FILES_COLUMNS = "target_table varchar, source varchar, release varchar, file_name varchar, rows_read bigint, sha256 varchar"


def _source_files(con, rows) -> None:
    con.execute(
        f"create schema if not exists staging; create table staging.source_files ({SOURCE_FILES_COLUMNS})"
    )
    if rows:
        con.executemany("insert into staging.source_files values (?, ?, ?, ?, ?, ?)", rows)


def test_only_a_changed_file_of_the_same_release_with_fewer_rows_counts_as_shrunk(tmp_path):
    # mutation audit (27 Nov): the rule's three conditions, one at a time
    from assets.staging.source_shrink import shrunk_since_publish

    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        _source_files(
            con,
            [
                ("staging.a", "onet", "29.0", "A.txt", 100, "x"),  # re-saved, as many rows: kept
                (
                    "staging.b",
                    "onet",
                    "29.0",
                    "B.txt",
                    100,
                    "y",
                ),  # same bytes, fewer rows: the parser, not the file
                ("staging.c", "oes", "2023", "C.xlsx", 100, "z"),  # another release: not compared
                ("staging.d", "onet", "29.0", "D.txt", 100, "w"),  # new bytes, fewer rows: shrunk
            ],
        )
    con = duckdb.connect()
    _source_files(
        con,
        [
            ("staging.a", "onet", "29.0", "A.txt", 100, "x2"),
            ("staging.b", "onet", "29.0", "B.txt", 90, "y"),
            ("staging.c", "oes", "2024", "C.xlsx", 50, "z2"),
            ("staging.d", "onet", "29.0", "D.txt", 99, "w2"),
        ],
    )
    assert shrunk_since_publish(con, published) == [("staging.d", "onet", "29.0", "D.txt", 100, 99)]


def test_an_unreadable_published_warehouse_makes_the_shrink_check_warn(tmp_path, shared_data):
    from dagster_duckdb import DuckDBResource

    from assets.staging.source_shrink import no_file_of_a_release_lost_rows
    from tests.conftest import settings_for

    settings = settings_for(tmp_path, shared_data)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse.write_bytes(b"not a duckdb file")
    settings.work_db.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.work_db)) as con:
        _source_files(con, [])
    result = no_file_of_a_release_lost_rows(
        settings=settings, duckdb=DuckDBResource(database=str(settings.work_db))
    )
    assert not result.passed and result.severity.value == "WARN"
