"""A task that names its occupation keeps its k candidates even when its text shares no word with it.

Real O*NET 29.0 statements (parsed from the mirror, no refresh), the default TF-IDF matcher, and the
mart's own SQL (sql/marts/inventory_task_matches.sql) for the confidence floors.
"""

from __future__ import annotations

import polars as pl
import pytest

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import TfidfMatcher
from assets.inventory.thresholds import DEFAULT_THRESHOLDS

TOP_K = 5
LRU_TITLE = "Implement LRU cache"
LRU_PROMPT = "Write a Python class implementing an LRU cache with O(1) get and put."
FRENCH = "Tri des tickets clients par priorité."  # no word of the hinted occupations' statements
GERMAN = "Einen Zwischenspeicher mit Verdrängungsstrategie implementieren."  # no word of any statement


@pytest.fixture(scope="module")
def real(shared_data):
    from assets.inventory.matching.corpus import load_corpus
    from bench.matching import onet_connection
    from orchestration.resources import settings_from_env

    con = onet_connection(settings_from_env({"TASKVALUE_MIRROR": str(shared_data)}))
    corpus = load_corpus(con)
    matcher = TfidfMatcher().fit_corpus(corpus)
    yield con, corpus, matcher
    con.close()


def mart(real, tasks: list[QueryTask], top_k: int = TOP_K) -> pl.DataFrame:
    """match_tasks, then the mart's SQL on an in-memory connection holding the O*NET staging tables."""
    con, corpus, matcher = real
    candidates = match_tasks(matcher, corpus, tasks, top_k)
    con.execute(
        "create or replace table staging.inventory_tasks as select unnest($ids) as task_id, "
        "null::varchar as text_hash",
        {"ids": [t.task_id for t in tasks]},
    )
    con.execute(
        "create or replace table staging.inventory_overrides (inventory_task_id varchar, action varchar, "
        "onet_task_id bigint, note varchar, source_row bigint, status varchar, pin_order bigint)"
    )
    high, medium, low = DEFAULT_THRESHOLDS["tfidf"]
    con.register("inventory_match_candidates", candidates.to_arrow())
    try:
        params = {
            "top_k": top_k,
            "high": high,
            "medium": medium,
            "low": low,
            "unrelated": 0.05,
            "matcher": "tfidf",
        }
        build_sql_model(con, load_model("marts", "inventory_task_matches"), params)
    finally:
        con.unregister("inventory_match_candidates")
    return con.sql(
        "select m.*, s.task_type from marts.inventory_task_matches as m "
        "left join staging.onet_task_statements as s on s.task_id = m.onet_task_id "
        "order by m.inventory_task_id, m.rank"
    ).pl()


@pytest.mark.parametrize("code", ["15-1252.00", "15-1252"])
def test_lru_cache_named_as_software_developers_gets_k_hinted_candidates(real, code):
    rows = mart(real, [QueryTask("LRU", LRU_TITLE, LRU_PROMPT, soc_code=code)])
    assert rows.height == TOP_K
    assert rows["rank"].to_list() == [1, 2, 3, 4, 5]
    assert set(rows["onet_soc_code"]) == {"15-1252.00"}
    assert set(rows["method"]) == {"hinted"}
    assert rows["score"].to_list() == [0.0] * TOP_K  # no text evidence at all
    assert set(rows["text_confidence"]) == {"none"}  # so coverage marks it task-uncertain
    assert rows["confidence"].to_list() == ["medium", "low", "low", "low", "low"]  # the hint's floors
    # Software Developers' statements are all untyped (analyst-rated): the lowest task IDs
    assert rows["onet_task_id"].to_list() == [21661, 21662, 21663, 21664, 21665]


def test_fallback_prefers_core_statements(real):
    # Customer Service Representatives: Core 2578, 2580-2584, 18565; Supplemental 2579, 2585, ...
    rows = mart(real, [QueryTask("FR", "Tri des tickets", FRENCH, soc_code="43-4051.00")])
    assert rows["onet_task_id"].to_list() == [2578, 2580, 2581, 2582, 2583]  # not the Supplemental 2579
    assert set(rows["task_type"]) == {"Core"}
    assert rows["confidence"][0] == "medium" and set(rows["text_confidence"]) == {"none"}


def test_text_evidence_comes_first_and_the_hint_completes_the_list(real):
    # "status" is the only word shared with Software Developers' statements (21665 and 21673)
    prompt = LRU_PROMPT + " Report the status."
    rows = mart(real, [QueryTask("LRU", LRU_TITLE, prompt, soc_code="15-1252.00")])
    assert rows.height == TOP_K
    # the two hits by score, then the first statements not already listed (21665 is not repeated)
    assert rows["onet_task_id"].to_list() == [21673, 21665, 21661, 21662, 21663]
    assert (rows["score"].head(2) > 0).all() and (rows["score"].tail(3) == 0).all()
    assert set(rows["method"]) == {"hinted"} and rows["confidence"][0] == "medium"


def test_hint_naming_several_occupations_gets_one_candidate_per_occupation(real):
    tasks = [
        QueryTask("BROAD", "Zwischenspeicher", GERMAN, soc_code="15-1250"),  # 6 occupations with tasks
        QueryTask("PAIR", "Zwischenspeicher", GERMAN, soc_code="15-1255"),  # 15-1255.00 and 15-1255.01
    ]
    rows = mart(real, tasks)
    broad = rows.filter(pl.col("inventory_task_id") == "BROAD")
    # five of the six occupations, each by its first statement: the four with Core tasks, then
    # Software Developers (untyped statements only); 15-1255.00 (untyped too, higher ID) is sixth
    assert broad["onet_soc_code"].to_list() == [
        "15-1251.00",
        "15-1253.00",
        "15-1254.00",
        "15-1255.01",
        "15-1252.00",
    ]
    assert broad["onet_task_id"].to_list() == [1267, 14638, 14694, 16194, 21661]
    assert set(broad["method"]) == {"hinted"} and set(broad["score"]) == {0.0}
    assert broad["confidence"].to_list() == ["medium", "low", "low", "low", "low"]
    pair = rows.filter(pl.col("inventory_task_id") == "PAIR")
    # candidates are occupations, each with one statement: a pair gives two, not k
    assert sorted(pair["onet_soc_code"]) == ["15-1255.00", "15-1255.01"]
    assert set(pair["text_confidence"]) == {"none"}


def test_without_a_hint_no_shared_word_still_gives_no_candidate(real):
    rows = mart(real, [QueryTask("NONE", "Zwischenspeicher", GERMAN)])
    assert rows.height == 1
    row = rows.row(0, named=True)
    assert row["onet_task_id"] is None and row["method"] == "text" and row["confidence"] == "none"
