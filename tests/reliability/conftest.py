"""A private warehouse for the crash and concurrent-reader tests, refreshed by real Dagster runs."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def crash_warehouse(tmp_path_factory, shared_data):
    """bench.crash.Warehouse with configuration A (previous OES vintage 2023) fully refreshed."""
    from bench.crash import SMALL_SELECTION, Warehouse

    wh = Warehouse(
        tmp_path_factory.mktemp("crash"),
        mirror=shared_data,
        selection=SMALL_SELECTION,
        persistent_instance=False,
    )
    wh.run("A")
    return wh
