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

__all__ = ["Aggregation", "aggregate_rows", "group_eta", "group_means"]


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
