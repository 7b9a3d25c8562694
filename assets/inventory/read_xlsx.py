"""Reading XLSX inventory workbooks, sheet by sheet. What a reader yields: assets/inventory/raw_records.py."""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets.common.decoding import UnreadableFile
from assets.inventory import xlsx_numbers
from assets.inventory.raw_records import HEADER_SEARCH_ROWS, FileRead, RawRecord, unique_header
from assets.inventory.schema import (
    canonical,
    header_is_generic,
    header_score,
    is_lookup_sheet_name,
    is_task_sheet_header,
    looks_like_header,
    map_header,
)


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


def sheet_facts(path: Path) -> dict[str, _SheetFacts]:
    """Sheet name -> its _SheetFacts, read from the workbook's XML (for the inventory's workbooks, and
    the overrides file's)."""
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
    facts = sheet_facts(path)
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
