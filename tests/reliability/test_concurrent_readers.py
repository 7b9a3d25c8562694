"""Readers keep working, and only ever see complete warehouses, while a refresh publishes.

Two reader processes query the published warehouse for the whole length of a full refresh_job:
one holds a single read-only connection across the publish (an analyst's open session), the other
reconnects for every query (a BI tool). Each query fingerprints every table (row count, a hash
over all rows, column sums, comments); every fingerprint must be the complete warehouse from
before the refresh or the complete one after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.crash import fingerprints, from_json, same_state

READER = Path(__file__).with_name("reader.py")


def _observations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_readers_see_old_or_new_complete_warehouse_and_no_errors_during_refresh(crash_warehouse, tmp_path):
    wh = crash_warehouse
    target = "B" if wh.last_config == "A" else "A"
    before = fingerprints(wh.published)
    stop = tmp_path / "stop"
    readers = {}
    for mode in ("hold", "fresh"):
        out = tmp_path / f"{mode}.jsonl"
        readers[mode] = (
            subprocess.Popen(
                [sys.executable, str(READER), str(wh.published), mode, str(stop)],
                stdout=out.open("w"),
                stderr=subprocess.STDOUT,
            ),
            out,
        )
    try:
        deadline = time.monotonic() + 60
        while any(len(_observations(out)) < 2 for _, out in readers.values()):
            assert time.monotonic() < deadline, "readers did not start"
            time.sleep(0.1)
        started = time.time()
        wh.run(target)  # the whole refresh_job, ending with the publish
        finished = time.time()
        time.sleep(0.5)  # let the fresh reader reconnect to the new file
    finally:
        stop.touch()
        for proc, _ in readers.values():
            proc.wait(timeout=60)
    after = fingerprints(wh.published)
    assert not same_state(before, after), "the refresh changed nothing; the test proves nothing"

    seen = {}
    for mode, (proc, out) in readers.items():
        assert proc.returncode == 0, out.read_text()[-2000:]
        obs = _observations(out)
        errors = [o["error"] for o in obs if "error" in o]
        assert errors == [], f"{mode} reader got errors: {errors[:3]}"
        versions = []
        for o in obs:
            state = from_json(o["state"])
            if same_state(state, before):
                versions.append("before")
            elif same_state(state, after):
                versions.append("after")
            else:
                pytest.fail(f"{mode} reader saw a warehouse that is neither complete version at {o['t']}")
        during = [o for o in obs if started <= o["t"] <= finished]
        assert len(during) >= 5, f"{mode} reader made only {len(during)} queries during the refresh"
        assert obs[0]["t"] < started and obs[-1]["t"] > finished
        seen[mode] = versions

    # The held connection keeps the file it opened (the replaced inode) the whole time.
    assert set(seen["hold"]) == {"before"}
    # A fresh connection gets the old file until the swap, then the new one, never back.
    fresh = seen["fresh"]
    assert fresh[0] == "before" and fresh[-1] == "after"
    assert fresh == sorted(fresh, key=["before", "after"].index)
