"""The `taskvalue` command line: refresh, report, export, query.

    taskvalue refresh                 run refresh_job in this process, printing each step as it ends
    taskvalue report --domain NAME    (re)write one domain's report from the published warehouse
    taskvalue export                  (re)write warehouse/exports/ from the published warehouse
    taskvalue query "SQL"             run SQL read-only against the published warehouse

Settings come from the same environment variables as the pipeline (TASKVALUE_WAREHOUSE, ...).
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="taskvalue: the economic value of real work, and how well your task inventory covers it."
)


def _settings():
    from orchestration.resources import settings_from_env

    return settings_from_env()


def _open_published(settings):
    import duckdb

    path = settings.warehouse
    if not path.is_file():
        typer.echo(f"No published warehouse at {path}. Run `taskvalue refresh` first.", err=True)
        raise typer.Exit(2)
    return duckdb.connect(str(path), read_only=True)


def _stale_warehouse(settings, error) -> typer.Exit:
    """A table or column this code reads is missing: the warehouse was published by older code."""
    typer.echo(
        f"The published warehouse at {settings.warehouse} lacks what this version of taskvalue reads "
        f"({str(error).splitlines()[0]}): it was published by an older version. Run `taskvalue refresh`.",
        err=True,
    )
    return typer.Exit(2)


@app.command()
def refresh(
    select: Annotated[
        str | None,
        typer.Option(
            help="Dagster asset selection, e.g. 'key:int/domain_definitions+' (default: everything)."
        ),
    ] = None,
) -> None:
    """Run refresh_job in this process (acquire, stage, model, report, publish), with progress output."""
    from dagster import DagsterEventType, DagsterInstance

    from orchestration.definitions import build_definitions

    defs = build_definitions()
    job = defs.resolve_job_def("refresh_job")
    # one step per op (asset or check) when everything runs; unknown for a selection
    total = len(job.graph.node_dict) if select is None else None
    done = 0
    started: dict[str, float] = {}
    t0 = time.monotonic()

    def on_event(entry) -> None:
        nonlocal done
        ev = entry.dagster_event
        if ev is None or ev.step_key is None:
            return
        if ev.event_type == DagsterEventType.STEP_START:
            started[ev.step_key] = time.monotonic()
            typer.echo(f"  ... {ev.step_key}")
        elif ev.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            done += 1
            took = time.monotonic() - started.get(ev.step_key, time.monotonic())
            mark = "ok  " if ev.event_type == DagsterEventType.STEP_SUCCESS else "FAIL"
            count = f"{done}/{total}" if total else f"{done}"
            typer.echo(f"[{count}] {mark} {ev.step_key} ({took:.1f}s)")
        elif ev.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            data = ev.event_specific_data
            if data is not None and not data.passed:
                typer.echo(f"        check failed: {data.check_name}", err=True)

    run_id = str(uuid.uuid4())
    typer.echo(f"refresh_job: writing {_settings().warehouse}")
    with DagsterInstance.ephemeral() as instance:
        instance.add_event_listener(run_id, on_event)
        result = job.execute_in_process(
            instance=instance, run_id=run_id, raise_on_error=False, asset_selection=_resolve(select, defs)
        )
    took = time.monotonic() - t0
    if result.success:
        typer.echo(f"refresh_job succeeded in {took:.0f}s.")
    else:
        typer.echo(f"refresh_job FAILED after {took:.0f}s; see the messages above.", err=True)
        raise typer.Exit(1)


def _resolve(select: str | None, defs):
    if select is None:
        return None
    from dagster import AssetSelection

    return list(AssetSelection.from_string(select).resolve(defs.resolve_asset_graph()))


@app.command()
def report(
    domain: Annotated[
        str, typer.Option("--domain", "-d", help="Domain id, name or alias (case-insensitive).")
    ],
    out: Annotated[Path | None, typer.Option(help="Output directory (default: warehouse/reports).")] = None,
) -> None:
    """Write one domain's coverage report (Markdown + HTML + chart) from the published warehouse."""
    import duckdb

    from assets.coverage.config import coverage_settings_from_env
    from assets.coverage.outputs import reports_dir
    from assets.coverage.reports import resolve_domain, write_domain_report

    settings = _settings()
    con = _open_published(settings)
    try:
        domain_id = resolve_domain(con, domain)
        if domain_id is None:
            names = ", ".join(
                r[0] for r in con.execute("select domain_id from marts.domain_coverage order by 1").fetchall()
            )
            typer.echo(f"Unknown domain {domain!r}. Known domains: {names}", err=True)
            raise typer.Exit(2)
        typer.echo(f"Writing report for {domain_id} ...")
        rep = write_domain_report(
            con, domain_id, out or reports_dir(settings), coverage_settings_from_env().rule_text()
        )
    except (duckdb.CatalogException, duckdb.BinderException) as e:
        raise _stale_warehouse(settings, e) from None
    finally:
        con.close()
    h = rep.headline
    typer.echo(
        f"{h['domain_name']}: {h['value_coverage_pct'] or 0:.1f}% of ${float(h['total_value_usd'] or 0):,.0f} covered"
    )
    typer.echo(f"HTML: {rep.html_path}\nMarkdown: {rep.md_path}")


@app.command()
def export(
    out: Annotated[Path | None, typer.Option(help="Output directory (default: warehouse/exports).")] = None,
) -> None:
    """Write Parquet files of every mart (and the RL-platform CSV) from the published warehouse."""
    import duckdb

    from assets.coverage.exports import export_all
    from assets.coverage.outputs import exports_dir

    settings = _settings()
    target = out or exports_dir(settings)
    con = _open_published(settings)
    try:
        typer.echo(f"Exporting marts to {target} ...")
        counts = export_all(con, target)
    except (duckdb.CatalogException, duckdb.BinderException) as e:
        raise _stale_warehouse(settings, e) from None
    finally:
        con.close()
    for table, n in counts.items():
        typer.echo(f"  {table}.parquet  {n:,} rows")
    typer.echo(f"{len(counts)} tables exported; data dictionary in {target / 'schema.json'}")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    limit: Annotated[int, typer.Option(help="Rows shown at most in table format.")] = 100,
) -> None:
    """Run SQL against the published warehouse, opened read-only (writes fail)."""
    import duckdb

    settings = _settings()
    con = _open_published(settings)
    try:
        try:
            cur = con.execute(sql)
        except duckdb.Error as e:
            typer.echo(f"query failed: {e}", err=True)
            raise typer.Exit(1) from None
        if cur.description is None:
            typer.echo("ok")
            return
        columns = [d[0] for d in cur.description]
        if fmt == "csv":
            import csv

            w = csv.writer(sys.stdout)
            w.writerow(columns)
            w.writerows(cur.fetchall())
        elif fmt == "json":
            import json

            for row in cur.fetchall():
                typer.echo(json.dumps(dict(zip(columns, row, strict=True)), default=str))
        else:
            from assets.common.results import markdown_table

            rows = cur.fetchmany(limit + 1)
            typer.echo(markdown_table(columns, rows[:limit]))
            if len(rows) > limit:
                typer.echo(f"(first {limit} rows shown; use --limit or --format csv)")
    finally:
        con.close()


if __name__ == "__main__":
    app()
