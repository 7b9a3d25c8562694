"""What O*NET knows for the ingest (`OnetLookup`), and SOC/O*NET-SOC codes as inventories write them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assets.inventory.occupation_titles import TitleIndex

# 15-1252, 15-1252.00, 151252, 15 1252 (a space or any dash), and 15125200 (O*NET's digits alone)
SOC_CODE = re.compile(r"^(\d{2})[-\u2010-\u2015\u2212\s]?(\d{4})(?:\.(\d{2}))?$")
SOC_DIGITS = re.compile(r"^(\d{2})(\d{4})(\d{2})$")
CODE_LIKE = re.compile(r"^[\d\s.\-\u2010-\u2015\u2212/]*\d[\d\s.\-\u2010-\u2015\u2212/]*$")


@dataclass
class OnetLookup:
    """What O*NET knows, for flagging unknown codes and resolving occupation titles to codes."""

    task_ids: set[int] = field(default_factory=set)
    task_occupations: dict[int, str] = field(default_factory=dict)  # Task ID -> its O*NET-SOC code
    soc_codes: set[str] = field(default_factory=set)  # O*NET-SOC codes (XX-XXXX.XX) with tasks
    titles: dict[str, str] = field(default_factory=dict)  # lower-case title -> code
    title_names: dict[str, str] = field(default_factory=dict)  # lower-case title -> as O*NET writes it

    @cached_property
    def title_index(self) -> TitleIndex:
        from assets.inventory.occupation_titles import TitleIndex  # it reads codes with soc_prefixes

        return TitleIndex(self.titles, self.title_names)

    def soc_known(self, code: str) -> bool:
        return any(c.startswith(soc_prefixes(code)) for c in self.soc_codes)


# SOC 2018 numbers the Physicians broad group 29-1210's detailed occupations 29-1211..29-1218 and
# 29-1221..29-1229: the one group whose members do not share the prefix its code implies
_GROUPS_BEYOND_THEIR_PREFIX = {"29-1210": ("29-121", "29-122")}


def soc_prefixes(code: str) -> tuple[str, ...]:
    """The prefixes of the O*NET-SOC codes a (major, minor, broad, detailed or O*NET) code covers:
    its digits without the trailing zeros that mark the group level (29-0000 -> 29-, 29-1000 ->
    29-1, 15-1200 -> 15-12, 15-1250 -> 15-125; detailed codes never end in 0)."""
    if "." in code:
        return (code,)
    if code in _GROUPS_BEYOND_THEIR_PREFIX:
        return _GROUPS_BEYOND_THEIR_PREFIX[code]
    major, _, rest = code.partition("-")
    return (f"{major}-{rest.rstrip('0')}",)


def soc_code(text: str) -> str | None:
    """The code in normal form (15-1252, 15-1252.00) of an unambiguously written SOC or O*NET-SOC
    code, else None."""
    m = SOC_CODE.match(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}" + (f".{m.group(3)}" if m.group(3) else "")
    m = SOC_DIGITS.match(text)
    if m:  # eight digits: an O*NET-SOC code with its punctuation lost (15125200)
        return f"{m.group(1)}-{m.group(2)}.{m.group(3)}"
    return None
