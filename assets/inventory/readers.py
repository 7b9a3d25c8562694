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
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets.inventory.schema import header_score

csv.field_size_limit(sys.maxsize)  # a 10 MB prompt is a legitimate field

SUPPORTED = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".json": "json"}
SUPPORTED |= {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
HEADER_SEARCH_ROWS = 30  # how far down an XLSX sheet a header row (below a title block) is looked for


@dataclass
class RawRecord:
    row: int
    cells: dict[str, Any]
    problem: str | None = None  # reason code when the record itself is malformed
    detail: str = ""
    sheet: str | None = None  # XLSX sheet name


@dataclass
class FileRead:
    """What was read from one file: header (as written), records, and notes for the file table."""

    file_type: str
    header: list[str] = field(default_factory=list)
    records: list[RawRecord] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file as a whole cannot be read (the message says why); it is quarantined, not skipped."""


def file_type(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def read_file(path: Path) -> FileRead:
    kind = file_type(path)
    if kind in ("csv", "tsv"):
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


# --- text decoding ---------------------------------------------------------------------------


def _decode_line(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return raw.decode("latin-1"), "cp1252"


# UTF-32 first: its little-endian BOM starts with UTF-16's
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"))
_WIDE_BOMS += ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 named by the file's byte-order mark (Excel's "Unicode Text" export), else None."""
    return next((enc for bom, enc in _WIDE_BOMS if data.startswith(bom)), None)


def _lines(text: str) -> list[str]:
    # only CR, LF and CRLF end a line: str.splitlines also splits on \x0b, \x0c, \x1c-\x1e, \x85,
    # U+2028 and U+2029, which csv writers leave unquoted inside a field (Word's soft line break)
    return io.StringIO(text, newline="").readlines()


def decode_lines(data: bytes) -> tuple[list[str], str]:
    """Decode line by line (UTF-8, else cp1252), so one file of mixed encodings still reads."""
    wide = wide_encoding(data)
    if wide:
        try:
            return _lines(data.decode(wide)), wide
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{wide} byte-order mark, but not valid {wide}: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
        return _lines(text), "utf-8"
    except UnicodeDecodeError:
        pass
    lines, seen = [], set()
    for raw in data.splitlines(keepends=True):
        text, enc = _decode_line(raw)
        if not raw.isascii():
            seen.add(enc)
        lines.append(text)
    return lines, ("mixed utf-8/cp1252" if len(seen) > 1 else "cp1252")


# --- CSV / TSV -------------------------------------------------------------------------------


def _sniff_delimiter(header_line: str, kind: str) -> str:
    if kind == "tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_delimited(path: Path, kind: str) -> FileRead:
    lines, encoding = decode_lines(path.read_bytes())
    out = FileRead(kind, encoding=encoding)
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        out.notes.append("empty file")
        return out
    delimiter = _sniff_delimiter(lines[start], kind)
    # the header is parsed like a record: a quoted header cell may span lines
    reader = csv.reader(_LineFeed(lines, start), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise UnreadableFile(f"header (line {start + 1}) cannot be parsed: {exc}") from exc
    out.header, renamed = unique_header(header)
    out.notes.extend(renamed)
    width = len(out.header)
    as_written = [h.strip().lower() for h in header]
    i = start + reader.line_num
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
            and not _lines_stand_alone(lines, i, consumed, delimiter, width)
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
        if [v.replace("\ufeff", "").strip().lower() for v in values] == as_written:
            out.records.append(
                RawRecord(
                    first_line,
                    {"_line": "".join(lines[i - consumed : i]).rstrip("\r\n")},
                    "malformed_csv",
                    "repeated header row (files concatenated?)",
                )
            )
            continue
        if len(values) != width:
            out.records.append(
                RawRecord(
                    first_line,
                    {f"_field_{n + 1}": v for n, v in enumerate(values)},
                    "ragged_row",
                    f"{len(values)} fields where the header has {width}",
                )
            )
            continue
        out.records.append(RawRecord(first_line, dict(zip(out.header, values, strict=True))))
    return out


def _lines_stand_alone(lines: list[str], i: int, consumed: int, delimiter: str, width: int) -> bool:
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
    """What calamine does not say about a sheet: where its values start (it trims leading blank rows)
    and its error cells (which it reads as empty): (sheet row, 0-based column from the first column
    holding a value) -> the error text, e.g. '#DIV/0!'."""

    first_row: int = 1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


_CELL = re.compile(r"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ERROR_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _error_cells(sheet_xml: str) -> dict[tuple[int, int], str]:
    if 't="e"' not in sheet_xml:  # the common case: no error cell, no scan
        return {}
    cells = [m.groups() for m in _CELL.finditer(sheet_xml) if m.group(4) and _VALUE.search(m.group(4))]
    first_col = min(_column_number(c[0]) for c in cells)
    errors = {}
    for col, row, attrs, body in cells:
        if 't="e"' in attrs:
            value = _ERROR_VALUE.search(body)
            errors[int(row), _column_number(col) - first_col] = value.group(1) if value else "#ERROR"
    return errors


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
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            for sheet in wb.iter(f"{{{ns['m']}}}sheet"):
                target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                text = zf.read(member).decode("utf-8", "replace")
                facts[sheet.get("name")] = _SheetFacts(
                    _first_row_with_a_value(text[: 1 << 16]), _error_cells(text)
                )
    except (KeyError, zipfile.BadZipFile, ET.ParseError):
        return {}
    return facts


_ROW = re.compile(r"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_VALUE = re.compile(r"<(?:\w+:)?(?:v|is)\b")


def _first_row_with_a_value(sheet_xml: str) -> int:
    """The sheet row number of the first row holding a value: a formatted but empty row (a custom
    height, a fill) is written to the file, yet calamine skips it."""
    for m in _ROW.finditer(sheet_xml):
        if m.group(2) and _VALUE.search(m.group(2)):
            return int(m.group(1))
    return 1


def read_xlsx(path: Path) -> FileRead:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for corrupt workbooks
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from exc
    facts = _sheet_facts(path)
    out = FileRead("xlsx")
    used = []
    for name in reader.sheet_names:
        sheet = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        rows = sheet.rows()
        header_at = None
        for idx, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if header_score([str(c) for c in row if c is not None]) >= 2:
                header_at = idx
                break
        if header_at is None:
            out.notes.append(
                f"sheet {name!r} ignored: no inventory header in its first {HEADER_SEARCH_ROWS} rows"
            )
            continue
        sheet_facts = facts.get(name, _SheetFacts())
        offset = sheet_facts.first_row
        written = [("" if c is None else str(c)) for c in rows[header_at]]
        header, renamed = unique_header(written)
        out.notes.extend(f"sheet {name!r} {note}" for note in renamed)
        if not out.header:
            out.header = header
        used.append(f"{name!r} (header on row {offset + header_at})")
        for idx in range(header_at + 1, len(rows)):
            row = rows[idx]
            if all(c is None or not str(c).strip() for c in row):
                continue
            # an error cell keeps its error text ('#DIV/0!'): a number field then fails to parse, a
            # text field shows it, instead of an empty value nobody sees
            row = [sheet_facts.errors.get((offset + idx, col), v) for col, v in enumerate(row)]
            # each sheet keeps its own header: records are mapped by their own keys
            cells = {h: v for h, w, v in zip(header, written, row, strict=True) if w.strip() or v is not None}
            out.records.append(RawRecord(offset + idx, cells, sheet=name))
    if not used:
        raise UnreadableFile("no sheet has an inventory header row (task_id plus title/description)")
    out.notes.insert(0, "sheets read: " + ", ".join(used))
    return out


# --- JSON, JSONL, Parquet -------------------------------------------------------------------------


def _json_default_text(data: bytes) -> tuple[str, str]:
    wide = wide_encoding(data)
    if wide:
        return data.decode(wide), wide
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
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


def _loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_object_pairs)


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
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"not valid JSON: {exc}") from exc
    if isinstance(doc, dict):
        key = next(
            (k for k in ("tasks", "items", "records", "data", "rows") if isinstance(doc.get(k), list)), None
        )
        if key is None:
            raise UnreadableFile(
                "a JSON object must hold the tasks in a list under 'tasks' (or items/records/data)"
            )
        doc = doc[key]
    if not isinstance(doc, list):
        raise UnreadableFile("JSON must be a list of task objects")
    out = FileRead("json", encoding=encoding)
    check = bool(_ESCAPED_SURROGATE.search(text))
    for n, item in enumerate(doc, start=1):
        out.records.append(_object_record(n, item, check))
    return out


# a lone surrogate can only come from a \\uD800-\\uDFFF escape: records are scanned only then
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _object_record(row: int, item: Any, check: bool = True) -> RawRecord:
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
        try:
            item = _loads(line)
        except json.JSONDecodeError as exc:
            out.records.append(RawRecord(n, {"_line": line.rstrip("\r\n")}, "malformed_json", str(exc)))
            continue
        out.records.append(_object_record(n, item, bool(_ESCAPED_SURROGATE.search(line))))
    return out


def read_parquet(path: Path) -> FileRead:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for corrupt files
        raise UnreadableFile(f"not a readable Parquet file: {exc}") from exc
    out = FileRead("parquet", header=list(table.column_names))
    for n, item in enumerate(table.to_pylist(), start=1):
        out.records.append(RawRecord(n, item))
    return out


def json_safe(value: Any) -> Any:
    """Values as JSON can hold them (dates as ISO text), for the quarantine's raw record."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
