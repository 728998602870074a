"""Log likelihood over posterior draws, pointwise or as one total per observed node.

Pointwise values (draws x rows) serve LOO and per-row checks but grow with the data:
at national scale (a million rows, thousands of draws) they would need tens of GB.
The sensitivity analysis needs only each node's total per draw, which
:func:`log_likelihood_totals` computes draw by draw in constant memory.

Example
-------
>>> choose_log_likelihood("auto", n_draws=4000, n_obs=10_000)
'pointwise'
>>> choose_log_likelihood("auto", n_draws=4000, n_obs=1_000_000)
'total'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from copath.options import LogLikelihood, check

__all__ = ["log_likelihood_totals", "choose_log_likelihood", "POINTWISE_LIMIT"]

#: Above this many draws x observations, ``"auto"`` stores totals (8 bytes each: 400 MB).
POINTWISE_LIMIT = 50_000_000


def choose_log_likelihood(mode: LogLikelihood, n_draws: int, n_obs: int) -> str:
    """Resolve ``"auto"`` to ``"pointwise"`` or ``"total"`` by the size it would take.

    Parameters
    ----------
    mode
        ``"auto"``, ``"pointwise"``, ``"total"`` or ``"none"``.
    n_draws, n_obs
        Posterior draws and observed values.

    Returns
    -------
    str
        The mode to store.
    """
    check("log_likelihood", mode, LogLikelihood)
    if mode != "auto":
        return mode
    return "pointwise" if n_draws * n_obs <= POINTWISE_LIMIT else "total"


def _node_totals(model: pm.Model) -> tuple[list[str], Any]:
    """Names and a compiled function of the (transformed) value variables giving each
    node's log-likelihood total: observed variables summed, and a collapsed normal node's
    potential (named after the node; other potentials, such as the mirror term of
    :mod:`copath.model.symmetrise`, are not likelihood)."""
    observed = list(model.observed_RVs)
    nodes = set(model.coords.get("node", ()))
    potentials = [pot for pot in model.potentials if pot.name in nodes]
    # a potential is written in the random variables: put the value variables in their place
    outs = [t.sum() for t in model.logp(vars=observed, sum=False)] + model.replace_rvs_by_values(potentials)
    names = [rv.name for rv in observed] + [pot.name for pot in potentials]
    return names, model.compile_fn(inputs=model.value_vars, outs=outs, on_unused_input="ignore")


def _value_draws(model: pm.Model, posterior: xr.Dataset) -> dict[str, np.ndarray]:
    """Each value variable over (chain, draw, ...): the posterior mapped to the sampler's
    (transformed) space, e.g. log sigma."""
    out = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        x = posterior[rv.name].transpose("chain", "draw", ...).values
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            x = transform.forward(pt.as_tensor_variable(x), *rv.owner.inputs).eval()
        out[value_var.name] = np.asarray(x, dtype=value_var.type.dtype)
    return out


def log_likelihood_totals(model: pm.Model, posterior: xr.Dataset, rows_model: pm.Model | None = None) -> xr.Dataset:
    """Per observed node, the log likelihood summed over its rows, for every draw
    (dims ``chain, draw``); the same numbers as summing PyMC's pointwise values.

    ``model`` may be the collapsed sampling model (:mod:`copath.model.compact`), whose
    terms differ from the row-level ones by a constant per node; ``rows_model`` (the
    row-level model) then supplies that constant, found at the first draw, so the
    totals are the row-level ones at the collapsed model's cost.
    """
    names, fn = _node_totals(model)
    values = _value_draws(model, posterior)
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]

    def point(c: int, d: int) -> dict[str, np.ndarray]:
        return {n: v[c, d] for n, v in values.items()}

    out = np.empty((len(names), chains, draws))
    for c in range(chains):
        for d in range(draws):
            out[:, c, d] = fn(point(c, d))
    if rows_model is not None:
        row_names, row_fn = _node_totals(rows_model)
        row_values = _value_draws(rows_model, posterior.isel(chain=[0], draw=[0]))
        at_first = dict(zip(row_names, row_fn({n: v[0, 0] for n, v in row_values.items()}), strict=True))
        for i, name in enumerate(names):
            out[i] += at_first[name] - out[i, 0, 0]
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values}
    return xr.Dataset({name: (("chain", "draw"), out[i]) for i, name in enumerate(names)}, coords=coords)
