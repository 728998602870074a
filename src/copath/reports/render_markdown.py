"""A :class:`~copath.reports.document.Document` as Markdown, figures as PNG files beside it.

Text is escaped for Markdown renderers that accept inline HTML: ``<``, ``>`` and
``&`` become entities, and ``|`` inside table cells is escaped, so user strings
(node labels, quotes) can neither inject markup nor break a table.

Example
-------
>>> from copath.reports.document import Document, Paragraph, Section
>>> text, files = to_markdown(Document("T", [Section("a", "A", [Paragraph("<b>x|y</b>")])]), "fig")
>>> "&lt;b&gt;x|y&lt;/b&gt;" in text, files
(True, {})
"""

from __future__ import annotations

from copath.display import format_frame
from copath.reports.document import Block, Callout, Checklist, Code, Document, Figure, Paragraph, Table

__all__ = ["to_markdown", "md_escape"]


def md_escape(text: str, cell: bool = False) -> str:
    """Escape ``&``, ``<``, ``>`` (and ``|`` and newlines inside a table cell)."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if cell:
        out = out.replace("|", "\\|").replace("\n", " ")
    return out


def _table(block: Table) -> str:
    frame = format_frame(block.frame, block.float_digits)
    if block.index:
        frame = frame.reset_index()
    head = "| " + " | ".join(md_escape(c, cell=True) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(md_escape(v, cell=True) for v in row) + " |" for row in frame.itertuples(index=False)]
    caption = f"*{md_escape(block.caption)}*\n\n" if block.caption else ""
    return caption + "\n".join([head, rule, *rows])


def _block(block: Block, figure_dir: str, files: dict[str, bytes]) -> str:
    if isinstance(block, Paragraph):
        return md_escape(block.text)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        ext, raw = ("svg", block.svg) if block.svg is not None else ("png", block.png)
        rel = f"{figure_dir}/{block.name}.{ext}"
        files[rel] = raw
        cap = f"\n\n*{md_escape(block.caption)}*" if block.caption else ""
        return f"![{md_escape(block.alt)}]({rel}){cap}"
    if isinstance(block, Callout):
        mark = {"pass": "PASS", "fail": "FAIL", "note": "Note"}.get(block.kind, block.kind)
        text = f"[{md_escape(block.text)}]({block.href})" if block.href else md_escape(block.text)
        return f"> **{mark}**: {text}"
    if isinstance(block, Checklist):
        parts = []
        for heading, items in block.groups:
            parts.append(f"### {md_escape(heading)}\n")
            parts.extend(f"- [ ] **{md_escape(name)}**: {md_escape(detail)}" for name, detail in items)
            parts.append("")
        if block.source:
            parts.append(f"*Source: {md_escape(block.source)}*")
        return "\n".join(parts)
    if isinstance(block, Code):
        return "```\n" + block.text.replace("```", "'''") + "\n```"
    raise TypeError(f"unknown block {type(block).__name__}")


def to_markdown(doc: Document, figure_dir: str) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and the figure files it links to (relative path -> PNG bytes)."""
    files: dict[str, bytes] = {}
    parts = [f"# {md_escape(doc.title)}"]
    if doc.subtitle:
        parts.append(f"*{md_escape(doc.subtitle)}*")
    parts.append("\n".join(f"- [{md_escape(s.title)}](#{s.id})" for s in doc.sections))
    for s in doc.sections:
        parts.append(f'<a id="{s.id}"></a>\n\n## {md_escape(s.title)}')
        parts.extend(_block(b, figure_dir, files) for b in s.blocks)
    return "\n\n".join(parts) + "\n", files
