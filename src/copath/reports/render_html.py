"""A :class:`~copath.reports.document.Document` as one self-contained HTML file.

Figures are embedded as base64 PNG data URIs and the style sheet is inline, so the
file needs no network and opens in any browser; there is no script. Every piece of
text is escaped with :func:`html.escape`, so a node label such as
``<script>alert(1)</script>`` shows as text.

Example
-------
>>> from copath.reports.document import Document, Paragraph, Section
>>> page = to_html(Document("T", [Section("a", "A", [Paragraph("<script>alert(1)</script>")])]))
>>> "<script>" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page
(False, True)
"""

from __future__ import annotations

import base64
from html import escape

from copath.display import format_frame
from copath.reports.document import Block, Callout, Checklist, Code, Document, Figure, Paragraph, Table

__all__ = ["to_html"]

_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
nav ul{columns:2;font-size:.95em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.85em;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}caption{caption-side:top;text-align:left;font-weight:600;padding:.3em 0}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figure.natural{overflow-x:auto}figure.natural img{max-width:none}
.callout a{color:inherit;font-weight:600}
figcaption{font-size:.85em;color:#555}
.callout{padding:.5em .8em;border-left:5px solid;margin:.6em 0}
.pass{border-color:#2e7d32;background:#e8f5e9}.fail{border-color:#c62828;background:#ffebee}
.note{border-color:#1565c0;background:#e3f2fd}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}
ul.check{list-style:none;padding-left:1em}ul.check li:before{content:'\\2610  '}
.subtitle{color:#555}
"""


def _table(block: Table) -> str:
    frame = format_frame(block.frame, block.float_digits)
    body = frame.to_html(index=block.index, escape=True, border=0)  # escapes every cell and header
    if block.caption:
        # after the opening <table ...> tag
        body = body.replace(">", f"><caption>{escape(block.caption)}</caption>", 1)
    return body


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        # an SVG in an <img> runs no script and loads nothing: as safe as the PNG
        mime, raw = ("image/svg+xml", block.svg) if block.svg is not None else ("image/png", block.png)
        data = base64.b64encode(raw).decode("ascii")
        cap = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
        cls = ' class="natural"' if block.natural_size else ""
        return f'<figure{cls}><img src="data:{mime};base64,{data}" alt="{escape(block.alt)}">{cap}</figure>'
    if isinstance(block, Callout):
        text = escape(block.text)
        if block.href:
            text = f'<a href="{escape(block.href)}">{text}</a>'
        return f'<div class="callout {escape(block.kind)}">{text}</div>'
    if isinstance(block, Checklist):
        parts = []
        for heading, items in block.groups:
            lis = "".join(f"<li><strong>{escape(name)}</strong>: {escape(detail)}</li>" for name, detail in items)
            parts.append(f"<h3>{escape(heading)}</h3><ul class=\"check\">{lis}</ul>")
        if block.source:
            parts.append(f"<p><em>Source: {escape(block.source)}</em></p>")
        return "".join(parts)
    if isinstance(block, Code):
        return f"<pre>{escape(block.text)}</pre>"
    raise TypeError(f"unknown block {type(block).__name__}")


def to_html(doc: Document) -> str:
    """The whole page (UTF-8 text)."""
    nav = "".join(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a></li>' for s in doc.sections)
    sections = "".join(
        f'<section id="{escape(s.id)}"><h2>{escape(s.title)}</h2>{"".join(_block(b) for b in s.blocks)}</section>'
        for s in doc.sections
    )
    subtitle = f'<p class="subtitle">{escape(doc.subtitle)}</p>' if doc.subtitle else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(doc.title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(doc.title)}</h1>{subtitle}<nav><ul>{nav}</ul></nav>{sections}</body></html>\n"
    )
