r"""The testable conditional independencies a pathway implies among its observed nodes.

A DAG implies that every node is independent of its non-descendants given its parents (the
local Markov property: Lauritzen 1996, *Graphical Models*, sect. 3.2.2; Pearl 2009,
*Causality*, 2nd ed., Theorem 1.2.7). copath lists it pair by pair, as dagitty's default
"missing edge" list does (Textor et al. 2016, *International Journal of Epidemiology*
45:1887): ``node`` is independent of ``other`` given ``given``, for each endogenous observed
``node`` and each observed non-descendant ``other`` not joined to it by a link.

- When every parent of ``node`` is observed, ``given`` is its parents (the local Markov
  statement; over all nodes of a fully observed DAG, the joint statements imply every
  independence the DAG makes, Pearl 2009 sect. 1.2.3; the pairwise pieces need the
  composition property to add back up, which the normal and many other models have).
- When a parent has no data, ``given`` is a minimal set of observed nodes that d-separates
  the two (networkx's ``find_minimal_d_separator`` restricted to observed nodes; Tian, Paz and
  Pearl 1998, "Finding minimal d-separators"), and the pair is left out when no observed set
  separates them.

copath models each endogenous node *given* its parents and never the joint distribution of the
exposures, so no statement is made about two exposures. A statement the data reject says that
``other -> node`` is missing, or that an unmeasured cause is common to both (or that a
functional form is wrong): :attr:`Implication.missing_link` names the first reading only.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  z: {kind: exposure}\n"
...     "  m: {kind: count}\n  y: {kind: continuous}\n"
...     "links:\n  - {from: x, to: m}\n  - {from: m, to: y}\n  - {from: z, to: y}\noutcomes: [y]\n")
>>> [str(i) for i in implications(pw)]
['m _||_ z | x', 'y _||_ x | z, m']
>>> [str(i) for i in implications(pw, observed=["x", "z", "y"])]   # m has no data: x reaches y only through it
[]
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
        """The link whose absence the statement tests, ``"<other> -> <node>"`` (an unmeasured
        cause common to both would break it too)."""
        return f"{self.other} -> {self.node}"


def implications(pathway: Pathway, observed: Collection[str] | None = None) -> list[Implication]:
    """The pairwise conditional independencies ``pathway`` implies among ``observed`` nodes.

    Parameters
    ----------
    pathway
        The pathway (a DAG).
    observed
        The nodes with data (default: every node). Exposures count as observed when listed.

    Returns
    -------
    list of Implication
        For each endogenous observed node, in topological order, one statement per observed
        non-descendant not linked to it (in the pathway's node order), given its parents when
        all are observed, else given a minimal observed d-separator (pairs no observed set
        separates are left out); empty when the DAG implies nothing testable.
    """
    seen = set(pathway.nodes) if observed is None else set(observed)
    unknown = sorted(seen - set(pathway.nodes))
    if unknown:
        raise ValueError(f"implications: unknown node(s) {', '.join(unknown)}")
    graph = pathway.to_networkx()
    order = list(pathway.nodes)
    out = []
    for node in pathway.endogenous:
        if node not in seen:
            continue
        parents = pathway.parents(node)
        excluded = nx.descendants(graph, node) | set(parents) | {node}
        others = [o for o in order if o in seen and o not in excluded]
        if all(p in seen for p in parents):
            given = tuple(sorted(parents, key=order.index))
            out.extend(Implication(node, other, given) for other in others)
            continue
        for other in others:
            allowed = seen - {node, other}
            found = nx.find_minimal_d_separator(graph, {node}, {other}, restricted=allowed)
            if found is not None:
                out.append(Implication(node, other, tuple(sorted(found, key=order.index))))
    return out
