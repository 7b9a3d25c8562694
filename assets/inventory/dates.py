"""Reading `created_at`: ISO 8601 and the date formats the tools teams export from write.

An unreadable date quarantines its task (issue #4: an unparseable value is a bad row), so the
formats that Jira (`05/Oct/24 2:16 AM`), Google Sheets and Airtable (`11/1/2024 6:54 AM`,
`1/3/2024 1:00am`), Notion (`November 12, 2024 3:04 PM`), JavaScript's Date (`Tue Nov 12 2024
15:04:05 GMT+0000 (Coordinated Universal Time)`), e-mail/HTTP (`Tue, 12 Nov 2024 15:04:05 GMT`) and
pandas' `to_json` (epoch milliseconds) write are read. Numeric day/month order is the US one
(`MM/DD/YYYY`), as a spreadsheet in the US locale writes it; `DD.MM.YYYY` is the dotted European one.
Times with an offset are converted to UTC; times without one are kept as written.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any

_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", " %I:%M:%S%p")
_NUMERIC = tuple(f"{day}{time}" for day in ("%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y") for time in _TIMES)
_NAMED = tuple(
    f"{day}{time}"
    for day in (
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d/%b/%y",
        "%d/%b/%Y",
        "%d-%b-%Y",
        "%d-%b-%y",
    )
    for time in _TIMES
) + ("%a %b %d %Y %H:%M:%S GMT%z", "%a %b %d %Y %H:%M:%S %z", "%a %b %d %Y")
_RFC_2822 = re.compile(r"^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} ")
# the zone names RFC 2822 defines (email.utils reads any other name as UTC)
_RFC_2822_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"})
_ZONE_WORD = re.compile(r" (UTC|GMT|Z)$", re.I)
# epoch seconds or milliseconds (a JSON or Parquet integer): read only as a date from 2000 to 2100
_EPOCH_RANGE = (dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1))
# a text's shape (digits as 9, words as a or A) -> the format that read it: a file writes one or two
# formats, so each is found once, not by trying every format on every row
_SHAPE = re.compile(r"\d+|[A-Za-z]+")
_format_by_shape: dict[str, str] = {}


def naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{value.isoformat()!r} (out of range when converted to UTC)") from None


def _epoch(value: Any) -> tuple[dt.datetime, str] | None:
    """A JSON or Parquet integer as epoch seconds, or milliseconds from 1e11 up (pandas' to_json),
    when it falls in 2000-2100. Text is never read so: a 10-digit ticket or phone number in a CSV
    date column stays unparseable."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    milliseconds = value >= 10**11
    unit = "milliseconds" if milliseconds else "seconds"
    try:
        parsed = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=value / (1000 if milliseconds else 1))
    except OverflowError:
        return None
    if not _EPOCH_RANGE[0] <= parsed < _EPOCH_RANGE[1]:
        return None
    return parsed, f"created_at {value} read as epoch {unit}: {parsed.isoformat(sep=' ')} UTC"


def _shape_of(token: re.Match) -> str:
    word = token.group(0)
    return "9" if word.isdigit() else ("A" if len(word) >= 3 else "a")


def _strptime(text: str) -> dt.datetime | None:
    shape = _SHAPE.sub(_shape_of, text)
    cached = _format_by_shape.get(shape)
    # a word of three letters or more is a month or day name (AM/PM are two)
    for fmt in (*([cached] if cached else ()), *(_NAMED if "A" in shape else _NUMERIC)):
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if len(_format_by_shape) > 1000:  # a file of free text in a date column
            _format_by_shape.clear()
        _format_by_shape[shape] = fmt
        return parsed
    return None


def read_datetime(value: Any) -> tuple[dt.datetime, str | None]:
    """(the date, a note for the row's flags or None); ValueError naming the value when it is not a
    date in any format read."""
    if isinstance(value, dt.datetime):
        return naive_utc(value), None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} (a boolean, not a date)")
    if (epoch := _epoch(value)) is not None:
        return epoch
    text = " ".join(str(value).split())
    text = re.sub(r" \([A-Za-z ]+\)$", "", text)  # JavaScript's "(Coordinated Universal Time)"
    parsed = _iso(text) or _rfc_2822(text) or _strptime(text)
    if parsed is None:
        raise ValueError(repr(value))
    return naive_utc(parsed), None


def _iso(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(_ZONE_WORD.sub("+00:00", text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _rfc_2822(text: str) -> dt.datetime | None:
    """An e-mail/HTTP date; one whose zone is a name Python does not know (CET, IST) is refused
    rather than read as if it were UTC."""
    if not _RFC_2822.match(text):
        return None
    zone = text.rsplit(" ", 1)[-1]
    # email.utils reads any zone it does not know (CET, GMT+0100, +01:00) as UTC; no zone is local time
    if not re.fullmatch(r"[+-]\d{4}|\d{1,2}:\d{2}(:\d{2})?", zone) and zone.upper() not in _RFC_2822_ZONES:
        return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
