"""Zip extraction that refuses member paths escaping the target directory (zip-slip)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from assets.common.errors import AcquireError


def check_member_path(member: str, target_dir: Path) -> Path:
    """The absolute destination of `member`, or AcquireError if it would leave `target_dir`."""
    pure = PurePosixPath(member.replace("\\", "/"))
    # A drive letter ("C:/x", even drive-relative "C:x") escapes on Windows.
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise AcquireError(f"refusing zip member {member!r}: its path escapes {target_dir}")
    dest = (target_dir / Path(*pure.parts)).resolve()
    root = target_dir.resolve()
    if dest != root and root not in dest.parents:
        raise AcquireError(f"refusing zip member {member!r}: its path escapes {target_dir}")
    return dest


def open_archive(archive: Path, target_dir: Path) -> zipfile.ZipFile:
    """Open and verify a zip: every CRC must match and no member path may escape `target_dir`."""
    try:
        zf = zipfile.ZipFile(archive)
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise AcquireError(
            f"{archive} is not a readable zip archive ({exc}); delete it and run again"
        ) from exc
    if bad is not None:
        zf.close()
        raise AcquireError(f"{archive} is corrupt (CRC error in {bad!r}); delete it and run again")
    try:
        for name in zf.namelist():
            check_member_path(name, target_dir)
    except AcquireError:
        zf.close()
        raise
    return zf


def find_member(zf: zipfile.ZipFile, base_name: str) -> str | None:
    matches = [n for n in zf.namelist() if n.replace("\\", "/").rsplit("/", 1)[-1] == base_name]
    return matches[0] if matches else None


def extract_member(zf: zipfile.ZipFile, member: str, dest: Path) -> None:
    """Extract one member to `dest` via a temporary name (the archive was checked by open_archive)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    with zf.open(member) as src, open(tmp, "wb") as out:
        while chunk := src.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dest)


def extract_all(archive: Path, target_dir: Path) -> list[Path]:
    """Extract every member, refusing the whole archive if any member path is unsafe."""
    with open_archive(archive, target_dir) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        dests = [check_member_path(m.filename, target_dir) for m in members]
        for m, d in zip(members, dests, strict=True):
            extract_member(zf, m.filename, d)
    return dests
