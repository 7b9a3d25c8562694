"""Turn a catalog entry into a local, verified file: from the mirror, the cache, or a download.

Cache layout (under settings.cache):
    archives/<archive name>      downloaded archives, as fetched
    files/<mirror layout>        files extracted from them (same layout as a mirror)
    manifest.json                sha256 of every archive and extracted file, by URL / path
A file enters files/ only by an atomic rename after its archive verified, so nothing half-written is
ever read; when a download fails the previously cached files stay in use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from assets.common.errors import AcquireError
from assets.ingest.catalog import SourceFile
from assets.ingest.http import download, manual_instructions
from assets.ingest.safe_zip import extract_member, find_member, open_archive
from orchestration.resources import TaskvalueSettings

log = logging.getLogger("taskvalue.acquire")


@dataclass(frozen=True)
class AcquiredFile:
    entry: SourceFile
    path: Path | None  # None: optional file absent from the release
    sha256: str | None
    via: str  # mirror | cache | download | absent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Manifest:
    """sha256 of what was downloaded before, to notice a file that changed since the last run."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def set(self, key: str, sha: str) -> None:
        self.entries[key] = sha
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(self.entries, indent=2, sort_keys=True))
        os.replace(tmp, self.path)


def acquire(settings: TaskvalueSettings, entry: SourceFile, *, show_progress: bool = True) -> AcquiredFile:
    mirror = settings.mirror
    if mirror is not None:
        path = mirror / entry.relpath
        if path.is_file():
            return AcquiredFile(entry, path, sha256_of(path), "mirror")
        if entry.optional:
            return AcquiredFile(entry, None, None, "absent")
        raise AcquireError(
            f"{entry.name} ({entry.source} {entry.release}) is not in the mirror: expected {path}. "
            f"Put the file there (it comes from {entry.url}) or unset TASKVALUE_MIRROR to download it."
        )
    return _from_cache_or_download(settings, entry, show_progress)


def _from_cache_or_download(
    settings: TaskvalueSettings, entry: SourceFile, show_progress: bool
) -> AcquiredFile:
    cache = settings.cache
    manifest = Manifest(cache / "manifest.json")
    dest = cache / "files" / entry.relpath
    absent_marker = dest.with_name(dest.name + ".absent")
    if dest.is_file() and manifest.get(entry.relpath) == sha256_of(dest):
        return AcquiredFile(entry, dest, manifest.get(entry.relpath), "cache")
    if entry.optional and absent_marker.exists():
        return AcquiredFile(entry, None, None, "absent")

    if not entry.in_archive:
        sha = _download_checked(settings, manifest, entry.url, dest, show_progress)
        manifest.set(entry.relpath, sha)
        return AcquiredFile(entry, dest, sha, "download")

    archive = cache / "archives" / entry.url.rsplit("/", 1)[-1]
    if not (archive.is_file() and manifest.get(entry.url) == sha256_of(archive)):
        _download_checked(settings, manifest, entry.url, archive, show_progress, manual_dest=dest)
    try:
        zf = open_archive(archive, cache / "files")
    except AcquireError:
        archive.unlink(missing_ok=True)  # never keep a corrupt archive; the next run fetches it again
        raise
    with zf:
        member = find_member(zf, entry.name)
        if member is None:
            if entry.optional:
                absent_marker.parent.mkdir(parents=True, exist_ok=True)
                absent_marker.touch()
                return AcquiredFile(entry, None, None, "absent")
            raise AcquireError(f"{archive} ({entry.url}) has no member named {entry.name!r}")
        extract_member(zf, member, dest)
    sha = sha256_of(dest)
    manifest.set(entry.relpath, sha)
    return AcquiredFile(entry, dest, sha, "download")


def _download_checked(
    settings: TaskvalueSettings,
    manifest: Manifest,
    url: str,
    dest: Path,
    show_progress: bool,
    manual_dest: Path | None = None,
) -> str:
    """Download to a staging name; accept it only if its checksum matches the one recorded before."""
    staging = dest.with_name(dest.name + ".new")
    sha = download(
        url,
        staging,
        contact_email=settings.contact_email,
        timeout=settings.http_timeout_s,
        retries=settings.http_retries,
        backoff=settings.http_backoff_s,
        show_progress=show_progress,
        manual_dest=manual_dest or dest,
    )
    previous = manifest.get(url)
    if previous and previous != sha and not settings.accept_changed_checksums:
        staging.unlink(missing_ok=True)
        raise AcquireError(
            f"{url} changed since the last run (sha256 {previous[:12]}… → {sha[:12]}…). The previous data "
            f"stays in use. If the publisher re-issued the file on purpose, set "
            f"TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=1 and run again; otherwise "
            + manual_instructions(url, manual_dest or dest, "checksum changed")
        )
    os.replace(staging, dest)
    manifest.set(url, sha)
    return sha
