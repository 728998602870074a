r"""``res.ceac(...)``, ``res.enbs(...)`` and ``res.best_mix(...)``: a fitted record's scenarios
turned into the inputs of the pure decision maths (:mod:`.ceac`, :mod:`.enbs`, :mod:`.budget`).

The effects are :func:`copath.sensitivity.value.net_benefit`'s: each scenario's change in the
valued outcomes, signed so that improvement is positive and weighted by ``value``, one value
per posterior draw; "no change" is the comparator (no effect, no cost). For the CEAC the
weighted effect is the non-monetised outcome and willingness to pay turns it into money; for
ENBS and the budget search ``value`` is already money per unit of improvement.

``value`` may instead name table entries or hold :class:`~copath.datasets.values.Pounds`
(``{"burglary": "home_office_2005:burglary_dwelling"}``), with ``price_year``, ``population``
and ``price_index`` as :func:`~copath.sensitivity.value.net_benefit` takes them: the effects
are then pounds a year at the price year (:mod:`copath.sensitivity.pounds`), costs and budgets
are in the same unit, and each result's ``unit`` and its tables' ``attrs["unit"]`` say so
(``"GBP (2024 prices) a year"``). The CEAC's willingness to pay is then pounds paid per pound
of priced change (1 takes the tables' values as they are; the default grid runs from 0 to at
least 2 and includes 1).

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one):

>>> from copath.scenarios.scenario import build_scenario
>>> more_x = build_scenario(rec, {"x": "+0.2"}, name="more x")
>>> c = result_ceac(rec, [more_x], value={"y": 1.0}, cost={"more x": 0.05}, wtp=[0.0, 1.0, 10.0])
>>> c.options
('no change', 'more x')
>>> mix = result_best_mix(rec, {"x": [0.1, 0.2]}, unit_cost={"x": 0.5}, budget=0.06, value={"y": 1.0})
>>> mix.table.index.tolist(), mix.excluded["mix"].tolist()          # x +0.2 would cost 0.1
(['no change', 'x +0.1'], ['x +0.2'])
>>> p = result_ceac(rec, [more_x], value={"c": "home_office_2005:burglary_dwelling"}, price_year=2024)
>>> p.unit, p.table.attrs["unit"], 1.0 in p.evpi["wtp"].tolist()
('GBP (2024 prices) a year', 'GBP (2024 prices) a year', True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.datasets.values import Pounds
from copath.model.record import FitRecord
from copath.scenarios.scenario import Scenario, build_scenario
from copath.sensitivity.budget import MixResult, best_mix, mix_label
from copath.sensitivity.ceac import CEACResult, ceac, default_wtp, option_costs
from copath.sensitivity.enbs import ENBSResult, enbs
from copath.sensitivity.evsi import study_se_for
from copath.sensitivity.importance import link_draws
from copath.sensitivity.pounds import is_pounds, resolve, unit_words
from copath.sensitivity.value import _scenarios, _warn_other_paths, check_evsi_request, net_benefit

#: what ``value=`` takes: one number, node -> number, or node -> table entry / Pounds
Value = Mapping[str, float | str | Pounds] | float

__all__ = ["result_ceac", "result_enbs", "result_best_mix", "check_value"]


def check_value(result: FitRecord, value: Value, price_year: int | None = None,
                population: Mapping[str, float] | None = None,
                price_index: Mapping[int, float] | None = None) -> str:
    """Refuse a ``value`` that :func:`~copath.sensitivity.value.net_benefit` would refuse, before
    any scenario is run: a node that is not an endogenous node of the pathway, a number beside
    table entries, an unknown entry or one that does not fit its node, a missing population, a
    year outside the price index, or pricing arguments beside plain numbers.

    Parameters
    ----------
    result
        The fitted result.
    value
        Value of one unit of improvement per node, or one number; or per node a table entry /
        :class:`~copath.datasets.values.Pounds`.
    price_year, population, price_index
        With table entries: as :func:`~copath.sensitivity.value.net_benefit` takes them.

    Returns
    -------
    str
        The unit of the net benefit: ``"GBP (<year> prices) a year"`` with table entries, else ``""``.

    Raises
    ------
    ValueError
        Naming the node, entry or argument.

    Example
    -------
    ``check_value(rec, {"q": 1.0})`` raises ``ValueError: value: unknown outcome node(s) q``.
    """
    if is_pounds(value):
        return unit_words(resolve(result, value, price_year, population, price_index)[1])
    if price_year is not None or population or price_index is not None:
        raise ValueError("price_year, population and price_index apply to table entries in value "
                         "(e.g. 'home_office_2005:burglary_dwelling'); value holds only numbers")
    if isinstance(value, (int, float)):
        return ""
    pw = result.pathway
    unknown = [n for n in value if n not in pw.nodes or n in pw.exposures]
    if unknown:
        raise ValueError(f"value: unknown outcome node(s) {', '.join(unknown)}")
    return ""


def _effect_unit(result: FitRecord, value: Value) -> str:
    if is_pounds(value):
        return "GBP of priced change"
    nodes = list(result.pathway.outcomes) if isinstance(value, (int, float)) else list(value)
    weights = [float(value)] * len(nodes) if isinstance(value, (int, float)) else [float(v) for v in value.values()]
    if len(nodes) == 1 and weights[0] == 1.0:
        unit = result.pathway.nodes[nodes[0]].unit
        return f"{unit} of {nodes[0]}" if unit else f"unit of {nodes[0]}"
    return "weighted unit of effect"


def _label(frames: Sequence[pd.DataFrame], unit: str) -> None:
    for frame in frames:
        frame.attrs["unit"] = unit


def result_ceac(
    result: FitRecord,
    scenarios: Sequence[Scenario],
    value: Value,
    cost: Mapping[str, float] | float | None = None,
    wtp: Sequence[float] | None = None,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    money_unit: str = "",
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> CEACResult:
    """CEAC and EVPI over willingness to pay of the choice between ``scenarios`` and no change.

    Parameters
    ----------
    result
        The fitted result.
    scenarios
        Scenarios of ``result``.
    value
        Weight of one unit of improvement per outcome (or one number for every final
        outcome): the weighted sum is the effect, in "units of effect" (one outcome with
        weight 1: that outcome's unit). Or per node a table entry / Pounds: the effect is then
        the change priced in pounds a year.
    cost
        Cost per scenario in money (or one number for all); no change costs 0. With table
        entries: pounds a year at ``price_year`` prices.
    wtp
        Money per unit of effect to evaluate at (default: 0 to twice the largest break-even;
        with table entries 0 to at least 2, with 1 on the grid).
    per_year, horizon_years, discount_rate
        Optional population of decisions for ``population_evpi`` (:func:`copath.scale_value`).
    money_unit
        A label, e.g. ``"GBP"`` (the default with table entries).
    price_year, population, price_index
        With table entries: as :func:`~copath.sensitivity.value.net_benefit` takes them.

    Returns
    -------
    CEACResult
        ``unit`` (and the tables' ``attrs["unit"]``) names the pounds with table entries.
    """
    chosen = _scenarios(scenarios)
    effect = net_benefit(result, chosen, value, None, price_year=price_year, population=population,
                         price_index=price_index)
    if isinstance(cost, Mapping):
        unknown = [n for n in cost if n not in effect.columns[1:]]
        if unknown:
            raise ValueError(f"cost: unknown scenario(s) {', '.join(map(str, unknown))}")
    unit = effect.attrs["unit"]
    if unit and wtp is None:  # the tables' own prices (1) on the grid, and up to at least twice them
        costs = option_costs(cost, list(effect.columns), len(effect))
        top = max(float(default_wtp(effect.to_numpy(dtype=float), costs)[-1]), 2.0)
        wtp = np.union1d(np.linspace(0.0, top, 41), [1.0])
    out = ceac(effect, cost=cost, wtp=wtp, per_year=per_year, horizon_years=horizon_years,
               discount_rate=discount_rate, effect_unit=_effect_unit(result, value),
               money_unit=money_unit or ("GBP" if unit else ""))
    _label([out.table, out.evpi], unit)
    return dataclasses.replace(out, unit=unit)


def _se_of_size(study_se: Callable[[float], float] | Sequence[float] | None, unit_sd: float | None,
                contrast: float, design_effect: float) -> Callable[[float], float] | Sequence[float]:
    if (study_se is None) == (unit_sd is None):
        raise ValueError("give either study_se (a function of n, or one value per size) or unit_sd (a two-arm "
                         "difference in means, n/2 units per arm)")
    if study_se is not None:
        return study_se
    study_se_for(n_per_arm=1.0, unit_sd=unit_sd, contrast=contrast, design_effect=design_effect)  # checks them
    return lambda n: study_se_for(n_per_arm=n / 2, unit_sd=unit_sd, contrast=contrast, design_effect=design_effect)


def result_enbs(
    result: FitRecord,
    link: str,
    sizes: Sequence[float],
    scenarios: Sequence[Scenario],
    value: Value,
    cost: Mapping[str, float] | float | None = None,
    study_se: Callable[[float], float] | Sequence[float] | None = None,
    unit_sd: float | None = None,
    contrast: float = 1.0,
    design_effect: float = 1.0,
    fixed_cost: float = 0.0,
    cost_per_unit: float = 0.0,
    per_year: float | Sequence[float] = 1.0,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    random_seed: int = 0,
    money_unit: str = "",
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> ENBSResult:
    """ENBS of a study of ``link`` at each size in ``sizes``, and the optimal size, for the choice
    between ``scenarios`` and no change (:func:`copath.sensitivity.enbs.enbs` on
    :func:`~copath.sensitivity.value.net_benefit` and the link's draws).

    Parameters
    ----------
    result
        The fitted result.
    link
        The studied link, e.g. ``"x -> y"``.
    sizes
        Study sizes n to compare (all units, both arms).
    scenarios
        Scenarios of ``result``.
    value
        Money per unit of improvement, per outcome (or one number for every final outcome); or
        per node a table entry / Pounds (pounds a year).
    cost
        Cost per scenario (or one number for all).
    study_se
        The study's standard error as a function of n on the link's scale, or one value per
        size; or instead ``unit_sd``.
    unit_sd
        For a two-arm difference in means with n/2 units per arm: the outcome's sd between
        units (:func:`copath.study_se_for` with ``contrast`` and ``design_effect``).
    contrast, design_effect
        As in :func:`copath.study_se_for`, with ``unit_sd``.
    fixed_cost, cost_per_unit
        The study's set-up cost and its cost per unit of n, in the units of ``value``.
    per_year, horizon_years, discount_rate
        Decisions a year the study informs, for how many years, discounted at this rate.
    random_seed
        Seed of the simulated study results.
    money_unit
        A label, e.g. ``"GBP"`` (the default with table entries).
    price_year, population, price_index
        With table entries: as :func:`~copath.sensitivity.value.net_benefit` takes them.

    Returns
    -------
    ENBSResult
        ``unit`` (and ``table.attrs["unit"]``) names the pounds a year of one decision with
        table entries; the study's costs are then pounds at the same prices.

    Raises
    ------
    ValueError
        For an unknown link, both or neither of ``study_se`` and ``unit_sd``, bad sizes or costs.
    """
    check_evsi_request(result, link, 1.0)
    se_of = _se_of_size(study_se, unit_sd, contrast, design_effect)
    check_value(result, value, price_year, population, price_index)
    _warn_other_paths(result, link)
    chosen = _scenarios(scenarios)
    nb = net_benefit(result, chosen, value, cost, price_year=price_year, population=population,
                     price_index=price_index)
    unit = nb.attrs["unit"]
    theta = link_draws(result)[link]
    out = enbs(nb, theta, sizes, se_of, fixed_cost=fixed_cost, cost_per_unit=cost_per_unit, per_year=per_year,
               horizon_years=horizon_years, discount_rate=discount_rate, rng=random_seed,
               money_unit=money_unit or ("GBP" if unit else ""))
    _label([out.table], unit)
    return dataclasses.replace(out, unit=unit)


def result_best_mix(
    result: FitRecord,
    changes: Mapping[str, Sequence[float]],
    unit_cost: Mapping[str, float],
    budget: float,
    value: Value,
    areas=None,
    period=None,
    prob: float = HDI_PROB,
    evppi_top: int = 4,
    money_unit: str = "",
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> MixResult:
    """The mix of exposure changes within ``budget`` with the highest expected net benefit
    (:func:`copath.sensitivity.budget.best_mix`: a grid search; see its module text), each mix
    run as a scenario on the same posterior draws.

    Parameters
    ----------
    result
        The fitted result.
    changes
        Exposure -> allowed changes, amounts added in its unit (e.g. ``{"nw_coverage": [0.05,
        0.1], "foot_patrol": [1, 2]}``); 0 is always allowed.
    unit_cost
        Exposure -> cost of one unit of change over the areas the decision covers, in the units
        of ``value``.
    budget
        The most a mix may cost.
    value
        Money per unit of improvement, per outcome (or one number for every final outcome); or
        per node a table entry / Pounds: net benefits in pounds a year, and ``unit_cost`` and
        ``budget`` in the same unit.
    areas, period
        The rows the mixes change (as ``res.scenario``; default all).
    prob
        HDI probability of the net benefit interval.
    evppi_top
        How many of the best mixes the decision's EVPPI compares.
    money_unit
        A label, e.g. ``"GBP"`` (the default with table entries).
    price_year, population, price_index
        With table entries: as :func:`~copath.sensitivity.value.net_benefit` takes them.

    Returns
    -------
    MixResult
        ``unit`` (and ``table.attrs["unit"]``, and the EVPPI's ``unit``) names the pounds with
        table entries.

    Raises
    ------
    ValueError
        For a node in ``changes`` that is not an exposure, an unknown valued node, or a bad grid
        or budget.
    """
    pw = result.pathway
    bad = [e for e in changes if e not in pw.nodes or pw.nodes[e].node_kind.endogenous]
    if bad:
        raise ValueError(f"changes: {', '.join(map(str, bad))} not exposure(s) of the pathway "
                         f"(exposures: {', '.join(pw.exposures)})")
    unit = check_value(result, value, price_year, population, price_index)
    priced = {"price_year": price_year, "population": population, "price_index": price_index}
    post = result.posterior
    draws = int(post.sizes["chain"]) * int(post.sizes["draw"])

    def benefit(mix: Mapping[str, float]) -> np.ndarray:
        moved = {e: f"{'+' if c > 0 else '-'}{abs(c)!r}" for e, c in mix.items() if c != 0}
        if not moved:
            return np.zeros(draws)
        sc = build_scenario(result, moved, areas=areas, name=mix_label(mix), period=period)
        return net_benefit(result, [sc], value, None, **priced)[sc.name].to_numpy()

    params: pd.DataFrame = link_draws(result)
    weak = [n for n, p in result.priors.items() if p.weak and n in params.columns]
    # a group of all the links repeats "(all parameters)" (each group costs a Gaussian process per mix)
    groups = {"(weak links)": weak} if weak and len(weak) < params.shape[1] else None
    out = best_mix(benefit, changes, unit_cost, budget, params=params, groups=groups, prob=prob, evppi_top=evppi_top,
                   chains=int(post.sizes["chain"]), money_unit=money_unit or ("GBP" if unit else ""))
    if not unit:
        return out
    _label([out.table, out.excluded], unit)
    evppi = None if out.evppi is None else dataclasses.replace(out.evppi, unit=unit)
    return dataclasses.replace(out, unit=unit, evppi=evppi)
