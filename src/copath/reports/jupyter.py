"""Compact HTML for Jupyter (``_repr_html_``): the DAG and nodes of a Pathway, the link
table and diagnostics of a FitResult, the outcome table of a Scenario. Every user
string is escaped.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
...     "  y: {kind: count, label: '<script>alert(1)</script>'}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
>>> page = pathway_html(pw)
>>> "<script>" in page, "data:image/png;base64," in page
(False, True)
"""

from __future__ import annotations

import base64
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from copath.reports.render_html import format_frame

if TYPE_CHECKING:  # pragma: no cover
    from copath.model.result import FitResult
    from copath.scenarios.scenario import Scenario
    from copath.spec.pathway import Pathway

__all__ = ["pathway_html", "result_html", "scenario_html", "frame_html"]


def frame_html(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as an escaped HTML table with floats to ``digits`` significant digits."""
    return format_frame(frame, digits).to_html(escape=True, border=0)


def pathway_html(pw: Pathway) -> str:
    from copath.reports.figures import to_png

    png = base64.b64encode(to_png(pw.draw(weak=[]), dpi=60)).decode("ascii")
    rows = [{"node": n, "label": node.label, "kind": node.kind, "unit": node.unit,
             "role": "exposure" if n in pw.exposures else ("final outcome" if n in pw.outcomes else "intermediate")}
            for n, node in pw.nodes.items()]
    table = frame_html(pd.DataFrame(rows).set_index("node"))
    return (f"<div><p><strong>{escape(pw.name)}</strong>: {len(pw.nodes)} nodes, {len(pw.links)} links</p>"
            f'<img src="data:image/png;base64,{png}" alt="{escape(pw.name)} pathway" style="max-width:100%">'
            f"<details><summary>nodes</summary>{table}</details></div>")


def result_html(res: FitResult) -> str:
    diag = res.diagnostics()
    colour = "#2e7d32" if diag.passed else "#c62828"
    cols = ["grade", "weak", "prior_mean", "post_mean", "post_hdi_low", "post_hdi_high", "contraction", "r_hat",
            "ess_bulk"]
    return (f"<div><p>{escape(repr(res))}</p>"
            f'<p style="color:{colour}">{escape(str(diag).splitlines()[0])}</p>'
            f"{frame_html(res.summary()[cols])}</div>")


def scenario_html(sc: Scenario) -> str:
    cols = ["role", "unit", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low", "diff_hdi_high",
            "p_improves", "prior_only"]
    text = "".join(f"<p>{escape(line)}</p>" for line in sc.describe().splitlines())
    return f"<div>{text}{frame_html(sc.outcomes()[cols])}</div>"
