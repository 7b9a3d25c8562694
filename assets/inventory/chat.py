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
import re
from dataclasses import dataclass
from typing import Any

# the (role, content) keys of each format: OpenAI/TRL (content a string or typed parts), Gemini
# (parts), ShareGPT (from/value). An RBAC table ({"role": "admin", "value": ...}) or a route list
# ({"from": "Chicago", "to": ...}) pairs other keys, or other roles, and is not a conversation.
KEY_PAIRS = (("role", "content"), ("role", "parts"), ("from", "value"))
POSING_ROLES = frozenset({"system", "developer", "user", "human", "prompter"})
# turns that answer rather than pose the task (OpenAI, ShareGPT, Gemini, tool-use formats)
ANSWER_ROLES = frozenset(
    {"assistant", "gpt", "model", "bot", "ai", "chatbot", "tool", "function", "ipython", "observation"}
)
_KNOWN_ROLES = POSING_ROLES | ANSWER_ROLES
# a text cell that may hold a serialized message list (a CSV written from a dataframe); longer
# text is not parsed (its words are read as written)
_MAX_SERIALIZED = 5_000_000


@dataclass(frozen=True)
class ChatText:
    text: str | None  # the posing turns' text, blank-line separated; None when they have none
    note: str  # what was read and what was left out, for the row's flags


def _pair(message: Any) -> tuple[str, str | None] | None:
    """The message's (role key, content key) when it is a chat message: a role key holding a known
    role, with its content key; (role key, None) for an answering turn without content (an assistant
    turn holding only tool calls)."""
    if not isinstance(message, dict):
        return None
    known = [(r, c) for r, c in KEY_PAIRS if isinstance(message.get(r), str) and message[r] in _KNOWN_ROLES]
    with_content = [(r, c) for r, c in known if c in message]
    if with_content:
        return with_content[0]
    if known and message[known[0][0]] in ANSWER_ROLES:
        return known[0][0], None
    return None


def _parsed(text: str) -> Any:
    """A message list serialized as JSON or as a Python literal (pandas writes a list cell of a
    dataframe to CSV as its repr, single quotes and all; a list column read from Parquet is a numpy
    array, whose repr separates the items by a line break instead of a comma)."""
    if not _OPENS_LIST.match(text):  # almost every prompt: decided without copying it
        return None
    stripped = text.strip()
    if not stripped.endswith("]") or len(stripped) > _MAX_SERIALIZED:
        return None
    if not any(f"{q}{key}{q}" in stripped for key, _ in KEY_PAIRS for q in "\"'"):
        return None
    candidates = [stripped]
    if _NUMPY_SEPARATOR.search(stripped):
        candidates.append(_NUMPY_SEPARATOR.sub("}, {", stripped))
    for candidate in candidates:
        for parse in (json.loads, ast.literal_eval):
            try:
                return parse(candidate)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return None


_NUMPY_SEPARATOR = re.compile(r"\}\s*\n\s*\{")
_OPENS_LIST = re.compile(r"\s*\[")


def _conversation(value: Any) -> tuple[list[dict], str, str] | None:
    """The value as chat messages with their (role key, content key), or None when it is not a
    conversation: every item a message in one format (KEY_PAIRS, a known role), at least one of them
    with content."""
    if isinstance(value, str):
        value = _parsed(value)
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]  # an API request body (OpenAI's Batch API: body.messages)
    if not isinstance(value, list | tuple) or not value:
        return None
    pairs = [_pair(m) for m in value]
    if None in pairs:
        return None
    with_content = {p for p in pairs if p[1] is not None}
    if len(with_content) != 1 or {r for r, _ in pairs} != {r for r, _ in with_content}:
        return None  # no message with content, or two formats mixed
    role_key, content_key = with_content.pop()
    return list(value), role_key, content_key


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
    conversation = _conversation(value)
    if conversation is None:
        return None
    found, role_key, content_key = conversation
    posing, answering, skipped = [], [], []
    texts: list[str] = []
    for message in found:
        role = message[role_key]
        if role in ANSWER_ROLES:
            answering.append(role)
            continue
        posing.append(role)
        texts.extend(t for t in _content_text(message.get(content_key), skipped) if t.strip())
    text = "\n\n".join(t.strip("\r\n") for t in texts) or None
    said = [
        f"read from {_count(len(found), 'chat message')}: the text of "
        f"{_count(len(posing), _names(posing) + ' turn')}"
        if text
        else f"{_count(len(found), 'chat message')} with no text in a turn that poses the task"
        if posing
        else f"{_count(len(found), 'chat message')}, none of them a turn that poses the task"
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
