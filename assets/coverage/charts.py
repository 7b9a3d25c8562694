"""The reports' chart: covered against uncovered value by tier (matplotlib, PNG bytes)."""

from __future__ import annotations

import io


def chart_labels(tiers: list[dict]) -> list[str]:
    """The chart's tier labels: a tier without any value (no published wage) draws no bar, which
    must not read as $0."""
    return [t["slice"] + ("\n(value unknown)" if t["total_value_usd"] is None else "") for t in tiers] or [
        "(no tasks)"
    ]


def tier_chart_png(tiers: list[dict], title: str) -> bytes:
    """Stacked bars of covered vs uncovered annual value per tier (lowest-paid tier first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = chart_labels(tiers)
    top = max([float(t["total_value_usd"] or 0) for t in tiers] or [0.0])
    div, unit = next(
        ((d, u) for d, u in ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands")) if top >= d), (1, "")
    )
    covered = [float(t["covered_value_usd"] or 0) / div for t in tiers] or [0.0]
    uncovered = [float(t["uncovered_value_usd"] or 0) / div for t in tiers] or [0.0]
    # text, not TeX: a '$' in a tier label or domain name ("$15-$25/hr") would start mathtext,
    # garbling the text or failing the whole report on a stray backslash
    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
        try:
            _draw(ax, labels, covered, uncovered, unit, title)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
        finally:  # a failed drawing must not leave its figure open in a long-lived process
            plt.close(fig)
    return buf.getvalue()


def _draw(ax, labels: list[str], covered: list[float], uncovered: list[float], unit: str, title: str) -> None:
    """Stacked bars of covered and uncovered value, with axis labels, title and legend."""
    ax.bar(labels, covered, color="#2da44e", label="covered")
    ax.bar(labels, uncovered, bottom=covered, color="#d4a72c", label="uncovered")
    ax.set_ylabel(f"annual value ($ {unit})" if unit else "annual value ($)")
    ax.set_xlabel("tier (lowest-paid first)")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(y=0.08)
    # value is never negative: bars of $0 only (a domain without tasks) drew ticks down to -0.04
    ax.set_ylim(0, None if any(covered) or any(uncovered) else 1)
    ax.spines[["top", "right"]].set_visible(False)
