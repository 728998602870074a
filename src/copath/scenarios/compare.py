"""Compare scenarios on the final outcomes: one table and one figure.

Example
-------
>>> import copath as cp  # doctest: +SKIP
>>> cmp = cp.compare([res.scenario({"nw_coverage": "+0.2"}), res.scenario({"peer_mentoring": 0.5})])  # doctest: +SKIP
>>> cmp.table; cmp.figure  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from copath.constants import HDI_PROB  # noqa: E402
from copath.scenarios.scenario import Scenario  # noqa: E402

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    """``table``: one row per scenario and final outcome; ``figure``: differences with HDIs."""

    table: pd.DataFrame
    figure: "matplotlib.figure.Figure"


def compare(scenarios: Sequence[Scenario], prob: float = HDI_PROB) -> Comparison:
    """Table and figure of the scenarios' effects on the final outcomes."""
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    rows = []
    for sc in scenarios:
        table = sc.outcomes(prob)
        for node, row in table[table["role"] == "final"].iterrows():
            rows.append({"scenario": sc.name, "outcome": node, **row[[
                "unit", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low", "diff_hdi_high",
                "p_improves", "prior_only"]].to_dict()})
    table = pd.DataFrame(rows).set_index(["outcome", "scenario"]).sort_index(level=0, sort_remaining=False)
    outcomes = list(dict.fromkeys(table.index.get_level_values(0)))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 0.6 * len(scenarios) + 1.8),
                             squeeze=False, sharey=True)
    names = [sc.name for sc in scenarios]
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        part = table.loc[outcome]
        for i, name in enumerate(names):
            r = part.loc[name]
            colour = "#2b4c7e" if not r["prior_only"] else "#9a9a9a"
            ax.plot([r["diff_hdi_low"], r["diff_hdi_high"]], [i, i], color=colour, lw=2)
            ax.plot(r["difference"], i, "o", color=colour)
        ax.axvline(0, color="#999999", lw=0.8, ls=":")
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel(f"difference ({part['unit'].iloc[0]})", fontsize=8)
    axes[0][0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0][0].invert_yaxis()
    fig.suptitle(f"Scenario effects on the final outcomes (mean and {int(prob * 100)}% HDI; grey: prior-only links)",
                 fontsize=10)
    fig.tight_layout()
    return Comparison(table=table, figure=fig)
