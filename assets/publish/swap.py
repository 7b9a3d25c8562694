"""Atomic publishing of the warehouse: build privately, then swap a complete file into place.

The refresh writes only to its private working database. Publishing checkpoints it, copies it to a
temporary file beside the published one, checks that the copy opens and holds every table with the
same row counts, fsyncs it and renames it over `warehouse/taskvalue.duckdb` (assets/common/files.py).
rename(2) is atomic, so a process opening the path gets either the whole previous warehouse or the
whole new one; a reader that already has the old file open keeps reading its (unlinked) inode until
it disconnects.
A crash before the rename leaves the previous file untouched; the leftover temporary file is
removed by the next publish. See the README ("Reliability") for what is tested.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from assets.common.files import fsync_path, replacing, stale_temporaries

try:  # POSIX only; elsewhere the advisory checks below are skipped
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


class PublishError(RuntimeError):
    """The warehouse could not be published; the previous published file is still in place."""


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove copies left by a publish that crashed. Call only while holding `publish_lock`."""
    stale = stale_temporaries(target)
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


@contextlib.contextmanager
def publish_lock(target: Path) -> Iterator[None]:
    """Serialise publishers of one target (flock: released by the kernel even on SIGKILL)."""
    lock_path = target.parent / f".{target.name}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _open_read_write_elsewhere(target: Path) -> bool:
    """True when another process holds the published file open read-write.

    DuckDB takes a POSIX write lock on a file it opens read-write and a read lock when read-only,
    so a shared-lock probe fails only against a writer. Swapping under a writer would discard its
    changes, and its WAL (named after the path) would no longer match the new file, so nobody
    could open it. (Locks held by this very process never conflict, so they are not seen here.)
    """
    if fcntl is None or not target.exists():
        return False
    fd = os.open(target, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        return False
    finally:
        os.close(fd)  # releases the probe lock


def _remove_orphan_wal(target: Path) -> None:
    # Published files are never written, so a WAL beside one was left by a read-write session
    # that crashed. It belongs to the replaced file; DuckDB refuses to open the new file with it
    # ("WAL does not match database file"), so it must go, durably (the directory is fsynced).
    try:
        Path(f"{target}.wal").unlink()
    except FileNotFoundError:
        return
    fsync_path(target.parent)


def _check_no_writes(work_db: Path) -> None:
    wal = Path(f"{work_db}.wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise PublishError(
            f"{wal} is not empty after the checkpoint: another connection wrote to the working "
            "database while it was being published. The previous warehouse stays published; rerun."
        )


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = current_database() and not internal and not temporary order by 1, 2"
    ).fetchall()
    return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}


def _verify_copy(copy: Path, expected: dict[str, int]) -> None:
    con = duckdb.connect(str(copy), read_only=True)
    try:
        got = _row_counts(con)
    finally:
        con.close()
    if got != expected:
        missing = sorted(set(expected) - set(got))
        differ = sorted(t for t in expected if t in got and got[t] != expected[t])
        raise PublishError(
            f"the copy of the working database does not match it (missing {missing}, row counts "
            f"differ in {differ}); the previous warehouse stays published. Rerun the refresh."
        )


def publish(
    con: duckdb.DuckDBPyConnection, work_db: Path, target: Path, before_swap: Callable[[], None] | None = None
) -> Path:
    """Copy the working database (open on `con`) to `target` atomically. Returns the target.
    `before_swap` runs after the copy is verified and before it replaces the target: raising there
    leaves the target untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with publish_lock(target):
        remove_stale_temporaries(target)
        if _open_read_write_elsewhere(target):
            raise PublishError(
                f"{target} is open read-write by another process, so it cannot be replaced safely. "
                "Readers must open it read-only (duckdb.connect(path, read_only=True), or "
                "`duckdb -readonly`). Close that session (find it with `fuser` or `lsof`) and "
                "rerun; the refreshed data waits in the working database."
            )
        # After a checkpoint the database file alone is complete (the WAL is folded in). This
        # connection is the only one to the working DB, so nothing commits while the bytes are
        # copied; the copy is then verified against the live row counts before it is swapped in.
        con.execute("force checkpoint")
        _check_no_writes(work_db)
        expected = _row_counts(con)
        # the copy is fsynced, renamed over the target and the directory fsynced when the block ends
        with replacing(target) as tmp:
            with open(work_db, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, length=1 << 22)
            _check_no_writes(work_db)  # nothing committed while copying
            _verify_copy(tmp, expected)
            if before_swap is not None:
                before_swap()
            _remove_orphan_wal(target)
        _remove_orphan_wal(target)  # in case a crashed writer's WAL appeared meanwhile
    return target
