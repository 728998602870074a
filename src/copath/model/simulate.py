r"""Simulate local data from a pathway's own structural equations, with known truth.

Exposures are generated per area (a level that persists) plus month-to-month
variation, inside each node's ``range``: shares (range [0, 1]) from a Beta(2, 5)
area level with small monthly noise; indicators (a unit starting "indicator")
switched on in about 30% of areas, some of them part-way through; other ranged
exposures spanning zero (scores) standard normal by area; other ranged exposures
from the lower third of their range; unranged ones standard normal. A categorical exposure
(``levels:``) takes one level per row, each level as likely, in its own column (the 0/1 columns
of its levels are made from it, as :func:`copath.model.data.prepare_data` makes them). The index
and grouping columns are :func:`index_columns`'s: the grouping column holds the areas, the
period column the months, any other index column one id per row.
Offsets are area sizes (about 500-2,000, constant over months; ``residents`` is
2.3 x ``households`` when both are used) and trials (or a share's effective sample size)
are Poisson(40) + 5 per row.

A node observed only as group aggregates (``observed_at``) gets its group columns and its
group figures (:func:`add_group_columns`): a column whose name has ``quarter`` in it groups
the months in threes (``Q1`` = months 1-3, ``Q5`` = months 13-15), one with ``year`` in
twelves (``Y1``, ``Y2``, ...); any other groups the areas in consecutive blocks, about
:math:`\sqrt{\text{areas}}` of them (``borough0``, ``borough1``, ...). A proportion's trials are
then one survey per group, Poisson(100) + 20 respondents on each of its rows, and its
``weight`` column is the areas' sizes (500-2,000). Each group's figure is drawn from the
group-level likelihood with the group dispersion
(:func:`copath.model.aggregate.draw_group_figures`) and written on every row of its group,
as :func:`copath.model.data.prepare_data` expects.

Parameters not given in ``params`` are drawn from the priors: link coefficients from
the evidence priors, intercepts from the intercept priors (the nodes' baselines), the
area sd from its half-normal prior, and so on. The returned ``truth`` holds every
value used, in the layout of :class:`copath.FitResult`'s posterior.

Example
-------
>>> import copath as cp
>>> pw = cp.load_pathway("policing_coproduction")
>>> sim = cp.simulate(pw, areas=5, months=3, random_seed=1)
>>> sim.data.shape[0], "burglary" in sim.data, "nw_coverage -> burglary" in sim.truth["beta"]
(15, True, True)
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence, load_evidence
from copath.kinds import noise_variables
from copath.model.aggregate import draw_group_figures
from copath.model.builder import AREA_SD_SCALE, intercept_prior
from copath.model.equations import linear_predictors, make_plan
from copath.model.time import (
    PERIOD_EFFECTS,
    PERIOD_SD_SCALE,
    SEASON_SD_SCALE,
    TREND_SD_SCALE,
    month_features,
    period_basis,
    time_terms,
)
from copath.model.within import mean_inputs
from copath.spec.pathway import Pathway

__all__ = ["Simulation", "add_group_columns", "check_hidden", "simulate", "draw_params", "exposure_rows", "index_columns"]

def _param_groups() -> tuple[str, ...]:
    return ("beta", "intercept", "area_sd", "season_sd", "trend", "period_sd", *noise_variables())


class Simulation(NamedTuple):
    """Simulated data and the truth behind it (unpacks as ``data, truth``)."""

    data: pd.DataFrame
    truth: dict[str, dict[str, Any]]


def exposure_rows(node, n_areas: int, n_months: int, rng: np.random.Generator) -> np.ndarray:
    """An exposure's simulated values, areas x months (the rule in the module docstring)."""
    lo, hi = node.range if node.range is not None else (None, None)
    if lo is None:
        level = rng.normal(0, 1, n_areas)[:, None]
        return level + rng.normal(0, 0.2, (n_areas, n_months))
    if node.unit.lower().startswith("indicator"):
        on = rng.random(n_areas) < 0.3
        start = rng.integers(0, max(n_months // 2, 1), n_areas)
        grid = (np.arange(n_months)[None, :] >= start[:, None]) & on[:, None]
        return np.where(grid, hi, lo).astype(float)
    if (lo, hi) == (0.0, 1.0):
        level = rng.beta(2, 5, n_areas)[:, None]
        return np.clip(level + rng.normal(0, 0.03, (n_areas, n_months)), 0, 1)
    if lo < 0 < hi:  # a centred score, e.g. a z-score
        level = rng.normal(0, 1, n_areas)[:, None]
        return np.clip(level + rng.normal(0, 0.1, (n_areas, n_months)), lo, hi)
    width = (hi - lo) / 3
    level = lo + rng.random(n_areas)[:, None] * width
    return np.clip(level + rng.normal(0, width / 10, (n_areas, n_months)), lo, hi)


def draw_params(
    pathway: Pathway,
    priors: Mapping[str, LinkPrior],
    rng: np.random.Generator,
    prior_shift: float = 0.0,
    intercept_sd_factor: float = 1.0,
) -> dict[str, dict[str, Any]]:
    """Every parameter from the priors the model builder uses: link coefficients (moved by
    ``prior_shift`` prior sds), intercepts (sd times ``intercept_sd_factor``), area sds,
    seasonal sds, trends and period sds of nodes with ``time`` effects, negative-binomial dispersions
    and residual sds. A noise parameter is keyed by the label the model gives it
    (:meth:`copath.kinds.NodeKind.noise_label`): the node's name, or ``"<node>@<groups>"`` for
    the group-level dispersion of a node observed only as group aggregates.

    Example
    -------
    >>> import numpy as np, copath as cp
    >>> pw = cp.load_pathway("calibration")
    >>> p = draw_params(pw, cp.priors_for(pw, None), np.random.default_rng(0))
    >>> sorted(p["beta"]) == sorted(pw.link_names), sorted(p["sigma"])
    (True, ['wellbeing'])
    """
    out: dict[str, dict[str, Any]] = {g: {} for g in _param_groups()}
    for name, prior in priors.items():
        out["beta"][name] = float(prior.draw(rng, shift=prior_shift))
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        mean, sd = intercept_prior(pathway, name, None)
        out["intercept"][name] = float(rng.normal(mean, sd * intercept_sd_factor))
        if node.area_effects:
            out["area_sd"][name] = float(abs(rng.normal(0, AREA_SD_SCALE * node.node_kind.unit_scale(node))))
        unit = node.node_kind.unit_scale(node)
        if "season" in node.time:
            out["season_sd"][name] = float(abs(rng.normal(0, SEASON_SD_SCALE * unit)))
        if "trend" in node.time:
            out["trend"][name] = float(rng.normal(0, TREND_SD_SCALE * unit))
        if set(node.time) & set(PERIOD_EFFECTS):
            out["period_sd"][name] = float(abs(rng.normal(0, PERIOD_SD_SCALE * unit)))
        noise = node.node_kind.noise(node)
        if noise is not None:
            out[noise.variable][node.node_kind.noise_label(node)] = float(abs(rng.normal(0, noise.scale)))
    return out


def _draw_params(pathway: Pathway, priors: Mapping[str, LinkPrior], rng: np.random.Generator) -> dict[str, dict[str, Any]]:
    # half the intercept prior sd: typical levels near the declared baseline
    return draw_params(pathway, priors, rng, intercept_sd_factor=0.5)


def check_hidden(pathway: Pathway, nodes: Collection[str], argument: str = "hidden") -> None:
    """Refuse nodes a fit cannot leave without data the way a simulation would.

    A fit without a node's data gives it no area effects and passes its expected value
    on (:func:`copath.model.equations.make_plan`); a simulation of a node with area
    effects, or one that passes its observed value on, would not match it.

    Parameters
    ----------
    pathway
        The pathway.
    nodes
        The nodes to leave without data.
    argument
        The argument's name, for the message.

    Raises
    ------
    ValueError
        Naming the unknown nodes, or those with area effects or a passed-on value.

    Example
    -------
    >>> import copath as cp
    >>> check_hidden(cp.load_pathway("calibration_pathway"), ["fear"])
    """
    unknown = sorted(set(nodes) - set(pathway.endogenous))
    if unknown:
        raise ValueError(f"{argument}: {', '.join(unknown)} not an endogenous node of {pathway.name!r}")
    unfit = [n for n in nodes if pathway.nodes[n].area_effects or pathway.nodes[n].node_kind.passes_value
             or pathway.nodes[n].time]
    if unfit:
        raise ValueError(f"{argument}: {', '.join(unfit)} has area or time effects or passes its observed value "
                         "on; without its data the model has none of them, so the simulation and the fit would "
                         "differ")


def simulate(
    pathway: Pathway,
    areas: int = 100,
    months: int = 24,
    params: Mapping[str, Mapping[str, float]] | None = None,
    random_seed: int | None = 0,
    evidence: Evidence | None = None,
    hidden: Collection[str] = (),
    priors: Mapping[str, LinkPrior] | None = None,
    plausible: bool = False,
    step: int = 1,
) -> Simulation:
    """Simulate ``areas`` x ``months`` rows from ``pathway``; return data and truth.

    ``params`` maps a group (``beta``, ``intercept``, ``area_sd``, ``season_sd``, ``trend``,
    ``period_sd``, ``inv_sqrt_phi``, ``sigma``) to ``{name: value}`` (links by their ``"a -> b"`` name); what it leaves
    out is drawn from the priors (``evidence`` defaults to the bundled registry). The
    group-level dispersion of a node observed only as group aggregates is keyed as the model
    labels it, ``"<node>@<group columns>"`` (e.g. ``{"inv_sqrt_phi": {"crime@borough": 0.2}}``).
    ``between`` gives a ``within: true`` link's between-area slope (:mod:`copath.model.within`):
    without it the truth's is the link's ``beta`` (areas' levels unrelated to their mean
    exposure); ``{"beta": {"x -> y": 0.0}, "between": {"x -> y": 0.5}}`` simulates areas whose
    levels rise with their mean ``x`` while ``x`` has no effect within them. The truth holds
    ``between`` for every within link.

    Parameters
    ----------
    pathway
        The pathway whose structural equations generate the data.
    areas
        Number of areas (at least 1; default 100), named ``A0000``, ``A0001``, ...
    months
        Number of rows (periods) per area (at least 1; default 24). With ``step`` 1 they are
        months numbered from 1. The month column is written only when the pathway's
        ``index`` has a second column.
    params
        Parameter values to use instead of prior draws: group -> ``{name: value}``. Keys
        must be link names for ``beta``, the model's labels for the noise parameters (a
        node's name, or ``"<node>@<groups>"``) and endogenous node names for the other groups.
    random_seed
        Seed of every random draw (default 0); None for fresh entropy.
    evidence
        The registry the link priors come from (default: the bundled one).
    hidden
        Nodes a fit will see no data for. Each enters its children centred at its own
        intercept, as :func:`copath.fit` centres a node without data
        (:func:`copath.model.equations.make_plan`), rather than at its baseline; so the
        simulation's parameters are the fit's (used by simulation-based calibration). Their
        columns are still written. Default: none.
    priors
        The link priors to draw coefficients from, by link name (default: the evidence's,
        :func:`copath.priors_for`, where a stated direction is soft). E.g. the priors a fit
        used (``res.priors``), or with every stated direction held
        (``{n: p.held() for n, p in cp.priors_for(pw, ev).items()}``) to draw only worlds on
        the stated sides.
    plausible
        Draw only worlds that could exist: parameters (and the exposures, area effects and
        noise with them; with every parameter given, only those) are redrawn, up to
        :data:`PLAUSIBLE_TRIES` times, until no node puts more than 5% of this world's expected
        values outside its bounds (:attr:`copath.Node.bounds`: a range, a stated
        ``plausible``, or 20 times a count's or proportion's baseline either way; here the
        20 x bound binds, as it does in :func:`copath.prior_check` only with ``strict=True``).
        The truth is then a draw from the priors restricted to such worlds, narrower than the
        priors a fit samples with on the links that move a node most (on the flagship about one
        draw in five is kept: ``benchmarks/results.md``, "Prior predictive check"), so interval
        coverage measured on such data is optimistic for links the data barely inform.
        Default False: one draw, whatever it implies (a seed's data stay the same).
    step
        Months between an area's consecutive rows: 1 (monthly, the default), 3 (quarterly:
        months 3, 6, ...) or 12 (yearly: months 12, 24, ..., each a December, as
        ``"2014-12", "2015-12"`` rows are). Period effects (``time: [period]``) are then one
        per row's period, and a trend's years are the rows' own.

    Returns
    -------
    Simulation
        ``data``: a DataFrame with ``areas`` x ``months`` rows, holding the index
        column(s), every exposure, the offset, trials, group and weight columns the nodes
        use, and every endogenous node (a node with ``observed_at``: its group's figure on
        each row). ``truth``: every parameter group (``beta``,
        ``intercept``, ``area_sd`` and the noise parameters) as ``{name: value}``, plus
        ``area_effect`` (node -> array of one effect per area), ``season`` (node -> its
        twelve monthly effects, January first, summing to zero), ``period`` (node -> one
        effect per period, in time order, in the model's parametrisation: what the intercept,
        trend and season cannot make; :func:`copath.model.time.period_basis`) and ``centres`` (the value
        each node is centred at when it enters its children's equations).

    Raises
    ------
    ValueError
        If ``areas`` or ``months`` is below 1, ``params`` names an unknown group, link or
        node, or ``plausible`` finds no plausible world.
    """
    if areas < 1 or months < 1:
        raise ValueError("areas and months must be at least 1")
    if step < 1:
        raise ValueError(f"step counts months between rows and must be at least 1, got {step}")
    if priors is None:
        priors = priors_for(pathway, load_evidence() if evidence is None else evidence)
    elif set(priors) != set(pathway.link_names):
        raise ValueError("priors: give one prior per link of the pathway, by link name")
    check_hidden(pathway, hidden)
    rng = np.random.default_rng(random_seed)
    worst: tuple[str, float] | None = None
    for _ in range(PLAUSIBLE_TRIES if plausible else 1):
        frame, truth, eta = _simulate_once(pathway, areas, months, params, rng, priors, hidden, step)
        worst = _implausible(pathway, eta) if plausible else None
        if worst is None:
            break
    else:
        raise ValueError(f"simulate: none of {PLAUSIBLE_TRIES} draws from the priors gave a plausible world "
                         f"(the last put {100 * worst[1]:.0f}% of {worst[0]!r}'s expected values outside its "
                         "bounds); copath.prior_check says which links' priors are too wide")
    _warn_outside_range(pathway, frame)
    dummies = [n for n in pathway.exposures if pathway.nodes[n].level is not None]  # the data hold the levels
    return Simulation(pd.DataFrame(frame).drop(columns=dummies), truth)


#: How many parameter draws ``simulate(plausible=True)`` tries before it gives up.
PLAUSIBLE_TRIES = 200

#: The largest share of a node's expected values outside its bounds in a plausible world.
PLAUSIBLE_SHARE = 0.05


def _implausible(pathway: Pathway, eta: Mapping[str, np.ndarray]) -> tuple[str, float] | None:
    """The node whose expected values leave its bounds (:attr:`copath.Node.bounds`, the advisory
    20 x baseline included) most often, with that share, when it exceeds
    :data:`PLAUSIBLE_SHARE`; else None."""
    worst: tuple[str, float] | None = None
    for name, values in eta.items():
        node = pathway.nodes[name]
        bounds = node.bounds
        if bounds is None:
            continue
        natural = node.node_kind.natural(values)
        share = float(np.mean((natural < bounds[0]) | (natural > bounds[1])))
        if share > PLAUSIBLE_SHARE and (worst is None or share > worst[1]):
            worst = (name, share)
    return worst


def _simulate_once(pathway: Pathway, areas: int, months: int, params: Mapping[str, Mapping[str, float]] | None,
                   rng: np.random.Generator, priors: Mapping[str, LinkPrior], hidden: Collection[str],
                   step: int = 1) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """One draw of the parameters and the data: the frame's columns, the truth and every node's
    linear predictor."""
    truth = _draw_params(pathway, priors, rng)
    truth["between"] = {}  # a within link's between-area slope: as its beta unless given (no draw)
    for group, values in (params or {}).items():
        if group not in truth:
            raise ValueError(f"unknown parameter group {group!r}; expected one of "
                             f"{', '.join((*_param_groups(), 'between'))}")
        for key, value in values.items():
            valid = {"beta": pathway.link_names, "between": pathway.within_links}.get(group) or _param_keys(pathway, group)
            if key not in valid:
                what = {"beta": "link", "between": "within link"}.get(group, "node")
                raise ValueError(f"params[{group!r}]: unknown {what} {key!r}" + _label_hint(pathway, group, key)
                                 + (f" (within links: {', '.join(pathway.within_links) or 'none'})"
                                    if group == "between" else ""))
            truth[group][key] = float(value)
    for link in pathway.within_links:
        truth["between"].setdefault(link, truth["beta"][link])

    n = areas * months
    area_ids = np.repeat([f"A{i:04d}" for i in range(areas)], months)
    month_ids = np.tile(np.arange(1, months + 1) * step, areas)
    area_idx = np.repeat(np.arange(areas), months)
    frame = index_columns(pathway, area_ids, month_ids)

    for name in pathway.exposures:
        if pathway.nodes[name].level is None:
            frame[name] = exposure_rows(pathway.nodes[name], areas, months, rng).reshape(n)
    for column, levels in pathway.categorical.items():  # one level per row, each as likely
        frame[column] = np.asarray(levels, dtype=object)[rng.integers(0, len(levels), n)]
        for level in levels[1:]:
            frame[f"{column}[{level}]"] = (frame[column] == level).astype(float)
    columns: dict[str, str] = {}
    for node in pathway.nodes.values():  # the first node to name a column says its role, as in required_columns
        for column, role in node.node_kind.data_columns(node).items():
            columns.setdefault(column, role)
    sizes: dict[str, np.ndarray] = {}
    for column in (c for c, role in columns.items() if role == "offset"):
        sizes[column] = np.repeat(rng.integers(500, 2000, areas), months).astype(float)
    if "households" in sizes and "residents" in sizes:
        sizes["residents"] = np.round(sizes["households"] * 2.3)
    # a share's effective sample size (given_as: share or percent) is drawn as trials are
    for column in (c for c, role in columns.items() if role in ("trials", "sample size") and c not in sizes):
        sizes[column] = (rng.poisson(40, n) + 5).astype(float)
    frame.update(sizes)
    add_group_columns(pathway, frame, areas, months, rng, step=step)

    truth["area_effect"] = {}
    area_terms = {}
    for name in pathway.endogenous:
        if pathway.nodes[name].area_effects:
            effects = rng.normal(0, 1, areas) * truth["area_sd"][name]
            truth["area_effect"][name] = effects
            area_terms[name] = effects[area_idx]
    truth["season"] = {}
    truth["period"] = {}
    if pathway.period_column is not None and any(pathway.nodes[n].time for n in pathway.endogenous):
        features = month_features(month_ids)
        for name in pathway.endogenous:
            time = pathway.nodes[name].time
            season = None
            if "season" in time:
                z = rng.normal(0, 1, 12)
                season = truth["season"][name] = (z - z.mean()) * truth["season_sd"][name]
            trend = truth["trend"][name] if "trend" in time else None
            period = None
            if set(time) & set(PERIOD_EFFECTS):
                basis = period_basis(features, time)
                period = truth["period"][name] = basis @ rng.normal(0, truth["period_sd"][name], basis.shape[1])
            if time:
                term = time_terms(features, season, trend, period=period)
                area_terms[name] = area_terms[name] + term if name in area_terms else term + np.zeros(n)

    plan = make_plan(pathway, {e: float(np.mean(frame[e])) for e in pathway.exposures})
    if hidden:
        plan = dataclasses.replace(plan, centres={**plan.centres, **{n: float("nan") for n in hidden}})
    beta = np.array([truth["beta"][l] for l in plan.link_names])
    intercept = np.array([truth["intercept"][nd] for nd in plan.endogenous])
    observed: dict[str, np.ndarray] = {}

    def noise_value(name: str) -> float | None:
        node = pathway.nodes[name]
        noise = node.node_kind.noise(node)
        return truth[noise.variable][node.node_kind.noise_label(node)] if noise else None

    def value_of(name: str, eta: np.ndarray) -> np.ndarray:  # a node its children see by its value
        y = pathway.nodes[name].node_kind.simulate(pathway.nodes[name], eta, frame, noise_value(name), rng, None)
        observed[name] = y
        return y

    inputs = {e: np.asarray(frame[e]) for e in pathway.exposures}
    inputs.update(mean_inputs(pathway, inputs, area_idx))
    between = np.array([truth["between"][l] for l in plan.between_links])
    eta = linear_predictors(
        plan, inputs, {"intercept": intercept, "beta": beta, "between": between}, area_terms, value_of=value_of,
    )
    for name in plan.endogenous:
        node = pathway.nodes[name]
        if node.observed_at:  # one figure per group, from the group-level likelihood
            frame[name] = _group_figures(node, eta[name], frame, noise_value(name), rng)
            continue
        frame[name] = node.node_kind.simulate(node, eta[name], frame, noise_value(name), rng, observed.get(name))
    truth["centres"] = dict(plan.centres)
    return frame, truth, eta


def index_columns(pathway: Pathway, area_ids: np.ndarray, month_ids: np.ndarray) -> dict[str, Any]:
    """The simulated rows' index and grouping columns: the grouping column
    (:attr:`copath.Pathway.area_column`) holds the simulated areas, the period column the
    months, and any other index column one id per row (without a grouping column the first
    index column holds the areas, as the rows' units).

    Example
    -------
    >>> import numpy as np, copath as cp
    >>> pw = cp.loads_pathway("name: t\\nindex: [id]\\ngroups: school\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: binary, area_effects: true}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> cols = index_columns(pw, np.array(["A0", "A0", "A1"]), np.array([1, 1, 1]))
    >>> list(cols), cols["id"].tolist()
    (['school', 'id'], [1, 2, 3])
    """
    group, period = pathway.area_column, pathway.period_column
    frame: dict[str, Any] = {}
    if group is not None:
        frame[group] = area_ids
    for column in pathway.index:
        if column in frame:
            continue
        if column == period:
            frame[column] = month_ids
        elif group is None and column == pathway.index[0]:
            frame[column] = area_ids
        else:
            frame[column] = np.arange(1, len(area_ids) + 1)
    return frame


def _warn_outside_range(pathway: Pathway, frame: Mapping[str, Any]) -> None:
    """Warn when a simulated continuous outcome leaves its node's ``range``: its equation is normal
    and does not know the range (neither does the model's likelihood), so values past an end come
    from the equation itself; the data are not clipped, which would make them disagree with the model."""
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        if node.range is None or node.kind != "continuous" or name not in frame:
            continue
        values = np.asarray(frame[name], dtype=float)
        outside = float(np.mean((values < node.range[0]) | (values > node.range[1])))
        if outside > 0 and node.link == "logit":  # its mean stays inside: only the normal noise reaches past
            warnings.warn(f"simulate: {100 * outside:.1f}% of the simulated {name!r} values fall outside its range "
                          f"[{node.range[0]:g}, {node.range[1]:g}]; its expected values stay inside (link: logit) "
                          "but its normal noise (sigma) reaches past an end near it", stacklevel=3)
        elif outside > 0:
            warnings.warn(f"simulate: {100 * outside:.1f}% of the simulated {name!r} values fall outside its range "
                          f"[{node.range[0]:g}, {node.range[1]:g}]; its {node.kind} equation does not know the range "
                          "(nor does the model's likelihood), so with these parameters its normal spread reaches past an "
                          "end; give params= (intercept, sigma, beta) that keep it inside if that matters", stacklevel=3)


# ----------------------------------------------------------------- nodes observed as group aggregates
def _param_keys(pathway: Pathway, group: str) -> set[str]:
    """The keys ``params[group]`` may have: the endogenous nodes, except that a group-level
    noise parameter goes by its label (``"<node>@<groups>"``) instead of its node's name."""
    keys = set(pathway.endogenous)
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        noise = node.node_kind.noise(node)
        if noise is not None and noise.variable == group and node.node_kind.noise_label(node) != name:
            keys = (keys - {name}) | {node.node_kind.noise_label(node)}
    return keys


def _label_hint(pathway: Pathway, variable: str, key: str) -> str:
    """Where ``key`` is a node whose ``variable`` is group-level, the label to use instead."""
    node = pathway.nodes.get(key)
    if node is None or not node.observed_at or key not in pathway.endogenous:
        return ""
    return (f"; {key} is observed only as group aggregates, so its {variable} is the group figures' "
            f"dispersion, named {node.node_kind.noise_label(node)!r}")


def _group_label(column: str, areas: int, months: int, step: int = 1) -> np.ndarray:
    """Each row's group in ``column`` (rows area-major, months within; see the module docstring)."""
    month = np.tile(np.arange(months) * step, areas)
    lowered = column.lower()
    if "quarter" in lowered:
        return np.array([f"Q{q + 1}" for q in month // 3], dtype=object)
    if "year" in lowered:
        return np.array([f"Y{y + 1}" for y in month // 12], dtype=object)
    blocks = max(1, int(round(np.sqrt(areas))))
    block = np.repeat(np.arange(areas) * blocks // areas, months)
    return np.array([f"{column}{b}" for b in block], dtype=object)


def add_group_columns(pathway: Pathway, frame: dict[str, Any], areas: int, months: int,
                      rng: np.random.Generator, step: int = 1) -> None:
    """Add what the nodes observed only as group aggregates need to simulated rows, in place.

    For each such node (``observed_at``), in the pathway's order: its group columns (the
    rule in the module docstring), and for a proportion its ``weight`` column (the areas'
    sizes, 500-2,000, over every month) and its ``trials`` (one survey of Poisson(100) + 20
    respondents per group, on each of the group's rows). Columns already there are kept,
    except a proportion's trials, which become the group's. Draws nothing without such a node.

    Parameters
    ----------
    pathway
        The pathway.
    frame
        Column name -> values over ``areas`` x ``months`` rows (area-major); changed in place.
    areas, months
        The rows' layout.
    rng
        The random generator.
    step
        Months between an area's consecutive rows (as :func:`simulate`'s ``step``).

    Raises
    ------
    ValueError
        If two aggregated proportions share a trials column but not their groups.

    Example
    -------
    >>> import numpy as np, copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  p: {kind: proportion, trials: n, observed_at: [borough, quarter]}\\n"
    ...     "links:\\n  - {from: x, to: p}\\noutcomes: [p]\\n")
    >>> frame = {}
    >>> add_group_columns(pw, frame, areas=9, months=6, rng=np.random.default_rng(0))
    >>> sorted(set(frame["borough"])), sorted(set(frame["quarter"])), len(set(frame["n"])) <= 6
    (['borough0', 'borough1', 'borough2'], ['Q1', 'Q2'], True)
    """
    surveys: dict[str, tuple[str, ...]] = {}
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        if not node.observed_at:
            continue
        for column in node.observed_at:
            if column not in frame:
                frame[column] = _group_label(column, areas, months, step)
        if node.kind != "proportion":
            continue
        if node.weight and node.weight not in frame:
            frame[node.weight] = np.repeat(rng.integers(500, 2000, areas), months).astype(float)
        if node.trials in surveys:
            if surveys[node.trials] != node.observed_at:
                raise ValueError(f"simulate: {name} shares its trials column {node.trials!r} with a node observed "
                                 f"at {' x '.join(surveys[node.trials])}, not {' x '.join(node.observed_at)}; "
                                 "give each grouping its own trials column")
            continue
        surveys[node.trials] = node.observed_at
        key = pd.Series(frame[node.observed_at[0]]).astype(str)
        for column in node.observed_at[1:]:
            key = key + " | " + pd.Series(frame[column]).astype(str)
        codes, uniques = pd.factorize(key)
        frame[node.trials] = (rng.poisson(100, len(uniques)) + 20).astype(float)[codes]


def _group_figures(node: Any, eta: np.ndarray, frame: Mapping[str, Any], noise: float | None,
                   rng: np.random.Generator) -> np.ndarray:
    """The node's simulated group figures on every row of their group (:func:`draw_group_figures`)."""
    columns = [c for c in (node.offset, node.trials, node.weight) if c]
    values = {c: np.asarray(frame[c], dtype=float) for c in columns}
    table = pd.DataFrame({c: np.asarray(frame[c]) for c in node.observed_at})
    return draw_group_figures(node, eta, table, values, noise, rng)
