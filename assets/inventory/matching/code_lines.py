"""Recognising lines of source code that are not fenced, so the matcher does not read them as words.

O*NET statements are prose. A pasted snippet's identifiers match words of unrelated duties
(`order.remove(k)` -> Stockers and Order Fillers), so a prompt made of code reached `medium` on an
absurd occupation. Fenced blocks are dropped in `text.prose`; this module finds the code pasted
without a fence: snippets, stack traces, logs, diffs, shell sessions, config files and markup.

A line is code when it starts like a statement of a language or tool (`def f(`, `from x import y`,
`select … from`, a Dockerfile instruction, `Traceback (most recent call last):`, a diff hunk), or
carries other code signals (an operator, a call, attribute access, an assignment, a block bracket at
its end, a snake_case or camelCase name) with a density of symbols that prose does not reach. A line
that reads as a sentence (a capital first, a full stop last, mostly plain words) is code only when
it starts like a statement: "The function parse_date() fails on ISO dates; fix it." is the work.
Short lines and lines with a signal between two code lines (`else:`, `return -1`) belong to the
block, and three or more `key: value` lines with lower-case keys in a row are a config block (YAML,
JSON, a Makefile), and so are Markdown tables (data, not a description of work). File names, e-mail addresses, template placeholders, inline `code` spans and URLs are set
aside before judging. tests/inventory/test_code_lines.py holds the measured guarantees: no line of
O*NET 29.0's own prose is code, alone or wrapped at any width from 20 to 100 characters.
"""

from __future__ import annotations

import re

# Statements that only code starts with (case-sensitive: prose starts sentences with a capital).
_KEYWORD_START = re.compile(
    r"""^(?:
    # Python, JavaScript, Java, C, Go
        (?:async\s+)?def\s+\w+\s*\(
      | class\s+[A-Z]\w*\s*(?:\([\w.,\s]*\))?\s*[:{]$
      | class\s+\w+\s+(?:extends|implements)\s
      | import\s+\w*[._]\w[\w.]*(?:\s+as\s+\w+)?;?$
      | import\s+\w+\s+as\s+\w+$
      | import\s.*\sfrom\s+['"]
      | import\s+["'(]
      | package\s+(?:main|[a-z]\w*(?:\.\w+)+;?|[a-z]\w*;)$
      | from\s+[\w.]+\s+import\s+\S
      | (?:fn|func|function)\s+\w+[(<]
      | (?:const|let|var)\s+[\w$\[\]{},\s]+=
      | (?:public|private|protected|static)\s[^.]*[{;]$
      | \#include\s*[<"]
      | (?:if|while|for|switch|catch)\s*\(.*\)\s*\{?$
      | for\s+\(?\w+(?:\s*,\s*\(?\w+\)?)*\)?\s+in\s+\S.*:$
      | (?:if|elif|while)\s.*(?:==|!=|<=|>=|\bis\s+(?:not\s+)?None\b).*:$
      | (?:if|elif|while)\s+(?:not\s+)?\w*[_.(][\w.()]*:$
      | (?:if|elif|while)\s+(?:not\s+)?[\w.]+\s+(?:not\s+)?in\s+\(.*\):$
      | with\s+[\w.]+\(.*\)\s+as\s+\w+:$
      | (?:return|yield|raise|throw)\s+(?:[\[{]|\w+\(|\w{2,}[.\[_]\w|new\s+[A-Z]\w*\(|f["']|(?:None|True|False|null|nil|self)\b)
      | (?:else|try|finally|except)\s*(?:\w+(?:\s+as\s+\w+)?)?:$
    # Rust, TypeScript, C#, Terraform, decorators
      | (?:pub(?:\([\w:]+\))?\s+)?(?:struct|enum|trait|impl|mod)\s+[A-Z]\w*(?:<[^>]*>)?(?:\s+for\s+\w+)?\s*[{;(]$
      | use\s+[\w:]+(?:::\{[^}]*\}|::\*)?;$
      | \#\[\w+
      | (?:export\s+)?(?:default\s+)?(?:interface|type|enum)\s+[A-Z]\w*(?:<[^>]*>)?\s*(?:extends\s+[\w.,\s<>]+)?[={]
      | (?:using|namespace)\s+[A-Z][\w.]*\s*[;{]?$
      | export\s+(?:default\s+)?(?:async\s+)?function\b
      | function\s*\(
      | module\.exports\b
      | resource\s+"\w+"\s+"[\w-]+"\s*\{$
      | (?:variable|provider|module|output|data)\s+"[\w-]+"(?:\s+"[\w-]+")?\s*\{$
      | @[a-z_][\w.]*(?:\(|$)
    # Dockerfile, shell
      | FROM\s+[a-z][\w./-]*(?::[\w.-]+)?(?:\s+(?:AS|as)\s+\w+)?$
      | (?:RUN|CMD|ENTRYPOINT)\s+[a-z\[]
      | (?:COPY|ADD)\s+(?=\S*[a-z./])\S+\s+\S+$
      | (?:ENV|ARG)\s+[A-Z_]+[=\s]
      | WORKDIR\s+/\S*$
      | EXPOSE\s+\d+$
      | \$\s+[a-z]
      | (?:git|pip3?|npm|npx|pnpm|python3?|docker|kubectl|wget|sudo|apt-get|pytest|mkdir|chmod|terraform|gcloud|uvicorn)\s+-{0,2}[a-z][\w-]*(?:\s|$)
      | \#!/
      | set\s+-[euxo]+
      | [\w.-]+@[\w.-]+:[~/][^\s]*[$\#]\s
    # markup and build files: a tag with attributes, a Makefile's .PHONY
      | <[a-z][\w-]*\s+[\w:@.-]+=(?:"[^"<>]*"|'[^'<>]*')
      | \.PHONY:
    # diffs
      | diff\s--git\s
      | index\s[0-9a-f]{7,}\.\.[0-9a-f]{7,}
      | (?:---|\+\+\+)\s[ab]/
      | @@\s-\d+(?:,\d+)?\s\+\d+(?:,\d+)?\s@@
    # SQL, upper case: code must follow the keyword ("ADD TO CART", "FROM 1 JANUARY" are prose)
      | (?:FROM|JOIN|WHERE|GROUP\s+BY|ORDER\s+BY|HAVING|ON|AND|OR|UNION(?:\s+ALL)?
         |(?:LEFT|RIGHT|INNER|FULL|CROSS)(?:\s+OUTER)?\s+JOIN)\s+(?:[a-z_]|\(\s*[a-z_(]|\d+\s*(?:[=<>,;)]|$))
      | LIMIT\s+\d
      | (?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:TABLE|VIEW|INDEX))\s(?=.*[a-z*=]).*\b(?:FROM|WHERE|SET|VALUES|AS|ON)\b
    # SQL, lower case
      | select\s+(?:distinct\s+)?(?:\*|[\w.]+\(|[a-z_]\w*\.[a-z_]\w|[a-z]+_\w|\w+\s*,(?=.*(?:\w\(|\*|\b[a-z_]\w*\.[a-z_]\w|_|\bfrom\s+[\w.]+\s*;?$)))
      | (?:from|join)\s+\w+(?:[._]\w+)+(?:\s+(?:as\s+)?\w+)?$
      | (?:where|and|or|on|having)\s+[\w.]+\s*(?:=|<>|!=|<=|>=|\bin\s*\(|\bis\s+(?:not\s+)?null\b|\blike\s)
      | (?:group|order)\s+by\s+[\w.]+(?:\s*,\s*[\w.]+)*(?:\s+(?:asc|desc))?\s*;?$
    # tracebacks, stack traces, logs, test runners, compilers
      | Traceback\s\(most\srecent\scall\slast\):$
      | File\s"[^"]+",\sline\s\d+
      | at\s+(?:async\s+)?[\w$.<>\[\]]+(?:\s\[as\s\w+\])?\s*\(.*(?::\d+|Native\sMethod|Unknown\sSource)\)$
      | at\s+[\w$.<>]+\s+\(?[\w./\\-]+:\d+:\d+\)?$
      | (?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Warning)(?::|$)
      | Caused\sby:\s[\w.$]+(?:Error|Exception)
      | Exception\sin\sthread\s
      | \.\.\.\s\d+\smore$
      | \[?\d{4}-\d{2}-\d{2}[\sT]\d{2}:\d{2}:\d{2}
      | [EWIF]\d{4}\s\d{2}:\d{2}:\d{2}
      | (?:FAILED|PASSED|ERROR)\s+[\w/.-]+\.py::
      | =+\s.*\s=+$
      | error(?:\[E\d+\])?:\s
      | -->\s+[\w/.-]+:\d+:\d+$
      | npm\sERR!
    )""",
    re.X,
)
_OPERATOR = re.compile(r"==|!=|&&|\|\||=>|->|::|\+=|-=|\*=|:=|</\w|/>|\+\+|--\w|<-(?<=\s<-)(?=\s)|%>%")
# an identifier called or dereferenced without a space: `order.remove(`, `get_item(`, `f()`, `x[0]`
# ("customer_id (left join)" is prose); a chain starts where no name or dot precedes it, and
# possessive quantifiers keep a 19,200-character `a.a.a.…(` line linear
_CALL = re.compile(
    r"(?<![\w.])[A-Za-z_]\w*+(?:\.[A-Za-z_]\w*+)++\(|\b[a-z]++_\w*+\(|\b\w++\(\)|\b[A-Za-z_]\w*+\[[\w'\"-]++\]|^\.\w+\("
)
# snake_case, camelCase (two lower-case letters first and five characters: not pH, mL, kWh, iPhone)
# and CONSTANT_CASE names
_IDENTIFIER = re.compile(
    r"\b[a-z]++(?:_[a-z0-9]+)+\b|\b(?=\w{5})[a-z]{2,}[A-Z]\w*\b|\b[A-Z]++(?:_[A-Z0-9]+)+\b|\b_\w+"
)
# attribute access on a lower-case name (`self.cache`, `req.params`); "e.g." has one-letter parts
_ATTRIBUTE = re.compile(r"\b[a-z_]\w+\.[a-z_]\w+")
_ATTRIBUTE_HINT = re.compile(r"\.(?<=\w\w\.)[a-z_]\w")  # literal first: a fast scan
_CAMEL_HINT = re.compile(r"[A-Z](?<=[a-z][A-Z])")
_CALL_HINT = re.compile(r"\((?<=\w\()")
# a line that is one call and nothing else: `print(f(3))`, `main()`, `report(x);` (prose puts a space
# or a word around a parenthesis: "Note (important)", "Use f(x) here")
_BARE_CALL = re.compile(r"[A-Za-z_][\w.]*\((?:[^()]|\([^()]*\))*\);?")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][\w.\[\]'\"]*\s*=\s*[^=\s]")
_HEADING_COLON = re.compile(r"\s\([^()]*\):$")  # "Output (JSON):" is a heading; `range(n):` is code
_INLINE = re.compile(r"`[^`\n]+`|\b(?:https?|ftp)://\S+|\bwww\.\S+")
# file names, e-mail addresses and template placeholders are not code: set aside like URLs
_EXT = (
    r"(?:csv|tsv|xlsx?|xlsm|json|jsonl|ya?ml|toml|md|txt|pdf|docx?|pptx?|parquet|ipynb|py|js|ts|tsx|jsx"
    r"|java|go|rs|rb|sql|html?|log|zip|png|jpe?g|svg|xml)"
)
_ASIDE = re.compile(
    r"(?<![\w./~-])[\w./~-]+\." + _EXT + r"\b(?![(\w])"  # report_2024.csv, src/app.py (not response.json())
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # finance_ops@company.com
    r"|(?<![\w$])\{\{?\s*[A-Za-z_]\w*\s*\}\}?"  # {first_name}, {{ city }}
    r"|\[[A-Z]\w*(?:\s\w+)+\]"  # [Customer Name]
)
_ASIDE_HINT = re.compile(r"\.(?:" + _EXT[3:] + r"\b|@|\{|\[[A-Z]")
# markers in front of code: a diff's + or -, a REPL prompt, a notebook cell prompt
_PREFIX = re.compile(r"^(?:[+-](?=\s{2,}|\t|[A-Za-z_#@}{)\]])|>>>\s?|\.\.\.\s|In\s\[\d*\]:\s|Out\[\d+\]:\s*)")
_PREFIX_FIRST = frozenset("+->.IO")  # the first characters _PREFIX can match: most lines skip it
_MARKDOWN = re.compile(r"^#{1,6}\s+|\*\*(?=\S)|(?<=\S)\*\*")
_LIST_MARKER = re.compile(r"^(?:[-*+\u2022]|\d+[.)]|[a-z][.)])\s+")
_SENTENCE_START = re.compile(r"[A-Z\u00c0-\u00de\"\u201c(]")
_SENTENCE_END = re.compile(r"[.!?][\"\u201d')\]]*$")
_WORD = re.compile(r"^[(\"\u201c']?[A-Za-z\u00c0-\u024f][a-z\u00df-\u024f'\u2019-]*[,;:.!?)\"\u201d']*$")
# a line of YAML, JSON or a Makefile: a lower-case key (quoted or not, after a list dash), a colon, and
# nothing or one value (a token, a quoted string, a bracketed list); three in a row are a config block
_CONFIG_LINE = re.compile(
    r"""^(?:-\s+)?(?:"[\w.$-]+"|[a-z_][\w.-]*):(?:\s+(?:"[^"]*"|'[^']*'|\[[^\]]*\]|\{[^}]*\}|[^\s"']+))?,?$"""
)
CONFIG_RUN = 3
# a Markdown table: its delimiter row (`|---|:--:|`), or a run of TABLE_RUN lines between pipes
_TABLE_DELIMITER = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$")
TABLE_RUN = 3
TABLE_SENTENCE_WORDS = 4
_CELL_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_SYMBOLS = "{}[]()<>=;_|&$\\*/#@"
_LETTER = re.compile(r"[^\W\d_]")
_SYMBOL_BYTES = _SYMBOLS.encode()
# at this share of symbols among the non-space characters a line with one code signal is code, at
# half of it one with two; prose with a parenthesis or two stays below it
SYMBOL_SHARE = 0.10
SHORT_WORDS = 3
SENTENCE_WORDS = 5
SENTENCE_WORD_SHARE = 0.6


def _block_end(line: str) -> bool:
    """A bracket that opens or closes a block: `{` or `}` ending the line (`};` too), `);` `];` `):`,
    `(` or `[` ending it, or `)` `]` `}` starting it."""
    end = line.rstrip()
    end = end[:-1].rstrip() if end.endswith(";") and end[-2:-1] in "{}" else end
    if end.endswith("):") and _HEADING_COLON.search(end):
        return False
    return end[-1:] in ("{", "}", "(", "[") or end[-2:] in (");", "];", "):") or line[:1] in (")", "]", "}")


# A necessary condition of every signal below: the matcher runs this on every line of every task,
# and most prose lines have none of it (operators and brackets, `_`, `::`, `--`, a call `f(`, a dot
# inside a name, a lower-case letter before a capital, a block bracket at either end). Each part is
# a scan Python's re does fast (a character set, or a literal first).
_SUSPECT_CHARS = re.compile(r"[=!&|<>+*/\\{}\[\];_$#@]")
_DOT_IN_NAME = re.compile(r"\.(?<=\w\.)[a-z_]")


def _suspect(line: str) -> bool:
    return bool(
        _SUSPECT_CHARS.search(line)
        or "::" in line
        or "--" in line
        or (
            "(" in line
            and (line[-1] == "(" or line.endswith("):") or "()" in line or _CALL_HINT.search(line))
        )
        or line[0] in ")]}"
        or ("." in line and _DOT_IN_NAME.search(line))
        or _CAMEL_HINT.search(line)
    )


def _signals(bare: str) -> int:
    """Code signals of one line (not a statement): operator, call, attribute, assignment, block
    bracket, identifier; each behind a cheap necessary condition."""
    return (
        bool(_OPERATOR.search(bare))
        + bool(("(" in bare or "[" in bare) and _CALL.search(bare))
        + bool(_ATTRIBUTE_HINT.search(bare) and _ATTRIBUTE.search(bare))
        + bool("=" in bare and _ASSIGNMENT.search(bare))
        + _block_end(bare)
        + bool(("_" in bare or _CAMEL_HINT.search(bare)) and _IDENTIFIER.search(bare))
        + bool(bare[-1:] in ");" and _BARE_CALL.fullmatch(bare))
    )


def _aside(line: str) -> str:
    return _ASIDE.sub(" ", line) if _ASIDE_HINT.search(line) else line


def _symbol_share(line: str) -> float:
    # bytes.translate deletes in C; every symbol is ASCII, so the byte count is the character count
    chars = len(line) - line.count(" ") - line.count("\t")
    raw = line.encode("utf-8", "surrogatepass")  # a lone surrogate must not raise
    return (len(raw) - len(raw.translate(None, _SYMBOL_BYTES))) / chars if chars else 0.0


def _plain(line: str) -> str:
    """The line as judged: inline spans and URLs out, `C++` a name, markdown marks and the prefixes of
    diffs, REPLs and notebooks off."""
    if "`" in line or "://" in line or "www." in line:
        line = _INLINE.sub(" ", line)
    line = line.strip()
    if "C++" in line:
        line = line.replace("C++", "Cpp")
    if "**" in line or line[:1] == "#":
        line = _MARKDOWN.sub("", line).strip()
    return _PREFIX.sub("", line).strip() if line[:1] in _PREFIX_FIRST else line


def _sentence(line: str) -> bool:
    """Reads as a sentence: a capital first, a full stop (! ?) last, and mostly plain words."""
    if line[-1:] not in ".!?\"\u201d')]":
        return False
    line = _LIST_MARKER.sub("", line)
    if not _SENTENCE_START.match(line) or not _SENTENCE_END.search(line):
        return False
    return _mostly_words(line, SENTENCE_WORD_SHARE)


def _mostly_words(line: str, share: float) -> bool:
    """At least SENTENCE_WORDS tokens, `share` of them plain words."""
    tokens = line.split()
    return len(tokens) >= SENTENCE_WORDS and sum(bool(_WORD.match(t)) for t in tokens) >= share * len(tokens)


# A line that starts with a tool's name or an upper-case SQL clause word but goes on in plain words
# is a request ("python script to rename all invoices", "WHERE possible, use plain language")
_TOOL_OR_CLAUSE = re.compile(
    r"^(?:git|pip3?|npm|npx|pnpm|python3?|docker|kubectl|wget|sudo|apt-get|pytest|mkdir|chmod|terraform"
    r"|gcloud|uvicorn|FROM|JOIN|WHERE|GROUP|ORDER|HAVING|ON|AND|OR|UNION|LEFT|RIGHT|INNER|FULL|CROSS)\s"
)
WORDY_SHARE = 0.8


def _wordy(line: str) -> bool:
    """No code symbol, and WORDY_SHARE of at least SENTENCE_WORDS tokens plain words."""
    return not _SUSPECT_CHARS.search(line) and _mostly_words(line, WORDY_SHARE)


def _judge(line: str) -> tuple[bool, int, str]:
    """(is code, code signals, the line as judged), each signal computed once."""
    line = _plain(line)
    if not line:
        return False, 0, line
    if not _LETTER.search(line):
        return any(c in line for c in _SYMBOLS), 0, line  # `}`, `});`, `*/`: a block's closing line
    if _KEYWORD_START.match(line) and not (_TOOL_OR_CLAUSE.match(line) and _wordy(line)):
        return True, 3, line
    if not _suspect(line) or _sentence(line):
        # no code signal possible; or a sentence that mentions code (`parse_date()`): the work
        return False, 0, line
    bare = _aside(line)
    signals = _signals(bare)
    return signals >= 3 or (signals >= 1 and _symbol_share(bare) >= SYMBOL_SHARE / signals), signals, line


def is_code(line: str) -> bool:
    """One line, on its own: is it source code?"""
    return _judge(line)[0]


def _runs(lines: list[str], member, minimum: int) -> set[int]:
    """Indices of lines in runs of at least `minimum` consecutive lines that `member` accepts."""
    found: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if line and member(line):
            run.append(i)
            continue
        if len(run) >= minimum:
            found.update(run)
        run = []
    return found


def _config_blocks(lines: list[str]) -> set[int]:
    """Indices of lines in runs of at least CONFIG_RUN consecutive config lines (blank lines end a run)."""
    return _runs(lines, lambda x: ":" in x and _CONFIG_LINE.match(x.strip()) is not None, CONFIG_RUN)


def _table_blocks(lines: list[str]) -> set[int]:
    """Indices of the data rows of Markdown tables: a table is a delimiter row with the header above
    it and the rows below it (up to a blank line or a line that is no row), or TABLE_RUN lines or more
    that start and end with `|`. Data is what its cells hold (an AML alert's rows of dates, "cash
    deposit" and amounts ranked Tellers `medium`); a row with a cell of TABLE_SENTENCE_WORDS words or
    more holds an instruction or a task card's value, and stays."""
    found: set[int] = set()
    stripped = [x.strip() for x in lines]
    for i, line in enumerate(stripped):
        if "-" in line and _TABLE_DELIMITER.match(line):
            found.update(range(i - 1 if i and "|" in stripped[i - 1] else i, i + 1))
            piped, pipes = line.startswith("|"), line.count("|")
            j = i + 1
            # a row starts with a pipe as the delimiter does, or holds as many: not a sentence with one
            while j < len(stripped) and (
                stripped[j].startswith("|") if piped else stripped[j].count("|") >= pipes
            ):
                found.add(j)
                j += 1
    found |= _runs(stripped, lambda x: len(x) > 1 and x[0] == "|" and x[-1] == "|", TABLE_RUN)
    return {i for i in found if not _sentence_cell(stripped[i])}


def _sentence_cell(row: str) -> bool:
    return any(len(_CELL_WORD.findall(cell)) >= TABLE_SENTENCE_WORDS for cell in row.split("|"))


def drop_code_lines(text: str) -> str:
    """The text without its lines of code (line breaks kept: they are chunk boundaries).

    Lines between two code lines are code too when each is short (at most SHORT_WORDS words, like
    `else:` or `return -1`) or carries a code signal: alone they have too little syntax to
    recognise, but they are part of the block. A sentence between two snippets is neither and stays."""
    lines = text.split("\n")
    judged = [_judge(x) for x in lines]
    config = _config_blocks(lines) if ":" in text else set()
    if "|" in text:
        config |= _table_blocks(lines)
    if not config and not any(code for code, _, _ in judged):
        return text
    filled = [code or i in config for i, (code, _, _) in enumerate(judged)]
    run: list[int] = []  # the weak lines since the last code line
    after_code = False
    for i, (_, signals, plain) in enumerate(judged):
        if not lines[i].strip():
            continue
        if filled[i]:
            if after_code:
                for j in run:
                    filled[j] = True
            run, after_code = [], True
        elif after_code and (signals > 0 or len(plain.split()) <= SHORT_WORDS or lines[i][:1] == "\t"):
            run.append(i)
        else:
            run, after_code = [], False
    # the end of a snippet that ends the text (`print(f(3))`, `library(dplyr)`): its lines that carry
    # a code signal, up to the first that does not. Indentation alone is no sign: "  Check overtime."
    # or "   - add index" after a snippet are the instructions
    for j in run if after_code else ():
        if judged[j][1] == 0:
            break
        filled[j] = True
    return "\n".join("" if c else x for x, c in zip(lines, filled, strict=True))
