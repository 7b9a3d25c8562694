"""Settings, the label mapping and the attribute reader, without running the graph."""

from pathlib import Path

import polars as pl
import pytest

from assets.common.errors import SourceFormatError
from assets.value.attributes import read_task_attributes
from assets.value.config import value_settings_from_env
from assets.value.seeds import read_activity_labels, tier_frame

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "value"


def test_settings_from_environment():
    s = value_settings_from_env(
        environ={
            "TASKVALUE_TIER_THRESHOLDS_USD": "20,200",
            "TASKVALUE_LOADED_COST_MULTIPLIER": "1.42",
            "TASKVALUE_WEIGHTING_METHOD": "importance",
            "TASKVALUE_PRIORITY_DIGITAL_ONLY": "false",
        }
    )
    assert s.tier_thresholds_usd == [20.0, 200.0]
    assert s.loaded_cost_multiplier == 1.42
    assert s.weighting_method == "importance"
    assert s.priority_digital_only is False
    with pytest.raises(ValueError, match="ascending"):
        value_settings_from_env(environ={"TASKVALUE_TIER_THRESHOLDS_USD": "50,20"})
    with pytest.raises(ValueError, match="7 rates"):
        value_settings_from_env(environ={"TASKVALUE_FT_RATES": "1,2,3"})


def test_tiers_with_loaded_cost():
    tiers = tier_frame([15.0, 200.0], 1.25)
    assert tiers["tier"].to_list() == ["$0-15/hr", "$15-200/hr", "$200+/hr"]
    # $200/hr loaded cost = $160/hr wage at 1.25
    assert str(tiers["wage_min_usd"][2]) == "160.00"


@pytest.mark.parametrize(
    ("var", "raw", "message"),
    [
        # accepted before, then the run died at int.task_weight_variants (HUGEINT / BIGINT overflow)
        ("TASKVALUE_FT_RATES", ",".join(["1e33"] * 7), "between 0 and 1,000,000 times a year"),
        ("TASKVALUE_CORE_POINTS", "1000000000000000000000", "between 1 and 1,000,000"),
        # accepted before, and every weight silently fell back to core_supplemental
        ("TASKVALUE_FT_RATES", "0,0,0,0,0,0,0", "at least 0.000001 a year"),
        ("TASKVALUE_FT_RATES", "0,0,0,0,0,0,1e-7", "at least 0.000001 a year"),
    ],
)
def test_settings_the_sql_cannot_honour_are_refused(var, raw, message):
    with pytest.raises(ValueError, match=message):
        value_settings_from_env(environ={var: raw})


def test_tier_labels_keep_cents_and_wage_bounds_are_the_first_wage_in_the_tier():
    # {:g} wrote 12345.67 as 12345.7, and 10000.01 and 10000.02 as one label (a check failed mid-run)
    assert tier_frame([10000.01, 10000.02, 12345.67], 1.0)["tier"].to_list() == [
        "$0-10000.01/hr",
        "$10000.01-10000.02/hr",
        "$10000.02-12345.67/hr",
        "$12345.67+/hr",
    ]
    # at 1.42 a $45.77 wage costs $64.99 (below $65) and $45.78 costs $65.01: the tier starts at 45.78
    # (65 / 1.42 = 45.774 rounded to the cent said 45.77)
    assert str(tier_frame([65.0], 1.42)["wage_min_usd"][1]) == "45.78"
    # a multiplier below 1 maps many wage cents onto one loaded cent: the first of them (149.95 x 0.1
    # rounds to 15.00), and never a negative bottom
    tiers = tier_frame([15.0], 0.1)
    assert [str(x) for x in tiers["wage_min_usd"]] == ["0.00", "149.95"]


def test_label_mapping_is_complete_and_valid():
    labels = read_activity_labels()
    gwas = labels.filter(pl.col("level") == "gwa")
    assert gwas.height == 41  # every GWA of the O*NET content model (4.A.x.y.n)
    assert set(labels["nature"]) == {"judgment", "routine", "interpersonal", "physical"}


def test_label_mapping_rejects_unknown_nature(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_text(
        "level,element_id,element_name,nature,is_digital,rationale\ngwa,4.A.1.a.1,x,creative,true,r\n"
    )
    with pytest.raises(SourceFormatError, match="row 2.*nature"):
        read_activity_labels(bad)


def test_attribute_reader_keeps_every_row():
    long, names = read_task_attributes(FIXTURES / "attributes.csv", "Task ID", "O*NET-SOC Code")
    assert names == ["exposure"]  # the unnamed index and the text column are not attributes
    assert long.height == 7
    assert long.filter(pl.col("task_id_raw") == "abc")["task_id"].to_list() == [None]
    assert long["task_id"].to_list()[:3] == [21667, 21670, 21673]  # 21667.0 -> 21667


def test_attribute_reader_needs_task_id(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("id,x\n1,2\n")
    with pytest.raises(SourceFormatError, match="Task ID"):
        read_task_attributes(f, "Task ID", "O*NET-SOC Code")


def test_a_label_row_with_a_mistyped_activity_id_fails_its_check():
    import duckdb

    from assets.common.gx_checks import run_suite
    from assets.value.checks import SUITES

    suite = next(
        s
        for s in SUITES[("int", "activity_labels")]
        if s.name.endswith("name_their_activity_by_id_and_title")
    )
    con = duckdb.connect()
    con.execute("create schema staging; create schema int")
    con.execute(
        "create table staging.onet_content_model_reference as "
        "select '4.A.4.b.4' as element_id, 'Guiding, Directing, and Motivating Subordinates' as element_name"
    )
    con.execute(
        "create table staging.onet_iwa_reference as select * from (values "
        "('4.A.4.b.4', '4.A.4.b.4.I09', 'Manage budgets or finances.'), "
        "('4.A.4.b.4', '4.A.4.b.4.I13', 'Assign work to others.')) t(gwa_id, iwa_id, iwa_title)"
    )
    con.execute(
        "create table staging.onet_dwa_reference as select '4.A.4.b.4' as gwa_id, '4.A.4.b.4.I12' as iwa_id, "
        "'4.A.4.b.4.I12.D39' as dwa_id, 'Direct organizational operations, projects, or services.' as dwa_title"
    )
    con.execute(
        "create table int.activity_labels as select * from (values "
        "('gwa', '4.A.4.b.4', 'Guiding, Directing, and Motivating Subordinates'), "  # right
        "('iwa', '4.A.4.b.4.I09', 'Manage budgets or finances.'), "  # right
        "('iwa', '4.A.4.b.4.I13', 'Manage budgets or finances.'), "  # I13 typed for I09: another activity
        "('dwa', '4.A.4.b.4.I12.39', 'Direct organizational operations, projects, or services.'), "  # no D
        "('iwa', '4.A.4.b.4.I77', 'An activity a later release dropped.')"  # allowed
        ") t(level, element_id, element_name)"
    )
    ok, failures = run_suite(con.execute(suite.query).df(), suite)
    assert not ok
    failing = {f["expectation"]: f["failing_rows"] for f in failures}
    assert [r["element_id"] for r in failing["ExpectColumnValuesToBeInSet(column='id_fits_level')"]] == [
        "4.A.4.b.4.I12.39"
    ]
    assert [r["element_id"] for r in failing["ExpectColumnValuesToBeInSet(column='name_matches')"]] == [
        "4.A.4.b.4.I13"
    ]


def test_a_configured_attribute_file_that_does_not_exist_stops_the_run_naming_it(tmp_path, monkeypatch):
    # only the default (../shared/data beside the project) may be absent; a path someone set must exist
    from dagster import AssetKey

    from tests.conftest import FIXTURES, failure_text, run_refresh

    missing = tmp_path / "labels.tsv"
    monkeypatch.setenv("TASKVALUE_TASK_ATTRIBUTES", str(missing))
    result, _ = run_refresh(
        tmp_path,
        FIXTURES / "mirror",
        selection=[AssetKey(["int", "task_attributes_raw"])],
        raise_on_error=False,
    )
    assert not result.success
    text = failure_text(result, "int__task_attributes_raw")
    assert f"file {missing}: task attribute file not found" in text


def test_a_failed_expectation_is_named_as_declared_and_a_null_truth_fails():
    # GX returns results in its own order: pairing them with the declared list by position named the
    # wrong expectation (a null occ_title reported as a regex on occ_code). And its in-set test skips
    # nulls, so a truth column that came out null (a comparison with a sum over nothing) passed.
    import pandas as pd

    from assets.common.gx_checks import GxSuite, between, in_set, not_null, run_suite, true, unique

    frame = pd.DataFrame(
        {
            "a": [1, 2, 3],
            "b": ["x", None, "z"],
            "c": ["k", "k", "k"],
            "d": [True, None, True],
            "e": [0.1, 0.5, 0.9],
        }
    )
    suite = GxSuite(
        "probe",
        "",
        [between("e", 0, 1), in_set("c", ["k"]), true("d"), unique("a"), not_null("b")],
        row_id_columns=["a"],
    )
    ok, failures = run_suite(frame, suite)
    assert not ok
    got = {f["expectation"]: [r["a"] for r in f["failing_rows"]] for f in failures}
    assert got == {
        "ExpectColumnValuesToBeInSet(column='d')": [2],
        "ExpectColumnValuesToNotBeNull(column='b')": [2],
    }


def test_a_join_reaching_less_than_98_pct_of_oes_employment_warns(tmp_path):
    import duckdb
    from dagster_duckdb import DuckDBResource

    from assets.value.join_warning import tasks_reach_oes_employment

    path = tmp_path / "w.duckdb"
    results = {}
    for share in (0.986, 0.5):
        with duckdb.connect(str(path)) as con:
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.join_quality as "
                f"select 'coverage' as section, 150000000 as employment, {share} as share_of_oes_detailed_employment"
            )
        results[share] = tasks_reach_oes_employment(duckdb=DuckDBResource(database=str(path)))
    assert results[0.986].passed and not results[0.5].passed
    assert results[0.5].severity.value == "WARN"
    assert results[0.5].metadata["share_of_oes_detailed_employment"].value == 0.5
