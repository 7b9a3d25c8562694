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
