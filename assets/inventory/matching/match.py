"""Candidate O*NET tasks for inventory tasks: chunked queries, optional narrowing, max-pooling.

Precedence (the SQL model applies overrides on top):
1. an explicit, known onet_task_id is the only candidate (method `explicit`);
2. an onet_soc_code or a resolved occupation title restricts the candidates to O*NET tasks under
   that code, whatever its level: major 15-0000, minor 15-1200, broad 15-1250, detailed 15-1252,
   or an O*NET code 15-1252.00 (method `hinted`);
3. otherwise every O*NET task statement is a candidate (method `text`). When the task's `domain`
   maps to a configured domain with SOC/O*NET code rules (or a sector domain: its characteristic
   occupations, assets/inventory/assets.py query_tasks), its occupations are preferred: they rank
   by score + `domain_bonus` (`prefer_domain`), so an occupation outside the domain still wins when
   it scores more than the bonus above the best one inside. A prior, not a filter: a domain label is
   coarser and less reliable than a named occupation.
   A task naming software that O*NET's Technology Skills lists (Django, PostgreSQL) likewise ranks
   each occupation up by `technology_bonus` x the share of that software it lists (technology.py).

Ranking is by OCCUPATION, then the best task within it: a new task of an occupation rarely has a
near-duplicate statement, but it sits in the occupation's neighbourhood. Each candidate occupation
(one with a statement among the query's DOC_HITS nearest) is scored by the weighted mean
(`matcher.weights`) of its best statement, its 3 best statements, its centroid and its profile
(`occupation_search`); a task's candidates are its top occupations, each represented by its best
statement, with the occupation score as `score`. Long prompts: the maximum over chunks. A hint that
names ONE occupation ranks that occupation's statements instead (`pooled_search`), so the task still
gets top_k O*NET task candidates. The hybrid matcher fuses its parts' rankings (`ranked`, `fuse`).
A hinted task whose text finds fewer than top_k candidates in the hinted occupation(s), or none (a
prompt sharing no word with them), is completed from the hint itself (`fill_from_hint`, score 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.prose_pool import prose_all
from assets.inventory.matching.technology import TechnologyIndex, prefer_named_technology
from assets.inventory.matching.text import DEFAULT_BOILERPLATE_SHARE, boilerplate, few_words, query_texts
from assets.inventory.occupation_codes import soc_prefixes

DOC_HITS = 50  # nearest statements per query text: they nominate the candidate occupations
OCC_HITS = 100  # nearest occupations (centroid + profile) per query text; the rest get the floor
CANDIDATE_SCHEMA = {
    "inventory_task_id": pl.String,
    "onet_task_id": pl.Int64,
    "score": pl.Float64,
    "ranking_score": pl.Float64,  # score + the domain bonus when the candidate lies in the task's domain
    "in_domain": pl.Boolean,  # null: the task's domain gave no prior
    "method": pl.String,
    "few_words": pl.Boolean,  # the task's text holds fewer than MIN_CONTENT_WORDS content words
    # share of the software the task names that the candidate's occupation lists (technology.py);
    # null: the task names none, or the prior did not apply (hint, explicit link, prior off)
    "technology_share": pl.Float64,
    "technology_words": pl.List(pl.String),  # the software words the task names (null with the share)
}


# Tasks searched at once. Each query keeps DOC_HITS statement hits and OCC_HITS occupations until
# they are reduced to top_n, so memory grows with the batch, not with the whole inventory.
MATCH_BATCH = 20_000


@dataclass
class QueryTask:
    task_id: str
    title: str | None
    description: str | None
    onet_task_id: int | None = None  # explicit link, already known to exist
    soc_code: str | None = None  # hint, already known to exist
    hint_text: str | None = None  # an occupation named in words (or by a code) that cannot narrow the match
    domain_prefixes: tuple[str, ...] = ()  # code rules of the task's configured domain (soft prior)
    # a reviewer named the occupation (overrides file): matched within it even beside an explicit link
    occupation_decided: bool = False


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


def occupation_search(
    matcher,
    corpus: Corpus,
    texts: Sequence[list[str]],
    top_n: int,
    allowed: np.ndarray | None = None,
    allowed_occupations: np.ndarray | None = None,
) -> pl.DataFrame:
    """Top `top_n` occupations per task, each with its best statement.

    Returns columns task (index into `texts`), doc (corpus index of the occupation's best statement),
    occupation (index into corpus.occupations), score (weighted occupation score), best-first.
    """
    matcher.fit_occupations(corpus)
    w = matcher.weights
    total = sum(w.values())
    owners = np.fromiter((i for i, qs in enumerate(texts) for _ in qs), dtype=np.int64)
    flat = [q for qs in texts for q in qs]
    rows, docs, scores = matcher.search(flat, DOC_HITS, allowed)
    if rows.size == 0:
        return pl.DataFrame(
            schema={"task": pl.Int64, "doc": pl.Int64, "occupation": pl.Int64, "score": pl.Float64}
        )
    hits = pl.DataFrame(
        {"q": rows, "doc": docs, "occupation": corpus.doc_occupation[docs], "s": scores.astype(np.float64)}
    )
    # A statement outside the query's DOC_HITS scores at most the query's lowest hit: that upper
    # bound stands in for the missing ones in the top-3 mean (exact for `max`).
    floor = hits.group_by("q").agg(pl.col("s").min().alias("floor"))
    per_occ = (
        hits.sort(["q", "occupation", "s", "doc"], descending=[False, False, True, False])
        .group_by("q", "occupation", maintain_order=True)
        .agg(
            pl.col("doc").first(),
            pl.col("s").first().alias("max"),
            pl.col("s").head(3).sum().alias("top3_sum"),
            pl.len().clip(upper_bound=3).alias("n3"),
        )
        .join(floor, on="q")
        .with_columns(top3=(pl.col("top3_sum") + (3 - pl.col("n3")) * pl.col("floor")) / 3)
    )
    o_rows, o_occ, o_scores = matcher.search_occupations(flat, OCC_HITS, allowed_occupations)
    occ = pl.DataFrame({"q": o_rows, "occupation": o_occ, "o": o_scores.astype(np.float64)})
    o_floor = occ.group_by("q").agg(pl.col("o").min().alias("o_floor"))
    scored = (
        per_occ.join(occ, on=["q", "occupation"], how="left")
        .join(o_floor, on="q", how="left")
        .with_columns(
            score=(
                w["max"] * pl.col("max")
                + w["top3"] * pl.col("top3")
                + pl.coalesce("o", "o_floor", pl.lit(0.0))  # already weighted by the matcher
            )
            / total
        )
    )
    task_of = pl.DataFrame({"q": np.arange(len(owners)), "task": owners})
    return (
        scored.join(task_of, on="q")
        .sort(["task", "occupation", "score", "doc"], descending=[False, False, True, False])
        .group_by("task", "occupation", maintain_order=True)  # max over chunks
        .agg(pl.col("doc").first(), pl.col("score").first())
        .sort(["task", "score", "doc"], descending=[False, True, False])
        .group_by("task", maintain_order=True)
        .head(top_n)
        .select("task", "doc", "occupation", "score")
    )


def fuse(
    found: Sequence[pl.DataFrame],
    weights: Sequence[float],
    key: str,
    top_n: int,
    complete_below: int | None = None,
) -> pl.DataFrame:
    """Weighted sum of several rankings of the same tasks, joined on (task, key); best-first top_n.

    A candidate missing from one ranking gets that ranking's lowest score for the task (it scored at
    most that there), unless the ranking returned fewer than `complete_below` rows for the task:
    then it listed every candidate with a score (sparse TF-IDF keeps only non-zero cosines) and the
    missing one scored 0. The representative `doc` comes from the first ranking that has it.
    """
    columns = ["doc", "occupation"] if key == "occupation" else ["doc"]
    merged = None
    for i, frame in enumerate(found):
        part = frame.select("task", *columns, pl.col("score").alias(f"s{i}"))
        lowest = pl.col(f"s{i}").min()
        if complete_below is not None:
            lowest = pl.when(pl.len() < complete_below).then(pl.lit(0.0)).otherwise(lowest)
        floor = part.group_by("task").agg(lowest.alias(f"f{i}"))
        if merged is None:
            merged, floors = part, floor
            continue
        other = [c for c in columns if c != key]
        part = part.rename({c: f"{c}_{i}" for c in other})
        merged = merged.join(part, on=["task", key], how="full", coalesce=True)
        merged = merged.with_columns([pl.coalesce(c, f"{c}_{i}").alias(c) for c in other]).drop(
            [f"{c}_{i}" for c in other]
        )
        floors = floors.join(floor, on="task", how="full", coalesce=True)
    merged = merged.join(floors, on="task", how="left")
    score = sum(w * pl.coalesce(f"s{i}", f"f{i}", pl.lit(0.0)) for i, w in enumerate(weights))
    return (
        merged.with_columns(score=score)
        .sort(["task", "score", "doc"], descending=[False, True, False])
        .group_by("task", maintain_order=True)
        .head(top_n)
        .select("task", *columns, "score")
    )


def ranked(
    matcher,
    corpus: Corpus,
    texts_for,
    top_n: int,
    allowed: np.ndarray | None = None,
    allowed_occupations: np.ndarray | None = None,
) -> pl.DataFrame:
    """The matcher's ranking: occupations (occupation_search), or the statements of the one hinted
    occupation (pooled_search). `texts_for(matcher)` gives that matcher's query texts per task: the
    parts of a hybrid phrase their queries differently (title_repeat)."""
    single = allowed_occupations is not None and allowed_occupations.size == 1
    if hasattr(matcher, "parts"):
        # each part ranks deeper than top_n, so that fusing can promote what one part ranks lower
        depth = max(top_n, DOC_HITS)
        found = [ranked(p, corpus, texts_for, depth, allowed, allowed_occupations) for p in matcher.parts]
        if single:  # a part lists all of the occupation's statements it scored above 0
            return fuse(found, matcher.fusion_weights, "doc", top_n, complete_below=depth)
        return fuse(found, matcher.fusion_weights, "occupation", top_n)
    if single:
        # one occupation named: rank its statements (score = statement cosine, as in the hint's own
        # occupation there is nothing to aggregate)
        return pooled_search(matcher, corpus, texts_for(matcher), top_n, allowed)
    return occupation_search(matcher, corpus, texts_for(matcher), top_n, allowed, allowed_occupations)


# Order of a hinted occupation's statements when the text gives no evidence: Core tasks first (O*NET
# rates them relevant to and important in the occupation, so a task named only by its occupation
# most likely imitates one), then Supplemental, then untyped; task ID breaks ties. It is also
# O*NET's own order: in Task Statements every occupation lists its Core tasks before Supplemental
# ones. (The importance ratings that order them within a type are not in the mirror.) The mart
# breaks equal scores the same way (sql/marts/inventory_task_matches.sql: type, then task ID).
TYPE_RANK = {"Core": 0, "Supplemental": 1}


def hint_order(corpus: Corpus, docs: np.ndarray) -> np.ndarray:
    """`docs` in fallback order: Core, Supplemental, untyped; then task ID."""
    types = corpus.task_types
    rank = np.asarray([TYPE_RANK.get(types[d], 2) if types else 2 for d in docs], dtype=np.int64)
    return docs[np.lexsort((corpus.task_ids[docs], rank))]


def fill_from_hint(
    found: pl.DataFrame,
    corpus: Corpus,
    n_tasks: int,
    allowed: np.ndarray,
    allowed_occupations: np.ndarray,
    top_n: int,
) -> pl.DataFrame:
    """Complete each hinted task's ranking to top_n candidates from the hinted occupation(s).

    The occupation was named by a person, so it is the answer even when the text is no evidence:
    a prompt sharing no word with its statements (TF-IDF finds nothing) still gets its candidates,
    after the ones the text did find. A hint naming one occupation adds its statements; one naming
    several adds occupations (one candidate per occupation, as `occupation_search` gives), each
    represented by its first statement in `hint_order`, and ordered by those statements the same
    way (one rule for every candidate without evidence). Added candidates score 0:
    no text evidence (exact for a TF-IDF statement, whose search drops zero cosines), so their
    text confidence is none and only the hint's floor raises their confidence.

    `found` holds task, doc, score (task: index into the batch); returns the same columns.
    """
    found = found.select(
        pl.col("task").cast(pl.Int64), pl.col("doc").cast(pl.Int64), pl.col("score").cast(pl.Float64)
    )
    order = hint_order(corpus, allowed)
    occupation = corpus.doc_occupation
    if allowed_occupations.size == 1:
        pool = pl.DataFrame({"doc": order, "key": order})
        have = found.with_columns(key=pl.col("doc"))
    else:
        _, first = np.unique(occupation[order], return_index=True)  # each occupation's first statement
        reps = hint_order(corpus, order[first])
        pool = pl.DataFrame({"doc": reps, "key": occupation[reps]})
        have = found.with_columns(key=pl.Series(occupation[found["doc"].to_numpy()], dtype=pl.Int64))
    counts = have.group_by("task").agg(pl.len().cast(pl.Int64).alias("n"))
    short = (
        pl.DataFrame({"task": np.arange(n_tasks, dtype=np.int64)})
        .join(counts, on="task", how="left")
        .with_columns(pl.col("n").fill_null(0))
        .filter(pl.col("n") < top_n)
    )
    if short.is_empty():
        return found
    fill = (
        short.join(pool.with_row_index("fill"), how="cross")
        .join(have.select("task", "key"), on=["task", "key"], how="anti")
        .sort("task", "fill")
        .filter(pl.int_range(pl.len()).over("task") < top_n - pl.col("n"))
        .select("task", "doc", score=pl.lit(0.0, pl.Float64))
    )
    return pl.concat([found, fill])


def domain_members(corpus: Corpus, prefixes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Document and occupation indices under any of a domain's code prefixes."""
    if not prefixes:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return corpus.indices_under(tuple(prefixes)), corpus.occupations_under(tuple(prefixes))


def prefer_domain(
    everywhere: pl.DataFrame, inside: pl.DataFrame, members: np.ndarray, bonus: float, top_n: int
) -> pl.DataFrame:
    """Occupation rankings of the whole corpus and of the domain's occupations, joined: an occupation
    keeps its score from the whole ranking, and ranks by score + bonus when it is a domain member.

    Both rankings hold columns task, doc, occupation, score. An occupation only the domain ranking
    holds was not among the whole ranking's top: its score there is at most that ranking's lowest for
    the task, so that bound caps it (the domain-only estimate counts its statements against a higher
    floor). The prior thus never raises a score, only the rank. Returns task, doc, occupation, score,
    ranking_score, in_domain; best-first top_n per task.
    """
    floor = everywhere.group_by("task").agg(pl.col("score").min().alias("floor"))
    extra = (
        inside.select(everywhere.columns)
        .join(everywhere.select("task", "occupation"), on=["task", "occupation"], how="anti")
        .join(floor, on="task", how="left")
        .with_columns(score=pl.min_horizontal("score", pl.col("floor").fill_null(pl.col("score"))))
        .drop("floor")
    )
    return (
        pl.concat([everywhere, extra])
        .with_columns(in_domain=pl.col("occupation").is_in(pl.Series(members, dtype=pl.Int64).implode()))
        .with_columns(ranking_score=pl.col("score") + pl.when(pl.col("in_domain")).then(bonus).otherwise(0.0))
        .sort(["task", "ranking_score", "doc"], descending=[False, True, False])
        .group_by("task", maintain_order=True)
        .head(top_n)
        .select("task", "doc", "occupation", "score", "ranking_score", "in_domain")
    )


def without_prior(found: pl.DataFrame) -> pl.DataFrame:
    """A ranking no domain shaped: ranked by its score, in_domain null."""
    return found.with_columns(ranking_score=pl.col("score"), in_domain=pl.lit(None, pl.Boolean))


def domain_ranked(
    matcher, corpus: Corpus, texts_for, top_n: int, prefixes: Sequence[str], bonus: float
) -> pl.DataFrame:
    """`ranked` over every occupation, with the occupations under `prefixes` preferred by `bonus`.

    The domain's occupations are ranked on their own too (deep enough that a member ranked low
    overall can still be promoted); a domain naming no occupation with tasks gives no prior.
    """
    docs, occs = domain_members(corpus, prefixes)
    depth = max(top_n, DOC_HITS)
    everywhere = ranked(matcher, corpus, texts_for, depth if docs.size else top_n)
    if docs.size == 0:
        return without_prior(everywhere)
    # never the one-occupation statement mode: its scores are statement cosines, not occupation scores
    inside = ranked(matcher, corpus, texts_for, depth, docs, occs if occs.size > 1 else None)
    return prefer_domain(everywhere, inside, occs, bonus, top_n)


def named_software(technology: TechnologyIndex, t: QueryTask, common: set[str]) -> list[str]:
    """The software words of the texts the matcher reads (boilerplate dropped, chunks cut). Most
    tasks name none anywhere: one pass over the whole text settles those without chunking it."""
    if not technology.named([t.title or "", t.hint_text or "", t.description or ""]):
        return []
    return technology.named(query_texts(t.title, t.description, t.hint_text, 1, common, code_removed=True))


def match_tasks(
    matcher,
    corpus: Corpus,
    tasks: Sequence[QueryTask],
    top_n: int,
    domain_bonus: float = 0.0,
    common: set[str] | None = None,
    boilerplate_share: float = DEFAULT_BOILERPLATE_SHARE,
    technology: TechnologyIndex | None = None,
    technology_bonus: float = 0.0,
) -> pl.DataFrame:
    """One row per (inventory task, candidate O*NET task) with score, ranking score and method.
    `common`: the boilerplate sentences to drop (int.inventory_shared_sentences); None finds them,
    at `boilerplate_share`. `technology`: software names per occupation; a text-matched task naming
    some ranks the occupations listing it up by `technology_bonus` x share (technology.py)."""
    parts: list[pl.DataFrame] = []
    explicit = [t for t in tasks if t.onet_task_id is not None]
    if explicit:
        parts.append(
            pl.DataFrame(
                {
                    "inventory_task_id": [t.task_id for t in explicit],
                    "onet_task_id": [t.onet_task_id for t in explicit],
                    "score": [1.0] * len(explicit),
                    "ranking_score": [1.0] * len(explicit),
                    "in_domain": [None] * len(explicit),
                    "method": ["explicit"] * len(explicit),
                    "few_words": [None] * len(explicit),
                    "technology_share": [None] * len(explicit),
                    "technology_words": [None] * len(explicit),
                },
                schema=CANDIDATE_SCHEMA,
            )
        )
    # code is taken out once per task: the matchers read a task's texts two or three times
    cleaned = prose_all([t.description for t in tasks])
    tasks = [replace(t, description=d) for t, d in zip(tasks, cleaned, strict=True)]
    if common is None:
        common = boilerplate((t.description for t in tasks), min_share=boilerplate_share, code_removed=True)
    matched = [t for t in tasks if t.onet_task_id is None or t.occupation_decided]
    few = {t.task_id: few_words(t.title, t.description, common) for t in matched}
    software: dict[str, list[str]] = {}
    groups: dict[tuple[str | None, tuple[str, ...], bool], list[QueryTask]] = defaultdict(list)
    for t in matched:
        hint = soc_prefixes(t.soc_code) if t.soc_code else None
        # a named occupation is narrower than a domain: the domain prior applies without one
        domain = t.domain_prefixes if hint is None and domain_bonus > 0 else ()
        if hint is None and technology and technology_bonus > 0:
            software[t.task_id] = named_software(technology, t, common)
        groups[hint, domain, bool(software.get(t.task_id))].append(t)
    for (prefix, domain, names_software), members in groups.items():
        allowed = corpus.indices_under(prefix) if prefix else None
        allowed_occ = corpus.occupations_under(prefix) if prefix else None
        if allowed is not None and allowed.size == 0:
            allowed = allowed_occ = None  # the hint names no occupation with tasks: all (flagged in staging)
        for start in range(0, len(members), MATCH_BATCH):
            batch = members[start : start + MATCH_BATCH]

            def texts_for(m, batch=batch):
                return [
                    query_texts(
                        t.title, t.description, t.hint_text, m.title_repeat, common, code_removed=True
                    )
                    for t in batch
                ]

            # ranked deeper when the task names software, so that the prior can promote
            depth = max(top_n, DOC_HITS) if names_software else top_n
            if domain:
                found = domain_ranked(matcher, corpus, texts_for, depth, domain, domain_bonus)
            else:
                found = ranked(matcher, corpus, texts_for, depth, allowed, allowed_occ)
                if allowed is not None:  # a hint: top_n candidates whatever the text finds
                    found = fill_from_hint(found, corpus, len(batch), allowed, allowed_occ, top_n)
                found = without_prior(found)
            if names_software:
                shares = technology.shares([software[t.task_id] for t in batch])
                found = prefer_named_technology(found, shares, technology_bonus, top_n)
            else:
                found = found.with_columns(technology_share=pl.lit(None, pl.Float64))
            if found.is_empty():
                continue
            ids = np.asarray([t.task_id for t in batch], dtype=object)
            short = np.asarray([few[t.task_id] for t in batch], dtype=bool)
            named = np.empty(len(batch), dtype=object)
            named[:] = [software.get(t.task_id) or None for t in batch]
            parts.append(
                pl.DataFrame(
                    {
                        "inventory_task_id": ids[found["task"].to_numpy()].tolist(),
                        "onet_task_id": corpus.task_ids[found["doc"].to_numpy()],
                        "score": found["score"],
                        "ranking_score": found["ranking_score"],
                        "in_domain": found["in_domain"],
                        "method": "hinted" if allowed is not None else "text",
                        "few_words": short[found["task"].to_numpy()],
                        "technology_share": found["technology_share"],
                        "technology_words": named[found["task"].to_numpy()].tolist(),
                    },
                    schema=CANDIDATE_SCHEMA,
                )
            )
    if not parts:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    return pl.concat(parts)
