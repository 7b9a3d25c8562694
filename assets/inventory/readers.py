"""Reading inventory files of every supported type into raw records, losing nothing.

Each reader yields `RawRecord`s: the record's position in the file (`row`), its cells keyed by the
header as written, and a problem when the record itself is malformed (a ragged CSV row, an
unbalanced quote, a JSONL line that is not JSON). Malformed records are still yielded, so the caller
quarantines them and the per-file count `rows read = accepted + quarantined` holds.

Row numbers are what a person finds in the file: the line on which the record starts (CSV, TSV,
JSONL; the header is line 1), the sheet row (XLSX), or the 1-based record index (JSON, Parquet).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import math
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets.common.decoding import UnreadableFile, bomless_utf16, decode_lines, wide_encoding
from assets.inventory import xlsx_numbers
from assets.inventory.schema import (
    accepted_names,
    canonical,
    header_is_generic,
    header_recognized,
    header_score,
    is_lookup_sheet_name,
    is_task_sheet_header,
    looks_like_header,
    map_header,
)

csv.field_size_limit(sys.maxsize)  # a 10 MB prompt is a legitimate field

# .txt may be comma- or tab-separated (Excel's "Unicode Text" is tabs): its delimiter is sniffed
SUPPORTED = {".csv": "csv", ".tsv": "tsv", ".txt": "txt", ".xlsx": "xlsx", ".json": "json"}
SUPPORTED |= {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
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


def file_type(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def read_file(path: Path) -> FileRead:
    kind = file_type(path)
    if kind in ("csv", "tsv", "txt"):
        return read_delimited(path, kind)
    if kind == "xlsx":
        return read_xlsx(path)
    if kind == "json":
        return read_json(path)
    if kind == "jsonl":
        return read_jsonl(path)
    if kind == "parquet":
        return read_parquet(path)
    raise UnreadableFile(f"unsupported file type {path.suffix!r}")


# --- CSV / TSV -------------------------------------------------------------------------------


def _sniff_delimiter(header_line: str, kind: str) -> str:
    if kind == "tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_delimited(path: Path, kind: str) -> FileRead:
    lines, encoding = decode_lines(path.read_bytes())
    out = FileRead("tsv" if kind == "txt" else kind, encoding=encoding)
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


# --- XLSX --------------------------------------------------------------------------------------


@dataclass
class _SheetFacts:
    """What calamine does not say about a sheet: where its values start (it trims leading blank rows),
    cells it reads differently from what they hold (an error cell reads as empty, TRUE as the text
    'true'), keyed (sheet row, 0-based column from the first column holding a value) -> the error
    text ('#DIV/0!') or the boolean, and merged ranges (first row, first col, last row, last col) on
    the same axes."""

    first_row: int = 1
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # formula cells saved without a result (written by a library, never opened in Excel): calamine
    # reads them as empty; (sheet row, column) -> the formula
    uncomputed: dict[tuple[int, int], str] = field(default_factory=dict)
    # formula cells whose saved result is a placeholder: the workbook asks to be recalculated when
    # opened (<calcPr fullCalcOnLoad="1"/>, what xlsxwriter and openpyxl write; Excel and LibreOffice
    # save computed results without it) and the result is the number 0, which xlsxwriter saves for
    # any formula it was given no result for; (sheet row, column) -> the formula
    stale: dict[tuple[int, int], str] = field(default_factory=dict)
    # number cells that may read otherwise than the spreadsheet shows them (a format 000 or a date
    # format, more than 15 digits): (sheet row, column) -> (the stored number, its format code)
    numbers: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)
    # sheet rows hidden (filtered out, or hidden by hand): read like any other, and flagged
    hidden: frozenset[int] = frozenset()


_CELL = re.compile(r"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_STYLE = re.compile(r"\bs=\"(\d+)\"")
_MERGE = re.compile(r"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _typed_cells(
    sheet_xml: str, results_stale: bool = False, formats: list[str | None] | None = None
) -> tuple:
    """The _SheetFacts fields after first_row, from one scan of the sheet's cells (only when the
    sheet holds something calamine reads differently)."""
    typed = 't="e"' in sheet_xml or 't="b"' in sheet_xml
    styled = [f' s="{k}"' for k, code in enumerate(formats or ()) if xlsx_numbers.matters(code)]
    numbers = xlsx_numbers.LONG_NUMBER.search(sheet_xml) is not None or any(s in sheet_xml for s in styled)
    merges = _MERGE.findall(sheet_xml) if "mergeCell" in sheet_xml else []
    # a formula element closing its cell has no <v> after it: only then is the sheet scanned for them
    # (with stale results, any formula is)
    formulas = (
        _FORMULA.search(sheet_xml) if results_stale else _FORMULA_ENDS_CELL.search(sheet_xml)
    ) is not None
    if not typed and not merges and not formulas and not numbers:  # the common case: no scan
        return {}, [], {}, {}, {}
    every = [m.groups() for m in _CELL.finditer(sheet_xml)]
    cells = [c for c in every if c[3] and _VALUE.search(c[3])]
    if not cells:
        return {}, [], {}, {}, {}
    first_col = min(_column_number(c[0]) for c in cells)
    found: dict[tuple[int, int], Any] = {}
    for col, row, attrs, body in cells if typed else ():
        value = _CELL_VALUE.search(body)
        if 't="e"' in attrs:
            found[int(row), _column_number(col) - first_col] = value.group(1) if value else "#ERROR"
        elif 't="b"' in attrs and value:
            found[int(row), _column_number(col) - first_col] = value.group(1).strip() == "1"
    merged = [
        (int(r1), _column_number(c1) - first_col, int(r2), _column_number(c2) - first_col)
        for c1, r1, c2, r2 in merges
    ]
    # no result: no <v>, or an empty one (openpyxl writes <v/> or <v></v>) on a cell that is not a
    # string result (Excel saves a formula that gave "" as t="str" with an empty <v>)
    # a shared formula's other cells hold only `<f t="shared" si="0"/>`: its text is in the first cell
    shared = {
        m.group(1): html.unescape(f.group(2))
        for *_, body in (every if formulas else ())
        if body and (f := _FORMULA.search(body)) and f.group(2) and (m := _SHARED_INDEX.search(f.group(1)))
    }
    uncomputed, stale = {}, {}
    for col, row, attrs, body in every if formulas else ():
        if body and (f := _FORMULA.search(body)):
            no_result = not _CELL_VALUE_FILLED.search(body) and 't="str"' not in attrs
            # a saved result is a placeholder only as xlsxwriter writes one when given none: the number
            # 0 in a workbook asking to be recalculated (ExcelJS, EPPlus, POI save real results there)
            if no_result or (results_stale and 't="' not in attrs and _ZERO_RESULT.search(body)):
                into = uncomputed if no_result else stale
                into[int(row), _column_number(col) - first_col] = _formula_text(f, shared)
    shown: dict[tuple[int, int], tuple[str, str | None]] = {}
    for col, row, attrs, body in every if numbers else ():
        if body and ('t="' not in attrs or 't="n"' in attrs) and (v := _CELL_VALUE.search(body)):
            style = _STYLE.search(attrs)
            k = int(style.group(1)) if style else -1
            code = formats[k] if formats and 0 <= k < len(formats) else None
            if xlsx_numbers.matters(code) or xlsx_numbers.too_long(v.group(1)):
                shown[int(row), _column_number(col) - first_col] = (v.group(1), code)
    return found, merged, uncomputed, stale, shown


def _formula_text(f: re.Match, shared: dict[str, str]) -> str:
    if f.group(2) is not None:
        return html.unescape(f.group(2))
    index = _SHARED_INDEX.search(f.group(1))
    first = shared.get(index.group(1)) if index else None
    return f"{first} shared, as in its first cell" if first else "a shared formula"


# <f>text</f>, or a shared formula's other cells: <f t="shared" si="0"/>
_FORMULA = re.compile(r"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")
_SHARED_INDEX = re.compile(r"\bsi=\"(\d+)\"")
_FORMULA_ENDS_CELL = re.compile(
    r"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_CELL_VALUE_FILLED = re.compile(r"<(?:\w+:)?v>[^<]")
_ZERO_RESULT = re.compile(r"<(?:\w+:)?v>0</(?:\w+:)?v>")


def _sheet_facts(path: Path) -> dict[str, _SheetFacts]:
    """Sheet name -> its _SheetFacts, read from the workbook's XML."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    import xml.etree.ElementTree as ET

    facts: dict[str, _SheetFacts] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            wb = ET.fromstring(zf.read("xl/workbook.xml"))
            calc = wb.find("m:calcPr", ns)
            stale = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
            try:
                formats = xlsx_numbers.number_formats(zf.read("xl/styles.xml").decode("utf-8", "replace"))
            except KeyError:
                formats = []
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            for sheet in wb.iter(f"{{{ns['m']}}}sheet"):
                target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                text = zf.read(member).decode("utf-8", "replace")
                # the whole sheet: a banner of styled empty cells can fill more than any window
                facts[sheet.get("name")] = _SheetFacts(
                    _first_row_with_a_value(text), *_typed_cells(text, stale, formats), _hidden_rows(text)
                )
    except (KeyError, zipfile.BadZipFile, ET.ParseError):
        return {}
    return facts


_ROW = re.compile(r"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
# a value calamine reads: a non-empty <v> (a formula that evaluated to "" is saved as <v></v> and
# skipped like an empty cell) or an inline string with text
_VALUE = re.compile(r"<(?:\w+:)?v>[^<]|<(?:\w+:)?is\b.*?<(?:\w+:)?t\b[^>]*>[^<]", re.S)


_HIDDEN_ROW = re.compile(r"<(?:\w+:)?row\b(?=[^>]*?\bhidden=\"(?:1|true)\")[^>]*?\br=\"(\d+)\"")


def _hidden_rows(sheet_xml: str) -> frozenset[int]:
    if "hidden=" not in sheet_xml:  # the common case: no scan
        return frozenset()
    return frozenset(int(r) for r in _HIDDEN_ROW.findall(sheet_xml))


def _first_row_with_a_value(sheet_xml: str) -> int:
    """The sheet row number of the first row holding a value: a formatted but empty row (a custom
    height, a fill) is written to the file, yet calamine skips it."""
    for m in _ROW.finditer(sheet_xml):
        if m.group(2) and _VALUE.search(m.group(2)):
            return int(m.group(1))
    return 1


def _blank(cell: Any) -> bool:
    return cell is None or not str(cell).strip()


@dataclass
class _Sheet:
    name: str
    rows: list[tuple]
    header_at: int  # index into rows
    facts: _SheetFacts
    filled: int  # non-empty rows

    @property
    def written(self) -> list[str]:
        return [("" if c is None else str(c)) for c in self.rows[self.header_at]]


def read_xlsx(path: Path) -> FileRead:
    """Every visible sheet with an inventory header is read. A sheet that is not read is named in
    the notes with its non-empty rows (`FileRead.skip`): a hidden sheet, a sheet with no header
    naming task_id or title/description in its first rows, and a lookup table: a header of generic
    names only ('ID, Name, Team') beside a sheet that is clearly a task table (`is_task_sheet_header`:
    task_id and a text column, one of them named task-specifically), or a sheet named as a lookup
    ('Legend', 'Glossary') without a task_id column beside such a task table. A sheet with a
    task-specific name but no ID column ('Domain, Description') never makes another sheet a lookup."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for corrupt workbooks
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from exc
    facts = _sheet_facts(path)
    out = FileRead("xlsx")
    candidates: list[_Sheet] = []
    for name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            rows = sheet.to_polars().rows()
        except Exception as exc:  # a chart sheet, or a sheet calamine cannot load
            out.notes.append(f"sheet {name!r} not read: it cannot be loaded ({exc})")
            continue
        filled = sum(1 for row in rows if not all(_blank(c) for c in row))
        if not filled:
            out.notes.append(f"sheet {name!r} is empty")
            continue
        if sheet.visible != "visible":
            out.skip(f"sheet {name!r} not read: it is {sheet.visible} (unhide it to read it)", filled)
            continue
        header_at = next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if _header_row(row)), None)
        if header_at is None:
            first = next(row for row in rows if not all(_blank(c) for c in row))
            found = ", ".join(repr(str(c)) for c in first if not _blank(c))[:300]
            out.skip(
                f"sheet {name!r} not read: no row in its first {HEADER_SEARCH_ROWS} names task_id or "
                f"title/description plus another inventory column (first row: {found})",
                filled,
            )
            continue
        candidates.append(_Sheet(name, rows, header_at, facts.get(name, _SheetFacts()), filled))
    task_sheets = [c.name for c in candidates if is_task_sheet_header(c.written)]
    # with no header that is clearly a task table's, a generic-only sheet whose name says lookup
    # ('Owners') beside one whose name does not ('Tasks') is the lookup
    named_tasks = [c.name for c in candidates if not is_lookup_sheet_name(c.name)]
    used = []
    for sheet in candidates:
        if task_sheets and is_lookup_sheet_name(sheet.name) and not _names_task_id(sheet.written):
            # a 'Legend' or 'Glossary' of domains beside the task table: without an ID column none of
            # its rows could be a task (each would be quarantined missing_id)
            names = ", ".join(repr(h) for h in sheet.written if h.strip())
            out.skip(
                f"sheet {sheet.name!r} not read: a lookup table? its name says so, its header ({names}) "
                f"has no task_id column, and sheet {task_sheets[0]!r} is the task table; add a task_id "
                "column to read it",
                sheet.filled,
            )
            continue
        if header_is_generic(sheet.written) and (
            task_sheets or named_tasks and is_lookup_sheet_name(sheet.name)
        ):
            names = ", ".join(repr(h) for h in sheet.written if h.strip())
            why = (
                f"while sheet {task_sheets[0]!r} names task_id and a text column as a task table does"
                if task_sheets
                else f"its name says lookup, while sheet {named_tasks[0]!r} is read as the tasks"
            )
            out.skip(
                f"sheet {sheet.name!r} not read: a lookup table? its header ({names}) has only generic "
                f"names, {why}; rename a column (e.g. to task_id or title) to read it",
                sheet.filled,
            )
            continue
        used.append(f"{sheet.name!r} (header on row {sheet.facts.first_row + sheet.header_at})")
        _read_sheet(sheet, out)
    if not used:
        raise UnreadableFile(
            "no sheet has an inventory header row (task_id plus title/description): " + "; ".join(out.notes)
        )
    out.notes.insert(0, "sheets read: " + ", ".join(used))
    return out


def _names_task_id(header: list[str]) -> bool:
    return "task_id" in map_header(header).values()


def _header_row(row: tuple) -> bool:
    return header_score([str(c) for c in row if c is not None]) >= 2


def _read_sheet(sheet: _Sheet, out: FileRead) -> None:
    name, rows, header_at, facts = sheet.name, sheet.rows, sheet.header_at, sheet.facts
    offset = facts.first_row
    written = sheet.written
    header, renamed = unique_header(written)
    out.notes.extend(f"sheet {name!r} {note}" for note in renamed)
    if not out.header:
        out.header = header
    merged_below = _merged_by_row(facts.merged, offset + len(rows) - 1)
    id_columns = [col for col, w in enumerate(written) if canonical(w) == "task_id"]
    uncomputed_by_row: dict[int, list[tuple[int, str, bool]]] = {}
    for (r, c), formula in sorted(facts.uncomputed.items()):
        uncomputed_by_row.setdefault(r, []).append((c, formula, False))
    for (r, c), formula in sorted(facts.stale.items()):
        uncomputed_by_row.setdefault(r, []).append((c, formula, True))
    for idx in range(header_at + 1, len(rows)):
        row = rows[idx]
        if all(_blank(c) for c in row):
            continue
        at = offset + idx  # the sheet row
        # an error cell keeps its error text ('#DIV/0!'): a number field then fails to parse, a text
        # field shows it, instead of an empty value nobody sees; TRUE stays a boolean, not 'true'
        row = [facts.cells.get((at, col), v) for col, v in enumerate(row)]
        id_flags = []
        for col in (c for c in id_columns if c < len(row)):
            if flag := xlsx_numbers.date_id_flag(row[col]):
                id_flags.append(flag)
            if (at, col) in facts.numbers:
                shown, flag = xlsx_numbers.shown_id(*facts.numbers[at, col])
                row[col] = shown if shown is not None else row[col]
                id_flags += [flag] if flag else []
        if looks_like_header(row, written):
            cells = {h: v for h, v in zip(header, row, strict=True) if v is not None}
            out.records.append(
                RawRecord(
                    at,
                    cells,
                    "repeated_header",
                    f"a header row inside the data (a second table stacked below?); rows below it "
                    f"are read with the header on row {offset + header_at}",
                    sheet=name,
                )
            )
            continue
        # each sheet keeps its own header: records are mapped by their own keys
        cells = {h: v for h, w, v in zip(header, written, row, strict=True) if w.strip() or v is not None}
        rec = RawRecord(at, cells, sheet=name, flags=id_flags)
        for col, formula, stale in uncomputed_by_row.get(at, ()):
            if not (0 <= col < len(written) and written[col].strip()):
                continue  # a column without a header is not read (a helper column)
            column = repr(written[col])
            if stale:
                # the placeholder is not the value (a prompt starting with '=' that pandas' xlsxwriter
                # saved as a formula reads as 0): read nothing rather than it
                cells.pop(header[col], None)
                rec.flags.append(
                    f"{column} is a formula (={formula[:60]}) whose saved result, 0, is a placeholder: "
                    "the program that wrote the workbook asked for it to be recalculated when opened "
                    "(fullCalcOnLoad), so it reads as empty; open and save the workbook in Excel or "
                    "LibreOffice to store the results (pandas writes text starting with '=' as a formula: "
                    "write CSV, or pass engine_kwargs={'options': {'strings_to_formulas': False}} with "
                    "xlsxwriter)"
                )
                continue
            rec.flags.append(
                f"{column} is a formula with no saved result, or an empty one (={formula[:60]}): it "
                "reads as empty; if a program wrote the workbook, open and save it in Excel or "
                "LibreOffice to store the results"
            )
        if at in facts.hidden:
            rec.flags.append(
                f"row {at} is hidden in sheet {name!r} (filtered out?): read as a task like any other; "
                "delete the row, or give it a status coverage leaves out (retired), to leave it out"
            )
        for r1, c1, r2, c2 in merged_below.get(at, ()):
            cols = ", ".join(repr(written[c]) for c in range(max(c1, 0), min(c2 + 1, len(written))))
            rec.flags.append(f"{cols} merged over rows {r1}-{r2}: its value is read on row {r1} only")
        out.records.append(rec)


def _merged_by_row(merged: list[tuple[int, int, int, int]], last_row: int) -> dict[int, list[tuple]]:
    """Sheet row -> the merged ranges covering it below their first row (calamine reads a merged
    cell's value on its first row only). A one-row merge (a description spread over two columns)
    never hides a value, so it is left out; rows past the sheet's last are not indexed. The cost is
    linear in the rows flagged, not rows x merges."""
    below: dict[int, list[tuple]] = {}
    for r1, c1, r2, c2 in merged:
        for at in range(r1 + 1, min(r2, last_row) + 1):
            below.setdefault(at, []).append((r1, c1, r2, c2))
    return below


# --- JSON, JSONL, Parquet -------------------------------------------------------------------------


def _json_default_text(data: bytes) -> tuple[str, str]:
    wide = wide_encoding(data)
    if wide:
        return data.decode(wide), wide
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    bare = bomless_utf16(data)
    if bare:
        return data.decode(bare), f"{bare} (no byte-order mark)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict"), "cp1252"


class _JsonObject(dict):
    """A JSON object that remembers keys it held twice (json keeps only the last value silently)."""

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict:
    plain = dict(pairs)
    if len(plain) == len(pairs):  # the common case, at C speed
        return plain
    obj, duplicates = _JsonObject(), []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
            n = 2
            while f"{key} ({n})" in obj:
                n += 1
            key = f"{key} ({n})"  # kept, so the quarantined record holds every value
        obj[key] = value
    obj.duplicates = duplicates
    return obj


def _duplicate_keys(value: Any, where: str = "") -> list[str]:
    """Keys any object in `value` gave twice, as paths ('meta.a'), nested objects included."""
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{where}{k}" for k in getattr(value, "duplicates", [])]
        for k, v in value.items():
            found += _duplicate_keys(v, f"{where}{k}.")
    elif isinstance(value, list):
        for v in value:
            found += _duplicate_keys(v, where)
    return found


def _json_int(text: str) -> int | str:
    # Python refuses int() of more than 4,300 digits (ValueError for the whole document): such a
    # number stays text, so only the field holding it is unparseable
    return int(text) if len(text) <= 4000 else text


def _loads(text: str) -> Any:
    """json.loads; a document nested too deeply for Python raises RecursionError, reported as
    not valid JSON by the callers."""
    return json.loads(text, object_pairs_hook=_object_pairs, parse_int=_json_int)


MAX_DEPTH = 100  # deeper records are quarantined: nothing in a task is nested this deep


def _too_deep(value: Any) -> bool:
    """Whether `value` nests objects/lists deeper than MAX_DEPTH (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


_LIST_KEYS = ("tasks", "items", "records", "data", "rows")


def _lone_surrogate(value: Any, where: str = "") -> str | None:
    """The field holding an unpaired UTF-16 surrogate (a truncated emoji), which no UTF-8 store can
    hold, else None."""
    if isinstance(value, str):
        return where or "(value)" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if _SURROGATE.search(str(k)):
                return repr(k.encode("utf-8", "backslashreplace").decode())
            found = _lone_surrogate(v, where or str(k))
            if found:
                return found
    if isinstance(value, list):
        return next((f for v in value if (f := _lone_surrogate(v, where))), None)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_json(path: Path) -> FileRead:
    try:
        text, encoding = _json_default_text(path.read_bytes())
        doc = _loads(text)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise UnreadableFile(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise UnreadableFile("not readable JSON: nested too deeply for the JSON reader") from exc
    out = FileRead("json", encoding=encoding)
    if isinstance(doc, dict):
        lists = [k for k in _LIST_KEYS if isinstance(doc.get(k), list)]
        # an empty list holds no tasks, so it competes with none ({"tasks": [...], "items": []})
        lists = [k for k in lists if doc[k]] or lists[:1]
        if len(lists) > 1:
            # which list holds the tasks is the user's call: reading one would drop the other
            raise UnreadableFile(
                f"the object holds lists under {' and '.join(repr(k) for k in lists)}: put the tasks in "
                "one list (or one file per list)"
            )
        if not lists:
            keys = ", ".join(repr(k) for k in list(doc)[:12])
            # {"tasks": {"T-1": {...}}}: the key is right, the shape is not
            shaped = [k for k in _LIST_KEYS if k in doc]
            held = doc[shaped[0]] if shaped else None
            kind = {dict: "an object (keyed by ID?)", str: "text", bool: "true/false", type(None): "null"}
            what = f"; {shaped[0]!r} holds {kind.get(type(held), 'a number')}, not a list" if shaped else ""
            raise UnreadableFile(
                f"a JSON object must hold the tasks in a list under 'tasks' (or {', '.join(_LIST_KEYS[1:])}); "
                f"its keys: {keys or 'none'}{what}"
            )
        own = [k for k in doc if k != lists[0]]
        own_is_a_task = header_recognized(own)
        if own_is_a_task:
            # {"task_id": ..., "title": ..., "data": [...]} may be a task itself, or a suite's own id
            # and name: say so in words (it is no row of the list, so it is not counted as one)
            out.notes.append(
                f"the object's own keys ({', '.join(repr(k) for k in own)}) look like a task's fields but "
                f"are not read as a task: only {lists[0]!r} holds tasks (move it into the list if it is one)"
            )
        for key in own:
            value = doc[key]
            if isinstance(value, list) and value:
                out.skip(f"key {key!r} not read (only {lists[0]!r} holds tasks)", len(value))
            elif not own_is_a_task:  # the note above names every key
                out.notes.append(f"key {key!r} not read")
        doc = doc[lists[0]]
    if not isinstance(doc, list):
        raise UnreadableFile("JSON must be a list of task objects")
    check = bool(_ESCAPED_SURROGATE.search(text))
    for n, item in enumerate(doc, start=1):
        out.records.append(_object_record(n, item, check))
    return out


# a lone surrogate can only come from a \\uD800-\\uDFFF escape: records are scanned only then
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _object_record(row: int, item: Any, check: bool = True, line: str | None = None) -> RawRecord:
    if _too_deep(item):
        return RawRecord(
            row,
            {"_line": line} if line is not None else {"_raw": _dumps_or_note(item)},
            "malformed_json",
            f"nested more than {MAX_DEPTH} levels deep",
        )
    bad = _lone_surrogate(item) if check else None
    if bad:
        # stored escaped (\\ud83d), as it was written in the file
        return RawRecord(
            row,
            {"_raw": json.dumps(item, ensure_ascii=True)},
            "malformed_json",
            f"unpaired UTF-16 surrogate in {bad} (a truncated emoji?)",
        )
    if isinstance(item, dict):
        duplicates = _duplicate_keys(item)
        if duplicates:
            keys = ", ".join(repr(k) for k in dict.fromkeys(duplicates))
            return RawRecord(row, dict(item), "malformed_json", f"key {keys} given more than once")
        return RawRecord(row, dict(item))
    return RawRecord(row, {"_value": item}, "not_an_object", f"expected an object, got {type(item).__name__}")


def read_jsonl(path: Path) -> FileRead:
    lines, encoding = decode_lines(path.read_bytes())
    out = FileRead("jsonl", encoding=encoding)
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if n > 1 and line.startswith("\ufeff"):  # the first line's mark is removed when decoding
            out.notes.append(f"line {n} starts with a byte-order mark (files joined?); read without it")
            line = line[1:]
            if not line.strip():
                continue
        try:
            item = _loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            problem = "nested too deeply for the JSON reader" if isinstance(exc, RecursionError) else str(exc)
            out.records.append(RawRecord(n, {"_line": line.rstrip("\r\n")}, "malformed_json", problem))
            continue
        out.records.append(
            _object_record(n, item, bool(_ESCAPED_SURROGATE.search(line)), line.rstrip("\r\n"))
        )
    return out


def read_parquet(path: Path) -> FileRead:
    import pyarrow.parquet as pq

    try:
        # ParquetFile, not read_table: the dataset reader refuses repeated column names
        table = pq.ParquetFile(path).read()
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for corrupt files
        raise UnreadableFile(f"not a readable Parquet file: {exc}") from exc
    # a repeated column name would collapse to one key per record: rename it, as for CSV
    names, renamed = unique_header([str(c) for c in table.column_names])
    table = table.rename_columns(names)
    out = FileRead("parquet", header=names, notes=renamed)
    if not header_recognized(names):
        out.header_problem = unrecognized_header_detail(names, "columns")
    columns, unreadable = {}, {}
    for name, column in zip(names, table.columns, strict=True):
        columns[name] = _column_values(name, column, unreadable)
    for i in range(table.num_rows):
        out.records.append(RawRecord(i + 1, {name: values[i] for name, values in columns.items()}))
        out.records[-1].flags.extend(unreadable.get(i, ()))
    return out


def _column_values(name: str, column, unreadable: dict[int, list[str]]) -> list[Any]:
    """A Parquet column as Python values. A value Python cannot hold (a timestamp past year 9999,
    such as Postgres' 'infinity' exported as the largest integer) would make the whole file
    unreadable: it is kept as its stored number, in text, and its row is flagged."""
    try:
        return column.to_pylist()
    except (OverflowError, ValueError) as whole:
        values = []
        for i, scalar in enumerate(column):
            try:
                values.append(scalar.as_py())
            except (OverflowError, ValueError) as exc:
                stored = _stored_number(scalar)
                values.append(stored)
                unreadable.setdefault(i, []).append(
                    f"{name!r} holds a {column.type} value Python cannot represent "
                    f"({type(exc).__name__}: {exc}); kept as its stored number {stored}"
                )
        if not unreadable:
            raise whole
        return values


def _stored_number(scalar) -> str:
    """The value as stored: the integer of a date, time or timestamp (a date32 through int32), or
    pyarrow's own text of it; a placeholder when even that fails (a list holding such a value)."""
    import pyarrow as pa

    for as_type in (pa.int64(), pa.int32()):
        try:
            return str(scalar.cast(as_type).as_py())
        except (pa.ArrowException, OverflowError, ValueError, TypeError):
            continue
    try:
        return str(scalar)
    except (pa.ArrowException, OverflowError, ValueError):
        return f"(a {scalar.type} value that cannot be shown: see the file)"


def _dumps_or_note(item: Any) -> str:
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
