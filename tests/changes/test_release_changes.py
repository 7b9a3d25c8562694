"""marts.release_changes: OES May 2023 vs May 2024 through the same O*NET release."""

from decimal import Decimal as D

import pytest


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
