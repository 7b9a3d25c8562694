"""Prompts written as a transcript in one text: Anthropic's `Human: … Assistant:` format, Vicuna's
`USER: … ASSISTANT:`, Alpaca's `### Instruction: … ### Response:`. The answering turns are answers or
few-shot examples, not the task, and the turn markers are not work words ("Human" ranked Human
Resources Specialists, "Assistant" the assistant occupations), so matching reads the asking turns'
text alone, as it does for a chat-format prompt (assets/inventory/chat.py). The stored description
keeps the text as written."""

from __future__ import annotations

import re

_TURN = re.compile(
    r"^[ \t]*(?:(?P<ask>Human|HUMAN|User|USER|System|SYSTEM|### ?Instruction|### ?Input)"
    r"|(?P<answer>Assistant|ASSISTANT|### ?Response))[ \t]*:[ \t]*",
    re.M,
)
_ANSWER_MARKERS = ("Assistant:", "ASSISTANT:", "### Response", "###Response")


def asking_turns(text: str) -> str:
    """The text of the asking turns with the markers removed, when the text is a transcript (at least
    one asking and one answering marker at a line start); the text unchanged otherwise."""
    if not any(marker in text for marker in _ANSWER_MARKERS):
        return text
    turns = list(_TURN.finditer(text))
    if not any(t["ask"] for t in turns) or not any(t["answer"] for t in turns):
        return text
    ends = [t.start() for t in turns[1:]] + [len(text)]
    kept = [text[: turns[0].start()]] + [
        text[t.end() : end] for t, end in zip(turns, ends, strict=True) if t["ask"]
    ]
    return "\n".join(part.strip() for part in kept if part.strip())
