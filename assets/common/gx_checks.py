"""Great Expectations suites run as blocking Dagster asset checks against DuckDB tables.

GX 1.x cannot validate DuckDB through its SQL datasource, so each suite queries DuckDB into a pandas
frame and validates that (see ../shared/STACK.md). Expectations are declared as plain data so that
loading the Definitions does not pay for importing GX (about 5 s); GX is imported once, on first use.
"""

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.results import markdown_table

FAILING_ROWS_SHOWN = 20


@dataclass(frozen=True)
class Expectation:
    """A GX expectation by class name, e.g. Expectation("ExpectColumnValuesToBeUnique", column="x")."""

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __init__(self, kind: str, **kwargs: Any):
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "kwargs", kwargs)

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items() if k != "value_set")
        return f"{self.kind}({args})"

    def plain(self) -> str:
        """What the expectation says, in words, for the check's description in the UI."""
        k, col = self.kwargs, f"`{self.kwargs.get('column')}`"
        low, high = k.get("min_value"), k.get("max_value")
        bounds = (
            f"between {low} and {high}"
            if low is not None and high is not None
            else f"at least {low}"
            if low is not None
            else f"at most {high}"
            if high is not None
            else "unbounded"
        )
        values = k.get("value_set") or []
        phrases = {
            "ExpectColumnValuesToBeUnique": f"{col} is unique",
            "ExpectCompoundColumnsToBeUnique": f"({', '.join(k.get('column_list', []))}) is unique",
            "ExpectColumnValuesToNotBeNull": f"{col} is never null",
            "ExpectColumnValuesToBeBetween": f"{col} is {bounds}",
            "ExpectColumnValuesToBeInSet": f"{col} holds"
            if values == [True]
            else f"{col} is one of {values}",
            "ExpectColumnValuesToMatchRegex": f"{col} matches {k.get('regex')!r}",
            "ExpectTableRowCountToBeBetween": f"the row count is {bounds}",
            "ExpectColumnToExist": f"column {col} exists",
        }
        return phrases.get(self.kind, self.describe())


# Short constructors for the expectations used across suites.
def unique(*columns: str) -> Expectation:
    if len(columns) == 1:
        return Expectation("ExpectColumnValuesToBeUnique", column=columns[0])
    return Expectation("ExpectCompoundColumnsToBeUnique", column_list=list(columns))


def not_null(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToNotBeNull", column=column)


def between(column: str, min_value: float | None = None, max_value: float | None = None, **kw) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToBeBetween", column=column, min_value=min_value, max_value=max_value, **kw
    )


def in_set(column: str, values: Sequence[Any]) -> Expectation:
    return Expectation("ExpectColumnValuesToBeInSet", column=column, value_set=list(values))


def true(column: str) -> Expectation:
    """Every value of a boolean column computed by the suite's query is true; a null is not (GX's
    in-set test skips nulls, so run_suite reads a null as false: a comparison with a null, such as a sum
    over nothing, must fail the check, not pass it)."""
    return Expectation("ExpectColumnValuesToBeInSet", column=column, value_set=[True])


def row_count_between(min_value: int | None = None, max_value: int | None = None) -> Expectation:
    return Expectation("ExpectTableRowCountToBeBetween", min_value=min_value, max_value=max_value)


def columns_exist(*columns: str) -> list[Expectation]:
    return [Expectation("ExpectColumnToExist", column=c) for c in columns]


@dataclass(frozen=True)
class GxSuite:
    """A named suite: a DuckDB query, the expectations on its result, the columns naming a failing row.
    With `for_database`, the suite a check runs is `for_database(connection)`, for a query that depends
    on what the database holds (this one then names and describes the check)."""

    name: str
    query: str
    expectations: Sequence[Expectation]
    row_id_columns: Sequence[str] = ()
    description: str = ""
    for_database: Callable[[Any], "GxSuite"] | None = None


_lock = threading.Lock()


@cache
def _gx_context():
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return gx, context, context.data_sources.add_pandas("duckdb_frames")


def _is_truth(e: Expectation) -> bool:
    return e.kind == "ExpectColumnValuesToBeInSet" and e.kwargs.get("value_set") == [True]


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def _declared(result, pending: list[Expectation]) -> str:
    """The declared expectation a GX result belongs to, described. GX does not return results in the
    order they were added, so they are matched by type and arguments, not by position."""
    config = result.expectation_config
    for i, e in enumerate(pending):
        if _snake(e.kind) == config.type and all(config.kwargs.get(k) == v for k, v in e.kwargs.items()):
            return pending.pop(i).describe()
    args = ", ".join(f"{k}={v!r}" for k, v in config.kwargs.items() if k not in ("batch_id", "value_set"))
    return f"{config.type}({args})"


def run_suite(frame, suite: GxSuite) -> tuple[bool, list[dict[str, Any]]]:
    """Validate a pandas frame; return (success, one dict per failed expectation)."""
    truths = [e.kwargs["column"] for e in suite.expectations if _is_truth(e) and e.kwargs["column"] in frame]
    if truths:  # a null is not true (see `true`)
        frame = frame.assign(**{c: frame[c].where(frame[c].notna(), False) for c in truths})
    with _lock:
        gx, _context, source = _gx_context()
        asset_name = f"{suite.name}"
        try:
            asset = source.get_asset(asset_name)
        except LookupError:
            asset = source.add_dataframe_asset(asset_name)
        try:
            batch_def = asset.get_batch_definition("whole")
        except (KeyError, LookupError):
            batch_def = asset.add_batch_definition_whole_dataframe("whole")
        gx_suite = gx.ExpectationSuite(name=suite.name)
        for e in suite.expectations:
            gx_suite.add_expectation(getattr(gx.expectations, e.kind)(**e.kwargs))
        batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
        result_format: dict[str, Any] = {"result_format": "COMPLETE"}
        id_cols = [c for c in suite.row_id_columns if c in frame.columns]
        if id_cols:
            result_format["unexpected_index_column_names"] = id_cols
        validation = batch.validate(gx_suite, result_format=result_format)
        # the data source's engine keeps every frame it validated for the life of the process: at 1M
        # inventory rows the tasks suite's frame held ~0.8 GB through matching and every later step
        manager = batch.data.execution_engine.batch_manager
        manager.reset_batch_cache()
        manager.batch_data_cache.clear()
        del batch, manager
    failures = []
    pending = list(suite.expectations)
    for res in validation.results:
        described = _declared(res, pending)
        if res.success:
            continue
        info = res.result or {}
        failures.append(
            {
                "expectation": described,
                "unexpected_count": info.get("unexpected_count"),
                "observed_value": _plain(info.get("observed_value")),
                "failing_rows": [
                    _ids_first(_plain(r), id_cols) for r in (info.get("unexpected_index_list") or [])
                ][:FAILING_ROWS_SHOWN],
                "failing_values": [_plain(v) for v in (info.get("partial_unexpected_list") or [])][
                    :FAILING_ROWS_SHOWN
                ],
                "error": (res.exception_info or {}).get("exception_message"),
            }
        )
    return validation.success, failures


def _ids_first(row: Any, id_cols: Sequence[str]) -> Any:
    """A failing row with the columns naming it first (GX puts the tested value first, and a long
    task text pushed the Task ID past the sample's cut), long texts shortened."""
    if not isinstance(row, dict):
        return row
    ordered = {k: row[k] for k in id_cols if k in row} | row
    return {k: (v[:77] + "…" if isinstance(v, str) and len(v) > 80 else v) for k, v in ordered.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def failures_markdown(failures: list[dict[str, Any]]) -> str:
    rows = []
    for f in failures:
        sample = f["failing_rows"] or f["failing_values"] or f["observed_value"] or f["error"]
        rows.append((f["expectation"], f["unexpected_count"], str(sample)[:400]))
    return markdown_table(["expectation", "unexpected", "failing rows (sample)"], rows)


def _default_description(suite: GxSuite) -> str:
    # The UI lists checks by name; without a written description, say what the suite expects.
    listed = "; ".join(e.plain() for e in suite.expectations)
    return f"Blocking Great Expectations suite of {len(suite.expectations)}: {listed}."


def gx_asset_check(
    asset_key: AssetKey | Sequence[str], suite: GxSuite, also_reads: Sequence[AssetKey] = ()
) -> AssetChecksDefinition:
    """A blocking asset check that runs `suite` against the working database. `also_reads`: other
    tables its query reads, which the check waits for and is skipped without (when one failed, it
    raised "Table ... does not exist", or read a previous run's table in a reused work database)."""
    key = AssetKey(asset_key) if not isinstance(asset_key, AssetKey) else asset_key

    @asset_check(
        pool=WORK_DB_POOL,
        asset=key,
        name=suite.name,
        blocking=True,
        description=suite.description or _default_description(suite),
        additional_deps=list(also_reads),
    )
    def _check(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            run = suite.for_database(con) if suite.for_database else suite
            frame = con.sql(run.query).df()
        result = suite_check_result(frame, run)
        if not result.passed:
            if source := _source_file(context, key):
                # a staging table's failing rows name their source_row: say which file it counts in
                result = AssetCheckResult(
                    passed=result.passed,
                    severity=result.severity,
                    metadata={
                        "source_file": MetadataValue.md(
                            f"rows read from {source} (source_row: the row's line in that file)"
                        ),
                        **result.metadata,
                    },
                )
            context.log.error(f"{run.name} failed: {result.metadata['failures'].value}")
        return result

    return _check


def _source_file(context: AssetCheckExecutionContext, key: AssetKey) -> str | None:
    """The file the checked asset was last loaded from (its `source_file` metadata: staging tables)."""
    event = context.instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    value = materialization.metadata.get("source_file") if materialization else None
    return str(value.value) if value is not None else None


def suite_check_result(
    frame, suite: GxSuite, check_name: str | None = None, extra: dict[str, Any] | None = None
) -> AssetCheckResult:
    """`suite` run on `frame` as a blocking check's result: rows and expectations counted, and on failure
    the failed expectations (markdown) and their rows; `check_name` when an asset reports it itself."""
    success, failures = run_suite(frame, suite)
    metadata: dict[str, Any] = {
        "rows_validated": MetadataValue.int(len(frame)),
        "expectations": MetadataValue.int(len(suite.expectations)),
        **(extra or {}),
    }
    if failures:
        metadata["failures"] = MetadataValue.md(failures_markdown(failures))
        metadata["failing_rows"] = MetadataValue.json(failures)
    return AssetCheckResult(
        check_name=check_name, passed=success, severity=AssetCheckSeverity.ERROR, metadata=metadata
    )
