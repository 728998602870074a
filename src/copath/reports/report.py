"""``res.report(path)``: write the report as self-contained HTML, or Markdown for ``.md``.

HTML is one file with the figures embedded. Markdown writes ``<name>.md`` and its
figures into ``<name>_files/`` beside it. Each file is written atomically (temporary
file, then rename), so an interrupted run never leaves a half-written report in place
of a good one.

Example
-------
>>> res.report("out/report.html")  # doctest: +SKIP
>>> res.report("out/report.md", scenarios=[sc], sensitivity=sens)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from copath.io_atomic import atomic_write_bytes
from copath.reports.content import build_document
from copath.reports.render_html import to_html
from copath.reports.render_markdown import to_markdown

if TYPE_CHECKING:  # pragma: no cover
    from copath.model.result import FitResult
    from copath.scenarios.paths import PathEffects
    from copath.scenarios.scenario import Scenario
    from copath.sensitivity.analysis import Sensitivity

__all__ = ["write_report", "FORMATS"]

FORMATS = ("html", "md")


def write_report(
    res: FitResult,
    path: str | Path,
    scenarios: Sequence[Scenario] = (),
    path_effects: Sequence[PathEffects] = (),
    sensitivity: Sensitivity | None = None,
    fmt: str | None = None,
) -> Path:
    """Write the report to ``path``; the format follows the suffix (``.md`` or else HTML)
    unless ``fmt`` says. Returns the path written."""
    path = Path(path)
    fmt = fmt or ("md" if path.suffix.lower() in (".md", ".markdown") else "html")
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    doc = build_document(res, scenarios=scenarios, path_effects=path_effects, sensitivity=sensitivity)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        atomic_write_bytes(path, to_html(doc).encode("utf-8"))
        return path
    figure_dir = f"{path.stem}_files"
    text, figures = to_markdown(doc, figure_dir)
    for rel, png in figures.items():
        target = path.parent / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, png)
    atomic_write_bytes(path, text.encode("utf-8"))
    return path
