r"""Cost-effectiveness acceptability curves and the EVPI across willingness to pay: pure maths
on draws of each option's effect and cost.

When the outcome is not in money (points of quality of life, crimes prevented), the choice
depends on what one unit of it is worth: the willingness to pay :math:`\lambda`. For draw
:math:`s` option :math:`d` has net benefit

.. math:: NB_{d,s}(\lambda) = \lambda \, E_{d,s} - C_{d,s},

with :math:`E` its effect and :math:`C` its cost. The **cost-effectiveness acceptability
curve** (CEAC) of option :math:`d` is the posterior probability that it has the highest net
benefit, :math:`P(d = \arg\max_{d'} NB_{d'}(\lambda))`, as a function of :math:`\lambda`;
with two options it is :math:`P(\lambda \Delta E - \Delta C > 0)` (BCEA's ``ceac.plot``
definition). The option with the highest *expected* net benefit at each :math:`\lambda` is
on the **cost-effectiveness acceptability frontier**: the option a decision maker would
choose, which need not be the one most likely to be best when the net benefit is skewed
(Fenwick, Claxton and Sculpher 2001, "Representing uncertainty: the role of
cost-effectiveness acceptability curves", *Health Economics* 10(8):779-787,
doi:10.1002/hec.635). The expected value of perfect information at each :math:`\lambda`,

.. math:: \text{EVPI}(\lambda) = \frac1S \sum_s \max_d NB_{d,s}(\lambda) - \max_d \frac1S \sum_s NB_{d,s}(\lambda),

says what resolving all the uncertainty would be worth there (:func:`copath.evpi`); it peaks
near the :math:`\lambda` where the frontier switches option.

Monte Carlo error: a probability's standard error is :math:`\sqrt{p(1-p)/S}` and the EVPI's
the delta-method one of :func:`copath.sensitivity.evppi.evpi_se`, both treating the draws as
independent (too small by about :math:`\sqrt{S/\text{ESS}}` for autocorrelated MCMC draws).
Ties (e.g. at :math:`\lambda = 0` when costs are equal) go to the option listed first.

Check: two options with a normal incremental net benefit :math:`\lambda\Delta E - c`,
:math:`\Delta E \sim N(\mu, \sigma^2)`, give :math:`P = \Phi(m / s)` with :math:`m =
\lambda\mu - c`, :math:`s = \lambda\sigma`, and :math:`\text{EVPI} = s\,L(|m|/s)`, where
:math:`L(z) = \phi(z) - z(1 - \Phi(z))` is the unit normal loss integral;
``tests/sensitivity/test_ceac.py`` finds both within Monte Carlo error.

Example
-------
>>> import numpy as np, pandas as pd
>>> gain = np.random.default_rng(0).normal(2.0, 1.0, 4000)       # points of quality of life
>>> effect = pd.DataFrame({"no change": 0.0, "patrol": gain})
>>> c = ceac(effect, cost={"patrol": 100.0}, wtp=[0.0, 40.0, 100.0])
>>> c.curve("patrol").round(2).tolist()      # P(gain > 100 / wtp): 0, Phi(-0.5), Phi(1)
[0.0, 0.31, 0.83]
>>> c.frontier().tolist()                    # break-even at 50 a point
['no change', 'no change', 'patrol']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from copath import plotting
from copath.sensitivity.evppi import _mc_se, scale_value

__all__ = ["CEACResult", "ceac", "default_wtp", "option_costs"]


@dataclass(frozen=True)
class CEACResult:
    """The CEAC and the EVPI over willingness to pay.

    ``table`` has one row per (``wtp``, ``option``): ``expected_nb``, ``p_best`` and its
    Monte Carlo ``p_best_se``, and ``on_frontier`` (the option with the highest expected net
    benefit there). ``evpi`` has one row per ``wtp``: ``evpi``, ``evpi_se``, ``best_option``
    and, with a population, ``population_evpi`` and ``population_se``. ``effect_unit`` and
    ``money_unit`` label the figure; ``unit``, when the effect was priced from table entries,
    is the unit of the net benefit and the EVPI per decision (``"GBP (2024 prices) a year"``),
    also in both tables' ``attrs["unit"]``."""

    table: pd.DataFrame
    evpi: pd.DataFrame
    options: tuple[str, ...]
    n_draws: int
    effect_unit: str = "unit of effect"
    money_unit: str = ""
    population_factor: float | None = None
    unit: str = ""

    def curve(self, option: str) -> pd.Series:
        """P(best) of one option, indexed by willingness to pay.

        Parameters
        ----------
        option
            One of :attr:`options`.

        Returns
        -------
        pandas.Series
        """
        if option not in self.options:
            raise ValueError(f"unknown option {option!r}; the options are: {', '.join(self.options)}")
        part = self.table[self.table["option"] == option]
        return pd.Series(part["p_best"].to_numpy(), index=part["wtp"].to_numpy(), name=option)

    def frontier(self) -> pd.Series:
        """The option with the highest expected net benefit at each willingness to pay.

        Returns
        -------
        pandas.Series
            Indexed by willingness to pay.
        """
        return pd.Series(self.evpi["best_option"].to_numpy(), index=self.evpi["wtp"].to_numpy(), name="best")

    def switches(self) -> list[tuple[float, str, str]]:
        """Where the frontier changes option, between two grid values of willingness to pay.

        Returns
        -------
        list of (float, str, str)
            The first willingness to pay at which the new option is chosen, the option
            before and the option after.
        """
        best = self.frontier()
        return [(float(best.index[i]), best.iloc[i - 1], best.iloc[i]) for i in range(1, len(best))
                if best.iloc[i] != best.iloc[i - 1]]

    @property
    def figure(self) -> Figure:
        """The CEACs (the frontier drawn thick) above the EVPI, against willingness to pay."""
        return plotting.ceac(self.table, self.evpi, self.effect_unit, self.money_unit, value_unit=self.unit)

    def describe(self) -> str:
        """One or two sentences: the option chosen across the range and where it switches;
        the EVPI (with table entries, first at a willingness to pay of 1, the tables' own
        prices, with its SE and population value; the grid's largest EVPI only when it lies
        inside the grid, not at an end); where the chosen option is least certain.

        Returns
        -------
        str
        """
        unit = f"{self.money_unit} " if self.money_unit else ""
        priced = bool(self.unit)

        def money(x: float) -> str:  # pounds as whole pounds, other units as before
            return f"{x:,.0f}" if priced else f"{x:,.4g}"

        total = self.unit.removesuffix(" a year")
        lo, hi = float(self.evpi["wtp"].min()), float(self.evpi["wtp"].max())
        best = self.frontier()
        head = ""
        at_one = self.evpi[np.isclose(self.evpi["wtp"].to_numpy(dtype=float), 1.0)]
        if priced and len(at_one):
            one = at_one.iloc[0]
            head = (f"At the tables' own prices (willingness to pay 1) {one['best_option']!r} has the highest "
                    f"expected net benefit and perfect information is worth {money(one['evpi'])} {self.unit} per "
                    f"decision (SE {money(one['evpi_se'])})")
            if self.population_factor is not None:
                head += f", {money(one['evpi'] * self.population_factor)} {total} over the population and horizon"
            head += ". "
        parts = [f"Between {unit}{lo:,.4g} and {unit}{hi:,.4g} per {self.effect_unit}"]
        if not self.switches():
            parts.append(f" {best.iloc[0]!r} has the highest expected net benefit throughout")
        else:
            parts.append(f" the choice starts at {best.iloc[0]!r}, then "
                         + ", then ".join(f"{after!r} from {unit}{w:,.4g}" for w, _, after in self.switches()))
        text = head + "".join(parts)
        peak = int(self.evpi["evpi"].to_numpy().argmax())
        inside = 0 < peak < len(self.evpi) - 1
        if inside or not head:
            top = self.evpi.iloc[peak]
            worth = f"{money(top['evpi'])} {self.unit}" if priced else f"{top['evpi']:.3g}"
            where = "at" if inside else "at the grid's end,"
            text += (f". Perfect information is worth most, {worth} per decision (SE {money(top['evpi_se'])}), "
                     f"{where} {unit}{top['wtp']:,.4g} per {self.effect_unit}")
            if self.population_factor is not None:
                text += (f" ({money(top['evpi'] * self.population_factor)}{' ' + total if total else ''} over the "
                         "population and horizon)")
            if not inside:
                text += " (the grid does not show its peak)"
        chosen = self.table[self.table["on_frontier"]]
        low = chosen.loc[chosen["p_best"].idxmin()]
        text += (f"; the chosen option is least certain to be best at {unit}{low['wtp']:,.4g} "
                 f"(P = {low['p_best']:.2f}).")
        if priced:
            text += (f" Net benefits in {self.unit}; a willingness to pay of 1 takes the tables' values as they "
                     "are.")
        return text

    def _repr_html_(self) -> str:
        from copath.display import frame_html, paragraphs

        wide = self.table.pivot(index="wtp", columns="option", values="p_best")[list(self.options)]
        wide["EVPI"] = self.evpi.set_index("wtp")["evpi"]
        return paragraphs(self.describe()) + frame_html(wide)


def option_costs(cost: Mapping[str, float] | float | np.ndarray | pd.DataFrame | None,
                 options: Sequence[str], n: int) -> np.ndarray:
    """Each option's cost as draws x options: a number or name -> number (options not named
    cost 0; one number costs every option but the first), or draws x options (uncertain costs).

    Parameters
    ----------
    cost
        The costs.
    options
        The options, in order (the first is the comparator).
    n
        Number of draws.

    Returns
    -------
    numpy.ndarray
        Draws x options.

    Raises
    ------
    ValueError
        For an unknown option name, a wrong shape, or a value that is not finite.

    Example
    -------
    >>> option_costs({"b": 5.0}, ["a", "b"], 2).tolist()
    [[0.0, 5.0], [0.0, 5.0]]
    """
    k = len(options)
    if cost is None:
        out = np.zeros((n, k))
    elif isinstance(cost, Mapping):
        unknown = [name for name in cost if name not in options]
        if unknown:
            raise ValueError(f"cost: unknown option(s) {', '.join(map(str, unknown))} (options: {', '.join(options)})")
        out = np.tile([float(cost.get(o, 0.0)) for o in options], (n, 1))
    elif isinstance(cost, pd.DataFrame):
        missing = [o for o in options if o not in cost.columns]
        if missing:
            raise ValueError(f"cost: no column for option(s) {', '.join(missing)}")
        out = cost[list(options)].to_numpy(dtype=float)
    elif np.ndim(cost) == 0:
        out = np.tile([0.0] + [float(cost)] * (k - 1), (n, 1))
    else:
        out = np.asarray(cost, dtype=float)
    if out.shape != (n, k):
        raise ValueError(f"cost must be one number, name -> number, or {n} draws x {k} options; got shape {out.shape}")
    if not np.isfinite(out).all():
        raise ValueError("cost has NaN or infinite values")
    return out


def default_wtp(effect: np.ndarray, cost: np.ndarray, points: int = 41) -> np.ndarray:
    r"""A willingness-to-pay grid from 0 to twice the largest break-even value
    :math:`\bar C_d / \bar E_d` (relative to the first option) among options whose mean effect
    is positive; 0 to 1 when there is none.

    Parameters
    ----------
    effect, cost
        Draws x options.
    points
        Grid points (at least 2).

    Returns
    -------
    numpy.ndarray

    Example
    -------
    >>> default_wtp(np.array([[0.0, 2.0]]), np.array([[0.0, 100.0]]), points=3).tolist()
    [0.0, 50.0, 100.0]
    """
    d_effect = effect.mean(axis=0)[1:] - effect.mean(axis=0)[0]
    d_cost = cost.mean(axis=0)[1:] - cost.mean(axis=0)[0]
    keep = d_effect > 0
    ratios = d_cost[keep] / d_effect[keep]
    top = 2.0 * float(ratios.max()) if keep.any() and ratios.max() > 0 else 1.0
    return np.linspace(0.0, top, max(int(points), 2))


def ceac(
    effect: pd.DataFrame | np.ndarray,
    cost: Mapping[str, float] | float | np.ndarray | pd.DataFrame | None = None,
    wtp: Sequence[float] | np.ndarray | None = None,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    effect_unit: str = "unit of effect",
    money_unit: str = "",
) -> CEACResult:
    """CEAC, frontier and EVPI of the options over willingness to pay (see the module text).

    Parameters
    ----------
    effect
        Draws x options (at least two), each option's effect in the outcome's unit
        (improvement positive); a DataFrame's columns name the options, an array's are
        ``option_0, option_1, ...``.
    cost
        Each option's cost (:func:`option_costs`): one number (every option but the first),
        name -> number, or draws x options; default none.
    wtp
        Willingness-to-pay values, money per unit of effect, non-negative (default
        :func:`default_wtp`); sorted here.
    per_year, horizon_years, discount_rate
        Optional population of decisions, as in :func:`copath.scale_value`: adds
        ``population_evpi`` and ``population_se``.
    effect_unit, money_unit
        Labels for the figure and the description (e.g. ``"point of quality of life"``,
        ``"GBP"``).

    Returns
    -------
    CEACResult

    Raises
    ------
    ValueError
        For fewer than two options, mismatched shapes, values that are not finite, or a
        negative willingness to pay.

    Example
    -------
    See the module example.
    """
    if isinstance(effect, pd.DataFrame):
        options = tuple(str(c) for c in effect.columns)
        e = effect.to_numpy(dtype=float)
    else:
        e = np.asarray(effect, dtype=float)
        if e.ndim != 2:
            raise ValueError(f"effect must be draws x options; got shape {e.shape}")
        options = tuple(f"option_{j}" for j in range(e.shape[1]))
    if e.ndim != 2 or e.shape[1] < 2:
        raise ValueError("effect needs at least two options (columns) to choose between")
    if len(set(options)) != len(options):
        raise ValueError(f"option names must be distinct; got {list(options)}")
    if not np.isfinite(e).all():
        raise ValueError("effect has NaN or infinite values")
    n = e.shape[0]
    c = option_costs(cost, options, n)
    grid = default_wtp(e, c) if wtp is None else np.sort(np.atleast_1d(np.asarray(wtp, dtype=float)))
    if grid.size == 0 or not np.isfinite(grid).all() or (grid < 0).any():
        raise ValueError(f"wtp must be non-negative finite numbers; got {wtp!r}")
    factor = None if per_year is None else float(scale_value(1.0, per_year, horizon_years, discount_rate))
    rows, evpis = [], []
    for lam in grid:
        nb = lam * e - c
        winner = nb.argmax(axis=1)  # first option on a tie
        p = np.bincount(winner, minlength=len(options)) / n
        means = nb.mean(axis=0)
        best = int(means.argmax())
        for j, name in enumerate(options):
            rows.append({"wtp": float(lam), "option": name, "expected_nb": float(means[j]), "p_best": float(p[j]),
                         "p_best_se": float(np.sqrt(p[j] * (1 - p[j]) / n)), "on_frontier": j == best})
        value = float(nb.max(axis=1).mean() - means.max())
        value = 0.0 if value <= 1e-12 * (np.abs(nb).mean() + 1e-300) else value  # round-off of a sure choice
        row = {"wtp": float(lam), "evpi": value, "evpi_se": _mc_se(nb), "best_option": options[best]}
        if factor is not None:
            row |= {"population_evpi": value * factor, "population_se": row["evpi_se"] * factor}
        evpis.append(row)
    return CEACResult(table=pd.DataFrame(rows), evpi=pd.DataFrame(evpis), options=options, n_draws=n,
                      effect_unit=effect_unit, money_unit=money_unit, population_factor=factor)
