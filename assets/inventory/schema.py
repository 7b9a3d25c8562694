"""The inventory format: canonical column names, their documented aliases, and header matching.

Header cells match without regard to case, spaces, punctuation or `*` ("O*NET-SOC Code" ->
onet_soc_code). The canonical name wins over an alias; a second column for the same field, and any
column the format does not know, is kept verbatim in `extra_fields`.
"""

from __future__ import annotations

import re

REQUIRED = ("task_id",)
TEXT_FIELDS = ("title", "description")  # at least one must be non-empty
OPTIONAL = (
    "domain",
    "environment",
    "status",
    "instances",
    "onet_task_id",
    "onet_soc_code",
    "owner",
    "tags",
    "created_at",
)
FIELDS = (*REQUIRED, *TEXT_FIELDS, *OPTIONAL)

# Documented in the README ("Task inventories"); keep the two in step.
ALIASES: dict[str, tuple[str, ...]] = {
    "task_id": ("id", "task_key", "task_uid", "uid", "key", "identifier", "task_identifier"),
    "title": ("name", "task_name", "task_title", "summary", "short_title", "headline"),
    "description": (
        "prompt",
        "task_prompt",
        "instructions",
        "instruction",
        "task_description",
        "details",
        "body",
        "text",
        "task_text",
        "problem_statement",
    ),
    "domain": ("category", "area", "vertical", "task_domain", "skill_area"),
    "environment": ("env", "sandbox", "harness", "tooling", "environment_name"),
    "status": ("state", "stage", "lifecycle"),
    "instances": ("n_instances", "num_instances", "instance_count", "variants", "num_variants", "samples"),
    "onet_task_id": ("onet_task", "onet_task_ids", "onet_id"),
    "onet_soc_code": ("occupation", "occupation_code", "soc_code", "soc", "onet_soc", "onet_occupation"),
    "owner": ("author", "team", "created_by", "maintainer"),
    "tags": ("labels", "tag", "keywords"),
    "created_at": ("created", "created_on", "creation_date", "date_created", "date"),
}

_LOOKUP = {name: name for name in FIELDS} | {a: f for f, names in ALIASES.items() for a in names}


def normalize_header(name: object) -> str:
    text = str(name or "").replace("\ufeff", "").replace("*", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def canonical(name: object) -> str | None:
    return _LOOKUP.get(normalize_header(name))


def map_header(header: list[str]) -> dict[str, str]:
    """Header cell as written -> canonical field, for the cells that name a field (first claim wins,
    except that the canonical name itself beats an alias)."""
    mapping: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for cell in header:
        field = canonical(cell)
        if field is None:
            continue
        exact = normalize_header(cell) == field
        if field not in claimed or (exact and normalize_header(claimed[field]) != field):
            if field in claimed:
                mapping.pop(claimed[field], None)
            claimed[field] = cell
            mapping[cell] = field
    return mapping


def header_score(cells: list[str]) -> int:
    """How many distinct inventory fields a candidate header row names (an XLSX title row names none)."""
    fields = {canonical(c) for c in cells} - {None}
    has_key = "task_id" in fields or fields & set(TEXT_FIELDS)
    return len(fields) if has_key else 0
