"""Downloads with timeouts, retries with backoff, a contact User-Agent and atomic writes.

A download is written to `<dest>.part` and renamed only after its length was verified, so a file is
never used half-written. A 403 is not retried: bls.gov blocks bots, and hammering makes it worse.
A 429/503 with Retry-After is retried no sooner than the server asks (or not at all, if it asks for
more than MAX_RETRY_AFTER_S). Every failure, including a redirect loop or a bad header, is an
AcquireError naming the URL. The read timeout applies to each read, so a server trickling a byte just
under it would never time out: a deadline bounds the whole download, retries and waits included.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import requests

from assets.common.errors import AcquireError
from assets.common.files import discard

PROGRESS_MIN_BYTES = 2 << 20
CHUNK = 1 << 16
MAX_RETRY_AFTER_S = 300.0  # a server asking for a longer pause is told to wait for the next run
log = logging.getLogger("taskvalue.download")


class TransientDownloadError(Exception):
    """Worth another attempt: reset, timeout, 5xx, 429, truncated body."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked to wait (Retry-After), if it did


class RefusedDownloadError(Exception):
    """Not worth another attempt: 403 (a bot block), 404, other client errors."""


class DeadlineError(Exception):
    """The download's deadline passed: another attempt would pass it too."""


class _Watchdog:
    """Cuts a response's socket when the deadline passes, so that a read blocked on a trickling server
    returns at once (urllib3's `shutdown`, made for this) instead of after the next byte."""

    def __init__(self, resp: requests.Response, deadline_at: float | None):
        self.expired = threading.Event()
        self._resp = resp
        self._timer = None
        if deadline_at is not None:
            self._timer = threading.Timer(max(0.0, deadline_at - time.monotonic()), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self.expired.set()
        with contextlib.suppress(ValueError, RuntimeError, OSError):  # finished or released: nothing blocks
            self._resp.raw.shutdown()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def user_agent(contact_email: str) -> str:
    return f"taskvalue/0.1 (economic task-value research; contact: {contact_email})"


def manual_instructions(
    url: str,
    reason: str,
    save_as: Path,
    *,
    member: str | None = None,
    member_dest: Path | None = None,
    others: tuple[str, ...] = (),
) -> str:
    """What to do when a download is refused: the URL, the file to fetch by hand, where to put it.
    `others`: the archive's other members this run still needs, named at once (one per run made a
    user run ten times to learn them)."""
    text = (
        f"Could not download {url} ({reason}). Download it by hand in a browser and save it as "
        f"{save_as}, then run again"
    )
    if member and member_dest:
        text += f" (taskvalue checks the archive and extracts {member!r}; or save {member!r} itself as {member_dest}"
        if others:
            text += f", and beside it {', '.join(repr(o) for o in others)}"
        text += ")"
    return (
        text
        + ". Or point TASKVALUE_MIRROR at a directory laid out like the official files (README, Sources)."
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: either delay-seconds or an HTTP date (RFC 9110); None if absent
    or unreadable."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _content_length(resp: requests.Response) -> int | None:
    try:
        return int(resp.headers.get("Content-Length") or 0) or None
    except ValueError:
        return None


def _fetch_once(
    session: requests.Session,
    url: str,
    part: Path,
    timeout: float,
    show_progress: bool,
    deadline_at: float | None = None,
) -> str:
    watchdog = None
    received = 0
    expected = None
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
                raise TransientDownloadError(
                    f"HTTP {resp.status_code}", retry_after_seconds(resp.headers.get("Retry-After"))
                )
            if resp.status_code != 200:
                raise RefusedDownloadError(f"HTTP {resp.status_code}")
            expected = _content_length(resp)
            digest = hashlib.sha256()
            watchdog = _Watchdog(resp, deadline_at)
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
            if watchdog.expired.is_set():  # the cut socket ended the body early, without an error
                raise DeadlineError(_progress(received, expected))
            # Content-Length counts the bytes on the wire: with a Content-Encoding (a server that
            # gzips anyway) that is fewer than the decoded file, so compare what came over the wire.
            wire = resp.raw.tell() if resp.headers.get("Content-Encoding") else received
            if expected is not None and wire != expected:
                raise TransientDownloadError(f"truncated body: got {wire} of {expected} bytes")
            return digest.hexdigest()
    except (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as exc:
        if watchdog is not None and watchdog.expired.is_set():
            raise DeadlineError(_progress(received, expected)) from None
        raise TransientDownloadError(f"{type(exc).__name__}: {exc}") from exc
    except requests.TooManyRedirects as exc:
        raise RefusedDownloadError(f"redirect loop ({exc})") from exc
    except requests.RequestException as exc:  # a redirect to ftp://, a malformed header, ...
        raise RefusedDownloadError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if watchdog is not None:
            watchdog.cancel()


def _progress(received: int, expected: int | None) -> str:
    return f"{received:,} of {expected:,} bytes received" if expected else f"{received:,} bytes received"


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
    deadline: float | None = None,
) -> str:
    """Download `url` to `dest` atomically and return its sha256.

    Transient failures (reset, timeout, 5xx, 429, truncated body) are retried with exponential
    backoff, waiting at least what a Retry-After asks; a refusal (403, 404, ...) is not. `deadline`
    (seconds, None: none) bounds the whole download, attempts and waits included: a body still
    arriving then is cut off, and a wait that would end after it is not started. Either way the
    error is an AcquireError whose message comes from `refusal(reason)` (default:
    manual_instructions for `dest`). An OSError writing `dest` (disk full, read-only) propagates.
    """
    explain = refusal or (lambda reason: manual_instructions(url, reason, dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    session = requests.Session()
    session.headers["User-Agent"] = user_agent(contact_email)
    session.headers["Accept-Encoding"] = "identity"  # the file as published, byte for byte
    last = ""
    deadline_at = None if deadline is None else time.monotonic() + deadline
    past_deadline = f"did not finish within the download deadline of {deadline} s (setting http_deadline_s)"
    try:
        for attempt in range(retries + 1):
            try:
                sha = _fetch_once(session, url, part, timeout, show_progress, deadline_at)
                os.replace(part, dest)
                return sha
            except DeadlineError as exc:
                raise AcquireError(explain(f"{past_deadline}: {exc}")) from None
            except TransientDownloadError as exc:
                last = str(exc)
                discard(part)
                if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER_S:
                    raise AcquireError(
                        explain(f"{exc}: the server asks to wait {exc.retry_after:.0f} s; run again later")
                    ) from None
                if attempt < retries:
                    wait = max(backoff * (2**attempt), exc.retry_after or 0.0)
                    if deadline_at is not None and time.monotonic() + wait >= deadline_at:
                        raise AcquireError(
                            explain(
                                f"{past_deadline}: retry {attempt + 1} would start after it; last error: {exc}"
                            )
                        ) from None
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
        discard(part)
        session.close()
