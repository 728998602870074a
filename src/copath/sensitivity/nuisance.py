r"""Power-scaling sensitivity of the parameters that are not links: intercepts, area sds,
season sds and trends, and each kind's noise (dispersion, residual sd).

Links are not the only priors a conclusion can rest on. The intercept of a node without
local data sits at its illustrative baseline; the spread of area effects, the dispersion of
counts and the residual sd of a continuous node have half-normal priors. Each element of
these parameters gets the same two numbers as a link (:mod:`copath.sensitivity.powerscale`):
the sensitivity of its posterior to power-scaling its *own* prior term, and to power-scaling
the whole likelihood, with the likelihood counted as informative only above the largest of
39 reordered values (``likelihood_null_max``), and the posterior contraction against draws
from the parameter's prior separates "prior dominates" from "prior influential". The prior
term is the density PyMC uses for the parameter, on its constrained scale (a half-normal on
the sd itself). A parameter of a node that has no data, with nothing downstream of it
observed, is **no local data**: the likelihood does not depend on it, as for a prior-only
link.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> t = parameter_power_scaling(rec)
>>> t.columns.tolist()[:4]
['parameter', 'element', 'prior_sensitivity', 'likelihood_sensitivity']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from copath.model.identification import observed_at_or_below
from copath.model.record import FitRecord
from copath.sensitivity.powerscale import (
    NO_LOCAL_DATA,
    THRESHOLD,
    diagnose,
    likelihood_null,
    log_likelihood_totals,
)

__all__ = ["parameter_power_scaling", "NUISANCE_PARAMETERS"]

#: Model variables that are not links and are sensitivity-checked (besides each kind's noise).
NUISANCE_PARAMETERS: tuple[str, ...] = ("intercept", "area_sd", "season_sd", "trend")


def _names(result: FitRecord) -> list[str]:
    noise = {p.variable for node in result.pathway.nodes.values()
             if (p := node.node_kind.noise(node)) is not None}
    present = set(result.posterior.data_vars)
    return [n for n in (*NUISANCE_PARAMETERS, *sorted(noise)) if n in present]


def _prior_variance(result: FitRecord, name: str, draws: int = 4000) -> np.ndarray:
    """Each element's prior variance, from draws of its prior."""
    import pymc as pm

    return np.asarray(pm.draw(result.model[name], draws=draws, random_seed=0), dtype=float).var(axis=0)


def _log_prior(result: FitRecord, name: str, values: np.ndarray) -> np.ndarray:
    """Each element's own prior log density at ``values`` (draws x elements)."""
    import pymc as pm

    rv = result.model[name]
    return np.asarray(pm.logp(rv, values).eval(), dtype=float)


def parameter_power_scaling(
    result: FitRecord, threshold: float = THRESHOLD, alphas: tuple[float, float] = (0.99, 1.01),
    random_seed: int = 0,
) -> pd.DataFrame:
    """Power-scaling sensitivity of every intercept, area sd, season sd, trend and noise
    parameter, one row per element (see the module text).

    Parameters
    ----------
    result
        A fitted record with a stored log likelihood.
    threshold
        The sensitivity that counts (0.05).
    alphas
        The power-scaling exponents either side of 1.
    random_seed
        Seed of the likelihood's permutation null.

    Returns
    -------
    pandas.DataFrame
        Indexed ``"<parameter>[<element>]"``, with ``parameter``, ``element`` (the node, or
        node and month), ``prior_sensitivity``, ``likelihood_sensitivity``,
        ``likelihood_null_max``, ``contraction`` (1 - posterior variance / prior variance)
        and ``diagnosis`` (as for links; NaN likelihood and ``"no local data"`` for a node
        with nothing observed at or below it; ``"unknown (no log likelihood)"`` when the fit
        stored none). Empty when the model has none of these parameters.
    """
    from arviz_stats import psense

    names = _names(result)
    columns = ["parameter", "element", "prior_sensitivity", "likelihood_sensitivity", "likelihood_null_max",
               "contraction", "diagnosis"]
    if not names:
        return pd.DataFrame(columns=columns)
    post = result.posterior
    posterior, log_prior, elements, prior_var = {}, {}, [], {}
    below = observed_at_or_below(result.pathway, result.nodes_with_data())
    for name in names:
        prior_var[name] = _prior_variance(result, name)
        da = post[name]
        dims = [d for d in da.dims if d not in ("chain", "draw")]
        da = da.transpose("chain", "draw", *dims)
        flat = da.values.reshape(da.sizes["chain"] * da.sizes["draw"], -1)
        lp = _log_prior(result, name, flat.reshape((flat.shape[0], *da.shape[2:])))
        lp = np.broadcast_to(lp, flat.reshape((flat.shape[0], *da.shape[2:])).shape)
        posterior[name] = da
        log_prior[name] = (da.dims, lp.reshape(da.shape))
        if dims:
            stacked = da.isel(chain=0, draw=0).stack(_e=dims) if len(dims) > 1 else da.isel(chain=0, draw=0)
            coords = stacked.indexes["_e"] if len(dims) > 1 else da.coords[dims[0]].values
            for c in coords:
                key = dict(zip(dims, c, strict=True)) if len(dims) > 1 else {dims[0]: c}
                elements.append((name, key))
        else:
            elements.append((name, {}))
    tree_groups = {"posterior": xr.Dataset(posterior),
                   "log_prior": xr.Dataset(log_prior, coords=xr.Dataset(posterior).coords)}
    totals = log_likelihood_totals(result)
    has_ll = totals is not None
    if has_ll:
        tree_groups["log_likelihood"] = totals
    tree = xr.DataTree.from_dict(tree_groups)
    if has_ll:
        lik = psense(tree, var_names=names, group="likelihood", alphas=alphas)
        null = likelihood_null(tree, alphas=alphas, random_seed=random_seed, var_names=names)
    rows = []
    for name, key in elements:
        sens = psense(tree, group="prior", alphas=alphas, var_names=[name], group_var_names=[name],
                      group_coords=key or None)
        prior_s = float(sens[name].sel(key)) if key else float(sens[name])
        if has_ll:
            lik_s = float(lik[name].sel(key)) if key else float(lik[name])
            null_s = float(null[name].max("permutation").sel(key)) if key else float(null[name].max("permutation"))
        else:
            lik_s = null_s = float("nan")
        draws = post[name].sel(key) if key else post[name]
        pv = prior_var[name]
        if key:
            pv = xr.DataArray(pv, dims=[d for d in post[name].dims if d not in ("chain", "draw")],
                              coords={d: post[name].coords[d] for d in key}).sel(key)
        contraction = 1.0 - float(draws.var()) / float(pv)
        node = str(next(iter(key.values()))) if key else ""
        no_data = node in below and not below[node]
        element = ", ".join(str(v) for v in key.values())
        rows.append({"name": f"{name}[{element}]" if element else name, "parameter": name, "element": element,
                     "prior_sensitivity": prior_s, "likelihood_sensitivity": float("nan") if no_data else lik_s,
                     "likelihood_null_max": float("nan") if no_data else null_s, "contraction": contraction,
                     "diagnosis": NO_LOCAL_DATA if no_data
                     else diagnose(prior_s, lik_s, threshold, null_s, contraction)})
    return pd.DataFrame(rows).set_index("name")[columns]
