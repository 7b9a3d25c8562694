"""The software a task names, as O*NET's Technology Skills lists it per occupation: a ranking prior.

RL prompts name their tools (Django, PostgreSQL, pandas, Terraform) where O*NET's statements name
the work, and the words around those tools have other senses in O*NET's prose: "add structured
logging" ranked Logging Equipment Operators first, a dbt "model" Model Makers. O*NET's Technology
Skills file lists, for each occupation, software its workers use ("Django" under 21 occupations,
16 of them in SOC 15, Computer and Mathematical). A task that names listed software gives each
occupation the share of the named software it lists (each name weighted by its idf across occupations), and
the occupation ranks by its score + bonus x share. As with the domain prior, the rank moves, never
the score: bands and the resemblance floor still read the text evidence alone.

A word of a software name counts only if at most PROSE_MAX documents of O*NET's own prose use it (a
task statement with its DWA titles; an occupation's title and description) and it is no English stop
word: names are made of words ("ADP Workforce Now", "Microsoft Business Contact Manager") and only
the uncommon ones identify software. A word listed by more than MAX_OCCUPATION_SHARE of the occupations (excel) says
nothing about which one, and is dropped. Chosen on three inventories (README, "The technology prior,
measured"); O*NET's Emerging Tasks name software 12 times in 240 and moved by one task.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from assets.common.warehouse import has_table
from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.text import stop_words

PROSE_MAX = 3  # prose documents above which a word is English, not a name
MAX_OCCUPATION_SHARE = 0.4
MIN_LETTERS = 3  # "c", "r", "go": one- and two-letter names match too much prose and code
_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*")

SHARE_SCHEMA = {"task": pl.Int64, "occupation": pl.Int64, "technology_share": pl.Float64}


def words(text: str | None) -> set[str]:
    """Lower-case words, keeping + and # inside them (c++, c#). Case is ignored: matching a name
    only as the file writes it ("Partial", not "partial credit") lost top-1 on two of the three
    inventories it was measured on (README, "The technology prior, measured")."""
    return set(_WORD.findall(text.lower())) if text else set()


@dataclass(frozen=True)
class TechnologyIndex:
    """word -> the occupations (indices into corpus.occupations) listing software named with it."""

    listed_by: dict[str, np.ndarray]
    idf: dict[str, float]

    @classmethod
    def build(cls, corpus: Corpus, rows: Iterable[tuple[str, str]]) -> TechnologyIndex:
        """From (O*NET-SOC code, example) rows; occupations without tasks are not candidates, so skipped."""
        prose: dict[str, int] = defaultdict(int)
        texts = [f"{t} {d}" for t, d in zip(corpus.tasks, corpus.dwa_titles, strict=True)]
        for text in (*texts, *corpus.occupation_profiles()):
            for w in words(text):
                prose[w] += 1
        english = stop_words()
        index = {code: i for i, code in enumerate(corpus.occupations.tolist())}
        listed: dict[str, set[int]] = defaultdict(set)
        for code, example in rows:
            occupation = index.get(code)
            if occupation is None:
                continue
            for w in words(example):
                if len(w) >= MIN_LETTERS and not w.isdigit() and w not in english and prose[w] <= PROSE_MAX:
                    listed[w].add(occupation)
        n = len(index)
        kept = {w: o for w, o in listed.items() if len(o) <= MAX_OCCUPATION_SHARE * n}
        return cls(
            {w: np.fromiter(sorted(o), dtype=np.int64) for w, o in kept.items()},
            {w: math.log(n / len(o)) for w, o in kept.items()},
        )

    def __bool__(self) -> bool:
        return bool(self.idf)

    def named(self, texts: Sequence[str]) -> list[str]:
        """The software words a task's texts name, sorted."""
        return sorted({w for text in texts for w in words(text)} & self.idf.keys())

    def shares(self, named_per_task: Sequence[Sequence[str]]) -> pl.DataFrame:
        """Per task (index into `named_per_task`, each `named`'s words) naming software, each occupation
        listing some of it, with the idf-weighted share of the named words it lists, in (0, 1]."""
        tasks: list[np.ndarray] = []
        occupations: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for task, named in enumerate(named_per_task):
            total = sum(self.idf[w] for w in named)
            for w in named:
                listed = self.listed_by[w]
                tasks.append(np.full(listed.size, task, dtype=np.int64))
                occupations.append(listed)
                weights.append(np.full(listed.size, self.idf[w] / total))
        if not tasks:
            return pl.DataFrame(schema=SHARE_SCHEMA)
        return (
            pl.DataFrame(
                {
                    "task": np.concatenate(tasks),
                    "occupation": np.concatenate(occupations),
                    "technology_share": np.concatenate(weights),
                }
            )
            .group_by("task", "occupation")
            .agg(pl.col("technology_share").sum().clip(upper_bound=1.0))
        )


def load_technology(con: duckdb.DuckDBPyConnection, corpus: Corpus, warn=None) -> TechnologyIndex:
    """The index over staging.onet_technology_skills (empty when the release had no such file, or
    when a warehouse built before the table existed runs the inventory job alone: `warn` says so)."""
    if not has_table(con, "staging", "onet_technology_skills"):
        if warn:
            warn(
                "staging.onet_technology_skills is missing (this warehouse predates it): matching runs "
                "without the technology prior until `taskvalue refresh` loads O*NET's Technology Skills"
            )
        return TechnologyIndex({}, {})
    rows = con.execute(
        "select onet_soc_code, example from staging.onet_technology_skills order by onet_soc_code, example"
    ).fetchall()
    return TechnologyIndex.build(corpus, rows)


def prefer_named_technology(
    found: pl.DataFrame, shares: pl.DataFrame, bonus: float, top_n: int
) -> pl.DataFrame:
    """Add bonus x technology_share to each candidate's ranking_score and keep the top_n per task.

    `found`: task, doc, occupation, score, ranking_score, in_domain (deeper than top_n, so that the
    prior can promote); `shares`: TechnologyIndex.shares of the same tasks. technology_share is 0 for
    an occupation listing none of the software its task names, null for a task naming none.
    """
    naming = shares.select(pl.col("task").unique().alias("naming"))["naming"].implode()
    return (
        found.join(shares, on=["task", "occupation"], how="left")
        .with_columns(
            technology_share=pl.when(pl.col("task").is_in(naming))
            .then(pl.col("technology_share").fill_null(0.0))
            .otherwise(None)
        )
        .with_columns(
            ranking_score=pl.col("ranking_score") + bonus * pl.col("technology_share").fill_null(0.0)
        )
        .sort(["task", "ranking_score", "doc"], descending=[False, True, False])
        .group_by("task", maintain_order=True)
        .head(top_n)
    )
