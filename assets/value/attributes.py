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
# attributes multiply a task's value (shares, scores, ratings); beyond this the exact products of
# the marts (cents x attribute in 1e-12 units) would overflow, and no such multiplier is meaningful
MAX_ABS_ATTRIBUTE = 1e9

# what a number looks like: '1,5', '50%' and '1_000' are not (Python's float() reads the last)
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_INFINITE = r"(?i)^[+-]?(inf|infinity)$"
_BOOLEAN = {"true": 1.0, "false": 0.0}

csv.field_size_limit(sys.maxsize)


@dataclass
class AttributeFile:
    """The long frame (see RAW_DOCS), the attribute names, and the columns that are not attributes."""

    long: pl.DataFrame
    attributes: list[str]
    ignored: dict[str, str] = field(default_factory=dict)


@dataclass
class _Table:
    """The file's cells: text columns (as written), typed Parquet columns, and each row's number."""

    columns: list[str]
    text: dict[str, list[str | None]]
    typed: dict[str, pl.Series]
    rows: list[int]


def _read_delimited(path: Path) -> _Table:
    try:
        lines, _ = decode_lines(path.read_bytes())
    except UnreadableFile as exc:
        raise SourceFormatError(str(path), f"cannot read the task attribute file: {exc}") from exc
    separator = "\t" if path.suffix.lower() in {".tsv", ".tab", ".txt"} else ","
    header_at = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise SourceFormatError(str(path), "empty file: no header and no data rows")
    reader = csv.reader(lines[header_at:], delimiter=separator, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        header = _names(next(reader))
        last = reader.line_num
        for cells in reader:
            first, last = last + 1, reader.line_num
            if last > first:
                raise SourceFormatError(
                    str(path),
                    f"a quoted cell spans lines {header_at + first}-{header_at + last}: an unbalanced "
                    "quote? The rows below it would be read as part of that cell",
                    row=first - 1,
                )
            if not "".join(cells).strip():  # a blank line, or delimiters only
                continue
            if len(cells) != len(header):
                raise SourceFormatError(
                    str(path), f"{len(cells)} cells where the header has {len(header)}", row=first - 1
                )
            rows.append(cells)
            numbers.append(first - 1)
    except csv.Error as exc:
        raise SourceFormatError(
            str(path),
            f"bad quoting ({exc}): a cell holding a quote must be quoted itself",
            row=reader.line_num - 1,
        ) from exc
    _refuse_repeated_names(path, header)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return _Table(header, {name: list(col) for name, col in zip(header, columns, strict=True)}, {}, numbers)


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
    # a blank first name is pandas' index; other blank ones (Excel's trailing columns) get a name
    names = [h.strip().lstrip("\ufeff") for h in header]
    return [n or ("" if i == 0 else f"(unnamed column {i + 1})") for i, n in enumerate(names)]


def _refuse_repeated_names(path: Path, header: list[str]) -> None:
    seen = set()
    for name in header:
        if name in seen:
            raise SourceFormatError(str(path), "the header names this column twice", column=name)
        seen.add(name)


def _is_index(name: str) -> bool:
    # pandas writes its index as an unnamed first column ('' or 'Unnamed: 0')
    return name == "" or name.startswith("Unnamed") or name.startswith("__index")


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


def _numbers(path: Path, name: str, cells: list[str | None], rows: list[int]) -> tuple[pl.Series | None, str]:
    """The column's values as floats (true/false as 1/0), or None and why it is not an attribute."""
    text = _trimmed(cells)
    filled = text.is_not_null()
    if not filled.any():
        return None, ("empty: no values" if rows else "no data rows")
    lower = text.str.to_lowercase()
    if lower.filter(filled).is_in(list(_BOOLEAN)).all():
        return lower.replace_strict(_BOOLEAN, default=None, return_dtype=pl.Float64), ""
    infinite = _first(text.str.contains(_INFINITE))
    if infinite is not None:
        raise SourceFormatError(
            str(path), f"infinite value {text[infinite]!r}", row=rows[infinite], column=name
        )
    bad = _first(filled & ~text.str.contains(_NUMBER))
    if bad is not None:
        return None, f"not numeric (row {rows[bad]}: {text[bad][:40]!r})"
    return text.cast(pl.Float64), ""


def _refuse_out_of_range(path: Path, name: str, values: pl.Series, rows: list[int]) -> None:
    infinite = _first(values.is_infinite())
    if infinite is not None:
        raise SourceFormatError(str(path), "infinite value", row=rows[infinite], column=name)
    beyond = _first(values.abs() > MAX_ABS_ATTRIBUTE)
    if beyond is not None:
        raise SourceFormatError(
            str(path),
            f"{values[beyond]:g} is beyond ±{MAX_ABS_ATTRIBUTE:g}: an attribute multiplies a task's annual "
            "value (a share, score or rating)",
            row=rows[beyond],
            column=name,
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
    table = _read_parquet(path) if path.suffix.lower() == ".parquet" else _read_delimited(path)
    id_col = find_column(path, table.columns, task_id_column, task_id_setting, required=True)
    code_col = find_column(path, table.columns, code_column, code_setting, required=False)
    for key in filter(None, (id_col, code_col)):
        if table.text[key] is None:
            raise SourceFormatError(str(path), "holds lists, not one value per row", column=key)
    numeric: dict[str, pl.Series] = {}
    ignored: dict[str, str] = {}
    for c in table.columns:
        if c in (id_col, code_col):
            continue
        if _is_index(c):
            ignored[c] = "index"
        elif c in table.typed:
            numeric[c] = table.typed[c].cast(pl.Float64).fill_nan(None)
        elif table.text[c] is None:
            ignored[c] = "not one value per row (a list or binary column)"
        else:
            values, why = _numbers(path, c, table.text[c], table.rows)
            if values is None:
                ignored[c] = why
            else:
                numeric[c] = values
    if not table.rows:
        raise SourceFormatError(str(path), "no data rows below the header")
    if not numeric:
        raise SourceFormatError(
            str(path), f"no numeric attribute columns besides the Task ID; not numeric: {ignored}"
        )
    for c, values in numeric.items():
        _refuse_out_of_range(path, c, values, table.rows)
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
    return AttributeFile(long, names, ignored)


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
