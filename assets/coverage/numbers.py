"""Numbers as the reports print them: dollars scaled to k/M/B/T, shares, counts, changes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

_WIDE = Context(prec=60)  # quantize must not overflow on a huge amount (1e28 and more)


def usd(v: float | Decimal | None) -> str:
    """Dollars, scaled to k/M/B/T with two decimals, rounded half up as a reader would (in decimal:
    a float rounds 211,945,000 down to $211.94M). The unit is chosen after rounding (999,995 is $1.00M,
    not $1,000.00k); amounts under a dollar show their cents, so only zero reads $0."""
    if v is None:
        return "n/a"
    d = v if isinstance(v, Decimal) else Decimal(repr(float(v)))  # the float's shortest exact decimal
    if not d.is_finite():
        return "n/a"
    sign, a = ("-", -d) if d < 0 else ("", d)
    if a < Decimal("0.005"):  # below a cent: zero (float noise), never "-$0"
        return "$0"
    cents = a.quantize(Decimal("0.01"), ROUND_HALF_UP, context=_WIDE)
    if cents < 1:  # 0.995 rounds to a dollar: shown as $1 below, like 1
        return f"{sign}${cents}"
    for suffix, exponent, decimals in (("", 0, 0), ("k", 3, 2), ("M", 6, 2), ("B", 9, 2), ("T", 12, 2)):
        x = a.scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP, context=_WIDE)
        if x < 1000 or suffix == "T":
            return f"{sign}${x:,.{decimals}f}{suffix}"
    raise AssertionError("unreachable")


def count(n: int | None) -> str:
    return "n/a" if n is None else f"{n:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 task', '2 tasks', '1,286 tasks'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def pct(v: float | None) -> str:
    """A percentage to one decimal that never rounds a nonzero share to 0.0% (<0.1%), a share short
    of 100 to 100.0% (>99.9%), or zero to -0.0%."""
    if v is None:
        return "n/a"
    v = float(v)
    if v == 0:
        return "0.0%"
    text = f"{abs(v):.1f}"
    if text == "0.0":
        text = "<0.1"
    elif text == "100.0" and abs(v) < 100:
        text = ">99.9"
    return f"{'-' if v < 0 else ''}{text}%"


def covered_pct(share_pct: float | None, covered_value: float | None) -> str:
    """The coverage share of a mart (rounded there to 4 decimals): a nonzero covered value never
    reads 0.0%, even when the share rounded to 0 in the mart."""
    if covered_value and float(covered_value) > 0 and share_pct is not None and float(share_pct) < 0.05:
        return "<0.1%"
    return pct(share_pct)


def change_text(previous: float | None, current: float | None) -> str:
    """' (up 5.4%)', ' (down <0.1%)', ' (unchanged)'; empty without a previous value."""
    if not previous or current is None:
        return ""
    change = 100 * (float(current) - float(previous)) / float(previous)
    if change == 0:
        return " (unchanged)"
    return f" ({'up' if change > 0 else 'down'} {pct(abs(change))})"


def hourly(v: float | None) -> str:
    return "n/a" if v is None else f"${float(v):,.2f}/hr"


def workers(n: float | None) -> str:
    return "n/a" if n is None else f"{n:,.0f}"


def wage(v: float | None) -> str:
    """An hourly wage in a column headed $/hour: '$47.32'."""
    return "n/a" if v is None else f"${v:.2f}"
