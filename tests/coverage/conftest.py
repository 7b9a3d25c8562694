"""Fixtures: the coverage layer built over a tiny hand-made upstream warehouse (tests/fixtures/coverage)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "coverage"


def load_upstream(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((FIXTURE / "upstream.sql").read_text(encoding="utf-8"))


def fixture_settings(**overrides):
    from assets.coverage.config import coverage_settings_from_env

    return coverage_settings_from_env(environ={}, domains_file=str(FIXTURE / "domains.toml"), **overrides)


def build_fixture_db(path: Path | str = ":memory:", **overrides) -> duckdb.DuckDBPyConnection:
    from assets.coverage.models import build_all

    con = duckdb.connect(str(path))
    load_upstream(con)
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
