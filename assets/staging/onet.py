"""O*NET text-release files: column specs and parsing into typed frames."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.staging.typed import Column, conform, read_tab_text

SOC = Column(
    "O*NET-SOC Code",
    "onet_soc_code",
    pl.String,
    "O*NET-SOC 2019 occupation code (XX-XXXX.XX).",
    nullable=False,
)
TASK_ID = Column("Task ID", "task_id", pl.Int64, "O*NET task identifier.", nullable=False)
DATE = Column("Date", "date", pl.Date, "Month the record was last updated (first of month).", required=False)
DOMAIN_SOURCE = Column(
    "Domain Source",
    "domain_source",
    pl.String,
    "Who supplied the data (Incumbent, Analyst, ...).",
    required=False,
)

SPECS: dict[str, list[Column]] = {
    "occupations": [
        SOC,
        Column("Title", "title", pl.String, "Occupation title.", nullable=False),
        Column("Description", "description", pl.String, "Occupation description."),
    ],
    "task_statements": [
        SOC,
        TASK_ID,
        Column("Task", "task", pl.String, "Task statement text.", nullable=False),
        Column("Task Type", "task_type", pl.String, "Core, Supplemental, or null (published as n/a)."),
        Column(
            "Incumbents Responding",
            "incumbents_responding",
            pl.Int64,
            "Incumbents who rated the task (null if n/a).",
        ),
        DATE,
        DOMAIN_SOURCE,
    ],
    "task_ratings": [
        SOC,
        TASK_ID,
        Column(
            "Scale ID",
            "scale_id",
            pl.String,
            "FT (frequency, by category), IM (importance 1-5), RT (relevance %).",
            nullable=False,
        ),
        Column("Category", "category", pl.Int64, "FT frequency category 1-7 (null for IM and RT)."),
        Column(
            "Data Value",
            "data_value",
            pl.Float64,
            "Rating: % of respondents (FT), 1-5 (IM) or % relevant (RT).",
            nullable=False,
        ),
        Column("N", "n", pl.Int64, "Sample size."),
        Column("Standard Error", "standard_error", pl.Float64, "Standard error of the rating."),
        Column("Lower CI Bound", "lower_ci_bound", pl.Float64, "Lower 95% confidence bound."),
        Column("Upper CI Bound", "upper_ci_bound", pl.Float64, "Upper 95% confidence bound."),
        Column(
            "Recommend Suppress",
            "recommend_suppress",
            pl.Boolean,
            "O*NET recommends suppressing this value (Y).",
        ),
        DATE,
        DOMAIN_SOURCE,
    ],
    "tasks_to_dwas": [
        SOC,
        TASK_ID,
        Column(
            "DWA ID", "dwa_id", pl.String, "Detailed Work Activity the task is linked to.", nullable=False
        ),
        DATE,
        DOMAIN_SOURCE,
    ],
    "dwa_reference": [
        Column(
            "Element ID",
            "gwa_id",
            pl.String,
            "Generalized Work Activity (content model element 4.A...).",
            nullable=False,
        ),
        Column(
            "IWA ID", "iwa_id", pl.String, "Intermediate Work Activity the DWA belongs to.", nullable=False
        ),
        Column("DWA ID", "dwa_id", pl.String, "Detailed Work Activity identifier.", nullable=False),
        Column("DWA Title", "dwa_title", pl.String, "Detailed Work Activity title.", nullable=False),
    ],
    "iwa_reference": [
        Column(
            "Element ID", "gwa_id", pl.String, "Generalized Work Activity the IWA belongs to.", nullable=False
        ),
        Column("IWA ID", "iwa_id", pl.String, "Intermediate Work Activity identifier.", nullable=False),
        Column("IWA Title", "iwa_title", pl.String, "Intermediate Work Activity title.", nullable=False),
    ],
    "content_model_reference": [
        Column(
            "Element ID",
            "element_id",
            pl.String,
            "Content model element (4.A.* are work activities).",
            nullable=False,
        ),
        Column("Element Name", "element_name", pl.String, "Element name.", nullable=False),
        Column("Description", "description", pl.String, "Element description."),
    ],
    "job_zones": [
        SOC,
        Column(
            "Job Zone",
            "job_zone",
            pl.Int64,
            "Preparation needed, 1 (little) to 5 (extensive).",
            nullable=False,
        ),
        DATE,
        DOMAIN_SOURCE,
    ],
    "emerging_tasks": [
        SOC,
        Column(
            "Task",
            "task",
            pl.String,
            "New or revised task statement written by O*NET analysts.",
            nullable=False,
        ),
        Column("Category", "category", pl.String, "New or Revision.", nullable=False),
        Column("Original Task ID", "original_task_id", pl.Int64, "Task ID revised (null for New)."),
        Column("Original Task", "original_task", pl.String, "Text of the revised task (null for New)."),
        DATE,
        DOMAIN_SOURCE,
    ],
    "task_categories": [
        Column("Scale ID", "scale_id", pl.String, "Scale (FT).", nullable=False),
        Column("Category", "category", pl.Int64, "Category number.", nullable=False),
        Column(
            "Category Description",
            "category_description",
            pl.String,
            "What the category means.",
            nullable=False,
        ),
    ],
    "technology_skills": [
        SOC,
        Column(
            "Example",
            "example",
            pl.String,
            "Software or technology the occupation's workers use (Django, Microsoft Excel).",
            nullable=False,
        ),
        Column("Commodity Code", "commodity_code", pl.Int64, "UNSPSC commodity code of the example."),
        Column("Commodity Title", "commodity_title", pl.String, "UNSPSC commodity title."),
        Column("Hot Technology", "hot_technology", pl.Boolean, "Frequently named in job postings (Y)."),
        Column("In Demand", "in_demand", pl.Boolean, "In demand for the occupation in job postings (Y)."),
    ],
}


def parse(key: str, path: Path) -> tuple[pl.DataFrame, int]:
    """Typed frame for O*NET file `key`, and the number of data rows read."""
    raw = read_tab_text(path)
    return conform(raw, SPECS[key], str(path)), raw.height


def empty(key: str) -> pl.DataFrame:
    cols = SPECS[key]
    return pl.DataFrame(schema={**{c.name: c.dtype for c in cols}, "source_row": pl.Int64})
