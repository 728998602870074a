"""The report's figures, each as PNG bytes: the data are read off the result here, the
drawing is :mod:`copath.plotting`'s.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> dag_png(rec)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
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

__all__ = ["dag_png", "prior_posterior_png", "outcomes_png", "compare_png", "tornado_png"]


def dag_png(res: FitRecord) -> bytes:
    """The pathway with its weak links (by the result's priors) dashed."""
    weak = [name for name, p in res.priors.items() if p.weak]
    return plotting.to_png(res.pathway.draw(weak=weak), dpi=80)


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
