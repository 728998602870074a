r"""From evidence to a prior on each link's coefficient.

The rule, for a link ``parent -> child`` with contrast :math:`c` (the change of the
parent the evidence describes):

1. every ``effect`` entry on the link is converted to a normal estimate
   :math:`N(y_i, s_i)` on the child's effect scale (:mod:`copath.evidence.conversions`);
2. entries with a size (percentages, ratios, d, before/after counts) and null entries (a
   null is an estimate of about zero) are pooled under a random-effects model with a bias
   term per study and a shared bias, in the spirit of the bias modelling of Turner,
   Spiegelhalter, Smith & Thompson (2009, *JRSS A* 172:21):

   .. math::

       y_i \sim N(\theta_i,\ s_i^2 + b_i^2), \qquad
       \theta_i \sim N(\mu, \tau^2), \qquad
       \tau \sim HN(\sigma_\tau), \qquad
       \theta_{new} = \mu + u + \delta,\ u \sim N(0, \tau^2),\ \delta \sim N(0, t_g^2).

   - :math:`b_i` (:data:`STUDY_BIAS_SD`) is study *i*'s own bias sd, set by its design (or
     SMS level) and a recorded risk of bias (:func:`bias_grade`); biases of different
     studies are independent, so weaker studies weigh less, make :math:`\mu` less certain,
     and average out as studies are added. Of GRADE's other reasons, imprecision is already
     in :math:`s_i`, inconsistency is what :math:`\tau` estimates, and indirectness and
     publication bias are shared by a link's studies: they lower the link's grade, which
     sets :math:`t_g`.
   - :math:`\tau`, the spread of the effect between settings, has a weakly informative
     half-normal prior that does not depend on any grade, :math:`\sigma_\tau` =
     :data:`TAU_SCALE` (0.5 on a log ratio, times the node scale for slopes; the default of
     :func:`copath.pool_effects`). Its posterior is read from the spread of the entries
     against their *reported* standard errors: a study's own bias widens :math:`\mu` but
     never explains heterogeneity away (with the bias in both, the same discordant studies
     graded weaker gave a narrower prior). An entry that is itself a review's pooled mean
     (design ``meta-analysis`` or ``systematic-review``) estimates :math:`\mu`, not one
     setting's :math:`\theta_i`, and enters without :math:`\tau^2`. With fewer than two
     study-level entries the data say nothing about :math:`\tau`: its prior is then the
     answer (:attr:`Synthesis.tau_estimated` is False), and the predictive variance for a
     new setting is :math:`s^2 + b^2 + 2E[\tau^2]` (:math:`s^2 + b^2 + E[\tau^2]` for a
     review's mean): wide, as one study in one place cannot say how much an effect varies
     between places.
   - :math:`\delta` is a bias the studies share, which no number of concordant studies can
     shrink; it is added once, after pooling, with :math:`t_g` (:data:`TRANSPORT_SD`) set by
     the link's grade ``g`` (the strongest grade of the entries that set the estimate). The
     prior sd is therefore never below :math:`t_g`, whatever the number of studies.

   The link prior is the normal with the predictive's mean and sd (the predictive is a
   scale mixture of normals over :math:`\tau`; its exact equal-tailed interval is
   :attr:`Synthesis.prediction_interval`). The pooled mean, its sd, :math:`\tau` (median and
   interval), Cochran's Q and :math:`I^2` (Higgins & Thompson 2002, only where every
   standard error was reported, not assumed) are kept as :attr:`LinkPrior.synthesis`
   (:class:`Synthesis`). The values of :math:`b` and :math:`t_g` are copath's judgement,
   not taken from Turner et al.;
3. with no sized or null entry, a link's direction readings (or, failing those, its
   hypotheses) go through the same synthesis as one estimate :math:`N(\pm 0.3, 0.2)`
   (copath's convention for a sign without a size, :mod:`copath.evidence.conversions`) of
   one setting, or of a review's mean: the best-graded reading only, as several directions
   do not tell a size; its shared spread is never narrower than grade D's
   (:data:`DIRECTION_SPREAD_GRADE`: a strong study makes the sign reliable, not the size).
   Weaker evidence therefore never gives a narrower prior: a sized review < a direction
   from a review < a sized trial < a direction from an evaluation < a hypothesis. Direction
   readings beside a sized or null entry corroborate it without moving it;
4. a stated direction (a direction or hypothesis entry, or the spec's ``direction``) is a
   belief the data may overturn: the fit uses the prior's normal itself, most of its mass
   on the stated side and some on the other. ``prior_for`` returns that soft prior, with
   the direction in ``stated``; the fit truncates it to the stated side
   (:meth:`LinkPrior.held`) only where the identification check finds a true mirror symmetry (one link
   per node without data), and reports it as assumed, not checked by the data
   (:func:`copath.model.fit.signs_where_needed`);
5. the coefficient is per unit of the parent: :math:`\beta \sim N(m/c,\ s'/|c|)`.

A link with no effect entry gets the weakly-informative default
:math:`N(0, 1)` on ratio scales (:math:`N(0, \text{scale})` for slopes), divided by
:math:`|c|`, and is a weak link (a covariate link of ``adjust:`` gets the same prior but is an
adjustment, not a weak pathway link). That is the placeholder without data: a fit puts it on the
data's scale, :math:`N(0, K \cdot 2.5\, s_y / s_x)` by rstanarm's autoscaling, where the data
give the spreads (:mod:`copath.model.autoscale`), and records the numbers in
:attr:`LinkPrior.scaled_by`.

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
from copath.constants import GRADES, HDI_PROB, expected_grade, is_weak
from copath.errors import EvidenceError
from copath.evidence import conversions as conv
from copath.evidence.pooling import pool_effects
from copath.evidence.registry import (
    Effect,
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
    "STUDY_BIAS_SD",
    "TAU_SCALE",
    "Synthesis",
    "DEFAULT_SD",
    "DIRECTION_SPREAD_GRADE",
]

#: The shared-bias sd by the link's grade, added once after pooling: the spread of a bias all
#: the studies share (one design, one country, an outcome other than the link's: GRADE's
#: indirectness and publication bias lower the grade), which no number of concordant studies
#: can shrink. (The user's area differing from the studied settings is tau's part: the area
#: is one more setting.) 0.10 on a log ratio (rate ratios within about x/1.2 of the estimate
#: for 95% of draws) for a review of controlled studies, rising to 0.30 for a hypothesis.
#: Framework: Turner et al. (2009, JRSS A 172:21), who add an elicited bias distribution to
#: each study; the values are copath's judgement, not that paper's. Times the node scale for
#: slopes.
TRANSPORT_SD: dict[str, float] = {"A": 0.10, "B": 0.15, "C": 0.20, "D": 0.25, "E": 0.30}
#: Each study's own bias sd by its grade (log-ratio units; times the node scale for slopes),
#: added to its sampling variance before pooling, so that weaker studies count for less:
#: small for a review of controlled studies or a randomised study (the residual bias of a
#: sound design), larger for an uncontrolled evaluation or survey figure, largest for
#: anecdote and hypothesis. A grade already counts the study's recorded GRADE reasons (one
#: step down each), so each reason raises the bias. copath's judgement, in the spirit of
#: Turner et al. (2009)'s internal-bias distributions.
STUDY_BIAS_SD: dict[str, float] = {"A": 0.05, "B": 0.10, "C": 0.20, "D": 0.30, "E": 0.40}
#: Half-normal scale of the between-setting sd tau (log-ratio units; times the node scale for
#: slopes): the same for every grade, and the default of :func:`copath.pool_effects`.
TAU_SCALE: float = 0.5
#: Designs whose reported effect is a pooled mean over settings (it estimates mu, not one theta_i).
REVIEW_DESIGNS: tuple[str, ...] = ("meta-analysis", "systematic-review")
#: The grade whose transport spread a direction-only reading gets when its study is stronger.
DIRECTION_SPREAD_GRADE: str = "D"
#: sd of the weakly-informative default prior (ratio scales; x node scale for slopes).
DEFAULT_SD: float = 1.0


@dataclass(frozen=True)
class Synthesis:
    """What pooling a link's entries found, on the effect scale for the evidence contrast.

    ``k`` entries; the pooled mean ``mean`` (posterior of mu) and its ``sd``; the between-setting
    sd tau (``tau_median`` and the equal-tailed ``tau_interval`` of probability ``prob``);
    Cochran's ``q`` and ``i2`` over the study-level entries (None with fewer than two, or when
    every entry is a review's pooled mean); the predictive for a new setting before the shared
    bias (``predictive_sd``); the shared-bias sd added after pooling (``transport_sd``); the
    prior's sd (``prior_sd``, the two in quadrature) and its central ``prediction_interval``
    (the exact predictive's equal-tailed interval, a mixture of normals over tau, of
    probability ``prob``); the tau prior's half-normal scale (``tau_scale``); and
    ``tau_estimated``, False when the entries cannot inform tau (one entry, or only reviews'
    means), so it stays at its prior; ``study_bias_sd``, each entry's own bias sd as applied.

    Example
    -------
    >>> s = Synthesis(k=2, mean=-0.2, sd=0.1, tau_median=0.1, tau_interval=(0.01, 0.5), q=1.2,
    ...               i2=0.17, predictive_sd=0.3, transport_sd=0.15, prior_sd=0.335,
    ...               prediction_interval=(-0.83, 0.43), prob=0.94, tau_scale=0.5)
    >>> Synthesis.from_dict(s.to_dict()) == s
    True
    """

    k: int
    mean: float
    sd: float
    tau_median: float
    tau_interval: tuple[float, float]
    q: float | None
    i2: float | None
    predictive_sd: float
    transport_sd: float
    prior_sd: float
    prediction_interval: tuple[float, float]
    prob: float
    tau_scale: float
    tau_estimated: bool = True
    study_bias_sd: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (intervals as lists); :meth:`from_dict` reads it back."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Synthesis:
        """A synthesis from :meth:`to_dict`'s mapping."""
        data = dict(data)
        for key in ("tau_interval", "prediction_interval", "study_bias_sd"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)

    def describe(self) -> str:
        """One sentence: k, pooled mean, tau, I^2 and Q, and the interval for a new setting.

        Example
        -------
        >>> Synthesis(2, -0.2, 0.1, 0.1, (0.01, 0.5), 1.2, 0.17, 0.3, 0.15, 0.335, (-0.83, 0.43), 0.94, 0.5).describe()
        'k = 2: pooled mean -0.2 (sd 0.1); tau 0.1 (94% interval 0.01 to 0.5), estimated under a half-normal(0.5) prior; I^2 17% (Higgins & Thompson), Q 1.2; shared bias sd 0.15; a new setting: 94% interval -0.83 to 0.43 (the exact predictive; the prior the fit uses is the normal with its mean and sd, 0.335).'
        """
        p = int(round(self.prob * 100))
        het = f"; I^2 {self.i2:.0%} (Higgins & Thompson), Q {self.q:.3g}" if self.i2 is not None else ""
        how = ("estimated under a half-normal" if self.tau_estimated
               else "from its prior alone (a single entry, or reviews' means only, cannot estimate it), a half-normal")
        bias = (f"; each entry's own bias sd {', '.join(f'{b:.3g}' for b in self.study_bias_sd)}"
                if self.study_bias_sd else "")
        return (f"k = {self.k}: pooled mean {self.mean:.3g} (sd {self.sd:.3g}){bias}; tau {self.tau_median:.3g} "
                f"({p}% interval {self.tau_interval[0]:.3g} to {self.tau_interval[1]:.3g}), {how}"
                f"({self.tau_scale:.3g}) prior{het}; shared bias sd {self.transport_sd:.3g}; a new setting: "
                f"{p}% interval {self.prediction_interval[0]:.3g} to {self.prediction_interval[1]:.3g} (the exact "
                f"predictive; the prior the fit uses is the normal with its mean and sd, {self.prior_sd:.3g}).")


@dataclass(frozen=True)
class LinkPrior:
    """A normal prior on one link's coefficient, with where it came from.

    ``mu`` and ``sigma`` are the normal's parameters. ``stated`` is a direction the evidence
    or the spec states (+1 or -1; 0 for none), and ``stated_by`` who states it: the normal
    leans that way and the data may overturn it. ``sign`` (+1 or -1) holds the sign fixed:
    the prior is then the normal truncated to that side of zero (a half-normal when ``mu``
    is 0); the fit sets it only where the data cannot tell the sign (:meth:`held`); 0 leaves
    the sign free. ``scaled_by`` is, for a default prior a fit put on the data's scale, the rule
    and the spreads that set its sd (:func:`copath.model.autoscale.autoscale_priors`; '' for
    the others). A value object: validated on creation, round-trips through :meth:`to_dict` /
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
    synthesis: Synthesis | None = field(default=None, compare=False)
    stated: int = 0
    stated_by: str = ""
    scaled_by: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu) and math.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(f"prior for {self.link}: need finite mu and sigma > 0, got {self.mu}, {self.sigma}")
        if self.sign not in (-1, 0, 1):
            raise ValueError(f"prior for {self.link}: sign must be -1, 0 or 1, got {self.sign!r}")
        if self.stated not in (-1, 0, 1):
            raise ValueError(f"prior for {self.link}: stated must be -1, 0 or 1, got {self.stated!r}")
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
        """This prior with its stated sign not held: the normal ``N(mu, sigma)`` itself, most of
        its mass on the stated side and some on the other, so that data against the direction
        show as a prior-data conflict instead of piling up at zero. ``stated`` and
        ``stated_by`` keep the direction.

        Returns
        -------
        LinkPrior

        Example
        -------
        >>> h = LinkPrior("a -> b", -0.3, 0.6, "slope", sign=-1).softened()
        >>> h.mu, h.sigma, h.sign, h.stated, round(h.prob_below_zero(), 2)
        (-0.3, 0.6, 0, -1, 0.69)
        """
        if self.sign == 0:
            return self
        soft = replace(self, sign=0, stated=self.sign)
        side = soft.prob_below_zero() if self.sign < 0 else 1.0 - soft.prob_below_zero()
        who = f" by {self.stated_by}" if self.stated_by else ""
        return replace(soft, note=f"{self.note} Direction {'+' if self.sign > 0 else '-'} stated{who} held softly "
                                  f"({side:.0%} of the prior on that side; the data may overturn it).".strip())

    def held(self, why: str = "") -> LinkPrior:
        """This prior with its stated direction held fixed: the normal truncated to the stated
        side, for a link whose sign the data cannot check (a true mirror symmetry).

        Parameters
        ----------
        why
            Why the data cannot check it, for the note.

        Returns
        -------
        LinkPrior
            ``sign`` set to the stated direction (unchanged when none is stated).

        Example
        -------
        >>> h = LinkPrior("a -> b", 0.3, 0.9, "slope", stated=1, stated_by="s1").held()
        >>> h.sign, h.direction_note(), round(h.prob_below_zero(), 2)
        (1, '+ assumed from s1, not checked by the data', 0.0)
        """
        side = self.sign or self.stated
        if not side:
            return self
        fixed = replace(self, sign=side, stated=side)
        return replace(fixed, note=f"{self.note} {fixed.direction_note()[2:].capitalize()}{f' ({why})' if why else ''}.")

    def direction_note(self) -> str:
        """The stated direction and how the prior holds it, in a few words ('' when none).

        Returns
        -------
        str
            ``'+ assumed from <source>, not checked by the data'`` for a sign held fixed,
            ``'+ stated by <source>, soft'`` for one the data may overturn, else ``''``.

        Example
        -------
        >>> LinkPrior("a -> b", 0.8, 0.6, "slope", stated=1, stated_by="the spec").direction_note()
        '+ stated by the spec, soft'
        """
        side = self.sign or self.stated
        if not side:
            return ""
        mark = "+" if side > 0 else "-"
        who = self.stated_by or "the evidence"
        return f"{mark} assumed from {who}, not checked by the data" if self.sign else f"{mark} stated by {who}, soft"

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
        out["synthesis"] = None if self.synthesis is None else self.synthesis.to_dict()
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
        if data.get("synthesis") is not None:  # absent in priors saved before pooling was reported
            data["synthesis"] = Synthesis.from_dict(data["synthesis"])
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
        if self.sign == 0 and self.stated:
            side = f" (direction {'+' if self.stated > 0 else '-'} held softly)"
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
    point_sd = conv.POINT_SE

    def fail(message: str) -> EvidenceError:
        return EvidenceError(message, file=entry.source, where=where, line=entry.line)

    if m in ("direction", "hypothesis"):  # a sign without a size: copath's direction reading
        sign = 1.0 if v["sign"] == "+" else -1.0
        return conv.Estimate(sign * conv.DIRECTION_MEAN, conv.DIRECTION_SD, assumed=True).scaled(slope_scale)
    if m == "null":
        return conv.Estimate(0.0, conv.NULL_SD, assumed=True).scaled(slope_scale)
    if m == "cohens_d":
        if "low" in v:
            d = conv.Estimate((v["low"] + v["high"]) / 2, (v["high"] - v["low"]) / (2 * conv.z_for(v.get("interval", 0.90))))
        else:
            d = conv.Estimate(v["value"], point_sd / (math.pi / math.sqrt(3)), assumed=True)
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
            # by the reported interval's ends (a point value's at -+1 sd): the conversion is not
            # linear; an end past the largest possible risk ratio is read at that bound
            ends = None
            z = 1.0
            if "low" in v and "high" in v:
                z = conv.z_for(v.get("interval", 0.90))
                ends = (conv.percent_reduction(v["high"], control=v.get("control")).mean,
                        conv.percent_reduction(v["low"], control=v.get("control")).mean)
            est = conv.through(est, lambda x: conv.risk_ratio_to_odds_ratio(x, v["baseline"] / 100, clip=True), z, ends)
    except ValueError as err:
        raise fail(str(err)) from None
    return est


# --------------------------------------------------------------------------- priors
def bias_grade(entry: EvidenceEntry) -> str:
    """The grade that sets a study's own bias sd (:data:`STUDY_BIAS_SD`): its design's (or SMS
    level's) starting grade, lowered for a recorded risk of bias and raised by its upgrades.

    The other GRADE reasons go elsewhere: imprecision is already in the study's standard error;
    indirectness and publication bias are shared by the studies of a link, so they lower the
    link's grade, which sets the shared-bias sd (:data:`TRANSPORT_SD`); inconsistency is what
    tau estimates.

    Parameters
    ----------
    entry
        A registry entry.

    Returns
    -------
    str
        A grade; stronger than the entry's own where its other reasons lowered that.

    Example
    -------
    >>> import copath as cp
    >>> ev = cp.load_evidence()
    >>> ev["bennett2008_nw"].grade, bias_grade(ev["bennett2008_nw"])   # indirectness is shared, not the review's own bias
    ('B', 'A')
    """
    return expected_grade(entry.design, entry.sms, [r for r in entry.downgrade if r == "risk_of_bias"], entry.upgrade)


def _design(entry: EvidenceEntry) -> str:
    return "none" if entry.effect.measure == "hypothesis" else entry.design


def synthesise(estimates: Sequence[conv.Estimate], grades: Sequence[str], designs: Sequence[str],
               grade: str, unit_scale: float = 1.0, prob: float | None = None) -> Synthesis:
    """Pool estimates into the predictive for a new setting (module docstring, rule 2).

    Parameters
    ----------
    estimates
        The entries' estimates on the effect scale (for the evidence contrast).
    grades
        Each entry's grade for its own bias sd (:func:`bias_grade`; :data:`STUDY_BIAS_SD`).
    designs
        Each entry's design: a review's pooled mean estimates mu (:data:`REVIEW_DESIGNS`).
    grade
        The grade that sets the shared-bias sd added once (:data:`TRANSPORT_SD`).
    unit_scale
        1 for log ratios; the node scale for slopes (multiplies every sd above).
    prob
        Probability of the reported intervals (default :data:`copath.constants.HDI_PROB`).

    Returns
    -------
    Synthesis
        With ``prediction_interval`` the exact predictive's equal-tailed interval (a mixture
        of normals over tau), and ``prior_sd`` its sd (the sd of the normal the prior uses).

    Example
    -------
    >>> one = synthesise([conv.Estimate(-0.3, 0.1)], ["B"], ["rct"], "B")
    >>> round(one.prior_sd, 3) == round(math.sqrt(0.1**2 + 0.1**2 + 2 * 0.5**2 + 0.15**2), 3)
    True
    >>> ten = synthesise([conv.Estimate(-0.3, 0.1)] * 10, ["B"] * 10, ["rct"] * 10, "B")
    >>> 0.15 <= ten.prior_sd < one.prior_sd
    True
    """
    prob = HDI_PROB if prob is None else prob
    reviews = [d in REVIEW_DESIGNS for d in designs]
    t = TRANSPORT_SD[grade] * unit_scale
    bias = tuple(STUDY_BIAS_SD[g] * unit_scale for g in grades)
    pooled = pool_effects([e.mean for e in estimates], [e.sd for e in estimates], tau_prior="half_normal",
                          tau_scale=TAU_SCALE * unit_scale, prob=prob, of_mean=reviews, bias_sd=bias, shared_sd=t)
    # pool_effects' Q and I^2 (study-level entries, reported errors) mean nothing where an error was assumed
    assumed = any(e.assumed for e, r in zip(estimates, reviews, strict=True) if not r)
    q, i2 = (None, None) if assumed else (pooled.q, pooled.i2)
    return Synthesis(
        k=len(estimates), mean=pooled.mean, sd=pooled.sd, tau_median=pooled.tau_median,
        tau_interval=pooled.tau_interval, q=q, i2=i2,
        predictive_sd=math.sqrt(max(pooled.predictive_sd**2 - t**2, 0.0)), transport_sd=t,
        prior_sd=pooled.predictive_sd, prediction_interval=pooled.predictive_interval,
        prob=prob, tau_scale=TAU_SCALE * unit_scale, tau_estimated=pooled.tau_estimated,
        study_bias_sd=bias)


def _combine(entries: list[EvidenceEntry], estimates: list[conv.Estimate], unit_scale: float,
             grade: str) -> tuple[Synthesis, str, str, list[int]]:
    """The synthesis that sets a link's prior, its method, a note, and the entries used."""
    used = [i for i, e in enumerate(entries) if e.effect.has_size or e.effect.measure == "null"]
    if used:
        method = "single" if len(used) == 1 else "pooled"
        shared = grade
    else:  # direction readings (or hypotheses) only: the strongest one; several do not tell a size
        ranked = sorted(range(len(entries)), key=lambda i: GRADES.index(entries[i].grade))
        used = ranked[:1]
        method = "hypothesis" if entries[used[0]].effect.measure == "hypothesis" else "direction"
        # a direction says nothing of the size however strong the study: its shared spread is
        # never narrower than grade D's (a strong study makes the sign reliable, not the size)
        shared = max(grade, DIRECTION_SPREAD_GRADE, key=GRADES.index)
    syn = synthesise([estimates[i] for i in used], [bias_grade(entries[i]) for i in used],
                     [_design(entries[i]) for i in used], shared, unit_scale)
    extra = len(entries) - len(used)
    corroborate = (f"; {extra} other entr{'y' if extra == 1 else 'ies'} corroborate without moving it"
                   if extra else "")
    who = entries[used[0]].id if len(used) == 1 else f"{len(used)} entries"
    tau = (f"tau estimated from them (median {syn.tau_median:.3g})" if syn.tau_estimated
           else f"tau from its half-normal({syn.tau_scale:.3g}) prior (median {syn.tau_median:.3g}; a single entry, "
                "or reviews' means only, cannot tell how much the effect varies between settings)")
    note = (f"Predictive for a new setting from {who}{corroborate}: each study's own bias by its design and risk of "
            f"bias, {tau}, and a shared-bias sd {syn.transport_sd:.3g} (grade {shared}) added once.")
    return syn, method, note, used


def prior_for(link: Link, evidence: Evidence | None, pathway: Pathway) -> LinkPrior:
    """The prior on ``link``'s coefficient from the evidence (see module docstring).

    Parameters
    ----------
    link
        A link of ``pathway``; its ``contrast`` is used, and its entries are those its
        ``evidence`` lists plus every registry entry whose ``link`` names it.
    evidence
        The registry; None gives the weakly-informative default prior.
    pathway
        The pathway the link belongs to: its target node sets the coefficient scale
        and, for slopes, the unit scale.

    Returns
    -------
    LinkPrior
        Per unit of the parent. ``method`` is ``"default"`` (no effect entry and no stated
        direction), ``"single"`` or ``"pooled"`` (sized and null entries), ``"direction"``
        (direction readings only) or ``"hypothesis"`` (a stated direction without evidence);
        ``components`` holds each entry's converted estimate and ``synthesis`` what pooling
        found. A stated direction is ``stated`` (+1 or -1) with ``sign`` 0: the normal leans
        that way and the data may overturn it; the fit truncates it to the stated side
        (:meth:`LinkPrior.held`) only where the data cannot tell the sign
        (:func:`copath.model.fit.signs_where_needed`).

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
    >>> p.method, p.weak, p.sign, p.stated, round(p.prob_below_zero(), 2)   # leaning below 0, not fixed there
    ('hypothesis', True, 0, -1, 0.63)
    """
    child = pathway.nodes[link.target]
    scale_name = child.node_kind.coefficient_scale
    unit_scale = child.node_kind.unit_scale(child)
    c = link.contrast
    every = link_entries(link, evidence, pathway)
    sign, sign_note = link_sign(link, every)
    stated_by = sign_note.split(" stated by ", 1)[1] if sign else ""
    entries = [e for e in every if e.effect.measure != "hypothesis"] or every
    if not entries:
        if not sign:
            return LinkPrior(link=link.name, mu=0.0, sigma=DEFAULT_SD * unit_scale / abs(c), scale=scale_name,
                             grade=None, weak=not link.covariate, sources=(), contrast=c, method="default",
                             note="No evidence: weakly-informative default.")
        # a direction stated by the spec alone: a hypothesis (grade E) of that sign
        entries = [EvidenceEntry(id="spec", citation="the spec", quote="", design="none", grade="E",
                         effect=Effect("hypothesis", {"sign": "+" if sign * (1 if c > 0 else -1) > 0 else "-"}))]
    # each entry's effect for the link's contrast: one describing another change of the parent
    # (its own ``contrast``) is rescaled, the coefficient being per unit of the parent
    estimates = [entry_estimate(e, child).scaled(c / (e.contrast or c)) for e in entries]
    components = tuple(  # none for the spec's own direction: it is no registry entry
        {"id": e.id, "grade": e.grade, "measure": e.effect.measure, "mean": est.mean, "sd": est.sd}
        for e, est in zip(entries, estimates, strict=True)
    ) if every else ()
    setting = setting_entries(entries)
    grade = strongest([e.grade for e in setting])
    assert grade is not None
    syn, method, note, _ = _combine(entries, estimates, unit_scale, grade)
    if sign:
        note += (f" {sign_note[0].upper()}{sign_note[1:]}: a soft prior leaning that way (the data may overturn it; "
                 "held fixed only where the data cannot tell the sign).")
    return LinkPrior(
        link=link.name, mu=syn.mean / c, sigma=syn.prior_sd / abs(c), scale=scale_name, grade=grade,
        weak=is_weak(grade, direction_only=direction_only(setting)),
        sources=tuple(e.id for e in every), contrast=c, method=method, note=note, components=components,
        sign=0, synthesis=syn, stated=sign, stated_by=stated_by,
    )


def link_sign(link: Link, entries: Sequence[EvidenceEntry]) -> tuple[int, str]:
    """The direction stated for a link's coefficient, and by whom: +1 or -1 when the spec's
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
    (-1, 'direction - stated by the spec')
    """
    stated = [("spec", link.direction)] if link.direction else []
    stated += [(e.id, e.effect.values["sign"]) for e in entries if e.effect.measure in ("direction", "hypothesis")]
    signs = {s for _, s in stated}
    if len(signs) != 1 or any(e.effect.measure == "null" for e in entries):
        return 0, ""
    sign = (1 if signs.pop() == "+" else -1) * (1 if link.contrast > 0 else -1)
    who = ", ".join("the spec" if w == "spec" else w for w, _ in stated)
    return sign, f"direction {'+' if sign > 0 else '-'} stated by {who}"


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
