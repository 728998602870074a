r"""``res.evppi(...)``: which link is worth researching first, for a choice between scenarios;
``res.evsi(...)``: what a study of given size on one link is worth.

The decisions are "no change" and each scenario. For draw :math:`s`, decision
:math:`d` has net benefit

.. math:: NB_{d,s} = \sum_o v_o \, \Delta^{+}_{o,d,s} - c_d,

where :math:`\Delta^{+}_{o,d,s}` is the scenario's effect on final outcome :math:`o`
signed so that improvement is positive (the node's ``better`` direction; a node
without one counts increases as improvements), :math:`v_o` the value of one unit of
improvement (``value``) and :math:`c_d` the scenario's cost (``cost``; "no change"
costs 0 and has no effect). With table entries in ``value``
(``{"burglary": "home_office_2005:burglary_dwelling"}``) the terms are pounds a year at a
price year instead (:mod:`copath.sensitivity.pounds`). The link coefficients are the parameters;
:func:`copath.evppi` then gives each link's EVPPI, in the units of ``value`` and
``cost`` for one decision over the areas the scenarios cover, and :func:`copath.evsi` the
value of a study that would estimate one link's coefficient with a given standard error.

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one):

>>> from copath.scenarios.scenario import build_scenario
>>> more_x = build_scenario(rec, {"x": "+0.2"}, name="more x")
>>> vi = result_evppi(rec, [more_x], value={"y": 1000.0}, cost={"more x": 50.0})
>>> vi.decisions, bool(vi.evpi >= 0), "(weak links)" in vi.table.index
(('no change', 'more x'), True, True)
>>> si = result_evsi(rec, "c -> p", 0.05, [more_x], value={"y": 1000.0}, cost={"more x": 50.0})
>>> si.parameter, bool(si.evsi <= si.evppi + 3 * si.se), bool(si.evppi == vi.table.loc["c -> p", "evppi"])
('c -> p', True, True)
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from itertools import islice

import networkx as nx
import numpy as np
import pandas as pd

from copath.datasets.values import Pounds
from copath.model.record import FitRecord
from copath.scenarios.scenario import Scenario, links_on_paths
from copath.sensitivity.evppi import EVPPIResult, evppi
from copath.sensitivity.evsi import EVSIResult, check_study_se, evsi
from copath.sensitivity.importance import link_draws
from copath.sensitivity.pounds import is_pounds, pounds_a_year, resolve, unit_words

__all__ = ["net_benefit", "result_evppi", "result_evsi", "check_evsi_request", "NO_CHANGE"]

NO_CHANGE = "no change"


def _scenarios(scenarios: Sequence[Scenario]) -> list[Scenario]:
    out = list(scenarios)
    if not out or not all(isinstance(s, Scenario) for s in out):
        raise ValueError("scenarios must be Scenario objects (res.scenario(...))")
    names = [s.name for s in out]
    if len(set(names)) != len(names) or NO_CHANGE in names:
        raise ValueError(f"scenario names must be distinct and not {NO_CHANGE!r}; got {names}")
    return out


def net_benefit(
    result: FitRecord,
    scenarios: Sequence[Scenario],
    value: Mapping[str, float | str | Pounds] | float,
    cost: Mapping[str, float] | float | None = None,
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> pd.DataFrame:
    """Draws x decisions net benefit (see the module formula).

    ``value`` may name intermediate nodes too (e.g. a cost per crime); a valued node upstream
    of another valued node is warned about, because the second's change already carries the
    first's effect through the pathway, so the sum counts it twice. A cost per crime and a
    WELLBY valued together are warned about whether or not they are linked: a unit cost of
    crime includes the victims' harm that life satisfaction carries, so beside a WELLBY only
    the components it does not carry (property, health services, the police and
    criminal-justice response, anticipation) belong, and those are not bundled.

    Named table entries (``{"burglary": "home_office_2005:burglary_dwelling"}``,
    ``{"qol_citizens": "green_book:wellby"}``) or :class:`~copath.datasets.values.Pounds`
    put the net benefit in pounds a year at ``price_year`` prices
    (:mod:`copath.sensitivity.pounds`); ``cost`` is then in the same unit.

    Parameters
    ----------
    result
        The fitted result.
    scenarios
        Scenarios of ``result``.
    value
        Value of one unit of improvement per node (or one number for every final outcome),
        or per node a table entry name / :class:`~copath.datasets.values.Pounds`.
    cost
        Cost per scenario (or one number for all).
    price_year
        With table entries: the year of the prices (default the last year of the GDP deflator).
    population
        With a per person-year entry (a WELLBY): node -> the people it describes.
    price_index
        Year -> price index, instead of the bundled GDP deflator.

    Returns
    -------
    pandas.DataFrame
        Draws x decisions: ``"no change"`` (all zero) and one column per scenario;
        ``attrs["unit"]`` is ``"GBP (<year> prices) a year"`` with table entries, else ``""``,
        and ``attrs["price_year"]`` the year (None without table entries).

    Example
    -------
    ``net_benefit(rec, [more_x], value={"y": 1000.0}).columns.tolist()`` is
    ``["no change", "more x"]`` (see the module example).
    """
    pw = result.pathway
    in_pounds = is_pounds(value)
    if not in_pounds and (price_year is not None or population or price_index is not None):
        raise ValueError("price_year, population and price_index apply to table entries in value "
                         "(e.g. 'home_office_2005:burglary_dwelling'); value holds only numbers")
    values = dict.fromkeys(pw.outcomes, float(value)) if isinstance(value, (int, float)) else dict(value)
    unknown = [n for n in values if n not in pw.nodes or n in pw.exposures]
    if unknown:
        raise ValueError(f"value: unknown outcome node(s) {', '.join(unknown)}")
    priced, year = resolve(result, values, price_year, population, price_index) if in_pounds else ({}, None)
    graph = pw.to_networkx()
    twice = [(a, b) for a in values for b in values if a != b and nx.has_path(graph, a, b)]
    if twice:
        pairs = "; ".join(f"{a} leads to {b}" for a, b in twice)
        warnings.warn(f"value: {pairs}, so the change in the second already carries the first's effect and the net "
                      "benefit counts it twice; value only the downstream node unless the upstream one is worth "
                      "something the downstream one does not carry", stacklevel=3)
    kinds = {p.basis for p in priced.values()}
    if {"per event", "per person-year"} <= kinds:
        crimes = ", ".join(n for n, p in priced.items() if p.basis == "per event")
        wellbys = ", ".join(n for n, p in priced.items() if p.basis == "per person-year")
        warnings.warn(f"value: a cost per crime ({crimes}) and a WELLBY ({wellbys}) are valued together; a crime's "
                      "unit cost includes the harm to its victims, which life satisfaction already carries, so the "
                      "sum counts it twice. Beside a WELLBY add only the cost components life satisfaction does not "
                      "carry (property stolen or damaged, health services, the police and criminal-justice response, "
                      "spending in anticipation of crime); those components are not bundled, so pass them yourself "
                      "as cp.datasets.values.Pounds(amount, 'per event', price_year, 'source')", stacklevel=3)
    if isinstance(cost, Mapping):
        bad = [n for n in cost if n not in {s.name for s in scenarios}]
        if bad:
            raise ValueError(f"cost: unknown scenario(s) {', '.join(bad)}")
    columns = {}
    for sc in scenarios:
        total = 0.0
        for node, v in values.items():
            if in_pounds:
                total = total + pounds_a_year(sc, priced[node])
                continue
            sign = -1.0 if pw.nodes[node].better == "lower" else 1.0
            total = total + v * sign * sc.difference(node)
        c = cost.get(sc.name, 0.0) if isinstance(cost, Mapping) else float(cost or 0.0)
        columns[sc.name] = np.asarray(total, dtype=float) - c
    n = len(next(iter(columns.values())))
    out = pd.DataFrame({NO_CHANGE: np.zeros(n), **columns})
    out.attrs["unit"] = unit_words(year) if in_pounds else ""
    out.attrs["price_year"] = year
    return out


def _on_path_links(result: FitRecord, scenarios: Sequence[Scenario], value: Mapping[str, float] | float) -> set[str]:
    """Links on a directed path from a node some scenario changes to a valued node: the only links
    whose coefficients enter the net benefit."""
    valued = list(result.pathway.outcomes) if isinstance(value, (int, float)) else list(value)
    changed = sorted({n for sc in scenarios for n in sc.changes})
    on = links_on_paths(result, changed)
    return {link for node in valued for link in on.get(node, [])}


def result_evppi(
    result: FitRecord,
    scenarios: Sequence[Scenario],
    value: Mapping[str, float | str | Pounds] | float,
    cost: Mapping[str, float] | float | None = None,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> EVPPIResult:
    """EVPPI of every link coefficient for the choice between ``scenarios`` and no change,
    ranked; the table adds each link's grade and weak flag, and the group of weak links.

    Parameters
    ----------
    result
        The fitted result.
    scenarios
        Scenarios of ``result`` (``res.evppi`` also takes name -> changes and runs them).
    value
        Value of one unit of improvement, per final outcome (or one number for all).
    cost
        Cost per scenario (or one number for all).
    per_year
        Optional: how many such decisions a year the choice applies to (one number, or
        one per year), e.g. forces or areas; adds ``population_evppi`` and
        ``population_se`` (see :func:`copath.scale_value`).
    horizon_years
        Years the information stays useful (with one number ``per_year``; default 1).
    discount_rate
        Annual discount rate for the population values (default 0).
    price_year, population, price_index
        With table entries in ``value``: as :func:`net_benefit` takes them.

    Returns
    -------
    EVPPIResult
        As :func:`copath.evppi` returns (``unit`` says pounds a year with table entries), with ``grade``, ``weak`` and ``on_path`` columns
        (``on_path``: the link lies on a path from a changed node to a valued one, so its
        coefficient enters the net benefit; an off-path link's EVPPI can only come from its
        posterior correlation with on-path links, or from chance), sorted by kind and then
        EVPPI.

    Example
    -------
    See the module example; ``result_evppi(rec, [more_x], value={"y": 1000.0}, per_year=43,
    horizon_years=5, discount_rate=0.035)`` scales to 43 forces a year for five years.
    """
    chosen = _scenarios(scenarios)
    nb = net_benefit(result, chosen, value, cost, price_year=price_year, population=population,
                     price_index=price_index)
    params = link_draws(result)
    weak = [n for n, p in result.priors.items() if p.weak]
    res = evppi(nb, params, groups={"(weak links)": weak} if weak else None, per_year=per_year,
                horizon_years=horizon_years, discount_rate=discount_rate,
                chains=int(result.posterior.sizes["chain"]))
    table = res.table.copy()
    table["grade"] = [result.priors[n].grade or "-" if n in result.priors else "" for n in table.index]
    table["weak"] = [bool(result.priors[n].weak) if n in result.priors else False for n in table.index]
    on = _on_path_links(result, chosen, value)
    table["on_path"] = [n in on if n in result.priors else True for n in table.index]
    table = table.sort_values(["kind", "evppi"], ascending=[False, False])
    return EVPPIResult(table=table, evpi=res.evpi, decisions=res.decisions, best_now=res.best_now,
                       n_draws=res.n_draws, noise_floor=res.noise_floor, evpi_se=res.evpi_se,
                       population_factor=res.population_factor, unit=nb.attrs["unit"])


def check_evsi_request(result: FitRecord, link: str, study_se: float) -> None:
    """Refuse an unknown link or a study standard error that is not positive, before any
    scenario is run.

    Parameters
    ----------
    result
        The fitted result.
    link
        A link coefficient's name, as the columns of
        :func:`~copath.sensitivity.importance.link_draws` name them (``"x -> y"``).
    study_se
        The proposed study's standard error.

    Raises
    ------
    ValueError
        Naming the known links, or saying what ``study_se`` must be.
    """
    known = [str(n) for n in result.posterior["beta"].coords["link"].values]
    if link not in known:
        raise ValueError(f"unknown link {link!r}; the links are: {', '.join(known)}")
    check_study_se(study_se)


def _warn_other_paths(result: FitRecord, link: str) -> None:
    """Warn when a trial of ``link``'s parent would not measure ``link``'s coefficient alone."""
    spec = next(lk for lk in result.pathway.links if lk.name == link)
    graph = result.pathway.to_networkx()
    # the first few indirect paths are enough to name; all of them can be many on a large pathway
    others = list(islice((p for p in nx.all_simple_paths(graph, spec.source, spec.target) if len(p) > 2), 4))
    if others:
        shown = "; ".join(" -> ".join(p) for p in others[:3]) + (" ..." if len(others) > 3 else "")
        warnings.warn(f"{link}: a study that changes {spec.source} and measures {spec.target} estimates the total "
                      f"effect, which also runs through {shown}; this EVSI assumes the study isolates the link's own "
                      "coefficient (e.g. by holding the mediators fixed or measuring them)", stacklevel=3)


def result_evsi(
    result: FitRecord,
    link: str,
    study_se: float,
    scenarios: Sequence[Scenario],
    value: Mapping[str, float | str | Pounds] | float,
    cost: Mapping[str, float] | float | None = None,
    per_year: float | Sequence[float] | None = None,
    horizon_years: int | None = None,
    discount_rate: float = 0.0,
    random_seed: int = 0,
    *,
    price_year: int | None = None,
    population: Mapping[str, float] | None = None,
    price_index: Mapping[int, float] | None = None,
) -> EVSIResult:
    """EVSI of a study estimating ``link``'s coefficient with standard error ``study_se``,
    for the choice between ``scenarios`` and no change (:func:`copath.evsi` on this module's
    net benefit and the link's draws).

    Parameters
    ----------
    result
        The fitted result.
    link
        The studied link, e.g. ``"x -> y"``.
    study_se
        Standard error of the study's estimate of the coefficient, on the link's scale
        (a log rate ratio for a log-link child) per unit of the parent; see
        :func:`copath.sensitivity.evsi.study_se_for`.
    scenarios
        Scenarios of ``result``.
    value
        Value of one unit of improvement, per final outcome (or one number for all).
    cost
        Cost per scenario (or one number for all).
    per_year
        Optional decisions per year (one number, or one per year) for the population value.
    horizon_years
        Years the information stays useful (with one number ``per_year``; default 1).
    discount_rate
        Annual discount rate for the population value (default 0).
    random_seed
        Seed of the simulated study results, the standard error and the null.
    price_year, population, price_index
        With table entries in ``value``: as :func:`net_benefit` takes them.

    Returns
    -------
    EVSIResult
        With the link's EVPPI on the same draws (equal to its row in :func:`result_evppi`);
        ``unit`` says pounds a year with table entries.
    """
    check_evsi_request(result, link, study_se)
    _warn_other_paths(result, link)
    chosen = _scenarios(scenarios)
    nb = net_benefit(result, chosen, value, cost, price_year=price_year, population=population,
                     price_index=price_index)
    theta = link_draws(result)[link]
    res = evsi(nb, theta, study_se, per_year=per_year, horizon_years=horizon_years, discount_rate=discount_rate,
               chains=int(result.posterior.sizes["chain"]), rng=random_seed)
    return dataclasses.replace(res, unit=nb.attrs["unit"])
