"""The report's figures, as PNG bytes (the DAG as SVG): the data are read off the result
here, the drawing is :mod:`copath.plotting`'s.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> dag_svg(rec)[:5] == b"<?xml"
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from copath import plotting
from copath.constants import HDI_PROB
from copath.model.record import FitRecord
from copath.scenarios.compare import compare
from copath.scenarios.scenario import Scenario
from copath.sensitivity.analysis import Sensitivity
from copath.spec.pathway import Pathway

__all__ = ["dag_svg", "prior_posterior_png", "outcomes_png", "compare_png", "tornado_png", "forest_png",
           "forest_rows"]

#: The DAG's box text in the report, in points: shown at its natural size, as readable as body text.
DAG_FONT = 10.0


def dag_svg(res: FitRecord, highlight: Sequence[str] = ()) -> bytes:
    """The pathway with its weak links (by the result's priors) dashed and the ``highlight``
    links (a scenario's paths) thick and orange, as SVG: vector, so its labels stay sharp at
    any zoom."""
    weak = [name for name, p in res.priors.items() if p.weak]
    return plotting.to_svg(res.pathway.draw(weak=weak, highlight=list(highlight), font=DAG_FONT))


def forest_rows(scenario: Scenario, prob: float = HDI_PROB) -> pd.DataFrame:
    """The rows of the answer's forest plot: every node the scenario moves, final outcomes
    first, each with its difference and HDI (a share's in percentage points), a text with
    units and the change in its expected total a year where the node has one; a node without
    local data has its starting level marked as assumed (its spec's baseline, not a measure)."""
    table = scenario.outcomes(prob)
    moved = table[(table["diff_hdi_low"] != 0) | (table["diff_hdi_high"] != 0)]
    moved = pd.concat([moved[moved["role"] == "final"], moved[moved["role"] != "final"]])
    pw = scenario.result.pathway
    with_data = scenario.result.nodes_with_data()
    per_year = 12 / scenario.months() if scenario.months() else float("nan")
    rows = []
    for node, r in moved.iterrows():
        share = pw.nodes[node].kind in ("proportion", "binary")
        k, unit = (100.0, "percentage points") if share else (1.0, r["unit"])
        start = f"{100 * r['baseline_mean']:.3g}%" if share else f"{r['baseline_mean']:.3g}"
        text = (f"{k * r['difference']:+.3g} {unit} ({k * r['diff_hdi_low']:+.3g} to {k * r['diff_hdi_high']:+.3g}), "
                f"from {start}" + ("" if node in with_data else " (assumed: no local data)"))
        if share:
            text += f" ({r['unit']})"
        if np.isfinite(r["total_difference_per_year"]):
            text += (f"; {r['total_difference_per_year']:+.3g} a year ({r['total_hdi_low'] * per_year:+.3g} to "
                     f"{r['total_hdi_high'] * per_year:+.3g})")
        if r["prior_only"]:
            text += "; rests on links without local data"
        label = pw.nodes[node].display + (" (final)" if r["role"] == "final" else "")
        rows.append({"node": node, "label": label, "mean": k * r["difference"], "low": k * r["diff_hdi_low"],
                     "high": k * r["diff_hdi_high"], "text": text, "muted": bool(r["prior_only"])})
    return pd.DataFrame(rows, columns=["node", "label", "mean", "low", "high", "text", "muted"]).set_index("node")


def forest_png(name: str, rows: pd.DataFrame, prob: float = HDI_PROB) -> bytes:
    """Scenario ``name``'s answer: each moved node's difference and HDI on its own axis
    (``rows`` from :func:`forest_rows`)."""
    title = (f"{name}: change in each node's expected value (mean, {round(prob * 100)}% HDI; grey: rests "
             "on links without local data)")
    return plotting.to_png(plotting.forest(rows, title), dpi=100)


def prior_posterior_png(summary: pd.DataFrame) -> bytes:
    """Per link, on a common scale: the posterior HDI in prior standard deviations from
    the prior mean (the prior's own interval is the grey band), so the shift and the
    narrowing the local data caused can be compared across links of any unit."""
    z = float(norm.ppf(0.5 + HDI_PROB / 2))  # summary() gives the prior's central HDI_PROB interval
    return plotting.to_png(plotting.prior_posterior(summary, z, f"{round(100 * HDI_PROB)}%"))


def outcomes_png(pathway: Pathway, draws: Mapping[str, np.ndarray]) -> bytes:
    """Histogram of each final outcome's posterior draws, in its unit."""
    panels = {pathway.nodes[n].display: (draws[n], pathway.nodes[n].unit_label) for n in pathway.outcomes}
    return plotting.to_png(plotting.histograms(panels))


def compare_png(scenarios: Sequence[Scenario]) -> bytes:
    """The scenarios side by side on the final outcomes."""
    return plotting.to_png(compare(list(scenarios)).figure)


def tornado_png(sens: Sensitivity) -> bytes:
    """The sensitivity analysis's tornado."""
    return plotting.to_png(sens.figure_tornado())
