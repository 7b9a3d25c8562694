"""Bring-your-own task attributes: read a CSV, TSV or Parquet file of numeric columns per Task ID.

The file is read as published; every data row lands in `int.task_attributes_raw` (one row per file
row and numeric column) with its source row number, so the marts can report every row that does not
match a task of the release instead of dropping it. Columns that are not numeric (labels such as
E0/E1/E2, text) are not attributes; `read_attribute_file` names each one with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError

RAW_DOCS = {
    "source_row": "Data row number in the attribute file (1 = first row after the header).",
    "onet_soc_code": "O*NET-SOC code given in the file (null when the file has no such column).",
    "task_id_raw": "Task ID as written in the file.",
    "task_id": "Task ID as an integer (null when the file's value is not a whole number).",
    "attribute": "Name of the numeric column.",
    "attribute_value": "Value of the column for the row (null when empty or a missing-value marker).",
}

# cells that mean "no value" in files written by pandas, R, Excel and O*NET; without them a numeric
# column with one 'NA' would be read as text and silently stop being an attribute
NULL_TOKENS = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A"]

# Task IDs beyond this are not O*NET IDs and would overflow a 64-bit integer
_MAX_TASK_ID = 2**53


@dataclass
class AttributeFile:
    """The long frame (see RAW_DOCS), the attribute names, and the columns that are not attributes."""

    long: pl.DataFrame
    attributes: list[str]
    ignored: dict[str, str] = field(default_factory=dict)


def _read(path: Path, *, as_text: bool) -> pl.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.select(pl.all().cast(pl.String)) if as_text else frame
        separator = "\t" if suffix in {".tsv", ".tab", ".txt"} else ","
        if as_text:
            return pl.read_csv(path, separator=separator, infer_schema=False, quote_char='"')
        return pl.read_csv(
            path, separator=separator, infer_schema_length=None, quote_char='"', null_values=NULL_TOKENS
        )
    except Exception as exc:  # polars raises several error types for malformed files
        raise SourceFormatError(str(path), f"cannot read the task attribute file: {exc}") from exc


def _is_index(name: str) -> bool:
    # pandas writes its index as an unnamed first column ('' or 'Unnamed: 0')
    return name == "" or name.startswith("Unnamed") or name.startswith("__index")


def _not_numeric_reason(text: pl.Series) -> str:
    # the first cell that is not a number and not a missing-value marker, so a stray cell is findable
    for row, cell in enumerate(text.to_list(), start=1):
        if cell is None or cell.strip() in NULL_TOKENS:
            continue
        try:
            float(cell)
        except ValueError:
            return f"not numeric (row {row}: {cell[:40]!r})"
    return "empty"


def _task_ids(raw: pl.Series) -> pl.Series:
    as_float = raw.str.strip_chars().cast(pl.Float64, strict=False)
    finite = as_float.is_not_null() & as_float.is_finite() & (as_float.abs() < _MAX_TASK_ID)
    whole = finite & (as_float == as_float.floor())
    return pl.select(pl.when(whole).then(as_float).otherwise(None).cast(pl.Int64)).to_series()


def read_attribute_file(path: Path, task_id_column: str, code_column: str) -> AttributeFile:
    """Read the file; every numeric or true/false column (true = 1) becomes an attribute."""
    frame = _read(path, as_text=False)
    text = _read(path, as_text=True)  # the keys as written ('8823.0', '08823', 'NA')
    if task_id_column not in frame.columns:
        raise SourceFormatError(str(path), f"no Task ID column {task_id_column!r}; columns: {frame.columns}")
    if text.height != frame.height:
        raise SourceFormatError(str(path), f"read {frame.height} rows typed but {text.height} as text")
    has_code = code_column in frame.columns
    skip = {task_id_column, code_column}
    numeric, ignored = [], {}
    for c in frame.columns:
        if c in skip:
            continue
        if _is_index(c):
            ignored[c] = "index"
        elif frame[c].dtype.is_numeric() or frame[c].dtype == pl.Boolean:
            numeric.append(c)
        else:
            ignored[c] = _not_numeric_reason(text[c])
    if not numeric:
        raise SourceFormatError(
            str(path), f"no numeric attribute columns besides the Task ID; not numeric: {ignored}"
        )
    values = frame.select(pl.col(c).cast(pl.Float64).fill_nan(None).alias(c) for c in numeric)
    for c in numeric:
        infinite = values[c].is_infinite().arg_true()
        if infinite.len():
            raise SourceFormatError(str(path), "infinite value", row=int(infinite[0]) + 1, column=c)
    raw_id = text[task_id_column]
    codes = text[code_column] if has_code else pl.Series([None] * frame.height, dtype=pl.String)
    base = pl.DataFrame(
        {
            "source_row": pl.Series(range(1, frame.height + 1), dtype=pl.Int64),
            "onet_soc_code": codes,
            "task_id_raw": raw_id,
            "task_id": _task_ids(raw_id),
        }
    )
    long = (
        pl.concat([base, values], how="horizontal")
        .unpivot(
            index=list(base.columns), on=numeric, variable_name="attribute", value_name="attribute_value"
        )
        .sort("source_row", "attribute")
    )
    return AttributeFile(long, numeric, ignored)


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
