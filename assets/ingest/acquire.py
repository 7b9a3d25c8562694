"""Turn catalog entries into local, verified files: from the mirror, the cache, or a download.

Cache layout (under settings.cache):
    archives/<archive name>      downloaded archives, as fetched (or saved there by hand)
    files/<mirror layout>        files extracted from them (same layout as a mirror)
    manifest.json                sha256 of every accepted archive (by URL) and extracted file (by path),
                                 and of the archive each file was extracted from ("<path>#archive")
    .lock                        held while a run uses the cache: a second run waits, never interleaves

Guarantees:
- A file enters archives/ or files/ only by an atomic rename, after it was downloaded completely and
  (for archives) its every CRC checked, its sizes found plausible (no zip bomb) and every required
  file found in it, in a folder of the configured release; so nothing half-written, corrupt or of
  another release is ever read or recorded.
- A cached file is used without touching the network. With `revalidate` (settings field
  `revalidate_downloads`, env TASKVALUE_REVALIDATE_DOWNLOADS) the publisher is asked again once per run and URL; if that
  fails for any network or disk reason, the cached copy stays in use.
- A download whose sha256 differs from the one accepted before is refused (ChecksumChangedError)
  unless `accept_changed_checksums` is set; the previous files stay in place and in use. Once a new
  archive is accepted, every file extracted from the old one is extracted again before it is used.
- A file saved by hand where an error message says (archive or extracted file) is verified and used;
  a cached archive found corrupt is deleted and downloaded again.
- Disk errors (full, read-only) end in an AcquireError naming the cache directory.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assets.common.errors import AcquireError
from assets.common.files import discard, write_atomic
from assets.common.inputs import sha256_of
from assets.ingest.catalog import ONET_README, SourceFile, release_of_folder, release_of_readme
from assets.ingest.http import download, manual_instructions
from assets.ingest.safe_zip import extract_member, open_archive
from orchestration.resources import TaskvalueSettings

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs there must not overlap
    fcntl = None

log = logging.getLogger("taskvalue.acquire")
ZIP_MAGIC = b"PK\x03\x04"


class ChecksumChangedError(AcquireError):
    """The publisher's file differs from the one accepted before; a person must decide."""


class _Unusable(Exception):
    """A downloaded or cached file that is not the file wanted (web page, corrupt, wrong release)."""


@dataclass(frozen=True)
class AcquiredFile:
    entry: SourceFile
    path: Path | None  # None: optional file absent from the release
    sha256: str | None
    via: str  # mirror | cache | manual | download | absent


class Manifest:
    """sha256 of what was accepted before, to notice a file that changed since the last run."""

    def __init__(self, path: Path):
        self.path = path
        try:
            entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (ValueError, OSError) as exc:  # JSONDecodeError, UnicodeDecodeError, unreadable
            raise AcquireError(
                f"{path} is not readable JSON ({exc}); delete it to rebuild the cache"
            ) from exc
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise AcquireError(
                f"{path} is not a taskvalue manifest (an object of sha256 strings); delete it to rebuild "
                "the cache"
            )
        self.entries: dict[str, str] = entries

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def set(self, key: str, sha: str) -> None:
        self.set_many({key: sha})

    def set_many(self, values: dict[str, str]) -> None:
        self._replace({**self.entries, **values})

    def drop(self, key: str) -> None:
        if key in self.entries:
            self._replace({k: v for k, v in self.entries.items() if k != key})

    def _replace(self, entries: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(entries, indent=2, sort_keys=True))
        self.entries = entries  # only once it is on disk


def source_key(relpath: str) -> str:
    """Manifest key of the sha256 of the archive a cached file was extracted from."""
    return relpath + "#archive"


@contextlib.contextmanager
def cache_lock(root: Path) -> Iterator[None]:
    """Hold `root/.lock`, so two runs sharing a cache take turns instead of writing the same files."""
    fd = None
    if fcntl is not None:
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:  # a read-only cache: nothing will be written, so there is nothing to guard
            with contextlib.suppress(OSError):
                fd = os.open(root / ".lock", os.O_RDONLY)
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("another taskvalue run is using the cache %s; waiting for it to finish", root)
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:  # a file system without locks (some network mounts)
                log.warning("cannot lock %s (%s); runs sharing this cache must not overlap", root, exc)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


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
        return [_from_mirror(mirror, e, release_setting(settings, e)) for e in entries]
    if revalidate is None:
        revalidate = bool(settings.revalidate_downloads)
    with cache_lock(settings.cache):
        remove_partial_files(settings.cache)
        cache = _Cache(settings, show_progress, revalidate, list(entries))
        return [cache.get(e) for e in entries]


def remove_partial_files(root: Path) -> None:
    """Delete what a killed run left half-written (`.part` downloads and extractions, `.new` archives
    being verified): never read, but up to an archive's worth of disk. Only under the cache lock, so
    no run is writing them."""
    if root.is_dir():
        for path in [*root.rglob("*.part"), *root.rglob("*.new")]:
            discard(path)


def refuse_another_onet_release(path: Path, entry: SourceFile, where: str) -> None:
    """An O*NET file beside a `Read Me.txt` naming another release is that release's (files saved by
    hand, or a mirror filled from another archive): refused, never read as the configured one."""
    readme = path.parent / ONET_README
    if entry.source == "onet" and readme.is_file():
        with open(readme, "rb") as f:
            named = release_of_readme(f.read(400))
        if named not in (None, entry.release):
            raise AcquireError(
                f"{readme} says O*NET {named}, not the configured {entry.release} "
                f"(TASKVALUE_ONET_RELEASE): the {where} folder {path.parent} holds another release's "
                f"files. Put release {entry.release} there."
            )


def release_setting(settings: TaskvalueSettings, entry: SourceFile) -> str | None:
    """The setting that chose this file's release, for a file that may be of a release that does not
    exist (a 404, a mirror without it)."""
    current = settings.onet_release if entry.source == "onet" else str(settings.oes_vintage)
    if entry.source == "onet":
        return "TASKVALUE_ONET_RELEASE" if entry.release == current else "TASKVALUE_ONET_PREVIOUS_RELEASE"
    if entry.source.startswith("oes"):
        return "TASKVALUE_OES_VINTAGE" if entry.release == current else "TASKVALUE_OES_PREVIOUS_VINTAGE"
    return None


def mirror_file(mirror: Path, entry: SourceFile) -> Path:
    """Where the mirror holds the entry's file (which may be missing); refused when the folder holds
    another O*NET release's files."""
    path = mirror / entry.relpath
    refuse_another_onet_release(path, entry, "mirror")
    return path


def release_named(entry: SourceFile, setting: str | None) -> str:
    """'onet 29.0, set by TASKVALUE_ONET_RELEASE', for messages about a file that is not there."""
    return f"{entry.source} {entry.release}{f', set by {setting}' if setting else ''}"


def _from_mirror(mirror: Path, entry: SourceFile, setting: str | None = None) -> AcquiredFile:
    path = mirror_file(mirror, entry)
    if path.is_file():
        return AcquiredFile(entry, path, sha256_of(path), "mirror")
    if entry.optional:
        return AcquiredFile(entry, None, None, "absent")
    raise AcquireError(
        f"{entry.name} ({release_named(entry, setting)}) is not in the mirror: expected {path}. "
        f"Put the file there (it comes from {entry.url}) or unset TASKVALUE_MIRROR to download it."
    )


@dataclass
class _Cache:
    settings: TaskvalueSettings
    show_progress: bool
    revalidate: bool
    entries: list[SourceFile]  # everything this call acquires: an archive must hold all of its files
    fetched: set[str] = field(default_factory=set)  # URLs downloaded (or verified) in this call
    failed: dict[str, str] = field(default_factory=dict)  # URL -> why it could not be had, this call
    # URL -> how an archive already in the cache got there: "manual" (saved by hand, never recorded)
    # or "cache" (downloaded by an earlier run); absent: downloaded in this call
    found: dict[str, str] = field(default_factory=dict)

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
        if reason.startswith("HTTP 404") and (setting := release_setting(self.settings, entry)):
            reason += f" (O*NET release or OES vintage {entry.release}, set by {setting})"
        if entry.optional:
            # never assumed absent on a failed download (a passing outage would publish fallback
            # weights where the release has ratings): going on without it is the user's decision
            reason += (
                f"; {entry.name} is optional: to go on without it, create the empty file "
                f"{self.absent_marker(entry)}"
            )
        return manual_instructions(
            entry.url,
            reason,
            self.save_as(entry),
            member=entry.name if entry.in_archive else None,
            member_dest=self.dest(entry) if entry.in_archive else None,
            others=tuple(
                e.name
                for e in self.entries
                if e.url == entry.url and e != entry and not e.optional and not self.dest(e).is_file()
            ),
        )

    def disk_error(self, entry: SourceFile, exc: OSError) -> str:
        blocking = next((p for p in (self.root, *self.root.parents) if p.exists() and not p.is_dir()), None)
        if blocking is not None:  # disk space was the wrong advice
            return (
                f"Could not obtain {entry.name} ({entry.url}): the download cache {self.root} cannot be a "
                f"directory: {blocking} is a file. Point TASKVALUE_CACHE_DIR at a directory."
            )
        return (
            f"Could not obtain {entry.name} ({entry.url}): writing the download cache failed "
            f"({exc.strerror or exc}: {exc.filename or self.root}). Free some disk space or make {self.root} "
            f"writable, or point TASKVALUE_CACHE_DIR at another directory."
        )

    # -- the cache --------------------------------------------------------------------------------
    def from_current_archive(self, entry: SourceFile, source: str | None) -> bool:
        """Whether a cached file (or absent marker) of `entry` reflects the archive now accepted.

        `source` is the sha256 of the archive it was extracted from. It differs after a changed archive
        was accepted: the file must be extracted again. It is unknown for a file saved by hand or
        extracted by an older taskvalue: trusted unless the archive is there to extract it again from
        (and the cache is writable).
        """
        if not entry.in_archive:
            return True
        if source is None:
            return not (self.archive(entry).is_file() and os.access(self.root, os.W_OK))
        return source == self.manifest.get(entry.url)

    def cached(self, entry: SourceFile) -> AcquiredFile | None:
        marker = self.absent_marker(entry)
        if entry.optional and marker.exists():
            if self.from_current_archive(entry, marker.read_text().strip() or None):
                return AcquiredFile(entry, None, None, "absent")
            return None  # the new archive may hold it
        dest = self.dest(entry)
        if not dest.is_file():
            return None
        if not self.from_current_archive(entry, self.manifest.get(source_key(entry.relpath))):
            log.info("extracting %s again from %s", dest, self.archive(entry))
            return None
        sha = sha256_of(dest)
        recorded = self.manifest.get(entry.relpath)
        if recorded is None:  # saved there by hand, as a refusal message asked
            refuse_another_onet_release(dest, entry, "cache")
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
        try:
            return self._get(entry)
        except OSError as exc:
            raise AcquireError(self.disk_error(entry, exc)) from exc

    def _get(self, entry: SourceFile) -> AcquiredFile:
        cached = self.cached(entry)
        if entry.url in self.failed:  # asked already in this call: one round of retries per URL
            if cached is not None:
                return cached
            raise AcquireError(self.failed[entry.url])
        wants_check = self.revalidate and entry.url not in self.fetched
        if cached is not None and not wants_check:
            return cached
        try:
            self.ensure_fetched(entry, force=wants_check)
        except ChecksumChangedError:
            raise
        except (AcquireError, OSError) as exc:
            reason = str(exc) if isinstance(exc, AcquireError) else self.disk_error(entry, exc)
            self.failed[entry.url] = reason
            if cached is None:
                raise AcquireError(reason) from exc
            log.warning("could not revalidate %s (%s); the cached copy stays in use", entry.url, reason)
            return cached
        if not entry.in_archive:
            dest = self.dest(entry)
            return AcquiredFile(entry, dest, self.manifest.get(entry.relpath), self.via(entry))
        return self.extract(entry)

    def via(self, entry: SourceFile) -> str:
        return self.found.get(entry.url, "download")

    def ensure_fetched(self, entry: SourceFile, force: bool) -> None:
        """Make sure the archive (or direct file) for `entry.url` is present and accepted."""
        if entry.url in self.fetched:
            return
        target = self.save_as(entry)
        if target.is_file() and not force:
            try:
                self.accept_existing(entry, target)
            except _Unusable as exc:  # deleted; the publisher may well have the right file
                log.warning("%s cannot be used (%s); downloading it again", target, exc)
                try:
                    self.download(entry, target)
                except ChecksumChangedError:
                    raise
                except AcquireError as again:
                    raise AcquireError(
                        f"{target} could not be used ({exc}) and was deleted. {again}"
                    ) from None
        else:
            self.download(entry, target)
        self.fetched.add(entry.url)

    def accept_existing(self, entry: SourceFile, target: Path) -> None:
        """An archive already in the cache: one downloaded before, or one saved there by hand."""
        sha = sha256_of(target)
        try:
            self.verify(entry, target)
        except _Unusable:
            if self.manifest.get(entry.url) == sha:  # accepted before, wrongly: no reference to keep
                self.manifest.drop(entry.url)
            raise
        self.found[entry.url] = "cache" if self.manifest.get(entry.url) == sha else "manual"
        self.check_unchanged(entry, sha, local=target)
        self.record_fetched(entry, sha)

    def download(self, entry: SourceFile, target: Path) -> None:
        staging = target.with_name(target.name + ".new")
        if self.settings.contact_email.endswith("@example.org"):  # the default: no one to contact
            log.warning(
                "TASKVALUE_CONTACT_EMAIL is not set: downloading %s with the placeholder contact %s; "
                "bls.gov may refuse requests without a real one",
                entry.url,
                self.settings.contact_email,
            )
        try:
            sha = download(
                entry.url,
                staging,
                contact_email=self.settings.contact_email,
                timeout=self.settings.http_timeout_s,
                retries=self.settings.http_retries,
                backoff=self.settings.http_backoff_s,
                deadline=self.settings.http_deadline_s,
                show_progress=self.show_progress,
                refusal=lambda reason: self.refusal(entry, reason),
            )
            try:
                self.verify(entry, staging)
            except _Unusable as exc:
                raise AcquireError(self.refusal(entry, str(exc))) from None
            self.check_unchanged(entry, sha)
            os.replace(staging, target)
        finally:
            discard(staging)
        self.record_fetched(entry, sha)

    def record_fetched(self, entry: SourceFile, sha: str) -> None:
        values = {entry.url: sha}
        if not entry.in_archive:
            values[entry.relpath] = sha
        self.manifest.set_many(values)

    def verify(self, entry: SourceFile, path: Path) -> None:
        """Raise _Unusable, after deleting `path`, for a web page served instead of the file (a bot
        block), a corrupt archive or zip bomb, and an archive lacking a required file or holding
        another release."""
        with open(path, "rb") as f:
            head = f.read(512)
        problem = None
        if entry.url.endswith((".zip", ".xlsx")) and not head.startswith(ZIP_MAGIC):
            looks_html = head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<"))
            what = (
                "a web page (probably a bot block)" if looks_html else f"not a zip file (starts {head[:8]!r})"
            )
            problem = f"the server sent {what}"
        elif entry.in_archive or entry.url.endswith(".xlsx"):  # an xlsx is a zip too: check every CRC
            try:
                with open_archive(path, self.root / "files") as zf:
                    problem = self.missing_members(zf, entry.url) if entry.in_archive else None
            except AcquireError as exc:
                problem = f"corrupt archive: {exc}"
        if problem:
            discard(path)  # never keep a corrupt or wrong file; the next run fetches it again
            raise _Unusable(problem)

    def missing_members(self, zf: zipfile.ZipFile, url: str) -> str | None:
        """Why the archive at `url` cannot serve this call's entries, or None if it can."""
        for wanted in [e for e in self.entries if e.url == url and e.in_archive]:
            try:
                member = self.member(zf, wanted)
            except AcquireError as exc:
                return str(exc)
            if member is None and not wanted.optional:
                return f"the archive has no {wanted.name!r}: is it the right file?"
        return None

    def member(self, zf: zipfile.ZipFile, entry: SourceFile) -> str | None:
        """The member holding `entry`, found by base name in a folder of the right release (or none)."""
        others: set[str] = set()
        for name in zf.namelist():
            parts = name.replace("\\", "/").split("/")
            if parts[-1] != entry.name:
                continue
            releases = {release_of_folder(entry.source, p) for p in parts[:-1]}
            if entry.source == "onet":
                releases.add(self.readme_release(zf, "/".join([*parts[:-1], ONET_README])))
            releases -= {None, entry.release}
            if not releases:
                return name
            others |= releases
        if others:
            raise AcquireError(
                f"the archive holds {entry.source} release {', '.join(sorted(others))}, "
                f"not the configured {entry.release}"
            )
        return None

    @staticmethod
    def readme_release(zf: zipfile.ZipFile, name: str) -> str | None:
        """The release the archive's "Read Me.txt" beside a member names (None: no such file)."""
        try:
            with zf.open(name) as f:
                return release_of_readme(f.read(400))
        except KeyError:
            return None

    def check_unchanged(self, entry: SourceFile, sha: str, local: Path | None = None) -> None:
        previous = self.manifest.get(entry.url)
        if not previous or previous == sha or self.settings.accept_changed_checksums:
            return
        change = f"(sha256 {previous[:12]}… → {sha[:12]}…)"
        if local is not None:  # the copy in the cache itself, not a new download
            raise ChecksumChangedError(
                f"{local} differs from the copy of {entry.url} accepted before {change}: replaced or edited "
                f"by hand? Delete it to download it again, or set TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=1 to "
                f"use it."
            )
        raise ChecksumChangedError(
            f"{entry.url} changed since the last run {change}. The previous data stays in use. If the "
            f"publisher re-issued the file on purpose, set TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=1 and run again."
        )

    def extract(self, entry: SourceFile) -> AcquiredFile:
        archive = self.archive(entry)
        archive_sha = self.manifest.get(entry.url) or sha256_of(archive)
        with open_archive(archive, self.root / "files") as zf:
            member = self.member(zf, entry)
            if member is None:
                if entry.optional:
                    marker = self.absent_marker(entry)
                    marker.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(marker, archive_sha)
                    return AcquiredFile(entry, None, None, "absent")
                raise AcquireError(self.refusal(entry, f"{archive} has no member named {entry.name!r}"))
            dest = self.dest(entry)
            extract_member(zf, member, dest)
        discard(self.absent_marker(entry))
        sha = sha256_of(dest)
        self.manifest.set_many({entry.relpath: sha, source_key(entry.relpath): archive_sha})
        return AcquiredFile(entry, dest, sha, self.via(entry))
