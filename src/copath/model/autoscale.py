r"""Default priors on the data's scale, and a warning where one is tight against the data.

A link without evidence (:func:`copath.evidence.priors.prior_for`'s ``method="default"``)
gets a weakly informative normal prior centred at 0 whose sd follows the spreads of its
parent and child *in the data the fit sees*, by rstanarm's automatic prior scale
adjustment (Gabry & Goodrich, "Prior Distributions for rstanarm Models",
https://mc-stan.org/rstanarm/articles/priors.html, also at
https://cran.r-project.org/web/packages/rstanarm/vignettes/priors.html): coefficients get
"normal priors centered at 0 and with scale (standard deviation) 2.5"; "if the outcome y is
Gaussian, the prior scales [...] are multiplied by a factor of sd(y)"; "for a predictor x
with exactly two unique values, we [...] divide by the range of x", and "for a predictor x
with more than two unique values, we divide the prior scale(s) by sd(x)" (one value:
"nothing is changed"). In copath:

.. math::

    \beta_{x \to y} \sim N\!\left(0,\ K \cdot 2.5 \cdot \frac{s_y}{s_x}\right),

- :math:`s_y` is the sample sd of the child's observed values when the child has an
  identity link (a ``continuous`` node: the Gaussian case), and 1 on a log or logit link
  (counts, proportions, ``link: logit`` continuous nodes): a coefficient there is already
  per unit of the log rate or log odds;
- :math:`s_x` is the spread of the parent *as the child sees it* (its entering scale,
  :mod:`copath.model.equations`): an exposure's values, a continuous parent's observed
  values, a count parent's row log rates :math:`\log((y + 0.5)/\text{size})` and a
  proportion parent's row logits :math:`\operatorname{logit}((y + 0.5)/(n + 1))` (the
  kinds' own :meth:`~copath.kinds.NodeKind.pooled_level`, row by row). It is the range for
  a parent with two distinct values and the sample sd (``ddof=1``, as R's ``sd``) for
  more. For a ``within: true`` link (:mod:`copath.model.within`) the coefficient multiplies
  the parent's departure from its area mean, so :math:`s_x` is the spread of
  :math:`x - \bar x_a`; its between-area slope :math:`\gamma` gets its own default
  (:func:`between_prior`), never the link's evidence;
- where the data give no spread to scale by (the parent, or a continuous child, has no
  row-level data, is observed only as group aggregates, or takes one value) the link keeps
  the unit-scaled default of :func:`copath.evidence.priors.prior_for` (:math:`N(0, 1)` on
  log and logit scales, the node's ``scale`` for slopes, over ``|contrast|``), widened by
  :math:`K`: rstanarm leaves a one-valued predictor "unchanged", and a node without data has
  no scale to read (a product through it, identified only by the priors' shapes, would
  otherwise get a longer ridge: a test fit through such a node gained a divergence);
- :math:`K` widens (or narrows) every default prior at once: the spec's top-level
  ``prior_scale:``, or ``cp.fit(..., prior_scale=K)`` / ``copath fit --prior-scale K``,
  which overrides the spec's (default 1).

A count parent's row log rates are a noisy stand-in for its expected log rate, and not a
bound on its spread either way: Poisson noise widens them, while the :math:`+0.5` that keeps
a zero count finite squeezes them where counts are small (a row's log rate cannot fall below
:math:`\log(0.5/\text{size})`, so sparse data with many zeros give a spread *narrower* than
the expected log rate's, and a prior wider than rstanarm's on the true predictor). Where the
noise is all the rows can show, the parent is not scaled by it: a ``binary`` parent's row
logits are always :math:`\pm 1.10` (:math:`\operatorname{logit}(0.25)`, one trial), and a
proportion's with few trials (a mean under :data:`MIN_TRIALS` per row) are mostly the
coarse steps of :math:`(y + 0.5)/(n + 1)`, and a count's with few events (a mean under
:data:`MIN_EVENTS` per row) the steps of :math:`\log((y + 0.5)/\text{size})`; such a parent
keeps the unit default, as a parent without data does. :func:`tight_defaults` checks the result against the data.

A link the data hardly inform keeps the unit default as well: one that the identification check
would call ``weak local data`` against it (:func:`copath.model.information.assess`: a parent the
data give into a count or proportion child, whose expected contraction of the unit default is
under 10% for information from change within areas, 50% for information from the areas'
differences, in proportion between). Scaled by its spread, such a parent's prior would be far
wider than anything the data can check (an exposure varying by an sd of 0.002 would get
2.5 / 0.002 = 1,250 per unit), and the label would speak of a prior the fit does not use: on
simulated data its between-area ``local data`` label was wrong in 6 of 10 fits
(``benchmarks/results.md``, bench_identification 2026-12-07 22:42).

The priors of links with evidence are untouched; :func:`copath.priors_for` without data
still gives the unit-scaled default (:data:`copath.evidence.priors.DEFAULT_SD`), which the
fit replaces by :func:`autoscale_priors`. The rule and the numbers it used are in each
prior's ``scaled_by`` (shown in the summary, the report and ``copath fit``'s prior table).

**Tight against the data** (:func:`tight_defaults`). Each endogenous node with data is
regressed by least squares on its parents' entering values (the child on its link scale:
its values, row log rates or logits): a data-only estimate :math:`b` with standard error
:math:`s`. A ``within: true`` link's parent enters as the model has it, its departure from the
area mean beside the area mean itself (the within-between form), so :math:`b` is the
within-area estimate its prior acts on. With a normal likelihood :math:`N(b, s)` and the prior :math:`N(0, \sigma)`,
the posterior mean is :math:`b\,\sigma^2/(\sigma^2 + s^2)` (the conjugate normal update),
so the prior pulls the estimate towards 0 by

.. math::

    \text{pull} = \frac{|b|\, s}{\sigma^2 + s^2} \quad \text{standard errors.}

A default prior is *tight* when its pull exceeds :data:`TIGHT_PULL` (0.5 standard errors:
half the estimate's own uncertainty, the size of a shift a reader would notice in a
reported interval). The issue that asked for this rule had a unit-sd prior pull a
coefficient of 3.05 to 1.98 (1.6 SE); the pull formula gives 1.4 SE there at
:math:`s = 0.67`. It ignores area and time effects and the other parents' priors, so it
is a screen, not the fit's own answer; :func:`copath.model.fit.fit_model` warns
(:class:`TightPriorWarning`) naming each tight link, its pull and the ``prior_scale`` that
would bring the pull under the threshold.

Example
-------
>>> import numpy as np, pandas as pd, copath as cp
>>> from copath.model.data import prepare_data
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: continuous}\n"
...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(0, 2, 200)
>>> df = pd.DataFrame({"area": np.arange(200), "month": 1, "x": x, "y": 3 * x + rng.normal(0, 1, 200)})
>>> p = autoscale_priors(pw, prepare_data(pw, df), cp.priors_for(pw, None))["x -> y"]
>>> bool(round(p.sigma, 3) == round(2.5 * df.y.std() / df.x.std(), 3))
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from copath.evidence.priors import DEFAULT_SD, LinkPrior
from copath.model.data import PreparedData
from copath.model.information import assess, natural_unit
from copath.model.within import area_means
from copath.spec.pathway import Pathway

__all__ = ["AUTOSCALE_SD", "TIGHT_PULL", "MIN_TRIALS", "MIN_EVENTS", "between_prior", "unit_default_sd", "TightPriorWarning", "TightPrior", "Spread", "entering_values",
           "spread", "autoscale_priors", "tight_defaults", "resolve_prior_scale"]

#: rstanarm's default coefficient scale before the adjustment for the data's scales.
AUTOSCALE_SD: float = 2.5
#: The pull (in the data-only estimate's standard errors) above which a default prior is tight.
TIGHT_PULL: float = 0.5
#: Rows a node needs for the data-only regression of :func:`tight_defaults` (beyond its parents).
MIN_ROWS: int = 5
#: A proportion (or binary) parent with fewer trials per row than this on average keeps the unit
#: default: its row logits are mostly the steps of few trials, not the spread of its log odds.
MIN_TRIALS: float = 5.0
#: A count parent with fewer events per row than this on average keeps the unit default: its row
#: log rates ``log((y + 0.5) / size)`` are mostly the steps of 0, 1, 2 events, whose spread says
#: little about the spread of its expected log rate. On the flagship, road_casualties (0.06 events
#: a row) would otherwise give ``road_casualties -> qol_citizens`` a prior sd of 8.6 where the unit
#: default is 0.5; the demo's fit then split its chains between mirror-image modes of that link
#: and ``speedwatch -> road_casualties`` (R-hat 1.86, 2026-12-07).
MIN_EVENTS: float = 5.0


class TightPriorWarning(UserWarning):
    """A default prior pulls the data-only estimate of its link by more than :data:`TIGHT_PULL` SE."""


@dataclass(frozen=True)
class Spread:
    """A node's spread as its children see it: ``value``, and how it was measured (``how``:
    ``"sd"``, ``"range"`` or ``"unit"``, the node's own unit where the data cannot say)."""

    value: float
    how: str

    def describe(self, name: str) -> str:
        """``sd(x) 0.5``, ``range(x) 1`` or ``unit(x) 1``."""
        return f"{self.how}({name}) {self.value:.3g}"


def entering_values(pathway: Pathway, prepared: PreparedData, name: str) -> np.ndarray | None:
    """Node ``name``'s values on the scale its children see, one per row with data (None without).

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The data as the fit sees them (:func:`copath.model.data.prepare_data`).
    name
        A node of the pathway.

    Returns
    -------
    numpy.ndarray or None
        An exposure's values, a continuous node's observed values, a count's row log rates,
        a proportion's row logits (each row's :meth:`~copath.kinds.NodeKind.pooled_level`);
        None for a node without row-level data (absent, or observed only as group aggregates).
    """
    node = pathway.nodes[name]
    kind = node.node_kind
    if not kind.endogenous:
        v = prepared.values.get(name)
        return None if v is None else np.asarray(v, dtype=float)
    rows = prepared.observed.get(name)
    if rows is None or rows.size == 0 or name in prepared.aggregated:
        return None
    y = np.asarray(prepared.values[name], dtype=float)[rows]
    if kind.passes_value:
        return y
    size = np.broadcast_to(np.asarray(kind.size(node, prepared.values, rows), dtype=float), y.shape)
    return np.array([kind.pooled_level(float(t), float(s)) for t, s in zip(y, size, strict=True)])


def spread(values: np.ndarray | None, unit: float) -> Spread:
    """rstanarm's spread of a predictor: the range with two distinct values, the sample sd with
    more, else (one value, or no data) ``unit``.

    Parameters
    ----------
    values
        The values (NaN ignored), or None.
    unit
        The spread to use when the values cannot give one.

    Returns
    -------
    Spread

    Example
    -------
    >>> spread(np.array([0, 1, 1, 0, 1.0]), 1.0), spread(np.array([1.0, 2, 3]), 1.0).value
    (Spread(value=1.0, how='range'), 1.0)
    """
    if values is not None:
        v = values[np.isfinite(values)]
        distinct = np.unique(v)
        if distinct.size == 2:
            return Spread(float(distinct[1] - distinct[0]), "range")
        if distinct.size > 2:
            sd = float(np.std(v, ddof=1))
            if sd > 0:
                return Spread(sd, "sd")
    return Spread(float(unit), "unit")


def resolve_prior_scale(pathway: Pathway, prior_scale: float | None) -> float:
    """The factor every default prior is widened by: ``prior_scale`` when given, else the spec's.

    Example
    -------
    >>> import copath as cp
    >>> resolve_prior_scale(cp.load_pathway("calibration"), None), resolve_prior_scale(cp.load_pathway("calibration"), 3)
    (1.0, 3.0)
    """
    k = float(getattr(pathway, "prior_scale", 1.0) if prior_scale is None else prior_scale)
    if not (math.isfinite(k) and k > 0):
        raise ValueError(f"prior_scale must be a positive number, got {prior_scale!r}")
    return k


def _node_spreads(pathway: Pathway, prepared: PreparedData) -> dict[str, Spread]:
    out = {}
    for name, node in pathway.nodes.items():
        kind = node.node_kind
        values = entering_values(pathway, prepared, name)
        if values is not None and kind.endogenous and kind.odds_scale:
            rows = prepared.observed[name]
            trials = np.broadcast_to(np.asarray(kind.size(node, prepared.values, rows), dtype=float), rows.shape)
            if float(np.mean(trials)) < MIN_TRIALS:  # row logits of few trials: steps, not a spread
                values = None
        if values is not None and kind.endogenous and kind.natural_level == "rate":
            rows = prepared.observed[name]
            if rows.size and float(np.mean(prepared.values[name][rows])) < MIN_EVENTS:
                values = None  # row log rates of a few events: the +0.5's steps, not a spread
        out[name] = spread(values, kind.unit_scale(node))
    return out


def _area_split(prepared: PreparedData, parent: str) -> tuple[np.ndarray, np.ndarray]:
    """A ``within: true`` parent's departures from its area means, and the means, row by row."""
    x = np.asarray(prepared.values[parent], dtype=float)
    means = area_means(x, prepared.area_index, len(prepared.areas))[prepared.area_index]
    return x - means, means


def _child_spread(pathway: Pathway, prepared: PreparedData, child: str, spreads: Mapping[str, Spread]
                  ) -> tuple[str, float, Spread | None]:
    """The numerator s_y of a link into ``child``: its text, its value, and the child's own spread
    (None on a log or logit link, where s_y is 1)."""
    if not pathway.nodes[child].node_kind.identity_link:
        return "1 (log/logit link)", 1.0, None
    sy = spreads[child]
    if sy.how == "range":  # a child's own spread is its sd, whatever its number of values
        sy = Spread(float(np.std(entering_values(pathway, prepared, child), ddof=1)), "sd")
    return sy.describe(child), sy.value, sy


def unit_default_sd(pathway: Pathway, link: str) -> float:
    r"""The sd of a link's default prior without data (:func:`copath.evidence.priors.prior_for`):
    :data:`~copath.evidence.priors.DEFAULT_SD` times the child's unit scale, over ``|contrast|``.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
    ...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    >>> unit_default_sd(pw, "x -> y")
    1.0
    """
    source, target = link.split(" -> ")
    child = pathway.nodes[target]
    return DEFAULT_SD * child.node_kind.unit_scale(child) / abs(pathway.link(source, target).contrast)


def between_prior(pathway: Pathway, prepared: PreparedData | None, link: str,
                  prior_scale: float | None = None) -> tuple[float, float, str]:
    r"""The prior of a ``within: true`` link's between-area slope :math:`\gamma`
    (:mod:`copath.model.within`): :math:`N(0,\ K \cdot 2.5\, s_y / s_{\bar x})`, with
    :math:`s_y` as for the link's own coefficient and :math:`s_{\bar x}` the spread of the
    parent's area means over the rows (the column :math:`\gamma` multiplies), by the same
    autoscaling as the module docstring's. It is a weakly informative default whatever the
    link's evidence: the evidence describes the causal effect, while :math:`\gamma` is that
    effect plus whatever differs between areas with the area mean (confounding included).
    Without data, or without a spread to scale by, the unit default
    (:func:`unit_default_sd`) widened by :math:`K`.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The data the fit sees (None: no data, the unit default).
    link
        A ``within: true`` link's name.
    prior_scale
        :math:`K` (None: the spec's ``prior_scale``).

    Returns
    -------
    tuple[float, float, str]
        Mean (0), sd, and the rule that set the sd.

    Example
    -------
    >>> import numpy as np, pandas as pd, copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, area_effects: true}\n"
    ...                       "links:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n")
    >>> df = pd.DataFrame({"area": [0, 0, 1, 1, 2, 2], "month": [1, 2] * 3, "x": [0.0, 1, 2, 3, 4, 5],
    ...                    "y": [1, 2, 3, 4, 5, 6]})
    >>> mu, sd, rule = between_prior(pw, prepare_data(pw, df), "x -> y")
    >>> mu, bool(round(sd, 3) == round(2.5 / np.std([0.5, 0.5, 2.5, 2.5, 4.5, 4.5], ddof=1), 3))
    (0.0, True)
    """
    k = resolve_prior_scale(pathway, prior_scale)
    unit = k * unit_default_sd(pathway, link)
    widened = f"{k:g} x " if k != 1 else ""
    if prepared is None:
        return 0.0, unit, f"{widened}the unit default (no data)"
    source, target = link.split(" -> ")
    numerator, ratio, sy = _child_spread(pathway, prepared, target, _node_spreads(pathway, prepared))
    sm = spread(_area_split(prepared, source)[1], 1.0)
    if sm.how == "unit" or (sy is not None and sy.how == "unit"):
        return 0.0, unit, f"{widened}the unit default (no spread in the data to scale by)"
    sigma = k * AUTOSCALE_SD * ratio / sm.value
    return 0.0, sigma, f"{widened}2.5 x {numerator} / {sm.describe(source + ' area means')} = {sigma:.3g}"


def autoscale_priors(pathway: Pathway, prepared: PreparedData, priors: Mapping[str, LinkPrior],
                     prior_scale: float | None = None) -> dict[str, LinkPrior]:
    """The link priors with every default prior (``method="default"``) put on the data's scale
    (module docstring); the others unchanged.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The data the fit sees.
    priors
        Link priors by name (:func:`copath.priors_for`).
    prior_scale
        Widen every default prior by this factor (None: the spec's ``prior_scale``, default 1).

    Returns
    -------
    dict[str, LinkPrior]
        The same keys; a default prior gets ``sigma`` = K x 2.5 x s_y / s_x and ``scaled_by``
        saying which numbers made it.
    """
    k = resolve_prior_scale(pathway, prior_scale)
    spreads = _node_spreads(pathway, prepared)
    within = set(pathway.within_links)
    out = dict(priors)
    for link in pathway.links:
        prior = priors.get(link.name)
        if prior is None or prior.method != "default":
            continue
        numerator, ratio, sy = _child_spread(pathway, prepared, link.target, spreads)
        sx = spreads[link.source]
        if link.name in within:  # the coefficient multiplies the departure from the area mean
            sx = spread(_area_split(prepared, link.source)[0], sx.value)
        widened = f"{k:g} x " if k != 1 else ""
        if sx.how == "unit" or (sy is not None and sy.how == "unit"):
            # no spread in the data to scale by: the unit-scaled default stays, widened by K
            if k != 1:
                lacking = link.source if sx.how == "unit" else link.target
                rule = f"{widened}the unit default {prior.sigma:.3g} (no spread of {lacking} in the data to scale by)"
                out[link.name] = replace(prior, sigma=k * prior.sigma, scaled_by=rule)
            continue
        kept = _keeps_unit(pathway, prepared, link.name, prior)
        if kept:
            rule = f"{widened}the unit default {prior.sigma:.3g} ({kept})"
            out[link.name] = replace(prior, sigma=k * prior.sigma, scaled_by=rule,
                                     note=f"No evidence: weakly informative default, sd {rule}.")
            continue
        name = f"{link.source} - area mean" if link.name in within else link.source
        sigma = k * AUTOSCALE_SD * ratio / sx.value
        rule = (f"{widened}2.5 x {numerator} / {sx.describe(name)} = {sigma:.3g} "
                "(rstanarm's autoscaling on the data the fit sees)")
        out[link.name] = replace(prior, sigma=sigma, scaled_by=rule,
                                 note=f"No evidence: weakly informative default on the data's scale, sd {rule}.")
    return out


def _keeps_unit(pathway: Pathway, prepared: PreparedData, link: str, prior: LinkPrior) -> str:
    """Why a default prior keeps its unit scale although the data have spreads to scale by ('' when
    it does not): the identification check would call the link weak against the unit default
    (:func:`copath.model.information.assess`), so the fit keeps the prior the label speaks of."""
    if not natural_unit(pathway, prepared, link.split(" -> ")[0]):
        return ""  # a unit of the user's choosing: only the data's spread gives a scale
    assessed = assess(pathway, prepared, link, prior.sigma)
    if assessed is None or not assessed.weak:
        return ""
    return assessed.reason("the unit default") + "; a scale from its spread would be one the data hardly inform"


@dataclass(frozen=True)
class TightPrior:
    """A default prior tight against the data: the link, the data-only estimate and its SE,
    the prior sd, the pull in SEs, and the ``prior_scale`` that would bring the pull to
    :data:`TIGHT_PULL` (None when no widening can: the estimate itself is within the threshold
    of 0 and the prior sd is not what pulls)."""

    link: str
    estimate: float
    se: float
    prior_sd: float
    pull: float
    needed_scale: float | None

    def describe(self) -> str:
        """One line for the warning."""
        fix = f"; prior_scale {self.needed_scale:.2g} or more would bring it under {TIGHT_PULL}" \
            if self.needed_scale else ""
        return (f"{self.link}: data-only estimate {self.estimate:.3g} (SE {self.se:.2g}), default prior sd "
                f"{self.prior_sd:.3g}, pulls it {self.pull:.2f} SE towards 0{fix}")


def pull(estimate: float, se: float, prior_sd: float) -> float:
    """How far a ``N(0, prior_sd)`` prior moves a normal estimate, in its standard errors.

    Example
    -------
    >>> round(pull(3.05, 0.67, 1.0), 2)   # the issue's unit prior on a 3-12 scale
    1.41
    """
    return abs(estimate) * se / (prior_sd**2 + se**2)


def tight_defaults(pathway: Pathway, prepared: PreparedData, priors: Mapping[str, LinkPrior],
                   threshold: float = TIGHT_PULL) -> list[TightPrior]:
    """The default priors that pull their link's data-only estimate by more than ``threshold`` SE.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The data the fit sees.
    priors
        The link priors the fit uses (only the default priors copath put on the data's scale,
        ``scaled_by`` set, are checked: a prior the user gave is the user's choice).
    threshold
        The largest pull allowed, in standard errors (default :data:`TIGHT_PULL`).

    Returns
    -------
    list[TightPrior]
        In spec order. A child is checked when it and all its parents have row-level data on
        at least :data:`MIN_ROWS` more rows than parents (least squares with an intercept).
    """
    out: list[TightPrior] = []
    for child in pathway.endogenous:
        links = [link for link in pathway.links if link.target == child]
        defaults = [link for link in links if link.name in priors and priors[link.name].method == "default"
                    and priors[link.name].scaled_by and priors[link.name].sign == 0]
        if not defaults:
            continue
        fit = _least_squares(pathway, prepared, child, [link.source for link in links],
                             [link.name in pathway.within_links for link in links])
        if fit is None:
            continue
        b, se = fit
        for i, link in enumerate(links):
            if link not in defaults or not (se[i] > 0 and math.isfinite(se[i])):
                continue
            sd = priors[link.name].sigma
            moved = pull(b[i], se[i], sd)
            if moved > threshold:
                out.append(TightPrior(link.name, float(b[i]), float(se[i]), float(sd), float(moved),
                                      _needed(b[i], se[i], sd, threshold)))
    return out


def _needed(b: float, se: float, sd: float, threshold: float) -> float | None:
    """The factor on ``sd`` whose pull is ``threshold``: |b| se / (k^2 sd^2 + se^2) = t."""
    k2 = (abs(b) * se / threshold - se**2) / sd**2
    return math.sqrt(k2) if k2 > 1 else None


def _least_squares(pathway: Pathway, prepared: PreparedData, child: str, parents: list[str],
                   within: list[bool] | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """OLS of the child's entering values on its parents' (rows where all are present); a
    ``within: true`` link's parent enters as its departure from the area mean, with the area
    mean as a further column after the parents' (the model's within-between form), so the
    first ``len(parents)`` coefficients are the links'."""
    within = within or [False] * len(parents)
    rows = prepared.observed.get(child)
    if rows is None or rows.size == 0 or child in prepared.aggregated:
        return None
    y = entering_values(pathway, prepared, child)
    columns, means = [], []
    for parent, split in zip(parents, within, strict=True):
        node = pathway.nodes[parent]
        if not node.node_kind.endogenous:
            if parent not in prepared.values:
                return None
            full = np.asarray(prepared.values[parent], dtype=float)
            if split:
                full, mean = _area_split(prepared, parent)
                means.append(mean[rows])
        else:
            own = prepared.observed.get(parent)
            values = entering_values(pathway, prepared, parent)
            if own is None or values is None:
                return None
            full = np.full(prepared.n_rows, np.nan)
            full[own] = values
        columns.append(full[rows])
    x = np.column_stack([np.ones(rows.size), *columns, *means])
    keep = np.all(np.isfinite(x), axis=1) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n, p = x.shape
    if n < p + MIN_ROWS or np.linalg.matrix_rank(x) < p:
        return None
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    s2 = float(resid @ resid) / (n - p)
    cov = s2 * np.linalg.inv(x.T @ x)
    return coef[1:len(parents) + 1], np.sqrt(np.diag(cov))[1:len(parents) + 1]
