"""The overrides file's `occupation` action: a reviewer who knows which occupation a task imitates,
but not which O*NET task, names the occupation and text matching picks its statements there.

The reading and the statuses run on the small warehouse of test_overrides_review (Writers and
Authors, Software Developers, Fallers; SW-1 names Software Developers in the inventory); the
matching itself on the real O*NET files through the inventory assets."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.common.errors import SourceFormatError
from assets.inventory import overrides
from assets.inventory.matching.match import CANDIDATE_SCHEMA
from tests.conftest import FIXTURES
from tests.inventory.inventory_helpers import refresh, rows
from tests.inventory.test_overrides_review import build_matches, decided

HEADER = "inventory_task_id,action,onet_task_id,note,onet_soc_code\n"


def staged(tmp_path: Path, lines: str, edits: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """The small warehouse with an overrides file of `lines` (with the onet_soc_code column)."""
    return decided(tmp_path, lines, edits=edits, header=HEADER)


def lines_of(con) -> dict[int, tuple]:
    got = con.execute(
        "select source_row, action, onet_task_id, onet_soc_code, occupation_title, status, detail "
        "from staging.inventory_overrides"
    ).fetchall()
    return {r[0]: r[1:] for r in got}


def test_an_occupation_decision_is_read_in_normal_form_with_its_title(tmp_path):
    con = staged(
        tmp_path,
        "W-1,occupation,,it is fiction writing,27-3043.00\n"  # 2
        "W-2,occupation,,,151252\n"  # 3: digits only, as a spreadsheet may leave them
        "W-3,occupation,,,15-1250\n",  # 4: a SOC broad group
        edits=(
            "insert into staging.soc_structure values ('Broad', '15-1250', '15-0000', '15-1200', '15-1250', "
            "'Software and Web Developers, Programmers, and Testers'), "
            "('Detailed', '15-1252', '15-0000', '15-1200', '15-1250', 'Software Developers')",
        ),
    )
    assert lines_of(con) == {
        2: ("occupation", None, "27-3043.00", "Writers and Authors", "ok", None),
        3: ("occupation", None, "15-1252", "Software Developers", "ok", None),  # SOC 2018's title
        4: (
            "occupation",
            None,
            "15-1250",
            "Software and Web Developers, Programmers, and Testers",
            "ok",
            None,
        ),
    }


def test_an_occupation_with_no_onet_tasks_under_it_is_stale_and_says_so(tmp_path):
    con = staged(
        tmp_path,
        "W-1,occupation,,,13-2011.00\nW-2,occupation,,,27-3040\n",
        edits=("insert into staging.onet_occupations values ('13-2011.00', 'Accountants and Auditors')",),
    )
    assert lines_of(con)[2][-2:] == (
        "unknown_occupation",
        "O*NET has no occupation with tasks under 13-2011.00 in the staged release",
    )
    # a group code SOC 2018 does not have (a typo for another group) would search a made-up subset
    assert lines_of(con)[3][-2:] == (
        "unknown_occupation",
        "neither SOC 2018 nor O*NET has an occupation or group 27-3040 (a group code ends in 0: 15-1250; "
        "check the digits)",
    )


def test_two_occupations_for_one_task_conflict_and_a_repeat_is_a_duplicate(tmp_path):
    con = staged(
        tmp_path,
        "W-1,occupation,,,27-3043.00\n"  # 2
        "W-1,occupation,,,15-1252.00\n"  # 3
        "W-2,occupation,,,27-3043.00\n"  # 4
        "W-2,occupation,,again,27-3043\n"  # 5: the same occupation? No: 27-3043 is another code
        "W-3,occupation,,,27-3043.00\n"  # 6
        "W-3,occupation,,,27-3043.00\n"  # 7
        "SW-1,reject,,no counterpart\n"  # 8
        "SW-1,occupation,,,15-1252.00\n",  # 9
        edits=(
            "insert into staging.soc_structure values "
            "('Detailed', '27-3043', '27-0000', '27-3000', '27-3040', 'Writers and Authors')",
        ),
    )
    got = lines_of(con)
    assert got[2][-2:] == (
        "conflict",
        "contradicts line 3 (occupation 15-1252.00) of the same task: none of them is applied",
    )
    assert got[3][-2] == "conflict"
    # a code written at another level is another decision (27-3043 covers more than 27-3043.00 could)
    assert got[4][-2] == got[5][-2] == "conflict"
    assert got[6][-2:] == ("ok", None)
    assert got[7][-2:] == ("duplicate", "repeats line 6 (applied once, as that line)")
    assert got[8][-2] == got[9][-2] == "conflict"
    assert "line 8 (reject of every candidate)" in got[9][-1]


def test_an_occupation_outside_the_one_the_inventory_names_is_applied_with_a_warning(tmp_path):
    con = staged(tmp_path, "SW-1,occupation,,fallers after all,47-5081.00\nSW-1,pin,201,,\n")
    assert lines_of(con)[2][-2:] == (
        "ok",
        "occupation 47-5081.00 is not within the occupation the task's onet_soc_code 15-1252.00 names "
        "(applied: it replaces it; correct the inventory too)",
    )
    assert lines_of(con)[3][-2:] == ("ok", None)  # a pin beside it is no conflict: pins rank first


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (
            "W-1,occupation,,,\n",
            "onet_soc_code",
            "an occupation decision needs the occupation in onet_soc_code",
        ),
        ("W-1,occupation,,,15-12\n", "onet_soc_code", "is not a SOC or O*NET-SOC code"),
        ("W-1,occupation,100,,27-3043.00\n", "onet_task_id", "names the occupation (onet_soc_code), not"),
        (
            "W-1,reject,,,15-1252.00\n",
            "onet_soc_code",
            "rejects every candidate, whatever onet_soc_code says",
        ),
        ("W-1,pin,100,,15-1252\n", None, None),  # checked against the task in the asset, below
    ],
)
def test_a_malformed_occupation_line_is_an_error_naming_line_and_column(tmp_path, line, column, message):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + line)
    if message is None:
        assert overrides.read_overrides(path)["onet_soc_code"].to_list() == ["15-1252"]
        return
    with pytest.raises(SourceFormatError, match=re.escape(message)) as err:
        overrides.read_overrides(path)
    assert err.value.row == 2 and err.value.column == column


def test_a_pin_naming_another_occupation_than_its_tasks_is_an_error_that_offers_occupation(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + "W-1,pin,100,,15-1250\nW-2,pin,100,,27-3000\n")
    frame = overrides.read_overrides(path)
    with pytest.raises(SourceFormatError, match="write the action occupation") as err:
        overrides.check_sheet_occupations(path, frame, {100: "27-3043.00"})
    assert err.value.row == 2 and err.value.column == "onet_soc_code"
    # a group the task's occupation belongs to is fine (27-3000 holds 27-3043.00)
    overrides.check_sheet_occupations(path, frame.slice(1), {100: "27-3043.00"})


def test_hinted_candidates_say_the_reviewer_named_the_occupation_and_carry_the_note(tmp_path):
    con = staged(tmp_path, "W-1,occupation,,fiction after all,27-3043.00\n")
    # as the matcher ranks W-1 once the decision names Writers and Authors: its statements, hinted
    candidates = pl.DataFrame(
        [
            {"inventory_task_id": t, "onet_task_id": i, "score": s, "ranking_score": s, "method": m}
            for t, i, s, m in [
                ("W-1", 100, 0.6, "hinted"),
                ("W-1", 102, 0.2, "hinted"),
                ("SW-1", 201, 0.5, "hinted"),
                ("W-2", 101, 0.7, "text"),
            ]
        ],
        schema=CANDIDATE_SCHEMA,
    )
    build_matches(con, candidates=candidates)
    got = con.execute(
        "select inventory_task_id, rank, onet_task_id, method, confidence, override_note, hint_source "
        "from marts.inventory_task_matches where inventory_task_id in ('W-1', 'SW-1', 'W-2') "
        "order by 1, 2"
    ).fetchall()
    assert got == [
        ("SW-1", 1, 201, "hinted", "high", None, "inventory"),
        ("W-1", 1, 100, "hinted", "high", "fiction after all", "overrides"),
        ("W-1", 2, 102, "hinted", "low", "fiction after all", "overrides"),  # 0.2: low on its own
        ("W-2", 1, 101, "text", "high", None, None),
    ]


# the worksheet: `occupation` typed on a candidate row, the right code typed over its onet_soc_code


def test_occupation_typed_in_the_worksheet_names_the_code_of_its_row(tmp_path):
    from assets.coverage.exports import export_csv
    from tests.inventory.test_review_worksheet import LINES, REJECTED, build_fixture_db

    con = build_fixture_db(edits=[LINES, *REJECTED])
    path = tmp_path / "_overrides.csv"
    export_csv(con, "inventory_review", path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        sheet = list(csv.reader(f))
    header = sheet[0]
    action, code, task = (header.index(c) for c in ("action", "onet_soc_code", "inventory_task_id"))
    typed = next(r for r in sheet[1:] if r[task] == "inv-4" and not r[action])
    typed[action], typed[code] = "occupation", "35-2012.00"  # another cook than its candidate's
    kept = next(r for r in sheet[1:] if r[task] == "inv-5" and not r[action])
    kept[action] = "occupation"  # the candidate's own occupation: right occupation, wrong statement
    emptied = next(r for r in sheet[1:] if r[task] == "inv-6" and not r[action])
    emptied[action], emptied[header.index("onet_task_id")] = (
        "reject",
        "",
    )  # no counterpart, code left as shown
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows(sheet)
    read = overrides.read_overrides(path)
    assert read.filter(pl.col("inventory_task_id") == "inv-6").select(
        "action", "onet_task_id", "onet_soc_code"
    ).rows() == [("reject", None, None)]
    frame = read.filter(pl.col("action") == "occupation")
    assert frame.select("inventory_task_id", "onet_task_id", "onet_soc_code").rows() == [
        ("inv-4", None, "35-2012.00"),
        ("inv-5", None, kept[code]),
    ]
    overrides.check_sheet_occupations(path, frame, {})  # an occupation row is not checked against a task


# end to end on the real O*NET files


@pytest.fixture(scope="module")
def placed(tmp_path_factory, shared_data):
    tmp = tmp_path_factory.mktemp("occupation")
    inventory = tmp / "inventory"
    shutil.copytree(FIXTURES / "inventory" / "mixed", inventory)
    (inventory / "_overrides.csv").write_text(
        HEADER
        # GOOD-2, a launch blog post, reads like copywriting: the reviewer says it is marketing work
        + "GOOD-2,occupation,,written for the marketing team,11-2021.00\n"
        # JSONL-1 names Customer Service Representatives in the inventory; the reviewer widens it
        + "JSONL-1,occupation,,,43-4000\n"
        + "UNKNOWN-1,occupation,,,99-9999\n"
        # by title, as a reviewer may write it (the inventory names 13-2011.00 for GOOD-1 too)
        + "GOOD-1,occupation,,,Accountant\n"
        # EXPLICIT-1 links O*NET task 21505 itself: the link stays first, the occupation's statements follow
        + "EXPLICIT-1,occupation,,,15-1252.00\n"
    )
    return refresh(tmp, shared_data, inventory)


def test_the_matcher_searches_the_occupation_a_reviewer_named(placed):
    got = rows(
        placed,
        "select distinct onet_soc_code, method, hint_source, override_note from marts.inventory_task_matches "
        "where inventory_task_id = 'GOOD-2'",
    )
    assert got == [("11-2021.00", "hinted", "overrides", "written for the marketing team")]
    assert rows(
        placed, "select count(*) from marts.inventory_task_matches where inventory_task_id = 'GOOD-2'"
    ) == [(5,)]
    assert rows(
        placed,
        "select confidence from marts.inventory_task_matches where inventory_task_id = 'GOOD-2' and rank = 1",
    ) in ([("medium",)], [("high",)])  # a named occupation's rank 1 is at least medium


def test_a_group_decision_replaces_the_inventorys_occupation_and_is_flagged(placed):
    codes = rows(
        placed,
        "select distinct left(onet_soc_code, 3), hint_source from marts.inventory_task_matches "
        "where inventory_task_id = 'JSONL-1'",
    )
    assert codes == [("43-", "overrides")]
    assert rows(
        placed,
        "select status, occupation_title, detail from staging.inventory_overrides where inventory_task_id = 'JSONL-1'",
    ) == [("ok", "Information and Record Clerks", None)]  # 43-4051.00 is within 43-4000: no warning


def test_an_unknown_occupation_leaves_the_task_to_text_matching(placed):
    assert rows(
        placed, "select status from staging.inventory_overrides where inventory_task_id = 'UNKNOWN-1'"
    ) == [("unknown_occupation",)]
    assert rows(
        placed,
        "select distinct method from marts.inventory_task_matches where inventory_task_id = 'UNKNOWN-1'",
    ) == [("text",)]


def test_an_occupation_written_by_its_title_is_read_as_its_code_and_says_how(placed):
    assert rows(
        placed,
        "select status, onet_soc_code, occupation_title, detail from staging.inventory_overrides "
        "where inventory_task_id = 'GOOD-1'",
    ) == [
        (
            "ok",
            "13-2011.00",
            "Accountants and Auditors",
            "occupation 'Accountant' read as 13-2011.00 (Accountants and Auditors) (applied; write the code to "
            "confirm it)",
        )
    ]
    assert rows(
        placed,
        "select distinct onet_soc_code, hint_source from marts.inventory_task_matches where inventory_task_id = 'GOOD-1'",
    ) == [("13-2011.00", "overrides")]


def test_a_title_that_names_no_occupation_is_an_error_naming_line_and_titles_near_it(tmp_path):
    from assets.inventory.occupation_codes import OnetLookup

    lookup = OnetLookup(
        titles={"software developers": "15-1252.00", "web developers": "15-1254.00"},
        title_names={"software developers": "Software Developers", "web developers": "Web Developers"},
    )
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + "W-1,occupation,,,Software Developers\nW-2,occupation,,,Developers\n")
    frame = overrides.read_overrides(path)
    assert frame["occupation_written"].to_list() == ["Software Developers", "Developers"]
    with pytest.raises(SourceFormatError, match="'Developers' matches no O\\*NET or SOC title") as err:
        overrides.resolve_occupations(path, frame, lookup)
    assert err.value.row == 3 and err.value.column == "onet_soc_code"
    # two occupations hold the word: a person must choose
    assert "titles with its words: Web Developers; Software Developers" in str(err.value)
    read = overrides.resolve_occupations(path, frame.head(1), lookup)
    assert read.select("onet_soc_code", "soc_prefixes", "occupation_read_as").rows() == [
        ("15-1252.00", ["15-1252.00"], None)  # written as O*NET spells it: nothing to say
    ]


def test_an_explicitly_linked_task_keeps_its_link_first_and_the_named_occupation_after_it(placed):
    got = rows(
        placed,
        "select rank, onet_task_id, onet_soc_code, method, hint_source from marts.inventory_task_matches "
        "where inventory_task_id = 'EXPLICIT-1' order by rank",
    )
    assert got[0] == (1, 21505, "13-2011.00", "explicit", None)  # an accountant's task
    assert len(got) == 5  # the link, then the named occupation's best statements up to the top k
    assert {(r[2], r[3], r[4]) for r in got[1:]} == {("15-1252.00", "hinted", "overrides")}


def test_an_all_other_occupation_reads_as_the_soc_code_its_specialties_are_listed_under():
    from assets.inventory.occupation_codes import OnetLookup

    lookup = OnetLookup(
        soc_codes={"15-1299.08", "15-1299.09"},  # O*NET lists no task under 15-1299.00 itself
        titles={"computer occupations, all other": "15-1299.00"},
        title_names={"computer occupations, all other": "Computer Occupations, All Other"},
    )
    frame = pl.DataFrame(
        [
            {
                "source_row": 2,
                "action": "occupation",
                "occupation_written": "Computer Occupations, All Other",
            },
            {"source_row": 3, "action": "occupation", "onet_soc_code": "15-1299.00"},  # by its O*NET code
            {"source_row": 4, "action": "occupation", "onet_soc_code": "15-1299.08"},  # a specialty: itself
        ],
        schema=overrides.SCHEMA,
    )
    read = overrides.resolve_occupations(None, frame, lookup)
    assert read.select("onet_soc_code", "soc_prefixes", "occupation_read_as").rows() == [
        (
            "15-1299",
            ["15-1299"],
            "occupation 'Computer Occupations, All Other' read as 15-1299 (Computer Occupations, All Other)",
        ),
        (
            "15-1299",
            ["15-1299"],
            "occupation 15-1299.00 read as 15-1299: O*NET lists no task under 15-1299.00 itself, its "
            "specialties' tasks under the SOC code",
        ),
        ("15-1299.08", None, None),
    ]


def test_an_occupation_typed_over_the_title_instead_of_the_code_is_an_error_naming_the_line():
    from assets.inventory.occupation_codes import OnetLookup

    lookup = OnetLookup(
        titles={"accountants and auditors": "13-2011.00", "software developers": "15-1252.00"},
        title_names={
            "accountants and auditors": "Accountants and Auditors",
            "software developers": "Software Developers",
        },
    )
    # typed on a candidate of Software Developers (O*NET task 200): its code left, its title typed over
    typed = {
        "source_row": 7,
        "action": "occupation",
        "onet_soc_code": "15-1252.00",
        "sheet_onet_task_id": 200,
    }
    candidate_of = {200: "15-1252.00"}
    frame = pl.DataFrame(
        [typed | {"sheet_occupation_title": "Accountants and Auditors"}], schema=overrides.SCHEMA
    )
    with pytest.raises(SourceFormatError, match="occupation_title says 'Accountants and Auditors'") as err:
        overrides.check_sheet_titles(None, frame, lookup, candidate_of)
    assert (err.value.row, err.value.column) == (7, "occupation_title")
    # the candidate's own title beside its code: the occupation is the one shown
    same = pl.DataFrame([typed | {"sheet_occupation_title": "Software Developers"}], schema=overrides.SCHEMA)
    overrides.check_sheet_titles(None, same, lookup, candidate_of)
    # the code typed over the candidate's, its title left as it was: the code is the decision (README)
    code_typed = typed | {"onet_soc_code": "13-2011.00", "sheet_occupation_title": "Software Developers"}
    overrides.check_sheet_titles(
        None, pl.DataFrame([code_typed], schema=overrides.SCHEMA), lookup, candidate_of
    )


def test_every_warning_of_an_applied_line_is_in_its_detail(tmp_path):
    con = staged(
        tmp_path,
        "SW-1,occupation,,,47-5081.00\n",
        edits=("update staging.inventory_tasks set status = 'retired' where task_id = 'SW-1'",),
    )
    assert lines_of(con)[2][-2:] == (
        "ok",
        "occupation 47-5081.00 is not within the occupation the task's onet_soc_code 15-1252.00 names (applied: "
        "it replaces it; correct the inventory too); applied, but the task's status retired is one coverage "
        "leaves out (TASKVALUE_COVERAGE_EXCLUDED_STATUSES): the occupation covers no O*NET task",
    )
    from assets.inventory.checks import _overrides_flagged

    passed, meta = _overrides_flagged(con)
    assert not passed and meta["by_kind"].value == {"applied_with_a_warning": 1}
    assert meta["lines"].value.startswith("- line 2: occupation 47-5081.00 for SW-1: **ok**: occupation")
