r"""Prior predictive check: do the priors describe worlds that can exist?

Before any data are fitted, draw every parameter from the priors the model uses (link
coefficients from the evidence, intercepts, area spreads and area effects) and compute each
endogenous node's *expected* value on every row of a data set (the user's exposures, or a
simulated force's), through the pathway's own structural equations
(:mod:`copath.model.equations`). A node's expected value must lie inside its **bounds**:

- ``plausible: [low, high]`` on the node, when given (natural scale: a rate per ``per``, a
  share, a mean);
- else a continuous node's ``range``;
- else, for a count or proportion with a ``baseline``, a rate or odds ratio of at most
  :data:`PLAUSIBLE_RATIO` (20) either way from the baseline: copath's convention for "no area
  of a force is 20 times above or below its typical level". This bound is *advisory*: it is
  reported, and fails the check only with ``strict=True`` (a spec that states ``plausible``
  makes its own bound binding);
- else none (the node is not checked; the table says so).

For each node the check reports the share of expected values (over draws and rows) outside
its bounds; the check passes when that share is at most ``threshold`` (5%) on every node with
a binding bound (a declared range or a stated plausible bound) that its expected values can
leave, and says there is nothing binding to check (``passed`` None) when there is none: a
continuous node with ``link: logit`` cannot leave its range, so it is reported as held inside,
not as evidence that the priors are sound. A node without a baseline is checked only with data
(its intercept prior is centred at its level in the data). For each link it reports (a) what
the link is *responsible* for: how far a downstream node's share outside falls when that
link's coefficient is set to 0 in every draw (the rest unchanged), and (b) what the link's
prior implies across its parent's whole span: an exposure's declared ``range`` (its range in
the data without one), an endogenous parent's central 95% over rows within a draw about its own
level (as its children see it). The implied change is given on the child's link scale and
naturally (a rate or odds ratio, or points), with the share of draws in which the child, at
its level for typical parents moved by the coefficient times either end's distance from the
parent's centre, would fall outside a bound. That column is a note, not a failure: a linear link cannot hold across every
range, but a prior that implies an odds ratio of 400 across a share's 0 to 1 says more than
any evidence does. This is the prior predictive check of the Bayesian workflow (Gabry,
Simpson, Vehtari, Betancourt & Gelman 2019, *JRSS A* 182:389, section 3; Gelman et al. 2020,
"Bayesian workflow", arXiv:2011.01808, section 2.4), applied to expected values so that
measurement noise does not blur it.

Time effects (season, trend, period effects) are left out: they move every area alike and are small by
their priors.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure, range: [0, 1]}\n"
...     "  y: {kind: count, baseline: 2}\nlinks:\n  - {from: x, to: y}\noutcomes: [y]\n")
>>> wild = {"x -> y": cp.LinkPrior("x -> y", 0.0, 30.0, "log rate ratio")}
>>> check = prior_check(pw, priors=wild, draws=200, random_seed=1, strict=True)
>>> check.passed, float(check.nodes.loc["y", "outside"]) > 0.2
(False, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from copath.constants import PLAUSIBLE_RATIO
from copath.display import frame_html, paragraphs, text_table
from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence, load_evidence
from copath.model.autoscale import autoscale_priors, between_prior
from copath.model.builder import AREA_SD_SCALE, intercept_prior
from copath.model.equations import linear_predictors, make_plan
from copath.model.simulate import exposure_rows
from copath.model.within import mean_inputs
from copath.spec.covariates import dummy_columns
from copath.spec.pathway import Pathway

__all__ = ["PLAUSIBLE_RATIO", "PriorCheck", "prior_check", "node_bounds"]

def node_bounds(pathway: Pathway, name: str) -> tuple[float, float, str] | None:
    """Node ``name``'s bounds on its natural scale and where they come from, or None
    (:attr:`copath.Node.bounds`).

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> node_bounds(pw, "qol_citizens")
    (0.0, 10.0, 'range')
    >>> lo, hi, src = node_bounds(pw, "burglary"); round(lo, 3), round(hi, 1), src
    (0.04, 16.0, 'baseline x/÷ 20')
    """
    return pathway.nodes[name].bounds


@dataclass(frozen=True)
class PriorCheck:
    """What the priors imply before any data: per node and per link (:func:`prior_check`).

    Attributes
    ----------
    nodes
        Indexed by node: ``low``, ``high`` (bounds, natural scale), ``source``, ``binding``
        (False for the advisory 20 x baseline bound), ``can_leave`` (False for a node its logit
        link keeps inside its range), ``outside`` (share of expected values outside), ``below``,
        ``above``, ``without_links`` (the share outside with every link's coefficient at 0: what
        the priors of the node's level and area effects allow alone), ``passed`` (None where
        the bound is advisory).
    links
        Indexed by link: ``span_low``, ``span_high`` (the parent's span: an exposure's range,
        else the median over draws of an endogenous parent's central 95% over rows about its
        own level), ``span_source``, ``change_median``, ``change_low``, ``change_high`` (the
        5%, 50% and 95% over draws of the coefficient times the span, on the child's link
        scale), ``natural`` (what that change means: a ratio, points, or for a logit child its
        logit units and the points they make from the child's baseline), ``beyond`` (share of
        draws in which the child, at its level for typical parents moved by the coefficient
        times the distance of either end of the span from the parent's centre, falls outside
        its bounds; NaN for a child without bounds or held inside them by its link),
        ``responsible_for`` and ``worst_node`` (the largest drop in a downstream node's share
        outside when the link's coefficient is set to 0, and that node; blank when none drops),
        and ``drop[node]`` per node.
    draws, rows, threshold
        The settings of the check.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    draws: int
    rows: int
    threshold: float

    @property
    def passed(self) -> bool | None:
        """True when every node with a binding bound its expected values can leave has at most
        ``threshold`` outside it; None when there is no such node (nothing binding to check:
        e.g. every ranged node is held inside by a logit link)."""
        if not (self.nodes["binding"].astype(bool) & self.nodes["can_leave"].astype(bool)).any():
            return None
        return not self.failing

    @property
    def failing(self) -> list[str]:
        """The nodes with a binding bound whose share outside exceeds ``threshold``."""
        over = self.nodes["outside"] > self.threshold
        return list(self.nodes.index[over & self.nodes["binding"].astype(bool)])

    @property
    def advisories(self) -> list[str]:
        """The nodes beyond their advisory bound (20 x baseline) in more than ``threshold``."""
        over = self.nodes["outside"] > self.threshold
        return list(self.nodes.index[over & ~self.nodes["binding"].astype(bool)])

    def culprits(self, node: str, top: int = 3) -> pd.DataFrame:
        """The links most responsible for ``node``'s expected values leaving its bounds.

        Parameters
        ----------
        node
            An endogenous node.
        top
            How many links.

        Returns
        -------
        pandas.DataFrame
        """
        col = f"drop[{node}]"
        if col not in self.links:
            raise KeyError(f"no node {node!r} with bounds in this check")
        return self.links.sort_values(col, ascending=False).head(top)[[col, "change_median", "change_low",
                                                                       "change_high", "natural"]]

    def describe(self) -> str:
        """Passed or not, the failing nodes and the links behind them, and the links whose prior
        implies changes past a bound across their parent's whole span.

        Returns
        -------
        str
        """
        binding = self.nodes["binding"].astype(bool) & self.nodes["can_leave"].astype(bool)
        n_binding = int(binding.sum())
        held = list(self.nodes.index[self.nodes["binding"].astype(bool) & ~self.nodes["can_leave"].astype(bool)])
        unchecked = list(self.nodes.index[self.nodes["outside"].isna()])
        lines = []
        if self.passed is None:
            lines.append("Nothing binding to check: no node has a declared range or a stated plausible bound that "
                         "its expected values can leave (the advisory bounds below are not binding).")
        elif self.passed:
            lines.append(f"The priors pass the prior predictive check: on each of the {n_binding} nodes with a "
                         f"declared range or plausible bound, at most {100 * self.threshold:g}% of the expected "
                         f"values over {self.draws} prior draws x {self.rows} rows fall outside it.")
        else:
            what = ("with a binding bound" if self.nodes.loc[self.failing, "source"].str.startswith("baseline").any()
                    else "with a declared range or plausible bound")
            lines.append(f"The priors fail the prior predictive check on {len(self.failing)} of {n_binding} nodes "
                         f"{what}: they describe worlds that cannot exist.")
        for title, names in (("", self.failing), ("advisory", self.advisories)):
            if title and names:
                lines.append(f"Beyond {PLAUSIBLE_RATIO:g} times their baseline either way (advisory: state "
                             "'plausible: [low, high]' on the node, or pass strict=True, to make it binding):")
            for node in names:
                row = self.nodes.loc[node]
                top = self.culprits(node, top=2)
                why = "; ".join(f"{link} (removing it cuts the share by {100 * float(v):.0f} points)"
                                for link, v in top.iloc[:, 0].items() if float(v) > 0.005)
                lines.append(f"- {node}: {100 * row['outside']:.0f}% of expected values outside "
                             f"[{row['low']:.3g}, {row['high']:.3g}] ({row['source']})"
                             + (f"; the links whose removal cuts it most: {why}" if why else "")
                             + (f"; with every link at 0, {100 * row['without_links']:.0f}% would still be "
                                "outside: the priors of its level (intercept: N(its baseline or data level on the "
                                "link scale, 1) for a count or share) and of its area effects allow that much, "
                                "so give it a baseline near its real level, or wider bounds"
                                if row["without_links"] > self.threshold / 2 else "") + ".")
        wide = self.links[self.links["beyond"] > 0.5]
        if len(wide):
            lines.append("Across their parent's whole span, these links' priors put the child past a bound in "
                         "most draws (a linear link extrapolated; narrow the parent's range or the prior if the "
                         "span is real):")
            for link, row in wide.iterrows():
                lines.append(f"- {link}: across {row['span_low']:.3g} to {row['span_high']:.3g} "
                             f"({row['span_source']}), {row['natural']}; beyond a bound in "
                             f"{100 * row['beyond']:.0f}% of draws.")
        if held:
            lines.append("Kept inside their range by their logit link (cannot fail): " + ", ".join(held) + ".")
        if unchecked:
            lines.append("Not checked (no range, baseline or plausible bounds): " + ", ".join(unchecked) + ".")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe() + "\n\n" + text_table(self.nodes.reset_index())

    def _repr_html_(self) -> str:
        return paragraphs(self.describe()) + frame_html(self.nodes)


def _exposures(pathway: Pathway, data: pd.DataFrame | None, areas: int, months: int,
               random_seed: int | None) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """Exposure columns, each row's area index, and the number of areas."""
    if data is None:  # exposures as copath.simulate draws them
        rng = np.random.default_rng(random_seed)
        out = {e: exposure_rows(pathway.nodes[e], areas, months, rng).reshape(-1) for e in pathway.exposures}
        return out, np.repeat(np.arange(areas), months), areas
    frame = data
    for column, levels in pathway.categorical.items():  # a categorical column's 0/1 dummies
        if column in frame:
            frame = frame.assign(**dummy_columns(frame, column, levels)[0])
    missing = [e for e in pathway.exposures if e not in frame and pathway.nodes[e].reference is None]
    if missing:
        raise ValueError(f"prior_check: the data have no column for exposure(s) {', '.join(missing)}")
    out = {}
    for name in pathway.exposures:
        node = pathway.nodes[name]
        if name in frame:
            x = pd.to_numeric(frame[name], errors="coerce").to_numpy(float)
            out[name] = np.where(np.isnan(x), np.nanmean(x) if np.isfinite(x).any() else 0.0, x)
        else:
            out[name] = np.full(len(frame), float(node.reference))
    key = pathway.unit_column
    areas_of = pd.factorize(frame[key])[0] if key in frame else np.zeros(len(frame), dtype=int)
    return out, areas_of, int(areas_of.max()) + 1 if len(areas_of) else 1


def _can_leave(node) -> bool:
    """False for a node its link keeps inside its bounds (a logit continuous node, bounded by its range)."""
    bounds = node.bounds
    return not (getattr(node, "link", "identity") == "logit" and bounds is not None and bounds[2] == "range")


def _prepared(pathway: Pathway, data: pd.DataFrame | None):
    """The prepared data (for the intercept priors' centres), or None without data or when the
    data hold only exposures."""
    if data is None:
        return None
    from copath.model.data import prepare_data

    try:
        return prepare_data(pathway, data)
    except (ValueError, KeyError):
        return None


def _span(pathway: Pathway, parent: str, deviation: np.ndarray, centre: float | None
          ) -> tuple[np.ndarray, np.ndarray, float, float, str]:
    """The parent's span as its children see it, as deviations from its centre per draw:
    (low, high per draw; their medians for the table; where the span comes from). An exposure's
    declared range (else the data's range) about its centre; an endogenous parent's central 95%
    over rows within each draw (it enters centred at its own level)."""
    node = pathway.nodes[parent]
    if not node.node_kind.endogenous:
        lo, hi = (node.range if node.range is not None else (float(np.min(deviation)), float(np.max(deviation))))
        source = "its range" if node.range is not None else "the data's range"
        n = deviation.shape[0] if deviation.ndim > 1 else 1
        return (np.full(n, lo - centre), np.full(n, hi - centre), float(lo), float(hi), source)
    lo, hi = np.quantile(deviation, [0.025, 0.975], axis=-1)
    return lo, hi, float(np.median(lo)), float(np.median(hi)), "central 95% over rows, per draw, about its level"


def _natural_change(kind, scale: str, level: float, lo: float, mid: float, hi: float) -> str:
    if scale.startswith("log rate"):
        return f"rate ratio {np.exp(mid):.3g} (90%: {np.exp(lo):.3g} to {np.exp(hi):.3g})"
    if scale.startswith("log odds"):
        return f"odds ratio {np.exp(mid):.3g} (90%: {np.exp(lo):.3g} to {np.exp(hi):.3g})"
    if scale == "logit slope":  # points at the child's baseline (the scale's fraction moves on the logit)
        at = float(kind.link(level))
        pts = [float(kind.natural(at + v) - level) for v in (mid, lo, hi)]
        return (f"{mid:+.3g} logit units, {pts[0]:+.3g} points from {level:g} "
                f"(90%: {pts[1]:+.3g} to {pts[2]:+.3g})")
    return f"{mid:+.3g} points (90%: {lo:+.3g} to {hi:+.3g})"


def prior_check(
    pathway: Pathway,
    evidence: Evidence | None = None,
    data: pd.DataFrame | None = None,
    priors: Mapping[str, LinkPrior] | None = None,
    draws: int = 500,
    threshold: float = 0.05,
    areas: int = 40,
    months: int = 12,
    random_seed: int | None = 0,
    strict: bool = False,
) -> PriorCheck:
    """Check that the priors' expected values stay inside each node's bounds (module docstring).

    Parameters
    ----------
    pathway
        The pathway.
    evidence
        The registry the link priors come from (default: the bundled one).
    data
        Rows whose exposures to use (a user's own data; when they pass the data check, the
        default priors are put on their scale as a fit puts them, :mod:`copath.model.autoscale`);
        default: a simulated force of
        ``areas`` x ``months`` rows (:func:`copath.simulate`'s exposures).
    priors
        Link priors to use instead of the evidence's, by link name (the others from the
        evidence), e.g. ``res.priors`` or a wide prior to try.
    draws
        Prior draws (default 500).
    threshold
        The largest share of a node's expected values that may fall outside its bounds
        (default 0.05).
    areas, months
        The simulated force's size when ``data`` is None.
    random_seed
        Seed of the draws (and the simulated exposures).
    strict
        Make the advisory bound (20 x a count's or proportion's baseline either way) binding.

    Returns
    -------
    PriorCheck

    Example
    -------
    >>> import copath as cp
    >>> check = cp.prior_check(cp.load_pathway("calibration"), draws=100)
    >>> sorted(check.nodes.columns)[:3], check.rows
    (['above', 'below', 'binding'], 480)
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    used = priors_for(pathway, load_evidence() if evidence is None else evidence)
    prepared = _prepared(pathway, data)
    if prepared is not None:  # default priors on the data's scale, as a fit puts them
        used = autoscale_priors(pathway, prepared, used)
    for name, prior in (priors or {}).items():
        if name not in used:
            raise ValueError(f"priors: unknown link {name!r}")
        used[name] = prior
    rng = np.random.default_rng(random_seed)
    exposures, area_index, n_areas = _exposures(pathway, data, areas, months, random_seed)
    plan = make_plan(pathway, {e: float(np.mean(x)) for e, x in exposures.items()})
    # each endogenous parent centred at its own level, as a fit centres it at its level in the
    # data: a child's intercept is its level at typical parents, whatever the parents' levels
    plan = dataclasses.replace(plan, centres={**plan.centres, **{n: float("nan") for n in plan.endogenous}})
    beta = np.column_stack([np.atleast_1d(used[n].draw(rng, size=draws)) for n in plan.link_names]) \
        if plan.link_names else np.zeros((draws, 0))
    intercept = np.column_stack([rng.normal(*intercept_prior(pathway, n, prepared), size=draws)
                                 for n in plan.endogenous])
    area_terms = {}
    for name in plan.area_nodes:
        node = pathway.nodes[name]
        sd = np.abs(rng.normal(0.0, AREA_SD_SCALE * node.node_kind.unit_scale(node), size=(draws, 1)))
        area_terms[name] = (sd * rng.normal(0.0, 1.0, size=(draws, n_areas)))[:, area_index]
    bounds = {n: node_bounds(pathway, n) for n in plan.endogenous}
    # a within link's between-area slope, from its own default prior as the model has it
    between = (np.column_stack([rng.normal(*between_prior(pathway, prepared, n)[:2], size=draws)
                                for n in plan.between_links])
               if plan.between_links else np.zeros((draws, 0)))
    means = mean_inputs(pathway, exposures, area_index)
    for n in plan.endogenous:  # no baseline and no data: the intercept prior is centred at 0, not a level
        if pathway.nodes[n].baseline is None and (prepared is None or n not in prepared.levels):
            bounds[n] = None

    def forward(b: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        inputs: dict[str, np.ndarray] = {}

        def value_of(name: str, eta: np.ndarray) -> np.ndarray:
            inputs[name] = plan.kinds[name].natural(eta)
            return inputs[name]

        eta = linear_predictors(plan, {**exposures, **means}, {"intercept": intercept, "beta": b, "between": between},
                                area_terms, value_of=value_of)
        return eta, {**exposures, **{n: inputs.get(n, e) for n, e in eta.items()}}

    def shares(eta: Mapping[str, np.ndarray]) -> dict[str, tuple[float, float]]:
        out = {}
        for name, bound in bounds.items():
            if bound is None:
                continue
            value = plan.kinds[name].natural(eta[name])
            out[name] = (float(np.mean(value < bound[0])), float(np.mean(value > bound[1])))
        return out

    eta, inputs = forward(beta)
    base = shares(eta)
    levels_only = shares(forward(np.zeros_like(beta))[0])  # every link at 0: the levels' and areas' priors
    rows = []
    for name in plan.endogenous:
        bound = bounds[name]
        if bound is None:
            rows.append({"node": name, "low": np.nan, "high": np.nan, "source": "none", "binding": False,
                         "can_leave": True,
                         "outside": np.nan, "below": np.nan, "above": np.nan, "without_links": np.nan,
                         "passed": None})
            continue
        below, above = base[name]
        binding = strict or bound[2] in ("range", "plausible")
        rows.append({"node": name, "low": bound[0], "high": bound[1], "source": bound[2], "binding": binding,
                     "can_leave": _can_leave(pathway.nodes[name]),
                     "outside": below + above, "below": below, "above": above,
                     "without_links": sum(levels_only[name]),
                     "passed": (below + above <= threshold) if binding else None})
    nodes = pd.DataFrame(rows).set_index("node")

    link_rows = []
    graph = pathway.to_networkx()
    for j, link in enumerate(plan.link_names):
        parent, child = link.split(" -> ")
        zeroed = beta.copy()
        zeroed[:, j] = 0.0
        without = shares(forward(zeroed)[0])
        drops = {m: sum(base[m]) - sum(without[m]) for m in base}
        parent_node = pathway.nodes[parent]
        if parent_node.node_kind.endogenous:
            deviation = inputs[parent] - plan.centre(parent, intercept)
            centre = None
        else:
            deviation, centre = inputs[parent], plan.centres[parent]
        end_lo, end_hi, lo, hi, source = _span(pathway, parent, np.asarray(deviation), centre)
        change = beta[:, j] * (end_hi - end_lo)
        q5, q50, q95 = np.quantile(change, [0.05, 0.5, 0.95])
        bound = bounds[child]
        kind = plan.kinds[child]
        if bound is None or not _can_leave(pathway.nodes[child]):
            beyond = np.nan
        else:
            # the child at the parent's two ends: its level at typical parents (its intercept
            # draw) moved by the coefficient times the end's distance from the parent's centre
            level = intercept[:, plan.endogenous.index(child)]
            ends = np.stack([level + beta[:, j] * end_lo, level + beta[:, j] * end_hi])
            value = kind.natural(ends)
            beyond = float(np.mean(((value < bound[0]) | (value > bound[1])).any(axis=0)))
        downstream = nx.descendants(graph, parent) & set(drops)
        gains = {m: d for m, d in drops.items() if m in downstream and d > 0}
        worst = max(gains, key=gains.get) if gains else ""
        level_of_child = pathway.nodes[child].baseline
        if level_of_child is None and pathway.nodes[child].range is not None:
            level_of_child = sum(pathway.nodes[child].range) / 2
        link_rows.append({"link": link, "span_low": lo, "span_high": hi, "span_source": source,
                          "change_median": q50, "change_low": q5, "change_high": q95,
                          "natural": _natural_change(kind, pathway.nodes[child].coefficient_scale, level_of_child or 0.0,
                                                     q5, q50, q95),
                          "beyond": beyond, "responsible_for": gains.get(worst, 0.0), "worst_node": worst,
                          **{f"drop[{m}]": d for m, d in drops.items()}})
    links = pd.DataFrame(link_rows).set_index("link") if link_rows else pd.DataFrame()
    return PriorCheck(nodes=nodes, links=links, draws=draws, rows=len(area_index), threshold=threshold)
