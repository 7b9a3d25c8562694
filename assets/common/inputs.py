"""File hashes, and the record of which files an asset read.

An asset that reads files a sensor watches (the inventory, the overrides file, the domains file)
puts `{absolute path: sha256}` of them in its materialization metadata under READ_FILES. The inventory
sensor compares that record with the files as they are now, so the first tick after it is turned on
requests no refresh when the published warehouse was built from the very same files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from dagster import MetadataValue

READ_FILES = "read_files_sha256"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_if_present(path: Path | None) -> str | None:
    """The file's sha256; None when there is no such file or it cannot be read (then a later reader
    of the record sees "absent", which is also what the sensor sees)."""
    if path is None:
        return None
    try:
        return sha256_of(path) if path.is_file() else None
    except OSError:
        return None


def path_key(path: Path) -> str:
    """How a file is named in the record: absolute (not resolved: a link keeps its own name)."""
    return path.absolute().as_posix()


def read_files_metadata(files: Mapping[Path, str | None]) -> dict[str, MetadataValue]:
    """Materialization metadata recording what an asset read ({path: sha256 or None if absent})."""
    return {READ_FILES: MetadataValue.json({path_key(p): sha for p, sha in sorted(files.items())})}
