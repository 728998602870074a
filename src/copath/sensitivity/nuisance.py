r"""Power-scaling sensitivity of the parameters that are not links: intercepts, area sds,
season sds, trends and period sds, and each kind's noise (dispersion, residual sd).

Links are not the only priors a conclusion can rest on. The intercept of a node without
local data sits at its illustrative baseline; the spread of area effects, the dispersion of
counts and the residual sd of a continuous node have half-normal priors. Each element of
these parameters gets the same numbers and labels as a link
(:mod:`copath.sensitivity.powerscale`): the sensitivity of its posterior to power-scaling its
*own* prior term (the density PyMC uses, on the constrained scale: a half-normal on the sd
itself), the likelihood's sensitivity with its permutation null, the posterior contraction
against the prior's exact variance, and, for a normal prior (intercepts, trends), the
prior-data conflict check. A half-normal scale gets "(conflict not checked)": the check's
normal approximation does not fit a prior piled against zero. So does an intercept without
a ``baseline``: its prior is centred on the data's own level, and checking it would use the
data twice. A parameter of a node that has no
data, with nothing downstream of it observed, is **no local data**: the likelihood does not
depend on it, as for a prior-only link.

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
    conflict_p,
    diagnose,
    likelihood_informative,
    likelihood_sensitivity,
    variance_ess,
)

__all__ = ["parameter_power_scaling", "NUISANCE_PARAMETERS", "nuisance_parameters", "prior_moments"]

#: Model variables that are not links and are sensitivity-checked (besides each kind's noise).
NUISANCE_PARAMETERS: tuple[str, ...] = ("intercept", "area_sd", "season_sd", "trend", "period_sd")


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


def prior_moments(rv, draws: int = 4000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each element's prior mean and variance: exact for the normal and half-normal priors
    copath's builder uses (for a half-normal of scale sigma, mean sigma sqrt(2/pi) and
    variance sigma^2 (1 - 2/pi)), from ``draws`` prior draws otherwise.

    Parameters
    ----------
    rv
        A model's free random variable (``model["intercept"]``).
    draws
        Prior draws when the distribution has no closed form here.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray, bool]
        The mean and the variance, in the variable's shape, and whether the prior is normal
        (the conflict check, :func:`copath.sensitivity.powerscale.conflict_p`, needs one).

    Example
    -------
    >>> import numpy as np, pymc as pm
    >>> with pm.Model() as m:
    ...     s = pm.HalfNormal("s", sigma=np.array([1.0, 2.0]))
    >>> mean, var, normal = prior_moments(m["s"])
    >>> np.round(mean, 4).tolist(), np.round(var, 4).tolist(), normal
    ([0.7979, 1.5958], [0.3634, 1.4535], False)
    """
    import pymc as pm

    op = rv.owner.op
    shape = tuple(int(d) for d in rv.shape.eval())
    params = op.dist_params(rv.owner)
    kind = getattr(op, "name", None)
    if all(_is_constant(p) for p in params) and kind in ("normal", "halfnormal"):
        loc = np.asarray(params[0].eval(), dtype=float)
        scale = np.asarray(params[-1].eval(), dtype=float)
        if kind == "normal":
            mean, var = loc, scale**2
        else:
            mean, var = loc + scale * np.sqrt(2.0 / np.pi), HALF_NORMAL_VARIANCE * scale**2
        return (np.broadcast_to(mean, shape).astype(float), np.broadcast_to(var, shape).astype(float),
                kind == "normal")
    values = np.asarray(pm.draw(rv, draws=draws, random_seed=0), dtype=float)
    return values.mean(axis=0), values.var(axis=0), False


def _is_constant(var) -> bool:
    """Whether ``var`` depends on no random variable or input (only constants)."""
    from pytensor.graph.traversal import graph_inputs
    from pytensor.tensor.variable import TensorConstant

    return all(isinstance(v, TensorConstant) for v in graph_inputs([var]))


def _element(posterior: xr.DataArray, values: np.ndarray, key: dict) -> float:
    """The element ``key`` of per-element ``values`` laid out as ``posterior`` without chain and draw."""
    if not key:
        return float(values)
    dims = [d for d in posterior.dims if d not in ("chain", "draw")]
    return float(xr.DataArray(values, dims=dims, coords={d: posterior.coords[d] for d in key}).sel(key))


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
        ``likelihood_null_max``, ``likelihood_informative``, ``contraction`` (1 - posterior
        variance / prior variance), ``conflict_p`` (the conflict check, for normal priors; NaN
        for a half-normal scale) and ``diagnosis`` (as for links; NaN likelihood and ``"no local data"`` for a node
        with nothing observed at or below it; ``"unknown (no log likelihood)"`` when the fit
        stored none). Empty when the model has none of these parameters.
    """
    from arviz_stats import psense

    names = nuisance_parameters(result)
    columns = ["parameter", "element", "prior_sensitivity", "likelihood_sensitivity", "likelihood_null_max",
               "likelihood_informative", "contraction", "conflict_p", "diagnosis"]
    if not names:
        return pd.DataFrame(columns=columns)
    post = result.posterior
    posterior, log_prior, elements, moments = {}, {}, [], {}
    below = observed_at_or_below(result.pathway, result.nodes_with_data())
    for name in names:
        moments[name] = prior_moments(result.model[name])
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
        mean_all, var_all, normal = moments[name]
        prior_mean, prior_var = _element(post[name], mean_all, key), _element(post[name], var_all, key)
        contraction = 1.0 - float(draws.var()) / prior_var
        node = str(next(iter(key.values()))) if key else ""
        no_data = node in below and not below[node]
        # a half-normal prior does not fit the check's normal approximation; an intercept without a baseline is
        # centred on the data's own level, so checking it would use the data twice
        data_centred = name == "intercept" and node in result.pathway.nodes and result.pathway.nodes[node].baseline is None
        conflict = (conflict_p(prior_mean, prior_var**0.5, float(draws.mean()), float(draws.std()),
                               variance_ess(draws.transpose("chain", "draw").values))
                    if normal and not no_data and not data_centred else float("nan"))
        element = ", ".join(str(v) for v in key.values())
        rows.append({"name": f"{name}[{element}]" if element else name, "parameter": name, "element": element,
                     "prior_sensitivity": prior_s, "likelihood_sensitivity": float("nan") if no_data else lik_s,
                     "likelihood_null_max": float("nan") if no_data else null_s,
                     "likelihood_informative": False if no_data else likelihood_informative(lik_s, null_s, threshold),
                     "contraction": contraction, "conflict_p": conflict,
                     "diagnosis": NO_LOCAL_DATA if no_data
                     else diagnose(prior_s, lik_s, threshold, contraction, conflict)})
    return pd.DataFrame(rows).set_index("name")[columns]
