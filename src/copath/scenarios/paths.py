r"""Path-specific effects: the total effect of a source on a target, split by path.

Every parent enters its children linearly on the link scale (an exposure as given, a
count or proportion parent through its linear predictor, a continuous parent through
its value, which keeps its residual), so a change :math:`\delta` of the source moves the
target's linear predictor by exactly

.. math:: \Delta\eta_{target} = \delta \sum_{p \in \text{paths}} \prod_{\ell \in p} \beta_\ell,

the same in every row. On the target's natural scale (a rate, a share, or the mean),
the total effect per draw is the change in the mean over rows (weighted by the
target's offset or trials, as in :mod:`copath.scenarios.forward`) of the expected value,
:math:`\overline{g(\eta + \Delta\eta)} - \overline{g(\eta)}`. For a nonlinear link the
parts are defined by splitting that natural-scale total in proportion to the paths'
link-scale contributions :math:`\delta\prod\beta`: they add up to the total exactly, and
for a continuous target they are the products themselves. The direct effect is the
one-link path.

``delta`` is in the source's unit for an exposure or a continuous node, and on the
link scale (log rate or logit) for a count or proportion source.

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y, with x -> y (``cp.fit``
returns one):

>>> eff = path_effects(rec, "x", "y", delta=0.2)
>>> t = eff.table()
>>> list(t.index)
['total', 'direct', 'x -> c -> p -> y', 'x -> y']
>>> bool(abs(t.loc["total", "mean"] - t.loc[["x -> c -> p -> y", "x -> y"], "mean"].sum()) < 1e-9)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.model.record import FitRecord
from copath.scenarios.forward import forward_of
from copath.scenarios.scenario import hdi_1d

__all__ = ["PathEffects", "path_effects"]


@dataclass
class PathEffects:
    """Total, direct and per-path effect draws of ``source`` on ``target``."""

    source: str
    target: str
    delta: float
    total: np.ndarray
    paths: dict[str, np.ndarray]
    unit: str

    @property
    def direct(self) -> np.ndarray:
        key = f"{self.source} -> {self.target}"
        return self.paths.get(key, np.zeros_like(self.total))

    def table(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Rows: total, direct, then every path; mean, HDI and share of the total.

        Parameters
        ----------
        prob
            Probability mass of the HDIs (default :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``effect`` (``"total"``, ``"direct"``, then each path as
            ``"a -> b -> c"``), with columns ``mean``, ``hdi_low``, ``hdi_high`` (in the
            target's natural unit) and ``share_of_total`` (the row's mean over the total's
            mean; NaN when the total's mean is 0). ``direct`` is zero when there is no
            ``source -> target`` link.
        """
        rows = []
        total_mean = float(self.total.mean())
        items = [("total", self.total), ("direct", self.direct)] + list(self.paths.items())
        for label, draws in items:
            lo, hi = hdi_1d(draws, prob)
            rows.append({
                "effect": label, "mean": float(draws.mean()), "hdi_low": lo, "hdi_high": hi,
                "share_of_total": float(draws.mean() / total_mean) if total_mean else float("nan"),
            })
        return pd.DataFrame(rows).set_index("effect")

    def describe(self, prob: float = HDI_PROB) -> str:
        """One sentence: the total effect with its HDI, the direct effect and the largest paths.

        Parameters
        ----------
        prob
            Probability mass of the HDI of the total (default :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        str
            The change of ``target`` (in its unit) for a change of ``delta`` in ``source``,
            with its HDI, the direct effect's mean, and the means of up to three paths
            with the largest absolute mean.
        """
        t = self.table(prob)
        p = int(round(prob * 100))
        top = t.drop(index=["total", "direct"]).sort_values("mean", key=np.abs, ascending=False)
        parts = "; ".join(f"{k}: {v:+.3g}" for k, v in top["mean"].head(3).items())
        return (f"A change of {self.delta:g} in {self.source} changes {self.target} by "
                f"{t.loc['total', 'mean']:+.3g} {self.unit} ({p}% HDI {t.loc['total', 'hdi_low']:+.3g} to "
                f"{t.loc['total', 'hdi_high']:+.3g}); direct {t.loc['direct', 'mean']:+.3g}; "
                f"largest paths: {parts}.")


def path_effects(result: FitRecord, source: str, target: str, delta: float = 1.0) -> PathEffects:
    """Total effect of ``source`` on ``target`` and its split by directed path."""
    pw = result.pathway
    for node in (source, target):
        if node not in pw.nodes:
            raise ValueError(f"unknown node {node!r}")
    if not pw.nodes[target].node_kind.endogenous:
        raise ValueError(f"{target!r} is an exposure: nothing acts on it")
    graph = pw.to_networkx()
    paths = list(nx.all_simple_paths(graph, source, target))
    if not paths:
        raise ValueError(f"there is no directed path from {source!r} to {target!r}")
    forward = forward_of(result)
    beta = forward.draws.beta  # (S, L)
    link_pos = {name: i for i, name in enumerate(forward.plan.link_names)}
    contributions = {}
    for path in paths:
        prod = np.full(beta.shape[0], float(delta))
        for a, b in zip(path[:-1], path[1:], strict=True):
            prod = prod * beta[:, link_pos[f"{a} -> {b}"]]
        contributions[" -> ".join(path)] = prod
    shift = sum(contributions.values())  # (S,)
    before = np.empty_like(shift)
    after = np.empty_like(shift)
    rows = np.arange(forward.prepared.n_rows)
    for sl, eta in forward.baseline_eta_chunks(target):  # weighted over rows as scenarios are
        before[sl] = forward.average(target, forward.natural(target, eta), rows)
        after[sl] = forward.average(target, forward.natural(target, eta + shift[sl, None]), rows)
    total = after - before
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.abs(shift) > 1e-300, total / shift, 0.0)
    parts = {name: ratio * c for name, c in contributions.items()}
    return PathEffects(source, target, float(delta), total, parts, pw.nodes[target].unit_label)
