r"""From evidence to a prior on each link's coefficient.

The rule, for a link ``parent -> child`` with contrast :math:`c` (the change of the
parent the evidence describes):

1. every ``effect`` entry on the link is converted to a normal estimate
   :math:`N(m_i, s_i)` on the child's effect scale (:mod:`copath.evidence.conversions`);
2. entries with a size (percentages, ratios, d, before/after counts) give the predictive
   distribution of the effect in a new setting (the user's area) under a random-effects
   model, :math:`\theta_{new} = \mu + u`, :math:`u \sim N(0, \tau^2)` (Higgins, Thompson &
   Spiegelhalter 2009, *JRSS A* 172:137), with a flat prior on :math:`\mu` and
   :math:`\tau \sim HN(t_g/\sqrt 2)` (times the node scale for slopes), where :math:`t_g`
   (:data:`TRANSPORT_SD`) is the spread of an effect between settings the strongest grade
   ``g`` of the link's entries allows. Heterogeneity, including transport to the user's
   area, is counted once, in :math:`\tau`. With one entry :math:`N(m_1, s_1)` the
   predictive has the same mean and sd as :math:`N(m_1, \sqrt{s_1^2 + t_g^2})` (it is a
   scale mixture of normals, used as that normal) (the posterior of
   :math:`\tau` is its prior, and :math:`\operatorname{Var} = s_1^2 + 2E[\tau^2]`); several are
   pooled with :func:`copath.pool_effects` and the predictive sd does not grow as
   concordant entries are added (it falls towards :math:`E[\tau^2 \mid y]^{1/2}`; for k
   identical grade-B estimates, log RR -0.3 with se 0.1: 0.180, 0.130, 0.105, 0.088,
   0.077 for k = 1 to 5). Discordant entries raise :math:`\tau`'s posterior, within its
   half-normal prior. This assumes your area is exchangeable with the studied settings:
   concordant studies then teach that settings differ little, and five identical grade-B
   studies give an sd (0.077) below the one-study spread :math:`t_B` = 0.15. Where the
   studies share a feature your area lacks (all from one country, say), that learning does
   not carry over; widen the prior by hand (``cp.fit(..., priors={link: LinkPrior(...)})``) or
   record the indirectness. Treating a grade as an allowance for how far an effect may move
   between settings follows the additive bias distributions for indirect evidence of
   Turner et al. 2009 (*JRSS A* 172:21); the values of :math:`t_g` are copath's own
   judgement, not taken from that paper. Direction-only and null entries on the same link corroborate but do not
   move a sized estimate; with no sized entry, the direction/null readings are combined
   as an equal-weight mixture, moment-matched: :math:`m = \bar m_i`,
   :math:`s^2 = \overline{s_i^2} + \operatorname{var}(m_i)` (agreeing readings keep
   their spread; disagreeing ones widen it), and widened for transport as
   :math:`s' = \sqrt{s^2 + t_g^2}`. The grade ``g`` is that of the entries that set the
   estimate (:func:`copath.evidence.registry.setting_entries`: the sized ones when there
   are any), and grades rate the study (design, then one step down for each recorded
   GRADE reason: risk of bias, inconsistency, indirectness, imprecision). A direction-only
   reading keeps grade D's spread (:data:`DIRECTION_SPREAD_GRADE`) even from a strong
   review: the study makes the sign reliable, not the size, which is copath's convention
   :math:`N(\pm 0.3, 0.2)` (:mod:`copath.evidence.conversions`). A strong null, in
   contrast, is strong evidence of a small effect and narrows with its grade;
3. the coefficient is per unit of the parent: :math:`\beta \sim N(m/c,\ s'/|c|)`.

A link with no effect entry gets the weakly-informative default
:math:`N(0, 1)` on ratio scales (:math:`N(0, \text{scale})` for slopes), divided by
:math:`|c|`, and is a weak link.

Example
-------
>>> import copath as cp
>>> pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
>>> p = prior_for(pw.link("nw_coverage", "burglary"), ev, pw)
>>> 0.74 < p.natural_quantiles([0.5])[0] < 0.84
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm, truncnorm

from copath import kinds
from copath.constants import GRADES, is_weak
from copath.errors import EvidenceError
from copath.evidence import conversions as conv
from copath.evidence.pooling import pool_effects
from copath.evidence.registry import (
    Evidence,
    EvidenceEntry,
    direction_only,
    link_entries,
    setting_entries,
    strongest,
)

if TYPE_CHECKING:  # pragma: no cover
    from copath.spec.pathway import Link, Node, Pathway

__all__ = [
    "LinkPrior",
    "prior_for",
    "priors_for",
    "entry_estimate",
    "link_sign",
    "TRANSPORT_SD",
    "DEFAULT_SD",
    "DIRECTION_SPREAD_GRADE",
]

#: The spread of an effect between settings, by strongest grade: the random-effects prior
#: tau ~ HN(t / sqrt 2) for sized entries, an sd added in quadrature for direction/null readings.
#: Rationale: Turner et al. (2009, JRSS A 172:21) elicit an additive bias distribution for
#: each study's departures from the target setting and design and add it to the study's own
#: variance; here one spread per grade stands for both (the weaker the design, the more it
#: can be biased and the less it says about your area). 0.10 on a log ratio (rate ratios
#: within about x/1.2 of the estimate for 95% of settings) for a review of controlled studies,
#: rising to 0.30 for a hypothesis; the values are copath's judgement, not that paper's.
TRANSPORT_SD: dict[str, float] = {"A": 0.10, "B": 0.15, "C": 0.20, "D": 0.25, "E": 0.30}
#: The grade whose transport spread a direction-only reading gets when its study is stronger.
DIRECTION_SPREAD_GRADE: str = "D"
#: sd of the weakly-informative default prior (ratio scales; x node scale for slopes).
DEFAULT_SD: float = 1.0


@dataclass(frozen=True)
class LinkPrior:
    """A normal prior on one link's coefficient, with where it came from.

    ``mu`` and ``sigma`` are the normal's parameters. ``sign`` fixes the coefficient's sign
    when the evidence or the spec states a direction (+1 or -1): the prior is then the
    normal truncated to that side of zero (a half-normal when ``mu`` is 0); 0 leaves the
    sign free. A value object: validated on creation, round-trips through :meth:`to_dict` /
    :meth:`from_dict` (and so through YAML/JSON).

    Example
    -------
    >>> p = LinkPrior("x -> y", mu=-0.2, sigma=0.1, scale="log rate ratio")
    >>> LinkPrior.from_dict(p.to_dict()) == p
    True
    >>> [round(q, 3) for q in p.natural_quantiles([0.5])]
    [0.819]
    >>> h = LinkPrior("x -> y", mu=0.0, sigma=1.0, scale="slope", sign=-1)   # a half-normal below 0
    >>> round(h.mean, 3), round(h.prob_below_zero(), 3), bool(np.isinf(h.logpdf(np.array([0.5])))[0])
    (-0.798, 1.0, True)
    """

    link: str
    mu: float
    sigma: float
    scale: str
    grade: str | None = None
    weak: bool = True
    sources: tuple[str, ...] = ()
    contrast: float = 1.0
    method: str = "default"
    note: str = ""
    components: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    sign: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu) and math.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(f"prior for {self.link}: need finite mu and sigma > 0, got {self.mu}, {self.sigma}")
        if self.sign not in (-1, 0, 1):
            raise ValueError(f"prior for {self.link}: sign must be -1, 0 or 1, got {self.sign!r}")
        if self.scale not in kinds.coefficient_scales():
            raise ValueError(f"prior for {self.link}: unknown scale {self.scale!r}")
        if self.grade is not None and self.grade not in GRADES:
            raise ValueError(f"prior for {self.link}: unknown grade {self.grade!r}")

    @property
    def is_ratio(self) -> bool:
        """Whether the coefficient is a log ratio (its natural scale is exp of it)."""
        return self.natural_scale != self.scale

    @property
    def natural_scale(self) -> str:
        """'rate ratio', 'odds ratio' or 'slope'."""
        return kinds.natural_effects()[self.scale]

    def softened(self) -> LinkPrior:
        """This prior with its sign left free: the normal with the sign-fixed prior's mean and
        sd (a half-normal's keeps 91% of its mass on the stated side). For a link the local
        data inform, so that data contradicting a stated direction show as a prior-data
        conflict instead of piling up at zero.

        Returns
        -------
        LinkPrior

        Example
        -------
        >>> h = LinkPrior("a -> b", 0.0, 1.0, "slope", sign=-1).softened()
        >>> round(h.mu, 3), round(h.sigma, 3), h.sign, round(h.prob_below_zero(), 2)
        (-0.798, 0.603, 0, 0.91)
        """
        if self.sign == 0:
            return self
        return replace(self, mu=self.mean, sigma=self.sd, sign=0,
                       note=f"{self.note} Sign left free (the local data inform this link): the sign-fixed "
                            "prior's mean and sd as a normal.".strip())

    def _dist(self):
        """The frozen scipy distribution: normal, or normal truncated to the sign's side."""
        if self.sign == 0:
            return norm(self.mu, self.sigma)
        lo, hi = (0.0, np.inf) if self.sign > 0 else (-np.inf, 0.0)
        return truncnorm((lo - self.mu) / self.sigma, (hi - self.mu) / self.sigma, loc=self.mu, scale=self.sigma)

    @property
    def mean(self) -> float:
        """The prior mean of the coefficient (``mu`` unless the sign is fixed)."""
        return self.mu if self.sign == 0 else float(self._dist().mean())

    @property
    def sd(self) -> float:
        """The prior sd of the coefficient (``sigma`` unless the sign is fixed)."""
        return self.sigma if self.sign == 0 else float(self._dist().std())

    def hdi(self, prob: float) -> tuple[float, float]:
        """The prior's highest-density interval of probability ``prob``.

        Parameters
        ----------
        prob
            The interval's probability.

        Returns
        -------
        tuple[float, float]
            (low, high): the central interval of a free normal; for a fixed sign, the
            narrowest interval (it starts at 0 when the density is highest there).

        Example
        -------
        >>> [round(v, 3) for v in LinkPrior("a -> b", 0.0, 1.0, "slope", sign=1).hdi(0.9)]
        [0.0, 1.645]
        """
        if self.sign == 0:
            z = float(norm.ppf(0.5 + prob / 2))
            return self.mu - z * self.sigma, self.mu + z * self.sigma
        dist = self._dist()
        lower = np.linspace(0.0, 1.0 - prob, 201)
        widths = dist.ppf(lower + prob) - dist.ppf(lower)
        i = int(np.nanargmin(widths))
        return float(dist.ppf(lower[i])), float(dist.ppf(lower[i] + prob))

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """The prior's log density at coefficient values ``x`` (-inf on the wrong side of a fixed sign).

        Parameters
        ----------
        x
            Coefficient values.

        Returns
        -------
        numpy.ndarray
            One log density per value.
        """
        return np.asarray(self._dist().logpdf(np.asarray(x, dtype=float)), dtype=float)

    def quantiles(self, qs: Sequence[float]) -> list[float]:
        """Quantiles of the coefficient (per unit of the parent).

        Parameters
        ----------
        qs
            Probabilities, each strictly between 0 and 1.

        Returns
        -------
        list[float]
            The prior's quantiles (of the truncated normal when the sign is fixed), on the
            coefficient's scale (``scale``), one per probability in ``qs``.
        """
        if self.sign == 0:
            return [float(self.mu + self.sigma * norm.ppf(q)) for q in qs]
        return [float(v) for v in self._dist().ppf(np.asarray(qs, dtype=float))]

    def natural_quantiles(self, qs: Sequence[float], per_contrast: bool = False) -> list[float]:
        """Quantiles on the natural scale (exp for ratios), per unit of the parent
        or, with ``per_contrast``, for the contrast the evidence describes.

        Parameters
        ----------
        qs
            Probabilities, each strictly between 0 and 1.
        per_contrast
            If True, multiply the coefficient by ``contrast`` before the transform, giving
            the effect of the change of the parent that the evidence describes; if False
            (default), the effect per unit of the parent.

        Returns
        -------
        list[float]
            One quantile per probability: a ratio (exp of the coefficient) on a log-ratio
            scale, else the slope itself.
        """
        factor = self.contrast if per_contrast else 1.0
        values = [v * factor for v in self.quantiles(qs)]
        return [math.exp(v) for v in values] if self.is_ratio else values

    def prob_below_zero(self) -> float:
        """P(coefficient < 0), e.g. P(rate ratio < 1).

        Returns
        -------
        float
            The prior's probability below zero, between 0 and 1 (0 or 1 when the sign is fixed).
        """
        if self.sign:
            return 1.0 if self.sign < 0 else 0.0
        return float(norm.cdf(-self.mu / self.sigma))

    def sample(self, n: int, random_seed: int | None = None) -> np.ndarray:
        """``n`` draws of the coefficient.

        Parameters
        ----------
        n
            Number of draws.
        random_seed
            Seed of the generator; None (default) for fresh entropy.

        Returns
        -------
        numpy.ndarray
            ``n`` floats drawn from the prior, on the coefficient's scale.
        """
        return self.draw(np.random.default_rng(random_seed), size=n)

    def draw(self, rng: np.random.Generator, size: int | None = None, shift: float = 0.0) -> Any:
        """Draws of the coefficient from ``rng``, the normal's mean moved by ``shift`` sds.

        Parameters
        ----------
        rng
            The generator.
        size
            How many (None: one float).
        shift
            Move the normal's mean by this many ``sigma`` (simulating a wrong prior).

        Returns
        -------
        float or numpy.ndarray
        """
        mu = self.mu + shift * self.sigma
        if self.sign == 0:
            return rng.normal(mu, self.sigma, size=size)
        moved = LinkPrior(self.link, mu, self.sigma, self.scale, sign=self.sign)._dist()
        u = rng.random(size)
        return moved.ppf(u) if size is not None else float(moved.ppf(u))

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (JSON/YAML-ready); :meth:`from_dict` reads it back.

        Returns
        -------
        dict[str, Any]
            One key per field, with ``sources`` as a list and ``components`` as a list
            of dicts.
        """
        out = asdict(self)
        out["sources"] = list(self.sources)
        out["components"] = [dict(c) for c in self.components]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkPrior:
        """A prior from :meth:`to_dict`'s mapping.

        Parameters
        ----------
        data
            Field names to values; ``link``, ``mu``, ``sigma`` and ``scale`` are required,
            other fields take their defaults. ``sources`` and ``components`` may be lists.
            It is copied, not changed.

        Returns
        -------
        LinkPrior
            The prior, validated as on creation (an unknown key raises ``TypeError``).
        """
        data = dict(data)
        data.setdefault("sign", 0)  # priors saved before signs could be fixed
        data["sources"] = tuple(data.get("sources", ()))
        data["components"] = tuple(dict(c) for c in data.get("components", ()))
        return cls(**data)

    def describe(self) -> str:
        """One sentence a reader can check.

        Returns
        -------
        str
            The link, the normal prior on its coefficient scale per unit of the parent
            (with the evidence contrast when it is not 1), its grade and sources (or that
            it is the weakly-informative default), and the 5%, 50% and 95% quantiles on
            the natural scale for the evidence contrast.

        Example
        -------
        >>> LinkPrior("a -> b", -0.24, 0.1, "log rate ratio", grade="A", weak=False,
        ...           sources=("s1",), method="single").describe()
        'a -> b: log rate ratio ~ Normal(-0.24, 0.1) per unit of the parent, grade A from s1 (rate ratio 5/50/95%: 0.667, 0.787, 0.927).'
        """
        q = self.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
        unit = "per unit of the parent" if self.contrast == 1 else f"per unit of the parent (evidence contrast {self.contrast:g})"
        origin = f"grade {self.grade} from {', '.join(self.sources)}" if self.sources else "no evidence: weakly-informative default"
        side = "" if self.sign == 0 else f" truncated to {'> 0' if self.sign > 0 else '< 0'} (sign fixed)"
        return (
            f"{self.link}: {self.scale} ~ Normal({self.mu:.3g}, {self.sigma:.3g}){side} {unit}, {origin} "
            f"({self.natural_scale} 5/50/95%: {q[0]:.3g}, {q[1]:.3g}, {q[2]:.3g})."
        )


# --------------------------------------------------------------------------- helpers
def entry_estimate(entry: EvidenceEntry, child: Node) -> conv.Estimate:
    """Convert one effect entry into ``N(mean, sd)`` on ``child``'s effect scale
    (for the link's contrast, before widening).

    Example
    -------
    >>> import copath as cp
    >>> from copath.spec.pathway import Node
    >>> e = entry_estimate(cp.load_evidence()["bennett2008_nw"], Node("burglary", "count"))
    >>> round(e.mean, 4) == round((math.log(0.84) + math.log(0.74)) / 2, 4)
    True
    """
    eff = entry.effect
    m = eff.measure
    v = eff.values
    kind = child.node_kind
    slope_scale = kind.unit_scale(child)
    where = f"entry {entry.id}"
    point_sd = conv.POINT_SD[entry.grade]

    def fail(message: str) -> EvidenceError:
        return EvidenceError(message, file=entry.source, where=where, line=entry.line)

    if m == "direction":
        sign = 1.0 if v["sign"] == "+" else -1.0
        return conv.Estimate(sign * conv.DIRECTION_MEAN, conv.DIRECTION_SD).scaled(slope_scale)
    if m == "null":
        return conv.Estimate(0.0, conv.NULL_SD).scaled(slope_scale)
    if m == "cohens_d":
        if "low" in v:
            d = conv.Estimate((v["low"] + v["high"]) / 2, (v["high"] - v["low"]) / (2 * conv.z_for(v.get("interval", 0.90))))
        else:
            d = conv.Estimate(v["value"], point_sd / (math.pi / math.sqrt(3)))
        return d.scaled(kind.d_scale(child))
    if not kind.ratio_scale:
        raise fail(f"a {m} cannot set a {kind.coefficient_scale} on {kind.name} node {child.name!r}; "
                   "use cohens_d, direction or null")
    try:
        if m == "percent_reduction":
            est = conv.percent_reduction(
                v.get("value"), v.get("low"), v.get("high"),
                interval=v.get("interval", 0.90), control=v.get("control"), point_sd=point_sd,
            )
        elif m in ("rate_ratio", "odds_ratio"):
            est = conv.ratio(v.get("value"), v.get("low"), v.get("high"), interval=v.get("interval", 0.95), point_sd=point_sd)
        elif m == "before_after":
            est = conv.before_after(v["before"], v["after"], v.get("control_before"), v.get("control_after"))
        else:
            raise fail(f"a {m} is not an effect")
        if kind.odds_scale and m != "odds_ratio" and "baseline" in v:
            mean = conv.risk_ratio_to_odds_ratio(est.mean, v["baseline"] / 100)
            est = conv.Estimate(mean, est.sd * abs(mean / est.mean) if est.mean else est.sd)
    except ValueError as err:
        raise fail(str(err)) from None
    return est


# --------------------------------------------------------------------------- priors
def _combine(
    entries: list[EvidenceEntry], estimates: list[conv.Estimate], unit_scale: float
) -> tuple[float, float, str, str]:
    """Mean and sd of the link's effect before transport widening, the method used, a note."""
    sized = [i for i, e in enumerate(entries) if e.effect.has_size]
    if len(sized) == 1:
        i = sized[0]
        extra = len(entries) - 1
        note = f"From {entries[i].id}" + (
            f"; {extra} direction/null entr{'y' if extra == 1 else 'ies'} corroborate without moving it." if extra else "."
        )
        return estimates[i].mean, estimates[i].sd, "single", note
    if len(sized) > 1:
        t = TRANSPORT_SD[strongest([entries[i].grade for i in sized])] * unit_scale
        pooled = pool_effects(
            [estimates[i].mean for i in sized], [estimates[i].sd for i in sized],
            tau_prior="half_normal", tau_scale=t / math.sqrt(2.0),
        )
        note = (
            f"Random-effects predictive for a new setting from {len(sized)} sized entries, tau ~ HN({t / math.sqrt(2):.3g}) "
            f"(tau median {pooled.tau_median:.3g}); heterogeneity and transport counted once, in tau."
        )
        return pooled.predictive_mean, pooled.predictive_sd, "pooled", note
    # only direction / null readings: an equal-weight mixture of them, moment-matched
    means = np.array([e.mean for e in estimates])
    sds = np.array([e.sd for e in estimates])
    mean = float(means.mean())
    sd = float(np.sqrt(np.mean(sds**2) + np.var(means)))
    if len(estimates) == 1:
        return mean, sd, entries[0].effect.measure, f"From {entries[0].id}."
    return mean, sd, "mixture", f"Equal-weight mixture of {len(estimates)} direction/null readings."


def prior_for(link: Link, evidence: Evidence | None, pathway: Pathway) -> LinkPrior:
    """The prior on ``link``'s coefficient from the evidence (see module docstring).

    Parameters
    ----------
    link
        A link of ``pathway``; its ``contrast`` and ``evidence`` ids are used.
    evidence
        The registry; None gives the weakly-informative default prior.
    pathway
        The pathway the link belongs to: its target node sets the coefficient scale
        and, for slopes, the unit scale.

    Returns
    -------
    LinkPrior
        Per unit of the parent. ``method`` is ``"default"`` (no effect entry),
        ``"single"``, ``"pooled"``, ``"mixture"``, or ``"direction"`` / ``"null"`` for
        one such entry alone; ``components`` holds each entry's converted estimate.

    Raises
    ------
    EvidenceError
        If an entry is missing from the registry, is not an effect, belongs to another
        link of the pathway, or cannot be converted to the child's scale.

    Example
    -------
    >>> import copath as cp
    >>> pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
    >>> p = prior_for(pw.link("worried", "qol_citizens"), ev, pw)  # Figure 1's hypothesised sign
    >>> p.method, p.weak, p.mu, p.sign
    ('hypothesis', True, 0.0, -1)
    """
    child = pathway.nodes[link.target]
    scale_name = child.node_kind.coefficient_scale
    unit_scale = child.node_kind.unit_scale(child)
    c = link.contrast
    every = link_entries(link, evidence, pathway)
    sign, sign_note = link_sign(link, every)
    entries = [e for e in every if e.effect.measure != "hypothesis"]  # a hypothesis has a sign, no size
    hypotheses = [e for e in every if e.effect.measure == "hypothesis"]
    if not entries:
        grade = strongest([e.grade for e in hypotheses])
        return LinkPrior(
            link=link.name, mu=0.0, sigma=DEFAULT_SD * unit_scale / abs(c), scale=scale_name,
            grade=grade, weak=True, sources=tuple(e.id for e in hypotheses), contrast=c,
            method="hypothesis" if sign else "default", sign=sign,
            note=("No reported size: weakly-informative default" + (f", {sign_note}" if sign else "") + "."),
        )
    estimates = [entry_estimate(e, child) for e in entries]
    components = tuple(
        {"id": e.id, "grade": e.grade, "measure": e.effect.measure, "mean": est.mean, "sd": est.sd}
        for e, est in zip(entries, estimates, strict=True)
    )
    # The grade that counts is that of the entries that set the estimate: the sized ones when
    # there are any (direction and null readings then corroborate without moving it).
    setting = setting_entries(entries)
    grade = strongest([e.grade for e in setting])
    assert grade is not None
    m, s, method, note = _combine(entries, estimates, unit_scale)
    if method == "pooled":  # its predictive already holds the spread between settings (tau)
        s_wide = s
    else:  # one entry's predictive, or direction/null readings: the spread between settings in quadrature
        # A direction says nothing about the size, however strong the study behind it: its spread
        # is never narrower than grade D's (a strong study makes the sign, not the size, reliable).
        spread = DIRECTION_SPREAD_GRADE if any(e.effect.measure == "direction" for e in setting) and (
            GRADES.index(grade) < GRADES.index(DIRECTION_SPREAD_GRADE)) else grade
        note += f" Widened for transport (grade {spread})."
        s_wide = math.hypot(s, TRANSPORT_SD[spread] * unit_scale)
    if sign:
        note += f" {sign_note[0].upper()}{sign_note[1:]}."
    return LinkPrior(
        link=link.name, mu=m / c, sigma=s_wide / abs(c), scale=scale_name, grade=grade,
        weak=is_weak(grade, direction_only=direction_only(setting)), sources=tuple(e.id for e in every), contrast=c,
        method=method, note=note, components=components, sign=sign,
    )


def link_sign(link: Link, entries: Sequence[EvidenceEntry]) -> tuple[int, str]:
    """The sign a link's coefficient is fixed to, and why: +1 or -1 when the spec's
    ``direction`` and every direction or hypothesis entry on the link agree and no entry
    reports a null; 0 (free) otherwise.

    Parameters
    ----------
    link
        The link (its ``direction``, if any, counts as one statement of the sign).
    entries
        The link's registry entries.

    Returns
    -------
    tuple[int, str]
        The sign (the coefficient's, per unit of the parent: a negative ``contrast`` flips
        it) and a phrase saying where it came from.

    Example
    -------
    >>> from copath.spec import Link
    >>> link_sign(Link("a", "b", direction="-"), [])
    (-1, 'sign fixed to - by the spec')
    """
    stated = [("spec", link.direction)] if link.direction else []
    stated += [(e.id, e.effect.values["sign"]) for e in entries if e.effect.measure in ("direction", "hypothesis")]
    signs = {s for _, s in stated}
    if len(signs) != 1 or any(e.effect.measure == "null" for e in entries):
        return 0, ""
    sign = (1 if signs.pop() == "+" else -1) * (1 if link.contrast > 0 else -1)
    who = ", ".join("the spec" if w == "spec" else w for w, _ in stated)
    return sign, f"sign fixed to {'+' if sign > 0 else '-'} by {who}"


def priors_for(pathway: Pathway, evidence: Evidence | None) -> dict[str, LinkPrior]:
    """Priors for every link of ``pathway``, keyed by link name, in spec order.

    Parameters
    ----------
    pathway
        The pathway whose links get priors.
    evidence
        The registry; None gives every link the weakly-informative default.

    Returns
    -------
    dict[str, LinkPrior]
        :func:`prior_for` of each link, keyed by its name (``"a -> b"``).

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> priors = priors_for(pw, cp.load_evidence())
    >>> list(priors) == pw.link_names
    True
    """
    return {link.name: prior_for(link, evidence, pathway) for link in pathway.links}
