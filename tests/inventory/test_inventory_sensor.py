"""The inventory sensor requests a run only when inventory files change, for downstream assets only."""

from __future__ import annotations

import json
import os
import time

import pytest
from dagster import AssetKey, RunRequest, SkipReason, build_sensor_context

import orchestration.sensors as sensors
from assets.coverage.config import coverage_settings_from_env
from assets.inventory.config import inventory_settings_from_env
from orchestration.sensors import inventory_files_sensor, inventory_refresh_job
from tests.conftest import REPO, settings_for
from tests.inventory.test_inventory_review3 import first_tick


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    # files written by a test are complete at once; the wait itself is tested with its real value below
    monkeypatch.setattr(sensors, "SETTLE_S", 0.0)


def evaluate(settings, cursor, inventory_settings=None, coverage_settings=None):
    inventory_settings = inventory_settings or inventory_settings_from_env(environ={})
    coverage_settings = coverage_settings or coverage_settings_from_env(environ={})
    context = build_sensor_context(
        cursor=cursor,
        resources={
            "settings": settings,
            "inventory_settings": inventory_settings,
            "coverage_settings": coverage_settings,
        },
    )
    result = inventory_files_sensor(context)
    return result, context.cursor


def one_task_inventory(tmp_path):
    """An inventory directory holding one file of one task, and settings that read it."""
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    return inventory, settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))


def test_sensor_fires_on_new_or_changed_files_only(tmp_path):
    inventory, settings = one_task_inventory(tmp_path)

    first, cursor = evaluate(settings, None)
    assert isinstance(first, RunRequest)
    again, cursor = evaluate(settings, cursor)
    assert isinstance(again, SkipReason)

    stat = (inventory / "a.csv").stat()  # touched, same content: nothing to do
    os.utime(inventory / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched, cursor = evaluate(settings, cursor)
    assert isinstance(touched, SkipReason)

    (inventory / "b.jsonl").write_text('{"id": "B-1", "title": "Second"}\n')
    added, cursor = evaluate(settings, cursor)
    assert isinstance(added, RunRequest) and "b.jsonl" in added.tags["taskvalue/inventory_changed"]

    (inventory / "a.csv").write_text("task_id,title\nA-1,First, edited\n")
    edited, cursor = evaluate(settings, cursor)
    assert isinstance(edited, RunRequest) and edited.tags["taskvalue/inventory_changed"] == "a.csv"
    assert edited.run_key != added.run_key

    # reverting the edit brings back an earlier content, which must still be a new request (Dagster
    # drops a run_key it has already seen, so the warehouse would keep the edited content)
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    reverted, cursor = evaluate(settings, cursor)
    assert isinstance(reverted, RunRequest)
    assert reverted.run_key not in {first.run_key, added.run_key, edited.run_key}
    for name in ("a.csv", "b.jsonl"):
        (inventory / name).unlink()
    emptied, cursor = evaluate(settings, cursor)
    assert isinstance(emptied, RunRequest) and emptied.tags["taskvalue/inventory_changed"] == "a.csv, b.jsonl"


def test_sensor_job_refreshes_only_what_is_downstream_of_the_inventory():
    from orchestration.definitions import defs

    job = defs.resolve_job_def(inventory_refresh_job.name)
    keys = job.asset_layer.selected_asset_keys
    assert AssetKey(["staging", "inventory_tasks"]) in keys
    assert AssetKey(["marts", "inventory_task_matches"]) in keys
    assert AssetKey(["warehouse", "published"]) in keys
    # the domains config the matches read: an edited config/domains.toml takes effect with this job
    assert AssetKey(["int", "domain_definitions"]) in keys and AssetKey(["int", "domain_members"]) in keys
    # and the tier order the coverage settings' tier counts shape: changed counts take effect too
    assert AssetKey(["int", "domain_tier_order"]) in keys
    assert AssetKey(["marts", "task_value"]) not in keys
    assert AssetKey(["staging", "onet_task_statements"]) not in keys
    assert AssetKey(["ingest", "onet"]) not in keys
    assert AssetKey(["staging", "oes_national"]) not in keys


def test_sensor_state_lists_linked_directories_and_broken_links(tmp_path):
    from orchestration.sensors import inventory_state

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.csv").write_text("task_id,title\nT1,a\n")
    inv = tmp_path / "inv"
    inv.mkdir()
    os.symlink(outside, inv / "team")
    os.symlink(tmp_path / "gone.csv", inv / "broken.csv")
    state = inventory_state(inv)
    assert state["broken.csv"] == [None] * 5  # the ingest reports it unreadable
    assert state["team/t.csv"][0] == (outside / "t.csv").stat().st_size


def test_sensor_watches_an_overrides_file_outside_the_directory(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    decisions = tmp_path / "review" / "decisions.csv"
    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    configured = inventory_settings_from_env(environ={}, overrides_path=str(decisions))

    _, cursor = evaluate(settings, None, configured)
    decisions.parent.mkdir()
    decisions.write_text("inventory_task_id,action,onet_task_id,note\nA-1,reject,,none\n")
    created, cursor = evaluate(settings, cursor, configured)
    assert isinstance(created, RunRequest)
    assert created.tags["taskvalue/inventory_changed"] == decisions.as_posix()
    decisions.write_text("inventory_task_id,action,onet_task_id,note\nA-1,pin,21505,x\n")
    edited, cursor = evaluate(settings, cursor, configured)
    assert isinstance(edited, RunRequest) and edited.run_key != created.run_key
    assert isinstance(evaluate(settings, cursor, configured)[0], SkipReason)


def test_sensor_ignores_files_the_ingest_does_not_read(tmp_path):
    from assets.inventory.ingest import OnetLookup, ingest_directory

    inventory, settings = one_task_inventory(tmp_path)
    _, cursor = evaluate(settings, None)
    # reserved names (the ingest lists them as skipped): a Finder file, editor lock and swap files,
    # the owner file Excel keeps beside an open workbook
    # and the backups, autosaves and temporaries editors and systems write beside a file
    for name in (
        ".DS_Store",
        ".~lock.a.csv#",
        ".a.csv.swp",
        "_scratch.csv",
        "~$a.xlsx",
        "a.csv~",
        "#a.csv#",
        "a.csv.bak",
        "a.csv.orig",
        "~WRL0001.tmp",
        "4913",
        "A1B2C3D4",
        "Thumbs.db",
        "desktop.ini",
        "tasks.csv.crdownload",
    ):
        (inventory / name).write_text("x")
        ignored, cursor = evaluate(settings, cursor)
        assert isinstance(ignored, SkipReason), name
    # the overrides file is reserved for the ingest, but read by the overrides asset
    (inventory / "_overrides.csv").write_text("inventory_task_id,action,onet_task_id,note\n")
    overrides, cursor = evaluate(settings, cursor)
    assert (
        isinstance(overrides, RunRequest)
        and overrides.tags["taskvalue/inventory_changed"] == "_overrides.csv"
    )
    # an overrides file in another format, which the overrides asset refuses: a run says so (the
    # sensor ignored it, and the user never saw the refusal)
    (inventory / "_overrides.xlsx").write_bytes(b"PK")
    other, cursor = evaluate(settings, cursor)
    assert isinstance(other, RunRequest) and other.tags["taskvalue/inventory_changed"] == "_overrides.xlsx"
    # the sensor counts exactly the files the ingest does not skip as reserved, plus the overrides
    files = ingest_directory(inventory, OnetLookup()).files
    read = {r["source_file"] for r in files.iter_rows(named=True) if r["status"] != "skipped"}
    domains = (REPO / "config" / "domains.toml").as_posix()  # the project's, by absolute path
    assert set(json.loads(cursor)["files"]) == read | {"_overrides.csv", "_overrides.xlsx", domains}
    skipped = {r["source_file"]: r["notes"] for r in files.iter_rows(named=True) if r["status"] == "skipped"}
    assert (
        skipped["a.csv~"]
        == skipped["4913"]
        == ("an editor's or the system's scratch file (a backup, autosave or temporary file), not read")
    )


def test_an_edited_domains_file_requests_a_refresh(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    domains = tmp_path / "domains.toml"
    domains.write_text('[[domain]]\nid = "legal"\nname = "Legal"\nsoc_prefixes = ["23-"]\n')
    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    coverage = coverage_settings_from_env(environ={"TASKVALUE_DOMAINS_FILE": str(domains)})
    _, cursor = evaluate(settings, None, coverage_settings=coverage)
    idle, cursor = evaluate(settings, cursor, coverage_settings=coverage)
    assert isinstance(idle, SkipReason)
    domains.write_text('[[domain]]\nid = "legal"\nname = "Law"\nsoc_prefixes = ["23-"]\n')
    edited, cursor = evaluate(settings, cursor, coverage_settings=coverage)
    assert isinstance(edited, RunRequest)
    assert edited.tags["taskvalue/inventory_changed"] == domains.absolute().as_posix()


@pytest.mark.parametrize("how", ["in_place", "replaced", "link_repointed"])
def test_a_same_size_edit_with_its_mtime_set_back_is_noticed(tmp_path, how):
    # the size and mtime the cursor compares stay the same; the ctime (setting an mtime moves it) or
    # the inode (a replacement is another file) does not
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    target = inventory / "a.csv"
    first_version, second_version = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first_version.write_text("task_id,title\nA-1,First\n")
    second_version.write_text("task_id,title\nA-1,Fixed\n")  # same size
    if how == "link_repointed":
        target.symlink_to(first_version)
    else:
        target.write_bytes(first_version.read_bytes())
    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    _, cursor = evaluate(settings, None)
    before = target.stat()
    time.sleep(0.01)  # the ctime must be able to move (file systems with coarse clocks)
    if how == "in_place":
        target.write_bytes(second_version.read_bytes())
    elif how == "replaced":
        fresh = inventory / ".a.csv.tmp"
        fresh.write_bytes(second_version.read_bytes())
        os.replace(fresh, target)
    else:
        target.unlink()
        target.symlink_to(second_version)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    edited, _ = evaluate(settings, cursor)
    assert isinstance(edited, RunRequest) and edited.tags["taskvalue/inventory_changed"] == "a.csv"


def test_a_file_still_being_written_is_waited_for(tmp_path, monkeypatch):
    monkeypatch.setattr(sensors, "SETTLE_S", 10.0)
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    old = inventory / "a.csv"
    old.write_text("task_id,title\nA-1,First\n")
    past = time.time_ns() - 60 * 10**9
    os.utime(old, ns=(past, past))
    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    first, cursor = evaluate(settings, None)
    assert isinstance(first, RunRequest)  # nothing recent: at once
    (inventory / "b.csv").write_text("task_id,title\nB-1,Sec")  # a copy in progress
    waiting, cursor2 = evaluate(settings, cursor)
    assert isinstance(waiting, SkipReason) and "waiting for b.csv to settle" in waiting.skip_message
    assert cursor2 == cursor  # the change is still ahead of the cursor
    (inventory / "b.csv").write_text("task_id,title\nB-1,Second\n")  # the copy ends ...
    os.utime(inventory / "b.csv", ns=(past, past))  # ... and stays unchanged for a while
    settled, cursor = evaluate(settings, cursor2)
    assert isinstance(settled, RunRequest) and settled.tags["taskvalue/inventory_changed"] == "b.csv"


def test_run_keys_stay_unique_after_the_cursor_is_reset(tmp_path):
    inventory, settings = one_task_inventory(tmp_path)
    first, cursor = evaluate(settings, None)
    (inventory / "a.csv").write_text("task_id,title\nA-1,Edited\n")
    edited, _ = evaluate(settings, cursor)
    (inventory / "a.csv").write_text("task_id,title\nA-1,First\n")
    # the cursor is reset: same content as the first tick, generation 1 again, yet the warehouse
    # holds the edit, so Dagster must not skip this run as one it has seen. Dagster keeps the last
    # run key across a cursor reset (a retried first tick, without one, repeats its key)
    after_reset = first_tick(settings, last_run_key=edited.run_key, started=None)
    assert isinstance(after_reset, RunRequest)
    assert after_reset.run_key not in {first.run_key, edited.run_key}
    # a retried tick (same cursor, nothing changed since) asks for the same run: Dagster dedupes it
    (inventory / "b.csv").write_text("task_id,title\nB-1,Second\n")
    once, _ = evaluate(settings, cursor)
    again, _ = evaluate(settings, cursor)
    assert once.run_key == again.run_key


def published_setup(tmp_path):
    """An inventory directory with one file, settings on the fixture mirror, the definitions (to run a
    refresh that publishes), the sensor's resources, and a tick on an instance."""
    from orchestration.definitions import build_definitions
    from tests.conftest import FIXTURES

    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.csv").write_text("task_id,title\nA-1,Review a loan application\n")
    settings = settings_for(tmp_path, FIXTURES / "mirror", inventory_dir=str(inventory))
    resources = {
        "settings": settings,
        "inventory_settings": inventory_settings_from_env(environ={}),
        "coverage_settings": coverage_settings_from_env(environ={}),
    }

    def tick(instance, cursor=None):
        context = build_sensor_context(instance=instance, cursor=cursor, resources=resources)
        return inventory_files_sensor(context), context.cursor

    return inventory, settings, build_definitions(**settings.model_dump()), resources, tick


def test_first_tick_requests_nothing_when_the_published_warehouse_was_built_from_these_files(tmp_path):
    from dagster import DagsterInstance

    inventory, settings, defs, resources, tick = published_setup(tmp_path)
    (inventory / "latest.csv").symlink_to("a.csv")  # read once, under a.csv; both names watched
    (inventory / "_overrides.csv").write_text("inventory_task_id,action,onet_task_id,note\n")

    with DagsterInstance.ephemeral() as instance:
        unpublished, _ = tick(instance)
        assert isinstance(unpublished, RunRequest)  # nothing published yet
        assert defs.resolve_job_def("refresh_job").execute_in_process(instance=instance).success

        first, cursor = tick(instance)
        assert isinstance(first, SkipReason), first
        assert "published warehouse was built from" in first.skip_message
        # the cursor it wrote is a normal one: the next edit is noticed
        (inventory / "a.csv").write_text("task_id,title\nA-1,Review a loan application again\n")
        edited, _ = tick(instance, cursor)
        assert isinstance(edited, RunRequest)
        assert edited.tags["taskvalue/inventory_changed"] == "a.csv, latest.csv"

        # the sensor was off (or its cursor reset) while the file was edited: the first tick runs
        reset, _ = tick(instance)
        assert isinstance(reset, RunRequest)
        # ... so does one after an edit of the overrides file or the domains file only
        (inventory / "a.csv").write_text("task_id,title\nA-1,Review a loan application\n")
        assert isinstance(tick(instance)[0], SkipReason)
        (inventory / "_overrides.csv").write_text(
            "inventory_task_id,action,onet_task_id,note\nA-1,reject,1,\n"
        )
        assert isinstance(tick(instance)[0], RunRequest)
        (inventory / "_overrides.csv").unlink()
        assert isinstance(tick(instance)[0], RunRequest)  # absent now, present when published
        (inventory / "_overrides.csv").write_text("inventory_task_id,action,onet_task_id,note\n")
        domains_moved = coverage_settings_from_env(
            environ={}, domains_file=str(REPO / "tests" / "fixtures" / "coverage" / "domains.toml")
        )
        context = build_sensor_context(
            instance=instance, cursor=None, resources=resources | {"coverage_settings": domains_moved}
        )
        assert isinstance(inventory_files_sensor(context), RunRequest)

        # the warehouse the sensor serves is not the one that run published, or is gone: run
        elsewhere = type(settings)(
            **{**settings.model_dump(), "warehouse_path": str(tmp_path / "other.duckdb")}
        )
        context = build_sensor_context(
            instance=instance, cursor=None, resources=resources | {"settings": elsewhere}
        )
        assert isinstance(inventory_files_sensor(context), RunRequest)
        assert isinstance(tick(instance)[0], SkipReason)
        published, stat = settings.warehouse.read_bytes(), settings.warehouse.stat()
        settings.warehouse.unlink()
        assert isinstance(tick(instance)[0], RunRequest)
        settings.warehouse.write_bytes(published)  # the same bytes, but not the file that run left
        os.utime(settings.warehouse, ns=(1, 1))
        assert isinstance(tick(instance)[0], RunRequest)
        # (put back as that run left it, so what follows is judged on its own account)
        os.utime(settings.warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert isinstance(tick(instance)[0], SkipReason)

        # a later run that read the files but did not publish (here: only the ingest): unknown, so run
        selection = [
            AssetKey(["staging", t]) for t in ("inventory_tasks", "inventory_quarantine", "inventory_files")
        ]
        partial = defs.resolve_job_def("refresh_job").execute_in_process(
            instance=instance, asset_selection=selection
        )
        assert partial.success
        fallback = tick(instance)[0]
        assert isinstance(fallback, RunRequest)
        # a first tick compares with no cursor: the tag says why it runs, not that every file changed
        assert fallback.tags["taskvalue/inventory_changed"].startswith("first tick: the files could not")

        # the UI's "Materialize all" launches refresh_job with every asset listed: whole, once the
        # sensor can see which assets an inventory refresh rebuilds (its repository)
        everything = sorted(defs.resolve_all_asset_keys(), key=str)
        listed = defs.resolve_job_def("refresh_job").execute_in_process(
            instance=instance, asset_selection=everything
        )
        assert listed.success
        assert instance.get_run_by_id(listed.run_id).asset_selection
        in_repository = build_sensor_context(
            instance=instance, cursor=None, resources=resources, repository_def=defs.get_repository_def()
        )
        assert isinstance(inventory_files_sensor(in_repository), SkipReason)


def test_a_refresh_run_by_hand_since_the_last_tick_is_not_repeated(tmp_path, monkeypatch):
    # the CLI refresh published the edited files; the next tick still requested a refresh (one extra run)
    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

    inventory, _, defs, _, tick = published_setup(tmp_path)

    with DagsterInstance.ephemeral() as instance:
        first, cursor = tick(instance, None)
        assert isinstance(first, RunRequest)
        (inventory / "a.csv").write_text("task_id,title\nA-1,Review a loan application again\n")
        assert defs.resolve_job_def("refresh_job").execute_in_process(instance=instance).success
        # while another refresh runs, it may publish these very files: waited for, cursor kept (a run
        # was queued behind it, redoing the same work)
        queued = DagsterRun(
            job_name="inventory_refresh_job", run_id="0" * 36, status=DagsterRunStatus.STARTED
        )
        instance.add_run(queued)
        waiting, kept = tick(instance, cursor)
        assert isinstance(waiting, SkipReason) and kept == cursor
        assert waiting.skip_message.startswith("a refresh is queued or running")
        # one started longer ago than the sensor waits is taken for stale (a killed process): run
        monkeypatch.setattr(sensors, "WAIT_FOR_RUN_S", 0)
        assert isinstance(tick(instance, cursor)[0], RunRequest)
        monkeypatch.undo()
        instance.delete_run(queued.run_id)
        after, cursor = tick(instance, cursor)
        assert isinstance(after, SkipReason), after
        assert "are those the published warehouse was built from" in after.skip_message
        assert isinstance(tick(instance, cursor)[0], SkipReason)  # and the cursor holds the edit


def test_a_missing_inventory_directory_requests_nothing_and_keeps_the_cursor(tmp_path):
    # an unmounted share looked like every file deleted: a run was requested, and failed
    inventory, settings = one_task_inventory(tmp_path)
    _, cursor = evaluate(settings, None)
    (inventory / "a.csv").rename(tmp_path / "a.csv")
    inventory.rmdir()
    gone, after = evaluate(settings, cursor)
    assert isinstance(gone, SkipReason) and after == cursor
    assert gone.skip_message == (
        f"inventory directory {inventory} is missing or not a directory (TASKVALUE_INVENTORY_DIR): no refresh "
        "is requested until it is back"
    )
    inventory.mkdir()
    (tmp_path / "a.csv").rename(inventory / "a.csv")
    assert isinstance(evaluate(settings, cursor)[0], SkipReason)  # back as it was: nothing changed
