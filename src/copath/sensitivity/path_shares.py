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

A path's links **trade off** when the data fix their product better than each link: then the
posterior of their log sizes is a ridge of negative slope (:math:`\log|\beta_a| + \log|\beta_b|`
about constant). copath measures it by the correlation of :math:`\log|\beta_a|` and
:math:`\log|\beta_b|` within each chain, averaged over chains (within chains so that chains in
mirror-image modes, :mod:`copath.model.mirror`, do not make a correlation of their own), for
the pair of the path's links where it is most negative, and calls it a trade-off at or below
:data:`TRADE_OFF`. On log sizes an exact product ridge gives -1 whatever its width (the
correlation of the coefficients themselves weakens as the hyperbola widens), and links that
rise together give a positive value, not a trade-off.

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
-0.93
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
#: The within-chain correlation of two links' log sizes at or below which they "trade off":
#: at -0.5 a quarter of one log size's variance moves against the other's. A convention, not
#: a test: it names where to read a path whole and passes or fails nothing.
TRADE_OFF = -0.5
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
    chains: int = 1,
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
        same order as ``quantities``, chain-major.
    chains
        How many chains the rows hold (equal blocks), for the within-chain correlation.

    Returns
    -------
    pandas.DataFrame
        One row per (quantity, path), columns :data:`PATH_COLUMNS`: ``share`` (the
        path's first-order variance share), ``largest_link_share`` (the largest share of a
        single link on it), ``correlation`` (the most negative within-chain correlation of two
        of its links' log sizes) and ``trade_off`` (``correlation <=`` :data:`TRADE_OFF`);
        sorted by share within each quantity, largest first.
    """
    rows = []
    for quantity, y in quantities.items():
        y = np.asarray(y, dtype=float)
        for nodes in paths.get(quantity, ()):
            links = [link_name(a, b) for a, b in zip(nodes[:-1], nodes[1:], strict=True)]
            values = params[links].to_numpy()
            corr = _log_size_correlation(values, chains)
            rows.append({
                "quantity": quantity, "path": path_name(nodes), "links": ", ".join(links),
                "share": explained_share(y, values.prod(axis=1)),
                "largest_link_share": max(explained_share(y, values[:, j]) for j in range(len(links))),
                "correlation": corr, "trade_off": bool(corr <= TRADE_OFF),
            })
    table = pd.DataFrame(rows, columns=list(PATH_COLUMNS))
    if table.empty:
        return table
    order = pd.Categorical(table["quantity"], list(dict.fromkeys(table["quantity"])))
    return (table.assign(_q=order).sort_values(["_q", "share"], ascending=[True, False], kind="stable")
            .drop(columns="_q").reset_index(drop=True))


def _log_size_correlation(values: np.ndarray, chains: int) -> float:
    """The most negative correlation of two columns' log absolute values, within chains and
    averaged over them (0 when a column is constant within a chain or there is one column)."""
    if values.shape[1] < 2:
        return 0.0
    logs = np.log(np.maximum(np.abs(values), 1e-300))
    blocks = np.array_split(logs, max(chains, 1))
    total = np.zeros((values.shape[1], values.shape[1]))
    for block in blocks:
        if np.any(block.std(axis=0) == 0):
            return 0.0
        total += np.corrcoef(block, rowvar=False)
    corr = total / len(blocks)
    return float(corr[np.triu_indices_from(corr, k=1)].min())
