r"""Build the PyMC model of a pathway: one structural equation per endogenous node.

Variables (all labelled by dims, so every table and plot reads by name):

- ``beta`` (dim ``link``, coords like ``"nw_coverage -> burglary"``): one coefficient
  per link, with the link's evidence prior :math:`N(\mu_\ell, \sigma_\ell)`. When some
  links have a fixed sign :math:`s_\ell` (a stated direction), ``beta`` is a deterministic
  made of ``beta_free`` (dim ``link_free``: the normal priors) and ``beta_soft`` (dim
  ``link_signed``): :math:`\beta_\ell = s_\ell\,\kappa_\ell \log(1 + e^{t_\ell/\kappa_\ell})`
  with :math:`\kappa_\ell = \sigma_\ell` (``SOFT_SCALE``), and :math:`t_\ell` given the density
  that makes :math:`|\beta_\ell|` truncated normal on :math:`[0, \infty)` whatever
  :math:`\kappa`. The softplus is smooth at zero (a mirror :math:`|m|` puts a kink there)
  and bends gently over the prior's scale: its slope is 0.63 at :math:`\beta = \sigma`,
  0.095 at :math:`0.1\sigma`, 0.86 at :math:`2\sigma` (:math:`1 - e^{-\beta/\kappa}`), so ridges that collinear
  parents make are straight only well away from zero;
  a sign-free direct link :math:`q \to y` that runs beside paths through nodes without
  data is sampled as its total with those paths, ``beta_total`` (dim ``link_total``), the
  one combination the data inform (:mod:`copath.model.totals`; same prior on ``beta``);
- ``between`` (dim ``link_within``): the between-area slope of each ``within: true`` link,
  whose ``beta`` is then its within-area effect (:mod:`copath.model.within`), with its own
  weakly informative default :math:`N(0, K \cdot 2.5\, s_y / s_{\bar x})` on the data's scale
  (:func:`copath.model.autoscale.between_prior`), not the link's evidence: the evidence
  describes the causal effect, the between slope that effect plus confounding;
- ``intercept`` (dim ``node``): :math:`\alpha_v \sim N(\text{link}(b_v), s_v)` with
  :math:`b_v` the node's ``baseline`` (else the data's overall level, else 0) and
  :math:`s_v = 1` on log/logit scales, :math:`2 \times` ``scale`` for continuous nodes;
- ``area_sd`` (dim ``area_node``) and ``area_effect`` (dims ``area_node, area``): partially
  pooled area intercepts :math:`u \sim N(0, \sigma)`, :math:`\sigma \sim HN(0.5)`
  (:math:`HN(0.5\,\text{scale})` for continuous nodes). Each :math:`u` is sampled centred
  (``area_c``, dim ``area_centred``) where its area's data pin it down more tightly than
  the areas' spread, else non-centred as :math:`\sigma z` (``area_z``, dim
  ``area_noncentred``, :math:`z \sim N(0,1)`): see :mod:`copath.model.parametrisation`;
- ``season_sd`` (dim ``season_node``), ``season`` (dims ``season_node, month_of_year``) and
  ``trend`` (dim ``trend_node``): the effects of time of nodes whose spec has ``time:``
  and which have data (:mod:`copath.model.time`); ``season`` is ``season_sd * season_z``
  with ``season_z`` zero-sum normal over the twelve months;
- ``period_sd`` (dim ``period_node``), ``period_raw`` (dim ``period_free``, labelled
  ``"<node>: <k>"``) and ``period_effect`` (dims ``period_node, period``, the month column's
  distinct values in time order): one effect per period (``time: [period]``) or a random
  walk over periods (``period_rw``), ``period_effect = B @ period_raw`` per node with the fixed
  basis ``B`` of :func:`copath.model.time.period_basis` (identified against the intercept,
  trend and season). ``period_raw`` is sampled centred, :math:`N(0, \sigma_p)`, where every
  period's data pin its level down more tightly than the prior's scale (the node's
  Fisher information per period times the scale squared above 1, as for areas in
  :mod:`copath.model.parametrisation`), else as :math:`\sigma_p z`;
- ``inv_sqrt_phi`` (dim ``nb_node``): negative-binomial overdispersion,
  :math:`1/\sqrt{\phi} \sim HN(1)`; ``inv_sqrt_kappa`` (dim ``bb_node``): a beta-binomial's,
  :math:`\kappa^{-1/2} \sim HN(0.25)`. A node observed only as group aggregates
  (``observed_at``) has the dispersion of its group figures instead, labelled
  ``"<node>@<group columns>"`` along the dim (``inv_sqrt_phi[crime@borough x quarter]``) with
  its kind's group-level prior (:mod:`copath.model.aggregate`);
- ``sigma`` (dim ``continuous_node``): residual sd, :math:`HN(\text{scale})`;
- one observed variable per node with data, named after the node, over the rows where
  it is observed (dim ``<node>_obs``); ``<node>_missing`` imputes the missing values of
  a continuous node that is some node's parent. A continuous node with ``link: logit``
  has mean :math:`lo + (hi - lo)\operatorname{logit}^{-1}\eta` (its intercept prior is
  then on the logit scale with sd 1, centred at the logit of its baseline's fraction).

Example
-------
>>> import copath as cp, pandas as pd
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
>>> df = pd.DataFrame({"area": [0, 1, 2], "month": 1, "x": [0.0, 1.0, 2.0], "y": [1, 3, 7]})
>>> built = build_model(pw, df)
>>> built.model.coords["link"]
('x -> y',)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
from scipy.stats import norm, truncnorm

from copath.constants import data_name, missing_name, observed_dim
from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence
from copath.kinds import NodeKind, noise_variables
from copath.model.aggregate import group_eta
from copath.model.autoscale import between_prior
from copath.model.compact import NodeGroups, plan_groups
from copath.model.data import PreparedData, prepare_data
from copath.model.equations import Plan, linear_predictors, make_plan
from copath.model.information import AREA_SD_SCALE
from copath.model.parametrisation import centred_areas, mask_from_lists
from copath.model.time import (
    MONTH_NAMES,
    PERIOD_EFFECTS,
    PERIOD_SD_SCALE,
    SEASON_SD_SCALE,
    TREND_SD_SCALE,
    period_basis,
    time_terms,
)
from copath.model.totals import LinkTotals, indirect, plan_totals
from copath.model.within import BETWEEN, LINK_WITHIN, area_mean_name, area_means, within_parents
from copath.spec.pathway import Pathway

__all__ = ["BuiltModel", "build_model", "intercept_prior", "period_centred"]

#: The dims of the centred and the non-centred area effects (one label per node and area).
AREA_CENTRED, AREA_NONCENTRED = "area_centred", "area_noncentred"


@dataclass
class BuiltModel:
    """A PyMC model with what was used to build it."""

    model: pm.Model
    pathway: Pathway
    priors: dict[str, LinkPrior]
    data: PreparedData
    plan: Plan
    intercept_priors: dict[str, tuple[float, float]]
    groups: dict[str, NodeGroups] = field(default_factory=dict)


def intercept_prior(pathway: Pathway, name: str, data: PreparedData | None) -> tuple[float, float]:
    """(mean, sd) of node ``name``'s intercept prior on its link scale.

    Centre: the node's ``baseline``; without one, its typical level in the data when it
    has data (:meth:`copath.kinds.NodeKind.data_level`: the mean over its rows of its area's
    pooled log rate, logit share or mean); else 0.

    Parameters
    ----------
    pathway
        The pathway.
    name
        An endogenous node.
    data
        The prepared data (None: no data).

    Returns
    -------
    tuple[float, float]

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> mean, sd = intercept_prior(pw, "detection", None)
    >>> round(mean, 3), sd
    (-2.442, 1.0)
    """
    node = pathway.nodes[name]
    kind = node.node_kind
    sd = kind.intercept_sd(node)
    if node.baseline is not None:
        return float(kind.link(node.baseline)), sd
    if data is None or name not in data.levels:
        return 0.0, sd
    return data.levels[name], sd


def build_model(
    pathway: Pathway,
    data: pd.DataFrame | PreparedData,
    evidence: Evidence | None = None,
    priors: dict[str, LinkPrior] | None = None,
    source: str = "<data>",
    collapse: bool = False,
    centres: Mapping[str, float] | None = None,
    centred: Mapping[str, list[str]] | None = None,
    prior_scale: float | None = None,
) -> BuiltModel:
    """The PyMC model of ``pathway`` on ``data`` with evidence priors on every link.

    ``collapse=True`` gives the model for sampling: rows that share a node's inputs
    become one likelihood term (:mod:`copath.model.compact`; same posterior, fewer
    terms), and count (Poisson) and proportion nodes enter through their likelihood
    kernel (:mod:`copath.kinds`: no data-only constants). Its likelihood terms
    are then potentials named after the nodes, so predictive draws and the pointwise
    log likelihood come from the row-level model (``collapse=False``).

    ``centred`` (node -> the areas whose effects are sampled centred) replaces the rule of
    :func:`copath.model.parametrisation.centred_areas`: a fit's own choice, from its
    pilot, so a reloaded result's model has the variables its posterior has.

    ``prior_scale`` widens the default prior of each ``within: true`` link's between-area slope
    (:func:`copath.model.autoscale.between_prior`; None: the spec's ``prior_scale``), as the fit's
    ``prior_scale`` widens the default link priors.
    """
    prepared = data if isinstance(data, PreparedData) else prepare_data(pathway, data, source=source)
    priors = priors if priors is not None else priors_for(pathway, evidence)
    plan = make_plan(pathway, prepared.exposure_centres, prepared.levels)
    if centres:  # a fitted result's own centring (results fitted before data-level centring too)
        plan = dataclasses.replace(plan, centres={**plan.centres, **centres})
    endo = plan.endogenous
    area_nodes = plan.area_nodes
    # each kind's noise parameter (negative-binomial dispersion, residual sd): the nodes
    # that have it, in the order the kinds declare them
    noise_params = {n: pathway.nodes[n].node_kind.noise(pathway.nodes[n]) for n in endo}
    noise_nodes = {v: [n for n in endo if (p := noise_params[n]) is not None and p.variable == v]
                   for v in noise_variables()}
    noise_nodes = {v: nodes for v, nodes in noise_nodes.items() if nodes}
    parents_of_something = {link.source for link in pathway.links}

    coords: dict[str, Any] = {
        "link": list(plan.link_names),
        "node": endo,
        "area": [str(a) for a in prepared.areas],
    }
    if area_nodes:
        coords["area_node"] = area_nodes
    for variable, nodes in noise_nodes.items():  # a group-level one labelled "<node>@<groups>"
        coords[noise_params[nodes[0]].dim] = [pathway.nodes[n].node_kind.noise_label(pathway.nodes[n]) for n in nodes]
    timed = {effect: [n for n in endo if effect in pathway.nodes[n].time and prepared.observed[n].size]
             for effect in ("season", "trend")}
    timed["period"] = [n for n in endo if set(pathway.nodes[n].time) & set(PERIOD_EFFECTS) and prepared.observed[n].size]
    if timed["season"]:
        coords["season_node"] = timed["season"]
        coords["month_of_year"] = list(MONTH_NAMES)
    if timed["trend"]:
        coords["trend_node"] = timed["trend"]
    if timed["period"]:
        coords["period_node"] = timed["period"]
        coords["period"] = list(prepared.time.labels)
    for name in endo:
        if prepared.observed[name].size:
            coords[observed_dim(name)] = prepared.observed[name].tolist()

    ip = {name: intercept_prior(pathway, name, prepared) for name in endo}
    link_mu = np.array([priors[n].mu for n in plan.link_names])
    link_sigma = np.array([priors[n].sigma for n in plan.link_names])
    signs = np.array([priors[n].sign for n in plan.link_names], dtype=float)
    totals = plan_totals(pathway, prepared.unobserved_nodes,
                         {n: int(s) for n, s in zip(plan.link_names, signs, strict=True)})
    free = np.setdiff1d(np.flatnonzero(signs == 0), totals.links)
    signed = np.flatnonzero(signs != 0)
    if signed.size or totals:
        coords["link_free"] = [plan.link_names[i] for i in free]
        coords["link_signed"] = [plan.link_names[i] for i in signed]
    if totals:
        coords["link_total"] = [plan.link_names[i] for i in totals.links]
    if plan.between_links:
        coords[LINK_WITHIN] = list(plan.between_links)
    n_areas = len(prepared.areas)
    by_area = {area_mean_name(p): area_means(prepared.values[p], prepared.area_index, n_areas)
               for p in within_parents(pathway)}

    with pm.Model(coords=coords) as model:
        exposures = {
            name: pm.Data(data_name(name), prepared.values[name]) for name in pathway.exposures
        }
        exposures.update({key: means[prepared.area_index] for key, means in by_area.items()})
        beta = _link_coefficients(link_mu, link_sigma, signs, free, signed, totals)
        intercept = pm.Normal(
            "intercept",
            mu=np.array([ip[n][0] for n in endo]),
            sigma=np.array([ip[n][1] for n in endo]),
            dims="node",
        )
        area_terms: dict[str, Any] = {}
        if area_nodes:
            scales = np.array([AREA_SD_SCALE * pathway.nodes[n].node_kind.unit_scale(pathway.nodes[n])
                               for n in area_nodes])
            area_sd = pm.HalfNormal("area_sd", sigma=scales, dims="area_node")
            at = np.array([endo.index(n) for n in area_nodes])
            mask = (mask_from_lists(area_nodes, coords["area"], centred) if centred is not None
                    else centred_areas(pathway, prepared, area_nodes))
            area_effect = _area_effects(area_sd, intercept[at], mask)
            idx = prepared.area_index
            for k, name in enumerate(area_nodes):
                area_terms[name] = area_effect[k][idx]
        _add_time_terms(pathway, prepared, timed, area_terms)
        noise_vars: dict[str, tuple[Any, int]] = {}  # node -> (its noise variable, its position in it)
        for variable, nodes in noise_nodes.items():
            first = noise_params[nodes[0]]
            scale = np.array([noise_params[n].scale for n in nodes])  # a node's own, or its level's (rows, groups)
            var = pm.HalfNormal(variable, sigma=scale, dims=first.dim)
            noise_vars.update({n: (var, k) for k, n in enumerate(nodes)})

        def noise_of(name: str) -> Any:
            """Node ``name``'s noise parameter (None if its kind has none), indexed where it is used."""
            if name not in noise_vars:
                return None
            var, k = noise_vars[name]
            return var[k]

        def value_of(name: str, eta: Any) -> Any:
            """A continuous node's input to its children: observed, imputed where missing."""
            mean = plan.kinds[name].natural(eta)  # eta itself with an identity link
            if name not in parents_of_something:
                return mean
            y = prepared.values.get(name)
            if y is None or prepared.observed[name].size == 0:
                return mean  # no local data at all: its expected value
            missing = np.flatnonzero(np.isnan(y))
            full = pt.as_tensor_variable(np.nan_to_num(y))
            if missing.size:
                imputed = pm.Normal(missing_name(name), mu=mean[missing], sigma=noise_of(name), shape=missing.size)
                full = pt.set_subtensor(full[missing], imputed)
            return full

        params = {"intercept": intercept, "beta": beta}
        if plan.between_links:
            gamma = [between_prior(pathway, prepared, n, prior_scale) for n in plan.between_links]
            params[BETWEEN] = pm.Normal(BETWEEN, mu=np.array([g[0] for g in gamma]),
                                        sigma=np.array([g[1] for g in gamma]), dims=LINK_WITHIN)
        eta = linear_predictors(plan, exposures, params, area_terms, value_of=value_of)
        groups = plan_groups(pathway, prepared) if collapse else {}

        def eta_at(name: str, inputs: dict[str, np.ndarray], areas: np.ndarray | None) -> Any:
            """``name``'s linear predictor at given values of its input columns."""
            size = len(areas) if areas is not None else len(next(iter(inputs.values()), [0.0]))
            exps = {e: inputs.get(e, np.zeros(size)) for e in pathway.exposures}
            if areas is not None:  # a within link's child has area effects, so its groups know their area
                exps.update({key: means[areas] for key, means in by_area.items()})
            terms = {n: area_effect[k][areas] for k, n in enumerate(area_nodes)} if areas is not None else {}
            return linear_predictors(plan, exps, params, terms,
                                     value_of=lambda n, e: (pt.as_tensor_variable(inputs[n]) if n in inputs
                                                            else plan.kinds[n].natural(e)))[name]

        for name, g in groups.items():
            pm.Potential(name, _collapsed_term(pathway.nodes[name].node_kind, g, eta_at, prepared, noise_of(name)))
        for name in endo:
            rows = prepared.observed[name]
            if rows.size == 0 or name in groups:
                continue
            node = pathway.nodes[name]
            kind = node.node_kind
            y = prepared.values[name][rows]
            e = eta[name][rows]
            size = kind.size(node, prepared.values, rows)
            if name in prepared.aggregated:  # observed as group aggregates (copath.model.aggregate)
                agg = prepared.aggregated[name]
                y, size = agg.y, agg.size
                e = group_eta(node.kind, agg, pt.broadcast_to(eta[name], (prepared.n_rows,))[agg.rows])
            # the sampling model: the likelihood's kernel in eta where the kind has one (no constants)
            term = kind.kernel(node, y, e, size, noise_of(name)) if collapse else None
            if term is not None:
                pm.Potential(name, term)
            else:
                kind.likelihood(name, node, e, y, size, noise_of(name), dims=observed_dim(name))
    return BuiltModel(model=model, pathway=pathway, priors=priors, data=prepared, plan=plan, intercept_priors=ip,
                      groups=groups)


def _add_time_terms(pathway: Pathway, data: PreparedData, timed: dict[str, list[str]],
                    terms: dict[str, Any]) -> None:
    """Add each timed node's season, trend and period effects (:mod:`copath.model.time`) to its row terms."""
    unit = {n: pathway.nodes[n].node_kind.unit_scale(pathway.nodes[n]) for n in pathway.endogenous}
    season = trend = None
    if timed["season"]:
        sd = pm.HalfNormal("season_sd", sigma=np.array([SEASON_SD_SCALE * unit[n] for n in timed["season"]]),
                           dims="season_node")
        z = pm.ZeroSumNormal("season_z", sigma=1.0, dims=("season_node", "month_of_year"))
        season = pm.Deterministic("season", sd[:, None] * z, dims=("season_node", "month_of_year"))
    if timed["trend"]:
        trend = pm.Normal("trend", 0.0, np.array([TREND_SD_SCALE * unit[n] for n in timed["trend"]]),
                          dims="trend_node")
    period = _period_effects(pathway, data, timed["period"], unit) if timed["period"] else None
    for name in dict.fromkeys(timed["season"] + timed["trend"] + timed["period"]):
        term = time_terms(
            data.time,
            season[timed["season"].index(name)] if name in timed["season"] else None,
            trend[timed["trend"].index(name)] if name in timed["trend"] else None,
            period=period[timed["period"].index(name)] if name in timed["period"] else None,
        )
        terms[name] = terms[name] + term if name in terms else term


def period_centred(pathway: Pathway, data: PreparedData, name: str) -> bool:
    """Whether node ``name``'s period parameters are sampled centred: when the data's Fisher
    information about every period's level (:meth:`copath.kinds.NodeKind.area_information`,
    with periods in place of areas) times the prior scale squared exceeds 1, the rule
    :mod:`copath.model.parametrisation` uses for areas, with the prior's scale standing in
    for the periods' spread (Papaspiliopoulos, Roberts & Skold 2007, *Statistical Science*
    22:59). A period effect is shared by every area's rows in its period, so with more
    than a handful of areas it usually is.

    Parameters
    ----------
    pathway
        The pathway.
    data
        The prepared data (with month features: a node has effects of time).
    name
        A node with ``period`` or ``period_rw`` among its effects of time, and data.

    Returns
    -------
    bool
        True: sample its period parameters centred, :math:`N(0, \\sigma_p)`; False: as
        :math:`\\sigma_p z`.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...                       "  y: {kind: proportion, trials: n, time: [period]}\\n"
    ...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> sim = cp.simulate(pw, areas=30, months=5, step=12, random_seed=0)
    >>> period_centred(pw, prepare_data(pw, sim.data), "y")  # 30 areas x ~45 trials a year
    True
    """
    node = pathway.nodes[name]
    kind = node.node_kind
    rows = data.observed[name]
    n = len(data.time.labels)
    y = data.values[name][rows]
    size = np.broadcast_to(np.asarray(kind.size(node, data.values, rows), dtype=float), y.shape)
    at = data.time.period[rows]
    totals = np.bincount(at, weights=y, minlength=n)
    sizes = np.bincount(at, weights=size, minlength=n)
    counts = np.bincount(at, minlength=n).astype(float)
    means = np.divide(totals, counts, out=np.zeros(n), where=counts > 0)
    within = float(np.sum((y - means[at]) ** 2) / max(y.size - np.count_nonzero(counts), 1))
    info = kind.area_information(node, totals, sizes, counts, within)
    scale = PERIOD_SD_SCALE * kind.unit_scale(node)
    return bool(np.all(info * scale**2 > 1.0))


def _period_effects(pathway: Pathway, data: PreparedData, nodes: list[str], unit: dict[str, float]) -> Any:
    """``period_effect`` (dims ``period_node, period``): each node's fixed basis times its free
    parameters, sampled centred or not as :func:`period_centred` says."""
    model = pm.modelcontext(None)
    bases = [period_basis(data.time, pathway.nodes[n].time) for n in nodes]
    model.add_coord("period_free", [f"{n}: {k + 1}" for n, b in zip(nodes, bases, strict=True)
                                    for k in range(b.shape[1])])
    owner = np.concatenate([np.full(b.shape[1], i) for i, b in enumerate(bases)])
    sd = pm.HalfNormal("period_sd", sigma=np.array([PERIOD_SD_SCALE * unit[n] for n in nodes]), dims="period_node")
    centred = np.array([period_centred(pathway, data, n) for n in nodes])[owner]
    raw = pm.Normal("period_raw", 0.0, pt.where(centred, sd[owner], 1.0), dims="period_free")
    values = pt.where(centred, raw, sd[owner] * raw)
    effects, start = [], 0
    for b in bases:
        effects.append(pt.dot(b, values[start:start + b.shape[1]]))
        start += b.shape[1]
    return pm.Deterministic("period_effect", pt.stack(effects), dims=("period_node", "period"))


def _area_effects(area_sd: Any, level: Any, centred: np.ndarray) -> Any:
    """The area effects ``area_effect`` (dims ``area_node, area``), each sampled centred or
    non-centred as ``centred`` says (:func:`copath.model.parametrisation.centred_areas`).

    A centred area is sampled as its level, ``area_c ~ Normal(intercept, area_sd)``, and its
    effect is ``area_c - intercept`` (hierarchical centring, Gelfand, Sahu & Carlin 1995,
    *Biometrika* 82:479): the data pin the level, so the intercept is then told apart from
    the effects by their spread alone instead of trading off against every effect at once.
    A non-centred area is ``area_sd * area_z``, ``area_z ~ Normal(0, 1)``. ``level`` is the
    intercept of each area node. The free variables carry one label per element,
    ``"<node>: <area>"``."""
    model = pm.modelcontext(None)
    nodes, areas = list(model.coords["area_node"]), list(model.coords["area"])
    effect = pt.zeros((len(nodes), len(areas)))
    for variable, dim, where in (("area_c", AREA_CENTRED, centred), ("area_z", AREA_NONCENTRED, ~centred)):
        k, a = np.nonzero(where)
        if not k.size:
            continue
        model.add_coord(dim, [f"{nodes[i]}: {areas[j]}" for i, j in zip(k, a, strict=True)])
        if variable == "area_c":
            values = pm.Normal(variable, level[k], area_sd[k], dims=dim) - level[k]
        else:
            values = area_sd[k] * pm.Normal(variable, 0.0, 1.0, dims=dim)
        # inc, not set: the (node, area) pairs are distinct, so both give the same values, but
        # PyTensor 3.3.8's fused C and numba code for set_subtensor(zeros[k, a], c - b0[k])
        # returned a wrong gradient for the spread (tests/model/test_gradients.py)
        effect = pt.inc_subtensor(effect[k, a], values)
    return pm.Deterministic("area_effect", effect, dims=("area_node", "area"))


#: The softplus's bend, as a share of a sign-fixed link's prior scale. The coefficient's
#: distribution is the truncated normal whatever the bend (the density carries the
#: Jacobian); the bend sets the geometry NUTS sees near 0. At 0.1 the sampled value had
#: an exponential wall there with a scale a tenth of the prior's; the demo (one run at
#: its defaults) had one divergence, drawn at ``trials_collapsed -> reoffending`` = 2.79,
#: a sign-fixed link whose posterior (0.27 to 1.43) still reaches near 0; at 1 it has
#: none. One seed each (the demo's): evidence, not proof, that the wall was the cause.
SOFT_SCALE = 1.0


def _soft_logp(t: Any, mu: Any, sigma: Any, kappa: Any, log_norm: Any) -> Any:
    """Log density of ``t`` such that ``kappa * softplus(t / kappa)`` is N(mu, sigma) truncated to > 0."""
    b = kappa * pt.softplus(t / kappa)
    return -0.5 * ((b - mu) / sigma) ** 2 - log_norm - pt.softplus(-t / kappa)  # + log |db/dt| = log sigmoid


def _soft_random(mu: np.ndarray, sigma: np.ndarray, kappa: np.ndarray, log_norm: np.ndarray,
                 rng: np.random.Generator | None = None, size: Any = None) -> np.ndarray:
    size = np.broadcast_shapes(np.shape(mu), np.shape(sigma)) if size is None else size
    b = truncnorm.rvs(-mu / sigma, np.inf, loc=mu, scale=sigma, size=size, random_state=rng)
    z = np.maximum(b / kappa, 1e-300)
    return kappa * (z + np.log(-np.expm1(-z)))  # the softplus's inverse, stable for large and small z


def _link_coefficients(mu: np.ndarray, sigma: np.ndarray, signs: np.ndarray, free: np.ndarray,
                       signed: np.ndarray, totals: LinkTotals) -> Any:
    """``beta``: normal priors; where a link's sign is fixed, a softplus of its truncated
    normal; where a direct link runs beside paths through nodes without data, its total
    (:mod:`copath.model.totals`)."""
    if signed.size == 0 and not totals:
        return pm.Normal("beta", mu=mu, sigma=sigma, dims="link")
    parts = pt.zeros(len(mu))
    # inc into zeros at distinct positions, as in _area_effects (the set_subtensor gradient bug)
    if free.size:
        parts = pt.inc_subtensor(parts[free], pm.Normal("beta_free", mu=mu[free], sigma=sigma[free], dims="link_free"))
    if signed.size:
        m, s = signs[signed] * mu[signed], sigma[signed]
        kappa = SOFT_SCALE * s
        log_norm = np.log(s) + 0.5 * np.log(2 * np.pi) + norm.logcdf(m / s)  # the truncated normal's normaliser
        t = pm.CustomDist("beta_soft", m, s, kappa, log_norm, logp=_soft_logp, random=_soft_random,
                          dims="link_signed")
        parts = pt.inc_subtensor(parts[signed], signs[signed] * kappa * pt.softplus(t / kappa))
    if totals:
        at = np.array(totals.links)
        through = indirect(totals, parts)  # no path uses a total link, so its zero here is never read
        total = pm.Normal("beta_total", mu=mu[at] + through, sigma=sigma[at], dims="link_total")
        parts = pt.inc_subtensor(parts[at], total - through)
    return pm.Deterministic("beta", parts, dims="link")


def _collapsed_term(kind: NodeKind, g: NodeGroups, eta_at: Any, data: PreparedData, noise: Any) -> Any:
    """One node's log-likelihood term on its groups (see :mod:`copath.model.compact`)."""
    if g.affine is not None:  # eta = Z theta: the Z'Z form, whatever the number of rows
        k = len(g.columns)
        design = {c: np.eye(k + 1)[:, j + 1] for j, c in enumerate(g.columns)}
        at = eta_at(g.node, design, None)  # eta at Z = 0, then at each unit column: theta
        theta = pt.concatenate([at[:1], at[1:] - at[0]])
        return kind.affine_term(g.n_rows, g.affine, theta, noise)
    inputs = {c: data.values[c][g.rows] for c in g.columns}
    eta = eta_at(g.node, inputs, data.area_index[g.rows] if g.area else None)
    return kind.grouped_term(g.totals, g.sizes, g.within_ss, eta, noise)
