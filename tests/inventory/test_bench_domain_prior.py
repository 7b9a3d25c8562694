"""bench/domain_prior hands bench.matching's `bands` what it reads: (score, right, few words)."""

import numpy as np
import polars as pl

from assets.inventory.matching.corpus import Corpus
from bench.domain_prior import rank1
from bench.matching import bands


def test_rank_one_carries_the_few_words_flag_that_the_bands_read():
    corpus = Corpus(
        task_ids=np.array([1, 2]),
        soc_codes=np.array(["15-1252.00", "13-2011.00"], dtype=object),
        tasks=["Write code.", "Audit accounts."],
        occupation_titles=["Software Developers", "Accountants and Auditors"],
        dwa_titles=["", ""],
    )
    found = pl.DataFrame({"task": [0, 0, 1], "doc": [0, 1, 1], "score": [0.3, 0.2, 0.4]})
    queries = ["Write and test software modules for the billing system", "Audit"]
    got = rank1(found, corpus, queries, ["15-1252.00", "15-1252.00"], [0, 1])
    assert got == [(0.3, True, False), (0.4, False, True)]
    # one word is at most low, whatever its score (0.4 would be high)
    by_band = {b["band"]: b["n"] for b in bands(got, (0.35, 0.25, 0.1))}
    assert by_band == {"high": 0, "medium": 1, "low": 1, "none": 0}
