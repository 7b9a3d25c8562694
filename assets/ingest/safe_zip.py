"""Zip extraction that refuses member paths escaping the target directory (zip-slip) and archives that
would inflate far beyond what a publisher's release can hold (zip bombs)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from assets.common.errors import AcquireError
from assets.common.files import discard

# The O*NET text files and the OES/SOC workbooks in ../shared/data compress about 10:1 (26:1 at worst, in
# a 94 kB .rels file), and no release comes near 2 GiB unpacked. Far beyond either is a zip bomb: refused
# from the sizes the archive declares (zipfile never inflates a member past its declared size), before
# any byte is inflated or written.
MAX_UNCOMPRESSED_BYTES = 2 << 30
MAX_RATIO = 200
RATIO_MIN_BYTES = 1 << 20  # tiny members may compress better than that without harm


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
    """Open and verify a zip: sizes plausible, every CRC matching, no member path escaping `target_dir`."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise AcquireError(
            f"{archive} is not a readable zip archive ({exc}); delete it and run again"
        ) from exc
    try:
        check_sizes(zf, archive)  # before testzip, which inflates every member
        for name in zf.namelist():
            check_member_path(name, target_dir)
        try:
            bad = zf.testzip()
        # NotImplementedError: a compression zipfile lacks (Deflate64, which Windows uses for big
        # zips); RuntimeError: an encrypted member.
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise AcquireError(
                f"{archive} is not a readable zip archive ({exc}); delete it and run again"
            ) from exc
        if bad is not None:
            raise AcquireError(f"{archive} is corrupt (CRC error in {bad!r}); delete it and run again")
    except BaseException:
        zf.close()
        raise
    return zf


def check_sizes(zf: zipfile.ZipFile, archive: Path) -> None:
    """Refuse a zip bomb: members inflating past MAX_RATIO, or more than MAX_UNCOMPRESSED_BYTES in all."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise AcquireError(
                f"{archive} looks like a zip bomb: {info.filename!r} inflates {ratio:.0f}-fold "
                f"to {info.file_size:,} bytes"
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise AcquireError(
            f"{archive} looks like a zip bomb: it would inflate to {total:,} bytes "
            f"(more than {MAX_UNCOMPRESSED_BYTES:,})"
        )


def find_member(zf: zipfile.ZipFile, base_name: str) -> str | None:
    matches = [n for n in zf.namelist() if n.replace("\\", "/").rsplit("/", 1)[-1] == base_name]
    return matches[0] if matches else None


def extract_member(zf: zipfile.ZipFile, member: str, dest: Path) -> None:
    """Extract one member to `dest` via a temporary name (the archive was checked by open_archive).

    If writing fails (disk full, read-only), the temporary file is removed and `dest` is untouched."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with zf.open(member) as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        discard(tmp)
        raise


def extract_all(archive: Path, target_dir: Path) -> list[Path]:
    """Extract every member, refusing the whole archive if any member path is unsafe."""
    with open_archive(archive, target_dir) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        dests = [check_member_path(m.filename, target_dir) for m in members]
        for m, d in zip(members, dests, strict=True):
            extract_member(zf, m.filename, d)
    return dests
