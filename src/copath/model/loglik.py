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

import numpy as np
import pymc as pm
import xarray as xr

__all__ = ["log_likelihood_totals", "choose_log_likelihood", "POINTWISE_LIMIT", "LOG_LIKELIHOOD_MODES"]

#: Above this many draws x observations, ``"auto"`` stores totals (8 bytes each: 400 MB).
POINTWISE_LIMIT = 50_000_000
LOG_LIKELIHOOD_MODES = ("auto", "pointwise", "total", "none")


def choose_log_likelihood(mode: str, n_draws: int, n_obs: int) -> str:
    """Resolve ``"auto"`` to ``"pointwise"`` or ``"total"`` by the size it would take."""
    if mode not in LOG_LIKELIHOOD_MODES:
        raise ValueError(f"log_likelihood must be one of {', '.join(LOG_LIKELIHOOD_MODES)}, got {mode!r}")
    if mode != "auto":
        return mode
    return "pointwise" if n_draws * n_obs <= POINTWISE_LIMIT else "total"


def log_likelihood_totals(model: pm.Model, posterior: xr.Dataset) -> xr.Dataset:
    """Per observed node, the log likelihood summed over its rows, for every draw
    (dims ``chain, draw``); the same numbers as summing PyMC's pointwise values."""
    from pymc.model.transform.conditioning import remove_value_transforms

    umodel = remove_value_transforms(model)
    observed = list(umodel.observed_RVs)
    fn = umodel.compile_fn(inputs=umodel.value_vars, outs=[t.sum() for t in umodel.logp(vars=observed, sum=False)],
                           on_unused_input="ignore")
    names = [rv.name for rv in model.free_RVs]
    dtypes = {umodel.rvs_to_values[rv].name: umodel.rvs_to_values[rv].type.dtype for rv in umodel.free_RVs}
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    values = {n: posterior[n].transpose("chain", "draw", ...).values for n in names}
    out = np.empty((len(observed), chains, draws))
    for c in range(chains):
        for d in range(draws):
            point = {n: np.asarray(values[n][c, d], dtype=dtypes[n]) for n in names}
            out[:, c, d] = fn(point)
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values}
    return xr.Dataset({rv.name: (("chain", "draw"), out[i]) for i, rv in enumerate(observed)}, coords=coords)
