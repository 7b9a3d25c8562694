"""SIGKILL the refresh at 20 random points; after each, the warehouse is whole and the next run works.

The harness is bench/crash.py (run it for more kills, or over the whole job). Here it kills a small
selection of refresh_job whose tables differ between configurations A and B (previous OES vintage
2023 or 2022) and which ends with the publish step: random delays spread over a run, and every
fifth kill the moment the published file's copy begins. After every kill:

- the published warehouse opens and equals, as a whole, the complete previous or new version;
- every table of the working database, after DuckDB replays its WAL, is a complete version;
- the next refresh succeeds, publishes the complete new version and leaves no temporary file.
"""

from __future__ import annotations

import pytest

from bench.crash import format_record, kill_loop, summary

KILLS = 20


@pytest.mark.slow
def test_every_sigkill_leaves_complete_versions_and_the_next_refresh_succeeds(selection_warehouse):
    lines: list[str] = []
    records = kill_loop(
        selection_warehouse, KILLS, seed=6, publish_every=5, echo=lines.append, full_first=False
    )
    print("\n".join(lines), "\n", summary(records))  # shown with -s or on failure
    killed = [r for r in records if r.killed]
    assert len(killed) >= KILLS
    failed = [format_record(r) for r in records if r.problems]
    assert failed == [], "\n".join(failed)
    # The kills really spread over the run, and some hit the publish copy itself.
    assert len({r.step for r in killed}) >= 3, {r.step for r in killed}
    assert sum(r.mode == "publish" for r in killed) >= KILLS // 5
    assert any(r.temp_left and r.published != r.target for r in killed), "no kill landed inside the copy"
    assert {r.published for r in killed} == {"A", "B"}
