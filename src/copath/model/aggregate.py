r"""Nodes observed only at a coarser level than the model's rows (a survey per borough and quarter).

The model runs at the data's rows (area x month); a node with ``observed_at: [borough,
quarter]`` is observed once per group of rows sharing those columns. Its likelihood is
on the group's aggregate of the node's *expected* value over the group's rows
:math:`R_g` (every row of the group, whether or not the node's column has a value there):

- a proportion: the weighted mean share
  :math:`\bar p_g = \sum_{i \in R_g} w_i\,\operatorname{logit}^{-1}\eta_i / \sum_{i \in R_g} w_i`
  with :math:`w_i` the node's ``weight`` column (e.g. residents; equal weights without
  one), and the group's successes :math:`y_g \sim \text{Binomial}(n_g, \bar p_g)` (or
  beta-binomial), :math:`n_g` its ``trials`` (respondents, or an effective sample size
  with ``given_as: share``);
- a count: the group total :math:`y_g \sim \text{Poisson}(\sum_{i \in R_g} s_i e^{\eta_i})`
  (or negative binomial), :math:`s_i` the row's offset / ``per``.

Both enter the node's own likelihood through the group's link-scale value
(:func:`group_eta`: :math:`\operatorname{logit}\bar p_g`, or the log of the
offset-weighted mean rate with size :math:`\sum s_i`), so the kind's kernels are reused.
Children of the node still see its row-level :math:`\eta_i`.

**The dispersion is the group figures'.** A negative-binomial count or beta-binomial
proportion observed at a coarser level has a dispersion of its group figures,
:math:`y_g \sim \text{NB2}(\mu_g, \phi_g)` with :math:`\mu_g = \sum_{i \in R_g} s_i e^{\eta_i}`
(or :math:`y_g \sim \text{BetaBinomial}(n_g, \bar p_g\kappa_g, (1 - \bar p_g)\kappa_g)`), not
the rows' dispersion. A row dispersion could not be reused there: for :math:`m` independent
rows :math:`y_i \sim \text{NB2}(\mu_i, \phi)`, :math:`\operatorname{Var} y_i = \mu_i + \mu_i^2/\phi`,
the sum has mean :math:`\mu_g = \sum\mu_i` and variance :math:`\mu_g + \sum_i \mu_i^2/\phi`,
while an NB2 with dispersion :math:`\phi'` has :math:`\mu_g + \mu_g^2/\phi'`; the moments match
at :math:`\phi' = \phi\,\mu_g^2/\sum_i\mu_i^2`, which is :math:`m\phi` for equal rows (and
only then is the sum exactly negative binomial: NB(:math:`m\phi`, p) as a sum of NB(:math:`\phi`, p)
with one p; Johnson, Kemp & Kotz 2005, *Univariate Discrete Distributions*, 3rd ed., sec. 5.1).
So the sum of NB(:math:`\phi`) rows is not NB(:math:`\phi`), and its dispersion depends on the
group's size and make-up. Likewise a survey's group figure is not a sum of row surveys:
its :math:`n_g` respondents are drawn from the whole group. And the node has no row
observations from which a row dispersion could be learnt. The model therefore has one
parameter, the group figures' own (:math:`1/\sqrt{\phi_g}`, :math:`\kappa_g^{-1/2}`), estimated
from the group figures, with its own prior (:data:`copath.kinds.count.GROUP_NB_SCALE`,
:data:`copath.kinds.proportion.GROUP_BB_SCALE`) and its own label along the noise dim,
``"<node>@<group columns>"`` (``inv_sqrt_phi[crime@borough x quarter]``;
:meth:`copath.kinds.NodeKind.noise_label`). It also takes up differences between groups
that the links do not explain (the node has no area or time effects of its own).
Predictive draws (prior and posterior predictive) of the node are drawn from this
group-level likelihood, one per group, never as row draws summed; :func:`copath.simulate`
draws the group figures the same way (:func:`draw_group_figures`).

The data hold the group's figure in the node's column on the group's rows (merge the
survey table onto the rows by the group columns): every value given within a group must
agree, and rows without a value still belong to their group. The rows' group columns
must be present in every row.

Example
-------
>>> import numpy as np, pandas as pd, copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n"
...     "  p: {kind: proportion, trials: n, observed_at: [borough], weight: pop}\n"
...     "links:\n  - {from: x, to: p}\noutcomes: [p]\n")
>>> df = pd.DataFrame({"area": ["a", "b", "c"], "month": 1, "x": [0.0, 1.0, 2.0], "borough": ["B1", "B1", "B2"],
...                    "p": [30, 30, np.nan], "n": [100, 100, np.nan], "pop": [1.0, 3.0, 2.0]})
>>> from copath.model.data import prepare_data
>>> agg = prepare_data(pw, df).aggregated["p"]
>>> agg.labels, agg.y.tolist(), agg.size.tolist(), agg.weights.tolist()
(['B1'], [30.0], [100.0], [0.25, 0.75])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytensor.tensor as pt

from copath.spec.pathway import Node

__all__ = ["Aggregation", "aggregate_rows", "draw_group_figures", "group_eta", "group_means"]


@dataclass(frozen=True)
class Aggregation:
    """One node's groups that have an observation: their rows, weights and figures.

    ``rows`` are the data rows of the observed groups and ``group`` each one's group
    position; ``weights`` sum to 1 within each group; ``first`` is one row per group (the
    node's observed rows elsewhere in copath); ``y`` is the group's successes (or
    successes-equivalent share x sample size) or count, ``size`` its trials or summed
    offset / ``per``.
    """

    node: str
    by: tuple[str, ...]
    labels: list[str]
    rows: np.ndarray
    group: np.ndarray
    weights: np.ndarray
    first: np.ndarray
    y: np.ndarray
    size: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.labels)


def aggregate_rows(node: Node, frame: pd.DataFrame, values: dict[str, np.ndarray], y: np.ndarray,
                   problem: Callable[[str, str], None]) -> Aggregation | None:
    """The groups of ``node`` that have an observation in ``y`` (its column, successes-equivalent).

    Parameters
    ----------
    node
        A node with ``observed_at``.
    frame
        The data (for the group columns).
    values
        The numeric columns (offsets, trials, weights).
    y
        The node's values per row, NaN where not given.
    problem
        Called with (column, message) for each problem found; None is then returned.

    Returns
    -------
    Aggregation or None
    """
    by = list(node.observed_at)
    missing = [c for c in by if frame[c].isna().any()]
    for c in missing:
        rows = np.flatnonzero(frame[c].isna().to_numpy())[:3]
        problem(c, f"group column of {node.name} must have a value in every row; first rows without: "
                   f"{', '.join(map(str, frame.index[rows]))}")
    if missing:
        return None
    key = frame[by].astype(str).agg(" | ".join, axis=1) if len(by) > 1 else frame[by[0]].astype(str)
    codes, uniques = pd.factorize(key, sort=True)
    given = ~np.isnan(y)
    sizes = values.get(node.trials) if node.trials else None
    bad = []
    for g in np.unique(codes[given]):
        at = given & (codes == g)
        if np.ptp(y[at]) > 1e-9 * max(1.0, abs(float(y[at][0]))) or (
                sizes is not None and np.ptp(np.nan_to_num(sizes[at], nan=-1.0)) > 0):
            bad.append(uniques[g])
    if bad:
        problem(node.name, f"observed at {' x '.join(by)}: the values (and {node.trials or 'sizes'}) must agree "
                           f"within a group; they differ in {len(bad)} group(s), first: {', '.join(bad[:3])}")
        return None
    observed = np.unique(codes[given])
    keep = np.isin(codes, observed)
    rows = np.flatnonzero(keep)
    position = np.searchsorted(observed, codes[rows])
    if node.kind == "count":
        w = values[node.offset][rows] / (node.per or 1.0) if node.offset else np.ones(rows.size)
    else:
        w = values[node.weight][rows] if node.weight else np.ones(rows.size)
    total = np.bincount(position, weights=w, minlength=observed.size)
    if np.any(total <= 0):
        empty = [str(uniques[g]) for g, t in zip(observed, total, strict=True) if t <= 0]
        problem(node.weight or node.offset or node.name,
                f"the rows of {len(empty)} group(s) of {node.name} weigh nothing in all (first: {', '.join(empty[:3])})")
        return None
    first = np.array([np.flatnonzero(given & (codes == g))[0] for g in observed], dtype=int)
    size = total if node.kind == "count" else sizes[first]
    return Aggregation(node=node.name, by=tuple(by), labels=[str(uniques[g]) for g in observed], rows=rows,
                       group=position, weights=w / total[position], first=first, y=y[first], size=size)


def group_means(agg: Aggregation, natural: Any, backend: Any = np) -> Any:
    """Each group's weighted mean of ``natural`` (one value per row of ``agg.rows``, any
    draw axes first), on NumPy arrays or (``backend=pt``) PyTensor tensors.

    Example
    -------
    >>> agg = Aggregation("p", ("g",), ["a", "b"], np.arange(3), np.array([0, 0, 1]),
    ...                   np.array([0.5, 0.5, 1.0]), np.array([0, 2]), np.array([1.0, 2.0]), np.array([4.0, 4.0]))
    >>> group_means(agg, np.array([0.2, 0.4, 0.9])).round(3).tolist()
    [0.3, 0.9]
    """
    weighted = natural * agg.weights
    if backend is np:
        out = np.zeros(weighted.shape[:-1] + (agg.n_groups,))
        np.add.at(out, (..., agg.group), weighted)
        return out
    return pt.inc_subtensor(pt.zeros(agg.n_groups)[agg.group], weighted)


def group_eta(kind_name: str, agg: Aggregation, eta_rows: Any) -> Any:
    """The group's link-scale value (PyTensor) from the rows' ``eta`` (over ``agg.rows``):
    the logit of the weighted mean share, or the log of the offset-weighted mean rate.

    Example
    -------
    >>> agg = Aggregation("c", ("g",), ["a"], np.arange(2), np.array([0, 0]), np.array([0.5, 0.5]),
    ...                   np.array([0]), np.array([3.0]), np.array([2.0]))
    >>> round(float(group_eta("count", agg, pt.as_tensor_variable(np.log([1.0, 3.0]))).eval()[0]), 4)
    0.6931
    """
    if kind_name == "count":
        return pt.log(group_means(agg, pt.exp(eta_rows), backend=pt))
    mean = group_means(agg, pt.sigmoid(eta_rows), backend=pt)
    return pt.log(mean) - pt.log1p(-mean)


def draw_group_figures(node: Node, eta: np.ndarray, frame: pd.DataFrame, values: dict[str, np.ndarray],
                       noise: float | None, rng: np.random.Generator) -> np.ndarray:
    """Simulated group figures of ``node`` (with ``observed_at``), each on every row of its group.

    Every row is in a group (the group columns of ``frame``). Each group's figure is drawn
    from the group-level likelihood the model fits (see the module docstring): a count's
    group total from Poisson, or negative binomial with the group dispersion ``noise``
    (:math:`1/\\sqrt{\\phi_g}`), at the group's expected total :math:`\\sum s_i e^{\\eta_i}`; a
    proportion's successes (or share, percent) from the binomial, or beta-binomial with
    ``noise`` (:math:`\\kappa_g^{-1/2}`), at the weighted mean share with the group's ``trials``
    (which must be the same on every row of a group). The kind's own simulator draws it
    (:meth:`copath.kinds.NodeKind.simulate`), at the group's link-scale value.

    Parameters
    ----------
    node
        A count or proportion node with ``observed_at``.
    eta
        The node's linear predictor per row.
    frame
        The rows, with the group columns.
    values
        Numeric columns by name: the node's offset, or its trials and ``weight``.
    noise
        The group-level dispersion parameter, or None (Poisson, binomial).
    rng
        The random generator.

    Returns
    -------
    numpy.ndarray
        One value per row: its group's figure.

    Raises
    ------
    ValueError
        If the rows cannot be grouped (a group column with a gap, a group weighing nothing,
        trials that differ within a group).

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  c: {kind: count, observed_at: [borough]}\\nlinks:\\n  - {from: x, to: c}\\noutcomes: [c]\\n")
    >>> frame = pd.DataFrame({"borough": ["B1", "B1", "B2"]})
    >>> y = draw_group_figures(pw.nodes["c"], np.log([2.0, 3.0, 4.0]), frame, {}, None, np.random.default_rng(0))
    >>> bool(y[0] == y[1]), y.shape
    (True, (3,))
    """
    def refuse(column: str, message: str) -> None:
        raise ValueError(f"simulating {node.name}: column {column!r}: {message}")

    eta = np.broadcast_to(np.asarray(eta, dtype=float), (len(frame),))
    agg = aggregate_rows(node, frame, values, np.zeros(len(frame)), refuse)  # every group has a figure
    kind = node.node_kind
    mean = group_means(agg, kind.natural(eta[agg.rows]))
    if node.kind == "count":  # the group's expected total, as a rate on an exposure of one
        group_value = np.log(np.maximum(mean * agg.size, 1e-300))
        columns = {node.offset: np.full(agg.n_groups, node.per or 1.0)} if node.offset else {}
    else:
        group_value = kind.link(mean)
        columns = {node.trials: agg.size}
    figures = kind.simulate(node, group_value, columns, noise, rng, None)
    out = np.full(len(frame), np.nan)
    out[agg.rows] = figures[agg.group]
    return out
