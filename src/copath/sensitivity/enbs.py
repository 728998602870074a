r"""Expected net benefit of sampling and the optimal study size for one parameter: pure
maths on draws.

A study of size :math:`n` that estimates parameter :math:`\theta` with standard error
:math:`\sigma_T(n)` is worth its expected value of sample information,
:math:`\text{EVSI}(n)` per decision (:func:`copath.evsi`: the regression method of Strong,
Oakley, Brennan and Breeze 2015 with a normal study estimate), over every decision it informs,
and costs a fixed amount plus an amount per unit. Its **expected net benefit of sampling** is

.. math:: \text{ENBS}(n) = \text{EVSI}(n) \sum_{t} \frac{N_t}{(1+r)^t} - (C_{\text{fixed}} + c\,n),

with the population factor of :func:`copath.scale_value` (decisions :math:`N_t` a year over
the horizon, discounted at :math:`r`); the **optimal study size** maximises it over the sizes
compared, and no study is worth doing when every ENBS is at or below 0. The names follow the
voi package's ``enbs`` (https://rdrr.io/cran/voi/man/enbs.html: "the expected net benefit of
sampling for a typical study ... given estimates of the per-person expected value of sample
information, decision population size and study setup and per-participant costs"; its
``costs_setup`` and ``costs_pp`` are ``fixed_cost`` and ``cost_per_unit`` here).

**Common random numbers.** One standard normal :math:`z_s` per draw simulates every size's
study result, :math:`T_s(n) = \theta_s + \sigma_T(n) z_s`, so the curve is smooth in
:math:`n` and differences between sizes carry less Monte Carlo noise than each value; the
EVSI at each size equals :func:`copath.evsi`'s for the same seed (the same :math:`z`).

**Uncertainty.** Each EVSI's standard error (regression and Monte Carlo parts, as
:func:`copath.evsi` gives it) times the population factor; the study's costs are taken as
known. ``enbs_low`` and ``enbs_high`` are :math:`\pm 2` SE. The EVSI estimate carries a small
bias whose sign depends on the problem (low by 2-3% at 4,000 draws for a decision on a knife
edge, see :mod:`.evsi`); an optimum on a flat curve is uncertain, and the table shows how flat.
Measured on the check below over 50 seeds of 4,000 draws (``benchmarks/bench_enbs_ceac.py``):
the mean ENBS at the eight sizes lay 4 to 13 above the closed form (Monte Carlo error of each
mean about 6; reported SE 37-39 against a spread of 41-43 over seeds), 399 of 400 estimates
within 3 SE, and n = 40, the true optimum, was chosen for all 50 seeds.

Check: :math:`\theta \sim N(\mu, \tau^2)`, net benefit :math:`(0, \theta)` and a study of
:math:`n` units with known sd :math:`\sigma` (:math:`\sigma_T = \sigma/\sqrt n`): the
posterior mean after the study is normal with sd :math:`s_n = \tau^2 / \sqrt{\tau^2 +
\sigma^2/n}`, so :math:`\text{EVSI}(n) = s_n L(|\mu| / s_n)` with :math:`L` the unit normal
loss integral; ``tests/sensitivity/test_enbs.py`` finds the ENBS and its optimum within Monte
Carlo error.

Example
-------
>>> import numpy as np
>>> theta = np.random.default_rng(0).normal(size=4000)
>>> nb = np.column_stack([np.zeros(4000), theta])
>>> r = enbs(nb, theta, sizes=[4, 25, 100, 400], study_se=lambda n: 2.0 / np.sqrt(n),
...          fixed_cost=10.0, cost_per_unit=0.2, per_year=100)
>>> r.table["n"].tolist(), r.optimal_n                 # 100 x EVSI (at most 40) less the cost
([4, 25, 100, 400], 25)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from copath import plotting
from copath.sensitivity.evppi import _as_net_benefit, _evppi_from_fitted, _se, _with_zero, scale_value
from copath.sensitivity.evsi import _STREAM, _theta_frame, check_study_se
from copath.sensitivity.regression import fit_conditional

__all__ = ["ENBSResult", "enbs"]


@dataclass(frozen=True)
class ENBSResult:
    """ENBS over study sizes for one parameter.

    ``table`` has one row per size: ``n``, ``study_se``, ``evsi`` and ``evsi_se`` per
    decision, ``population_evsi`` and ``population_se``, ``study_cost``, ``enbs``, ``enbs_se``,
    ``enbs_low`` and ``enbs_high`` (:math:`\\pm 2` SE). ``optimal_n`` is the size with the
    highest ENBS, None when none is positive; ``evppi`` is the parameter's EVPPI per decision
    (the EVSI's ceiling). ``unit``, when the net benefit was priced from table entries, is its
    unit per decision (``"GBP (2024 prices) a year"``; the population values, the study's cost
    and the ENBS are then sums in ``"GBP (2024 prices)"``), also in ``table.attrs["unit"]``."""

    parameter: str
    table: pd.DataFrame
    optimal_n: float | None
    population_factor: float
    evppi: float
    decisions: tuple[str, ...]
    best_now: str
    n_draws: int
    money_unit: str = ""
    unit: str = ""
    horizon_years: int | None = None
    discount_rate: float = 0.0

    def column_units(self) -> str:
        """What each column's number is: the EVSI per decision (per year, with table entries),
        and the population EVSI, the study's cost and the ENBS as present values over the
        horizon at the discount rate.

        Returns
        -------
        str

        Example
        -------
        >>> import numpy as np
        >>> theta = np.random.default_rng(0).normal(size=400)
        >>> r = enbs(np.column_stack([np.zeros(400), theta]), theta, [10], lambda n: 1.0, per_year=5,
        ...          horizon_years=3, discount_rate=0.035)
        >>> r.column_units()
        'evsi per decision; population_evsi, study_cost and enbs present values over 3 year(s) discounted at 0.035'
        """
        per = f"in {self.unit} per decision" if self.unit else "per decision"
        total = self.unit.removesuffix(" a year")
        sums = f" in {total}" if total else ""
        return (f"evsi {per}; population_evsi, study_cost and enbs present values{sums} over "
                f"{self.horizon_years or 1} year(s) discounted at {self.discount_rate:g}")

    @property
    def best(self) -> pd.Series | None:
        """The table's row at the optimal size (None when no study is worth doing)."""
        if self.optimal_n is None:
            return None
        return self.table.loc[self.table["n"] == self.optimal_n].iloc[0]

    @property
    def figure(self) -> Figure:
        """ENBS, population EVSI and study cost against the study size."""
        return plotting.enbs(self.table, self.optimal_n, self.unit.removesuffix(" a year") or self.money_unit)

    def describe(self) -> str:
        """One or two sentences: the optimal size and its ENBS, or that no size pays.

        Returns
        -------
        str
        """
        unit = f"{self.money_unit} " if self.money_unit else ""

        def money(x: float) -> str:  # pounds as whole pounds
            return f"{x:,.0f}" if self.unit else f"{x:,.4g}"

        ceiling = self.evppi * self.population_factor
        priced = (f" A decision's value is in {self.unit}; the population values, the study's cost and the ENBS "
                  f"are present values in {self.unit.removesuffix(' a year')} over {self.horizon_years or 1} "
                  f"year(s) discounted at {self.discount_rate:g}.") if self.unit else ""
        if self.optimal_n is None:
            top = self.table.loc[self.table["enbs"].idxmax()]
            text = (f"No study of {self.parameter!r} among the sizes compared is worth its cost: the best, n = "
                    f"{top['n']:g}, has ENBS {unit}{money(top['enbs'])} (SE {money(top['enbs_se'])}); perfect "
                    f"information on it would be worth {unit}{money(ceiling)} over the population.")
            return text + priced
        b = self.best
        near = self.table[self.table["enbs"] >= b["enbs"] - 2 * b["enbs_se"]]["n"]
        text = (f"The best study of {self.parameter!r} among the sizes compared has n = {b['n']:g} "
                f"(standard error {b['study_se']:.3g}): ENBS {unit}{money(b['enbs'])} (SE {money(b['enbs_se'])}; "
                f"population EVSI {unit}{money(b['population_evsi'])} less cost {unit}{money(b['study_cost'])}). "
                f"Sizes within 2 SE of it: n = {near.min():g} to {near.max():g}; the ceiling, perfect information "
                f"over the population, is {unit}{money(ceiling)}.")
        return text + priced

    def _repr_html_(self) -> str:
        from copath.display import frame_html, paragraphs

        return paragraphs(self.describe()) + frame_html(self.table.set_index("n"))


def _standard_errors(sizes: np.ndarray, study_se: Callable[[float], float] | Sequence[float]) -> np.ndarray:
    if callable(study_se):
        values = [study_se(float(n) if not float(n).is_integer() else int(n)) for n in sizes]
    else:
        values = list(np.atleast_1d(np.asarray(study_se, dtype=float)))
        if len(values) != len(sizes):
            raise ValueError(f"study_se has {len(values)} values but there are {len(sizes)} sizes")
    return np.array([check_study_se(v) for v in values])


def enbs(
    net_benefit: np.ndarray | pd.DataFrame,
    theta: np.ndarray | pd.Series | pd.DataFrame,
    sizes: Sequence[float],
    study_se: Callable[[float], float] | Sequence[float],
    fixed_cost: float = 0.0,
    cost_per_unit: float = 0.0,
    per_year: float | Sequence[float] = 1.0,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    rng: np.random.Generator | int | None = None,
    money_unit: str = "",
) -> ENBSResult:
    """ENBS of a study of ``theta`` at each size and the optimal size (see the module text).

    Parameters
    ----------
    net_benefit
        Draws x decisions (at least two), finite, per decision.
    theta
        The studied parameter's draws, in the same order.
    sizes
        Study sizes to compare (positive, distinct); sorted here.
    study_se
        The study's standard error at size n on ``theta``'s scale: a function of n (e.g.
        ``lambda n: copath.study_se_for(n_per_arm=n / 2, unit_sd=1.0)``) or one value per size.
    fixed_cost
        The study's cost whatever its size (set-up), in the net benefit's units; 0 or more.
    cost_per_unit
        The study's cost per unit of n; 0 or more.
    per_year, horizon_years, discount_rate
        Decisions a year the result informs (one number, or one per year), for how many years,
        discounted at this rate: :func:`copath.scale_value`'s factor (default 1 decision).
    rng
        Generator or seed of the simulated study results and the standard errors (default:
        seed 0, so results repeat; an integer seeds :func:`copath.evsi`'s own stream).
    money_unit
        A label for the figure and description (e.g. ``"GBP"``).

    Returns
    -------
    ENBSResult

    Raises
    ------
    ValueError
        For mismatched shapes, a size or standard error that is not positive, duplicate sizes,
        or a negative cost.

    Example
    -------
    See the module example.
    """
    nb, decisions = _as_net_benefit(net_benefit)
    frame = _theta_frame(theta, nb.shape[0])
    grid = np.sort(np.atleast_1d(np.asarray(sizes, dtype=float)))
    if grid.size == 0 or not np.isfinite(grid).all() or (grid <= 0).any() or len(np.unique(grid)) != grid.size:
        raise ValueError(f"sizes must be distinct positive numbers; got {sizes!r}")
    for name, v in (("fixed_cost", fixed_cost), ("cost_per_unit", cost_per_unit)):
        if not (np.isfinite(v) and v >= 0):
            raise ValueError(f"{name} must be a non-negative number; got {v!r}")
    ses = _standard_errors(grid, study_se)
    factor = float(scale_value(1.0, per_year, horizon_years, discount_rate))
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng([0 if rng is None else rng, _STREAM])
    n = nb.shape[0]
    values = frame.iloc[:, 0].to_numpy()
    z = gen.standard_normal(n)  # common random numbers: the same study noise at every size
    incremental = nb[:, 1:] - nb[:, :1]
    rows = []
    with threadpool_limits(limits=1):
        perfect = _evppi_from_fitted(_with_zero(fit_conditional(incremental, values).fitted))
        for size, se_t in zip(grid, ses, strict=True):
            fit = fit_conditional(incremental, values + se_t * z)
            value = _evppi_from_fitted(_with_zero(fit.fitted))
            rows.append({"n": int(size) if size.is_integer() else float(size), "study_se": float(se_t),
                         "evsi": value, "evsi_se": _se(fit, gen)})
    table = pd.DataFrame(rows)
    table["population_evsi"] = table["evsi"] * factor
    table["population_se"] = table["evsi_se"] * factor
    table["study_cost"] = fixed_cost + cost_per_unit * table["n"].astype(float)
    table["enbs"] = table["population_evsi"] - table["study_cost"]
    table["enbs_se"] = table["population_se"]
    table["enbs_low"] = table["enbs"] - 2 * table["enbs_se"]
    table["enbs_high"] = table["enbs"] + 2 * table["enbs_se"]
    top = int(table["enbs"].to_numpy().argmax())
    optimal = table["n"].iloc[top] if table["enbs"].iloc[top] > 0 else None
    return ENBSResult(parameter=str(frame.columns[0]), table=table,
                      optimal_n=None if optimal is None else optimal.item(), population_factor=factor,
                      evppi=perfect, decisions=decisions, best_now=decisions[int(nb.mean(axis=0).argmax())],
                      n_draws=n, money_unit=money_unit,
                      horizon_years=len(per_year) if np.ndim(per_year) > 0 else horizon_years,
                      discount_rate=float(discount_rate))
