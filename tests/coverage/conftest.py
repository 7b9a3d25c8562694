"""Fixtures: the coverage layer built over a tiny hand-made upstream warehouse (tests/fixtures/coverage)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "coverage"


def load_upstream(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((FIXTURE / "upstream.sql").read_text(encoding="utf-8"))


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
    load_upstream(con)
    for statement in edits:
        con.execute(statement)
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
