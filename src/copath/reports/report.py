"""``res.report(path)``: write the report as self-contained HTML, or Markdown for ``.md``.

HTML is one file with the figures embedded. Markdown writes ``<name>.md`` and its
figures into ``<name>_files/`` beside it. Each file is written atomically (temporary
file, then rename), so an interrupted run never leaves a half-written report in place
of a good one.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one; ``res.report(path)`` calls this):

>>> import tempfile, pathlib
>>> page = write_report(rec, pathlib.Path(tempfile.mkdtemp()) / "report.html")
>>> page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from copath.io_atomic import atomic_write_bytes
from copath.model.record import FitRecord
from copath.options import ReportFormat, check
from copath.reports.content import build_document
from copath.reports.render_html import to_html
from copath.reports.render_markdown import to_markdown
from copath.scenarios.paths import PathEffects
from copath.scenarios.scenario import Scenario
from copath.sensitivity.analysis import Sensitivity
from copath.sensitivity.budget import MixResult
from copath.sensitivity.ceac import CEACResult
from copath.sensitivity.enbs import ENBSResult

__all__ = ["write_report"]


def write_report(
    res: FitRecord,
    path: str | Path,
    scenarios: Sequence[Scenario] = (),
    path_effects: Sequence[PathEffects] = (),
    sensitivity: Sensitivity | None = None,
    fmt: ReportFormat | None = None,
    worth: Sequence[pd.DataFrame] = (),
    decisions: Sequence[CEACResult | ENBSResult | MixResult] = (),
) -> Path:
    """Write the report to ``path``; the format follows the suffix (``.md`` or else HTML)
    unless ``fmt`` says.

    Parameters
    ----------
    res
        The fitted result.
    path
        The report file; Markdown's figures go to ``<stem>_files/`` beside it.
    scenarios, path_effects, sensitivity
        What the report shows besides the fit.
    fmt
        ``"html"`` or ``"md"`` (default: from the suffix).
    worth
        Value-in-pounds tables (:meth:`copath.FitResult.value_in_pounds`): the section
        "What is it worth?" when any.
    decisions
        CEAC, ENBS and best-mix results (:meth:`copath.FitResult.ceac`, ``enbs``, ``best_mix``):
        shown in "What is it worth?" as tables and figures.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    fmt = check("fmt", fmt or ("md" if path.suffix.lower() in (".md", ".markdown") else "html"), ReportFormat)
    doc = build_document(res, scenarios=scenarios, path_effects=path_effects, sensitivity=sensitivity,
                         worth=worth, decisions=decisions)
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
