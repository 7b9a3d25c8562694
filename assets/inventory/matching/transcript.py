"""Prompts written as a transcript in one text: Anthropic's `Human: … Assistant:` format, Vicuna's
`USER: … ASSISTANT:` (also on one line, as its template writes it), Alpaca's `### Instruction: …
### Response:`. The answering turns are answers or few-shot examples, not the task, and the turn
markers are not work words ("Human" ranked Human Resources Specialists, "Assistant" the assistant
occupations), so matching reads the asking turns' text alone, as it does for a chat-format prompt
(assets/inventory/chat.py). The stored description keeps the text as written."""

from __future__ import annotations

import re

_TURN = re.compile(
    r"^[ \t]*(?:(?P<ask>Human|HUMAN|User|USER|System|SYSTEM|### ?Instruction|### ?Input)"
    r"|(?P<answer>Assistant|ASSISTANT|### ?Response))[ \t]*:[ \t]*",
    re.M,
)
_ANSWER_MARKERS = ("Assistant:", "ASSISTANT:", "### Response", "###Response")


# what a judge's instruction after the transcript speaks of ('Rate the assistant's reply 1-5')
_JUDGE = re.compile(
    r"\b(?:assistant|responses?|repl(?:y|ies)|answers?|conversation|chat|transcript|dialog(?:ue)?)\b", re.I
)
# and what it asks of it: an answer's own later paragraph may speak of 'the answer' too ('the answer
# depends on the bank'), but does not ask to rate, grade or compare it
_JUDGING = re.compile(
    r"\b(?:rate|rating|score|grade|judge|evaluate|assess|critique|rank|compare|which|helpful|correct|"
    r"accurate|harmless|appropriate|safe|follows?|better|worse|pass|fail|1-5|1-10|yes or no)\b",
    re.I,
)


def asking_turns(text: str) -> str:
    """The text of the asking turns with the markers removed, when the text is a transcript: it starts
    with an asking marker (after at most one paragraph of preamble and a blank line, as Alpaca's
    'Below is an instruction that describes a task.') and has an answering one. The unchanged text
    otherwise: a prompt that quotes roles mid-text is about them, not a transcript. What follows the
    last answer's first paragraph or line is kept when it speaks of the reply and asks to judge it: a
    judge's instruction ('Rate the assistant's reply 1-5') is the task; more of a long answer is not."""
    if not any(marker in text for marker in _ANSWER_MARKERS):
        return text
    turns = list(_TURN.finditer(text))
    if not turns or not turns[0]["ask"] or not any(t["answer"] for t in turns):
        return _inline_turns(text)
    preamble = text[: turns[0].start()]
    if preamble.strip() and not (preamble.rstrip(" \t").endswith("\n\n") and "\n\n" not in preamble.strip()):
        return text
    ends = [t.start() for t in turns[1:]] + [len(text)]
    kept = [preamble]
    for t, end in zip(turns, ends, strict=True):
        body = text[t.end() : end]
        if t["ask"]:
            kept.append(body)
        elif end == len(text):
            kept.append(_judge_tail(body))
    return "\n".join(part.strip() for part in kept if part.strip())


def _judge_tail(answer: str) -> str:
    answer = answer.strip()
    for separator in ("\n\n", "\n"):
        _, _, tail = answer.partition(separator)
        if tail.strip() and _JUDGE.search(tail) and _JUDGING.search(tail):
            return tail
    return ""


# Vicuna's template on one line: "A chat between a curious user and an artificial intelligence
# assistant. ... USER: {prompt} ASSISTANT:" (turns end with </s>); upper case only, as written by it
_INLINE = re.compile(r"\b(?:(?P<ask>USER)|(?P<answer>ASSISTANT)):[ \t]*")


def _inline_turns(text: str) -> str:
    """The USER turns of a one-line Vicuna prompt (strictly alternating, starting with USER, ending with
    ASSISTANT: awaiting the reply, after at most one line of system prompt ending a sentence, dropped
    when it speaks of the chat or the assistant); the unchanged text otherwise: prose that names the
    markers ('Explain the USER: and ASSISTANT: markers') is not one."""
    turns = list(_INLINE.finditer(text))
    if (
        not text.rstrip().endswith("ASSISTANT:")
        or len(turns) < 2
        or not turns[0]["ask"]
        or any(bool(a["ask"]) == bool(b["ask"]) for a, b in zip(turns[:-1], turns[1:], strict=True))
    ):
        return text
    preamble = text[: turns[0].start()].strip()
    if "\n" in preamble or (preamble and not preamble.endswith((".", "!", "?", ":"))):
        return text
    ends = [t.start() for t in turns[1:]] + [len(text)]
    asks = [
        text[t.end() : end].replace("</s>", "").strip()
        for t, end in zip(turns, ends, strict=True)
        if t["ask"]
    ]
    kept = ([] if _JUDGE.search(preamble) else [preamble]) + asks
    return "\n".join(part for part in kept if part)
