"""Downloads with timeouts, retries with backoff, a contact User-Agent and atomic writes.

A download is written to `<dest>.part` and renamed only after its length was verified, so a file is
never used half-written. A 403 is not retried: bls.gov blocks bots, and hammering makes it worse.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from assets.common.errors import AcquireError

PROGRESS_MIN_BYTES = 2 << 20
CHUNK = 1 << 16
log = logging.getLogger("taskvalue.download")


class TransientDownloadError(Exception):
    """Worth another attempt: reset, timeout, 5xx, truncated body."""


class RefusedDownloadError(Exception):
    """Not worth another attempt: 403 (a bot block), 404, other client errors."""


def user_agent(contact_email: str) -> str:
    return f"taskvalue/0.1 (economic task-value research; contact: {contact_email})"


def manual_instructions(
    url: str, reason: str, save_as: Path, *, member: str | None = None, member_dest: Path | None = None
) -> str:
    """What to do when a download is refused: the URL, the file to fetch by hand, where to put it."""
    text = (
        f"Could not download {url} ({reason}). Download it by hand in a browser and save it as "
        f"{save_as}, then run again"
    )
    if member and member_dest:
        text += f" (taskvalue checks the archive and extracts {member!r}; or save {member!r} itself as {member_dest})"
    return text + ". Or point TASKVALUE_MIRROR at a directory laid out like ../shared/data."


def _fetch_once(session: requests.Session, url: str, part: Path, timeout: float, show_progress: bool) -> str:
    try:
        with session.get(url, stream=True, timeout=timeout) as resp:
            if resp.status_code == 403:
                raise RefusedDownloadError(
                    "HTTP 403 Forbidden: the server blocked this scripted request; a real contact address "
                    "in TASKVALUE_CONTACT_EMAIL sometimes helps"
                )
            if resp.status_code == 404:
                raise RefusedDownloadError("HTTP 404 Not Found: is the release or vintage configured right?")
            if resp.status_code >= 500 or resp.status_code == 429:
                raise TransientDownloadError(f"HTTP {resp.status_code}")
            if resp.status_code != 200:
                raise RefusedDownloadError(f"HTTP {resp.status_code}")
            expected = int(resp.headers.get("Content-Length") or 0) or None
            digest = hashlib.sha256()
            received = 0
            bar = None
            if show_progress and expected and expected >= PROGRESS_MIN_BYTES:
                from tqdm import tqdm

                bar = tqdm(
                    total=expected, unit="B", unit_scale=True, desc=url.rsplit("/", 1)[-1], file=sys.stderr
                )
            try:
                with open(part, "wb") as out:
                    for chunk in resp.iter_content(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        if bar:
                            bar.update(len(chunk))
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                if bar:
                    bar.close()
            if expected is not None and received != expected:
                raise TransientDownloadError(f"truncated body: got {received} of {expected} bytes")
            return digest.hexdigest()
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        raise TransientDownloadError(f"{type(exc).__name__}: {exc}") from exc


def download(
    url: str,
    dest: Path,
    *,
    contact_email: str,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 2.0,
    show_progress: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    refusal: Callable[[str], str] | None = None,
) -> str:
    """Download `url` to `dest` atomically and return its sha256.

    Transient failures (reset, timeout, 5xx, 429, truncated body) are retried with exponential
    backoff; a refusal (403, 404, ...) is not. Either way the error is an AcquireError whose message
    comes from `refusal(reason)` (default: manual_instructions for `dest`).
    """
    explain = refusal or (lambda reason: manual_instructions(url, reason, dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    session = requests.Session()
    session.headers["User-Agent"] = user_agent(contact_email)
    last = ""
    try:
        for attempt in range(retries + 1):
            try:
                sha = _fetch_once(session, url, part, timeout, show_progress)
                os.replace(part, dest)
                return sha
            except TransientDownloadError as exc:
                last = str(exc)
                part.unlink(missing_ok=True)
                if attempt < retries:
                    wait = backoff * (2**attempt)
                    log.warning(
                        "download of %s failed (%s); retry %d/%d in %.1fs",
                        url,
                        exc,
                        attempt + 1,
                        retries,
                        wait,
                    )
                    sleep(wait)
            except RefusedDownloadError as exc:
                raise AcquireError(explain(str(exc))) from None
        raise AcquireError(explain(f"gave up after {retries + 1} attempts: {last}"))
    finally:
        part.unlink(missing_ok=True)
        session.close()
