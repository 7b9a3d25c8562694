"""marts.release_changes: OES May 2023 vs May 2024 through the same O*NET release."""

from decimal import Decimal as D

import duckdb
import pytest
from dagster import AssetKey, AssetSelection

from tests.conftest import run_refresh
from tests.rebuild_on_copy import rebuild_on_copy


def test_occupation_shifts_and_removed_codes_on_fixture(fx):
    got = {
        r[0]: r[1:]
        for r in fx.execute(
            "select oes_code, status, previous_value_usd, current_value_usd, value_change_usd "
            "from marts.release_changes where change_level = 'occupation'"
        ).fetchall()
    }
    assert got["15-1251"][0] == "removed"  # in May 2023 only
    # 15-1252: 900,000 x 120,640 = 108,576,000,000 -> 1,000,000 x 124,800 = 124,800,000,000
    assert got["15-1252"] == ("continuing", D("108576000000.00"), D("124800000000.00"), D("16224000000.00"))


def test_task_shifts_and_tier_changes_on_fixture(fx):
    got = {
        r[0]: r[1:]
        for r in fx.execute(
            "select task_id, previous_value_usd, previous_tier, current_tier, tier_changed "
            "from marts.release_changes where change_level = 'task'"
        ).fetchall()
    }
    # Chief executives: $95/hr (2023) -> $100/hr (2024) crosses the $100 threshold
    assert got[8823][1:] == ("$50-100/hr", "$100-200/hr", True)
    # 11-1011.03 previous: 190,000 / 2 = 95,000 x 197,600 = 18,772,000,000 x 1/2
    assert got[15382][0] == D("9386000000.00")
    assert got[1886][3] is False


def previous_task_values(con) -> dict:
    """{Task ID: previous value} of Chief Executives (11-1011.00), the fixture's three-task occupation."""
    return dict(
        con.execute(
            "select task_id, previous_value_usd from marts.release_changes "
            "where change_level = 'task' and onet_soc_code = '11-1011.00'"
        ).fetchall()
    )


def test_previous_task_values_use_the_largest_remainder_of_the_current_ones(fx):
    # 11-1011.00 previous bill 18,772,000,000.00 over ft_rt units 177 : 250 : 0.5 (of 427.5). In cents
    # the exact shares end in .67, .78 and .56: floors leave 2 cents, which go to the two largest
    # remainders (8824 .78, 8823 .67), so 8842 keeps its floor ...55 where rounding each task gave
    # ...56 and a total one cent above the bill.
    got = previous_task_values(fx)
    assert got == {8823: D("7772266666.67"), 8824: D("10977777777.78"), 8842: D("21955555.55")}
    assert sum(got.values()) == D("18772000000.00")


def test_previous_oes_code_names_each_sides_match(fx):
    got = dict(
        fx.execute(
            "select coalesce(onet_soc_code, oes_code), previous_oes_code from marts.release_changes "
            "where onet_soc_code in ('29-2011.00', '15-1252.00') or change_level = 'occupation'"
        ).fetchall()
    )
    # 29-2011.00 meets OES through the aggregate 29-2010 in both vintages; 15-1251 is May 2023 only
    assert got == {
        "29-2011.00": "29-2010",
        "15-1252.00": "15-1252",
        "11-1011": "11-1011",
        "15-1251": "15-1251",
        "15-1252": "15-1252",
        "15-1299": "15-1299",
        "29-2010": "29-2010",
    }


def _rebuilt(fixture_settings, *edits: str, **value_overrides) -> duckdb.DuckDBPyConnection:
    """marts.release_changes rebuilt in memory from the fixture warehouse's inputs after `edits`
    (default value settings: 2,080 hours, loaded-cost multiplier 1.0, unless `value_overrides`)."""
    return rebuild_on_copy(fixture_settings, ["marts.release_changes"], edits, **value_overrides)


def test_a_side_without_tier_is_no_tier_change(fixture_settings):
    # 15-1252's May 2023 wages marked * (not published), and 29-2011.00 without an OES row in May 2023:
    # neither has a previous tier, so neither "changed tier" (both counted as changes before)
    con = _rebuilt(
        fixture_settings,
        "update int.onet_oes_crosswalk_previous set hourly_wage_usd = null, annual_wage_usd = null, "
        "allocated_wage_bill_cents = null, allocated_wage_bill_usd = null where oes_code = '15-1252'",
        "update int.onet_oes_crosswalk_previous set oes_code = null, oes_o_group = null, match_level = 'none', "
        "allocated_employment = null, hourly_wage_usd = null, annual_wage_usd = null, "
        "allocated_wage_bill_cents = null, allocated_wage_bill_usd = null where onet_soc_code = '29-2011.00'",
    )
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select onet_soc_code, any_value(status), count(*), count(previous_tier), count(tier_changed), "
            "count(previous_value_usd), count(value_change_usd) "
            "from marts.release_changes where change_level = 'task' group by 1"
        ).fetchall()
    }
    assert got["15-1252.00"] == ("continuing", 3, 0, 0, 0, 0)
    assert got["29-2011.00"] == ("matched_only_current", 3, 0, 0, 0, 0)
    assert got["11-1011.00"][:4] == ("continuing", 3, 3, 3)  # untouched: $95 -> $100/hr is a change


def test_the_previous_tier_bands_the_loaded_cost_as_the_current_one_does(fixture_settings):
    # Chief executives' May 2023 $95/hr at a loaded-cost multiplier of 1.3 is $123.50/hr: the
    # $100-200 band, as the current tier bands the loaded cost (the unloaded $95 read $50-100/hr and
    # made a tier change of every task near a threshold)
    con = _rebuilt(fixture_settings, loaded_cost_multiplier=1.3)
    got = con.execute(
        "select previous_hourly_wage_usd, previous_tier, previous_tier_rank from marts.release_changes "
        "where change_level = 'task' and task_id = 8823"
    ).fetchone()
    assert got == (D("95.00"), "$100-200/hr", 5)


def test_a_tied_remainder_cent_goes_to_the_lowest_task_id(fixture_settings):
    # 11-1011.00's three tasks weighted equally: 1,877,200,000,000 cents / 3 leaves 1 cent, and the
    # three remainders tie; marts.task_value's rule gives it to the lowest Task ID
    con = _rebuilt(
        fixture_settings, "update int.task_weights set weight_units = 1 where onet_soc_code = '11-1011.00'"
    )
    got = previous_task_values(con)
    assert got == {8823: D("6257333333.34"), 8824: D("6257333333.33"), 8842: D("6257333333.33")}


@pytest.mark.slow
def test_real_vintages_2023_to_2024(real_con):
    counts = dict(
        real_con.execute(
            "select status, count(*) from marts.release_changes where change_level = 'occupation' group by 1"
        ).fetchall()
    )
    assert counts == {"continuing": 831}  # the same 831 detailed codes in May 2023 and May 2024
    prev, cur = real_con.execute(
        "select previous_employment, current_employment from marts.release_changes "
        "where change_level = 'occupation' and oes_code = '15-1252'"
    ).fetchone()
    assert (prev, cur) == (1_656_880, 1_654_440)
    (tasks,) = real_con.execute(
        "select count(*) from marts.release_changes where change_level = 'task'"
    ).fetchone()
    assert tasks == 18_796
    # every O*NET occupation's task values add up to its allocated bill in both vintages (rounding each
    # previous task to the cent missed by up to 13 cents in 600 of the 923 occupations)
    assert real_con.execute(
        """
        select count(*), count(*) filter (where p is not distinct from cp.allocated_wage_bill_usd
            and c is not distinct from x.allocated_wage_bill_usd)
        from (select onet_soc_code, sum(previous_value_usd) as p, sum(current_value_usd) as c
              from marts.release_changes where change_level = 'task' group by 1)
        join int.onet_oes_crosswalk_previous as cp using (onet_soc_code)
        join int.onet_oes_crosswalk as x using (onet_soc_code)
        """
    ).fetchone() == (923, 923)
    assert real_con.execute(
        "select count(*) filter (where tier_changed), count(*) filter (where tier_changed is null) "
        "from marts.release_changes where change_level = 'task'"
    ).fetchone() == (967, 30)  # the 30 tasks of 45-3031.00 have no OES row in either vintage


@pytest.mark.slow
def test_real_vintages_2020_to_2024_recode_occupations(tmp_path, shared_data):
    # May 2020 still has SOC hybrid and aggregate codes: 72 codes are new in May 2024 and 30 gone, and
    # O*NET occupations meet OES through another code in each vintage
    from orchestration.definitions import build_definitions
    from tests.conftest import settings_for

    defs = build_definitions(**settings_for(tmp_path, shared_data).model_dump())
    upstream = AssetSelection.assets(AssetKey(["marts", "release_changes"])).upstream()
    selection = sorted(upstream.resolve(defs.resolve_asset_graph()), key=str)
    result, settings = run_refresh(tmp_path, shared_data, selection=selection, oes_previous_vintage=2020)
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        counts = dict(
            (tuple(r[:2]), r[2:])
            for r in con.execute(
                "select change_level, status, count(*), count(*) filter (where tier_changed), "
                "count(*) filter (where previous_oes_code is distinct from oes_code) "
                "from marts.release_changes group by 1, 2"
            ).fetchall()
        )
        assert counts == {
            ("occupation", "continuing"): (759, 0, 0),
            ("occupation", "new"): (72, 0, 72),
            ("occupation", "removed"): (30, 0, 0),
            ("task", "continuing"): (18347, 4833, 1400),
            # no previous tier, so no tier change (all 419 counted as changes before)
            ("task", "matched_only_current"): (419, 0, 419),
            ("task", "unmatched"): (30, 0, 0),
        }
        query = "select onet_soc_code, match_level, oes_code, allocated_employment from int.onet_oes_crosswalk_previous"
        previous = {code: rest for code, *rest in con.execute(query).fetchall()}
        # the broad group 15-1250 holds two May 2020 aggregates: each code goes to the one whose title
        # shares the most words with its own (1,476,800 Software Developers and QA testers, halved)
        assert previous["15-1252.00"] == ["oes_aggregate", "15-1256", 738_400]
        assert previous["15-1253.00"] == ["oes_aggregate", "15-1256", 738_400]
        assert previous["15-1254.00"][:2] == ["oes_aggregate", "15-1257"]
        # 29-1212 belongs to the SOC broad group 29-1210, whose May 2020 aggregate is 29-1228
        assert previous["29-1212.00"][:2] == ["oes_aggregate", "29-1228"]
        # 'Surgeons, Except Ophthalmologists' is not the Ophthalmologists' row
        assert previous["29-1241.00"] == ["none", None, None]
        assert previous["29-1242.00"][:2] == ["oes_aggregate", "29-1248"]
        assert sum(1 for r in previous.values() if r[0] == "none") == 22
        # May 2020 publishes 11-2030 only (81,110 workers at $135,580), split between 11-2032.00 and
        # 11-2033.00; May 2024 has 11-2032 itself (76,060 at $163,520). 20 Core tasks, 1/20 each.
        rows = con.execute(
            "select distinct oes_code, previous_oes_code, previous_employment, current_employment, "
            "previous_value_usd, current_value_usd from marts.release_changes "
            "where onet_soc_code = '11-2032.00'"
        ).fetchall()
        assert rows == [("11-2032", "11-2030", 40_555, 76_060, D("274922345.00"), D("621866560.00"))]
    finally:
        con.close()


@pytest.mark.slow
def test_real_vintage_2020_as_current_matches_broad_rows_and_passes_its_checks(tmp_path, shared_data):
    # May 2020 matches 17-3028.00, 17-3029.01 and 17-3029.08 to the broad row 17-3020: 92,090 workers
    # it does not publish in detailed rows. The check compares them with that remainder, not with the
    # broad row's 419,620 (it failed the refresh before). The mirror is ../shared/data through links,
    # with the May 2024 sector file standing in for May 2020's and May 2021 for the previous vintage.
    from orchestration.definitions import build_definitions
    from tests.conftest import settings_for

    mirror = tmp_path / "mirror"
    for name in ("onet", "soc"):
        (mirror / name).parent.mkdir(parents=True, exist_ok=True)
        (mirror / name).symlink_to(shared_data / name)
    links = {
        "May2020/national_M2020_dl.xlsx": "May2020/national_M2020_dl.xlsx",
        "May2020/natsector_M2020_dl.xlsx": "May2024/natsector_M2024_dl.xlsx",
        "May2019/national_M2019_dl.xlsx": "May2021/national_M2021_dl.xlsx",
    }
    for link, target in links.items():
        (mirror / "oes" / link).parent.mkdir(parents=True, exist_ok=True)
        (mirror / "oes" / link).symlink_to(shared_data / "oes" / target)
    vintages = {"oes_vintage": 2020, "oes_previous_vintage": 2019}
    defs = build_definitions(**settings_for(tmp_path, mirror, **vintages).model_dump())
    crosswalk = AssetKey(["int", "onet_oes_crosswalk"])
    selection = sorted(
        AssetSelection.assets(crosswalk).upstream().resolve(defs.resolve_asset_graph()), key=str
    )
    result, settings = run_refresh(tmp_path, mirror, selection=selection, **vintages)
    assert result.success
    checks = [e for e in result.get_asset_check_evaluations() if e.asset_key == crosswalk]
    assert len(checks) == 3 and all(e.passed for e in checks)
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        broad = con.execute(
            "select onet_soc_code, oes_code, oes_employment, allocated_employment "
            "from int.onet_oes_crosswalk where match_level = 'broad' order by 1"
        ).fetchall()
    finally:
        con.close()
    assert broad == [
        ("17-3028.00", "17-3020", 92_090, 30_697),
        ("17-3029.01", "17-3020", 92_090, 30_697),
        ("17-3029.08", "17-3020", 92_090, 30_696),
    ]
