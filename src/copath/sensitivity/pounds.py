r"""Value in pounds a year: a scenario's change in a valued node, priced from a table entry.

``value={"burglary": "home_office_2005:burglary_dwelling"}`` prices a count node's events
(cost per event); ``value={"qol_citizens": "green_book:wellby"}`` prices a 0-10
life-satisfaction node's mean change as WELLBYs, times the population the node describes
(``population={"qol_citizens": 250_000}``, which you state). Every amount is uprated to
``price_year`` by the GDP deflator (:func:`copath.datasets.values.uprate`). For draw
:math:`s`, a scenario's value a year in node :math:`o` is

.. math::

    V_{o,s} = \begin{cases}
      -\,c_o \, \Delta N_{o,s} \cdot 12 / m & \text{per event (a count: fewer events are worth } c_o \text{ each)} \\
      +\,w \, \Delta \bar y_{o,s} \, P_o & \text{per person-year (a WELLBY } w \text{ per point per person per year)}
    \end{cases}

where :math:`\Delta N_{o,s}` is the change in expected events over the scenario's rows,
which span :math:`m` months (:meth:`copath.Scenario.total_difference`),
:math:`\Delta \bar y_{o,s}` the change in the node's mean and :math:`P_o` its population.
A crime cost is a cost whichever way the node's ``better`` points, so a count node valued
per event must not have ``better: higher``, nor a WELLBY node ``better: lower``.

What the figures are: a Home Office unit cost is the average social cost of one crime, all
crimes counted, recorded or not; on a count of recorded crimes it values the recorded crimes
only (and so understates) unless a recorded share is stated
(:func:`copath.datasets.values.per_recorded_crime`). A WELLBY values one point of life
satisfaction (0-10, as the ONS measures it) for one person for one year; a 0-10 node whose
label and unit do not mention life satisfaction is priced with a :class:`WellbyNodeWarning`.
Either way the pounds are average social costs of crime avoided or wellbeing gained, not
cashable savings to a force's budget.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y, whose count ``c`` (better
lower) has monthly rows; a 20-point rise in ``x`` lowers ``c``, a gain:

>>> sc = res.scenario({"x": "+0.2"}, name="more x")
>>> t = pounds_table(res, sc, {"c": "home_office_2005:burglary_dwelling"}, price_year=2024)
>>> t.attrs["unit"], bool(t.loc["c", "gbp_a_year"] > 0), round(t.loc["c", "amount"])
('GBP (2024 prices) a year', True, 5609)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.datasets.values import RECORDED_SHARE_MARK, Pounds, lookup, price_index, uprate
from copath.model.record import FitRecord
from copath.scenarios.scenario import Scenario, hdi_1d

__all__ = ["is_pounds", "resolve", "pounds_a_year", "pounds_table", "unit_words", "money_words", "PricedNode",
           "WellbyNodeWarning"]

_LIFE_SATISFACTION = re.compile(r"life[\s_-]*satisf", re.IGNORECASE)
_WARNED: set[tuple[str, str, str]] = set()


class WellbyNodeWarning(UserWarning):
    """A WELLBY (one point of 0-10 life satisfaction for one person for one year) priced on a
    0-10 node whose label and unit do not mention life satisfaction."""


def _check_wellby_node(node: str, label: str, unit: str) -> None:
    """Warn, once per node, label and unit, when a WELLBY prices a node that may not be life
    satisfaction."""
    if _LIFE_SATISFACTION.search(f"{label} {unit}") or (node, label, unit) in _WARNED:
        return
    _WARNED.add((node, label, unit))
    warnings.warn(WellbyNodeWarning(
        f"value[{node!r}]: a WELLBY values one point of life satisfaction (0-10, as the ONS measures it) for one "
        f"person for one year, but {node} (label {label!r}, unit {unit!r}) does not say it is life satisfaction; "
        "another 0-10 score (trust, confidence, feeling safe) needs converting to life satisfaction first"),
        stacklevel=3)


def is_pounds(value: object) -> bool:
    """Whether ``value`` names a table entry or holds :class:`~copath.datasets.values.Pounds`
    (then every entry must: the net benefit is in pounds a year).

    Parameters
    ----------
    value
        The ``value=`` argument.

    Returns
    -------
    bool
    """
    return isinstance(value, Mapping) and any(isinstance(v, (str, Pounds)) for v in value.values())


@dataclass(frozen=True)
class PricedNode:
    """One valued node: the entry, its amount at the requested price year and its basis."""

    node: str
    entry: str
    amount: float
    basis: str
    source_year: int
    price_year: int
    population: float | None


def unit_words(price_year: int) -> str:
    """The unit of pounds a year at ``price_year`` prices.

    Parameters
    ----------
    price_year
        Calendar year.

    Returns
    -------
    str
        E.g. ``"GBP (2024 prices) a year"``.
    """
    return f"{money_words(price_year)} a year"


def money_words(price_year: int) -> str:
    """The unit of a sum of pounds at ``price_year`` prices (a study's cost, a value over a
    population of decisions and years).

    Parameters
    ----------
    price_year
        Calendar year.

    Returns
    -------
    str
        E.g. ``"GBP (2024 prices)"``.
    """
    return f"GBP ({price_year} prices)"


def resolve(result: FitRecord, value: Mapping[str, str | Pounds], price_year: int | None = None,
            population: Mapping[str, float] | None = None,
            index: Mapping[int, float] | None = None) -> tuple[dict[str, PricedNode], int]:
    """Each valued node's entry, uprated to ``price_year``, checked against the node.

    Parameters
    ----------
    result
        The fitted result.
    value
        Node -> table entry name or :class:`~copath.datasets.values.Pounds`.
    price_year
        The year to uprate to; default the last year of the index.
    population
        Node -> people the node describes (needed for a per person-year entry).
    index
        Year -> price index (default the bundled GDP deflator).

    Returns
    -------
    (dict, int)
        Node -> :class:`PricedNode`, and the price year used.

    Raises
    ------
    ValueError
        A number beside table entries, an unknown node, a count valued per person-year or a
        continuous node per event, a WELLBY on a node that is not 0-10 or whose ``better``
        is ``lower``, a missing population, or a year outside the index.
    """
    pw = result.pathway
    year = int(price_year) if price_year is not None else max(price_index() if index is None else index)
    population = dict(population or {})
    out = {}
    for node, v in value.items():
        if node not in pw.nodes or node in pw.exposures:
            raise ValueError(f"value: unknown outcome node {node!r}")
        if not isinstance(v, (str, Pounds)):
            raise ValueError(f"value[{node!r}] is a number beside table entries: in pounds every entry needs a "
                             "basis and price year; give a table entry or cp.datasets.values.Pounds(amount, "
                             "'per event' or 'per person-year', price_year)")
        p = lookup(v) if isinstance(v, str) else v
        spec = pw.nodes[node]
        kind = spec.kind
        if p.basis == "per event":
            if kind != "count":
                raise ValueError(f"value[{node!r}]: {p.source or 'the amount'} is per event, but {node} is a "
                                 f"{kind} node; a cost per event values a count node")
            if spec.better == "higher":
                raise ValueError(f"value[{node!r}]: a cost per event on a node whose better is 'higher'")
        else:
            if kind != "continuous" or spec.range is None or tuple(spec.range) != (0, 10):
                raise ValueError(f"value[{node!r}]: {p.source or 'the amount'} is per person-year of a 0-10 "
                                 f"life-satisfaction score; {node} is a {kind} node with range {spec.range}")
            if spec.better == "lower":
                raise ValueError(f"value[{node!r}]: a WELLBY on a node whose better is 'lower'")
            _check_wellby_node(node, spec.label or "", spec.unit or "")
            if node not in population or not population[node] > 0:
                raise ValueError(f"population[{node!r}]: state how many people {node} describes (a WELLBY is "
                                 "per person per year)")
        amount = uprate(p.amount, p.price_year, year, index)
        out[node] = PricedNode(node, p.source or "Pounds", amount, p.basis, p.price_year, year,
                               population.get(node) if p.basis == "per person-year" else None)
    extra = set(population) - {node for node, p in out.items() if p.basis == "per person-year"}
    if extra:
        raise ValueError(f"population: {', '.join(sorted(extra))} is not valued per person-year")
    return out, year


def pounds_a_year(scenario: Scenario, priced: PricedNode) -> np.ndarray:
    """Per draw, the scenario's value a year in one priced node (the module formula).

    Parameters
    ----------
    scenario
        A scenario of the result.
    priced
        From :func:`resolve`.

    Returns
    -------
    numpy.ndarray
        Pounds a year at ``priced.price_year`` prices; positive is a gain.

    Raises
    ------
    ValueError
        For a count node without its offset column or a scenario whose rows are not months.
    """
    if priced.basis == "per person-year":
        return priced.amount * scenario.difference(priced.node) * priced.population
    total = scenario.total_difference(priced.node)
    months = scenario.months()
    if total is None or not months:
        raise ValueError(f"value[{priced.node!r}]: pounds a year need the node's expected events and the rows' "
                         "months (an index whose second column is 'month' or YYYY-MM labels, and the node's "
                         "offset column in the data)")
    return -priced.amount * np.asarray(total, dtype=float) * 12.0 / months


def pounds_table(result: FitRecord, scenario: Scenario, value: Mapping[str, str | Pounds],
                 price_year: int | None = None, population: Mapping[str, float] | None = None,
                 price_index: Mapping[int, float] | None = None, prob: float = HDI_PROB) -> pd.DataFrame:
    """The scenario's value a year per valued node, and in total: posterior mean, HDI and
    the probability of a gain.

    Parameters
    ----------
    result
        The fitted result.
    scenario
        A scenario of ``result``.
    value
        Node -> table entry name (``"home_office_2005:burglary_dwelling"``) or
        :class:`~copath.datasets.values.Pounds`.
    price_year
        The year of the prices (default the last year of the index).
    population
        Node -> people, for per person-year (WELLBY) entries.
    price_index
        Year -> price index (default the bundled GDP deflator).
    prob
        HDI probability.

    Returns
    -------
    pandas.DataFrame
        One row per valued node and ``"total"``: ``entry``, ``basis``, ``amount`` (£ per
        unit at the price year), ``population``, ``change_a_year`` (events a year, or the mean's
        change), ``gbp_a_year``, ``hdi_low``, ``hdi_high``, ``p_gain``; ``attrs["unit"]``,
        ``attrs["scenario"]`` and ``attrs["recorded_only"]`` (the nodes priced per event with
        no recorded share stated: their value covers recorded crimes only and so understates;
        see :func:`copath.datasets.values.per_recorded_crime`).
    """
    priced, year = resolve(result, value, price_year, population, price_index)
    rows, total = [], 0.0
    for node, p in priced.items():
        draws = pounds_a_year(scenario, p)
        total = total + draws
        change = (scenario.difference(node) if p.basis == "per person-year"
                  else scenario.total_difference(node) * 12.0 / scenario.months())
        lo, hi = hdi_1d(draws, prob)
        rows.append({"node": node, "entry": p.entry, "basis": p.basis, "amount": p.amount,
                     "population": np.nan if p.population is None else p.population,
                     "change_a_year": float(np.mean(change)),
                     "gbp_a_year": float(np.mean(draws)), "hdi_low": lo, "hdi_high": hi,
                     "p_gain": float(np.mean(draws > 0))})
    lo, hi = hdi_1d(total, prob)
    rows.append({"node": "total", "entry": "", "basis": "", "amount": np.nan, "population": np.nan,
                 "change_a_year": np.nan, "gbp_a_year": float(np.mean(total)), "hdi_low": lo, "hdi_high": hi,
                 "p_gain": float(np.mean(total > 0))})
    table = pd.DataFrame(rows).set_index("node")
    table.attrs["unit"] = unit_words(year)
    table.attrs["scenario"] = scenario.name
    table.attrs["prob"] = prob
    table.attrs["recorded_only"] = [node for node, p in priced.items()
                                    if p.basis == "per event" and RECORDED_SHARE_MARK not in p.entry]
    return table
