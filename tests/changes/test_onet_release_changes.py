"""marts.onet_release_changes: O*NET 28.3 vs 29.0 task statements on the fixture mirror
(tests/fixtures/mirror/README.md lists the four changes), and the states without a previous release."""

import duckdb
import pytest
from dagster import AssetKey

from assets.coverage.document import Doc, to_markdown
from assets.coverage.release_sections import onet_release_changes_section
from tests.conftest import FIXTURES, run_refresh

MIRROR = FIXTURES / "mirror"
SELECTION = [
    AssetKey(["ingest", "onet"]),
    AssetKey(["staging", "onet_occupations"]),
    AssetKey(["staging", "onet_task_statements"]),
    AssetKey(["staging", "onet_task_statements_previous"]),
    AssetKey(["staging", "source_files"]),
    AssetKey(["marts", "onet_release_changes"]),
]


def _run(tmp_path, selection=SELECTION, **overrides):
    result, settings = run_refresh(tmp_path, MIRROR, selection=selection, **overrides)
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert [c for c in failed if "onet" in c or "source_files" in c] == []
    return result, duckdb.connect(str(settings.work_db), read_only=True), settings


def _state(result) -> str:
    (mat,) = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == AssetKey(["staging", "onet_task_statements_previous"])
    ]
    return mat.materialization.metadata["state"].value


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    # The whole graph, so the index report is written too.
    result, con, settings = _run(tmp_path_factory.mktemp("onet28"), None, onet_previous_release="28.3")
    yield result, con, settings
    con.close()


def test_added_removed_reworded_and_moved_tasks_are_listed(compared):
    _, con, _ = compared
    rows = con.execute(
        "select change, task_id, onet_soc_code, previous_onet_soc_code, task, previous_task, "
        "previous_release, current_release from marts.onet_release_changes order by change, task_id"
    ).fetchall()
    assert rows == [
        (
            "added",
            21673,
            "15-1252.00",
            None,
            "Prepare reports or correspondence concerning project specifications, activities, or status.",
            None,
            "28.3",
            "29.0",
        ),
        (
            "moved",
            15373,
            "11-1011.03",
            "11-1011.00",
            "Write and distribute financial or environmental impact reports.",
            "Write and distribute financial or environmental impact reports.",
            "28.3",
            "29.0",
        ),
        (
            "removed",
            8830,
            None,
            "11-1011.00",
            None,
            "Prepare budgets for approval, including those for funding or implementation of programs.",
            "28.3",
            "29.0",
        ),
        (
            "reworded",
            1892,
            "29-2011.00",
            "29-2011.00",
            "Set up, clean, and maintain laboratory equipment.",
            "Clean and maintain laboratory equipment.",
            "28.3",
            "29.0",
        ),
    ]
    # 8842 differs only in whitespace in 28.3: not a rewording.
    assert con.execute("select count(*) from marts.onet_release_changes where task_id = 8842").fetchone() == (
        0,
    )


def test_previous_release_is_staged_and_listed_in_source_files(compared):
    result, con, _ = compared
    assert _state(result) == "loaded"
    assert con.execute(
        "select release, status, rows_read, rows_loaded from staging.source_files "
        "where target_table = 'staging.onet_task_statements_previous'"
    ).fetchall() == [("28.3", "loaded", 11, 11)]
    assert con.execute(
        "select release, acquired_via from ingest.onet where file_key = 'task_statements_previous'"
    ).fetchall() == [("28.3", "mirror")]


def test_the_index_report_counts_each_change(compared):
    *_, settings = compared
    markdown = (settings.warehouse.parent / "reports" / "index.md").read_text(encoding="utf-8")
    assert "Release changes: O\\*NET 28.3 → 29.0" in markdown  # headings are escaped as plain text
    assert "**Task statements:** added 1, removed 1, reworded 1, moved 1." in markdown
    assert "Clean and maintain laboratory equipment." in markdown


def test_a_previous_release_missing_from_the_mirror_is_a_state(tmp_path):
    result, con, _ = _run(tmp_path, onet_previous_release="27.3")
    try:
        assert _state(result) == "absent"
        assert con.execute("select count(*) from marts.onet_release_changes").fetchone() == (0,)
        assert con.execute(
            "select release, status, path, rows_read from staging.source_files "
            "where target_table = 'staging.onet_task_statements_previous'"
        ).fetchall() == [("27.3", "absent", None, 0)]
        # the report says the comparison was asked for and could not be made, not that none was configured
        doc = Doc("index")
        onet_release_changes_section(con, doc)
        assert "27.3 is configured as the previous release (TASKVALUE_ONET_PREVIOUS_RELEASE)" in to_markdown(
            doc
        )
        assert "Only one" not in to_markdown(doc)
    finally:
        con.close()


def test_without_a_previous_release_nothing_is_compared(tmp_path):
    result, con, _ = _run(tmp_path)
    try:
        assert _state(result) == "not_configured"
        assert con.execute("select count(*) from staging.onet_task_statements_previous").fetchone() == (0,)
        assert con.execute("select count(*) from marts.onet_release_changes").fetchone() == (0,)
        # the column keeps its type without a value (a BI tool and the Parquet export saw type NULL)
        assert con.execute(
            "select data_type from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'onet_release_changes' and column_name = 'previous_release'"
        ).fetchone() == ("VARCHAR",)
        # Nothing was loaded, so source_files lists no file for it and ingest acquired none.
        assert con.execute(
            "select count(*) from staging.source_files where target_table = 'staging.onet_task_statements_previous'"
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from ingest.onet where file_key = 'task_statements_previous'"
        ).fetchone() == (0,)
        doc = Doc("index")
        onet_release_changes_section(con, doc)
        assert "set TASKVALUE_ONET_PREVIOUS_RELEASE to compare" in to_markdown(doc)
    finally:
        con.close()


def test_the_published_index_says_only_one_release_is_configured(fixture_settings):
    index = (fixture_settings.warehouse.parent / "reports" / "index.md").read_text(encoding="utf-8")
    assert "release is configured, so no tasks are compared" in index
