r"""Sampling a weak mediator's mirror-symmetrised posterior, then flipping each draw back exactly.

A count or proportion node :math:`m` with little data of its own, between parents and children
that have data, passes its children its linear predictor :math:`\eta_m`. Its children's data then
fix mostly the *products* of the links into and out of it: the map :math:`R` that flips the sign of
every link into and out of :math:`m` (and of :math:`m`'s area and time effects), and moves each
child :math:`j`'s intercept by :math:`2\,\beta_{m \to j}(\alpha_m - c_m)` (:math:`c_m` the level
the child sees :math:`m` centred at, :mod:`copath.model.equations`), leaves every child's linear
predictor, and so every likelihood term below :math:`m`, unchanged. Only :math:`m`'s own data and
the priors tell :math:`\theta` from :math:`R\theta`. The posterior then has two mirror-image modes,
and NUTS chains started apart settle in different ones; chains that all settle in one, the wrong
one included, agree and pass every diagnostic (:mod:`copath.model.mirror`;
``benchmarks/bench_mediator.py``, ``benchmarks/bench_mirror.py``).

The cure here is exact. Each reflection is a volume-preserving bijection of the sampler's space
(sign flips and a shear of the intercepts; an involution), so the fit samples the symmetrised
density

.. math::

    q(\theta) \propto \sum_{g \in G} p(g\,\theta),

(:math:`G` the group the reflections generate: :math:`2^k` elements for :math:`k` mirrors that
share no link, whose reflections commute), which has the same mass in every branch, so a chain in
either samples it; then each draw is replaced by :math:`g\,\theta` with probability
:math:`p(g\,\theta) / \sum_{h} p(h\,\theta)`, which turns draws from :math:`q` into draws from
:math:`p` exactly (the density of the result at :math:`\theta'` is
:math:`\sum_g q(g^{-1}\theta')\,p(\theta') / \sum_h p(h g^{-1}\theta') \propto p(\theta')`). That
needs only the volume preservation; that the children's likelihood is unchanged is what makes the
branches' masses close, and the symmetrising worth its cost, one evaluation of the log density per
element of :math:`G` at every step.

The sample stats describe the sampled density :math:`q`: ``lp`` is :math:`\log q` (a chain's
level is comparable with the others', as the stray-chain check needs) and divergences are flagged
at the draws before the flip; ``sample_stats.mirror_element`` says which element each draw was
moved by (0: none).

**Which nodes** (:func:`weak_mediators`). A node whose children see its linear predictor (a
count, proportion or binary node) with data, whose parents have data (a count or proportion
parent's input estimated by its area's pooled level, :func:`area_levels`), whose links in and out
have no held sign, no ``within: true`` form and no sampled total, and whose children all have
data; and whose own data and priors tell the sign of its links in weakly. That is measured by the
Laplace approximation of what the mirror image costs: the mode :math:`\beta^*` of the links into
:math:`m` given :math:`m`'s own data alone (a Poisson or binomial regression on the parents, with
the links' priors and a vague one on the intercept; no area effects, whose flip would add to the
cost, and no overdispersion, so for a negative-binomial or beta-binomial node the information,
and :math:`z^2`, are overstated), and :math:`S` the curvature of its log density in :math:`\beta`
with the intercept profiled out (a Schur complement); the mirror image :math:`-\beta^*`, with the
intercept re-fitted, then lies :math:`2 z^2` lower, :math:`z^2 = \beta^{*\top} S \beta^*` (in the
model, where the reflection keeps :math:`m`'s intercept, at least that). The node is symmetrised
when :math:`z^2` is under :data:`MIRROR_Z` squared (9: a mirror branch 18 log-density units below
holds under :math:`e^{-18}` of the mass, and symmetrising would buy nothing). The screen reads
:math:`m`'s own data, not the fit's: the children's data, which fix the products, can move
:math:`\beta` along its ridge; what it misses, the diagnostics name when the chains split
(:mod:`copath.model.mirror`). A node selected needlessly costs time (two log densities a step,
``target_accept`` 0.95), never exactness. At most :data:`MAX_MIRRORS` nodes (the weakest first),
no two joined by a link (so that their reflections commute).

**Starts.** A mediator the screen leaves alone can still trap a chain: the dispersed MAP starts
(:mod:`copath.model.init`) can end in the basin of its mirror image, a local mode of far less mass
that NUTS does not leave (on a fresh flagship simulation, 80 areas x 12 months, two chains of
four sat in burglary's mirror modes, R-hat 1.74, though burglary's own data put the image 97 log
units below: ``benchmarks/results.md``). So every node that passes the structural rules
(:func:`mirror_candidates`) and is not symmetrised has each chain's start replaced by its
reflection where the log density is higher there (:func:`align_start`). This changes where chains
start, not what they sample; it compares the density at two points, not the basins' masses, and
is done for nutpie's MAP and Pathfinder starts only (not ``init="default"``, nor the PyMC and
NumPyro samplers).

Example
-------
>>> import numpy as np
>>> m = Mirror(node="m", node_pos=0, n_nodes=2, centre=1.0, beta_var="beta", signs={"beta": np.array([-1.0, -1.0])},
...            children=((1, (1,)),))
>>> values = {"beta": np.array([0.5, 2.0]), "intercept": np.array([3.0, 0.0])}
>>> out = reflect(values, m)
>>> out["beta"].tolist(), out["intercept"].tolist()   # the child's intercept moves by 2 * 2.0 * (3 - 1)
([-0.5, -2.0], [3.0, 8.0])
>>> reflect(out, m)["intercept"].tolist()              # R is an involution
[3.0, 0.0]
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pytensor.graph.replace import graph_replace

from copath.evidence.priors import LinkPrior
from copath.model.data import PreparedData
from copath.model.information import given_inputs
from copath.spec.pathway import Pathway

__all__ = ["MIRROR_Z", "MAX_MIRRORS", "MIRROR_LOGP", "Mirror", "area_levels", "sign_strength", "weak_mediators", "mirrors_of",
           "reflect", "symmetrise", "flip_back", "mirror_candidates", "align_start"]

#: The z of a node's links in (:func:`sign_strength`, from their priors and its own data) below
#: which the node is sampled symmetrised: the mirror branch then holds more than about
#: :math:`e^{-2 z^2} = e^{-18}` of the mass.
MIRROR_Z = 3.0
#: At most this many nodes are symmetrised in one fit: :math:`2^k` log densities per step.
MAX_MIRRORS = 2
#: The deterministic holding each draw's log density at every element of the mirror group.
MIRROR_LOGP = "mirror_logp"


@dataclass(frozen=True)
class Mirror:
    """One weak mediator's reflection, resolved against a model's variables.

    ``signs`` maps a free variable to the factor (+1 or -1, broadcastable against its core
    shape) it is multiplied by; ``children`` lists each child's intercept position with the
    positions in ``beta_var`` of the links from the node into it; ``own_centred`` and
    ``child_centred`` are masks over ``area_c`` (the node's centred area levels, reflected about
    its intercept; each child's, moved with its intercept).
    """

    node: str
    node_pos: int
    n_nodes: int
    centre: float
    beta_var: str
    signs: Mapping[str, np.ndarray]
    children: tuple[tuple[int, tuple[int, ...]], ...]
    own_centred: np.ndarray | None = None
    child_centred: tuple[np.ndarray, ...] = field(default=())

    @property
    def variables(self) -> set[str]:
        """The free variables the reflection reads or writes."""
        centred = self.own_centred is not None or any(m.any() for m in self.child_centred)
        return {*self.signs, "intercept", self.beta_var, *(["area_c"] if centred else [])}


def reflect(values: Mapping[str, Any], mirror: Mirror) -> dict[str, Any]:
    r"""``values`` (free variable -> NumPy array with any leading draw axes, or PyTensor tensor)
    mapped by ``mirror``'s reflection :math:`R`: only ``+``, ``*`` and indexing on the last axes,
    so the same map gives the log density at :math:`R\theta` and flips posterior draws.

    Parameters
    ----------
    values
        The free variables, by name (at least those of :attr:`Mirror.variables`).
    mirror
        The reflection.

    Returns
    -------
    dict
        The same names, reflected where the reflection moves them.
    """
    out = dict(values)
    alpha = values["intercept"][..., mirror.node_pos] - mirror.centre
    beta = values[mirror.beta_var]
    for name, sign in mirror.signs.items():
        out[name] = values[name] * sign
    shifts = []
    for position, links in mirror.children:
        delta = 2.0 * alpha * sum(beta[..., p] for p in links)
        shifts.append(delta)
        onehot = np.zeros(mirror.n_nodes)
        onehot[position] = 1.0
        out["intercept"] = out["intercept"] + delta[..., None] * onehot
    if "area_c" in out and (mirror.own_centred is not None or mirror.child_centred):
        if mirror.own_centred is not None:  # the node's own levels, reflected about its intercept
            level = values["intercept"][..., mirror.node_pos]
            out["area_c"] = out["area_c"] + (2.0 * level)[..., None] * mirror.own_centred
        for mask, delta in zip(mirror.child_centred, shifts, strict=True):
            out["area_c"] = out["area_c"] + delta[..., None] * mask
    return out


def area_levels(pathway: Pathway, data: PreparedData, name: str) -> np.ndarray | None:
    """A count or proportion node's input to its children as its data estimate it before the fit:
    each row's area's pooled level on the link scale (:meth:`copath.kinds.NodeKind.pooled_level`
    of the area's events over its exposure or trials; change within areas over time is left out),
    or its overall level where it has no area effects (the model's input then varies only with its
    own parents, which this leaves out rather than read areas' raw differences into it); None
    without row data.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    name
        An endogenous node.

    Returns
    -------
    numpy.ndarray or None
        One value per row of the data.
    """
    spec = pathway.nodes[name]
    kind = spec.node_kind
    rows = data.observed.get(name)
    if kind.passes_value or rows is None or rows.size == 0 or name in data.aggregated:
        return None
    y = np.asarray(data.values[name], dtype=float)[rows]
    size = np.broadcast_to(np.asarray(kind.size(spec, data.values, rows), dtype=float), y.shape)
    n_areas = len(data.areas)
    area = data.area_index[rows]
    totals = np.bincount(area, weights=y, minlength=n_areas)
    sizes = np.bincount(area, weights=size, minlength=n_areas)
    overall = kind.pooled_level(float(totals.sum()), float(sizes.sum()))
    if not spec.area_effects:  # its input varies only with its own parents: none counted here
        return np.full(len(data.area_index), overall)
    levels = np.array([kind.pooled_level(float(t), float(z)) if z > 0 else overall
                       for t, z in zip(totals, sizes, strict=True)])
    return levels[data.area_index]


def sign_strength(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior], node: str) -> float | None:
    r"""How well ``node``'s own data and its links' priors tell the signs of its links in: the
    Laplace approximation :math:`z^2 = \beta^{*\top} S \beta^*` (module docstring); None when some
    link in comes from a node without data, or the node is observed only as aggregates.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    priors
        The link priors the fit samples with.
    node
        A count, proportion or binary node with row data.

    Returns
    -------
    float or None
        Half the log density the mirror image of the mode loses, in that approximation.
    """
    spec = pathway.nodes[node]
    kind = spec.node_kind
    if node in data.aggregated:
        return None
    rows = data.observed[node]
    inputs = given_inputs(pathway, data, node)
    links = [f"{p} -> {node}" for p in pathway.parents(node)]
    for parent, link in zip(pathway.parents(node), links, strict=True):
        if link not in inputs:  # a count or proportion parent: its area's pooled level stands in
            level = area_levels(pathway, data, parent)
            if level is None:
                return None
            inputs[link] = level
    x = np.column_stack([inputs[link][rows] for link in links])
    y = np.asarray(data.values[node], dtype=float)[rows]
    size = np.broadcast_to(np.asarray(kind.size(spec, data.values, rows), dtype=float), y.shape)
    keep = np.isfinite(y) & np.isfinite(size) & (size > 0) & np.all(np.isfinite(x), axis=1)
    if keep.sum() < 2:
        return None
    x, y, size = x[keep], y[keep], size[keep]
    mu = np.array([priors[link].mu for link in links])
    precision = np.array([1.0 / priors[link].sigma ** 2 for link in links])
    found = _penalised_mode(x - x.mean(axis=0), y, size, mu, precision, kind.odds_scale)
    if found is None:
        return None
    beta, schur = found
    return float(beta @ schur @ beta)


#: The sd of the vague normal prior on the intercept in :func:`sign_strength`'s regression (it keeps
#: the curvature finite where every trial succeeds or no event occurs).
SCREEN_INTERCEPT_SD = 10.0


def _penalised_mode(x: np.ndarray, y: np.ndarray, size: np.ndarray, mu: np.ndarray, precision: np.ndarray,
                    logit: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The mode of a Poisson (log link, exposure ``size``) or binomial (logit link, ``size`` trials)
    regression of ``y`` on ``x`` with normal priors on the slopes and a vague one on the intercept,
    by Newton's method with a backtracking line search; the slopes at the mode and the curvature in
    them with the intercept profiled out, or None if it does not converge."""
    level = (y.sum() + 0.5) / (size.sum() + 1.0)
    centre = float(np.log(level / (1.0 - level)) if logit else np.log(level))
    design = np.column_stack([np.ones(len(y)), x])
    prior_precision = np.concatenate([[1.0 / SCREEN_INTERCEPT_SD**2], precision])
    prior_mean = np.concatenate([[centre], mu])

    def objective(theta: np.ndarray) -> float:
        eta = design @ theta
        kernel = y @ eta - (size @ np.logaddexp(0.0, eta) if logit else size @ np.exp(np.minimum(eta, 700.0)))
        return float(kernel - 0.5 * prior_precision @ (theta - prior_mean) ** 2)

    def curvature(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        eta = design @ theta
        if logit:
            mean = size / (1.0 + np.exp(-eta))
            w = size * np.exp(-np.logaddexp(0.0, eta) - np.logaddexp(0.0, -eta))
        else:
            mean = size * np.exp(np.minimum(eta, 700.0))
            w = mean
        grad = design.T @ (y - mean) - prior_precision * (theta - prior_mean)
        return grad, design.T @ (design * w[:, None]) + np.diag(prior_precision)

    theta = prior_mean.copy()
    current = objective(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(200):
            grad, hessian = curvature(theta)
            try:
                step = np.linalg.solve(hessian, grad)
            except np.linalg.LinAlgError:
                return None
            for _ in range(40):  # halve the step until the log posterior rises
                trial = objective(theta + step)
                if np.isfinite(trial) and trial >= current:
                    break
                step = step / 2.0
            else:
                return None
            theta, current = theta + step, trial
            if np.max(np.abs(step)) < 1e-9:
                break
        else:
            return None
        _, hessian = curvature(theta)
    schur = hessian[1:, 1:] - np.outer(hessian[1:, 0], hessian[0, 1:]) / hessian[0, 0]
    if not np.all(np.isfinite(schur)) or not np.all(np.isfinite(theta)):
        return None
    return theta[1:], schur


def mirror_candidates(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior],
                      free_links: Sequence[str] | None = None) -> dict[str, float]:
    """Every node whose mirror image the sampler could meet (module docstring's structural rules),
    with its :func:`sign_strength`, whatever its size.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    priors
        The link priors the fit samples with (a link with ``sign`` != 0 cannot be flipped).
    free_links
        The links sampled as free normal coefficients (None: every link).

    Returns
    -------
    dict[str, float]
        Node -> its squared z, weakest first.
    """
    within = set(pathway.within_links)
    free = set(pathway.link_names if free_links is None else free_links)
    found: dict[str, float] = {}
    for name in pathway.endogenous:
        kind = pathway.nodes[name].node_kind
        if kind.passes_value or name not in data.levels or data.observed[name].size == 0:
            continue
        links_in = [f"{p} -> {name}" for p in pathway.parents(name)]
        children = [link.target for link in pathway.links if link.source == name]
        links_out = [f"{name} -> {c}" for c in children]
        if not links_in or not children or any(c not in data.levels for c in children):
            continue
        if any(link in within or link not in free or priors[link].sign != 0 for link in links_in + links_out):
            continue
        strength = sign_strength(pathway, data, priors, name)
        if strength is not None and np.isfinite(strength):
            found[name] = round(strength, 3)
    return dict(sorted(found.items(), key=lambda item: item[1]))


def weak_mediators(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior],
                   free_links: Sequence[str] | None = None,
                   candidates: Mapping[str, float] | None = None) -> dict[str, float]:
    """The nodes to sample symmetrised, weakest first, with their :func:`sign_strength`.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    priors
        The link priors the fit samples with (a link with ``sign`` != 0 cannot be flipped).
    free_links
        The links sampled as free normal coefficients (None: every link).
    candidates
        :func:`mirror_candidates`'s answer, if already computed.

    Returns
    -------
    dict[str, float]
        Node -> its squared z (under :data:`MIRROR_Z` squared), at most :data:`MAX_MIRRORS` nodes,
        no two joined by a link.

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> prepared = prepare_data(pw, cp.datasets.load("synthetic_force"))
    >>> weak_mediators(pw, prepared, cp.priors_for(pw, cp.load_evidence()))  # every mediator's data tell its signs
    {}
    """
    chosen: dict[str, float] = {}
    if candidates is None:
        candidates = mirror_candidates(pathway, data, priors, free_links)
    for name, strength in candidates.items():
        joined = any(f"{name} -> {o}" in pathway.link_names or f"{o} -> {name}" in pathway.link_names
                     for o in chosen)
        if strength < MIRROR_Z**2 and not joined and len(chosen) < MAX_MIRRORS:
            chosen[name] = strength
    return chosen


def mirrors_of(model: pm.Model, pathway: Pathway, plan: Any, nodes: Sequence[str]) -> list[Mirror]:
    """Each node's :class:`Mirror` against ``model``'s free variables (its coords name their elements).

    Parameters
    ----------
    model
        A model from :func:`copath.model.builder.build_model`.
    pathway
        Its pathway.
    plan
        Its equation plan (:class:`copath.model.equations.Plan`).
    nodes
        The nodes from :func:`weak_mediators`.

    Returns
    -------
    list[Mirror]
    """
    coords = model.coords
    free = {rv.name for rv in model.free_RVs}
    beta_var = "beta" if "beta" in free else "beta_free"
    links = list(coords["link"] if beta_var == "beta" else coords["link_free"])
    endo = list(coords["node"])
    out = []
    for name in nodes:
        flipped = {link for link in links if link.endswith(f" -> {name}") or link.startswith(f"{name} -> ")}
        signs: dict[str, np.ndarray] = {beta_var: np.array([-1.0 if link in flipped else 1.0 for link in links])}
        own_centred = None
        child_centred: list[np.ndarray] = []
        children = tuple((endo.index(link.target), (links.index(link.name),))
                         for link in pathway.links if link.source == name)
        prefix = f"{name}: "
        if "area_z" in free:
            signs["area_z"] = np.array([-1.0 if a.startswith(prefix) else 1.0 for a in coords["area_noncentred"]])
        if "area_c" in free:
            labels = list(coords["area_centred"])
            own = np.array([a.startswith(prefix) for a in labels], dtype=float)
            if own.any():
                signs["area_c"] = 1.0 - 2.0 * own
                own_centred = own
            child_centred = [np.array([a.startswith(f"{endo[position]}: ") for a in labels], dtype=float)
                             for position, _ in children]
        for variable, dim in (("trend", "trend_node"), ("period_raw", "period_free")):
            if variable in free:
                signs[variable] = np.array([-1.0 if a == name or a.startswith(prefix) else 1.0 for a in coords[dim]])
        if "season_z" in free:  # its months on the last axis
            signs["season_z"] = np.array([-1.0 if a == name else 1.0 for a in coords["season_node"]])[:, None]
        out.append(Mirror(node=name, node_pos=endo.index(name), n_nodes=len(endo), centre=float(plan.centres[name]), beta_var=beta_var,
                          signs=signs, children=children, own_centred=own_centred,
                          child_centred=tuple(child_centred)))
    return out


def _elements(mirrors: Sequence[Mirror]) -> list[tuple[int, ...]]:
    """The mirror group's elements: every subset of the mirrors (which commute)."""
    return [s for r in range(len(mirrors) + 1) for s in itertools.combinations(range(len(mirrors)), r)]


def _label(mirrors: Sequence[Mirror], element: tuple[int, ...]) -> str:
    return " + ".join(mirrors[i].node for i in element) or "identity"


def _apply(values: Mapping[str, Any], mirrors: Sequence[Mirror], element: tuple[int, ...]) -> dict[str, Any]:
    out = dict(values)
    for i in element:
        out = reflect(out, mirrors[i])
    return out


def symmetrise(model: pm.Model, mirrors: Sequence[Mirror]) -> None:
    """Make ``model`` sample the symmetrised density (module docstring), in place: a potential
    ``mirror`` adds :math:`\\log \\sum_g p(g\\theta) - \\log p(\\theta)`, and the deterministic
    :data:`MIRROR_LOGP` keeps each draw's log density at every element for :func:`flip_back`.

    Parameters
    ----------
    model
        The model to sample (every other term already in it).
    mirrors
        From :func:`mirrors_of`.
    """
    lp = model.logp()
    names = set().union(*(m.variables for m in mirrors))
    # the reflection acts on the value variables (a transformed one, the months of season_z, is
    # linear in its value, so the same signs apply)
    values = {name: model.rvs_to_values[model[name]] for name in names}
    elements = _elements(mirrors)
    logps = [lp]
    for element in elements[1:]:
        moved = _apply(values, mirrors, element)
        logps.append(graph_replace(lp, {values[n]: moved[n] for n in names}))
    # then, in one replacement, in terms of the random variables, as potentials are written (a
    # graph of value variables would not follow the model when a sampler clones it)
    to_rvs = {}
    for rv in model.free_RVs:
        value, transform = model.rvs_to_values[rv], model.rvs_to_transforms.get(rv)
        to_rvs[value] = rv if transform is None else transform.forward(rv, *rv.owner.inputs)
    stacked = graph_replace(pt.stack(logps), to_rvs, strict=False)
    lp = stacked[0]
    with model:
        model.add_coord("mirror_orbit", [_label(mirrors, e) for e in elements])
        pm.Potential("mirror", pt.logsumexp(stacked) - lp)
        pm.Deterministic(MIRROR_LOGP, stacked, dims="mirror_orbit")


def flip_back(posterior: xr.Dataset, model: pm.Model, mirrors: Sequence[Mirror], random_seed: int
              ) -> tuple[xr.Dataset, dict[str, float]]:
    """Draws of the symmetrised density turned into draws of the posterior: each draw moved to
    the element of its orbit chosen with probability :math:`p(g\\theta) / \\sum_h p(h\\theta)`,
    and the deterministics recomputed.

    Parameters
    ----------
    posterior
        The sampled posterior of :func:`symmetrise`'s model (with :data:`MIRROR_LOGP`).
    model
        That model.
    mirrors
        Its mirrors.
    random_seed
        Seed of the choices.

    Returns
    -------
    tuple of (xarray.Dataset, dict[str, float], xarray.DataArray)
        The posterior (without :data:`MIRROR_LOGP`), each element's share of the draws, and the
        element each draw was moved by (its position in the group's list, 0 for none).
    """
    logp = posterior[MIRROR_LOGP].values  # chain, draw, element
    weights = np.exp(logp - logp.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    rng = np.random.default_rng(random_seed)
    chosen = (rng.random(logp.shape[:-1])[..., None] > np.cumsum(weights, axis=-1)).sum(axis=-1)
    chosen = np.minimum(chosen, logp.shape[-1] - 1)
    elements = _elements(mirrors)
    names = sorted(set().union(*(m.variables for m in mirrors)))
    values = {n: posterior[n].values for n in names}
    new = {n: v.copy() for n, v in values.items()}
    for k, element in enumerate(elements[1:], start=1):
        moved = _apply(values, mirrors, element)
        at = chosen == k
        for n in names:
            new[n][at] = moved[n][at]
    free = posterior.drop_vars([v.name for v in model.deterministics if v.name in posterior])
    free = free.assign({n: (posterior[n].dims, new[n]) for n in names})
    dets = [v.name for v in model.deterministics if v.name != MIRROR_LOGP and v.name in posterior]
    if dets:
        computed = pm.compute_deterministics(free, var_names=dets, model=model, progressbar=False)
        free = free.assign({n: computed[n] for n in dets})
    shares = {_label(mirrors, e): round(float(np.mean(chosen == k)), 4) for k, e in enumerate(elements)}
    element = xr.DataArray(chosen, dims=("chain", "draw"), coords={d: posterior[d] for d in ("chain", "draw")},
                           attrs={"elements": "; ".join(_label(mirrors, e) for e in elements)})
    return free[[n for n in posterior.data_vars if n != MIRROR_LOGP]], shares, element


def align_start(x: np.ndarray, layout: Mapping[str, tuple[slice, tuple[int, ...]]], mirrors: Sequence[Mirror],
                logp: Any) -> tuple[np.ndarray, list[str]]:
    """A chain's start moved out of mirror basins: for each mirror in turn, the start is replaced by
    its reflection when the log density is higher there, in up to three passes (the reflections of
    two nodes joined by a link do not commute); one reflection at a time, by the density at the
    point, not the basin's mass (module docstring, "Starts").

    Parameters
    ----------
    x
        The start, the sampler's flat vector of value variables.
    layout
        Free variable name -> (its slice of ``x``, its value's shape); a transformed variable's
        entry is its value variable's (linear in it for the variables a reflection moves).
    mirrors
        The reflections to try.
    logp
        The log density of a flat vector.

    Returns
    -------
    tuple of (numpy.ndarray, list[str])
        The start, and the nodes whose reflection it took.

    Example
    -------
    >>> m = Mirror(node="m", node_pos=0, n_nodes=2, centre=0.0, beta_var="beta",
    ...            signs={"beta": np.array([-1.0, -1.0])}, children=())
    >>> layout = {"beta": (slice(0, 2), (2,)), "intercept": (slice(2, 4), (2,))}
    >>> logp = lambda v: -float(((v[:2] - 1.0) ** 2).sum())   # the mode has both links at +1
    >>> align_start(np.array([-0.9, -1.1, 0.0, 0.0]), layout, [m], logp)
    (array([0.9, 1.1, 0. , 0. ]), ['m'])
    """
    current = float(logp(x))
    moved: list[str] = []
    for _ in range(3):  # passes until none rises: reflections of joined nodes do not commute
        rose = False
        for mirror in mirrors:
            values = {name: x[at].reshape(shape) for name, (at, shape) in layout.items()
                      if name in mirror.variables}
            y = x.copy()
            for name, value in reflect(values, mirror).items():
                y[layout[name][0]] = np.ravel(value)
            candidate = float(logp(y))
            if np.isfinite(candidate) and candidate > current:
                x, current, rose = y, candidate, True
                moved.append(mirror.node)
        if not rose:
            break
    return x, moved
