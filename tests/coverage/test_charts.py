"""The coverage reports' chart as a reader sees it: which tier each bar is, which part is covered,
the unit on the y axis, the colours and the legend (assets/coverage/charts.py; written from a
mutation audit, 28 Nov: 20 of 25 visible chart mistakes passed the report tests before).

The chart is PNG bytes; the tests read what was drawn from the figure matplotlib saved (the
Figure.savefig call is observed, then passed through), so they do not depend on charts.py's helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from assets.coverage.charts import chart_labels, tier_chart_png

GREEN, AMBER = "#2da44e", "#d4a72c"  # covered, uncovered

# Finance-like, lowest-paid first as marts.domain_coverage_slices orders them (slice_order):
# the middle tier is the largest (so a sort by value would move it), the last has no published wage.
TIERS = [
    {
        "slice": "$15-25/hr",
        "total_value_usd": Decimal("1000000000.00"),
        "covered_value_usd": Decimal("400000000.00"),
        "uncovered_value_usd": Decimal("600000000.00"),
    },
    {
        "slice": "$25-50/hr",
        "total_value_usd": Decimal("2500000000.00"),
        "covered_value_usd": Decimal("500000000.00"),
        "uncovered_value_usd": Decimal("2000000000.00"),
    },
    {
        "slice": "$50-100/hr",
        "total_value_usd": Decimal("300000000.00"),
        "covered_value_usd": Decimal("0.00"),
        "uncovered_value_usd": Decimal("300000000.00"),
    },
    {"slice": "no tier", "total_value_usd": None, "covered_value_usd": None, "uncovered_value_usd": None},
]
TITLE = "Finance: covered vs uncovered annual value"


def tier(total, covered=0, slice_="$25-50/hr"):
    return {
        "slice": slice_,
        "total_value_usd": total,
        "covered_value_usd": covered,
        "uncovered_value_usd": None if total is None else total - covered,
    }


def drawn(monkeypatch, tiers, title=TITLE):
    """What tier_chart_png drew: x tick labels, (bottom, height, colour) of the covered and the
    uncovered bars (by legend entry), axis labels, title, legend entries; plus the PNG bytes."""
    saved = []
    real_savefig = Figure.savefig

    def savefig(fig, *a, **k):
        saved.append(fig)
        return real_savefig(fig, *a, **k)

    monkeypatch.setattr(Figure, "savefig", savefig)
    png = tier_chart_png(tiers, title)
    (fig,) = saved
    (ax,) = fig.axes
    series = {
        c.get_label(): [
            (round(p.get_y(), 6), round(p.get_height(), 6), to_hex(p.get_facecolor())) for p in c.patches
        ]
        for c in ax.containers
    }
    legend = ax.get_legend()
    return {
        "png": png,
        "xticks": [t.get_text() for t in ax.get_xticklabels()],
        "series": series,
        "ylabel": ax.get_ylabel(),
        "ylim": tuple(float(x) for x in ax.get_ylim()),
        "xlabel": ax.get_xlabel(),
        "title": ax.get_title(),
        "legend": [t.get_text() for t in legend.get_texts()] if legend else None,
        "legend_colours": [to_hex(h.get_facecolor()) for h in legend.legend_handles] if legend else None,
        # '$' read as TeX would garble "$15-$25/hr" (or fail the report on a stray backslash)
        "parse_math": {t.get_parse_math() for t in [*ax.get_xticklabels(), ax.title, ax.yaxis.label]},
    }


def test_bars_are_covered_green_under_uncovered_amber_per_tier_in_billions(monkeypatch):
    # kills: swapped series, swapped colours, stacking order, unstacked, rounding, uncovered=total,
    # reversed/sorted/dropped tiers, dropped '(value unknown)', billions divided by 1e6
    d = drawn(monkeypatch, TIERS)
    assert d["png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert d["xticks"] == ["$15-25/hr", "$25-50/hr", "$50-100/hr", "no tier\n(value unknown)"]
    assert d["series"] == {
        "covered": [(0.0, 0.4, GREEN), (0.0, 0.5, GREEN), (0.0, 0.0, GREEN), (0.0, 0.0, GREEN)],
        "uncovered": [(0.4, 0.6, AMBER), (0.5, 2.0, AMBER), (0.0, 0.3, AMBER), (0.0, 0.0, AMBER)],
    }
    assert d["ylabel"] == "annual value ($ billions)"


def test_axis_labels_title_and_legend(monkeypatch):
    d = drawn(monkeypatch, TIERS)
    assert d["xlabel"] == "tier (lowest-paid first)"
    assert d["title"] == TITLE
    assert d["legend"] == ["covered", "uncovered"]
    assert d["legend_colours"] == [GREEN, AMBER]


@pytest.mark.parametrize(
    ("totals", "ylabel", "heights"),
    [
        # the unit follows the largest tier's total (not its covered part, not the smallest tier)
        ([Decimal("5000000.00"), Decimal("2000000000.00")], "annual value ($ billions)", [0.005, 2.0]),
        ([Decimal("1000000000.00")], "annual value ($ billions)", [1.0]),  # exactly $1B is 1 billion
        ([Decimal("999999999.00")], "annual value ($ millions)", [999.999999]),
        ([Decimal("1000000.00")], "annual value ($ millions)", [1.0]),
        ([Decimal("250000.00")], "annual value ($ thousands)", [250.0]),
        ([Decimal("1000.00")], "annual value ($ thousands)", [1.0]),
    ],
)
def test_the_y_unit_is_the_largest_tier_total_in_billions_millions_or_thousands(
    monkeypatch, totals, ylabel, heights
):
    # covered is a tenth of each total, so a unit picked from covered values would be one step smaller
    d = drawn(monkeypatch, [tier(t, t / 10, f"tier {i}") for i, t in enumerate(totals)])
    assert d["ylabel"] == ylabel
    assert [
        round(c[1] + u[1], 6) for c, u in zip(d["series"]["covered"], d["series"]["uncovered"], strict=True)
    ] == heights


def test_under_1000_dollars_the_axis_is_plain_dollars(monkeypatch):
    # the label read "annual value ($ )" before (28 Nov)
    d = drawn(monkeypatch, [tier(Decimal("500.00"), Decimal("125.00"))])
    assert [h for _, h, _ in d["series"]["covered"]] == [125.0]
    assert [h for _, h, _ in d["series"]["uncovered"]] == [375.0]
    assert d["ylabel"] == "annual value ($)"
    assert d["ylim"][0] == 0


def test_a_domain_without_tiers_draws_one_empty_no_tasks_bar(monkeypatch):
    # the fixture's legal domain: no tier rows at all
    d = drawn(monkeypatch, [], "Legal: covered vs uncovered annual value")
    assert d["xticks"] == ["(no tasks)"]
    assert d["series"] == {"covered": [(0.0, 0.0, GREEN)], "uncovered": [(0.0, 0.0, AMBER)]}
    assert d["title"] == "Legal: covered vs uncovered annual value"
    assert d["ylim"] == (0.0, 1.0)  # no negative dollars on an empty chart (ticks went to -0.04)
    assert d["ylabel"] == "annual value ($)"


def test_only_a_tier_without_value_reads_value_unknown_not_a_zero_tier():
    # None = no published wage (value unknown); 0 = a real $0 tier, which must not claim 'unknown'
    assert chart_labels(
        [tier(None), tier(Decimal("0.00"), slice_="$0-15/hr"), tier(Decimal("10.00"), slice_="x")]
    ) == [
        "$25-50/hr\n(value unknown)",
        "$0-15/hr",
        "x",
    ]


def test_dollar_tier_labels_and_titles_are_drawn_literally(monkeypatch):
    d = drawn(monkeypatch, [tier(Decimal("10.00"), Decimal("5.00"), "$15-$25/hr")], "Paid $x$ and more")
    assert d["xticks"] == ["$15-$25/hr"]
    assert d["title"] == "Paid $x$ and more"
    assert d["parse_math"] == {False}
