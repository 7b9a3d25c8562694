"""The value model written as an analyst would in plain pandas: the baseline bench/value_model.py
times our SQL models against. Same formulas as sql/int and sql/marts (DOMAIN.md "The value model"):
O*NET->OES matching with equal split and largest-remainder employment, Core/Supplemental or ratings
weights, DWA-majority labels, cents by largest remainder, occupation, family and sector roll-ups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FT_RATES = {1: 1.0, 2: 4.0, 3: 24.0, 4: 104.0, 5: 250.0, 6: 750.0, 7: 2000.0}
POINTS = {"Core": 2, "Supplemental": 1}
NATURE_ORDER = ["judgment", "interpersonal", "routine", "physical"]

TABLES = [
    "oes_national",
    "oes_sector",
    "soc_structure",
    "onet_task_statements",
    "onet_task_ratings",
    "onet_tasks_to_dwas",
    "onet_dwa_reference",
    "onet_occupations",
]


def load(con) -> dict[str, pd.DataFrame]:
    frames = {t: con.sql(f"select * from staging.{t}").df() for t in TABLES}
    frames["labels"] = con.sql("select * from int.activity_labels").df()
    return frames


def largest_remainder(
    total: pd.Series, share_num: pd.Series, group: pd.Series, tiebreak: pd.Series
) -> pd.Series:
    """Integer split of `total` (constant per group) proportional to share_num, adding up exactly.

    Integer arithmetic, like the SQL: with float shares, equal remainders come out unequal by rounding
    noise and the extra units go to the wrong rows (2,230 tasks a cent off on the real data). Equal
    remainders are broken by `tiebreak` ascending, as in the SQL (task_id, or the O*NET code).
    """
    total = total.astype("int64")
    share_num = share_num.astype("int64")
    if len(total) and int(total.max()) * int(share_num.max()) >= 2**63:
        total, share_num = total.astype(object), share_num.astype(object)  # exact Python ints
    den = share_num.groupby(group).transform("sum")
    num = total * share_num
    floor = num // den
    remainder = num % den
    leftover = total - floor.groupby(group).transform("sum")
    order = (
        pd.DataFrame({"g": group, "r": remainder.astype(float), "t": tiebreak})
        .sort_values(["g", "r", "t"], ascending=[True, False, True])
        .groupby("g")
        .cumcount()
    )
    rank = order.reindex(group.index)
    return (floor + (rank < leftover).astype(int)).astype("int64")


def crosswalk(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    oes = f["oes_national"]
    detailed = oes[oes.o_group == "detailed"].copy()
    soc_detailed = set(f["soc_structure"].query("soc_group == 'Detailed'").soc_code)
    detailed["is_aggregate"] = detailed.occ_code.str.endswith("0") | ~detailed.occ_code.isin(soc_detailed)
    aggs = detailed[detailed.is_aggregate].assign(prefix=lambda d: d.occ_code.str[:6])
    aggs = aggs.groupby("prefix").filter(lambda g: len(g) == 1)[["prefix", "occ_code"]]
    tasks = f["onet_task_statements"]
    onet = tasks.groupby("onet_soc_code").size().rename("task_count").reset_index()
    onet["soc_code"] = onet.onet_soc_code.str[:7]
    onet["prefix"] = onet.soc_code.str[:6]
    m = onet.merge(
        detailed[["occ_code"]].rename(columns={"occ_code": "d"}), left_on="soc_code", right_on="d", how="left"
    )
    m = m.merge(aggs.rename(columns={"occ_code": "a"}), on="prefix", how="left")
    m["oes_code"] = m.d.fillna(m.a)
    m["match_level"] = np.where(m.d.notna(), "detailed", np.where(m.a.notna(), "oes_aggregate", "none"))
    m = m.merge(
        detailed[["occ_code", "tot_emp", "a_mean_usd", "h_mean_usd"]],
        left_on="oes_code",
        right_on="occ_code",
        how="left",
    )
    matched = m[m.oes_code.notna()].copy()
    matched["allocated_employment"] = largest_remainder(
        matched.tot_emp, pd.Series(1, index=matched.index), matched.oes_code, matched.onet_soc_code
    )
    m = m.join(matched[["allocated_employment"]])
    annual = m.a_mean_usd.astype(float).fillna(m.h_mean_usd.astype(float) * 2080)
    m["annual_wage_usd"] = annual
    m["hourly_wage_usd"] = m.h_mean_usd.astype(float).fillna((m.a_mean_usd / 2080).round(2))
    m["bill_cents"] = (m.allocated_employment * (annual * 100).round()).astype("float")
    return m


def weights(f: dict[str, pd.DataFrame], method: str = "ft_rt") -> pd.DataFrame:
    t = f["onet_task_statements"][["onet_soc_code", "task_id", "task_type"]].copy()
    t["points"] = t.task_type.map(POINTS).fillna(1).astype(int)
    r = f["onet_task_ratings"]
    score = None
    if len(r) and method == "ft_rt":
        ft = r[r.scale_id == "FT"].assign(v=lambda d: d.data_value / 100 * d.category.map(FT_RATES))
        ft = ft.groupby(["onet_soc_code", "task_id"]).agg(
            freq=("v", "sum"), sup=("recommend_suppress", "any"), n=("category", "nunique")
        )
        rt = (
            r[r.scale_id == "RT"]
            .groupby(["onet_soc_code", "task_id"])
            .agg(rt=("data_value", "mean"), rsup=("recommend_suppress", "any"))
        )
        j = ft.join(rt, how="inner")
        ok = (j.n == 7) & ~j.sup.fillna(False) & ~j.rsup.fillna(False)
        score = (j.freq * j.rt / 100)[ok].rename("rated")
    if score is not None:
        t = t.merge(score.reset_index(), on=["onet_soc_code", "task_id"], how="left")
        g = t.groupby("onet_soc_code")
        per_point = g.rated.transform("mean") / t.points.where(t.rated.notna()).groupby(
            t.onet_soc_code
        ).transform("mean")
        t["score"] = t.rated.fillna(per_point * t.points).fillna(t.points)
        # integer weight units as in the SQL: scores quantised to 1e-6, plain points without ratings
        rated = t.rated.notna() | per_point.notna()
        t["units"] = np.where(rated, (t.score * 1e6).round(), t.points).astype("int64")
    else:
        t["score"] = t.points.astype(float)
        t["units"] = t.points.astype("int64")
    t["weight"] = t.score / t.groupby("onet_soc_code").score.transform("sum")
    return t


def labels(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    lab = f["labels"]
    d = f["onet_dwa_reference"].copy()
    for level, key in (("dwa", "dwa_id"), ("iwa", "iwa_id"), ("gwa", "gwa_id")):
        sub = lab[lab.level == level][["element_id", "nature", "is_digital"]]
        sub = sub.rename(columns={"element_id": key, "nature": f"n_{level}", "is_digital": f"d_{level}"})
        d = d.merge(sub, on=key, how="left")
    d["nature"] = d.n_dwa.fillna(d.n_iwa).fillna(d.n_gwa)
    d["is_digital"] = d.d_dwa.fillna(d.d_iwa).fillna(d.d_gwa).astype(bool)
    links = f["onet_tasks_to_dwas"][["onet_soc_code", "task_id", "dwa_id"]].drop_duplicates()
    links = links.merge(d[["dwa_id", "iwa_id", "gwa_id", "nature", "is_digital"]], on="dwa_id")
    counts = pd.crosstab([links.onet_soc_code, links.task_id], links.nature).reindex(
        columns=NATURE_ORDER, fill_value=0
    )
    nature = counts.idxmax(axis=1)  # first of the maxima in NATURE_ORDER = the tie-break
    digital = links.groupby(["onet_soc_code", "task_id"]).is_digital.mean()
    out = pd.DataFrame(
        {"nature": nature, "digital_dwa_share": digital, "dwa_count": counts.sum(axis=1)}
    ).reset_index()
    out["is_digital"] = out.digital_dwa_share >= 0.5
    return out, links


def task_value(f, cw, w, lab) -> pd.DataFrame:
    t = f["onet_task_statements"][["onet_soc_code", "task_id", "task"]]
    tv = t.merge(w[["onet_soc_code", "task_id", "weight", "units"]], on=["onet_soc_code", "task_id"])
    tv = tv.merge(
        cw[["onet_soc_code", "oes_code", "allocated_employment", "hourly_wage_usd", "bill_cents"]],
        on="onet_soc_code",
    )
    tv = tv.merge(lab, on=["onet_soc_code", "task_id"], how="left")
    tv["nature"] = tv.nature.fillna("unknown")
    has = tv.bill_cents.notna()
    v = tv[has]
    tv["value_cents"] = largest_remainder(v.bill_cents, v.units, v.onet_soc_code, v.task_id).reindex(tv.index)
    tv["annual_value_usd"] = tv.value_cents / 100
    tv["priority_score"] = np.where(tv.is_digital.fillna(False).astype(bool), tv.annual_value_usd, 0.0)
    tv["priority_rank"] = tv.priority_score.rank(ascending=False, method="first")
    return tv


def occupation_value(tv: pd.DataFrame) -> pd.DataFrame:
    tv = tv.assign(
        dw=tv.weight * tv.is_digital.fillna(False).astype(float),
        jw=tv.weight * (tv.nature == "judgment"),
        rw=tv.weight * (tv.nature == "routine"),
    )
    return tv.groupby("onet_soc_code").agg(
        oes_code=("oes_code", "first"),
        employment=("allocated_employment", "first"),
        wage_bill_usd=("annual_value_usd", "sum"),
        digital_share=("dw", "sum"),
        judgment_share=("jw", "sum"),
        routine_share=("rw", "sum"),
        tasks_count=("task_id", "size"),
    )


def family_value(tv: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    k = links.merge(
        tv[["onet_soc_code", "task_id", "annual_value_usd", "allocated_employment"]],
        on=["onet_soc_code", "task_id"],
    )
    k["share"] = k.annual_value_usd / k.groupby(["onet_soc_code", "task_id"]).dwa_id.transform("size")
    out = []
    for level, key in (("dwa", "dwa_id"), ("iwa", "iwa_id"), ("gwa", "gwa_id")):
        value = k.groupby(key).share.sum()
        reach = k.drop_duplicates([key, "onet_soc_code"]).groupby(key).allocated_employment.sum()
        out.append(pd.DataFrame({"level": level, "annual_value_usd": value, "employment_reached": reach}))
    return pd.concat(out)


def sector_value(f, occ: pd.DataFrame) -> pd.DataFrame:
    s = f["oes_sector"].query("o_group == 'detailed'").copy()
    share = occ.dropna(subset=["oes_code"]).assign(de=lambda d: d.digital_share * d.employment)
    share = share.groupby("oes_code").agg(de=("de", "sum"), e=("employment", "sum"))
    share["digital_share"] = share.de / share.e
    s["wage_bill_usd"] = s.tot_emp * s.a_mean_usd.astype(float).fillna(s.h_mean_usd.astype(float) * 2080)
    s = s.merge(share[["digital_share"]], left_on="occ_code", right_index=True, how="left")
    s["rank_in_sector"] = s.groupby("naics").wage_bill_usd.rank(ascending=False, method="first")
    return s


def run(f: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    cw = crosswalk(f)
    w = weights(f)
    lab, links = labels(f)
    tv = task_value(f, cw, w, lab)
    occ = occupation_value(tv)
    return {
        "crosswalk": cw,
        "task_value": tv,
        "occupation_value": occ,
        "family": family_value(tv, links),
        "sector": sector_value(f, occ),
    }
