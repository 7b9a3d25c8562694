"""Turn catalog entries into local, verified files: from the mirror, the cache, or a download.

Cache layout (under settings.cache):
    archives/<archive name>      downloaded archives, as fetched (or saved there by hand)
    files/<mirror layout>        files extracted from them (same layout as a mirror)
    manifest.json                sha256 of every accepted archive (by URL) and extracted file (by path)

Guarantees:
- A file enters archives/ or files/ only by an atomic rename, after it was downloaded completely and
  (for archives) its every CRC checked, so nothing half-written or corrupt is ever read.
- A cached file is used without touching the network. With `revalidate` (settings field
  `revalidate_downloads`, env TASKVALUE_REVALIDATE_DOWNLOADS) the publisher is asked again once per run and URL; if that
  fails for any network reason, the cached copy stays in use.
- A download whose sha256 differs from the one accepted before is refused (ChecksumChangedError)
  unless `accept_changed_checksums` is set; the previous files stay in place and in use.
- A file saved by hand where an error message says (archive or extracted file) is verified and used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from assets.common.errors import AcquireError
from assets.common.files import write_atomic
from assets.ingest.catalog import SourceFile
from assets.ingest.http import download, manual_instructions
from assets.ingest.safe_zip import extract_member, find_member, open_archive
from orchestration.resources import TaskvalueSettings

log = logging.getLogger("taskvalue.acquire")
ZIP_MAGIC = b"PK\x03\x04"


class ChecksumChangedError(AcquireError):
    """The publisher's file differs from the one accepted before; a person must decide."""


@dataclass(frozen=True)
class AcquiredFile:
    entry: SourceFile
    path: Path | None  # None: optional file absent from the release
    sha256: str | None
    via: str  # mirror | cache | manual | download | absent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Manifest:
    """sha256 of what was accepted before, to notice a file that changed since the last run."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        except json.JSONDecodeError as exc:
            raise AcquireError(f"{path} is not valid JSON ({exc}); delete it to rebuild the cache") from exc

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def set(self, key: str, sha: str) -> None:
        self.entries[key] = sha
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(self.entries, indent=2, sort_keys=True))


def acquire(
    settings: TaskvalueSettings,
    entry: SourceFile,
    *,
    show_progress: bool = True,
    revalidate: bool | None = None,
) -> AcquiredFile:
    return acquire_many(settings, [entry], show_progress=show_progress, revalidate=revalidate)[0]


def acquire_many(
    settings: TaskvalueSettings,
    entries: list[SourceFile],
    *,
    show_progress: bool = True,
    revalidate: bool | None = None,
) -> list[AcquiredFile]:
    """Acquire several entries; entries that share an archive download it at most once."""
    mirror = settings.mirror
    if mirror is not None:
        return [_from_mirror(mirror, e) for e in entries]
    if revalidate is None:
        revalidate = bool(settings.revalidate_downloads)
    cache = _Cache(settings, show_progress, revalidate)
    return [cache.get(e) for e in entries]


def _from_mirror(mirror: Path, entry: SourceFile) -> AcquiredFile:
    path = mirror / entry.relpath
    if path.is_file():
        return AcquiredFile(entry, path, sha256_of(path), "mirror")
    if entry.optional:
        return AcquiredFile(entry, None, None, "absent")
    raise AcquireError(
        f"{entry.name} ({entry.source} {entry.release}) is not in the mirror: expected {path}. "
        f"Put the file there (it comes from {entry.url}) or unset TASKVALUE_MIRROR to download it."
    )


@dataclass
class _Cache:
    settings: TaskvalueSettings
    show_progress: bool
    revalidate: bool
    fetched: set[str] = field(default_factory=set)  # URLs downloaded (or verified) in this call

    def __post_init__(self) -> None:
        self.root = self.settings.cache
        self.manifest = Manifest(self.root / "manifest.json")

    # -- paths ------------------------------------------------------------------------------------
    def dest(self, entry: SourceFile) -> Path:
        return self.root / "files" / entry.relpath

    def archive(self, entry: SourceFile) -> Path:
        return self.root / "archives" / entry.url.rsplit("/", 1)[-1]

    def absent_marker(self, entry: SourceFile) -> Path:
        dest = self.dest(entry)
        return dest.with_name(dest.name + ".absent")

    def save_as(self, entry: SourceFile) -> Path:
        return self.archive(entry) if entry.in_archive else self.dest(entry)

    def refusal(self, entry: SourceFile, reason: str) -> str:
        return manual_instructions(
            entry.url,
            reason,
            self.save_as(entry),
            member=entry.name if entry.in_archive else None,
            member_dest=self.dest(entry) if entry.in_archive else None,
        )

    # -- the cache --------------------------------------------------------------------------------
    def cached(self, entry: SourceFile) -> AcquiredFile | None:
        if entry.optional and self.absent_marker(entry).exists():
            return AcquiredFile(entry, None, None, "absent")
        dest = self.dest(entry)
        if not dest.is_file():
            return None
        sha = sha256_of(dest)
        recorded = self.manifest.get(entry.relpath)
        if recorded is None:  # saved there by hand, as a refusal message asked
            self.manifest.set(entry.relpath, sha)
            log.info("using %s, saved by hand (sha256 %s)", dest, sha)
            return AcquiredFile(entry, dest, sha, "manual")
        if recorded == sha:
            return AcquiredFile(entry, dest, sha, "cache")
        # Damaged since it was recorded: extract it again from the verified archive, or download again.
        log.warning("%s changed since it was recorded (sha256 %s, recorded %s)", dest, sha, recorded)
        if not entry.in_archive:
            dest.unlink()
        return None

    def get(self, entry: SourceFile) -> AcquiredFile:
        cached = self.cached(entry)
        wants_check = self.revalidate and entry.url not in self.fetched
        if cached is not None and not wants_check:
            return cached
        try:
            self.ensure_fetched(entry, force=wants_check)
        except ChecksumChangedError:
            raise
        except AcquireError as exc:
            if cached is None:
                raise
            log.warning("could not revalidate %s (%s); the cached copy stays in use", entry.url, exc)
            return cached
        if not entry.in_archive:
            dest = self.dest(entry)
            return AcquiredFile(entry, dest, self.manifest.get(entry.relpath), "download")
        return self.extract(entry)

    def ensure_fetched(self, entry: SourceFile, force: bool) -> None:
        """Make sure the archive (or direct file) for `entry.url` is present and accepted."""
        if entry.url in self.fetched:
            return
        target = self.save_as(entry)
        if target.is_file() and not force:
            self.accept_existing(entry, target)
        else:
            self.download(entry, target)
        self.fetched.add(entry.url)

    def accept_existing(self, entry: SourceFile, target: Path) -> None:
        """An archive already in the cache: one downloaded before, or one saved there by hand."""
        self.verify(entry, target)
        sha = sha256_of(target)
        self.check_unchanged(entry, sha)
        self.manifest.set(entry.url, sha)
        if not entry.in_archive:
            self.manifest.set(entry.relpath, sha)

    def download(self, entry: SourceFile, target: Path) -> None:
        staging = target.with_name(target.name + ".new")
        try:
            sha = download(
                entry.url,
                staging,
                contact_email=self.settings.contact_email,
                timeout=self.settings.http_timeout_s,
                retries=self.settings.http_retries,
                backoff=self.settings.http_backoff_s,
                show_progress=self.show_progress,
                refusal=lambda reason: self.refusal(entry, reason),
            )
            self.verify(entry, staging)
            self.check_unchanged(entry, sha)
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
        self.manifest.set(entry.url, sha)
        if not entry.in_archive:
            self.manifest.set(entry.relpath, sha)

    def verify(self, entry: SourceFile, path: Path) -> None:
        """Refuse a web page served instead of the file (a bot block) and a corrupt archive."""
        with open(path, "rb") as f:
            head = f.read(512)
        if entry.url.endswith((".zip", ".xlsx")) and not head.startswith(ZIP_MAGIC):
            path.unlink(missing_ok=True)
            looks_html = head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<"))
            what = (
                "a web page (probably a bot block)" if looks_html else f"not a zip file (starts {head[:8]!r})"
            )
            raise AcquireError(self.refusal(entry, f"the server sent {what}"))
        if entry.in_archive or entry.url.endswith(".xlsx"):  # an xlsx is a zip too: check every CRC
            try:
                open_archive(path, self.root / "files").close()
            except AcquireError as exc:
                path.unlink(missing_ok=True)  # never keep a corrupt archive; the next run fetches it again
                raise AcquireError(self.refusal(entry, f"corrupt archive: {exc}")) from None

    def check_unchanged(self, entry: SourceFile, sha: str) -> None:
        previous = self.manifest.get(entry.url)
        if previous and previous != sha and not self.settings.accept_changed_checksums:
            raise ChecksumChangedError(
                f"{entry.url} changed since the last run (sha256 {previous[:12]}… → {sha[:12]}…). The "
                f"previous data stays in use. If the publisher re-issued the file on purpose, set "
                f"TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=1 and run again."
            )

    def extract(self, entry: SourceFile) -> AcquiredFile:
        archive = self.archive(entry)
        with open_archive(archive, self.root / "files") as zf:
            member = find_member(zf, entry.name)
            if member is None:
                if entry.optional:
                    marker = self.absent_marker(entry)
                    marker.parent.mkdir(parents=True, exist_ok=True)
                    marker.touch()
                    return AcquiredFile(entry, None, None, "absent")
                raise AcquireError(f"{archive} ({entry.url}) has no member named {entry.name!r}")
            dest = self.dest(entry)
            extract_member(zf, member, dest)
        self.absent_marker(entry).unlink(missing_ok=True)
        sha = sha256_of(dest)
        self.manifest.set(entry.relpath, sha)
        return AcquiredFile(entry, dest, sha, "download")
