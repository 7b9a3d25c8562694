"""Known answers on the fixture mirror (tests/fixtures/mirror/README.md has the inputs).

Three OES occupations with tasks: 11-1011 (split across O*NET 11-1011.00 and 11-1011.03), 15-1252
(sole), and the OES aggregate 29-2010 (O*NET 29-2011.00). Task Ratings cover every task; the RT cell
of task 15373 is suppressed. Default settings: ft_rt weights, equal split, tiers 15/25/50/100/200.
"""

from decimal import Decimal as D

from tests.rebuild_on_copy import rebuild_on_copy


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_crosswalk_splits_shared_row_and_matches_aggregate(fx):
    got = rows(
        fx,
        "select onet_soc_code, oes_code, match_level, allocation_rule, allocated_employment, "
        "allocated_wage_bill_usd from int.onet_oes_crosswalk order by 1",
    )
    assert got == [
        # 200,000 workers / 2 codes = 100,000 each; bill 100,000 x 208,000 = 20,800,000,000
        ("11-1011.00", "11-1011", "detailed", "equal_split", 100_000, D("20800000000.00")),
        ("11-1011.03", "11-1011", "detailed", "equal_split", 100_000, D("20800000000.00")),
        # 1,000,000 x 124,800
        ("15-1252.00", "15-1252", "detailed", "sole", 1_000_000, D("124800000000.00")),
        # 29-2011 has no OES row; 29-2010 is the one aggregate in broad group 29-201x
        ("29-2011.00", "29-2010", "oes_aggregate", "sole", 300_000, D("18720000000.00")),
    ]


def test_ft_rt_weights_and_suppressed_fallback(fx):
    got = dict(
        ((c, t), (m, round(w, 9)))
        for c, t, m, w in rows(fx, "select onet_soc_code, task_id, method, weight from int.task_weights")
    )
    # 11-1011.00: freq x RT/100 = 177 (FT4 50% x 104 + FT5 50% x 250), 250, 1 x 0.5; sum 427.5
    assert got[("11-1011.00", 8823)] == ("ft_rt", round(177 / 427.5, 9))
    assert got[("11-1011.00", 8842)] == ("ft_rt", round(0.5 / 427.5, 9))
    # 15373's RT is suppressed: mean rated score per point (24 / 2 Core points) x its 2 points = 24
    assert got[("11-1011.03", 15373)] == ("ft_rt_fallback", 0.5)
    assert got[("11-1011.03", 15382)] == ("ft_rt", 0.5)
    # 15-1252.00: 750, 250 x 0.8 = 200, 104 x 0.5 = 52; sum 1002
    assert got[("15-1252.00", 21667)] == ("ft_rt", round(750 / 1002, 9))
    # 29-2011.00: 2000, 250, 104 x 0.25 = 26; sum 2276
    assert got[("29-2011.00", 1898)] == ("ft_rt", round(26 / 2276, 9))


def test_other_weighting_methods(fx):
    got = dict(
        ((wt, t), round(w, 9))
        for wt, t, w in rows(fx, "select weighting, task_id, weight from int.task_weight_variants")
    )
    # Core 2 / Supplemental 1: 2/5, 2/5, 1/5; n/a tasks of 15-1252.00 weigh 1 each -> 1/3
    assert got[("core_supplemental", 8823)] == 0.4
    assert got[("core_supplemental", 8842)] == 0.2
    assert got[("core_supplemental", 21667)] == round(1 / 3, 9)
    # IM: 4.5, 4.0, 2.5 -> sum 11
    assert got[("importance", 8823)] == round(4.5 / 11, 9)
    assert got[("equal", 1898)] == round(1 / 3, 9)


def test_task_values_to_the_cent(fx):
    got = dict(rows(fx, "select task_id, annual_value_usd from marts.task_value"))
    # 11-1011.00, bill 2,080,000,000,000 cents:
    #   8823: x 177/427.5 = 861,192,982,456.14 -> floor ...456 (remainder .14)
    #   8824: x 250/427.5 = 1,216,374,269,005.85 -> floor ...005 (.85)
    #   8842: x 0.5/427.5 = 2,432,748,538.01 -> floor ...538 (.01)
    #   floors add to 2,079,999,999,999: the 1 cent left goes to the largest remainder (8824)
    assert got[8823] == D("8611929824.56")
    assert got[8824] == D("12163742690.06")
    assert got[8842] == D("24327485.38")
    # 15-1252.00, bill 12,480,000,000,000 cents: x 750/1002 = ...269.46, x 200/1002 = ...071.856,
    # x 52/1002 = ...658.68; floors leave 2 cents -> 21670 (.856) and 21673 (.68)
    assert got[21667] == D("93413173652.69")
    assert got[21670] == D("24910179640.72")
    assert got[21673] == D("6476646706.59")
    # 11-1011.03: 20,800,000,000 x 1/2 each
    assert got[15373] == got[15382] == D("10400000000.00")
    # 29-2011.00: 18,720,000,000 x 2000/2276 = 16,449,912,126.537...
    assert got[1886] == D("16449912126.54")
    per_occupation = rows(
        fx,
        "select onet_soc_code, sum(annual_value_usd), min(occupation_wage_bill_usd) from marts.task_value "
        "group by 1 order by 1",
    )
    assert all(total == bill for _, total, bill in per_occupation)
    assert sum(total for _, total, _ in per_occupation) == D("185120000000.00")  # README: 185.12e9


def test_labels_tiers_and_priority(fx):
    got = {
        t: rest
        for t, *rest in rows(
            fx,
            "select task_id, nature, is_digital, tier, priority_score, priority_rank from marts.task_value",
        )
    }
    # 1898 has no DWA: unknown, never guessed; it scores 0 because it is not known to be digital
    assert got[1898][:2] == ["unknown", None]
    # 1892: three physical DWAs (clean, prepare supplies, maintain equipment)
    assert got[1892][:2] == ["physical", False]
    # 21667: 3 DWAs, all judgment (analyse, design, modify software) and digital
    assert got[21667][:3] == ["judgment", True, "$50-100/hr"]
    # $100/hr chief executives sit in the $100-200 tier; $30/hr lab technologists in $25-50
    assert got[8823][2] == "$100-200/hr" and got[1886][2] == "$25-50/hr"
    # rank 1: highest tier, judgment first (15382 evaluate programmes, digital, $10.4e9)
    assert got[15382][4] == 1
    # 8823 "Direct financial operations": IWA Manage budgets or finances, judgment and digital (seed)
    assert got[8823][:2] == ["judgment", True] and got[8823][4] == 2  # same tier, smaller value
    assert got[8842][4] == 3
    # non-digital tasks score 0
    assert got[1892][3] == D("0.00")


def test_occupation_and_family_values(fx):
    occ = {
        r[0]: r[1:]
        for r in rows(
            fx,
            "select onet_soc_code, employment, wage_bill_usd, digital_share, judgment_share "
            "from marts.occupation_value",
        )
    }
    # 11-1011.00: all three tasks digital; judgment: 8823 (177) + 8842 (0.5) of 427.5
    assert occ["11-1011.00"][2] == 1.0
    assert round(occ["11-1011.00"][3], 9) == round(177.5 / 427.5, 9)
    assert occ["15-1252.00"][:3] == (1_000_000, D("124800000000.00"), 1.0)
    fam = {
        (lvl, a): v
        for lvl, a, v in rows(fx, "select level, activity_id, annual_value_usd from marts.task_family_value")
    }
    # 4.A.2.b.2.I02.D07 (modify software): 21667/3 + 21670 = 31,137,724,550.90 + 24,910,179,640.72
    assert fam[("dwa", "4.A.2.b.2.I02.D07")] == D("56047904191.62")
    # every level adds up to the value of the tasks with DWAs (all but 1898)
    linked = D("185120000000.00") - D("213848857.64")
    for level in ("dwa", "iwa", "gwa"):
        total = sum(v for (lvl, _), v in fam.items() if lvl == level)
        assert abs(total - linked) <= D("0.05")


def test_sector_lens(fx):
    got = {
        (n, o): rest
        for n, o, *rest in rows(
            fx,
            "select naics, oes_code, employment, wage_bill_usd, digital_share, rank_in_sector, judgment_share "
            "from marts.sector_occupation_value",
        )
    }
    # Information: 400,000 x 145,600 = 58,240,000,000, all tasks digital
    assert got[("51", "15-1252")][:4] == [400_000, D("58240000000.00"), 1.0, 1]
    # 11-1011: 20,000 x 249,600; judgment share = mean of 177.5/427.5 (11-1011.00) and 1/2 (11-1011.03),
    # as the OES code's employment is split equally between them; both codes are all digital
    emp, bill, share, rank, judgment = got[("51", "11-1011")]
    assert (emp, bill, rank, share) == (20_000, D("4992000000.00"), 2, 1.0)
    assert round(judgment, 9) == round((177.5 / 427.5 + 0.5) / 2, 9)
    # 15-1299 has no tasks: its share is null, not 0
    assert got[("51", "15-1299")][2] is None


def test_join_quality(fx):
    got = {
        (s, c): (e, sh)
        for s, c, e, sh in rows(
            fx,
            "select section, item_code, employment, share_of_oes_detailed_employment from marts.join_quality",
        )
    }
    assert got[("coverage", None)] == (1_500_000, 0.9375)  # 1.5M of 1.6M
    assert got[("oes_without_tasks", "15-1299")][0] == 100_000


def test_sensitivity_covers_all_methods(fx):
    got = rows(fx, "select entity, method_a, method_b from marts.weighting_sensitivity order by all")
    methods = ["core_supplemental", "equal", "ft_rt", "importance"]
    pairs = [(a, b) for i, a in enumerate(methods) for b in methods[i + 1 :]]
    assert got == [(e, a, b) for e in ("occupation", "task") for a, b in pairs]
    # equal vs core_supplemental orders the 4 occupations' digital value identically
    (rho,) = fx.execute(
        "select spearman_rank_correlation from marts.weighting_sensitivity "
        "where entity = 'occupation' and method_a = 'core_supplemental' and method_b = 'equal'"
    ).fetchone()
    assert round(rho, 9) == 1.0


def test_bring_your_own_attributes(fx):
    unmatched = rows(fx, "select source_row, reason from marts.task_attribute_unmatched order by 1")
    assert unmatched == [
        (5, "task_id_not_in_release"),
        (6, "task_id_under_other_occupation"),
        (7, "task_id_not_a_whole_number"),
    ]
    (exposed, mean) = fx.execute(
        "select exposed_value_usd, weighted_mean_attribute from marts.occupation_attribute_value "
        "where onet_soc_code = '15-1252.00' and attribute = 'exposure'"
    ).fetchone()
    # 93,413,173,652.69 x 1 + 24,910,179,640.72 x 0.5 + 6,476,646,706.59 x 0
    assert exposed == D("105868263473.05")
    assert round(mean, 9) == round((750 * 1 + 200 * 0.5) / 1002, 9)


def test_bi_column_names(fx):
    def columns(table):
        return {r[0] for r in fx.execute(f"describe {table}").fetchall()}

    assert {
        "onet_soc_code", "task_id", "task", "oes_code", "allocated_employment", "hourly_wage_usd",
        "annual_value_usd", "tier", "nature", "is_digital", "priority_score", "priority_rank",
    } <= columns("marts.task_value")  # fmt: skip
    assert {
        "naics", "naics_title", "oes_code", "occupation_title", "employment", "wage_bill_usd",
        "digital_share", "rank_in_sector",
    } <= columns("marts.sector_occupation_value")  # fmt: skip
    assert {"oes_code", "employment", "wage_bill_usd", "digital_share"} <= columns("marts.occupation_value")


def test_a_fallback_task_scores_its_own_points(fixture_settings):
    # SQL mutation audit (27 Nov): both tasks of 11-1011.03 are Core, so "x its own points" was never
    # exercised. As Supplemental (1 point), suppressed 15373 gets the rated mean per point: 15382's
    # 24 / 2 points = 12, so 12 of 36: 1/3, and 15382 keeps 24 of 36
    con = rebuild_on_copy(
        fixture_settings,
        ["int.task_weight_variants", "int.task_weights"],
        edits=["update staging.onet_task_statements set task_type = 'Supplemental' where task_id = 15373"],
    )
    got = dict(
        rows(
            con,
            "select task_id, (method, points, weight) from int.task_weights where onet_soc_code = '11-1011.03'",
        )
    )
    assert got[15373][:2] == ("ft_rt_fallback", 1)
    assert round(got[15373][2], 12) == round(1 / 3, 12)
    assert round(got[15382][2], 12) == round(2 / 3, 12)


def test_an_incomplete_frequency_distribution_falls_back(fixture_settings):
    # an FT distribution needs all 7 categories: without its category-7 row (0%), 8823's frequency is
    # not a distribution we can trust, so it takes the rated mean per point of 8824 and 8842:
    # 8824 250 / 2 points, 8842 0.5 / 1 point -> (250 + 0.5) / 3 = 83.5 per point, x 2 Core points = 167
    con = rebuild_on_copy(
        fixture_settings,
        ["int.task_weight_variants", "int.task_weights"],
        edits=[
            "delete from staging.onet_task_ratings "
            "where task_id = 8823 and scale_id = 'FT' and category::varchar = '7'"
        ],
    )
    got = dict(
        rows(con, "select task_id, (method, score) from int.task_weights where onet_soc_code = '11-1011.00'")
    )
    assert got[8823] == ("ft_rt_fallback", 167.0)
    assert got[8824][0] == got[8842][0] == "ft_rt"
