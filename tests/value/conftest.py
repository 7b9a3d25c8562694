import duckdb
import pytest
from value_refresh import fixture_refresh


@pytest.fixture(scope="session")
def fixture_settings():
    return fixture_refresh()


@pytest.fixture
def fx(fixture_settings):
    """Read-only connection to the warehouse published from the fixture mirror."""
    con = duckdb.connect(str(fixture_settings.warehouse), read_only=True)
    yield con
    con.close()
