"""The download path against a publisher, a network and a disk that misbehave the way real ones do.

Each test names the failure. For each: the user gets an AcquireError naming the URL or file (never a
bare requests/OS exception), nothing half-written is left for a later run to trust, and a cached good
copy stays in use.
"""

from __future__ import annotations

import errno
import json
import os
import threading
import time

import pytest

from assets.common.errors import AcquireError
from assets.ingest import catalog, http, safe_zip
from assets.ingest.acquire import ChecksumChangedError, acquire, acquire_many, sha256_of
from assets.ingest.http import download, retry_after_seconds
from tests.conftest import settings_for
from tests.ingest.fake_publisher import Reply, no_partial_files, publisher, zip_bytes  # noqa: F401

EMAIL = "data-team@example.org"
ARCHIVE_PATH = "/dl_files/database/db_29_0_text.zip"
STATEMENTS = b"O*NET-SOC Code\tTask ID\tTask\n15-1252.00\t21667\tDesign, develop and modify software.\n"
ZONES = b"O*NET-SOC Code\tJob Zone\n15-1252.00\t4\n"
RATINGS = b"O*NET-SOC Code\tTask ID\tScale ID\tData Value\n15-1252.00\t21667\tIM\t4.1\n"
ARCHIVE = zip_bytes({"db_29_0_text/Task Statements.txt": STATEMENTS, "db_29_0_text/Job Zones.txt": ZONES})


def release_archive(folder: str = "db_29_0_text", **files: bytes) -> bytes:
    names = {"statements": "Task Statements.txt", "zones": "Job Zones.txt", "ratings": "Task Ratings.txt"}
    return zip_bytes({f"{folder}/{names[key]}": data for key, data in files.items()})


@pytest.fixture
def setup(publisher, tmp_path, monkeypatch):  # noqa: F811 - pytest fixture injection
    monkeypatch.setattr(catalog, "ONET_DB", publisher.base_url + "/dl_files/database")
    monkeypatch.setattr(catalog, "BLS_SOC", publisher.base_url + "/soc/2018")

    def settings(**overrides):
        values = dict(contact_email=EMAIL, http_timeout_s=2.0, http_retries=2, http_backoff_s=0.01)
        return settings_for(tmp_path, "", **{**values, **overrides})

    return publisher, settings, tmp_path / "cache"


def entries(*keys: str) -> list[catalog.SourceFile]:
    return [catalog.onet_file("29.0", key) for key in keys]


def url() -> str:
    return catalog.onet_file("29.0", "task_statements").url


def fetch(settings, keys=("task_statements", "job_zones"), **kwargs):
    return acquire_many(settings, entries(*keys), show_progress=False, **kwargs)


def manifest(cache) -> dict[str, str]:
    path = cache / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


# -- the network --------------------------------------------------------------------------------------


def _conflicting_length(body: bytes) -> Reply:
    return Reply("ok", body, headers={"Content-Length": "12"})  # a second, different Content-Length


# Faults that requests raises as something other than a connection error: each used to escape as a
# bare requests exception (no URL, no instructions) and, when revalidating, to fail the run although
# a good cached copy was there.
ODD_REPLIES = {
    "redirect loop": lambda: Reply("redirect", location=ARCHIVE_PATH),
    "redirect to ftp": lambda: Reply("redirect", location="ftp://ftp.example.org/db_29_0_text.zip"),
    "conflicting Content-Length": lambda: _conflicting_length(ARCHIVE),
}


@pytest.mark.parametrize("fault", list(ODD_REPLIES))
def test_odd_replies_end_in_a_clear_error_naming_the_url(setup, fault):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, ODD_REPLIES[fault]())
    with pytest.raises(AcquireError) as err:
        fetch(settings())
    assert url() in str(err.value) and "by hand" in str(err.value)
    assert not (cache / "archives" / "db_29_0_text.zip").exists()
    assert no_partial_files(cache) == []


@pytest.mark.parametrize("fault", list(ODD_REPLIES))
def test_odd_replies_when_revalidating_keep_the_cached_copy(setup, fault):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    pub.serve(ARCHIVE_PATH, ODD_REPLIES[fault]())
    got = fetch(settings(), revalidate=True)
    assert [g.via for g in got] == ["cache", "cache"]
    assert got[0].path.read_bytes() == STATEMENTS
    assert (cache / "archives" / "db_29_0_text.zip").read_bytes() == ARCHIVE


def test_retry_after_is_waited_for(setup, tmp_path):
    pub, _, _ = setup
    pub.serve(
        "/x.zip",
        Reply("status", status=429, headers={"Retry-After": "7"}),
        Reply("status", status=503, headers={"Retry-After": "Thu, 01 Jan 2015 00:00:00 GMT"}),  # past
        Reply("ok", ARCHIVE),
    )
    sleeps: list[float] = []
    download(
        pub.base_url + "/x.zip", tmp_path / "x.zip", contact_email=EMAIL, backoff=0.5, sleep=sleeps.append
    )
    assert sleeps == [7.0, 1.0]  # at least what the server asked; the backoff when the date is past
    assert (tmp_path / "x.zip").read_bytes() == ARCHIVE


def test_a_retry_after_longer_than_a_run_should_wait_gives_up_at_once(setup, tmp_path):
    pub, _, _ = setup
    pub.serve("/x.zip", Reply("status", status=429, headers={"Retry-After": "86400"}))
    sleeps: list[float] = []
    with pytest.raises(AcquireError, match="asks to wait 86400 s; run again later") as err:
        download(pub.base_url + "/x.zip", tmp_path / "x.zip", contact_email=EMAIL, sleep=sleeps.append)
    assert pub.base_url + "/x.zip" in str(err.value)
    assert sleeps == [] and pub.hits("/x.zip") == 1


def test_a_trickling_server_is_cut_off_at_the_download_deadline(setup, tmp_path):
    # 1 KiB every 0.3 s: each read gets data well within the 2 s read timeout, so only a deadline
    # ends it; the body would take 9 s, and a read blocked on the next KiB must not wait for it
    pub, _, _ = setup
    pub.serve("/x.zip", Reply("slow", b"x" * 30_000, delay=0.3))
    t0 = time.monotonic()
    with pytest.raises(AcquireError) as err:
        download(pub.base_url + "/x.zip", tmp_path / "x.zip", contact_email=EMAIL, timeout=2.0, deadline=1.0)
    took = time.monotonic() - t0
    message = str(err.value)
    assert pub.base_url + "/x.zip" in message
    assert "did not finish within the download deadline of 1.0 s (setting http_deadline_s)" in message
    assert " of 30,000 bytes received" in message
    assert 1.0 <= took < 2.0, took  # cut at the deadline, not at the next read or the body's end
    assert pub.hits("/x.zip") == 1  # another attempt would pass the deadline too
    assert not list(tmp_path.iterdir())  # no .part, no file


def test_a_retry_that_would_start_after_the_deadline_is_not_waited_for(setup, tmp_path):
    pub, _, _ = setup
    pub.serve("/x.zip", Reply("status", status=503, headers={"Retry-After": "120"}))
    sleeps: list[float] = []
    with pytest.raises(AcquireError, match="retry 1 would start after it; last error: HTTP 503"):
        download(
            pub.base_url + "/x.zip", tmp_path / "x.zip", contact_email=EMAIL, sleep=sleeps.append, deadline=60
        )
    assert sleeps == [] and pub.hits("/x.zip") == 1


def test_a_download_within_its_deadline_is_not_disturbed(setup, tmp_path):
    pub, _, _ = setup
    body = bytes(range(256)) * 40
    pub.serve("/x.zip", Reply("slow", body, delay=0.02))
    download(pub.base_url + "/x.zip", tmp_path / "x.zip", contact_email=EMAIL, deadline=30)
    assert (tmp_path / "x.zip").read_bytes() == body


def test_the_deadline_setting_reaches_the_download(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("slow", ARCHIVE + b"\0" * 20_000, delay=0.3))
    with pytest.raises(AcquireError, match="download deadline of 0.8 s"):
        fetch(settings(http_deadline_s=0.8))


def test_retry_after_forms():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Thu, 01 Jan 2015 00:00:00 GMT") == 0.0
    assert 3500 < retry_after_seconds(_http_date(time.time() + 3600)) <= 3600
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def _http_date(epoch: float) -> str:
    import email.utils

    return email.utils.formatdate(epoch, usegmt=True)


def test_a_body_the_server_gzips_anyway_is_stored_as_published(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("gzip", ARCHIVE))  # Content-Length is the gzipped length
    got = fetch(settings())
    assert got[0].path.read_bytes() == STATEMENTS
    assert pub.requests[0][1]["Accept-Encoding"] == "identity"


def test_revalidation_asks_once_per_archive_however_many_files_it_holds(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    pub.serve(ARCHIVE_PATH, Reply("status", status=503))
    got = fetch(settings(http_retries=2), revalidate=True)
    assert [g.via for g in got] == ["cache", "cache"]
    assert pub.hits(ARCHIVE_PATH) == 1 + 3  # one round of retries, not one per file


# -- what the publisher serves ------------------------------------------------------------------------


def test_an_archive_of_another_release_is_refused(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", release_archive("db_28_3_text", statements=STATEMENTS, zones=ZONES)))
    with pytest.raises(AcquireError) as err:
        fetch(settings())
    message = str(err.value)
    assert "release 28.3, not the configured 29.0" in message and url() in message
    assert not (cache / "archives" / "db_29_0_text.zip").exists()
    assert not (cache / "files" / "onet" / "29.0" / "Task Statements.txt").exists()
    assert url() not in manifest(cache)


def readme(release: str) -> bytes:
    # the first lines of O*NET's "Read Me.txt", as published
    return f"O*NET {release} Database\r\nAugust 2024 Release\r\n-------------------\r\n".encode()


@pytest.mark.parametrize(
    "layout",
    [
        "",  # flat: O*NET's file names alone say nothing about the release
        "db_29_0_text/",  # the folder says 29.0, its Read Me 28.3: contradicting, refused
    ],
)
def test_an_archive_whose_read_me_names_another_release_is_refused(setup, layout):
    pub, settings, cache = setup
    files = {"Task Statements.txt": STATEMENTS, "Job Zones.txt": ZONES, "Read Me.txt": readme("28.3")}
    pub.serve(ARCHIVE_PATH, Reply("ok", zip_bytes({layout + k: v for k, v in files.items()})))
    with pytest.raises(AcquireError) as err:
        fetch(settings())
    assert "release 28.3, not the configured 29.0" in str(err.value) and url() in str(err.value)
    assert not (cache / "files" / "onet" / "29.0" / "Task Statements.txt").exists()


def test_a_flat_archive_of_the_right_release_or_without_a_read_me_is_taken(setup):
    pub, settings, _ = setup
    flat = {"Task Statements.txt": STATEMENTS, "Job Zones.txt": ZONES, "Read Me.txt": readme("29.0")}
    pub.serve(ARCHIVE_PATH, Reply("ok", zip_bytes(flat)))
    assert [g.path.read_bytes() for g in fetch(settings())] == [STATEMENTS, ZONES]


def test_an_archive_missing_a_required_file_is_not_kept_and_a_fixed_one_is_taken(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", release_archive(statements=STATEMENTS)))  # no Job Zones
    with pytest.raises(AcquireError) as err:
        fetch(settings())
    assert "no 'Job Zones.txt'" in str(err.value) and url() in str(err.value)
    assert not (cache / "archives" / "db_29_0_text.zip").exists()
    assert url() not in manifest(cache)

    # The publisher fixes the archive: the next run takes it (formerly: the same error without asking,
    # and with revalidation a ChecksumChangedError against the broken archive's recorded sha256).
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    got = fetch(settings(), revalidate=True)
    assert [g.path.read_bytes() for g in got] == [STATEMENTS, ZONES]


def test_an_accepted_changed_archive_replaces_every_file_extracted_from_it(setup):
    pub, settings, cache = setup
    keys = ("task_statements", "job_zones", "task_ratings")
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    assert [g.via for g in fetch(settings(), keys)] == ["download", "download", "absent"]

    new_statements, new_zones = STATEMENTS + b"15-1252.00\t99999\tReview code.\n", ZONES.replace(b"4", b"5")
    changed = release_archive(statements=new_statements, zones=new_zones, ratings=RATINGS)
    pub.serve(ARCHIVE_PATH, Reply("ok", changed))
    with pytest.raises(ChecksumChangedError):
        fetch(settings(), keys, revalidate=True)
    got = fetch(settings(accept_changed_checksums=True), keys, revalidate=True)
    # Formerly only the first file came from the new archive: the others stayed those of the old one.
    assert [g.path.read_bytes() for g in got] == [new_statements, new_zones, RATINGS]
    again = fetch(settings(), keys)
    assert [g.via for g in again] == ["cache", "cache", "cache"]
    assert [g.path.read_bytes() for g in again] == [new_statements, new_zones, RATINGS]


def test_a_cache_from_an_older_version_is_checked_against_its_archive_once(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    # What an older taskvalue left: no record of the archive each file came from.
    old = {k: v for k, v in manifest(cache).items() if not k.endswith("#archive")}
    (cache / "manifest.json").write_text(json.dumps(old))
    pub.serve(ARCHIVE_PATH, Reply("status", status=403))  # no network needed for that check
    got = fetch(settings())
    assert [g.path.read_bytes() for g in got] == [STATEMENTS, ZONES]
    assert pub.hits(ARCHIVE_PATH) == 1
    assert [g.via for g in fetch(settings())] == ["cache", "cache"]


def test_a_zip_bomb_is_refused_before_it_is_inflated(setup):
    pub, settings, cache = setup
    bomb = zip_bytes(
        {"db_29_0_text/Task Statements.txt": b"\0" * (32 << 20), "db_29_0_text/Job Zones.txt": ZONES}
    )
    assert len(bomb) < 100_000
    pub.serve(ARCHIVE_PATH, Reply("ok", bomb))
    with pytest.raises(AcquireError, match="zip bomb") as err:
        fetch(settings())
    assert url() in str(err.value)
    assert not (cache / "files" / "onet" / "29.0" / "Task Statements.txt").exists()
    assert not (cache / "archives" / "db_29_0_text.zip").exists()


def test_an_archive_inflating_past_the_total_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_zip, "MAX_UNCOMPRESSED_BYTES", 100)
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_bytes({"a.txt": b"x" * 60, "b.txt": b"y" * 60}))
    with pytest.raises(AcquireError, match="would inflate to 120 bytes"):
        safe_zip.open_archive(archive, tmp_path)


def _with_compression_method(data: bytes, method: int) -> bytes:
    """The zip with its (single) member's compression method set to `method` in both headers."""
    raw = bytearray(data)
    local, central = raw.index(b"PK\x03\x04"), raw.index(b"PK\x01\x02")
    raw[local + 8 : local + 10] = method.to_bytes(2, "little")
    raw[central + 10 : central + 12] = method.to_bytes(2, "little")
    return bytes(raw)


def test_an_archive_zipfile_cannot_inflate_is_a_clear_error(tmp_path):
    # Deflate64 (method 9) is what Windows Explorer writes for big archives, e.g. one re-zipped by hand.
    archive = tmp_path / "db.zip"
    archive.write_bytes(_with_compression_method(zip_bytes({"db/Task Statements.txt": STATEMENTS}), 9))
    with pytest.raises(AcquireError, match="not a readable zip archive"):
        safe_zip.open_archive(archive, tmp_path)


# -- the cache on disk --------------------------------------------------------------------------------

CORRUPT_MANIFESTS = {"binary": b"\xff\xfe\x00\x13", "a list": b"[]", "numbers": b'{"x": 1}'}


@pytest.mark.parametrize("content", list(CORRUPT_MANIFESTS))
def test_a_corrupt_manifest_is_a_clear_error(setup, content):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    (cache / "manifest.json").write_bytes(CORRUPT_MANIFESTS[content])
    with pytest.raises(AcquireError, match="delete it to rebuild the cache") as err:
        fetch(settings())
    assert str(cache / "manifest.json") in str(err.value)


def test_a_corrupt_cached_archive_is_downloaded_again_in_the_same_run(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    archive = cache / "archives" / "db_29_0_text.zip"
    archive.write_bytes(ARCHIVE[: len(ARCHIVE) // 2])  # a copy cut short, a disk error
    (cache / "files" / "onet" / "29.0" / "Job Zones.txt").unlink()
    got = fetch(settings())
    assert [g.path.read_bytes() for g in got] == [STATEMENTS, ZONES]
    assert archive.read_bytes() == ARCHIVE
    assert pub.hits(ARCHIVE_PATH) == 2


def test_a_corrupt_cached_archive_that_cannot_be_downloaded_again_says_both(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    archive = cache / "archives" / "db_29_0_text.zip"
    archive.write_bytes(b"<html>saved the wrong page</html>")
    (cache / "files" / "onet" / "29.0" / "Job Zones.txt").unlink()
    pub.serve(ARCHIVE_PATH, Reply("status", status=403))
    with pytest.raises(AcquireError) as err:
        fetch(settings())
    message = str(err.value)
    assert f"{archive} could not be used" in message and "403" in message and url() in message


def test_an_archive_replaced_by_hand_is_named_as_the_local_copy(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    archive = cache / "archives" / "db_29_0_text.zip"
    archive.write_bytes(release_archive(statements=STATEMENTS + b"x\ty\tz\n", zones=ZONES))
    (cache / "files" / "onet" / "29.0" / "Job Zones.txt").unlink()
    with pytest.raises(ChecksumChangedError) as err:
        fetch(settings())
    assert f"{archive} differs from the copy of {url()} accepted before" in str(err.value)
    assert pub.hits(ARCHIVE_PATH) == 1


def test_a_second_run_waits_for_the_first_instead_of_downloading_too(setup):
    pub, settings, cache = setup
    big = release_archive(statements=STATEMENTS, zones=ZONES + os.urandom(48_000).hex().encode())
    pub.serve(ARCHIVE_PATH, Reply("slow", big, delay=0.004))  # ~0.4 s on the wire
    results: dict[str, object] = {}

    def run(name: str) -> None:
        try:
            results[name] = [g.via for g in fetch(settings())]
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[name] = exc

    first = threading.Thread(target=run, args=("first",))
    first.start()
    deadline = time.monotonic() + 10
    while pub.hits(ARCHIVE_PATH) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    first.join()
    second.join()
    assert results == {"first": ["download", "download"], "second": ["cache", "cache"]}
    assert pub.hits(ARCHIVE_PATH) == 1
    assert no_partial_files(cache) == []


def test_a_cache_dir_that_cannot_be_created_is_a_clear_error(setup, tmp_path):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache should be")
    with pytest.raises(AcquireError) as err:
        fetch(settings_for(blocker, "", contact_email=EMAIL, http_retries=0))  # cache: not-a-dir/cache
    message = str(err.value)
    # a file in the way: not the disk-space advice
    assert f"the download cache {blocker / 'cache'} cannot be a directory: {blocker} is a file" in message
    assert "TASKVALUE_CACHE_DIR" in message and "disk space" not in message
    assert url() in message


class _FailingFile:
    """A file whose writes fail after `budget` bytes, as on a disk that fills up (or is read-only)."""

    def __init__(self, real, budget: int, err: int):
        self.real, self.budget, self.err = real, budget, err

    def write(self, data: bytes) -> int:
        self.budget -= len(data)
        if self.budget < 0:
            raise OSError(self.err, os.strerror(self.err), self.real.name)
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


def _failing_open(budget: int, err: int):
    def fake_open(path, mode="r", *args, **kwargs):
        real = open(path, mode, *args, **kwargs)  # noqa: SIM115 - closed by the wrapper
        return _FailingFile(real, budget, err) if "w" in mode else real

    return fake_open


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_a_disk_error_while_downloading_is_clear_and_leaves_nothing(setup, monkeypatch, err):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    monkeypatch.setattr(http, "open", _failing_open(100, err), raising=False)
    with pytest.raises(AcquireError) as err_info:
        fetch(settings())
    message = str(err_info.value)
    assert os.strerror(err) in message and "TASKVALUE_CACHE_DIR" in message and url() in message
    assert no_partial_files(cache) == []
    assert not (cache / "archives" / "db_29_0_text.zip").exists()


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_a_disk_error_while_revalidating_keeps_the_cached_copy(setup, monkeypatch, err):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    before = (cache / "manifest.json").read_text()
    monkeypatch.setattr(http, "open", _failing_open(100, err), raising=False)
    got = fetch(settings(), revalidate=True)
    assert [g.via for g in got] == ["cache", "cache"]
    assert [g.path.read_bytes() for g in got] == [STATEMENTS, ZONES]
    assert (cache / "archives" / "db_29_0_text.zip").read_bytes() == ARCHIVE
    assert (cache / "manifest.json").read_text() == before
    assert no_partial_files(cache) == []


def test_a_full_disk_while_extracting_leaves_no_half_file(setup, monkeypatch):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    monkeypatch.setattr(safe_zip, "open", _failing_open(10, errno.ENOSPC), raising=False)
    with pytest.raises(AcquireError, match="No space left on device"):
        fetch(settings())
    assert no_partial_files(cache) == []
    assert not (cache / "files" / "onet" / "29.0" / "Task Statements.txt").exists()
    monkeypatch.delattr(safe_zip, "open")
    assert [g.path.read_bytes() for g in fetch(settings())] == [STATEMENTS, ZONES]
    assert pub.hits(ARCHIVE_PATH) == 1  # the verified archive was kept; only extraction is redone


def test_the_cached_files_are_exactly_what_the_manifest_records(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    got = fetch(settings())
    recorded = manifest(cache)
    assert recorded[url()] == sha256_of(cache / "archives" / "db_29_0_text.zip")
    for g in got:
        assert recorded[g.entry.relpath] == sha256_of(g.path)
        assert recorded[g.entry.relpath + "#archive"] == recorded[url()]
    assert acquire(settings(), entries("task_statements")[0], show_progress=False).via == "cache"


def test_files_a_killed_run_left_half_written_are_swept_under_the_lock(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    fetch(settings())
    # what a SIGKILL leaves: a download in flight, an archive being verified, an extraction
    left = [
        cache / "archives" / "db_29_0_text.zip.new.part",
        cache / "archives" / "db_29_0_text.zip.new",
        cache / "files" / "onet" / "29.0" / "Task Statements.txt.part",
    ]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1000)
    got = fetch(settings())
    assert no_partial_files(cache) == []
    assert [a.via for a in got] == ["cache", "cache"]
