"""What a spreadsheet shows for a number cell where calamine reads only the stored number. It matters
for the task ID: 007 typed in a cell formatted 000 is stored as 7 (and collides with another file's
7), 2024-01 typed into a cell becomes a date, and an ID longer than the 15 significant digits a
spreadsheet number holds is no longer the ID that was typed."""

from __future__ import annotations

import html
import re

_NUMFMT = re.compile(r"<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId=\"(\d+)\"[^>]*?\bformatCode=\"([^\"]*)\"")
_CELL_XFS = re.compile(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(r"<(?:\w+:)?xf\b([^>]*)")
_FORMAT_ID = re.compile(r"\bnumFmtId=\"(\d+)\"")
_ZERO_PADDED = re.compile(r"0{2,}")
MAX_DIGITS = 15  # significant digits of a spreadsheet number (IEEE double as Excel shows it)


def number_formats(styles_xml: str) -> list[str | None]:
    """Cell style index (a cell's s="k") -> its custom number format code, None for a built-in one."""
    custom = {int(i): html.unescape(code) for i, code in _NUMFMT.findall(styles_xml)}
    block = _CELL_XFS.search(styles_xml)
    out: list[str | None] = []
    for attrs in _XF.findall(block.group(0)) if block else ():
        m = _FORMAT_ID.search(attrs)
        n = int(m.group(1)) if m else 0
        out.append(custom.get(n))  # the built-in formats never pad with zeros
    return out


def matters(code: str | None) -> bool:
    """Whether a number cell in this format reads otherwise than it shows (a date cell reads as
    calamine's date text, which `date_id_flag` recognises without the scan this needs)."""
    return code is not None and _ZERO_PADDED.fullmatch(code) is not None


# how calamine writes a date or time cell read as text
_CALAMINE_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?")


def date_id_flag(read: object) -> str | None:
    """A flag for a task ID the spreadsheet holds as a date or time (2024-01 typed into a cell)."""
    if isinstance(read, str) and _CALAMINE_DATETIME.fullmatch(read):
        return (
            f"task_id {read!r} is a date or time in the workbook: the spreadsheet turned what was typed "
            "into one, so the ID read may not be the one typed; format the column as Text and type the "
            "IDs again"
        )
    return None


# a stored number that may be too long: an exponent, or 16 digits or more (the literal <v> prefix
# keeps the search over a 60 MB sheet at 0.04 s, where <(?:\w+:)?v> took 0.17 s: a sheet written
# with a namespace prefix, <x:v>, is not searched)
LONG_NUMBER = re.compile(r"<v>[-+]?(?:\d{16,}|[\d.]+[eE][+-]?\d)")


def too_long(stored: str) -> bool:
    """A stored number written with an exponent or more digits than a spreadsheet number keeps."""
    if "e" in stored.lower():
        return True
    digits = stored.lstrip("-+")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return len(digits.replace(".", "").lstrip("0")) > MAX_DIGITS


def shown_id(stored: str, code: str | None) -> tuple[str | None, str | None]:
    """(the ID as the spreadsheet shows it, or None to keep the stored number's reading; a flag, or
    None) for a number cell of the task_id column, `stored` as saved in the file (<v>)."""
    try:
        value = float(stored)
    except ValueError:
        return None, None
    if matters(code) and value.is_integer() and value >= 0 and not too_long(stored):
        shown = str(int(value)).zfill(len(code))
        if shown != str(int(value)):
            return (
                shown,
                f"task_id: the number {int(value)} shown as {shown!r} (number format {code!r}), read as shown",
            )
        return None, None
    if too_long(stored):
        return None, (
            f"task_id is a number of more than {MAX_DIGITS} significant digits (stored as {stored}), more "
            "than a spreadsheet number holds: the ID read may not be the one typed; store IDs as text"
        )
    return None, None
