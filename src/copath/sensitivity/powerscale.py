r"""Power-scaling sensitivity per link (Kallioinen et al. 2024, *Stat Comput* 34:57).

Raising one component of the posterior to a power :math:`\alpha` near 1 and
reweighting the draws (PSIS, no refit) shows how much the posterior depends on it.
The sensitivity is the derivative of the cumulative Jensen-Shannon distance between
the power-scaled and the actual posterior of a quantity; ArviZ's ``psense`` computes
it. For each link :math:`\ell` we scale

- the link's **own prior term** :math:`N(\beta_\ell; \mu_\ell, \sigma_\ell)^\alpha`
  (not the joint prior), and read the sensitivity of :math:`\beta_\ell`;
- the **whole likelihood** :math:`p(y \mid \theta)^\alpha`, and read the sensitivity
  of every :math:`\beta_\ell`.

Diagnosis with threshold :math:`t` (0.05 by default, as in priorsense):
prior :math:`\ge t` and likelihood :math:`\ge t` is a **prior-data conflict**;
prior :math:`\ge t` and likelihood :math:`< t` is **prior dominates (weak
likelihood)**: the data say little, the conclusion on this link is the prior's;
otherwise **fine**. A link the identification check marks ``prior only``
(:mod:`copath.model.identification`: neither its child nor anything downstream has data, or
its parent is absent or constant) is **no local data**: the likelihood does not depend on its
coefficient at all, so its likelihood sensitivity is not a number to read (NaN) however the
draws' noise would have put it. On the City of London example's fit (2 x 1,000 draws), where
all 40 links are prior only, their likelihood sensitivities read 0.020 to 0.068 (median 0.038),
pure Monte Carlo noise, and 8 of the 40 would have been labelled conflicts. The
other labels still compare a noisy estimate with the threshold (issue 18: their false-positive
rate is not measured yet).

Example
-------
>>> diagnose(0.12, 0.09), diagnose(0.12, 0.01), diagnose(0.01, 0.2)
('prior-data conflict', 'prior dominates (weak likelihood)', 'fine')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from copath.model.record import FitRecord

__all__ = ["diagnose", "power_scaling", "THRESHOLD", "CONFLICT", "PRIOR_DOMINATES", "FINE", "NO_LOCAL_DATA"]

THRESHOLD = 0.05
CONFLICT = "prior-data conflict"
PRIOR_DOMINATES = "prior dominates (weak likelihood)"
FINE = "fine"
NO_LIKELIHOOD = "unknown (no log likelihood)"
NO_LOCAL_DATA = "no local data"


def diagnose(prior: float, likelihood: float, threshold: float = THRESHOLD) -> str:
    """The diagnosis for one link from its two sensitivities (see the module text);
    ``"unknown (no log likelihood)"`` when the fit stored none."""
    if np.isnan(likelihood):
        return NO_LIKELIHOOD
    if prior >= threshold and likelihood >= threshold:
        return CONFLICT
    if prior >= threshold:
        return PRIOR_DOMINATES
    return FINE


def _sensitivity_tree(result: FitRecord, extra: Mapping[str, np.ndarray] | None) -> xr.DataTree:
    """A slim DataTree for ``psense``: the link coefficients (and any per-draw extras)
    as posterior, each link's own log prior, and each node's total log likelihood."""
    beta = result.posterior["beta"].transpose("chain", "draw", "link")
    posterior = xr.Dataset({"beta": beta})
    chains, draws = beta.sizes["chain"], beta.sizes["draw"]
    for name, values in (extra or {}).items():
        posterior[name] = (("chain", "draw"), np.asarray(values, dtype=float).reshape(chains, draws))
    values = np.stack([result.priors[str(n)].logpdf(beta.sel(link=n).values) for n in beta.coords["link"].values],
                      axis=-1)
    log_prior = xr.Dataset({"beta": (beta.dims, values)}, coords=beta.coords)
    groups = {"posterior": posterior, "log_prior": log_prior}
    if "log_likelihood" in result.idata.children:
        ll = result.idata["log_likelihood"].to_dataset()
        totals = {name: var.sum([d for d in var.dims if d not in ("chain", "draw")])
                  for name, var in ll.data_vars.items()}
        if totals:
            groups["log_likelihood"] = xr.Dataset(totals)
    return xr.DataTree.from_dict(groups)


def power_scaling(
    result: FitRecord,
    threshold: float = THRESHOLD,
    alphas: tuple[float, float] = (0.99, 1.01),
    extra: Mapping[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per link: ``prior_sensitivity`` (own prior term), ``likelihood_sensitivity`` and
    ``diagnosis``. ``extra`` adds per-draw quantities (e.g. final outcomes, chain-major
    order); the second frame gives their sensitivity to each link's prior (links x extras).

    Example
    -------
    ``rec`` is a fitted record (``cp.fit`` returns one):

    >>> table, outcome_prior = power_scaling(rec)
    >>> table.columns.tolist(), table.index.tolist() == rec.pathway.link_names
    (['prior_sensitivity', 'likelihood_sensitivity', 'diagnosis'], True)
    """
    from arviz_stats import psense

    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive number, got {threshold}")
    tree = _sensitivity_tree(result, extra)
    links = [str(n) for n in tree["posterior"]["beta"].coords["link"].values]
    extra_names = list(extra or {})
    if "log_likelihood" in tree.children:
        lik = psense(tree, var_names=["beta"], group="likelihood", alphas=alphas)["beta"]
        lik_values = {name: float(lik.sel(link=name)) for name in links}
    else:  # fitted with log_likelihood="none", or nothing observed
        lik_values = dict.fromkeys(links, float("nan"))
    status = {k: v.get("status") for k, v in result.run.identification.items()}
    for name in links:  # the likelihood does not depend on these coefficients at all
        if status.get(name) == "prior only":
            lik_values[name] = float("nan")
    rows, outcome_rows = [], []
    for name in links:
        sens = psense(tree, group="prior", alphas=alphas, group_var_names=["beta"],
                      group_coords={"link": name})
        prior_s = float(sens["beta"].sel(link=name))
        rows.append({"link": name, "prior_sensitivity": prior_s,
                     "likelihood_sensitivity": lik_values[name],
                     "diagnosis": NO_LOCAL_DATA if status.get(name) == "prior only"
                     else diagnose(prior_s, lik_values[name], threshold)})
        outcome_rows.append({"link": name, **{e: float(sens[e]) for e in extra_names}})
    table = pd.DataFrame(rows).set_index("link")
    outcomes = pd.DataFrame(outcome_rows).set_index("link") if extra_names else pd.DataFrame(index=table.index)
    return table, outcomes
