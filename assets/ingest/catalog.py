"""Which files each source needs, where they live in a mirror, and where they are published.

A mirror directory is laid out like ../shared/data:
    oes/May{YYYY}/national_M{YYYY}_dl.xlsx, oes/May{YYYY}/natsector_M{YYYY}_dl.xlsx,
    onet/{release}/{File Name}.txt, soc/soc_2018_definitions.xlsx
The download cache uses the same layout, so both paths feed the same parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BLS_OES = "https://www.bls.gov/oes/special-requests"
ONET_DB = "https://www.onetcenter.org/dl_files/database"
BLS_SOC = "https://www.bls.gov/soc/2018"


@dataclass(frozen=True)
class SourceFile:
    source: str  # oes_national | oes_sector | onet | soc
    release: str  # OES vintage year, O*NET release, or SOC edition
    relpath: str  # path inside a mirror or the cache
    url: str  # what to download: an archive, or the file itself
    in_archive: bool  # True: the file is a member of the zip at `url`, found by its base name
    optional: bool = False

    @property
    def name(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]


def oes_national(year: int) -> SourceFile:
    yy = f"{year % 100:02d}"
    return SourceFile(
        "oes_national",
        str(year),
        f"oes/May{year}/national_M{year}_dl.xlsx",
        f"{BLS_OES}/oesm{yy}nat.zip",
        True,
    )


def oes_sector(year: int) -> SourceFile:
    yy = f"{year % 100:02d}"
    return SourceFile(
        "oes_sector",
        str(year),
        f"oes/May{year}/natsector_M{year}_dl.xlsx",
        f"{BLS_OES}/oesm{yy}in4.zip",
        True,
    )


# O*NET text files loaded into staging; Task Ratings (not in ../shared/data) and Technology Skills are
# optional.
ONET_FILES = {
    "occupations": "Occupation Data.txt",
    "task_statements": "Task Statements.txt",
    "task_ratings": "Task Ratings.txt",
    "tasks_to_dwas": "Tasks to DWAs.txt",
    "dwa_reference": "DWA Reference.txt",
    "iwa_reference": "IWA Reference.txt",
    "content_model_reference": "Content Model Reference.txt",
    "job_zones": "Job Zones.txt",
    "emerging_tasks": "Emerging Tasks.txt",
    "task_categories": "Task Categories.txt",
    "technology_skills": "Technology Skills.txt",
}
# Technology Skills only sharpens matching (a prior on occupations): without it tasks still match
OPTIONAL_ONET = {"task_ratings", "technology_skills"}


def onet_file(release: str, key: str) -> SourceFile:
    tag = release.replace(".", "_")
    return SourceFile(
        "onet",
        release,
        f"onet/{release}/{ONET_FILES[key]}",
        f"{ONET_DB}/db_{tag}_text.zip",
        True,
        optional=key in OPTIONAL_ONET,
    )


# Folders inside the publishers' archives name their release (db_29_0_text/, oesm24nat/): a member in
# another release's folder means the wrong archive was served or saved, although its file names match.
_RELEASE_FOLDERS = {
    "onet": (re.compile(r"db_(\d+)_(\d+)_text"), lambda m: f"{m[1]}.{m[2]}"),
    "oes_national": (re.compile(r"oesm(\d\d)nat"), lambda m: f"20{m[1]}"),
    "oes_sector": (re.compile(r"oesm(\d\d)in4"), lambda m: f"20{m[1]}"),
}


# O*NET's file names do not change between releases, so a flat archive (no db_X_Y_text/ folder) or a
# mirror folder holding another release's files would pass the folder check; its "Read Me.txt" opens
# with the release ("O*NET 29.0 Database").
ONET_README = "Read Me.txt"
_README_RELEASE = re.compile(rb"O\*NET(?:-SOC)?\s+(\d+\.\d+)\s+Database")


def release_of_readme(head: bytes) -> str | None:
    """The O*NET release the first bytes of a "Read Me.txt" name, or None if they name none."""
    match = _README_RELEASE.search(head[:400])
    return match[1].decode() if match else None


def release_of_folder(source: str, folder: str) -> str | None:
    """The release an archive folder of `source` is named after, or None if the name says nothing."""
    pattern, release = _RELEASE_FOLDERS.get(source, (None, None))
    match = pattern.fullmatch(folder.lower()) if pattern else None
    return release(match) if match else None


def soc_structure() -> SourceFile:
    return SourceFile(
        "soc", "2018", "soc/soc_2018_definitions.xlsx", f"{BLS_SOC}/soc_2018_definitions.xlsx", False
    )
