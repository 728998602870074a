r"""Which links can the local data inform? Checked from the pathway and the data, before sampling.

A parent enters its child through its expected value on the link scale, so what a child's
data can tell apart depends on what varies independently over the rows. For every link
``parent -> child`` the check gives one status:

``local data``
    The child has data, and the parent's input varies over the rows in a way the child's
    other inputs do not reproduce: the data inform this coefficient.
``weak local data``
    As ``local data``, but the data can be expected to narrow the link's prior variance by
    less than a cut (:func:`copath.model.information.assess`): the expected contraction is
    :math:`I\sigma_0^2 / (1 + I\sigma_0^2)`, with :math:`I` the Fisher information about the
    coefficient once the child's other given parents are allowed for (:mod:`copath.model.information`:
    for a child with area effects, the random-intercept model's, in which change within areas
    counts in full and the areas' means only against the child's own area levels, whose spread is
    estimated from the child's data) and :math:`\sigma_0` the prior sd: for a link whose prior is
    copath's default (no evidence), the *unit* default :func:`copath.model.autoscale.unit_default_sd`,
    which is also the prior the fit keeps for a link this label calls weak
    (:func:`copath.model.autoscale.autoscale_priors`), so the label and the fit speak of the same
    prior. The cut is :data:`WEAK_CONTRACTION` (10%) for information from change within areas
    and :data:`BETWEEN_CONTRACTION` (50%) for information from the areas' differences (issue 30
    item 4), in proportion between: a link resting on the areas' differences rests on the
    contrast that unmeasured differences between areas confound, and a parent that varies by a
    hair within areas is judged as one constant within them. The reason names the cause: a
    parent that barely varies, one that varies mostly between areas, or one that moves with the
    child's other parents. Checked only for a parent whose input the data give (an exposure, or
    a continuous node's observed values) and a count or proportion child (a continuous child's
    residual sd is not known before the fit). It is an estimate, not a bound; how often the
    labels are wrong on simulated truth is measured by ``benchmarks/bench_identification.py``
    and quoted in the docs' guide "Comparing pathways and checking their implications"
    (``docs/guides/checking.md``). For a ``within: true`` link the input is the parent's
    departure from its area mean (:mod:`copath.model.within`); one that never departs within an
    area where the child has data is ``prior only``.
``combination``
    The child has data, but this parent's input is (over the rows) a linear function of
    the child's other inputs: e.g. a count parent with no area effect whose only input is
    an exposure that is also a direct parent of the child. The child's data inform only a
    combination of those links (their coefficients trade off along a ridge). Also a
    parent whose input is constant over the child's rows but varies on others: only data
    downstream of the child can inform the link, jointly with the links on from it.
``product``
    The child has no data, but a node downstream of it does: the data inform only the
    product of this coefficient and the coefficients on from the child, not each one.
``prior only``
    Neither the child nor anything downstream of it has data, or the parent is an exposure
    that does not vary in the data (absent and held at its reference value, or constant),
    or the parent's input is constant over every row (it then only shifts the child's
    level, as the child's intercept does): the posterior of this link is its prior.

Sign. Where a node without data has no link, in or out, whose sign is known (fixed by a
stated direction, or a prior with at least 99% of its mass on one side), the likelihood
is unchanged when the signs of all those links flip together, and the posterior has two
mirror-image modes; :func:`refuse_sign_symmetry` raises an :class:`IdentificationError`
naming the links and what would identify them (:func:`copath.fit` calls it).

Signs through a node with data. A node *with* data that passes on a single input (a count
or proportion without area effects, with one link in) could in principle be flipped with
all its links out, but its own data tell the sign of the link in, so the likelihood is not
mirror-symmetric: a stated direction on those links stays a soft prior that the data may
overturn (an earlier rule held it fixed, and a stated '+' whose truth was -0.5 was then
estimated at +0.015 with no flag). Where the node's data are weak, that sign is weakly
identified and R-hat over dispersed starts shows it if a fit finds the second mode. Only a
true mirror symmetry (a node without data, below) holds a stated sign fixed.

The ``combination`` check is numerical: the parents' inputs are computed over the data's
rows at two parameter draws from the priors, and a parent is flagged when its centred
column lies (to within 1e-8 of its norm) in the span of the child's other inputs.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  u: {kind: count}\n"
...     "  y: {kind: continuous}\nlinks:\n  - {from: x, to: u}\n  - {from: u, to: y}\noutcomes: [y]\n")
>>> sim = cp.simulate(pw, areas=10, months=2, random_seed=1)
>>> from copath.model.data import prepare_data
>>> check = identify(pw, prepare_data(pw, sim.data.drop(columns=["u"])), cp.priors_for(pw, None))
>>> check.status("x -> u"), check.status("u -> y")
('product', 'product')
>>> check.sign_ambiguous
{'u': ('x -> u', 'u -> y')}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from copath.errors import CopathError
from copath.evidence.priors import LinkPrior
from copath.model.aggregate import group_means
from copath.model.autoscale import unit_default_sd
from copath.model.data import PreparedData
from copath.model.equations import linear_predictors, make_plan
from copath.model.information import (
    BETWEEN_CONTRACTION,
    WEAK_CONTRACTION,
    assess,
    expected_contraction,
    natural_unit,
)
from copath.model.within import area_mean_name, departs_within, mean_inputs
from copath.spec.pathway import Pathway

__all__ = ["Identification", "IdentificationError", "identify", "observed_at_or_below", "refuse_sign_symmetry", "expected_contraction", "STATUSES",
           "WEAK_CONTRACTION", "BETWEEN_CONTRACTION"]

#: The statuses, best identified first.
STATUSES = ("local data", "weak local data", "combination", "product", "prior only")
#: A prior settles a sign when this much of its mass is on one side of zero.
SIGN_MASS = 0.99


class IdentificationError(CopathError):
    """The data and priors leave a link's sign undetermined (two mirror-image modes)."""


@dataclass(frozen=True)
class Identification:
    """Per link: its status (:data:`STATUSES`) and why; and the groups of links identified
    only up to a common sign."""

    statuses: dict[str, str]
    reasons: dict[str, str]
    #: things the fit does because of what the data lack (e.g. area effects left out)
    notes: tuple[str, ...] = ()
    #: node without data -> the links through it whose common sign the data cannot tell
    sign_ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: node without data (and data below) -> every link through it that the data inform as a
    #: product: flipping all their signs together fits the data equally well
    mirror_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def status(self, link: str) -> str:
        """The status of ``link``.

        Parameters
        ----------
        link
            A link's name.

        Returns
        -------
        str
        """
        return self.statuses[link]

    def any(self) -> bool:
        """Whether anything is worth a warning (a flagged link or a note).

        Returns
        -------
        bool
        """
        return bool(self.flagged() or self.notes)

    def flagged(self) -> dict[str, str]:
        """Links whose data do not inform them one by one: link -> status and why.

        Returns
        -------
        dict[str, str]
        """
        return {k: f"{self.statuses[k]}: {self.reasons[k]}" for k, v in self.statuses.items() if v != "local data"}

    def describe(self) -> str:
        """Every flagged link and why, one per line (empty when all links have local data).

        Returns
        -------
        str
        """
        flagged = self.flagged()
        text = ("The local data do not inform these links one by one:\n"
                + "\n".join(f"  - {k} ({v})" for k, v in flagged.items())) if flagged else ""
        return "\n".join([text, *self.notes]).strip()

    def to_dict(self) -> dict[str, dict[str, str]]:
        """link -> {"status", "reason"} (for the result folder).

        Returns
        -------
        dict
        """
        return {k: {"status": v, "reason": self.reasons[k]} for k, v in self.statuses.items()}


def _varies(values: np.ndarray) -> bool:
    return values.size > 1 and float(np.ptp(values)) > 1e-12 * max(1.0, float(np.abs(values).max()))


def _sign_known(prior: LinkPrior) -> bool:
    p = prior.prob_below_zero()
    return bool(prior.sign or prior.stated) or p >= SIGN_MASS or p <= 1 - SIGN_MASS


def _inputs(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior], seed: int) -> dict[str, np.ndarray]:
    """Every node's input to its children over the rows, at one draw of the parameters."""
    rng = np.random.default_rng(seed)
    plan = make_plan(pathway, data.exposure_centres, data.levels)
    beta = np.array([float(priors[n].draw(rng)) for n in plan.link_names])
    intercept = rng.normal(0.0, 1.0, len(plan.endogenous))
    n_areas = len(data.areas)
    area = {m: rng.normal(0.0, 0.5, n_areas)[data.area_index] for m in plan.area_nodes}
    x = {e: data.values[e] for e in pathway.exposures}
    x.update(mean_inputs(pathway, data.values, data.area_index))
    between = np.array([float(priors[n].draw(rng)) for n in plan.between_links])
    inputs: dict[str, np.ndarray] = dict(x)

    def value_of(name: str, eta: np.ndarray) -> np.ndarray:
        mean = plan.kinds[name].natural(eta)  # a continuous node's expected value (eta with an identity link)
        y = data.values.get(name)
        if y is None or data.observed[name].size == 0:
            return mean
        return np.where(np.isnan(y), mean, y)

    eta = linear_predictors(plan, x, {"intercept": intercept, "beta": beta, "between": between}, area,
                            value_of=value_of)
    for node in plan.nodes:
        inputs[node.name] = value_of(node.name, eta[node.name]) if node.kind.passes_value else eta[node.name]
    return inputs


def _link_input(pathway: Pathway, link: str, d: Mapping[str, np.ndarray]) -> np.ndarray:
    """The input a link's coefficient multiplies at one draw ``d``: the parent's input, or for a
    ``within: true`` link its departure from its area mean (:mod:`copath.model.within`)."""
    source = link.split(" -> ")[0]
    if link in pathway.within_links:
        return d[source] - d[area_mean_name(source)]
    return d[source]


def _collinear(columns: list[np.ndarray], tol: float = 1e-8) -> list[int]:
    """Positions of the columns that lie in the span of the others and a constant."""
    out = []
    for j, col in enumerate(columns):
        c = col - col.mean()
        norm = float(np.linalg.norm(c))
        if norm <= tol * max(1.0, float(np.abs(col).max()) * np.sqrt(col.size)):
            out.append(j)  # constant over the rows
            continue
        others = [o - o.mean() for k, o in enumerate(columns) if k != j]
        if not others:
            continue
        basis = np.column_stack(others)
        coef, *_ = np.linalg.lstsq(basis, c, rcond=None)
        if np.linalg.norm(c - basis @ coef) <= 1e-6 * norm:
            out.append(j)
    return out


def observed_at_or_below(pathway: Pathway, observed: set[str]) -> dict[str, bool]:
    """Whether each node, or anything downstream of it, has local data.

    Parameters
    ----------
    pathway
        The pathway.
    observed
        The nodes that have data.

    Returns
    -------
    dict[str, bool]
        Node -> True when it or a descendant is in ``observed``.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: count}\\n  z: {kind: count}\\n"
    ...                       "links:\\n  - {from: x, to: y}\\n  - {from: y, to: z}\\noutcomes: [z]\\n")
    >>> observed_at_or_below(pw, {"y"})
    {'z': False, 'y': True, 'x': True}
    """
    below: dict[str, bool] = {}
    for name in reversed(pathway.topological_order()):
        below[name] = name in observed or any(below[c] for c in pathway.children(name))
    return below


def identify(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior],
             held: Mapping[str, float] | None = None) -> Identification:
    """The status of every link (see the module docstring).

    Parameters
    ----------
    pathway
        The pathway.
    data
        The prepared local data.
    priors
        Every link's prior (a sign-fixed or one-sided prior settles a product's sign).
    held
        Exposures absent from the data and held at a reference value (name -> value).

    Returns
    -------
    Identification
    """
    held = dict(held or {})
    observed = {n: data.observed.get(n, np.array([])).size > 0 for n in pathway.endogenous}
    below = observed_at_or_below(pathway, {n for n, has in observed.items() if has})
    statuses: dict[str, str] = {}
    reasons: dict[str, str] = {}
    draws = [_inputs(pathway, data, priors, seed) for seed in (1, 2)]
    for link in pathway.links:
        s, t = link.source, link.target
        if s in held:
            statuses[link.name] = "prior only"
            reasons[link.name] = f"{s} is absent from the data and held at its reference value {held[s]:g}"
        elif s in pathway.exposures and not _varies(data.values[s]):
            statuses[link.name] = "prior only"
            reasons[link.name] = f"{s} does not vary in the data (always {float(data.values[s][0]):g})"
        elif not below[t]:
            statuses[link.name] = "prior only"
            reasons[link.name] = f"there are no data on {t} or on anything downstream of it"
        elif s in observed and not observed[s] and not any(_varies(d[s]) for d in draws):
            statuses[link.name] = "prior only"
            reasons[link.name] = (f"{s} has no local data and nothing that varies in the data feeds it, so its "
                                  "input to its children is constant")
        elif not observed[t]:
            downstream = sorted(c for c in pathway.children(t) if below[c])
            statuses[link.name] = "product"
            reasons[link.name] = (f"{t} has no local data, so only the product of this coefficient and those of "
                                  f"{t} -> {', '.join(downstream)} is informed")
        elif s in observed and not observed[s]:
            statuses[link.name] = "product"
            reasons[link.name] = (f"{s} has no local data, so only the product of this coefficient and those of "
                                  f"the links into {s} is informed")
        else:
            statuses[link.name] = "local data"
            reasons[link.name] = "the child's data inform it"
    _mark_within(pathway, data, statuses, reasons)
    _mark_combinations(pathway, data, statuses, reasons, draws)
    _mark_weak(pathway, data, priors, statuses, reasons)
    notes = tuple(f"{n} has no local data, so its area effects are left out (their spread could be told only as a "
                  "product with the coefficients of the links out of it)."
                  for n in pathway.endogenous if pathway.nodes[n].area_effects and not observed[n])
    notes += tuple(f"{n} has no local data, so its effects of time ({', '.join(pathway.nodes[n].time)}) are left out."
                   for n in pathway.endogenous if pathway.nodes[n].time and not observed[n])
    mirror = _mirror_groups(pathway, observed, below, statuses)
    ambiguous = {node: links for node, links in mirror.items() if not any(_sign_known(priors[n]) for n in links)}
    return Identification(statuses, reasons, notes, ambiguous, mirror)


def _mark_weak(pathway: Pathway, data: PreparedData, priors: Mapping[str, LinkPrior], statuses: dict[str, str],
               reasons: dict[str, str]) -> None:
    for link in pathway.links:
        if statuses[link.name] != "local data":
            continue
        reference = _reference_sd(pathway, data, priors[link.name])
        assessed = assess(pathway, data, link.name, reference)
        if assessed is None:
            continue
        if not assessed.weak:
            if assessed.between_share > 0.5:
                reasons[link.name] = (f"the child's data inform it, {assessed.between_share:.0%} of the information "
                                      "from the areas' differences (a contrast unmeasured differences between areas "
                                      f"confound; 'within: true' reads it from change within areas): expected to "
                                      f"narrow the prior's variance by about {assessed.contraction:.0%}")
            continue
        whose = ("this link's prior variance" if reference == priors[link.name].sd else
                 f"the variance of the unit default prior (sd {reference:.3g}; the fit widened it by prior_scale)")
        statuses[link.name] = "weak local data"
        reasons[link.name] = assessed.reason(whose)


def _reference_sd(pathway: Pathway, data: PreparedData, prior: LinkPrior) -> float:
    """The prior sd the weak-data label measures against: a copath default prior (no evidence;
    ``scaled_by`` set where the fit put it on the data's scale) counts at the unit default
    (:func:`copath.model.autoscale.unit_default_sd`) where the parent's unit means something
    (:func:`copath.model.information.natural_unit`), else at the data-scaled sd the fit uses (a
    unit-invariant scale); any other prior at its own sd."""
    default = prior.scaled_by or (prior.method == "default" and prior.note.startswith("No evidence"))
    if not default:
        return prior.sd
    source = prior.link.split(" -> ")[0]
    return unit_default_sd(pathway, prior.link) if natural_unit(pathway, data, source) else prior.sd


def _mark_within(pathway: Pathway, data: PreparedData, statuses: dict[str, str], reasons: dict[str, str]) -> None:
    """A ``within: true`` link whose parent never changes within an area where the child has data
    rests on its prior (its area means go to ``between``)."""
    for name in pathway.within_links:
        if statuses[name] != "local data":
            continue
        source, target = name.split(" -> ")
        if not departs_within(pathway, data, name):
            statuses[name] = "prior only"
            reasons[name] = (f"'within: true', and {source} never changes within an area where {target} has data: "
                             "the within-area effect rests on its prior (the areas' differences inform only "
                             f"between[{name}])")


def _mark_combinations(pathway: Pathway, data: PreparedData, statuses: dict[str, str], reasons: dict[str, str],
                       draws: list[dict[str, np.ndarray]]) -> None:
    for child in pathway.endogenous:
        parents = [p for p in pathway.parents(child) if statuses[f"{p} -> {child}"] == "local data"]
        if not parents:
            continue
        rows = data.observed[child]
        agg = data.aggregated.get(child)

        def at(values: np.ndarray) -> np.ndarray:  # a parent's input where the child is observed
            return values[rows] if agg is None else group_means(agg, values[agg.rows])

        # a parent is collinear only if it is so at both parameter draws (a draw can be degenerate)
        def column(d: Mapping[str, np.ndarray], p: str) -> np.ndarray:
            return at(_link_input(pathway, f"{p} -> {child}", d))

        flagged = set.intersection(*[
            {parents[j] for j in _collinear([column(d, p) for p in parents])} for d in draws])
        for p in parents:
            if p not in flagged:
                continue
            others = [q for q in parents if q != p]
            name = f"{p} -> {child}"
            if not any(_varies(column(d, p)) for d in draws):
                # constant where the child has data: the link only shifts the child's level there,
                # as its intercept does; if the input varies on other rows, data downstream of the
                # child (which sees its linear predictor on every row) may still inform it
                anywhere = any(_varies(d[p]) for d in draws)
                statuses[name] = "combination" if anywhere else "prior only"
                reasons[name] = (f"over the rows with data on {child}, {p}'s input is constant, so the child's "
                                 f"data cannot tell this link from {child}'s intercept"
                                 + ("; it varies on other rows, where only data downstream of "
                                    f"{child} can inform it, with the links on from {child}" if anywhere else ""))
                continue
            statuses[name] = "combination"
            reasons[name] = (f"over the rows with data on {child}, {p}'s input moves in step with "
                             f"{', '.join(others)}; the data inform only a combination of these links")


def _mirror_groups(pathway: Pathway, observed: Mapping[str, bool], below: Mapping[str, bool],
                   statuses: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    groups = {}
    for node in pathway.endogenous:
        if observed[node] or not below[node]:
            continue
        links = [f"{p} -> {node}" for p in pathway.parents(node)] + [f"{node} -> {c}" for c in pathway.children(node)]
        links = [n for n in links if statuses[n] != "prior only"]
        if len(links) > 1:
            groups[node] = tuple(links)
    return groups


def refuse_sign_symmetry(check: Identification, pathway: Pathway) -> None:
    """Raise :class:`IdentificationError` if some links are identified only up to a common sign.

    Parameters
    ----------
    check
        The identification of the pathway on the data.
    pathway
        The pathway (named in the message).

    Raises
    ------
    IdentificationError
        Naming each group of links and what would identify it.
    """
    if not check.sign_ambiguous:
        return
    parts = []
    for middle, links in check.sign_ambiguous.items():
        parts.append(f"{', '.join(links)} are identified only up to a common sign ({middle} has no local data, "
                     "so flipping all their signs fits the data equally well)")
    raise IdentificationError(
        "; ".join(parts) + ". Give one of them a direction (direction: '+' or '-' on the link in the spec, or a "
        "direction entry in the registry), or add data on the middle node",
        file=pathway.source, where="links")
