r"""Direct links sampled as their total through nodes without data.

When a node :math:`u` has no data, its children see only its deviation from its own
level (:mod:`copath.model.equations`), which is linear in its parents' inputs (except for a
continuous node with ``link: logit``, whose value bends: the reparametrisation below is still
exact, a shift with Jacobian 1, but the data no longer pin the total down as they do through
a linear node). A child
:math:`y` with data and a parent :math:`q` that reaches it both directly and through
such nodes then sees :math:`x_q` with one coefficient only, the total

.. math::

    T_{q \to y} = \beta_{q \to y} + \sum_{\text{paths } q \to m_1 \to \dots \to m_k \to y}
    \beta_{q \to m_1} \cdots \beta_{m_k \to y}

over the directed paths whose middle nodes :math:`m_i` all lack data (the
path-tracing rule of linear structural equations, Wright 1934; Bollen 1989, ch. 2).
The data pin :math:`T` down and leave the split between the direct link and the
product to the priors: in :math:`(\beta_{q \to y}, \beta_{q \to u}, \beta_{u \to y})`
that is a thin curved sheet, which NUTS crosses with tiny steps and divergences (seen
in simulation-based calibration, ``benchmarks/results.md``).

So such a direct link is sampled as its total: ``beta_total`` (dim ``link_total``),
:math:`T \sim N(\mu + I, \sigma)` with :math:`I` the sum of path products and
:math:`(\mu, \sigma)` the direct link's own prior, and :math:`\beta_{q \to y} = T - I`.
The map from :math:`\beta_{q \to y}` to :math:`T` is a shift by terms that do not involve
it, so its Jacobian is 1 and the prior on every ``beta`` is unchanged: this is a
reparametrisation, not a new model. The data now fix one coordinate, :math:`T`, and the
path's links keep the shape their priors give them.

A direct link is sampled this way when its sign is free (a stated sign would make
:math:`T - I > 0` a hard wall), its child has data and its parent is an exposure or has
data (a parent without data would enter other links' paths).

Example
-------
>>> import copath as cp, numpy as np
>>> pw = cp.load_pathway("calibration_pathway")
>>> t = plan_totals(pw, hidden={"fear"}, signs={name: 0 for name in pw.link_names})
>>> [pw.link_names[i] for i in t.links]
['crime -> wellbeing']
>>> beta = np.array([0.1, 0.5, -2.0, 0.3])   # x->crime, crime->fear, fear->wellbeing, crime->wellbeing
>>> indirect(t, beta).tolist()                # crime -> fear -> wellbeing
[-1.0]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytensor.tensor as pt

from copath.spec.pathway import Pathway

__all__ = ["LinkTotals", "indirect", "plan_totals"]


@dataclass(frozen=True)
class LinkTotals:
    """The direct links sampled as totals and, for each, its paths through nodes without data.

    ``links[i]`` is the position in ``beta`` of the ``i``-th such link and ``paths[i]``
    its paths, each the positions in ``beta`` of the links along it.
    """

    links: tuple[int, ...]
    paths: tuple[tuple[tuple[int, ...], ...], ...]

    def __bool__(self) -> bool:
        return bool(self.links)


def _paths(pathway: Pathway, source: str, target: str, hidden: Collection[str],
           position: Mapping[tuple[str, str], int]) -> list[tuple[int, ...]]:
    """Every directed path ``source -> m1 -> ... -> target`` (at least one middle node),
    all of whose middle nodes are in ``hidden``, as link positions."""
    children: dict[str, list[str]] = {}
    for link in pathway.links:
        children.setdefault(link.source, []).append(link.target)
    found: list[tuple[int, ...]] = []

    def walk(node: str, so_far: tuple[int, ...]) -> None:
        for child in children.get(node, []):
            step = so_far + (position[(node, child)],)
            if child == target and len(step) > 1:
                found.append(step)
            elif child in hidden:
                walk(child, step)

    walk(source, ())
    return found


def plan_totals(pathway: Pathway, hidden: Collection[str], signs: Mapping[str, int]) -> LinkTotals:
    """Which direct links to sample as totals through the nodes in ``hidden``.

    Parameters
    ----------
    pathway
        The pathway.
    hidden
        Endogenous nodes without data in the fit.
    signs
        Link name -> its fixed sign (0: free), as the fit's priors hold them.

    Returns
    -------
    LinkTotals
        Empty (false) when no link qualifies.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("calibration_pathway")
    >>> bool(plan_totals(pw, hidden=set(), signs={n: 0 for n in pw.link_names}))
    False
    """
    hidden = set(hidden)
    position = {(link.source, link.target): i for i, link in enumerate(pathway.links)}
    links, paths = [], []
    for i, link in enumerate(pathway.links):
        if signs.get(link.name, 0) != 0 or link.source in hidden or link.target in hidden:
            continue
        found = _paths(pathway, link.source, link.target, hidden, position)
        if found:
            links.append(i)
            paths.append(tuple(found))
    return LinkTotals(tuple(links), tuple(paths))


def indirect(totals: LinkTotals, beta: Any) -> Any:
    """The sum of path products :math:`I` for each total link (link axis last).

    Works on NumPy arrays with leading draw axes and on PyTensor vectors alike (only
    ``*``, ``+`` and indexing). No path uses a total link itself (its parent and child
    have data, a path's links each touch a node without data), so ``beta`` may hold
    anything at those positions.

    Parameters
    ----------
    totals
        From :func:`plan_totals`.
    beta
        Link coefficients, link axis last.

    Returns
    -------
    A list-like with one entry per total link (a NumPy array or a PyTensor vector).

    Example
    -------
    >>> import numpy as np
    >>> t = LinkTotals(links=(2,), paths=(((0, 1),),))
    >>> indirect(t, np.array([[2.0, 3.0, 9.0], [1.0, -1.0, 9.0]])).tolist()
    [[6.0], [-1.0]]
    """
    terms = []
    for routes in totals.paths:
        total = 0.0
        for route in routes:
            product = beta[..., route[0]]
            for j in route[1:]:
                product = product * beta[..., j]
            total = total + product
        terms.append(total)
    if isinstance(beta, np.ndarray):
        return np.stack(terms, axis=-1)
    return pt.stack(terms, axis=-1)
