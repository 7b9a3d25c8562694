"""Turning an inventory task into the texts a matcher compares, and long prompts into chunks.

RL prompts run from one line to many pages, and most of their length is environment boilerplate and
grading rules rather than the work itself. Matching the whole prompt as one text lets that boilerplate
dominate, and transformer encoders silently truncate at 256 tokens. So:

- the title is the anchor: every query text starts with it (twice for TF-IDF weight, see `QUERY_TITLE_REPEAT`);
- the description is cut into chunks of about CHUNK_CHARS characters at sentence or line boundaries;
- only the first MAX_CHUNKS chunks are used (about 4,800 characters), which bounds the cost of a
  10 MB prompt;
- the task's score for a candidate is the MAXIMUM over its chunks (max-pooling): one chunk that
  describes the work is enough, boilerplate chunks cannot dilute it;
- sentences that recur verbatim in many tasks of the same inventory (environment preambles,
  grading rules) are boilerplate by definition and are dropped before chunking (`boilerplate`);
- first a transcript prompt (`Human: … Assistant: …`) keeps its asking turns only (`transcript`),
  then code is dropped, fenced blocks (``` or ~~~) and lines of code pasted without a fence
  (`code_lines`): O*NET statements are prose, and identifiers match words of unrelated duties
  (`order` -> Stockers and Order Fillers, `COPY` -> Proofreaders).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from assets.inventory.matching.code_lines import drop_code_lines
from assets.inventory.matching.transcript import asking_turns

CHUNK_CHARS = 600
MAX_CHUNKS = 8
QUERY_TITLE_REPEAT = 2
# a sentence ends at . ! ? : ; and a space, at CJK full stops (no space follows them), or at a line break
_BREAK = re.compile(r"(?<=[.!?:;])\s+|(?<=[。！？；])|\n+")


# the closing fence may end in \r (Windows line endings): else the block ran to the end of the text
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t\r]*$|\Z)", re.M | re.S)


def prose(text: str | None) -> str | None:
    """The text without answering turns (a `Human: … Assistant:` transcript keeps its asking turns,
    `transcript`) and without its code: fenced blocks (an unclosed fence runs to the end of the text), then
    the lines of code pasted without a fence (`code_lines`)."""
    if not text:
        return text
    text = asking_turns(text[: CHUNK_CHARS * MAX_CHUNKS * 4])  # more than sentences() and chunks() read
    if "```" in text or "~~~" in text:
        text = _FENCE.sub("\n", text)
    return drop_code_lines(text)


def sentences(text: str) -> list[str]:
    return [p.strip() for p in _BREAK.split(text) if p and p.strip()]


BOILERPLATE_MIN_TASKS = 3
DEFAULT_BOILERPLATE_SHARE = 0.3


def shared_sentences(
    descriptions: Iterable[str | None], min_tasks: int = BOILERPLATE_MIN_TASKS, code_removed: bool = False
) -> tuple[dict[str, int], int]:
    """({sentence: descriptions holding it} for sentences in at least `min_tasks` descriptions, the
    number of descriptions) (`code_removed`: they went through `prose` already)."""
    counts: Counter[str] = Counter()
    n = 0
    for text in descriptions:
        n += 1
        text = text if code_removed else prose(text)
        if text:
            counts.update(set(sentences(text[: CHUNK_CHARS * MAX_CHUNKS * 2])))
    return {s: c for s, c in counts.items() if c >= min_tasks}, n


def boilerplate_floor(tasks: int, min_share: float, min_tasks: int = BOILERPLATE_MIN_TASKS) -> int:
    """Descriptions a sentence must be in to be boilerplate: "at least 30%" (3 of 12 is not)."""
    return max(min_tasks, math.ceil(min_share * tasks - 1e-9))


def boilerplate(
    descriptions: Iterable[str | None],
    min_tasks: int = BOILERPLATE_MIN_TASKS,
    min_share: float = DEFAULT_BOILERPLATE_SHARE,
    code_removed: bool = False,
) -> set[str]:
    """Sentences found verbatim in at least max(min_tasks, min_share x tasks) descriptions
    (`code_removed`: they went through `prose` already)."""
    shared, n = shared_sentences(descriptions, min_tasks, code_removed)
    floor = boilerplate_floor(n, min_share, min_tasks)
    return {s for s, c in shared.items() if c >= floor}


def strip_boilerplate(text: str | None, common: set[str]) -> str | None:
    """The text without its boilerplate sentences, line breaks kept (they are chunk boundaries); the
    whole text when every sentence is shared: tasks that say nothing else are matched on what they say."""
    if not text or not common:
        return text
    kept = [s for s in sentences(text[: CHUNK_CHARS * MAX_CHUNKS * 2]) if s not in common]
    return "\n".join(kept) if kept else text


def chunks(text: str | None, size: int = CHUNK_CHARS, limit: int = MAX_CHUNKS) -> list[str]:
    """Split text into at most `limit` pieces of about `size` characters, at sentence/line breaks."""
    if not text or not text.strip():
        return []
    text = text[: size * limit * 2]  # never scan more than we could use
    out: list[str] = []
    current = ""
    for piece in _BREAK.split(text):
        piece = piece.strip()
        if not piece:
            continue
        while len(piece) > size:  # a single enormous sentence
            if current:
                out.append(current)
                current = ""
            out.append(piece[:size])
            piece = piece[size:]
            if len(out) >= limit:
                return out[:limit]
        if current and len(current) + 1 + len(piece) > size:
            out.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
        if len(out) >= limit:
            return out[:limit]
    if current:
        out.append(current)
    return out[:limit]


def query_texts(
    title: str | None,
    description: str | None,
    extra: str | None = None,
    title_repeat: int = 1,
    common: set[str] | None = None,
    code_removed: bool = False,
) -> list[str]:
    """The texts one inventory task is matched with (one per description chunk, each led by the title,
    cut to one chunk's length: a title is short, and a 10 MB one must cost what a 10 MB prompt does).
    `code_removed`: the description went through `prose` already."""
    description = strip_boilerplate(description if code_removed else prose(description), common or set())
    title = title[:CHUNK_CHARS] if title else title
    head = " ".join(x for x in [*([title] * title_repeat if title else []), extra] if x)
    parts = chunks(description)
    if not parts:
        return [head] if head else []
    return [f"{head} {p}".strip() for p in parts]


# A text band above `low` needs this many distinct content words. One or two words match an occupation
# on a word alone: "title" scored 0.34 against Title Examiners (high), "Write a poem" 0.18 against
# Occupational Health and Safety Specialists (medium); of O*NET's Emerging Tasks with two content words
# or fewer that scored at or above the tfidf medium threshold, none was filed under the occupation
# ranked first (0 of 9, 27 Nov 2026).
MIN_CONTENT_WORDS = 3
_WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's token pattern


# scikit-learn's stop words include words that name work ("Computer system maintenance" is three)
_WORK_WORDS = frozenset(
    {
        "bill",
        "call",
        "computer",
        "describe",
        "detail",
        "fill",
        "find",
        "fire",
        "interest",
        "move",
        "part",
        "show",
        "system",
        "amount",
        "back",
        "bottom",
        "front",
        "side",
        "top",
        "found",
        "mill",
        "serious",
    }
)
# a run of CJK characters is one token for the pattern above, though it holds several words
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS - _WORK_WORDS)


def few_words(title: str | None, description: str | None, common: set[str] | None = None) -> bool:
    """Whether the task's title and prompt (code and boilerplate taken out already; English function
    words and numbers not counted; each distinct CJK character counted) hold fewer than
    MIN_CONTENT_WORDS distinct words. Stops reading at the third, so a long prompt costs what its
    first sentence does."""
    seen: set[str] = set()
    stop = stop_words()
    for text in (title, strip_boilerplate(description, common or set())):
        for m in _WORD.finditer(text or ""):  # lower-cased word by word: most texts stop at the third
            word = m.group().lower()
            if word.isdigit() or word in stop:
                continue
            seen.update(_CJK.findall(word) if not word.isascii() and _CJK.search(word) else (word,))
            if len(seen) >= MIN_CONTENT_WORDS:
                return False
    return True
