"""Shared test fixtures: the real-data mirror, and refreshes into a temporary warehouse."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    # CI always has ../shared beside the clone; a missing mirror is a failure, never a skip.
    assert (SHARED_DATA / "onet" / "29.0" / "Task Statements.txt").is_file(), f"mirror missing: {SHARED_DATA}"
    return SHARED_DATA


def settings_for(tmp: Path, mirror: Path | str, **overrides):
    from orchestration.resources import settings_from_env

    return settings_from_env(
        environ={},
        mirror_dir=str(mirror),
        cache_dir=str(tmp / "cache"),
        warehouse_path=str(tmp / "taskvalue.duckdb"),
        work_db_path=str(tmp / "work" / "taskvalue.duckdb"),
        inventory_dir=overrides.pop("inventory_dir", str(REPO / "inventory")),
        **overrides,
    )


def run_refresh(tmp: Path, mirror: Path | str, selection=None, raise_on_error: bool = True, **overrides):
    """Run refresh_job (or a selection of it) in process against a warehouse under `tmp`."""
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions

    settings = settings_for(tmp, mirror, **overrides)
    defs = build_definitions(**settings.model_dump())
    job = defs.resolve_job_def("refresh_job")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=selection, raise_on_error=raise_on_error
        )
    return result, settings


def failure_text(result, step_prefix: str = "") -> str:
    """The errors (with their causes) of a run's failed steps whose key starts with `step_prefix`."""
    failures = [e for e in result.all_events if e.is_step_failure and e.step_key.startswith(step_prefix)]
    assert failures, f"expected a failed step {step_prefix!r}"
    return "\n".join(e.step_failure_data.error.to_string() for e in failures)


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory, shared_data):
    """One full refresh over ../shared/data, shared by the real-data tests (read-only for them)."""
    tmp = tmp_path_factory.mktemp("real")
    result, settings = run_refresh(tmp, shared_data)
    assert result.success
    return settings


@pytest.fixture
def real_con(real_warehouse):
    import duckdb

    con = duckdb.connect(str(real_warehouse.warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def fixture_settings(tmp_path_factory):
    """One refresh_job over the fixture mirror (Task Ratings, a split occupation, an OES aggregate)
    with the tiny attribute file, shared by tests/value and tests/changes."""
    # the value layer reads its attribute file from the environment; only this refresh uses the fixture's
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TASKVALUE_TASK_ATTRIBUTES", str(FIXTURES / "value" / "attributes.csv"))
        result, settings = run_refresh(tmp_path_factory.mktemp("fixture"), FIXTURES / "mirror")
    assert result.success
    return settings


@pytest.fixture
def fx(fixture_settings):
    """Read-only connection to the warehouse published from the fixture mirror."""
    import duckdb

    con = duckdb.connect(str(fixture_settings.warehouse), read_only=True)
    yield con
    con.close()


os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def connect_to_copy(warehouse: Path, tmp_path: Path, name: str = "copy.duckdb") -> Iterator:
    """A read-write connection to a copy of `warehouse`, for tests that corrupt it (a fixture body)."""
    import duckdb

    path = tmp_path / name
    shutil.copy(warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()
