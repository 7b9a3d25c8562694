"""The ingest and staging groups, run by Dagster, in both modes: downloading from a publisher and
reading a mirror. The publisher is the local fake, serving the fixture mirror as BLS/O*NET archives."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from assets.ingest import catalog
from tests.conftest import FIXTURES, failure_text, run_refresh
from tests.ingest.fake_publisher import Reply, no_partial_files, publisher, zip_bytes  # noqa: F401
from tests.staging.staging_queries import SELECTION

MIRROR = FIXTURES / "mirror"


def _serve_mirror_as_publisher(pub) -> dict[str, bytes]:
    """The fixture mirror packed the way BLS and O*NET publish it (files inside a folder of a zip)."""
    onet = MIRROR / "onet" / "29.0"
    oes = MIRROR / "oes"
    routes = {
        "/oes/oesm24nat.zip": zip_bytes(
            {"oesm24nat/national_M2024_dl.xlsx": (oes / "May2024" / "national_M2024_dl.xlsx").read_bytes()}
        ),
        "/oes/oesm23nat.zip": zip_bytes(
            {"oesm23nat/national_M2023_dl.xlsx": (oes / "May2023" / "national_M2023_dl.xlsx").read_bytes()}
        ),
        "/oes/oesm24in4.zip": zip_bytes(
            {"oesm24in4/natsector_M2024_dl.xlsx": (oes / "May2024" / "natsector_M2024_dl.xlsx").read_bytes()}
        ),
        "/onet/db_29_0_text.zip": zip_bytes(
            {f"db_29_0_text/{p.name}": p.read_bytes() for p in onet.iterdir()}
        ),
        "/soc/soc_2018_definitions.xlsx": (MIRROR / "soc" / "soc_2018_definitions.xlsx").read_bytes(),
    }
    for path, body in routes.items():
        pub.serve(path, Reply("ok", body))
    return routes


def _table(settings, sql):
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_refresh_downloads_then_survives_a_blocked_publisher(publisher, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(catalog, "BLS_OES", publisher.base_url + "/oes")
    monkeypatch.setattr(catalog, "ONET_DB", publisher.base_url + "/onet")
    monkeypatch.setattr(catalog, "BLS_SOC", publisher.base_url + "/soc")
    routes = _serve_mirror_as_publisher(publisher)
    fast = dict(http_timeout_s=2.0, http_retries=1, http_backoff_s=0.01, contact_email="ops@example.org")

    result, settings = run_refresh(tmp_path, "", selection=SELECTION, **fast)
    assert result.success
    assert all("ops@example.org" in h["User-Agent"] for _, h in publisher.requests)
    assert all(publisher.hits(path) == 1 for path in routes)  # the O*NET zip once for its 10 files
    via = dict(_table(settings, "select file_name, acquired_via from ingest.onet"))
    assert via["Task Statements.txt"] == "download" and via["Task Ratings.txt"] == "download"
    assert _table(settings, "select count(*) from staging.onet_task_ratings") == [(99,)]
    assert _table(settings, "select count(*) from staging.oes_national where o_group = 'detailed'") == [(4,)]
    assert no_partial_files(settings.cache) == []

    # Next day bls.gov blocks everything: the run still succeeds, from the verified cache.
    for path in routes:
        publisher.serve(path, Reply("status", status=403))
    result, settings = run_refresh(tmp_path, "", selection=SELECTION, **fast)
    assert result.success
    assert {v for (v,) in _table(settings, "select distinct acquired_via from ingest.oes_national")} == {
        "cache"
    }
    assert _table(settings, "select sum(tot_emp) from staging.oes_national where o_group = 'detailed'") == [
        (1_600_000,)
    ]


def test_a_blocked_first_download_fails_the_ingest_asset_with_instructions(publisher, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(catalog, "BLS_SOC", publisher.base_url + "/soc")
    publisher.serve("/soc/soc_2018_definitions.xlsx", Reply("status", status=403))
    result, settings = run_refresh(
        tmp_path, "", selection=[AssetKey(["ingest", "soc"])], raise_on_error=False, http_retries=0
    )
    assert not result.success
    message = failure_text(result)
    assert "403" in message and publisher.base_url + "/soc/soc_2018_definitions.xlsx" in message
    assert str(settings.cache / "files" / "soc" / "soc_2018_definitions.xlsx") in message


def test_a_mirror_missing_a_required_file_names_it(tmp_path):
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    (mirror / "onet" / "29.0" / "Job Zones.txt").unlink()
    result, _ = run_refresh(
        tmp_path / "run", mirror, selection=[AssetKey(["ingest", "onet"])], raise_on_error=False
    )
    assert not result.success
    assert str(mirror / "onet" / "29.0" / "Job Zones.txt") in failure_text(result)
    # a release that is not there says which setting chose it
    assert "Job Zones.txt (onet 29.0, set by TASKVALUE_ONET_RELEASE) is not in the mirror" in failure_text(
        result
    )


def test_a_mirror_folder_holding_another_onet_release_is_refused(tmp_path):
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    readme = mirror / "onet" / "29.0" / "Read Me.txt"
    readme.write_bytes(b"O*NET 28.3 Database\r\nAugust 2023 Release\r\n")
    result, _ = run_refresh(
        tmp_path / "run", mirror, selection=[AssetKey(["ingest", "onet"])], raise_on_error=False
    )
    assert not result.success
    message = failure_text(result)
    assert f"{readme} says O*NET 28.3, not the configured 29.0" in message

    readme.write_bytes(b"O*NET 29.0 Database\r\nAugust 2024 Release\r\n")
    result, _ = run_refresh(tmp_path / "run2", mirror, selection=[AssetKey(["ingest", "onet"])])
    assert result.success


@pytest.mark.parametrize("key", ["oes_national", "onet", "soc"])
def test_ingest_tables_record_every_file_with_its_checksum(tmp_path, key):
    import hashlib

    result, settings = run_refresh(tmp_path, MIRROR, selection=[AssetKey(["ingest", key])])
    assert result.success
    for path, sha, via in _table(settings, f"select path, sha256, acquired_via from ingest.{key}"):
        assert via == "mirror"
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha


def test_refresh_refuses_a_mirror_lacking_files_naming_them_all(tmp_path, shared_data):
    import shutil

    from assets.common.errors import AcquireError
    from assets.ingest.assets import refuse_mirror_gaps
    from tests.conftest import settings_for

    refuse_mirror_gaps(settings_for(tmp_path / "a", shared_data))  # the real mirror holds the defaults
    # May 2023 as the current vintage: ../shared/data has its national file, not its sector file
    with pytest.raises(AcquireError) as caught:
        refuse_mirror_gaps(
            settings_for(tmp_path / "b", shared_data, oes_vintage=2023, oes_previous_vintage=2022)
        )
    assert str(caught.value).startswith(
        f"the mirror {shared_data} (TASKVALUE_MIRROR) lacks 1 file(s) this refresh reads: "
        f"{shared_data / 'oes' / 'May2023' / 'natsector_M2023_dl.xlsx'} (oes_sector 2023, set by TASKVALUE_OES_VINTAGE; "
    )
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    for name in ("Job Zones.txt", "Task Ratings.txt"):  # Task Ratings is optional: not named
        (mirror / "onet" / "29.0" / name).unlink()
    with pytest.raises(AcquireError, match="lacks 1 file") as caught:
        refuse_mirror_gaps(settings_for(tmp_path / "c", mirror))
    assert str(mirror / "onet" / "29.0" / "Job Zones.txt") in str(caught.value)
    # only the selected ingest assets' files count
    refuse_mirror_gaps(settings_for(tmp_path / "c", mirror), {AssetKey(["ingest", "soc"])})


def test_a_mirror_that_is_not_there_is_named_once(tmp_path):
    # it listed "lacks 13 file(s)", one by one
    from assets.common.errors import AcquireError
    from assets.ingest.assets import refuse_mirror_gaps
    from tests.conftest import settings_for

    with pytest.raises(AcquireError) as caught:
        refuse_mirror_gaps(settings_for(tmp_path / "a", tmp_path / "nowhere"))
    assert str(caught.value) == (
        f"the mirror {tmp_path / 'nowhere'} (TASKVALUE_MIRROR) is not there: point it at the directory "
        "holding the mirrored releases, or unset it to download them."
    )
    (tmp_path / "file").write_text("")
    with pytest.raises(AcquireError, match="is a file, not a directory"):
        refuse_mirror_gaps(settings_for(tmp_path / "b", tmp_path / "file"))
    # a selection that reads no mirror file (an inventory-only refresh) is not refused
    refuse_mirror_gaps(
        settings_for(tmp_path / "c", tmp_path / "nowhere"), {AssetKey(["staging", "inventory_tasks"])}
    )
