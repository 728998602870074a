"""Centred or non-centred area effects, chosen per area by how much data it has.

An area effect ``u[a] ~ Normal(0, area_sd)`` can be sampled through the area's level
``intercept + u[a] ~ Normal(intercept, area_sd)`` (*centred*, hierarchically: Gelfand,
Sahu & Carlin 1995, *Biometrika* 82:479) or as ``area_sd * z[a]`` with
``z[a] ~ Normal(0, 1)`` (*non-centred*). Which is easier for NUTS
depends on the data: where an area's data pin its level down much more tightly than the
spread of areas does, the non-centred ``z[a]`` and ``area_sd`` are tied along a curved
ridge and mix slowly; where the data say little, the centred form makes the funnel
between ``u`` and ``area_sd`` (Papaspiliopoulos, Roberts & Skold 2007, *Statistical
Science* 22:59; Betancourt & Girolami 2015, "Hamiltonian Monte Carlo for hierarchical
models").

The rule: area ``a`` of node ``k`` is centred when its data's information about its
level exceeds the prior's, ``I[a] * tau^2 > 1``, where ``I[a]`` is the kind's Fisher
information (:meth:`copath.kinds.base.NodeKind.area_information`: the expected count for a
Poisson node, ``n p (1 - p)`` for a binomial one, ``n / sigma^2`` for a normal one) and
``tau^2`` the spread of areas' levels in the data beyond their sampling noise and beyond
what the pathway's exposures explain (the residual variance of the areas' pooled
link-scale levels regressed on the area means of the node's upstream exposures, less the
mean of ``1 / I[a]``). Areas with
no data, and nodes whose areas barely differ, stay non-centred. The choice changes the
sampler's geometry only, not the model: both forms have the same posterior.

That moment estimate of ``tau^2`` misreads some kinds (a negative-binomial node's
overdispersion is counted as sampling noise it is not: burglary's area sd was estimated
0.60 where the truth was 0.98), so a fit started by Pathfinder re-chooses with the
posterior's own spread, ``area_sd`` from the Pathfinder draws, in place of ``tau``
(:func:`centred_from_spread`); the choice is stored with the result as the areas
centred per node (:func:`mask_to_lists`, :func:`mask_from_lists`) and the reloaded
model is built with it.

Example
-------
>>> import copath as cp
>>> from copath.model.data import prepare_data
>>> pw = cp.load_pathway("policing_coproduction")
>>> data = cp.datasets.load("synthetic_force")
>>> mask = centred_areas(pw, prepare_data(pw, data), ["burglary"])
>>> mask.shape == (1, data["area"].nunique()), bool(mask.any())
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np

from copath.model.data import PreparedData
from copath.spec.pathway import Pathway

__all__ = ["centred_areas", "area_information", "centred_from_spread", "mask_from_lists", "mask_to_lists"]


def area_information(pathway: Pathway, prepared: PreparedData, name: str) -> tuple[np.ndarray, float]:
    """Each area's information about node ``name``'s level, and the areas' spread ``tau^2``.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The prepared data.
    name
        A node with area effects.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        The information per area (in the order of ``prepared.areas``; 0 where the node has
        no data in an area), and ``tau^2`` (0 when the areas' levels differ no more than
        their sampling noise).
    """
    node = pathway.nodes[name]
    kind = node.node_kind
    n_areas = len(prepared.areas)
    rows = prepared.observed.get(name, np.array([], dtype=int))
    if rows.size == 0:
        return np.zeros(n_areas), 0.0
    y = prepared.values[name][rows]
    size = np.broadcast_to(np.asarray(kind.size(node, prepared.values, rows), dtype=float), y.shape)
    area = prepared.area_index[rows]
    totals = np.bincount(area, weights=y, minlength=n_areas)
    sizes = np.bincount(area, weights=size, minlength=n_areas)
    counts = np.bincount(area, minlength=n_areas).astype(float)
    means = np.divide(totals, counts, out=np.zeros(n_areas), where=counts > 0)
    within = float(np.sum((y - means[area]) ** 2) / max(y.size - np.count_nonzero(counts), 1))
    info = np.where(counts > 0, kind.area_information(node, totals, sizes, counts, within), 0.0)
    seen = (counts > 0) & (info > 0)
    if seen.sum() < 2:
        return info, 0.0
    levels = np.array([kind.pooled_level(t, s) for t, s in zip(totals[seen], sizes[seen], strict=True)])
    design = _exposure_means(pathway, prepared, name, seen)
    if seen.sum() - design.shape[1] < 5:  # too few areas to take the exposures out
        design = design[:, :1]
    coef, *_ = np.linalg.lstsq(design, levels, rcond=None)
    resid = levels - design @ coef
    tau2 = float(np.sum(resid**2) / (seen.sum() - design.shape[1]) - np.mean(1.0 / info[seen]))
    return info, max(tau2, 0.0)


def _exposure_means(pathway: Pathway, prepared: PreparedData, name: str, seen: np.ndarray) -> np.ndarray:
    """A constant and the area means of the exposures upstream of ``name`` that differ
    between areas: the part of the areas' spread the pathway explains, not the area effect."""
    upstream = nx.ancestors(pathway.to_networkx(), name)
    n_areas = len(prepared.areas)
    counts = np.bincount(prepared.area_index, minlength=n_areas)
    cols = [np.ones(int(seen.sum()))]
    for exposure in sorted(pathway.exposures):
        if exposure not in upstream or exposure not in prepared.values:
            continue
        x = np.nan_to_num(prepared.values[exposure])
        mean = np.bincount(prepared.area_index, weights=x, minlength=n_areas) / np.maximum(counts, 1)
        if np.ptp(mean[seen]) > 0:
            cols.append(mean[seen])
    return np.column_stack(cols)


def centred_areas(pathway: Pathway, prepared: PreparedData, area_nodes: Sequence[str]) -> np.ndarray:
    """Which area effects to sample centred: ``I[a] * tau^2 > 1`` (see the module docstring).

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The prepared data.
    area_nodes
        The nodes with area effects, in the model's ``area_node`` order.

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(len(area_nodes), n_areas)``: True where centred.

    Example
    -------
    See the module docstring.
    """
    mask = np.zeros((len(area_nodes), len(prepared.areas)), dtype=bool)
    for k, name in enumerate(area_nodes):
        info, tau2 = area_information(pathway, prepared, name)
        mask[k] = info * tau2 > 1.0
    return mask


def centred_from_spread(pathway: Pathway, prepared: PreparedData, area_nodes: Sequence[str],
                        spread: Mapping[str, float]) -> np.ndarray:
    """Which area effects to sample centred, ``I[a] * sd^2 > 1``, with the areas' sd given
    (a pilot's: the posterior median of ``area_sd`` from Pathfinder's draws) instead of
    the moment estimate ``tau``; ``I[a]`` as :func:`area_information` gives it.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The prepared data.
    area_nodes
        The nodes with area effects, in the model's ``area_node`` order.
    spread
        Node -> its areas' sd on the link scale (a node left out keeps the moment rule).

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(len(area_nodes), n_areas)``: True where centred.

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> prepared = prepare_data(pw, cp.datasets.load("synthetic_force"))
    >>> wide, narrow = (centred_from_spread(pw, prepared, ["burglary"], {"burglary": s}) for s in (1.0, 0.01))
    >>> int(wide.sum()) >= int(narrow.sum()), bool(narrow.any())
    (True, False)
    """
    mask = centred_areas(pathway, prepared, area_nodes)
    for k, name in enumerate(area_nodes):
        if name in spread:
            info, _ = area_information(pathway, prepared, name)
            mask[k] = info * float(spread[name]) ** 2 > 1.0
    return mask


def mask_to_lists(area_nodes: Sequence[str], areas: Sequence[object], mask: np.ndarray) -> dict[str, list[str]]:
    """The centred areas per node, as text (what a result stores).

    Parameters
    ----------
    area_nodes, areas
        The mask's rows and columns.
    mask
        Boolean ``(len(area_nodes), len(areas))``.

    Returns
    -------
    dict[str, list[str]]
        Every node, with its centred areas (possibly none).

    Example
    -------
    >>> mask_to_lists(["y"], ["a", "b"], np.array([[True, False]]))
    {'y': ['a']}
    """
    return {node: [str(a) for a, on in zip(areas, mask[k], strict=True) if on] for k, node in enumerate(area_nodes)}


def mask_from_lists(area_nodes: Sequence[str], areas: Sequence[object], centred: Mapping[str, Sequence[str]]
                    ) -> np.ndarray:
    """The mask :func:`mask_to_lists` stored, for the model's nodes and areas.

    Parameters
    ----------
    area_nodes, areas
        The model's area nodes and areas.
    centred
        Node -> its centred areas (as text).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If a stored node or area is not in the model (the data or spec changed).

    Example
    -------
    >>> mask_from_lists(["y"], ["a", "b"], {"y": ["b"]}).tolist()
    [[False, True]]
    """
    labels = [str(a) for a in areas]
    mask = np.zeros((len(area_nodes), len(labels)), dtype=bool)
    for node, chosen in centred.items():
        if node not in area_nodes:
            raise ValueError(f"the stored parametrisation names node {node!r}, which has no area effects here")
        unknown = sorted(set(map(str, chosen)) - set(labels))
        if unknown:
            raise ValueError(f"the stored parametrisation of {node!r} names areas not in the data: {unknown[:5]}")
        mask[list(area_nodes).index(node)] = np.isin(labels, list(map(str, chosen)))
    return mask
