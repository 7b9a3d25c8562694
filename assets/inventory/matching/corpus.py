"""The O*NET side of matching: one document per task statement, enriched with its context.

Matching ranks OCCUPATIONS, not single statements (see `match.py`), so the corpus also knows each
document's occupation and one profile text per occupation (title + description).

A task statement alone is short ("Prepare detailed reports on audit findings."). Adding the
occupation title and the titles of the Detailed Work Activities the task is linked to gives the
matcher the vocabulary inventory tasks actually use ("accountants", "analyze financial data").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

CORPUS_SQL = """
with dwas as (
    select l.task_id, string_agg(distinct d.dwa_title, ' ' order by d.dwa_title) as dwa_titles
    from staging.onet_tasks_to_dwas l
    join staging.onet_dwa_reference d using (dwa_id)
    group by l.task_id
)
select t.task_id, t.onet_soc_code, t.task, o.title as occupation_title, coalesce(w.dwa_titles, '') as dwa_titles,
    t.task_type
from staging.onet_task_statements t
join staging.onet_occupations o using (onet_soc_code)
left join dwas w using (task_id)
order by t.task_id
"""


@dataclass
class Corpus:
    task_ids: np.ndarray  # int64, one per document
    soc_codes: np.ndarray  # str (object), O*NET-SOC code per document
    tasks: list[str]
    occupation_titles: list[str]
    dwa_titles: list[str]
    # O*NET-SOC code -> occupation description (staging.onet_occupations); missing: title only.
    descriptions: dict[str, str] = field(default_factory=dict)
    # Core / Supplemental / None per document (staging.onet_task_statements); empty: all untyped.
    task_types: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        codes = np.asarray(self.soc_codes).astype(str)
        # occupations with at least one task, sorted; doc_occupation[i] indexes them
        self.occupations, self.doc_occupation = np.unique(codes, return_inverse=True)
        self.doc_occupation = self.doc_occupation.astype(np.int64)
        titles = dict(zip(codes, self.occupation_titles, strict=True))
        self.occupation_title_list = [titles[c] for c in self.occupations]

    def occupation_profiles(self) -> list[str]:
        """One text per occupation (order of `occupations`): its title, then its O*NET description."""
        return [
            f"{title}. {self.descriptions.get(code, '')}".strip()
            for code, title in zip(self.occupations, self.occupation_title_list, strict=True)
        ]

    def documents(self, *, with_occupation: bool = True, with_dwas: bool = True) -> list[str]:
        docs = []
        for task, occ, dwa in zip(self.tasks, self.occupation_titles, self.dwa_titles, strict=True):
            parts = [task]
            if with_occupation:
                parts.append(occ)
            if with_dwas and dwa:
                parts.append(dwa)
            docs.append(" ".join(parts))
        return docs

    def subset(self, keep: np.ndarray) -> Corpus:
        """The documents at indices `keep` (descriptions kept whole)."""
        return Corpus(
            self.task_ids[keep],
            self.soc_codes[keep],
            [self.tasks[i] for i in keep],
            [self.occupation_titles[i] for i in keep],
            [self.dwa_titles[i] for i in keep],
            self.descriptions,
            [self.task_types[i] for i in keep] if self.task_types else [],
        )

    def indices_under(self, prefixes: tuple[str, ...]) -> np.ndarray:
        """Document indices whose occupation code starts with one of `prefixes` (see soc_prefixes)."""
        return np.flatnonzero(_starts_with_any(self.soc_codes, prefixes))

    def occupations_under(self, prefixes: tuple[str, ...]) -> np.ndarray:
        """Occupation indices (into `occupations`) whose code starts with one of `prefixes`."""
        return np.flatnonzero(_starts_with_any(self.occupations, prefixes))

    def __len__(self) -> int:
        return len(self.task_ids)


def _starts_with_any(codes: np.ndarray, prefixes: tuple[str, ...]) -> np.ndarray:
    if isinstance(prefixes, str):  # a bare string would be read as its characters: '27-3' as 2, 7, -, 3
        raise TypeError(f"prefixes must be a tuple of code prefixes, got the string {prefixes!r}")
    text = codes.astype(str)
    return np.logical_or.reduce([np.char.startswith(text, p) for p in prefixes])


def load_corpus(con: duckdb.DuckDBPyConnection) -> Corpus:
    rows = con.execute(CORPUS_SQL).fetchall()
    if not rows:
        raise RuntimeError(
            "staging.onet_task_statements is empty: materialize the O*NET staging tables first"
        )
    task_ids, codes, tasks, occs, dwas, types = zip(*rows, strict=True)
    descriptions = dict(
        con.execute(
            "select onet_soc_code, coalesce(description, '') from staging.onet_occupations"
        ).fetchall()
    )
    return Corpus(
        task_ids=np.asarray(task_ids, dtype=np.int64),
        soc_codes=np.asarray(codes, dtype=object),
        tasks=list(tasks),
        occupation_titles=list(occs),
        dwa_titles=list(dwas),
        descriptions=descriptions,
        task_types=list(types),
    )
