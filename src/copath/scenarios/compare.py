"""Compare scenarios on the final outcomes: one table and one figure.

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one):

>>> from copath.scenarios.scenario import build_scenario
>>> cmp = compare([build_scenario(rec, {"x": "+0.02"}, name="a bit"),
...                build_scenario(rec, {"x": "+0.05"}, name="a lot")])
>>> cmp.table.index.tolist()
[('y', 'a bit'), ('y', 'a lot')]
>>> len(cmp.figure.axes)
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from copath import plotting
from copath.constants import HDI_PROB
from copath.scenarios.scenario import Scenario

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    """``table``: one row per final outcome and scenario; ``figure``: the differences with
    their HDIs, one panel per final outcome."""

    table: pd.DataFrame
    figure: Figure


def compare(scenarios: Sequence[Scenario], prob: float = HDI_PROB) -> Comparison:
    """Table and figure of the scenarios' effects on the final outcomes.

    Parameters
    ----------
    scenarios
        Scenarios of one fitted result (``res.scenario(...)``).
    prob
        The HDI probability of the intervals.

    Returns
    -------
    Comparison
        ``table`` (index: outcome, scenario; unit, baseline and scenario means, the
        difference with its HDI, P(improves), prior-only flag) and ``figure``.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    rows = []
    for sc in scenarios:
        table = sc.outcomes(prob, uninformed=False)
        for node, row in table[table["role"] == "final"].iterrows():
            rows.append({"scenario": sc.name, "outcome": node, **row[[
                "unit", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low", "diff_hdi_high",
                "p_improves", "prior_only"]].to_dict()})
    table = pd.DataFrame(rows).set_index(["outcome", "scenario"]).sort_index(level=0, sort_remaining=False)
    return Comparison(table=table, figure=plotting.comparison(table, [sc.name for sc in scenarios], prob))
