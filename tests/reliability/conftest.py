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


@pytest.fixture(scope="session")
def selection_warehouse(tmp_path_factory, shared_data):
    """A warehouse only ever refreshed with bench.crash.SMALL_SELECTION (configuration A).

    Its own directory: publish refuses a selection that leaves out tables downstream of what it
    rebuilds, so the kill loop's small selection can only publish over a warehouse built from it.
    """
    from bench.crash import SMALL_SELECTION, Warehouse

    wh = Warehouse(
        tmp_path_factory.mktemp("crash_selection"),
        mirror=shared_data,
        selection=SMALL_SELECTION,
        persistent_instance=False,
    )
    wh.run("A", wh.selection)
    return wh
