"""The overrides file: a human pins or rejects a match, and the decision survives every refresh.

A CSV (default `_overrides.csv` in the inventory directory; the leading underscore keeps it from
being read as inventory) with the columns:

    inventory_task_id, action, onet_task_id, note

- `pin`: this O*NET task is the task's rank-1 match (method `override`, confidence `high`);
- `reject`: never propose this O*NET task for this inventory task; with onet_task_id empty, the
  task has no O*NET counterpart at all and gets a single `none` row.

The file is read on every refresh, never written by the pipeline, so decisions persist.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError
from assets.inventory.ingest import Unparseable, parse_int, task_id_text
from assets.inventory.readers import decode_lines
from assets.inventory.schema import normalize_header

ACTIONS = ("pin", "reject")
COLUMNS = ("inventory_task_id", "action", "onet_task_id", "note")
SCHEMA = {
    "inventory_task_id": pl.String,
    "action": pl.String,
    "onet_task_id": pl.Int64,
    "note": pl.String,
    "source_row": pl.Int64,
}


def read_overrides(path: Path) -> pl.DataFrame:
    """Parse the overrides file; a malformed line is an error naming the file and row."""
    if not path.is_file():
        return pl.DataFrame(schema=SCHEMA)
    lines, _ = decode_lines(path.read_bytes())
    reader = csv.reader(lines)
    header = [normalize_header(h) for h in next(reader, [])]
    aliases = {"task_id": "inventory_task_id"}
    header = [aliases.get(h, h) for h in header]
    missing = [c for c in ("inventory_task_id", "action") if c not in header]
    if missing:
        raise SourceFormatError(str(path), f"missing column(s) {missing}; expected {list(COLUMNS)}", row=1)
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row_no = reader.line_num
        rec = dict(zip(header, values, strict=False))
        action = (rec.get("action") or "").strip().lower()
        # read like the inventory's own IDs (invisible characters dropped, "12.0" is 12), so they meet
        task_id = task_id_text(rec.get("inventory_task_id")) or ""
        if action not in ACTIONS:
            raise SourceFormatError(str(path), f"action must be pin or reject, not {action!r}", row=row_no)
        if not task_id:
            raise SourceFormatError(str(path), "inventory_task_id is empty", row=row_no)
        try:
            onet_task_id = parse_int(rec.get("onet_task_id"), positive=True)
        except Unparseable:
            raise SourceFormatError(
                str(path), f"onet_task_id {rec.get('onet_task_id')!r} is not a task ID", row=row_no
            ) from None
        if action == "pin" and onet_task_id is None:
            raise SourceFormatError(str(path), "a pin needs an onet_task_id", row=row_no)
        note = (rec.get("note") or "").strip() or None
        rows.append(
            {
                "inventory_task_id": task_id,
                "action": action,
                "onet_task_id": onet_task_id,
                "note": note,
                "source_row": row_no,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)
