r"""Effects of one node on another: the total effect, natural direct and indirect effects, the
interventional indirect effect through each mediator, and a split of the total in proportion
to link-scale path products.

Setting
-------
The source ``s`` moves from each row's own value :math:`a` (its data for an exposure or a
continuous node, its linear predictor for a count or proportion node) to
:math:`a' = a + \delta`; or, with ``at=(a0, a1)`` (an exposure source), every row's source is
set to :math:`a = a_0` and, against it, to :math:`a' = a_1`: the average-effect contrast
:math:`E[Y(a_1)] - E[Y(a_0)]` over the rows, decomposed the same way. Every parent enters its
children linearly, so each row's linear predictors move by :math:`(a_1 - a_i)` and
:math:`(a_0 - a_i)` times the path sums below, :math:`a_i` its own value. Either way a source
value outside the node's declared range is refused, as a scenario refuses it. The *mediators*
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
linearly on the link scale (a ``link: logit`` mediator enters by its value, which bends: its
changes are then taken row by row), so under :math:`a'` a node's linear predictor moves by
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
Vansteelandt & Robins 2014, *Epidemiology* 25:300) are identified, and copath reports those
(next section), not natural effects of single mediators.
:attr:`PathEffects.induced_confounders` lists such pairs and :meth:`PathEffects.describe`
states them, because the per-path split below does not respect that limit.

Interventional indirect effects, one mediator at a time
-------------------------------------------------------
Vansteelandt & Daniel (2017, "Interventional effects for mediation analysis with multiple
mediators", *Epidemiology* 28:258), extending VanderWeele, Vansteelandt & Robins (2014),
replace each mediator's counterfactual value by a random draw :math:`G_m(a)` from its
distribution under source level :math:`a` given the baseline covariates :math:`C`, the
mediators drawn independently of each other. With the outcome :math:`Y(a, m_1, \dots, m_K)`
under the source and *every* mediator set, the indirect effect through mediator :math:`m`
shifts that mediator's draw from level :math:`a` to :math:`a'`, the source at :math:`a'` and
every other mediator drawn at the reference level :math:`a`:

.. math::

    IIE_m = E[Y(a', G_m(a'), G_{-m}(a))] - E[Y(a', G_m(a), G_{-m}(a))].

What it reduces to here. Given a row (its exposures, area, season, trend and the observed
residuals of continuous nodes: the role of :math:`C`), copath's mediators are
deterministic, so :math:`G_m(a)` is the row's :math:`M_m(a)`, the joint draw is the vector
of those values, and

.. math::

    IIE_m &= E[Y(a', M_m(a'), M_{-m}(a))] - E[Y(a', M(a))]
           = E\big[g(\eta + \delta\beta_{st} + \beta_{mt}\,\Delta_m)\big] - E\big[g(\eta + \delta\beta_{st})\big], \\
    \Delta_m &= M_m(a') - M_m(a) = \delta\textstyle\sum_{p:\, s \to \dots \to m}\prod_{\ell\in p}\beta_\ell,

with :math:`\beta_{mt} = 0` when ``m`` has no link into the target: setting every mediator
cuts the links between them, so :math:`IIE_m` carries exactly the paths whose last step is
:math:`m \to t` (from ``s`` along any route into ``m``, including through other mediators),
and a mediator that reaches the target only through later mediators has :math:`IIE_m = 0`;
its influence is in those later mediators' effects. So it is not "every path through
``m``": in the chain s -> l -> m -> y with l -> y, :math:`IIE_l` is the path s -> l -> y and
:math:`IIE_m` the paths s -> m -> y and s -> l -> m -> y. The interventional direct effect
:math:`E[Y(a', G_M(a))] - E[Y(a, G_M(a))]` is PNDE, the interventional total is TE, and

.. math::

    TE = PNDE + \textstyle\sum_m IIE_m + R, \qquad R = TNIE - \textstyle\sum_m IIE_m.

In the papers :math:`R` is the indirect effect through the mediators' mutual dependence
(joint against independent draws), which with these definitions also takes up the
mediators' interaction on the outcome's scale. Given a row the mediators are point masses,
so joint and independent draws coincide and the dependence part is exactly 0: here
:math:`R` is the interaction alone,
:math:`R = E[g(\eta + d + \sum_m x_m)] - E[g(\eta + d)] - \sum_m (E[g(\eta + d + x_m)] - E[g(\eta + d)])`
with :math:`d = \delta\beta_{st}`, :math:`x_m = \beta_{mt}\Delta_m`. It is 0 with an
identity link (a continuous target without a declared range that clips it), where
:math:`IIE_m = \beta_{mt}\Delta_m` is the sum of the products of the paths ending in
:math:`m \to t`, and 0 when only one mediator enters the target; with a log or logit link
and two or more mediators entering the target it is not.

How this differs from the papers' estimand, and what it assumes.

* The papers draw :math:`G_m(a)` from the mediator's distribution given pre-exposure
  covariates, integrating over mediator noise; copath conditions on the whole row, with the
  continuous mediators' observed residuals held fixed and count or proportion mediators
  acting through their expected values. With an identity-link target the two agree; with a
  log or logit target and noisy mediators they differ, as the natural effects do (above).
* Given the row, :math:`IIE_m` is numerically the path-specific effect of the paths ending
  in :math:`m \to t` with the other mediators at :math:`M(a)`, and it rests on the same
  assumptions as every copath effect: the links as drawn (which fixes the mediators' order
  and leaves no unmeasured common cause of two mediators) and no unmeasured confounding of
  any link. The papers identify their estimand without the natural effects' cross-world
  assumption, so also when another mediator is an exposure-induced confounder of ``m`` and
  the target, and whatever the mediators' order; copath's numbers inherit that only in the
  sense that they are what the fitted equations imply, and match the papers' estimand only
  for an identity-link target.
* The contrast is a shift of each row's own source value by :math:`\delta`, averaged with
  the target's weights, or, with ``at=(a0, a1)``, the papers' :math:`a^*` against :math:`a`:
  every row's source set to :math:`a_0`, then to :math:`a_1`.
* This is a variant of Vansteelandt & Daniel's definition, with every other mediator at the
  reference level :math:`a`. Their own decomposition is sequential: with mediators in causal
  order, the effect through a later mediator holds the earlier ones at :math:`a'`
  (:math:`IIE_{M_1} = E[Y(a', G_1(a'), G_2(a))] - E[Y(a', G_1(a), G_2(a))]`,
  :math:`IIE_{M_2} = E[Y(a', G_1(a'), G_2(a'))] - E[Y(a', G_1(a'), G_2(a))]`), so the
  interaction lands in the later mediators' effects, the remainder is the mutual dependence
  alone (0 here) and the split depends on the order. With an identity link the two agree;
  with a log or logit link and two or more mediators entering the target they differ by how
  :math:`R` is shared out. copath keeps the others at :math:`a` so that the split does not
  depend on an order and :math:`R` shows the interaction in one place.

Proportional split by path
--------------------------
The per-path figures split the natural-scale total in proportion to each path's
link-scale contribution :math:`\delta\prod_{\ell \in p}\beta_\ell`:

.. math:: \text{share}_p = TE \cdot \frac{\prod_{\ell\in p}\beta_\ell}{\sum_{q}\prod_{\ell\in q}\beta_\ell}.

Through a mediator with ``link: logit`` (a scaled logit) the coefficient into it is per logit
unit and its children's per point, so the product carries the mediator's points per logit
unit at its baseline, :math:`(hi - lo)\,p(1 - p)` averaged over rows (the delta method), and
the split is then approximate. They add up to the total exactly and for a continuous target
with identity-link mediators they are the products themselves, but with a nonlinear link they are neither natural direct and indirect effects
nor path-specific effects (Avin, Shpitser & Pearl 2005, *IJCAI* 19:357) nor a Shapley
split: a bookkeeping of the total, not a causal quantity of its own.

Shares of the total
-------------------
``share_of_total`` is a part's mean over the total's mean; for TNIE it is the *proportion
mediated*. It reads as a proportion only when the parts of its decomposition (PNDE and TNIE;
TNDE and PNIE; the paths of the split; PNDE, the interventional indirect effects and the
remainder) share a sign: when they pull in opposite directions each is larger than the total
it is divided by, a "proportion" of 2.3 or of -1.3 that measures nothing (VanderWeele 2015,
chapter 2, advises against reporting it then). So copath gives the shares of a decomposition
only when its parts share a sign, and otherwise NaN, with the reason in
:meth:`PathEffects.share_notes` and :meth:`PathEffects.describe`. A part smaller than
:data:`NEGLIGIBLE_PART` of the total does not count: it cannot push another part's share
further than that outside 0-1.

``delta`` is in the source's unit for an exposure or a continuous node, and on the
link scale (log rate or logit) for a count or proportion source. A continuous mediator
with ``link: logit`` passes on the change of its scaled expit, which differs by row
(:meth:`Forward.value_change`), so the effects through it are then computed row by row.

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y, with x -> y (``cp.fit``
returns one); ``x`` is a share in [0, 1], so every row is set to 0.2 and then to 0.4 (a shift
of each row's own value by 0.2 would take rows above 0.8 out of the range, which is refused):

>>> eff = path_effects(rec, "x", "y", at=(0.2, 0.4))
>>> t = eff.table()
>>> list(t.index)[:3]
['total', 'natural direct (PNDE)', 'natural indirect (TNIE)']
>>> bool(abs(t.loc["total", "mean"] - t.loc[["x -> c -> p -> y", "x -> y"], "mean"].sum()) < 1e-9)
True
>>> bool(np.allclose(eff.pnde + eff.tnie, eff.total)), eff.mediators
(True, ('c', 'p'))

Only ``p`` has a link into ``y``, so it carries the whole interventional indirect effect
(both paths end in p -> y), ``c`` none, and the remainder is 0:

>>> iie = eff.interventional()
>>> list(iie.index[:2]), float(iie.loc["c", "mean"]), bool(np.allclose(eff.interventional_indirect["p"], eff.tnie))
(['c', 'p'], 0.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.model.record import FitRecord
from copath.scenarios.forward import Forward, forward_of, held_area_means
from copath.scenarios.scenario import hdi_1d

__all__ = ["PathEffects", "path_effects", "TOTAL", "NATURAL", "PROPORTIONAL", "NATURAL_ROWS", "REMAINDER_ROW",
           "NEGLIGIBLE_PART", "INTERVENTIONAL", "shares_of_total"]

#: A part of a decomposition whose mean is under this share of the total's (in absolute value)
#: does not stop the others' shares being given when its sign differs: it moves their shares
#: outside 0-1 by at most this much (a direct effect of 0.001 against an indirect one of 0.3).
NEGLIGIBLE_PART = 0.01
#: The key of the interventional decomposition in :meth:`PathEffects.share_notes`.
INTERVENTIONAL = "interventional indirect effects"

#: The ``decomposition`` of the total effect's row.
TOTAL = "total effect"
#: The ``decomposition`` of the natural effects' rows.
NATURAL = "natural effect (nested counterfactuals, mediators jointly)"
#: The ``decomposition`` of the per-path rows.
PROPORTIONAL = "share of total in proportion to link-scale path products"
#: Row label of the remainder in :meth:`PathEffects.interventional` (not a node name: it
#: is in parentheses).
REMAINDER_ROW = "(remainder: mediators' interaction)"
#: Row label of each natural effect, by attribute of :class:`PathEffects`.
NATURAL_ROWS: dict[str, str] = {
    "pnde": "natural direct (PNDE)",
    "tnie": "natural indirect (TNIE)",
    "tnde": "total natural direct (TNDE)",
    "pnie": "pure natural indirect (PNIE)",
}


def shares_of_total(parts: dict[str, float], total: float, what: str) -> tuple[dict[str, float], str | None]:
    """Each part's share of the total, or NaN for all with the reason, when the parts do not share a sign.

    Parameters
    ----------
    parts
        Label -> the part's posterior mean (the parts add up to the total).
    total
        The total's posterior mean.
    what
        The decomposition, for the reason (``"the natural effects"``).

    Returns
    -------
    shares : dict[str, float]
        Label -> mean / total, or NaN.
    reason : str or None
        Why the shares are NaN, short: ``"<what>: parts of opposite signs (<part> <mean>, ...;
        total <mean>)"`` or ``"<what>: the total is 0"`` (None when they are given).

    Example
    -------
    >>> shares_of_total({"PNDE": 0.25, "TNIE": 0.75}, 1.0, "the natural effects")
    ({'PNDE': 0.25, 'TNIE': 0.75}, None)
    >>> shares, why = shares_of_total({"PNDE": -0.4, "TNIE": 0.7}, 0.3, "the natural effects")
    >>> shares["TNIE"], why
    (nan, 'the natural effects: parts of opposite signs (TNIE +0.7, PNDE -0.4; total +0.3)')
    """
    nan = float("nan")
    if not total:
        return dict.fromkeys(parts, nan), f"{what}: the total is 0"
    counted = {k: v for k, v in parts.items() if abs(v) >= NEGLIGIBLE_PART * abs(total)}
    up = [k for k, v in counted.items() if v > 0]
    down = [k for k, v in counted.items() if v < 0]
    if up and down:
        listing = ", ".join(f"{k} {counted[k]:+.3g}" for k in [*up, *down])
        return dict.fromkeys(parts, nan), f"{what}: parts of opposite signs ({listing}; total {total:+.3g})"
    return {k: v / total for k, v in parts.items()}, None


@dataclass
class PathEffects:
    """The total effect of ``source`` on ``target``, its natural direct and indirect effects,
    the interventional indirect effect through each mediator, and its split in proportion to
    link-scale path products (definitions and references in :mod:`copath.scenarios.paths`).
    Every array holds one value per posterior draw, in the target's natural unit.

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
        identified (the joint ones are, and so are the interventional ones below).
    interventional_indirect
        Mediator -> its interventional indirect effect :math:`IIE_m` (Vansteelandt & Daniel
        2017): ``m`` moved from its value under a to its value under a', the source at a'
        and every other mediator at its value under a. Zero for a mediator without a link
        into the target. None in a record made before they were computed.
    interventional_remainder
        :math:`R = TNIE - \\sum_m IIE_m`, so that PNDE + the interventional indirect
        effects + R = TE: the mediators' interaction on the target's natural scale (0 with
        an identity link; the mediators' mutual dependence, the other part of this term in
        the papers, is 0 in copath's mean-structure model).
    enters_target
        The mediators with a link into the target (the others' interventional indirect
        effects are 0 by construction).
    at
        ``(a0, a1)`` for an average-effect contrast (every row's source set to ``a0``
        against every row's set to ``a1``; ``delta`` is then ``a1 - a0``), None for a shift of
        each row's own value by ``delta``.

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
    interventional_indirect: dict[str, np.ndarray] | None = None
    interventional_remainder: np.ndarray | None = None
    enters_target: tuple[str, ...] = ()
    at: tuple[float, float] | None = None
    #: the assumption on the ``within: true`` links on the paths (area means held at the data's;
    #: :func:`copath.scenarios.forward.held_area_means`), '' when none is on them
    held_means: str = ""

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

    def interventional(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """The interventional indirect effect through each mediator, one row per mediator,
        and the remainder that closes the sum (definitions in :mod:`copath.scenarios.paths`).

        Parameters
        ----------
        prob
            Probability mass of the highest-density intervals (default
            :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``mediator``: each mediator in topological order, then
            :data:`REMAINDER_ROW`. Columns: ``enters_target`` (whether the mediator has a link
            into the target; False on the remainder row), ``mean`` (posterior mean),
            ``hdi_low`` and ``hdi_high`` (the HDI), in the target's natural unit, and
            ``share_of_total`` (the row's mean over the total effect's mean; NaN for every row
            when that is 0 or when PNDE, the rows and the remainder do not share a sign:
            :meth:`share_notes`). PNDE plus the rows' means is the total's mean. No rows when the effects were
            not computed or no node lies between source and target.

        Example
        -------
        >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {}, "points", mediators=("m",),
        ...                   interventional_indirect={"m": np.array([0.1, 0.3])},
        ...                   interventional_remainder=np.zeros(2), enters_target=("m",))
        >>> eff.interventional()[["enters_target", "mean", "share_of_total"]].to_dict("index")["m"]
        {'enters_target': True, 'mean': 0.2, 'share_of_total': 0.5}
        """
        cols = ["enters_target", "mean", "hdi_low", "hdi_high", "share_of_total"]
        if not self.interventional_indirect or self.interventional_remainder is None:
            return pd.DataFrame(columns=cols, index=pd.Index([], name="mediator"))
        items = [*self.interventional_indirect.items(), (REMAINDER_ROW, self.interventional_remainder)]
        shares, _ = self._interventional_shares()
        rows = []
        for name, draws in items:
            lo, hi = hdi_1d(draws, prob)
            rows.append({"mediator": name, "enters_target": name in self.enters_target, "mean": float(draws.mean()),
                         "hdi_low": lo, "hdi_high": hi, "share_of_total": shares[name]})
        return pd.DataFrame(rows, columns=["mediator", *cols]).set_index("mediator")

    def _interventional_shares(self) -> tuple[dict[str, float], str | None]:
        items = [*(self.interventional_indirect or {}).items(), (REMAINDER_ROW, self.interventional_remainder)]
        parts = {name: float(draws.mean()) for name, draws in items if draws is not None}
        direct = {NATURAL_ROWS["pnde"]: float(self.pnde.mean())} if self.pnde is not None else {}
        shares, why = shares_of_total(direct | parts, float(self.total.mean()),
                                      "the natural direct and interventional indirect effects")
        return {k: shares[k] for k in parts}, why

    def _table_shares(self) -> tuple[dict[str, float], dict[str, str]]:
        """Each row's share of the total, by decomposition, and the reasons where NaN."""
        total = float(self.total.mean())
        nat = {label: float(d.mean()) for label, d in self.natural_effects().items()}
        out, notes = {"total": 1.0 if total else float("nan")}, {}
        for pair, key in ((("pnde", "tnie"), NATURAL), (("tnde", "pnie"), f"{NATURAL}, TNDE + PNIE")):
            labels = [NATURAL_ROWS[a] for a in pair if NATURAL_ROWS[a] in nat]
            if labels:
                names = " and ".join(label.split("(")[1].rstrip(")") for label in labels)
                shares, why = shares_of_total({k: nat[k] for k in labels}, total, f"the natural effects {names}")
                out |= shares
                if why:
                    notes[key] = why
        paths = {label: float(d.mean()) for label, d in self.proportional_split.items()}
        shares, why = shares_of_total(paths, total, "the paths of the proportional split")
        out |= shares
        if why:
            notes[PROPORTIONAL] = why
        return out, notes

    def share_notes(self) -> dict[str, str]:
        """Why a decomposition's ``share_of_total`` is NaN, by decomposition (empty when every
        share is given): its parts have opposite signs, or the total is 0 (see
        :mod:`copath.scenarios.paths`, "Shares of the total").

        Returns
        -------
        dict[str, str]
            :data:`NATURAL` (PNDE and TNIE; TNDE and PNIE under ``NATURAL + ", TNDE + PNIE"``),
            :data:`PROPORTIONAL` or :data:`INTERVENTIONAL` -> the reason.

        Example
        -------
        >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.3]), {}, "points",
        ...                   pnde=np.array([-0.4, -0.4]), tnie=np.array([0.7, 0.7]))
        >>> list(eff.share_notes()), bool(np.isnan(eff.table().loc["natural indirect (TNIE)", "share_of_total"]))
        (['natural effect (nested counterfactuals, mediators jointly)'], True)
        """
        _, notes = self._table_shares()
        if self.interventional_indirect and self.interventional_remainder is not None:
            _, why = self._interventional_shares()
            if why:
                notes[INTERVENTIONAL] = why
        return notes

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
            mean: for TNIE the proportion mediated). It is NaN for a decomposition's rows when its
            parts have opposite signs (PNDE and TNIE; TNDE and PNIE; the paths) or the total is 0,
            where it would be no proportion; :meth:`share_notes` says which and why.

        Example
        -------
        >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {"x -> y": np.array([0.3, 0.5])}, "points",
        ...                   pnde=np.array([0.3, 0.5]), tnie=np.zeros(2))
        >>> eff.table()[["decomposition", "mean"]].to_dict("index")["x -> y"]
        {'decomposition': 'share of total in proportion to link-scale path products', 'mean': 0.4}
        """
        rows = []
        shares, _ = self._table_shares()
        items = ([("total", TOTAL, self.total)]
                 + [(label, NATURAL, draws) for label, draws in self.natural_effects().items()]
                 + [(label, PROPORTIONAL, draws) for label, draws in self.proportional_split.items()])
        for label, kind, draws in items:
            lo, hi = hdi_1d(draws, prob)
            rows.append({"effect": label, "decomposition": kind, "mean": float(draws.mean()), "hdi_low": lo,
                         "hdi_high": hi, "share_of_total": shares[label]})
        return pd.DataFrame(rows).set_index("effect")

    def describe(self, prob: float = HDI_PROB) -> str:
        """Sentences: the total effect, the natural direct and indirect effects (posterior
        means and HDIs), what they assume, the interventional indirect effect through each
        mediator, and the proportional split's largest paths, each named by its decomposition.

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

        def est_of(frame: pd.DataFrame, label: str) -> str:
            row = frame.loc[label]
            return f"{row['mean']:+.3g} ({p}% HDI {row['hdi_low']:+.3g} to {row['hdi_high']:+.3g})"

        def est(label: str) -> str:
            return est_of(t, label)

        total = t.loc["total"]
        unit = f" {self.unit}" if self.unit else ""
        move = (f"setting {self.source} to {self.at[1]:g} in every row, against {self.at[0]:g} in every row "
                f"(an average-effect contrast, a = {self.at[0]:g}, a' = {self.at[1]:g}),"
                if self.at is not None else
                f"a change of {self.delta:g} in {self.source} (from each row's own value a to a + {self.delta:g})")
        lines = [f"Total effect: {move} changes {self.target} by {total['mean']:+.3g}{unit} (posterior mean; {p}% "
                 f"highest-density interval {total['hdi_low']:+.3g} to {total['hdi_high']:+.3g})."]
        if self.held_means:
            lines.append(self.held_means)
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
        if self.interventional_indirect and self.interventional_remainder is not None:
            iv = self.interventional(prob)
            via = "; ".join(f"via {m} {est_of(iv, m)}" for m in self.interventional_indirect)
            zero = [m for m in self.interventional_indirect if m not in self.enters_target]
            lines.append(
                f"Interventional indirect effects, one mediator at a time (Vansteelandt & Daniel 2017): {via}. "
                f"Each moves that mediator from its value under a to its value under a', with "
                f"{self.source} at a' and every other mediator held at its value under a, so it "
                f"counts the paths whose last step into {self.target} is from that mediator."
                + (f" {', '.join(zero)} {'has' if len(zero) == 1 else 'have'} no link into {self.target}: "
                   "0 by construction, their part is in the later mediators' effects." if zero else "")
                + f" PNDE + these + a remainder {est_of(iv, REMAINDER_ROW)} = the total. The remainder is the "
                f"mediators' interaction on {self.target}'s scale (0 with an identity link); the part for the "
                "mediators' mutual dependence it has in the papers is 0 here, as given a row the mediators carry "
                "no noise.")
        for confounder, mediator in self.induced_confounders:
            lines.append(
                f"{confounder} is affected by {self.source} and confounds {mediator} and {self.target} (an "
                f"exposure-induced mediator-outcome confounder): the joint natural effects above are identified "
                f"under the pathway's assumptions, "
                f"but effects through {mediator} alone are not natural effects the data could identify; only "
                "interventional analogues are (VanderWeele, Vansteelandt & Robins 2014)"
                + (", which are the interventional indirect effects above."
                   if self.interventional_indirect else ", and this record does not hold them."))
        share = t["share_of_total"].get(NATURAL_ROWS["tnie"], float("nan"))
        if self.mediators and np.isfinite(share):
            lines.append(f"Proportion mediated (TNIE over the total): {share:.2f}; the natural direct and indirect "
                         "effects share a sign, so it is a proportion.")
        notes = self.share_notes()
        if notes:
            lines.append(("No proportion mediated and no" if NATURAL in notes else "No")
                         + " shares of the total where a decomposition's parts pull in opposite directions (or the "
                         "total is 0): a share would fall outside 0-1 and measure no proportion (VanderWeele 2015, "
                         "chapter 2); the effects themselves stand. Not given for " + "; ".join(notes.values()) + ".")
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


def _target_shifts(forward: Forward, source: str, target: str, delta: float | np.ndarray, mediators: list[str],
                   sl: slice = slice(None), eta: dict[str, np.ndarray] | None = None,
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per draw, the change of ``target``'s linear predictor when ``source`` moves by
    ``delta``: through its own link (the source at a', mediators at M(a)), and through each
    mediator parent ``m`` (the source's own link at a, ``m`` at M_m(a'), every other
    mediator at M(a)): :math:`\\beta_{mt}` times ``m``'s change. The forward propagation of
    :class:`Forward`, with every change constant over rows; the mediator parents' changes
    add up to the shift through all of them, M(a').

    With a mediator whose children see a nonlinear function of its linear predictor (a
    continuous node with ``link: logit``, :attr:`Forward.bends`) the changes differ by row:
    given the draws ``sl`` and the baseline linear predictors ``eta`` (draws x rows), each is
    then an array of draws x rows (:meth:`Forward.value_change`), the others draws x 1. A
    ``delta`` per row (an array over the rows, rowwise only) gives draws x rows throughout."""
    beta = forward.draws.beta[sl]
    n = beta.shape[0]
    rowwise = eta is not None

    def col(v: np.ndarray) -> np.ndarray:
        return v[:, None] if rowwise else v

    if np.ndim(delta):  # a change per row (draws x rows after broadcasting)
        change = {source: np.asarray(delta, dtype=float)[None, :]}
    else:
        change = {source: col(np.full(n, float(delta)))}
    inside = set(mediators)
    direct = col(np.zeros(n))
    through: dict[str, np.ndarray] = {}
    for node in forward.plan.nodes:  # topological order
        if node.name == target:
            for link, parent in node.parents:
                if parent == source:
                    direct = direct + col(beta[:, link]) * change[source]
                elif parent in inside:
                    through[parent] = through.get(parent, 0.0) + col(beta[:, link]) * change[parent]
            break
        if node.name in inside:
            d = col(np.zeros(n))
            for link, parent in node.parents:
                if parent in change:
                    d = d + col(beta[:, link]) * change[parent]
            change[node.name] = forward.value_change(node.name, eta[node.name], d) if rowwise else d
    return direct, through


def _points_per_logit(forward, nodes: list[str], rows: np.ndarray) -> dict[str, np.ndarray]:
    r"""Per draw, each scaled-logit node's points per logit unit at its baseline, averaged over
    the rows as its mean is: :math:`(hi - lo)\,p(1 - p)`, :math:`p = \operatorname{logit}^{-1}\eta`
    (the delta method), so that a path's product of coefficients through it is in one scale."""
    out = {m: np.empty(forward.n_draws) for m in nodes}
    for sl, eta in forward.baseline_eta_chunks(None):
        for m in nodes:
            lo, hi = forward.pathway.nodes[m].range
            p = 1.0 / (1.0 + np.exp(-eta[m]))
            out[m][sl] = forward.average(m, (hi - lo) * p * (1.0 - p), rows)
    return out


def check_source_values(pathway, values: np.ndarray, source: str, what: str) -> None:
    """Refuse source values outside the node's declared range, as scenarios do.

    Parameters
    ----------
    pathway
        The pathway.
    values
        The source's values the contrast would set (NaN ignored).
    source
        The source node.
    what
        How the values came about, for the message (``"+0.5"``, ``"= 2"``).

    Raises
    ------
    ValueError
        Naming the node, the move, the first value outside and the range.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure, range: [0, 1]}\\n  y: {kind: count}\\n"
    ...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> check_source_values(pw, np.array([0.5, 1.5]), "x", "+1")
    Traceback (most recent call last):
    ...
    ValueError: x +1 gives 1.5, outside its range [0, 1]; path effects refuse values a scenario would refuse
    """
    spec = pathway.nodes[source]
    if spec.range is None:
        return
    lo, hi = spec.range
    v = np.asarray(values, dtype=float)
    bad = np.isfinite(v) & ((v < lo) | (v > hi))
    if bad.any():
        unit = f" ({spec.unit})" if spec.unit else ""
        raise ValueError(f"{source} {what} gives {v[bad][0]:g}, outside its range [{lo:g}, {hi:g}]{unit}; "
                         "path effects refuse values a scenario would refuse")


def path_effects(result: FitRecord, source: str, target: str, delta: float | None = None,
                 at: tuple[float, float] | None = None) -> PathEffects:
    """The total effect of ``source`` on ``target``, its natural direct and indirect effects,
    the interventional indirect effect through each mediator, and its split in proportion to
    link-scale path products.

    Definitions, formulas and references are in :mod:`copath.scenarios.paths`. Two contrasts:
    ``delta`` moves each row's own source value ``a`` to ``a + delta`` (a = the row's value,
    a' = a + delta); ``at=(a0, a1)`` sets every row's source to ``a0`` and, against it, to
    ``a1`` (an average-effect contrast, :math:`E[Y(a_1)] - E[Y(a_0)]` over the rows, decomposed
    the same way with a = a0 and a' = a1, each row's mediators at their values under a0 or a1).
    Both refuse source values outside its declared range, as scenarios do.

    Parameters
    ----------
    result
        A fitted record.
    source
        The node that changes (an exposure or an endogenous node; an exposure for ``at``).
    target
        An endogenous node with a directed path from ``source``.
    delta
        The change of ``source`` (a' = a + delta), in its unit for an exposure or a
        continuous node, on the link scale for a count or proportion. Default 1 when ``at``
        is not given.
    at
        ``(a0, a1)``: the two values of an exposure ``source`` set in every row.

    Returns
    -------
    PathEffects

    Raises
    ------
    ValueError
        For an unknown node, an exposure as target, no directed path, both ``delta`` and
        ``at``, ``at`` on an endogenous source, a source value outside its declared range, or a
        source that is one level indicator of a categorical exposure (``educ[mid]``: compare
        levels with ``res.scenario({"educ": "mid"})``).

    Example
    -------
    >>> eff = path_effects(rec, "x", "p", at=(0.2, 0.4))
    >>> eff.mediators, sorted(eff.proportional_split), eff.at
    (('c',), ['x -> c -> p'], (0.2, 0.4))
    >>> path_effects(rec, "x", "p", at=(0.0, 2.0))
    Traceback (most recent call last):
    ...
    ValueError: x = 2 gives 2, outside its range [0, 1]; path effects refuse values a scenario would refuse
    """
    pw = result.pathway
    for node in (source, target):
        if node not in pw.nodes:
            raise ValueError(f"unknown node {node!r}")
    if not pw.nodes[target].node_kind.endogenous:
        raise ValueError(f"{target!r} is an exposure: nothing acts on it")
    level = pw.nodes[source].level
    if level is not None:  # one indicator of a categorical exposure (spec.covariates): not settable alone
        column = source[: source.index("[")]
        raise ValueError(f"{source!r} is one level indicator of the categorical exposure {column!r}: moving it "
                         f"alone would give rows two levels at once (or none). Compare levels with scenarios "
                         f"instead, e.g. res.scenario({{{column!r}: {level!r}}}) against the data as they are")
    if at is not None and delta is not None:
        raise ValueError("give delta (a shift of each row's own value) or at=(a0, a1) (every row set to a0, then "
                         "a1), not both")
    graph = pw.to_networkx()
    paths = list(nx.all_simple_paths(graph, source, target))
    if not paths:
        raise ValueError(f"there is no directed path from {source!r} to {target!r}")
    forward = forward_of(result)
    passes = pw.nodes[source].node_kind.passes_value or not pw.nodes[source].node_kind.endogenous
    own = forward.prepared.values.get(source) if passes else None
    if at is not None:
        if pw.nodes[source].node_kind.endogenous:
            raise ValueError(f"at= sets an exposure's value in every row; {source!r} is a "
                             f"{pw.nodes[source].kind} node: use delta= (a shift of its own value)")
        try:
            a0, a1 = (float(v) for v in at)
        except (TypeError, ValueError):
            raise ValueError(f"at must be two numbers (a0, a1), got {at!r}") from None
        for a in (a0, a1):
            check_source_values(pw, np.array([a]), source, f"= {a:g}")
        own = np.asarray(own, dtype=float)
        dev0, dev1, step = a0 - own, a1 - own, a1 - a0
    else:
        delta = 1.0 if delta is None else float(delta)
        if own is not None:
            check_source_values(pw, np.asarray(own, dtype=float) + delta, source, f"{delta:+g}")
        dev0, dev1, step = 0.0, delta, delta
    beta = forward.draws.beta  # (S, L)
    link_pos = {name: i for i, name in enumerate(forward.plan.link_names)}
    contributions = {}
    for path in paths:
        prod = np.full(beta.shape[0], float(step))
        for a, b in zip(path[:-1], path[1:], strict=True):
            prod = prod * beta[:, link_pos[f"{a} -> {b}"]]
        contributions[" -> ".join(path)] = prod
    order = list(nx.topological_sort(graph))
    mediators = _mediators(graph, order, source, target)
    rows = np.arange(forward.prepared.n_rows)
    bent = [m for m in mediators if m in forward.bends]
    if bent:  # a scaled-logit mediator: its coefficient in is per logit unit, its children's per point
        slopes = _points_per_logit(forward, bent, rows)
        for name, path in zip(list(contributions), paths, strict=True):
            for m in path[1:-1]:
                if m in slopes:
                    contributions[name] = contributions[name] * slopes[m]
    chunks = _shift_chunks(forward, source, target, mediators, dev0, dev1)
    # E[Y(a, M(a))], E[Y(a', M(a))], E[Y(a, M(a'))], E[Y(a', M(a'))] per draw, weighted over rows
    # as scenarios are; then E[Y(a', M_m(a'), M_-m(a))] for each mediator parent m of the target.
    # Every shift is from the rows' own values: under a the source's own link moves the target by
    # d0 and mediator m's link by t0[m], under a' by d1 and t1[m] (all 0 under a for a delta shift)
    means: dict = {}
    through_keys: set[str] = set()
    for sl, eta, (d0, t0), (d1, t1) in chunks:
        through_keys |= set(t1)
        zero = np.zeros_like(d1)
        ind0 = sum(t0.values(), zero)
        ind1 = sum(t1.values(), zero)
        shifts = {"aa": d0 + ind0, "a1a": d1 + ind0, "aa1": d0 + ind1, "a1a1": d1 + ind1}
        shifts.update({("via", m): d1 + ind0 - t0.get(m, 0.0) + d for m, d in t1.items()})
        for k, sh in shifts.items():
            value = forward.natural(target, eta + sh)
            means.setdefault(k, np.empty(forward.n_draws))[sl] = forward.average(target, value, rows)
    total = means["a1a1"] - means["aa"]
    shift = sum(contributions.values())  # (S,): direct + indirect, path by path
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.abs(shift) > 1e-300, total / shift, 0.0)
    parts = {name: ratio * c for name, c in contributions.items()}
    tnie = means["a1a1"] - means["a1a"]
    # a mediator without a link into the target moves nothing while the others are held
    via = {m: (means[("via", m)] - means["a1a"]) if m in through_keys else np.zeros(forward.n_draws)
           for m in mediators}
    remainder = tnie - sum(via.values(), np.zeros(forward.n_draws))
    # an identity link's remainder is 0 but for rounding: show it as the 0 it is
    size = np.abs(tnie) + sum((np.abs(v) for v in via.values()), np.zeros(forward.n_draws))
    remainder = np.where(np.abs(remainder) <= 1e-12 * size, 0.0, remainder)
    return PathEffects(
        source, target, float(step), total, parts, pw.nodes[target].unit_label,
        pnde=means["a1a"] - means["aa"], tnie=tnie,
        tnde=means["a1a1"] - means["aa1"], pnie=means["aa1"] - means["aa"],
        mediators=tuple(mediators), induced_confounders=tuple(_induced_confounders(graph, mediators, target)),
        interventional_indirect=via, interventional_remainder=remainder,
        enters_target=tuple(m for m in mediators if m in through_keys),
        at=None if at is None else (a0, a1),
        held_means=held_area_means(pw, {f"{u} -> {v}" for path in paths for u, v in zip(path, path[1:])}))


def _shift_chunks(forward: Forward, source: str, target: str, mediators: list[str],
                  dev0: float | np.ndarray, dev1: float | np.ndarray):
    """Per chunk of draws: (slice, the target's baseline linear predictor (draws x rows), its
    shifts under a, its shifts under a'), each shift a pair (through the source's own link,
    {mediator parent: through it}). ``dev0`` and ``dev1`` are the source's change from each
    row's own value under a and a' (numbers, or arrays over the rows for ``at``)."""
    rowwise = bool(np.ndim(dev0) or np.ndim(dev1))
    if forward.bends & set(mediators):  # a scaled-logit mediator: its changes differ by row
        for sl, eta in forward.baseline_eta_chunks(None):
            one = _target_shifts(forward, source, target, dev1, mediators, sl, eta)
            if rowwise:
                zero = _target_shifts(forward, source, target, dev0, mediators, sl, eta)
            else:
                zero = (np.zeros_like(one[0]), {})
            yield sl, eta[target], zero, one
        return
    if not rowwise:  # a shift of every row by delta: one set of shifts per draw
        # (named apart from the loop's own below: the generator reads them lazily, per chunk)
        all_direct, all_through = _target_shifts(forward, source, target, dev1, mediators)
        for sl, eta in forward.baseline_eta_chunks(target):
            yield (sl, eta, (np.zeros((eta.shape[0], 1)), {}),
                   (all_direct[sl, None], {m: d[sl, None] for m, d in all_through.items()}))
        return
    # every change linear in the source's: per-unit shifts per draw, times each row's change
    unit_direct, unit_through = _target_shifts(forward, source, target, 1.0, mediators)

    def times(dev, sl):
        d = np.asarray(dev, dtype=float)[None, :]
        return unit_direct[sl, None] * d, {m: v[sl, None] * d for m, v in unit_through.items()}

    for sl, eta in forward.baseline_eta_chunks(target):
        yield sl, eta, times(dev0, sl), times(dev1, sl)
