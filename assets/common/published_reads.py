"""Checks that compare a refresh with the published warehouse: what they do when it cannot be read."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue

READ_ERRORS = (duckdb.Error, OSError)  # reading the published warehouse


def unreadable_published(warehouse: Path, exc: Exception) -> AssetCheckResult:
    """The warning of a check that compares with the published warehouse and cannot read it: a
    warning, never a reason to fail the refresh."""
    return AssetCheckResult(
        passed=False,
        severity=AssetCheckSeverity.WARN,
        metadata={"error": MetadataValue.text(f"cannot read the published warehouse {warehouse}: {exc}")},
    )
