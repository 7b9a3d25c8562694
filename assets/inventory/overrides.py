"""The overrides file: a human pins or rejects a match, and the decision survives every refresh.

A CSV (default `_overrides.csv` in the inventory directory; the leading underscore keeps it from
being read as inventory) with the columns:

    inventory_task_id, action, onet_task_id, note, text_hash[, onet_soc_code]

- `pin`: this O*NET task is a rank-1 match (method `override`, confidence `high`); several pins of
  one task rank in file order;
- `reject`: never propose this O*NET task for this inventory task; with onet_task_id empty, the
  task has no O*NET counterpart at all and gets a single `none` row;
- `occupation`: the task imitates work of the occupation onet_soc_code names (any SOC level), and
  text matching picks its statements there, as for a task that names its occupation in the
  inventory (method `hinted`); for the reviewer who knows the occupation but not the O*NET task.
  On a pin or reject line, onet_soc_code is optional and must contain its O*NET task's occupation
  (a reject of every candidate takes none);
- `text_hash` (optional): the task's `staging.inventory_tasks.text_hash` when the decision was made;
  once the task is rewritten the line is `text_changed` and not applied (a pin made for other work
  would otherwise stay `high`).

The header must name inventory_task_id, action and onet_task_id (note, text_hash and onet_soc_code
are optional), or their aliases; any other column, a column named twice, or a line with more values than the header is an
error naming the file, line and column: a misread header would turn every reject into a
reject-all, and an unquoted comma would cut a note. The one exception is the review worksheet
(marts.inventory_review, exported as exports/inventory_review.csv) saved as the overrides file, told
by its row_kind column: its other columns describe each row and are read past (a few checked), its rows left without an action are
candidates nobody decided and are skipped, and the quote its CSV export puts before a cell a
spreadsheet would run as a formula is taken off again. Whether each decision applies (stale,
duplicate, conflicting) is decided in sql/staging/inventory_overrides.sql.

The file is read on every refresh, never written by the pipeline, so decisions persist.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from assets.common.csv_cells import ESCAPED_PREFIXES
from assets.common.decoding import UnreadableFile, decode_lines
from assets.common.errors import SourceFormatError, TaskvalueError
from assets.inventory import xlsx_numbers
from assets.inventory.cell_values import Unparseable, parse_int, task_id_text, without_format_characters
from assets.inventory.ingest import TEXT_HASH_DIGITS
from assets.inventory.inventory_files import inventory_files
from assets.inventory.occupation_codes import CODE_LIKE, OnetLookup, soc_code, soc_prefixes
from assets.inventory.raw_records import HEADER_SEARCH_ROWS
from assets.inventory.read_xlsx import sheet_facts
from assets.inventory.schema import normalize_header

DEFAULT_NAME = "_overrides.csv"
# the review worksheet saved from its workbook export (exports/inventory_review.xlsx) as it is
WORKBOOK_NAME = "_overrides.xlsx"
READ_SUFFIXES = (".csv", ".txt", ".xlsx")
ACTIONS = ("pin", "reject", "occupation")
# staging.inventory_overrides.status (sql/staging/inventory_overrides.sql): only `ok` is applied
STATUSES = (
    "ok",
    "duplicate",
    "conflict",
    "unknown_inventory_task",
    "unknown_onet_task",
    "unknown_occupation",
    "text_changed",
)
COLUMNS = ("inventory_task_id", "action", "onet_task_id", "note", "text_hash")
# optional in a hand-written file; the review worksheet has it among its own columns (the occupation
# each row shows), and an `occupation` decision reads it there too
SOC_COLUMN = "onet_soc_code"
# The review worksheet's columns after COLUMNS (sql/marts/inventory_review.sql; a test keeps the two in
# step): what each row is, for the reviewer's eyes only
WORKSHEET_COLUMNS = (
    "review_order",
    "row_kind",
    "decision_status",
    "decision_detail",
    "overrides_line",
    "rank",
    "confidence",
    "score",
    "method",
    "is_credible",
    "onet_soc_code",
    "occupation_title",
    "onet_task_statement",
    "tier",
    "hourly_wage_usd",
    "annual_value_usd",
    "task_title",
    "task_status",
    "grounding",
    "ungrounded_reason",
    "task_excerpt",
)
REQUIRED = ("inventory_task_id", "action", "onet_task_id")
# Documented in the README ("Overrides"); keep the two in step.
ALIASES: dict[str, tuple[str, ...]] = {
    "inventory_task_id": ("task_id", "id"),
    "action": ("decision",),
    "onet_task_id": ("onet_task", "onet_id"),
    "note": ("notes", "comment", "reason"),
    "text_hash": ("task_text_hash",),
    SOC_COLUMN: ("soc_code", "occupation_code"),
}
_LOOKUP = {c: c for c in (*COLUMNS, SOC_COLUMN)} | {a: c for c, names in ALIASES.items() for a in names}
SCHEMA = {
    "inventory_task_id": pl.String,
    "action": pl.String,
    "onet_task_id": pl.Int64,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "text_hash": pl.String,
    # the occupation the line names (normal form): an occupation decision's, or the one a pin or
    # reject line (a worksheet row) shows for its O*NET task (checked by check_sheet_occupations)
    "onet_soc_code": pl.String,
    # the O*NET-SOC code prefixes onet_soc_code covers (soc_prefixes: 15-1250 -> 15-125)
    "soc_prefixes": pl.List(pl.String),
    # an occupation written by its title ('Software Developers'), until resolve_occupations
    # reads it as a code, and how it was read when not written exactly as the title
    "occupation_written": pl.String,
    "occupation_read_as": pl.String,
    # a worksheet row's rank (null in a hand-written file); pin_order from it
    "sheet_rank": pl.Int64,
    # a worksheet row's occupation_title and, on an occupation row, the candidate it was typed on
    # (check_sheet_titles: an occupation typed over the title, the code left as the candidate's)
    "sheet_occupation_title": pl.String,
    "sheet_onet_task_id": pl.Int64,
    "pin_order": pl.Int64,
}


# the file types someone could save decisions as; an editor backup (`_overrides.csv~`,
# `_overrides.bak`, `.orig`, `.swp`) is not one, and is ignored like any other reserved name
OVERRIDES_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".json", ".jsonl", ".parquet")


def is_overrides_name(path: Path) -> bool:
    """`_override<anything>.<a data file type>` in any case (`_Overrides.XLSX`, a browser's
    `_overrides (1).csv`, `_overrides_v2.csv`, the singular `_override.csv`): a file meant as an
    overrides file (a reserved name, so without this it would be skipped with its decisions)."""
    return path.stem.lower().startswith("_override") and path.suffix.lower() in OVERRIDES_SUFFIXES


def overrides_location(inventory_dir: Path, configured: Path | None) -> tuple[Path, bool]:
    """The overrides file and whether it may be absent (only the default one may: no decisions yet):
    `_overrides.csv` in the inventory directory, or `_overrides.xlsx` when only that one is there."""
    default = inventory_dir / DEFAULT_NAME
    if configured is None or _same_path(configured, default):
        workbook = inventory_dir / WORKBOOK_NAME
        if not default.exists() and workbook.is_file():
            return workbook, True
        return default, True
    return configured, False


def locate_overrides(inventory_dir: Path, configured: Path | None) -> Path | None:
    """The overrides file to read, or None when the default `_overrides.csv` is absent.

    Decisions that would not be read are errors, never skipped silently: a configured path that
    does not exist (a typo would drop every decision), a configured file that is not CSV, and any
    other `_overrides.*` file under the inventory directory (an `_overrides.xlsx`, an
    `_Overrides.csv`, an `_overrides.csv` in a subdirectory or beside a configured file elsewhere)."""
    path, optional = overrides_location(inventory_dir, configured)
    if not optional and path.is_dir():
        raise TaskvalueError(
            f"overrides file {path} is a directory: TASKVALUE_INVENTORY_OVERRIDES names the overrides CSV "
            "file itself"
        )
    if not optional and path.suffix.lower() not in READ_SUFFIXES:
        raise SourceFormatError(
            str(path),
            "the overrides file is read as CSV or as an Excel workbook (.xlsx): save it as one of them",
        )
    if inventory_dir.is_dir():
        for other in inventory_files(inventory_dir):
            if is_overrides_name(other) and not _same_path(other, path):
                which = f"{path.name} in the inventory directory" if optional else f"{path} (configured)"
                raise SourceFormatError(
                    str(other),
                    f"not read: only one overrides file is read ({DEFAULT_NAME}, or {WORKBOOK_NAME} when "
                    f"there is no {DEFAULT_NAME}; or the one TASKVALUE_INVENTORY_OVERRIDES names): {which}. "
                    "Move its decisions there and remove or rename this file.",
                )
    if path.is_file():
        return path
    if optional:
        return None
    raise TaskvalueError(
        f"overrides file {path} does not exist (TASKVALUE_INVENTORY_OVERRIDES / "
        f"inventory_settings.overrides_path): create it with the header "
        f"{','.join(COLUMNS)}, or unset the setting to use {DEFAULT_NAME} in the inventory directory"
    )


def _same_path(a: Path, b: Path) -> bool:
    """One file: by identity when both exist (a case-insensitive disk, a link), else by real path."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _clean(value: str | None) -> str:
    """Without invisible format characters (a zero-width space) and surrounding blanks."""
    return without_format_characters(value or "").strip()


def _header(path: Path, cells: list[str], row: int = 1) -> tuple[dict[int, str], dict[int, str]]:
    """Column position -> canonical column, and position -> the review worksheet's own column (read
    past, but for _check_sheet_row and _sheet_fields); an unknown or repeated column is an error. A
    file is the worksheet when it has `row_kind`: in any other, `rank` or `score` is an unknown column
    as before, and a line without an action an error."""
    columns: dict[int, str] = {}
    worksheet: dict[int, str] = {}
    seen: dict[str, int] = {}
    is_sheet = "row_kind" in {normalize_header(cell) for cell in cells}
    for i, cell in enumerate(cells):
        name = normalize_header(cell)
        if not name:
            continue  # a column without a name (a trailing comma): its cells must be empty
        if is_sheet and name in WORKSHEET_COLUMNS and name != SOC_COLUMN:
            worksheet[i] = name
            continue
        column = _LOOKUP.get(name)
        if column is None:
            raise SourceFormatError(
                str(path),
                f"unknown column {cell!r}: the overrides file has the columns {', '.join(COLUMNS)} "
                f"and optionally {SOC_COLUMN} "
                f"(aliases: {_aliases()}; a review worksheet, with its row_kind column, has its own too); "
                "rename it, or move what it holds into the note"
                + (" (separate the columns by commas, semicolons or tabs)" if "|" in cell else ""),
                row=row,
                column=cell,
            )
        if column in seen:
            raise SourceFormatError(
                str(path),
                f"column {column} is named twice (columns {seen[column] + 1} and {i + 1}): keep one",
                row=row,
                column=cell,
            )
        seen[column] = i
        columns[i] = column
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise SourceFormatError(
            str(path),
            f"missing column(s) {', '.join(missing)}: the header must be {','.join(COLUMNS)} "
            "(an empty onet_task_id on a reject means every candidate; the column itself is required)",
            row=row,
        )
    return columns, worksheet


def _aliases() -> str:
    return "; ".join(f"{c}: {', '.join(names)}" for c, names in ALIASES.items())


def read_overrides(path: Path | None) -> pl.DataFrame:
    """Parse the overrides file (None: no file, no decisions); a malformed line is an error naming
    the file, line and column."""
    if path is None:
        return pl.DataFrame(schema=SCHEMA)
    workbook = path.suffix.lower() == ".xlsx"
    if workbook:
        header_row, header, records, unread = _workbook_rows(path)
        if header is None:  # no sheet holds a row: decisions to come
            return pl.DataFrame(schema=SCHEMA)
        columns, worksheet = _header(path, header, header_row)
        records = _read_as_shown(path, records, unread, columns, worksheet)
    else:
        read = _csv_rows(path)
        if read is None:
            return pl.DataFrame(schema=SCHEMA)
        columns, worksheet, records = read
    width = max([*columns, *worksheet]) + 1
    rows = []
    for row_no, values in records:
        if not any(v.strip() for v in values):
            continue
        extra = [
            (i, v) for i, v in enumerate(values) if i not in columns and i not in worksheet and v.strip()
        ]
        if not workbook and len(values) > width and any(i >= width for i, _ in extra):
            raise SourceFormatError(
                str(path),
                f"{len(values)} values, but the header names {width} columns: a note containing a "
                f'comma must be quoted ("reviewed by J., ok")',
                row=row_no,
            )
        if extra:
            where = "a column" if workbook else f"column {extra[0][0] + 1}"  # calamine drops empty columns
            raise SourceFormatError(
                str(path),
                f"value {extra[0][1]!r} in {where}, which has no name in the header",
                row=row_no,
            )
        cut = [c for i, c in columns.items() if i >= len(values) and c in REQUIRED]
        if cut:  # "DA-009,reject": a truncated line must not become a reject of every candidate
            raise SourceFormatError(
                str(path),
                f"{len(values)} values, no {', '.join(cut)}: write every column, empty ones included "
                '("DA-009,reject,," rejects every candidate)',
                row=row_no,
                column=cut[0],
            )
        rec = {column: values[i] if i < len(values) else "" for i, column in columns.items()}
        sheet: dict[str, str] = {}
        if worksheet:
            if not workbook:  # the CSV export's formula escapes; a workbook's cells are text as typed
                rec = {column: _unescaped(value) for column, value in rec.items()}
            sheet = {name: _clean(values[i]) if i < len(values) else "" for i, name in worksheet.items()}
            _check_sheet_row(path, row_no, sheet)
            if not _clean(rec.get("action")):
                _undecided(path, row_no, rec)
                continue
        rows.append(
            _decision(path, row_no, rec, worksheet=bool(worksheet)) | _sheet_fields(path, row_no, sheet)
        )
    return _in_pin_order(pl.DataFrame(rows, schema=SCHEMA), worksheet=bool(worksheet))


def _csv_rows(path: Path) -> tuple[dict[int, str], dict[int, str], Iterator[tuple[int, list[str]]]] | None:
    """The CSV file's header (_header) and its records with the line each starts on; None when the
    file holds no line yet."""
    try:
        lines, _ = decode_lines(path.read_bytes())
    except (OSError, UnreadableFile) as exc:
        raise SourceFormatError(str(path), f"cannot read the overrides file: {exc}") from exc
    if not any(line.strip() for line in lines):  # created empty, decisions to come: like no file
        return None
    # Excel's "sep=;" first line names the delimiter (the inventory's CSVs accept it too)
    named = _EXCEL_SEP.fullmatch(lines[0].lstrip("\ufeff").rstrip("\r\n"))  # as read_delimited.py reads it
    delimiter = named.group(1) if named else _delimiter(lines[0])
    reader = csv.reader(lines, delimiter=delimiter)
    if named:
        next(reader)
        if not any(line.strip() for line in lines[1:]):
            return None
    columns, worksheet = _header(path, next(reader, []))

    def records() -> Iterator[tuple[int, list[str]]]:
        last_line = reader.line_num
        for values in reader:
            row_no, last_line = last_line + 1, reader.line_num  # the line the record starts on
            if last_line > row_no or last_line == len(lines):
                _check_quotes(path, lines[row_no - 1 : last_line], row_no, columns, delimiter)
            yield row_no, values

    return columns, worksheet, records()


def _workbook_rows(
    path: Path,
) -> tuple[int, list[str] | None, list[tuple[int, list[str]]], tuple[dict, dict]]:
    """(the header's sheet row, the header, the rows with their sheet row numbers, the cells read
    otherwise than they hold: _unread_cells) of the workbook's sheet that holds the decisions: its
    only sheet holding rows, or the one whose header (_header_at) names the task ID and action
    columns. Every cell as text (a number as Excel shows it without a format: 22653)."""
    import fastexcel  # the workbook path only

    try:
        reader = fastexcel.read_excel(str(path))
        facts = sheet_facts(path)
        sheets = []
        for name in reader.sheet_names:
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
            if frame.height:
                sheets.append((name, frame))
    except Exception as exc:  # fastexcel raises its own error types for a damaged or encrypted file
        raise SourceFormatError(str(path), f"cannot read the overrides workbook: {exc}") from exc
    if not sheets:
        return 1, None, [], ({}, {})
    if len(sheets) > 1:
        named = [(n, f) for n, f in sheets if _header_at(f.head(HEADER_SEARCH_ROWS).rows()) is not None]
        if len(named) != 1:
            raise SourceFormatError(
                str(path),
                f"{len(sheets)} sheets hold rows ({', '.join(n for n, _ in sheets)}) and "
                f"{len(named) or 'none'} of them has the overrides header (inventory_task_id, action, ...): "
                "keep the decisions on one sheet",
            )
        sheets = named
    name, frame = sheets[0]
    sheet = facts.get(name)
    first = sheet.first_row if sheet else 1
    rows = [[cell or "" for cell in row] for row in frame.rows()]
    at = _header_at(rows) or 0  # none: the first row, which _header then names as wrong
    records = [(first + n, values) for n, values in enumerate(rows[at + 1 :], start=at + 1)]
    return first + at, rows[at], records, _unread_cells(sheet)


def _header_at(rows) -> int | None:
    """The index of the first of the sheet's first rows that names the task ID and action columns
    (a title or a note may stand above the header)."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {_LOOKUP.get(normalize_header(c or "")) for c in row}
        if {"inventory_task_id", "action"} <= names:
            return i
    return None


def _unread_cells(sheet) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """(sheet row, column) -> why the cell's text is not what it holds (an error value, a formula
    without a saved result or with a placeholder one, a number longer than a spreadsheet holds); and
    (sheet row, column) -> the text a number's format shows (7 as 007)."""
    why: dict[tuple[int, int], str] = {}
    shown_as: dict[tuple[int, int], str] = {}
    if sheet is None:
        return why, shown_as
    for key, value in sheet.cells.items():
        if isinstance(value, str):  # an error value ('#N/A'); a boolean reads as true/false
            why[key] = f"the error value {value}"
    for key, formula in sheet.uncomputed.items():
        why[key] = (
            f"a formula with no saved result (={formula[:60]}): open and save the workbook in Excel or "
            "LibreOffice, or type the value"
        )
    for key, formula in sheet.stale.items():
        why[key] = (
            f"a formula (={formula[:60]}) whose saved result is a placeholder the workbook asks to "
            "recalculate: open and save the workbook in Excel or LibreOffice, or type the value"
        )
    for key, (stored, code) in sheet.numbers.items():
        shown, _ = xlsx_numbers.shown_id(stored, code)
        if shown is not None:
            shown_as[key] = shown
        elif xlsx_numbers.too_long(stored):
            why[key] = f"the number {stored}, longer than a spreadsheet number holds: type it as text"
    return why, shown_as


def _read_as_shown(
    path: Path,
    records: list[tuple[int, list[str]]],
    unread: tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]],
    columns: dict[int, str],
    worksheet: dict[int, str],
) -> list[tuple[int, list[str]]]:
    """The workbook's rows with each read cell as the sheet shows it, or an error naming the row and
    column: an error value or a formula without its result would read as empty, and an empty
    onet_task_id on a reject means every candidate. A number a format shows zero-padded (7 shown as
    007) reads as shown in inventory_task_id, as the ingest reads it; a date read where an ID or a code
    is typed was one before Excel turned it into a date."""
    why_of, shown_as = unread
    read = {**columns, **{i: n for i, n in worksheet.items() if n == "rank"}}
    action_at = next(i for i, name in columns.items() if name == "action")
    out = []
    for row_no, values in records:
        values = list(values)
        blank = not any(v.strip() for v in values)  # skipped by the reader whatever its cells hold
        undecided = (
            action_at >= len(values) or not values[action_at].strip() and (row_no, action_at) not in why_of
        )
        if blank or undecided:
            out.append((row_no, values))  # no action: a candidate nobody decided, whatever its cells hold
            continue
        for i, name in read.items():
            if name == "inventory_task_id" and (row_no, i) in shown_as:
                values[i] = shown_as[row_no, i]  # as the ingest reads an ID (read_xlsx)
            why = why_of.get((row_no, i))
            if why is not None:
                raise SourceFormatError(str(path), f"the cell holds {why}", row=row_no, column=name)
            if (
                name in ("inventory_task_id", SOC_COLUMN)
                and i < len(values)
                and xlsx_numbers.date_id_flag(values[i])
            ):
                raise SourceFormatError(
                    str(path),
                    f"{values[i]!r} is a date in the workbook: the spreadsheet turned what was typed into one; "
                    "format the column as Text and type it again",
                    row=row_no,
                    column=name,
                )
        out.append((row_no, values))
    return out


def _check_sheet_row(path: Path, row_no: int, sheet: dict[str, str]) -> None:
    """A candidate row's decision columns are empty as exported: text there was typed in the wrong
    column (`pin` in decision_status, a note in decision_detail), and reading past it would drop it."""
    if sheet.get("row_kind", "").lower() != "candidate":
        return
    for column in ("decision_status", "decision_detail"):
        if sheet.get(column):
            raise SourceFormatError(
                str(path),
                f"{sheet[column]!r} typed in {column}, which the worksheet fills in for decisions already "
                "made: type the decision (pin, reject or occupation) in action, a note in note",
                row=row_no,
                column=column,
            )


def _sheet_fields(path: Path, row_no: int, sheet: dict[str, str]) -> dict:
    """What a worksheet row says besides the decision: its rank (pins of a task rank by it)."""
    if not sheet:
        return {}
    try:
        rank = parse_int(sheet.get("rank", ""), positive=True, thousands=False)
    except Unparseable:
        raise SourceFormatError(
            str(path), f"rank {sheet['rank']!r} is not a whole number", row=row_no, column="rank"
        ) from None
    return {"sheet_rank": rank, "sheet_occupation_title": sheet.get("occupation_title") or None}


def _in_pin_order(frame: pl.DataFrame, worksheet: bool) -> pl.DataFrame:
    """pin_order: the order several pins of one task rank in. A hand-written file's line order; in a
    worksheet the sheet's rank (a new pin after the task's pins, by its candidate's rank), so sorting
    the sheet before saving it does not reorder the pins."""
    if not worksheet:
        return frame.with_columns(pin_order=pl.col("source_row"))
    order = frame.select(pl.col("sheet_rank").is_null().alias("unranked"), "sheet_rank", "source_row").rows()
    positions = sorted(range(frame.height), key=lambda i: (order[i][0], order[i][1] or 0, order[i][2]))
    pin_order = [0] * frame.height
    for position, i in enumerate(positions, start=1):
        pin_order[i] = position
    return frame.with_columns(pin_order=pl.Series(pin_order, dtype=pl.Int64))


def check_sheet_titles(
    path: Path | None, frame: pl.DataFrame, lookup: OnetLookup, occupation_of: dict[int, str]
) -> None:
    """A worksheet row decided `occupation` whose onet_soc_code is still its candidate's (occupation_of
    its onet_task_id) while its occupation_title names another occupation: the title was typed over,
    the code left, and the decision reads the code. An error naming the line, not the candidate's
    occupation applied in silence. (A code typed over the candidate's, its title left, is the
    decision as documented.)"""
    rows = frame.filter((pl.col("action") == "occupation") & pl.col("sheet_occupation_title").is_not_null())
    for row in rows.iter_rows(named=True):
        found, _ = lookup.title_index.read(row["sheet_occupation_title"])
        code = row["onet_soc_code"]
        if found is None or code is None or occupation_of.get(row["sheet_onet_task_id"]) != code:
            continue
        if not (found.code.startswith(soc_prefixes(code)) or code.startswith(soc_prefixes(found.code))):
            raise SourceFormatError(
                str(path),
                f"occupation_title says {row['sheet_occupation_title']!r} ({found.code}), but onet_soc_code "
                f"says {code}, and the occupation decision reads onet_soc_code: type the code or the title "
                f"of the occupation meant in onet_soc_code",
                row=row["source_row"],
                column="occupation_title",
            )


# pin and reject lines that also name an occupation: it must be their O*NET task's
_NAMING_AN_OCCUPATION = pl.col("onet_soc_code").is_not_null() & (pl.col("action") != "occupation")


def named_onet_tasks(frame: pl.DataFrame) -> list[int]:
    """The O*NET tasks of pin and reject lines that also name an occupation (check_sheet_occupations)."""
    return frame.filter(_NAMING_AN_OCCUPATION)["onet_task_id"].drop_nulls().unique().to_list()


def check_sheet_occupations(path: Path | None, frame: pl.DataFrame, occupation_of: dict[int, str]) -> None:
    """A pin or reject line whose onet_soc_code is not its O*NET task's occupation (a worksheet row's
    edited to name another): the decision applies to onet_task_id, so the reviewer's intent is
    unclear. An error naming the line. A group code (15-1250) passes when the task's occupation is
    in the group."""
    for row in frame.filter(_NAMING_AN_OCCUPATION).iter_rows(named=True):
        actual = occupation_of.get(row["onet_task_id"]) if row["onet_task_id"] is not None else None
        if actual is not None and not actual.startswith(tuple(row["soc_prefixes"])):
            code = row["onet_soc_code"]
            raise SourceFormatError(
                str(path),
                f"the row names occupation {code}, but O*NET task {row['onet_task_id']} "
                f"is one of {actual}'s, and the {row['action']} applies to the task: put the onet_task_id of a "
                f"task of {code} (marts.task_value), restore onet_soc_code {actual}, or write the action "
                f"occupation to have the task matched among {code}'s statements",
                row=row["source_row"],
                column="onet_soc_code",
            )


_EXCEL_SEP = re.compile(r"sep=(.)")
_TEXT_HASH = re.compile(rf"[0-9A-Fa-f]{{{TEXT_HASH_DIGITS}}}")


def _delimiter(header: str) -> str:
    """Comma, or what the header is separated by: Excel saves CSV with `;` where the decimal mark is a
    comma (most of Europe), and its "Unicode Text" with tabs."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _check_quotes(
    path: Path, span: list[str], row_no: int, columns: dict[int, str], delimiter: str = ","
) -> None:
    """A stray quote must not swallow later decisions into a note (the inventory CSV reader's guard):
    a quoted field left open at the end of the file, or spanning lines that each read alone as a
    decision (`CPY-001,pin,22670,"reviewed by J., ok` above two more decisions), is an error naming
    the line. A note that really spans lines (its other lines are not decisions) is read as one."""
    try:
        list(csv.reader(["".join(span)], strict=True, delimiter=delimiter))
    except csv.Error as exc:
        raise SourceFormatError(
            str(path),
            f"the quoted value opened on this line does not close properly ({exc}; it runs to line "
            f'{row_no + len(span) - 1}): a stray quote? Close it (a quote inside a note is written "")',
            row=row_no,
        ) from None
    if len(span) < 2:
        return
    action_at = next(i for i, c in columns.items() if c == "action")
    needed = max(i for i, c in columns.items() if c in REQUIRED) + 1  # the note may be left off
    for line in span[1:]:
        try:
            values = next(csv.reader([line], strict=True, delimiter=delimiter), [])
        except csv.Error:
            return
        if not (len(values) >= needed and _clean(values[action_at]).lower() in ACTIONS):
            return
    raise SourceFormatError(
        str(path),
        f"a quote opened on this line runs to line {row_no + len(span) - 1}, and each line after it "
        "reads as a decision: a stray quote would swallow them into one note. Close the quote (a "
        'quote inside a note is written "")',
        row=row_no,
        column="note" if "note" in columns.values() else None,
    )


def _unescaped(value: str) -> str:
    """A worksheet cell as the export wrote it, without the quote put before a cell a spreadsheet would
    run as a formula (an ID `-Q-4` is written `'-Q-4`; assets/common/csv_cells.py)."""
    return value[1:] if value.startswith("'") and value[1:2] and value[1] in ESCAPED_PREFIXES else value


def _undecided(path: Path, row_no: int, rec: dict[str, str]) -> None:
    """A worksheet row without an action is a candidate nobody decided; one with a note was meant as a
    decision, and skipping it would lose what the reviewer wrote."""
    if _clean(rec.get("note")):
        raise SourceFormatError(
            str(path),
            "a note but no action: write pin, reject or occupation in the action column, or clear the note",
            row=row_no,
            column="action",
        )


def _decision(path: Path, row_no: int, rec: dict[str, str], worksheet: bool = False) -> dict:
    action = _clean(rec.get("action")).lower()
    candidate = None
    # read like the inventory's own IDs (invisible characters dropped, "12.0" is 12), so they meet
    task_id = task_id_text(rec.get("inventory_task_id")) or ""
    if action not in ACTIONS:
        raise SourceFormatError(
            str(path),
            f"action must be pin, reject or occupation, not {action!r}"
            + (
                " (the review worksheet's rows without an action are skipped only while its own columns, "
                "such as row_kind, are kept)"
                if not action
                else ""
            ),
            row=row_no,
            column="action",
        )
    if not task_id:
        raise SourceFormatError(
            str(path), "inventory_task_id is empty", row=row_no, column="inventory_task_id"
        )
    raw_id = rec.get("onet_task_id")
    try:
        onet_task_id = parse_int(_clean(raw_id), positive=True, thousands=False)  # as the inventory reads it
    except Unparseable:
        raise SourceFormatError(
            str(path), f"{raw_id!r} is not an O*NET Task ID", row=row_no, column="onet_task_id"
        ) from None
    if action == "pin" and onet_task_id is None:
        raise SourceFormatError(str(path), "a pin needs an onet_task_id", row=row_no, column="onet_task_id")
    code, title = _occupation_code(path, row_no, rec.get(SOC_COLUMN), action)
    if action == "occupation":
        if onet_task_id is not None and not worksheet:
            raise SourceFormatError(
                str(path),
                f"an occupation decision names the occupation ({SOC_COLUMN}), not an O*NET task: empty "
                f"onet_task_id {onet_task_id}, or pin it",
                row=row_no,
                column="onet_task_id",
            )
        # a worksheet row's onet_task_id is the candidate it was typed on: the occupation is the decision
        candidate, onet_task_id = onet_task_id, None
    elif action == "reject" and onet_task_id is None and (code or title):
        if not worksheet:  # read as a reject of every candidate, the code would be silently ignored
            raise SourceFormatError(
                str(path),
                f"a reject with an empty onet_task_id rejects every candidate, whatever {SOC_COLUMN} says: "
                f"empty {SOC_COLUMN} {code or title!r} to say the task has no O*NET counterpart, or write the action "
                "occupation to have it matched among that occupation's statements (an occupation is not "
                "rejected as a whole: reject its statements one by one)",
                row=row_no,
                column=SOC_COLUMN,
            )
        code = title = None  # the sheet's candidate row whose onet_task_id the reviewer emptied
    written_hash = _clean(rec.get("text_hash"))
    if written_hash and not _TEXT_HASH.fullmatch(written_hash):
        raise SourceFormatError(
            str(path),
            f"{written_hash!r} is not a text_hash: {TEXT_HASH_DIGITS} hex digits, as in "
            "staging.inventory_tasks.text_hash (or empty)",
            row=row_no,
            column="text_hash",
        )
    return {
        "inventory_task_id": task_id,
        "action": action,
        "onet_task_id": onet_task_id,
        "note": (rec.get("note") or "").strip() or None,
        "source_file": str(path),
        "source_row": row_no,
        "text_hash": written_hash.lower() or None,
        "onet_soc_code": code,
        "soc_prefixes": list(soc_prefixes(code)) if code else None,
        "occupation_written": title,
        "sheet_onet_task_id": candidate,
    }


def _occupation_code(path: Path, row_no: int, raw: str | None, action: str) -> tuple[str | None, str | None]:
    """onet_soc_code as (code in normal form: 15-1252, 15-1252.00, 15-1250; or an occupation title to
    resolve); required by an occupation decision, and an error naming the line when it looks like a
    code but is none."""
    text = _clean(raw)
    if not text:
        if action == "occupation":
            raise SourceFormatError(
                str(path),
                f"an occupation decision needs the occupation in {SOC_COLUMN}: its code (15-1252.00, or a "
                "SOC group such as 15-1250) or its title (Software Developers)",
                row=row_no,
                column=SOC_COLUMN,
            )
        return None, None
    code = soc_code(text)
    if code is not None:
        return code, None
    if CODE_LIKE.match(text):
        raise SourceFormatError(
            str(path),
            f"{text!r} is not a SOC or O*NET-SOC code (write 15-1252, 15-1252.00 or a group such as 15-1250)",
            row=row_no,
            column=SOC_COLUMN,
        )
    return None, text


def resolve_occupations(path: Path | None, frame: pl.DataFrame, lookup: OnetLookup) -> pl.DataFrame:
    """Occupation decisions as the codes they mean: one written by title read as its code, as the
    inventory's own column reads titles (SOC and O*NET titles, singular or plural, without a level
    such as 'Senior'; one that names no occupation is an error naming the line, with the titles that
    hold its words), and an "All Other" residual O*NET lists no task under (15-1299.00) as its SOC
    code, under which O*NET lists its specialties' tasks (15-1299.01-.09)."""
    if not ((frame["action"] == "occupation").any() or frame["occupation_written"].is_not_null().any()):
        return frame
    rows = frame.to_dicts()
    for row in rows:
        text, code = row["occupation_written"], row["onet_soc_code"]
        if row["action"] == "occupation" and text is None and code is not None:
            residual = _residual_code(code, lookup)
            if residual != code:
                row["onet_soc_code"], row["soc_prefixes"] = residual, list(soc_prefixes(residual))
                row["occupation_read_as"] = (
                    f"occupation {code} read as {residual}: O*NET lists no task under {code} itself, its "
                    "specialties' tasks under the SOC code"
                )
        if text is None:
            continue
        found, near = lookup.title_index.read(text)
        if found is None:
            raise SourceFormatError(
                str(path),
                f"occupation {text!r} matches no O*NET or SOC title: write its code (15-1252.00) or its title "
                "as O*NET spells it (marts.occupation_value)"
                + (f"; titles with its words: {'; '.join(near)}" if near else ""),
                row=row["source_row"],
                column=SOC_COLUMN,
            )
        code = _residual_code(found.code, lookup)
        row["onet_soc_code"], row["soc_prefixes"] = code, list(soc_prefixes(code))
        if not found.exact or code != found.code:
            row["occupation_read_as"] = f"occupation {text!r} read as {code} ({found.title})"
    return pl.DataFrame(rows, schema=SCHEMA)


def _residual_code(code: str, lookup: OnetLookup) -> str:
    """An O*NET code without tasks whose SOC code has some (an "All Other" residual, 15-1299.00): the
    SOC code; any other code as it is."""
    if "." in code and not lookup.soc_known(code) and lookup.soc_known(code[:7]):
        return code[:7]
    return code
