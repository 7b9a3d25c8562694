"""A tiny report document (headings, paragraphs, bullets, tables, images) rendered to Markdown and HTML.

Writing each report once as data and rendering it twice keeps the Markdown, the HTML and the Dagster
UI preview saying exactly the same thing.

Two kinds of text go in. Paragraphs and bullets are Markdown the report code writes (links, **bold**,
`code`); any data put into them (inventory titles and IDs, domain names, task statements) goes
through `md_escape` first. Titles, headings and table cells are plain text and are escaped here,
unless a cell is an `Md` (Markdown the report code made, e.g. a `link`). So text from the inventory
always renders as literal text, in the Markdown, in the Dagster UI's preview and in the HTML, and
the only links are those the report makes, to http(s) or relative targets.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class Md(str):
    """Markdown written by the report code (not data): rendered as Markdown, not escaped."""


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple]
    align_right: set[int] = field(default_factory=set)


@dataclass
class Image:
    src: str  # relative path next to the report
    alt: str
    data_uri: str = ""  # embedded in the HTML so the page is self-contained


@dataclass
class Doc:
    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def h2(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def h3(self, text: str) -> None:
        self.blocks.append(("h3", text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(("ul", items))

    def table(self, table: Table) -> None:
        self.blocks.append(("table", table))

    def image(self, image: Image) -> None:
        self.blocks.append(("img", image))


# Every line break Python knows (str.splitlines): a bare CR, VT, FF, NEL or U+2028 ends a table row
# or a list item in some Markdown renderers just like LF does.
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
# Characters that start Markdown or HTML syntax inline: emphasis, code, links, raw HTML, table
# pipes, GFM strikethrough (~~x~~, and ~x~ in remark-gfm, e.g. Dagster's UI), and the backslash
# itself. An '&' only when it starts an entity (&lt; &#106;).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?\w+;))")
_PAGE_EXT = ".html"  # sibling report pages are linked as X.html; the Markdown points at X.md


def one_line(text: object) -> str:
    return _BREAKS.sub(" ", "" if text is None else str(text))


def md_escape(text: object) -> str:
    """Data as literal Markdown text: on one line, with every inline syntax character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def md_code(text: object) -> str:
    """Data as an inline code span (plain escaped text when it holds a backtick)."""
    s = one_line(text)
    return f"`{s}`" if s and "`" not in s else md_escape(s)


def safe_href(href: str) -> bool:
    """Only web and relative links: no javascript:, data:, vbscript: or other schemes."""
    if any(ord(c) < 0x21 or c in "\\\"'<>&" for c in href):
        return False
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return scheme in ("", "http", "https")


def link(text: str, href: str) -> Md:
    """A link the report makes: the text is escaped; an unsafe target gives plain text."""
    if not safe_href(href):
        return Md(md_escape(text))
    return Md(f"[{md_escape(text)}]({href})")


# Markdown source tokens: a backslash escape, a '**' marker, a lone '*'.
_MD_STAR = re.compile(r"\\[\s\S]|\*\*|\*")


def md_text(text: str) -> str:
    """Report-written Markdown: escape a lone '*' (O*NET) so it is not emphasis; '**bold**' and
    backslash escapes stay as they are. Line breaks become spaces."""
    return _MD_STAR.sub(lambda m: "\\*" if m.group(0) == "*" else m.group(0), one_line(text))


_MD_LINK = re.compile(r"\[((?:\\[\s\S]|[^\]\\])*)\]\(([^)\s]+)\)")


def _md_source(text: str) -> str:
    """Report-written Markdown for a .md file: links to sibling pages point at the .md twin."""

    def page(m: re.Match) -> str:
        href = m.group(2)
        parts = urlsplit(href)  # our own pages: relative paths (a report written apart links the index)
        if not parts.scheme and not parts.netloc and not href.startswith("/") and href.endswith(_PAGE_EXT):
            href = href[: -len(_PAGE_EXT)] + ".md"
        return f"[{m.group(1)}]({href})"

    # skip backslash escapes so an escaped '\[' never opens a link
    return re.sub(
        r"\\[\s\S]|" + _MD_LINK.pattern, lambda m: page(m) if m.group(1) is not None else m.group(0), text
    )


def _md_cell(v: object) -> str:
    if isinstance(v, Md):
        return _md_source(md_text(v)).replace("|", "\\|")
    return md_escape(v)


def to_markdown(doc: Doc, *, embed_images: bool = False) -> str:
    out = [f"# {md_escape(doc.title)}", ""]
    for kind, body in doc.blocks:
        if kind == "h2":
            out += [f"## {md_escape(body)}", ""]
        elif kind == "h3":
            out += [f"### {md_escape(body)}", ""]
        elif kind == "p":
            out += [_md_source(md_text(str(body))), ""]
        elif kind == "ul":
            out += [f"- {_md_source(md_text(item))}" for item in body] + [""]
        elif kind == "table" and not body.rows:
            out += ["_None._", ""]
        elif kind == "table":
            t: Table = body
            out.append("| " + " | ".join(md_escape(c) for c in t.columns) + " |")
            out.append(
                "|" + "".join("---:|" if i in t.align_right else "---|" for i in range(len(t.columns)))
            )
            out += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in t.rows]
            out.append("")
        elif kind == "img":
            img: Image = body
            src = img.data_uri if embed_images and img.data_uri else img.src
            out += [f"![{md_escape(img.alt)}]({src})", ""]
    return "\n".join(out)


# a backslash escape of ASCII punctuation, or a code span (CommonMark: read left to right, so an
# escaped backtick opens no span, and a span's content is literal: no escapes, links or bold in it)
# A span opens with a run of backticks and closes at the next run of the same length (``a `b` c``).
_ESCAPE_OR_CODE = re.compile(r"\\([!-/:-@\[-`{-~])|(?<!`)(`+)(?!`)(.+?)(?<!`)\2(?!`)")
_SLOT = re.compile(r"\x00(\d+)\x00")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _inline(text: object) -> str:
    """Report-written Markdown to HTML: escapes, `code`, links (safe targets only) and **bold**.

    Escaped characters, code spans and finished links are parked in numbered slots, so that nothing inside
    them is read as syntax again."""
    slots: list[tuple[str, str]] = []  # (raw text, html)

    def park(raw: str, markup: str) -> str:
        slots.append((raw, markup))
        return f"\x00{len(slots) - 1}\x00"

    def unpark(s: str, raw: bool = False) -> str:
        while _SLOT.search(s):
            s = _SLOT.sub(lambda m: slots[int(m.group(1))][0 if raw else 1], s)
        return s

    def fmt(s: str) -> str:
        s = html.escape(s, quote=False)
        return _BOLD.sub(r"<strong>\1</strong>", s)

    def anchor(m: re.Match) -> str:
        label, href = fmt(m.group(1)), unpark(m.group(2), raw=True)
        if not safe_href(href):
            return park(href, label)
        return park(href, f'<a href="{html.escape(href)}">{label}</a>')

    s = one_line(text).replace("\x00", "\ufffd")

    def code(content: str) -> str:
        # one space each side is stripped, so that a span can start or end with a backtick (`` `x ``)
        if len(content) > 2 and content[0] == content[-1] == " " and content.strip():
            content = content[1:-1]
        return f"<code>{html.escape(content, quote=False)}</code>"

    s = _ESCAPE_OR_CODE.sub(
        lambda m: (
            park(m.group(1), html.escape(m.group(1)))
            if m.group(1) is not None
            else park(m.group(0), code(m.group(3)))
        ),
        s,
    )
    s = _MD_LINK.sub(anchor, s)
    return unpark(fmt(s))


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;
color:#1f2328;line-height:1.45}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;font-size:0.9rem}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}th{background:#f6f8fa;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}h1{border-bottom:1px solid #d0d7de}
img{max-width:100%}code{background:#f6f8fa;padding:0 3px}
"""


def _html_cell(v: object) -> str:
    return _inline(v) if isinstance(v, Md) else html.escape(one_line(v))


def to_html(doc: Doc) -> str:
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(one_line(doc.title))}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(one_line(doc.title))}</h1>",
    ]
    for kind, body in doc.blocks:
        if kind == "h2":
            out.append(f"<h2>{html.escape(one_line(body))}</h2>")
        elif kind == "h3":
            out.append(f"<h3>{html.escape(one_line(body))}</h3>")
        elif kind == "p":
            out.append(f"<p>{_inline(str(body))}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in body) + "</ul>")
        elif kind == "table":
            t: Table = body
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
                + "</tr></thead><tbody>"
            )
            for r in t.rows:
                cells = "".join(
                    f'<td class="num">{_html_cell(v)}</td>'
                    if i in t.align_right
                    else f"<td>{_html_cell(v)}</td>"
                    for i, v in enumerate(r)
                )
                out.append(f"<tr>{cells}</tr>")
            out.append("</tbody></table>")
        elif kind == "img":
            img: Image = body
            out.append(
                f'<p><img src="{html.escape(img.data_uri or img.src)}" alt="{html.escape(img.alt)}"></p>'
            )
    out.append("</body></html>")
    return "\n".join(out)
