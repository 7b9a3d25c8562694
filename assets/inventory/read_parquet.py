"""Reading Parquet inventory files. What a reader yields: assets/inventory/raw_records.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assets.common.decoding import UnreadableFile
from assets.inventory.raw_records import FileRead, RawRecord, unique_header, unrecognized_header_detail
from assets.inventory.schema import header_recognized


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
