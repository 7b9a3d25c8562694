"""One refresh of the fixture mirror (tests/fixtures/mirror) per test session, shared by tests/value
and tests/changes: the known-answer fixture with Task Ratings and a tiny attribute file."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MIRROR = REPO / "tests" / "fixtures" / "mirror"
ATTRIBUTES = REPO / "tests" / "fixtures" / "value" / "attributes.csv"


@functools.cache
def fixture_refresh():
    """(settings, path of the published warehouse) after refresh_job on the fixture mirror."""
    from tests.conftest import run_refresh

    tmp = Path(tempfile.mkdtemp(prefix="taskvalue-value-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    old = os.environ.get("TASKVALUE_TASK_ATTRIBUTES")
    os.environ["TASKVALUE_TASK_ATTRIBUTES"] = str(ATTRIBUTES)
    try:
        result, settings = run_refresh(tmp, MIRROR)
    finally:
        if old is None:
            os.environ.pop("TASKVALUE_TASK_ATTRIBUTES", None)
        else:
            os.environ["TASKVALUE_TASK_ATTRIBUTES"] = old
    assert result.success
    return settings
