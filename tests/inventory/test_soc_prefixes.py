"""An SOC code at any level narrows matching to exactly its occupations (29-1000 is 29-1, not 29-10)."""

from __future__ import annotations

from assets.inventory.occupation_codes import soc_prefixes
from assets.staging import soc


def test_each_level_keeps_its_digits_without_the_trailing_zeros():
    assert soc_prefixes("29-0000") == ("29-",)
    assert soc_prefixes("29-1000") == ("29-1",)  # a minor group (used to be 29-10: Pharmacists, not nurses)
    assert soc_prefixes("15-1200") == ("15-12",)
    assert soc_prefixes("15-1250") == ("15-125",)
    assert soc_prefixes("15-1252") == ("15-1252",)
    assert soc_prefixes("15-1252.00") == ("15-1252.00",)
    assert soc_prefixes("29-1210") == ("29-121", "29-122")  # Physicians: 29-1211..29-1229


def test_every_group_of_the_real_soc_2018_selects_exactly_its_detailed_occupations(shared_data):
    frame, _ = soc.parse(shared_data / "soc" / "soc_2018_definitions.xlsx")
    rows = list(frame.iter_rows(named=True))
    detailed = [r for r in rows if r["soc_group"] == "Detailed"]
    level = {"Major": "major_code", "Minor": "minor_code", "Broad": "broad_code"}
    groups = [r for r in rows if r["soc_group"] in level]
    assert len(groups) == 580 and len(detailed) == 867
    for g in groups:
        members = {d["soc_code"] for d in detailed if d[level[g["soc_group"]]] == g["soc_code"]}
        by_prefix = {d["soc_code"] for d in detailed if d["soc_code"].startswith(soc_prefixes(g["soc_code"]))}
        assert by_prefix == members, g["soc_code"]
