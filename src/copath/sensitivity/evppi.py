r"""Expected value of (partial) perfect information, by regression on the draws.

With :math:`S` joint draws of the parameters :math:`\theta_s` and the net benefit
:math:`NB_d(\theta_s)` of each decision :math:`d`:

.. math::

    \text{EVPI} = \frac1S \sum_s \max_d NB_d(\theta_s) - \max_d \frac1S \sum_s NB_d(\theta_s)

is what knowing every parameter would be worth before choosing. For a parameter (or
group) :math:`\phi`, Strong, Oakley and Brennan (2014, *Medical Decision Making*
34:311-326) estimate :math:`g_d(\phi) = E[NB_d \mid \phi]` by regressing each
decision's net benefit on :math:`\phi` over the draws
(:func:`copath.sensitivity.regression.conditional_mean`), then

.. math::

    \text{EVPPI}(\phi) = \frac1S \sum_s \max_d \hat g_d(\phi_s) - \max_d \frac1S \sum_s \hat g_d(\phi_s).

No nested simulation and no refit: one regression per parameter. EVPPI is in the
units of the net benefit (per decision as you defined it); :math:`0 \le
\text{EVPPI}(\phi) \le \text{EVPI}` up to Monte Carlo and regression error, and the
EVPPI of all parameters together approaches the EVPI when the net benefit is a
function of the parameters alone.

**The regressions.** One parameter: a P-spline with its penalty chosen by GCV
(:func:`copath.sensitivity.regression.smooth`). A group (and ``"(all parameters)"``):
a Gaussian process per incremental net benefit, as Strong et al. (2014) recommend for
groups: squared-exponential kernel with one length-scale per parameter (ARD), so any
interaction among the group's parameters can be fitted and a parameter that does not
matter gets a long length-scale; a constant mean under a flat prior. The
hyperparameters maximise the marginal likelihood (Rasmussen and Williams 2006, ch. 5)
on a subsample of :data:`~copath.sensitivity.regression.GP_SUBSAMPLE` (200) draws; the
fit to all draws is the subset-of-regressors approximation with those draws as inducing
points, and its noise-to-signal ratio is re-chosen on all draws by the profiled
marginal likelihood. Check: :math:`\theta_1..\theta_8 \sim N(0,1)`, :math:`NB_1 =
\theta_1\theta_2 + 0.5` against 0 (EVPI 0.16118 by one-dimensional quadrature of
:math:`E[(\theta_1\theta_2 + 0.5)^+] - 0.5`): the EVPPI of all eight
equals the EVPI to 4 decimals at 1,000-2,000 draws (4 seeds: 0.152-0.176, SE 0.011-0.012),
where the former linear + squared basis found none of it.

**Standard errors** (column ``se``) add two parts in quadrature. The regression part
is the method of Strong et al. (2014): the fitted values of each smoother
have an approximate Gaussian posterior (:class:`~copath.sensitivity.regression.Fit`);
EVPPI is recomputed on :data:`SE_SAMPLES` (200) draws from it and the standard deviation
taken (its residual variance treats the draws as independent too). The Monte Carlo part is
the delta-method standard error of the mean over draws (:func:`evpi_se`, draws treated as
independent). With autocorrelated MCMC draws both parts are too small, by about
:math:`\sqrt{S/\text{ESS}}`: read the SE of a fit whose ESS is a third of its draws as
about 1.7 times larger. Measured on the closed form below
(:math:`NB_1 = \theta_1 + \theta_2`, EVPPI(:math:`\theta_1`)): the mean SE is 0.041, 0.026,
0.013 at 400, 1,000, 4,000 draws against a spread over seeds of 0.035, 0.023, 0.011: a
little conservative; 99-100% of estimates lie within 3 SE of the truth.

**Small-sample bias.** With :math:`\theta_1, \theta_2 \sim N(0,1)` independent and
:math:`NB_1 = \theta_1 + \theta_2` against :math:`NB_0 = 0`, EVPPI(:math:`\theta_1`) =
:math:`E[\max(0,\theta_1)] = 1/\sqrt{2\pi} = 0.3989` and EVPI = :math:`1/\sqrt\pi =
0.5642`. Mean estimate minus truth over independent seeds (200 seeds at 400 and 1,000
draws, 100 at 4,000, 40 for the GP; Monte Carlo error of each mean 0.001-0.005):

=========  ================  ==========  =====================
draws      EVPPI(theta_1)    EVPI        EVPPI(both, the GP)
=========  ================  ==========  =====================
400        -0.019 (-4.7%)    -0.026      -0.023
1,000      -0.016 (-3.9%)    -0.018      -0.018
4,000      -0.009 (-2.1%)    -0.009      -0.010
=========  ================  ==========  =====================

The bias is *downward* here, about half to two-thirds of an SE: the decisions tie on average
(:math:`E[NB_1] = 0`), where the plug-in :math:`\max_d \frac1S\sum_s \hat g_d` overstates
the value of the current choice by about :math:`\text{sd}(\bar{NB}) / \sqrt{2\pi}`
(0.028 at 400 draws), more than the upward bias from the regression's fitted noise. Away
from a tie the first shrinks and the second remains: the permutation null below guards
against it.

**Population.** EVPPI is per decision. :func:`scale_value` (and ``per_year``,
``horizon_years``, ``discount_rate`` here and in ``res.evppi``) multiplies it by the
discounted number of decisions over the horizon, e.g. forces a year for five years.

**Speed.** 40 parameters, two scenarios (two incremental net benefits), a group of 10
and all 40 together: 28 s at 4,000 draws and 40 s at 2,000 (the GP tuning took more
iterations there), single-threaded BLAS on a busy two-core machine; most of it is the
19 permuted GP fits per group and the 20 splines per parameter (measured by a script,
not a test). Multi-threaded BLAS on an oversubscribed machine was ten times slower:
set ``OPENBLAS_NUM_THREADS=1`` when other processes share the cores.

The regression fits some noise, which the max turns into a small positive EVPPI even
for a parameter that does not matter. Each parameter (and group) gets its own
permutation null: its EVPPI recomputed :data:`NULL_PERMUTATIONS` (19) times with its
column(s) reordered, which breaks any link to the net benefit but keeps its values: the
chains in a random order, each shifted circularly by a random offset
(:func:`copath.sensitivity.nulls.circular_shift_order`; ``chains`` says where the chains
meet), so the draws keep their autocorrelation. A uniform shuffle assumes independent
draws, and with autocorrelated chains it flagged an irrelevant parameter far more often
than its level (34 of 60 at lag-1 autocorrelation 0.9; methods review of issue 18).
``null_95`` is the largest of the 19, the 95th percentile of the null by rank;
``above_noise`` marks an EVPPI above all of them, a test at level about 1/20 = 0.05
(measured with independent draws: 4 of 80 irrelevant parameters flagged over 20 seeds,
2,000 draws each, in
``tests/sensitivity/test_sensitivity.py``; a group of six irrelevant parameters, with
the GP: 0 of 40 seeds at 1,000 draws). The previous rule, the
largest of five permuted *other* columns, flagged an irrelevant parameter with
probability about 1/(m + 1), m the columns compared. ``noise_floor`` is the median of
the parameters' ``null_95``. Treat values at or below a parameter's ``null_95`` as zero.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> theta = rng.normal([0.2, 0.0], [1.0, 0.5], size=(20_000, 2))
>>> nb = np.column_stack([np.zeros(20_000), theta.sum(axis=1)])   # act or not
>>> res = evppi(nb, theta)
>>> round(res.evpi, 2), round(float(res.table.loc["param_0", "evppi"]), 2)   # exact: 0.353, 0.307
(0.35, 0.3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from copath.options import DiscountTiming, check
from copath.sensitivity.nulls import circular_shift_order
from copath.sensitivity.regression import Fit, fit_conditional

__all__ = ["evppi", "evpi", "evpi_se", "scale_value", "EVPPIResult", "ALL", "NULL_PERMUTATIONS", "SE_SAMPLES"]

#: Row name of the group of all parameters together.
ALL = "(all parameters)"
#: Permutations per parameter in its null: 19 gives a test at level 1/20.
NULL_PERMUTATIONS = 19
#: Draws from the regression's posterior behind each EVPPI's regression standard error.
SE_SAMPLES = 200


def evpi(net_benefit: np.ndarray) -> float:
    """EVPI of a draws x decisions net-benefit matrix (see the module formula).

    Parameters
    ----------
    net_benefit
        Net benefit of each decision (columns) for each joint draw (rows); anything
        :func:`numpy.asarray` turns into a 2-D float array.

    Returns
    -------
    float
        The mean over draws of the best decision's net benefit minus the best mean net
        benefit, in the units of the net benefit.

    Example
    -------
    >>> import numpy as np
    >>> evpi(np.array([[0.0, 1.0], [0.0, -1.0]]))   # choose 0 on average; perfect info picks 1 half the time
    0.5
    """
    nb = np.asarray(net_benefit, dtype=float)
    return float(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def _mc_se(values: np.ndarray) -> float:
    r"""Monte Carlo standard error of ``mean(max_d v) - max_d mean(v)`` over independent
    rows, by the delta method: the statistic's influence of row s is
    :math:`\max_d v_{sd} - v_{sd^*}` with :math:`d^*` the best mean column."""
    best = int(values.mean(axis=0).argmax())
    influence = values.max(axis=1) - values[:, best]
    return float(influence.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def evpi_se(net_benefit: np.ndarray) -> float:
    r"""Monte Carlo standard error of :func:`evpi`, treating the draws as independent.

    Parameters
    ----------
    net_benefit
        Draws x decisions net benefit.

    Returns
    -------
    float
        The standard deviation over draws of :math:`\max_d NB_d - NB_{d^*}` (:math:`d^*` the
        decision best on average) divided by :math:`\sqrt S`: the delta-method standard
        error of the EVPI estimate. For autocorrelated MCMC draws it is too small by about
        :math:`\sqrt{S / \text{ESS}}`.

    Example
    -------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=10_000)
    >>> round(evpi_se(np.column_stack([np.zeros_like(x), x])), 4)   # sd of max(0, x) / 100
    0.0058
    """
    nb = np.asarray(net_benefit, dtype=float)
    return _mc_se(nb)


def _evppi_from_fitted(fitted: np.ndarray) -> float:
    return float(max(fitted.max(axis=1).mean() - fitted.mean(axis=0).max(), 0.0))


def _with_zero(fitted: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros(fitted.shape[:-1] + (1,)), fitted], axis=-1)


def _se(fit: Fit, rng: np.random.Generator) -> float:
    """Regression and Monte Carlo parts of an EVPPI's standard error, added in quadrature."""
    samples = _with_zero(fit.sample(rng, SE_SAMPLES))
    per_sample = np.maximum(samples.max(axis=2).mean(axis=1) - samples.mean(axis=1).max(axis=1), 0.0)
    regression = float(per_sample.std(ddof=1))
    return float(np.hypot(regression, _mc_se(_with_zero(fit.fitted))))


def scale_value(
    value: float | np.ndarray,
    per_year: float | Sequence[float],
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    timing: DiscountTiming = "end",
) -> float | np.ndarray:
    r"""Population value of information: a per-decision value times the discounted number
    of decisions it informs.

    .. math:: V_{\text{pop}} = V \sum_{t} \frac{N_t}{(1 + r)^t},

    over years :math:`t = 1, \dots, T` (``timing="end"``, as in Briggs, Claxton and
    Sculpher 2006, *Decision Modelling for Health Economic Evaluation*, ch. 7) or
    :math:`t = 0, \dots, T - 1` (``"start"``: the first year undiscounted), with
    :math:`N_t` the decisions (people, areas, forces...) affected in year :math:`t`.

    Parameters
    ----------
    value
        Per-decision value (EVPI, EVPPI or its standard error), a number or an array.
    per_year
        Decisions per year: one number for every year, or one per year.
    horizon_years
        Years the information stays useful; with one number ``per_year`` it defaults to
        1, with a sequence it must be its length (or None).
    discount_rate
        Annual discount rate :math:`r` (0.035 is the UK Green Book's); 0 or more.
    timing
        ``"end"`` discounts year t by :math:`(1+r)^t`, t = 1..T; ``"start"`` by
        :math:`(1+r)^{t}`, t = 0..T-1.

    Returns
    -------
    float or numpy.ndarray
        ``value`` times the factor (a float for a number).

    Raises
    ------
    ValueError
        If the horizon is not a positive integer, disagrees with ``per_year``'s length,
        a count is negative or the rate is negative.

    Example
    -------
    >>> round(scale_value(2.0, per_year=100, horizon_years=3, discount_rate=0.05), 2)   # 2*100*(1/1.05 + 1/1.05**2 + 1/1.05**3)
    544.65
    >>> scale_value(2.0, per_year=[10, 20], timing="start")
    60.0
    """
    check("timing", timing, DiscountTiming)
    counts = np.atleast_1d(np.asarray(per_year, dtype=float))
    if counts.ndim != 1 or not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError(f"per_year must be one non-negative number or one per year; got {per_year!r}")
    if np.ndim(per_year) == 0:
        years = 1 if horizon_years is None else horizon_years
        if int(years) != years or years < 1:
            raise ValueError(f"horizon_years must be a positive whole number; got {horizon_years!r}")
        counts = np.full(int(years), counts[0])
    elif horizon_years is not None and horizon_years != counts.size:
        raise ValueError(f"horizon_years={horizon_years} but per_year has {counts.size} years")
    if not np.isfinite(discount_rate) or discount_rate < 0:
        raise ValueError(f"discount_rate must be 0 or more; got {discount_rate!r}")
    t = np.arange(counts.size) + (1 if timing == "end" else 0)
    factor = float((counts / (1.0 + discount_rate) ** t).sum())
    out = np.asarray(value, dtype=float) * factor
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class EVPPIResult:
    """EVPPI per parameter and group (``table``, with standard errors), the EVPI and its
    Monte Carlo standard error (``evpi_se``), the decision chosen now, and the population
    factor of :func:`scale_value` when one was asked for (else None)."""

    table: pd.DataFrame
    evpi: float
    decisions: tuple[str, ...]
    best_now: str
    n_draws: int
    noise_floor: float = 0.0
    evpi_se: float = 0.0
    population_factor: float | None = None
    #: the unit of the values: "GBP (<year> prices) a year" when priced from table entries, else ""
    unit: str = ""

    def describe(self) -> str:
        """Two sentences: the decision now and which parameter is worth learning most.

        Returns
        -------
        str
            The decision chosen now, the EVPI and the noise floor; then, when the EVPI is
            positive and there are single parameters, the one with the largest EVPPI and
            its share of the EVPI.
        """
        def money(x: float, spec: str) -> str:  # pounds as whole pounds
            return f"{x:,.0f}" if self.unit else format(x, spec)

        singles = self.table[self.table["kind"] == "parameter"]
        text = (f"With current knowledge choose {self.best_now!r}; perfect information on everything "
                f"would be worth {money(self.evpi, '.3g')} (EVPI; a parameter's EVPPI at or below its permutation "
                f"null's 95th percentile, typically {money(self.noise_floor, '.2g')}, is noise).")
        if len(singles) and self.evpi > 0:
            top = singles["evppi"].idxmax()
            text += (f" The parameter most worth learning is {top!r}: EVPPI "
                     f"{money(singles.loc[top, 'evppi'], '.3g')} (SE {money(singles.loc[top, 'se'], '.2g')}; "
                     f"{100 * singles.loc[top, 'share_of_evpi']:.0f}% of EVPI).")
        if "on_path" in self.table.columns:
            off = singles[~singles["on_path"].astype(bool) & singles["above_noise"].astype(bool)].index.tolist()
            if off:
                text += (f" Off the changed-to-valued paths yet above noise: {', '.join(off[:5])}"
                         f"{' ...' if len(off) > 5 else ''}; their coefficients do not enter the net benefit, so "
                         "that value can only come from posterior correlation with on-path links, or chance "
                         "(about 1 parameter in 20).")
        if self.population_factor is not None:
            text += (f" Over the population and horizon (x{self.population_factor:.4g} decisions, discounted) "
                     f"the EVPI is {money(self.evpi * self.population_factor, '.4g')}.")
        if self.unit:
            text += f" Values in {self.unit}."
        return text

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.describe())}</p>" + self.table.to_html(float_format=lambda v: f"{v:.4g}")


def _as_net_benefit(net_benefit) -> tuple[np.ndarray, tuple[str, ...]]:
    """Draws x decisions float array and the decisions' names, checked (shared with EVSI)."""
    if isinstance(net_benefit, pd.DataFrame):
        decisions = tuple(str(c) for c in net_benefit.columns)
        nb = net_benefit.to_numpy(dtype=float)
    else:
        nb = np.asarray(net_benefit, dtype=float)
        if nb.ndim != 2:
            raise ValueError(f"net_benefit must be draws x decisions, got shape {nb.shape}")
        decisions = tuple(f"decision_{j}" for j in range(nb.shape[1]))
    if nb.shape[1] < 2:
        raise ValueError("net_benefit needs at least two decisions (columns) to choose between")
    if not np.isfinite(nb).all():
        raise ValueError("net_benefit has NaN or infinite values")
    return nb, decisions


def _as_frame(params, n: int) -> pd.DataFrame:
    if isinstance(params, pd.DataFrame):
        frame = params.reset_index(drop=True)
    else:
        arr = np.asarray(params, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"params must be draws x k, got shape {arr.shape}")
        frame = pd.DataFrame(arr, columns=[f"param_{j}" for j in range(arr.shape[1])])
    if len(frame) != n:
        raise ValueError(f"params has {len(frame)} draws but net_benefit has {n}")
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = frame.columns[~np.isfinite(values).all(axis=0)][0]
        raise ValueError(f"params column {bad!r} has NaN or infinite draws")
    return frame.astype(float)


def evppi(
    net_benefit: np.ndarray | pd.DataFrame,
    params: np.ndarray | pd.DataFrame,
    groups: Mapping[str, Sequence[str]] | None = None,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    chains: int = 1,
) -> EVPPIResult:
    """EVPPI of every parameter (column of ``params``) and of each group, with EVPI.

    ``net_benefit`` is draws x decisions (a DataFrame's columns name the decisions);
    ``params`` is draws x k from the same draws (a DataFrame's columns name the
    parameters; an array's are ``param_0, param_1, ...``). ``groups`` maps a name to
    a list of parameter names; the group of all parameters is always added as
    ``"(all parameters)"``. See the module docstring for the formulas, the regressions
    and the standard errors.

    Parameters
    ----------
    net_benefit
        Draws x decisions (at least two decisions), finite. A DataFrame's columns name
        the decisions; an array's are ``decision_0, decision_1, ...``.
    params
        Draws x k parameter values from the same draws, in the same order, finite (a
        1-D array is one parameter). A DataFrame's columns name the parameters; an
        array's are ``param_0, param_1, ...``.
    groups
        Optional mapping of a group name to the names of its parameters; each group's
        EVPPI is that of its parameters jointly.
    per_year
        Optional decisions per year the choice applies to (one number, or one per
        year): adds the population columns (see :func:`scale_value`).
    horizon_years
        Years the information stays useful (with one number ``per_year``; default 1).
    discount_rate
        Annual discount rate for the population values.
    chains
        How many MCMC chains the draws come from, stacked chain-major (equal lengths): the
        permutation null shifts each chain's draws circularly within the chain.

    Returns
    -------
    EVPPIResult
        ``table`` indexed by name with columns ``kind`` (``"parameter"`` or ``"group"``),
        ``evppi``, ``se`` (its standard error: regression and Monte Carlo parts, see the
        module docstring), ``null_95`` (the largest EVPPI of 19 permutations of its own
        column(s): the null's 95th percentile by rank), ``share_of_evpi`` and
        ``above_noise`` (EVPPI above ``null_95``: a permutation test at level 0.05), and
        with ``per_year`` also ``population_evppi`` and ``population_se``; the ``evpi``
        and its Monte Carlo ``evpi_se``; the ``decisions``; ``best_now`` (the decision
        with the highest mean net benefit); ``n_draws``; ``noise_floor`` (the median of
        the parameters' ``null_95``); and ``population_factor`` (None without
        ``per_year``).

    Raises
    ------
    ValueError
        If the shapes do not match, there are fewer than two decisions, a value is NaN
        or infinite, or a group names an unknown parameter.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> p = pd.DataFrame({"a": rng.normal(size=4000), "b": rng.normal(size=4000)})
    >>> nb = pd.DataFrame({"no": 0.0, "yes": p["a"] + 0.1})
    >>> r = evppi(nb, p, per_year=1000, horizon_years=5, discount_rate=0.035)
    >>> bool(r.table.loc["b", "evppi"] < 0.02 < r.table.loc["a", "evppi"])
    True
    >>> bool(r.table.loc["a", "se"] < 0.02), round(r.population_factor)
    (True, 4515)
    """
    nb, decisions = _as_net_benefit(net_benefit)
    frame = _as_frame(params, nb.shape[0])
    factor = None if per_year is None else float(scale_value(1.0, per_year, horizon_years, discount_rate))
    all_groups = dict(groups or {})
    all_groups.setdefault(ALL, list(frame.columns))
    for name, members in all_groups.items():
        missing = [m for m in members if m not in frame.columns]
        if missing:
            raise ValueError(f"group {name!r}: unknown parameter(s) {', '.join(map(str, missing))}")
    if chains < 1 or nb.shape[0] % chains:
        raise ValueError(f"{nb.shape[0]} draws cannot be split into {chains} chains of equal length")
    per_chain = nb.shape[0] // chains
    total = evpi(nb)
    # regress the net benefit relative to decision 0: same maxima, one column fewer
    incremental = nb[:, 1:] - nb[:, :1]
    rng = np.random.default_rng(0)

    def fit(values: np.ndarray) -> Fit:
        # the GP's tuning subsample comes from its own seed, so a permuted fit differs
        # from the real one only in the permutation
        return fit_conditional(incremental, values, np.random.default_rng(1))

    def row(name: str, kind: str, columns: list[str]) -> dict:
        values = frame[columns].to_numpy()
        real = fit(values)
        null = [_evppi_from_fitted(_with_zero(fit(values[circular_shift_order(chains, per_chain, rng)]).fitted))
                for _ in range(NULL_PERMUTATIONS)]
        return {"name": name, "kind": kind, "evppi": _evppi_from_fitted(_with_zero(real.fitted)),
                "se": _se(real, rng), "null_95": max(null)}

    # single-threaded BLAS: the regressions' matrices are small, and a threaded BLAS beside a
    # sampler or another process oversubscribes the cores (ten times slower on 2 busy cores)
    with threadpool_limits(limits=1):
        rows = [row(c, "parameter", [c]) for c in frame.columns]
        rows += [row(name, "group", list(members)) for name, members in all_groups.items()]
    table = pd.DataFrame(rows).set_index("name")
    # round-off of a flat fit leaves ~1e-17 instead of 0
    tiny = 1e-12 * (np.abs(nb).mean() + 1e-300)
    table.loc[table["evppi"] <= tiny, "evppi"] = 0.0
    table.loc[table["null_95"] <= tiny, "null_95"] = 0.0
    table["share_of_evpi"] = table["evppi"] / total if total > 0 else 0.0
    table["above_noise"] = table["evppi"] > table["null_95"]
    if factor is not None:
        table["population_evppi"] = table["evppi"] * factor
        table["population_se"] = table["se"] * factor
    floor = float(table.loc[table["kind"] == "parameter", "null_95"].median()) if len(frame.columns) else 0.0
    return EVPPIResult(table=table, evpi=total, decisions=decisions,
                       best_now=decisions[int(nb.mean(axis=0).argmax())], n_draws=nb.shape[0],
                       noise_floor=floor, evpi_se=evpi_se(nb), population_factor=factor)
