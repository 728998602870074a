"""Categorical exposures and ``adjust:`` covariates, turned into ordinary nodes and links.

A categorical exposure (``levels: [a, b, c]``, ``reference: a``; the reference defaults to the
first level) is dummy-coded (treatment coding): one 0/1 exposure node per level other than the
reference, named ``educ[b]``, each with a link wherever the categorical node had one, so the
coefficient ``educ[b] -> emo`` is the difference between level ``b`` and the reference on the
child's coefficient scale. The data hold one column ``educ`` with the level of each row;
:func:`dummy_columns` writes the 0/1 columns and names the row and value of an unknown level.

``adjust: [age, educ, gender]`` on an endogenous node adds those columns as covariates: a link
from each (from each dummy of a categorical one) marked ``covariate``; a name that is not a node
becomes an exposure node marked ``covariate`` (its column read as a number). A covariate's
coefficient has the default prior of a link without evidence (:mod:`copath.evidence.priors`: a
weakly informative normal centred on 0 on the child's coefficient scale, no stated direction); it
is not a weak pathway link, and the summary, the DAG and the report show it as a covariate.

Example
-------
>>> from copath.spec.pathway import Link, Node
>>> nodes, links = expand({"educ": Node("educ", "exposure", levels=("low", "mid", "high")),
...                        "y": Node("y", "continuous", adjust=("age",))}, [Link("educ", "y")])
>>> list(nodes), [link.name for link in links], [link.covariate for link in links]
(['educ[mid]', 'educ[high]', 'y', 'age'], ['educ[mid] -> y', 'educ[high] -> y', 'age -> y'], [False, False, True])
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from copath.spec.pathway import Link, Node

__all__ = ["expand", "dummy_name", "DUMMY", "dummy_columns", "categorical_sources"]

#: A dummy node's name: ``<column>[<level>]``.
DUMMY = re.compile(r"^(?P<column>[A-Za-z_]\w*)\[(?P<level>[^\[\]]+)\]$")


def dummy_name(column: str, level: str) -> str:
    """The node of one non-reference level of a categorical exposure.

    Example
    -------
    >>> dummy_name("educ", "b")
    'educ[b]'
    """
    return f"{column}[{level}]"


def expand(nodes: Mapping[str, Node], links: Sequence[Link],
           err: Callable[[str, str], Exception] | None = None) -> tuple[dict[str, Node], list[Link]]:
    """Nodes and links with each categorical exposure dummy-coded and each ``adjust:`` made links.

    Idempotent: dummy nodes (``level`` set) and links already present are kept as they are.

    Parameters
    ----------
    nodes
        Node name -> node, as a spec declares them.
    links
        The spec's links.
    err
        ``err(message, where)`` makes the exception to raise (default ``ValueError``).

    Returns
    -------
    tuple of dict and list
        The nodes (a categorical node replaced, in place, by its dummies; covariate nodes added
        at the end) and the links (a link from a categorical node replaced by one per dummy;
        covariate links added after the spec's own).

    Example
    -------
    >>> from copath.spec.pathway import Link, Node
    >>> nodes, _ = expand({"g": Node("g", "exposure", levels=("b", "a"))}, [])
    >>> nodes["g[a]"].levels, nodes["g[a]"].level, nodes["g[a]"].range
    (('b', 'a'), 'a', (0.0, 1.0))
    """
    fail = err or (lambda message, where: ValueError(f"{where}: {message}"))
    out: dict[str, Node] = {}
    dummies: dict[str, list[str]] = {}
    for name, node in nodes.items():
        if not node.levels or node.level is not None:
            out[name] = node
            continue
        where = f"node {name}"
        if node.node_kind.endogenous:
            raise fail("'levels' are for a categorical exposure; an endogenous node's kind sets its values", where)
        levels = [str(v) for v in node.levels]
        if len(levels) < 2 or len(set(levels)) != len(levels):
            raise fail(f"'levels' must list two or more distinct levels, got {list(node.levels)}", where)
        if node.range is not None or node.reference is not None:
            raise fail("a categorical exposure takes no 'range' or numeric 'reference' (its reference is a level)",
                       where)
        dummies[name] = []
        for level in levels[1:]:
            dummy = dummy_name(name, level)
            label = f"{node.display}: {level} (vs {levels[0]})"
            out[dummy] = dataclasses.replace(node, name=dummy, label=label, range=(0.0, 1.0), levels=tuple(levels),
                                             level=level, unit=f"indicator of {name} = {level}")
            dummies[name].append(dummy)
    new_links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for link in links:
        sources = dummies.get(link.source, [link.source])
        if link.source in dummies and link.evidence:
            raise fail("evidence describes one contrast; a link from a categorical exposure has one coefficient per "
                       "level, so give no 'evidence' here", f"link {link.name}")
        for source in sources:
            new = dataclasses.replace(link, source=source) if source != link.source else link
            new_links.append(new)
            seen.add((new.source, new.target))
    for name, node in list(out.items()):
        for column in node.adjust:
            where = f"node {name}"
            if not node.node_kind.endogenous:
                raise fail("only an endogenous node is 'adjust'ed for covariates", where)
            if column == name:
                raise fail(f"'adjust' lists the node itself ({column!r})", where)
            if column in dummies:
                sources = dummies[column]
            elif column in out:
                sources = [column]
            else:
                if not column.isidentifier():
                    raise fail(f"'adjust' names columns (single words), got {column!r}", where)
                from copath.spec.pathway import Node

                out[column] = Node(column, "exposure", covariate=True, description=f"covariate of {name}")
                sources = [column]
            for source in sources:
                if (source, name) in seen:
                    continue
                from copath.spec.pathway import Link

                new_links.append(Link(source, name, covariate=True, note=f"covariate: {name} adjusted for {column}"))
                seen.add((source, name))
    return out, new_links


def categorical_sources(nodes: Mapping[str, Node]) -> dict[str, tuple[str, ...]]:
    """Each categorical column -> its levels (the reference first), from its dummy nodes.

    Example
    -------
    >>> from copath.spec.pathway import Node
    >>> categorical_sources({"g[a]": Node("g[a]", "exposure", levels=("b", "a"), level="a")})
    {'g': ('b', 'a')}
    """
    out: dict[str, tuple[str, ...]] = {}
    for name, node in nodes.items():
        if node.level is not None:
            out.setdefault(name[: name.index("[")], tuple(node.levels))
    return out


def dummy_columns(frame: pd.DataFrame, column: str, levels: Sequence[str]) -> tuple[dict[str, np.ndarray], str | None]:
    """The 0/1 columns of a categorical column's non-reference levels, and the problem with its values.

    Values are compared as text (``2`` and ``"2"`` are the same level).

    Parameters
    ----------
    frame
        The data.
    column
        The categorical column.
    levels
        Its levels, the reference first.

    Returns
    -------
    tuple
        ``{"col[level]": 0/1 array}`` for each non-reference level, and None or a sentence naming
        the first rows with a missing or unknown value and the value (those rows' dummies are NaN).

    Example
    -------
    >>> import pandas as pd
    >>> cols, problem = dummy_columns(pd.DataFrame({"g": ["a", "b", "c"]}), "g", ["a", "b"])
    >>> cols["g[b]"].tolist(), problem
    ([0.0, 1.0, nan], "values must be one of its levels a, b; first bad rows: 2 ('c')")
    """
    raw = frame[column]
    text = raw.astype(str).where(raw.notna(), None)
    known = text.isin(list(levels)).to_numpy()
    out = {dummy_name(column, level): np.where(known, (text == level).to_numpy(float), np.nan) for level in levels[1:]}
    if known.all():
        return out, None
    bad = np.flatnonzero(~known)
    def show(value: object) -> str:
        if pd.isna(value):
            return "missing"
        return repr(value.item() if hasattr(value, "item") else value)

    shown = ", ".join(f"{frame.index[r]} ({show(raw.iloc[r])})" for r in bad[:3])
    more = f" and {bad.size - 3} more" if bad.size > 3 else ""
    return out, f"values must be one of its levels {', '.join(levels)}; first bad rows: {shown}{more}"
