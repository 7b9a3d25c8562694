"""The `taskvalue` command line, driven with typer's CliRunner against a fixture warehouse."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from taskvalue_cli.main import app
from tests.coverage.conftest import build_fixture_db

runner = CliRunner()


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    path = tmp_path / "taskvalue.duckdb"
    build_fixture_db(path).close()
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(path))
    return path


def test_query_prints_rows(warehouse):
    result = runner.invoke(
        app,
        ["query", "select domain_id, value_coverage_pct from marts.domain_coverage where domain_id = 'food'"],
    )
    assert result.exit_code == 0, result.output
    assert "| food | 80.0 |" in result.output


def test_query_formats(warehouse):
    csv_out = runner.invoke(app, ["query", "select 1 as a, 'x' as b", "--format", "csv"])
    assert csv_out.output.splitlines() == ["a,b", "1,x"]
    json_out = runner.invoke(app, ["query", "select 1 as a", "-f", "json"])
    assert json_out.output.strip() == '{"a": 1}'


def test_query_is_read_only(warehouse):
    result = runner.invoke(app, ["query", "drop table marts.domain_coverage"])
    assert result.exit_code == 1
    assert "read-only" in result.output.lower()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.domain_coverage").fetchone()[0] == 7


def test_report_by_alias(warehouse, tmp_path):
    result = runner.invoke(app, ["report", "--domain", "COPYWRITING"])
    assert result.exit_code == 0, result.output
    assert "Digital copywriting: 50.0% of $800,000 covered" in result.output
    assert (tmp_path / "reports" / "digital-copywriting.html").is_file()


def test_report_unknown_domain_lists_known_ones(warehouse):
    result = runner.invoke(app, ["report", "--domain", "astrology"])
    assert result.exit_code == 2
    assert "Unknown domain 'astrology'" in result.output and "digital-copywriting" in result.output


def test_export(warehouse, tmp_path):
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    assert "inventory_export.parquet  8 rows" in result.output
    assert pl.read_parquet(tmp_path / "exports" / "domain_coverage.parquet").height == 7


def test_warehouse_published_by_older_code_says_what_to_do(warehouse):
    with duckdb.connect(str(warehouse)) as con:  # as published before the grounding column existed
        con.execute("alter table marts.inventory_grounding drop column grounding")
    result = runner.invoke(app, ["report", "--domain", "copywriting"])
    assert result.exit_code == 2
    assert "published by an older version. Run `taskvalue refresh`" in result.output
    assert 'column named "grounding"' in result.output and "Traceback" not in result.output


def test_missing_warehouse_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(tmp_path / "none.duckdb"))
    result = runner.invoke(app, ["query", "select 1"])
    assert result.exit_code == 2
    assert "taskvalue refresh" in result.output


@pytest.mark.slow
def test_refresh_runs_the_job_with_progress(tmp_path, monkeypatch, shared_data):
    monkeypatch.setenv("TASKVALUE_MIRROR", str(shared_data))
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(tmp_path / "taskvalue.duckdb"))
    monkeypatch.setenv("TASKVALUE_WORK_DB", str(tmp_path / "work" / "taskvalue.duckdb"))
    monkeypatch.setenv("TASKVALUE_CACHE_DIR", str(tmp_path / "cache"))
    result = runner.invoke(app, ["refresh", "--select", "+key:staging/soc_structure"])
    assert result.exit_code == 0, result.output
    assert "ok   staging__soc_structure" in result.output
    assert "refresh_job succeeded" in result.output
