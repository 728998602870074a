r"""The structural equations of a pathway, written once for PyMC and for NumPy.

For an endogenous node :math:`v` with parents :math:`P(v)`, on its link scale
(log rate per ``per`` for counts, logit for proportions, identity for continuous):

.. math::

    \eta_v = \alpha_v + u_{v,\text{area}} + \sum_{p \in P(v)} \beta_{p \to v}\,(x_p - c_p)

where :math:`x_p` is the parent's input (as the spec reference, ``docs/guides/spec.md``, says):
an exposure as given, a count parent as its expected log rate per ``per`` (:math:`\eta_p`), a proportion
parent as the logit of its expected share (:math:`\eta_p`), a continuous parent as its
observed value. :math:`c_p` are fixed centring constants (an exposure's mean in the
data, an endogenous parent's link-scale baseline, else 0): they make
:math:`\alpha_v` the level at typical parents and leave every :math:`\beta` unchanged.
A link identified within areas (``within: true``) enters as
:math:`\beta_{p \to v}(x_p - \bar x_{p,a}) + \gamma_{p \to v}(\bar x_{p,a} - c_p)`, with
:math:`\bar x_{p,a}` the parent's area mean (an input keyed
:func:`copath.model.within.area_mean_name`) and :math:`\gamma` ``params["between"]``
(:mod:`copath.model.within`).

:func:`linear_predictors` works on PyMC tensors (one value per row) and on NumPy
arrays with leading draw dimensions (one value per draw and row), because it uses
only ``+``, ``*`` and indexing.

Example
-------
>>> import numpy as np, copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: continuous}\n"
...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
>>> plan = make_plan(pw, {"x": 0.5})
>>> eta = linear_predictors(plan, {"x": np.array([0.5, 1.5])},
...                         {"intercept": np.array([2.0]), "beta": np.array([3.0])})
>>> eta["y"].tolist()
[2.0, 5.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from copath.kinds import NodeKind
from copath.model.within import area_mean_name
from copath.spec.pathway import Pathway

__all__ = ["NodePlan", "Plan", "make_plan", "linear_predictors"]


@dataclass(frozen=True)
class NodePlan:
    """One endogenous node: its kind and its parents (with the link's position in ``beta``)."""

    name: str
    kind: NodeKind
    position: int  # in the intercept vector
    parents: tuple[tuple[int, str], ...]  # (link index, parent name)
    area_effects: bool
    within: tuple[tuple[int, int], ...] = ()  # (link index, its position in ``between``)


@dataclass(frozen=True)
class Plan:
    """Everything the equations need that does not change between draws."""

    nodes: tuple[NodePlan, ...]
    link_names: tuple[str, ...]
    centres: Mapping[str, float]
    kinds: Mapping[str, NodeKind]
    #: the ``within: true`` links, in the order of ``params["between"]``
    between_links: tuple[str, ...] = ()

    @property
    def endogenous(self) -> list[str]:
        return [n.name for n in self.nodes]

    @property
    def area_nodes(self) -> list[str]:
        return [n.name for n in self.nodes if n.area_effects]

    def centre(self, name: str, intercept: Any) -> Any:
        """What node ``name``'s input is centred at: its constant, or (NaN in ``centres``, a
        node without data) its own intercept, taken from ``intercept`` (node axis last); a
        node its children see by value (continuous) on its natural scale, the intercept's
        expected value (the same number with an identity link)."""
        c = self.centres[name]
        if c == c:  # not NaN
            return c
        position = next(n.position for n in self.nodes if n.name == name)
        kind = self.kinds[name]
        column = _column(intercept, position)
        return column if kind.identity_link or not kind.passes_value else kind.natural(column)


def make_plan(pathway: Pathway, exposure_centres: Mapping[str, float],
              levels: Mapping[str, float] | None = None) -> Plan:
    """The equation plan for ``pathway`` with the given centring constants.

    An exposure is centred at ``exposure_centres`` (its mean in the data); an endogenous
    parent at its overall level in the data when it has data (``levels``, link scale).
    Fitting to data (``levels`` given), a node without data is centred at its own
    intercept (its centre is NaN in the plan): its children then see only its deviations
    from its own, unknown, level, so that level cannot trade off against the children's
    intercepts (the data could not tell them apart); and it gets no area effects (their
    spread would be identified only as a product with its children's coefficients, a
    funnel the sampler cannot cross). Without data (simulation), an
    endogenous node is centred at its ``baseline``, else 0. Centring a parent where its
    input actually lies keeps its child's intercept and link coefficient from trading off.
    A node its children see by value is centred on its natural scale (a scaled-logit node:
    the natural value of its link-scale level).

    Parameters
    ----------
    pathway
        The pathway.
    exposure_centres
        Exposure -> the value its input is centred at.
    levels
        Observed endogenous node -> its level in the data on its link scale
        (:attr:`copath.model.data.PreparedData.levels`).

    Returns
    -------
    Plan

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> plan = make_plan(pw, {n: 0.0 for n in pw.exposures})
    >>> plan.nodes[0].name in pw.endogenous and len(plan.link_names) == len(pw.links)
    True
    """
    link_pos = {link.name: i for i, link in enumerate(pathway.links)}
    centres: dict[str, float] = {}
    for name, node in pathway.nodes.items():
        if not node.node_kind.endogenous:
            centres[name] = float(exposure_centres.get(name, 0.0))
        elif levels is not None and name in levels:
            centres[name] = float(levels[name])
        elif levels is not None:
            centres[name] = float("nan")  # no data: centred at its own intercept
        elif node.baseline is not None:
            centres[name] = float(node.node_kind.link(node.baseline))
        else:
            centres[name] = 0.0
        kind = node.node_kind
        if kind.passes_value and not kind.identity_link and centres[name] == centres[name]:
            # its children see its value (points), so it is centred on that scale
            centres[name] = float(kind.natural(centres[name]))
    nodes = []
    between = pathway.within_links
    for position, name in enumerate(pathway.endogenous):
        node = pathway.nodes[name]
        parents = tuple(
            (link_pos[link.name], link.source) for link in pathway.links if link.target == name
        )
        area = node.area_effects and (levels is None or name in levels)
        within = tuple((link_pos[link.name], between.index(link.name)) for link in pathway.links
                       if link.target == name and link.name in between)
        nodes.append(NodePlan(name, node.node_kind, position, parents, area, within))
    return Plan(
        nodes=tuple(nodes),
        link_names=tuple(pathway.link_names),
        centres=centres,
        kinds={n: node.node_kind for n, node in pathway.nodes.items()},
        between_links=tuple(between),
    )


def _column(vector: Any, j: int) -> Any:
    """Element ``j`` of the last axis, kept broadcastable against a row axis."""
    return vector[..., j][..., None]


def linear_predictors(
    plan: Plan,
    exposures: Mapping[str, Any],
    params: Mapping[str, Any],
    area_effects: Mapping[str, Any] | None = None,
    value_of: Callable[[str, Any], Any] | None = None,
    adjust: Callable[[str, Any], Any] | None = None,
) -> dict[str, Any]:
    """:math:`\\eta_v` for every endogenous node, in topological order.

    ``params["intercept"]`` and ``params["beta"]`` have the node / link axis last
    (and any draw axes before it). ``area_effects[node]`` is the area effect already
    looked up for each row. ``value_of(node, eta)`` gives a continuous parent's input
    (default: its expected value, ``kind.natural(eta)``; the linear predictor itself with an
    identity link). ``adjust(node, eta)``
    may replace a node's :math:`\\eta` before its children see it (a do-intervention).
    A ``within: true`` link needs its parent's area mean among ``exposures`` (keyed
    :func:`copath.model.within.area_mean_name`) and ``params["between"]`` (link axis last, in the
    order of :attr:`Plan.between_links`).
    """
    intercept, beta = params["intercept"], params["beta"]
    area_effects = area_effects or {}
    eta: dict[str, Any] = {}
    inputs: dict[str, Any] = dict(exposures)
    for node in plan.nodes:
        total = _column(intercept, node.position)
        if node.name in area_effects:
            total = total + area_effects[node.name]
        within = dict(node.within)
        for link_idx, parent in node.parents:
            x = inputs[parent]
            if link_idx in within:  # the within-between form (copath.model.within)
                mean = inputs[area_mean_name(parent)]
                total = (total + _column(beta, link_idx) * (x - mean)
                         + _column(params["between"], within[link_idx]) * (mean - plan.centre(parent, intercept)))
                continue
            total = total + _column(beta, link_idx) * (x - plan.centre(parent, intercept))
        if adjust is not None:
            total = adjust(node.name, total)
        eta[node.name] = total
        if node.kind.passes_value and value_of is not None:
            inputs[node.name] = value_of(node.name, total)
        elif node.kind.passes_value and not node.kind.identity_link:
            inputs[node.name] = node.kind.natural(total)
        else:
            inputs[node.name] = total
    return eta
