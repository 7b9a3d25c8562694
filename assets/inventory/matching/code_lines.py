"""Recognising lines of source code that are not fenced, so the matcher does not read them as words.

O*NET statements are prose. A pasted snippet's identifiers match words of unrelated duties
(`order.remove(k)` -> Stockers and Order Fillers), so a prompt made of code reached `medium` on an
absurd occupation. Fenced blocks are dropped in `text.prose`; this module finds the code pasted
without a fence.

A line is code when it carries syntax that prose does not: a statement keyword followed by code
(`def f(`, `import x`, `SELECT ... FROM`, a Dockerfile instruction), an operator (`==`, `&&`, `=>`),
a call or attribute access on an identifier (`order.remove(`, `get_item(`), an assignment, or a
block bracket at its end, together with a density of symbols that prose does not reach. Short lines
between two code lines (`else:`, `try:`, `pass`) belong to their block. The rules were checked on
every O*NET task statement, DWA title, Emerging Task and occupation description of release 29.0:
no line of them is code (tests/inventory/test_code_lines.py).
"""

from __future__ import annotations

import re

# a statement that only code starts with (case-sensitive: prose starts sentences with a capital)
_KEYWORD_START = re.compile(
    r"""^(?:
        (?:async\s+)?def\s+\w+\s*\(
      | class\s+[A-Z]\w*\s*(?:\([\w.,\s]*\))?\s*[:{]$
      | class\s+\w+\s+(?:extends|implements)\s
      | import\s+\w*[._]\w[\w.]*(?:\s+as\s+\w+)?;?$
      | import\s+\w+\s+as\s+\w+$
      | import\s.*\sfrom\s+['"]
      | import\s+["'(]
      | package\s+[a-z][\w.]*;?$
      | from\s+[\w.]+\s+import\s+\S
      | (?:fn|func|function)\s+\w+[(<]
      | (?:const|let|var)\s+[\w$\[\]{},\s]+=
      | (?:public|private|protected|static)\s[^.]*[{;]$
      | \#include\s*[<"]
      | (?:if|while|for|switch|catch)\s*\(.*\)\s*\{?$
      | for\s+[\w,\s()]+\s+in\s+\S.*:$
      | (?:if|elif|while)\s.*(?:==|!=|<=|>=|\bis\s+(?:not\s+)?None\b).*:$
      | (?:if|elif|while)\s+(?:not\s+)?\w*[_.(][\w.()]*:$
      | with\s+[\w.]+\(.*\)\s+as\s+\w+:$
      | (?:return|yield|raise|throw)\s+\S*?[(\[.{_]
      | (?:else|try|finally|except)\s*(?:\w+(?:\s+as\s+\w+)?)?:$
      | FROM\s+[a-z][\w./-]*(?::[\w.-]+)?(?:\s+(?:AS|as)\s+\w+)?$
      | (?:RUN|CMD|ENTRYPOINT)\s+[a-z\[]
      | (?:COPY|ADD)\s+\S+\s+\S+$
      | (?:ENV|ARG)\s+[A-Z_]+[=\s]
      | WORKDIR\s+/\S*$
      | EXPOSE\s+\d+$
      | \$\s+[a-z]
      | (?:FROM|JOIN|WHERE|GROUP\s+BY|ORDER\s+BY|HAVING|LIMIT|ON|AND|OR|UNION(?:\s+ALL)?
         |(?:LEFT|RIGHT|INNER|FULL|CROSS)(?:\s+OUTER)?\s+JOIN)\s+[a-z0-9_(]
      | (?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:TABLE|VIEW|INDEX))\s.*\b(?:FROM|WHERE|SET|VALUES|AS|ON)\b
    )""",
    re.X,
)
_OPERATOR = re.compile(r"==|!=|&&|\|\||=>|->|::|\+=|-=|\*=|:=|</\w|/>|\+\+|--\w")
# an identifier called or dereferenced without a space: `order.remove(`, `get_item(`, `f()`, `x[0]`
_CALL = re.compile(
    r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\s*\(|\b[a-z]+_\w*\s*\(|\b\w+\(\)|\b[A-Za-z_]\w*\[[\w'\"-]+\]|^\.\w+\("
)
# snake_case, camelCase and CONSTANT_CASE names: prose has almost none ("iPhone" is one)
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z]\w*\b|\b[A-Z]+(?:_[A-Z0-9]+)+\b|\b_\w+")
# attribute access on a lower-case name (`self.cache`, `req.params`); "e.g." has one-letter parts
_ATTRIBUTE = re.compile(r"\b[a-z_]\w+\.[a-z_]\w+")
_ATTRIBUTE_HINT = re.compile(r"\.(?<=\w\w\.)[a-z_]\w")  # literal first: a fast scan
_CAMEL_HINT = re.compile(r"[A-Z](?<=[a-z][A-Z])")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][\w.\[\]'\"]*\s*=\s*[^=\s]")
_INLINE = re.compile(r"`[^`\n]+`|\b(?:https?|ftp)://\S+|\bwww\.\S+")
_SYMBOLS = "{}[]()<>=;_|&$\\*/#@"
# at this share of symbols among the non-space characters a line with one code signal is code, at
# half of it one with two; prose with a parenthesis or two stays below it
SYMBOL_SHARE = 0.10
SHORT_WORDS = 3


def _block_end(line: str) -> bool:
    """A bracket that opens or closes a block: `{` or `}` ending the line (`};` too), `);` `];` `):`,
    `(` or `[` ending it, or `)` `]` `}` starting it."""
    end = line.rstrip()
    end = end[:-1].rstrip() if end.endswith(";") and end[-2:-1] in "{}" else end
    return end[-1:] in ("{", "}", "(", "[") or end[-2:] in (");", "];", "):") or line[:1] in (")", "]", "}")


# Each signal with a cheap necessary condition first: the matcher runs this on every line of every
# task (twice), and most lines have none of these characters (100k tasks: 8 CPU-s without guards).
_GUARDED = (
    (lambda x: True, _OPERATOR.search),
    (lambda x: "(" in x or "[" in x, _CALL.search),
    (_ATTRIBUTE_HINT.search, _ATTRIBUTE.search),
    (lambda x: "=" in x, _ASSIGNMENT.search),
    (lambda x: True, _block_end),
    (lambda x: "_" in x or _CAMEL_HINT.search(x), _IDENTIFIER.search),
)


def _signals(line: str) -> int:
    """Code signals of one line: a statement keyword counts 3 (it decides alone), the others 1."""
    if _KEYWORD_START.match(line):
        return 3
    return sum(bool(guard(line) and test(line)) for guard, test in _GUARDED)


def _symbol_share(line: str) -> float:
    chars = len("".join(line.split()))
    return sum(map(line.count, _SYMBOLS)) / chars if chars else 0.0


def _without_inline(line: str) -> str:
    if "`" in line or "://" in line or "www." in line:
        line = _INLINE.sub(" ", line)
    return line.strip()


def is_code(line: str) -> bool:
    """One line, on its own: is it source code?

    Inline code spans and URLs are set aside first: "Write `merge(a, b)` so that ..." is a sentence."""
    line = _without_inline(line)
    if not line:
        return False
    if not any(c.isalpha() for c in line):
        return any(c in line for c in _SYMBOLS)  # `}`, `});`, `*/`: a block's closing line
    signals = _signals(line)
    return signals >= 3 or (signals >= 1 and _symbol_share(line) >= SYMBOL_SHARE / signals)


def _weak(line: str) -> bool:
    """Too little syntax to call code alone, but code inside a block: short, or one code signal."""
    line = _without_inline(line)
    return len(line.split()) <= SHORT_WORDS or _signals(line) > 0


def drop_code_lines(text: str) -> str:
    """The text without its lines of code (line breaks kept: they are chunk boundaries).

    Lines between two code lines are code too when each is short (at most SHORT_WORDS words, like
    `else:` or `return -1`) or carries a code signal: alone they have too little syntax to
    recognise, but they are part of the block. A sentence between two snippets is neither and stays."""
    lines = text.split("\n")
    code = [is_code(x) for x in lines]
    if not any(code):
        return text
    filled = list(code)
    run: list[int] = []  # the weak lines since the last code line
    after_code = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if code[i]:
            if after_code:
                for j in run:
                    filled[j] = True
            run, after_code = [], True
        elif after_code and _weak(line):
            run.append(i)
        else:
            run, after_code = [], False
    return "\n".join("" if c else x for x, c in zip(lines, filled, strict=True))
