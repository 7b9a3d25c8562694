"""Bring-your-own task attributes, re-derived independently of the SQL.

The fast tests join tests/fixtures/attributes_review/traps.csv (its README lists the trap in each
row) onto the fixture mirror's task values and build the three attribute marts from their SQL. The
slow test recomputes the marts on the real labelset with pandas and exact decimals.
"""

from decimal import ROUND_HALF_EVEN
from decimal import Decimal as D
from pathlib import Path

import pytest

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, replace_table_from_frame
from assets.value import attributes

TRAPS = Path(__file__).resolve().parents[1] / "fixtures" / "attributes_review" / "traps.csv"
MARTS = ["task_attribute_value", "task_attribute_unmatched", "occupation_attribute_value"]


def cents(x: D) -> D:
    return x.quantize(D("0.01"), ROUND_HALF_EVEN)


@pytest.fixture(scope="module")
def traps(fixture_settings):
    """In-memory copy of the fixture warehouse's inputs, with traps.csv as the attribute file."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{fixture_settings.warehouse}' as fx (read_only)")
    for schema, table in [
        ("marts", "task_value"),
        ("marts", "occupation_value"),
        ("int", "task_weights"),
        ("staging", "onet_task_statements"),
    ]:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {schema}.{table} as select * from fx.{schema}.{table}")
    con.execute("detach fx")
    long, _ = attributes.read_task_attributes(TRAPS, "Task ID", "O*NET-SOC Code")
    replace_table_from_frame(con, "int.task_attributes_raw", long, column_docs=attributes.RAW_DOCS)
    for table in MARTS:
        build_sql_model(con, load_model("marts", table))
    yield con
    con.close()


def test_missing_value_markers_keep_a_column_numeric_and_labels_are_reported():
    read = attributes.read_attribute_file(TRAPS, "Task ID", "O*NET-SOC Code")
    # 'share' holds NA and n/a: read as text it would silently stop being an attribute
    assert read.attributes == ["score", "flag", "share"]
    assert read.ignored == {"": "index", "label": "not numeric (data row 1: 'E1')"}
    values = {
        (r["source_row"], r["attribute"]): r["attribute_value"]
        for r in read.long.iter_rows(named=True)
        if r["source_row"] in (1, 3, 6, 9)
    }
    assert values[(1, "share")] is None and values[(6, "share")] is None  # NA, n/a
    assert values[(9, "score")] is None  # empty cell
    assert values[(1, "flag")] == 1.0 and values[(6, "flag")] == 0.0  # True / False
    # the keys as written, not as a float re-formatted them
    raw = dict(read.long.select("source_row", "task_id_raw").unique().iter_rows())
    assert raw[1] == "21667.0" and raw[10] == "1892" and raw[8] == "1886.5"


def test_the_real_labelset_exposure_labels_are_reported_not_numbers(shared_data):
    read = attributes.read_attribute_file(
        shared_data / "gpts_are_gpts" / "full_labelset.tsv", "Task ID", "O*NET-SOC Code"
    )
    # alpha/beta/gamma are the paper's numeric encodings of gpt4_exposure (E1 = 1; E2 = 0.5 in beta,
    # 1 in gamma); the E/T labels themselves are categories, so they are named, not converted
    assert read.attributes == ["gpt_3_relevant", "alpha", "beta", "gamma", "automation"]
    assert read.ignored["human_exposure_agg"] == "not numeric (data row 1: 'E0')"
    assert read.ignored["gpt4_automation"] == "not numeric (data row 1: 'T2')"
    assert set(read.ignored) == {
        "", "Task", "Task Type", "Title", "human_exposure_agg", "gpt4_exposure",
        "gpt4_exposure_alt_rubric", "gpt4_automation", "human_labels",
    }  # fmt: skip
    assert read.long.height == 19_265 * 5


def test_every_row_is_matched_or_reported_exactly_once(traps):
    matched = {r[0] for r in traps.execute("select source_row from marts.task_attribute_value").fetchall()}
    unmatched = traps.execute(
        "select source_row, onet_soc_code, task_id_raw, reason, duplicate_of_source_row, conflicting_values "
        "from marts.task_attribute_unmatched order by 1"
    ).fetchall()
    assert matched == {1, 2, 6, 9, 10, 11, 12}
    assert unmatched == [
        (3, "15-1252.00", "21667.0", "duplicate_row", 1, True),  # score 1.0 against row 1's 0.5
        (4, "15-1252.00", "21670.0", "duplicate_row", 2, False),
        (5, "11-1011.00", "15382.0", "task_id_under_other_occupation", None, None),
        (7, "11-1011.00", "77777.0", "task_id_not_in_release", None, None),
        (8, "29-2011.00", "1886.5", "task_id_not_a_whole_number", None, None),
    ]
    assert matched.isdisjoint({r[0] for r in unmatched})
    assert len(matched) + len(unmatched) == 12  # data rows of traps.csv


def test_exposed_value_is_the_exact_product_rounded_half_to_even(traps):
    got = dict(
        ((t, a), v)
        for t, a, v in traps.execute(
            "select task_id, attribute, exposed_value_usd from marts.task_attribute_value"
        ).fetchall()
    )
    # a double product puts half-cent ties on either side (the old SQL gave ...672.51, ...826.35)
    assert got[(8824, "score")] == D("3040935672.52")  # 12,163,742,690.06 x 0.25 = ...672.515
    assert got[(21667, "score")] == D("46706586826.34")  # 93,413,173,652.69 x 0.5 = ...826.345
    assert got[(1892, "score")] == D("514059753.96")  # 2,056,239,015.82 x 0.25 = ...753.955
    assert got[(1898, "score")] == D("80193321.62")  # 213,848,857.64 x 0.375 = ...321.615
    assert got[(21670, "share")] == D("2491017964.07")  # x 0.1 (the decimal, not the double)
    assert got[(8823, "share")] == D("1722385964.91")  # row without a code: 8,611,929,824.56 x 0.2
    assert got[(21667, "flag")] == D("93413173652.69") and got[(21670, "flag")] == D("0.00")
    assert got[(8824, "share")] is None and got[(8823, "score")] is None  # n/a, empty


def test_occupations_use_the_task_weights_and_report_coverage(traps):
    got = {
        (r[0], r[1]): r[2:]
        for r in traps.execute(
            "select onet_soc_code, attribute, tasks_count, tasks_with_attribute, weight_covered, "
            "weighted_mean_attribute, wage_bill_usd, exposed_value_usd, exposed_share_of_wage_bill "
            "from marts.occupation_attribute_value"
        ).fetchall()
    }
    weights = dict(traps.execute("select task_id, task_weight from marts.task_value").fetchall())
    assert len(got) == 4 * 3  # every occupation with tasks x every attribute
    # 11-1011.03 has no task in the file: a row that says so, not a missing row and not a zero value
    assert got[("11-1011.03", "score")] == (2, 0, 0, None, D("20800000000.00"), None, None)
    # 29-2011.00: 1886 is not in the file, 1892 and 1898 are; the mean leaves 1886 out
    n, k, covered, mean, bill, exposed, share = got[("29-2011.00", "score")]
    assert (n, k) == (3, 2)
    assert covered == pytest.approx(weights[1892] + weights[1898], abs=1e-15)
    assert mean == pytest.approx((weights[1892] * 0.25 + weights[1898] * 0.375) / covered, abs=1e-15)
    # exact sum ...753.955 + ...321.615 = 594,253,075.570, rounded once (the rows add up to .58)
    assert exposed == D("594253075.57")
    assert share == pytest.approx(float(exposed / bill), rel=1e-12)
    # 11-1011.00: 8824's score, 8823's empty cell left out
    assert got[("11-1011.00", "score")][1:4] == (1, weights[8824], 0.25)
    assert got[("11-1011.00", "score")][5] == D("3040935672.52")
    # 15-1252.00 flag: only 21667 is true; exposed = its annual value
    assert got[("15-1252.00", "flag")][5] == D("93413173652.69")
    # every task of 15-1252.00 has a score: covered exactly 1; ...826.345 + ...910.18 + 0 -> .52
    assert got[("15-1252.00", "score")][1:3] == (3, 1.0)
    assert got[("15-1252.00", "score")][5] == D("52934131736.52")
    # 'share' is NA for 21667: 21670 and 21673 cover 1 - its weight
    assert got[("15-1252.00", "share")][1:3] == (2, pytest.approx(1 - weights[21667], abs=1e-15))


@pytest.mark.slow
def test_real_labelset_marts_match_an_independent_pandas_derivation(shared_data, real_con):
    import pandas as pd

    raw = pd.read_csv(
        shared_data / "gpts_are_gpts" / "full_labelset.tsv", sep="\t", dtype=str, keep_default_na=False
    )
    tasks = pd.read_csv(
        shared_data / "onet" / "29.0" / "Task Statements.txt", sep="\t", dtype=str, keep_default_na=False
    )
    code_of = dict(zip(tasks["Task ID"].astype(int), tasks["O*NET-SOC Code"], strict=True))
    raw["task_id"] = raw["Task ID"].astype(float).astype(int)  # every ID is written N.0
    in_release = raw["task_id"].map(code_of)
    assert (in_release.dropna() == raw.loc[in_release.notna(), "O*NET-SOC Code"]).all()  # no moved IDs
    assert not raw["task_id"].duplicated().any()
    unmatched = real_con.execute("select source_row, reason from marts.task_attribute_unmatched").fetchall()
    assert sorted(unmatched) == [(i + 1, "task_id_not_in_release") for i in raw.index[in_release.isna()]]

    value = {
        t: (w, v)
        for t, w, v in real_con.execute(
            "select task_id, task_weight, annual_value_usd from marts.task_value"
        ).fetchall()
    }
    bools = {"True": D(1), "False": D(0)}
    expected = {}
    for r in raw[in_release.notna()].itertuples(index=False):
        for a in ["gpt_3_relevant", "alpha", "beta", "gamma", "automation"]:
            x = bools[getattr(r, a)] if a == "gpt_3_relevant" else D(getattr(r, a))
            annual = value[r.task_id][1]
            expected[(r.task_id, a)] = (None if annual is None else annual * x, x)
    got = real_con.execute(
        "select task_id, attribute, attribute_value, exposed_value_usd from marts.task_attribute_value"
    ).fetchall()
    assert len(got) == len(expected) == 18_751 * 5
    for t, a, x, exposed in got:
        exact, want_x = expected[(t, a)]
        assert x == float(want_x)
        assert exposed == (None if exact is None else cents(exact)), (t, a)

    occupations = real_con.execute(
        "select onet_soc_code, attribute, tasks_with_attribute, exposed_value_usd "
        "from marts.occupation_attribute_value"
    ).fetchall()
    assert len(occupations) == 923 * 5
    # 31 occupations have tasks added to O*NET after the labelset (45 tasks); the rest are covered
    # exactly 1 (a float sum of the weights gave 0.9999999999999991..1.0000000000000007 on 3,440 rows)
    coverage = real_con.execute(
        "select count(*) filter (where weight_covered = 1), count(*) filter (where weight_covered < 1), "
        "sum(tasks_count - tasks_with_attribute) from marts.occupation_attribute_value"
    ).fetchone()
    assert coverage == (892 * 5, 31 * 5, 45 * 5)
    code = dict(zip(raw["task_id"], raw["O*NET-SOC Code"], strict=True))
    sums, counts = {}, {}
    for (t, a), (exact, _) in expected.items():
        key = (code[t], a)
        counts[key] = counts.get(key, 0) + 1
        sums[key] = None if exact is None or sums.get(key, D(0)) is None else sums.get(key, D(0)) + exact
    for c, a, k, exposed in occupations:
        assert k == counts[(c, a)]
        assert exposed == (None if sums[(c, a)] is None else cents(sums[(c, a)])), (c, a)
