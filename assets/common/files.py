"""Atomic file writes: write a temporary file beside the target, make it durable, rename it over.

rename(2) within one directory is atomic, so a reader opening the target gets the whole previous
file or the whole new one, never half a file. The temporary file is fsynced before the rename and
the directory after it, so after a crash the target holds one complete version, not an empty or
torn one. A crash before the rename leaves a hidden `.<name>.<uuid>.tmp` beside the target
(`stale_temporaries` finds it); an error removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path


def temp_name(target: Path) -> str:
    """The hidden name a write of `target` goes through (unique, so concurrent writers never share it)."""
    return f".{target.name}.{uuid.uuid4().hex}.tmp"


_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{32}\.tmp")


def is_temporary(path: Path) -> bool:
    """A name `temp_name` makes (a write in flight, or one that crashed before its rename)."""
    return _TEMPORARY.fullmatch(path.name) is not None


def stale_temporaries(target: Path) -> list[Path]:
    """Temporary files of `target` left by writes that crashed before their rename."""
    # any middle part: what lies beside one target is its own, whatever wrote it (a sweep of a whole
    # directory, remove_temporaries, insists on temp_name's exact form)
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def remove_temporaries(directory: Path) -> None:
    """Delete every temporary in `directory` left by a write killed before its rename (hidden, never
    read, and never reused: each write gets a fresh name). Only while no write there is in flight."""
    for path in directory.glob(".*.tmp"):
        if is_temporary(path):
            path.unlink(missing_ok=True)


def discard(path: Path) -> None:
    """Remove a temporary file if it is there. On a read-only or full disk even that may fail, which
    must not hide the error that brought us here, so it never raises."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a directory's entries (a rename or unlink in it), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` for the block to write. When the block ends normally the
    file is fsynced, renamed over `target` and the directory fsynced; when it raises, the temporary
    file is removed and `target` is untouched."""
    tmp = target.parent / temp_name(target)
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, target)
        fsync_path(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (text is written as UTF-8) atomically and durably."""
    with replacing(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
