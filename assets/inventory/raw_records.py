"""What every inventory reader yields, losing nothing.

Each reader yields `RawRecord`s: the record's position in the file (`row`), its cells keyed by the
header as written, and a problem when the record itself is malformed (a ragged CSV row, an
unbalanced quote, a JSONL line that is not JSON). Malformed records are still yielded, so the caller
quarantines them and the per-file count `rows read = accepted + quarantined` holds.

Row numbers are what a person finds in the file: the line on which the record starts (CSV, TSV,
JSONL; the header is line 1), the sheet row (XLSX), or the 1-based record index (JSON, Parquet).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from assets.inventory.schema import accepted_names

HEADER_SEARCH_ROWS = 30  # how far down an XLSX sheet a header row (below a title block) is looked for


@dataclass
class RawRecord:
    row: int
    cells: dict[str, Any]
    problem: str | None = None  # reason code when the record itself is malformed
    detail: str = ""
    sheet: str | None = None  # XLSX sheet name
    flags: list[str] = field(default_factory=list)  # warnings that do not stop the record (merged cells)


@dataclass
class FileRead:
    """What was read from one file: header (as written), records, and notes for the file table."""

    file_type: str
    header: list[str] = field(default_factory=list)
    records: list[RawRecord] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    # rows of parts not read as tasks (a hidden or lookup sheet, a second JSON list): each part is
    # named in `notes` with "[N rows not read]", so the count can be checked against them
    skipped: int = 0
    header_problem: str | None = None  # set when the header names no task_id/title/description

    def skip(self, what: str, rows: int) -> None:
        self.notes.append(f"{what} [{rows} row{'s' if rows != 1 else ''} not read]")
        self.skipped += rows


def unrecognized_header_detail(header: list[str], where: str, *, first_is_row: bool = False) -> str:
    found = ", ".join(repr(h) for h in header[:12]) + (", ..." if len(header) > 12 else "")
    also = (
        f" (if the file has no header line, {where} is itself a task, quarantined too)"
        if first_is_row
        else ""
    )
    return (
        f"the header ({where}: {found}) names no task_id and no title or description column, so no "
        f"row can be read as a task{also}. Accepted names: {accepted_names()}"
    )


def unique_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Header names made unique, so no cell is lost to a repeated or blank name: the second 'notes'
    becomes 'notes (column 4)', a blank one '(column 5)'. Returns the names and a note per rename."""
    names: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    taken = {c.strip().lower() for c in header}  # a new name must not be one written further on
    for n, cell in enumerate(header, start=1):
        name = cell
        if not cell.strip() or cell.strip().lower() in seen:
            name, k = f"{cell.strip()} (column {n})".strip(), 1
            while name.lower() in taken:
                k += 1
                name = f"{cell.strip()} (column {n}.{k})".strip()
            taken.add(name.lower())
            what = "blank" if not cell.strip() else f"repeated {cell.strip()!r}"
            notes.append(f"column {n}: {what} header, kept as {name!r} in extra_fields")
        seen.add(cell.strip().lower())
        names.append(name)
    return names, notes


def dumps_or_note(item: Any) -> str:
    try:
        return json.dumps(json_safe(item), ensure_ascii=True, allow_nan=False)
    except (RecursionError, ValueError):
        return f"(a {type(item).__name__} too deeply nested to store: see the file)"


def dumps(value: Any) -> str:
    """Valid JSON (no NaN), for raw records and extra fields."""
    try:
        return json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False, default=str)
    except (RecursionError, ValueError):
        return json.dumps({"_unstorable": repr(value)[:100_000]})


def json_safe(value: Any) -> Any:
    """Values as JSON can hold them (dates as ISO text; NaN, which JSON cannot hold and which means
    missing, as null; an infinity as text), for the quarantine's raw record."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
