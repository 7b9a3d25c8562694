"""Atomic publishing of the warehouse: build privately, then swap a complete file into place.

The refresh writes only to its private working database. Publishing checkpoints it, copies it to a
temporary file beside the published one, fsyncs, and renames it over `warehouse/taskvalue.duckdb`.
rename(2) is atomic, so a reader opening the path gets either the whole previous warehouse or the
whole new one; a reader that already has the old file open keeps reading its (unlinked) inode
until it disconnects. A crash before the rename leaves the previous file untouched, and the
leftover temporary file is removed by the next publish.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temporaries(target: Path) -> list[Path]:
    stale = list(target.parent.glob(f".{target.name}.*.tmp"))
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def publish(con: duckdb.DuckDBPyConnection, work_db: Path, target: Path) -> Path:
    """Copy the working database (open on `con`) to `target` atomically. Returns the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    # After a checkpoint the database file alone is complete (the WAL is folded in); holding the
    # connection keeps this process the only writer while the bytes are copied.
    con.execute("force checkpoint")
    try:
        with open(work_db, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 22)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return target
