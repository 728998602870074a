"""The report's figures, each returned as PNG bytes (matplotlib, Agg backend).

Example
-------
>>> import matplotlib.pyplot as plt
>>> png = to_png(plt.figure(figsize=(1, 1)))
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from copath.model.result import FitResult
    from copath.scenarios.scenario import Scenario
    from copath.sensitivity.analysis import Sensitivity
    from copath.spec.pathway import Pathway

__all__ = ["to_png", "dag_png", "prior_posterior_png", "outcomes_png", "compare_png", "tornado_png"]


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render and close ``fig``."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def dag_png(res: FitResult) -> bytes:
    weak = [name for name, p in res.priors.items() if p.weak]
    return to_png(res.pathway.draw(weak=weak), dpi=80)


def prior_posterior_png(summary: pd.DataFrame) -> bytes:
    """Per link, on a common scale: the posterior HDI in prior standard deviations from
    the prior mean (the prior's own interval is the grey band), so the shift and the
    narrowing the local data caused can be compared across links of any unit."""
    import matplotlib.pyplot as plt

    from scipy.stats import norm

    from copath.constants import HDI_PROB

    z = float(norm.ppf(0.5 + HDI_PROB / 2))  # summary() gives the prior's central HDI_PROB interval
    pct = f"{round(100 * HDI_PROB)}%"
    n = len(summary)
    sd = (summary["prior_hdi_high"] - summary["prior_hdi_low"]) / (2 * z)
    z_lo = (summary["post_hdi_low"] - summary["prior_mean"]) / sd
    z_hi = (summary["post_hdi_high"] - summary["prior_mean"]) / sd
    z_mean = (summary["post_mean"] - summary["prior_mean"]) / sd
    fig, ax = plt.subplots(figsize=(8, 0.26 * n + 1.3))
    y = np.arange(n)[::-1]
    ax.axvspan(-z, z, color="#ddd", label=f"prior {pct} interval")
    ax.hlines(y, z_lo, z_hi, color="#1f77b4", lw=3, label=f"posterior {pct} HDI")
    ax.plot(z_mean, y, "o", color="#1f77b4", ms=3)
    ax.axvline(0, color="#777", lw=0.6)
    ax.set_yticks(y, [f"{name}{' *' if weak else ''}" for name, weak in zip(summary.index, summary["weak"], strict=True)],
                  fontsize=7)
    ax.set_ylim(-1, n)
    ax.set_xlabel("posterior, in prior standard deviations from the prior mean (* weak link)")
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    return to_png(fig)


def outcomes_png(pathway: Pathway, draws: Mapping[str, np.ndarray]) -> bytes:
    """Histogram of each final outcome's posterior draws."""
    import matplotlib.pyplot as plt

    outcomes = list(pathway.outcomes)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.6 * len(outcomes), 2.8), squeeze=False)
    for ax, node in zip(axes[0], outcomes, strict=True):
        ax.hist(draws[node], bins=40, color="#1f77b4", alpha=0.8)
        spec = pathway.nodes[node]
        ax.set_title(spec.display, fontsize=9)
        ax.set_xlabel(spec.unit or ("rate per %g" % spec.per if spec.kind == "count" and spec.per else ""), fontsize=8)
        ax.set_yticks([])
    fig.tight_layout()
    return to_png(fig)


def compare_png(scenarios: Sequence[Scenario]) -> bytes:
    from copath.scenarios.compare import compare

    return to_png(compare(list(scenarios)).figure)


def tornado_png(sens: Sensitivity) -> bytes:
    return to_png(sens.figure_tornado())
