"""Chat-format prompts: a list of messages (`{"role": "user", "content": "..."}`) read as task text.

RL and eval datasets store a prompt as the conversation a model sees: TRL's conversational format
and OpenAI's `messages` (role/content, content a string or a list of typed parts), OpenAI evals'
`input`, ShareGPT's `conversations` (from/value), Gemini's `contents` (role/parts). Written out as
JSON, the keys would be read as words of the task ("user" and "content" pull towards Computer User
Support Specialists), so the text of the turns that pose the task is read instead, and the messages
as given are kept in `extra_fields`. Assistant, model and tool turns are answers, few-shot examples
or transcripts of the work, not its statement: they are left out of the text.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

ROLE_KEYS = ("role", "from", "speaker")
CONTENT_KEYS = ("content", "value", "text", "parts")
# turns that answer rather than pose the task (OpenAI, ShareGPT, Gemini, tool-use formats)
ANSWER_ROLES = frozenset(
    {"assistant", "gpt", "model", "bot", "ai", "chatbot", "tool", "function", "ipython", "observation"}
)
# a text cell that may hold a serialized message list (a CSV written from a dataframe); longer
# text is not parsed (its words are read as written)
_MAX_SERIALIZED = 5_000_000


@dataclass(frozen=True)
class ChatText:
    text: str | None  # the posing turns' text, blank-line separated; None when they have none
    note: str  # what was read and what was left out, for the row's flags


def _role(message: dict) -> str | None:
    for key in ROLE_KEYS:
        if isinstance(message.get(key), str):
            return message[key]
    return None


def _parsed(text: str) -> Any:
    """A message list serialized as JSON or as a Python literal (pandas writes a list cell of a
    dataframe to CSV as its repr, single quotes and all)."""
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")) or len(stripped) > _MAX_SERIALIZED:
        return None
    if not any(f"{q}{key}{q}" in stripped for key in ROLE_KEYS for q in "\"'"):
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(stripped)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def messages(value: Any) -> list[dict] | None:
    """The value as a list of chat messages, or None when it is not one: every item an object with
    a role, and at least one with content (an assistant turn holding only tool calls has none)."""
    if isinstance(value, str):
        value = _parsed(value)
    if not isinstance(value, list | tuple) or not value:
        return None
    if not all(isinstance(m, dict) and _role(m) is not None for m in value):
        return None
    if not any(key in m for m in value for key in CONTENT_KEYS):
        return None
    return list(value)


def _content_text(content: Any, skipped: list[str]) -> list[str]:
    """The text in a message's content: a string, or the text of its parts (`{"type": "text",
    "text": ...}`, Gemini's `{"text": ...}`); other parts (images, audio, tool calls) are named in
    `skipped`."""
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list | tuple):
        return [str(content)]
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            kind = part.get("type") if isinstance(part, dict) else None
            skipped.append(str(kind or type(part).__name__))
    return texts


def chat_text(value: Any, column: str) -> ChatText | None:
    """The task text of a chat-format cell, or None when the cell is not a message list. `column`
    is the key the messages are kept under in extra_fields, named in the note."""
    found = messages(value)
    if found is None:
        return None
    posing, answering, skipped = [], [], []
    texts: list[str] = []
    for message in found:
        role = _role(message)
        if role.strip().lower() in ANSWER_ROLES:
            answering.append(role)
            continue
        posing.append(role)
        content = next((message[k] for k in CONTENT_KEYS if k in message), None)
        texts.extend(t for t in _content_text(content, skipped) if t.strip())
    text = "\n\n".join(t.strip("\r\n") for t in texts) or None
    said = [
        f"read from {_count(len(found), 'chat message')}: the text of the {_names(posing)} "
        f"turn{'s' * (len(posing) != 1)}"
        if text
        else f"{_count(len(found), 'chat message')} with no text in a turn that poses the task"
    ]
    if answering:
        said.append(f"{_count(len(answering), _names(answering) + ' turn')} left out (answers, not the task)")
    if skipped:
        said.append(f"{_count(len(skipped), 'non-text part')} not read ({_names(skipped)})")
    said.append(f"the messages as given are in extra_fields[{column!r}]")
    return ChatText(text, "; ".join(said))


def _names(items: list[str]) -> str:
    """'system and user' from ['system', 'user', 'user']."""
    unique = list(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} and {unique[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
