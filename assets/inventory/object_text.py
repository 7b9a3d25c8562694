"""A task text given as an object, as tau2-bench writes `description: {purpose, relevant_policies,
notes}`: read as the text of its string values in order, so its keys and JSON punctuation do not
reach matching. The object itself is kept in `extra_fields`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assets.inventory.chat import chat_text


def object_text(value: Any) -> str | None:
    """The non-blank strings of a dict (nested dicts and lists included), one paragraph each; None
    for anything else, or an object holding no text."""
    if not isinstance(value, dict):
        return None
    texts = list(_strings(value))
    return "\n\n".join(texts) if texts else None


def object_note(value: dict) -> str:
    keys = ", ".join(repr(str(k)) for k in list(value)[:8])
    more = ", ..." if len(value) > 8 else ""
    return f"an object ({keys}{more}): the text of its values is read, the object kept in extra_fields"


# keys that label a value rather than hold text of the task (a message's role, a record's type)
_LABEL_KEYS = frozenset({"role", "from", "type", "id"})


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, dict):
        for key, item in value.items():
            if str(key) not in _LABEL_KEYS:
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        chat = chat_text(list(value), "") if value else None
        if chat is not None:  # a conversation: the posing turns, as for a chat-format prompt
            if chat.text:  # none when no posing turn has text (an assistant greeting, an image)
                yield chat.text
            return
        for item in value:
            yield from _strings(item)
