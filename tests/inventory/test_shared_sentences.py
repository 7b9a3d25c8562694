"""int.inventory_shared_sentences: what the inventory repeats, and exactly what the matcher drops."""

from __future__ import annotations

import csv

import pytest

from tests.inventory.inventory_helpers import refresh, rows

PREAMBLE = "You are in a sandboxed Docker container with network access disabled."
GRADING = "Your answer is graded by hidden tests."
BODIES = [
    "Fix the failing unit test in the invoice rounding module and explain the bug.",
    "Reconcile the general ledger with last month's bank statements and list the differences.",
    "Write a blog post announcing the product launch for small business owners.",
    "Respond to a customer complaint about a double charge and offer a refund.",
    "Write unit tests for the date parsing helpers of the scheduling service.",
    "Prepare a report on the audit findings for the finance committee.",
    "Edit the draft press release for clarity and tone.",
    "Debug a memory leak in the image resizing worker.",
]


def write_inventory(directory):
    """10 tasks: the preamble in 5 (50%, with SAME-A), the grading line in 3 (30%), and a pair that
    differ only by the preamble."""
    directory.mkdir()
    tasks = [(f"T-{i}", f"Task {i}", body) for i, body in enumerate(BODIES)]
    tasks = [(i, t, f"{PREAMBLE} {b}" if n < 4 else b) for n, (i, t, b) in enumerate(tasks)]
    tasks = [(i, t, f"{b} {GRADING}" if n in (4, 5, 6) else b) for n, (i, t, b) in enumerate(tasks)]
    # the same task twice, with and without the preamble
    body = "Post the month-end accruals to the general ledger and flag unusual entries."
    tasks += [("SAME-A", "Accruals", f"{PREAMBLE} {body}"), ("SAME-B", "Accruals", body)]
    with open(directory / "tasks.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("task_id", "title", "description"), *tasks])


def candidates(settings, task_id):
    return rows(
        settings,
        f"select rank, onet_task_id, round(score, 9) from marts.inventory_task_matches "
        f"where inventory_task_id = '{task_id}' order by rank",
    )


@pytest.mark.parametrize("share, floor", [(None, 3), ("0.5", 5), ("0.6", 6)])
def test_shared_sentences_are_listed_and_the_matcher_drops_exactly_the_boilerplate(
    tmp_path, shared_data, monkeypatch, share, floor
):
    if share:
        monkeypatch.setenv("TASKVALUE_BOILERPLATE_SHARE", share)
    write_inventory(tmp_path / "inventory")
    settings = refresh(tmp_path, shared_data, tmp_path / "inventory")
    listed = rows(
        settings,
        "select sentence, tasks, share_of_tasks, is_boilerplate, boilerplate_floor_tasks, boilerplate_share "
        "from int.inventory_shared_sentences order by tasks desc",
    )
    boilerplate_share = float(share or 0.3)
    # the preamble is in T-0..T-3 and SAME-A (5 of 10), the grading line in T-4..T-6 (3 of 10);
    # boilerplate from max(3, 30% of 10), 5 of 10 at 50%, 6 of 10 at 60%
    assert listed == [
        (PREAMBLE, 5, 0.5, floor <= 5, floor, boilerplate_share),
        (GRADING, 3, 0.3, floor <= 3, floor, boilerplate_share),
    ]
    same_a, same_b = candidates(settings, "SAME-A"), candidates(settings, "SAME-B")
    assert same_a and same_b
    # dropped, the preamble changes nothing; kept, it is matched as the task's own words
    assert (same_a == same_b) == (floor <= 5)


def test_a_stale_table_is_not_trusted_and_the_run_says_so(tmp_path, shared_data, monkeypatch, capfd):
    """The matches re-run alone after the share changed: the table counted at 30% no longer says what
    this run drops (at 60% the preamble is kept), so the matcher finds the boilerplate itself."""
    from assets.inventory.assets import MATCHES
    from tests.conftest import run_refresh

    write_inventory(tmp_path / "inventory")
    settings = refresh(tmp_path, shared_data, tmp_path / "inventory")
    assert candidates(settings, "SAME-A") == candidates(settings, "SAME-B")
    capfd.readouterr()
    monkeypatch.setenv("TASKVALUE_BOILERPLATE_SHARE", "0.6")
    result, settings = run_refresh(
        tmp_path, shared_data, selection=[MATCHES], inventory_dir=str(tmp_path / "inventory")
    )
    assert result.success
    assert "int.inventory_shared_sentences was counted on another inventory or boilerplate share" in (
        capfd.readouterr().err
    )
    assert candidates(settings, "SAME-A") != candidates(settings, "SAME-B")  # the preamble kept, at 60%
