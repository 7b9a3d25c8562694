"""A run that rebuilds part of the warehouse must not publish tables left by an unfinished refresh."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from assets.publish.consistency import tables_not_as_published
from tests.conftest import FIXTURES, failure_text, run_refresh


def _db(path: Path, tables: dict[str, str]) -> None:
    con = duckdb.connect(str(path))
    for name, select in tables.items():
        con.execute(f"create schema if not exists {name.split('.')[0]}")
        con.execute(f"create or replace table {name} as {select}")
    con.close()


def test_tables_outside_the_run_must_equal_the_published_ones(tmp_path):
    published, work = tmp_path / "published.duckdb", tmp_path / "work.duckdb"
    base = {
        "staging.a": "select range as i, 'x' || range as s from range(100)",
        "marts.b": "select range * 1.5 as v from range(10)",
        "marts.gone": "select 1 as one",
    }
    _db(published, base)
    _db(work, base)
    con = duckdb.connect(str(work))
    assert tables_not_as_published(con, published, rebuilt=set()) == []
    # nothing published yet: every table must come from this run (a first refresh that died left the rest)
    never = tmp_path / "never.duckdb"
    assert tables_not_as_published(con, never, rebuilt={"staging.a", "marts.b", "marts.gone"}) == []
    assert tables_not_as_published(con, never, rebuilt={"staging.a", "marts.b"}) == [
        "marts.gone: left in the working database by an earlier run, and no warehouse was published yet"
    ]

    con.execute("update staging.a set s = 'changed' where i = 42")  # same row count, one value differs
    con.execute("drop table marts.gone")
    con.execute("create table marts.new as select 2 as two")
    con.execute("create or replace table marts.b as select range * 1.5 as v from range(11)")
    assert tables_not_as_published(con, published, rebuilt={"marts.b"}) == [
        "marts.gone: published, but missing from the working database",
        "marts.new: in the working database, but never published",
        "staging.a: changed since the last publish by a run that did not finish",
    ]
    con.execute("alter table staging.a alter s type varchar(10)")  # same values, retyped: still flagged
    con.execute("update staging.a set s = 'x42' where i = 42")
    assert tables_not_as_published(con, published, rebuilt={"marts.b", "marts.gone", "marts.new"}) == []
    con.execute("alter table staging.a rename column s to t")
    assert tables_not_as_published(con, published, rebuilt={"marts.b", "marts.gone", "marts.new"}) == [
        "staging.a: changed since the last publish by a run that did not finish"
    ]
    con.close()


@pytest.mark.slow
def test_inventory_refresh_refuses_to_publish_over_a_half_finished_full_refresh(tmp_path):
    from orchestration.definitions import build_definitions

    result, settings = run_refresh(tmp_path, FIXTURES / "mirror")
    assert result.success
    job = build_definitions(**settings.model_dump()).resolve_job_def("inventory_refresh_job")

    def inventory_refresh():
        with DagsterInstance.ephemeral() as instance:
            return job.execute_in_process(instance=instance, raise_on_error=False)

    assert inventory_refresh().success  # nothing else changed: publishes as usual

    # a full refresh that died after rewriting one staging table, before its marts
    con = duckdb.connect(str(settings.work_db))
    con.execute("update staging.oes_national set tot_emp = tot_emp + 1 where occ_code = '15-1252'")
    con.close()
    published_before = settings.warehouse.read_bytes()
    outputs = [
        settings.warehouse.parent / "reports" / "index.md",
        settings.warehouse.parent / "exports" / "schema.json",
    ]
    outputs_before = [p.stat().st_mtime_ns for p in outputs]

    failed = inventory_refresh()
    assert not failed.success
    message = failure_text(failed, "warehouse__published")  # the PublishError is the cause
    assert "staging.oes_national: changed since the last publish" in message
    assert "run refresh_job" in message
    assert settings.warehouse.read_bytes() == published_before  # readers keep the last good warehouse
    # ... and the reports and exports that go with it: this run's copies wait beside the work DB
    assert [p.stat().st_mtime_ns for p in outputs] == outputs_before
    staged = settings.work_db.parent / "taskvalue_outputs" / "reports" / "index.md"
    assert staged.stat().st_mtime_ns > outputs_before[0]

    result, _ = run_refresh(tmp_path, FIXTURES / "mirror")  # the full refresh repairs it
    assert result.success
    assert inventory_refresh().success

    # a UI subset that rebuilds the matches but not the coverage marts computed from them
    subset = [AssetKey(["marts", "inventory_task_matches"]), AssetKey(["warehouse", "published"])]
    result, _ = run_refresh(tmp_path, FIXTURES / "mirror", selection=subset, raise_on_error=False)
    assert not result.success
    message = failure_text(result, "warehouse__published")
    assert "marts.domain_coverage: downstream of what this run rebuilds, but not selected" in message
    assert "marts.inventory_grounding: downstream of what this run rebuilds" in message


def test_outputs_are_copied_over_their_namesakes_and_nothing_else_is_touched(tmp_path):
    from assets.publish.outputs import sync_outputs

    staged, published = tmp_path / "work" / "reports", tmp_path / "reports"
    staged.mkdir(parents=True)
    (staged / "index.md").write_text("new index")
    (staged / ".index.md.abc.tmp").write_text("a half-written file")
    published.mkdir()
    (published / "index.md").write_text("old index")
    (published / "my-notes.md").write_text("kept by a user")
    assert sync_outputs(staged, published) == 1
    assert (published / "index.md").read_text() == "new index"
    assert (published / "my-notes.md").read_text() == "kept by a user"
    assert sorted(p.name for p in published.iterdir()) == [
        ".taskvalue-outputs.json",
        "index.md",
        "my-notes.md",
    ]
    assert sync_outputs(published, published) == 0  # outputs written in place: nothing to copy
    assert sync_outputs(tmp_path / "missing", published) == 0


def test_outputs_the_previous_refresh_published_and_this_one_did_not_are_retired(tmp_path):
    from assets.publish.outputs import MANIFEST, published_by_taskvalue, sync_outputs

    staged, published = tmp_path / "work" / "reports", tmp_path / "reports"
    staged.mkdir(parents=True)
    published.mkdir()
    (published / "legacy.md").write_text("published before manifests existed: ownership unknown, kept")
    (published / "my-notes.md").write_text("kept by a user")
    for name in ("index.md", "legal.md", "legal.png"):
        (staged / name).write_text(f"first {name}")
    assert sync_outputs(staged, published) == 3
    assert published_by_taskvalue(published) == {"index.md", "legal.md", "legal.png"}

    # the domain `legal` was removed from the config: the next refresh no longer stages its report
    for name in ("legal.md", "legal.png"):
        (staged / name).unlink()
    (staged / "index.md").write_text("second index")
    assert sync_outputs(staged, published) == 1
    assert sorted(p.name for p in published.iterdir()) == [MANIFEST, "index.md", "legacy.md", "my-notes.md"]
    assert (published / "index.md").read_text() == "second index"

    # a hand-edited manifest cannot make a sync delete anything outside the directory
    outside = tmp_path / "outside.md"
    outside.write_text("not ours")
    (published / MANIFEST).write_text('{"files": ["../outside.md", ".hidden", 7, "index.md"]}')
    assert published_by_taskvalue(published) == {"index.md"}
    assert sync_outputs(staged, published) == 1
    assert outside.read_text() == "not ours"


def test_staged_outputs_no_longer_produced_are_retired_only_by_kind(tmp_path):
    from assets.coverage.outputs import REPORT_SUFFIXES, retire_stale

    for name in ("index.md", "legal.md", "legal.html", "legal.png", "sales.md", "notes.txt", ".x.md.tmp"):
        (tmp_path / name).write_text(name)
    assert retire_stale(tmp_path, {"index.md", "sales.md"}, REPORT_SUFFIXES) == [
        "legal.html",
        "legal.md",
        "legal.png",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".x.md.tmp", "index.md", "notes.txt", "sales.md"]
