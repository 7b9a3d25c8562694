"""The domains config file (config/domains.toml): parsing, validation, and its rows as tables.

A domain is a set of O*NET occupations chosen by SOC/O*NET code lists or prefixes, or a NAICS sector
seen through the sector lens. Validation errors name the file, the domain and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.common.errors import SourceFormatError

KINDS = ("soc_major_group", "custom", "naics_sector")
CODE_RULES = ("soc_prefixes", "soc_codes", "onet_codes")
# rule key in the file -> rule_type in int.domain_definitions
RULE_TYPES = {
    "soc_prefixes": "soc_prefix",
    "soc_codes": "soc_code",
    "onet_codes": "onet_code",
    "naics": "naics",
}
PATTERNS = {
    "soc_prefixes": re.compile(r"^\d{2}-?\d{0,4}(\.\d{0,2})?$"),
    "soc_codes": re.compile(r"^\d{2}-\d{4}$"),
    "onet_codes": re.compile(r"^\d{2}-\d{4}\.\d{2}$"),
    "naics": re.compile(r"^\d{2}(-\d{2})?$"),
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")  # a file name: reports/<id>.html
RESERVED_IDS = frozenset({"index"})  # reports/index.html is the page of all domains
_KEYS = {"id", "name", "kind", "aliases", "description", *RULE_TYPES}
_TOP_KEYS = {"domain", "unmapped_inventory_domains"}


# Kept in step with sql/int/domain_inventory_names.sql, which folds inventory names the same way:
# zero-width characters dropped; any run of whitespace (no-break spaces included), '_', '-' and the
# Unicode dashes (U+2010-U+2015) is one space.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SEPARATORS = re.compile("[\\s_\\-\u2010-\u2015]+")


def normalize_name(name: str) -> str:
    """How inventory domain names are compared: case-insensitive, '-', '_', dashes and runs of
    whitespace equal, zero-width characters ignored."""
    return _SEPARATORS.sub(" ", _INVISIBLE.sub("", name).lower()).strip()


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_sector(self) -> bool:
        return "naics" in self.rules


class Domains(list):
    """The file's [[domain]] tables in file order (a list of Domain), and the inventory `domain` names
    declared to map to no domain on purpose (work with no O*NET counterpart: puzzles, games)."""

    unmapped: tuple[str, ...] = ()


def load_domains(path: Path) -> Domains:
    """Parse and validate the domains file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceFormatError(str(path), "domains file not found (set TASKVALUE_DOMAINS_FILE)") from None
    except tomllib.TOMLDecodeError as e:
        raise SourceFormatError(str(path), f"not valid TOML: {e}") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise SourceFormatError(
            str(path),
            f"unknown top-level keys {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)} (a key meant for a "
            "domain goes below its [[domain]] line)",
        )
    entries = data.get("domain")
    if not isinstance(entries, list) or not entries:
        raise SourceFormatError(str(path), "expected at least one [[domain]] table")
    domains = Domains(_parse(path, i, e) for i, e in enumerate(entries, start=1))
    _check_unique(path, domains)
    domains.unmapped = _unmapped(path, data.get("unmapped_inventory_domains", []), domains)
    return domains


def _unmapped(path: Path, names, domains: list[Domain]) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise SourceFormatError(str(path), "`unmapped_inventory_domains` must be a list of non-empty strings")
    labels = {
        normalize_name(x): d.id for d in domains for x in (d.id, d.name, f"{d.name} occupations", *d.aliases)
    }
    for name in names:
        if normalize_name(name) in labels:
            raise SourceFormatError(
                str(path),
                f"{name!r} is in `unmapped_inventory_domains` but is also a name of domain "
                f"{labels[normalize_name(name)]!r}: remove it from one of them",
            )
    return tuple(dict.fromkeys(n.strip() for n in names))


def _parse(path: Path, index: int, entry: dict) -> Domain:
    where = f"domain #{index} ({entry.get('id', '?')})"

    def fail(msg: str) -> SourceFormatError:
        return SourceFormatError(str(path), f"{where}: {msg}")

    unknown = set(entry) - _KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    did, name, kind = entry.get("id"), entry.get("name"), entry.get("kind", "custom")
    if not isinstance(did, str) or not _ID.match(did):
        raise fail("`id` must be a lower-case slug (letters, digits, '-'), at most 100 characters")
    if did in RESERVED_IDS:
        raise fail(f"`id` {did!r} is reserved: reports/{did}.html is the page of all domains")
    if not isinstance(name, str) or not name.strip():
        raise fail("`name` is required")
    if kind not in KINDS:
        raise fail(f"`kind` must be one of {KINDS}")
    rules: dict[str, tuple[str, ...]] = {}
    for key in RULE_TYPES:
        values = entry.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise fail(f"`{key}` must be a list of strings")
        bad = [v for v in values if not PATTERNS[key].match(v)]
        if bad:
            raise fail(f"`{key}` has malformed codes {bad}")
        if values:
            # a code listed twice is one rule (a sector's bill would otherwise be counted twice)
            rules[key] = tuple(dict.fromkeys(values))
    if not rules:
        raise fail(f"no membership rule; give one of {[*CODE_RULES, 'naics']}")
    if "naics" in rules and set(rules) != {"naics"}:
        raise fail("a sector domain (`naics`) cannot also list SOC/O*NET codes")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise fail("`aliases` must be a list of non-empty strings")
    return Domain(did, name.strip(), kind, tuple(aliases), str(entry.get("description", "")), rules)


def _check_unique(path: Path, domains: list[Domain]) -> None:
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for d in domains:
        if d.id in seen_ids:
            raise SourceFormatError(str(path), f"domain id {d.id!r} appears twice")
        seen_ids.add(d.id)
        for label in {normalize_name(x) for x in (d.id, d.name, f"{d.name} occupations", *d.aliases)}:
            if label in owner and owner[label] != d.id:
                raise SourceFormatError(
                    str(path), f"name or alias {label!r} is used by both {owner[label]!r} and {d.id!r}"
                )
            owner[label] = d.id


def definitions_frame(domains: list[Domain]) -> pl.DataFrame:
    """One row per (domain, membership rule): int.domain_definitions."""
    rows = [
        {
            "domain_id": d.id,
            "domain_name": d.name,
            "domain_kind": d.kind,
            "domain_order": order,
            "rule_type": RULE_TYPES[key],
            "rule_value": value,
        }
        for order, d in enumerate(domains, start=1)
        for key, values in d.rules.items()
        for value in values
    ]
    return pl.DataFrame(
        rows,
        schema={
            "domain_id": pl.String,
            "domain_name": pl.String,
            "domain_kind": pl.String,
            "domain_order": pl.Int32,
            "rule_type": pl.String,
            "rule_value": pl.String,
        },
    )


def unmapped_frame(domains: Domains) -> pl.DataFrame:
    """One row per inventory domain name declared unmapped: int.domain_unmapped_names."""
    rows = {normalize_name(n): n for n in getattr(domains, "unmapped", ())}
    return pl.DataFrame(
        [{"name_normalized": k, "name_as_written": v} for k, v in rows.items()],
        schema={"name_normalized": pl.String, "name_as_written": pl.String},
    )


UNMAPPED_DOCS = {
    "name_normalized": "Inventory domain name, lower-cased with '-', '_' and runs of spaces folded to one space.",
    "name_as_written": "The name as written in unmapped_inventory_domains of the config file.",
}


def aliases_frame(domains: list[Domain]) -> pl.DataFrame:
    """One row per (domain, accepted name): int.domain_aliases. The id and name count as names."""
    rows = []
    for d in domains:
        labels: dict[str, tuple[str, str]] = {}
        names = [(d.id, "id"), (d.name, "name")]
        if d.kind == "soc_major_group":  # the SOC title: "Legal" -> "Legal Occupations"
            names.append((f"{d.name} Occupations", "name"))
        for text, how in [*names, *((a, "alias") for a in d.aliases)]:
            labels.setdefault(normalize_name(text), (text, how))
        rows += [
            {"domain_id": d.id, "name_normalized": k, "name_as_written": t, "matched_by": h}
            for k, (t, h) in labels.items()
        ]
    return pl.DataFrame(
        rows,
        schema={
            "domain_id": pl.String,
            "name_normalized": pl.String,
            "name_as_written": pl.String,
            "matched_by": pl.String,
        },
    )


DEFINITIONS_DOCS = {
    "domain_id": "Domain slug from config/domains.toml.",
    "domain_name": "Display name of the domain.",
    "domain_kind": "soc_major_group, custom or naics_sector.",
    "domain_order": "Position of the domain in the config file (1 = first).",
    "rule_type": "Membership rule: soc_prefix, soc_code (6-digit, all breakouts), onet_code (exact) or naics (sector lens).",
    "rule_value": "The code or prefix the rule matches.",
}
ALIASES_DOCS = {
    "domain_id": "Domain slug from config/domains.toml.",
    "name_normalized": "Accepted name, lower-cased with '-', '_' and runs of spaces folded to one space.",
    "name_as_written": "The name as written in the config file.",
    "matched_by": "Where the name comes from: id, name or alias.",
}
