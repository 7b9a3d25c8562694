"""Bring-your-own task attributes: read a CSV, TSV or Parquet file of numeric columns per Task ID.

The file is read as published; every data row lands in `int.task_attributes_raw` (one row per file
row and numeric column) with its source row number, so the marts can report every row that does not
match a task of the release instead of dropping it. Columns that are not numeric (labels such as
E0/E1/E2, text) are not attributes; `read_attribute_file` names each one with the reason.

A file that cannot be read exactly stops the run with its file, row and column: an unbalanced quote
would otherwise join the rows below it into one cell, and those rows would be in no table.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.common.decoding import UnreadableFile, decode_lines
from assets.common.errors import SourceFormatError

RAW_DOCS = {
    "source_row": "Data row number in the attribute file (1 = first row after the header; in a CSV or TSV, "
    "the line number minus the header's).",
    "onet_soc_code": "O*NET-SOC code given in the file, trimmed (null when the file has no such column or "
    "the cell is empty).",
    "task_id_raw": "Task ID as written in the file.",
    "task_id": "Task ID as an integer (null when the file's value is not a whole number).",
    "attribute": "Name of the numeric column.",
    "attribute_value": "Value of the column for the row (null when empty or a missing-value marker).",
}

# cells that mean "no value" in files written by pandas, R, Excel and O*NET; without them a numeric
# column with one 'NA' would be read as text and silently stop being an attribute
NULL_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A"})

# Task IDs beyond this are not O*NET IDs and would overflow a 64-bit integer
_MAX_TASK_ID = 2**53
# attributes multiply a task's value (shares, scores, ratings). The exposed values are DECIMAL(20, 2)
# (< $1e18): the largest occupation's wage bill (May 2024: $4.8e11) times 1e5 leaves 20x headroom. A
# column beyond it (an employment count, a $ amount) is not a multiplier: it is not an attribute
MAX_ABS_ATTRIBUTE = 1e5

# what a number looks like: '1,5', '50%' and '1_000' are not (Python's float() reads the last)
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"  # ASCII digits: \d takes '١' and '５' too
_INFINITE = r"(?i)^[+-]?(inf|infinity)$"
_BOOLEAN = {"true": 1.0, "false": 0.0}

csv.field_size_limit(sys.maxsize)  # a long text column must not read as "bad quoting"


@dataclass
class AttributeFile:
    """The long frame (see RAW_DOCS), the attribute names, and the columns that are not attributes."""

    long: pl.DataFrame
    attributes: list[str]
    ignored: dict[str, str] = field(default_factory=dict)
    # ignored columns that hold numbers too: a stray '50%' or an out-of-range value, worth a warning
    # (a text column such as the labelset's E0/E1 labels is not)
    stray: set[str] = field(default_factory=set)
    # data rows with fewer cells than the header, read with the missing (last) cells empty
    padded: list[int] = field(default_factory=list)


@dataclass
class _Table:
    """The file's cells: text columns (as written), typed Parquet columns, and each row's number."""

    columns: list[str]
    text: dict[str, list[str | None]]
    typed: dict[str, pl.Series]
    rows: list[int]
    padded: list[int] = field(default_factory=list)  # rows with fewer cells than the header


def _read_delimited(path: Path, task_id_column: str, setting: str) -> _Table:
    try:
        lines, _ = decode_lines(path.read_bytes())
    except UnreadableFile as exc:
        raise SourceFormatError(str(path), f"cannot read the task attribute file: {exc}") from exc
    separator = "\t" if path.suffix.lower() in {".tsv", ".tab", ".txt"} else ","
    header_at = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise SourceFormatError(str(path), "empty file: no header and no data rows")
    lines = lines[header_at:]
    reader = csv.reader(lines, delimiter=separator, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    padded: list[int] = []
    try:
        header = _names(next(reader))
    except csv.Error as exc:
        raise SourceFormatError(str(path), f"the header cannot be read: bad quoting ({exc})") from exc
    width, last = len(header), reader.line_num
    id_at = header.index(find_column(path, header, task_id_column, setting, required=True))
    try:
        for cells in reader:
            first, last = last + 1, reader.line_num
            # a quoted cell may span lines (Excel's Alt+Enter, pandas); a stray quote makes one cell of
            # whole rows, whose lines each start a row of their own: a Task ID where the ID goes
            if last > first and (swallowed := _row_inside(lines[first:last], separator, id_at)):
                raise SourceFormatError(
                    str(path),
                    f"a quote opens a cell that runs over lines {header_at + first}-{header_at + last}, "
                    f"and line {header_at + swallowed + first} inside it is a row of its own: an "
                    "unbalanced quote? Those rows would be lost in it",
                    row=first - 1,
                )
            if not "".join(cells).strip():  # a blank line, or delimiters only
                continue
            if len(cells) > width:
                if "".join(cells[width:]).strip():
                    raise SourceFormatError(
                        str(path), f"{len(cells)} cells where the header has {width}", row=first - 1
                    )
                cells = cells[:width]  # empty trailing cells (a spreadsheet's trailing delimiters)
            elif len(cells) < width:  # trailing empty cells left out (an editor strips trailing tabs)
                cells = cells + [""] * (width - len(cells))
                padded.append(first - 1)
            rows.append(cells)
            numbers.append(first - 1)
    except csv.Error as exc:  # the record that failed starts on the line after the last one read
        raise SourceFormatError(
            str(path), f"bad quoting ({exc}): a cell holding a quote must be quoted itself", row=last
        ) from exc
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    text = {name: list(col) for name, col in zip(header, columns, strict=True)}
    return _Table(header, text, {}, numbers, padded)


_WHOLE_NUMBER = re.compile(r"\s*\d+(\.0*)?\s*")


def _row_inside(inner: list[str], separator: str, id_at: int) -> int | None:
    """The first of a multi-line record's later lines that reads as a row of its own (a whole number
    where the Task ID goes, and more than one cell), as an offset from the record's first line."""
    for k, line in enumerate(inner, start=1):
        cells = next(csv.reader([line], delimiter=separator), [])
        if len(cells) > max(id_at, 1) and _WHOLE_NUMBER.fullmatch(cells[id_at]):
            return k
    return None


def _read_parquet(path: Path) -> _Table:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for malformed files
        raise SourceFormatError(str(path), f"cannot read the task attribute file: {exc}") from exc
    text, typed = {}, {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype.is_numeric() or series.dtype == pl.Boolean:
            typed[name] = series
        if series.dtype.is_nested() or series.dtype == pl.Binary:
            text[name] = None  # not a scalar: never a key, never an attribute
        else:
            text[name] = series.cast(pl.String).to_list()
    return _Table(frame.columns, text, typed, list(range(1, frame.height + 1)))


def _names(header: list[str]) -> list[str]:
    """Trimmed, unique names: a blank first name is pandas' index; a blank or repeated later one
    (Excel's trailing columns, a second 'Title') is named by its position, so no column is lost."""
    written = [cell.strip().lstrip("\ufeff") for cell in header]
    names: list[str] = []
    for n, name in enumerate(written, start=1):
        if (not name and n > 1) or name in names:
            base, k = f"{name} (column {n})".strip(), 1
            name = base
            while name in names or name in written:  # never the name of another column
                k += 1
                name = f"{base} ({k})"
        names.append(name)
    return names


def _is_index(name: str, position: int) -> bool:
    # pandas writes its index as an unnamed first column ('' or 'Unnamed: 0'), or as `__index_level_0__`
    # in Parquet; an 'Unnamed: 17' further right is a column whose header cell was blank: data
    return name.startswith("__index_level_") or (position == 0 and (name == "" or name.startswith("Unnamed")))


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def find_column(path: Path, columns: list[str], wanted: str, setting: str, *, required: bool) -> str | None:
    """The column named `wanted`, else the one whose name matches it ignoring case, spaces and
    punctuation ('task_id', 'TaskID' for 'Task ID'); two such columns are refused as ambiguous."""
    if wanted in columns:
        return wanted
    close = [c for c in columns if _key(c) == _key(wanted)]
    if len(close) > 1:
        raise SourceFormatError(str(path), f"columns {close} all match {wanted!r} ({setting}); rename one")
    if close:
        return close[0]
    if required:
        raise SourceFormatError(
            str(path), f"no Task ID column {wanted!r} (set {setting} to its name); columns: {columns}"
        )
    return None


def _trimmed(cells: list[str | None]) -> pl.Series:
    text = pl.Series(cells, dtype=pl.String).str.strip_chars()
    return pl.select(pl.when(text.is_in(list(NULL_TOKENS))).then(None).otherwise(text)).to_series()


def _first(mask: pl.Series) -> int | None:
    hits = mask.fill_null(False).arg_true()
    return int(hits[0]) if hits.len() else None


def _numbers(
    path: Path, name: str, cells: list[str | None], rows: list[int]
) -> tuple[pl.Series | None, str, bool]:
    """The column's values as floats (true/false as 1/0), or None, why it is not an attribute, and
    whether it holds numbers too (a stray cell rather than a text column)."""
    text = _trimmed(cells)
    filled = text.is_not_null()
    if not filled.any():
        return None, ("empty: no values" if rows else "no data rows"), False
    lower = text.str.to_lowercase()
    if lower.filter(filled).is_in(list(_BOOLEAN)).all():
        return lower.replace_strict(_BOOLEAN, default=None, return_dtype=pl.Float64), "", False
    infinite = _first(text.str.contains(_INFINITE))
    if infinite is not None:
        raise SourceFormatError(
            str(path), f"infinite value {text[infinite]!r}", row=rows[infinite], column=name
        )
    number = text.str.contains(_NUMBER)
    bad = _first(filled & ~number)
    if bad is not None:
        others = int((filled & number).sum())
        also = f"; {others:,} other cells are numbers" if others else ""
        return None, f"not numeric (data row {rows[bad]}: {text[bad][:40]!r}{also})", bool(others)
    return text.cast(pl.Float64), "", False


def _out_of_range(path: Path, name: str, values: pl.Series, rows: list[int]) -> str | None:
    """Why a numeric column is not an attribute after all, or None; an infinite value stops the run."""
    infinite = _first(values.is_infinite())
    if infinite is not None:
        raise SourceFormatError(str(path), "infinite value", row=rows[infinite], column=name)
    beyond = _first(values.abs() > MAX_ABS_ATTRIBUTE)
    if beyond is None:
        return None
    return (
        f"beyond ±{MAX_ABS_ATTRIBUTE:,.0f} (data row {rows[beyond]}: {values[beyond]:g}): an attribute multiplies "
        "a task's annual value (a share, score or rating)"
    )


def _task_ids(raw: pl.Series) -> pl.Series:
    as_float = raw.str.strip_chars().cast(pl.Float64, strict=False)
    finite = as_float.is_not_null() & as_float.is_finite() & (as_float.abs() < _MAX_TASK_ID)
    whole = finite & (as_float == as_float.floor())
    return pl.select(pl.when(whole).then(as_float).otherwise(None).cast(pl.Int64)).to_series()


def read_attribute_file(
    path: Path,
    task_id_column: str,
    code_column: str,
    *,
    task_id_setting: str = "TASKVALUE_TASK_ATTRIBUTES_TASK_ID_COLUMN",
    code_setting: str = "TASKVALUE_TASK_ATTRIBUTES_CODE_COLUMN",
) -> AttributeFile:
    """Read the file; every numeric or true/false column (true = 1) becomes an attribute."""
    table = (
        _read_parquet(path)
        if path.suffix.lower() == ".parquet"
        else _read_delimited(path, task_id_column, task_id_setting)
    )
    id_col = find_column(path, table.columns, task_id_column, task_id_setting, required=True)
    code_col = find_column(path, table.columns, code_column, code_setting, required=False)
    for key in filter(None, (id_col, code_col)):
        if table.text[key] is None:
            raise SourceFormatError(str(path), "holds lists, not one value per row", column=key)
    numeric: dict[str, pl.Series] = {}
    ignored: dict[str, str] = {}
    stray: set[str] = set()
    for position, c in enumerate(table.columns):
        if c in (id_col, code_col):
            continue
        if _is_index(c, position):
            ignored[c] = "index"
        elif c in table.typed:
            numeric[c] = table.typed[c].cast(pl.Float64).fill_nan(None)
        elif table.text[c] is None:
            ignored[c] = "not one value per row (a list or binary column)"
        else:
            values, why, partly = _numbers(path, c, table.text[c], table.rows)
            if values is None:
                ignored[c] = why
                if partly:
                    stray.add(c)
            else:
                numeric[c] = values
    if not table.rows:
        raise SourceFormatError(str(path), "no data rows below the header")
    for c in list(numeric):
        why = _out_of_range(path, c, numeric[c], table.rows)
        if why:
            ignored[c] = why
            stray.add(c)
            del numeric[c]
    if not numeric:
        raise SourceFormatError(
            str(path), f"no numeric attribute columns besides the Task ID; not attributes: {ignored}"
        )
    raw_id = pl.Series(table.text[id_col], dtype=pl.String)
    codes = (
        _trimmed(table.text[code_col]) if code_col else pl.Series([None] * len(table.rows), dtype=pl.String)
    )
    names = list(numeric)
    # positional names inside the frame: a file column may be called 'task_id' or 'attribute' too
    base = pl.DataFrame(
        {
            "source_row": pl.Series(table.rows, dtype=pl.Int64),
            "onet_soc_code": codes.alias("onet_soc_code"),
            "task_id_raw": raw_id,
            "task_id": _task_ids(raw_id),
            **{f"_{i}": numeric[c].alias(f"_{i}") for i, c in enumerate(names)},
        }
    )
    long = (
        base.unpivot(
            index=["source_row", "onet_soc_code", "task_id_raw", "task_id"],
            on=[f"_{i}" for i in range(len(names))],
            variable_name="attribute",
            value_name="attribute_value",
        )
        .with_columns(pl.col("attribute").replace_strict({f"_{i}": c for i, c in enumerate(names)}))
        .sort("source_row", "attribute")
    )
    return AttributeFile(long, names, ignored, stray, table.padded)


def read_task_attributes(path: Path, task_id_column: str, code_column: str) -> tuple[pl.DataFrame, list[str]]:
    """Long frame (see RAW_DOCS) and the attribute names found."""
    read = read_attribute_file(path, task_id_column, code_column)
    return read.long, read.attributes


def empty_attributes() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "source_row": pl.Int64,
            "onet_soc_code": pl.String,
            "task_id_raw": pl.String,
            "task_id": pl.Int64,
            "attribute": pl.String,
            "attribute_value": pl.Float64,
        }
    )
