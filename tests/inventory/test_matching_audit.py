"""The matcher's text handling, its occupation ranking and the mart's bands and floors
(sql/marts/inventory_task_matches.sql), each pinned by a small hand-built input with an exact expected
output (matching mutation audit, 28 Nov: 19 of 39 mutants that change what a user sees passed the
suite before; each test here fails on one of them)."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model
from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.match import (
    CANDIDATE_SCHEMA,
    QueryTask,
    match_tasks,
    occupation_search,
    pooled_search,
)
from assets.inventory.matching.matchers import TfidfMatcher
from assets.inventory.matching.text import boilerplate, chunks, prose, query_texts

# ---------------------------------------------------------------- the mart on hand-built candidates

STATEMENTS = [  # task_id, onet_soc_code, task, task_type
    (1, "13-2011.00", "Reconcile ledgers.", "Supplemental"),
    (2, "13-2011.00", "Audit books.", "Core"),
    (3, "13-2011.00", "Prepare tax returns.", None),
    (4, "13-2011.00", "Advise clients.", "Core"),
    (5, "27-3043.00", "Write copy.", "Core"),
    (6, "27-3043.00", "Edit drafts.", "Core"),
    (7, "15-1252.00", "Debug code.", None),
]
BANDS = {"high": 0.28, "medium": 0.15, "low": 0.075, "unrelated": 0.045}


def mart(candidates: list[tuple], top_k: int = 3) -> dict[str, list[dict]]:
    """marts.inventory_task_matches built from candidates
    (inventory_task_id, onet_task_id, score, method, few_words); rows per task, by rank."""
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        "create table staging.onet_task_statements as select * from (values "
        + ", ".join(f"({i}, '{c}', '{t}', {repr(k) if k else 'null'})" for i, c, t, k in STATEMENTS)
        + ") as t(task_id, onet_soc_code, task, task_type)"
    )
    con.execute(
        "create table staging.onet_occupations as select * from (values ('13-2011.00', 'Accountants'), "
        "('27-3043.00', 'Writers'), ('15-1252.00', 'Software Developers')) as t(onet_soc_code, title)"
    )
    ids = sorted({c[0] for c in candidates})
    con.execute(
        "create table staging.inventory_tasks as select unnest($ids) as task_id, null::varchar as text_hash",
        {"ids": ids},
    )
    con.execute(
        "create table staging.inventory_overrides (inventory_task_id varchar, action varchar, "
        "onet_task_id bigint, note varchar, source_row bigint, status varchar, pin_order bigint)"
    )
    frame = pl.DataFrame(
        [
            {
                "inventory_task_id": t,
                "onet_task_id": o,
                "score": s,
                "ranking_score": s,
                "in_domain": None,
                "method": m,
                "few_words": f,
                "technology_share": None,
                "technology_words": None,
            }
            for t, o, s, m, f in candidates
        ],
        schema=CANDIDATE_SCHEMA,
    )
    con.register("inventory_match_candidates", frame.to_arrow())
    build_sql_model(
        con, load_model("marts", "inventory_task_matches"), {"top_k": top_k, "matcher": "tfidf", **BANDS}
    )
    out: dict[str, list[dict]] = {}
    for row in (
        con.sql("select * from marts.inventory_task_matches order by inventory_task_id, rank").pl().to_dicts()
    ):
        out.setdefault(row["inventory_task_id"], []).append(row)
    con.close()
    return out


def test_a_score_exactly_at_a_threshold_earns_that_band():
    # one text task per score; each task's rank-1 band. 0.28 / 0.15 / 0.075 are tfidf's thresholds
    scores = {"A": 0.28, "B": 0.279999, "C": 0.15, "D": 0.149999, "E": 0.075, "F": 0.074999}
    got = mart([(t, 7, s, "text", False) for t, s in scores.items()])
    bands = {t: rows[0]["text_confidence"] for t, rows in got.items()}
    assert bands == {"A": "high", "B": "medium", "C": "medium", "D": "low", "E": "low", "F": "none"}
    assert {t: rows[0]["confidence"] for t, rows in got.items()} == bands  # text: no floor


def test_the_resemblance_floor_is_strict_below():
    got = mart(
        [
            ("AT", 7, 0.045, "text", False),
            ("BELOW", 7, 0.044999, "text", False),
            ("H", 7, 0.0, "hinted", False),
        ]
    )
    assert got["AT"][0]["resembles_no_work"] is False  # at the floor: resembles work, weakly
    assert got["BELOW"][0]["resembles_no_work"] is True
    assert got["H"][0]["resembles_no_work"] is False  # a person named the occupation


def test_hint_floor_lifts_rank_one_to_medium_and_the_rest_to_low_only():
    got = mart(
        [("H", 2, 0.0, "hinted", False), ("H", 4, 0.0, "hinted", False), ("H", 1, 0.0, "hinted", False)]
    )
    assert [r["confidence"] for r in got["H"]] == ["medium", "low", "low"]
    assert [r["text_confidence"] for r in got["H"]] == ["none", "none", "none"]
    # equal scores: Core statements first (task ID among them), then Supplemental
    assert [r["onet_task_id"] for r in got["H"]] == [2, 4, 1]
    assert [r["rank"] for r in got["H"]] == [1, 2, 3]


def test_a_few_words_task_is_capped_at_low_whatever_it_scores():
    got = mart(
        [
            ("HI", 7, 0.9, "text", True),
            ("MID", 7, 0.2, "text", True),
            ("LO", 7, 0.1, "text", True),
            ("NO", 7, 0.05, "text", True),
        ]
    )
    assert {t: rows[0]["text_confidence"] for t, rows in got.items()} == {
        "HI": "low",
        "MID": "low",
        "LO": "low",
        "NO": "none",
    }


def test_top_k_keeps_exactly_k_text_candidates_ranked_from_one():
    got = mart([("T", i, 0.3 - i / 100, "text", False) for i in (1, 2, 3, 5, 7)], top_k=3)
    assert [(r["rank"], r["onet_task_id"]) for r in got["T"]] == [(1, 1), (2, 2), (3, 3)]


# ---------------------------------------------------------------- the matcher on a tiny corpus

# `corpus` (tests/inventory/conftest.py): seven O*NET-like statements of five occupations


def rank_one(found: pl.DataFrame) -> dict[str, int]:
    return {
        r["inventory_task_id"]: r["onet_task_id"]
        for r in found.sort("inventory_task_id", "ranking_score", descending=[False, True])
        .group_by("inventory_task_id", maintain_order=True)
        .head(1)
        .to_dicts()
    }


def test_the_tfidf_title_counts_twice_against_a_description_of_other_work(corpus):
    # title says accounting, the prompt says blogging: with the title counted twice the title wins
    # (0.265 vs 0.176); counted once the blog occupation took rank 1 (0.241 vs 0.219)
    matcher = TfidfMatcher().fit_corpus(corpus)
    task = QueryTask("X", "Reconcile bank statements", "Write blog posts for the launch.")
    assert rank_one(match_tasks(matcher, corpus, [task], 2)) == {"X": 101}


def test_in_a_small_inventory_two_tasks_sharing_a_sentence_is_not_boilerplate():
    # 5 tasks: the floor is max(3 tasks, 30% of 5 = 2) = 3, so a sentence two tasks share is their work
    shared = "Reconcile the ledger with the bank statement."
    descs = [f"{shared} Task 1.", f"{shared} Task 9.", "Write a blog post.", "Edit a draft.", "Debug code."]
    assert boilerplate(descs) == set()
    assert boilerplate(descs + [f"{shared} Task 8."]) == {shared}  # three of six


def test_boilerplate_does_not_count_as_content_words(corpus):
    # the preamble every task repeats is taken out before counting: 'Fix it.' alone is one word
    preamble = "You are working in a sandbox."
    tasks = [
        QueryTask("A", None, f"{preamble} Fix it."),
        QueryTask("B", None, f"{preamble} Debug and fix software defects in application code."),
        QueryTask("C", None, f"{preamble} Write unit tests for software modules."),
    ]
    found = match_tasks(TfidfMatcher().fit_corpus(corpus), corpus, tasks, 1)
    flags = dict(zip(found["inventory_task_id"], found["few_words"], strict=True))
    assert flags == {"A": True, "B": False, "C": False}


def test_cjk_exclamation_question_and_semicolon_end_sentences_too():
    for mark in "！？；":
        parts = chunks(f"請核對銀行對帳單{mark}" * 200)
        assert len(parts) > 1 and all(p.endswith(mark) for p in parts), mark


# ---------------------------------------------------------------- aggregation with a stub matcher


class Stub:
    """A matcher whose hits are given: per query text (flat index) a list of (doc, cosine)."""

    weights = {"max": 1.0, "top3": 1.0}
    title_repeat = 1

    def __init__(self, hits: dict[int, list[tuple[int, float]]]):
        self.hits = hits

    def fit_occupations(self, corpus):
        return self

    def search(self, queries, top_n, allowed=None):
        rows = [(q, d, s) for q in range(len(queries)) for d, s in self.hits.get(q, [])]
        rows = [r for r in rows if allowed is None or r[1] in set(allowed.tolist())]
        q, d, s = zip(*rows, strict=True) if rows else ((), (), ())
        return np.asarray(q, np.int64), np.asarray(d, np.int64), np.asarray(s, np.float32)

    def search_occupations(self, queries, top_n, allowed=None):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


@pytest.fixture
def three_occupations() -> Corpus:
    codes = (
        ["11-0000.00"] * 3 + ["22-0000.00"] * 2 + ["33-0000.00"]
    )  # occupations 0 (docs 0-2), 1 (3-4), 2 (5)
    return Corpus(np.arange(6), np.asarray(codes, dtype=object), ["t"] * 6, codes, [""] * 6)


def test_occupation_score_is_the_mean_of_best_statement_and_top3_with_the_floor(three_occupations):
    # one query: occupation 0 has the best statement (.6) but occupation 1 two good ones (.55, .5)
    # floor = lowest hit .1; occ 0: max .6, top3 (.6 + .1 + floor .1)/3 = .2667 -> .4333
    #                        occ 1: max .55, top3 (.55 + .5 + floor .1)/3 = .3833 -> .4667
    stub = Stub({0: [(0, 0.6), (3, 0.55), (4, 0.5), (1, 0.1)]})
    got = occupation_search(stub, three_occupations, [["q"]], 5)
    assert got["occupation"].to_list() == [1, 0]
    assert got["doc"].to_list() == [3, 0]
    assert got["score"].to_list() == pytest.approx([(0.55 + 1.15 / 3) / 2, (0.6 + 0.8 / 3) / 2], abs=1e-6)


def test_a_long_prompt_scores_each_occupation_by_its_best_chunk(three_occupations):
    # chunk 0 as above; chunk 1 finds occupation 1 weakly (.1) and occupation 2 (.3, floor .1: .2333). Max over chunks
    # keeps occupation 1 at .4667 (rank 1); a mean would have dropped it to .2833, below occupation 0
    stub = Stub({0: [(0, 0.6), (3, 0.55), (4, 0.5), (1, 0.1)], 1: [(5, 0.3), (3, 0.1)]})
    got = occupation_search(stub, three_occupations, [["chunk 0", "chunk 1"]], 5)
    assert got["occupation"].to_list() == [1, 0, 2]
    assert got["score"].to_list() == pytest.approx(
        [(0.55 + 1.15 / 3) / 2, (0.6 + 0.8 / 3) / 2, (0.3 + 0.5 / 3) / 2], abs=1e-6
    )


def test_equal_occupation_scores_rank_the_lower_statement_first(three_occupations):
    stub = Stub({0: [(3, 0.4), (0, 0.4)]})
    got = occupation_search(stub, three_occupations, [["q"]], 5)
    assert got["doc"].to_list() == [0, 3] and got["score"][0] == pytest.approx(got["score"][1])


def test_a_hint_naming_one_occupation_scores_each_statement_by_its_best_chunk(three_occupations):
    # statement 0: .5 in chunk 0, .1 in chunk 1; statement 1: .4 in chunk 1 -> 0 first (a mean: .3 < .4)
    stub = Stub({0: [(0, 0.5)], 1: [(0, 0.1), (1, 0.4)]})
    got = pooled_search(stub, three_occupations, [["chunk 0", "chunk 1"]], 5, np.asarray([0, 1, 2]))
    assert got["doc"].to_list() == [0, 1]
    assert got["score"].to_list() == pytest.approx([0.5, 0.4])


# ---------------------------------------------------------------- what text is matched, precedence


def test_an_indented_fence_is_code_too():
    # a fence inside a list item is indented; its content is not the task (here: another duty)
    prompt = "Restock the store.\n  ```text\n  Fill customer orders from the warehouse.\n  ```\nKeep the shelves tidy."
    assert " ".join(prose(prompt).split()) == "Restock the store. Keep the shelves tidy."


def test_dropping_boilerplate_keeps_unpunctuated_lines_as_chunk_boundaries():
    duties = "\n".join(f"Reconcile account {i} against the bank statement" for i in range(40))
    common = {"You are in a sandbox."}
    texts = query_texts("T", duties, common=common)
    assert texts == query_texts("T", duties, common=set())
    assert len(texts) == 4 and all(t.endswith("bank statement") for t in texts)


def test_an_explicit_id_wins_over_a_hint_given_with_it(corpus):
    tasks = [QueryTask("E", "Write tests and copy", None, onet_task_id=101, soc_code="27-3043.00")]
    found = match_tasks(TfidfMatcher().fit_corpus(corpus), corpus, tasks, 3)
    assert found.select("inventory_task_id", "onet_task_id", "method").rows() == [("E", 101, "explicit")]


def test_a_prompt_of_exactly_max_chunks_keeps_its_last_chunk():
    from assets.inventory.matching.text import CHUNK_CHARS, MAX_CHUNKS

    sentences = [f"Duty {i} " + "x" * (CHUNK_CHARS - 20) + "." for i in range(MAX_CHUNKS)]
    parts = chunks(" ".join(sentences))
    assert parts == sentences  # the 8th, appended after the loop, is not cut


def test_an_occupation_named_in_words_joins_the_query(corpus):
    # an occupation without O*NET tasks cannot narrow, so its name is matched as words (hint_text)
    matcher = TfidfMatcher().fit_corpus(corpus)
    task = QueryTask("W", "Handle the case", None, hint_text="Customer Service Representatives")
    assert query_texts(task.title, None, task.hint_text, 2) == [
        "Handle the case Handle the case Customer Service Representatives"
    ]
    assert rank_one(match_tasks(matcher, corpus, [task], 2)) == {"W": 401}
