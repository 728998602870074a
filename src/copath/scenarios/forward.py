r"""Vectorised forward pass of the structural equations over posterior draws.

For every posterior draw and every row of the local data, the pathway's equations
(:mod:`copath.model.equations`) give each node's expected value. A do-intervention
replaces exposure values (or a mediator's expected value) and recomputes everything
downstream; a continuous node that feeds its children keeps its observed residual
(its input becomes observed + change in expectation), as in an abduction step.

Each node is summarised per draw by the mean over the chosen rows of its expected
value on the natural scale: a rate per ``per`` for counts, a share for proportions,
the mean for continuous nodes. The mean is weighted by each row's denominator where the
node has one (:attr:`Forward.weights`): a count's offset, a proportion's trials. So a
count's mean is its total expected events over the total offset (the area-wide rate, as
"4.32 burglaries per 1,000 households" is computed from the force's totals), not an
unweighted mean of area rates; a proportion's is expected successes over trials; a row
with 0 trials does not count. Without the denominator column (a node without data), and
for continuous nodes, rows weigh the same. Draws are processed in chunks so memory stays
small.

A link identified within areas (``within: true``; :mod:`copath.model.within`) enters its child
as :math:`\beta(x - \bar x_a) + \gamma(\bar x_a - c)`. Here the area means :math:`\bar x_a`
stay at the data's when an intervention changes ``x``: they stand for what differs between
areas, which a change of ``x`` does not change, so a scenario or path effect moves the child by
the within-area effect :math:`\beta` alone. (Moving the area means with ``x`` would act through
:math:`\gamma`, the between-area slope, and bring back the confounding ``within: true`` is
there to remove.)

:func:`forward_of` builds it once per fitted record (scenarios, path effects, the
sensitivity analysis and the report share it).

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> fw = forward_of(rec)
>>> base, same = fw.node_means({}, {})
>>> fw is forward_of(rec), sorted(base) == sorted(rec.pathway.endogenous)
(True, True)
"""

from __future__ import annotations

import copy
import dataclasses
import os
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from copath.model.data import prepare_data
from copath.model.equations import linear_predictors, make_plan
from copath.model.record import FitRecord
from copath.model.time import month_features, time_terms
from copath.model.within import BETWEEN, LINK_WITHIN, area_mean_name, mean_inputs
from copath.scenarios.changes import Change

__all__ = ["Forward", "forward_of", "held_area_means"]

_FORWARDS: weakref.WeakKeyDictionary[FitRecord, Forward] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def held_area_means(pathway, links) -> str:
    """The assumption a scenario or path effect makes on a ``within: true`` link among ``links``
    (module docstring): one sentence naming them, or ``""`` when none is among them.

    Parameters
    ----------
    pathway
        The pathway.
    links
        Link names (those on the paths the contrast moves along).

    Returns
    -------
    str

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: count, area_effects: true}\\n"
    ...                       "links:\\n  - {from: x, to: y, within: true}\\noutcomes: [y]\\n")
    >>> held_area_means(pw, ["x -> y"])[:60]
    'Within-area link(s) on the path (x -> y): the change moves x'
    >>> held_area_means(pw, [])
    ''
    """
    within = [name for name in pathway.within_links if name in set(links)]
    if not within:
        return ""
    parents = ", ".join(dict.fromkeys(name.split(" -> ")[0] for name in within))
    return (f"Within-area link(s) on the path ({', '.join(within)}): the change moves {parents} and holds each "
            f"area's mean of {parents} at the data's, so it acts through the within-area effect alone; the "
            "between-area slope, which carries the areas' other differences, does not move with it "
            "(copath.model.within).")


def forward_of(record: FitRecord) -> Forward:
    """The :class:`Forward` of ``record``, built on first use and kept as long as the record
    lives (a weak-keyed cache: the Forward holds no reference back to the record)."""
    with _LOCK:  # threads sharing a record (a Dask worker's threads) build it once
        found = _FORWARDS.get(record)
        if found is None:
            found = _FORWARDS[record] = Forward(record)
        return found


@dataclass
class _Draws:
    beta: np.ndarray  # (S, L)
    intercept: np.ndarray  # (S, K)
    area: dict[str, np.ndarray]  # node -> (S, n_areas)
    season: dict[str, np.ndarray]  # node -> (S, 12)
    trend: dict[str, np.ndarray]  # node -> (S,)
    period: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # node -> (S, P)
    between: np.ndarray | None = None  # (S, W): the within links' between-area slopes


class Forward:
    """The fitted pathway as a function of interventions, over posterior draws."""

    def __init__(self, result: FitRecord, max_draws: int | None = None, chunk_elements: int = 2_000_000,
                 cache_bytes: int = 2_000_000_000) -> None:
        self.pathway = result.pathway  # no reference to the record: forward_of keeps one per record
        self.prepared = prepare_data(self.pathway, result.data)
        self.plan = dataclasses.replace(make_plan(self.pathway, self.prepared.exposure_centres),
                                        centres=result.centres())  # the fit's own centring
        self.graph = self.pathway.to_networkx()
        post = result.posterior
        stacked = post.stack(sample=("chain", "draw"))
        n = stacked.sizes["sample"]
        take = np.arange(n) if not max_draws or n <= max_draws else np.linspace(0, n - 1, max_draws).astype(int)
        beta = stacked["beta"].transpose("sample", "link").values[take]
        intercept = stacked["intercept"].transpose("sample", "node").values[take]
        area = {}
        if "area_effect" in post:
            u = stacked["area_effect"].transpose("sample", "area_node", "area").values[take]
            for k, name in enumerate(post["area_effect"].coords["area_node"].values):
                area[str(name)] = u[:, k, :]
        elif "area_sd" in post:  # results saved before area effects could be centred
            sd = stacked["area_sd"].transpose("sample", "area_node").values[take]
            z = stacked["area_z"].transpose("sample", "area_node", "area").values[take]
            for k, name in enumerate(post["area_sd"].coords["area_node"].values):
                area[str(name)] = sd[:, k, None] * z[:, k, :]
        season = ({str(n): stacked["season"].sel(season_node=n).transpose("sample", "month_of_year").values[take]
                   for n in post["season"].coords["season_node"].values} if "season" in post else {})
        trend = ({str(n): stacked["trend"].sel(trend_node=n).values[take]
                  for n in post["trend"].coords["trend_node"].values} if "trend" in post else {})
        period = ({str(n): stacked["period_effect"].sel(period_node=n).transpose("sample", "period").values[take]
                   for n in post["period_effect"].coords["period_node"].values} if "period_effect" in post else {})
        between = (stacked[BETWEEN].transpose("sample", LINK_WITHIN).sel({LINK_WITHIN: list(self.plan.between_links)})
                   .values[take] if self.plan.between_links else None)
        self.draws = _Draws(beta, intercept, area, season, trend, period, between)
        #: every within link's parent's area mean on each row (the data's; held under interventions)
        self.area_means = mean_inputs(self.pathway, self.prepared.values, self.prepared.area_index)
        self.n_draws = beta.shape[0]
        #: node -> each row's size (offset / per for a count, 1 without an offset; trials for a
        #: proportion), or None (a continuous node, a survey share, or the size column is not in the data)
        self.sizes: dict[str, np.ndarray | None] = {}
        #: node -> each row's weight in its mean, or None: equal weights
        self.weights: dict[str, np.ndarray | None] = {}
        #: node -> the column its mean is weighted by ("" for equal weights)
        self.weighted_by: dict[str, str] = {}
        for m in self.plan.endogenous:
            self.sizes[m], self.weights[m], self.weighted_by[m] = self._weighting(m)
        #: continuous nodes with a declared range: their expected values are clipped to it
        self.ranges: dict[str, tuple[float, float]] = {
            m: self.pathway.nodes[m].range for m in self.plan.endogenous
            if self.plan.kinds[m].identity_link and self.pathway.nodes[m].range is not None}
        #: continuous nodes with a nonlinear mean (``link: logit``): a change of their linear
        #: predictor reaches their children as the change of their natural value
        self.bends: set[str] = {m for m in self.plan.endogenous
                                if self.plan.kinds[m].passes_value and not self.plan.kinds[m].identity_link}
        self.chunk_elements = chunk_elements
        self.cache_bytes = cache_bytes
        self._cache: tuple | None = None

    def _weighting(self, name: str) -> tuple[np.ndarray | None, np.ndarray | None, str]:
        """Node ``name``'s row sizes (for totals), row weights (for its mean) and the weights'
        column. A survey share (given as a share, or observed at a coarser level) has no
        totals, since respondents or an effective sample size are no population; its rows
        weigh as its ``weight`` column says (equal weights without one). Other nodes weigh
        by their size (equal weights when every row's is the same)."""
        node = self.pathway.nodes[name]
        if node.kind == "proportion" and (node.observed_at or node.given_as != "count"):
            column = node.weight if node.observed_at else None
            return None, (self.prepared.values[column] if column else None), column or ""
        sizes = self._node_sizes(name)
        if sizes is None or np.all(sizes == sizes[0]):
            return sizes, None, ""
        return sizes, sizes, next(iter(node.node_kind.data_columns(node)), "")

    def _node_sizes(self, name: str) -> np.ndarray | None:
        node = self.pathway.nodes[name]
        kind = node.node_kind
        if kind.passes_value or any(c not in self.prepared.values for c in kind.data_columns(node)):
            return None  # a continuous node's mean has no denominator
        n = self.prepared.n_rows
        return np.broadcast_to(np.asarray(kind.size(node, self.prepared.values, np.arange(n)), dtype=float),
                               (n,)).copy()

    def average(self, name: str, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per draw, node ``name``'s mean of ``values`` (draws x ``rows``) over the rows,
        weighted by :attr:`weights` (equal weights where it is None or sums to 0 on ``rows``).

        Parameters
        ----------
        name
            An endogenous node.
        values
            Its expected values, one per draw and row of ``rows``.
        rows
            The data rows the columns of ``values`` are.

        Returns
        -------
        numpy.ndarray
            One mean per draw (float64).
        """
        w = self.weights.get(name)
        total = 0.0 if w is None else float(w[rows].sum())
        if total <= 0:
            return values.mean(axis=-1, dtype=np.float64)
        return (values.astype(np.float64, copy=False) @ w[rows]) / total

    def denominator(self, name: str, rows: np.ndarray) -> float | None:
        """The summed sizes of node ``name`` over ``rows`` (offset / per, or trials): its mean
        times this is its expected total over the rows (events, successes). None for a
        continuous node or when the size column is not in the data.

        Parameters
        ----------
        name
            An endogenous node.
        rows
            Data rows.

        Returns
        -------
        float or None
        """
        s = self.sizes.get(name)
        return None if s is None else float(s[rows].sum())

    def with_links_fixed(self, links: list[str]) -> Forward:
        """A copy in which each named link's coefficient is its posterior mean in every draw
        (every other draw unchanged): what the pathway would give if those links were known.

        Parameters
        ----------
        links
            Link names.

        Returns
        -------
        Forward
        """
        out = copy.copy(self)
        beta = self.draws.beta.copy()
        for name in links:
            k = self.plan.link_names.index(name)
            beta[:, k] = beta[:, k].mean()
        out.draws = dataclasses.replace(self.draws, beta=beta)
        out._cache = None
        return out

    # ------------------------------------------------------------------ rows
    def rows_for(self, areas, period=None) -> np.ndarray:
        """Row positions of the given areas (all when ``areas`` is None) in the given period.

        Parameters
        ----------
        areas
            An area or a list of areas; None for every area.
        period
            The months: a whole number n (the data's last n periods: months, quarters or
            years as the rows are) or a list of month labels as in the data's month column;
            None for every month.

        Returns
        -------
        numpy.ndarray
            Row positions, ascending.

        Raises
        ------
        ValueError
            For an unknown area or month, or a period of fewer than 1 or more periods than
            the data have.
        """
        keep = np.ones(self.prepared.n_rows, dtype=bool)
        if areas is not None:
            wanted = {str(a) for a in ([areas] if isinstance(areas, (str, int)) else areas)}
            known = {str(a) for a in self.prepared.areas}
            unknown = sorted(wanted - known)
            if unknown:
                raise ValueError(f"unknown {self.pathway.unit_column} value(s): {', '.join(unknown[:5])}")
            col = self.prepared.frame[self.pathway.unit_column].astype(str).to_numpy()
            keep &= np.isin(col, list(wanted))
        if period is not None:
            keep &= np.isin(self.prepared.frame[self.pathway.period_column].astype(str).to_numpy(),
                            self.months_of(period))
        return np.flatnonzero(keep)

    def months_of(self, period) -> list[str]:
        """The month labels of ``period`` (see :meth:`rows_for`), as text, in the data's order.

        Parameters
        ----------
        period
            A whole number n (the last n periods of the rows: months, quarters or years) or a
            list of month labels.

        Returns
        -------
        list[str]
        """
        if self.pathway.period_column is None:
            raise ValueError(f"a period needs a period column, and the spec's index ({', '.join(self.pathway.index)}) "
                             "has no second column")
        column = self.prepared.frame[self.pathway.period_column]
        months = [str(m) for m in _in_time_order(column.unique())]
        if isinstance(period, (int, np.integer)) and not isinstance(period, bool):
            if period < 1:
                raise ValueError(f"period must be at least 1 period, got {period}")
            if period > len(months):
                try:
                    step = month_features(pd.Series(column.unique())).step
                except ValueError:
                    step = 0  # labels that are not months
                unit = {1: "months", 3: "quarters", 12: "years"}.get(step, "periods")
                raise ValueError(f"period {period} counts the rows' own periods, and the data have "
                                 f"{len(months)} {unit} ({months[0]} to {months[-1]}); give at most {len(months)}")
            return months[-int(period):]
        wanted = [str(m) for m in ([period] if isinstance(period, str) else period)]
        unknown = [m for m in wanted if m not in months]
        if unknown:
            raise ValueError(f"unknown month(s) {', '.join(unknown[:5])}; the data run from {months[0]} to {months[-1]}")
        return [m for m in months if m in wanted]

    # --------------------------------------------------------------- forward
    def baseline_eta_chunks(self, target: str | None):
        """Yield ``(draw slice, eta)`` of ``target``'s baseline linear predictor (draws x rows),
        or with ``target`` None of every endogenous node's (a dict)."""
        for sl, eta in self._eta_chunks(np.arange(self.prepared.n_rows)):
            yield sl, eta if target is None else eta[target]

    def input_means(self) -> dict[str, np.ndarray]:
        """Each node's input to its children at every data row, averaged over the draws.

        An exposure's input is its value; an observed continuous node's, its observed value
        (its expected value where missing); a continuous node without data, its expected
        value; any other node's, the posterior mean of its linear predictor (the log rate or
        logit its children see).

        Returns
        -------
        dict[str, numpy.ndarray]
            Node -> one value per data row.

        Example
        -------
        ``rec`` is a fitted record of the toy chain x -> c -> p -> y:

        >>> inputs = forward_of(rec).input_means()
        >>> sorted(inputs), inputs["c"].shape == (len(rec.data),)
        (['c', 'p', 'x', 'y'], True)
        """
        rows = np.arange(self.prepared.n_rows)
        totals = {m: np.zeros(len(rows)) for m in self.plan.endogenous}
        for _, eta in self._eta_chunks(rows):
            for m in totals:
                totals[m] += (self.plan.kinds[m].natural(eta[m]) if m in self.bends else eta[m]).sum(axis=0)
        out = {e: np.asarray(self.prepared.values[e], dtype=float) for e in self.pathway.exposures}
        observed = self._observed(rows)
        for m, total in totals.items():
            mean = total / max(self.n_draws, 1)
            y = observed.get(m)
            out[m] = mean if y is None else np.where(np.isnan(y), mean, y)
        return out

    def _baseline(self, rows: np.ndarray):
        """Baseline node means per draw and, when it fits in ``cache_bytes``, every node's
        baseline linear predictor (draws x rows), kept for the next scenario."""
        key = hash(rows.tobytes())
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        n = len(rows)
        keep_all = self.n_draws * n * len(self.plan.endogenous) * 4 <= self.cache_bytes
        # kept in float32: scenarios read it once per affected node, so half the bytes is
        # about half the time; means stay float64 (relative error ~1e-7)
        eta_full = ({m: np.empty((self.n_draws, n), dtype=np.float32) for m in self.plan.endogenous}
                    if keep_all else None)
        means = {m: np.empty(self.n_draws) for m in self.plan.endogenous}
        outside = dict.fromkeys(self.ranges, 0)
        for sl, eta in self._eta_chunks(rows):
            for m in self.plan.endogenous:
                means[m][sl] = self.average(m, self.natural(m, eta[m]), rows)
                if m in self.ranges:
                    lo, hi = self.ranges[m]
                    outside[m] += int(np.count_nonzero((eta[m] < lo) | (eta[m] > hi)))
                if eta_full is not None:
                    eta_full[m][sl] = eta[m]
        self._cache = (key, means, eta_full)
        self._outside = (key, {m: c / max(self.n_draws * n, 1) for m, c in outside.items()})
        return means, eta_full

    def natural(self, name: str, eta: np.ndarray) -> np.ndarray:
        """Node ``name``'s expected value on its natural scale; a continuous node with a
        declared ``range`` is clipped to it (its linear equation knows no bounds, and an
        expected value cannot leave the scale: :meth:`outside_share` says how often it did at
        baseline). Clipping shrinks a difference near a bound, and only the node's own means
        are clipped: its children still see the change of its linear predictor.

        Parameters
        ----------
        name
            An endogenous node.
        eta
            Its linear predictor (any shape).

        Returns
        -------
        numpy.ndarray
        """
        value = self.plan.kinds[name].natural(eta)
        if name in self.ranges:
            lo, hi = self.ranges[name]
            value = np.clip(value, lo, hi)
        return value

    def outside_share(self, name: str, rows: np.ndarray) -> float:
        """The share of (draw, row) baseline expected values of a ranged continuous node that
        its linear equation put outside its ``range`` (clipped by :meth:`natural`); NaN for
        other nodes.

        Parameters
        ----------
        name
            An endogenous node.
        rows
            Data rows.

        Returns
        -------
        float
        """
        if name not in self.ranges:
            return float("nan")
        self._baseline(rows)
        return float(self._outside[1][name])

    def value_change(self, name: str, eta0: np.ndarray, d: np.ndarray | float) -> np.ndarray | float:
        """The change of node ``name``'s input to its children when its linear predictor
        moves from ``eta0`` by ``d``: ``d`` itself, except for a continuous node with a
        nonlinear mean (:attr:`bends`), whose children see its value: its residual held,
        that moves by ``natural(eta0 + d) - natural(eta0)``.

        Parameters
        ----------
        name
            An endogenous node.
        eta0
            Its baseline linear predictor (draws x rows).
        d
            The change of its linear predictor.

        Returns
        -------
        numpy.ndarray or float
        """
        if name not in self.bends:
            return d
        kind = self.plan.kinds[name]
        return kind.natural(eta0 + d) - kind.natural(eta0)

    def _observed(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        kinds = self.plan.kinds
        return {m: self.prepared.values[m][rows] for m in self.plan.endogenous
                if kinds[m].passes_value and m in self.prepared.values}

    def _eta_chunks(self, rows: np.ndarray):
        """Yield ``(draw slice, {node: baseline eta (draws x rows)})``."""
        observed = self._observed(rows)

        def value_of(name: str, eta: np.ndarray) -> np.ndarray:
            mean = self.plan.kinds[name].natural(eta)  # eta itself with an identity link
            y = observed.get(name)
            return mean if y is None else np.where(np.isnan(y), mean, y)

        x = {e: self.prepared.values[e][rows] for e in self.pathway.exposures}
        x.update({k: v[rows] for k, v in self.area_means.items()})
        area_idx = self.prepared.area_index[rows]
        step = max(1, self.chunk_elements // max(len(rows), 1))
        for start in range(0, self.n_draws, step):
            sl = slice(start, start + step)
            params = {"intercept": self.draws.intercept[sl], "beta": self.draws.beta[sl]}
            if self.draws.between is not None:
                params["between"] = self.draws.between[sl]
            area_terms = {m: a[sl][:, area_idx] for m, a in self.draws.area.items()}
            for m in set(self.draws.season) | set(self.draws.trend) | set(self.draws.period):
                season, trend, period = self.draws.season.get(m), self.draws.trend.get(m), self.draws.period.get(m)
                term = time_terms(self.prepared.time, None if season is None else season[sl],
                                  None if trend is None else trend[sl], rows,
                                  period=None if period is None else period[sl])
                area_terms[m] = area_terms[m] + term if m in area_terms else term
            yield sl, linear_predictors(self.plan, x, params, area_terms, value_of=value_of)

    def node_means(
        self,
        exposures: Mapping[str, np.ndarray],
        do_nodes: Mapping[str, Change],
        rows: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per draw, the mean over ``rows`` of every endogenous node's expected value,
        at baseline and under the intervention: ``(baseline, scenario)``.

        ``exposures`` replaces exposure columns (full-length arrays); ``do_nodes``
        sets endogenous nodes (a :class:`Change` of their expected value).

        The equations are linear on the link scale, so the scenario only needs the
        *change* of each downstream node's linear predictor,
        :math:`\\Delta\\eta_v = \\sum_p \\beta_{p \\to v} \\Delta x_p`, added to the cached
        baseline; a do-intervened node's change is set directly (its parents are cut). A
        continuous parent with ``link: logit`` passes on the change of its natural value,
        :math:`\\Delta x_p = g(\\eta_p + \\Delta\\eta_p) - g(\\eta_p)` (:meth:`value_change`).
        """
        rows = np.arange(self.prepared.n_rows) if rows is None else rows
        kinds = self.plan.kinds
        means0, eta_full = self._baseline(rows)
        dx = {e: np.asarray(v)[rows] - self.prepared.values[e][rows] for e, v in exposures.items()}
        affected: set[str] = set()
        for node in list(dx) + list(do_nodes):
            affected |= nx.descendants(self.graph, node) | ({node} if node in do_nodes else set())
        out1 = {m: means0[m].copy() for m in self.plan.endogenous}
        if not affected:
            return means0, out1
        if not do_nodes and not any(m in affected and any(self.graph.successors(m)) for m in self.bends):
            return means0, self._shift_exposures(dx, affected, means0, eta_full, rows)
        observed = self._observed(rows)
        chunks = (
            ((sl, {m: eta_full[m][sl] for m in self.plan.endogenous})
             for sl in _slices(self.n_draws, max(1, self.chunk_elements // max(len(rows), 1))))
            if eta_full is not None else self._eta_chunks(rows)
        )
        beta = self.draws.beta

        def run(chunk) -> None:
            sl, eta0 = chunk
            d_input: dict[str, np.ndarray] = dict(dx)
            for node in self.plan.nodes:
                name = node.name
                if name not in affected:
                    continue
                kind = kinds[name]
                if name in do_nodes:
                    change = do_nodes[name]
                    d = kind.link(change.apply(kind.natural(eta0[name]))) - eta0[name]
                    y = observed.get(name)
                    if y is not None:
                        base_input = np.where(np.isnan(y), kind.natural(eta0[name]), y)
                        d_input[name] = change.apply(base_input) - base_input
                    else:
                        d_input[name] = self.value_change(name, eta0[name], d)
                else:
                    d = 0.0
                    for link_idx, parent in node.parents:
                        dp = d_input.get(parent)
                        if dp is not None:
                            d = d + beta[sl, link_idx][:, None] * dp
                    d_input[name] = self.value_change(name, eta0[name], d)
                out1[name][sl] = self.average(name, self.natural(name, eta0[name] + d), rows)

        if eta_full is None:  # baseline too large to keep: recompute chunk by chunk
            for chunk in chunks:
                run(chunk)
        else:  # NumPy releases the GIL in its loops: chunks of draws run on all cores
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(run, chunks))
        return means0, out1

    def node_means_with_coefficient(self, link_index: int, value: float | np.ndarray,
                                    rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Per draw, the mean over ``rows`` of every endogenous node's expected value when
        coefficient ``link_index`` is set to ``value`` (a number or one value per draw),
        every other parameter keeping its posterior draw.

        The child's linear predictor moves by :math:`(v - \\beta)(x_p - c_p)` and the change
        flows down the graph linearly on the link scale, as in :meth:`node_means`.
        """
        rows = np.arange(self.prepared.n_rows) if rows is None else rows
        means0, eta_full = self._baseline(rows)
        target, parent = next((n.name, p) for n in self.plan.nodes for li, p in n.parents if li == link_index)
        affected = {target} | nx.descendants(self.graph, target)
        out = {m: means0[m].copy() for m in self.plan.endogenous}
        beta = self.draws.beta
        delta = np.broadcast_to(np.asarray(value, dtype=float), (self.n_draws,)) - beta[:, link_index]
        observed = self._observed(rows)
        x_parent = self.prepared.values[parent][rows] if parent in self.pathway.exposures else None
        within = self.plan.link_names[link_index] in self.plan.between_links

        def run(sl: slice, eta0: dict[str, np.ndarray]) -> None:
            # a within link's coefficient multiplies the departure from the area mean
            centre = (self.area_means[area_mean_name(parent)][rows][None, :] if within
                      else self.plan.centre(parent, self.draws.intercept[sl]))
            if x_parent is not None:
                base = x_parent[None, :] - centre
            else:
                y = observed.get(parent)
                mean = self.plan.kinds[parent].natural(eta0[parent]) if parent in self.bends else eta0[parent]
                base = (mean if y is None else np.where(np.isnan(y), mean, y)) - centre
            d_input: dict[str, np.ndarray] = {}
            for node in self.plan.nodes:
                if node.name not in affected:
                    continue
                d = delta[sl, None] * base if node.name == target else 0.0
                for li, p in node.parents:
                    if p in d_input:
                        d = d + beta[sl, li][:, None] * d_input[p]
                d_input[node.name] = self.value_change(node.name, eta0[node.name], d)
                out[node.name][sl] = self.average(node.name, self.natural(node.name, eta0[node.name] + d), rows)

        if eta_full is None:
            for sl, eta0 in self._eta_chunks(rows):
                run(sl, eta0)
        else:
            step = max(1, self.chunk_elements // max(len(rows), 1))
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(lambda sl: run(sl, {m: eta_full[m][sl] for m in self.plan.endogenous}),
                              _slices(self.n_draws, step)))
        return out

    def _shift_exposures(self, dx, affected, means0, eta_full, rows):
        """Exposure-only scenarios: every node's change is linear in the exposure shifts,
        :math:`\\Delta\\eta_v = \\sum_k T_{kv} \\Delta x_k` with :math:`T_{kv}` the sum over
        paths of coefficient products (per draw). Continuous nodes then need only the
        mean shift; count and proportion nodes one pass over draws x rows."""
        kinds = self.plan.kinds
        beta = self.draws.beta
        totals: dict[str, dict[str, np.ndarray]] = {}
        for k in dx:
            t = {k: np.ones(self.n_draws)}
            for node in self.plan.nodes:
                acc = None
                for link_idx, parent in node.parents:
                    if parent in t:
                        term = beta[:, link_idx] * t[parent]
                        acc = term if acc is None else acc + term
                if acc is not None:
                    t[node.name] = acc
            totals[k] = t
        out1 = {m: means0[m].copy() for m in self.plan.endogenous}
        nonlinear = []
        for name in self.plan.endogenous:
            if name not in affected:
                continue
            if kinds[name].identity_link and name not in self.ranges:  # never weighted: no size column
                out1[name] = means0[name] + sum(totals[k][name] * dx[k].mean() for k in dx if name in totals[k])
            else:
                nonlinear.append(name)
        if not nonlinear:
            return out1
        step = max(1, self.chunk_elements // max(len(rows), 1))

        dx32 = {k: v.astype(np.float32) for k, v in dx.items()}

        def run(sl: slice, eta0: dict[str, np.ndarray]) -> None:
            for name in nonlinear:
                z = eta0[name].astype(np.float32, copy=True)
                for k in dx:
                    if name in totals[k]:
                        z += totals[k][name][sl, None].astype(np.float32) * dx32[k][None, :]
                out1[name][sl] = self.average(name, self.natural(name, z), rows)

        if eta_full is None:
            for sl, eta0 in self._eta_chunks(rows):
                run(sl, eta0)
        else:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                list(pool.map(lambda sl: run(sl, {m: eta_full[m][sl] for m in nonlinear}),
                              _slices(self.n_draws, step)))
        return out1

def _in_time_order(labels: np.ndarray) -> list:
    """Month labels in time order ("2016-9" before "2016-10"); as sorted values when they
    cannot be read as months."""
    try:
        order = np.argsort(month_features(pd.Series(labels)).years, kind="stable")
    except ValueError:
        return sorted(labels)
    return [labels[i] for i in order]


def _slices(n: int, step: int):
    for start in range(0, n, step):
        yield slice(start, start + step)
