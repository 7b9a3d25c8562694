"""Occupation titles as people write them (singular, one part of a combined title) -> codes."""

from __future__ import annotations

import pytest

from assets.inventory.ingest import OnetLookup, ingest_directory
from assets.inventory.occupation_titles import Resolved, TitleIndex

# real O*NET 29.0 / SOC 2018 titles (lower-case keys, as onet_lookup builds them)
TITLES = {
    "paralegals and legal assistants": "23-2011.00",
    "software developers": "15-1252.00",
    "software and web developers, programmers, and testers": "15-1250",
    "managers, all other": "11-9199.00",
    "sales managers": "11-2022.00",
    "spa managers": "11-9179.02",
    "judges, magistrate judges, and magistrates": "23-1023.00",
    "administrative law judges, adjudicators, and hearing officers": "23-1021.00",
    "janitors and cleaners, except maids and housekeeping cleaners": "37-2011.00",
    "maids and housekeeping cleaners": "37-2012.00",
    "securities, commodities, and financial services sales agents": "41-3031.00",
    "security guards": "33-9032.00",
    "fitness and wellness coordinators": "11-9179.01",
    "meter readers, utilities": "43-5041.00",
    "interpreters and translators": "27-3091.00",
    "physicians": "29-1210",
    "engineers": "17-2000",
    "locomotive engineers": "53-4011.00",
    "first-line supervisors of food preparation and serving workers": "35-1012.00",
    "food and beverage serving workers": "35-3000",
    "insurance sales agents": "41-3021.00",
    "real estate brokers and sales agents": "41-9020",
    "registered nurses": "29-1141.00",
    "cashiers": "41-2011.00",
    "accountants and auditors": "13-2011.00",
    "art, drama, and music teachers, postsecondary": "25-1121.00",
    "public relations and fundraising managers": "11-2030",
    "military enlisted tactical operations and air/weapons specialists and crew members": "55-3010",
    "gambling change persons and booth cashiers": "41-2012.00",
}
NAMES = {k: k.title() for k in TITLES}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Software Developers", "15-1252.00"),  # the title itself
        ("Software Developer", "15-1252.00"),  # singular
        ("Paralegal", "23-2011.00"),  # one part of a combined title
        ("legal assistant", "23-2011.00"),
        ("Paralegals & Legal Assistants", "23-2011.00"),
        ("Translator", "27-3091.00"),
        ("Physician", "29-1210"),  # a SOC group title: the group
        ("Housekeeping cleaner", "37-2012.00"),  # not the janitors, whose title excludes them
        ("Meter reader", None),  # the title is qualified (', Utilities'): its part alone is not it
        # not resolved: a residual, a word other titles end or start with, a field
        ("Manager", None),
        ("Judge", None),
        ("Security", None),
        ("Commodities", None),
        ("Fitness", None),
        ("Utilities", None),
        ("Software engineer", "15-1252.00"),  # what people call Software Developers
        ("RN", "29-1141.00"),
        ("Cashier", "41-2011.00"),  # its own title, though Booth Cashiers end in the word too
        ("Serving worker", None),  # not the supervisors *of* serving workers (it was)
        ("Engineer", None),  # Engineers (17-2000) leaves out Locomotive Engineers
        ("Sales agent", None),  # insurance, or real estate?
        ("Senior Accountant", "13-2011.00"),  # a level is no other occupation
        ("Software Engineer II", "15-1252.00"),
        ("Paralegal/Legal Assistant", "23-2011.00"),  # two names of one occupation
        ("Lawyer (Attorney)", None),  # no 'lawyers' title in this index
        ("Music teacher", None),  # postsecondary only in the title; a school's music teacher too
        ("Public relations", None),  # a field, not the managers
        ("Crew member", None),  # a part of a group title (military): not what people mean
    ],
)
def test_titles_as_people_write_them(written, code):
    found = TitleIndex(TITLES, NAMES).resolve(written)
    assert (found.code if found else None) == code


def test_an_unresolved_title_is_flagged_with_the_titles_holding_its_words(tmp_path):
    onet = OnetLookup(soc_codes=set(TITLES.values()), titles=TITLES, title_names=NAMES)
    (tmp_path / "t.csv").write_text(
        "task_id,title,occupation\nT1,Draft a motion,Paralegal\nT2,Rule on a motion,Judge\nT3,Code,software developers\n"
    )
    rows = {r["task_id"]: r for r in ingest_directory(tmp_path, onet).tasks.iter_rows(named=True)}
    assert rows["T1"]["onet_soc_code"] == "23-2011.00"
    assert (
        "occupation 'Paralegal' read as 23-2011.00 (Paralegals And Legal Assistants)" in rows["T1"]["flags"]
    )
    assert rows["T2"]["onet_soc_code"] is None
    assert (
        "occupation 'Judge' matches no O*NET or SOC title; used as text only (titles with its words: "
        "Judges, Magistrate Judges, And Magistrates; Administrative Law Judges, Adjudicators, And Hearing "
        "Officers)"
    ) in rows["T2"]["flags"]
    assert rows["T3"]["onet_soc_code"] == "15-1252.00" and rows["T3"]["flags"] is None  # exact: no flag


@pytest.mark.parametrize(("written", "code"), [("Engineers", None), ("Physicians", "29-1210")])
def test_a_group_title_as_written_is_read_only_when_no_other_title_ends_in_its_words(written, code):
    # 'Engineers' (17-2000) was read as written, though Locomotive Engineers end in the word too
    found = TitleIndex(TITLES, NAMES).resolve(written)
    assert (found.code if found else None) == code


@pytest.mark.slow
def test_the_real_titles_index(real_con):
    # the real O*NET 29.0 / SOC 2018 titles: every O*NET title reads as its own occupation, group
    # titles that other occupations' titles end in are not guessed, and names people write in
    # trackers resolve (a survey of ~500 such names found these unresolved or wrong before)
    from assets.inventory.assets import onet_lookup

    index = onet_lookup(real_con).title_index
    own = real_con.execute("select title, onet_soc_code from staging.onet_occupations").fetchall()
    assert len(own) == 1016
    assert [(t, c) for t, c in own if (index.resolve(t) or Resolved("", "", False)).code != c] == []
    expected = {
        "Engineers": None,  # 17-2000 leaves out Software Developers and Sales Engineers
        "Designers": None,  # 27-1020 leaves out Web and Digital Interface Designers
        "Therapists": None,  # 29-1120 leaves out Marriage and Family Therapists
        "Electricians": "47-2111.00",
        "Physicians": "29-1210",  # though Naturopathic Physicians (29-1299.01) end in the word too
        "Surgeons": "29-1240",
        "Pipelayers, Plumbers, Pipefitters, and Steamfitters": "47-2150",  # despite their Helpers
        "Counselors": None,  # Credit Counselors (13-2071), Genetic Counselors
        "Dispatchers": None,  # Power Distributors and Dispatchers (51-8012)
        "CEO": "11-1011.00",
        "Auditor": "13-2011.00",
        "Fraud Analyst": "13-2099.04",  # a persona's tracker: "titles with its words" named just this one
        "Secretary": "43-6014.00",
        "Executive Assistant": "43-6011.00",
        "Operations Manager": "11-1021.00",
        "Real Estate Agent": "41-9022.00",
        "CNA": "31-1131.00",
        "DBA": "15-1242.00",
        "UX Designer": "15-1255.00",
        "QA Engineer": "15-1253.00",
        "Sr. QA Engineer": "15-1253.00",
        "Pediatrician": "29-1221.00",
        "ICU nurse": "29-1141.03",
        "Plumber": "47-2152.00",
        # British names and spellings (a London team's tracker, 27 Nov 2026)
        "Solicitor": "23-1011.00",
        "Barrister": "23-1011.00",
        "Clinical coder": "29-2072.00",
        "GP": None,  # general practitioner, or a fund's general partner
        "General practitioner": "29-1215.00",
        "Paediatricians": "29-1221.00",
        "Nurse anaesthetist": "29-1151.00",
        "Midwife": "29-9099.01",
        "Care worker": "31-1120",
        "Anaesthetist": "29-1211.00",
        "Paediatrician": "29-1221.00",  # spelled as O*NET does not: read as Pediatrician
        "Senior Paediatrician": "29-1221.00",
        "Orthopaedic Surgeon": "29-1242.00",
        "Labour Relations Specialist": "13-1075.00",
        "Legal executive": "23-2011.00",
        "Estate agent": "41-9022.00",
        "Physiotherapist": "29-1123.00",
        "Chartered accountant": "13-2011.00",
        "Healthcare assistant": "31-1131.00",
        "Trainee solicitor": "23-1011.00",
        "Architect": None,  # buildings, databases, networks, landscapes?
        "Controller": None,  # air traffic, or finance?
        "CFO": None,
    }
    got = {name: (index.resolve(name) or Resolved(None, "", False)).code for name in expected}
    assert got == expected
    # read through its US spelling: not an exact title, so the inventory row is flagged "read as"
    assert index.resolve("Labour Relations Specialists").exact is False
