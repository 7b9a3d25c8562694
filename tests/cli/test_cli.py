"""The `taskvalue` command line, driven with typer's CliRunner against a fixture warehouse."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

import taskvalue_cli.main as cli
from taskvalue_cli.main import app
from tests.coverage.conftest import build_fixture_db

runner = CliRunner()


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    path = tmp_path / "taskvalue.duckdb"
    build_fixture_db(path).close()
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(path))
    return path


def test_query_prints_rows(warehouse):
    result = runner.invoke(
        app,
        ["query", "select domain_id, value_coverage_pct from marts.domain_coverage where domain_id = 'food'"],
    )
    assert result.exit_code == 0, result.output
    assert "| food | 80.0 |" in result.output


def test_query_formats(warehouse):
    csv_out = runner.invoke(app, ["query", "select 1 as a, 'x' as b", "--format", "csv"])
    assert csv_out.output.splitlines() == ["a,b", "1,x"]
    json_out = runner.invoke(app, ["query", "select 1 as a", "-f", "json"])
    assert json_out.output.strip() == '{"a": 1}'


def test_query_json_keeps_every_column_of_repeated_names(warehouse):
    result = runner.invoke(app, ["query", "select 1 as a, 2 as a, 3 as a_1", "-f", "json"])
    assert result.exit_code == 0, result.output
    # a dict would keep only the last 'a'; a_1 is taken by the third column, so the second is a_2
    assert json.loads(result.stdout) == {"a": 1, "a_2": 2, "a_1": 3}
    assert "a_2 (was a)" in result.stderr


def test_query_table_keeps_one_row_per_line_and_says_when_it_cuts_cells(warehouse):
    sql = "select 'a' || chr(13) || chr(10) || 'b' as \"x|y\", repeat('z', 100) as long"
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "| x\\|y | long |"  # the name's pipe does not add a column
    assert lines[2] == "| a b | " + "z" * 77 + "... |"
    assert lines[3] == "(cells longer than 80 characters are cut; --format csv or json keeps them)"
    # 79 characters, 98 once each '|' is escaped: cut, so said
    cut = runner.invoke(app, ["query", "select repeat('a|', 39) || 'b' as x"]).output.splitlines()
    assert cut[-1] == "(cells longer than 80 characters are cut; --format csv or json keeps them)"


def test_query_is_read_only(warehouse):
    result = runner.invoke(app, ["query", "drop table marts.domain_coverage"])
    assert result.exit_code == 1
    assert "read-only" in result.output.lower()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.domain_coverage").fetchone()[0] == 7


def test_report_by_alias(warehouse, tmp_path):
    result = runner.invoke(app, ["report", "--domain", "COPYWRITING"])
    assert result.exit_code == 0, result.output
    assert "Digital copywriting: 50.0% of $800,000 covered" in result.output
    assert (tmp_path / "reports" / "digital-copywriting.html").is_file()


def test_report_out_links_all_domains_only_to_an_index_that_exists(warehouse, tmp_path):
    def all_domains_link(out):
        result = runner.invoke(app, ["report", "--domain", "food", "--out", str(out)])
        assert result.exit_code == 0, result.output
        html = re.search(r'href="([^"]*)">All domains</a>', (out / "food.html").read_text())
        md = re.search(r"\[All domains\]\(([^)]*)\)", (out / "food.md").read_text())
        # the Markdown links the Markdown index, the HTML the HTML one
        assert (md and md[1]) == (html and html[1].removesuffix(".html") + ".md")
        return html and html[1]

    # nothing published yet, no index beside it: no link to a page that is not there
    assert all_domains_link(tmp_path / "alone") is None
    published = tmp_path / "reports"
    published.mkdir()
    (published / "index.html").write_text("<html></html>")
    # the published index, relative, so the two folders can move together
    assert all_domains_link(tmp_path / "elsewhere" / "deep") == "../../reports/index.html"
    # an index beside the report wins
    (tmp_path / "alone" / "index.html").write_text("<html></html>")
    assert all_domains_link(tmp_path / "alone") == "index.html"


def test_report_unknown_domain_lists_known_ones(warehouse):
    result = runner.invoke(app, ["report", "--domain", "astrology"])
    assert result.exit_code == 2
    assert "Unknown domain 'astrology'" in result.output and "digital-copywriting" in result.output


def test_export(warehouse, tmp_path):
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    assert "inventory_export.parquet  8 rows" in result.output
    assert pl.read_parquet(tmp_path / "exports" / "domain_coverage.parquet").height == 7


def test_warehouse_published_by_older_code_says_what_to_do(warehouse):
    with duckdb.connect(str(warehouse)) as con:  # as published before the grounding column existed
        con.execute("alter table marts.inventory_grounding drop column grounding")
    result = runner.invoke(app, ["report", "--domain", "copywriting"])
    assert result.exit_code == 2
    assert "published by an older version. Run `taskvalue refresh`" in result.output
    assert 'column named "grounding"' in result.output and "Traceback" not in result.output


def test_missing_warehouse_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(tmp_path / "none.duckdb"))
    result = runner.invoke(app, ["query", "select 1"])
    assert result.exit_code == 2
    assert "taskvalue refresh" in result.output


# --- query: arguments, output formats, encodings, pipes ------------------------------------------


def test_query_without_a_statement_is_refused_without_traceback(warehouse):
    for sql in ["", "   ", "-- only a comment"]:
        result = runner.invoke(app, ["query", "--", sql])
        assert result.exit_code == 2, (sql, result.output)
        assert "No SQL" in result.output and "Traceback" not in result.output


def test_query_rejects_an_unknown_format_and_a_limit_below_one(warehouse):
    bad_format = runner.invoke(app, ["query", "select 1", "--format", "xml"])
    assert bad_format.exit_code == 2 and "'xml' is not one of" in bad_format.output
    for limit in ["0", "-2", "1000001", "999999999999999999999"]:  # the last raised a TypeError
        bad_limit = runner.invoke(app, ["query", "select 1", "--limit", limit])
        assert bad_limit.exit_code == 2, bad_limit.output
        assert "Traceback" not in bad_limit.output


def test_query_csv_is_utf8_with_unix_line_ends_and_json_cells(warehouse):
    result = runner.invoke(
        app,
        ["query", "select true as t, ['a', 'b'] as l, 'é\nx' as s, 1.50::decimal(4, 2) as d", "-f", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == 't,l,s,d\ntrue,"[""a"", ""b""]","é\nx",1.50\n'.encode()
    # fixed point, as in the exports and the JSON output: not Python's 0E-10
    tiny = runner.invoke(
        app, ["query", "select 0::decimal(20, 10) as z, -0.00001::decimal(20, 10) as n", "-f", "csv"]
    )
    assert tiny.stdout_bytes == b"z,n\n0.0000000000,-0.0000100000\n"
    # text a spreadsheet would run as a formula is escaped as in the CSV export; numbers are not
    sql = "select '=HYPERLINK(\"http://x\")' as f, '-Q-4' as i, -5 as n, '''q' as q"
    formula = runner.invoke(app, ["query", sql, "-f", "csv"])
    assert formula.stdout_bytes == b'f,i,n,q\n"\'=HYPERLINK(""http://x"")",\'-Q-4,-5,\'\'q\n'


def test_query_json_lines_are_valid_json_with_numbers(warehouse):
    result = runner.invoke(
        app,
        [
            "query",
            "select 1234567.89::decimal(18, 2) as usd, 'nan'::double as n, 'inf'::double as i, "
            "timestamp '2024-05-01 10:00' as ts, [1.5, 'nan'::double] as l, "
            "12345678901234567890.12::decimal(38, 2) as big",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output

    def no_constants(name):
        raise AssertionError(f"not JSON: {name}")

    row = json.loads(result.stdout, parse_constant=no_constants, parse_float=Decimal)
    assert row == {
        "usd": Decimal("1234567.89"),
        "n": None,
        "i": None,
        "ts": "2024-05-01T10:00:00",
        "l": [Decimal("1.5"), None],
        # a double cannot hold it exactly: still a number, with its exact digits (it used to be text,
        # so one column held numbers and strings)
        "big": Decimal("12345678901234567890.12"),
    }
    assert '"usd": 1234567.89,' in result.stdout


def test_query_json_decimal_numbers_cannot_be_forged_by_text(warehouse):
    # the mark of a DECIMAL is a control character and a random key of the process: text that
    # looks like a mark without the key stays text
    for forged in (
        "chr(31) || '12' || chr(31)",
        "chr(31) || '0123456789abcdef0123456789abcdef12' || chr(31) || '0123456789abcdef0123456789abcdef'",
    ):
        result = runner.invoke(app, ["query", f"select {forged} as s", "-f", "json"])
        assert result.exit_code == 0, result.output
        assert isinstance(json.loads(result.stdout)["s"], str), result.stdout
    assert len(cli._DECIMAL_KEY) == 32 and cli._DECIMAL_KEY != "0123456789abcdef0123456789abcdef"


def test_export_and_report_refuse_an_output_path_that_cannot_be_a_directory(warehouse, tmp_path, monkeypatch):
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    for args in (
        ["export", "--out", str(a_file)],
        ["report", "--domain", "legal", "--out", str(a_file / "sub")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert f"Cannot write to {args[-1]}:" in result.output and "Nothing was written." in result.output
        assert "Traceback" not in result.output
    # a directory that exists but cannot be written to (root writes anywhere, so the refusal is
    # simulated): the probe file finds out before any export is attempted
    from pathlib import Path

    def refused(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refused)
    existing = tmp_path / "existing"
    existing.mkdir()
    result = runner.invoke(app, ["export", "--out", str(existing)])
    assert result.exit_code == 2, result.output
    assert f"Cannot write to {existing}: Permission denied. Nothing was written." in result.output
    assert list(existing.iterdir()) == []


class _BatchOnlyCursor:
    """A result that may only be fetched in batches (fetchall would hold it all in memory)."""

    def __init__(self, n: int):
        self.rows = [(i, f"x{i}") for i in range(n)]
        self.sizes: list[int] = []

    def fetchmany(self, size):
        self.sizes.append(size)
        batch, self.rows = self.rows[:size], self.rows[size:]
        return batch

    def fetchall(self):
        raise AssertionError("fetchall reads the whole result into memory")


def test_query_streams_csv_and_json_in_batches(monkeypatch, capfdbinary):
    monkeypatch.setattr(cli, "FETCH_ROWS", 4)
    for fmt, expected_lines in [(cli.OutputFormat.csv, 11), (cli.OutputFormat.json, 10)]:
        cur = _BatchOnlyCursor(10)
        cli._stream(cur, ["i", "s"], fmt)
        out = capfdbinary.readouterr().out.decode()
        assert len(out.splitlines()) == expected_lines and cur.sizes == [4, 4, 4, 4]
    assert out.splitlines()[-1] == '{"i": 9, "s": "x9"}'


def _cli(args: list[str], warehouse, **env):
    return subprocess.Popen(
        [sys.executable, "-m", "taskvalue_cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TASKVALUE_WAREHOUSE": str(warehouse), **env},
    )


def test_query_piped_into_head_stops_early_with_sigpipe_status(warehouse):
    proc = _cli(["query", "select range as i from range(20000000)", "-f", "csv"], warehouse)
    assert proc.stdout.readline() == b"i\n"
    proc.stdout.close()  # what `| head -1` does
    assert proc.wait() == 141  # not 1, the code of a failed query
    assert proc.stderr.read() == b""


def test_query_under_a_non_utf8_locale(warehouse):
    # argv decoded as ASCII with surrogate escapes: the SQL still reaches DuckDB as typed
    ascii_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    proc = _cli(["query", "select 'é — ✓' as u", "-f", "csv"], warehouse, **ascii_locale)
    out, err = proc.communicate()
    assert (proc.returncode, out, err) == (0, "u\né — ✓\n".encode(), b"")
    # a latin-1 terminal shows what it cannot encode escaped, instead of a UnicodeEncodeError
    proc = _cli(["query", "select 'é — ✓' as u"], warehouse, PYTHONIOENCODING="latin-1")
    out, err = proc.communicate()
    assert proc.returncode == 0 and err == b""
    assert "| é \\u2014 \\u2713 |".encode("latin-1") in out


def test_query_cannot_modify_the_published_file(warehouse):
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    for sql in [
        "insert into marts.domain_coverage select * from marts.domain_coverage",
        "checkpoint",
        f"attach '{warehouse}' as again (read_only false)",
        "create schema scratch",
    ]:
        runner.invoke(app, ["query", sql])
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


# --- an unreadable warehouse -----------------------------------------------------------------------


def test_locked_or_corrupt_warehouse_says_so_without_traceback(warehouse, tmp_path, monkeypatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == b"ready\n"
        for args in (["query", "select 1"], ["export"], ["report", "--domain", "food"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 2, result.output
            assert "Cannot open the published warehouse" in result.output
            assert "Could not set lock" in result.output and result.exception.__class__ is SystemExit
    finally:
        holder.stdin.close()
        holder.wait()
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"not a database")
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(corrupt))
    result = runner.invoke(app, ["query", "select 1"])
    assert result.exit_code == 2 and "not a valid DuckDB database file" in result.output


# --- refresh: selections, the Dagster instance --------------------------------------------------


@pytest.fixture
def refresh_env(tmp_path, monkeypatch):
    """Warehouse paths under tmp_path, and a DAGSTER_HOME of its own (telemetry off)."""
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(tmp_path / "taskvalue.duckdb"))
    monkeypatch.setenv("TASKVALUE_WORK_DB", str(tmp_path / "work" / "taskvalue.duckdb"))
    monkeypatch.setenv("TASKVALUE_CACHE_DIR", str(tmp_path / "cache"))
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return tmp_path


def test_refresh_selection_of_nothing_runs_nothing(refresh_env):
    for select in ["key:marts/no_such_table", "group:no_such_group"]:
        result = runner.invoke(app, ["refresh", "--select", select])
        assert result.exit_code == 2, result.output
        assert "selects no asset, so nothing was run" in result.output
        assert "groups are exports, ingest, int, marts, publish, reports, staging" in result.output
    bad = runner.invoke(app, ["refresh", "--select", "key:marts/task_value+(("])
    assert bad.exit_code == 2 and "Invalid --select" in bad.output and "Traceback" not in bad.output
    assert not (refresh_env / "work" / "taskvalue.duckdb").exists()


def test_refresh_is_recorded_in_dagster_home_and_says_what_it_publishes(refresh_env):
    from dagster import AssetKey, DagsterInstance

    result = runner.invoke(app, ["refresh", "--select", "key:int/domain_definitions"])
    assert result.exit_code == 0, result.output
    assert f"recorded in DAGSTER_HOME={refresh_env / 'dagster_home'}" in result.output
    assert "does not include warehouse/published" in result.output
    assert "[1] ok   int__domain_definitions" in result.output
    assert " - DEBUG - " not in result.output  # Dagster's event log only with --verbose
    assert not (refresh_env / "taskvalue.duckdb").exists()
    with DagsterInstance.from_config(str(refresh_env / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        assert (run.job_name, run.tags.get("taskvalue/writer")) == ("refresh_job", "work_db")
        assert instance.get_latest_materialization_event(AssetKey(["int", "domain_definitions"]))


def test_refresh_prints_a_failed_step_with_its_error_and_exits_1(refresh_env, monkeypatch):
    monkeypatch.setenv("TASKVALUE_MIRROR", str(refresh_env / "empty_mirror"))
    (refresh_env / "empty_mirror").mkdir()
    # the pre-check refuses an empty mirror (exit 2, tested in tests/ingest): let the step find it
    monkeypatch.setattr("assets.ingest.assets.refuse_mirror_gaps", lambda settings, selection=None: None)
    result = runner.invoke(app, ["refresh", "--select", "key:ingest/soc+"])  # and all downstream
    assert result.exit_code == 1, result.output
    # Dagster's ERROR line per step left unrun ("Dependencies for step ... Not executing.") is counted
    assert "Not executing" not in result.output
    unrun = re.search(r"^(\d+) steps did not run: a step they depend on failed", result.output, re.M)
    assert unrun and int(unrun[1]) > 50, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("[1] FAIL ingest__soc ("))
    assert "s): " in line and "empty_mirror" in line  # the error's first line, naming the mirror
    # the cause again at the very end, below Dagster's failure report and its stack trace
    cause = line.split("s): ", 1)[1]
    tail = result.output.rstrip().splitlines()[-2:]
    assert tail[0].startswith("refresh_job FAILED after ") and tail[0].endswith(
        "s. What failed (details above):"
    )
    assert tail[1] == f"  ingest__soc: {cause}"
    verbose = runner.invoke(app, ["refresh", "--verbose", "--select", "key:ingest/soc+"])
    assert verbose.exit_code == 1 and "Dependencies for step staging__soc" in verbose.output
    assert "steps did not run" not in verbose.output
    # the whole job: the total is known, so the count says of how many
    whole = runner.invoke(app, ["refresh"])
    assert whole.exit_code == 1 and "Not executing" not in whole.output
    unrun = re.search(r"^(\d+) of (\d+) steps did not run\.$", whole.output, re.M)
    assert unrun and 50 < int(unrun[1]) < int(unrun[2]), whole.output


def test_a_failed_blocking_check_is_named_on_its_fail_line():
    from taskvalue_cli.main import _first_line

    error = RuntimeError(
        "1 blocking asset check failed with ERROR severity:\nstaging/onet_tasks_to_dwas: links_unique\n\nmore"
    )
    assert _first_line(error) == (
        "1 blocking asset check failed with ERROR severity: staging/onet_tasks_to_dwas: links_unique"
    )
    assert _first_line(RuntimeError("file x.csv, row 3: bad\nStack")) == "file x.csv, row 3: bad"
    assert _first_line(RuntimeError("")) == "RuntimeError"


def test_failed_checks_are_listed_with_their_severity(capsys):
    import dagster as dg

    from taskvalue_cli.main import _print_failed_checks

    @dg.asset
    def table():
        return None

    @dg.asset_check(asset=table, blocking=True)
    def table__has_rows():
        return dg.AssetCheckResult(passed=False)

    @dg.asset_check(asset=table)
    def table__is_fresh():
        rows = "\n".join(f"- row {n}: stale" for n in range(1, 13))
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_flagged": 12, "rows": dg.MetadataValue.md(rows), "by": dg.MetadataValue.json({})},
        )

    @dg.asset_check(asset=table)
    def table__is_unique():
        return dg.AssetCheckResult(passed=True)

    result = dg.materialize([table, table__has_rows, table__is_fresh, table__is_unique], raise_on_error=False)
    capsys.readouterr()  # Dagster's own log of the run

    class Reexecuted:  # a re-executed step evaluates its check again: printed once all the same
        def get_asset_check_evaluations(self):
            return result.get_asset_check_evaluations() * 2

    _print_failed_checks(Reexecuted())
    # each once, a warning with what its metadata names: counts, then the first 10 lines of its list
    assert capsys.readouterr().err.splitlines() == [
        "check failed (error): table__has_rows",
        "check warning: table__is_fresh",  # not "failed": a persona read that as a failed run
        "    rows_flagged: 12",
        *[f"    - row {n}: stale" for n in range(1, 11)],
        "    ... 2 more: the check in the Dagster UI lists them all (`make dev`, this run's checks)",
    ]


def test_a_check_step_is_printed_ran_not_ok(capsys):
    # a persona read "[70/144] ok ..._no_row_quarantined", then "check failed (warn)" (27 Nov): a
    # hook cannot see a check's outcome (a warn check's step succeeds), so a check's step says "ran"
    import dagster as dg

    from taskvalue_cli.main import _Progress, check_step_keys

    @dg.asset
    def table():
        return None

    @dg.asset_check(asset=table)
    def table__is_fresh():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    job = dg.define_asset_job("j")
    defs = dg.Definitions(assets=[table], asset_checks=[table__is_fresh], jobs=[job])
    progress = _Progress(check_step_keys(defs))
    assert progress.check_steps == {"table_table__is_fresh"}
    assert defs.resolve_job_def("j").with_hooks(progress.hooks()).execute_in_process().success
    printed = [x for x in capsys.readouterr().out.splitlines() if x.startswith("[")]
    steps = sorted(x.split("] ", 1)[1].split(" (")[0] for x in printed)
    assert steps == ["ok   table", "ran  table_table__is_fresh"]


def test_refresh_refuses_to_start_beside_a_running_writer(refresh_env):
    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

    with DagsterInstance.from_config(str(refresh_env / "dagster_home")) as instance:
        instance.add_run(
            DagsterRun(
                job_name="inventory_refresh_job",
                run_id="0f0f0f0f-0000-0000-0000-000000000001",
                status=DagsterRunStatus.STARTED,
                tags={"taskvalue/writer": "work_db"},
            )
        )
    result = runner.invoke(app, ["refresh", "--select", "key:int/domain_definitions"])
    assert result.exit_code == 2, result.output
    assert (
        "inventory_refresh_job 0f0f0f0f-0000-0000-0000-000000000001 is writing the work database"
        in result.output
    )
    assert not (refresh_env / "work" / "taskvalue.duckdb").exists()


def test_refresh_refuses_to_start_beside_a_materialize_from_the_asset_graph(refresh_env):
    # the UI's Materialize runs the implicit asset job: no writer tag, but its steps are in the work
    # database's pool (it used to go unnoticed, and the refresh ran beside it)
    from dagster import AssetKey, DagsterInstance, DagsterRunStatus

    from orchestration.definitions import defs

    with DagsterInstance.from_config(str(refresh_env / "dagster_home")) as instance:
        run = instance.create_run_for_job(
            job_def=defs.resolve_implicit_global_asset_job_def(),
            status=DagsterRunStatus.STARTED,
            asset_selection={AssetKey(["marts", "task_value"])},
        )
        assert run.tags == {}
    result = runner.invoke(app, ["refresh", "--select", "key:int/domain_definitions"])
    assert result.exit_code == 2, result.output
    assert f"__ASSET_JOB {run.run_id} is writing the work database" in result.output
    assert not (refresh_env / "work" / "taskvalue.duckdb").exists()


def test_a_writer_run_left_by_a_killed_cli_refresh_is_named_as_such(refresh_env):
    import socket

    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs
    with DagsterInstance.from_config(str(refresh_env / "dagster_home")) as instance:
        instance.add_run(  # what `kill -9` of a CLI refresh leaves: STARTED, with the CLI's tags
            DagsterRun(
                job_name="refresh_job",
                run_id="0f0f0f0f-0000-0000-0000-000000000002",
                status=DagsterRunStatus.STARTED,
                tags={
                    "taskvalue/writer": "work_db",
                    "taskvalue/cli_host": socket.gethostname(),
                    "taskvalue/cli_pid": str(gone.pid),
                },
            )
        )
    result = runner.invoke(app, ["refresh", "--select", "key:int/domain_definitions"])
    assert result.exit_code == 2, result.output
    assert (
        f"refresh_job 0f0f0f0f-0000-0000-0000-000000000002 is recorded as running, but the `taskvalue "
        f"refresh` that started it (pid {gone.pid} on this host) is gone" in result.output
    )
    assert "is writing the work database now" not in result.output


def test_a_cli_refresh_tags_its_run_with_its_process(refresh_env):
    import socket

    from dagster import DagsterInstance

    result = runner.invoke(app, ["refresh", "--select", "key:int/domain_definitions"])
    assert result.exit_code == 0, result.output
    with DagsterInstance.from_config(str(refresh_env / "dagster_home")) as instance:
        (record,) = instance.get_run_records()
    tags = record.dagster_run.tags
    assert tags["taskvalue/cli_host"] == socket.gethostname()
    assert tags["taskvalue/cli_pid"] == str(os.getpid())  # CliRunner runs the command in this process


@pytest.mark.slow
def test_refresh_runs_the_whole_job_with_progress_and_publishes(refresh_env, monkeypatch, shared_data):
    from orchestration.definitions import defs

    monkeypatch.setenv("TASKVALUE_MIRROR", str(shared_data))
    steps = len(defs.resolve_job_def("refresh_job").graph.node_dict)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0, result.output
    assert f"refresh_job: publishes {refresh_env / 'taskvalue.duckdb'}" in result.output
    # which inventory it reads: a refresh without TASKVALUE_INVENTORY_DIR read the example's, silently
    assert "refresh_job: reads the inventory in " in result.output
    # and which matcher: a persona's switch back from hybrid moved 15 domains' coverage unannounced
    assert "refresh_job: matches inventory tasks with tfidf (TASKVALUE_MATCHER)" in result.output
    assert "ok   staging__soc_structure" in result.output
    assert "ran  staging__soc_structure_" in result.output  # a check's step
    assert f"[{steps}/{steps}] ok   warehouse__published" in result.output
    assert "refresh_job succeeded" in result.output
    # where the reports are, and the inventory's verdict as the index counts it (a persona found the
    # reports through the README: the log named the warehouse only)
    assert f"Reports: {refresh_env / 'reports' / 'index.html'}" in result.output
    assert (refresh_env / "reports" / "index.html").is_file()
    with duckdb.connect(str(refresh_env / "taskvalue.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.task_value").fetchone()[0] == 18796
        g, u, v, n, total = con.execute(
            "select count(*) filter (where grounding = 'grounded' and not is_excluded_status), "
            "count(*) filter (where grounding = 'ungrounded' and not is_excluded_status), "
            "count(*) filter (where grounding = 'unverified' and not is_excluded_status), "
            "count(*) filter (where not is_excluded_status), count(*) from marts.inventory_grounding"
        ).fetchone()
    assert (n, total) == (157, 176) and g > 80  # the example: 19 tasks retired or deprecated
    assert (
        f"Inventory: {n} tasks counted, {total - n} with an excluded status left out: {g} grounded, "
        f"{u} ungrounded, {v} unverified; 0 rows not loaded (quarantined)."
    ) in result.output


def test_a_broken_domains_file_is_reported_not_a_traceback(warehouse, tmp_path):
    domains = tmp_path / "domains.toml"
    domains.write_text("[[domain]\nid = 'x'\n")
    env = {"TASKVALUE_DOMAINS_FILE": str(domains), "TASKVALUE_WORK_DB": str(tmp_path / "work" / "t.duckdb")}
    # a refresh would fail half way (int.domain_definitions reads the file): refused before any work
    proc = _cli(["refresh"], warehouse, **env)
    out, err = proc.communicate()
    assert proc.returncode == 2, err.decode()
    assert err.decode().splitlines()[-1].startswith(f"SourceFormatError: file {domains}: not valid TOML")
    assert "Traceback" not in err.decode()
    assert not (tmp_path / "work" / "t.duckdb").exists()
    # a report reads the published warehouse, built from the file as it was: it still works, and
    # the warning names the broken file
    proc = _cli(["report", "--domain", "food"], warehouse, **env)
    out, err = proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert f"no per-domain report assets declared: file {domains}: not valid TOML" in err.decode()
    assert "Traceback" not in err.decode()


def test_report_suggests_the_domain_a_typo_meant(warehouse):
    result = runner.invoke(app, ["report", "--domain", "copywritting"])
    assert result.exit_code == 2
    assert (
        "Unknown domain 'copywritting'. Did you mean: digital-copywriting (as 'copywriting')?"
        in result.output
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["report", "--domain", "legal"], {"TASKVALUE_COVERAGE_MAX_RANK": "x"}, "TASKVALUE_COVERAGE_MAX_RANK='x': expected a whole number"),
        (["refresh"], {"TASKVALUE_MATCH_TOP_K": "x"}, "TASKVALUE_MATCH_TOP_K='x': expected a whole number"),
        (["refresh"], {"TASKVALUE_TIER_THRESHOLDS_USD": "15,15"}, "tier_thresholds_usd (TASKVALUE_TIER_THRESHOLDS_USD) must be strictly ascending"),
        # it stopped the run at int.domain_tier_order, step 90
        (["refresh"], {"TASKVALUE_COVERAGE_TOP_TIERS": "5"}, "TASKVALUE_COVERAGE_BOTTOM_TIERS=0 and TASKVALUE_COVERAGE_TOP_TIERS=5 make 2 bottom and 5 top bands of the 6 tier bands"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_and_exit_2_not_a_traceback(warehouse, args, env, message):
    proc = _cli(args, warehouse, **env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode().startswith(f"SettingError: {message}") and err.decode().count("\n") == 1
    assert b"Traceback" not in err and out == b""


def test_refresh_refuses_a_named_attribute_file_that_is_not_there(warehouse, tmp_path):
    # it used to start, fail at step 6 between two tracebacks, run on for 40 s and exit 1
    proc = _cli(["refresh"], warehouse, TASKVALUE_TASK_ATTRIBUTES=str(tmp_path / "missing.tsv"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode() == (
        f"SourceFormatError: file {tmp_path / 'missing.tsv'}: task attribute file not found "
        "(TASKVALUE_TASK_ATTRIBUTES / value_settings.task_attributes_path); set it empty for no attribute file\n"
    )


def test_refresh_refuses_an_attribute_file_without_its_id_column_before_any_work(warehouse, tmp_path):
    # it stopped at int.task_attributes_raw, after the ingest and staging steps
    attributes = tmp_path / "labels.csv"
    attributes.write_text("onet_task,exposure\n8823,0.5\n")
    work = tmp_path / "work" / "t.duckdb"
    proc = _cli(
        ["refresh"], warehouse, TASKVALUE_TASK_ATTRIBUTES=str(attributes), TASKVALUE_WORK_DB=str(work)
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode() == (
        f"SourceFormatError: file {attributes}: no Task ID column 'Task ID' (set "
        "TASKVALUE_TASK_ATTRIBUTES_TASK_ID_COLUMN to its name); columns: ['onet_task', 'exposure']\n"
    )
    assert out == b"" and not work.exists()


@pytest.mark.parametrize(
    "variable, name, message",
    [
        # it failed at step 78, after 42 s of work
        (
            "TASKVALUE_INVENTORY_OVERRIDES",
            "missing.csv",
            "overrides file {} does not exist (TASKVALUE_INVENTORY_OVERRIDES",
        ),
        # it failed at step 55, 29 s in
        ("TASKVALUE_INVENTORY_DIR", "nowhere", "inventory directory {} does not exist"),
        (
            "TASKVALUE_INVENTORY_OVERRIDES",
            "",
            "overrides file {} is a directory: TASKVALUE_INVENTORY_OVERRIDES",
        ),
    ],
)
def test_refresh_refuses_a_missing_inventory_path_before_any_work(
    warehouse, tmp_path, variable, name, message
):
    proc = _cli(["refresh"], warehouse, **{variable: str(tmp_path / name)})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode().startswith("TaskvalueError: " + message.format(tmp_path / name))
    assert b"Traceback" not in err and out == b""


def test_a_relative_embedding_model_path_that_is_not_there_is_refused_in_words(tmp_path, monkeypatch):
    # './models/minilm' made importlib raise TypeError (a relative import): a traceback
    from assets.common.errors import TaskvalueError
    from assets.inventory.matching.matchers import require_embedding_model

    monkeypatch.chdir(tmp_path)
    for ref in ("./models/minilm", "../minilm", ".hidden"):
        with pytest.raises(TaskvalueError, match="is neither a local directory nor an installed package"):
            require_embedding_model("embeddings", ref)
    require_embedding_model("tfidf", "./models/minilm")  # the text matcher needs no model
    (tmp_path / "models" / "minilm").mkdir(parents=True)
    require_embedding_model("hybrid", "./models/minilm")  # a directory is taken as given


def test_refresh_refuses_an_embedding_model_that_is_not_there_before_any_work(warehouse, tmp_path):
    # it failed at step 88 of 144, 20 s in, followed by 20 "not executing" lines
    proc = _cli(
        ["refresh"],
        warehouse,
        TASKVALUE_MATCHER="hybrid",
        TASKVALUE_EMBEDDING_MODEL=str(tmp_path / "no-model"),
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode().startswith(
        f"TaskvalueError: embedding model '{tmp_path / 'no-model'}' is neither a local directory nor an "
        "installed package."
    )
    assert err.decode().rstrip().endswith("(TASKVALUE_MATCHER=hybrid)")
    assert b"Traceback" not in err and out == b""


def test_refresh_names_a_misspelt_setting(warehouse, tmp_path):
    proc = _cli(
        ["refresh"], warehouse, TASKVALUE_LOADED_COST="1.3", TASKVALUE_TASK_ATTRIBUTES=str(tmp_path / "x")
    )
    _, err = proc.communicate(timeout=120)
    assert err.decode().startswith(
        "warning: TASKVALUE_LOADED_COST is no taskvalue setting and is ignored (did you mean "
        "TASKVALUE_LOADED_COST_MULTIPLIER?)\n"
    )  # then refused for the missing attribute file: no refresh runs in this test
    assert proc.returncode == 2
