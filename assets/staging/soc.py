"""SOC 2018 structure (BLS soc_2018_definitions.xlsx): hierarchy of major, minor, broad, detailed."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError
from assets.staging.typed import Column, conform, normalise_header

COLUMNS = [
    Column("SOC Group", "soc_group", pl.String, "Level: Major, Minor, Broad or Detailed.", nullable=False),
    Column("SOC Code", "soc_code", pl.String, "SOC 2018 code NN-NNNN.", nullable=False),
    Column("SOC Title", "soc_title", pl.String, "SOC 2018 title.", nullable=False),
    Column("SOC Definition", "soc_definition", pl.String, "Definition (detailed occupations only)."),
]
DERIVED_DOCS = {
    "major_code": "Major group containing the code (NN-0000).",
    "minor_code": "Minor group containing the code (null for a major group).",
    "broad_code": "Broad occupation containing the code (null above broad level).",
}


def parse(path: Path) -> tuple[pl.DataFrame, int]:
    """The header row is found below BLS's title rows by looking for a 'SOC Code' cell."""
    file = str(path)
    import fastexcel

    try:
        # fastexcel keeps blank rows (polars.read_excel drops them), so row numbers match the sheet.
        reader = fastexcel.read_excel(path)
        grid = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
    except Exception as exc:
        raise SourceFormatError(file, f"cannot be read as a spreadsheet ({exc})") from exc
    header_idx = None
    for i, row in enumerate(grid.head(30).iter_rows()):
        if any(v is not None and normalise_header(str(v)) == "SOC CODE" for v in row):
            header_idx = i
            break
    if header_idx is None:
        raise SourceFormatError(
            file, "no header row with a 'SOC Code' column in the first 30 rows", column="SOC Code"
        )
    header = [str(v) if v is not None else f"column_{j}" for j, v in enumerate(grid.row(header_idx))]
    body = grid.slice(header_idx + 1)
    body.columns = header
    stripped = pl.all().str.strip_chars()
    body = body.select(pl.when(stripped == "").then(None).otherwise(stripped).name.keep())
    body = body.with_columns(
        pl.int_range(header_idx + 2, header_idx + 2 + body.height, dtype=pl.Int64).alias("source_row")
    )
    # Entirely blank rows are layout, not data; any other row must carry a code (checked below).
    body = body.filter(~pl.all_horizontal(pl.exclude("source_row").is_null()))
    rows_read = body.height
    frame = conform(body, COLUMNS, file)
    bad = frame.filter(~pl.col("soc_code").str.contains(r"^\d{2}-\d{4}$"))
    if bad.height:
        raise SourceFormatError(
            file,
            f"value {bad['soc_code'][0]!r} is not a SOC code",
            row=int(bad["source_row"][0]),
            column="SOC Code",
        )
    # The file lists each group right before its members, so the enclosing group is the last one seen.
    frame = frame.with_columns(
        *[
            pl.when(pl.col("soc_group") == level)
            .then(pl.col("soc_code"))
            .forward_fill()
            .alias(f"{level.lower()}_code")
            for level in ("Major", "Minor", "Broad")
        ]
    ).with_columns(
        pl.when(pl.col("soc_group").is_in(["Major"]))
        .then(None)
        .otherwise(pl.col("minor_code"))
        .alias("minor_code"),
        pl.when(pl.col("soc_group").is_in(["Major", "Minor"]))
        .then(None)
        .otherwise(pl.col("broad_code"))
        .alias("broad_code"),
    )
    _refuse_codes_outside_their_group(frame, file)
    return frame, rows_read


# SOC 2018's one group whose members do not extend its code: Physicians (29-1210) runs to 29-1229
_IRREGULAR_BROAD = {"29-1210": ("29-1211", "29-1229")}


def _group_prefix(code: str) -> str:
    """What every member's code starts with: '13-1020' -> '13-102', '15-1200' -> '15-12', '13-0000' -> '13-'."""
    major, rest = code.split("-")
    return f"{major}-{rest.rstrip('0')}"


def _refuse_codes_outside_their_group(frame: pl.DataFrame, file: str) -> None:
    """Each code must extend the groups listed before it: a group row blanked or moved would file its
    members under the previous group (13-1021 under 13-1010), and nothing downstream could tell."""
    for row in frame.select("soc_code", "major_code", "minor_code", "broad_code", "source_row").iter_rows():
        code, *groups, source_row = row
        for group in groups:
            if group is None or code.startswith(_group_prefix(group)):
                continue
            low, high = _IRREGULAR_BROAD.get(group, ("", ""))
            if low <= code <= high:
                continue
            raise SourceFormatError(
                file,
                f"code {code} is not a member of the group {group} listed before it: a group row is "
                "missing or out of order",
                row=int(source_row),
                column="SOC Code",
            )
