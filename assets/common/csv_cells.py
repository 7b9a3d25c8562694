"""CSV cells a spreadsheet opens safely: shared by the CSV export and `taskvalue query --format csv`.

A module of its own, with no heavy imports, so the CLI can use it per cell without loading the
export code (pyarrow, Dagster) or importing inside a loop.
"""

from __future__ import annotations

import json

# Spreadsheet apps execute a cell that starts with one of these as a formula (CSV injection). A cell
# that starts with the escape itself is escaped too, so stripping one leading ' from every cell that
# has one gives back the values exactly.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_PREFIXES = (*FORMULA_PREFIXES, "'")


def neutralize_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula (or that starts with ' already)
    with a single quote. true/false as DuckDB and `taskvalue query` write them; a list or struct
    cell (none in today's CSV exports) as JSON, not as Python's repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(ESCAPED_PREFIXES):
        return "'" + value
    return value
