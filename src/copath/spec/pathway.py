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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from copath.constants import NODE_KINDS
from copath.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from copath.evidence.registry import Evidence

__all__ = ["Node", "Link", "Pathway", "link_name"]

COUNT_FAMILIES = ("poisson", "negative_binomial")


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

    ``kind`` is exposure, count, proportion or continuous (see DESIGN.md for each
    structural equation). ``better`` says which direction is an improvement
    ("lower" or "higher"), used when scenarios report whether an outcome improves.
    ``baseline`` is the node's typical level on its natural scale (a rate per ``per``
    for counts, a share for proportions, a mean for continuous nodes): the centre of
    its intercept prior. ``scale`` is a continuous node's typical standard deviation.

    Example
    -------
    >>> Node("burglary", "count", offset="households", per=1000).kind
    'count'
    """

    name: str
    kind: str
    label: str = ""
    unit: str = ""
    range: tuple[float, float] | None = None
    offset: str | None = None
    per: float | None = None
    trials: str | None = None
    family: str = "poisson"
    area_effects: bool = False
    scale: float = 1.0
    baseline: float | None = None
    better: str | None = None
    description: str = ""

    @property
    def display(self) -> str:
        """Label if given, else the name."""
        return self.label or self.name

    @property
    def coefficient_scale(self) -> str:
        """What a coefficient on a link *into* this node means.

        Example
        -------
        >>> Node("y", "proportion", trials="n").coefficient_scale
        'log odds ratio'
        """
        return {
            "count": "log rate ratio",
            "proportion": "log odds ratio",
            "continuous": "slope",
        }.get(self.kind, "none")


@dataclass(frozen=True)
class Link:
    """A directed link ``source -> target`` with its evidence ids.

    ``contrast`` is the change of the parent, in the parent's unit, that the
    link's evidence describes (1.0 = e.g. scheme absent -> present).

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

    @property
    def name(self) -> str:
        return link_name(self.source, self.target)


@dataclass(frozen=True)
class Pathway:
    """A validated pathway DAG. Build it with :meth:`build` or :func:`copath.load_pathway`.

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
    ) -> Pathway:
        """Validate the parts and return a Pathway; raise SpecError on the first problem.

        Example
        -------
        >>> Pathway.build("bad", {"x": Node("x", "exposure")}, [Link("x", "z")], [])
        Traceback (most recent call last):
        ...
        copath.errors.SpecError: link x -> z: unknown node 'z' (nodes: x)
        """
        pw = cls(
            name=name,
            nodes=dict(nodes),
            links=tuple(links),
            outcomes=tuple(outcomes),
            title=title,
            index=tuple(index),
            source=source,
        )
        pw._validate()
        return pw

    def _err(self, message: str, where: str | None = None, line: int | None = None) -> SpecError:
        return SpecError(message, file=self.source, where=where, line=line)

    def _validate(self) -> None:
        if not self.nodes:
            raise self._err("the spec declares no nodes", where="nodes")
        for node in self.nodes.values():
            self._validate_node(node)
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
            if self.nodes[link.target].kind == "exposure":
                raise self._err(
                    f"links into an exposure are not allowed ({link.target!r} is exogenous)",
                    where,
                    link.line,
                )
            if not (isinstance(link.contrast, (int, float)) and math.isfinite(link.contrast)) or (
                link.contrast == 0
            ):
                raise self._err("contrast must be a finite non-zero number", where, link.line)
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
            if self.nodes[outcome].kind == "exposure":
                raise self._err(f"outcome {outcome!r} is an exposure", where="outcomes")

    def _validate_node(self, node: Node) -> None:
        where = f"node {node.name}"
        if not isinstance(node.name, str) or not node.name.isidentifier():
            raise self._err("a node name must be a single word (letters, digits, _)", where)
        if node.kind not in NODE_KINDS:
            raise self._err(
                f"unknown kind {node.kind!r}; expected one of {', '.join(NODE_KINDS)}", where
            )
        if node.range is not None:
            lo, hi = node.range
            if not (lo < hi):
                raise self._err(f"range [{lo}, {hi}] must have low < high", where)
        if node.kind == "count":
            if node.per is not None and node.offset is None:
                raise self._err("a count node with 'per' needs an 'offset' column", where)
            if node.per is not None and not node.per > 0:
                raise self._err("'per' must be a positive number", where)
            if node.family not in COUNT_FAMILIES:
                raise self._err(
                    f"unknown family {node.family!r}; expected {' or '.join(COUNT_FAMILIES)}",
                    where,
                )
        if node.kind == "proportion" and not node.trials:
            raise self._err("a proportion node needs a 'trials' column", where)
        if node.kind == "continuous" and not node.scale > 0:
            raise self._err("'scale' must be a positive number", where)
        if node.baseline is not None:
            if node.kind == "exposure":
                raise self._err("an exposure has no equation, so no 'baseline'", where)
            if node.kind == "count" and not node.baseline > 0:
                raise self._err("a count node's baseline is a rate and must be positive", where)
            if node.kind == "proportion" and not 0 < node.baseline < 1:
                raise self._err("a proportion node's baseline is a share strictly between 0 and 1", where)
        if node.better not in (None, "lower", "higher"):
            raise self._err("'better' must be 'lower' or 'higher'", where)

    # ------------------------------------------------------------ structure
    @property
    def link_names(self) -> list[str]:
        """Link labels in spec order, e.g. ``'nw_coverage -> burglary'``."""
        return [link.name for link in self.links]

    @property
    def exposures(self) -> list[str]:
        """Names of the exogenous nodes."""
        return [n for n, node in self.nodes.items() if node.kind == "exposure"]

    @property
    def endogenous(self) -> list[str]:
        """Names of nodes with a structural equation, in topological order."""
        return [n for n in self.topological_order() if self.nodes[n].kind != "exposure"]

    def link(self, source: str, target: str) -> Link:
        """The link ``source -> target`` (KeyError naming it if absent)."""
        for link in self.links:
            if link.source == source and link.target == target:
                return link
        raise KeyError(f"no link {link_name(source, target)} in pathway {self.name!r}")

    def parents(self, node: str) -> list[str]:
        """Parents of ``node`` in spec order."""
        return [link.source for link in self.links if link.target == node]

    def children(self, node: str) -> list[str]:
        """Children of ``node`` in spec order."""
        return [link.target for link in self.links if link.source == node]

    def topological_order(self) -> list[str]:
        """Node names so that every parent comes before its children (stable)."""
        return list(nx.lexicographical_topological_sort(self.to_networkx(), key=self._spec_pos))

    def _spec_pos(self, name: str) -> str:
        return f"{list(self.nodes).index(name):06d}"

    def to_networkx(self) -> nx.DiGraph:
        """The DAG as a ``networkx.DiGraph`` with node and link attributes.

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

    # ------------------------------------------------------------- evidence
    def weak_links(self, evidence: Evidence | None = None) -> list[str]:
        """Links whose strongest evidence is graded C, D or E, or that have none.

        Example
        -------
        >>> import copath as cp
        >>> pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
        >>> "nw_coverage -> burglary" in pw.weak_links(ev)
        False
        >>> "worried -> qol_citizens" in pw.weak_links(ev)
        True
        """
        from copath.evidence.priors import link_grade

        weak = []
        for link in self.links:
            grade = link_grade(link, evidence, self)
            if grade is None or grade in ("C", "D", "E"):
                weak.append(link.name)
        return weak

    def draw(self, evidence: Evidence | None = None, **kwargs: Any) -> Figure:
        """Draw the layered DAG (see :func:`copath.spec.drawing.draw_pathway`).

        Example
        -------
        >>> import copath as cp
        >>> fig = cp.load_pathway("policing_coproduction").draw()
        >>> len(fig.axes)
        1
        """
        from copath.spec.drawing import draw_pathway

        return draw_pathway(self, evidence=evidence, **kwargs)

    def _repr_html_(self) -> str:
        from copath.reports.jupyter import pathway_html

        return pathway_html(self)

    def __repr__(self) -> str:
        return (
            f"Pathway({self.name!r}: {len(self.nodes)} nodes, {len(self.links)} links, "
            f"outcomes={list(self.outcomes)})"
        )
