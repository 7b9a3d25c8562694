import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "value"))
from value_refresh import fixture_refresh  # noqa: E402


@pytest.fixture(scope="session")
def fixture_settings():
    return fixture_refresh()


@pytest.fixture
def fx(fixture_settings):
    con = duckdb.connect(str(fixture_settings.warehouse), read_only=True)
    yield con
    con.close()
