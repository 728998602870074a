"""Scenarios: do-interventions on a fitted pathway, summarised per outcome.

``res.scenario({"nw_coverage": "+0.2", "peer_mentoring": 0.5})`` sets exposures (or
mediators) in every area, or in ``areas``, and carries each posterior draw through
the structural equations (:class:`~copath.scenarios.forward.Forward`). For every
intermediate and final outcome the table gives the baseline and scenario means (on the
node's natural scale, in its unit; weighted by each row's offset or trials, so a rate is
total events over total offset), the difference with its HDI, the relative change
(only where the baseline has a true zero well below it: rates, shares, and continuous
nodes whose range starts at 0 with the baseline at least a tenth of the range up), the
expected totals over the scenario's areas and months (events for a count, successes
for a proportion) and their change per year, and the probability that the outcome
*improves* (the node's ``better`` direction). Intervals are highest-density intervals
of the posterior draws (:func:`hdi_1d`).
Outcomes that a changed node reaches only through links without local data are
marked: their change rests on priors alone.

Example
-------
>>> hdi_1d(np.arange(100.0), 0.9)
(0.0, 89.0)

``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one):

>>> sc = build_scenario(rec, {"x": "+0.2"}, name="more x")
>>> row = sc.outcomes().loc["y"]
>>> row["role"], bool(row["changed_by_scenario"]), bool(row["diff_hdi_low"] < row["difference"] < row["diff_hdi_high"])
('final', False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.display import frame_html, paragraphs
from copath.model.record import FitRecord
from copath.model.time import month_features, span_words
from copath.scenarios.changes import Change, parse_change
from copath.scenarios.forward import forward_of, held_area_means
from copath.spec.pathway import Pathway

__all__ = ["Scenario", "build_scenario", "hdi_1d", "links_on_paths", "level_changes"]


def hdi_1d(draws: np.ndarray, prob: float = HDI_PROB) -> tuple[float, float]:
    """Narrowest interval holding ``prob`` of the draws."""
    x = np.sort(np.asarray(draws, dtype=float))
    n = x.size
    k = min(n, max(1, int(np.ceil(prob * n))))  # points inside the interval
    widths = x[k - 1:] - x[: n - k + 1]
    i = int(np.argmin(widths))
    return float(x[i]), float(x[i + k - 1])


def _relative_ok(spec: Any, base: float) -> bool:
    """Whether a relative change of a node with this baseline means something: a rate or a
    share (a true zero, and the baseline above it), or a continuous node whose range starts
    at 0 with the baseline at least a tenth of the range up. A score centred near 0 or a
    cost near 0 would give relative changes of hundreds of percent from tiny differences."""
    if not base:
        return False
    if not spec.node_kind.passes_value:  # a rate or a share
        return base > 0
    if spec.range is None or spec.range[0] != 0:
        return False
    return base >= 0.1 * (spec.range[1] - spec.range[0])


def links_on_paths(result: FitRecord, changed: list[str], keep=lambda link, status: True) -> dict[str, list[str]]:
    """For every endogenous node: the links ``keep(link, status)`` selects among those on a
    path from a changed node to it.

    Parameters
    ----------
    result
        A fitted record.
    changed
        The nodes a scenario changes.
    keep
        ``keep(link, status)`` -> bool, ``status`` the link's identification status (default:
        every link).

    Returns
    -------
    dict[str, list[str]]
        Endogenous node -> link names, in the pathway's order.

    Example
    -------
    >>> links_on_paths(rec, ["x"])["p"]
    ['x -> c', 'c -> p']
    """
    graph = result.pathway.to_networkx()
    status = {k: v.get("status") for k, v in result.run.identification.items()}
    reach: set[str] = set()
    for node in changed:
        reach |= nx.descendants(graph, node) | {node}
    selected = [link for link in result.pathway.links if keep(link, status.get(link.name))]
    out = {}
    for outcome in result.pathway.endogenous:
        on_paths = (nx.ancestors(graph, outcome) | {outcome}) & reach
        out[outcome] = [link.name for link in selected if link.source in on_paths and link.target in on_paths]
    return out


def _joint_links(result: FitRecord, changed: list[str]) -> dict[str, list[str]]:
    """For every endogenous node: the links on a path from a changed node to it that the data
    inform only jointly with others (a product through a node without data, a combination)."""
    return links_on_paths(result, changed, lambda link, status: status in ("product", "combination"))


def _prior_only_links(result: FitRecord, changed: list[str]) -> dict[str, list[str]]:
    """For every endogenous node: the links without local data on a path from a changed node to it
    (the child has no data, or the identification check found the data cannot reach the link:
    a parent that does not vary, no data downstream; or can narrow it by under 10%: weak)."""
    with_data = result.nodes_with_data()
    return links_on_paths(result, changed, lambda link, status: link.target not in with_data
                           or status in ("prior only", "weak local data"))


@dataclass
class Scenario:
    """The draws of every outcome at baseline and under the scenario."""

    name: str
    changes: dict[str, Change]
    areas: list[str] | None
    baseline: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    result: FitRecord = field(repr=False)
    #: the data rows the scenario covers (its areas x its period's months); None: every row
    rows: np.ndarray | None = field(default=None, repr=False)
    #: what the forward pass was given: the changed exposure columns and the do()-set nodes
    inputs: tuple[dict, dict] = field(default=({}, {}), repr=False)
    _shares: dict[str, float] | None = field(default=None, repr=False)
    #: the months the scenario covers (None: every month of the data)
    period: list[str] | None = None

    def uninformed_share(self) -> dict[str, float]:
        """Per outcome, the share of its difference's posterior variance that comes from the
        links the local data do not inform (on a path from a changed node: ``prior_only_links``).
        Only link coefficients are counted: the rest of the variance comes from the other
        links and from intercepts, spreads and noise, including the intercepts of nodes
        without data, which also rest on their priors (so a node with no data at all can
        show less than 1).

        Defined by fixing those links at their posterior means in every draw and re-running
        the scenario: ``1 - Var(difference | those links fixed) / Var(difference)``; 0 where
        no such link is on a path. When the difference is linear in those links and their
        posterior is independent of the other parameters' (true of links the data do not
        reach, whose posterior is their prior), it is the total-effect variance share of
        that group (Saltelli et al. 2008, *Global Sensitivity Analysis*, ch. 4); for
        nonlinear links it is close (0.93 against 0.89 in a check on a count chain). NaN
        where it means nothing: the difference does not vary; a path to the outcome also
        has a link informed only as a product or a combination (its posterior leans on the
        uninformed one's, so fixing one moves the other); or the result falls below -0.05
        (values within 0.05 of [0, 1] are Monte Carlo error and clipped). Computed once, by
        one extra forward pass.

        Returns
        -------
        dict[str, float]
        """
        if self._shares is None:
            uninformed = _prior_only_links(self.result, list(self.changes))
            joint = _joint_links(self.result, list(self.changes))
            links = sorted({link for names in uninformed.values() for link in names})
            self._shares = {}
            fixed = None
            if links and (self.inputs[0] or self.inputs[1]):
                forward = forward_of(self.result).with_links_fixed(links)
                base, values = forward.node_means(*self.inputs, self._rows())
                fixed = {m: values[m] - base[m] for m in values}
            for node in self.result.pathway.endogenous:
                var = float(np.var(self.difference(node)))
                share = float("nan")
                if var > 0 and not uninformed[node]:
                    share = 0.0
                elif var > 0 and fixed is not None and not joint[node]:
                    raw = 1.0 - float(np.var(fixed[node])) / var
                    share = float(np.clip(raw, 0.0, 1.0)) if -0.05 <= raw <= 1.05 else float("nan")
                self._shares[node] = share
        return self._shares

    def path_links(self) -> pd.DataFrame:
        """The links on a path from the changed nodes to a final outcome: what the answer rests on.

        Returns
        -------
        pandas.DataFrame
            Indexed by link (in spec order), with ``grade`` (its evidence grade, ``-`` without
            evidence), ``identification`` (``local data``, ``weak local data``, ``product``,
            ``combination`` or ``prior only``: :mod:`copath.model.identification`),
            ``sd_ratio`` (posterior sd / prior sd: 1 when the local data did not move it)
            and ``rests_on`` (``evidence`` for a ``prior only`` or ``weak local data`` link or
            when sd_ratio > 0.9, or ``default prior`` for such a link without a registry
            entry; ``local data`` when sd_ratio is under 0.5, else ``both``).
        """
        finals = set(self.result.pathway.outcomes)
        on = links_on_paths(self.result, list(self.changes), lambda link, status: True)
        names = {n for node in finals for n in on[node]}
        summary = self.result.summary().loc[[l.name for l in self.result.pathway.links if l.name in names]]
        table = summary[["grade", "identification", "sd_ratio"]].copy()
        # a link the data cannot reach rests on its evidence whatever its sd ratio's Monte Carlo noise
        uninformed = table["identification"].isin(["prior only", "weak local data"])
        prior = np.where(table["grade"] == "-", "default prior", "evidence")  # no registry entry: N(0, 1)
        table["rests_on"] = np.where(uninformed | (table["sd_ratio"] > 0.9), prior,
                                     np.where(table["sd_ratio"] < 0.5, "local data", "both"))
        return table

    def _rows(self) -> np.ndarray:
        return np.arange(len(self.result.data)) if self.rows is None else self.rows

    def _step(self) -> int | None:
        """Months per period of the rows (1 monthly, 3 quarterly, 12 yearly: the typical gap
        between consecutive labels of the data), when the index's second column is named
        ``month`` or holds ``YYYY-MM`` labels; None otherwise."""
        period = self.result.pathway.period_column
        if period is None:
            return None
        column = self.result.data[period]
        if not (period == "month" or column.astype(str).str.fullmatch(r"\d{4}-\d{2}").all()):
            return None
        try:
            return month_features(pd.Series(column.unique())).step
        except ValueError:
            return 1

    def months(self) -> int | None:
        """How many months the scenario's rows span.

        Returns
        -------
        int or None
            The distinct values of the index's second column times the months each stands
            for (the typical gap between consecutive labels: 1 for monthly rows, 12 for
            yearly rows such as ``"2014-12", "2015-12"``), when the column is named ``month``
            or holds ``YYYY-MM`` labels; None otherwise (no second column, or periods that
            may not be months: per-year totals are then not given).
        """
        step = self._step()
        if step is None:
            return None
        return int(self.result.data[self.result.pathway.period_column].iloc[self._rows()].nunique()) * step

    def span(self) -> str:
        """How long the scenario's rows last, in the rows' own period: ``"10 years"`` on
        yearly rows, ``"18 months"`` on monthly ones (:func:`copath.model.time.span_words`).

        Returns
        -------
        str
            The span; ``"<n> period(s)"`` when the second index column may not be months, and
            ``"<n> row(s)"`` without one.

        Example
        -------
        >>> build_scenario(rec, {"x": "+0.2"}, period=2).span()
        '2 months'
        """
        period = self.result.pathway.period_column
        if period is None:
            return f"{len(self._rows())} row(s)"
        n = int(self.result.data[period].iloc[self._rows()].nunique())
        step = self._step()
        return f"{n} period(s)" if step is None else span_words(n, step)

    def total_difference(self, node: str) -> np.ndarray | None:
        """Per draw, the scenario's change in ``node``'s expected total over its rows: events
        for a count, successes for a proportion (the mean's difference times the summed
        offset / per or trials; a proportion's at the observed trials, which the scenario
        does not change even where they would move, e.g. crimes recorded for detections).
        None for a continuous node, or one whose offset or trials column is not in the data.

        Parameters
        ----------
        node
            An endogenous node.

        Returns
        -------
        numpy.ndarray or None
        """
        size = forward_of(self.result).denominator(node, self._rows())
        return None if size is None else self.difference(node) * size

    def difference(self, node: str) -> np.ndarray:
        """Per posterior draw, the scenario's change of ``node``'s mean.

        Parameters
        ----------
        node
            An endogenous node (intermediate or final outcome); an exposure has no entry
            and raises ``KeyError``.

        Returns
        -------
        numpy.ndarray
            One value per draw: the scenario mean minus the baseline mean, over the
            scenario's rows (its ``areas``, else all rows), of the node's expected value
            on its natural scale.
        """
        return self.values[node] - self.baseline[node]

    def outcomes(self, prob: float = HDI_PROB, uninformed: bool = True) -> pd.DataFrame:
        """One row per intermediate and final outcome (final first).

        Parameters
        ----------
        prob
            Probability mass of the HDI of the difference (default :data:`copath.HDI_PROB`,
            0.94).
        uninformed
            Include ``uninformed_share`` (one extra forward pass, the first time).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``outcome``, with columns ``role`` (``"final"`` or
            ``"intermediate"``), ``unit``, ``baseline_mean``, ``scenario_mean``,
            ``difference`` (mean of :meth:`difference`), ``diff_hdi_low``,
            ``diff_hdi_high``, ``relative_change`` (difference over baseline mean; NaN where
            the baseline is not well away from a true zero: see the module docstring),
            ``weighted_by`` (the offset or trials column the means are weighted by, or a
            survey node's ``weight`` column; empty for equal weights), ``outside_range`` (for
            a continuous node with a declared range, the share of draws x rows whose
            baseline expected value the linear equation put outside it; those are clipped
            to the range before averaging, :meth:`copath.scenarios.forward.Forward.natural`;
            NaN for other nodes), ``total_baseline`` (expected events or successes over the
            scenario's rows), ``total_difference`` with ``total_hdi_low`` and
            ``total_hdi_high``, ``total_difference_per_year`` (the total's change x 12 /
            months; NaN for continuous nodes and without the size column),
            ``p_improves`` (share of draws that move the node in
            its ``better`` direction; NaN without ``better`` or when the scenario does not
            change it), ``prior_only`` and ``prior_only_links`` (the links without local
            data on a path from a changed node to it, joined by ``"; "``) and
            ``changed_by_scenario`` (the node is itself one of the ``changes``) and
            ``uninformed_share`` (the share of the difference's variance from links the local
            data do not inform: :meth:`uninformed_share`).
        """
        pw = self.result.pathway
        finals = list(pw.outcomes)
        order = finals + [n for n in pw.endogenous if n not in finals]
        prior_only_by_node = _prior_only_links(self.result, list(self.changes))
        forward = forward_of(self.result)
        data_rows = self._rows()
        months = self.months()
        shares = self.uninformed_share() if uninformed else {}
        rows = []
        for node in order:
            spec = pw.nodes[node]
            diff = self.difference(node)
            lo, hi = hdi_1d(diff, prob)
            base = float(self.baseline[node].mean())
            if not np.any(diff):  # the scenario does not reach this node
                p_improves = float("nan")
            elif spec.better == "lower":
                p_improves = float(np.mean(diff < 0))
            elif spec.better == "higher":
                p_improves = float(np.mean(diff > 0))
            else:
                p_improves = float("nan")
            prior_only = prior_only_by_node[node]
            size = forward.denominator(node, data_rows)
            total = self.total_difference(node)
            t_lo, t_hi = hdi_1d(total, prob) if total is not None else (float("nan"), float("nan"))
            rows.append({
                "outcome": node, "role": "final" if node in finals else "intermediate", "unit": spec.unit_label,
                "baseline_mean": base, "scenario_mean": float(self.values[node].mean()),
                "difference": float(diff.mean()), "diff_hdi_low": lo, "diff_hdi_high": hi,
                "relative_change": float(diff.mean() / base) if _relative_ok(spec, base) else float("nan"),
                "weighted_by": forward.weighted_by[node],
                "outside_range": forward.outside_share(node, data_rows),
                "total_baseline": base * size if size is not None else float("nan"),
                "total_difference": float(total.mean()) if total is not None else float("nan"),
                "total_hdi_low": t_lo, "total_hdi_high": t_hi,
                "total_difference_per_year": (float(total.mean()) * 12 / months
                                              if total is not None and months else float("nan")),
                "p_improves": p_improves,
                "prior_only": bool(prior_only), "prior_only_links": "; ".join(prior_only),
                "changed_by_scenario": node in self.changes,
                **({"uninformed_share": shares[node]} if uninformed else {}),
            })
        return pd.DataFrame(rows).set_index("outcome")

    def describe(self, prob: float = HDI_PROB, diagnostics: bool = True) -> str:
        """One sentence per final outcome.

        Parameters
        ----------
        prob
            Probability mass of the HDIs quoted (default :data:`copath.HDI_PROB`, 0.94).
        diagnostics
            Whether to warn when the fit failed its diagnostics (a report that shows the
            verdict once elsewhere passes False).

        Returns
        -------
        str
            A header line naming the scenario, its changes and the number of areas (if
            restricted), a warning line when the fit failed its diagnostics, then one line
            per final outcome: baseline and scenario means, the difference with its HDI and
            P(improves), flagged when it rests on prior-only links (left out, with the reason said
            once, for a node without ``better:``), or a note that the outcome does not change; then, for every count and proportion node the scenario
            moves, the change in its expected total per year with its HDI.
        """
        table = self.outcomes(prob)
        what = ", ".join(f"{n} {c.describe()}" for n, c in self.changes.items())
        where = "" if self.areas is None else f" in {len(self.areas)} area(s)"
        if self.period is not None:
            where += (f" in {self.period[0]}" if len(self.period) == 1
                      else f" over {self.span()}, {self.period[0]} to {self.period[-1]}")
        lines = [f"Scenario {self.name!r} ({what}{where}):"]
        diag = self.result.diagnostics()
        if diagnostics and not diag.passed:
            lines.append("Warning: the fit did not pass its diagnostics, so these differences may not be "
                         "reliable: " + " ".join(diag.warnings))
        p = int(round(prob * 100))
        no_better = []
        for node, row in table[table["role"] == "final"].iterrows():
            if row["difference"] == 0 and row["diff_hdi_low"] == 0 and row["diff_hdi_high"] == 0:
                lines.append(f"- {node}: not on a path from the changed nodes (no change).")
                continue
            if self.result.pathway.nodes[node].better not in ("higher", "lower"):
                no_better.append(node)
                lines.append(
                    f"- {node}: {row['baseline_mean']:.3g} -> {row['scenario_mean']:.3g} {row['unit']}, difference "
                    f"{row['difference']:+.3g} ({p}% HDI {row['diff_hdi_low']:+.3g} to {row['diff_hdi_high']:+.3g})."
                )
                continue
            share = row["uninformed_share"]
            flag = (f" ({share:.0%} of its variance from links the local data do not inform, so this probability "
                    "mostly restates their priors)"
                    if row["prior_only"] and np.isfinite(share) else "")
            lines.append(
                f"- {node}: {row['baseline_mean']:.3g} -> {row['scenario_mean']:.3g} {row['unit']}, difference "
                f"{row['difference']:+.3g} ({p}% HDI {row['diff_hdi_low']:+.3g} to {row['diff_hdi_high']:+.3g}); "
                f"P(improves) = {row['p_improves']:.2f}{flag}."
            )
        pathway = self.result.pathway
        moved = set(self.changes).union(*(nx.descendants(pathway.to_networkx(), n) for n in self.changes
                                          if n in pathway.nodes))
        held = held_area_means(pathway, [link.name for link in pathway.links if link.source in moved])
        if held:
            lines.append(held)
        if no_better:
            lines.append(f"P(improves) left out for {', '.join(no_better)}: no `better:` in the spec says which "
                         "direction is an improvement (add `better: higher` or `better: lower` to the node).")
        for node, row in table[table["outside_range"] > 0.01].iterrows():
            lo, hi = self.result.pathway.nodes[node].range
            observed = (pd.to_numeric(self.result.data[node], errors="coerce")
                        if node in self.result.data.columns else pd.Series(dtype=float)).dropna()
            data_out = float(((observed < lo) | (observed > hi)).mean()) if len(observed) else 0.0
            why = (f"{data_out:.0%} of the node's own data lie outside it, so the data disagree with the declared "
                   "range" if data_out > 0.01 else "wide priors on the links into it, or a misfit")
            lines.append(f"- {node}: in {row['outside_range']:.0%} of draws and rows at baseline its linear equation "
                         f"put the expected value outside its range [{lo:g}, {hi:g}] ({why}); those values are "
                         "clipped to the range, since an expected value cannot leave the scale, which shrinks a "
                         "difference near a bound.")
        totals = table[table["total_difference_per_year"].notna() & (table["total_difference"] != 0)]
        if len(totals):
            unit = self.result.pathway.unit_column
            n_areas = self.result.data[unit].iloc[self._rows()].nunique()
            lines.append(f"Expected totals over the {n_areas} {unit} value(s), per year (events for counts, successes "
                         f"for shares; from the {self.span()} of data):")
            per_year = 12 / self.months()
            for node, row in totals.iterrows():
                trials = getattr(self.result.pathway.nodes[node], "trials", None)
                among = (f" among the {trials} counted in the data (e.g. survey respondents), not the whole "
                         "population" if trials else "")
                lines.append(
                    f"- {node}: {row['total_difference_per_year']:+.3g} a year ({p}% HDI "
                    f"{row['total_hdi_low'] * per_year:+.3g} to {row['total_hdi_high'] * per_year:+.3g}), "
                    f"from about {row['total_baseline'] * per_year:.3g} a year{among}"
                    + (" (rests on prior-only links)" if row["prior_only"] else "") + ".")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cols = ["role", "unit", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low", "diff_hdi_high",
                "p_improves", "prior_only"]
        return f"<div>{paragraphs(self.describe())}{frame_html(self.outcomes()[cols])}</div>"

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, changes={ {k: v.describe() for k, v in self.changes.items()} })"


def level_changes(pathway: Pathway, changes: Mapping[str, float | str]) -> dict[str, float | str]:
    """``changes`` with a categorical exposure set to one of its levels (``{"educ": "degree"}``)
    written as its 0/1 columns (``educ[school] = 0``, ``educ[degree] = 1``; the reference level
    sets them all to 0).

    Parameters
    ----------
    pathway
        The fitted pathway.
    changes
        Node (or categorical column) -> change.

    Returns
    -------
    dict
        The changes on nodes only.

    Raises
    ------
    ValueError
        If a categorical column is given anything but one of its levels.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nindex: [id]\\nnodes:\\n  g: {kind: exposure, levels: [a, b, c]}\\n"
    ...                       "  y: {kind: binary}\\nlinks:\\n  - {from: g, to: y}\\noutcomes: [y]\\n")
    >>> level_changes(pw, {"g": "c"})
    {'g[b]': 0.0, 'g[c]': 1.0}
    """
    out: dict[str, float | str] = {}
    for name, raw in changes.items():
        levels = pathway.categorical.get(name)
        if levels is None:
            out[name] = raw
            continue
        if str(raw) not in levels:
            raise ValueError(f"{name} is categorical: set it to one of its levels {', '.join(levels)}, got {raw!r}")
        out.update({f"{name}[{level}]": float(level == str(raw)) for level in levels[1:]})
    return out


def build_scenario(
    result: FitRecord,
    changes: Mapping[str, float | str],
    areas: Any = None,
    name: str | None = None,
    period: Any = None,
) -> Scenario:
    """Run ``changes`` through the fitted pathway (see module docstring) on the rows of
    ``areas`` (default all) in ``period``: a whole number n, the data's last n periods (months,
    quarters or years, as the rows are: 12 on monthly rows is a year, 1 on yearly rows), or a
    list of month labels (default every month). A categorical exposure is set to one of its
    levels (``{"educ": "degree"}``: :func:`level_changes`). Nodes with effects of time
    (:mod:`copath.model.time`) keep each row's own month's season, trend and period effect,
    so a period holds time at those months."""
    pw = result.pathway
    if not changes:
        raise ValueError("a scenario needs at least one change, e.g. {'nw_coverage': '+0.2'}")
    label = name or ", ".join(f"{n} = {raw}" if n in pw.categorical else f"{n} {parse_change(raw).describe()}"
                              for n, raw in changes.items())
    changes = level_changes(pw, changes)
    forward = forward_of(result)
    rows = forward.rows_for(areas, period)
    months = None if period is None else forward.months_of(period)
    parsed: dict[str, Change] = {}
    new_exposures: dict[str, np.ndarray] = {}
    do_nodes: dict[str, Change] = {}
    for node, raw in changes.items():
        if node not in pw.nodes:
            raise ValueError(f"unknown node {node!r} (nodes: {', '.join(pw.nodes)})")
        change = parse_change(raw)
        parsed[node] = change
        spec = pw.nodes[node]
        if not spec.node_kind.endogenous:
            values = forward.prepared.values[node].copy()
            values[rows] = change.apply(values[rows])
            if spec.range is not None:
                lo, hi = spec.range
                bad = (values[rows] < lo) | (values[rows] > hi)
                if bad.any():
                    worst = values[rows][bad][0]
                    raise ValueError(f"{node} {change.describe()} gives {worst:g}, outside its range "
                                     f"[{lo:g}, {hi:g}] ({spec.unit})")
            new_exposures[node] = values
        else:
            if change.kind == "set" and (problem := spec.node_kind.check_level(change.amount)):
                raise ValueError(f"{node} {problem}")
            do_nodes[node] = change
    baseline, values = forward.node_means(new_exposures, do_nodes, rows)
    area_list = None if areas is None else [str(a) for a in ([areas] if isinstance(areas, (str, int)) else areas)]
    return Scenario(name=label, changes=parsed, areas=area_list, baseline=baseline, values=values, result=result,
                    rows=rows, inputs=(new_exposures, do_nodes), period=months)
