"""Telling a quoted cell that spans lines from a stray quote that swallowed the rows below it."""

from __future__ import annotations

import csv
import sys

csv.field_size_limit(sys.maxsize)  # a 10 MB prompt is a legitimate field


def lines_stand_alone(lines: list[str], i: int, consumed: int, delimiter: str, width: int) -> bool:
    """Whether lines i+1 .. i+consumed-1 each parse alone as a record of the header's width (then the
    quote on line i was stray, and they are rows, not the inside of a prompt)."""
    for line in lines[i + 1 : i + consumed]:
        try:
            values = next(csv.reader([line], delimiter=delimiter, strict=True), [])
        except csv.Error:
            return False
        if len(values) != width:
            return False
    return True
