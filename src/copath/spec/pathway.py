"""The pathway model: nodes, links and final outcomes of a causal DAG.

A :class:`Pathway` is an immutable description; it holds no data and no priors.
Building it (:meth:`Pathway.build`) checks that it is a valid DAG of structural
equations and raises one :class:`~copath.errors.SpecError` per problem found first.

Example
-------
>>> pw = Pathway.build(
...     name="toy",
...     nodes={"x": Node("x", "exposure"), "y": Node("y", "continuous")},
...     links=[Link("x", "y")],
...     outcomes=["y"],
... )
>>> pw.link_names
['x -> y']
>>> pw.parents("y")
['x']
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

import networkx as nx
import numpy as np
import pandas as pd

from copath import kinds, plotting
from copath.constants import (
    MODEL_NAMES,
    PLAUSIBLE_RATIO,
    STRONG_RULE,
    WEAK_RULE,
    data_name,
    missing_name,
    observed_dim,
)
from copath.display import frame_html, png_img
from copath.errors import SpecError
from copath.options import Better, ContinuousLink, GivenAs, TimeEffect, check
from copath.spec.risks import Risk

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from copath.spec.implications import Implication

__all__ = ["Node", "Link", "Pathway", "link_name", "WeakLinkRule"]


class WeakLinkRule(Protocol):
    """Whatever can say which links of a pathway are weak (an evidence registry,
    :class:`copath.Evidence`, does); the spec needs nothing more of it."""

    def weak_links(self, pathway: Pathway) -> list[str]: ...


def link_name(source: str, target: str) -> str:
    """The label of a link, used as its coordinate everywhere.

    Example
    -------
    >>> link_name("nw_coverage", "burglary")
    'nw_coverage -> burglary'
    """
    return f"{source} -> {target}"


@dataclass(frozen=True)
class Node:
    """One variable of the pathway.

    ``kind`` is exposure, count, proportion or continuous (each kind's structural equation:
    :mod:`copath.model.equations`; every key a node takes in a spec, with its allowed values and
    an example: the spec reference, ``docs/guides/spec.md`` in the project). ``better`` says which direction is an improvement
    ("lower" or "higher"), used when scenarios report whether an outcome improves.
    ``baseline`` is the node's typical level on its natural scale (a rate per ``per``
    for counts, a share for proportions, a mean for continuous nodes): the centre of
    its intercept prior. ``scale`` is a continuous node's typical standard deviation.
    ``reference`` is an exposure's value when the data do not give it: the fit then holds
    the exposure there (its links rest on their priors) and scenarios move it from there.
    ``maturity_lag`` is, for an endogenous node, how many of the data's latest months are
    still filling in (e.g. 3 for police.uk charge outcomes, which reach court months after
    the crime): those rows are left out of the node's likelihood (:mod:`copath.model.data`).
    ``family`` is a count's (``poisson``, the default, or ``negative_binomial``) or a
    proportion's (``binomial``, the default, or ``beta_binomial``) likelihood. A proportion's
    column holds successes (``given_as: count``), a share (``share``) or a percentage
    (``percent``); with a share or percentage its ``trials`` column is the effective sample
    size, which need not be whole. ``observed_at`` names the columns that group the rows
    where the node is observed only as an aggregate (e.g. ``[borough, quarter]`` for a
    survey), and ``weight`` the column weighting each row in its group's share (a
    proportion; rows weigh the same without it): see :mod:`copath.model.aggregate`.
    ``time`` lists an endogenous node's effects of time, ``"season"`` (one effect per month
    of the year), ``"trend"`` (a straight line per year on its link scale), ``"period"``
    (one partially pooled effect per period, the month column's distinct values: a month,
    quarter or year as the rows are; e.g. London-wide years) or ``"period_rw"`` (a random
    walk over the periods; a node has ``period`` or ``period_rw``, not both); see
    :mod:`copath.model.time`. ``plausible`` is an endogenous node's ``[low, high]`` on its
    natural scale beyond which an expected value would be implausible: the prior predictive
    check's bounds (:mod:`copath.model.prior_check`; default: the ``range``, or 20 times the
    baseline either way).
    ``within: true`` (a node with area effects) makes every link into it from an exposure
    identified within areas (:attr:`Link.within`, :attr:`Pathway.within_links`).
    ``link`` is a continuous node's link: ``identity`` (the default:
    its expected value is its linear predictor) or ``logit``, which needs a ``range: [lo, hi]``
    and keeps the expected value inside it, :math:`lo + (hi - lo)\\operatorname{logit}^{-1}\\eta`
    (:class:`copath.kinds.continuous.ScaledLogit`; coefficients into it are logit slopes).
    ``levels`` makes an exposure categorical (the first level is the reference; a spec's
    ``reference:`` names it): building the pathway replaces it by one 0/1 node per other level,
    ``educ[b]``, whose ``level`` is that level (:mod:`copath.spec.covariates`). ``adjust`` lists
    columns an endogenous node is adjusted for (covariate links, ``covariate`` nodes for names
    that are not nodes).

    Example
    -------
    >>> Node("burglary", "count", offset="households", per=1000).kind
    'count'
    >>> Node("qol", "continuous", range=(0.0, 10.0), link="logit").coefficient_scale
    'logit slope'
    """

    name: str
    kind: str
    label: str = ""
    unit: str = ""
    range: tuple[float, float] | None = None
    offset: str | None = None
    per: float | None = None
    trials: str | None = None
    family: str = ""
    area_effects: bool = False
    scale: float = 1.0
    baseline: float | None = None
    better: Better | None = None
    description: str = ""
    reference: float | None = None
    maturity_lag: int = 0
    time: tuple[TimeEffect, ...] = ()
    given_as: GivenAs = "count"
    observed_at: tuple[str, ...] = ()
    weight: str | None = None
    plausible: tuple[float, float] | None = None
    within: bool = False

    @property
    def bounds(self) -> tuple[float, float, str] | None:
        """Where the node's expected value may plausibly lie, natural scale, and why: its
        ``plausible`` bounds, else its ``range``, else (a count or proportion with a
        ``baseline``) 20 times the baseline rate or odds either way
        (:data:`copath.constants.PLAUSIBLE_RATIO`), else None.

        Example
        -------
        >>> Node("y", "continuous", range=(0.0, 10.0)).bounds
        (0.0, 10.0, 'range')
        >>> lo, hi, why = Node("c", "count", baseline=1.0).bounds; round(lo, 3), round(hi, 1), why
        (0.05, 20.0, 'baseline x/÷ 20')
        """
        if self.plausible is not None:
            return float(self.plausible[0]), float(self.plausible[1]), "plausible"
        if self.range is not None:
            return float(self.range[0]), float(self.range[1]), "range"
        if self.baseline is None or self.kind not in ("count", "proportion"):
            return None
        kind = self.node_kind
        centre, step = float(kind.link(self.baseline)), float(np.log(PLAUSIBLE_RATIO))
        return float(kind.natural(centre - step)), float(kind.natural(centre + step)), f"baseline x/÷ {PLAUSIBLE_RATIO:g}"
    link: ContinuousLink = "identity"
    levels: tuple[str, ...] = ()
    level: str | None = None
    adjust: tuple[str, ...] = ()
    covariate: bool = False

    @property
    def display(self) -> str:
        """Label if given, else the name."""
        return self.label or self.name

    @property
    def node_kind(self) -> kinds.NodeKind:
        """The kind's definition (:mod:`copath.kinds`): link, likelihood, units, checks.

        Example
        -------
        >>> Node("y", "proportion", trials="n").node_kind.natural_level
        'share'
        """
        return kinds.of(self)

    @property
    def coefficient_scale(self) -> str:
        """What a coefficient on a link *into* this node means.

        Example
        -------
        >>> Node("y", "proportion", trials="n").coefficient_scale
        'log odds ratio'
        """
        return self.node_kind.coefficient_scale

    @property
    def unit_label(self) -> str:
        """The unit of the node's expected value, as tables and axes show it: its ``unit``,
        else what the kind says (e.g. ``"rate per 1000 households"``).

        Example
        -------
        >>> Node("b", "count", offset="households", per=1000).unit_label
        'rate per 1000 households'
        """
        return self.node_kind.unit_label(self)


@dataclass(frozen=True)
class Link:
    """A directed link ``source -> target`` with its evidence ids.

    ``contrast`` is the change of the parent, in the parent's unit, that the
    link's evidence describes (1.0 = e.g. scheme absent -> present). ``direction``
    (``"+"`` or ``"-"``) is a hypothesised sign: the link's prior leans that way (a soft
    prior the data may overturn; :mod:`copath.evidence.priors`), and it is held fixed only
    where the data cannot tell the sign (a link through a node without data).
    ``within`` (``within: true`` in a spec) identifies the link from change within areas:
    the child's equation then also holds the parent's area mean, with its own coefficient
    ``between[source -> target]``, and the link's coefficient is the within-area effect
    (Mundlak 1978; the within-between form of Bell & Jones 2015; :mod:`copath.model.within`).
    The parent must be an exposure and the child must have area effects. ``covariate``
    marks a link made by a node's ``adjust:`` (:mod:`copath.spec.covariates`): an adjustment,
    not a pathway claim.

    Example
    -------
    >>> Link("nw_coverage", "burglary", evidence=("bennett2008_nw",)).name
    'nw_coverage -> burglary'
    """

    source: str
    target: str
    evidence: tuple[str, ...] = ()
    contrast: float = 1.0
    note: str = ""
    line: int | None = field(default=None, compare=False)
    direction: str | None = None
    within: bool = False
    covariate: bool = False

    @property
    def name(self) -> str:
        return link_name(self.source, self.target)


@dataclass(frozen=True)
class Pathway:
    """A validated pathway DAG. Build it with :meth:`build` or :func:`copath.load_pathway`.

    ``risks`` are the spec's own risks (``risks:``; :class:`copath.spec.risks.Risk`): what could
    make the answer wrong that the model does not represent. The report lists them, then the
    generic threats to a causal reading worded for the pathway's nodes
    (:func:`copath.spec.risks.generic_risks`). Every key of a spec: ``docs/guides/spec.md``.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> "nw_coverage -> burglary" in pw.link_names
    True
    """

    name: str
    nodes: dict[str, Node]
    links: tuple[Link, ...]
    outcomes: tuple[str, ...]
    title: str = ""
    index: tuple[str, ...] = ("area", "month")
    source: str | None = None
    risks: tuple[Risk, ...] = ()
    groups: str | None = None
    prior_scale: float = 1.0

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        name: str,
        nodes: dict[str, Node],
        links: list[Link] | tuple[Link, ...],
        outcomes: list[str] | tuple[str, ...],
        title: str = "",
        index: list[str] | tuple[str, ...] = ("area", "month"),
        source: str | None = None,
        risks: list[Risk] | tuple[Risk, ...] = (),
        groups: str | None = None,
        prior_scale: float = 1.0,
    ) -> Pathway:
        """Validate the parts and return a Pathway; raise SpecError on the first problem.

        Parameters
        ----------
        name
            The pathway's name.
        nodes
            Node name -> :class:`Node` (copied into a new dict).
        links
            The directed links; their order is the spec order used everywhere.
        outcomes
            Names of the final outcomes (endogenous nodes).
        title
            A longer title for figures and reports (default: none).
        index
            Column names that identify a data row (default ``("area", "month")``): any columns
            (``("id",)`` for people, ``("school", "pupil")``); a second column, if any, is the
            period column that time effects and ``maturity_lag`` read.
        source
            The file the spec came from, named in error messages.
        risks
            The risks the spec lists (:class:`copath.spec.risks.Risk`; ``risks:`` in YAML): what
            could make the answer wrong that the model does not represent. Default: none, and
            the report then lists only the generic threats (:func:`copath.spec.risks.generic_risks`).
        groups
            The column whose groups get ``area_effects`` (``groups:`` in YAML; an index column or
            any other column of the data: a ward, a school). Default: the first index column
            when it is called ``area``; otherwise required when a node has area effects.
        prior_scale
            Widen every default prior (a link without evidence) by this factor (``prior_scale:``
            in YAML; default 1): :mod:`copath.model.autoscale`.

        Returns
        -------
        Pathway
            The validated pathway.

        Raises
        ------
        SpecError
            If there are no nodes, a node is invalid (name, kind, range, kind-specific
            fields, ``better``), a link names an unknown node, is declared twice, points
            into an exposure or has a zero or non-finite ``contrast``, the links form a
            cycle, an outcome is not an endogenous node, or a risk names a node or link
            the pathway does not have.

        Example
        -------
        >>> Pathway.build("bad", {"x": Node("x", "exposure")}, [Link("x", "z")], [])
        Traceback (most recent call last):
        ...
        copath.errors.SpecError: link x -> z: unknown node 'z' (nodes: x)
        """
        from copath.spec.covariates import expand

        nodes, links = expand(nodes, links, lambda message, where: SpecError(message, file=source, where=where))
        pw = cls(
            name=name,
            nodes=dict(nodes),
            links=tuple(links),
            outcomes=tuple(outcomes),
            title=title,
            index=tuple(index),
            source=source,
            risks=tuple(risks),
            groups=groups,
            prior_scale=prior_scale,
        )
        pw._validate()
        return pw

    def _err(self, message: str, where: str | None = None, line: int | None = None) -> SpecError:
        return SpecError(message, file=self.source, where=where, line=line)

    def _validate(self) -> None:
        if not self.nodes:
            raise self._err("the spec declares no nodes", where="nodes")
        k = self.prior_scale
        if isinstance(k, bool) or not isinstance(k, (int, float)) or not 0 < k < float("inf"):
            raise self._err(f"'prior_scale' must be a positive number, got {k!r}", where="prior_scale")
        for node in self.nodes.values():
            self._validate_node(node)
        self._validate_names()
        self._validate_groups()
        seen: dict[tuple[str, str], Link] = {}
        for link in self.links:
            where = f"link {link.name}"
            for end in (link.source, link.target):
                if end not in self.nodes:
                    known = ", ".join(sorted(self.nodes))
                    raise self._err(f"unknown node {end!r} (nodes: {known})", where, link.line)
            if (link.source, link.target) in seen:
                raise self._err("duplicate link (declared twice)", where, link.line)
            seen[(link.source, link.target)] = link
            if not self.nodes[link.target].node_kind.endogenous:
                raise self._err(
                    f"links into an exposure are not allowed ({link.target!r} is exogenous)",
                    where,
                    link.line,
                )
            if not (isinstance(link.contrast, (int, float)) and math.isfinite(link.contrast)) or (
                link.contrast == 0
            ):
                raise self._err("contrast must be a finite non-zero number", where, link.line)
            if link.direction not in (None, "+", "-"):
                raise self._err(f"direction must be '+' or '-', got {link.direction!r}", where, link.line)
            if link.within:
                self._validate_within(link, where)
        graph = self.to_networkx()
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            names = [edge[0] for edge in cycle] + [cycle[0][0]]
            raise self._err(f"the links form a cycle: {' -> '.join(names)}", where="links")
        for outcome in self.outcomes:
            if outcome not in self.nodes:
                raise self._err(f"outcome {outcome!r} is not a node", where="outcomes")
            if not self.nodes[outcome].node_kind.endogenous:
                raise self._err(f"outcome {outcome!r} is an exposure", where="outcomes")
        self._validate_risks()

    def _validate_within(self, link: Link, where: str) -> None:
        """A link identified within areas (``within: true``) needs an exposure parent, a child with
        area effects and rows within areas (an index with a second column)."""
        if self.nodes[link.source].node_kind.endogenous:
            raise self._err(f"'within: true' needs a parent whose values the data give (an exposure); "
                            f"{link.source!r} is a {self.nodes[link.source].kind} node, whose area mean would be a "
                            "model quantity", where, link.line)
        if not self.nodes[link.target].area_effects:
            raise self._err(f"'within: true' compares each {self.area_column or 'group'} with itself over its rows, "
                            "so the child "
                            f"{link.target!r} needs 'area_effects: true'", where, link.line)
        if tuple(self.index) == (self.area_column,):
            raise self._err(f"'within: true' needs several rows per group, and the spec's index "
                            f"({', '.join(self.index)}) is the group column alone", where, link.line)
    def _validate_groups(self) -> None:
        """A ``groups`` column is a column, not a node; area effects need one."""
        if self.groups is not None:
            if not isinstance(self.groups, str) or not self.groups:
                raise self._err(f"'groups' must be one column name, got {self.groups!r}", where="groups")
            if self.groups in self.nodes:
                raise self._err(f"'groups' names a column of group labels, not a node ({self.groups!r})",
                                where="groups")
        if self.area_column is None:
            grouped = [n for n, node in self.nodes.items() if node.area_effects]
            if grouped:
                raise self._err(f"{', '.join(grouped)} {'has' if len(grouped) == 1 else 'have'} 'area_effects', and "
                                f"the spec does not say which column groups the rows: add a top-level 'groups:' key "
                                f"naming it (e.g. 'groups: {self.index[0]}'); without one only an index column "
                                f"called 'area' is taken", where="groups")

    def _validate_risks(self) -> None:
        """Every node and link a risk names is the pathway's."""
        names = set(self.link_names)
        for i, risk in enumerate(self.risks):
            where = f"risks[{i}] ({risk.name})"
            for node in risk.nodes:
                if node not in self.nodes:
                    raise self._err(f"'nodes' names unknown node {node!r} (nodes: {', '.join(self.nodes)})", where,
                                    risk.line)
            for link in risk.links:
                if link not in names:
                    raise self._err(f"'links' names unknown link {link!r} (write it as 'from -> to'; links: "
                                    f"{', '.join(self.link_names)})", where, risk.line)

    def _validate_names(self) -> None:
        """No node may take a name the model gives its own variables, data or dimensions."""
        derived = {data_name(n): f"the data of exposure {n!r}" for n in self.exposures}
        for n in self.nodes:
            derived.update({missing_name(n): f"the imputed values of {n!r}", observed_dim(n): f"the observations of {n!r}"})
        for name in self.nodes:
            if name in MODEL_NAMES or name in kinds.reserved_names():
                raise self._err(f"{name!r} is a name the model uses for its own parameters; rename the node",
                                f"node {name}")
            if name in derived:
                raise self._err(f"{name!r} is the model's name for {derived[name]}; rename the node",
                                f"node {name}")

    def _validate_node(self, node: Node) -> None:
        where = f"node {node.name}"
        from copath.spec.covariates import DUMMY

        dummy = node.level is not None and isinstance(node.name, str) and DUMMY.match(node.name)
        if not isinstance(node.name, str) or not (node.name.isidentifier() or dummy):
            raise self._err("a node name must be a single word (letters, digits, _)", where)
        if node.kind not in kinds.KINDS:
            raise self._err(
                f"unknown kind {node.kind!r}; expected one of {', '.join(kinds.names())}", where
            )
        if node.range is not None:
            lo, hi = node.range
            if not (lo < hi):
                raise self._err(f"range [{lo}, {hi}] must have low < high", where)
        if node.plausible is not None:
            lo, hi = node.plausible
            if not node.node_kind.endogenous:
                raise self._err("only an endogenous node has 'plausible' bounds (an exposure has a 'range')", where)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise self._err(f"plausible [{lo}, {hi}] must be two finite numbers with low < high", where)
            if node.range is not None and (lo < node.range[0] or hi > node.range[1]):
                raise self._err(f"plausible [{lo:g}, {hi:g}] must lie inside the range "
                                f"[{node.range[0]:g}, {node.range[1]:g}]", where)
        if node.link != "identity":
            try:
                check("link", node.link, ContinuousLink)
            except ValueError as err:
                raise self._err(str(err), where) from None
            if node.kind != "continuous":
                raise self._err(f"'link: {node.link}' is for a continuous node; a {node.kind} node's link is "
                                "set by its kind", where)
            if node.range is None:
                raise self._err(f"'link: {node.link}' needs a 'range: [low, high]' for the expected value to "
                                "stay inside", where)
        for problem in node.node_kind.validate(node):
            raise self._err(problem, where)
        if node.reference is not None:
            if node.node_kind.endogenous:
                raise self._err("only an exposure has a 'reference' value (the data give every other node)", where)
            if not math.isfinite(node.reference):
                raise self._err("'reference' must be a finite number", where)
            if node.range is not None and not node.range[0] <= node.reference <= node.range[1]:
                raise self._err(f"'reference' {node.reference:g} is outside the range "
                                f"[{node.range[0]:g}, {node.range[1]:g}]", where)
        if node.maturity_lag:
            if not node.node_kind.endogenous:
                raise self._err("only a node with data has a 'maturity_lag' (an exposure is never left out)", where)
            if self.period_column is None:
                raise self._err(f"a 'maturity_lag' counts periods, and the spec's index ({', '.join(self.index)}) has "
                                "no second (period) column", where)
        if node.time:
            if not node.node_kind.endogenous:
                raise self._err("only a node with an equation has 'time' effects (an exposure is given)", where)
            if self.period_column is None:
                raise self._err(f"'time' effects need periods, and the spec's index ({', '.join(self.index)}) has no "
                                "second (period) column", where)
            for effect in node.time:
                try:
                    check("time", effect, TimeEffect)
                except ValueError as err:
                    raise self._err(str(err), where) from None
            if len(set(node.time)) != len(node.time):
                raise self._err(f"'time' lists an effect twice: {list(node.time)}", where)
            if {"period", "period_rw"} <= set(node.time):
                raise self._err("'time' has both 'period' (one effect per period) and 'period_rw' (a random walk "
                                "over periods); they would describe the same effects, so give one", where)
        if node.given_as != "count" or node.weight is not None:
            try:
                check("given_as", node.given_as, GivenAs)
            except ValueError as err:
                raise self._err(str(err), where) from None
            if node.given_as != "count" and node.kind != "proportion":
                raise self._err("only a proportion node is 'given_as' a share or percent", where)
        if node.observed_at:
            if node.kind not in ("count", "proportion"):
                raise self._err("only a count or proportion node can be 'observed_at' a coarser level", where)
            clash = [c for c in node.observed_at if c in self.nodes or c in self.index or c == self.groups]
            if clash:
                raise self._err(f"'observed_at' names group columns, not nodes or index columns: {clash}", where)
            if node.maturity_lag:
                raise self._err("a node observed only as group aggregates cannot have a 'maturity_lag' (a group "
                                "spans several periods); leave the maturing groups' figures out of the data", where)
            if node.time or node.area_effects:
                raise self._err("a node observed only as group aggregates has no group (area) or time effects of its "
                                "own (the groups could not tell them apart from its links)", where)
        if node.weight is not None and not (node.observed_at and node.kind == "proportion"):
            raise self._err("'weight' weights a proportion's rows within its 'observed_at' groups; a count's "
                            "groups are weighted by its offset", where)
        if node.within and not node.area_effects:
            raise self._err(f"'within: true' compares each {self.area_column or 'group'} with itself over its rows, "
                            "so the node needs "
                            "'area_effects: true'", where)
        if node.within and not node.node_kind.endogenous:
            raise self._err("'within: true' is for a node with an equation (its links in); an exposure has none",
                            where)
        if node.better is not None:
            try:
                check("better", node.better, Better)
            except ValueError as err:
                raise self._err(str(err), where) from None

    # ------------------------------------------------------------ structure
    @property
    def area_column(self) -> str | None:
        """The column whose groups get ``area_effects``: the spec's ``groups:``, else the first index
        column when it is called ``area``, else None (no node may then have area effects).

        Example
        -------
        >>> import copath as cp
        >>> cp.load_pathway("policing_coproduction").area_column
        'area'
        """
        if self.groups is not None:
            return self.groups
        return self.index[0] if self.index and self.index[0] == "area" else None

    @property
    def period_column(self) -> str | None:
        """The index's second column, read by time effects and ``maturity_lag``, or None.

        Example
        -------
        >>> import copath as cp
        >>> cp.load_pathway("policing_coproduction").period_column
        'month'
        """
        return self.index[1] if len(self.index) > 1 else None

    @property
    def unit_column(self) -> str:
        """The column that groups rows into units for clustering and leave-one-unit-out: the
        :attr:`area_column`, else the first index column."""
        return self.area_column or self.index[0]

    @property
    def covariate_links(self) -> list[str]:
        """The names of the links made by ``adjust:`` (covariates, not pathway claims).

        Example
        -------
        >>> import copath as cp
        >>> pw = cp.loads_pathway("name: t\\nindex: [id]\\nnodes:\\n  x: {kind: exposure}\\n"
        ...                       "  y: {kind: binary, adjust: [age]}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
        >>> pw.covariate_links, pw.nodes["age"].covariate
        (['age -> y'], True)
        """
        return [link.name for link in self.links if link.covariate]

    @property
    def categorical(self) -> dict[str, tuple[str, ...]]:
        """Each categorical exposure's column -> its levels (the reference first)."""
        from copath.spec.covariates import categorical_sources

        return categorical_sources(self.nodes)

    @property
    def link_names(self) -> list[str]:
        """Link labels in spec order, e.g. ``'nw_coverage -> burglary'``."""
        return [link.name for link in self.links]

    @property
    def within_links(self) -> list[str]:
        """Links identified within areas, in spec order: those with ``within: true``, and every
        link from an exposure into a node with ``within: true`` (:mod:`copath.model.within`).

        Example
        -------
        >>> import copath as cp
        >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
        ...     "  y: {kind: count, area_effects: true, within: true}\\nlinks:\\n  - {from: x, to: y}\\n"
        ...     "outcomes: [y]\\n")
        >>> pw.within_links
        ['x -> y']
        """
        return [link.name for link in self.links if link.within or (
            self.nodes[link.target].within and not self.nodes[link.source].node_kind.endogenous)]

    @property
    def exposures(self) -> list[str]:
        """Names of the exogenous nodes."""
        return [n for n, node in self.nodes.items() if not node.node_kind.endogenous]

    @property
    def endogenous(self) -> list[str]:
        """Names of nodes with a structural equation, in topological order."""
        return [n for n in self.topological_order() if self.nodes[n].node_kind.endogenous]

    def link(self, source: str, target: str) -> Link:
        """The link ``source -> target`` (KeyError naming it if absent).

        Parameters
        ----------
        source, target
            Names of the parent and the child node.

        Returns
        -------
        Link
            The pathway's link from ``source`` to ``target``.

        Raises
        ------
        KeyError
            If the pathway has no such link.
        """
        for link in self.links:
            if link.source == source and link.target == target:
                return link
        raise KeyError(f"no link {link_name(source, target)} in pathway {self.name!r}")

    def implications(self, observed: Collection[str] | None = None) -> list[Implication]:
        """The testable conditional independencies the pathway implies among ``observed`` nodes,
        pair by pair: each endogenous node independent of each non-descendant it has no link from,
        given its parents (or, where a parent has no data, a minimal observed separating set;
        :mod:`copath.spec.implications` says which and why).

        Parameters
        ----------
        observed
            The nodes with data (default: every node).

        Returns
        -------
        list of Implication
            One statement per (node, non-descendant), e.g. ``worried _||_ nw_coverage | burglary, ...``;
            its ``missing_link`` is the link whose absence it tests.

        Example
        -------
        >>> import copath as cp
        >>> imp = cp.load_pathway("policing_coproduction").implications()
        >>> str(imp[0]).split(" | ")[0], imp[0].missing_link
        ('road_casualties _||_ social_causes', 'social_causes -> road_casualties')
        """
        from copath.spec.implications import implications

        return implications(self, observed)

    def parents(self, node: str) -> list[str]:
        """Parents of ``node`` in spec order.

        Parameters
        ----------
        node
            A node name.

        Returns
        -------
        list[str]
            The sources of the links into ``node``, in the order of the links; empty for
            an exposure or a name that is not a node.
        """
        return [link.source for link in self.links if link.target == node]

    def children(self, node: str) -> list[str]:
        """Children of ``node`` in spec order.

        Parameters
        ----------
        node
            A node name.

        Returns
        -------
        list[str]
            The targets of the links out of ``node``, in the order of the links; empty
            when it has none or is not a node.
        """
        return [link.target for link in self.links if link.source == node]

    def topological_order(self) -> list[str]:
        """Node names so that every parent comes before its children (stable).

        Returns
        -------
        list[str]
            Every node once; among the nodes that are free to come next, the one
            declared first in ``nodes`` comes first.
        """
        return list(nx.lexicographical_topological_sort(self.to_networkx(), key=self._spec_pos))

    def _spec_pos(self, name: str) -> str:
        return f"{list(self.nodes).index(name):06d}"

    def to_networkx(self) -> nx.DiGraph:
        """The DAG as a ``networkx.DiGraph`` with node and link attributes.

        Returns
        -------
        networkx.DiGraph
            Named after the pathway. Each node has ``kind``, ``label`` (the display
            name) and ``unit``; each edge has ``evidence`` (a list of ids) and
            ``contrast``. A new graph on every call.

        Example
        -------
        >>> import copath as cp
        >>> g = cp.load_pathway("policing_coproduction").to_networkx()
        >>> g.nodes["burglary"]["kind"]
        'count'
        """
        graph = nx.DiGraph(name=self.name)
        for name, node in self.nodes.items():
            graph.add_node(name, kind=node.kind, label=node.display, unit=node.unit)
        for link in self.links:
            graph.add_edge(link.source, link.target, evidence=list(link.evidence), contrast=link.contrast)
        return graph

    def layout(self) -> dict[str, tuple[float, float]]:
        """(layer, rank) of every node for drawing: exposures in the first layer, final
        outcomes in the last (see :func:`copath.plotting.layered_layout`).

        Returns
        -------
        dict[str, tuple[float, float]]
            Node name -> ``(x, y)``: ``x`` is the layer (the longest path from a node
            without parents; final outcomes share the last layer) and ``y`` the position
            within the layer.

        Example
        -------
        >>> import copath as cp
        >>> pos = cp.load_pathway("policing_coproduction").layout()
        >>> pos["nw_coverage"][0] == 0 and pos["qol_citizens"][0] == max(x for x, _ in pos.values())
        True
        """
        drawn = set(self.drawn_nodes())
        parents = {n: [link.source for link in self.links if link.target == n and not link.covariate]
                   for n in self.nodes if n in drawn}
        return plotting.layered_layout([n for n in self.topological_order() if n in drawn], parents, self.outcomes)

    def drawn_nodes(self) -> list[str]:
        """The nodes the DAG figure draws: all but those that enter only as ``adjust:`` covariates
        (:meth:`covariates_text` lists those under the figure).

        Returns
        -------
        list[str]
            Node names in spec order.

        Example
        -------
        >>> import copath as cp
        >>> cp.loads_pathway("name: t\\nindex: [id]\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: binary, adjust: [age]}\\n"
        ...                  "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n").drawn_nodes()
        ['x', 'y']
        """
        pathway_ends = {n for link in self.links if not link.covariate for n in (link.source, link.target)}
        return [n for n, node in self.nodes.items() if node.node_kind.endogenous or n in pathway_ends]

    def covariates_text(self) -> str:
        """The ``adjust:`` covariates of each node, in words (empty when there are none).

        Returns
        -------
        str
            One sentence, e.g. ``"Adjusted for (covariates, not pathway links): y for age, sex."``.

        Example
        -------
        >>> import copath as cp
        >>> cp.loads_pathway("name: t\\nindex: [id]\\nnodes:\\n  y: {kind: binary, adjust: [age, sex]}\\n"
        ...                  "links: []\\noutcomes: [y]\\n").covariates_text()
        'Adjusted for (covariates, not pathway links): y for age, sex.'
        """
        adjusted = {n: list(node.adjust) for n, node in self.nodes.items() if node.adjust}
        if not adjusted:
            return ""
        return ("Adjusted for (covariates, not pathway links): "
                + "; ".join(f"{n} for {', '.join(cols)}" for n, cols in adjusted.items()) + ".")

    # ------------------------------------------------------------- evidence
    def weak_links(self, evidence: WeakLinkRule | None = None) -> list[str]:
        """Links whose strongest evidence is graded C, D or E, or that have none
        (:data:`copath.constants.WEAK_RULE`); all links when there is no ``evidence``.
        The registry decides (:meth:`copath.Evidence.weak_links`).

        Parameters
        ----------
        evidence
            Anything with a ``weak_links(pathway)`` method, usually the registry
            (:class:`copath.Evidence`); None (default) counts every link as weak.

        Returns
        -------
        list[str]
            Names of the weak links (``"a -> b"``), in spec order.

        Example
        -------
        >>> import copath as cp
        >>> pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
        >>> "nw_coverage -> burglary" in pw.weak_links(ev)
        False
        >>> "worried -> qol_citizens" in pw.weak_links(ev)
        True
        """
        return self.link_names if evidence is None else evidence.weak_links(self)

    def draw(self, evidence: WeakLinkRule | None = None, weak: list[str] | None = None,
             figsize: tuple[float, float] | None = None, title: str | None = None,
             highlight: list[str] | None = None, font: float = 7.5) -> Figure:
        """The layered DAG as a Matplotlib figure: exposures on the left, final outcomes on
        the right (bold), boxes coloured by kind; weak links dashed (``weak``, else those of
        ``evidence``, else none). ``adjust:`` covariates are not drawn as links: a line under
        the figure lists them (:meth:`covariates_text`).

        Parameters
        ----------
        evidence
            The registry that says which links are weak (``cp.load_evidence()``).
        weak
            Link names to dash instead (overrides ``evidence``).
        figsize
            Inches; by default it grows with the number of layers and nodes.
        title
            The figure's title (default: the pathway's title or name).
        highlight
            Link names to draw thick and orange (e.g. a scenario's paths).
        font
            The box text size in points.

        Returns
        -------
        matplotlib.figure.Figure
            Not registered with pyplot: it displays as a notebook cell's value.

        Example
        -------
        >>> import copath as cp
        >>> fig = cp.load_pathway("policing_coproduction").draw()
        >>> len(fig.axes), bool(fig.get_size_inches()[0] > 10)
        (1, True)
        """
        if weak is None:
            weak = evidence.weak_links(self) if evidence is not None else []
        dashed = set(weak)
        drawn = set(self.drawn_nodes())
        nodes = [plotting.DagNode(n, node.display, node.node_kind.colour, n in self.outcomes)
                 for n, node in self.nodes.items() if n in drawn]
        bold = set(highlight or ())
        links = [plotting.DagLink(link.source, link.target, link.name in dashed, link.name in bold)
                 for link in self.links if not link.covariate]
        legend = {k.display: k.colour for k in kinds.KINDS.values()}
        return plotting.draw_dag(nodes, links, self.layout(),
                                 title=title if title is not None else (self.title or self.name), legend=legend,
                                 link_labels=(f"link ({STRONG_RULE})", f"weak link ({WEAK_RULE})"),
                                 figsize=figsize, font=font, note=self.covariates_text())

    def node_table(self) -> pd.DataFrame:
        """One row per node: label, role (exposure, intermediate, final outcome), kind, unit.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``node`` in spec order, with columns ``label``, ``role`` (see
            :meth:`role`), ``kind``, ``unit`` (the node's unit label), ``better`` (empty
            when not set), ``baseline`` and ``description``.

        Example
        -------
        >>> import copath as cp
        >>> cp.load_pathway("policing_coproduction").node_table().loc["burglary", "role"]
        'intermediate'
        """
        rows = [{"node": n, "label": node.label, "role": self.role(n), "kind": node.kind,
                 "unit": node.unit_label, "better": node.better or "", "baseline": node.baseline,
                 "description": node.description} for n, node in self.nodes.items()]
        return pd.DataFrame(rows).set_index("node")

    def with_nodes(self, changes: Mapping[str, Mapping[str, Any]]) -> Pathway:
        """A copy with some nodes' spec fields changed, checked as a spec file is: e.g. the
        ``reference:`` values of exposures the data lack, a ``maturity_lag``, a label.

        Parameters
        ----------
        changes
            Node name -> {field: value}, with the fields and values a spec's node takes.

        Returns
        -------
        Pathway

        Raises
        ------
        SpecError
            If a node is unknown or a field or value is not valid.

        Example
        -------
        >>> import copath as cp
        >>> pw = cp.load_pathway("policing_coproduction")
        >>> city = pw.with_nodes({"nw_coverage": {"reference": 0.0}, "detection": {"maturity_lag": 3}})
        >>> city.nodes["nw_coverage"].reference, city.nodes["detection"].maturity_lag, pw.nodes["nw_coverage"].reference
        (0.0, 3, None)
        """
        from copath.spec.loader import pathway_from_dict, pathway_to_dict

        doc = pathway_to_dict(self)
        for name, fields in changes.items():
            if name not in doc["nodes"]:
                raise self._err(f"unknown node {name!r} (nodes: {', '.join(self.nodes)})", "with_nodes")
            doc["nodes"][name].update(dict(fields))
        return pathway_from_dict(doc, source=f"{self.source or self.name} (with_nodes)")

    def required_columns(self) -> pd.DataFrame:
        """Every column the local data can hold for this pathway: role, need, unit, users.

        ``need`` is ``required`` (index columns; exposures without a ``reference:``),
        ``optional`` (node columns; exposures with a reference) or ``denominator`` (offsets and
        trials, required when a node using them has a column); see
        :mod:`copath.spec.columns`. ``copath columns MODEL`` prints it and ``copath template
        MODEL --out FILE.csv`` writes its header row.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``column``, with ``role``, ``need``, ``unit``, ``used_by`` and ``note``.

        Example
        -------
        >>> import copath as cp
        >>> cols = cp.load_pathway("policing_coproduction").required_columns()
        >>> cols.loc["detection", ["role", "need"]].tolist()
        ['proportion', 'optional']
        """
        from copath.spec.columns import column_table

        return column_table(self)

    def role(self, name: str) -> str:
        """``"exposure"``, ``"covariate"``, ``"final outcome"`` or ``"intermediate"``.

        Parameters
        ----------
        name
            A node name (``KeyError`` if it is not a node).

        Returns
        -------
        str
            ``"exposure"`` for an exogenous node (``"covariate"`` for one that only an
            ``adjust:`` brought in), ``"final outcome"`` for a node in ``outcomes``, else
            ``"intermediate"``.
        """
        if not self.nodes[name].node_kind.endogenous:
            return "covariate" if self.nodes[name].covariate else "exposure"
        return "final outcome" if name in self.outcomes else "intermediate"

    def _repr_html_(self) -> str:
        png = plotting.to_png(self.draw(weak=[]), dpi=60)
        table = frame_html(self.node_table()[["label", "kind", "unit", "role"]])
        return (f"<div><p><strong>{escape(self.name)}</strong>: {len(self.nodes)} nodes, {len(self.links)} links</p>"
                f"{png_img(png, f'{self.name} pathway')}<details><summary>nodes</summary>{table}</details></div>")

    def __repr__(self) -> str:
        return (
            f"Pathway({self.name!r}: {len(self.nodes)} nodes, {len(self.links)} links, "
            f"outcomes={list(self.outcomes)})"
        )
