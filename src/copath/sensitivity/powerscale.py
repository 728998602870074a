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

Diagnosis with threshold :math:`t` (0.05 by default, as in priorsense). The likelihood
sensitivity is an estimate from weighted draws, and its Monte Carlo noise alone exceeds
:math:`t` on a realistic pathway: with a total log likelihood whose sd over draws is about
12, a coefficient *unrelated* to the data reads 0.07 to 0.18 at 2 x 600 draws. So each
link's likelihood sensitivity is also compared with a permutation null: the same
computation with the draws' total log likelihood reordered (:data:`NULL_PERMUTATIONS` = 39
times): the chains in a random order, each shifted circularly by a random offset, which keeps
the weights' spread and the draws' autocorrelation but breaks any tie to the coefficient. A
uniform shuffle would assume independent draws; with autocorrelated chains an unrelated
coefficient then agrees with the log likelihood by chance more often than the shuffle shows
(lag-1 autocorrelation 0.7: 17% flagged at a nominal 2.5%; the methods review of issue 18).
``likelihood_null_max`` is the largest of the 39 (the null's 97.5th percentile by rank)
and the likelihood is **informative** about a link when its sensitivity is at least
:math:`t` *and* above ``likelihood_null_max``: a test at level about 1/40 = 0.025 for a
coefficient unrelated to the data. With 40 links, about one such false "informative" is
expected in a fit by chance.
Then, as priorsense words it, prior :math:`\ge t` and an informative likelihood is a
**potential prior-data conflict** (both carry information about the link; they may still
agree: compare the prior and posterior in ``res.summary()``). Prior :math:`\ge t` without an
informative likelihood is read with the posterior contraction :math:`1 -
\operatorname{var}_{post}/\operatorname{var}_{prior}`, which has no such noise problem:
below 0.5 it is **prior dominates (weak likelihood)**, the data narrow the prior little and
the conclusion on this link is the prior's; at 0.5 or more it is **prior influential
(likelihood within draw noise)**, the data narrow the prior but the draws cannot tell their
pull from noise (failing the test is not evidence that the data are weak). Otherwise
**fine**. Measured false-positive rate on coefficients unrelated to the data (log
likelihood pure noise, sd 12, 2 x 1,200 draws as ``copath demo`` uses, 20 seeds x 10
coefficients; ``tests/sensitivity/test_powerscale_null.py``): the raw rule
(:math:`\ge t`) flagged 188 of 200, the circular-shift rule 3 of 200; with draws as
autocorrelated as a sticky chain's (lag-1 0.7) 199 and 5 of 200. The prior sensitivity needs no such null: its weights
come from the link's own log prior, which barely varies over a posterior the data have
narrowed, so its noise stays far below :math:`t` (posterior sd 0.1, priors 5 to 30 times
wider, 2 x 1,200 draws: 0 of 200 reached 0.05 over 20 seeds, the largest 0.023).
Intercepts, scales and dispersions get the same rows in :mod:`copath.sensitivity.nuisance`.

A link the identification check marks ``prior only``
(:mod:`copath.model.identification`: neither its child nor anything downstream has data, or
its parent is absent or constant) is **no local data**: the likelihood does not depend on its
coefficient at all, so its likelihood sensitivity is not a number to read (NaN) however the
draws' noise would have put it. On the City of London example's fit (2 x 1,000 draws), where
all 40 links are prior only, their likelihood sensitivities read 0.020 to 0.068 (median 0.038),
pure Monte Carlo noise, and 8 of the 40 would have been labelled conflicts.

Example
-------
>>> diagnose(0.12, 0.09), diagnose(0.12, 0.01), diagnose(0.01, 0.2)
('potential prior-data conflict', 'prior dominates (weak likelihood)', 'fine')
>>> diagnose(0.12, 0.09, likelihood_null=0.11)   # within the draws' noise
'prior dominates (weak likelihood)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from copath.model.record import FitRecord
from copath.sensitivity.nulls import circular_shift_order

__all__ = ["diagnose", "power_scaling", "likelihood_null", "THRESHOLD", "CONFLICT", "PRIOR_DOMINATES", "FINE",
           "NO_LOCAL_DATA", "NULL_PERMUTATIONS", "log_likelihood_totals", "PRIOR_INFLUENTIAL", "CONTRACTION_STRONG",
           "LikelihoodSensitivity", "likelihood_sensitivity"]

THRESHOLD = 0.05
#: Shuffles of the log likelihood behind ``likelihood_null_max`` (the largest is the 97.5th percentile by rank).
NULL_PERMUTATIONS = 39
CONFLICT = "potential prior-data conflict"
PRIOR_DOMINATES = "prior dominates (weak likelihood)"
PRIOR_INFLUENTIAL = "prior influential (likelihood within draw noise)"
#: Posterior contraction from which the data count as narrowing the prior (see the module text).
CONTRACTION_STRONG = 0.5
FINE = "fine"
NO_LIKELIHOOD = "unknown (no log likelihood)"
NO_LOCAL_DATA = "no local data"


def diagnose(prior: float, likelihood: float, threshold: float = THRESHOLD, likelihood_null: float = 0.0,
             contraction: float = float("nan")) -> str:
    """The diagnosis for one link from its two sensitivities (see the module text).

    Parameters
    ----------
    prior, likelihood
        The link's prior and likelihood power-scaling sensitivities.
    threshold
        The sensitivity that counts (0.05, as in priorsense).
    likelihood_null
        The permutation null's largest value for the likelihood sensitivity: the
        likelihood counts as informative only above it (0 ignores the null).
    contraction
        The posterior contraction, 1 - posterior variance / prior variance (NaN: unknown,
        read as weak).

    Returns
    -------
    str
        :data:`CONFLICT`, :data:`PRIOR_DOMINATES`, :data:`PRIOR_INFLUENTIAL`, :data:`FINE`,
        or ``"unknown (no log likelihood)"`` when the fit stored none.

    Example
    -------
    >>> diagnose(0.12, 0.09, likelihood_null=0.11, contraction=0.8)   # data narrow it; draws too noisy
    'prior influential (likelihood within draw noise)'
    """
    if np.isnan(likelihood):
        return NO_LIKELIHOOD
    informative = likelihood >= threshold and likelihood > likelihood_null
    if prior >= threshold and informative:
        return CONFLICT
    if prior >= threshold:
        return PRIOR_INFLUENTIAL if contraction >= CONTRACTION_STRONG else PRIOR_DOMINATES
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
    totals = log_likelihood_totals(result)
    if totals is not None:
        groups["log_likelihood"] = totals
    return xr.DataTree.from_dict(groups)


def log_likelihood_totals(result: FitRecord) -> xr.Dataset | None:
    """Each observed node's log likelihood summed over its rows, per draw (None when the fit
    stored no log likelihood, or an empty one): what power-scaling the likelihood scales.

    Parameters
    ----------
    result
        A fitted record.

    Returns
    -------
    xarray.Dataset or None
        One ``(chain, draw)`` variable per observed node.
    """
    if "log_likelihood" not in result.idata.children:
        return None
    ll = result.idata["log_likelihood"].to_dataset()
    totals = {name: var.sum([d for d in var.dims if d not in ("chain", "draw")]) for name, var in ll.data_vars.items()}
    return xr.Dataset(totals) if totals else None


def likelihood_null(
    tree: xr.DataTree, alphas: tuple[float, float] = (0.99, 1.01), permutations: int = NULL_PERMUTATIONS,
    random_seed: int = 0, var_names: Sequence[str] = ("beta",),
) -> xr.Dataset:
    """Likelihood power-scaling sensitivities of ``var_names`` with the log likelihood shuffled.

    Each permutation reorders every log-likelihood variable the same way: the chains in a
    random order, each shifted circularly by a random offset
    (:func:`copath.sensitivity.nulls.circular_shift_order`). The weights keep their spread,
    their autocorrelation and their joint structure across nodes but lose any tie to the
    coefficients: what a coefficient unrelated to the data would read.

    Parameters
    ----------
    tree
        A DataTree with ``posterior`` (holding ``var_names``) and ``log_likelihood``
        groups, as ``psense`` reads them.
    alphas
        The power-scaling exponents, as for the sensitivity itself.
    permutations
        How many shuffles (39 makes the largest the null's 97.5th percentile by rank).
    random_seed
        Seed of the shuffles.
    var_names
        The posterior variables to read.

    Returns
    -------
    xarray.Dataset
        One variable per name, with a leading ``permutation`` dim.

    Example
    -------
    >>> import numpy as np, xarray as xr
    >>> rng = np.random.default_rng(1)
    >>> beta = xr.Dataset({"beta": (("chain", "draw", "link"), rng.normal(size=(2, 300, 3)))},
    ...                   coords={"link": ["a", "b", "c"]})
    >>> ll = xr.Dataset({"y": (("chain", "draw"), rng.normal(scale=12, size=(2, 300)))})
    >>> null = likelihood_null(xr.DataTree.from_dict({"posterior": beta, "log_likelihood": ll}), permutations=3)
    >>> null["beta"].dims, bool((null["beta"] > 0.05).all())   # noise alone passes the 0.05 threshold
    (('permutation', 'link'), True)
    """
    from arviz_stats import psense

    rng = np.random.default_rng(random_seed)
    ll = tree["log_likelihood"].to_dataset()
    chains, draws = ll.sizes["chain"], ll.sizes["draw"]
    out = []
    for _ in range(permutations):
        order = circular_shift_order(chains, draws, rng)
        permuted = xr.Dataset({
            name: (var.dims, var.values.reshape((chains * draws,) + var.shape[2:])[order].reshape(var.shape))
            for name, var in ll.transpose("chain", "draw", ...).data_vars.items()
        })
        perm_tree = xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset(), "log_likelihood": permuted})
        out.append(psense(perm_tree, var_names=list(var_names), group="likelihood", alphas=alphas))
    return xr.concat(out, dim="permutation")


@dataclass(frozen=True)
class LikelihoodSensitivity:
    """Likelihood power-scaling sensitivities of some posterior variables and the largest
    value of their permutation null, from one pass over the reordered log likelihood.

    Parameters
    ----------
    sensitivity
        One variable per name: the likelihood sensitivity.
    null_max
        The same variables: the largest of the null's :data:`NULL_PERMUTATIONS` values.

    Example
    -------
    ``likelihood_sensitivity(rec, ["beta"]).null_max["beta"]`` has a ``link`` dim.
    """

    sensitivity: xr.Dataset
    null_max: xr.Dataset


def likelihood_sensitivity(
    result: FitRecord, var_names: Sequence[str], alphas: tuple[float, float] = (0.99, 1.01), random_seed: int = 0,
) -> LikelihoodSensitivity | None:
    """The likelihood sensitivity of every posterior variable in ``var_names`` and its null
    (:func:`likelihood_null`), computed once for all of them: the link table and the
    parameter rows (:mod:`copath.sensitivity.nuisance`) share it, so the 39 reorderings are
    weighted once. Each reordering depends only on ``random_seed``, so a variable reads the
    same whichever others are computed with it.

    Parameters
    ----------
    result
        A fitted record.
    var_names
        Posterior variables (e.g. ``["beta", "intercept"]``).
    alphas
        The power-scaling exponents either side of 1.
    random_seed
        Seed of the reorderings.

    Returns
    -------
    LikelihoodSensitivity or None
        None when the fit stored no log likelihood (or an empty one).

    Example
    -------
    ``rec`` is a fitted record (``cp.fit`` returns one):

    >>> ls = likelihood_sensitivity(rec, ["beta"])
    >>> ls.sensitivity["beta"].dims, ls.null_max["beta"].dims
    (('link',), ('link',))
    """
    from arviz_stats import psense

    totals = log_likelihood_totals(result)
    if totals is None:
        return None
    names = list(var_names)
    posterior = xr.Dataset({n: result.posterior[n].transpose("chain", "draw", ...) for n in names})
    tree = xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": totals})
    lik = psense(tree, var_names=names, group="likelihood", alphas=alphas)
    null = likelihood_null(tree, alphas=alphas, random_seed=random_seed, var_names=names).max("permutation")
    return LikelihoodSensitivity(sensitivity=lik, null_max=null)


def power_scaling(
    result: FitRecord,
    threshold: float = THRESHOLD,
    alphas: tuple[float, float] = (0.99, 1.01),
    extra: Mapping[str, np.ndarray] | None = None,
    random_seed: int = 0,
    likelihood: LikelihoodSensitivity | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per link: ``prior_sensitivity`` (own prior term), ``likelihood_sensitivity``,
    ``likelihood_null_max`` and ``diagnosis`` (see the module text).

    Parameters
    ----------
    result
        A fitted record with a stored log likelihood (else the diagnosis is unknown).
    threshold
        The sensitivity that counts (0.05).
    alphas
        The power-scaling exponents either side of 1.
    extra
        Per-draw quantities (e.g. final outcomes, chain-major order) whose sensitivity to
        each link's prior is also wanted.
    random_seed
        Seed of the likelihood's permutation null.
    likelihood
        The likelihood sensitivities and null, if already computed with ``"beta"`` among
        their variables (:func:`likelihood_sensitivity`; ``copath.sensitivity`` shares one
        with the parameter rows). Computed here when None.

    Returns
    -------
    tuple[pandas.DataFrame, pandas.DataFrame]
        The per-link table, and the extras' sensitivity to each link's prior (links x extras).

    Example
    -------
    ``rec`` is a fitted record (``cp.fit`` returns one):

    >>> table, outcome_prior = power_scaling(rec)
    >>> table.columns.tolist(), table.index.tolist() == rec.pathway.link_names
    (['prior_sensitivity', 'likelihood_sensitivity', 'likelihood_null_max', 'diagnosis'], True)
    """
    from arviz_stats import psense

    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive number, got {threshold}")
    tree = _sensitivity_tree(result, extra)
    links = [str(n) for n in tree["posterior"]["beta"].coords["link"].values]
    extra_names = list(extra or {})
    if likelihood is None and "log_likelihood" in tree.children:
        likelihood = likelihood_sensitivity(result, ["beta"], alphas=alphas, random_seed=random_seed)
    if likelihood is not None:
        lik, null = likelihood.sensitivity["beta"], likelihood.null_max["beta"]
        lik_values = {name: float(lik.sel(link=name)) for name in links}
        null_values = {name: float(null.sel(link=name)) for name in links}
    else:  # fitted with log_likelihood="none", or nothing observed
        lik_values = dict.fromkeys(links, float("nan"))
        null_values = dict.fromkeys(links, float("nan"))
    status = {k: v.get("status") for k, v in result.run.identification.items()}
    for name in links:  # the likelihood does not depend on these coefficients at all
        if status.get(name) == "prior only":
            lik_values[name] = null_values[name] = float("nan")
    beta = tree["posterior"]["beta"]
    contraction = {name: 1.0 - float(beta.sel(link=name).var()) / result.priors[name].sd ** 2 for name in links}
    rows, outcome_rows = [], []
    for name in links:
        sens = psense(tree, group="prior", alphas=alphas, group_var_names=["beta"],
                      group_coords={"link": name})
        prior_s = float(sens["beta"].sel(link=name))
        rows.append({"link": name, "prior_sensitivity": prior_s,
                     "likelihood_sensitivity": lik_values[name],
                     "likelihood_null_max": null_values[name],
                     "diagnosis": NO_LOCAL_DATA if status.get(name) == "prior only"
                     else diagnose(prior_s, lik_values[name], threshold, null_values[name], contraction[name])})
        outcome_rows.append({"link": name, **{e: float(sens[e]) for e in extra_names}})
    table = pd.DataFrame(rows).set_index("link")
    outcomes = pd.DataFrame(outcome_rows).set_index("link") if extra_names else pd.DataFrame(index=table.index)
    return table, outcomes
