"""Fixtures: the coverage layer built over a tiny hand-made upstream warehouse (tests/fixtures/coverage)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "coverage"


def load_upstream(con: duckdb.DuckDBPyConnection, late_columns: bool = True) -> None:
    """The upstream fixture; without its late columns for a caller inserting rows by position first."""
    con.execute((FIXTURE / "upstream.sql").read_text(encoding="utf-8"))
    if late_columns:
        add_late_columns(con)


def add_late_columns(con: duckdb.DuckDBPyConnection) -> None:
    """The upstream columns added after a test's positional inserts (late_columns.sql)."""
    con.execute((FIXTURE / "late_columns.sql").read_text(encoding="utf-8"))


def fixture_settings(**overrides):
    from assets.coverage.config import coverage_settings_from_env

    return coverage_settings_from_env(
        environ={}, **{"domains_file": str(FIXTURE / "domains.toml"), **overrides}
    )


# the fixture's matches table ends with `matcher`: rows added by a test name the columns before it
INSERT_MATCHES = (
    "insert into marts.inventory_task_matches (inventory_task_id, rank, onet_task_id, onet_soc_code, score, "
    "confidence, method, text_confidence, resembles_no_work)"
)


def build_fixture_db(
    path: Path | str = ":memory:", edits: Sequence[str] = (), **overrides
) -> duckdb.DuckDBPyConnection:
    """The coverage layer built over the fixture upstream, after the SQL `edits` changed that upstream."""
    from assets.coverage.models import build_all

    con = duckdb.connect(str(path))
    load_upstream(con, late_columns=False)
    for statement in edits:
        con.execute(statement)
    add_late_columns(con)
    build_all(con, fixture_settings(**overrides))
    return con


@pytest.fixture
def cov_con():
    con = build_fixture_db()
    yield con
    con.close()


def one(con, sql: str, params=None):
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row and len(row) == 1 else row


def fixture_report_settings(tmp_path: Path):
    """Settings whose work database (tmp_path/work.duckdb) holds the coverage layer over the fixture."""
    from orchestration.resources import settings_from_env

    work = tmp_path / "work.duckdb"
    build_fixture_db(work).close()
    return settings_from_env(
        environ={}, warehouse_path=str(tmp_path / "taskvalue.duckdb"), work_db_path=str(work)
    )


def materialize_reports(settings, domain_ids: Sequence[str]):
    """The report assets of `domain_ids` materialized in Dagster over the settings' work database."""
    from dagster import materialize
    from dagster_duckdb import DuckDBResource

    from assets.coverage.outputs import build_report_assets, report_key

    return materialize(
        [build_report_assets(list(domain_ids))],
        resources={
            "duckdb": DuckDBResource(database=str(settings.work_db)),
            "coverage_settings": fixture_settings(),
            "settings": settings,
        },
        selection=[report_key(d) for d in domain_ids],
    )
