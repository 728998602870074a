r"""What a scenario's effect hangs on, path by path: variance shares of whole paths.

A link's first-order variance share (:mod:`.importance`) can rank the main route of an
effect below a minor link. When a mediator's own data are weak, its child's data inform
only the *product* of the links into and out of it: the posterior of the two links is a
ridge (strongly correlated, often negatively), each link alone explains little of the
effect's variance, and the path explains most of it.

For a scenario that changes node :math:`s` and a final outcome :math:`o`, every directed
path :math:`\pi = (s \to v_1 \to \dots \to o)` of the pathway gets the per-draw product
of its coefficients,

.. math:: \beta_\pi = \prod_{\ell \in \pi} \beta_\ell,

the path's effect on the link scales when every equation is linear in its parents
(Wright's path-tracing rule; Alwin and Hauser 1975, "The decomposition of effects in path
analysis", *American Sociological Review* 40:37-47). On log/logit scales the product is
the path's coefficient, not its effect in the outcome's units; as a summary of what the
effect hangs on it is used only through its first-order variance share
:math:`S_\pi = \operatorname{Var}(E[Y \mid \beta_\pi]) / \operatorname{Var}(Y)`, with the
same estimator as the links' (:func:`copath.sensitivity.regression.explained_share`).

A path's links **trade off** when some pair of them has posterior correlation of at
least :data:`TRADE_OFF` in absolute value: read the path, not its links.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> a = np.exp(rng.normal(0, 0.5, 4000))          # the two links trade off ...
>>> b = 0.3 / a * np.exp(rng.normal(0, 0.2, 4000))  # ... so their product is steadier
>>> params = pd.DataFrame({"x -> m": a, "m -> y": b})
>>> t = path_shares({"effect": a * b}, {"effect": [("x", "m", "y")]}, params)
>>> t[["path", "share", "largest_link_share"]].round(2).values.tolist()
[['x -> m -> y', 1.0, 0.14]]
>>> round(float(t["correlation"].iloc[0]), 2)
-0.7
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from copath.sensitivity.regression import explained_share
from copath.spec.pathway import Pathway, link_name

__all__ = ["PATH_LIMIT", "TRADE_OFF", "PATH_COLUMNS", "paths_between", "path_name", "path_shares"]

#: At most this many paths per (source, outcome) pair (the shortest first): the flagship's
#: longest source-outcome pair has 6, a dense pathway can have thousands.
PATH_LIMIT = 50
#: The absolute posterior correlation between two links of a path at which they "trade
#: off": above 0.5 a quarter or more of one link's variance moves with the other.
TRADE_OFF = 0.5
PATH_COLUMNS = ("quantity", "path", "links", "share", "largest_link_share", "correlation", "trade_off")


def path_name(nodes: Sequence[str]) -> str:
    """``("a", "b", "c")`` -> ``"a -> b -> c"``."""
    return " -> ".join(nodes)


def paths_between(pathway: Pathway, source: str, target: str, limit: int = PATH_LIMIT) -> list[tuple[str, ...]]:
    """The directed paths from ``source`` to ``target`` with two or more links.

    Parameters
    ----------
    pathway
        The pathway (a DAG).
    source, target
        Node names.
    limit
        At most this many paths, shortest first (ties in the order networkx finds them).

    Returns
    -------
    list of tuple of str
        Each path as its nodes, ``source`` first. A single link is not a path here: its
        share is the link's own.
    """
    graph = pathway.to_networkx()
    if source not in graph or target not in graph or source == target:
        return []
    found = [tuple(p) for p in nx.all_simple_paths(graph, source, target) if len(p) > 2]
    return sorted(found, key=len)[:limit]


def path_shares(
    quantities: Mapping[str, np.ndarray],
    paths: Mapping[str, Sequence[Sequence[str]]],
    params: pd.DataFrame,
) -> pd.DataFrame:
    """Variance share of each path's coefficient product, per quantity.

    Parameters
    ----------
    quantities
        Per quantity, one value per draw (e.g. a scenario's effect on a final outcome).
    paths
        Per quantity, the paths (node sequences) to score; quantities without paths are skipped.
    params
        The link coefficients, one column per link (``"a -> b"``), one row per draw in the
        same order as ``quantities``.

    Returns
    -------
    pandas.DataFrame
        One row per (quantity, path), columns :data:`PATH_COLUMNS`: ``share`` (the
        path's first-order variance share), ``largest_link_share`` (the largest share of a
        single link on it), ``correlation`` (the posterior correlation of largest absolute
        value between two of its links) and ``trade_off`` (``|correlation| >=``
        :data:`TRADE_OFF`); sorted by share within each quantity, largest first.
    """
    rows = []
    for quantity, y in quantities.items():
        y = np.asarray(y, dtype=float)
        for nodes in paths.get(quantity, ()):
            links = [link_name(a, b) for a, b in zip(nodes[:-1], nodes[1:], strict=True)]
            values = params[links].to_numpy()
            corr = _strongest_correlation(values)
            rows.append({
                "quantity": quantity, "path": path_name(nodes), "links": ", ".join(links),
                "share": explained_share(y, values.prod(axis=1)),
                "largest_link_share": max(explained_share(y, values[:, j]) for j in range(len(links))),
                "correlation": corr, "trade_off": bool(abs(corr) >= TRADE_OFF),
            })
    table = pd.DataFrame(rows, columns=list(PATH_COLUMNS))
    if table.empty:
        return table
    order = pd.Categorical(table["quantity"], list(dict.fromkeys(table["quantity"])))
    return (table.assign(_q=order).sort_values(["_q", "share"], ascending=[True, False], kind="stable")
            .drop(columns="_q").reset_index(drop=True))


def _strongest_correlation(values: np.ndarray) -> float:
    """The pairwise correlation of largest absolute value among the columns (0 if a column is constant)."""
    sd = values.std(axis=0)
    if values.shape[1] < 2 or np.any(sd == 0):
        return 0.0
    corr = np.corrcoef(values, rowvar=False)
    upper = corr[np.triu_indices_from(corr, k=1)]
    return float(upper[np.argmax(np.abs(upper))])
