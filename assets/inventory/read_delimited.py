"""Reading CSV, TSV and delimited .txt inventory files. What a reader yields: assets/inventory/raw_records.py."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from assets.common.decoding import UnreadableFile, decode_lines_checked
from assets.inventory.raw_records import (
    HEADER_SEARCH_ROWS,
    FileRead,
    RawRecord,
    unique_header,
    unrecognized_header_detail,
)
from assets.inventory.schema import header_recognized, header_score, looks_like_header

csv.field_size_limit(sys.maxsize)  # a 10 MB prompt is a legitimate field


def _sniff_delimiter(header_line: str, kind: str) -> str:
    if kind == "tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_delimited(path: Path, kind: str) -> FileRead:
    lines, encoding, doubt = decode_lines_checked(path.read_bytes())
    out = FileRead("tsv" if kind == "txt" else kind, encoding=encoding)
    if doubt:
        out.notes.append(doubt)
    start = _next_filled(lines, 0)
    named = _EXCEL_SEP.fullmatch(lines[start].lstrip("\ufeff").rstrip("\r\n")) if start is not None else None
    if named:  # Excel's "sep=;" line names the delimiter; it is not a row
        out.notes.append(f"line {start + 1} {named.group(0)!r} names the delimiter")
        start = _next_filled(lines, start + 1)
    if start is None:
        out.notes.append("empty file")
        return out
    header_at = start if named else _find_header(lines, start, kind)
    for n in range(start, header_at):  # a title line above the header: kept, as not a task
        if lines[n].strip(' \t\r\n,;|"'):  # a line of delimiters only (Google Sheets) is no row
            out.records.append(
                RawRecord(
                    n + 1,
                    {"_line": lines[n].rstrip("\r\n")},
                    "unrecognized_header",
                    f"above the header (line {header_at + 1}): a title line? It is not read as a task",
                )
            )
    start = header_at
    delimiter = named.group(1) if named else _sniff_delimiter(lines[start], kind)
    if kind == "txt":  # reported as what it is
        out.file_type = "tsv" if delimiter == "\t" else "csv"
        out.notes.append(f"delimiter {delimiter!r} detected")
    # the header is parsed like a record: a quoted header cell may span lines
    reader = csv.reader(_LineFeed(lines, start), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise UnreadableFile(f"header (line {start + 1}) cannot be parsed: {exc}") from exc
    out.header, renamed = unique_header(header)
    out.notes.extend(renamed)
    width = len(out.header)
    i = start + reader.line_num
    if not header_recognized(header):
        # no task_id and no title/description column: with no header at all, the first line is a
        # task, so it is kept (quarantined) like every other line
        span = "".join(lines[start:i]).rstrip("\r\n")
        out.header_problem = unrecognized_header_detail(header, f"line {start + 1}", first_is_row=True)
        out.records.append(RawRecord(start + 1, {"_line": span}, "unrecognized_header", out.header_problem))
    # Parse record by record. A malformed record (unbalanced quote, ragged width) quarantines only
    # its first physical line, and parsing resumes on the next line, so a stray quote can never
    # swallow the rest of the file into one field.
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        reader = csv.reader(_LineFeed(lines, i), delimiter=delimiter, strict=True)
        first_line = i + 1  # 1-based line number
        try:
            values = next(reader)
            consumed = reader.line_num
            error = None
        except csv.Error as exc:
            values, consumed, error = None, 1, str(exc)
        if error is not None:
            detail = f"unbalanced quote or bad quoting ({error})"
            out.records.append(
                RawRecord(first_line, {"_line": lines[i].rstrip("\r\n")}, "malformed_csv", detail)
            )
            i += 1
            continue
        if (
            consumed > 1
            and len(values) != width
            and not lines_stand_alone(lines, i, consumed, delimiter, width)
        ):
            # balanced quotes over several lines, wrong width: one record with a bad field count. Its
            # lines are quarantined together; read one by one, prompt lines would pass for tasks.
            span = "".join(lines[i : i + consumed]).rstrip("\r\n")
            out.records.append(
                RawRecord(
                    first_line,
                    {"_lines": span},
                    "ragged_row",
                    f"lines {first_line}-{first_line + consumed - 1}: {len(values)} fields where the "
                    f"header has {width}",
                )
            )
            i += consumed
            continue
        if consumed > 1 and len(values) != width:  # a stray quote: only its line is bad
            out.records.append(
                RawRecord(
                    first_line, {"_line": lines[i].rstrip("\r\n")}, "malformed_csv", "quote spans lines"
                )
            )
            i += 1
            continue
        i += consumed
        if not any(v.strip() for v in values):  # a row of delimiters only (",,,"): no data, like a blank line
            continue
        if looks_like_header(values, header):
            out.records.append(
                RawRecord(
                    first_line,
                    {"_line": "".join(lines[i - consumed : i]).rstrip("\r\n")},
                    "repeated_header",
                    f"a header row inside the data (files concatenated, or a second table?); rows "
                    f"below it are read with the header on line {start + 1}",
                )
            )
            continue
        if len(values) != width:
            out.records.append(
                RawRecord(
                    first_line,
                    {f"_field_{n + 1}": v for n, v in enumerate(values)},
                    "ragged_row",
                    f"{len(values)} fields where the header has {width}"
                    + _space_before_quote_hint(values, width),
                )
            )
            continue
        out.records.append(RawRecord(first_line, dict(zip(out.header, values, strict=True))))
    if not out.records:
        out.notes.append(f"no rows below the header (line {start + 1})")
    return out


_EXCEL_SEP = re.compile(r"sep=(.)")


def _space_before_quote_hint(values: list[str], width: int | None = None) -> str:
    # `a, "b, c"`: after a space the quote is a literal character, so the comma inside splits the cell;
    # the parsed cell then starts with the space and the quote (a properly quoted cell never does)
    if any(v[:1] in (" ", "\t") and v.lstrip(" \t").startswith('"') for v in values):
        return " (a space between the delimiter and a quote makes the quote literal: remove the space)"
    # `R-1,One,x,` under a 3-column header: an exporter's trailing delimiter, not a fourth value
    if width is not None and len(values) > width and not any(v.strip() for v in values[width:]):
        return " (the fields past the header's are empty: a delimiter at the end of the line?)"
    return ""


def _next_filled(lines: list[str], i: int) -> int | None:
    return next((n for n in range(i, len(lines)) if lines[n].strip()), None)


def _find_header(lines: list[str], start: int, kind: str) -> int:
    """The header line: the first line, unless it names no inventory column and a line below it
    (within HEADER_SEARCH_ROWS) names two, task_id or a text field among them (a title line above
    the header, as in an XLSX sheet). A one-word title that is also a column name ("Summary") yields
    to a wider header on the next filled line."""
    first = _split_line(lines[start], kind)
    if first is None:
        return start
    if header_recognized(first, weak=False):
        below = _next_filled(lines, start + 1)
        cells = _split_line(lines[below], kind) if below is not None and len(first) == 1 else None
        if cells and len(cells) > 1 and header_score(cells) >= 2:
            return below
        return start
    # a first line named only by weak aliases ('Question, Who owns this?' above 'id,title,description')
    # yields to a header below that names a field otherwise (an eval file's 'question,answer' stays)
    weak_only = header_recognized(first)
    for n in range(start + 1, min(len(lines), start + HEADER_SEARCH_ROWS)):
        cells = _split_line(lines[n], kind) if lines[n].strip() else None
        if cells and header_score(cells) >= 2 and (not weak_only or header_recognized(cells, weak=False)):
            return n
    return start


def _split_line(line: str, kind: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter=_sniff_delimiter(line, kind)), [])
    except csv.Error:
        return None


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


class _LineFeed:
    """An iterator over lines[start:], so csv.reader's line_num counts physical lines consumed."""

    def __init__(self, lines: list[str], start: int):
        self.lines, self.i = lines, start

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.i >= len(self.lines):
            raise StopIteration
        self.i += 1
        return self.lines[self.i - 1]
