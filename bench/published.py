"""What the benches that read the published warehouse share: opening it, and saving their figures."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

RESULTS = Path(__file__).resolve().parent / "results"


def open_published(settings) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only; a clear exit when there is none yet."""
    if not settings.warehouse.exists():
        raise SystemExit(f"{settings.warehouse}: no published warehouse; run the refresh first (make run)")
    return duckdb.connect(str(settings.warehouse), read_only=True)


def save_results(name: str, rows: list[dict]) -> Path:
    """bench/results/<name>.json (git ignores the directory)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(rows, indent=2))
    return out
