"""Check descriptions in the Dagster UI say what holds in words, not GX class names."""

from __future__ import annotations

from assets.common.gx_checks import (
    GxSuite,
    between,
    gx_asset_check,
    in_set,
    not_null,
    row_count_between,
    true,
    unique,
)


def test_a_suite_is_described_in_words():
    suite = GxSuite(
        "t__keys_unique_and_values_in_range",
        "select 1",
        [
            unique("a", "b"),
            not_null("a"),
            between("share", 0, 1),
            between("value", 0),
            in_set("kind", ["x", "y"]),
            true("adds_up"),
            row_count_between(1),
        ],
    )
    check = gx_asset_check(["marts", "t"], suite)
    (spec,) = check.check_specs
    assert spec.description == (
        "Blocking Great Expectations suite of 7: (a, b) is unique; `a` is never null; `share` is between 0 "
        "and 1; `value` is at least 0; `kind` is one of ['x', 'y']; `adds_up` holds; the row count is at least 1."
    )


def test_a_failing_row_names_its_key_first_and_shortens_long_texts():
    # a reviewer's duplicated task: GX put the 200-character text first and the sample's cut fell
    # before the Task ID (27 Nov)
    import pandas as pd

    from assets.common.gx_checks import failures_markdown, run_suite

    text = "Develop and implement a detailed plan for " + "x" * 200
    frame = pd.DataFrame(
        {"task": [text, "short"], "ok": [False, True], "task_id": [3242, 7], "source_row": [101, 9]}
    )
    suite = GxSuite(
        "t__ok", "select 1", [in_set("task", ["short"])], row_id_columns=["task_id", "source_row"]
    )
    passed, failures = run_suite(frame, suite)
    assert not passed
    (row,) = failures[0]["failing_rows"]
    assert list(row) == ["task_id", "source_row", "task"] and row["task_id"] == 3242
    assert len(row["task"]) == 78 and row["task"].endswith("…")
    assert "3242" in failures_markdown(failures)
