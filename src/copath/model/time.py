r"""Effects of time on a node: month of the year, and a linear trend.

A node whose spec says ``time: [season, trend]`` gets, on its link scale, the extra term

.. math::

    \tau_v(m) = s_{v,\,\text{moy}(m)} + \gamma_v\,\frac{t(m) - \bar t}{12}

added to :math:`\eta_v` in every row of month :math:`m` (:mod:`copath.model.equations`).

- **season** :math:`s_{v,1..12}`: one effect per month of the year, summing to zero over
  the twelve months (so the intercept stays the level of a typical month),
  :math:`s = \sigma_s z`, :math:`z \sim \text{ZeroSumNormal}(1)`,
  :math:`\sigma_s \sim HN(0.25)` in the node's unit scale (0.25 on the log scale is a
  seasonal swing of about :math:`\pm 25\%`, larger than most crime series show).
- **trend** :math:`\gamma_v`: change per year on the link scale,
  :math:`\gamma_v \sim N(0, 0.25)` in the node's unit scale (a log-rate trend of
  :math:`\pm 0.25` a year is :math:`+28\%` or :math:`-22\%` a year). :math:`t(m)` counts months from the
  data's first month, and :math:`\bar t` is the mean over the data's rows, so the
  intercept is the level at the data's middle.

- **period** :math:`p_{v,1..P}`: one effect per period, the distinct values of the month
  column in time order (a month, a quarter or a year, as the rows are), partially pooled:
  :math:`p = Q w`, :math:`w_j \sim N(0, \sigma_p)`, :math:`\sigma_p \sim HN(0.25)` in the
  node's unit scale. :math:`Q` (:func:`period_basis`) is an orthonormal basis of the
  periods' patterns that the node's other terms cannot make: a constant (the intercept),
  and with ``trend`` the straight line through the periods, with ``season`` the periods'
  months of the year. So the effects sum to zero over the periods (the intercept stays the
  level of a typical period), and beside a trend they are each period's departure from the
  line (identified against the intercept and the trend, not trading off with them); with
  one constraint this is the zero-sum normal of :math:`P - 1` free effects.
- **period_rw** :math:`r_{v,1..P}`: a first-order random walk over the periods,
  :math:`r_t = r_{t-1} + \sigma_r e_t`, :math:`e_t \sim N(0, 1)`, :math:`\sigma_r \sim HN(0.25)`
  in the node's unit scale (the sd of one period's step without a trend; beside a trend the projection shrinks the steps' variance to 0.66-1.0 of its square at 5-10 periods, by a methods review's computation), projected like ``period`` onto
  the patterns the other terms cannot make (so it sums to zero, and beside a trend has no
  linear part): the intrinsic RW1 with a sum-to-zero constraint (Rue & Held 2005,
  *Gaussian Markov Random Fields*, ch. 3). Use it when neighbouring periods should be
  alike (a level that drifts); ``period`` when each period's shock is its own. A node has
  one of the two.

Months are read from the index's month column (:func:`month_features`): ``"YYYY-MM"``
text, dates or pandas periods give the calendar month; whole numbers count months with
month 1 a January (as :func:`copath.simulate` writes them). The rows' period length is
the typical gap between consecutive periods (``MonthFeatures.step``: 1 for monthly rows,
3 for quarterly, 12 for yearly rows such as ``"2014-12", "2015-12"``), and every sentence
that says how long a stretch of data is counts in it (:func:`span_words`: "10 years").

A scenario is computed on the rows of its period (``period=`` of
:func:`copath.scenarios.scenario.build_scenario`), each with its own month's season, trend
and period effect: the trend is never extrapolated beyond the data.

Example
-------
>>> import numpy as np
>>> f = month_features(np.array(["2016-11", "2016-12", "2017-01"]))
>>> f.month_of_year.tolist(), f.years.round(3).tolist()
([10, 11, 0], [-0.083, 0.0, 0.083])
>>> time_terms(f, season=np.arange(12.0), trend=1.2).round(2).tolist()
[9.9, 11.0, 0.1]
>>> y = month_features(["2014-12", "2015-12", "2016-12"])
>>> y.labels, y.step, span_words(len(y.labels), y.step)
(('2014-12', '2015-12', '2016-12'), 12, '3 years')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from copath.options import PERIOD_EFFECTS  # re-exported: defined beside TimeEffect

__all__ = ["MonthFeatures", "month_features", "time_terms", "period_basis", "span_words", "SEASON_SD_SCALE",
           "TREND_SD_SCALE", "PERIOD_SD_SCALE", "PERIOD_EFFECTS", "MONTH_NAMES"]

#: The half-normal scale of the seasonal effects' sd, in the node's unit scale.
SEASON_SD_SCALE = 0.25
#: The sd of the trend's normal prior (change per year on the link scale), in the node's unit scale.
TREND_SD_SCALE = 0.25
#: The half-normal scale of the period effects' sd (``period``) or of a random walk's step
#: (``period_rw``), in the node's unit scale: on the logit scale 0.25 lets a year's share of
#: about 50% move by about 6 points, more than London-wide survey years do.
PERIOD_SD_SCALE = 0.25
#: The coordinate labels of the month-of-year dimension.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class MonthFeatures:
    """Each row's month of the year (0 = January), time in years from the rows' mean, and period."""

    month_of_year: np.ndarray
    years: np.ndarray
    #: the mean month count over the rows (months from the first month), the trend's zero
    centre: float
    #: each row's period: its position in :attr:`labels`
    period: np.ndarray | None = None
    #: the periods (distinct values of the month column) as text, in time order
    labels: tuple[str, ...] = ()
    #: months between consecutive periods: the median gap (1 monthly, 3 quarterly, 12 yearly)
    step: int = 1

    def period_values(self, values: np.ndarray) -> np.ndarray:
        """Each period's value of a per-row quantity that is constant within a period (its
        first row's), e.g. ``f.period_values(f.years)``: the periods' centred times.

        Parameters
        ----------
        values
            One value per row.

        Returns
        -------
        numpy.ndarray
            One value per period, in :attr:`labels` order.

        Example
        -------
        >>> month_features([24, 12, 24]).period_values(np.array([5.0, 7.0, 5.0])).tolist()
        [7.0, 5.0]
        """
        first = np.unique(self.period, return_index=True)[1]
        return np.asarray(values)[first]


def month_features(values: Any) -> MonthFeatures:
    """The month of the year and the centred time in years of each row.

    Parameters
    ----------
    values
        The month column: ``"YYYY-MM"`` text (or any text pandas reads as a date), dates,
        pandas periods, or whole numbers counting months (1 is a January).

    Returns
    -------
    MonthFeatures

    Raises
    ------
    ValueError
        If the values are neither whole numbers nor readable as dates.

    Example
    -------
    >>> month_features([1, 2, 13]).month_of_year.tolist()
    [0, 1, 0]
    """
    series = pd.Series(values) if not isinstance(values, pd.Series) else values.reset_index(drop=True)
    if isinstance(series.dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        periods = (series.dt.to_timestamp() if isinstance(series.dtype, pd.PeriodDtype) else series).dt.to_period("M")
        ordinal = periods.dt.year.to_numpy() * 12 + periods.dt.month.to_numpy() - 1
        count = (ordinal - ordinal.min()).astype(float)
        month_of_year = periods.dt.month.to_numpy() - 1
        return _features(count, month_of_year, series)
    numeric = pd.to_numeric(series, errors="coerce")
    if numeric.notna().all():
        v = numeric.to_numpy(dtype=float)
        if not np.all(v == np.round(v)):
            raise ValueError("month numbers must be whole numbers (1 = a January) for time effects")
        if v.max() >= 1000:
            raise ValueError(f"month numbers must count months (1 = a January) for time effects; {v.max():.0f} looks "
                             "like a year or a YYYYMM code: write months as 'YYYY-MM'")
        count = v - v.min()
        month_of_year = ((v - 1) % 12).astype(int)
    else:
        try:
            periods = pd.PeriodIndex(pd.to_datetime(series.astype(str), format="mixed"), freq="M")
        except (ValueError, TypeError) as err:
            bad = series.astype(str).iloc[0]
            raise ValueError(f"month values must be 'YYYY-MM' text, dates or whole numbers for time "
                             f"effects; could not read {bad!r} ({err})") from None
        ordinal = periods.year.to_numpy() * 12 + periods.month.to_numpy() - 1
        count = (ordinal - ordinal.min()).astype(float)
        month_of_year = periods.month.to_numpy() - 1
    return _features(count, month_of_year, series)


def _features(count: np.ndarray, month_of_year: np.ndarray, series: pd.Series) -> MonthFeatures:
    """The features of rows ``count`` months after the first, labelled by ``series``."""
    centre = float(count.mean())
    distinct, first, period = np.unique(count, return_index=True, return_inverse=True)
    labels = tuple(str(series.iloc[i]) for i in first)
    step = int(np.median(np.diff(distinct))) if distinct.size > 1 else 1
    return MonthFeatures(month_of_year=np.asarray(month_of_year).astype(int), years=(count - centre) / 12.0,
                         centre=centre, period=period.reshape(-1).astype(int), labels=labels, step=max(step, 1))


def span_words(n_periods: int, step: int) -> str:
    """How long ``n_periods`` periods of ``step`` months each are, in the rows' own unit.

    Parameters
    ----------
    n_periods
        How many periods (rows' distinct months).
    step
        Months per period (:attr:`MonthFeatures.step`).

    Returns
    -------
    str
        ``"10 years"``, ``"1 year"``, ``"4 quarters"`` or ``"18 months"``.

    Example
    -------
    >>> span_words(10, 12), span_words(1, 12), span_words(4, 3), span_words(18, 1)
    ('10 years', '1 year', '4 quarters', '18 months')
    """
    if step % 12 == 0:
        n, unit = n_periods * step // 12, "year"
    elif step == 3:
        n, unit = n_periods, "quarter"
    else:
        n, unit = n_periods * step, "month"
    return f"{n} {unit}{'' if n == 1 else 's'}"


def period_basis(features: MonthFeatures, time: tuple[str, ...]) -> np.ndarray:
    """The map from a node's free period parameters to its period effects (see the module text).

    Parameters
    ----------
    features
        The rows' month features.
    time
        The node's effects of time (one of :data:`PERIOD_EFFECTS` among them).

    Returns
    -------
    numpy.ndarray
        ``(P, d)``: for ``period`` an orthonormal basis of the period patterns orthogonal to
        a constant (and to the line through the periods with ``trend``, and to the periods'
        months of the year with ``season``); for ``period_rw`` the cumulative sum of ``P - 1``
        steps projected onto those patterns.

    Raises
    ------
    ValueError
        When the periods are too few for any such pattern (e.g. one period; two with a trend).

    Example
    -------
    >>> f = month_features([12, 24, 36, 48])
    >>> q = period_basis(f, ("period",))
    >>> q.shape, np.allclose(q.sum(axis=0), 0), np.allclose(q.T @ q, np.eye(3))
    ((4, 3), True, True)
    >>> w = period_basis(f, ("trend", "period_rw"))
    >>> w.shape, np.allclose(f.period_values(f.years) @ w, 0)
    ((4, 3), True)
    """
    n = len(features.labels)
    cols = [np.ones(n)]
    if "trend" in time:
        cols.append(features.period_values(features.years))
    if "season" in time:
        moy = features.period_values(features.month_of_year)
        cols += [(moy == m).astype(float) for m in np.unique(moy)]
    u, sv, _ = np.linalg.svd(np.column_stack(cols), full_matrices=True)
    rank = int(np.sum(sv > 1e-9 * sv.max()))
    free = u[:, rank:]  # orthonormal basis of the patterns the other terms cannot make
    if free.shape[1] == 0:
        others = " and ".join(["the intercept"] + [t for t in ("trend", "season") if t in time])
        raise ValueError(f"{n} period(s) leave no period effect that {others} cannot make; period effects need "
                         f"at least {rank + 1} periods here")
    if "period_rw" in time:
        steps = np.tril(np.ones((n, n)))[:, 1:]  # r_1 = 0, r_t = e_2 + ... + e_t
        return free @ (free.T @ steps)
    return free


def time_terms(features: MonthFeatures, season: Any = None, trend: Any = None, rows: np.ndarray | None = None,
               period: Any = None) -> Any:
    """Each row's time term :math:`s_{\\text{moy}} + \\gamma\\,t + p_{\\text{period}}`, on PyMC tensors or NumPy draws.

    Parameters
    ----------
    features
        The rows' month features.
    season
        The twelve seasonal effects (month-of-year axis last, any draw axes before it), or None.
    trend
        The trend per year (a scalar, or one per draw), or None.
    rows
        The rows to give (all when None).
    period
        The period effects (period axis last, in :attr:`MonthFeatures.labels` order, any draw
        axes before it), or None.

    Returns
    -------
    The terms, one per row (with the draw axes first), or 0 when neither effect is given.

    Example
    -------
    >>> f = month_features([1, 2, 3])
    >>> time_terms(f, trend=np.array([12.0, 24.0])).tolist()
    [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    """
    moy = features.month_of_year if rows is None else features.month_of_year[rows]
    years = features.years if rows is None else features.years[rows]
    term: Any = 0.0
    if season is not None:
        term = term + season[..., moy]
    if trend is not None:
        t = trend[..., None] if getattr(trend, "ndim", 0) else trend
        term = term + t * years
    if period is not None:
        term = term + period[..., features.period if rows is None else features.period[rows]]
    return term
