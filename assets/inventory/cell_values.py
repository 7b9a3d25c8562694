"""Reading one inventory cell as the value its field holds: whole numbers, dates, tags, text, task IDs
(`Unparseable` when a value cannot be read). The rules are the README's ("Task inventories")."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from assets.inventory.dates import read_datetime
from assets.inventory.raw_records import dumps
from assets.inventory.schema import (
    canonical,
)


class Unparseable(ValueError):
    pass


INT_MAX = 2**63 - 1  # BIGINT: a larger count or ID is a typo, and no column could store it
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.0*)?")
# "1.000" is 1000 in Germany and 1 in a float written with three decimals: both readings are whole
# numbers, so neither can be picked safely. "12,000" is read as 12000: a count written as 12.0 with a
# decimal comma and three zeros is far rarer than a thousands comma.
_AMBIGUOUS = re.compile(r"[+-]?([1-9]\d{0,2})([.])000")


def is_missing(value: Any) -> bool:
    """None, blank text, or NaN (JSON NaN, a float column of a pandas-written Parquet): missing."""
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


_WHOLE_DECIMAL = re.compile(r"\+?\d+\.0*")


def parse_int(value: Any, *, positive: bool = False, thousands: bool = True) -> int | None:
    """A whole number. `thousands`: "1,200" reads as 1200; other commas ("1,2", "8823,8824") never
    pass, so two joined IDs cannot turn into one. The error says why a value is not read."""
    if is_missing(value):
        return None
    shown = repr(str(value)) if isinstance(value, Decimal) else repr(value)
    if isinstance(value, bool):
        raise Unparseable(f"{shown} (a boolean, not a number)")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if not value.is_finite() if isinstance(value, Decimal) else not math.isfinite(value):
            raise Unparseable(f"{shown} (not a finite number)")
        if value != int(value):
            raise Unparseable(f"{shown} (not a whole number)")
        number = int(value)
    else:
        text = str(value).strip()
        ambiguous = _AMBIGUOUS.fullmatch(text)
        if ambiguous:
            whole, mark = ambiguous.group(1), ambiguous.group(2)
            raise Unparseable(
                f"{shown} (ambiguous: {whole}000 if {mark!r} separates thousands, {whole} if it is a "
                f"decimal point; write {whole}000 or {whole})"
            )
        if "," in text:
            if not thousands:
                raise Unparseable(f"{shown} (a comma: one whole number is expected, with no separators)")
            if not _THOUSANDS.fullmatch(text):
                raise Unparseable(f"{shown} (a comma that does not separate thousands)")
            text = text.replace(",", "")
        # int() reads "8823_8824" as one number and fullwidth digits as ASCII ones; an exponent
        # ("1e3") is no way to write an ID or a count. A spreadsheet's "8823.0" is a whole number.
        if "_" in text or not text.isascii():
            raise Unparseable(f"{shown} (not a plain number: only the digits 0-9)")
        try:
            number = int(text)
        except ValueError:
            if not _WHOLE_DECIMAL.fullmatch(text):
                raise Unparseable(f"{shown} ({_not_whole(text)})") from None
            number = int(text.split(".")[0])
    if number < 0:
        raise Unparseable(f"{shown} (negative)")
    if positive and number == 0:
        raise Unparseable(f"{shown} (0 is no ID)")
    if number > INT_MAX:
        raise Unparseable(f"{shown} (larger than {INT_MAX:,}, the largest whole number a column holds)")
    return number


def _not_whole(text: str) -> str:
    if re.fullmatch(r"[+-]?\d*\.\d+", text):
        return "not a whole number"
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", text):
        return "an exponent: write the number out"
    return "not a number"


def parse_datetime(value: Any, flags: list[str] | None = None) -> dt.datetime | None:
    """`created_at` as a naive UTC datetime (formats: assets/inventory/dates.py); a note on how it
    was read (epoch milliseconds) goes to `flags`."""
    if is_missing(value):
        return None
    try:
        parsed, note = read_datetime(value)
    except ValueError as exc:
        raise Unparseable(str(exc)) from None
    if note and flags is not None:
        flags.append(note)
    return parsed


def parse_tags(value: Any) -> list[str] | None:
    if is_missing(value):
        return None
    if isinstance(value, list | tuple):
        items = [_tag_text(v) or "" for v in value]
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
                items = [_tag_text(v) or "" for v in loaded] if isinstance(loaded, list) else [text]
            except json.JSONDecodeError:
                items = re.split(r"[,;|]", text.strip("[]"))
        else:
            items = re.split(r"[,;|]", text)
    tags = [t for t in (visible_text(i.replace("\x00", "")) for i in items) if t]
    return tags or None


_RENAMED_COLUMN = re.compile(r"(.+) \(column \d+(?:\.\d+)?\)")  # raw_records.unique_header's renaming


def names_tags(key: str) -> bool:
    """Whether a column kept in extra_fields is another tags column: a second name for the field
    (`labels` beside `tags`) or a repeated one (`Labels (column 15)`)."""
    renamed = _RENAMED_COLUMN.fullmatch(key)
    return canonical(renamed.group(1) if renamed else key) == "tags"


_TAG_KEYS = ("name", "label", "title", "text", "value", "color")  # a Trello label may be a colour only


def _tag_text(value: Any) -> str | None:
    """A tag: an object's name (Asana and Trello export tags as {"gid": ..., "name": "finance"}),
    else the value as text."""
    return _first_text(value, _TAG_KEYS) or as_text(value)


def _first_text(value: Any, keys: tuple[str, ...]) -> str | None:
    """The first of `keys` an object holds non-blank text under; None for anything else."""
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
    return None


# a display name first: Jira Server's `name` is the login, its `displayName` the person
_PERSON_KEYS = (
    "displayName",
    "display_name",
    "full_name",
    "name",
    "email",
    "emailAddress",
    "login",
    "username",
)


def person_text(value: Any) -> Any:
    """An owner given as an object (Asana's and Jira's JSON `assignee: {"gid": …, "name": "Jane Doe"}`):
    the person's name, else their e-mail or login; any other value as it is."""
    if (name := _first_text(value, _PERSON_KEYS)) is not None:
        return name
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        names = [person_text(v) for v in value]
        if all(isinstance(n, str) for n in names):
            return ", ".join(names)  # several assignees
    return value


def as_text(value: Any, *, strip: bool = True) -> str | None:
    """Cell -> text. Numbers from spreadsheets lose a spurious `.0`; nested values become JSON; NaN
    (JSON NaN, a pandas-written Parquet) is missing, not the word 'nan'; bytes are UTF-8 text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, bool):  # an XLSX TRUE, a JSON true: written as JSON writes it
        value = "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = dumps(value) if isinstance(value, dict | list) else str(value)
    if not text.strip():
        return None
    return text.strip() if strip else text


_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def visible_text(text: str | None, *, strip: bool = True) -> str | None:
    """The text, or None when it has no visible character: a title of only U+200B, a soft hyphen,
    control characters or spaces is no text."""
    stripped = text.strip() if text is not None else ""
    # the first character decides for almost every text, without a scan
    if not stripped or (
        unicodedata.category(stripped[0]) in _INVISIBLE
        and all(unicodedata.category(c) in _INVISIBLE for c in stripped)
    ):
        return None
    return stripped if strip else text


def text_field(name: str, value: Any, flags: list[str], *, strip: bool = True) -> str | None:
    """A text field as stored: NUL removed (it ends strings in C, breaks exports; flagged), and None
    when nothing visible is left. Other characters stay as written."""
    text = as_text(value, strip=strip)
    if isinstance(value, bytes) and "\ufffd" in text and b"\xef\xbf\xbd" not in value:
        flags.append(f"{name}: bytes that are not UTF-8 text, read with each undecodable byte as \ufffd")
    if text is not None and "\x00" in text:
        flags.append(f"{name}: {text.count(chr(0))} NUL character(s) removed")
        text = text.replace("\x00", "")
    return visible_text(text, strip=strip)


def without_format_characters(text: str) -> str:
    """`text` without invisible format characters (Unicode Cf: zero-width space, BOM, soft hyphen)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def task_id_text(value: Any) -> str | None:
    """The task ID as text. A boolean, an infinite number or a list/object is not an ID. Invisible
    format characters (zero-width space, BOM) are dropped and compatibility forms folded (NFKC), so
    'T3' and 'T3\\u200b' are one ID, and a duplicate is caught."""
    if isinstance(value, bool | dict | list | tuple) or (isinstance(value, float) and math.isinf(value)):
        raise Unparseable(repr(value))
    text = as_text(value)
    if text is not None:
        text = without_format_characters(text.replace("\x00", ""))
        text = text.strip() or None
    if text is not None and re.fullmatch(r"\d+\.0", text):
        text = text[:-2]  # a spreadsheet turned the ID 12 into 12.0
    return text
