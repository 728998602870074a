"""The report as data: sections of paragraphs, tables, figures, warnings and checklists.

:mod:`.content` fills a :class:`Document` from a result; :mod:`.render_html` and
:mod:`.render_markdown` turn the same document into HTML or Markdown, so the two
formats cannot drift apart. Every string here is plain text (never markup): the
renderers escape it.

Example
-------
>>> doc = Document("Report", [Section("s", "A section", [Paragraph("Hello <b>")])])
>>> [s.title for s in doc.sections]
['A section']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Paragraph", "Table", "Figure", "Callout", "Checklist", "Code", "Section", "Document", "Block"]


@dataclass(frozen=True)
class Paragraph:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table; ``float_digits`` significant digits for floats."""

    frame: pd.DataFrame
    caption: str = ""
    float_digits: int = 3
    index: bool = True


@dataclass(frozen=True)
class Figure:
    """A figure with its alternative text: PNG bytes or SVG bytes (vector; the renderers use
    it when given, so ``png`` may then be None); ``natural_size`` shows it at its own size
    (scrolling sideways if wider than the page) so its text keeps its point size."""

    name: str
    png: bytes | None
    alt: str
    caption: str = ""
    svg: bytes | None = None
    natural_size: bool = False

    def __post_init__(self) -> None:
        if self.png is None and self.svg is None:
            raise ValueError(f"figure {self.name!r} has neither PNG nor SVG bytes")


@dataclass(frozen=True)
class Callout:
    """A highlighted line: ``kind`` is ``"pass"``, ``"fail"`` or ``"note"``; ``href`` makes
    it a link (e.g. ``"#diagnostics"``)."""

    kind: str
    text: str
    href: str = ""


@dataclass(frozen=True)
class Checklist:
    """Unticked items under headings: ``groups`` is [(heading, [(item, detail), ...])]."""

    groups: list[tuple[str, list[tuple[str, str]]]]
    source: str = ""


@dataclass(frozen=True)
class Code:
    """Pre-formatted text (e.g. the reproducibility block)."""

    text: str


Block = Paragraph | Table | Figure | Callout | Checklist | Code


@dataclass
class Section:
    """A titled section; ``id`` is its anchor."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """A titled list of sections."""

    title: str
    sections: list[Section]
    subtitle: str = ""
