"""Fixtures shared by the inventory tests."""

from __future__ import annotations

import numpy as np
import pytest

from assets.inventory.matching.corpus import Corpus

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
    """A tiny corpus: ledgers, blog copy, software, billing complaints (DOCS)."""
    ids, codes, tasks, occs = zip(*DOCS, strict=True)
    return Corpus(np.asarray(ids), np.asarray(codes, dtype=object), list(tasks), list(occs), [""] * len(DOCS))
