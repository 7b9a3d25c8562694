"""Real files in ../shared/data: every ingest and staging asset materialized by Dagster, and every OES
vintage 2020-2024 parsed. Figures are the ones in ../shared/DOMAIN.md and PROVENANCE.md."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.staging import oes
from tests.conftest import SHARED_DATA, run_refresh
from tests.staging.staging_queries import AGGREGATE_CODES_SQL, SELECTION

MAY_2024_AGGREGATES = [
    "13-1020", "13-2020", "21-1018", "25-2052", "25-9045", "29-2010",
    "31-1120", "39-7010", "47-4090", "51-2028", "51-2090", "53-1047",
]  # fmt: skip


def provenance_sha256() -> dict[str, str]:
    """file path (relative to shared/data) -> sha256, from the tables in PROVENANCE.md."""
    text = (SHARED_DATA / "PROVENANCE.md").read_text()
    return dict(re.findall(r"^\| `([^`]+)` \| [\d,]+ \| `([0-9a-f]{64})` \|", text, flags=re.M))


@pytest.fixture(scope="module")
def real_staging(tmp_path_factory, shared_data):
    result, settings = run_refresh(tmp_path_factory.mktemp("real_staging"), shared_data, selection=SELECTION)
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    yield result, con
    con.close()


def _one(con, sql):
    return con.execute(sql).fetchone()


@pytest.mark.slow
def test_may_2024_employment_reconciles(real_staging):
    _, con = real_staging
    total, detailed = _one(
        con,
        "select max(tot_emp) filter (where o_group = 'total'), sum(tot_emp) filter (where o_group = 'detailed') "
        "from staging.oes_national",
    )
    assert total == 154_187_380
    assert detailed == 154_186_300 and abs(detailed / total - 1) < 0.001
    groups = dict(con.execute("select o_group, count(*) from staging.oes_national group by all").fetchall())
    assert groups == {"total": 1, "major": 22, "minor": 94, "broad": 455, "detailed": 831}
    assert _one(con, "select max(tot_emp) from staging.oes_national_previous where o_group = 'total'") == (
        151_853_870,
    )
    assert _one(
        con, "select count(*), count(*) filter (where occ_code = '00-0000') from staging.oes_sector"
    ) == (
        16_434,
        20,
    )


@pytest.mark.slow
def test_onet_29_0_figures(real_staging):
    _, con = real_staging
    assert _one(con, "select count(*), count(distinct task_id) from staging.onet_task_statements") == (
        18_796,
        18_796,
    )
    assert _one(con, "select count(distinct onet_soc_code) from staging.onet_task_statements") == (923,)
    assert _one(con, "select count(*) from staging.onet_occupations") == (1_016,)
    types = dict(
        con.execute("select task_type, count(*) from staging.onet_task_statements group by all").fetchall()
    )
    assert types == {"Core": 13_417, "Supplemental": 4_222, None: 1_157}
    assert _one(con, "select count(*) from staging.onet_tasks_to_dwas") == (23_233,)
    assert _one(con, "select count(*) from staging.onet_dwa_reference") == (2_087,)
    assert _one(con, "select count(*) from staging.onet_iwa_reference") == (332,)
    assert _one(con, "select count(*) from staging.onet_content_model_reference") == (627,)
    assert _one(con, "select count(*) from staging.onet_job_zones") == (923,)
    assert _one(con, "select count(*) from staging.onet_emerging_tasks") == (240,)
    assert _one(con, "select count(*) from staging.onet_task_categories") == (7,)
    assert _one(con, "select count(*) from staging.onet_task_ratings") == (0,)  # not in ../shared/data
    assert _one(
        con, "select count(*), count(distinct onet_soc_code) from staging.onet_technology_skills"
    ) == (
        32_470,
        923,
    )
    assert _one(
        con,
        "select commodity_code, commodity_title, hot_technology, in_demand from staging.onet_technology_skills "
        "where onet_soc_code = '15-1252.00' and example = 'Django'",
    ) == (43232408, "Web platform development software", True, False)


@pytest.mark.slow
def test_the_12_may_2024_aggregate_codes_are_detected(real_staging):
    _, con = real_staging
    assert [c for (c,) in con.execute(AGGREGATE_CODES_SQL).fetchall()] == MAY_2024_AGGREGATES
    soc = dict(con.execute("select soc_group, count(*) from staging.soc_structure group by all").fetchall())
    assert soc == {"Major": 23, "Minor": 98, "Broad": 459, "Detailed": 867}


@pytest.mark.slow
def test_source_files_match_provenance(real_staging, shared_data):
    _, con = real_staging
    expected = provenance_sha256()
    rows = con.execute(
        "select target_table, path, sha256, status, rows_read, rows_loaded from staging.source_files"
    ).fetchall()
    assert len(rows) == 15  # one per staging table, so one per file
    for table, path, sha, status, rows_read, rows_loaded in rows:
        if table == "staging.onet_task_ratings":
            assert (status, path, sha, rows_read, rows_loaded) == ("absent", None, None, 0, 0)
            continue
        relative = str(Path(path).relative_to(shared_data))
        assert status == "loaded" and sha == expected[relative], table
        assert rows_read == rows_loaded > 0


@pytest.mark.slow
def test_every_staging_column_is_commented_and_every_check_passed(real_staging):
    result, con = real_staging
    undocumented = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'staging' and coalesce(comment, '') = ''"
    ).fetchall()
    assert undocumented == []
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 20  # the staging suites ran
    assert [e.check_name for e in evaluations if not e.passed] == []


NATIONAL = {
    2020: (1_329, 139_099_570),
    2021: (1_403, 140_886_310),
    2022: (1_402, 147_886_000),
    2023: (1_403, 151_853_870),
    2024: (1_403, 154_187_380),
}


@pytest.mark.parametrize("year", sorted(NATIONAL))
def test_every_national_vintage_parses(shared_data, year):
    frame, rows_read = oes.parse(shared_data / "oes" / f"May{year}" / f"national_M{year}_dl.xlsx", year)
    rows, total = NATIONAL[year]
    assert rows_read == frame.height == rows
    assert frame.filter(pl.col("o_group") == "total")["tot_emp"].to_list() == [total]
    detailed = frame.filter(pl.col("o_group") == "detailed")["tot_emp"].sum()
    assert abs(detailed / total - 1) < 0.001
    assert frame.filter(pl.col("markers").is_not_null()).height > 0
    assert frame["annual_only"].sum() > 0 and frame["hourly_only"].sum() > 0
    if year == 2020:
        assert frame["pct_rpt"].null_count() == frame.height  # no PCT_RPT column that year


def test_bls_csv_copy_equals_the_workbook(shared_data):
    """The May 2021 CSV (BOM, CRLF, "140,886,310") types to exactly the workbook's values."""
    from_csv, _ = oes.parse(shared_data / "gpts_are_gpts" / "national_May2021_dl.csv", 2021)
    from_xlsx, _ = oes.parse(shared_data / "oes" / "May2021" / "national_M2021_dl.xlsx", 2021)
    assert from_csv.equals(from_xlsx)
