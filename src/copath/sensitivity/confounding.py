r"""How strong an unmeasured confounder of a link would have to be to explain it away.

The local data inform a link ``parent -> child`` by how the child varies with the parent
over the areas. An unmeasured area-level variable :math:`U` that drives both, beyond the
measured parents of the child, would produce such an association on its own. Two ways to
say how strong it would have to be:

**E-value** (VanderWeele and Ding 2017, *Ann Intern Med* 167:268). For an observed risk
ratio :math:`RR` (taken as :math:`1/RR` when below 1),

.. math:: E = RR + \sqrt{RR\,(RR - 1)}

is the smallest risk ratio that :math:`U` would need with the parent *and* with the child,
each, conditional on the measured covariates, to move the risk ratio to 1. The E-value of
the interval is that of the interval's limit nearer 1, and 1 when the interval holds 1.
:func:`e_value`, :func:`e_value_interval`.

A link coefficient :math:`\beta` is on the child's link scale per unit of the parent's
input, so it becomes a risk ratio for a stated **contrast** :math:`\Delta` of the parent
(an E-value depends on it: a larger contrast gives a larger ratio). With
:math:`\theta = \beta\,\Delta`, :func:`log_risk_ratio_factor` gives :math:`\log RR = k\,\theta`:

- **log link** (a count child): :math:`\theta` is a log rate ratio, read as a risk ratio
  (:math:`k = 1`), as VanderWeele and Ding do for rate ratios (exact for a rare event per
  person, as area counts of crimes or admissions are);
- **logit link** (a proportion child): :math:`\theta` is a log odds ratio. For a common
  outcome (a share of 15% or more) the odds ratio overstates the risk ratio, and
  VanderWeele and Ding's approximation :math:`RR \approx \sqrt{OR}` gives :math:`k = 1/2`;
  for a rare outcome :math:`RR \approx OR`, :math:`k = 1`
  (:func:`risk_ratio_from_odds_ratio`);
- **identity link** (a continuous child): :math:`d = \theta / s` is a standardised mean
  difference (:math:`s` the child's standard deviation), and :math:`RR \approx \exp(0.91\,d)`
  (VanderWeele and Ding 2017, from Chinn 2000, *Stat Med* 19:3127), :math:`k = 0.91 / s`
  (:func:`risk_ratio_from_standardised_difference`).

Because :math:`k\,\Delta > 0`, the highest-density interval of :math:`\log RR` is that of
:math:`\beta` times :math:`k\,\Delta`; :func:`link_e_values` computes both E-values from a
link's posterior draws. The risk ratio at the posterior mean is :math:`\exp(k\,\Delta\,\bar\beta)`.

**Bias to the null** (:func:`bias_to_null`): the confounding bias on the link's own
coefficient scale that would move the posterior mean to zero, :math:`|\bar\beta|`, and that
would move the interval's limit nearer zero to zero (0 when the interval holds zero), both
in units of the link's posterior sd. It needs no contrast and no conversion, but says
nothing about how strong a confounder produces such a bias.

These are statements about the local data only when the data inform the link: for a link
whose posterior is its prior, an E-value would describe the literature's estimate, not
confounding in these data (:func:`copath.sensitivity.sensitivity` leaves such links NaN).

Example
-------
>>> round(e_value(3.9), 2), round(e_value(0.5), 2)
(7.26, 3.41)
>>> e_value_interval(0.8, 1.3)
1.0
"""

from __future__ import annotations

import numpy as np

from copath.constants import HDI_PROB
from copath.options import LinkFunction, OutcomeFrequency, check
from copath.scenarios.scenario import hdi_1d

__all__ = ["e_value", "e_value_interval", "risk_ratio_from_odds_ratio", "risk_ratio_from_standardised_difference",
           "log_risk_ratio_factor", "bias_to_null", "link_e_values", "CHINN", "RARE_BELOW"]

#: Chinn's (2000) factor: :math:`\log OR \approx 1.81\,d`; with :math:`RR \approx \sqrt{OR}`,
#: :math:`\log RR \approx 0.91\,d` (VanderWeele and Ding 2017).
CHINN = 0.91
#: A proportion's outcome is rare (its odds ratio read as a risk ratio) below this share
#: (VanderWeele and Ding 2017 use the square-root approximation from 15% up).
RARE_BELOW = 0.15


def e_value(risk_ratio: float | np.ndarray) -> float | np.ndarray:
    r"""The E-value of a risk ratio: :math:`RR + \sqrt{RR(RR - 1)}`, with :math:`RR` inverted when below 1.

    Parameters
    ----------
    risk_ratio
        One risk ratio or an array of them (positive; NaN stays NaN).

    Returns
    -------
    float or numpy.ndarray
        At least 1; 1 for a risk ratio of 1. Same shape as ``risk_ratio``.

    Example
    -------
    >>> round(e_value(2.0), 4), e_value(1.0)
    (3.4142, 1.0)
    """
    rr = np.asarray(risk_ratio, dtype=float)
    if np.any(rr <= 0):
        raise ValueError("a risk ratio must be positive")
    rr = np.where(rr < 1, 1 / rr, rr)
    out = rr + np.sqrt(rr * (rr - 1))
    return float(out) if out.ndim == 0 else out


def e_value_interval(low: float, high: float) -> float:
    """The E-value of an interval of risk ratios: that of the limit nearer 1; 1 when it holds 1.

    Parameters
    ----------
    low, high
        The interval's limits on the risk-ratio scale (``low <= high``).

    Returns
    -------
    float
        The smallest strength of confounding (as in :func:`e_value`) that would move the
        interval to include 1; NaN when a limit is NaN.

    Example
    -------
    >>> round(e_value_interval(1.5, 3.0), 3), round(e_value_interval(0.2, 0.5), 3), e_value_interval(0.9, 2.0)
    (2.366, 3.414, 1.0)
    """
    if np.isnan(low) or np.isnan(high):
        return float("nan")
    if low > high:
        raise ValueError(f"the interval's low limit {low} is above its high limit {high}")
    if low <= 1 <= high:
        return 1.0
    return float(e_value(low if low > 1 else high))


def risk_ratio_from_odds_ratio(odds_ratio: float | np.ndarray,
                               outcome: OutcomeFrequency = "common") -> float | np.ndarray:
    r"""An odds ratio as an approximate risk ratio: :math:`\sqrt{OR}` for a common outcome, :math:`OR` for a rare one.

    VanderWeele and Ding (2017) use the square root when the outcome's prevalence is 15%
    or more (:data:`RARE_BELOW`); below it the odds ratio approximates the risk ratio.

    Parameters
    ----------
    odds_ratio
        One odds ratio or an array of them.
    outcome
        ``"common"`` (default) or ``"rare"``.

    Returns
    -------
    float or numpy.ndarray

    Example
    -------
    >>> risk_ratio_from_odds_ratio(4.0), risk_ratio_from_odds_ratio(4.0, "rare")
    (2.0, 4.0)
    """
    check("outcome", outcome, OutcomeFrequency)
    out = np.asarray(odds_ratio, dtype=float)
    out = np.sqrt(out) if outcome == "common" else out
    return float(out) if out.ndim == 0 else out


def risk_ratio_from_standardised_difference(d: float | np.ndarray) -> float | np.ndarray:
    r"""A standardised mean difference as an approximate risk ratio: :math:`\exp(0.91\,d)`.

    VanderWeele and Ding (2017), through Chinn's (2000) :math:`\log OR \approx 1.81\,d`
    and the square-root conversion of an odds ratio (:data:`CHINN`).

    Parameters
    ----------
    d
        Mean difference divided by the outcome's standard deviation.

    Returns
    -------
    float or numpy.ndarray

    Example
    -------
    >>> round(risk_ratio_from_standardised_difference(0.5), 4)
    1.5762
    """
    out = np.exp(CHINN * np.asarray(d, dtype=float))
    return float(out) if out.ndim == 0 else out


def log_risk_ratio_factor(link: LinkFunction, outcome: OutcomeFrequency = "common",
                          outcome_sd: float | None = None) -> float:
    r"""The factor :math:`k` with :math:`\log RR \approx k\,\theta` for an effect :math:`\theta` on a link scale.

    Parameters
    ----------
    link
        The child's link function: ``"log"`` (:math:`k = 1`, a rate ratio read as a risk
        ratio), ``"logit"`` (:math:`k = 1/2` for a ``common`` outcome, 1 for a ``rare``
        one) or ``"identity"`` (:math:`k = 0.91 / s`).
    outcome
        How common a logit-link child's outcome is (ignored for the other links).
    outcome_sd
        The identity-link child's standard deviation :math:`s` (required for it).

    Returns
    -------
    float
        Positive; NaN when ``outcome_sd`` is not a positive number.

    Example
    -------
    >>> log_risk_ratio_factor("log"), log_risk_ratio_factor("logit"), log_risk_ratio_factor("identity", outcome_sd=0.91)
    (1.0, 0.5, 1.0)
    """
    check("link", link, LinkFunction)
    check("outcome", outcome, OutcomeFrequency)
    if link == "log":
        return 1.0
    if link == "logit":
        return 0.5 if outcome == "common" else 1.0
    if outcome_sd is None:
        raise ValueError("an identity link needs the child's standard deviation (outcome_sd)")
    return CHINN / outcome_sd if np.isfinite(outcome_sd) and outcome_sd > 0 else float("nan")


def bias_to_null(mean: float, sd: float, low: float, high: float) -> tuple[float, float]:
    """The confounding bias, in posterior sds, that would move a coefficient's mean, and its interval, to zero.

    Parameters
    ----------
    mean, sd
        The coefficient's posterior mean and standard deviation.
    low, high
        Its posterior interval.

    Returns
    -------
    tuple[float, float]
        :math:`|mean| / sd`, and the distance from zero of the interval's limit nearer zero
        over ``sd`` (0 when the interval holds zero).

    Example
    -------
    >>> bias_to_null(0.75, 0.25, 0.25, 1.25), bias_to_null(-0.125, 0.25, -0.5, 0.25)
    ((3.0, 1.0), (0.5, 0.0))
    """
    if not sd > 0:
        return float("nan"), float("nan")
    near = 0.0 if low <= 0 <= high else min(abs(low), abs(high))
    return abs(mean) / sd, near / sd


def link_e_values(draws: np.ndarray, contrast: float, link: LinkFunction, outcome: OutcomeFrequency = "common",
                  outcome_sd: float | None = None, prob: float = HDI_PROB) -> dict[str, float]:
    r"""A link's E-values and bias to the null from its coefficient's posterior draws.

    Parameters
    ----------
    draws
        Posterior draws of the link coefficient :math:`\beta` (per unit of the parent).
    contrast
        The parent's contrast :math:`\Delta` (positive), in the parent's input units.
    link, outcome, outcome_sd
        As :func:`log_risk_ratio_factor`.
    prob
        The highest-density interval's probability (default 0.94).

    Returns
    -------
    dict[str, float]
        ``risk_ratio``: :math:`\exp(k\Delta\bar\beta)`; ``e_value``: its E-value;
        ``e_value_ci``: the E-value of the interval :math:`\exp(k\Delta\,\mathrm{HDI}(\beta))`;
        ``bias_to_null`` and ``bias_to_null_ci``: :func:`bias_to_null`. The E-values are
        NaN when the contrast or the factor is not a positive number.

    Example
    -------
    >>> import numpy as np
    >>> out = link_e_values(np.random.default_rng(0).normal(0.5, 0.1, 4000), contrast=2.0, link="log")
    >>> round(out["risk_ratio"], 1), bool(out["e_value"] > out["e_value_ci"] > 1)
    (2.7, True)
    """
    beta = np.asarray(draws, dtype=float).ravel()
    mean = float(beta.mean())
    sd = float(beta.std(ddof=1)) if beta.size > 1 else float("nan")
    low, high = hdi_1d(beta, prob)
    bias, bias_ci = bias_to_null(mean, sd, low, high)
    scale = log_risk_ratio_factor(link, outcome, outcome_sd) * contrast
    if not (np.isfinite(scale) and scale > 0):
        nan = float("nan")
        return {"risk_ratio": nan, "e_value": nan, "e_value_ci": nan, "bias_to_null": bias,
                "bias_to_null_ci": bias_ci}
    rr = float(np.exp(scale * mean))
    return {"risk_ratio": rr, "e_value": float(e_value(rr)),
            "e_value_ci": e_value_interval(float(np.exp(scale * low)), float(np.exp(scale * high))),
            "bias_to_null": bias, "bias_to_null_ci": bias_ci}
