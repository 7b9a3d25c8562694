"""Candidate O*NET tasks for inventory tasks: chunked queries, optional narrowing, max-pooling.

Precedence (the SQL model applies overrides on top):
1. an explicit, known onet_task_id is the only candidate (method `explicit`);
2. an onet_soc_code or a resolved occupation title restricts the candidates to O*NET tasks under
   that code, whatever its level: major 15-0000, minor 15-1200, broad 15-1250, detailed 15-1252,
   or an O*NET code 15-1252.00 (method `hinted`);
3. otherwise every O*NET task statement is a candidate (method `text`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from assets.inventory.ingest import soc_prefix
from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.text import boilerplate, query_texts

CANDIDATE_SCHEMA = {
    "inventory_task_id": pl.String,
    "onet_task_id": pl.Int64,
    "score": pl.Float64,
    "method": pl.String,
}


@dataclass
class QueryTask:
    task_id: str
    title: str | None
    description: str | None
    onet_task_id: int | None = None  # explicit link, already known to exist
    soc_code: str | None = None  # hint, already known to exist
    hint_text: str | None = None  # an occupation named in words that matched no title


def pooled_search(
    matcher, corpus: Corpus, texts: Sequence[list[str]], top_n: int, allowed: np.ndarray | None = None
) -> pl.DataFrame:
    """Search every chunk, keep each task's best score per document, then its top_n documents.

    Returns columns task (index into `texts`), doc (corpus index), score.
    """
    owners = np.fromiter((i for i, qs in enumerate(texts) for _ in qs), dtype=np.int64)
    flat = [q for qs in texts for q in qs]
    rows, docs, scores = matcher.search(flat, top_n, allowed)
    frame = pl.DataFrame({"task": owners[rows], "doc": docs, "score": scores.astype(np.float64)})
    return (
        frame.group_by("task", "doc")
        .agg(pl.col("score").max())
        .sort(["task", "score", "doc"], descending=[False, True, False])
        .group_by("task", maintain_order=True)
        .head(top_n)
    )


def match_tasks(matcher, corpus: Corpus, tasks: Sequence[QueryTask], top_n: int) -> pl.DataFrame:
    """One row per (inventory task, candidate O*NET task) with score and method."""
    parts: list[pl.DataFrame] = []
    explicit = [t for t in tasks if t.onet_task_id is not None]
    if explicit:
        parts.append(
            pl.DataFrame(
                {
                    "inventory_task_id": [t.task_id for t in explicit],
                    "onet_task_id": [t.onet_task_id for t in explicit],
                    "score": [1.0] * len(explicit),
                    "method": ["explicit"] * len(explicit),
                },
                schema=CANDIDATE_SCHEMA,
            )
        )
    common = boilerplate(t.description for t in tasks)
    groups: dict[str | None, list[QueryTask]] = defaultdict(list)
    for t in tasks:
        if t.onet_task_id is None:
            groups[soc_prefix(t.soc_code) if t.soc_code else None].append(t)
    for prefix, members in groups.items():
        allowed = corpus.indices_under(prefix) if prefix else None
        if allowed is not None and allowed.size == 0:
            allowed = None  # the hint names no occupation with tasks: fall back to all (flagged in staging)
        texts = [
            query_texts(t.title, t.description, t.hint_text, matcher.title_repeat, common) for t in members
        ]
        found = pooled_search(matcher, corpus, texts, top_n, allowed)
        if found.is_empty():
            continue
        ids = np.asarray([t.task_id for t in members], dtype=object)
        parts.append(
            pl.DataFrame(
                {
                    "inventory_task_id": ids[found["task"].to_numpy()].tolist(),
                    "onet_task_id": corpus.task_ids[found["doc"].to_numpy()],
                    "score": found["score"],
                    "method": "hinted" if allowed is not None else "text",
                },
                schema=CANDIDATE_SCHEMA,
            )
        )
    if not parts:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    return pl.concat(parts)
