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
a binding bound (a declared range or a stated plausible bound). For each link it
reports (a) what the link is *responsible* for: how far the worst node's share outside falls
when that link's coefficient is set to 0 in every draw (the rest unchanged), and (b) what the
link's prior implies across its parent's whole span: an exposure's declared ``range`` (its
range in the data without one), an endogenous parent's central 95% of inputs. The implied
change is given on the child's link scale and naturally (a rate or odds ratio, or points),
with the share of draws in which that change alone would carry the child from its baseline
past a bound. That column is a note, not a failure: a linear link cannot hold across every
range, but a prior that implies an odds ratio of 400 across a share's 0 to 1 says more than
any evidence does. This is the prior predictive check of the Bayesian workflow (Gabry,
Simpson, Vehtari, Betancourt & Gelman 2019, *JRSS A* 182:389, section 3; Gelman et al. 2020,
"Bayesian workflow", arXiv:2011.01808, section 2.4), applied to expected values so that
measurement noise does not blur it.

Time effects (season, trend) are left out: they move every area alike and are small by
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

import numpy as np
import pandas as pd

from copath.constants import PLAUSIBLE_RATIO
from copath.display import frame_html, paragraphs, text_table
from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence, load_evidence
from copath.model.builder import AREA_SD_SCALE, intercept_prior
from copath.model.equations import linear_predictors, make_plan
from copath.model.simulate import exposure_rows
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
        (False for the advisory 20 x baseline bound), ``outside`` (share of expected values
        outside), ``below``, ``above``, ``passed`` (None where the bound is advisory).
    links
        Indexed by link: ``span_low``, ``span_high`` (the parent's span), ``span_source``,
        ``change_median``, ``change_low``, ``change_high`` (the 5%, 50% and 95% of the
        change across the span on the child's link scale), ``natural`` (what that change
        means: a ratio or points), ``beyond`` (share of draws in which the change alone
        carries the child from its baseline past a bound), ``responsible_for`` (the drop in
        the worst node's share outside when the link is set to 0) and ``worst_node``.
    draws, rows, threshold
        The settings of the check.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    draws: int
    rows: int
    threshold: float

    @property
    def passed(self) -> bool:
        """True when every node with a binding bound has at most ``threshold`` outside it."""
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
        n_binding = int(self.nodes["binding"].astype(bool).sum())
        unchecked = list(self.nodes.index[self.nodes["outside"].isna()])
        lines = []
        if self.passed:
            lines.append(f"The priors pass the prior predictive check: on each of the {n_binding} nodes with a "
                         f"declared range or plausible bound, at most {100 * self.threshold:g}% of the expected "
                         f"values over {self.draws} prior draws x {self.rows} rows fall outside it.")
        else:
            lines.append(f"The priors fail the prior predictive check on {len(self.failing)} of {n_binding} nodes "
                         "with a declared range or plausible bound: they describe worlds that cannot exist.")
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
                             + (f"; most from {why}." if why else "."))
        wide = self.links[self.links["beyond"] > 0.5]
        if len(wide):
            lines.append("Across their parent's whole span, these links' priors put the child past a bound in "
                         "most draws (a linear link extrapolated; narrow the parent's range or the prior if the "
                         "span is real):")
            for link, row in wide.iterrows():
                lines.append(f"- {link}: across {row['span_low']:.3g} to {row['span_high']:.3g} "
                             f"({row['span_source']}), {row['natural']}; beyond a bound in "
                             f"{100 * row['beyond']:.0f}% of draws.")
        if unchecked:
            lines.append("Not checked (no range, baseline or plausible bounds): " + ", ".join(unchecked) + ".")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe() + "\n\n" + text_table(self.nodes)

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
    key = pathway.index[0]
    areas_of = pd.factorize(frame[key])[0] if key in frame else np.zeros(len(frame), dtype=int)
    return out, areas_of, int(areas_of.max()) + 1 if len(areas_of) else 1


def _span(pathway: Pathway, parent: str, inputs: Mapping[str, np.ndarray]) -> tuple[float, float, str]:
    node = pathway.nodes[parent]
    if not node.node_kind.endogenous and node.range is not None:
        return float(node.range[0]), float(node.range[1]), "its range"
    x = np.asarray(inputs[parent])
    if not node.node_kind.endogenous:
        return float(np.min(x)), float(np.max(x)), "the data's range"
    lo, hi = np.quantile(x, [0.025, 0.975])
    return float(lo), float(hi), "central 95% of its prior inputs"


def _natural_change(scale: str, lo: float, mid: float, hi: float) -> str:
    if scale.startswith("log rate"):
        return f"rate ratio {np.exp(mid):.3g} (90%: {np.exp(lo):.3g} to {np.exp(hi):.3g})"
    if scale.startswith("log odds"):
        return f"odds ratio {np.exp(mid):.3g} (90%: {np.exp(lo):.3g} to {np.exp(hi):.3g})"
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
        Rows whose exposures to use (a user's own data); default: a simulated force of
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
    intercept = np.column_stack([rng.normal(*intercept_prior(pathway, n, None), size=draws)
                                 for n in plan.endogenous])
    area_terms = {}
    for name in plan.area_nodes:
        node = pathway.nodes[name]
        sd = np.abs(rng.normal(0.0, AREA_SD_SCALE * node.node_kind.unit_scale(node), size=(draws, 1)))
        area_terms[name] = (sd * rng.normal(0.0, 1.0, size=(draws, n_areas)))[:, area_index]
    bounds = {n: node_bounds(pathway, n) for n in plan.endogenous}

    def forward(b: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        inputs: dict[str, np.ndarray] = {}

        def value_of(name: str, eta: np.ndarray) -> np.ndarray:
            inputs[name] = plan.kinds[name].natural(eta)
            return inputs[name]

        eta = linear_predictors(plan, exposures, {"intercept": intercept, "beta": b}, area_terms, value_of=value_of)
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
    rows = []
    for name in plan.endogenous:
        bound = bounds[name]
        if bound is None:
            rows.append({"node": name, "low": np.nan, "high": np.nan, "source": "none", "binding": False,
                         "outside": np.nan, "below": np.nan, "above": np.nan, "passed": None})
            continue
        below, above = base[name]
        binding = strict or bound[2] in ("range", "plausible")
        rows.append({"node": name, "low": bound[0], "high": bound[1], "source": bound[2], "binding": binding,
                     "outside": below + above, "below": below, "above": above,
                     "passed": (below + above <= threshold) if binding else None})
    nodes = pd.DataFrame(rows).set_index("node")

    link_rows = []
    for j, link in enumerate(plan.link_names):
        parent, child = link.split(" -> ")
        zeroed = beta.copy()
        zeroed[:, j] = 0.0
        without = shares(forward(zeroed)[0])
        drops = {m: sum(base[m]) - sum(without[m]) for m in base}
        lo, hi, source = _span(pathway, parent, inputs)
        change = beta[:, j] * (hi - lo)
        q5, q50, q95 = np.quantile(change, [0.05, 0.5, 0.95])
        bound = bounds[child]
        kind = plan.kinds[child]
        if bound is None:
            beyond = np.nan
        else:
            centre = intercept[:, plan.endogenous.index(child)]  # the child's level in each draw
            edges = kind.link(np.array(bound[:2]))
            beyond = float(np.mean((centre + change < edges[0]) | (centre + change > edges[1])))
        worst = max(drops, key=drops.get) if drops else ""
        link_rows.append({"link": link, "span_low": lo, "span_high": hi, "span_source": source,
                          "change_median": q50, "change_low": q5, "change_high": q95,
                          "natural": _natural_change(used[link].scale, q5, q50, q95), "beyond": beyond,
                          "responsible_for": drops.get(worst, 0.0), "worst_node": worst,
                          **{f"drop[{m}]": d for m, d in drops.items()}})
    links = pd.DataFrame(link_rows).set_index("link") if link_rows else pd.DataFrame()
    return PriorCheck(nodes=nodes, links=links, draws=draws, rows=len(area_index), threshold=threshold)
