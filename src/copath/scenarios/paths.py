r"""Effects of one node on another: the total effect, natural direct and indirect effects, and
a split of the total in proportion to link-scale path products.

Setting
-------
The source ``s`` moves from each row's own value :math:`a` (its data for an exposure or a
continuous node, its linear predictor for a count or proportion node) to
:math:`a' = a + \delta`. The *mediators*
:math:`M` are every node on a directed path from ``s`` to the target ``t`` other than the
two (descendants of ``s`` that are ancestors of ``t``), taken jointly as one block.
:math:`Y(a, m)` is the target's expected value (natural scale: a rate, a share, a mean)
with the source at :math:`a` and the mediators at :math:`m`; :math:`M(a)` is the
mediators' value when the source is :math:`a`. :math:`E` is the mean over the data rows,
weighted by the target's offset or trials as in :mod:`copath.scenarios.forward`; every
quantity below is computed per posterior draw and summarised by its posterior mean and
highest-density interval (HDI) at :data:`copath.HDI_PROB`.

Total and natural effects (nested counterfactuals)
--------------------------------------------------
.. math::

    TE   &= E[Y(a', M(a'))] - E[Y(a, M(a))]  && \text{total effect} \\
    PNDE &= E[Y(a', M(a))]  - E[Y(a, M(a))]  && \text{pure natural direct effect} \\
    TNIE &= E[Y(a', M(a'))] - E[Y(a', M(a))] && \text{total natural indirect effect} \\
    TNDE &= E[Y(a', M(a'))] - E[Y(a, M(a'))] && \text{total natural direct effect} \\
    PNIE &= E[Y(a, M(a'))]  - E[Y(a, M(a))]  && \text{pure natural indirect effect}

so :math:`TE = PNDE + TNIE = TNDE + PNIE` exactly, draw by draw (Robins & Greenland 1992,
*Epidemiology* 3:143, who named the pure and total effects; Pearl 2001, "Direct and
indirect effects", *UAI* 17:411; VanderWeele 2015, *Explanation in Causal Inference*,
chapters 2 and 5, for several mediators taken jointly). Every parent enters its children
linearly on the link scale, so under :math:`a'` a node's linear predictor moves by
:math:`\delta` times the sum over its paths from ``s`` of the products of their link
coefficients (the forward propagation of :class:`~copath.scenarios.forward.Forward`), and

.. math::

    Y(a', M(a)) = g(\eta + \delta\beta_{st}), \quad
    Y(a, M(a')) = g\big(\eta + \delta\textstyle\sum_{p \ne s \to t}\prod_{\ell\in p}\beta_\ell\big), \quad
    Y(a', M(a')) = g\big(\eta + \delta\textstyle\sum_{p}\prod_{\ell\in p}\beta_\ell\big),

with :math:`\eta` each row's baseline linear predictor of ``t`` and :math:`g` its inverse
link. With an identity link (a continuous target) PNDE = TNDE = :math:`\delta\beta_{st}`
and TNIE = PNIE = :math:`\delta` times the sum of the indirect path products; with a
nonlinear link the pure and total versions differ.

What "the mediators' value" is here. copath's structural equations pass expected values:
a count or proportion parent enters its children through its linear predictor (its
expected value on the link scale), so :math:`M(a)` is that expected value and there is no
per-unit mediator noise to integrate over; a continuous parent enters through its
observed value, which keeps its residual (abduction), so its :math:`M(a)` is the observed
value and :math:`M(a')` that value plus the change in its expectation. These are the
natural effects of the mean-structure model. If the target truly responded to realised,
noisy mediator values, a nonlinear link would make
:math:`E_{M}[g(\cdot + \beta M)] \ne g(\cdot + \beta E[M])`, and natural effects that
integrate over the mediators' noise would differ from these.

Identification. Treating all mediators as one block, the natural effects are identified
under the pathway's own assumptions (no unmeasured confounding of any link): a node the
source affects that causes both a mediator and the target lies between the two, so it is
in the block, and no exposure-induced confounder is left outside it. The natural
effects of one mediator ``m`` alone are not identified when another mediator ``l`` is
affected by the source and confounds ``m`` and the target (``l`` causes ``m`` and reaches
the target by a path avoiding ``m``): an exposure-induced mediator-outcome confounder.
Then only interventional analogues (randomised interventional effects; VanderWeele,
Vansteelandt & Robins 2014, *Epidemiology* 25:300) are identified. copath reports neither
natural nor interventional effects of single mediators; :attr:`PathEffects.induced_confounders` lists such pairs and
:meth:`PathEffects.describe` states them, because the per-path split below does not
respect that limit either.

Proportional split by path
--------------------------
The per-path figures split the natural-scale total in proportion to each path's
link-scale contribution :math:`\delta\prod_{\ell \in p}\beta_\ell`:

.. math:: \text{share}_p = TE \cdot \frac{\prod_{\ell\in p}\beta_\ell}{\sum_{q}\prod_{\ell\in q}\beta_\ell}.

They add up to the total exactly and for a continuous target they are the products
themselves, but with a nonlinear link they are neither natural direct and indirect effects
nor path-specific effects (Avin, Shpitser & Pearl 2005, *IJCAI* 19:357) nor a Shapley
split: a bookkeeping of the total, not a causal quantity of its own.

``delta`` is in the source's unit for an exposure or a continuous node, and on the
link scale (log rate or logit) for a count or proportion source.

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y, with x -> y (``cp.fit``
returns one):

>>> eff = path_effects(rec, "x", "y", delta=0.2)
>>> t = eff.table()
>>> list(t.index)[:3]
['total', 'natural direct (PNDE)', 'natural indirect (TNIE)']
>>> bool(abs(t.loc["total", "mean"] - t.loc[["x -> c -> p -> y", "x -> y"], "mean"].sum()) < 1e-9)
True
>>> bool(np.allclose(eff.pnde + eff.tnie, eff.total)), eff.mediators
(True, ('c', 'p'))
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.model.record import FitRecord
from copath.scenarios.forward import Forward, forward_of
from copath.scenarios.scenario import hdi_1d

__all__ = ["PathEffects", "path_effects", "TOTAL", "NATURAL", "PROPORTIONAL", "NATURAL_ROWS"]

#: The ``decomposition`` of the total effect's row.
TOTAL = "total effect"
#: The ``decomposition`` of the natural effects' rows.
NATURAL = "natural effect (nested counterfactuals, mediators jointly)"
#: The ``decomposition`` of the per-path rows.
PROPORTIONAL = "share of total in proportion to link-scale path products"
#: Row label of each natural effect, by attribute of :class:`PathEffects`.
NATURAL_ROWS: dict[str, str] = {
    "pnde": "natural direct (PNDE)",
    "tnie": "natural indirect (TNIE)",
    "tnde": "total natural direct (TNDE)",
    "pnie": "pure natural indirect (PNIE)",
}


@dataclass
class PathEffects:
    """The total effect of ``source`` on ``target``, its natural direct and indirect effects,
    and its split in proportion to link-scale path products (definitions and references in
    :mod:`copath.scenarios.paths`). Every array holds one value per posterior draw, in the
    target's natural unit.

    Attributes
    ----------
    total
        TE.
    proportional_split
        Path (``"a -> b -> c"``) -> its share of the total in proportion to the path's
        link-scale product of coefficients (not a natural or path-specific effect).
    pnde, tnie, tnde, pnie
        The pure natural direct, total natural indirect, total natural direct and pure
        natural indirect effects (None in a record made before they were computed).
    mediators
        The nodes on directed paths from ``source`` to ``target``, in topological order.
    induced_confounders
        Pairs ``(l, m)`` of mediators where ``l`` is affected by the source and confounds
        mediator ``m`` and the target: the natural effects through ``m`` alone are not
        identified (the joint ones are).

    Example
    -------
    >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {"x -> y": np.array([0.3, 0.5])}, "points")
    >>> eff.paths is eff.proportional_split, eff.direct.tolist()
    (True, [0.3, 0.5])
    """

    source: str
    target: str
    delta: float
    total: np.ndarray
    proportional_split: dict[str, np.ndarray]
    unit: str
    pnde: np.ndarray | None = None
    tnie: np.ndarray | None = None
    tnde: np.ndarray | None = None
    pnie: np.ndarray | None = None
    mediators: tuple[str, ...] = ()
    induced_confounders: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> dict[str, np.ndarray]:
        """The former name of :attr:`proportional_split` (kept working)."""
        return self.proportional_split

    @property
    def pathway_has_direct(self) -> bool:
        """Whether the pathway has a ``source -> target`` link (else PNDE is 0 by construction)."""
        return f"{self.source} -> {self.target}" in self.proportional_split

    @property
    def direct(self) -> np.ndarray:
        """The one-link path's share in :attr:`proportional_split` (zero without a
        ``source -> target`` link). Kept for existing code: it is not the natural direct
        effect, which is :attr:`pnde` (or :attr:`tnde`)."""
        key = f"{self.source} -> {self.target}"
        return self.proportional_split.get(key, np.zeros_like(self.total))

    def natural_effects(self) -> dict[str, np.ndarray]:
        """The natural effects that were computed, by row label of :meth:`table`.

        Returns
        -------
        dict[str, numpy.ndarray]
            ``"natural direct (PNDE)"``, ``"natural indirect (TNIE)"``, ``"total natural
            direct (TNDE)"``, ``"pure natural indirect (PNIE)"`` -> their draws; empty for a
            record made without them.

        Example
        -------
        >>> PathEffects("x", "y", 1.0, np.zeros(2), {}, "").natural_effects()
        {}
        """
        return {label: getattr(self, attr) for attr, label in NATURAL_ROWS.items()
                if getattr(self, attr) is not None}

    def table(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """One row per effect, saying which decomposition it belongs to.

        Parameters
        ----------
        prob
            Probability mass of the highest-density intervals (default
            :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``effect``: ``"total"``; the natural effects ``"natural direct
            (PNDE)"``, ``"natural indirect (TNIE)"``, ``"total natural direct (TNDE)"``,
            ``"pure natural indirect (PNIE)"``; then each path as ``"a -> b -> c"``. Columns:
            ``decomposition`` (:data:`TOTAL`, :data:`NATURAL` or :data:`PROPORTIONAL`),
            ``mean`` (posterior mean), ``hdi_low`` and ``hdi_high`` (the HDI), all in the
            target's natural unit, and ``share_of_total`` (the row's mean over the total's
            mean, NaN when that is 0: for TNIE the proportion mediated).

        Example
        -------
        >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {"x -> y": np.array([0.3, 0.5])}, "points",
        ...                   pnde=np.array([0.3, 0.5]), tnie=np.zeros(2))
        >>> eff.table()[["decomposition", "mean"]].to_dict("index")["x -> y"]
        {'decomposition': 'share of total in proportion to link-scale path products', 'mean': 0.4}
        """
        rows = []
        total_mean = float(self.total.mean())
        items = ([("total", TOTAL, self.total)]
                 + [(label, NATURAL, draws) for label, draws in self.natural_effects().items()]
                 + [(label, PROPORTIONAL, draws) for label, draws in self.proportional_split.items()])
        for label, kind, draws in items:
            lo, hi = hdi_1d(draws, prob)
            mean = float(draws.mean())
            rows.append({"effect": label, "decomposition": kind, "mean": mean, "hdi_low": lo, "hdi_high": hi,
                         "share_of_total": mean / total_mean if total_mean else float("nan")})
        return pd.DataFrame(rows).set_index("effect")

    def describe(self, prob: float = HDI_PROB) -> str:
        """Sentences: the total effect, the natural direct and indirect effects (posterior
        means and HDIs), what they assume, and the proportional split's largest paths, each
        named by its decomposition.

        Parameters
        ----------
        prob
            Probability mass of the highest-density intervals (default
            :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        str
            One paragraph per line.

        Example
        -------
        >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {"x -> y": np.array([0.3, 0.5])}, "points",
        ...                   pnde=np.array([0.3, 0.5]), tnie=np.zeros(2))
        >>> print(eff.describe().splitlines()[0])
        Total effect: a change of 1 in x (from each row's own value a to a + 1) changes y by +0.4 points (posterior mean; 94% highest-density interval +0.3 to +0.5).
        """
        t = self.table(prob)
        p = int(round(prob * 100))

        def est(label: str) -> str:
            row = t.loc[label]
            return f"{row['mean']:+.3g} ({p}% HDI {row['hdi_low']:+.3g} to {row['hdi_high']:+.3g})"

        total = t.loc["total"]
        unit = f" {self.unit}" if self.unit else ""
        lines = [f"Total effect: a change of {self.delta:g} in {self.source} (from each row's own value a to "
                 f"a + {self.delta:g}) changes {self.target} by {total['mean']:+.3g}{unit} (posterior mean; {p}% "
                 f"highest-density interval {total['hdi_low']:+.3g} to {total['hdi_high']:+.3g})."]
        if self.pnde is not None and self.tnie is not None:
            if self.mediators:
                held = ", ".join(self.mediators)
                lines.append(
                    f"Natural effects (nested counterfactuals; mediators taken jointly: {held}): natural direct "
                    f"effect (PNDE, {self.source} changed with the mediators held at their values under a) "
                    f"{est(NATURAL_ROWS['pnde'])}; natural indirect effect (TNIE, through the mediators) "
                    f"{est(NATURAL_ROWS['tnie'])}; PNDE + TNIE = the total. They are effects in the mean-structure "
                    "model: a count or proportion mediator acts through its expected value, a continuous one "
                    "through its observed value, so no mediator noise is integrated over."
                    + ("" if self.pathway_has_direct else
                       f" There is no direct link {self.source} -> {self.target}, so the natural direct effect is "
                       "0 by construction, not an estimate."))
            else:
                lines.append(f"No node lies between {self.source} and {self.target}: the natural direct effect "
                             "(PNDE) is the total and the natural indirect effect (TNIE) is 0.")
        for confounder, mediator in self.induced_confounders:
            lines.append(
                f"{confounder} is affected by {self.source} and confounds {mediator} and {self.target} (an "
                f"exposure-induced mediator-outcome confounder): the joint natural effects above are identified "
                f"under the pathway's assumptions, "
                f"but effects through {mediator} alone are not natural effects the data could identify; only "
                "interventional analogues would be (VanderWeele, Vansteelandt & Robins 2014), and copath does "
                "not compute them.")
        top = t[t["decomposition"] == PROPORTIONAL].sort_values("mean", key=np.abs, ascending=False)
        parts = "; ".join(f"{k}: {v:+.3g}" for k, v in top["mean"].head(3).items())
        lines.append(f"Split of the total in proportion to link-scale path products (a bookkeeping that adds up, "
                     f"not natural or path-specific effects): largest paths {parts}.")
        return "\n".join(lines)


def _mediators(graph: nx.DiGraph, order: list[str], source: str, target: str) -> list[str]:
    between = nx.descendants(graph, source) & nx.ancestors(graph, target)
    return [n for n in order if n in between]


def _induced_confounders(graph: nx.DiGraph, mediators: list[str], target: str) -> list[tuple[str, str]]:
    """Pairs (l, m) of mediators where l causes m and reaches the target by a path avoiding m."""
    pairs = []
    for m in mediators:
        without_m = graph.subgraph(n for n in graph if n != m)
        for ell in mediators:
            if ell != m and nx.has_path(graph, ell, m) and nx.has_path(without_m, ell, target):
                pairs.append((ell, m))
    return pairs


def _target_shifts(forward: Forward, source: str, target: str, delta: float,
                   mediators: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the change of ``target``'s linear predictor when ``source`` moves by
    ``delta``: through its own link (the source at a', mediators at M(a)) and through its
    mediator parents (the source's own link at a, mediators at M(a')). The forward
    propagation of :class:`Forward`, with every change constant over rows."""
    beta = forward.draws.beta
    n = forward.n_draws
    change = {source: np.full(n, float(delta))}
    inside = set(mediators)
    direct, indirect = np.zeros(n), np.zeros(n)
    for node in forward.plan.nodes:  # topological order
        if node.name == target:
            for link, parent in node.parents:
                if parent == source:
                    direct = direct + beta[:, link] * change[source]
                elif parent in inside:
                    indirect = indirect + beta[:, link] * change[parent]
            break
        if node.name in inside:
            d = np.zeros(n)
            for link, parent in node.parents:
                if parent in change:
                    d = d + beta[:, link] * change[parent]
            change[node.name] = d
    return direct, indirect


def path_effects(result: FitRecord, source: str, target: str, delta: float = 1.0) -> PathEffects:
    """The total effect of ``source`` on ``target``, its natural direct and indirect effects,
    and its split in proportion to link-scale path products.

    Definitions, formulas and references are in :mod:`copath.scenarios.paths`.

    Parameters
    ----------
    result
        A fitted record.
    source
        The node that changes (an exposure or an endogenous node).
    target
        An endogenous node with a directed path from ``source``.
    delta
        The change of ``source`` (a' = a + delta), in its unit for an exposure or a
        continuous node, on the link scale for a count or proportion.

    Returns
    -------
    PathEffects

    Raises
    ------
    ValueError
        For an unknown node, an exposure as target, or no directed path.

    Example
    -------
    >>> eff = path_effects(rec, "x", "p", delta=0.1)
    >>> eff.mediators, sorted(eff.proportional_split)
    (('c',), ['x -> c -> p'])
    """
    pw = result.pathway
    for node in (source, target):
        if node not in pw.nodes:
            raise ValueError(f"unknown node {node!r}")
    if not pw.nodes[target].node_kind.endogenous:
        raise ValueError(f"{target!r} is an exposure: nothing acts on it")
    graph = pw.to_networkx()
    paths = list(nx.all_simple_paths(graph, source, target))
    if not paths:
        raise ValueError(f"there is no directed path from {source!r} to {target!r}")
    forward = forward_of(result)
    beta = forward.draws.beta  # (S, L)
    link_pos = {name: i for i, name in enumerate(forward.plan.link_names)}
    contributions = {}
    for path in paths:
        prod = np.full(beta.shape[0], float(delta))
        for a, b in zip(path[:-1], path[1:], strict=True):
            prod = prod * beta[:, link_pos[f"{a} -> {b}"]]
        contributions[" -> ".join(path)] = prod
    order = list(nx.topological_sort(graph))
    mediators = _mediators(graph, order, source, target)
    direct, indirect = _target_shifts(forward, source, target, delta, mediators)
    # E[Y(a, M(a))], E[Y(a', M(a))], E[Y(a, M(a'))], E[Y(a', M(a'))] per draw, weighted over rows
    # as scenarios are
    shifts = {"aa": None, "a1a": direct, "aa1": indirect, "a1a1": direct + indirect}
    means = {k: np.empty(forward.n_draws) for k in shifts}
    rows = np.arange(forward.prepared.n_rows)
    for sl, eta in forward.baseline_eta_chunks(target):
        for k, s in shifts.items():
            value = forward.natural(target, eta if s is None else eta + s[sl, None])
            means[k][sl] = forward.average(target, value, rows)
    total = means["a1a1"] - means["aa"]
    shift = sum(contributions.values())  # (S,): direct + indirect, path by path
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.abs(shift) > 1e-300, total / shift, 0.0)
    parts = {name: ratio * c for name, c in contributions.items()}
    return PathEffects(
        source, target, float(delta), total, parts, pw.nodes[target].unit_label,
        pnde=means["a1a"] - means["aa"], tnie=means["a1a1"] - means["a1a"],
        tnde=means["a1a1"] - means["aa1"], pnie=means["aa1"] - means["aa"],
        mediators=tuple(mediators), induced_confounders=tuple(_induced_confounders(graph, mediators, target)))
