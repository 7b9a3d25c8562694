"""Known-answer coverage figures on the fixture inventory (tests/fixtures/coverage/upstream.sql).

Fixture, by hand:
  O*NET task  occupation   value     tier  nature         digital  covered by (rule: rank 1, >= medium, or explicit)
  101         15-1252.00   600,000   high  judgment       yes      inv-1 (high)
  102         15-1252.00   400,000   high  routine        yes      inv-2 (medium)
  201         27-3043.00   300,000   mid   judgment       yes      - (inv-3 low; inv-2 has it only at rank 2)
  202         27-3043.00   100,000   mid   interpersonal  yes      - (inv-6 'none')
  301         35-2014.00   200,000   low   physical       no       inv-4 (explicit)
  302         35-2014.00    50,000   low   routine        no       -
  401         13-1161.00   250,000   mid   judgment       yes      inv-5 (medium only by the hinted floor)
  402         13-1161.01   150,000   mid   routine        yes      inv-8 (low, but explicit)
Sector 52 takes 0.12 of 15-1252's bill, 0.2 of 13-1161's and 0.1 of 27-3043's.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.coverage.conftest import FIXTURE, INSERT_MATCHES, build_fixture_db, one


def coverage(con, domain_id):
    return con.execute(
        "select total_value_usd, covered_value_usd, value_coverage_pct, tasks_total, tasks_covered "
        "from marts.domain_coverage where domain_id = ?",
        [domain_id],
    ).fetchone()


@pytest.mark.parametrize(
    ("domain_id", "total", "covered", "pct", "tasks", "tasks_covered"),
    [
        # 101 + 102, both covered
        ("computer-and-mathematical", 1_000_000, 1_000_000, 100.0, 2, 2),
        # 201 + 202, neither covered
        ("arts-and-media", 400_000, 0, 0.0, 2, 0),
        # 301 covered of 301 + 302: 200k / 250k = 80%
        ("food", 250_000, 200_000, 80.0, 2, 1),
        # 401 + 402 (two O*NET codes of one SOC code), both covered
        ("business", 400_000, 400_000, 100.0, 2, 2),
        # custom domain: 27-3043 (400k, uncovered) + 13-1161.00/.01 (400k, covered) = 50%
        ("digital-copywriting", 800_000, 400_000, 50.0, 4, 2),
        # sector lens: 0.12 x 1M (covered) + 0.2 x 400k (covered) + 0.1 x 400k (uncovered)
        # = 120k + 80k + 40k = 240k; covered 200k = 83.3333%
        ("sector-finance", 240_000, 200_000, 83.3333, 6, 4),
    ],
)
def test_domain_value_coverage(cov_con, domain_id, total, covered, pct, tasks, tasks_covered):
    got = coverage(cov_con, domain_id)
    assert got[0] == pytest.approx(total)
    assert got[1] == pytest.approx(covered)
    assert got[2] == pytest.approx(pct)
    assert got[3:] == (tasks, tasks_covered)


def test_domain_with_no_occupations_is_kept_with_zero_value(cov_con):
    total, covered, pct, tasks, _ = coverage(cov_con, "legal")
    assert (total, covered, pct, tasks) == (0, 0, None, 0)


def test_split_by_tier_and_nature(cov_con):
    row = cov_con.execute(
        "select judgment_value_usd, judgment_covered_value_usd, routine_value_usd, routine_covered_value_usd, "
        "interpersonal_value_usd, digital_value_usd, digital_covered_value_usd "
        "from marts.domain_coverage where domain_id = 'digital-copywriting'"
    ).fetchone()
    # judgment 201 (300k) + 401 (250k, covered); routine 402 (150k, covered); interpersonal 202 (100k)
    assert row == pytest.approx((550_000, 250_000, 150_000, 150_000, 100_000, 800_000, 400_000))
    tiers = cov_con.execute(
        "select slice, total_value_usd, covered_value_usd from marts.domain_coverage_slices "
        "where domain_id = 'food' and dimension = 'tier'"
    ).fetchall()
    assert tiers == [("low", 250_000, 200_000)]
    # the same as columns: food's bottom tier is all of it (cooks), 301 covered; 301 is physical work
    assert cov_con.execute(
        "select bottom_tier_value_usd, bottom_tier_covered_value_usd, top_tier_value_usd, "
        "physical_value_usd, physical_covered_value_usd from marts.domain_coverage where domain_id = 'food'"
    ).fetchone() == (250_000, 200_000, 0, 200_000, 200_000)
    by_tier = one(
        cov_con, "select by_tier from marts.domain_coverage where domain_id = 'computer-and-mathematical'"
    )
    assert by_tier == [
        {
            "tier": "high",
            "tasks_total": 2,
            "tasks_covered": 2,
            "total_value_usd": 1e6,
            "covered_value_usd": 1e6,
        }
    ]


def test_inventory_counts_by_declared_domain_and_status(cov_con):
    row = cov_con.execute(
        "select inventory_tasks_declared, inventory_tasks_by_status, inventory_tasks_matched, inventory_tasks_grounded "
        "from marts.domain_coverage where domain_id = 'computer-and-mathematical'"
    ).fetchone()
    assert row[0] == 2
    assert sorted((s["status"], s["inventory_tasks"]) for s in row[1]) == [("active", 1), ("draft", 1)]
    assert row[2:] == (2, 2)
    # the sector domain holds 15-1252 (inv-1, inv-2) and 13-1161 (inv-5, inv-8)
    assert (
        one(
            cov_con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'sector-finance'",
        )
        == 4
    )


def test_uncovered_value_ranking(cov_con):
    ranked = cov_con.execute(
        "select domain_id, uncovered_value_usd, uncovered_value_rank from marts.domain_coverage "
        "order by uncovered_value_rank, domain_id"
    ).fetchall()
    assert ranked[:4] == [
        ("arts-and-media", 400_000, 1),
        ("digital-copywriting", 400_000, 1),
        ("food", 50_000, 3),
        ("sector-finance", 40_000, 4),
    ]


def test_grounding_reasons(cov_con):
    got = dict(
        cov_con.execute(
            "select inventory_task_id, ungrounded_reason from marts.inventory_grounding"
        ).fetchall()
    )
    assert got == {
        "inv-1": None,
        "inv-2": None,  # rank-1 medium; its high-confidence rank-2 candidate does not count
        "inv-3": "no_credible_match",  # low confidence, no explicit ID
        "inv-4": "low_tier_only",  # explicit match to a $15/h physical task: low tier comes first
        "inv-5": "outside_declared_domain",  # declared Legal, matched a 13- occupation
        "inv-6": "no_credible_match",  # unmatched domain name, 'none' confidence
        "inv-7": "no_credible_match",  # no candidate at all
        "inv-8": None,  # low confidence but explicit ID, inside digital copywriting
    }
    # inv-3 declares Copywriting (a configured domain): no credible match there is "we cannot tell",
    # not "no valuable work"; inv-6 (unknown domain) and inv-7 (none) have no such claim
    verdicts = dict(
        cov_con.execute("select inventory_task_id, grounding from marts.inventory_grounding").fetchall()
    )
    assert verdicts == {
        "inv-1": "grounded",
        "inv-2": "grounded",
        "inv-3": "unverified",
        "inv-4": "ungrounded",
        "inv-5": "ungrounded",
        "inv-6": "ungrounded",
        "inv-7": "ungrounded",
        "inv-8": "grounded",
    }
    assert (
        one(cov_con, "select is_grounded from marts.inventory_grounding where inventory_task_id = 'inv-3'")
        is None
    )
    assert cov_con.execute(
        "select domain_id, inventory_tasks_declared, inventory_tasks_grounded, inventory_tasks_unverified "
        "from marts.domain_coverage where domain_id = 'digital-copywriting'"
    ).fetchall() == [("digital-copywriting", 2, 1, 1)]
    reasons = one(
        cov_con, "select ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-4'"
    )
    assert reasons == ["low_tier_only", "physical_work"]
    best = cov_con.execute(
        "select best_onet_task_id, best_annual_value_usd, tier, best_method from marts.inventory_grounding "
        "where inventory_task_id = 'inv-8'"
    ).fetchone()
    assert best == (402, 150_000, "mid", "explicit")


def test_unmatched_inventory_domain_names_are_reported_not_dropped(cov_con):
    rows = cov_con.execute(
        "select inventory_domain, domain_id, matched_by, inventory_tasks from int.domain_inventory_names "
        "order by inventory_domain"
    ).fetchall()
    assert rows == [
        ("", None, None, 1),
        ("COPYWRITING", "digital-copywriting", "alias", 1),
        ("Copywriting", "digital-copywriting", "alias", 1),
        ("Food", "food", "id", 1),
        ("Legal", "legal", "id", 1),
        ("Software", "computer-and-mathematical", "alias", 1),
        ("Underwater basket weaving", None, None, 1),
        (
            "software engineering",
            "computer-and-mathematical",
            "alias",
            1,
        ),  # alias written 'software-engineering'
    ]
    # every inventory task is still in the grounding table, unmatched ones included
    assert one(cov_con, "select count(*) from marts.inventory_grounding") == 8
    # the warning names the unknown name only: a task without a domain has no name to fix
    from assets.coverage.checks import _unmatched_names

    passed, metadata = _unmatched_names(cov_con)
    assert not passed
    assert (metadata["unmatched_names"].value, metadata["unmatched_tasks"].value) == (1, 1)
    assert "Underwater basket weaving" in metadata["names"].value


def test_a_declared_unmapped_domain_grounds_and_covers_only_by_a_person(tmp_path):
    """inv-1 ('Games' now) keeps its high text match to 101 on screen, but the team declared games to
    have no O*NET counterpart: the match is not credible, 101 is uncovered and inv-1 is ungrounded for
    that reason. inv-8 ('games' too) links 402 explicitly: a person said so, so it still counts."""
    domains = tmp_path / "domains.toml"
    fixture = (FIXTURE / "domains.toml").read_text(encoding="utf-8")
    domains.write_text('unmapped_inventory_domains = ["games"]\n' + fixture, encoding="utf-8")
    con = build_fixture_db(
        edits=["update staging.inventory_tasks set domain = 'Games' where task_id in ('inv-1', 'inv-8')"],
        domains_file=str(domains),
    )
    credibility = con.execute(
        "select inventory_task_id, rank, confidence, is_credible, covers, in_declared_unmapped_domain "
        "from int.inventory_match_credibility where inventory_task_id in ('inv-1', 'inv-8') order by 1, 2"
    ).fetchall()
    assert credibility == [
        ("inv-1", 1, "high", False, False, True),
        ("inv-1", 2, "medium", False, False, True),
        ("inv-8", 1, "low", True, True, True),
    ]
    grounding = con.execute(
        "select inventory_task_id, grounding, ungrounded_reason, best_is_credible from marts.inventory_grounding "
        "where inventory_task_id in ('inv-1', 'inv-8') order by 1"
    ).fetchall()
    assert grounding == [
        ("inv-1", "ungrounded", "declared_unmapped_domain", False),
        ("inv-8", "grounded", None, True),
    ]
    # 101 (600k) was covered by inv-1 alone; 102 (400k) still by inv-2
    assert coverage(con, "computer-and-mathematical")[:2] == (1_000_000, 400_000)
    assert (
        one(con, "select onet_task_id from marts.inventory_export where inventory_task_id = 'inv-1'") is None
    )
    # inv-1 no longer counts for its 15- domain's matched inventory (it was 2 with inv-2)
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'computer-and-mathematical'",
        )
        == 1
    )
    con.close()


def test_concentration(cov_con):
    rows = {
        r[0]: r[1:]
        for r in cov_con.execute(
            "select domain_id, inventory_tasks_matched, inventory_bottom_tier_share_pct, value_top_tier_share_pct, "
            "concentration_gap_pct from marts.domain_concentration"
        ).fetchall()
    }
    # food: its one matched inventory task (inv-4) is bottom tier; none of its value is top tier
    assert rows["food"] == (1, 100.0, 0.0, 100.0)
    # software: nothing in the bottom tier, all value in the top tier
    assert rows["computer-and-mathematical"] == (2, 0.0, 100.0, -100.0)
    # sector: top-tier value is 15-1252's 120k of 240k
    assert rows["sector-finance"] == (4, 0.0, 50.0, -50.0)


def test_concentration_like_for_like(cov_con):
    rows = {
        r[0]: r[1:]
        for r in cov_con.execute(
            "select domain_id, value_bottom_tier_share_pct, bottom_tier_overweight_pct, "
            "inventory_median_hourly_wage_usd, value_median_hourly_wage_usd from marts.domain_concentration"
        ).fetchall()
    }
    # food: all of its value (cooks, $15) and its one inventory task are bottom tier
    assert rows["food"] == (100.0, 0.0, 15.0, 15.0)
    assert rows["computer-and-mathematical"] == (0.0, 0.0, 60.0, 60.0)
    # sector 52: 40k at $35 (writers x 0.1), 80k at $40 (marketing x 0.2), 120k at $60 (software x 0.12):
    # half of 240k is reached at $40. Inventory: inv-1, inv-2 ($60), inv-5, inv-8 ($40) -> median $50
    assert rows["sector-finance"] == (0.0, 0.0, 50.0, 40.0)
    # copywriting: 400k at $35 (writers) of 800k reaches half at $35; inv-5 and inv-8 match marketing ($40)
    assert rows["digital-copywriting"] == (0.0, 0.0, 40.0, 35.0)
    # legal has no occupation here: no value, no inventory
    assert rows["legal"] == (None, None, None, None)


def test_gaps_ranked_by_priority(cov_con):
    gaps = cov_con.execute(
        "select domain_id, gap_rank, task_id, annual_value_usd, employment_reached, hourly_wage_usd, tier, nature, "
        "is_digital from marts.coverage_gaps where domain_id in ('digital-copywriting', 'sector-finance') "
        "order by domain_id, gap_rank"
    ).fetchall()
    assert gaps == [
        ("digital-copywriting", 1, 201, 300_000, 200, 35.0, "mid", "judgment", True),
        ("digital-copywriting", 2, 202, 100_000, 200, 35.0, "mid", "interpersonal", True),
        ("sector-finance", 1, 201, 30_000, 20, 35.0, "mid", "judgment", True),
        ("sector-finance", 2, 202, 10_000, 20, 35.0, "mid", "interpersonal", True),
    ]
    # 201 is inv-3's best match, low: too weak to cover, named beside the gap; 202 is inv-6's at
    # 'none' (no evidence) and inv-2's only at rank 2: no one
    weak = cov_con.execute(
        "select task_id, weak_match_inventory_task_ids from marts.coverage_gaps "
        "where domain_id = 'digital-copywriting' order by gap_rank"
    ).fetchall()
    assert weak == [(201, ["inv-3"]), (202, [])]


def test_rl_export_row(cov_con):
    row = cov_con.execute(
        "select onet_task_id, onet_soc_code, soc_code, tier, nature, annual_value_usd from marts.inventory_export "
        "where inventory_task_id = 'inv-1'"
    ).fetchone()
    assert row == (101, "15-1252.00", "15-1252", "high", "judgment", 600_000)
    # inv-3's best candidate (201) is only low confidence: nothing is stamped, the guess stays visible
    row = cov_con.execute(
        "select onet_task_id, onet_soc_code, soc_code, tier, nature, is_digital, annual_value_usd, hourly_wage_usd, "
        "confidence, candidate_onet_task_id, is_match_credible from marts.inventory_export "
        "where inventory_task_id = 'inv-3'"
    ).fetchone()
    assert row == (None, None, None, None, None, None, None, None, "low", 201, False)
    assert cov_con.execute(
        "select tier_rank, oes_code from marts.inventory_export where inventory_task_id = 'inv-3'"
    ).fetchone() == (None, None)


def test_rl_export_stamps_the_oes_code_and_tier_number_its_value_comes_from():
    # OES publishes 15-1252 only in the aggregate 15-1250 here: the stamp's SOC code is the O*NET
    # code's, its OES code the row the value comes from; 'high' is band 3
    con = build_fixture_db(
        edits=["update marts.task_value set oes_code = '15-1250' where onet_soc_code = '15-1252.00'"]
    )
    assert con.execute(
        "select soc_code, oes_code, tier, tier_rank from marts.inventory_export where inventory_task_id = 'inv-1'"
    ).fetchone() == ("15-1252", "15-1250", "high", 3)


def test_coverage_rule_is_configurable():
    # low confidence now covers: inv-3 covers 201 -> digital copywriting 700k / 800k
    con = build_fixture_db(min_confidence="low")
    assert coverage(con, "digital-copywriting")[1] == pytest.approx(700_000)
    assert (
        one(con, "select ungrounded_reason from marts.inventory_grounding where inventory_task_id = 'inv-3'")
        is None
    )
    # coverage from matching alone: explicit links and pins cover nothing, whatever their band (the
    # pipeline bands them high by fiat): 301 (inv-4, explicit) and 402 (inv-8, explicit) drop out;
    # 401 (inv-5, hinted, medium) stays
    con = build_fixture_db(explicit_ids_cover=False)
    assert coverage(con, "food")[1] == pytest.approx(0)
    assert coverage(con, "business")[1] == pytest.approx(250_000)
    assert (
        one(con, "select is_credible from int.inventory_match_credibility where inventory_task_id = 'inv-4'")
        is False
    )
    # ... while with the default, an explicit link covers at any band (402 is banded low in the fixture)
    assert coverage(build_fixture_db(), "business")[1] == pytest.approx(400_000)
    # top-2 candidates cover: inv-2's rank-2 (201, high) now counts
    con = build_fixture_db(covering_max_rank=2)
    assert coverage(con, "arts-and-media")[1] == pytest.approx(300_000)


def test_a_pin_or_explicit_link_below_rank_1_covers_under_the_default_rule():
    # a second pin of inv-2 (rank 2: pins rank in file order) is a person's statement that the task
    # imitates 201 too: it covers like the first, whatever covering_max_rank says about matches
    pinned = "update marts.inventory_task_matches set method = 'override' where inventory_task_id = 'inv-2' and rank = 2"
    con = build_fixture_db(edits=[pinned])
    assert coverage(con, "arts-and-media")[1] == pytest.approx(300_000)
    assert one(
        con,
        "select is_credible, covers from int.inventory_match_credibility where inventory_task_id = 'inv-2' and rank = 2",
    ) == (True, True)
    # ... and not when coverage counts matching only
    assert coverage(build_fixture_db(edits=[pinned], explicit_ids_cover=False), "arts-and-media")[
        1
    ] == pytest.approx(0)


def test_bottom_and_top_tier_counts_are_configurable():
    # default: a third of the 3 bands each -> bottom = low, top = high
    con = build_fixture_db()
    assert con.execute("select tier, is_bottom_tier, is_top_tier from int.domain_tier_order").fetchall() == [
        ("low", True, False),
        ("mid", False, False),
        ("high", False, True),
    ]
    # two bottom bands: mid work is now low tier, so inv-5 and inv-8 (13-1161, $40/h) are low_tier_only
    con = build_fixture_db(bottom_tier_count=2)
    got = dict(
        con.execute("select inventory_task_id, ungrounded_reason from marts.inventory_grounding").fetchall()
    )
    assert (got["inv-5"], got["inv-8"], got["inv-1"]) == ("low_tier_only", "low_tier_only", None)
    assert (
        one(con, "select bottom_tiers from marts.domain_concentration where domain_id = 'food'") == "low, mid"
    )


@pytest.mark.parametrize(
    ("bottom", "top", "bands", "refused"),
    [
        (0, 0, 6, False),
        (4, 2, 6, False),  # 4 + 2 = 6 bands: every band is in one group, none in both
        (4, 3, 6, True),
        (0, 5, 6, True),  # with the default third (2) below: 7 of 6
        (0, 4, 6, False),
        (6, 0, 6, True),  # every band low tier, $200+/hr included
        (1, 0, 1, True),
    ],
)
def test_tier_counts_no_band_fits_are_refused_before_a_run(bottom, top, bands, refused):
    from assets.common.errors import SettingError
    from assets.coverage.config import coverage_settings_from_env, refuse_tier_counts_beyond

    coverage = coverage_settings_from_env({}, bottom_tier_count=bottom, top_tier_count=top)
    if refused:
        with pytest.raises(SettingError, match=f"make .* of the {bands} tier bands"):
            refuse_tier_counts_beyond(coverage, bands)
    else:
        refuse_tier_counts_beyond(coverage, bands)


def test_retired_inventory_tasks_cover_nothing_but_are_still_judged():
    from assets.coverage.models import build_all
    from tests.coverage.conftest import fixture_settings

    con = build_fixture_db(
        edits=["update staging.inventory_tasks set status = 'Retired' where task_id = 'inv-1'"]
    )
    # 101 (600k) is no longer covered; 102 still is
    assert coverage(con, "computer-and-mathematical")[1] == pytest.approx(400_000)
    assert (
        one(con, "select is_grounded from marts.inventory_grounding where inventory_task_id = 'inv-1'")
        is True
    )
    assert one(
        con, "select is_excluded_status from marts.inventory_grounding where inventory_task_id = 'inv-1'"
    )
    # ... and no longer counts as matched inventory: software keeps inv-2 only (was 2 tasks)
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'computer-and-mathematical'",
        )
        == 1
    )
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_concentration where domain_id = 'computer-and-mathematical'",
        )
        == 1
    )
    assert (
        one(con, "select status from marts.inventory_export where inventory_task_id = 'inv-1'") == "Retired"
    )
    build_all(con, fixture_settings(excluded_statuses=""))
    assert coverage(con, "computer-and-mathematical")[1] == pytest.approx(1_000_000)
    assert not one(
        con, "select is_excluded_status from marts.inventory_grounding where inventory_task_id = 'inv-1'"
    )


@pytest.mark.parametrize("excluded", ["retired", "", " "])
def test_tasks_without_a_status_cover_whatever_statuses_are_excluded(excluded):
    # status is optional in an inventory: a task without one is never an excluded status
    con = build_fixture_db(
        edits=["update staging.inventory_tasks set status = null where task_id = 'inv-1'"],
        excluded_statuses=excluded,
    )
    assert coverage(con, "computer-and-mathematical")[1] == pytest.approx(1_000_000)


def test_inventory_counts_for_a_sector_only_through_its_characteristic_occupations(cov_con):
    # sector 52's share of all value: (0.2 x 400k + 0.12 x 1,000k + 0.1 x 400k) / 2,050k = 240k / 2,050k
    # = 0.117. 13-1161 (0.2) and 15-1252 (0.12) reach it; 27-3043 (0.1) does not, so an inventory task
    # matched to writers would not count for the sector, while the writers' 40k still counts as its value
    got = dict(
        cov_con.execute(
            "select onet_soc_code, is_characteristic from int.domain_members where domain_id = 'sector-finance'"
        ).fetchall()
    )
    assert got == {"13-1161.00": True, "13-1161.01": True, "15-1252.00": True, "27-3043.00": False}
    assert all(
        r[0]
        for r in cov_con.execute(
            "select is_characteristic from int.domain_members where domain_id <> 'sector-finance'"
        ).fetchall()
    )


def test_a_member_matched_by_several_rules_names_the_most_specific(tmp_path):
    domains = tmp_path / "domains.toml"
    domains.write_text(
        '[[domain]]\nid = "mixed"\nname = "Mixed"\nsoc_prefixes = ["13", "13-1"]\n'
        'soc_codes = ["15-1252"]\nonet_codes = ["13-1161.01"]\n'
    )
    con = build_fixture_db(domains_file=str(domains))
    got = dict(con.execute("select onet_soc_code, matched_rule from int.domain_members").fetchall())
    assert got == {
        "13-1161.00": "soc_prefix:13-1",  # the longer of the two prefixes
        "13-1161.01": "onet_code:13-1161.01",
        "15-1252.00": "soc_code:15-1252",
    }


def test_coverage_that_rests_only_on_a_named_occupation_is_split_out(cov_con):
    # inv-5 named 13-1161 and its rank 1 (401) is medium only by the hinted floor (text alone: low):
    # 401 is covered, but task-uncertain. business: 401 (250k) of 400k covered; 402 (inv-8, explicit) is sure.
    # sector 52 takes 0.2 of 13-1161: 50k uncertain. software's coverage rests on text evidence only.
    got = {
        r[0]: r[1:]
        for r in cov_con.execute(
            "select domain_id, covered_value_usd, tasks_covered_task_uncertain, covered_value_task_uncertain_usd "
            "from marts.domain_coverage"
        ).fetchall()
    }
    assert got["business"] == (pytest.approx(400_000), 1, pytest.approx(250_000))
    assert got["sector-finance"][1:] == (1, pytest.approx(50_000))
    assert got["computer-and-mathematical"][1:] == (0, 0)
    assert (
        one(
            cov_con,
            "select is_covered_task_uncertain from int.domain_task_coverage "
            "where domain_id = 'business' and task_id = 401",
        )
        is True
    )


def test_the_coverage_rule_is_applied_once_per_candidate():
    # inv-1 retired: its credible rank 1 (101) stays credible but covers nothing; inv-5's rank 1 (401)
    # covers by the hinted floor only (task-uncertain); inv-8's explicit 402 covers though the fixture
    # bands it low (explicit IDs cover at any band), and it is not task-uncertain.
    con = build_fixture_db(
        edits=["update staging.inventory_tasks set status = 'retired' where task_id = 'inv-1'"]
    )
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select inventory_task_id, onet_task_id, confidence_level, text_confidence_level, is_credible, "
            "is_task_uncertain, is_excluded_status, covers "
            "from int.inventory_match_credibility where rank = 1 and inventory_task_id in ('inv-1', 'inv-5', 'inv-8')"
        ).fetchall()
    }
    assert got == {
        "inv-1": (101, 3, 3, True, False, True, False),
        "inv-5": (401, 2, 1, True, True, False, True),
        "inv-8": (402, 1, 3, True, False, False, True),
    }
    # matched candidates below rank 1 never cover under the default rule
    assert (
        one(con, "select count(*) from int.inventory_match_credibility where rank > 1 and is_credible") == 0
    )


def test_a_task_matched_to_a_non_characteristic_occupation_does_not_count_for_the_sector():
    # inv-3 now credibly matches writers (27-3043: 0.1 of their value is in sector 52, below its 0.117)
    con = build_fixture_db(
        edits=[
            "update marts.inventory_task_matches set confidence = 'high', text_confidence = 'high', score = 0.9 "
            "where inventory_task_id = 'inv-3'"
        ]
    )
    # it counts for arts-and-media (whole occupations) but not for the sector: still 4 there, not 5
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'arts-and-media'",
        )
        == 1
    )
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'sector-finance'",
        )
        == 4
    )
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_concentration where domain_id = 'sector-finance'",
        )
        == 4
    )


def _arts_gaps(value_201: str) -> list[int]:
    """arts-and-media's gap order when 201 and 202 share weight 0.25, 202 is worth $100,000 and
    ranked first by the value model, and 201 is worth `value_201`."""
    con = build_fixture_db(
        edits=[
            "update marts.task_value set priority_score = 100000, annual_value_usd = 100000, task_weight = 0.25 "
            "where task_id = 202",
            f"update marts.task_value set priority_score = {value_201}, annual_value_usd = {value_201}, "
            "task_weight = 0.25 where task_id = 201",
            "update marts.task_value set priority_rank = 1 where task_id = 202",
        ]
    )
    gaps = con.execute(
        "select task_id from marts.coverage_gaps where domain_id = 'arts-and-media' order by gap_rank"
    ).fetchall()
    return [g[0] for g in gaps]


def test_equal_gaps_are_ordered_by_the_value_models_priority_rank():
    # 201 and 202 tie on weight, score and value; the value model ranks 202 first: so must the gap list
    assert _arts_gaps("100000") == [202, 201]
    # a cent apart (the largest-remainder split gave 201 the extra cent): still a tie, 202 first
    assert _arts_gaps("100000.01") == [202, 201]


def test_a_domain_name_matching_no_domain_leaves_its_task_unverified_never_grounded():
    # a typo in `domain` must not lift a task over the domain test: 'Sofware' with a credible match
    # would have been grounded while 'Software' (the same match) is judged against its domain
    from tests.coverage.conftest import build_fixture_db

    con = build_fixture_db(
        edits=[
            "insert into staging.inventory_tasks values ('inv-9', 'Implement feature', 'long prompt', "
            "'Sofware', 'active', null, null, 'inv.csv')",
            f"{INSERT_MATCHES} select 'inv-9', rank, onet_task_id, onet_soc_code, "
            "score, confidence, method, text_confidence, resembles_no_work from marts.inventory_task_matches "
            "where inventory_task_id = 'inv-1'",
        ]
    )
    try:
        query = (
            "select inventory_task_id, best_is_credible, ungrounded_reasons, ungrounded_reason, grounding, "
            "is_grounded from marts.inventory_grounding where inventory_task_id in ('inv-1', 'inv-6', 'inv-9')"
        )
        got = {task: tuple(rest) for task, *rest in con.execute(query).fetchall()}
    finally:
        con.close()
    assert got["inv-1"] == (True, [], None, "grounded", True)
    assert got["inv-9"] == (True, ["domain_not_configured"], "domain_not_configured", "unverified", None)
    # no credible match and a name that claims no known work: ungrounded, as before
    assert got["inv-6"] == (
        False,
        ["no_credible_match", "domain_not_configured"],
        "no_credible_match",
        "ungrounded",
        False,
    )


def test_a_weak_text_match_without_a_domain_is_unverified_not_ungrounded():
    # no configured domain and no credible match: a text match at or above the resemblance floor is
    # "we cannot tell" (the text resembles work), even in the band none (RL prompts score below O*NET's
    # phrasing); a match below the floor or no candidate at all is "no work behind it"
    from tests.coverage.conftest import build_fixture_db

    con = build_fixture_db(
        edits=[
            "insert into staging.inventory_tasks values ('inv-10', 'Write ad copy', 'p', null, 'active', null, "
            "null, 'inv.csv')",
            "insert into staging.inventory_tasks values ('inv-11', 'Write ad copy', 'p', 'Sofware', 'active', "
            "null, null, 'inv.csv')",
            "insert into staging.inventory_tasks values ('inv-12', 'Find the memory leak', 'p', null, 'active', "
            "null, null, 'inv.csv')",
            *(
                f"{INSERT_MATCHES} select '{task}', rank, onet_task_id, onet_soc_code, "
                "score, confidence, method, text_confidence, resembles_no_work from marts.inventory_task_matches "
                "where inventory_task_id = 'inv-3'"
                for task in ("inv-10", "inv-11")
            ),
            # band none, but above the floor
            f"{INSERT_MATCHES} values ('inv-12', 1, 202, '27-3043.00', 0.06, 'none', 'text', 'none', false)",
            # rank 1 below the floor (ranked first by a domain's bonus), rank 2 above it: the text
            # resembles work
            "insert into staging.inventory_tasks values ('inv-13', 'Fix the CI', 'p', null, 'active', "
            "null, null, 'inv.csv')",
            f"{INSERT_MATCHES} values "
            "('inv-13', 1, 202, '27-3043.00', 0.03, 'none', 'text', 'none', true), "
            "('inv-13', 2, 201, '27-3043.00', 0.07, 'none', 'text', 'none', false)",
        ]
    )
    try:
        # the blocking check states the same rule
        from assets.common.gx_checks import run_suite
        from assets.coverage.checks import SUITES

        (suite,) = SUITES["marts", "inventory_grounding"]
        assert run_suite(con.execute(suite.query).df(), suite) == (True, [])
        got = {
            task: tuple(rest)
            for task, *rest in con.execute(
                "select inventory_task_id, best_confidence, ungrounded_reasons, grounding, is_grounded, "
                "best_resembles_no_work from marts.inventory_grounding where inventory_task_id in "
                "('inv-3', 'inv-6', 'inv-7', 'inv-10', 'inv-11', 'inv-12', 'inv-13')"
            ).fetchall()
        }
        # the rule as the check states it fails a table that ungrounds a task above the floor
        assert "unverified_iff_no_evidence_either_way" in grounding_check_failures(
            con,
            "update marts.inventory_grounding set is_grounded = false, grounding = 'ungrounded' "
            "where inventory_task_id = 'inv-12'",
        )
    finally:
        con.close()
    assert got["inv-3"][0] == "low"  # the match copied
    assert got["inv-10"] == ("low", ["no_credible_match"], "unverified", None, False)
    assert got["inv-11"] == ("low", ["no_credible_match", "domain_not_configured"], "unverified", None, False)
    assert got["inv-12"] == ("none", ["no_credible_match"], "unverified", None, False)
    assert got["inv-13"] == ("none", ["no_credible_match"], "unverified", None, False)
    assert got["inv-6"] == ("none", ["no_credible_match", "domain_not_configured"], "ungrounded", False, True)
    assert got["inv-7"][0] is None and got["inv-7"][2] == "ungrounded" and got["inv-7"][4] is None


def test_inventory_domain_names_fold_like_the_config_file_names():
    # the inventory's names are folded in SQL, the config's aliases in Python: both must agree, or an
    # alias written exactly as the inventory spells the name could never match it
    from assets.coverage.domains import normalize_name
    from tests.coverage.conftest import build_fixture_db

    names = [
        "software\u00a0engineering",  # no-break space
        "software\u2013engineering",  # en dash
        "Software\u200b",  # zero-width space
        "\ufeffsoftware \t engineering ",
        "software\u2003engineering",  # em space
        "software_-_engineering",
    ]
    edits = [
        f"insert into staging.inventory_tasks values ('n-{i}', 'T', 'p', '{name}', 'active', null, null, 'n.csv')"
        for i, name in enumerate(names)
    ]
    con = build_fixture_db(edits=edits)
    try:
        rows = con.execute(
            "select n.inventory_domain, n.name_normalized, n.domain_id from int.domain_inventory_names as n "
            "join staging.inventory_tasks as t on coalesce(trim(t.domain), '') = n.inventory_domain "
            "where t.task_id like 'n-%'"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == len(names)
    for written, folded, domain_id in rows:
        assert folded == normalize_name(written), written
        assert domain_id == "computer-and-mathematical", written


def test_one_band_holding_every_task_is_neither_bottom_nor_top():
    # tier bounds beyond every wage put all work in one band: "a third of the bands" made it the
    # bottom band, and every grounded task low_tier_only ($60/h software work included)
    con = build_fixture_db(edits=["update marts.task_value set tier = '$0-1000/hr'"])
    try:
        assert con.execute(
            "select tier, is_bottom_tier, is_top_tier from int.domain_tier_order"
        ).fetchall() == [("$0-1000/hr", False, False)]
        reasons = con.execute(
            "select count(*) filter (where list_contains(ungrounded_reasons, 'low_tier_only')), "
            "count(*) filter (where grounding = 'grounded') from marts.inventory_grounding"
        ).fetchone()
        assert reasons == (0, 3)  # inv-1, inv-2, inv-8; inv-4 (cooking) stays physical_work
    finally:
        con.close()


def test_the_report_reads_how_tiers_and_ranks_were_built_from_the_warehouse():
    from assets.coverage.reports import judgment_ranks_first, tiers_on_loaded_cost

    con = build_fixture_db()
    try:
        assert (tiers_on_loaded_cost(con), judgment_ranks_first(con)) == (False, True)
        # ranked by score alone within the tier (TASKVALUE_PRIORITY_JUDGMENT_FIRST=false): 202 first
        con.execute("update marts.task_value set priority_rank = 2 where task_id = 202")
        con.execute("update marts.task_value set priority_rank = 6 where task_id = 201")
        con.execute("alter table marts.task_value add column loaded_hourly_cost_usd decimal(12, 2)")
        con.execute("update marts.task_value set loaded_hourly_cost_usd = hourly_wage_usd * 1.42")
        assert (tiers_on_loaded_cost(con), judgment_ranks_first(con)) == (True, False)
        # no task scored at all: nothing to read either setting from, so the report claims neither
        from assets.coverage.reports import priority_is_digital_only

        con.execute("update marts.task_value set priority_score = 0")
        assert (judgment_ranks_first(con), priority_is_digital_only(con)) == (False, False)
    finally:
        con.close()


def test_a_task_uncertain_match_is_physical_work_by_its_occupation_not_its_guessed_statement():
    # inv-4 names Cooks, Restaurant (80% of whose work, by task weight, is physical: "Cook food") but
    # its text only leans to "Order supplies" (routine), too weakly to say which task: the guessed
    # statement made the task not physical; the occupation it named decides
    hinted = (
        "update marts.inventory_task_matches set onet_task_id = 302, method = 'hinted', score = 0.05, "
        "confidence = 'medium', text_confidence = 'low' where inventory_task_id = 'inv-4'"
    )
    con = build_fixture_db(
        edits=[hinted, "update staging.inventory_tasks set onet_task_id = null where task_id = 'inv-4'"]
    )
    got = con.execute(
        "select best_onet_task_id, nature, best_is_task_uncertain, ungrounded_reasons from marts.inventory_grounding "
        "where inventory_task_id = 'inv-4'"
    ).fetchall()
    assert got == [(302, "routine", True, ["low_tier_only", "physical_work"])]
    # an occupation mostly not physical: no physical_work, whatever statement the text leaned to
    con = build_fixture_db(
        edits=[
            hinted,
            "update staging.inventory_tasks set onet_task_id = null where task_id = 'inv-4'",
            "update marts.occupation_value set physical_share = 0.2 where onet_soc_code = '35-2014.00'",
        ]
    )
    assert one(
        con, "select ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-4'"
    ) == ["low_tier_only"]


def test_a_task_a_reviewer_rejected_entirely_is_ungrounded_whatever_its_domain():
    # "reject,," says the task has no O*NET counterpart; a task that declared a configured domain was
    # left unverified, as if text matching had merely failed, and its report told the reviewer to pin
    # a match
    from assets.common.gx_checks import run_suite
    from assets.coverage.checks import SUITES
    from tests.coverage.conftest import build_fixture_db

    con = build_fixture_db(
        edits=[
            "insert into staging.inventory_tasks values ('inv-14', 'Reverse a linked list', 'p', 'Software', "
            "'active', null, null, 'inv.csv')",
            "insert into staging.inventory_tasks values ('inv-15', 'Solve a riddle', 'p', null, 'active', "
            "null, null, 'inv.csv')",
            f"{INSERT_MATCHES} values "
            "('inv-14', 1, null, null, 0.0, 'none', 'override', 'none', null), "
            "('inv-15', 1, null, null, 0.0, 'none', 'override', 'none', null)",
        ]
    )
    try:
        (suite,) = SUITES["marts", "inventory_grounding"]
        assert run_suite(con.execute(suite.query).df(), suite) == (True, [])
        got = dict(
            (task, tuple(rest))
            for task, *rest in con.execute(
                "select inventory_task_id, declared_domain_id, ungrounded_reasons, grounding "
                "from marts.inventory_grounding where inventory_task_id in ('inv-14', 'inv-15')"
            ).fetchall()
        )
        # the check holds the reason to the rejects: one claimed without them fails it
        assert "rejected_iff_every_candidate_was_rejected" in grounding_check_failures(
            con,
            "update marts.inventory_grounding set ungrounded_reasons = ['rejected_by_reviewer'], "
            "ungrounded_reason = 'rejected_by_reviewer' where inventory_task_id = 'inv-6'",
        )
    finally:
        con.close()
    software = got["inv-14"][0]
    assert software is not None  # a configured domain: the case that was unverified
    assert got["inv-14"] == (software, ["rejected_by_reviewer"], "ungrounded")
    assert got["inv-15"] == (None, ["rejected_by_reviewer"], "ungrounded")


def grounding_check_failures(con, corruption: str) -> str:
    """The grounding suite's failures after `corruption` (an UPDATE of marts.inventory_grounding)."""
    from assets.common.gx_checks import run_suite
    from assets.coverage.checks import SUITES

    (suite,) = SUITES["marts", "inventory_grounding"]
    con.execute(corruption)
    passed, failures = run_suite(con.execute(suite.query).df(), suite)
    assert not passed
    return str(failures)


def test_a_text_match_outside_the_declared_domain_covers_only_at_high_confidence():
    # inv-2 declares software; its rank 1 becomes a medium text match of writers (27-3043), as a
    # recruiting task's "outreach to nurses" matched Registered Nurses at medium (27 Nov persona)
    moved = (
        "update marts.inventory_task_matches set onet_task_id = 201, onet_soc_code = '27-3043.00' "
        "where inventory_task_id = 'inv-2' and rank = 1"
    )
    con = build_fixture_db(edits=[moved])
    row = con.execute(
        "select is_outside_declared_domain, is_credible, covers from int.inventory_match_credibility "
        "where inventory_task_id = 'inv-2' and rank = 1"
    ).fetchone()
    assert row == (True, False, False)
    assert one(
        con,
        "select best_is_held_back_by_label from marts.inventory_grounding where inventory_task_id = 'inv-2'",
    )
    # text and label disagree, neither wins: unverified, not ungrounded for being off the domain
    assert one(
        con,
        "select grounding, ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-2'",
    ) == ("unverified", ["no_credible_match"])
    assert (
        one(
            con,
            "select inventory_tasks_matched from marts.domain_coverage where domain_id = 'arts-and-media'",
        )
        == 0
    )
    # high: strong enough text evidence to stand against the label (and it is then off the domain)
    strong = "update marts.inventory_task_matches set confidence = 'high' where inventory_task_id = 'inv-2' and rank = 1"
    con = build_fixture_db(edits=[moved, strong])
    assert one(
        con,
        "select covers from int.inventory_match_credibility where inventory_task_id = 'inv-2' and rank = 1",
    )
    assert one(
        con, "select ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-2'"
    ) == ["outside_declared_domain"]
    # the setting: medium is enough
    con = build_fixture_db(edits=[moved], off_domain_min_confidence="medium")
    assert one(
        con,
        "select covers from int.inventory_match_credibility where inventory_task_id = 'inv-2' and rank = 1",
    )
    # a named occupation is a person's word: inv-5 (Legal, hinted 13-1161 at medium) still covers
    assert one(
        build_fixture_db(),
        "select is_outside_declared_domain and covers from int.inventory_match_credibility "
        "where inventory_task_id = 'inv-5'",
    )


def test_a_text_match_of_a_task_whose_domain_names_no_configured_domain_covers_only_at_high_confidence():
    # 28 Nov persona: 17 tasks labelled "browser-agent", "revops", "med coding" … covered $33.4B of
    # $35.6B with medium text matches while grounding called them unverified ("Reserve meeting rooms
    # and catering" on Audio and Video Technicians). inv-2 (Software, medium text match on 15-1252)
    # relabelled with a name no domain has: its match no longer covers, and nothing of Software is
    # covered through it
    relabel = "update staging.inventory_tasks set domain = 'browser-agent' where task_id = 'inv-2'"
    con = build_fixture_db(edits=[relabel])
    assert con.execute(
        "select in_unconfigured_domain, is_outside_declared_domain, is_credible, covers "
        "from int.inventory_match_credibility where inventory_task_id = 'inv-2' and rank = 1"
    ).fetchone() == (True, False, False, False)
    assert one(
        con,
        "select grounding, ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-2'",
    ) == ("unverified", ["no_credible_match", "domain_not_configured"])
    # the report says why the medium match does not count
    from assets.common.warehouse import dict_rows
    from assets.coverage.grounding_sections import not_credible

    (row,) = dict_rows(con, "select * from marts.inventory_grounding where inventory_task_id = 'inv-2'")
    assert row["best_is_held_back_by_label"]
    assert not_credible(row) == "not credible (text match; the domain names no configured domain)"
    # a low match would not cover under any label: the score is the reason, not the domain (review)
    low = build_fixture_db(
        edits=["update staging.inventory_tasks set domain = 'browser-agent' where task_id = 'inv-3'"]
    )
    (row,) = dict_rows(low, "select * from marts.inventory_grounding where inventory_task_id = 'inv-3'")
    assert (row["best_confidence"], row["best_is_held_back_by_label"]) == ("low", False)
    assert not_credible(row) == "not credible"
    # high text evidence stands on its own (inv-1, high, relabelled the same way, still covers), and so
    # does a person's word: inv-5's hinted medium match under a label no domain has
    con = build_fixture_db(
        edits=[
            "update staging.inventory_tasks set domain = 'browser-agent' where task_id in ('inv-1', 'inv-5')",
        ]
    )
    assert con.execute(
        "select inventory_task_id, in_unconfigured_domain, covers from int.inventory_match_credibility "
        "where inventory_task_id in ('inv-1', 'inv-5') and rank = 1 order by 1"
    ).fetchall() == [("inv-1", True, True), ("inv-5", True, True)]
    # the setting lets medium cover again, as for an off-domain match
    assert one(
        build_fixture_db(edits=[relabel], off_domain_min_confidence="medium"),
        "select covers from int.inventory_match_credibility where inventory_task_id = 'inv-2' and rank = 1",
    )
    # a task without any domain is not a label to check: its medium match covers as before
    assert one(
        build_fixture_db(edits=["update staging.inventory_tasks set domain = null where task_id = 'inv-2'"]),
        "select (not in_unconfigured_domain) and covers from int.inventory_match_credibility "
        "where inventory_task_id = 'inv-2' and rank = 1",
    )


def test_a_text_match_to_a_sector_member_that_is_not_characteristic_is_outside_the_declared_sector():
    # SQL mutation audit (27 Nov): testing membership alone, not is_characteristic, passed every test.
    # Writers (27-3043) earn in NAICS 52 but are not characteristic of it: inv-3, relabelled as the
    # finance sector, with a medium text match on a writer's task is off its domain and covers nothing
    edits = [
        "update staging.inventory_tasks set domain = 'sector-finance' where task_id = 'inv-3'",
        "update marts.inventory_task_matches set score = 0.5, confidence = 'medium', text_confidence = 'medium' "
        "where inventory_task_id = 'inv-3' and rank = 1",
    ]
    con = build_fixture_db(edits=edits)
    assert con.execute(
        "select onet_soc_code, is_outside_declared_domain, covers from int.inventory_match_credibility "
        "where inventory_task_id = 'inv-3' and rank = 1"
    ).fetchone() == ("27-3043.00", True, False)
    # the same match declared under Copywriting (writers are its members) is inside and covers
    edits[0] = "update staging.inventory_tasks set domain = 'Copywriting' where task_id = 'inv-3'"
    assert build_fixture_db(edits=edits).execute(
        "select is_outside_declared_domain, covers from int.inventory_match_credibility "
        "where inventory_task_id = 'inv-3' and rank = 1"
    ).fetchone() == (False, True)


def test_a_sector_domain_ranks_gaps_by_the_sectors_value_and_caps_its_share_at_the_national_value(cov_con):
    # coverage SQL mutation audit (28 Nov): the national score, or a priority value without the sector
    # share, passed every test. Writers' task 201: $300,000 nationally, x 0.1 in sector 52 = $30,000
    got = cov_con.execute(
        "select task_id, annual_value_usd, priority_score, priority_value from int.domain_task_coverage "
        "where domain_id = 'sector-finance' order by task_id"
    ).fetchall()
    assert got == [
        (101, 72_000, 72_000, 72_000),  # 0.12 x 600,000
        (102, 48_000, 48_000, 48_000),
        (201, 30_000, 30_000, 30_000),
        (202, 10_000, 10_000, 10_000),
        (401, 50_000, 50_000, 50_000),  # 0.2 x 250,000
        (402, 30_000, 30_000, 30_000),
    ]
    # a sector bill above the national one (two sectors in one domain can add up past it) counts the
    # national value, never more: the shares are capped at 1
    con = build_fixture_db(
        edits=[
            "update marts.sector_occupation_value set wage_bill_usd = 800000, employment = 100000000 "
            "where naics = '52' and oes_code = '27-3043'"
        ]
    )
    assert con.execute(
        "select value_share, employment_share from int.domain_members "
        "where domain_id = 'sector-finance' and onet_soc_code = '27-3043.00'"
    ).fetchone() == (1.0, 1.0)
    assert con.execute(
        "select task_id, annual_value_usd, priority_value from int.domain_task_coverage "
        "where domain_id = 'sector-finance' and onet_soc_code = '27-3043.00' order by 1"
    ).fetchall() == [(201, 300_000, 300_000), (202, 100_000, 100_000)]


def test_an_inventory_task_missing_from_the_matches_still_has_a_credibility_row(cov_con):
    # coverage SQL mutation audit (28 Nov): a left join from the matches (losing inv-7) passed every
    # test; the table's contract is one row at least per inventory task, so its status is judged here
    assert cov_con.execute(
        "select rank, onet_task_id, covers from int.inventory_match_credibility where inventory_task_id = 'inv-7'"
    ).fetchall() == [(None, None, False)]
    assert cov_con.execute(
        "select count(*) from staging.inventory_tasks where task_id not in "
        "(select inventory_task_id from int.inventory_match_credibility)"
    ).fetchone() == (0,)


def test_a_task_is_physical_or_low_tier_only_when_every_credible_match_is():
    # coverage SQL mutation audit (28 Nov): bool_or for bool_and passed every test, as no task had two
    # credible matches. inv-1 (software, high) also links a cook's task by an explicit ID at rank 3:
    # one physical, bottom-tier match among others does not make it ungrounded
    con = build_fixture_db(
        edits=[
            "insert into marts.inventory_task_matches values "
            "('inv-1', 3, 301, '35-2014.00', 0.3, 'high', 'explicit', 'low', false, 'tfidf')"
        ]
    )
    assert con.execute(
        "select grounding, ungrounded_reasons, credible_matches, credible_value_usd "
        "from marts.inventory_grounding where inventory_task_id = 'inv-1'"
    ).fetchone() == ("grounded", [], 2, 600_000)


def test_credible_value_is_the_largest_credible_match_not_their_sum():
    # inv-1's rank 2 (task 102, $400,000) made credible by an explicit link: $600,000 (task 101), not $1M
    con = build_fixture_db(
        edits=[
            "update marts.inventory_task_matches set method = 'explicit' where inventory_task_id = 'inv-1' and rank = 2"
        ]
    )
    assert con.execute(
        "select credible_matches, credible_value_usd from marts.inventory_grounding where inventory_task_id = 'inv-1'"
    ).fetchone() == (2, 600_000)


def test_a_task_uncertain_match_is_physical_from_half_its_occupations_work():
    # inv-5 names Market Research Analysts (13-1161.00) but its text cannot say which task: physical
    # when at least half of that occupation's task weight is physical (the boundary itself counts)
    con = build_fixture_db(
        edits=["update marts.occupation_value set physical_share = 0.5 where onet_soc_code = '13-1161.00'"]
    )
    assert one(
        con, "select ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-5'"
    ) == ["physical_work", "outside_declared_domain"]


def test_slices_without_a_tier_or_a_digital_label_are_their_own_slices_with_unknown_value():
    # coverage SQL mutation audit (28 Nov): a 'no tier' slice without its sort position, an unknown
    # digital flag read as 'not digital', and $0 covered for a slice with no value passed every test.
    # Task 302 (cooks, uncovered) loses its wage and its digital label
    con = build_fixture_db(
        edits=[
            "update marts.task_value set tier = null, hourly_wage_usd = null, annual_value_usd = null, "
            "priority_score = null, is_digital = null where task_id = 302"
        ]
    )
    got = con.execute(
        "select dimension, slice, slice_order, tasks_total, total_value_usd, covered_value_usd "
        "from marts.domain_coverage_slices where domain_id = 'food' and dimension in ('tier', 'digital') "
        "order by dimension, slice_order"
    ).fetchall()
    assert got == [
        ("digital", "not digital", 2, 1, 200_000, 200_000),
        ("digital", "unknown", 3, 1, None, None),
        ("tier", "low", 1, 1, 200_000, 200_000),
        ("tier", "no tier", 99, 1, None, None),
    ]


def test_the_rl_export_stamps_the_candidate_that_grounds_the_task_when_rank_2_may_cover():
    # with covering_max_rank 2, inv-3's rank 1 (a low text match of task 201) is not credible, its
    # rank 2 (task 202, high) is: grounding said grounded while the export stamped nothing (28 Nov)
    con = build_fixture_db(
        edits=[
            "insert into marts.inventory_task_matches values "
            "('inv-3', 2, 202, '27-3043.00', 0.6, 'high', 'text', 'high', false, 'tfidf')"
        ],
        covering_max_rank=2,
    )
    row = con.execute(
        "select onet_task_id, onet_soc_code, annual_value_usd, is_match_credible, stamped_rank, "
        "candidate_onet_task_id, confidence, grounding from marts.inventory_export where inventory_task_id = 'inv-3'"
    ).fetchone()
    assert row == (202, "27-3043.00", 100_000, True, 2, 201, "low", "grounded")
    # under the default rule the stamp is the rank-1 candidate, or nothing
    con = build_fixture_db()
    assert con.execute(
        "select count(*) filter (where stamped_rank = 1), count(*) filter (where stamped_rank is null), "
        "count(*) filter (where onet_soc_code is not null) from marts.inventory_export"
    ).fetchone() == (5, 3, 5)


def test_nature_slices_in_their_fixed_order_with_uncovered_values_and_four_decimal_percentages(cov_con):
    # coverage SQL mutation audit (28 Nov): a swapped slice order, uncovered = total and percentages
    # rounded to 2 decimals passed every test. Digital copywriting: judgment 201 ($300k) + 401 ($250k,
    # covered) = 250 / 550 = 45.4545%; interpersonal 202 ($100k); routine 402 ($150k, covered)
    got = cov_con.execute(
        "select slice, slice_order, total_value_usd, covered_value_usd, uncovered_value_usd, value_coverage_pct "
        "from marts.domain_coverage_slices where domain_id = 'digital-copywriting' and dimension = 'nature' "
        "order by slice_order"
    ).fetchall()
    assert got == [
        ("judgment", 1, 550_000, 250_000, 300_000, 45.4545),
        ("interpersonal", 2, 100_000, 0, 100_000, 0.0),
        ("routine", 3, 150_000, 150_000, 0, 100.0),
    ]
    assert (
        one(
            cov_con,
            "select slice_order from marts.domain_coverage_slices "
            "where domain_id = 'food' and dimension = 'nature' and slice = 'physical'",
        )
        == 4
    )


def test_a_credible_match_to_a_non_characteristic_sector_member_is_outside_the_declared_domain():
    # coverage SQL mutation audit (28 Nov), grounding's twin of the credibility test above: inv-3,
    # declared under the finance sector, matches a writer's task at high (credible even off the
    # domain): writers earn in NAICS 52 but are not characteristic of it
    con = build_fixture_db(
        edits=[
            "update marts.inventory_task_matches set confidence = 'high', text_confidence = 'high', score = 0.9 "
            "where inventory_task_id = 'inv-3'",
            "update staging.inventory_tasks set domain = 'sector-finance' where task_id = 'inv-3'",
        ]
    )
    assert con.execute(
        "select grounding, ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-3'"
    ).fetchone() == ("ungrounded", ["outside_declared_domain"])


def test_a_match_to_a_task_without_a_tier_or_nature_is_neither_low_tier_nor_null():
    # a credible match to a task with no published wage (no tier) and no DWA (no nature): not
    # low_tier_only, and its nature reads 'unknown' in the grounding mart and the RL export
    con = build_fixture_db(
        edits=[
            "insert into marts.task_value (onet_soc_code, task_id, task, oes_code, tier, nature, is_digital) "
            "values ('15-1252.00', 109, 'Do odd work', '15-1252', null, null, true)",
            "update marts.inventory_task_matches set onet_task_id = 109 where inventory_task_id = 'inv-1' and rank = 1",
        ]
    )
    assert con.execute(
        "select grounding, ungrounded_reasons, nature, tier, is_bottom_tier from marts.inventory_grounding "
        "where inventory_task_id = 'inv-1'"
    ).fetchone() == ("grounded", [], "unknown", None, False)
    assert con.execute(
        "select onet_task_id, nature, tier from marts.inventory_export where inventory_task_id = 'inv-1'"
    ).fetchone() == (109, "unknown", None)


def test_a_reviewers_rejection_is_named_before_an_unmapped_domain(tmp_path):
    # inv-7 is labelled Games (declared unmapped) and a reviewer rejected its candidates: the person's
    # decision is the reason shown
    domains = tmp_path / "domains.toml"
    domains.write_text('unmapped_inventory_domains = ["games"]\n' + (FIXTURE / "domains.toml").read_text())
    con = build_fixture_db(
        edits=[
            "update staging.inventory_tasks set domain = 'Games' where task_id = 'inv-7'",
            "insert into marts.inventory_task_matches values "
            "('inv-7', 1, null, null, null, 'none', 'override', null, null, 'tfidf')",
        ],
        domains_file=str(domains),
    )
    assert con.execute(
        "select grounding, ungrounded_reasons from marts.inventory_grounding where inventory_task_id = 'inv-7'"
    ).fetchone() == ("ungrounded", ["rejected_by_reviewer"])


def test_concentration_medians_tier_lists_and_a_domain_without_value():
    # coverage SQL mutation audit (28 Nov): the median of $40.01 and $40.02 is $40.015, which rounds to
    # $40.02 (exact decimals; a double median gave $40.01)
    con = build_fixture_db(
        edits=[
            "update marts.task_value set hourly_wage_usd = 40.01 where task_id = 401",
            "update marts.task_value set hourly_wage_usd = 40.02 where task_id = 402",
        ]
    )
    assert one(
        con,
        "select inventory_median_hourly_wage_usd from marts.domain_concentration "
        "where domain_id = 'digital-copywriting'",
    ) == D("40.02")
    # the bottom tiers are listed in pay order, not by name
    con = build_fixture_db(
        edits=["update marts.task_value set tier = 'very low' where tier = 'low'"], bottom_tier_count=2
    )
    assert con.execute(
        "select bottom_tiers, top_tiers from marts.domain_concentration where domain_id = 'food'"
    ).fetchone() == ("very low, mid", "high")
    # a domain whose work is worth $0 has no value-weighted median wage
    con = build_fixture_db(
        edits=["update marts.task_value set annual_value_usd = 0 where oes_code = '35-2014'"]
    )
    assert (
        one(
            con,
            "select value_median_hourly_wage_usd from marts.domain_concentration where domain_id = 'food'",
        )
        is None
    )


def test_a_weak_match_of_a_retired_task_names_no_gap():
    con = build_fixture_db(
        edits=["update staging.inventory_tasks set status = 'retired' where task_id = 'inv-3'"]
    )
    weak = con.execute(
        "select count(*) from marts.coverage_gaps where len(weak_match_inventory_task_ids) > 0"
    ).fetchone()[0]
    assert weak == 0


def test_a_placeholder_domain_is_no_domain_claim():
    # review (28 Nov): '-', '—', 'N/A', 'none' and 'other' counted as names no domain has, so a medium
    # text match stopped covering; a blank cell covered. They say "no domain": judged as a blank one
    def relabelled(label: str):
        con = build_fixture_db(
            edits=[f"update staging.inventory_tasks set domain = '{label}' where task_id = 'inv-2'"]
        )
        return con.execute(
            "select c.in_unconfigured_domain, c.covers, g.grounding, g.ungrounded_reasons, n.is_no_domain "
            "from int.inventory_match_credibility as c "
            "join marts.inventory_grounding as g using (inventory_task_id) "
            "join int.domain_inventory_names as n on n.inventory_domain = g.inventory_domain "
            "where c.inventory_task_id = 'inv-2' and c.rank = 1"
        ).fetchone()

    for label in ("", "-", "—", "N/A", "none", "Other", "nan", "TBD"):
        assert relabelled(label) == (False, True, "grounded", [], True), label
    # a name, even a made-up one, is a claim to check
    assert relabelled("Browser Agent") == (
        True,
        False,
        "unverified",
        ["no_credible_match", "domain_not_configured"],
        False,
    )
