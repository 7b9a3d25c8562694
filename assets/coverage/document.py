"""A tiny report document (headings, paragraphs, bullets, tables, images) rendered to Markdown and HTML.

Writing each report once as data and rendering it twice keeps the Markdown, the HTML and the Dagster
UI preview saying exactly the same thing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


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

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(("ul", items))

    def table(self, table: Table) -> None:
        self.blocks.append(("table", table))

    def image(self, image: Image) -> None:
        self.blocks.append(("img", image))

    def link(self, text: str, href: str) -> str:
        return f"[{text}]({href})"


_LONE_STAR = re.compile(r"(?<!\*)\*(?!\*)")


def md_text(text: str) -> str:
    """Escape a lone '*' (O*NET) so Markdown does not read it as emphasis; '**bold**' stays."""
    return _LONE_STAR.sub(r"\\*", text)


def _md_cell(v: object) -> str:
    return md_text(("" if v is None else str(v)).replace("|", "\\|").replace("\n", " "))


def to_markdown(doc: Doc, *, embed_images: bool = False) -> str:
    out = [f"# {md_text(doc.title)}", ""]
    for kind, body in doc.blocks:
        if kind == "h2":
            out += [f"## {body}", ""]
        elif kind == "p":
            out += [md_text(str(body)), ""]
        elif kind == "ul":
            out += [f"- {md_text(item)}" for item in body] + [""]
        elif kind == "table" and not body.rows:
            out += ["_None._", ""]
        elif kind == "table":
            t: Table = body
            out.append("| " + " | ".join(t.columns) + " |")
            out.append(
                "|" + "".join("---:|" if i in t.align_right else "---|" for i in range(len(t.columns)))
            )
            out += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in t.rows]
            out.append("")
        elif kind == "img":
            img: Image = body
            out += [f"![{img.alt}]({img.data_uri if embed_images and img.data_uri else img.src})", ""]
    return "\n".join(out)


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    s = html.escape(str(text), quote=False)
    s = _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', s)
    s = _BOLD.sub(r"<strong>\1</strong>", s)
    return _CODE.sub(r"<code>\1</code>", s)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;
color:#1f2328;line-height:1.45}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;font-size:0.9rem}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}th{background:#f6f8fa;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}h1{border-bottom:1px solid #d0d7de}
img{max-width:100%}code{background:#f6f8fa;padding:0 3px}
"""


def to_html(doc: Doc) -> str:
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(doc.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(doc.title)}</h1>",
    ]
    for kind, body in doc.blocks:
        if kind == "h2":
            out.append(f"<h2>{html.escape(str(body))}</h2>")
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
                    f'<td class="num">{_inline("" if v is None else v)}</td>'
                    if i in t.align_right
                    else f"<td>{_inline('' if v is None else v)}</td>"
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
