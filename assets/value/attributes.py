"""Bring-your-own task attributes: read a CSV, TSV or Parquet file of numeric columns per Task ID.

The file is read as published; every data row lands in `int.task_attributes_raw` (one row per file
row and numeric column) with its source row number, so the marts can report every row that does not
match a task of the release instead of dropping it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError

RAW_DOCS = {
    "source_row": "Data row number in the attribute file (1 = first row after the header).",
    "onet_soc_code": "O*NET-SOC code given in the file (null when the file has no such column).",
    "task_id_raw": "Task ID as written in the file.",
    "task_id": "Task ID as an integer (null when the file's value is not a whole number).",
    "attribute": "Name of the numeric column.",
    "attribute_value": "Value of the column for the row (null when empty).",
}


def _read(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        separator = "\t" if suffix in {".tsv", ".tab", ".txt"} else ","
        return pl.read_csv(path, separator=separator, infer_schema_length=None, quote_char='"')
    except Exception as exc:  # polars raises several error types for malformed files
        raise SourceFormatError(str(path), f"cannot read the task attribute file: {exc}") from exc


def _is_index(name: str) -> bool:
    # pandas writes its index as an unnamed first column ('' or 'Unnamed: 0')
    return name == "" or name.startswith("Unnamed") or name.startswith("__index")


def read_task_attributes(path: Path, task_id_column: str, code_column: str) -> tuple[pl.DataFrame, list[str]]:
    """Long frame (see RAW_DOCS) and the attribute names found."""
    frame = _read(path)
    if task_id_column not in frame.columns:
        raise SourceFormatError(str(path), f"no Task ID column {task_id_column!r}; columns: {frame.columns}")
    has_code = code_column in frame.columns
    skip = {task_id_column, code_column}
    numeric = [
        c
        for c in frame.columns
        if c not in skip
        and not _is_index(c)
        and (frame[c].dtype.is_numeric() or frame[c].dtype == pl.Boolean)
    ]
    if not numeric:
        raise SourceFormatError(str(path), "no numeric attribute columns besides the Task ID")
    raw_id = frame[task_id_column].cast(pl.String)
    as_float = raw_id.cast(pl.Float64, strict=False)
    whole = as_float.is_not_null() & (as_float == as_float.floor())
    codes = (
        frame[code_column].cast(pl.String) if has_code else pl.Series([None] * frame.height, dtype=pl.String)
    )
    base = pl.DataFrame(
        {
            "source_row": pl.Series(range(1, frame.height + 1), dtype=pl.Int64),
            "onet_soc_code": codes,
            "task_id_raw": raw_id,
            "task_id": as_float.zip_with(whole, pl.Series([None] * frame.height, dtype=pl.Float64)).cast(
                pl.Int64
            ),
        }
    )
    values = frame.select(pl.col(c).cast(pl.Float64).alias(c) for c in numeric)
    long = (
        pl.concat([base, values], how="horizontal")
        .unpivot(
            index=list(base.columns), on=numeric, variable_name="attribute", value_name="attribute_value"
        )
        .sort("source_row", "attribute")
    )
    return long, numeric


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
