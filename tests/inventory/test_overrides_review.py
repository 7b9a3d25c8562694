"""The overrides file, from an adversarial review: every decision is applied once, as written, or
kept with a status saying why not; a misread file is an error naming the file, line and column.

The SQL models run on a small in-memory warehouse (three occupations, five inventory tasks) with
the candidates the matcher would have found, so each expectation is readable from the fixture."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.common.errors import SourceFormatError, TaskvalueError
from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model
from assets.coverage.config import coverage_settings_from_env
from assets.inventory import overrides
from assets.inventory.ingest import text_hash
from assets.inventory.matching.match import CANDIDATE_SCHEMA

HEADER = "inventory_task_id,action,onet_task_id,note\n"
# line numbers below are the file's (header = line 1)
DECISIONS = (
    "W-1,pin,102,second best really\n"  # 2
    "W-1,pin,102,second best really\n"  # 3 exact repeat
    "W-1,pin,100,also this one\n"  # 4 a second pin: ranks after line 2's (file order, not ID order)
    "W-2,pin,100,pinned\n"  # 5 pin and reject of one candidate
    "W-2,reject,100,and rejected\n"  # 6
    "W-3,reject,,no counterpart\n"  # 7 reject-all and a pin
    "W-3,pin,101,but pinned\n"  # 8
    "LINK-1,reject,200,wrong explicit link\n"  # 9 the task's own onet_task_id
    "w-1,pin,100,case only\n"  # 10 no such task: W-1 differs by case
    "SW-1,pin,300,a fallers task on software\n"  # 11 outside the hinted occupation
    "W-2,pin,999,no such O*NET task\n"  # 12
)
OCCUPATIONS = [
    ("27-3043.00", "Writers and Authors"),
    ("15-1252.00", "Software Developers"),
    ("47-5081.00", "Fallers"),
]
STATEMENTS = [  # onet_soc_code, task_id, task, task_type
    ("27-3043.00", 100, "Write fiction.", "Core"),
    ("27-3043.00", 101, "Write advertising copy.", "Core"),
    ("27-3043.00", 102, "Revise written material.", "Core"),
    ("15-1252.00", 200, "Modify existing software.", "Core"),
    ("15-1252.00", 201, "Write software specifications.", "Core"),
    ("15-1252.00", 202, "Analyze user needs.", "Core"),
    ("47-5081.00", 300, "Fell trees.", "Core"),
]
TASKS = [  # task_id, onet_task_id, onet_soc_code hint
    ("W-1", None, None),
    ("W-2", None, None),
    ("W-3", None, None),
    ("LINK-1", 200, None),
    ("SW-1", None, "15-1252.00"),
]
CANDIDATES = [  # what the matcher found: inventory_task_id, onet_task_id, score, method
    ("W-1", 101, 0.6, "text"),
    ("W-1", 100, 0.5, "text"),
    ("W-1", 102, 0.4, "text"),
    ("W-2", 101, 0.7, "text"),
    ("W-2", 100, 0.3, "text"),
    ("W-3", 102, 0.6, "text"),
    ("W-3", 100, 0.2, "text"),
    ("LINK-1", 200, 1.0, "explicit"),
    ("SW-1", 201, 0.5, "hinted"),
    ("SW-1", 202, 0.4, "hinted"),
]


def warehouse(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists staging")
    con.execute("create table staging.onet_occupations (onet_soc_code varchar, title varchar)")
    con.executemany("insert into staging.onet_occupations values (?, ?)", OCCUPATIONS)
    con.execute(
        "create table staging.onet_task_statements "
        "(onet_soc_code varchar, task_id bigint, task varchar, task_type varchar)"
    )
    con.executemany("insert into staging.onet_task_statements values (?, ?, ?, ?)", STATEMENTS)
    con.execute(
        "create table staging.soc_structure (soc_group varchar, soc_code varchar, major_code varchar, "
        "minor_code varchar, broad_code varchar, soc_title varchar)"
    )
    con.execute(
        "create table staging.inventory_quarantine "
        "(task_id varchar, source_file varchar, source_sheet varchar, source_row bigint, reason varchar)"
    )
    con.execute("insert into staging.inventory_quarantine values ('Q-1', 'tasks.csv', null, 7, 'no_text')")
    con.execute(
        "create table staging.inventory_tasks (task_id varchar, onet_task_id bigint, "
        "onet_task_id_known boolean, onet_soc_code varchar, onet_soc_code_known boolean, "
        "source_file varchar, source_row bigint, text_hash varchar, status varchar)"
    )
    con.executemany(
        "insert into staging.inventory_tasks values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                t,
                i,
                None if i is None else True,
                c,
                None if c is None else True,
                "tasks.csv",
                n,
                task_hash(t),
                None,
            )
            for n, (t, i, c) in enumerate(TASKS, start=2)
        ],
    )


def task_hash(task_id: str) -> str:
    """The fixture task's text_hash: each task's title is its ID and it has no description."""
    return text_hash(task_id, None)


def build_overrides(con, path: Path | None, excluded_statuses: str = "retired") -> None:
    con.register("inventory_overrides_frame", overrides.read_overrides(path).to_arrow())
    try:
        model = load_model("staging", "inventory_overrides")
        build_sql_model(con, model, {"excluded_statuses": excluded_statuses})
    finally:
        con.unregister("inventory_overrides_frame")


def candidate_frame(few: frozenset[str] = frozenset()) -> pl.DataFrame:
    rows = [
        {
            "inventory_task_id": t,
            "onet_task_id": i,
            "score": s,
            "ranking_score": s,
            "in_domain": None,
            "method": m,
            "few_words": None if m == "explicit" else t in few,
        }
        for t, i, s, m in CANDIDATES
    ]
    return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA)


def build_matches(
    con, top_k: int = 5, few: frozenset[str] = frozenset(), candidates: pl.DataFrame | None = None
) -> None:
    frame = candidate_frame(few) if candidates is None else candidates
    con.register("inventory_match_candidates", frame.to_arrow())
    try:
        params = {
            "top_k": top_k,
            "high": 0.5,
            "medium": 0.3,
            "low": 0.1,
            "unrelated": 0.05,
            "matcher": "tfidf",
        }
        build_sql_model(con, load_model("marts", "inventory_task_matches"), params)
    finally:
        con.unregister("inventory_match_candidates")


def decided(
    tmp_path,
    decisions: str,
    top_k: int | None = None,
    edits: tuple[str, ...] = (),
    name: str = "_overrides.csv",
    header: str = HEADER,
) -> duckdb.DuckDBPyConnection:
    """The fixture warehouse, changed by the SQL `edits`, with an overrides file `name` of `decisions`
    (lines after the `header`); with `top_k`, the matches built too."""
    path = tmp_path / name
    path.write_text(header + decisions)
    con = duckdb.connect()
    warehouse(con)
    for edit in edits:
        con.execute(edit)
    build_overrides(con, path)
    if top_k is not None:
        build_matches(con, top_k)
    return con


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + DECISIONS)
    con = duckdb.connect()
    warehouse(con)
    build_overrides(con, path)
    build_matches(con)
    yield con
    con.close()


def statuses(con) -> dict[int, tuple[str, str | None]]:
    rows = con.execute("select source_row, status, detail from staging.inventory_overrides").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def matches(con, task: str) -> list[tuple]:
    return con.execute(
        "select rank, onet_task_id, method, override_note from marts.inventory_task_matches "
        "where inventory_task_id = ? order by rank",
        [task],
    ).fetchall()


# D1 --------------------------------------------------------------------------------------------


def test_a_repeated_pin_is_applied_once_and_marked_duplicate(built):
    status, detail = statuses(built)[3]
    assert status == "duplicate" and "repeats line 2" in detail
    assert statuses(built)[2] == ("ok", None)
    keys = built.execute(
        "select inventory_task_id, onet_task_id, count(*) from marts.inventory_task_matches "
        "group by all having count(*) > 1"
    ).fetchall()
    assert keys == []


def test_the_matches_never_repeat_a_key_even_if_staging_did(tmp_path):
    # defensively: two `ok` rows for one pin (a staging table written by an older build) still rank once
    con = duckdb.connect()
    warehouse(con)
    con.execute(
        "create table staging.inventory_overrides as select * from (values "
        "('W-1', 'pin', 102, 'a', 2, 'ok', 2), ('W-1', 'pin', 102, 'a', 3, 'ok', 3)) "
        "as t(inventory_task_id, action, onet_task_id, note, source_row, status, pin_order)"
    )
    build_matches(con)
    assert matches(con, "W-1")[:2] == [(1, 102, "override", "a"), (2, 101, "text", None)]


# D2 --------------------------------------------------------------------------------------------


def test_two_pins_of_one_task_rank_in_file_order(built):
    # line 2 pins 102, line 4 pins 100: 102 first although 100 is the lower O*NET ID
    assert matches(built, "W-1") == [
        (1, 102, "override", "second best really"),
        (2, 100, "override", "also this one"),
        (3, 101, "text", None),
    ]


def test_every_pin_and_the_explicit_link_stay_beyond_the_top_k(tmp_path):
    # top k = 1: W-1's two pins both stay (matching fills nothing after them), and LINK-1's explicit
    # link stays after its pin; a cut at k dropped the second pin and the link, and coverage with them
    con = decided(tmp_path, "W-1,pin,102,first\nW-1,pin,100,second\nLINK-1,pin,201,also this\n", top_k=1)
    assert matches(con, "W-1") == [(1, 102, "override", "first"), (2, 100, "override", "second")]
    assert matches(con, "LINK-1") == [(1, 201, "override", "also this"), (2, 200, "explicit", None)]
    assert matches(con, "W-2") == [(1, 101, "text", None)]  # matches alone are cut at k


def test_a_decision_for_a_quarantined_task_says_where_the_task_is(tmp_path):
    con = decided(tmp_path, "Q-1,pin,100,right one\n")
    assert statuses(con)[2] == (
        "unknown_inventory_task",
        "no inventory task Q-1: the ingest quarantined it (tasks.csv row 7: no_text); the decision "
        "applies once the row is fixed",
    )


def test_a_reject_that_removed_nothing_is_reported(tmp_path):
    from assets.inventory.assets import rejects_without_effect

    # W-2's candidates are 101 and 100 (both Writers and Authors): 102 is a Writers statement that is
    # not among them; SW-1's candidates are 201 and 202: 300 (Fallers) is nowhere; W-1's 101 is removed
    con = decided(
        tmp_path, "W-2,reject,102,not shown\nSW-1,reject,300,never there\nW-1,reject,101,ok\n", top_k=5
    )
    con.register("inventory_match_candidates", candidate_frame().to_arrow())
    assert rejects_without_effect(con) == [
        "overrides line 2: reject 102 for W-2 removed nothing: 102 was not among its candidates; its "
        "occupation (Writers and Authors) is still listed through statement 100, 101: reject that one, "
        "or pin the right task",
        "overrides line 3: reject 300 for SW-1 removed nothing: 300 was not among its candidates",
    ]


def test_a_pin_and_a_reject_of_one_candidate_conflict_and_neither_applies(built):
    got = statuses(built)
    assert got[5] == ("conflict", "contradicts line 6 (reject 100) of the same task: none of them is applied")
    assert got[6] == ("conflict", "contradicts line 5 (pin 100) of the same task: none of them is applied")
    # W-2 keeps what the matcher found: 100 neither pinned nor removed
    assert matches(built, "W-2") == [(1, 101, "text", None), (2, 100, "text", None)]


def test_a_reject_of_every_candidate_and_a_pin_conflict_and_neither_applies(built):
    got = statuses(built)
    assert got[7][0] == got[8][0] == "conflict"
    assert "line 8 (pin 101)" in got[7][1]
    assert "line 7 (reject of every candidate)" in got[8][1]
    assert matches(built, "W-3") == [(1, 102, "text", None), (2, 100, "text", None)]


# D3 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("inventory_task_id,action,onet_tsk_id,note", "onet_tsk_id"),  # a typo
        ("inventory_task_id,action,onet_task_id,onet_task_id,note", "onet_task_id"),  # named twice
        ("inventory_task_id,action,onet_task_id,onet_id,note", "onet_id"),  # twice, by an alias
        ("inventory_task_id,action,onet_task_id,note,reviewer", "reviewer"),  # unknown: not dropped
    ],
)
def test_an_unknown_or_repeated_column_is_an_error_naming_file_and_column(tmp_path, header, column):
    path = tmp_path / "_overrides.csv"
    path.write_text(f"{header}\nDA-009,reject,16266,,\n")
    with pytest.raises(SourceFormatError) as err:
        overrides.read_overrides(path)
    assert err.value.file == str(path) and err.value.row == 1 and err.value.column == column


@pytest.mark.parametrize(
    "encoding, separator",
    [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ",")],  # European Excel CSV, "Unicode Text", UTF-8
)
def test_files_excel_saves_are_read_alike(tmp_path, encoding, separator):
    path = tmp_path / "_overrides.csv"
    lines = [
        ["inventory_task_id", "action", "onet_task_id", "note"],
        ["DA-009", "reject", "16266", "Café; wrong, says J."],
        ["DA-010", "pin", "16121", ""],
    ]
    quoted = [[f'"{v}"' if (separator in v or "," in v or ";" in v) else v for v in row] for row in lines]
    path.write_bytes("".join(separator.join(row) + "\r\n" for row in quoted).encode(encoding))
    assert overrides.read_overrides(path).select(
        "inventory_task_id", "action", "onet_task_id", "note"
    ).rows() == [
        ("DA-009", "reject", 16266, "Café; wrong, says J."),
        ("DA-010", "pin", 16121, None),
    ]


@pytest.mark.parametrize("content", [b"", b"\r\n  \n"])
def test_an_empty_overrides_file_means_no_decisions_yet(tmp_path, content):
    path = tmp_path / "_overrides.csv"
    path.write_bytes(content)
    assert overrides.read_overrides(path).height == 0


def test_a_file_without_the_onet_task_id_column_is_an_error(tmp_path):
    # without it every reject would silently become a reject of every candidate
    path = tmp_path / "_overrides.csv"
    path.write_text("inventory_task_id,action,note\nDA-009,reject,wrong candidate\n")
    with pytest.raises(SourceFormatError, match="missing column.*onet_task_id"):
        overrides.read_overrides(path)


def test_the_documented_alias_onet_id_keeps_a_reject_specific(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text("Task ID,Action,O*NET ID,Comment\nDA-009,reject,16266,wrong candidate\n")
    assert overrides.read_overrides(path).select(
        "inventory_task_id", "action", "onet_task_id", "note"
    ).rows() == [("DA-009", "reject", 16266, "wrong candidate")]


# D4 --------------------------------------------------------------------------------------------


def test_an_unquoted_comma_in_a_note_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + "CPY-001,pin,22653,ok\nLEG-001,pin,23994,reviewed by J., looks right\n")
    with pytest.raises(SourceFormatError, match="must be quoted") as err:
        overrides.read_overrides(path)
    assert (err.value.file, err.value.row) == (str(path), 3)
    # quoted, the whole note is kept; a trailing empty field (a spreadsheet export) loses nothing
    path.write_text(HEADER + 'LEG-001,pin,23994,"reviewed by J., looks right"\nCPY-001,reject,,x,\n')
    assert overrides.read_overrides(path)["note"].to_list() == ["reviewed by J., looks right", "x"]


def test_a_truncated_line_is_an_error_not_a_reject_of_every_candidate(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + "DA-009,reject\n")
    with pytest.raises(SourceFormatError, match="no onet_task_id") as err:
        overrides.read_overrides(path)
    assert (err.value.row, err.value.column) == (2, "onet_task_id")
    path.write_text(HEADER + "DA-009,reject,\n")  # the note may be left off
    assert overrides.read_overrides(path)["onet_task_id"].to_list() == [None]


def test_a_multi_line_note_is_numbered_by_the_line_it_starts_on(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + 'DA-009,reject,16266,"two\nlines"\nCPY-001,pin,22653,x\n')
    assert overrides.read_overrides(path)["source_row"].to_list() == [2, 4]


# D5 --------------------------------------------------------------------------------------------


def test_a_configured_overrides_file_that_does_not_exist_is_an_error(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    with pytest.raises(TaskvalueError, match="does not exist"):
        overrides.locate_overrides(inventory, tmp_path / "decisions.csv")
    # the default file may be absent: no decisions yet
    assert overrides.locate_overrides(inventory, None) is None
    assert overrides.locate_overrides(inventory, inventory / "_overrides.csv") is None
    (inventory / "_overrides.csv").write_text(HEADER)
    assert overrides.locate_overrides(inventory, None) == inventory / "_overrides.csv"


@pytest.mark.parametrize(
    # (`_overrides.xlsx` alone is the overrides file: tests/inventory/test_review_workbook.py)
    "name",
    ["_overrides.xls", "_Overrides.csv", "team/_overrides.csv", "_override.csv", "team/_overrides.xlsx"],
)
def test_an_overrides_file_that_would_not_be_read_is_an_error(tmp_path, name):
    inventory = tmp_path / "inventory"
    (inventory / "team").mkdir(parents=True)
    (inventory / name).write_bytes(b"PK\x03\x04")
    with pytest.raises(SourceFormatError, match="not read") as err:
        overrides.locate_overrides(inventory, None)
    assert err.value.file == str(inventory / name)
    # beside a configured file elsewhere, it is not read either
    (tmp_path / "decisions.csv").write_text(HEADER)
    with pytest.raises(SourceFormatError, match="not read"):
        overrides.locate_overrides(inventory, tmp_path / "decisions.csv")


def test_a_configured_overrides_file_must_be_csv_or_a_workbook(tmp_path):
    (tmp_path / "decisions.json").write_text("[]")
    with pytest.raises(SourceFormatError, match="read as CSV or as an Excel workbook"):
        overrides.locate_overrides(tmp_path, tmp_path / "decisions.json")


def test_a_configured_overrides_path_that_is_a_directory_says_so(tmp_path):
    # it said "read as CSV only: save it as CSV"
    (tmp_path / "decisions").mkdir()
    with pytest.raises(
        TaskvalueError, match="decisions is a directory: TASKVALUE_INVENTORY_OVERRIDES names the"
    ):
        overrides.locate_overrides(tmp_path, tmp_path / "decisions")


def test_an_inventory_dir_that_is_a_file_says_so(tmp_path):
    # it said "does not exist: create it"
    from assets.inventory.inventory_files import require_inventory_dir

    (tmp_path / "tasks.csv").write_text("task_id,title\n")
    with pytest.raises(
        TaskvalueError, match="tasks.csv is a file, not a directory: point TASKVALUE_INVENTORY_DIR"
    ):
        require_inventory_dir(tmp_path / "tasks.csv")
    with pytest.raises(TaskvalueError, match="does not exist: create it"):
        require_inventory_dir(tmp_path / "nowhere")


# D6 --------------------------------------------------------------------------------------------


def test_rejecting_the_explicit_link_leaves_a_traceable_row(built):
    assert statuses(built)[9] == ("ok", None)
    assert matches(built, "LINK-1") == [(1, None, "override", "wrong explicit link")]


# D7 --------------------------------------------------------------------------------------------


def test_stale_decisions_say_why_and_a_case_only_mismatch_names_the_real_id(built):
    got = statuses(built)
    assert got[10] == (
        "unknown_inventory_task",
        "no inventory task w-1; W-1 differs only by case (task IDs are case-sensitive)",
    )
    assert got[12] == ("unknown_onet_task", "O*NET has no task 999 in the staged release")
    assert sorted(s for s, _ in got.values()) == sorted(
        ["ok"] * 4 + ["duplicate"] + ["conflict"] * 4 + ["unknown_inventory_task", "unknown_onet_task"]
    )


# D8 --------------------------------------------------------------------------------------------


def test_a_pin_outside_the_occupation_the_task_names_is_applied_and_flagged(built, tmp_path):
    status, detail = statuses(built)[11]
    assert status == "ok"
    assert detail == (
        "pinned occupation 47-5081.00 is not the occupation the task's onet_soc_code 15-1252.00 names "
        "(applied; check the pin)"
    )
    assert matches(built, "SW-1")[0] == (1, 300, "override", "a fallers task on software")
    # a pin inside the named occupation, the hint at any SOC level, is not flagged
    con = decided(
        tmp_path,
        "SW-1,pin,202,in the named occupation\nSW-1,pin,300,outside\n",
        edits=("update staging.inventory_tasks set onet_soc_code = '15-1250' where task_id = 'SW-1'",),
        name="inside.csv",
    )
    assert [d for _, d in statuses(con).values()] == [
        None,
        "pinned occupation 47-5081.00 is not the occupation the task's onet_soc_code 15-1250 names "
        "(applied; check the pin)",
    ]
    con.close()


def test_a_pin_on_a_task_coverage_leaves_out_says_it_covers_nothing(tmp_path):
    # the pin was `ok` with no detail, while coverage (status retired) counted nothing for it
    con = decided(
        tmp_path,
        "W-1,pin,102,reviewed\nW-2,pin,102,reviewed\n",
        edits=("update staging.inventory_tasks set status = ' Retired' where task_id = 'W-1'",),
        name="retired.csv",
    )
    assert statuses(con) == {
        2: (
            "ok",
            "applied, but the task's status  Retired is one coverage leaves out "
            "(TASKVALUE_COVERAGE_EXCLUDED_STATUSES): the pin covers no O*NET task",
        ),
        3: ("ok", None),
    }
    build_overrides(
        con, tmp_path / "retired.csv", excluded_statuses=""
    )  # TASKVALUE_COVERAGE_EXCLUDED_STATUSES=
    assert statuses(con)[2] == ("ok", None)
    con.close()


def test_a_task_of_one_or_two_words_is_never_above_low(tmp_path):
    # 'title' matched Title Examiners at 0.34 (high) on the word alone, and was counted as grounded
    from assets.inventory.band_check import bands_check_result

    con = duckdb.connect()
    warehouse(con)
    build_overrides(con, None)
    build_matches(con, few=frozenset({"W-2"}))
    got = con.execute(
        "select inventory_task_id, score, text_confidence, confidence, few_words from marts.inventory_task_matches "
        "where rank = 1 and inventory_task_id in ('W-2', 'W-3', 'SW-1') order by 1"
    ).fetchall()
    assert got == [
        ("SW-1", 0.5, "high", "high", False),
        ("W-2", 0.7, "low", "low", True),  # 0.7 earns high; two words do not
        ("W-3", 0.6, "high", "high", False),
    ]
    assert bands_check_result(con, 0.5, 0.3, 0.1, 0.05).passed
    con.close()


def test_a_score_on_a_threshold_earns_its_band_as_published(tmp_path):
    # bands are >= the threshold, on the score rounded to 6 decimals as the mart publishes it (a test
    # audit's mutation of >= into > survived every test before this)
    from assets.inventory.band_check import bands_check_result

    rows = [
        ("W-1", 100, 0.5),
        ("W-1", 101, 0.3),
        ("W-1", 102, 0.1),
        ("W-2", 100, 0.2999996),
        ("W-2", 101, 0.0999994),
    ]
    frame = pl.DataFrame(
        [
            {
                "inventory_task_id": t,
                "onet_task_id": i,
                "score": s,
                "ranking_score": s,
                "in_domain": None,
                "method": "text",
                "few_words": False,
            }
            for t, i, s in rows
        ],
        schema=CANDIDATE_SCHEMA,
    )
    con = duckdb.connect()
    warehouse(con)
    build_overrides(con, None)
    con.register("inventory_match_candidates", frame.to_arrow())
    params = {"top_k": 5, "high": 0.5, "medium": 0.3, "low": 0.1, "unrelated": 0.05, "matcher": "tfidf"}
    build_sql_model(con, load_model("marts", "inventory_task_matches"), params)
    got = con.execute(
        "select inventory_task_id, onet_task_id, score, text_confidence from marts.inventory_task_matches "
        "where inventory_task_id in ('W-1', 'W-2') order by 1, 2"
    ).fetchall()
    assert got == [
        ("W-1", 100, 0.5, "high"),
        ("W-1", 101, 0.3, "medium"),
        ("W-1", 102, 0.1, "low"),
        ("W-2", 100, 0.3, "medium"),  # 0.2999996 is published as 0.3, and banded as read
        ("W-2", 101, 0.099999, "none"),
    ]
    assert bands_check_result(con, 0.5, 0.3, 0.1, 0.05).passed
    con.close()


def test_the_export_says_how_the_best_candidate_was_found():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.inventory_grounding as select * from (values "
        "('T-1', 'pinned', 300, '47-5081.00', 'high', 'override', true), "
        "('T-2', 'matched', 101, '27-3043.00', 'medium', 'text', true), "
        "('T-3', 'nothing', null, null, 'none', 'text', false)) as t(inventory_task_id, title, "
        "best_onet_task_id, best_onet_soc_code, best_confidence, best_method, best_is_credible)"
    )
    for column in ("tier", "nature", "ungrounded_reason", "grounding", "status"):
        con.execute(f"alter table marts.inventory_grounding add column {column} varchar")
    for column in ("is_digital", "is_grounded"):
        con.execute(f"alter table marts.inventory_grounding add column {column} boolean")
    con.execute(
        "alter table marts.inventory_grounding add column best_is_task_uncertain boolean default false"
    )
    con.execute("alter table marts.inventory_grounding add column best_annual_value_usd decimal(20, 2)")
    con.execute("alter table marts.inventory_grounding add column best_hourly_wage_usd decimal(12, 2)")
    # the stamps come from the best-ranked credible candidate (int.inventory_candidate_value)
    con.execute("create schema int")
    con.execute(
        "create table int.inventory_candidate_value as select * from (values "
        "('T-1', 1, 300, '47-5081.00', false, true, '$25-50/hr', 3, '47-5081', 'physical', false, 1.00, 30.00), "
        "('T-2', 1, 101, '27-3043.00', false, true, '$25-50/hr', 3, '27-3043', 'judgment', true, 2.00, 35.00), "
        "('T-3', 1, null, null, false, false, null, null, null, 'unknown', null, null, null)) "
        "as t(inventory_task_id, rank, onet_task_id, onet_soc_code, is_task_uncertain, is_credible, tier, "
        "tier_rank, oes_code, nature, is_digital, annual_value_usd, hourly_wage_usd)"
    )
    build_sql_model(con, load_model("marts", "inventory_export"))
    columns = [r[0] for r in con.execute("describe marts.inventory_export").fetchall()]
    # appended: existing readers keep their order
    assert columns[-6:] == [
        "is_match_credible",
        "method",
        "is_task_uncertain",
        "stamped_rank",
        "tier_rank",
        "oes_code",
    ]
    assert con.execute(
        "select inventory_task_id, confidence, method from marts.inventory_export"
    ).fetchall() == [
        ("T-1", "high", "override"),
        ("T-2", "medium", "text"),
        ("T-3", "none", "text"),
    ]


# D7 in Dagster: the warning check and the status counts ----------------------------------------


def materialize_overrides(tmp_path: Path, inventory: Path, configured: str = ""):
    from dagster import materialize

    from assets.inventory.assets import inventory_overrides
    from assets.inventory.checks import every_override_applied
    from assets.inventory.config import inventory_settings_from_env
    from orchestration.resources import duckdb_for
    from tests.conftest import settings_for

    settings = settings_for(tmp_path, tmp_path, inventory_dir=str(inventory))
    resource = duckdb_for(settings)
    with resource.get_connection() as con:
        warehouse(con)
    return materialize(
        [inventory_overrides, every_override_applied],
        resources={
            "settings": settings,
            "inventory_settings": inventory_settings_from_env(environ={}, overrides_path=configured),
            "coverage_settings": coverage_settings_from_env(environ={}),
            "duckdb": resource,
        },
        raise_on_error=False,
    )


def test_the_warning_check_lists_every_line_not_applied_as_written(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "_overrides.csv").write_text(HEADER + DECISIONS)
    result = materialize_overrides(tmp_path, inventory)
    assert result.success  # a warning, not a failure
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "inventory_overrides__every_decision_applied_as_written"
    assert not check.passed and check.severity.value == "WARN"
    meta = check.metadata
    assert meta["lines_flagged"].value == 8
    assert meta["by_kind"].value == {
        "conflict": 4,
        "duplicate": 1,
        "applied_with_a_warning": 1,
        "unknown_inventory_task": 1,
        "unknown_onet_task": 1,
    }
    lines = meta["lines"].value
    assert (
        "- line 10: pin 100 for w-1: **unknown_inventory_task**: no inventory task w-1; W-1 differs" in lines
    )
    assert "- line 3: pin 102 for W-1: **duplicate**: repeats line 2" in lines
    # the lines' file, printed above them by the command line
    assert meta["file"].value == f"in {meta['overrides_file'].value}:"
    assert meta["overrides_file"].value.endswith("_overrides.csv")
    (mat,) = result.asset_materializations_for_node("staging__inventory_overrides")
    assert mat.metadata["status_counts"].value == {
        "ok": 4,
        "duplicate": 1,
        "conflict": 4,
        "unknown_inventory_task": 1,
        "unknown_onet_task": 1,
        "unknown_occupation": 0,
        "text_changed": 0,
    }
    assert mat.metadata["status_conflict"].value == 4


def test_a_missing_configured_overrides_file_stops_the_refresh_naming_it(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    result = materialize_overrides(tmp_path, inventory, configured=str(tmp_path / "decisions.csv"))
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert (
        f"overrides file {tmp_path / 'decisions.csv'} does not exist"
        in failure.step_failure_data.error.to_string()
    )


def test_a_kept_candidate_carries_the_note_of_the_reject_that_shaped_its_list(tmp_path):
    con = decided(tmp_path, "W-1,reject,101,not fiction\n", top_k=5)
    try:
        # 101 is gone; the candidates left say why their list changed
        assert matches(con, "W-1") == [(1, 100, "text", "not fiction"), (2, 102, "text", "not fiction")]
    finally:
        con.close()


@pytest.mark.parametrize("value", ["21,505", "1e2", "\uff11\uff10\uff10"])
def test_an_onet_task_id_the_inventory_would_refuse_is_refused_here_too(tmp_path, value):
    # a thousands comma would make "1,320" a pin of 1320, not of tasks 1 and 320; an exponent or
    # fullwidth digits are no way to write an ID
    path = tmp_path / "_overrides.csv"
    path.write_text(HEADER + f'W-1,pin,"{value}",x\n', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="onet_task_id"):
        overrides.read_overrides(path)


def test_a_pin_inside_the_broad_group_the_hint_names_is_not_questioned(tmp_path):
    # 29-1229.01 is in the broad group 29-1210 (Physicians) though its digits start 29-122; 29-1000
    # (a minor group) holds it too; 29-1100 does not
    con = duckdb.connect()
    try:
        warehouse(con)
        con.execute(
            "insert into staging.onet_occupations values ('29-1229.01', 'Allergists and Immunologists')"
        )
        con.execute(
            "insert into staging.onet_task_statements values ('29-1229.01', 500, 'Treat allergies.', 'Core')"
        )
        con.execute(
            "insert into staging.soc_structure values "
            "('Detailed', '29-1229', '29-0000', '29-1000', '29-1210', 'Physicians, All Other')"
        )
        con.execute("delete from staging.inventory_tasks")
        con.executemany(
            "insert into staging.inventory_tasks (task_id, onet_soc_code, onet_soc_code_known) values (?, ?, true)",
            [
                ("P-1", "29-1210"),
                ("P-2", "29-1000"),
                ("P-3", "29-1100"),
                ("P-4", "29-0000"),
                ("P-5", "29-1229"),
            ],
        )
        path = tmp_path / "_overrides.csv"
        path.write_text(HEADER + "".join(f"P-{i},pin,500,x\n" for i in range(1, 6)))
        build_overrides(con, path)
        got = dict(
            con.execute("select inventory_task_id, detail from staging.inventory_overrides").fetchall()
        )
    finally:
        con.close()
    assert got["P-1"] is None and got["P-2"] is None and got["P-4"] is None and got["P-5"] is None
    assert "is not the occupation the task's onet_soc_code 29-1100 names" in got["P-3"]


def test_an_excel_sep_line_names_the_delimiter_and_the_lines_keep_their_numbers(tmp_path):
    path = tmp_path / "_overrides.csv"
    path.write_text("sep=;\n" + HEADER.replace(",", ";") + "W-1;pin;102;x\nW-2;reject;;y\n")
    frame = overrides.read_overrides(path)
    assert frame.select("inventory_task_id", "action", "onet_task_id", "source_row").rows() == [
        ("W-1", "pin", 102, 3),
        ("W-2", "reject", None, 4),
    ]
    path.write_text("sep=,\n")
    assert overrides.read_overrides(path).is_empty()
    path.write_text("sep=\t\n" + HEADER.replace(",", "\t") + "W-1\tpin\t102\tx\n")  # a tab, as Excel writes
    assert overrides.read_overrides(path)["source_row"].to_list() == [3]


def test_a_decision_quoting_the_tasks_text_hash_stops_applying_once_the_task_is_rewritten(tmp_path):
    # a pin stays `high` whatever the task later says; a line quoting the text_hash it was made for
    # (staging.inventory_tasks.text_hash, also in the matches mart) applies only while the task
    # still hashes so: W-1's pin is for its current text, W-2's for text it no longer has
    old = text_hash("W-2", "Write ad copy for a shoe launch")
    con = duckdb.connect()
    warehouse(con)
    path = tmp_path / "_overrides.csv"
    path.write_text(
        "inventory_task_id,action,onet_task_id,note,text_hash\n"
        f"W-1,pin,102,checked,{task_hash('W-1').upper()}\n"  # 2: case does not matter
        f"W-2,pin,100,made for the old text,{old}\n"  # 3
        "W-3,reject,102,no hash: applies whatever the text,\n"  # 4
    )
    build_overrides(con, path)
    build_matches(con)
    found = statuses(con)
    assert found[2] == ("ok", None) and found[4] == ("ok", None)
    assert found[3] == (
        "text_changed",
        f"task W-2 was rewritten since this decision (text_hash {old}, now {task_hash('W-2')} in "
        "tasks.csv row 3): not applied; re-read the task and write the new text_hash to apply it again",
    )
    assert matches(con, "W-1")[0] == (1, 102, "override", "checked")
    # W-2 is matched on its text again, as if the pin had never been written
    assert matches(con, "W-2") == [(1, 101, "text", None), (2, 100, "text", None)]
    assert con.execute(
        "select distinct text_hash from marts.inventory_task_matches where inventory_task_id = 'W-2'"
    ).fetchall() == [(task_hash("W-2"),)]
    assert task_hash("W-2") == text_hash("  W-2 ", "") != old  # whitespace is not a rewrite


@pytest.mark.parametrize("value", ["abc", "3f2a9c1b7e4dz", "3f2a9c1b7e4d0"])
def test_a_text_hash_that_is_not_12_hex_digits_is_an_error_naming_line_and_column(tmp_path, value):
    path = tmp_path / "_overrides.csv"
    path.write_text(f"inventory_task_id,action,onet_task_id,text_hash\nW-1,pin,102,\nW-1,pin,101,{value}\n")
    with pytest.raises(SourceFormatError) as err:
        overrides.read_overrides(path)
    assert err.value.row == 3 and err.value.column == "text_hash"
    assert f"{value!r} is not a text_hash: 12 hex digits" in str(err.value)
