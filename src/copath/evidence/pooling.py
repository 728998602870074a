r"""Bayesian random-effects meta-analysis (the normal-normal hierarchical model).

Model
-----
.. math::

    y_i \mid \theta_i \sim N(\theta_i, s_i^2), \qquad
    \theta_i \mid \mu, \tau \sim N(\mu, \tau^2), \qquad
    \mu \sim \text{flat (default) or } N(m_0, v_0), \qquad
    \tau \sim \text{half-normal}(\sigma_\tau) \text{ (default) or half-Cauchy}(\sigma_\tau)
    \text{ or uniform}(0, \infty).

``s_i`` are the reported standard errors, taken as known. An estimate that is itself a
pooled mean (a meta-analysis's summary, flagged in ``of_mean``) estimates :math:`\mu`, not
one setting's :math:`\theta_i`: it enters with variance :math:`s_i^2` and no :math:`\tau^2`
(and so says nothing about :math:`\tau`). A normal prior on :math:`\mu` enters the formulas
below the same way: one more "study" with estimate :math:`m_0`, variance :math:`v_0` and no
:math:`\tau` added.

Heterogeneity statistics (Higgins & Thompson 2002, *Stat Med* 21:1539), from the reported
standard errors of the study-level estimates: Cochran's
:math:`Q = \sum_i (y_i - \hat\mu_{FE})^2 / s_i^2` with the fixed-effect (inverse-variance)
mean :math:`\hat\mu_{FE}`, on :math:`k - 1` degrees of freedom, and
:math:`I^2 = \max(0, (Q - (k-1))/Q)`, the share of the estimates' spread beyond chance; both
are None for fewer than two such estimates.

Computation (exact up to a 1-D quadrature, no sampling; Gelman et al., *Bayesian
Data Analysis*, 3rd ed., section 5.4): given :math:`\tau`, with
:math:`w_i = 1/(s_i^2+\tau^2)`, :math:`V_\mu = 1/\sum w_i` and
:math:`\hat\mu = V_\mu \sum w_i y_i`,

.. math::

    \mu \mid \tau, y \sim N(\hat\mu, V_\mu), \qquad
    p(\tau \mid y) \propto p(\tau)\, V_\mu^{1/2} \prod_i (s_i^2+\tau^2)^{-1/2}
    \exp\Big(-\frac{(y_i-\hat\mu)^2}{2(s_i^2+\tau^2)}\Big).

:math:`p(\tau\mid y)` is evaluated on a fine grid; the posterior of :math:`\mu` and the
predictive distribution of the effect in a *new* setting,
:math:`\theta_{new} \mid \tau, y \sim N(\hat\mu, V_\mu + \tau^2)`, are the matching
mixtures of normals. Means are exact mixture moments; interval bounds are
equal-tailed quantiles of the mixtures found by root-finding.

Example
-------
>>> res = pool_effects([-0.3, -0.2, -0.25], [0.1, 0.1, 0.1])
>>> round(res.mean, 3)
-0.25
>>> res.predictive_sd > res.sd
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from copath.constants import HDI_PROB
from copath.options import TauPrior, check, choices

__all__ = ["PooledEffect", "pool_effects", "heterogeneity", "TAU_PRIORS"]

TAU_PRIORS = choices(TauPrior)
_GRID_SIZE = 4001


@dataclass(frozen=True)
class PooledEffect:
    """Result of :func:`pool_effects`. Intervals are equal-tailed with probability ``prob``.

    Example
    -------
    >>> r = pool_effects([0.1, 0.3], [0.2, 0.2])
    >>> r.interval[0] < r.mean < r.interval[1]
    True
    """

    mean: float
    sd: float
    interval: tuple[float, float]
    tau_mean: float
    tau_median: float
    tau_interval: tuple[float, float]
    predictive_mean: float
    predictive_sd: float
    predictive_interval: tuple[float, float]
    prob: float
    k: int
    tau_prior: str
    tau_scale: float | None
    q: float | None = None
    i2: float | None = None
    tau_estimated: bool = True

    def to_dict(self) -> dict[str, object]:
        """Plain dict (for reports and YAML).

        Returns
        -------
        dict[str, object]
            One key per field; the intervals are two-element lists instead of tuples.
        """
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    def __str__(self) -> str:
        p = int(round(self.prob * 100))
        return (
            f"Pooled effect of {self.k} estimates: {self.mean:.3g} "
            f"({p}% interval {self.interval[0]:.3g} to {self.interval[1]:.3g}); "
            f"between-study sd tau {self.tau_median:.3g} (median)"
            + (f", I^2 {self.i2:.0%}, Q {self.q:.3g}; " if self.i2 is not None else "; ")
            +             f"in a new setting {self.predictive_mean:.3g} "
            f"({p}% interval {self.predictive_interval[0]:.3g} to {self.predictive_interval[1]:.3g})."
        )


def _log_tau_prior(tau: np.ndarray, kind: str, scale: float | None) -> np.ndarray:
    if kind == "uniform":
        return np.zeros_like(tau)
    assert scale is not None
    if kind == "half_normal":
        return -0.5 * (tau / scale) ** 2
    return -np.log1p((tau / scale) ** 2)  # half-Cauchy


def _mixture_quantile(weights: np.ndarray, means: np.ndarray, sds: np.ndarray, q: float) -> float:
    def cdf_minus_q(x: float) -> float:
        return float(np.sum(weights * ndtr((x - means) / sds)) - q)

    lo = float(np.min(means - 12 * sds))
    hi = float(np.max(means + 12 * sds))
    return float(brentq(cdf_minus_q, lo, hi, xtol=1e-10))


def pool_effects(
    estimates: Sequence[float],
    std_errors: Sequence[float],
    tau_prior: TauPrior | Callable[[np.ndarray], np.ndarray] = "half_normal",
    tau_scale: float | None = 0.5,
    prob: float = HDI_PROB,
    mu_prior_mean: float = 0.0,
    mu_prior_sd: float | None = None,
    of_mean: Sequence[bool] | None = None,
    bias_sd: Sequence[float] | None = None,
    shared_sd: float = 0.0,
) -> PooledEffect:
    r"""Pool estimates with known standard errors under a random-effects model.

    Parameters
    ----------
    estimates, std_errors
        Study effects :math:`y_i` and their standard errors :math:`s_i`, on an
        additive scale (log ratios, mean differences, ...).
    tau_prior
        ``"half_normal"`` (default), ``"half_cauchy"``, ``"uniform"`` (improper,
        as in BDA's eight-schools example; needs at least 3 estimates to be proper in
        practice), or a function returning the prior density of :math:`\tau` (vectorised).
    tau_scale
        Scale of the half-normal / half-Cauchy prior on :math:`\tau`, in the unit of
        the estimates. The default 0.5 is weakly informative for log ratios; give a
        value in the estimates' unit for other scales.
    prob
        Probability of the reported equal-tailed intervals.
    mu_prior_mean, mu_prior_sd
        A normal prior on :math:`\mu`; ``mu_prior_sd=None`` (default) is the flat prior.
    of_mean
        One flag per estimate: True where the estimate is itself a pooled mean over settings
        (a meta-analysis's summary), which estimates :math:`\mu` and enters without
        :math:`\tau^2`. None (default): every estimate is one setting's.
    bias_sd
        One sd per estimate of the study's own bias (Turner et al. 2009): it is added to the
        estimate's variance where the mean :math:`\mu` is estimated (weaker studies weigh
        less, and :math:`\mu` is less certain), but not where :math:`\tau` is: the spread
        between the estimates is read from their reported standard errors alone, so a study's
        bias never explains heterogeneity away (a conservative choice; with the bias in both,
        a weaker grade could give a narrower prediction). None (default): no bias term.
    shared_sd
        sd of a bias every study shares, added once to the predictive for a new setting
        (default 0).

    Returns
    -------
    PooledEffect
        The posterior mean, sd and equal-tailed ``prob`` interval of :math:`\mu`; the
        posterior mean, median and interval of :math:`\tau`; the mean, sd and interval
        of the effect in a new setting (``predictive_*``); ``prob``; ``k``, the number of
        estimates; and the ``tau_prior`` and ``tau_scale`` used (a function's
        ``__name__`` and None for a custom prior; None scale for the uniform prior).

    Raises
    ------
    ValueError
        If the estimates and standard errors are empty, of different lengths, not
        finite, or a standard error is not positive; or if ``tau_prior``,
        ``tau_scale``, ``mu_prior_sd`` or ``prob`` is out of range.

    Example
    -------
    >>> r = pool_effects([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18],
    ...                  tau_prior="uniform")
    >>> 7 < r.mean < 9 and r.predictive_sd > r.sd
    True
    """
    y = np.asarray(estimates, dtype=float)
    s = np.asarray(std_errors, dtype=float)
    if y.ndim != 1 or y.shape != s.shape or y.size == 0:
        raise ValueError("estimates and std_errors must be 1-D sequences of the same non-zero length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s))):
        raise ValueError("estimates and std_errors must be finite")
    if np.any(s <= 0):
        raise ValueError("std_errors must be positive")
    pooled_mean = np.zeros(y.size, dtype=bool) if of_mean is None else np.asarray(of_mean, dtype=bool)
    if pooled_mean.shape != y.shape:
        raise ValueError("of_mean must give one flag per estimate")
    bias = np.zeros(y.size) if bias_sd is None else np.asarray(bias_sd, dtype=float)
    if bias.shape != y.shape or not np.all(np.isfinite(bias)) or np.any(bias < 0):
        raise ValueError("bias_sd must give one finite sd >= 0 per estimate")
    if not (math.isfinite(shared_sd) and shared_sd >= 0):
        raise ValueError("shared_sd must be a finite sd >= 0")
    custom = callable(tau_prior)
    if not custom:
        check("tau_prior", tau_prior, TauPrior)
    if mu_prior_sd is not None and not mu_prior_sd > 0:
        raise ValueError("mu_prior_sd must be positive (or None for a flat prior)")
    if not custom and tau_prior != "uniform" and not (tau_scale is not None and tau_scale > 0):
        raise ValueError("tau_scale must be positive for a half-normal or half-Cauchy prior")
    if not 0 < prob < 1:
        raise ValueError("prob must be between 0 and 1")

    spread = float(np.ptp(y)) if y.size > 1 else 0.0
    upper = 10 * (spread + float(s.max()))
    if not custom and tau_prior != "uniform":
        upper = max(upper, 50 * float(tau_scale))
    # a grid dense near zero, where the posterior of tau often piles up
    tau = upper * np.linspace(0.0, 1.0, _GRID_SIZE) ** 2
    tau2_term = np.where(pooled_mean, 0.0, 1.0)[None, :] * tau[:, None] ** 2
    y_all = y if mu_prior_sd is None else np.append(y, float(mu_prior_mean))

    def mu_given_tau(study_var: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's variances (with the prior on mu as one more study, without tau), and
        the mean and variance of mu given tau."""
        if mu_prior_sd is not None:
            study_var = np.hstack([study_var, np.full((tau.size, 1), float(mu_prior_sd) ** 2)])
        v = 1.0 / (1.0 / study_var).sum(axis=1)
        return study_var, v * (y_all[None, :] / study_var).sum(axis=1), v

    var, mu_hat, v_mu = mu_given_tau(s[None, :] ** 2 + tau2_term)  # tau's posterior: the reported errors alone
    w = 1.0 / var
    if custom:
        with np.errstate(divide="ignore"):
            log_prior = np.log(np.asarray(tau_prior(tau), dtype=float))
    else:
        log_prior = _log_tau_prior(tau, tau_prior, tau_scale)
    log_post = (
        log_prior
        + 0.5 * np.log(v_mu)
        - 0.5 * np.log(var[:, : y.size]).sum(axis=1)
        - 0.5 * (w * (y_all[None, :] - mu_hat[:, None]) ** 2).sum(axis=1)
    )
    if bias_sd is not None:  # mu given tau with each study's own bias in its variance
        _, mu_hat, v_mu = mu_given_tau((s**2 + bias**2)[None, :] + tau2_term)
    dens = np.exp(log_post - log_post.max())
    # trapezoid weights on the non-uniform grid
    dtau = np.diff(tau)
    trap = np.zeros_like(tau)
    trap[:-1] += dtau / 2
    trap[1:] += dtau / 2
    weights = dens * trap
    weights /= weights.sum()

    lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2
    mean = float(np.sum(weights * mu_hat))
    var_mu = float(np.sum(weights * (v_mu + mu_hat**2)) - mean**2)
    pred_var = float(np.sum(weights * (v_mu + tau**2 + shared_sd**2 + mu_hat**2)) - mean**2)
    sd_mu, sd_pred = np.sqrt(v_mu), np.sqrt(v_mu + tau**2 + shared_sd**2)

    cdf_tau = np.cumsum(weights)
    tau_q = [float(np.interp(q, cdf_tau, tau)) for q in (lo_q, 0.5, hi_q)]
    q_stat, i2 = heterogeneity(y[~pooled_mean], s[~pooled_mean])
    return PooledEffect(
        mean=mean,
        sd=math.sqrt(max(var_mu, 0.0)),
        interval=(
            _mixture_quantile(weights, mu_hat, sd_mu, lo_q),
            _mixture_quantile(weights, mu_hat, sd_mu, hi_q),
        ),
        tau_mean=float(np.sum(weights * tau)),
        tau_median=tau_q[1],
        tau_interval=(tau_q[0], tau_q[2]),
        predictive_mean=mean,
        predictive_sd=math.sqrt(max(pred_var, 0.0)),
        predictive_interval=(
            _mixture_quantile(weights, mu_hat, sd_pred, lo_q),
            _mixture_quantile(weights, mu_hat, sd_pred, hi_q),
        ),
        prob=prob,
        k=int(y.size),
        tau_prior=getattr(tau_prior, "__name__", "custom") if custom else tau_prior,
        tau_scale=None if custom or tau_prior == "uniform" else float(tau_scale),
        q=q_stat,
        i2=i2,
        tau_estimated=y.size >= 2 and bool((~pooled_mean).any()),
    )


def heterogeneity(estimates: Sequence[float], std_errors: Sequence[float]) -> tuple[float | None, float | None]:
    r"""Cochran's Q and Higgins & Thompson's :math:`I^2` of study-level estimates.

    Parameters
    ----------
    estimates, std_errors
        Study effects and their standard errors.

    Returns
    -------
    tuple of (float or None, float or None)
        :math:`Q = \sum_i (y_i - \hat\mu_{FE})^2 / s_i^2` and
        :math:`I^2 = \max(0, (Q - (k - 1)) / Q)`; (None, None) for fewer than two estimates.

    Example
    -------
    >>> q, i2 = heterogeneity([0.0, 1.0], [0.5, 0.5])
    >>> round(q, 3), round(i2, 3)
    (2.0, 0.5)
    """
    y = np.asarray(estimates, dtype=float)
    s = np.asarray(std_errors, dtype=float)
    if y.size < 2:
        return None, None
    w = 1.0 / s**2
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    return q, (max(0.0, (q - (y.size - 1)) / q) if q > 0 else 0.0)
