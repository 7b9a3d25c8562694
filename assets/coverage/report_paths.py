"""The file names of the reports: one Markdown, HTML and PNG file per domain, and the index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from assets.coverage.domains import RESERVED_IDS


class ReportFiles(NamedTuple):
    """The names of the files write_domain_report writes for one domain."""

    png: str
    md: str
    html: str


INDEX_FILES = ("index.md", "index.html")  # what write_index writes


def report_files(domain_id: str) -> ReportFiles:
    if domain_id in RESERVED_IDS:
        raise ValueError(
            f"domain id {domain_id!r} is reserved: reports/{domain_id}.html and .md are the index page "
            "of all domains. Give the domain another id in the domains file (config/domains.toml)."
        )
    return ReportFiles(f"{domain_id}.png", f"{domain_id}.md", f"{domain_id}.html")


# Every kind of file the reports directory gets from taskvalue: what retiring stale reports may delete.
REPORT_SUFFIXES = (".md", ".html", ".png")


def report_file_names(domain_ids: Iterable[str]) -> set[str]:
    """Every file a refresh writes into the reports directory: the domains' reports and the index."""
    return {name for d in domain_ids for name in report_files(d)} | set(INDEX_FILES)
