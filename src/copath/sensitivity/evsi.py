r"""Expected value of sample information of a proposed study of one link, by regression.

EVPPI (:mod:`copath.sensitivity.evppi`) values learning a parameter :math:`\theta`
*exactly*. A real study learns it with error. Say the study would report an estimate
:math:`T` of :math:`\theta` with standard error :math:`\sigma_T` (``study_se``), and
approximate its sampling distribution as normal:

.. math:: T \mid \theta \sim N(\theta, \sigma_T^2).

Strong, Oakley, Brennan and Breeze (2015, *Medical Decision Making* 35:570-583,
"Estimating the expected value of sample information using the probabilistic sensitivity
analysis sample") estimate the EVSI from the draws already in hand, with no nested
simulation and no refit: for each draw :math:`s` simulate the study's result
:math:`T_s = \theta_s + \sigma_T z_s`, :math:`z_s \sim N(0, 1)`, regress each decision's
net benefit on :math:`T` to get :math:`\hat g_d(T) \approx E[NB_d \mid T]`, and

.. math::

    \text{EVSI} = \frac1S \sum_s \max_d \hat g_d(T_s) - \max_d \frac1S \sum_s \hat g_d(T_s).

The regression is the one :func:`copath.evppi` uses for one parameter (a GCV-penalised
P-spline, :func:`copath.sensitivity.regression.fit_conditional`) on the net benefit
relative to the first decision. As :math:`\sigma_T \to 0`, :math:`T \to \theta` and EVSI
:math:`\to` EVPPI(:math:`\theta`); as :math:`\sigma_T` grows the study says nothing and
EVSI :math:`\to 0`; always :math:`0 \le \text{EVSI} \le \text{EVPPI} \le \text{EVPI}` up to
Monte Carlo and regression error. The result carries the EVPPI of :math:`\theta` computed
on the same draws, for comparison.

**Assumptions.** (1) The study estimates the model's own coefficient: the same
population, contrast and scale (a log rate ratio for a log-link child, a slope for a
continuous one, per one unit of the parent), and without bias; otherwise the result does
not apply (usually it overstates the study's value). Two common ways to miss it: a trial
that randomises the parent measures its *total* effect on the child, which is the link's
coefficient only when no other directed path runs from parent to child
(:func:`copath.sensitivity.value.result_evsi` warns when one does); and for a proportion
child a trial's marginal odds ratio is not the model's odds ratio conditional on area
effects (odds ratios are non-collapsible), so it is closer to zero. (2) :math:`T` is normal with a standard error that does not depend on
:math:`\theta` (a large-sample approximation: for a log rate ratio it needs enough events
in each arm, say 10 or more); :func:`study_se_for` gives :math:`\sigma_T` for two common
designs. (3) The study informs this link only, and its sampling error is independent of
everything else in the model.

**Standard error and null.** ``se`` is EVPPI's (regression part by sampling the spline's
posterior, Monte Carlo part by the delta method, draws treated as independent: too small
by about :math:`\sqrt{S/\text{ESS}}` for autocorrelated draws); it includes the noise of the
simulated study results. ``null_95`` is the largest of 19 EVSIs with :math:`T`'s draws
shifted circularly within chains (:func:`copath.sensitivity.nulls.circular_shift_order`):
treat an EVSI at or below it as zero.

**Small-sample bias.** The estimate's bias runs the same way as EVPPI's (see
:mod:`copath.sensitivity.evppi`): *downward* when the decisions tie on average, where the
plug-in :math:`\max_d \frac1S\sum_s \hat g_d` overstates the value of the current choice;
the regression's fitted noise pushes the other way, away from a tie (not measured here
for EVSI); the permutation null says whether an estimate is above noise, it does not
correct the bias of one that is. Measured with :math:`\theta \sim N(0,
1)`, :math:`NB = (0, \theta)`, mean estimate minus the closed form :math:`1/\sqrt{2\pi(1 +
\sigma_T^2)}` (0.357, 0.282, 0.178) over 100 seeds at each size (``benchmarks/bench_evsi_bias.py``; Monte Carlo error of each
mean 0.0007-0.0023):

=========  =====================  =====================  =====================
draws      :math:`\sigma_T=0.5`   :math:`\sigma_T=1`     :math:`\sigma_T=2`
=========  =====================  =====================  =====================
400        -0.021 (-5.7%)         -0.018 (-6.4%)         -0.015 (-8.6%)
1,000      -0.011 (-3.0%)         -0.009 (-3.3%)         -0.008 (-4.3%)
4,000      -0.006 (-1.6%)         -0.006 (-1.9%)         -0.005 (-2.6%)
=========  =====================  =====================  =====================

In the same runs the mean ``se`` was 0.028-0.029, 0.018-0.019 and 0.009 at 400, 1,000 and 4,000 draws
against a spread over seeds of 0.022-0.023, 0.015-0.017 and 0.007-0.008 (a little
conservative, as EVPPI's), and 898 of the 900 estimates lay within 3 SE of the truth.

**Population.** Per decision, as EVPPI; ``per_year``, ``horizon_years`` and
``discount_rate`` scale it by :func:`copath.scale_value`. Compare the
population EVSI with the study's cost: a study is worth doing when it exceeds it.

Example
-------
>>> import numpy as np
>>> theta = np.random.default_rng(0).normal(size=4000)
>>> nb = np.column_stack([np.zeros(4000), theta])         # act if theta > 0
>>> r = evsi(nb, theta, study_se=study_se_for(n_per_arm=50, unit_sd=5.0))   # se 1.0
>>> round(float(1 / np.sqrt(4 * np.pi)), 3), round(r.evsi, 2), round(r.se, 2), round(r.evppi, 2)   # exact; EVPPI 0.399
(0.282, 0.27, 0.01, 0.39)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from copath.sensitivity.evppi import (
    NULL_PERMUTATIONS,
    _as_frame,
    _as_net_benefit,
    _evppi_from_fitted,
    _se,
    _with_zero,
    evpi,
    evpi_se,
    scale_value,
)
from copath.sensitivity.nulls import circular_shift_order
from copath.sensitivity.regression import fit_conditional

__all__ = ["evsi", "study_se_for", "check_study_se", "EVSIResult"]

#: Mixed into an integer seed, so the simulated study results are not ``default_rng(seed)``'s normals.
_STREAM = 0x45565349  # "EVSI"


def study_se_for(
    n_per_arm: float | None = None,
    unit_sd: float | None = None,
    events: tuple[float, float] | None = None,
    contrast: float = 1.0,
    design_effect: float = 1.0,
) -> float:
    r"""Standard error of a proposed two-arm study's estimate, for :func:`evsi`.

    Two designs, each divided by ``contrast``, the difference in the parent between the
    arms (so the result is per one unit of the parent, as the link's coefficient is):

    * a difference in means with ``n_per_arm`` units in each arm and outcome standard
      deviation ``unit_sd``: :math:`\sigma_T = \text{sd}\sqrt{2/n}` (the standard error of
      a difference of two independent means of equal size);
    * a log rate ratio from the expected event counts ``events = (treated, control)``:
      :math:`\sigma_T = \sqrt{1/a + 1/b}` (the delta-method standard error of the log of a
      ratio of two Poisson counts; reliable with about 10 or more events in each arm).

    Both assume independent units (people, or Poisson counts). A study that allocates
    clusters (areas, wards) to arms has a larger standard error: pass its ``design_effect``
    (the variance ratio, e.g. :math:`1 + (m - 1)\rho` for clusters of :math:`m` units with
    intra-cluster correlation :math:`\rho`; Donner & Klar 2000), which multiplies the
    variance. Leaving it at 1 for a cluster design overstates the EVSI.

    Parameters
    ----------
    n_per_arm
        Units (people, areas) in each arm, for a difference in means.
    unit_sd
        Standard deviation of the outcome between units, for a difference in means.
    events
        Expected events in the treated and the control arm, for a log rate ratio (instead
        of ``n_per_arm`` and ``unit_sd``).
    contrast
        The difference in the parent between the arms (1 for a binary parent, 0.1 for a
        study that raises a coverage share by 10 points); positive.
    design_effect
        Variance inflation for a clustered design (1: independent units); at least 1.

    Returns
    -------
    float
        :math:`\sigma_T`, on the link's scale per unit of the parent.

    Raises
    ------
    ValueError
        Unless exactly one design is given, or if a count, sd or contrast is not positive.

    Example
    -------
    >>> round(study_se_for(n_per_arm=200, unit_sd=1.0), 4)   # sqrt(2 / 200)
    0.1
    >>> round(study_se_for(events=(40, 60)), 4), round(study_se_for(events=(40, 60), contrast=0.5), 4)
    (0.2041, 0.4082)
    >>> round(study_se_for(n_per_arm=200, unit_sd=1.0, design_effect=4.0), 4)   # clusters: se doubles
    0.2
    """
    means = n_per_arm is not None or unit_sd is not None
    if means == (events is not None):
        raise ValueError("give either n_per_arm and unit_sd (a difference in means) or events (a log rate ratio)")
    if not (np.isfinite(contrast) and contrast > 0):
        raise ValueError(f"contrast must be positive; got {contrast!r}")
    if not (np.isfinite(design_effect) and design_effect >= 1):
        raise ValueError(f"design_effect must be a number of at least 1; got {design_effect!r}")
    inflate = np.sqrt(design_effect)
    if means:
        if n_per_arm is None or unit_sd is None:
            raise ValueError("a difference in means needs both n_per_arm and unit_sd")
        if not (np.isfinite(n_per_arm) and n_per_arm > 0 and np.isfinite(unit_sd) and unit_sd > 0):
            raise ValueError(f"n_per_arm and unit_sd must be positive; got {n_per_arm!r}, {unit_sd!r}")
        return float(inflate * unit_sd * np.sqrt(2.0 / n_per_arm) / contrast)
    counts = np.asarray(events, dtype=float)
    if counts.shape != (2,) or not (np.isfinite(counts).all() and (counts > 0).all()):
        raise ValueError(f"events must be two positive counts (treated, control); got {events!r}")
    return float(inflate * np.sqrt((1.0 / counts).sum()) / contrast)


def check_study_se(study_se: float) -> float:
    """``study_se`` as a float, or a ValueError unless it is a positive finite number.

    Parameters
    ----------
    study_se
        The proposed study's standard error.

    Returns
    -------
    float
        The same value.

    Example
    -------
    >>> check_study_se(0.2)
    0.2
    """
    try:
        value = float(study_se)
    except (TypeError, ValueError):
        raise ValueError(f"study_se must be a positive number; got {study_se!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"study_se must be a positive finite number (the study's standard error); got {study_se!r}")
    return value


@dataclass(frozen=True)
class EVSIResult:
    """EVSI of a study of one parameter, its standard error and permutation null, beside the
    EVPPI of the same parameter and the EVPI (with their Monte Carlo or total standard
    errors), per decision; ``population_factor`` is :func:`~copath.scale_value`'s
    factor when one was asked for (else None)."""

    parameter: str
    study_se: float
    evsi: float
    se: float
    null_95: float
    evppi: float
    evppi_se: float
    evpi: float
    evpi_se: float
    decisions: tuple[str, ...]
    best_now: str
    n_draws: int
    population_factor: float | None = None
    #: the unit of the values: "GBP (<year> prices) a year" when priced from table entries, else ""
    unit: str = ""

    @property
    def above_noise(self) -> bool:
        """Whether the EVSI beats all 19 of its permutation null's values (a test at level 0.05)."""
        return self.evsi > self.null_95

    @property
    def population_evsi(self) -> float | None:
        """The EVSI times the population factor (None without ``per_year``)."""
        return None if self.population_factor is None else self.evsi * self.population_factor

    @property
    def population_se(self) -> float | None:
        """The EVSI's standard error times the population factor (None without ``per_year``)."""
        return None if self.population_factor is None else self.se * self.population_factor

    def describe(self) -> str:
        """One or two sentences: what the study is worth against perfect information.

        Returns
        -------
        str
            The EVSI with its SE, its share of the EVPPI, whether it is above the null, and
            the population value when there is one.
        """
        if self.evppi <= 0:
            share = "none of the"
        elif self.evsi >= self.evppi:
            share = "all, up to noise, of the"
        else:
            share = f"{100 * self.evsi / self.evppi:.0f}% of the"
        def money(x: float, spec: str) -> str:  # pounds as whole pounds
            return f"{x:,.0f}" if self.unit else format(x, spec)

        text = (f"A study estimating {self.parameter!r} with standard error {self.study_se:.3g} would be worth "
                f"{money(self.evsi, '.3g')} per decision (EVSI, SE {money(self.se, '.2g')}; "
                f"{'above' if self.above_noise else 'not above'} its permutation null's 95th percentile "
                f"{money(self.null_95, '.2g')}): {share} {money(self.evppi, '.3g')} that knowing it exactly would "
                f"be worth (EVPPI); knowing everything, {money(self.evpi, '.3g')} (EVPI). With current knowledge "
                f"choose {self.best_now!r}.")
        if self.population_factor is not None:
            text += (f" Over the population and horizon (x{self.population_factor:.4g} decisions, discounted) "
                     f"the EVSI is {money(self.population_evsi, '.4g')}.")
        if self.unit:
            text += f" Values in {self.unit}."
        return text

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.describe())}</p>"


def _theta_frame(theta, n: int) -> pd.DataFrame:
    if isinstance(theta, pd.Series):
        theta = theta.to_frame("theta" if theta.name is None else str(theta.name))
    frame = _as_frame(theta, n)
    if frame.shape[1] != 1:
        raise ValueError(f"theta must be one parameter (draws, or draws x 1); got {frame.shape[1]} columns")
    return frame


def evsi(
    net_benefit: np.ndarray | pd.DataFrame,
    theta: np.ndarray | pd.Series | pd.DataFrame,
    study_se: float,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    chains: int = 1,
    rng: np.random.Generator | int | None = None,
) -> EVSIResult:
    r"""EVSI of a study that estimates ``theta`` with standard error ``study_se``, by the
    regression method of Strong, Oakley, Brennan and Breeze (2015); see the module text for
    the formula, the normal approximation it rests on and its small-sample bias.

    Parameters
    ----------
    net_benefit
        Draws x decisions (at least two), finite; a DataFrame's columns name the decisions.
    theta
        The studied parameter's draws, in the same order (1-D, a Series, or one column).
    study_se
        Standard error of the study's estimate of ``theta``, on ``theta``'s scale; positive
        (see :func:`study_se_for`).
    per_year
        Optional decisions per year the choice applies to (one number, or one per year):
        fills ``population_factor`` (see :func:`~copath.scale_value`).
    horizon_years
        Years the information stays useful (with one number ``per_year``; default 1).
    discount_rate
        Annual discount rate for the population value.
    chains
        How many MCMC chains the draws come from, stacked chain-major (equal lengths), for
        the permutation null.
    rng
        Generator or seed for the simulated study results, the standard error and the
        null (default: seed 0, so results repeat). An integer seeds a stream of its own, not
        ``numpy.random.default_rng(seed)``'s, so a ``theta`` simulated with the same seed
        is not reused as the study's noise.

    Returns
    -------
    EVSIResult
        ``evsi``, its ``se`` and ``null_95``; ``evppi`` and ``evppi_se`` of ``theta`` on the
        same draws; ``evpi`` and ``evpi_se``; ``study_se``, ``parameter`` (the Series or
        column name, else ``"param_0"``), ``decisions``, ``best_now``, ``n_draws`` and
        ``population_factor``.

    Raises
    ------
    ValueError
        If the shapes do not match, there are fewer than two decisions, a value is NaN or
        infinite, ``theta`` has more than one column, or ``study_se`` is not positive.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> theta = rng.normal(0.1, 1.0, 2000)
    >>> nb = np.column_stack([np.zeros(2000), theta, 0.5 * theta])
    >>> small, big = evsi(nb, theta, 2.0), evsi(nb, theta, 0.2, per_year=10, horizon_years=2)
    >>> bool(small.evsi < big.evsi <= big.evppi + 2 * big.se), big.population_factor
    (True, 20.0)
    """
    se_t = check_study_se(study_se)
    nb, decisions = _as_net_benefit(net_benefit)
    frame = _theta_frame(theta, nb.shape[0])
    if chains < 1 or nb.shape[0] % chains:
        raise ValueError(f"{nb.shape[0]} draws cannot be split into {chains} chains of equal length")
    factor = None if per_year is None else float(scale_value(1.0, per_year, horizon_years, discount_rate))
    # an integer seeds a stream of its own: theta drawn with default_rng(seed) would otherwise
    # come back as the simulated noise (T = 2 theta, and the EVSI would equal the EVPPI)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng([0 if rng is None else rng, _STREAM])
    n = nb.shape[0]
    values = frame.iloc[:, 0].to_numpy()
    study = values + se_t * gen.standard_normal(n)  # one simulated study result per draw
    incremental = nb[:, 1:] - nb[:, :1]
    with threadpool_limits(limits=1):  # small matrices: see evppi
        on_study = fit_conditional(incremental, study)
        on_theta = fit_conditional(incremental, values)
        estimate = _evppi_from_fitted(_with_zero(on_study.fitted))
        se = _se(on_study, gen)
        perfect = _evppi_from_fitted(_with_zero(on_theta.fitted))
        perfect_se = _se(on_theta, gen)
        null = [_evppi_from_fitted(_with_zero(fit_conditional(
                    incremental, study[circular_shift_order(chains, n // chains, gen)]).fitted))
                for _ in range(NULL_PERMUTATIONS)]
    tiny = 1e-12 * (np.abs(nb).mean() + 1e-300)  # round-off of a flat fit

    def clean(v: float) -> float:
        return 0.0 if v <= tiny else float(v)

    return EVSIResult(parameter=str(frame.columns[0]), study_se=se_t, evsi=clean(estimate), se=se,
                      null_95=clean(max(null)), evppi=clean(perfect), evppi_se=perfect_se, evpi=evpi(nb),
                      evpi_se=evpi_se(nb), decisions=decisions, best_now=decisions[int(nb.mean(axis=0).argmax())],
                      n_draws=n, population_factor=factor)
