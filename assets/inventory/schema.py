"""The inventory format: canonical column names, their documented aliases, and header matching.

Header cells match without regard to case, spaces, punctuation or `*` ("O*NET-SOC Code" ->
onet_soc_code). The canonical name wins over an alias, an alias over a weak alias, and between equals
the leftmost column; a second column for the same field, and any column the format does not know, is
kept verbatim in `extra_fields`.
"""

from __future__ import annotations

import re
from functools import lru_cache

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

# Names from exports and eval datasets (Jira's "Issue key", SWE-bench's instance_id, GSM8K's
# question): read only when no field name or alias above names the field, so a file that has both keeps
# the reading it always had.
WEAK_ALIASES: dict[str, tuple[str, ...]] = {
    "task_id": (
        "issue_key",
        "instance_id",
        "example_id",
        "sample_id",
        "problem_id",
        "question_id",
        "prompt_id",
        "unique_id",
        "custom_id",
        "doc_id",
        "idx",
    ),
    "description": ("input", "question", "problem"),
    "domain": ("subject", "topic"),
    "owner": ("assignee",),
}
WEAK_NAMES = frozenset(a for names in WEAK_ALIASES.values() for a in names)
# Columns that may or may not name the work's domain: Jira's `Component/s` is a module ('Backend') in
# most projects, an area ('Data Science') in some. Not read; a file without a domain column is told
# to rename it if it names the domain.
MAYBE_DOMAIN_COLUMNS = frozenset({"component", "components", "component_s"})
# Columns holding a chat-format prompt (assets/inventory/chat.py): read as the description only when a
# record has none and the value is a list of messages; any other value stays in extra_fields.
CHAT_COLUMNS = frozenset({"messages", "conversation", "conversations", "contents", "chat"})

# promptfoo's test CSV labels each test case in `__description` (normalize_header keeps it apart from
# `description`): a short title; the prompt is in the var columns
_PROMPTFOO_DESCRIPTION = "promptfoo_description"

_LOOKUP = (
    {name: name for name in FIELDS}
    | {a: f for aliases in (ALIASES, WEAK_ALIASES) for f, names in aliases.items() for a in names}
    | {_PROMPTFOO_DESCRIPTION: "title"}
)
_RANK = (
    dict.fromkeys(FIELDS, 0)
    | {a: 1 for names in ALIASES.values() for a in names}
    | dict.fromkeys(WEAK_NAMES, 2)
    | {_PROMPTFOO_DESCRIPTION: 1}
)


def normalize_header(name: object) -> str:
    text = str(name or "").replace("\ufeff", "").replace("*", "").strip().lower()
    if text == "__description":
        return _PROMPTFOO_DESCRIPTION
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def canonical(name: object) -> str | None:
    return _LOOKUP.get(normalize_header(name))


def map_header(header: list[str]) -> dict[str, str]:
    """Header cell as written -> canonical field, for the cells that name a field. Two cells for one
    field: the canonical name beats an alias, an alias beats a weak alias (WEAK_ALIASES), and between
    equals the first (leftmost) wins."""
    mapping: dict[str, str] = {}
    claimed: dict[str, tuple[int, str]] = {}
    for cell in header:
        field = canonical(cell)
        if field is None:
            continue
        rank = _RANK[normalize_header(cell)]
        if field not in claimed or rank < claimed[field][0]:
            if field in claimed:
                mapping.pop(claimed[field][1], None)
            claimed[field] = (rank, cell)
            mapping[cell] = field
    return mapping


def header_score(cells: list[str]) -> int:
    """How many distinct inventory fields a candidate header row names (an XLSX title row names none)."""
    fields = {canonical(c) for c in cells} - {None}
    has_key = "task_id" in fields or fields & set(TEXT_FIELDS)
    return len(fields) if has_key else 0


KEY_FIELDS = ("task_id", *TEXT_FIELDS)  # a header (or a JSON record's keys) must name one of these


def header_recognized(cells: list[str], *, weak: bool = True) -> bool:
    """Whether a header names task_id or a text field: otherwise its rows cannot be read as tasks
    (and, with no header at all, its first line may be a task). `weak=False`: by a name other than a
    weak alias."""
    mapping = map_header([str(c) for c in cells])
    return any(
        f in KEY_FIELDS and (weak or normalize_header(c) not in WEAK_NAMES) for c, f in mapping.items()
    )


def field_names(field: str) -> str:
    """A field's aliases for messages, weak ones included: 'id, task_key, ..., issue_key, ...'."""
    return ", ".join((*ALIASES[field], *WEAK_ALIASES.get(field, ())))


def accepted_names() -> str:
    """The names a header needs, for messages: 'task_id (id, task_key, ...); title (...); ...'."""
    return "; ".join(f"{f} ({field_names(f)})" for f in KEY_FIELDS)


# Column names a lookup or reference table uses as readily as a task table ('Owners: ID, Name,
# Team'). A workbook sheet whose header names fields ONLY by these is not read when another sheet is
# clearly the task table (`is_task_sheet_header`): it is taken for a lookup.
GENERIC_NAMES = frozenset(
    {
        "id",
        "key",
        "uid",
        "identifier",
        "name",
        "summary",
        "text",
        "details",
        "body",
        "description",
        "owner",
        "author",
        "team",
        "maintainer",
        "created_by",
        "category",
        "area",
        "state",
        "stage",
        "status",
        "date",
        "created",
        "tag",
        "tags",
        "labels",
        "keywords",
    }
)
GENERIC_NAMES |= WEAK_NAMES  # an intake form's `question_id, question`


def header_is_generic(cells: list[str]) -> bool:
    """Whether every inventory field the header names is named by a generic name ('ID, Name, Team')."""
    return not any(canonical(c) and normalize_header(c) not in GENERIC_NAMES for c in cells)


# Words a workbook's lookup sheets are named by ('Owners', 'Lookups', 'Team list') and words that
# name a task sheet ('Task list', 'Prompts'), which a lookup word then does not override.
LOOKUP_SHEET_WORDS = frozenset(
    {
        "lookup", "lookups", "list", "lists", "reference", "references", "ref", "refs", "code", "codes",
        "owner", "owners", "team", "teams", "people", "user", "users", "legend", "mapping", "mappings",
        "dropdown", "dropdowns", "values", "settings", "config", "enum", "enums", "taxonomy", "glossary",
    }
)  # fmt: skip
TASK_SHEET_WORDS = frozenset(
    {"task", "tasks", "prompt", "prompts", "inventory", "item", "items", "eval", "evals", "backlog"}
)


def is_lookup_sheet_name(name: str) -> bool:
    """Whether a sheet's name says lookup ('Owners', 'Lookups') and not tasks ('Task list')."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    return bool(words & LOOKUP_SHEET_WORDS) and not words & TASK_SHEET_WORDS


def is_task_sheet_header(cells: list[str]) -> bool:
    """Whether a header is clearly a task table's: it names task_id AND a text field (title or
    description), and one of those columns by a task-specific name ('Task ID', 'Title', 'Prompt').
    A header without an ID column ('Domain, Description', 'SOC Code, Title') never is, and neither
    is one whose key columns are all generic ('ID, Summary, Description, Status', a Jira export)."""
    mapping = map_header([str(c) for c in cells])
    fields = set(mapping.values())
    if "task_id" not in fields or not fields & set(TEXT_FIELDS):
        return False
    return any(f in KEY_FIELDS and normalize_header(c) not in GENERIC_NAMES for c, f in mapping.items())


def looks_like_header(values: list[object], header: list[str]) -> bool:
    """Whether a data row is a header: the header again (two files concatenated), or a row that
    names at least two inventory fields, task_id or a text field among them, with at least half of
    its cells field names (a second table stacked below the first). When the header has a task_id
    column, the row's cell there must itself name a column (a field name or alias, or a name ending
    in 'ID'/'key': 'Backlog ID'): a sparse task row whose other cells happen to be field names
    ('T-2, Summary, , sandbox') is a task. Cheap for ordinary rows: only the cells under the
    task_id/title/description columns are looked up first."""
    normalized, keys, id_at = _header_shape(tuple(header))
    if (
        len(values) == len(normalized)
        and any(normalized)
        and normalize_header(_cell(values[0])) == normalized[0]
        and [normalize_header(_cell(v)) for v in values] == list(normalized)
    ):
        return True
    if id_at is not None:
        if id_at >= len(values) or not _names_an_id_column(values[id_at]):
            return False
    elif not any(_may_be_a_name(values[i]) for i in keys if i < len(values)):
        return False
    cells = [str(v) for v in values if v is not None and str(v).strip()]
    named = [c for c in cells if canonical(c)]
    return header_score(cells) >= 2 and 2 * len(named) >= len(cells)


_ID_WORDS = ("id", "key", "uid", "identifier")


def _names_an_id_column(value: object) -> bool:
    """A field name or alias, or a column name for an ID ('Backlog ID', 'Issue key'): no digit, last
    word id/key. A task ID ('T-2', 'ID-7') has a digit."""
    if value is None or len(str(value)) > 40:
        return False
    if canonical(value) is not None:
        return True
    name = normalize_header(value)
    return not any(ch.isdigit() for ch in name) and name.rsplit("_", 1)[-1] in _ID_WORDS


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _may_be_a_name(value: object) -> bool:
    return value is not None and len(str(value)) <= 40 and canonical(value) is not None


@lru_cache(maxsize=256)
def _header_shape(header: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...], int | None]:
    """The header's normalized names, the positions of its task_id/title/description columns, and
    the position of the column read as task_id (None without one)."""
    mapping = map_header(list(header))
    id_at = next((i for i, h in enumerate(header) if mapping.get(h) == "task_id"), None)
    return (
        tuple(normalize_header(h) for h in header),
        tuple(i for i, h in enumerate(header) if canonical(h) in KEY_FIELDS),
        id_at,
    )
