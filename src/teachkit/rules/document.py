"""A small document model for the dossier, and its two renderings: HTML and PDF.

A document is a title and a list of :class:`Section`; a section holds paragraphs
(strings), :class:`Table` and :class:`Bullets` blocks, or HTML converted from Markdown
(:class:`Markdown`). :func:`to_html` writes one self-contained HTML page;
:func:`to_pdf` renders the same HTML with fpdf2 (pure Python: no browser, no system
library) in its core font, Helvetica: quick, but Latin-1 only, so the few other
characters the text may hold are spelled out (``≤`` as ``<=``, ``ε`` as ``epsilon``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = ["Section", "Table", "Bullets", "Markdown", "to_html", "to_pdf", "body_html",
           "markdown_to_html"]


@dataclass(frozen=True)
class Table:
    header: tuple
    rows: tuple
    caption: str = ""
    widths: tuple = ()  # percent per column (the PDF's column widths); () = equal


@dataclass(frozen=True)
class Bullets:
    items: tuple


@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple = field(default_factory=tuple)
    level: int = 2


# -- Markdown (the subset the data card uses) ----------------------------------------------
_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<i>\1</i>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r"\1"),
)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


def markdown_to_html(text: str, *, shift: int = 0) -> str:
    """Headings, paragraphs, quotes, lists and pipe tables to HTML (headings shifted)."""
    out, para, items, kind, table = [], [], [], "", []

    def flush():
        nonlocal para, items, kind, table
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(i)}</li>" for i in items)
                       + f"</{kind}>")
        if table:
            rows = [r for r in table if not re.fullmatch(r"\|?[\s:|-]+\|?", r)]
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            head = "".join(f"<th>{_inline(c)}</th>" for c in cells[0])
            body = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>"
                           for r in cells[1:])
            out.append(f'<table border="1"><thead><tr>{head}</tr></thead>'
                       f"<tbody>{body}</tbody></table>")
        para, items, kind, table = [], [], "", []

    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        bullet = re.match(r"[-*]\s+(.*)", stripped)
        number = re.match(r"\d+\.\s+(.*)", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + shift, 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif stripped.startswith("|"):
            if not table:
                flush()
            table.append(stripped)
        elif stripped.startswith(">"):
            flush()
            out.append(f"<blockquote>{_inline(stripped.lstrip('> '))}</blockquote>")
        elif bullet or number:
            new = "ul" if bullet else "ol"
            if para or (kind and kind != new):
                flush()
            kind = new
            items.append((bullet or number).group(1))
        elif items:
            items[-1] += " " + stripped
        else:
            para.append(stripped)
    flush()
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------------------
_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #888; padding: 0.25em 0.5em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
.status-green { background: #d9f2e6; } .status-amber { background: #fff1cc; }
.status-red { background: #fbdcd9; }
blockquote { border-left: 4px solid #888; margin: 0.6em 0; padding-left: 0.8em; }
"""


def _block_html(block) -> str:
    if isinstance(block, str):
        return f"<p>{html.escape(block, quote=False)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{html.escape(str(i), quote=False)}</li>"
                                for i in block.items) + "</ul>"
    if isinstance(block, Markdown):
        return markdown_to_html(block.text, shift=1)
    if isinstance(block, Table):
        widths = block.widths or (None,) * len(block.header)
        head = "".join((f'<th width="{w}%">' if w else "<th>") + f"{html.escape(str(h))}</th>"
                       for h, w in zip(block.header, widths))
        rows = []
        for row in block.rows:
            status = next((c for c in row if c in ("green", "amber", "red")), None)
            cls = f' class="status-{status}"' if status else ""
            rows.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(c))}</td>"
                                               for c in row) + "</tr>")
        caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption \
            else ""
        return (f'<table border="1">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")
    raise TypeError(f"Unknown block {type(block).__name__}.")


def body_html(title: str | None, sections, *, level_shift: int = 0) -> str:
    """The document as HTML without the page around it: its title (if any) and sections,
    headings moved ``level_shift`` levels down (to sit inside another page)."""
    parts = [f"<h{1 + level_shift}>{html.escape(title)}</h{1 + level_shift}>"] if title \
        else []
    for section in sections:
        level = min(section.level + level_shift, 6)
        parts.append(f"<h{level}>{html.escape(section.title)}</h{level}>")
        parts.extend(_block_html(block) for block in section.blocks)
    return "\n".join(parts)


def to_html(title: str, sections) -> str:
    """One self-contained HTML page (inline CSS, no script, no outside resource)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
            f"{body_html(title, sections)}\n</body></html>\n")


# -- PDF -----------------------------------------------------------------------------------
#: Characters outside Latin-1 that the dossier may hold, spelled with ones that print in
#: the PDF's core font (Helvetica); anything else becomes "?".
_LATIN1 = {"≤": "<=", "≥": ">=", "ε": "epsilon", "–": "-", "—": "-", "·": "-", "’": "'",
           "‘": "'", "“": '"', "”": '"', "→": "->", "×": "x", "≈": "~", "…": "...",
           "•": "-", "−": "-", "€": "EUR"}


def _pdf_html(html_text: str) -> str:
    """fpdf2's HTML subset in Latin-1: no caption or class; status words stay in cells."""
    html_text = re.sub(r"<caption>(.*?)</caption>", "", html_text)
    html_text = re.sub(r' class="[^"]*"', "", html_text)
    html_text = "".join(_LATIN1.get(ch, ch) for ch in html_text)
    return html_text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(title: str, sections) -> bytes:
    """The same document as a PDF (fpdf2, core font), A4, numbered pages."""
    from fpdf import FPDF

    footer = _pdf_html(title)

    class _PDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("helvetica", size=8)
            self.cell(0, 8, f"{footer} - page {self.page_no()}", align="C")

    pdf = _PDF(format="A4")
    pdf.set_title(footer)
    pdf.set_creator("teachkit")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.write_html(_pdf_html(body_html(title, sections)), font_family="helvetica",
                   warn_on_tags_not_matching=False)
    return bytes(pdf.output())
