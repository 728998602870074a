r"""Sufficient statistics: rows that share a node's inputs become one likelihood term.

A node's linear predictor :math:`\eta_v` depends on the data only through a few
columns: its exposures and observed continuous ancestors (reached through count and
proportion parents, which enter through their own :math:`\eta`), and the area when an
area effect enters. Rows with the same values in those columns have the same
:math:`\eta_v`, so their likelihood terms collapse without changing the posterior:

- count (Poisson): :math:`\sum_i y_i \sim \text{Poisson}(e^{\eta} \sum_i s_i)`, with
  :math:`s_i` the row's exposure (offset / per); the kernel in :math:`\eta` is the same;
- proportion (binomial): :math:`\sum_i y_i \sim \text{Binomial}(\sum_i n_i, p)`;
- continuous (normal): :math:`n_g`, :math:`\bar y_g` and the within-group sum of squares
  :math:`SS_g` give :math:`\sum_i \log N(y_i \mid \eta_g, \sigma)` exactly. Without an
  area effect :math:`\eta = Z\theta` is affine in the columns :math:`Z`, and
  :math:`\sum_i (y_i - Z_i\theta)^2 = RSS_{\min} + (\theta - \hat\theta)^\top Z^\top Z
  (\theta - \hat\theta)` needs only :math:`Z^\top Z`, the least-squares fit
  :math:`\hat\theta` and its residual sum of squares, whatever the number of rows.
  A continuous node with ``link: logit`` (mean :math:`lo + (hi-lo)\operatorname{logit}^{-1}
  \eta`) is not affine in :math:`\theta`: it collapses by group only, as do the children
  of such a node when it has no data (they see its nonlinear expected value).

Negative-binomial nodes and nodes whose inputs include imputed values (per-row
parameters) keep one term per row. The collapsed model is used for sampling only:
log likelihood, predictive draws and reports use the row-level model, so they are
unchanged. The posterior is the same; :mod:`tests.test_compact` checks that the two
log densities differ by a constant and that their posteriors agree.

Example
-------
>>> import copath as cp, pandas as pd
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
>>> df = pd.DataFrame({"area": [0, 0, 1, 1], "month": [1, 2, 1, 2], "x": [0.5, 0.5, 2.0, 2.0],
...                    "y": [1, 3, 7, 4]})
>>> from copath.model.data import prepare_data
>>> groups = plan_groups(pw, prepare_data(pw, df))
>>> groups["y"].totals.tolist(), groups["y"].sizes.tolist()
([4.0, 11.0], [2.0, 2.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copath.model.data import PreparedData
from copath.spec.pathway import Pathway

__all__ = ["NodeGroups", "input_columns", "affine_in_inputs", "plan_groups", "COLLAPSE_RATIO"]

#: A count or proportion node is collapsed when its groups are at most this share of its
#: rows (below that the row-level likelihood is as cheap).
COLLAPSE_RATIO = 0.5


@dataclass(frozen=True)
class NodeGroups:
    """One node's observed rows gathered by shared inputs.

    ``rows`` is a representative data row of each group; ``totals`` the summed outcome;
    ``sizes`` the summed exposure (count), trials (proportion) or number of rows
    (continuous); ``within_ss`` the within-group sum of squares (continuous only).
    ``columns`` and ``area`` say what the groups share. ``affine`` (continuous without an
    area effect) carries the :math:`Z^\\top Z` form: ``(gram, theta_hat, rss_min)``.
    """

    node: str
    n_rows: int
    columns: tuple[str, ...]
    area: bool
    rows: np.ndarray
    totals: np.ndarray
    sizes: np.ndarray
    within_ss: np.ndarray | None = None
    affine: tuple[np.ndarray, np.ndarray, float] | None = None

    @property
    def n_terms(self) -> int:
        """Likelihood terms after collapsing (1 for the :math:`Z^\\top Z` form)."""
        return 1 if self.affine is not None else int(self.rows.size)

    def describe(self) -> str:
        """One line, e.g. ``"crime: 7,200 rows -> 300 terms (area, x1)"``."""
        by = ", ".join((("area",) if self.area else ()) + self.columns) or "no inputs"
        form = "sufficient statistics" if self.affine is not None else f"{self.n_terms:,} terms"
        return f"{self.node}: {self.n_rows:,} rows -> {form} (shared {by})"


def _observed(data: PreparedData, name: str) -> bool:
    return name in data.values and data.observed.get(name, np.array([])).size > 0


def input_columns(pathway: Pathway, data: PreparedData, name: str) -> tuple[tuple[str, ...], bool] | None:
    """The data columns node ``name``'s linear predictor depends on, and whether an area
    effect enters; ``None`` when an imputed (per-row parameter) value or an effect of time
    (:mod:`copath.model.time`) enters.

    Example
    -------
    >>> import copath as cp, pandas as pd
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  c: {kind: count}\\n"
    ...                       "  p: {kind: proportion, trials: n}\\nlinks:\\n  - {from: x, to: c}\\n"
    ...                       "  - {from: c, to: p}\\noutcomes: [p]\\n")
    >>> df = pd.DataFrame({"area": [0, 1], "month": 1, "x": [0.0, 1.0], "c": [2, 3], "p": [1, 2], "n": 5})
    >>> input_columns(pw, prepare_data(pw, df), "p")
    (('x',), False)
    """
    if pathway.nodes[name].time:
        return None  # its season and trend: one term per month, not per input value
    columns: list[str] = []
    area = pathway.nodes[name].area_effects
    for link in pathway.links:
        if link.target != name:
            continue
        parent = pathway.nodes[link.source].node_kind
        if not parent.endogenous:
            columns.append(link.source)
        elif parent.passes_value and _observed(data, link.source):
            if np.isnan(data.values[link.source]).any():
                return None  # the missing values are imputed: one parameter per row
            columns.append(link.source)
        else:  # enters through its own linear predictor
            inner = input_columns(pathway, data, link.source)
            if inner is None:
                return None
            columns.extend(inner[0])
            area = area or inner[1]
    return tuple(dict.fromkeys(columns)), area


def affine_in_inputs(pathway: Pathway, data: PreparedData, name: str) -> bool:
    """Whether node ``name``'s linear predictor is affine in its input columns
    (:func:`input_columns`): False when a continuous ancestor without data enters through
    its expected value and that is not linear in its own inputs (a scaled logit, ``link:
    logit``), since the :math:`Z^\\top Z` form then does not hold.

    Example
    -------
    >>> import copath as cp, pandas as pd
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  s: {kind: continuous, range: [0, 10], link: logit}\\n  y: {kind: continuous}\\n"
    ...     "links:\\n  - {from: x, to: s}\\n  - {from: s, to: y}\\noutcomes: [y]\\n")
    >>> df = pd.DataFrame({"area": [0, 1, 2], "month": 1, "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 2.5]})
    >>> affine_in_inputs(pw, prepare_data(pw, df), "y")
    False
    """
    for link in pathway.links:
        if link.target != name:
            continue
        parent = pathway.nodes[link.source].node_kind
        if not parent.endogenous or (parent.passes_value and _observed(data, link.source)):
            continue
        if parent.passes_value and not parent.identity_link:
            return False
        if not affine_in_inputs(pathway, data, link.source):
            return False
    return True


def _affine_form(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    design = np.column_stack([np.ones(len(y)), z])
    theta_hat, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ theta_hat
    return design.T @ design, theta_hat, float(resid @ resid)


def plan_groups(pathway: Pathway, data: PreparedData, ratio: float = COLLAPSE_RATIO) -> dict[str, NodeGroups]:
    """For every node that gains from it, its observed rows collapsed by shared inputs.

    A continuous node without an area effect always collapses (to :math:`Z^\\top Z`) when
    its linear predictor is affine in its inputs (:func:`affine_in_inputs`); other nodes,
    and a scaled-logit continuous node (``link: logit``, a nonlinear mean), when their
    groups number at most ``ratio`` of their rows.
    Negative-binomial nodes and nodes with imputed inputs are left out.
    """
    out: dict[str, NodeGroups] = {}
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        kind = node.node_kind
        obs = data.observed.get(name, np.array([], dtype=int))
        if obs.size == 0 or not kind.collapsible(node) or name in data.aggregated:
            continue
        found = input_columns(pathway, data, name)
        if found is None:
            continue
        columns, area = found
        z = np.column_stack([data.values[c][obs] for c in columns]) if columns else np.empty((obs.size, 0))
        y = data.values[name][obs]
        if kind.affine_collapse and not area and affine_in_inputs(pathway, data, name):
            gram, theta_hat, rss = _affine_form(z, y)
            out[name] = NodeGroups(name, int(obs.size), columns, area, obs[:0], np.array([y.sum()]),
                                   np.array([float(obs.size)]), affine=(gram, theta_hat, rss))
            continue
        key = np.column_stack([z, data.area_index[obs]]) if area else z
        if key.shape[1] == 0:
            first, inverse = np.array([0]), np.zeros(obs.size, dtype=int)
        else:
            _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
            inverse = inverse.ravel()
        if first.size > ratio * obs.size:
            continue
        size = np.broadcast_to(np.asarray(kind.size(node, data.values, obs), dtype=float), (obs.size,))
        totals, sizes, within = kind.group_stats(y, inverse, size, first.size)
        out[name] = NodeGroups(name, int(obs.size), columns, area, obs[first], totals, sizes, within)
    return out
