"""The technology prior (assets/inventory/matching/technology.py): which words of O*NET's Technology
Skills examples name software, the share of the named software an occupation lists, and how that
share moves a candidate's rank but never its score."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from assets.inventory.matching.corpus import Corpus
from assets.inventory.matching.match import QueryTask, match_tasks
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.matching.technology import TechnologyIndex, prefer_named_technology

CODES = ["15-1252.00", "45-4022.00", "51-4061.00", "43-4051.00", "29-2011.00"]
TITLES = [
    "Software Developers",
    "Logging Equipment Operators",
    "Model Makers, Metal and Plastic",
    "Customer Service Representatives",
    "Medical and Clinical Laboratory Technologists",
]
STATEMENTS = {
    "15-1252.00": [
        "Modify existing software to correct errors.",
        "Write code for new software features.",
        "Test software performance.",
    ],
    # "logging" and "model" are words of O*NET's prose (4 uses each here): not software names
    "45-4022.00": ["Operate logging equipment.", "Inspect logging roads.", "Maintain logging trucks."],
    "51-4061.00": ["Build a model from blueprints.", "Cut model parts.", "Finish the model."],
    "43-4051.00": ["Resolve customer complaints about logging bills.", "Answer questions about a model."],
    "29-2011.00": ["Analyze blood samples.", "Calibrate laboratory analyzers."],
}

OCC = {code: i for i, code in enumerate(sorted(CODES))}  # Corpus.occupations is sorted


def corpus() -> Corpus:
    codes = [c for c in CODES for _ in STATEMENTS[c]]
    return Corpus(
        task_ids=np.arange(1, len(codes) + 1, dtype=np.int64),
        soc_codes=np.asarray(codes, dtype=object),
        tasks=[t for c in CODES for t in STATEMENTS[c]],
        occupation_titles=[TITLES[CODES.index(c)] for c in codes],
        dwa_titles=[""] * len(codes),
    )


ROWS = [
    *[(c, "Microsoft Excel") for c in CODES],  # every occupation: names none of them
    ("15-1252.00", "Django"),
    ("15-1252.00", "Python"),
    ("29-2011.00", "Python"),
    ("45-4022.00", "Logging software"),  # both words of O*NET's prose
    ("43-4051.00", "Four Soft 4S eLog"),  # "four": a stop word, "4s": too short
    ("15-1252.00", "R"),  # one letter: matches too much
    ("51-4061.00", "2024"),  # digits
    ("99-9999.00", "Django"),  # an occupation without tasks is never a candidate
]


def test_only_uncommon_words_of_listed_software_name_it():
    index = TechnologyIndex.build(corpus(), ROWS)
    assert set(index.idf) == {"django", "python", "soft", "elog"}
    assert index.listed_by["django"].tolist() == [OCC["15-1252.00"]]
    assert index.listed_by["python"].tolist() == [OCC["15-1252.00"], OCC["29-2011.00"]]
    # idf over the 5 occupations with tasks: Django under 1 (the code without tasks is not counted)
    assert index.idf["django"] == pytest.approx(math.log(5))
    assert index.idf["python"] == pytest.approx(math.log(5 / 2))
    assert index.named(["Add structured logging to the Django app", "in Python."]) == ["django", "python"]
    assert index.named(["Export the Excel model"]) == []


def test_an_occupation_gets_the_idf_weighted_share_of_the_named_software_it_lists():
    index = TechnologyIndex.build(corpus(), ROWS)
    shares = index.shares([["django", "python"], [], ["python"]]).sort("task", "occupation")
    got = {(r["task"], r["occupation"]): r["technology_share"] for r in shares.iter_rows(named=True)}
    django, python = math.log(5), math.log(5 / 2)
    assert got == pytest.approx(
        {
            (0, OCC["15-1252.00"]): 1.0,  # Software Developers list both
            (0, OCC["29-2011.00"]): python
            / (django + python),  # the laboratory technologists list Python only
            (2, OCC["15-1252.00"]): 1.0,
            (2, OCC["29-2011.00"]): 1.0,
        }
    )


def test_the_share_moves_the_rank_never_the_score():
    found = pl.DataFrame(
        {
            "task": [0, 0, 0, 1, 1],
            "doc": [10, 20, 30, 10, 20],
            "occupation": [1, 0, 2, 1, 0],
            "score": [0.20, 0.15, 0.10, 0.20, 0.15],
        }
    ).with_columns(ranking_score=pl.col("score"), in_domain=pl.lit(None, pl.Boolean))
    shares = pl.DataFrame(
        {"task": [0], "occupation": [0], "technology_share": [1.0]},
        schema={"task": pl.Int64, "occupation": pl.Int64, "technology_share": pl.Float64},
    )
    out = prefer_named_technology(found, shares, 0.1, top_n=2)
    rows = [
        (r["task"], r["occupation"], r["score"], r["ranking_score"], r["technology_share"])
        for r in out.iter_rows(named=True)
    ]
    assert rows == [
        (0, 0, 0.15, pytest.approx(0.25), 1.0),  # promoted by 0.1 x 1.0 over the 0.20 of occupation 1
        (0, 1, 0.20, 0.20, 0.0),  # names software, lists none of it
        (1, 1, 0.20, 0.20, None),  # task 1 names no software: no share, order kept
        (1, 0, 0.15, 0.15, None),
    ]


def _tasks():
    return [
        QueryTask(
            "SWE", "Add structured logging", "Replace print calls with logging in the Django and Python code."
        ),
        QueryTask("LOG", "Maintain the trucks", "Maintain logging trucks and inspect logging roads."),
    ]


def _rank1(found: pl.DataFrame, c: Corpus) -> dict[str, tuple[str, float | None]]:
    code = dict(zip(c.task_ids.tolist(), c.soc_codes.tolist(), strict=True))
    first = (
        found.sort(["inventory_task_id", "ranking_score"], descending=[False, True])
        .group_by("inventory_task_id", maintain_order=True)
        .first()
    )
    return {
        r["inventory_task_id"]: (code[r["onet_task_id"]], r["technology_share"])
        for r in first.iter_rows(named=True)
    }


def test_match_tasks_ranks_the_occupation_using_the_named_software_first():
    c = corpus()
    matcher = make_matcher("tfidf").fit_corpus(c)
    index = TechnologyIndex.build(c, ROWS)
    off = _rank1(match_tasks(matcher, c, _tasks(), 3), c)
    assert off["SWE"] == ("45-4022.00", None)  # "logging" is the loggers' word
    on = match_tasks(matcher, c, _tasks(), 3, technology=index, technology_bonus=0.5)
    assert _rank1(on, c) == {"SWE": ("15-1252.00", pytest.approx(1.0)), "LOG": ("45-4022.00", None)}
    swe = on.filter(pl.col("inventory_task_id") == "SWE")
    assert set(swe["technology_words"].to_list()[0]) == {"django", "python"}  # the words the share is of
    # the loggers' score is kept; only the ranking score carries the bonus
    assert (swe["ranking_score"] - swe["score"]).to_list() == pytest.approx(
        [0.5 * s for s in swe["technology_share"]]
    )
    # a hint names the occupation: no prior applies to it
    hinted = QueryTask("H", "Add structured logging", "Django logging.", soc_code="45-4022.00")
    assert (
        match_tasks(matcher, c, [hinted], 3, technology=index, technology_bonus=0.5)[
            "technology_share"
        ].null_count()
        == 3
    )


def test_a_warehouse_without_the_table_matches_without_the_prior_and_says_so():
    # a warehouse built before staging.onet_technology_skills existed, running inventory_refresh_job
    # alone (it does not rebuild staging): no crash, no prior, one warning naming the fix
    import duckdb

    from assets.inventory.matching.technology import load_technology

    con = duckdb.connect()
    warnings: list[str] = []
    index = load_technology(con, corpus(), warnings.append)
    assert not index and index.idf == {}
    assert len(warnings) == 1 and "taskvalue refresh" in warnings[0]
    con.execute("create schema staging")
    con.execute("create table staging.onet_technology_skills (onet_soc_code varchar, example varchar)")
    con.execute("insert into staging.onet_technology_skills values ('15-1252.00', 'Django')")
    assert load_technology(con, corpus(), warnings.append).named(["a Django app"]) == ["django"]
    assert len(warnings) == 1
