r"""Within-area identification: a link read from change within areas, and where each link's information comes from.

A link ``x -> y`` into a node with area effects is, by default, informed by two contrasts at
once: areas with more ``x`` against areas with less (between areas), and months with more
``x`` against months with less in the same area (within areas). The random area intercepts
:math:`u_a` assume that areas' levels are unrelated to their exposures; where they are not
(areas with a scheme differ in ways the pathway does not name), the between-area contrast is
confounded and the estimate with it.

``within: true`` on the link (or on ``y``: all its links from exposures) adds the parent's
area mean :math:`\bar x_a` to the child's equation, in the within-between form (Mundlak 1978,
*Econometrica* 46:69; Bell & Jones 2015, *Political Science Research and Methods* 3:133):

.. math::

    \eta_{y,i} = \alpha_y + u_{y,a(i)} + \beta_{x \to y}\,(x_i - \bar x_{a(i)})
                 + \gamma_{x \to y}\,(\bar x_{a(i)} - c_x) + \dots

``beta[x -> y]`` (:math:`\beta`) is then the *within-area* effect, identified only by change
within areas, whatever the areas' levels; ``between[x -> y]`` (:math:`\gamma`, dim
``link_within``) is the *between-area* slope, which carries any association of the areas'
levels with their mean exposure. It has its own weakly informative default prior on the data's
scale, :math:`N(0, K \cdot 2.5\, s_y / s_{\bar x})` (:func:`copath.model.autoscale.between_prior`),
never the link's evidence: the evidence describes the causal effect, :math:`\gamma` that effect
plus whatever else differs between areas with their mean exposure. ``beta``'s default prior is
scaled by the spread of the departures :math:`x - \bar x_a` it multiplies. The area means are
the data's, over all of an area's rows.

Scenarios and path effects (:mod:`copath.scenarios.forward`) move ``x`` and hold
:math:`\bar x_a` at the data's values: the area-mean term stands for what differs between
areas (their unobserved levels among it), which an intervention on ``x`` does not change, so
a change of ``x`` acts through :math:`\beta` alone. (Reading the area mean as moving with
``x`` would add :math:`\gamma - \beta` per unit, i.e. bring the between-area contrast, and its
confounding, back into every scenario.)

Where each link is identified (:func:`identified_from`), from the parent's input over the
child's observed rows, split into its area means and the departures from them:
``within areas`` (a ``within: true`` link whose parent departs from its area means where the
child has data, :func:`departs_within`; or a parent whose area means are all equal),
``between areas`` (a parent constant within every area: the child's area intercepts are its
only rival, :mod:`copath.model.identification`), ``both``; empty where the parent's input is
not given by the data, or a ``within: true`` link's parent never departs from its area means.

The within-between contrast (:func:`within_contrast`), a Hausman-style check (Hausman 1978,
*Econometrica* 46:1251): per ``within: true`` link, the posterior of
:math:`\gamma - \beta`; a warning when its 94% highest-density interval excludes 0, i.e. when
the areas' differences and the changes within areas disagree about the effect beyond their
uncertainty. Bell & Jones (2015) show that the within-between model gives the within
estimate of a fixed-effects model and reads this difference directly.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n"
...     "  y: {kind: count, area_effects: true}\nlinks:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n")
>>> sim = cp.simulate(pw, areas=4, months=3, params={"beta": {"x -> y": 0.0}, "between": {"x -> y": 0.5}})
>>> sim.truth["between"]
{'x -> y': 0.5}
>>> from copath.model.data import prepare_data
>>> identified_from(pw, prepare_data(pw, sim.data))
{'x -> y': 'within areas'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import arviz as az
import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.spec.pathway import Pathway

__all__ = ["area_mean_name", "area_means", "within_parents", "mean_inputs", "identified_from", "within_contrast",
           "between_only", "departs_within", "IdentifiedFrom", "BETWEEN", "LINK_WITHIN", "FLAT_SHARE"]

#: The posterior variable of the between-area slopes, and its dim.
BETWEEN, LINK_WITHIN = "between", "link_within"
#: A parent's input counts as constant within areas (or between them) when that part holds less
#: than this share of its variance over the child's rows.
FLAT_SHARE = 1e-6

IdentifiedFrom = Literal["within areas", "between areas", "both", ""]


def area_mean_name(parent: str) -> str:
    """The key of ``parent``'s area means among a linear predictor's inputs (not a node name:
    it is no identifier).

    Example
    -------
    >>> area_mean_name("x")
    'x@area_mean'
    """
    return f"{parent}@area_mean"


def area_means(values: np.ndarray, area_index: np.ndarray, n_areas: int) -> np.ndarray:
    """Each area's mean of ``values`` (NaN for an area without rows).

    Example
    -------
    >>> area_means(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), 3).tolist()
    [2.0, 5.0, nan]
    """
    counts = np.bincount(area_index, minlength=n_areas).astype(float)
    sums = np.bincount(area_index, weights=values, minlength=n_areas)
    return np.divide(sums, counts, out=np.full(n_areas, np.nan), where=counts > 0)


def within_parents(pathway: Pathway) -> list[str]:
    """The parents of the ``within: true`` links (each once, in spec order)."""
    return list(dict.fromkeys(pathway.link(*n.split(" -> ")).source for n in pathway.within_links))


def mean_inputs(pathway: Pathway, values: Mapping[str, np.ndarray], area_index: np.ndarray,
                rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every ``within: true`` parent's area mean on each row (the rows ``rows``, default all),
    keyed by :func:`area_mean_name`: what :func:`copath.model.equations.linear_predictors` needs
    besides the exposures. The means are over all of an area's rows in ``values``.

    Parameters
    ----------
    pathway
        The pathway.
    values
        Column -> values over all rows (the exposures at least).
    area_index
        Each row's area position.
    rows
        The rows wanted (default: all).

    Returns
    -------
    dict[str, numpy.ndarray]

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: count, area_effects: true, within: true}\\nlinks:\\n  - {from: x, to: y}\\n"
    ...     "outcomes: [y]\\n")
    >>> mean_inputs(pw, {"x": np.array([1.0, 3.0, 5.0])}, np.array([0, 0, 1]))["x@area_mean"].tolist()
    [2.0, 2.0, 5.0]
    """
    area_index = np.asarray(area_index, dtype=int)
    n_areas = int(area_index.max()) + 1 if area_index.size else 0
    out = {}
    for parent in within_parents(pathway):
        per_row = area_means(np.asarray(values[parent], dtype=float), area_index, n_areas)[area_index]
        out[area_mean_name(parent)] = per_row if rows is None else per_row[rows]
    return out


def _split(x: np.ndarray, area: np.ndarray) -> tuple[float, float]:
    """The sums of squares of ``x`` within areas and between them (rows weigh the same)."""
    n_areas = int(area.max()) + 1
    means = area_means(x, area, n_areas)[area]
    return float(np.sum((x - means) ** 2)), float(np.sum((means - x.mean()) ** 2))


def identified_from(pathway: Pathway, data: Any) -> dict[str, IdentifiedFrom]:
    """Per link, where the child's data can inform it: ``within areas``, ``between areas`` or
    ``both`` (the module docstring); ``""`` where the parent's input is not given by the data (a
    count or proportion parent, a continuous parent without data) or the child has no data.

    Parameters
    ----------
    pathway
        The pathway.
    data
        Its prepared data (:class:`copath.model.data.PreparedData`).

    Returns
    -------
    dict[str, str]
        Link name -> where it is identified.

    Example
    -------
    >>> import copath as cp, pandas as pd
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: count, area_effects: true}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> df = pd.DataFrame({"area": [0, 0, 1, 1], "month": [1, 2, 1, 2], "x": [0.0, 0.0, 1.0, 1.0], "y": [1, 2, 3, 4]})
    >>> identified_from(pw, prepare_data(pw, df))
    {'x -> y': 'between areas'}
    """
    within = set(pathway.within_links)
    out: dict[str, IdentifiedFrom] = {}
    for link in pathway.links:
        rows = data.observed.get(link.target, np.array([], dtype=int))
        parent = pathway.nodes[link.source].node_kind
        given = not parent.endogenous or (parent.passes_value and data.observed.get(link.source, rows[:0]).size > 0)
        if link.name in within:  # identified by the departures alone: none where they never move
            out[link.name] = "within areas" if departs_within(pathway, data, link.name) else ""
            continue
        if rows.size == 0 or not given:
            out[link.name] = ""
            continue
        x = np.asarray(data.values[link.source], dtype=float)[rows]
        keep = ~np.isnan(x)
        if keep.sum() < 2:
            out[link.name] = ""
            continue
        w, b = _split(x[keep], data.area_index[rows][keep])
        total = w + b
        if total <= 0:
            out[link.name] = ""
        elif w <= FLAT_SHARE * total:
            out[link.name] = "between areas"
        elif b <= FLAT_SHARE * total:
            out[link.name] = "within areas"
        else:
            out[link.name] = "both"
    return out


def departs_within(pathway: Pathway, data: Any, link: str) -> bool:
    """Whether a ``within: true`` link's parent departs from its area mean on some row where the
    child has data (the means over all of an area's rows, as the model has them); where it never
    does, the within-area effect rests on its prior (:mod:`copath.model.identification`).

    Parameters
    ----------
    pathway
        The pathway.
    data
        Its prepared data.
    link
        A ``within: true`` link's name.

    Returns
    -------
    bool

    Example
    -------
    >>> import copath as cp, pandas as pd
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: count, area_effects: true}\\nlinks:\\n  - {from: x, to: y, within: true}\\noutcomes: [y]\\n")
    >>> df = pd.DataFrame({"area": [0, 0, 1, 1], "month": [1, 2, 1, 2], "x": [0.0, 0.0, 1.0, 1.0], "y": [1, 2, 3, 4]})
    >>> departs_within(pw, prepare_data(pw, df), "x -> y")
    False
    """
    source, target = link.split(" -> ")
    rows = data.observed.get(target, np.array([], dtype=int))
    if rows.size == 0:
        return False
    x = np.asarray(data.values[source], dtype=float)
    departures = (x - mean_inputs(pathway, data.values, data.area_index)[area_mean_name(source)])[rows]
    departures = departures[np.isfinite(departures)]
    scale = max(1.0, float(np.abs(x[np.isfinite(x)]).max())) if np.isfinite(x).any() else 1.0
    return departures.size > 1 and float(np.ptp(departures)) > 1e-12 * scale


def between_only(pathway: Pathway, data: Any) -> list[str]:
    """Links into a node with area effects whose parent varies only between areas: the child's
    area intercepts are then the estimate's only rival, and the data say little about it (see
    :mod:`copath.model.identification`).

    Parameters
    ----------
    pathway
        The pathway.
    data
        Its prepared data.

    Returns
    -------
    list[str]
        Link names, in spec order.
    """
    found = identified_from(pathway, data)
    return [n for n, where in found.items()
            if where == "between areas" and pathway.nodes[n.split(" -> ")[1]].area_effects]


def within_contrast(posterior: Any, prob: float = HDI_PROB) -> pd.DataFrame:
    """The within-between contrast of every ``within: true`` link (a Hausman-style check; the
    module docstring): the posterior of the within-area effect ``beta``, the between-area slope
    ``between`` and their difference ``between - beta``, with ``differ`` True when the
    difference's ``prob`` highest-density interval excludes 0.

    Parameters
    ----------
    posterior
        A fit's posterior (``xarray.Dataset`` with ``beta`` and, for within links, ``between``).
    prob
        The interval's probability (default 0.94).

    Returns
    -------
    pandas.DataFrame
        Indexed by link, columns ``within_mean``, ``within_low``, ``within_high``,
        ``between_mean``, ``between_low``, ``between_high``, ``difference_mean``,
        ``difference_low``, ``difference_high``, ``differ``. Empty without within links.
    """
    columns = ["within_mean", "within_low", "within_high", "between_mean", "between_low", "between_high",
               "difference_mean", "difference_low", "difference_high", "differ"]
    if BETWEEN not in posterior:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="link"))
    rows = {}
    for link in posterior[BETWEEN].coords[LINK_WITHIN].values:
        beta = np.asarray(posterior["beta"].sel(link=link).values, dtype=float).ravel()
        gamma = np.asarray(posterior[BETWEEN].sel({LINK_WITHIN: link}).values, dtype=float).ravel()
        row: dict[str, Any] = {}
        for label, draws in (("within", beta), ("between", gamma), ("difference", gamma - beta)):
            low, high = az.hdi(draws, prob=prob)
            row.update({f"{label}_mean": float(draws.mean()), f"{label}_low": float(low),
                        f"{label}_high": float(high)})
        row["differ"] = bool(row["difference_low"] > 0 or row["difference_high"] < 0)
        rows[str(link)] = row
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table.index.name = "link"
    return table
