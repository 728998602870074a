r"""The testable conditional independencies a pathway implies: its local Markov basis.

A DAG implies that every node is independent of its non-descendants given its parents (the
local Markov property: Lauritzen 1996, *Graphical Models*, sect. 3.2.2; Pearl 2009,
*Causality*, 2nd ed., Theorem 1.2.7). Among observed nodes, each such statement with every
parent observed is testable on data; together they imply every other independence the DAG
makes among those nodes (they are a basis: Pearl 2009, sect. 1.2.3). dagitty lists the same
statements as a DAG's "implied conditional independencies" (Textor et al. 2016, *International
Journal of Epidemiology* 45:1887).

copath models each endogenous node *given* its parents and never the joint distribution of the
exposures, so only statements about an endogenous node are listed: ``node`` is independent of
each ``other`` (an observed non-descendant that is not a parent) given ``given`` (its parents).
A statement whose node has a parent without data cannot be tested and is left out.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  z: {kind: exposure}\n"
...     "  m: {kind: count}\n  y: {kind: continuous}\n"
...     "links:\n  - {from: x, to: m}\n  - {from: m, to: y}\n  - {from: z, to: y}\noutcomes: [y]\n")
>>> [str(i) for i in implications(pw)]
['m _||_ z | x', 'y _||_ x | z, m']
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from copath.spec.pathway import Pathway

__all__ = ["Implication", "implications"]


@dataclass(frozen=True)
class Implication:
    """``node`` is independent of ``other`` given ``given`` (all observed)."""

    node: str
    other: str
    given: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.node} _||_ {self.other}" + (f" | {', '.join(self.given)}" if self.given else "")

    @property
    def missing_link(self) -> str:
        """The link whose absence the statement tests: ``"<other> -> <node>"``."""
        return f"{self.other} -> {self.node}"


def implications(pathway: Pathway, observed: Collection[str] | None = None) -> list[Implication]:
    """The local Markov basis of ``pathway`` among ``observed`` nodes.

    Parameters
    ----------
    pathway
        The pathway (a DAG).
    observed
        The nodes with data (default: every node). Exposures count as observed when listed.

    Returns
    -------
    list of Implication
        For each endogenous observed node whose parents are all observed, in topological order,
        one statement per observed non-descendant that is not a parent (in the pathway's node
        order); empty when the DAG implies nothing testable.
    """
    seen = set(pathway.nodes) if observed is None else set(observed)
    unknown = sorted(seen - set(pathway.nodes))
    if unknown:
        raise ValueError(f"implications: unknown node(s) {', '.join(unknown)}")
    graph = pathway.to_networkx()
    order = list(pathway.nodes)
    out = []
    for node in pathway.endogenous:
        parents = pathway.parents(node)
        if node not in seen or any(p not in seen for p in parents):
            continue
        excluded = nx.descendants(graph, node) | set(parents) | {node}
        given = tuple(sorted(parents, key=order.index))
        out.extend(Implication(node, other, given) for other in order if other in seen and other not in excluded)
    return out
