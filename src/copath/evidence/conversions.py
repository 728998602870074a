r"""Convert a reported effect into a normal estimate on a link's coefficient scale.

Pure functions, no I/O. Each returns an :class:`Estimate` ``(mean, sd)`` on the
*effect* scale of the child node, for the change of the parent the evidence
describes (the link's ``contrast``); :mod:`copath.evidence.priors` divides by the
contrast and widens for transport to a new area.

Effect scales by child kind
---------------------------
- count child: log rate ratio :math:`\log RR`;
- proportion child: log odds ratio :math:`\log OR`;
- continuous child: slope, in the child's unit.

Formulas and assumptions (``z_p`` is the standard normal quantile
:math:`\Phi^{-1}((1+p)/2)`; ``p`` is the interval probability, default 0.90 for a
reported low-high range of percentages, 0.95 for a confidence interval):

percent_reduction
    A reduction of :math:`r` % is :math:`RR = 1 - r/100`, so :math:`\log RR = \ln(1 - r/100)`.
    A range ``low``-``high`` is read as a central ``p`` interval of :math:`\log RR`:
    mean :math:`(\ln(1-l/100) + \ln(1-h/100))/2`, sd :math:`|\ln(1-l/100) - \ln(1-h/100)| / (2 z_p)`.
    With a comparison fall ``control`` (e.g. 35% vs a national 22%), the ratio of ratios
    :math:`RR = (1 - r/100)/(1 - c/100)` is used (a difference-in-differences on the log scale).
    A point value alone gets the sd of one study's sampling error (:data:`POINT_SE`); the
    study's bias, by its grade, is added when priors are built (:mod:`copath.evidence.priors`).
rate_ratio, odds_ratio
    :math:`\log` of the value; a CI ``low``-``high`` gives sd :math:`(\ln h - \ln l)/(2 z_p)`.
cohens_d
    Chinn (2000): :math:`\log OR = d\,\pi/\sqrt{3}`. For a count child the log odds ratio
    is used as the log rate ratio (rare-outcome approximation); for a continuous child
    the slope is :math:`d \times` the node's ``scale`` (its typical standard deviation).
before_after
    Counts :math:`b \to a`: :math:`\log RR = \ln(a/b)` with Poisson sd
    :math:`\sqrt{1/a + 1/b}`; with comparison counts :math:`b_c \to a_c` the log ratio of
    ratios, sd :math:`\sqrt{1/a + 1/b + 1/a_c + 1/b_c}`.
direction
    Only the sign is known: :math:`N(\pm\delta, \sigma_\delta)` with :math:`\delta = 0.3`,
    :math:`\sigma_\delta = 0.2` (times the node scale for slopes): most mass on the stated
    side, real mass near zero.
null
    Evidence of no effect: :math:`N(0, 0.1)` (times the node scale for slopes).

A ratio measure on a proportion child is a risk ratio; with a ``baseline`` risk
:math:`p_0` (percent) it becomes :math:`OR = RR(1-p_0)/(1-RR\,p_0)`; without one the
log risk ratio is used as the log odds ratio (rare-outcome approximation, which
understates the odds ratio for common outcomes). A non-linear conversion such as this one
moves the interval's ends, not the sd (:func:`through`): the ends :math:`m \pm z s` of the
log risk ratio's interval are converted and the sd is read from the converted ends,
:math:`(f(m + zs) - f(m - zs)) / 2z`, with the centre :math:`f(m)`; a point value without
an interval uses :math:`z = 1`. This is continuous in the risk ratio (a ratio of the two
means, as before, was 0/0 at RR = 1). Ratio measures cannot be put on a
continuous child (there is no mean to scale them by): that is an error.

Example
-------
>>> est = percent_reduction(low=16, high=26, interval=0.90)
>>> round(est.mean, 4), round(est.sd, 4)
(-0.2377, 0.0385)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

__all__ = [
    "Estimate",
    "z_for",
    "percent_reduction",
    "ratio",
    "cohens_d_to_log_or",
    "before_after",
    "risk_ratio_to_odds_ratio",
    "through",
    "DIRECTION_MEAN",
    "DIRECTION_SD",
    "NULL_SD",
    "POINT_SE",
]

#: Location and spread of a direction-only estimate (log-ratio units or node scales).
#: Rationale (copath's judgement, anchored on the seed's sized effects): 0.3 is a rate ratio
#: of 0.74 (or 1.35), the size of the effects the seed does report (Neighbourhood Watch
#: 16-26%, log RR -0.17 to -0.30; foot patrol 23%, -0.26) and close to Cohen's "small"
#: effect (d = 0.2, log OR 0.36 by Chinn 2000). The sd 0.2 keeps real mass near zero (a
#: direction is no evidence of size) and, with the grade's transport spread, allows effects
#: about twice as large.
DIRECTION_MEAN: float = 0.3
DIRECTION_SD: float = 0.2
#: Spread of a "no effect" estimate around zero: 95% of its mass within +-0.2 (rate ratios
#: 0.82-1.22), the effects a study reporting "no significant effect" typically cannot rule
#: out; the grade's transport spread is added to it.
NULL_SD: float = 0.1
#: Sampling sd given to a point estimate reported without an interval (log-ratio units):
#: about the standard error of a single controlled study of a hundred or two events
#: (sqrt(1/a + 1/b) = 0.1 to 0.15 on a log ratio). copath's judgement. The study's bias is
#: not in it: it is added by grade when the prior is built (``STUDY_BIAS_SD`` in
#: :mod:`copath.evidence.priors`), so that a weak design's point value counts for less.
POINT_SE: float = 0.15


@dataclass(frozen=True)
class Estimate:
    """A normal estimate ``N(mean, sd)`` of an effect on its coefficient scale.

    Example
    -------
    >>> Estimate(-0.2, 0.1).scaled(0.5)
    Estimate(mean=-0.1, sd=0.05, assumed=False)
    """

    mean: float
    sd: float
    #: True when the sd was not reported but assumed (a point value, a direction, a null)
    assumed: bool = False

    def scaled(self, factor: float) -> Estimate:
        """The estimate multiplied by ``factor`` (sd by its absolute value)."""
        return Estimate(self.mean * factor, self.sd * abs(factor), self.assumed)


def z_for(interval: float) -> float:
    """Half-width in sds of a central normal interval with probability ``interval``.

    Example
    -------
    >>> round(z_for(0.90), 4), round(z_for(0.95), 4)
    (1.6449, 1.96)
    """
    if not 0 < interval < 1:
        raise ValueError(f"interval probability must be in (0, 1), got {interval}")
    return float(norm.ppf(0.5 + interval / 2))


def _log_interval(log_low: float, log_high: float, interval: float) -> Estimate:
    return Estimate((log_low + log_high) / 2, abs(log_high - log_low) / (2 * z_for(interval)))


def _log1m(percent: float) -> float:
    if not percent < 100:
        raise ValueError(f"a reduction of {percent}% leaves nothing; it must be below 100")
    return math.log1p(-percent / 100)


def percent_reduction(
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
    interval: float = 0.90,
    control: float | None = None,
    point_sd: float = POINT_SE,
) -> Estimate:
    """Log rate ratio from a percentage reduction (point or low-high range).

    Example
    -------
    >>> e = percent_reduction(35, control=22)          # Speedwatch vs national fall
    >>> round(math.exp(e.mean), 4)
    0.8333
    """
    shift = -_log1m(control) if control is not None else 0.0
    if low is not None and high is not None:
        est = _log_interval(_log1m(low), _log1m(high), interval)
    elif value is not None:
        est = Estimate(_log1m(value), point_sd, assumed=True)
    else:
        raise ValueError("percent_reduction needs 'value' or both 'low' and 'high'")
    return Estimate(est.mean + shift, est.sd, est.assumed)


def ratio(
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
    interval: float = 0.95,
    point_sd: float = POINT_SE,
) -> Estimate:
    """Log of a rate ratio or odds ratio, with its CI if given.

    Example
    -------
    >>> e = ratio(0.5, low=0.25, high=1.0)
    >>> round(e.mean, 4), round(e.sd, 4)
    (-0.6931, 0.3537)
    """
    for name, v in (("value", value), ("low", low), ("high", high)):
        if v is not None and not v > 0:
            raise ValueError(f"a ratio's {name} must be positive, got {v}")
    if low is not None and high is not None:
        est = _log_interval(math.log(low), math.log(high), interval)
        mean = math.log(value) if value is not None else est.mean
        return Estimate(mean, est.sd)
    if value is None:
        raise ValueError("a ratio needs 'value' or both 'low' and 'high'")
    return Estimate(math.log(value), point_sd, assumed=True)


def cohens_d_to_log_or(d: float) -> float:
    """Chinn (2000): log odds ratio = d * pi / sqrt(3).

    Example
    -------
    >>> round(cohens_d_to_log_or(0.5), 4)
    0.9069
    """
    return d * math.pi / math.sqrt(3)


def before_after(
    before: float,
    after: float,
    control_before: float | None = None,
    control_after: float | None = None,
) -> Estimate:
    """Log rate ratio of counts after vs before, optionally against comparison counts.

    Example
    -------
    >>> e = before_after(160, 47)
    >>> round(e.mean, 4), round(e.sd, 4)
    (-1.225, 0.1659)
    """
    counts = [before, after] + [c for c in (control_before, control_after) if c is not None]
    if any(not c > 0 for c in counts):
        raise ValueError("before/after counts must be positive")
    mean = math.log(after / before)
    if control_before is not None and control_after is not None:
        mean -= math.log(control_after / control_before)
    return Estimate(mean, math.sqrt(sum(1 / c for c in counts)))


def risk_ratio_to_odds_ratio(log_rr: float, baseline: float, clip: bool = False) -> float:
    """Log OR from a log risk ratio and a baseline risk ``baseline`` (a share, 0-1).

    ``clip=True`` reads a risk ratio above ``1 / baseline`` (a risk above 1) at that bound
    instead of refusing it: for an interval's end, whose centre is possible.

    Example
    -------
    >>> round(math.exp(risk_ratio_to_odds_ratio(math.log(0.6), 0.5)), 4)
    0.4286
    """
    if not 0 < baseline < 1:
        raise ValueError(f"baseline risk must be between 0 and 1, got {baseline}")
    rr = math.exp(log_rr)
    if clip:  # an interval's end beyond the largest possible risk ratio is read at that bound
        rr = min(rr, (1.0 - 1e-6) / baseline)
    if rr * baseline >= 1:
        raise ValueError(f"risk ratio {rr:.3g} with baseline {baseline} gives a risk above 1")
    return math.log(rr * (1 - baseline) / (1 - rr * baseline))


def through(est: Estimate, f, z: float = 1.0, ends: tuple[float, float] | None = None) -> Estimate:
    """An estimate carried through a monotone conversion ``f`` by its interval's ends.

    Parameters
    ----------
    est
        The estimate ``N(m, s)`` on the scale ``f`` takes.
    f
        A monotone function of one float (e.g. log risk ratio -> log odds ratio).
    z
        Half-width of the interval in sds (:func:`z_for` of the interval the study
        reported; 1 for a point value with an assumed sd).
    ends
        The reported interval's ends on ``f``'s scale, when they are not ``m -+ z s`` (a
        value with an asymmetric interval); default ``m -+ z s``.

    Returns
    -------
    Estimate
        Centre ``f(m)``; sd ``|f(hi) - f(lo)| / (2 z)``.

    Example
    -------
    >>> # a reduction of 20-60% (a 90% range) at a 25% baseline risk, as a log odds ratio
    >>> e = through(percent_reduction(low=20, high=60), lambda x: risk_ratio_to_odds_ratio(x, 0.25), z_for(0.90))
    >>> round(e.sd, 4)
    0.2465
    """
    lo, hi = ends if ends is not None else (est.mean - z * est.sd, est.mean + z * est.sd)
    return Estimate(f(est.mean), abs(f(hi) - f(lo)) / (2 * z), est.assumed)
