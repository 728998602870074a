r"""The best programme mix under a budget: a grid search over each exposure's allowed changes,
with the posterior's uncertainty about which mix is best.

**The search.** Each exposure :math:`e` has a list of allowed changes :math:`\delta_e` (in
its unit, added to every row the decision covers; 0, no change, is always allowed) and a
cost per unit of change :math:`k_e`, so a mix :math:`m = (\delta_1, \dots, \delta_E)` costs

.. math:: C_m = \sum_e k_e \, \delta_e

(a negative change saves money when :math:`k_e > 0`). Every combination on the grid is
listed in a fixed order; those over the budget (:math:`C_m > B`, up to a rounding tolerance of
:math:`10^{-9}\max(1, |B|)`) are set aside before anything is computed, so the answer never
exceeds the budget; each remaining mix's benefit :math:`V_{m,s}` (the value of its effects on
the valued outcomes, one draw per posterior draw :math:`s`) is computed once, and its net
benefit is :math:`NB_{m,s} = V_{m,s} - C_m`. The mix with the highest posterior mean net
benefit is chosen. A grid is exhaustive on its points (no optimiser can stop at a local
optimum) and needs no randomness, so the result is the same on every run; its cost is one
forward pass per mix within the budget, capped at :data:`MAX_MIXES`. A finer optimum lies
between the grid's points only as far as the net benefit bends between them: refine the
grid around the chosen mix to check.

**Uncertainty.** All mixes are scored on the same posterior draws (common random numbers),
so for each draw the mix with the highest net benefit is well defined; the **probability
that a mix is best** is the share of draws in which it is, among the mixes compared (ties
to the cheaper, earlier one). The chosen mix comes with its net benefit's HDI and
:math:`P(NB > 0)`, the probability it beats no change. The **EVPPI of the decision** per
parameter (:func:`copath.evppi`) is computed on the ``evppi_top`` mixes with the highest
expected net benefit, which carry almost all the probability of being best (the table says
how much they carry); the regression cost grows with each mix added.

Example
-------
Two exposures whose benefit per unit is known on average (3 and 1 a unit) but uncertain:

>>> import numpy as np
>>> draws = np.random.default_rng(0).normal([3.0, 1.0], 0.2, size=(2000, 2))
>>> def benefit(mix):
...     return draws[:, 0] * mix["a"] + draws[:, 1] * mix["b"]
>>> r = best_mix(benefit, {"a": [1, 2], "b": [1, 2, 3]}, unit_cost={"a": 2.0, "b": 0.5}, budget=4.0)
>>> r.best, r.best_cost, round(r.best_expected_nb, 1)   # a costs 2 for 3, b 0.5 for 1: a +1, b +3 (cost 3.5)
('a +1, b +3', 3.5, 2.5)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from copath import plotting
from copath.constants import HDI_PROB
from copath.scenarios.scenario import hdi_1d
from copath.sensitivity.evppi import EVPPIResult, evppi

__all__ = ["MixResult", "best_mix", "mix_grid", "mix_label", "MAX_MIXES", "NO_CHANGE"]

#: The most mixes within the budget a search evaluates (each is a forward pass over the draws).
MAX_MIXES = 2000

NO_CHANGE = "no change"


def mix_label(mix: Mapping[str, float]) -> str:
    """A mix's name: its non-zero changes, e.g. ``"nw_coverage +0.1, patrols +2"``.

    Parameters
    ----------
    mix
        Exposure -> change.

    Returns
    -------
    str
        ``"no change"`` when every change is 0.

    Example
    -------
    >>> mix_label({"a": 0.1, "b": 0.0, "c": -2})
    'a +0.1, c -2'
    """
    parts = [f"{name} {float(change):+g}" for name, change in mix.items() if change != 0]
    return ", ".join(parts) or NO_CHANGE


def _tolerance(budget: float) -> float:
    return 1e-9 * max(1.0, abs(budget))


def mix_grid(changes: Mapping[str, Sequence[float]], unit_cost: Mapping[str, float], budget: float) -> pd.DataFrame:
    """Every combination of the allowed changes, its cost and whether it is within the budget.

    Parameters
    ----------
    changes
        Exposure -> allowed changes (numbers added to it, in its unit); 0 is added if absent.
    unit_cost
        Exposure -> cost of a change of one unit (every exposure in ``changes``).
    budget
        The most a mix may cost.

    Returns
    -------
    pandas.DataFrame
        One row per mix in a fixed order (the first exposure's changes slowest, each list
        sorted): a column per exposure, ``mix`` (:func:`mix_label`), ``cost`` and
        ``within_budget``.

    Raises
    ------
    ValueError
        For no exposures, a change or cost that is not a finite number, an exposure without a
        cost (or a cost without an exposure), or a budget that is not finite.

    Example
    -------
    >>> g = mix_grid({"a": [1, 2]}, {"a": 3.0}, budget=4.0)
    >>> g[["mix", "cost", "within_budget"]].values.tolist()
    [['no change', 0.0, True], ['a +1', 3.0, True], ['a +2', 6.0, False]]
    """
    if not changes:
        raise ValueError("changes: give at least one exposure and its allowed changes, e.g. {'patrols': [1, 2]}")
    if not (isinstance(budget, numbers.Real) and not isinstance(budget, bool) and math.isfinite(budget)):
        raise ValueError(f"budget must be a finite number; got {budget!r}")
    missing = [e for e in changes if e not in unit_cost]
    extra = [e for e in unit_cost if e not in changes]
    if missing or extra:
        raise ValueError("unit_cost must name exactly the exposures in changes: "
                         + "; ".join(filter(None, [f"no cost for {', '.join(missing)}" if missing else "",
                                                   f"no changes for {', '.join(extra)}" if extra else ""])))
    levels = {}
    for name, values in changes.items():
        try:
            steps = sorted({float(v) for v in (*values, 0.0)})
        except (TypeError, ValueError):
            raise ValueError(f"changes[{name!r}] must be numbers (amounts added); got {values!r}") from None
        if not all(math.isfinite(v) for v in steps):
            raise ValueError(f"changes[{name!r}] must be finite numbers; got {values!r}")
        cost = unit_cost[name]
        if not (isinstance(cost, numbers.Real) and not isinstance(cost, bool) and math.isfinite(cost)):
            raise ValueError(f"unit_cost[{name!r}] must be a finite number; got {cost!r}")
        levels[name] = steps
    names = list(levels)
    rows = []
    for combo in itertools.product(*(levels[n] for n in names)):
        mix = dict(zip(names, combo, strict=True))
        cost = math.fsum(float(unit_cost[n]) * v for n, v in mix.items())
        rows.append({**mix, "mix": mix_label(mix), "cost": cost,
                     "within_budget": cost <= budget + _tolerance(budget)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MixResult:
    """The mixes compared, best first, and the chosen one.

    ``table`` (index ``mix``) has a column per exposure, ``cost``, ``expected_nb``,
    ``nb_low`` and ``nb_high`` (the HDI), ``p_best`` (among the mixes compared, same draws) and
    ``p_beats_no_change``. ``excluded`` lists the grid's other mixes and why (``"over budget"``,
    or the reason the benefit could not be computed, e.g. a change outside the exposure's
    range). ``evppi`` is the decision's EVPPI per parameter among the ``evppi_top`` best mixes
    (None without parameters). ``unit``, when the net benefit was priced from table entries,
    names the unit of the costs, the budget and the net benefits (``"GBP (2024 prices) a
    year"``), also in ``table.attrs["unit"]``."""

    table: pd.DataFrame
    excluded: pd.DataFrame
    budget: float
    exposures: tuple[str, ...]
    evppi: EVPPIResult | None
    evppi_mixes: tuple[str, ...]
    prob: float = HDI_PROB
    money_unit: str = ""
    unit: str = ""

    @property
    def best(self) -> str:
        """The chosen mix's name (the highest expected net benefit)."""
        return str(self.table.index[0])

    @property
    def best_changes(self) -> dict[str, float]:
        """The chosen mix as exposure -> change (for ``res.scenario``: add a ``+``)."""
        return {e: float(self.table.iloc[0][e]) for e in self.exposures}

    @property
    def best_cost(self) -> float:
        """The chosen mix's cost."""
        return float(self.table.iloc[0]["cost"])

    @property
    def best_expected_nb(self) -> float:
        """The chosen mix's expected net benefit."""
        return float(self.table.iloc[0]["expected_nb"])

    @property
    def figure(self) -> Figure:
        """The best mixes' net benefits with their intervals, P(best) and cost."""
        return plotting.budget_mixes(self.table.reset_index(), money_unit=self.unit or self.money_unit)

    def describe(self) -> str:
        """Two or three sentences: the chosen mix, how sure, and the link most worth learning.

        Returns
        -------
        str
        """
        unit = f"{self.money_unit} " if self.money_unit else ""

        def money(x: float, digits: int = 4) -> str:  # pounds as whole pounds
            return f"{x:,.0f}" if self.unit else f"{x:,.{digits}g}"

        row = self.table.iloc[0]
        pct = round(100 * self.prob)
        over = int((self.excluded["reason"] == "over budget").sum()) if len(self.excluded) else 0
        text = (f"Of {len(self.table)} mixes within the budget of {unit}{money(self.budget)} ({over} over it left "
                f"out), the best on average is {self.best!r}, costing {unit}{money(row['cost'])}: net benefit "
                f"{unit}{money(row['expected_nb'])} ({pct}% HDI {money(row['nb_low'])} to {money(row['nb_high'])}), "
                f"best of those compared in {100 * row['p_best']:.0f}% of draws and better than no change in "
                f"{100 * row['p_beats_no_change']:.0f}%.")
        if len(self.table) > 1:
            second = self.table.iloc[1]
            text += (f" Next: {self.table.index[1]!r} ({unit}{money(second['expected_nb'])}, "
                     f"P(best) {second['p_best']:.2f}).")
        if self.evppi is not None:
            singles = self.evppi.table[self.evppi.table["kind"] == "parameter"]
            if len(singles) and self.evppi.evpi > 0:
                top = singles["evppi"].idxmax()
                text += (f" Resolving all uncertainty would be worth {unit}{money(self.evppi.evpi, 3)} (EVPI among "
                         f"the {len(self.evppi_mixes)} best mixes); the parameter most worth learning is {top!r} "
                         f"(EVPPI {unit}{money(singles.loc[top, 'evppi'], 3)}).")
        if self.unit:
            text += f" Costs, budget and net benefits in {self.unit}."
        return text

    def _repr_html_(self) -> str:
        from copath.display import frame_html, paragraphs

        return paragraphs(self.describe()) + frame_html(self.table.head(15))


def best_mix(
    benefit: Callable[[Mapping[str, float]], np.ndarray | None],
    changes: Mapping[str, Sequence[float]],
    unit_cost: Mapping[str, float],
    budget: float,
    params: pd.DataFrame | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    prob: float = HDI_PROB,
    evppi_top: int = 4,
    chains: int = 1,
    money_unit: str = "",
) -> MixResult:
    """Search the grid of mixes within ``budget`` for the highest expected net benefit (see
    the module text for the search and its uncertainty).

    Parameters
    ----------
    benefit
        Mix (exposure -> change) -> one value per posterior draw: what its effects are worth,
        before its cost; the all-zero mix must give zeros. Return None when a mix cannot be
        run (it is then excluded, e.g. outside an exposure's range; raise ValueError with a
        reason to have it recorded).
    changes
        Exposure -> allowed changes, numbers added in its unit (0 is always included).
    unit_cost
        Exposure -> cost of one unit of change, in the units of ``benefit``.
    budget
        The most a mix may cost.
    params
        Optional draws x parameters (e.g. link coefficients, same draws) for the EVPPI.
    groups
        Optional named groups of ``params`` columns for a joint EVPPI.
    prob
        HDI probability of the net benefit interval.
    evppi_top
        How many of the best mixes the EVPPI compares (at least 2).
    chains
        MCMC chains the draws are stacked from (chain-major), for the EVPPI's null.
    money_unit
        A label for the description and figure (e.g. ``"GBP"``).

    Returns
    -------
    MixResult

    Raises
    ------
    ValueError
        For a bad grid or budget (:func:`mix_grid`), more than :data:`MAX_MIXES` mixes within
        the budget, a benefit with the wrong length or non-finite values, or none within the
        budget (the budget below the cheapest mix).

    Example
    -------
    See the module example.
    """
    grid = mix_grid(changes, unit_cost, budget)
    exposures = tuple(changes)
    inside = grid[grid["within_budget"]]
    if inside.empty:
        raise ValueError(f"no mix is within the budget {budget:g}: the cheapest costs {grid['cost'].min():g}")
    if len(inside) > MAX_MIXES:
        raise ValueError(f"{len(inside)} mixes are within the budget, more than {MAX_MIXES}: use fewer allowed changes")
    if evppi_top < 2:
        raise ValueError(f"evppi_top must be at least 2; got {evppi_top!r}")
    excluded = [{"mix": r["mix"], "cost": r["cost"], "reason": "over budget"} for _, r in grid.iterrows()
                if not r["within_budget"]]
    columns: dict[str, np.ndarray] = {}
    kept = []
    n = None
    for _, row in inside.iterrows():
        mix = {e: float(row[e]) for e in exposures}
        try:
            draws = benefit(mix)
        except ValueError as err:
            excluded.append({"mix": row["mix"], "cost": row["cost"], "reason": str(err)})
            continue
        if draws is None:
            excluded.append({"mix": row["mix"], "cost": row["cost"], "reason": "could not be run"})
            continue
        draws = np.asarray(draws, dtype=float).ravel()
        if n is None:
            n = draws.size
        if draws.size != n or not np.isfinite(draws).all():
            raise ValueError(f"benefit of {row['mix']!r}: expected {n} finite draws, got {draws.size} values"
                             f"{'' if np.isfinite(draws).all() else ' with NaN or infinite ones'}")
        columns[row["mix"]] = draws - row["cost"]
        kept.append(row)
    if not columns:
        raise ValueError("no mix within the budget could be run: " + "; ".join(
            f"{e['mix']}: {e['reason']}" for e in excluded if e["reason"] != "over budget")[:300])
    nb = pd.DataFrame(columns)
    winners = nb.to_numpy().argmax(axis=1)  # first (cheaper-ordered, grid order) on a tie
    p_best = np.bincount(winners, minlength=nb.shape[1]) / nb.shape[0]
    rows = []
    for j, row in enumerate(kept):
        col = nb.iloc[:, j].to_numpy()
        low, high = hdi_1d(col, prob)
        rows.append({"mix": row["mix"], **{e: float(row[e]) for e in exposures}, "cost": float(row["cost"]),
                     "expected_nb": float(col.mean()), "nb_low": low, "nb_high": high, "p_best": float(p_best[j]),
                     "p_beats_no_change": float((col > 0).mean())})
    table = pd.DataFrame(rows).set_index("mix")
    # highest expected net benefit first; on a tie the cheaper, then the grid's order
    order = sorted(range(len(table)), key=lambda i: (-table["expected_nb"].iloc[i], table["cost"].iloc[i], i))
    table = table.iloc[order]
    top = tuple(table.index[:evppi_top])
    vi = None
    if params is not None and len(top) >= 2:
        vi = evppi(nb[list(top)], params, groups=groups, chains=chains)
    return MixResult(table=table, excluded=pd.DataFrame(excluded, columns=["mix", "cost", "reason"]),
                     budget=float(budget), exposures=exposures, evppi=vi, evppi_mixes=top, prob=prob,
                     money_unit=money_unit)
