"""Downloads against a local publisher that misbehaves on purpose (issue 2 item 3, issue 6 network faults).

Every fault is run twice: on an empty cache (the result is a retry or a clear error, and nothing is
left behind), and after a good run with `revalidate=True` (the previous good files stay in use,
byte for byte, and no half file is ever there to be loaded).
"""

from __future__ import annotations

import json

import pytest

from assets.common.errors import AcquireError
from assets.ingest import catalog
from assets.ingest.acquire import ChecksumChangedError, acquire, acquire_many, sha256_of
from tests.conftest import FIXTURES, settings_for
from tests.ingest.fake_publisher import Reply, no_partial_files, publisher, zip_bytes  # noqa: F401

EMAIL = "data-team@example.org"
STATEMENTS = (
    b"O*NET-SOC Code\tTask ID\tTask\n15-1252.00\t21667\tDesign, develop and modify software systems.\n"
)
ARCHIVE = zip_bytes({"db_29_0_text/Task Statements.txt": STATEMENTS, "db_29_0_text/Read Me.txt": b"29.0\n"})
ARCHIVE_PATH = "/dl_files/database/db_29_0_text.zip"


@pytest.fixture
def setup(publisher, tmp_path, monkeypatch):  # noqa: F811 - pytest fixture injection
    monkeypatch.setattr(catalog, "ONET_DB", publisher.base_url + "/dl_files/database")
    monkeypatch.setattr(catalog, "BLS_SOC", publisher.base_url + "/soc/2018")

    def settings(**overrides):
        values = dict(
            contact_email=EMAIL, http_timeout_s=0.5, http_retries=2, http_backoff_s=0.01, **overrides
        )
        return settings_for(tmp_path, "", **values)

    return publisher, settings, tmp_path / "cache"


def statements_entry():
    return catalog.onet_file("29.0", "task_statements")


def test_download_is_atomic_verified_and_carries_the_contact_email(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    got = acquire(settings(), statements_entry(), show_progress=False)

    assert got.via == "download"
    assert got.path == cache / "files" / "onet" / "29.0" / "Task Statements.txt"
    assert got.path.read_bytes() == STATEMENTS
    assert got.sha256 == sha256_of(got.path)
    (_, headers) = pub.requests[0]
    assert EMAIL in headers["User-Agent"]
    assert headers["User-Agent"].startswith("taskvalue/")
    assert no_partial_files(cache) == []
    manifest = json.loads((cache / "manifest.json").read_text())
    assert manifest[got.entry.url] == sha256_of(cache / "archives" / "db_29_0_text.zip")
    assert manifest["onet/29.0/Task Statements.txt"] == got.sha256


def test_a_cached_file_is_used_without_asking_the_publisher(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    acquire(settings(), statements_entry(), show_progress=False)
    pub.serve(ARCHIVE_PATH, Reply("status", status=500))
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert got.via == "cache"
    assert pub.hits(ARCHIVE_PATH) == 1


def test_files_sharing_an_archive_download_it_once(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    entries = [statements_entry(), catalog.onet_file("29.0", "task_ratings")]
    got = acquire_many(settings(), entries, show_progress=False)
    assert [g.via for g in got] == ["download", "absent"]  # Task Ratings missing: a state, not an error
    assert pub.hits(ARCHIVE_PATH) == 1
    again = acquire_many(settings(), entries, show_progress=False, revalidate=True)
    assert [g.via for g in again] == ["download", "absent"]
    assert pub.hits(ARCHIVE_PATH) == 2


# Faults that end, after retries, in a clear error on an empty cache; `hits` is the number of requests.
RETRIED = {
    "connection reset mid-body": (Reply("reset", ARCHIVE, send_bytes=len(ARCHIVE) // 2), 3),
    "timeout": (Reply("sleep", ARCHIVE, delay=1.5), 3),
    "truncated body": (Reply("truncate", ARCHIVE, send_bytes=len(ARCHIVE) - 10), 3),
    "persistent 500": (Reply("status", status=500), 3),
}
REFUSED = {
    "403 bot block": (Reply("status", status=403), 1),
    "404 wrong release": (Reply("status", status=404), 1),
    "corrupt zip": (Reply("ok", ARCHIVE[:-40] + b"\x00" * 40), 1),
    "html page instead of the zip": (Reply("ok", b"<!DOCTYPE html><html>Access Denied</html>"), 1),
}
FAULTS = {**RETRIED, **REFUSED}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_on_an_empty_cache_ends_in_a_clear_error_and_leaves_nothing(setup, fault):
    pub, settings, cache = setup
    reply, hits = FAULTS[fault]
    pub.serve(ARCHIVE_PATH, reply)
    with pytest.raises(AcquireError) as err:
        acquire(settings(), statements_entry(), show_progress=False)
    message = str(err.value)
    url = catalog.onet_file("29.0", "task_statements").url
    assert url in message
    assert "by hand" in message and str(cache / "archives" / "db_29_0_text.zip") in message
    assert "'Task Statements.txt'" in message
    assert pub.hits(ARCHIVE_PATH) == hits  # transient faults retried, refusals not
    assert no_partial_files(cache) == []
    assert not (cache / "archives" / "db_29_0_text.zip").exists()  # corrupt archive deleted
    assert not (cache / "files" / "onet" / "29.0" / "Task Statements.txt").exists()
    if fault.startswith("404"):  # a release that does not exist: name the setting that chose it
        assert (
            "HTTP 404 Not Found: is the release or vintage configured right? (O*NET release or OES "
            in message
        )
        assert "vintage 29.0, set by TASKVALUE_ONET_RELEASE)" in message


def test_403_names_the_url_the_file_and_where_to_put_it(setup):
    pub, settings, cache = setup
    pub.serve("/soc/2018/soc_2018_definitions.xlsx", Reply("status", status=403))
    with pytest.raises(AcquireError) as err:
        acquire(settings(), catalog.soc_structure(), show_progress=False)
    message = str(err.value)
    assert "403" in message
    assert catalog.soc_structure().url in message
    assert f"save it as {cache / 'files' / 'soc' / 'soc_2018_definitions.xlsx'}" in message


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_after_a_good_run_keeps_the_previous_good_files(setup, fault):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    first = acquire(settings(), statements_entry(), show_progress=False)
    archive = cache / "archives" / "db_29_0_text.zip"
    manifest_before = (cache / "manifest.json").read_text()

    reply, hits = FAULTS[fault]
    pub.serve(ARCHIVE_PATH, reply)
    got = acquire(settings(), statements_entry(), show_progress=False, revalidate=True)

    assert got.via == "cache"  # the previous good data stays in use
    assert got.path == first.path and got.sha256 == first.sha256
    assert first.path.read_bytes() == STATEMENTS
    assert pub.hits(ARCHIVE_PATH) == 1 + hits
    assert no_partial_files(cache) == []
    assert (cache / "manifest.json").read_text() == manifest_before
    assert archive.read_bytes() == ARCHIVE  # a faulty download never replaces the good archive


def test_500_then_success_is_retried(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("status", status=500), Reply("status", status=503), Reply("ok", ARCHIVE))
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert got.via == "download" and got.path.read_bytes() == STATEMENTS
    assert pub.hits(ARCHIVE_PATH) == 3
    assert no_partial_files(cache) == []


def test_reset_then_success_is_retried(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("reset", ARCHIVE, send_bytes=100), Reply("ok", ARCHIVE))
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert got.path.read_bytes() == STATEMENTS
    assert pub.hits(ARCHIVE_PATH) == 2


def test_changed_checksum_is_refused_until_accepted(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    first = acquire(settings(), statements_entry(), show_progress=False)

    changed = STATEMENTS + b"15-1252.00\t21670\tModify existing software.\n"
    new_archive = zip_bytes({"db_29_0_text/Task Statements.txt": changed})
    pub.serve(ARCHIVE_PATH, Reply("ok", new_archive))
    with pytest.raises(ChecksumChangedError) as err:
        acquire(settings(), statements_entry(), show_progress=False, revalidate=True)
    message = str(err.value)
    assert "changed since the last run" in message and "TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=1" in message
    assert first.path.read_bytes() == STATEMENTS  # previous good data untouched
    assert (cache / "archives" / "db_29_0_text.zip").read_bytes() == ARCHIVE
    assert no_partial_files(cache) == []
    # Without revalidation the cached copy is still what a run uses.
    assert acquire(settings(), statements_entry(), show_progress=False).via == "cache"

    accepted = acquire(
        settings(accept_changed_checksums=True), statements_entry(), show_progress=False, revalidate=True
    )
    assert accepted.via == "download" and accepted.path.read_bytes() == changed
    # Accepted once, the new checksum is the reference from then on.
    again = acquire(settings(), statements_entry(), show_progress=False, revalidate=True)
    assert again.path.read_bytes() == changed


def test_a_file_saved_by_hand_where_the_message_says_is_used(setup):
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("status", status=403))
    with pytest.raises(AcquireError):
        acquire(settings(), statements_entry(), show_progress=False)
    # The user follows the message: saves the archive by hand.
    archive = cache / "archives" / "db_29_0_text.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(ARCHIVE)
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert got.path.read_bytes() == STATEMENTS
    assert got.via == "manual"  # was recorded as "download", from a URL that refused it
    assert pub.hits(ARCHIVE_PATH) == 1  # no new request
    # its file extracted again later (deleted from the cache) comes from the cache
    got.path.unlink()
    assert acquire(settings(), statements_entry(), show_progress=False).via == "cache"


def test_an_extracted_file_saved_by_hand_is_used(setup):
    pub, settings, cache = setup
    pub.serve("/soc/2018/soc_2018_definitions.xlsx", Reply("status", status=403))
    dest = cache / "files" / "soc" / "soc_2018_definitions.xlsx"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"PK\x03\x04 pretend workbook")
    got = acquire(settings(), catalog.soc_structure(), show_progress=False)
    assert got.via == "manual" and got.path == dest
    assert pub.hits("/soc/2018/soc_2018_definitions.xlsx") == 0


def test_onet_files_saved_by_hand_beside_another_releases_read_me_are_refused(setup):
    # the mirror refused such a folder; the cache used its files as release 29.0, recorded `manual`
    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("status", status=403))
    folder = cache / "files" / "onet" / "29.0"
    folder.mkdir(parents=True)
    (folder / "Task Statements.txt").write_bytes(STATEMENTS)
    (folder / "Read Me.txt").write_bytes(b"O*NET 28.3 Database\r\nAugust 2023 Release\r\n")
    with pytest.raises(AcquireError) as err:
        acquire(settings(), statements_entry(), show_progress=False)
    assert (
        f"{folder / 'Read Me.txt'} says O*NET 28.3, not the configured 29.0 (TASKVALUE_ONET_RELEASE): the cache"
        in str(err.value)
    )
    (folder / "Read Me.txt").write_bytes(b"O*NET 29.0 Database\r\nAugust 2024 Release\r\n")
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert (got.via, got.path.read_bytes()) == ("manual", STATEMENTS)


def test_a_refused_archive_names_every_file_to_save_and_an_optional_one_is_absent(setup):
    # one file named per run took ten runs, and the optional Task Ratings.txt was demanded last
    from assets.ingest.acquire import acquire_many

    pub, settings, cache = setup
    pub.serve(ARCHIVE_PATH, Reply("status", status=403))
    entries = [catalog.onet_file("29.0", k) for k in ("task_statements", "occupations", "task_ratings")]
    with pytest.raises(AcquireError) as err:
        acquire_many(settings(), entries, show_progress=False)
    folder = cache / "files" / "onet" / "29.0"
    assert (
        f"or save 'Task Statements.txt' itself as {folder / 'Task Statements.txt'}, and beside it "
        "'Occupation Data.txt')" in str(err.value)
    )
    folder.mkdir(parents=True)
    (folder / "Task Statements.txt").write_bytes(STATEMENTS)
    (folder / "Occupation Data.txt").write_bytes(b"O*NET-SOC Code\tTitle\tDescription\n")
    # the optional file is never assumed absent on a failed download: the message says how to skip it
    with pytest.raises(AcquireError) as err:
        acquire_many(settings(), entries, show_progress=False)
    marker = folder / "Task Ratings.txt.absent"
    assert f"Task Ratings.txt is optional: to go on without it, create the empty file {marker}" in str(
        err.value
    )
    marker.touch()
    got = acquire_many(settings(), entries, show_progress=False)
    assert [g.via for g in got] == ["cache", "cache", "absent"]  # recorded as manual by the run before


def test_a_damaged_cached_file_is_extracted_again_from_the_verified_archive(setup):
    pub, settings, _ = setup
    pub.serve(ARCHIVE_PATH, Reply("ok", ARCHIVE))
    first = acquire(settings(), statements_entry(), show_progress=False)
    first.path.write_bytes(b"garbage")
    got = acquire(settings(), statements_entry(), show_progress=False)
    assert got.path.read_bytes() == STATEMENTS
    assert pub.hits(ARCHIVE_PATH) == 1  # repaired from the archive, no download


def test_zip_slip_archive_is_refused_and_deleted(setup, tmp_path):
    pub, settings, cache = setup
    evil = zip_bytes({"db_29_0_text/Task Statements.txt": STATEMENTS, "../../escaped.txt": b"owned"})
    pub.serve(ARCHIVE_PATH, Reply("ok", evil))
    with pytest.raises(AcquireError, match="escapes"):
        acquire(settings(), statements_entry(), show_progress=False)
    assert not (cache / "archives" / "db_29_0_text.zip").exists()
    assert not list(tmp_path.rglob("escaped.txt"))


def test_large_downloads_show_a_progress_bar(setup, capfd):
    from assets.ingest.http import PROGRESS_MIN_BYTES, download

    pub, _, cache = setup
    body = b"x" * (PROGRESS_MIN_BYTES + 1)
    pub.serve("/big.bin", Reply("ok", body))
    sha = download(pub.base_url + "/big.bin", cache / "big.bin", contact_email=EMAIL, show_progress=True)
    assert (cache / "big.bin").stat().st_size == len(body) and len(sha) == 64
    err = capfd.readouterr().err
    assert "big.bin" in err and "100%" in err


def test_a_workbook_cut_short_without_content_length_is_never_cached(setup):
    pub, settings, cache = setup
    workbook = (FIXTURES / "mirror" / "soc" / "soc_2018_definitions.xlsx").read_bytes()
    pub.serve(
        "/soc/2018/soc_2018_definitions.xlsx", Reply("close_early", workbook, send_bytes=len(workbook) // 2)
    )
    with pytest.raises(AcquireError, match="corrupt"):
        acquire(settings(), catalog.soc_structure(), show_progress=False)
    assert not (cache / "files" / "soc" / "soc_2018_definitions.xlsx").exists()
    assert no_partial_files(cache) == []
    pub.serve("/soc/2018/soc_2018_definitions.xlsx", Reply("ok", workbook))
    assert acquire(settings(), catalog.soc_structure(), show_progress=False).path.read_bytes() == workbook


def test_a_damaged_cached_workbook_is_downloaded_again(setup):
    pub, settings, _ = setup
    workbook = (FIXTURES / "mirror" / "soc" / "soc_2018_definitions.xlsx").read_bytes()
    pub.serve("/soc/2018/soc_2018_definitions.xlsx", Reply("ok", workbook))
    first = acquire(settings(), catalog.soc_structure(), show_progress=False)
    first.path.write_bytes(b"PK\x03\x04 damaged")
    again = acquire(settings(), catalog.soc_structure(), show_progress=False)
    assert again.via == "download" and again.path.read_bytes() == workbook
    assert pub.hits("/soc/2018/soc_2018_definitions.xlsx") == 2
