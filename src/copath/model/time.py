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

Months are read from the index's month column (:func:`month_features`): ``"YYYY-MM"``
text, dates or pandas periods give the calendar month; whole numbers count months with
month 1 a January (as :func:`copath.simulate` writes them).

A scenario is computed on the rows of its period (``period=`` of
:func:`copath.scenarios.scenario.build_scenario`), each with its own month's season and
trend: the trend is never extrapolated beyond the data.

Example
-------
>>> import numpy as np
>>> f = month_features(np.array(["2016-11", "2016-12", "2017-01"]))
>>> f.month_of_year.tolist(), f.years.round(3).tolist()
([10, 11, 0], [-0.083, 0.0, 0.083])
>>> time_terms(f, season=np.arange(12.0), trend=1.2).round(2).tolist()
[9.9, 11.0, 0.1]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MonthFeatures", "month_features", "time_terms", "SEASON_SD_SCALE", "TREND_SD_SCALE", "MONTH_NAMES"]

#: The half-normal scale of the seasonal effects' sd, in the node's unit scale.
SEASON_SD_SCALE = 0.25
#: The sd of the trend's normal prior (change per year on the link scale), in the node's unit scale.
TREND_SD_SCALE = 0.25
#: The coordinate labels of the month-of-year dimension.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class MonthFeatures:
    """Each row's month of the year (0 = January) and time in years from the rows' mean."""

    month_of_year: np.ndarray
    years: np.ndarray
    #: the mean month count over the rows (months from the first month), the trend's zero
    centre: float


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
        centre = float(count.mean())
        return MonthFeatures(month_of_year=month_of_year.astype(int), years=(count - centre) / 12.0, centre=centre)
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
    centre = float(count.mean())
    return MonthFeatures(month_of_year=month_of_year.astype(int), years=(count - centre) / 12.0, centre=centre)


def time_terms(features: MonthFeatures, season: Any = None, trend: Any = None, rows: np.ndarray | None = None) -> Any:
    """Each row's time term :math:`s_{\\text{moy}} + \\gamma\\,t`, on PyMC tensors or NumPy draws.

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
    return term
