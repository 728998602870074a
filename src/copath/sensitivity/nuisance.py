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
    LikelihoodSensitivity,
    diagnose,
    likelihood_sensitivity,
)

__all__ = ["parameter_power_scaling", "NUISANCE_PARAMETERS", "nuisance_parameters", "prior_variance"]

#: Model variables that are not links and are sensitivity-checked (besides each kind's noise).
NUISANCE_PARAMETERS: tuple[str, ...] = ("intercept", "area_sd", "season_sd", "trend")


def nuisance_parameters(result: FitRecord) -> list[str]:
    """The posterior variables of ``result`` that get parameter rows: those of
    :data:`NUISANCE_PARAMETERS` in the model, then each kind's noise variable.

    Parameters
    ----------
    result
        A fitted record.

    Returns
    -------
    list[str]
        Variable names, e.g. ``["intercept", "area_sd", "sigma"]``.

    Example
    -------
    ``nuisance_parameters(rec)[0]`` is ``"intercept"`` for any fitted pathway.
    """
    noise = {p.variable for node in result.pathway.nodes.values()
             if (p := node.node_kind.noise(node)) is not None}
    present = set(result.posterior.data_vars)
    return [n for n in (*NUISANCE_PARAMETERS, *sorted(noise)) if n in present]


#: Variance of a half-normal with scale 1 (Leone, Nelson & Nottingham 1961): 1 - 2/pi.
HALF_NORMAL_VARIANCE = 1.0 - 2.0 / np.pi


def prior_variance(rv, draws: int = 4000) -> np.ndarray:
    """Each element's prior variance: exact for the normal and half-normal priors copath's
    builder uses (sigma^2 and sigma^2 (1 - 2/pi)), from ``draws`` prior draws otherwise.

    Parameters
    ----------
    rv
        A model's free random variable (``model["intercept"]``).
    draws
        Prior draws when the distribution has no closed form here.

    Returns
    -------
    numpy.ndarray
        The variance, in the variable's shape.

    Example
    -------
    >>> import numpy as np, pymc as pm
    >>> with pm.Model() as m:
    ...     s = pm.HalfNormal("s", sigma=np.array([1.0, 2.0]))
    >>> np.round(prior_variance(m["s"]), 4).tolist()
    [0.3634, 1.4535]
    """
    import pymc as pm

    op = rv.owner.op
    shape = tuple(int(d) for d in rv.shape.eval())
    params = op.dist_params(rv.owner)
    constant = all(_is_constant(p) for p in params)
    if constant and getattr(op, "name", None) in ("normal", "halfnormal"):
        scale = np.asarray(params[-1].eval(), dtype=float)
        factor = 1.0 if op.name == "normal" else HALF_NORMAL_VARIANCE
        return np.broadcast_to(factor * scale**2, shape).astype(float)
    return np.asarray(pm.draw(rv, draws=draws, random_seed=0), dtype=float).var(axis=0)


def _is_constant(var) -> bool:
    """Whether ``var`` depends on no random variable or input (only constants)."""
    from pytensor.graph.traversal import graph_inputs
    from pytensor.tensor.variable import TensorConstant

    return all(isinstance(v, TensorConstant) for v in graph_inputs([var]))


def _log_prior(result: FitRecord, name: str, values: np.ndarray) -> np.ndarray:
    """Each element's own prior log density at ``values`` (draws x elements)."""
    import pymc as pm

    rv = result.model[name]
    return np.asarray(pm.logp(rv, values).eval(), dtype=float)


def parameter_power_scaling(
    result: FitRecord, threshold: float = THRESHOLD, alphas: tuple[float, float] = (0.99, 1.01),
    random_seed: int = 0, likelihood: LikelihoodSensitivity | None = None,
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
    likelihood
        The likelihood sensitivities and null, if already computed for (at least) these
        parameters (:func:`copath.sensitivity.powerscale.likelihood_sensitivity`, which
        ``copath.sensitivity`` shares with the link table). Computed here when None.

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

    names = nuisance_parameters(result)
    columns = ["parameter", "element", "prior_sensitivity", "likelihood_sensitivity", "likelihood_null_max",
               "contraction", "diagnosis"]
    if not names:
        return pd.DataFrame(columns=columns)
    post = result.posterior
    posterior, log_prior, elements, prior_var = {}, {}, [], {}
    below = observed_at_or_below(result.pathway, result.nodes_with_data())
    for name in names:
        prior_var[name] = prior_variance(result.model[name])
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
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset(posterior),
                                  "log_prior": xr.Dataset(log_prior, coords=xr.Dataset(posterior).coords)})
    if likelihood is None:
        likelihood = likelihood_sensitivity(result, names, alphas=alphas, random_seed=random_seed)
    has_ll = likelihood is not None
    if has_ll:
        lik, null = likelihood.sensitivity, likelihood.null_max
    rows = []
    for name, key in elements:
        sens = psense(tree, group="prior", alphas=alphas, var_names=[name], group_var_names=[name],
                      group_coords=key or None)
        prior_s = float(sens[name].sel(key)) if key else float(sens[name])
        if has_ll:
            lik_s = float(lik[name].sel(key)) if key else float(lik[name])
            null_s = float(null[name].sel(key)) if key else float(null[name])
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
