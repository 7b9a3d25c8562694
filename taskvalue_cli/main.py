"""The `taskvalue` command line: refresh, report, export, query.

    taskvalue refresh                 run refresh_job in this process, printing each step as it ends
    taskvalue report --domain NAME    (re)write one domain's report from the published warehouse
    taskvalue export                  (re)write warehouse/exports/ from the published warehouse
    taskvalue query "SQL"             run SQL read-only against the published warehouse

Settings come from the same environment variables as the pipeline (TASKVALUE_WAREHOUSE, ...).

Exit codes: 0 done; 1 the work failed (a refresh step, the SQL); 2 nothing was attempted (a bad
option or setting, no readable warehouse, an unknown domain, a selection of nothing, a writer
already running);
141 the reader of our output went away (`| head`), as for any Unix filter killed by SIGPIPE.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import re
import socket
import sys
import time
import uuid
import warnings
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assets.common.csv_cells import neutralize_cell

EXIT_FAILED = 1
EXIT_NOT_RUN = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
FETCH_ROWS = 10_000  # rows per fetch when streaming csv/json: memory stays flat on any result size
MAX_TABLE_ROWS = 1_000_000  # --limit of the table format (Markdown); csv and json stream any number

app = typer.Typer(
    help="taskvalue: the economic value of real work, and how well your task inventory covers it."
)


@app.callback()
def _main() -> None:
    # A terminal or pipe that cannot encode a character (LANG=C with PYTHONCOERCECLOCALE=0, a latin-1
    # locale) shows it escaped instead of ending the command with a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _explains_taskvalue_errors(command):
    """A TaskvalueError is written for the user (a broken config/domains.toml, a bad setting): print
    it, not a traceback, and exit 2 (nothing was attempted)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from pydantic import ValidationError

        from assets.common.errors import TaskvalueError

        try:
            return command(*args, **kwargs)
        except TaskvalueError as e:
            typer.echo(f"{type(e).__name__}: {e}", err=True)
            raise typer.Exit(EXIT_NOT_RUN) from None
        except ValidationError as e:  # a setting's validator refused its value; each message names it
            for error in e.errors():
                typer.echo(f"SettingError: {error['msg'].removeprefix('Value error, ')}", err=True)
            raise typer.Exit(EXIT_NOT_RUN) from None

    return run


def _text_arg(value: str, what: str) -> str:
    """An argument as the user typed it: under a non-UTF-8 locale Python decodes argv bytes with
    surrogate escapes, which DuckDB refuses ('cannot encode str as UTF-8'); recover the UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(value).decode("utf-8")
    except UnicodeDecodeError:
        typer.echo(f"The {what} is not valid UTF-8.", err=True)
        raise typer.Exit(EXIT_NOT_RUN) from None


def _settings():
    from orchestration.resources import settings_from_env

    return settings_from_env()


def _open_published(settings):
    import duckdb

    path = settings.warehouse
    if not path.is_file():
        typer.echo(f"No published warehouse at {path}. Run `taskvalue refresh` first.", err=True)
        raise typer.Exit(EXIT_NOT_RUN)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        # A lock: something opened the published file read-write (refreshes never do: they write a
        # private copy and rename it into place). Not a DuckDB file: a half-copied or foreign file.
        typer.echo(f"Cannot open the published warehouse at {path}: {_first_line(e)}", err=True)
        raise typer.Exit(EXIT_NOT_RUN) from None


def _first_line(error: BaseException) -> str:
    """The message's first line, and the next when the first only announces it ("1 blocking asset
    check failed with ERROR severity:" names the check on the line below)."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]


def _stale_warehouse(settings, error) -> typer.Exit:
    """A table or column this code reads is missing: the warehouse was published by older code."""
    typer.echo(
        f"The published warehouse at {settings.warehouse} lacks what this version of taskvalue reads "
        f"({_first_line(error)}): it was published by an older version. Run `taskvalue refresh`.",
        err=True,
    )
    return typer.Exit(EXIT_NOT_RUN)


PUBLISHED_KEY = "warehouse/published"


@app.command()
@_explains_taskvalue_errors
def refresh(
    select: Annotated[
        str | None,
        typer.Option(
            help="Dagster asset selection, e.g. 'key:int/domain_definitions+' (default: everything)."
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print Dagster's debug log of every event.")
    ] = False,
) -> None:
    """Run refresh_job in this process (acquire, stage, model, report, publish), with progress output.

    With DAGSTER_HOME set, the run is recorded there: the UI shows it and the run queue waits for it.
    """
    from dagster import AssetKey

    from assets.coverage.config import coverage_settings_from_env, refuse_tier_counts_beyond
    from assets.coverage.domains import load_domains
    from assets.ingest.assets import refuse_mirror_gaps
    from assets.inventory.assets import MATCHES, OVERRIDES, TASKS, configured_overrides
    from assets.inventory.config import inventory_settings_from_env
    from assets.inventory.inventory_files import require_inventory_dir
    from assets.inventory.matching.matchers import require_embedding_model
    from assets.inventory.overrides import locate_overrides
    from assets.value.assets import ATTRIBUTES_RAW
    from assets.value.attributes import read_attribute_file
    from assets.value.config import attribute_file, value_settings_from_env
    from orchestration.definitions import build_definitions
    from taskvalue_cli.console_log import UnrunStepLines, console_without_unrun_steps

    # The definitions load without a readable domains file (schedules must keep running), but this
    # run would fail half way at int.domain_definitions: refuse before doing any work.
    coverage = coverage_settings_from_env()
    load_domains(coverage.domains_path)
    # a misspelt setting (it would publish the defaults without a word) was named on stderr when
    # orchestration.definitions loaded (unknown_settings)
    settings = _settings()
    value = value_settings_from_env()
    attributes = attribute_file(settings, value)  # so does a named attribute file that is not there
    unrun = UnrunStepLines()
    defs = build_definitions(loggers=None if verbose else {"console": console_without_unrun_steps(unrun)})
    progress = _Progress(check_step_keys(defs))
    job = defs.resolve_job_def("refresh_job").with_hooks(progress.hooks())
    selection = _resolve(select, defs)
    refuse_mirror_gaps(settings, selection)  # a vintage without its sector file stopped the run at step 2
    if selection is None or AssetKey(["int", "domain_tier_order"]) in selection:
        # tier counts no tier bands fit stopped the run there
        refuse_tier_counts_beyond(coverage, len(value.tier_thresholds_usd) + 1)
    if attributes is not None and attributes.is_file() and (selection is None or ATTRIBUTES_RAW in selection):
        # an ID column not found, a stray quote, an infinite value: the run would stop at step 60
        read_attribute_file(
            attributes, value.task_attributes_task_id_column, value.task_attributes_code_column
        )
    if selection is None or TASKS in selection:  # a missing inventory directory failed at step 55
        require_inventory_dir(settings.inventory)
    inventory = inventory_settings_from_env()
    if selection is None or OVERRIDES in selection:
        # and an overrides file that would not be read (failed at step 78, after 42 s)
        locate_overrides(settings.inventory, configured_overrides(settings, inventory))
    if selection is None or MATCHES in selection:  # a model that is not there failed at step 88
        require_embedding_model(inventory.matcher, inventory.embedding_model)
    # one step per asset or check definition (each is one op) when everything runs; unknown for a selection
    progress.total = len(defs.assets) + len(defs.asset_checks or []) if selection is None else None
    t0 = time.monotonic()

    publishes = selection is None or any(k.to_user_string() == PUBLISHED_KEY for k in selection)
    with _instance() as instance:
        _refuse_beside_a_running_writer(instance)
        run_id = str(uuid.uuid4())
        typer.echo(f"refresh_job: run {run_id} ({_describe()})")
        if selection is None or TASKS in selection:
            # the directory comes from the environment: a refresh run without it reads the example
            # inventory and publishes it over the team's own
            typer.echo(f"refresh_job: reads the inventory in {settings.inventory} (TASKVALUE_INVENTORY_DIR)")
        if selection is None or MATCHES in selection:
            # so is the matcher: a refresh without it matches with tfidf, and the coverage moves
            typer.echo(f"refresh_job: matches inventory tasks with {inventory.matcher} (TASKVALUE_MATCHER)")
        if publishes:
            typer.echo(f"refresh_job: publishes {settings.warehouse}")
        else:
            typer.echo(
                f"refresh_job: the selection does not include {PUBLISHED_KEY}: it rebuilds the work "
                f"database {settings.work_db} only, and {settings.warehouse} stays as published."
            )
        progress.last = time.monotonic()
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            asset_selection=selection,
            tags=_cli_run_tags(),
            # progress comes from the hooks; Dagster's console log keeps warnings and errors
            run_config={"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "WARNING"}}}},
        )
    _print_failed_checks(result)
    took = time.monotonic() - t0
    if result.success:
        typer.echo(f"refresh_job succeeded in {took:.0f}s.")
        if publishes:
            _print_what_was_published(settings)
    else:
        total, done = progress.total, progress.done
        if total and done < total:  # steps below a failure or an interrupt end without a hook
            typer.echo(f"{total - done} of {total} steps did not run.", err=True)
        elif unrun.dropped:  # a selection: the total is not known, Dagster's skip lines are
            typer.echo(
                f"{unrun.dropped} steps did not run: a step they depend on failed (--verbose names them).",
                err=True,
            )
        # the causes last, where the eye lands: Dagster's own failure report above ends in a stack trace
        typer.echo(f"refresh_job FAILED after {took:.0f}s. What failed (details above):", err=True)
        for step_key, cause in progress.failures or [("(no step failed)", "the run itself failed")]:
            typer.echo(f"  {step_key}: {cause}", err=True)
        raise typer.Exit(EXIT_FAILED)


def _print_what_was_published(settings) -> None:
    """Where the reports are, and the inventory's verdict in a line: the log above names the
    warehouse only, and a new user looked for the reports in the README."""
    import duckdb

    from assets.coverage.outputs import reports_dir
    from assets.coverage.report_paths import INDEX_FILES

    index = reports_dir(settings) / INDEX_FILES[1]
    if index.is_file():
        typer.echo(f"Reports: {index}")
    try:
        con = duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.Error:  # a reader's lock, say: the summary is a courtesy, the run succeeded
        return
    try:
        counted = con.execute(
            "select count(*) filter (where grounding = 'grounded'), count(*) filter (where grounding = "
            "'ungrounded'), count(*) filter (where grounding = 'unverified'), count(*) "
            "from marts.inventory_grounding where not is_excluded_status"
        ).fetchone()
        total, quarantined = con.execute(
            "select (select count(*) from marts.inventory_grounding), "
            "(select count(*) from staging.inventory_quarantine)"
        ).fetchone()
    except duckdb.Error:
        return
    finally:
        con.close()
    grounded, ungrounded, unverified, n = counted
    left_out = f", {total - n:,} with an excluded status left out" if total > n else ""
    typer.echo(
        f"Inventory: {n:,} tasks counted{left_out}: {grounded:,} grounded, {ungrounded:,} ungrounded, "
        f"{unverified:,} unverified; {quarantined:,} rows not loaded (quarantined)."
    )


CHECK_LINES_SHOWN = 10


def _print_failed_checks(result) -> None:
    """Each failed check once, with what its metadata says (counts, and the first lines of its lists):
    a warning names the rows to look at, which the name alone did not."""
    seen = set()
    for evaluation in result.get_asset_check_evaluations():
        key = (evaluation.asset_key, evaluation.check_name)
        if evaluation.passed or key in seen:
            continue
        seen.add(key)
        # error: blocked what is downstream; warn: did not, and "failed" read as a failed run to a persona
        blocking = evaluation.severity.value.lower() == "error"
        typer.echo(
            f"{'check failed (error)' if blocking else 'check warning'}: {evaluation.check_name}", err=True
        )
        for line in _check_detail(evaluation.metadata):
            typer.echo(f"    {line}", err=True)


def _check_detail(metadata: dict) -> list[str]:
    """Counts as `name: value` on one line, then the lines of each markdown list (the first
    CHECK_LINES_SHOWN); tables, JSON and paths stay in the UI."""
    from dagster import IntMetadataValue, MarkdownMetadataValue

    counts = [f"{k}: {v.value:,}" for k, v in metadata.items() if isinstance(v, IntMetadataValue)]
    lines = [
        line
        for v in metadata.values()
        if isinstance(v, MarkdownMetadataValue)
        for line in (v.value or "").splitlines()
        if line.strip() and line.strip() != "none"
    ]
    if len(lines) > CHECK_LINES_SHOWN:
        lines = [
            *lines[:CHECK_LINES_SHOWN],
            f"... {len(lines) - CHECK_LINES_SHOWN} more: the check in the Dagster UI lists them all "
            "(`make dev`, this run's checks)",
        ]
    return ([", ".join(counts)] if counts else []) + lines


def check_step_keys(defs) -> frozenset[str]:
    """The step key of each asset check: the asset's path joined by '__', '_', the check's name."""
    return frozenset(
        f"{'__'.join(key.asset_key.path)}_{key.name}"
        for checks in defs.asset_checks or []
        for key in checks.check_keys
    )


class _Progress:
    """Prints each step of the run as it ends, from Dagster success/failure hooks (public API). Steps
    run one after another in process, so a step took the time since the previous one ended."""

    def __init__(self, check_steps: frozenset[str] = frozenset()):
        self.check_steps = check_steps  # the step keys of asset checks
        self.total: int | None = None
        self.done = 0
        self.failures: list[tuple[str, str]] = []  # (step key, the first line of its error)
        self.last = time.monotonic()

    def hooks(self):
        from dagster import HookContext, failure_hook, success_hook

        @success_hook(name="taskvalue_cli_progress_ok")
        def ok(context: HookContext) -> None:
            # a check's step succeeds when the check fails with severity warn, and a hook cannot see
            # the outcome: "ran", not "ok" above the "check warning" printed at the end
            self._line("ran " if context.step_key in self.check_steps else "ok  ", context.step_key)

        @failure_hook(name="taskvalue_cli_progress_failed")
        def failed(context: HookContext) -> None:
            error = context.op_exception
            cause = _first_line(error) if error else "failed"
            self.failures.append((context.step_key, cause))
            self._line("FAIL", context.step_key, f": {cause}")

        return frozenset({ok, failed})

    def _line(self, mark: str, step_key: str, detail: str = "") -> None:
        self.done += 1
        now = time.monotonic()
        took, self.last = now - self.last, now
        count = f"{self.done}/{self.total}" if self.total else f"{self.done}"
        typer.echo(f"[{count}] {mark} {step_key} ({took:.1f}s){detail}")


def _instance():
    from dagster import DagsterInstance

    if os.environ.get("DAGSTER_HOME"):
        try:
            return DagsterInstance.get()
        except Exception as e:  # a DAGSTER_HOME that is not a directory, or a broken dagster.yaml
            typer.echo(f"Cannot open the Dagster instance in DAGSTER_HOME: {_first_line(e)}", err=True)
            raise typer.Exit(EXIT_NOT_RUN) from None
    return DagsterInstance.ephemeral()


def _describe() -> str:
    home = os.environ.get("DAGSTER_HOME")
    if home:  # _instance() opened it, or refused to run
        return f"recorded in DAGSTER_HOME={home}"
    return "not recorded: DAGSTER_HOME is not set"


def _refuse_beside_a_running_writer(instance) -> None:
    """Another run that writes the work database (a schedule, the sensor, the UI) is in progress:
    running beside it would fail at publish after doing all the work. Runs recorded elsewhere (another
    DAGSTER_HOME, `dagster job execute` without one) cannot be seen."""
    from dagster import DagsterRunStatus, RunsFilter

    # an ephemeral instance (no DAGSTER_HOME) was created empty just now: it finds nothing
    records = instance.get_run_records(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
        ),
        limit=50,
    )
    running = [r.dagster_run for r in records if _writes_the_work_db(r.dagster_run)][:5]
    if not running:
        return
    dead = [r for r in running if _started_by_a_dead_cli(r.tags)]
    for r in dead:
        typer.echo(
            f"Not started: {r.job_name} {r.run_id} is recorded as running, but the `taskvalue refresh` that "
            f"started it (pid {r.tags[CLI_PID_TAG]} on this host) is gone, killed before it could record "
            "the end. Terminate the run in the UI (Runs, then Terminate), or let run monitoring fail it "
            "after its dagster/max_runtime; then try again.",
            err=True,
        )
    if alive := [r for r in running if r not in dead]:
        names = ", ".join(f"{r.job_name} {r.run_id}" for r in alive)
        typer.echo(
            f"Not started: {names} is writing the work database now (DuckDB takes one writer). Wait for it, "
            "or, if its process is gone, terminate it in the UI (Runs) and try again.",
            err=True,
        )
    raise typer.Exit(EXIT_NOT_RUN)


def _writes_the_work_db(run) -> bool:
    """A writer job (tagged), or any other run with a step in the work database's pool: a Materialize
    or an "Execute checks" from the UI runs Dagster's implicit asset job, which carries no tag."""
    from assets.common.pools import WORK_DB_POOL
    from orchestration.jobs import WRITER_TAGS

    if run.tags.items() >= WRITER_TAGS.items():
        return True
    concurrency = run.run_op_concurrency
    return bool(concurrency and WORK_DB_POOL in (concurrency.all_pools or ()))


# Tags a CLI refresh adds to its run: a later refresh can then tell a run whose process was killed
# (kill -9 leaves it STARTED) from one that is still writing.
CLI_HOST_TAG, CLI_PID_TAG = "taskvalue/cli_host", "taskvalue/cli_pid"


def _cli_run_tags() -> dict[str, str]:
    return {CLI_HOST_TAG: socket.gethostname(), CLI_PID_TAG: str(os.getpid())}


def _started_by_a_dead_cli(tags) -> bool:
    import psutil

    if tags.get(CLI_HOST_TAG) != socket.gethostname() or not str(tags.get(CLI_PID_TAG, "")).isdigit():
        return False  # not started by the CLI, or on another machine: cannot tell
    return not psutil.pid_exists(int(tags[CLI_PID_TAG]))


def _resolve(select: str | None, defs):
    """The asset keys `select` names; exits when it is malformed or names nothing (Dagster would run
    the whole job for an empty selection)."""
    if select is None:
        return None
    from dagster import AssetSelection, BetaWarning, DagsterError, PreviewWarning

    graph = defs.resolve_asset_graph()
    try:
        with warnings.catch_warnings():  # Dagster's selection parser warns about its own beta parameters
            warnings.simplefilter("ignore", BetaWarning)
            warnings.simplefilter("ignore", PreviewWarning)
            keys = AssetSelection.from_string(select).resolve(graph)
    except DagsterError as e:
        typer.echo(f"Invalid --select {select!r}: {_first_line(e)}", err=True)
        raise typer.Exit(EXIT_NOT_RUN) from None
    if not keys:
        groups = sorted({spec.group_name for spec in defs.resolve_all_asset_specs()} - {None})
        typer.echo(
            f"--select {select!r} selects no asset, so nothing was run. Keys look like "
            f"'key:marts/task_value'; groups are {', '.join(groups)}.",
            err=True,
        )
        raise typer.Exit(EXIT_NOT_RUN)
    return sorted(keys, key=lambda k: k.to_user_string())


@app.command()
@_explains_taskvalue_errors
def report(
    domain: Annotated[
        str, typer.Option("--domain", "-d", help="Domain id, name or alias (case-insensitive).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output directory (default: reports/ beside the published warehouse, TASKVALUE_WAREHOUSE)."
        ),
    ] = None,
) -> None:
    """Write one domain's coverage report (Markdown + HTML + chart) from the published warehouse."""
    import duckdb

    from assets.coverage.config import coverage_settings_from_env
    from assets.coverage.numbers import covered_pct
    from assets.coverage.outputs import reports_dir
    from assets.coverage.reports import resolve_domain, write_domain_report

    domain = _text_arg(domain, "domain name")
    settings = _settings()
    con = _open_published(settings)
    try:
        domain_id = resolve_domain(con, domain)
        if domain_id is None:
            names = ", ".join(
                r[0] for r in con.execute("select domain_id from marts.domain_coverage order by 1").fetchall()
            )
            typer.echo(
                f"Unknown domain {domain!r}.{_did_you_mean(con, domain)} Known domains: {names}", err=True
            )
            raise typer.Exit(EXIT_NOT_RUN)
        target = _output_dir(out or reports_dir(settings))
        typer.echo(f"Writing report for {domain_id} ...")
        rep = write_domain_report(
            con,
            domain_id,
            target,
            coverage_settings_from_env().rule_text(),
            _index_href(target, reports_dir(settings)),
        )
    except (duckdb.CatalogException, duckdb.BinderException) as e:
        raise _stale_warehouse(settings, e) from None
    finally:
        con.close()
    h = rep.headline
    # worded as in the report itself (a nonzero share is never 0.0%)
    share = covered_pct(h["value_coverage_pct"], h["covered_value_usd"])
    typer.echo(f"{h['domain_name']}: {share} of ${float(h['total_value_usd'] or 0):,.0f} covered")
    typer.echo(f"HTML: {rep.html_path}\nMarkdown: {rep.md_path}")


def _index_href(target: Path, published_reports: Path) -> str | None:
    """Where a report written to target links "All domains": the index beside it, else the published
    one (relative, so the pair can move together), else nowhere rather than to a missing page."""
    for reports in (target, published_reports):
        index = reports / "index.html"
        if index.is_file():
            return Path(os.path.relpath(index.resolve(), target.resolve())).as_posix()
    return None


def _did_you_mean(con, name: str) -> str:
    """' Did you mean: <id> (as "<alias>")?' for a misspelt domain id, name or alias; '' when none is close."""
    import difflib

    from assets.coverage.domains import normalize_name

    aliases = dict(con.execute("select name_normalized, domain_id from int.domain_aliases").fetchall())
    best: dict[str, str] = {}  # domain id -> its closest name, closest domains first
    for close in difflib.get_close_matches(normalize_name(name), list(aliases), n=6, cutoff=0.75):
        best.setdefault(aliases[close], close)
    if not best:
        return ""
    return " Did you mean: " + ", ".join(f"{d} (as {c!r})" for d, c in list(best.items())[:3]) + "?"


@app.command()
@_explains_taskvalue_errors
def export(
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output directory (default: exports/ beside the published warehouse, TASKVALUE_WAREHOUSE)."
        ),
    ] = None,
) -> None:
    """Write Parquet files of every mart (and the RL-platform CSV) from the published warehouse."""
    import duckdb

    from assets.coverage.exports import export_all
    from assets.coverage.outputs import exports_dir

    settings = _settings()
    target = _output_dir(out or exports_dir(settings))
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


def _output_dir(target: Path) -> Path:
    """The output directory, created and written to once; a path that cannot be one (a file, under a
    file, no permission) stops the command before anything is written."""
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".taskvalue-write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        typer.echo(f"Cannot write to {target}: {e.strerror or e}. Nothing was written.", err=True)
        raise typer.Exit(EXIT_NOT_RUN) from None
    return target


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
@_explains_taskvalue_errors
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table (Markdown), csv (UTF-8) or json (one object per line)"),
    ] = OutputFormat.table,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_TABLE_ROWS, help="Rows shown at most in table format.")
    ] = 100,
) -> None:
    """Run SQL against the published warehouse, opened read-only (writes fail).

    csv and json stream every row, in UTF-8 whatever the locale."""
    import duckdb

    sql = _text_arg(sql, "SQL")
    if not sql.strip():
        typer.echo("No SQL given.", err=True)
        raise typer.Exit(EXIT_NOT_RUN)
    settings = _settings()
    con = _open_published(settings)
    try:
        try:
            cur = con.execute(sql)
        except duckdb.Error as e:
            typer.echo(f"query failed: {e}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        if cur is None:  # only comments: no statement
            typer.echo("No SQL statement given.", err=True)
            raise typer.Exit(EXIT_NOT_RUN)
        if cur.description is None:
            typer.echo("ok")
            return
        columns = [d[0] for d in cur.description]
        try:
            if fmt is OutputFormat.table:
                from assets.common.results import CELL_CHARS, render_markdown_table

                rows = cur.fetchmany(limit + 1)
                table, cut = render_markdown_table(columns, rows[:limit])
                typer.echo(table)
                if len(rows) > limit:
                    typer.echo(f"(first {limit} rows shown; use --limit or --format csv)")
                if cut:
                    typer.echo(
                        f"(cells longer than {CELL_CHARS} characters are cut; --format csv or json keeps them)"
                    )
            else:
                _stream(cur, columns, fmt)
        except duckdb.Error as e:  # raised while fetching (a cast, a division by zero, ...)
            typer.echo(f"query failed: {e}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
    finally:
        con.close()


def _stream(cur, columns: list[str], fmt: OutputFormat) -> None:
    """csv or json lines to stdout, FETCH_ROWS at a time, as UTF-8 bytes (data formats, not terminal
    text); '\\n' line ends, so `cut`, `awk` and `wc -l` see no stray carriage return."""
    import csv

    class Chunk(list):  # what csv.writer writes into; encoded and written once per batch
        write = list.append

    sys.stdout.flush()
    buffer = sys.stdout.buffer
    chunk = Chunk()
    writer = csv.writer(chunk, lineterminator="\n")
    if fmt is OutputFormat.csv:
        writer.writerow(columns)
    else:
        columns = _json_keys(columns)
    while rows := cur.fetchmany(FETCH_ROWS):
        if fmt is OutputFormat.csv:
            writer.writerows([_csv_value(v) for v in row] for row in rows)
        else:
            for row in rows:
                record = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
                chunk.append(_dumps(record) + "\n")
        buffer.write("".join(chunk).encode("utf-8"))
        chunk.clear()
    buffer.write("".join(chunk).encode("utf-8"))  # the header of an empty result
    buffer.flush()


def _json_keys(columns: list[str]) -> list[str]:
    """Column names as JSON keys: a repeated name (`select *` over a join) would keep only its last
    value, so later ones become name_1, name_2, ... (skipping a suffix another column already has)."""
    keys: list[str] = []
    for name in columns:
        key, n = name, 0
        while key in keys or (key != name and key in columns):
            n += 1
            key = f"{name}_{n}"
        keys.append(key)
    renamed = [f"{k} (was {c})" for c, k in zip(columns, keys, strict=True) if c != k]
    if renamed:
        typer.echo(f"note: repeated column names renamed in JSON: {', '.join(renamed)}", err=True)
    return keys


def _csv_value(v: object) -> object:
    """As the CSV export writes it: true/false, lists and structs as JSON, and text a spreadsheet
    would run as a formula (`=HYPERLINK(...)`, `-Q-4`) prefixed with ' (so is text starting with ')."""
    if isinstance(v, list | dict):
        return _dumps(_json_value(v))
    if isinstance(v, Decimal):  # fixed point, as in JSON: 0.0000000000, not 0E-10
        return f"{v:f}"
    return neutralize_cell(v)


# A DECIMAL travels through json.dumps as a marked string and comes out as a bare number with its exact
# digits: as a double, 90071992547409.91 would lose its cents, and a string would give one column two
# JSON types. The mark is a control character (json.dumps escapes it) and a random key of this
# process, so a text value cannot forge it.
_DECIMAL_KEY = uuid.uuid4().hex
_DECIMAL_MARK = f"\x1f{_DECIMAL_KEY}"
_MARKED_DECIMAL = re.compile(
    r'"\\u001f' + _DECIMAL_KEY + r"(-?[0-9]+(?:\.[0-9]+)?)\\u001f" + _DECIMAL_KEY + '"'
)


def _dumps(value: object) -> str:
    return _MARKED_DECIMAL.sub(r"\1", json.dumps(value, allow_nan=False))


def _json_value(v: object) -> object:
    """Valid JSON for every DuckDB type: numbers stay numbers (DECIMAL money as its exact digits, see
    _dumps), NaN and infinities become null (JSON has neither), times ISO 8601."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Decimal):
        return f"{_DECIMAL_MARK}{v:f}{_DECIMAL_MARK}" if v.is_finite() else None
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, dt.date | dt.time):  # datetime is a date
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)  # uuid, timedelta, ...


def _silence_stdout() -> None:
    """The reader closed the pipe: point stdout at /dev/null so that the flush at exit does not
    raise again (Python's documented recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's stream)
        pass


if __name__ == "__main__":
    app()
