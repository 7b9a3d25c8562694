"""BLS OES (OEWS) national and by-sector files: markers become flags, every value is typed.

Markers inside numeric columns (see ../shared/DOMAIN.md): `*` no wage estimate, `**` no employment
estimate, `#` at or above the top code, `~` fewer than 0.5% of establishments report. A marker is
never turned into 0: the value is null, a flag column says why, and `markers` keeps every marker
as `COLUMN=marker` so nothing in the file is lost.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError
from assets.staging.typed import Column, decode_text, find_columns, normalise_header

MARKERS = ("*", "**", "#", "~")
META_SHEETS = {"FIELD DESCRIPTIONS", "UPDATETIME", "FILLER"}

TEXT_COLUMNS = [
    Column("AREA", "area", pl.String, "Area code (99 = U.S.).", required=False),
    Column("AREA_TITLE", "area_title", pl.String, "Area name.", required=False),
    Column(
        "NAICS",
        "naics",
        pl.String,
        "NAICS industry code (000000 = cross-industry; sectors like 31-33).",
        required=False,
    ),
    Column("NAICS_TITLE", "naics_title", pl.String, "NAICS industry title.", required=False),
    Column("I_GROUP", "i_group", pl.String, "Industry level (cross-industry, sector, ...).", required=False),
    Column("OWN_CODE", "own_code", pl.String, "Ownership code.", required=False),
    Column(
        "OCC_CODE",
        "occ_code",
        pl.String,
        "OES occupation code (SOC 2018, or an OES aggregate).",
        nullable=False,
    ),
    Column("OCC_TITLE", "occ_title", pl.String, "OES occupation title.", nullable=False),
    Column(
        "O_GROUP",
        "o_group",
        pl.String,
        "Occupation level: total, major, minor, broad or detailed.",
        nullable=False,
        aliases=("OCC_GROUP",),  # the name in older vintages
    ),
]

# (header, staging name, dtype, description, required)
NUMERIC_COLUMNS = [
    ("TOT_EMP", "tot_emp", pl.Int64, "Employment (null when marked ** = no estimate).", True),
    ("EMP_PRSE", "emp_prse", pl.Float64, "Relative standard error of employment, %.", True),
    ("JOBS_1000", "jobs_1000", pl.Float64, "Jobs per 1,000 in the area (area files only).", False),
    ("LOC_QUOTIENT", "loc_quotient", pl.Float64, "Location quotient (area files only).", False),
    (
        "PCT_TOTAL",
        "pct_total",
        pl.Float64,
        "Percent of industry employment in this occupation (industry files).",
        False,
    ),
    (
        "PCT_RPT",
        "pct_rpt",
        pl.Float64,
        "Percent of establishments reporting (industry files; absent in 2020).",
        False,
    ),
    ("H_MEAN", "h_mean_usd", pl.Decimal(10, 2), "Mean hourly wage, $ (null when marked * or #).", True),
    ("A_MEAN", "a_mean_usd", pl.Int64, "Mean annual wage, $ (null when marked * or #).", True),
    ("MEAN_PRSE", "mean_prse", pl.Float64, "Relative standard error of the mean wage, %.", True),
    ("H_PCT10", "h_pct10_usd", pl.Decimal(10, 2), "Hourly 10th percentile wage, $.", True),
    ("H_PCT25", "h_pct25_usd", pl.Decimal(10, 2), "Hourly 25th percentile wage, $.", True),
    ("H_MEDIAN", "h_median_usd", pl.Decimal(10, 2), "Hourly median wage, $.", True),
    ("H_PCT75", "h_pct75_usd", pl.Decimal(10, 2), "Hourly 75th percentile wage, $.", True),
    ("H_PCT90", "h_pct90_usd", pl.Decimal(10, 2), "Hourly 90th percentile wage, $.", True),
    ("A_PCT10", "a_pct10_usd", pl.Int64, "Annual 10th percentile wage, $.", True),
    ("A_PCT25", "a_pct25_usd", pl.Int64, "Annual 25th percentile wage, $.", True),
    ("A_MEDIAN", "a_median_usd", pl.Int64, "Annual median wage, $.", True),
    ("A_PCT75", "a_pct75_usd", pl.Int64, "Annual 75th percentile wage, $.", True),
    ("A_PCT90", "a_pct90_usd", pl.Int64, "Annual 90th percentile wage, $.", True),
]
FLAG_COLUMNS = [
    Column(
        "ANNUAL",
        "annual_only",
        pl.Boolean,
        "ANNUAL=TRUE: only annual wages are published (hourly columns hold *).",
    ),
    Column(
        "HOURLY",
        "hourly_only",
        pl.Boolean,
        "HOURLY=TRUE: only hourly wages are published (no full year of work).",
    ),
]
DERIVED_DOCS = {
    "vintage_year": "OES survey vintage (May of this year).",
    "employment_not_available": "TOT_EMP was marked ** (no employment estimate).",
    "wage_not_available": "H_MEAN or A_MEAN was marked * (no wage estimate).",
    "top_coded": "At least one wage column was marked # (at or above the top code).",
    "low_reporting": "PCT_RPT was marked ~ (fewer than 0.5% of establishments report).",
    "markers": "Every marker in the row as COLUMN=marker;... (null when none).",
    "source_row": "Row number in the source file (header = row 1), for tracing a value back.",
}


def column_docs() -> dict[str, str]:
    docs = {c.name: c.description for c in TEXT_COLUMNS + FLAG_COLUMNS}
    docs.update({name: desc for _, name, _, desc, _ in NUMERIC_COLUMNS})
    docs.update(DERIVED_DOCS)
    return docs


# What the value model reads: every release 2020-2024 fills each cell, with a number or a marker
NEVER_BLANK = frozenset({"TOT_EMP", "H_MEAN", "A_MEAN"})
HEADER_SCAN_ROWS = 20  # BLS workbooks sometimes carry title rows above the header


def _header_index(rows: list[list[str | None]]) -> int | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(v is not None and normalise_header(str(v)) == "OCC_CODE" for v in row):
            return i
    return None


def _frame_from_grid(rows: list[list[str | None]], first_row: int, file: str) -> pl.DataFrame:
    """A frame of text cells from a grid whose header was found; `source_row` counts file rows."""
    header_idx = _header_index(rows)
    if header_idx is None:
        raise SourceFormatError(
            file,
            f"no header row with an OCC_CODE column in the first {HEADER_SCAN_ROWS} rows",
            column="OCC_CODE",
        )
    header = [str(v).strip() if v is not None else "" for v in rows[header_idx]]
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        key = normalise_header(name) if name else ""
        if key and key in seen:
            raise SourceFormatError(
                file,
                f"the header names column {name!r} twice (columns {seen[key] + 1} {header[seen[key]]!r} and "
                f"{j + 1} {name!r}): "
                "which one holds the data cannot be told",
                row=first_row + header_idx,
                column=name,
            )
        seen[key] = j
    width = len(header)
    body = rows[header_idx + 1 :]
    data: dict[str, list[str | None]] = {h or f"column_{j}": [] for j, h in enumerate(header)}
    source_rows = []
    for offset, row in enumerate(body):
        cells = [None if v is None else str(v).strip() for v in row]
        if all(c is None or c == "" for c in cells):
            continue  # blank layout rows (and footnote gaps) are not data
        source_rows.append(first_row + header_idx + 1 + offset)
        cells = (cells + [None] * width)[:width]
        for key, value in zip(data, cells, strict=True):
            data[key].append(None if value == "" else value)
    frame = pl.DataFrame(data, schema={k: pl.String for k in data})
    return frame.with_columns(pl.Series("source_row", source_rows, dtype=pl.Int64))


def _read_xlsx(path: Path, file: str) -> pl.DataFrame:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:
        raise SourceFormatError(file, f"cannot be opened as a spreadsheet ({exc})") from exc
    data_sheets = [s for s in reader.sheet_names if normalise_header(s) not in META_SHEETS]
    # The data sheet is the first one with an OCC_CODE header; extra sheets before it are skipped.
    for sheet in data_sheets:
        grid = reader.load_sheet_by_name(sheet, header_row=None, dtypes="string").to_polars()
        rows = [list(r) for r in grid.iter_rows()]
        if _header_index(rows) is not None:
            return _frame_from_grid(rows, 1, file)
    raise SourceFormatError(
        file, f"has no sheet with an OCC_CODE header (sheets: {reader.sheet_names})", column="OCC_CODE"
    )


def _read_csv(path: Path, file: str) -> pl.DataFrame:
    """Strict CSV: an unbalanced quote or a row with the wrong number of fields names its row."""
    text = decode_text(path.read_bytes(), file)
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[list[str | None]] = []
    try:
        for row in reader:
            rows.append(list(row))
    except csv.Error as exc:
        raise SourceFormatError(file, f"is not well-formed CSV ({exc})", row=reader.line_num) from exc
    header_idx = _header_index(rows)
    if header_idx is not None:
        width = len(rows[header_idx])
        for i, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
            if row and len(row) != width:
                raise SourceFormatError(
                    file, f"expected {width} comma-separated fields, found {len(row)}", row=i
                )
    return _frame_from_grid(rows, 1, file)


def read_raw(path: Path) -> pl.DataFrame:
    """All cells as text, with `source_row`, from an OES .xlsx (data sheet) or .csv copy."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xls"}:
        return _read_xlsx(path, file)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path, file)
    raise SourceFormatError(file, "is neither .xlsx nor .csv")


def parse(path: Path, vintage_year: int) -> tuple[pl.DataFrame, int]:
    """Typed OES frame and the number of data rows read. Raises SourceFormatError naming file/row/column."""
    file = str(path)
    raw = read_raw(path)
    numeric_specs = [Column(h, n, t, d, required=r) for h, n, t, d, r in NUMERIC_COLUMNS]
    found = find_columns(raw, TEXT_COLUMNS + numeric_specs + FLAG_COLUMNS, file)

    out: dict[str, pl.Series] = {"vintage_year": pl.Series([vintage_year] * raw.height, dtype=pl.Int32)}
    for col in TEXT_COLUMNS:
        series = (
            raw[found[col.source]] if col.source in found else pl.Series([None] * raw.height, dtype=pl.String)
        )
        if not col.nullable and series.is_null().any():
            row = raw.filter(series.is_null())["source_row"][0]
            raise SourceFormatError(file, "required value is empty", row=int(row), column=col.source)
        out[col.name] = series
    if out["occ_code"].str.contains(r"^\d{2}-\d{4}$").not_().any():
        bad = raw.filter(~out["occ_code"].str.contains(r"^\d{2}-\d{4}$"))
        raise SourceFormatError(
            file,
            f"value {bad[found['OCC_CODE']][0]!r} is not an occupation code NN-NNNN",
            row=int(bad["source_row"][0]),
            column="OCC_CODE",
        )

    marker_parts = []
    marked: dict[str, pl.Series] = {}
    for header, name, dtype, _, _ in NUMERIC_COLUMNS:
        if header not in found:
            out[name] = pl.Series([None] * raw.height, dtype=dtype)
            continue
        text = raw[found[header]]
        if header in NEVER_BLANK and text.is_null().any():
            row = raw.filter(text.is_null())["source_row"][0]
            raise SourceFormatError(
                file,
                "the cell is empty: BLS writes a marker (* no wage estimate, ** no employment estimate, "
                "# above the top of the wage range) where it publishes no value, so an empty cell is a "
                "damaged or edited file (re-download it)",
                row=int(row),
                column=header,
            )
        is_marker = text.is_in(MARKERS)
        nulls = pl.Series([None] * raw.height, dtype=pl.String)
        marked[header] = text.zip_with(is_marker, nulls)
        cleaned = text.zip_with(~is_marker, nulls).str.replace_all(",", "")
        parsed = cleaned.cast(pl.Float64, strict=False)
        bad = cleaned.is_not_null() & parsed.is_null()
        if bad.any():
            row = raw.filter(bad)
            raise SourceFormatError(
                file,
                f"value {row[found[header]][0]!r} is neither a number nor a BLS marker {MARKERS}",
                row=int(row["source_row"][0]),
                column=header,
            )
        if dtype == pl.Int64:
            typed = parsed.round(0).cast(pl.Int64)
        elif isinstance(dtype, pl.Decimal):
            typed = cleaned.cast(dtype, strict=False)
        else:
            typed = parsed
        # A cast must not change a value: no fractions in whole-dollar or head-count columns, no
        # sub-cent digits in hourly wages, nothing out of range (polars would round or null it).
        changed = parsed.is_not_null() & (
            typed.is_null() | ((typed.cast(pl.Float64) - parsed).abs() > 1e-6).fill_null(True)
        )
        if changed.any():
            row = raw.filter(changed)
            raise SourceFormatError(
                file,
                f"value {row[found[header]][0]!r} does not fit the column's type {dtype}",
                row=int(row["source_row"][0]),
                column=header,
            )
        out[name] = typed
        marker_parts.append(pl.when(is_marker).then(pl.lit(f"{header}=") + text).otherwise(None))

    for col in FLAG_COLUMNS:
        series = (
            raw[found[col.source]] if col.source in found else pl.Series([None] * raw.height, dtype=pl.String)
        )
        out[col.name] = series.str.to_uppercase().eq("TRUE").fill_null(False)

    def marker_in(header: str, values: tuple[str, ...]) -> pl.Series:
        s = marked.get(header)
        return s.is_in(values).fill_null(False) if s is not None else pl.Series([False] * raw.height)

    out["employment_not_available"] = marker_in("TOT_EMP", ("**",))
    out["wage_not_available"] = marker_in("H_MEAN", ("*",)) | marker_in("A_MEAN", ("*",))
    top = pl.Series([False] * raw.height)
    for header, *_ in NUMERIC_COLUMNS:
        top = top | marker_in(header, ("#",))
    out["top_coded"] = top
    out["low_reporting"] = marker_in("PCT_RPT", ("~",))
    frame = pl.DataFrame(out)
    markers = (
        pl.select(pl.concat_str(marker_parts, separator=";", ignore_nulls=True)).to_series()
        if marker_parts
        else None
    )
    frame = frame.with_columns(
        (markers.replace("", None) if markers is not None else pl.lit(None, dtype=pl.String)).alias(
            "markers"
        ),
        raw["source_row"],
    )
    return frame, raw.height
