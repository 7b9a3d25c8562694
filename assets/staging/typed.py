"""Reading published files as text and conforming them to typed, documented columns.

Every value that does not parse stops the load with the file, the row (as a person counts it in the
file: header = row 1) and the column; every missing column stops it with the columns that were found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError


@dataclass(frozen=True)
class Column:
    source: str  # header in the published file (matched case-insensitively)
    name: str  # column name in staging
    dtype: pl.DataType | type[pl.DataType]
    description: str
    required: bool = True  # must exist in the file's header
    nullable: bool = True  # may a cell be empty / n/a
    aliases: tuple[str, ...] = ()  # other headers older releases used for the same column


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().split()).upper()


def decode_text(raw: bytes, file: str) -> str:
    """Text of a published file, line endings normalised to \\n.

    UTF-8 (with or without BOM) is the norm. A file that is not valid UTF-8 is decoded line by line:
    each line as UTF-8 when it is valid, else as cp1252 (Windows re-saves of O*NET and BLS files), so
    one re-encoded line does not garble the UTF-8 text around it. A line that is neither stops the
    load with its row number.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export is UTF-16
        return raw.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        lines = []
        for i, line in enumerate(raw.split(b"\n"), start=1):
            try:
                lines.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                try:
                    lines.append(line.decode("cp1252"))
                except UnicodeDecodeError as exc:
                    raise SourceFormatError(
                        file, f"line is neither UTF-8 nor cp1252 text (byte {line[exc.start]:#04x})", row=i
                    ) from None
        text = "\n".join(lines)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_tab_text(path: Path, na_values: Sequence[str] = ("n/a",)) -> pl.DataFrame:
    """Read an O*NET-style tab-separated file (no quoting) as all-string columns plus `source_row`."""
    file = str(path)
    text = decode_text(path.read_bytes(), file)
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise SourceFormatError(file, "is empty (no header row)")
    header = [h.strip() for h in lines[0].split("\t")]
    width = len(header)
    seen: set[str] = set()
    for h in header:
        if normalise_header(h) in seen:
            raise SourceFormatError(file, "the header names this column twice", row=1, column=h)
        seen.add(normalise_header(h))
    na = set(na_values)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for i, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != width:
            raise SourceFormatError(
                file, f"expected {width} tab-separated fields, found {len(fields)}", row=i
            )
        for col, value in zip(columns, fields, strict=True):
            value = value.strip()
            col.append(None if value == "" or value in na else value)
    data = {h: c for h, c in zip(header, columns, strict=True)}
    frame = pl.DataFrame(data, schema={h: pl.String for h in header})
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("source_row"))


def find_columns(frame: pl.DataFrame, columns: Sequence[Column], file: str) -> dict[str, str]:
    """Map each spec's source header to the actual header, case-insensitively; fail on a missing one."""
    actual = {normalise_header(c): c for c in frame.columns if c != "source_row"}
    found: dict[str, str] = {}
    for col in columns:
        keys = [normalise_header(h) for h in (col.source, *col.aliases)]
        match = next((k for k in keys if k in actual), None)
        if match is not None:
            found[col.source] = actual[match]
        elif col.required:
            raise SourceFormatError(
                file,
                f"required column {col.source!r} is missing (found: {', '.join(sorted(actual.values()))})",
                column=col.source,
            )
    return found


def _parse_failure(frame: pl.DataFrame, src: str, parsed: pl.Series, file: str, dtype) -> None:
    bad = frame.filter(parsed.is_null() & frame[src].is_not_null())
    if bad.height:
        row = bad["source_row"][0]
        raise SourceFormatError(
            file, f"value {bad[src][0]!r} is not a valid {dtype}", row=int(row), column=src
        )


def conform(frame: pl.DataFrame, columns: Sequence[Column], file: str) -> pl.DataFrame:
    """Select, rename and type the spec's columns; keep `source_row`. Raises on any bad value."""
    found = find_columns(frame, columns, file)
    out = []
    for col in columns:
        if col.source not in found:
            out.append(pl.Series(col.name, [None] * frame.height, dtype=col.dtype))
            continue
        src = found[col.source]
        series = frame[src]
        if col.dtype == pl.String:
            parsed = series
        elif col.dtype == pl.Boolean:
            lowered = series.str.to_uppercase()
            parsed = pl.select(
                pl.when(lowered.is_in(["Y", "YES", "TRUE", "1"]))
                .then(True)
                .when(lowered.is_in(["N", "NO", "FALSE", "0"]))
                .then(False)
                .otherwise(None)
            ).to_series()
        elif col.dtype == pl.Date:
            parsed = series.str.to_date("%m/%Y", strict=False)
        else:
            parsed = series.str.replace_all(",", "").str.strip_chars().cast(col.dtype, strict=False)
        _parse_failure(frame, src, parsed, file, col.dtype)
        if not col.nullable and parsed.null_count():
            row = frame.filter(parsed.is_null())["source_row"][0]
            raise SourceFormatError(file, "required value is empty", row=int(row), column=src)
        out.append(parsed.alias(col.name))
    return pl.DataFrame(out).with_columns(frame["source_row"])


def docs(columns: Sequence[Column]) -> dict[str, str]:
    d = {c.name: c.description for c in columns}
    d["source_row"] = "Row number in the source file (header = row 1), for tracing a value back."
    return d
