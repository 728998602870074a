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

Diagnosis with threshold :math:`t` (0.05 by default, as in priorsense). Three numbers with
little Monte Carlo noise decide it:

- the **prior sensitivity**: does the link's prior move its posterior at all? Its noise
  stays far below :math:`t`: its weights come from the link's own log prior, which barely
  varies over a posterior the data have narrowed (posterior sd 0.1, priors 5 to 30 times
  wider, 2 x 1,200 draws: 0 of 200 reached 0.05 over 20 seeds, the largest 0.023);
- a **prior-data conflict check** (:func:`conflict_p`): the normal approximation of the
  estimate the rest of the model implies (the local data, through the other parameters'
  priors too), backed out of the prior and posterior moments and compared with the prior
  (the node-split conflict p-value of Presanis, Ohlssen, Spiegelhalter & De Angelis 2013,
  *Statistical Science* 28:376; a prior-predictive check in the sense of Box 1980, *JRSS A*
  143:383, and Evans & Moshonov 2006, *Bayesian Analysis* 1:893). It runs when the data
  narrow the prior by more than three Monte Carlo standard errors (:func:`min_contraction`:
  0.175 at an ESS of 400, 0.08 at 2,400) and the prior's sign is free (a sign-fixed
  posterior cannot cross zero, so data against the sign could never be flagged);
- the posterior **contraction** :math:`c = 1 - \operatorname{var}_{post}/\operatorname{var}_{prior}`:
  below :data:`CONTRACTION_STRONG` = 0.5 the prior carries more of the information than the
  data (for a normal prior and likelihood, its precision is the larger).

The labels:

- **prior-data conflict**: the check's two-sided :math:`p <` :data:`CONFLICT_LEVEL` (0.05)
  and the prior is influential (sensitivity :math:`\ge t`): the prior and the estimate the
  data imply disagree by more than both their uncertainties allow, and the posterior sits
  between them. A tight prior that still dominates is flagged too when the check can run;
- **fine (the data overrule a conflicting prior)**: the same disagreement with a prior the
  posterior no longer depends on: the conclusion is the data's, but the registry's estimate
  (a study's figure, or a hypothesis for a grade-E link) does not hold here;
- **fine**: prior sensitivity below :math:`t`, no conflict ("fine (conflict not checked)" when
  the check could not run);
- **prior dominates** (contraction below 0.5) or **prior and data both inform** (0.5 or
  more), each followed by "(no conflict detected)" or, when the check could not run,
  "(conflict not checked)".

The check is at level 0.05 per link: with 40 links whose priors all hold, about two are
flagged by chance, and flags cluster on links whose posteriors are correlated. A label's
false-positive rate is at most the check's, because it also needs the prior sensitivity.

Why not priorsense's rule (prior and likelihood both sensitive is a "potential prior-data
conflict")? Because "both inform" is not "they disagree": on simulated toy fits where each
link's truth was drawn from its prior (no conflict exists) and the prior was as informative
as the data (four links, 20 simulations, 2 x 1,500 draws), priorsense's rule labelled 45 of
80 links conflicts and the check above 6 of 80 (4 expected at its level 0.05, sd 2); with
each prior 3 sds from the truth it flagged 52 of 80 (``benchmarks/bench_labels.py``, run in
``benchmarks/results.md``). The likelihood sensitivity is still reported, with its own noise floor: its
Monte Carlo noise alone exceeds :math:`t` on a realistic pathway (a coefficient *unrelated*
to the data reads 0.07 to 0.18 at 2 x 600 draws when the total log likelihood's sd is about
12), so it is compared with a permutation null: the same computation with the draws' total
log likelihood reordered (:data:`NULL_PERMUTATIONS` = 39 times: the chains in a random
order, each shifted circularly by a random offset, which keeps the weights' spread and the
draws' autocorrelation but breaks any tie to the coefficient). ``likelihood_null_max`` is
the largest of the 39 (the null's 97.5th percentile by rank) and ``likelihood_informative``
(:func:`likelihood_informative`) is a sensitivity of at least :math:`t` *and* above it: a
test at level about 1/40 for a coefficient unrelated to the data. Measured on coefficients
unrelated to the data (log likelihood pure noise, sd 12, 2 x 1,200 draws as ``copath demo``
uses, 20 seeds x 10 coefficients; ``tests/sensitivity/test_powerscale_null.py``): the raw
rule (:math:`\ge t`) flagged 188 of 200, the null 3 of 200; with draws as autocorrelated as
a sticky chain's (lag-1 0.7) 199 and 5 of 200. It has little power on a large pathway,
which is why the labels rest on the contraction and the conflict check instead.
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
>>> diagnose(0.12, 0.09, contraction=0.8, conflict=0.4), diagnose(0.12, 0.09, contraction=0.8, conflict=0.01)
('prior and data both inform (no conflict detected)', 'prior-data conflict')
>>> diagnose(0.12, 0.01, contraction=0.2, conflict=0.3), diagnose(0.01, 0.2, contraction=0.9, conflict=0.01)
('prior dominates (no conflict detected)', 'fine (the data overrule a conflicting prior)')
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
           "LikelihoodSensitivity", "likelihood_sensitivity", "conflict_p", "likelihood_informative", "CONFLICT_LEVEL",
           "NO_CONFLICT", "UNCHECKED", "FINE_OVERRULED", "CONFLICT_MCSE", "min_contraction", "variance_ess",
           "correlated_links", "CORRELATED"]

THRESHOLD = 0.05
#: Shuffles of the log likelihood behind ``likelihood_null_max`` (the largest is the 97.5th percentile by rank).
NULL_PERMUTATIONS = 39
CONFLICT = "prior-data conflict"
PRIOR_DOMINATES = "prior dominates"
PRIOR_INFLUENTIAL = "prior and data both inform"
#: Appended to :data:`PRIOR_DOMINATES` and :data:`PRIOR_INFLUENTIAL`: the check ran and found none.
NO_CONFLICT = " (no conflict detected)"
#: Appended instead when the check could not run (see :func:`conflict_p`).
UNCHECKED = " (conflict not checked)"
#: The data overrule the prior, and the two disagree: the registry's estimate does not hold here.
FINE_OVERRULED = "fine (the data overrule a conflicting prior)"
#: The conflict check's level: two-sided p below it is a prior-data conflict.
CONFLICT_LEVEL = 0.05
#: Posterior contraction from which the data count as narrowing the prior (see the module text).
CONTRACTION_STRONG = 0.5
#: Monte Carlo standard errors the contraction must clear for the conflict check to run (see :func:`conflict_p`).
CONFLICT_MCSE = 3.0
FINE = "fine"
NO_LIKELIHOOD = "unknown (no log likelihood)"
NO_LOCAL_DATA = "no local data"


def diagnose(prior: float, likelihood: float, threshold: float = THRESHOLD, contraction: float = float("nan"),
             conflict: float = float("nan")) -> str:
    """The diagnosis for one link from its prior sensitivity, posterior contraction and
    conflict check (see the module text).

    Parameters
    ----------
    prior
        The link's prior power-scaling sensitivity.
    likelihood
        Its likelihood power-scaling sensitivity: NaN when the fit stored no log likelihood
        (the diagnosis is then unknown); otherwise reported, not used by the label.
    threshold
        The prior sensitivity that counts (0.05, as in priorsense).
    contraction
        The posterior contraction, 1 - posterior variance / prior variance (NaN: unknown,
        read as weak).
    conflict
        The conflict check's two-sided p (:func:`conflict_p`); NaN when it could not run.

    Returns
    -------
    str
        :data:`FINE` (followed by :data:`UNCHECKED` when the check could not run),
        :data:`FINE_OVERRULED`, :data:`CONFLICT`, :data:`PRIOR_DOMINATES` or
        :data:`PRIOR_INFLUENTIAL` followed by :data:`NO_CONFLICT` or :data:`UNCHECKED`, or
        ``"unknown (no log likelihood)"``.

    Example
    -------
    >>> diagnose(0.12, 0.03, contraction=0.8, conflict=0.6)   # the data narrow the prior; they agree
    'prior and data both inform (no conflict detected)'
    >>> diagnose(0.12, 0.03, contraction=0.1)                  # too little narrowing to check
    'prior dominates (conflict not checked)'
    """
    if np.isnan(likelihood):
        return NO_LIKELIHOOD
    checked = not np.isnan(conflict)
    if checked and conflict < CONFLICT_LEVEL:
        return CONFLICT if prior >= threshold else FINE_OVERRULED
    if prior < threshold:
        return FINE + ("" if checked else UNCHECKED)
    base = PRIOR_INFLUENTIAL if contraction >= CONTRACTION_STRONG else PRIOR_DOMINATES
    return base + (NO_CONFLICT if checked else UNCHECKED)


def min_contraction(ess: float) -> float:
    """The smallest contraction at which the conflict check runs, for a posterior variance
    estimated from ``ess`` effective draws: the contraction :math:`\\hat c` must exceed
    :data:`CONFLICT_MCSE` (3) Monte Carlo standard errors, :math:`(1 - \\hat c)\\sqrt{2/\\mathrm{ESS}}`.

    Parameters
    ----------
    ess
        Effective sample size of the posterior's squared deviations (its variance estimate).

    Returns
    -------
    float
        :math:`3k/(1 + 3k)` with :math:`k = \\sqrt{2/\\mathrm{ESS}}`.

    Example
    -------
    >>> round(min_contraction(400), 3), round(min_contraction(2400), 3)
    (0.175, 0.08)
    """
    k = CONFLICT_MCSE * np.sqrt(2.0 / max(float(ess), 1.0))
    return float(k / (1.0 + k))


def conflict_p(prior_mean: float, prior_sd: float, post_mean: float, post_sd: float, ess: float = 400.0) -> float:
    r"""Two-sided p of the prior-data conflict check for one coefficient, by the normal
    approximation (see the module text).

    With a normal prior :math:`N(\mu, \sigma^2)` and a posterior of mean :math:`m` and
    variance :math:`v`, the likelihood's normal approximation has precision
    :math:`1/s^2 = 1/v - 1/\sigma^2` and centre :math:`\hat\ell = s^2 (m/v - \mu/\sigma^2)`:
    the estimate the rest of the model (the data, and the other parameters' priors) implies.
    If the prior holds, :math:`\hat\ell - \mu \sim N(0, \sigma^2 + s^2)` (the node-split
    conflict p-value of Presanis et al. 2013, *Statistical Science* 28:376), which in terms
    of the contraction :math:`c = 1 - v/\sigma^2` is

    .. math:: z = \frac{\hat\ell - \mu}{\sqrt{\sigma^2 + s^2}} = \frac{m - \mu}{\sigma\sqrt{c}},
              \qquad p = 2\Phi(-|z|).

    In a linear-Gaussian model :math:`z` is exactly standard normal under the joint prior
    predictive even when links are correlated (:math:`\operatorname{Var}(m) = \sigma^2 - v`),
    so the check's false-positive rate is its level per link; but because it reads the
    *marginal* posterior, a flag can come from a correlated parameter's wrong prior as well as
    from this link's. It runs only when :math:`c` clears :func:`min_contraction` (three Monte
    Carlo standard errors of the variance estimate): below that the draws' noise in :math:`v`
    moves :math:`z` too much.

    Parameters
    ----------
    prior_mean, prior_sd
        The prior's mean and sd (a normal prior; a sign-fixed prior cannot be checked so,
        because the posterior cannot cross zero: pass NaN).
    post_mean, post_sd
        The posterior's mean and sd, from the draws.
    ess
        Effective sample size of the posterior variance estimate (of the squared deviations).

    Returns
    -------
    float
        The p-value; NaN when the contraction is below :func:`min_contraction` or a value is
        not finite.

    Example
    -------
    >>> round(conflict_p(0.0, 1.0, 0.5, 0.5 ** 0.5), 3)   # prior N(0, 1) and data N(1, 1) agree
    0.48
    >>> round(conflict_p(0.0, 0.1, 0.9, 0.05), 6)           # a tight prior far from the data
    0.0
    """
    from scipy.stats import norm

    values = np.array([prior_mean, prior_sd, post_mean, post_sd, ess], dtype=float)
    if not np.isfinite(values).all() or prior_sd <= 0 or post_sd <= 0:
        return float("nan")
    contraction = 1.0 - post_sd**2 / prior_sd**2
    if contraction < min_contraction(ess):
        return float("nan")
    z = (post_mean - prior_mean) / (prior_sd * np.sqrt(contraction))
    return float(2.0 * norm.sf(abs(z)))


def variance_ess(draws: np.ndarray) -> float:
    """Effective sample size of the variance estimate of ``draws`` (chains x draws): the bulk
    ESS of the squared deviations from the mean.

    Parameters
    ----------
    draws
        One quantity's draws, chains x draws.

    Returns
    -------
    float
        The ESS (NaN with fewer than 4 draws a chain).

    Example
    -------
    >>> import numpy as np
    >>> 700 < variance_ess(np.random.default_rng(0).normal(size=(2, 400))) < 1000
    True
    """
    from arviz_stats import ess

    x = np.asarray(draws, dtype=float)
    if x.ndim != 2 or x.shape[1] < 4:
        return float("nan")
    return float(ess((x - x.mean()) ** 2, method="bulk"))


#: Posterior correlation from which another link is named beside a link (its prior can drive a conflict flag here).
CORRELATED = 0.5


def correlated_links(beta: xr.DataArray, threshold: float = CORRELATED) -> list[str]:
    """For each link, the other links whose posterior correlation with it is at least
    ``threshold`` in size: the conflict check reads marginal posteriors, so a flag on a link
    can come from a correlated link's wrong prior as well as from its own.

    Parameters
    ----------
    beta
        The link coefficients' draws, with ``chain``, ``draw`` and ``link`` dims.
    threshold
        The absolute correlation that counts (0.5).

    Returns
    -------
    list[str]
        One entry per link, in ``beta``'s order: the names joined by ", " (empty when none).

    Example
    -------
    >>> import numpy as np, xarray as xr
    >>> z = np.random.default_rng(0).normal(size=(1, 500, 3))
    >>> z[..., 1] = z[..., 0] + 0.3 * z[..., 1]
    >>> correlated_links(xr.DataArray(z, dims=("chain", "draw", "link"), coords={"link": ["a", "b", "c"]}))
    ['b', 'a', '']
    """
    names = [str(n) for n in beta.coords["link"].values]
    flat = beta.transpose("chain", "draw", "link").values.reshape(-1, len(names))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(flat, rowvar=False) if len(names) > 1 else np.ones((1, 1))
    r = np.atleast_2d(r)
    return [", ".join(names[j] for j in range(len(names)) if j != i and abs(r[i, j]) >= threshold)
            for i in range(len(names))]


def likelihood_informative(likelihood: float, null_max: float, threshold: float = THRESHOLD) -> bool:
    """Whether the likelihood sensitivity beats both the threshold and its permutation null:
    a test at level about 1/40 for a coefficient the data do not inform (see the module text).

    Parameters
    ----------
    likelihood
        The likelihood power-scaling sensitivity.
    null_max
        The largest of its null's values (``likelihood_null_max``).
    threshold
        The sensitivity that counts (0.05).

    Returns
    -------
    bool
        False when either is NaN.

    Example
    -------
    >>> likelihood_informative(0.09, 0.11), likelihood_informative(0.3, 0.11)
    (False, True)
    """
    return bool(likelihood >= threshold and likelihood > null_max)


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
    ``likelihood_null_max``, ``likelihood_informative``, ``contraction``, ``conflict_p``,
    ``diagnosis`` (see the module text) and ``correlated_with`` (:func:`correlated_links`).

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
    >>> table.columns.tolist()[:3], table.index.tolist() == rec.pathway.link_names
    (['prior_sensitivity', 'likelihood_sensitivity', 'likelihood_null_max'], True)
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
    rows, outcome_rows = [], []
    for name in links:
        sens = psense(tree, group="prior", alphas=alphas, group_var_names=["beta"],
                      group_coords={"link": name})
        prior_s = float(sens["beta"].sel(link=name))
        draws, prior = beta.sel(link=name), result.priors[name]
        contraction = 1.0 - float(draws.var()) / prior.sd**2
        conflict = (conflict_p(prior.mu, prior.sigma, float(draws.mean()), float(draws.std()),
                               variance_ess(draws.transpose("chain", "draw").values))
                    if prior.sign == 0 else float("nan"))  # a sign-fixed posterior cannot cross zero: no check
        no_data = status.get(name) == "prior only"
        rows.append({"link": name, "prior_sensitivity": prior_s,
                     "likelihood_sensitivity": lik_values[name],
                     "likelihood_null_max": null_values[name],
                     "likelihood_informative": likelihood_informative(lik_values[name], null_values[name], threshold),
                     "contraction": contraction, "conflict_p": float("nan") if no_data else conflict,
                     "diagnosis": NO_LOCAL_DATA if no_data
                     else diagnose(prior_s, lik_values[name], threshold, contraction, conflict)})
        outcome_rows.append({"link": name, **{e: float(sens[e]) for e in extra_names}})
    table = pd.DataFrame(rows).set_index("link")
    table["correlated_with"] = correlated_links(beta)
    outcomes = pd.DataFrame(outcome_rows).set_index("link") if extra_names else pd.DataFrame(index=table.index)
    return table, outcomes
