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
    """The text of the asking turns with the markers removed, when the text is a transcript: it starts
    with an asking marker and has an answering one. The unchanged text otherwise: a prompt that
    quotes a conversation ('Summarise this chat: User: … Assistant: …') is about it, not one.
    A last answer keeps what follows its first paragraph: a judge's instruction after the
    transcript ('Rate the assistant's reply 1-5') is the task."""
    if not any(marker in text for marker in _ANSWER_MARKERS):
        return text
    turns = list(_TURN.finditer(text))
    if not turns or not turns[0]["ask"] or text[: turns[0].start()].strip():
        return text
    if not any(t["answer"] for t in turns):
        return text
    ends = [t.start() for t in turns[1:]] + [len(text)]
    kept = []
    for t, end in zip(turns, ends, strict=True):
        body = text[t.end() : end]
        if t["ask"]:
            kept.append(body)
        elif end == len(text):
            _, _, tail = body.strip().partition("\n\n")
            kept.append(tail)
    return "\n".join(part.strip() for part in kept if part.strip())
