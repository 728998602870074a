r"""Build the PyMC model of a pathway: one structural equation per endogenous node.

Variables (all labelled by dims, so every table and plot reads by name):

- ``beta`` (dim ``link``, coords like ``"nw_coverage -> burglary"``): one coefficient
  per link, with the link's evidence prior :math:`N(\mu_\ell, \sigma_\ell)`;
- ``intercept`` (dim ``node``): :math:`\alpha_v \sim N(\text{link}(b_v), s_v)` with
  :math:`b_v` the node's ``baseline`` (else the data's overall level, else 0) and
  :math:`s_v = 1` on log/logit scales, :math:`2 \times` ``scale`` for continuous nodes;
- ``area_sd`` (dim ``area_node``) and ``area_z`` (dims ``area_node, area``): non-centred
  partially pooled area intercepts :math:`u = \sigma z`, :math:`\sigma \sim HN(0.5)`
  (:math:`HN(0.5\,\text{scale})` for continuous nodes), :math:`z \sim N(0,1)`;
- ``inv_sqrt_phi`` (dim ``nb_node``): negative-binomial overdispersion,
  :math:`1/\sqrt{\phi} \sim HN(1)`;
- ``sigma`` (dim ``continuous_node``): residual sd, :math:`HN(\text{scale})`;
- one observed variable per node with data, named after the node, over the rows where
  it is observed (dim ``<node>_obs``); ``<node>_missing`` imputes the missing values of
  a continuous node that is some node's parent.

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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence
from copath.model.compact import NodeGroups, plan_groups
from copath.model.data import PreparedData, prepare_data
from copath.model.equations import Plan, link_value, linear_predictors, make_plan
from copath.model.kernels import binomial_kernel, poisson_kernel
from copath.spec.pathway import Pathway

__all__ = ["BuiltModel", "build_model", "intercept_prior"]

AREA_SD_SCALE = 0.5
INTERCEPT_SD = 1.0


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

    Centre: the node's ``baseline``; without one, the overall level in the data
    (total count over total exposure, pooled share, mean) when there is data; else 0.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> mean, sd = intercept_prior(pw, "detection", None)
    >>> round(mean, 3), sd
    (-2.442, 1.0)
    """
    node = pathway.nodes[name]
    sd = INTERCEPT_SD if node.kind != "continuous" else 2.0 * node.scale
    if node.baseline is not None:
        return link_value(node.kind, node.baseline), sd
    if data is None or name not in data.values or data.observed[name].size == 0:
        return 0.0, sd
    rows = data.observed[name]
    y = data.values[name][rows]
    if node.kind == "count":
        per = node.per or 1.0
        exposure = (data.values[node.offset][rows] / per) if node.offset else np.ones_like(y)
        rate = (y.sum() + 0.5) / exposure.sum()
        return float(np.log(rate)), sd
    if node.kind == "proportion":
        n = data.values[node.trials][rows]
        share = (y.sum() + 0.5) / (n.sum() + 1.0)
        return link_value("proportion", share), sd
    return float(np.mean(y)), sd


def build_model(
    pathway: Pathway,
    data: pd.DataFrame | PreparedData,
    evidence: Evidence | None = None,
    priors: dict[str, LinkPrior] | None = None,
    source: str = "<data>",
    collapse: bool = False,
) -> BuiltModel:
    """The PyMC model of ``pathway`` on ``data`` with evidence priors on every link.

    ``collapse=True`` gives the model for sampling: rows that share a node's inputs
    become one likelihood term (:mod:`copath.model.compact`; same posterior, fewer
    terms), and count (Poisson) and proportion nodes enter through their likelihood
    kernel (:mod:`copath.model.kernels`: no data-only constants). Its likelihood terms
    are then potentials named after the nodes, so predictive draws and the pointwise
    log likelihood come from the row-level model (``collapse=False``).
    """
    prepared = data if isinstance(data, PreparedData) else prepare_data(pathway, data, source=source)
    priors = priors if priors is not None else priors_for(pathway, evidence)
    plan = make_plan(pathway, prepared.exposure_centres)
    endo = plan.endogenous
    area_nodes = plan.area_nodes
    nb_nodes = [n for n in endo if pathway.nodes[n].kind == "count" and pathway.nodes[n].family == "negative_binomial"]
    cont_nodes = [n for n in endo if pathway.nodes[n].kind == "continuous"]
    parents_of_something = {link.source for link in pathway.links}

    coords: dict[str, Any] = {
        "link": list(plan.link_names),
        "node": endo,
        "area": [str(a) for a in prepared.areas],
    }
    if area_nodes:
        coords["area_node"] = area_nodes
    if nb_nodes:
        coords["nb_node"] = nb_nodes
    if cont_nodes:
        coords["continuous_node"] = cont_nodes
    for name in endo:
        if prepared.observed[name].size:
            coords[f"{name}_obs"] = prepared.observed[name].tolist()

    ip = {name: intercept_prior(pathway, name, prepared) for name in endo}
    link_mu = np.array([priors[n].mu for n in plan.link_names])
    link_sigma = np.array([priors[n].sigma for n in plan.link_names])

    with pm.Model(coords=coords) as model:
        exposures = {
            name: pm.Data(f"x_{name}", prepared.values[name]) for name in pathway.exposures
        }
        beta = pm.Normal("beta", mu=link_mu, sigma=link_sigma, dims="link")
        intercept = pm.Normal(
            "intercept",
            mu=np.array([ip[n][0] for n in endo]),
            sigma=np.array([ip[n][1] for n in endo]),
            dims="node",
        )
        area_terms: dict[str, Any] = {}
        if area_nodes:
            scales = np.array([
                AREA_SD_SCALE * (pathway.nodes[n].scale if pathway.nodes[n].kind == "continuous" else 1.0)
                for n in area_nodes
            ])
            area_sd = pm.HalfNormal("area_sd", sigma=scales, dims="area_node")
            area_z = pm.Normal("area_z", 0.0, 1.0, dims=("area_node", "area"))
            idx = prepared.area_index
            for k, name in enumerate(area_nodes):
                area_terms[name] = area_sd[k] * area_z[k][idx]
        inv_sqrt_phi = pm.HalfNormal("inv_sqrt_phi", 1.0, dims="nb_node") if nb_nodes else None
        sigma = None
        if cont_nodes:
            sigma = pm.HalfNormal(
                "sigma", sigma=np.array([pathway.nodes[n].scale for n in cont_nodes]), dims="continuous_node"
            )

        def value_of(name: str, eta: Any) -> Any:
            """A continuous node's input to its children: observed, imputed where missing."""
            if name not in parents_of_something:
                return eta
            y = prepared.values.get(name)
            if y is None or prepared.observed[name].size == 0:
                return eta  # no local data at all: its expected value
            missing = np.flatnonzero(np.isnan(y))
            full = pt.as_tensor_variable(np.nan_to_num(y))
            if missing.size:
                s = sigma[cont_nodes.index(name)]
                imputed = pm.Normal(f"{name}_missing", mu=eta[missing], sigma=s, shape=missing.size)
                full = pt.set_subtensor(full[missing], imputed)
            return full

        params = {"intercept": intercept, "beta": beta}
        eta = linear_predictors(plan, exposures, params, area_terms, value_of=value_of)
        groups = plan_groups(pathway, prepared) if collapse else {}

        def eta_at(name: str, inputs: dict[str, np.ndarray], areas: np.ndarray | None) -> Any:
            """``name``'s linear predictor at given values of its input columns."""
            size = len(areas) if areas is not None else len(next(iter(inputs.values()), [0.0]))
            exps = {e: inputs.get(e, np.zeros(size)) for e in pathway.exposures}
            terms = {n: area_sd[k] * area_z[k][areas] for k, n in enumerate(area_nodes)} if areas is not None else {}
            return linear_predictors(plan, exps, params, terms,
                                     value_of=lambda n, e: pt.as_tensor_variable(inputs[n]) if n in inputs else e)[name]

        for name, g in groups.items():
            _collapsed_likelihood(pathway.nodes[name].kind, g, eta_at, prepared,
                                  sigma[cont_nodes.index(name)] if name in cont_nodes else None)
        for name in endo:
            rows = prepared.observed[name]
            if rows.size == 0 or name in groups:
                continue
            node = pathway.nodes[name]
            y = prepared.values[name][rows]
            dims = f"{name}_obs"
            e = eta[name][rows]
            scale = prepared.values[node.offset][rows] / (node.per or 1.0) if node.offset else 1.0
            if collapse and node.kind in ("count", "proportion") and name not in nb_nodes:
                # the sampling model: the likelihood's kernel in eta (kernels.py), no constants
                if node.kind == "count":
                    pm.Potential(name, poisson_kernel(y, e, scale))
                else:
                    pm.Potential(name, binomial_kernel(y, e, prepared.values[node.trials][rows]))
                continue
            if node.kind == "count":
                mu = pt.exp(e) * scale
                if name in nb_nodes:
                    alpha = 1.0 / inv_sqrt_phi[nb_nodes.index(name)] ** 2
                    pm.NegativeBinomial(name, mu=mu, alpha=alpha, observed=y.astype("int64"), dims=dims)
                else:
                    pm.Poisson(name, mu=mu, observed=y.astype("int64"), dims=dims)
            elif node.kind == "proportion":
                n = prepared.values[node.trials][rows].astype("int64")
                pm.Binomial(name, n=n, logit_p=e, observed=y.astype("int64"), dims=dims)
            else:
                s = sigma[cont_nodes.index(name)]
                pm.Normal(name, mu=e, sigma=s, observed=y, dims=dims)
    return BuiltModel(model=model, pathway=pathway, priors=priors, data=prepared, plan=plan, intercept_priors=ip,
                      groups=groups)


def _collapsed_likelihood(kind: str, g: NodeGroups, eta_at: Any, data: PreparedData, sigma: Any) -> None:
    """One node's likelihood on its groups (see :mod:`copath.model.compact`)."""
    if g.affine is not None:  # normal, eta = Z theta: the Z'Z form, whatever the number of rows
        gram, theta_hat, rss = g.affine
        k = len(g.columns)
        design = {c: np.eye(k + 1)[:, j + 1] for j, c in enumerate(g.columns)}
        at = eta_at(g.node, design, None)  # eta at Z = 0, then at each unit column: theta
        theta = pt.concatenate([at[:1], at[1:] - at[0]])
        d = theta - theta_hat
        quad = rss + pt.dot(d, pt.dot(gram, d))
        n = g.n_rows
        pm.Potential(g.node, -n * pt.log(sigma) - 0.5 * n * np.log(2 * np.pi) - quad / (2 * sigma**2))
        return
    inputs = {c: data.values[c][g.rows] for c in g.columns}
    eta = eta_at(g.node, inputs, data.area_index[g.rows] if g.area else None)
    if kind == "count":
        pm.Potential(g.node, poisson_kernel(g.totals, eta, g.sizes))
    elif kind == "proportion":
        pm.Potential(g.node, binomial_kernel(g.totals, eta, g.sizes))
    else:
        n = g.sizes
        quad = pt.sum(g.within_ss + n * (g.totals / n - eta) ** 2)
        pm.Potential(g.node, -n.sum() * pt.log(sigma) - 0.5 * n.sum() * np.log(2 * np.pi) - quad / (2 * sigma**2))
