"""What a pathway's local data need: every column, its role, unit and whether it must be there.

One row per column of the data a pathway can use, in the order a data file would hold
them: the index columns (the spec's ``index:``: area x month, people, schools, ...), the
grouping column (the spec's ``groups:``, whose groups get area effects) when it is not one of
them, the exposures (a categorical one as one column of levels; ``adjust:`` covariates as
``covariate``), then each endogenous node followed by the denominator (offset or trials) it is
the first to use. ``need`` is one of:

``required``
    The fit stops without it: an index or grouping column, or an exposure with no ``reference:``.
``optional``
    It may be absent, or hold missing values: an endogenous node (rows without a value
    give it no data there; a node with no data keeps its links' priors) or an exposure with
    a ``reference:`` (held at that value when absent).
``denominator``
    An offset (count nodes) or trials column (proportion nodes; a sample size when the node
    is given as a share): required, with a value in every row, when a node that uses it has
    a column in the data (for a node observed at a coarser level, only where its figure is);
    not needed when none of them has one. The group columns of such a node (``observed_at``)
    and its ``weight`` column are denominators too: required when the node has a column.

Example
-------
>>> import copath as cp
>>> table = column_table(cp.load_pathway("policing_coproduction"))
>>> table.loc["households", "need"], table.loc["households", "used_by"]
('denominator', 'burglary')
>>> table.loc["nw_coverage", "need"]
'required'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from copath.spec.pathway import Pathway

__all__ = ["column_table", "Need", "NEEDS"]

Need = Literal["required", "optional", "denominator"]
#: What each ``need`` means, as ``copath columns`` prints it.
NEEDS: dict[str, str] = {
    "required": "the fit stops without it",
    "optional": "may be absent or hold missing values (no data there; the links keep their priors)",
    "denominator": "required (a value in every row) when a node using it has a column",
}

_UNITS = {
    "offset": "number of {column} in the row (positive)",
    "trials": "number of {column} in the row (whole number)",
    "sample size": "effective sample size of the share (positive; need not be whole)",
    "group": "the row's group label (the coarser level the node is observed at)",
    "weight": "the row's weight in its group's share (e.g. residents; positive)",
}
_INDEX_UNITS = {"area": "area code (e.g. an LSOA code)", "month": "month (YYYY-MM, or a number)"}


def _node_unit(pathway: Pathway, name: str) -> str:
    node = pathway.nodes[name]
    if node.kind == "binary":
        return "0 or 1 (the row's outcome: 1 yes, 0 no)"
    if node.kind == "count":
        per = f", modelled per {node.per:g} {node.offset}" if node.offset and node.per else (
            f", modelled per {node.offset}" if node.offset else "")
        return f"count in the row (whole number{per})"
    group = f", the same on every row of its {' x '.join(node.observed_at)} group" if node.observed_at else ""
    whose = "the group's" if node.observed_at else "the row's"
    if node.kind == "proportion" and node.given_as != "count":
        top = "0-100" if node.given_as == "percent" else "0-1"
        return f"{node.given_as} ({top}) of {whose} effective sample size {node.trials}{group}"
    if node.kind == "proportion":
        return f"how many of {whose} {node.trials} (whole number, 0 to {node.trials}){group}"
    if group:
        return f"count in the group (whole number){group}"
    return node.unit_label or "value"


def column_table(pathway: Pathway) -> pd.DataFrame:
    """Every column ``pathway`` can read from local data, with its role, unit and need.

    Parameters
    ----------
    pathway
        The pathway whose data are described.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``column``, with ``role`` (``index``, ``exposure``, the node's kind, or
        ``offset``/``trials``), ``need`` (``required``, ``optional`` or ``denominator``; see
        :data:`NEEDS`), ``unit`` (what one value in the column is), ``used_by`` (the nodes
        that read it, comma-separated) and ``note``.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure, reference: 0}\\n"
    ...     "  y: {kind: proportion, trials: surveyed}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> column_table(pw)[["role", "need"]].values.tolist()
    [['index', 'required'], ['index', 'required'], ['exposure', 'optional'], ['proportion', 'optional'], ['trials', 'denominator']]
    """
    rows: list[dict[str, str]] = []
    grouped = ", ".join(n for n, node in pathway.nodes.items() if node.area_effects)
    for column in pathway.index:
        note = f"from the spec's 'index:'{'; its groups get area effects' if column == pathway.area_column else ''}"
        rows.append({"column": column, "role": "index", "need": "required",
                     "unit": _INDEX_UNITS.get(column, "identifier"), "used_by": "every row", "note": note})
    if pathway.groups is not None and pathway.groups not in pathway.index:
        rows.append({"column": pathway.groups, "role": "group", "need": "required",
                     "unit": "the row's group label (e.g. a school or a ward)", "used_by": grouped or "every row",
                     "note": "from the spec's 'groups:'; its groups get area effects"})
    categorical = pathway.categorical
    for name in pathway.exposures:
        node = pathway.nodes[name]
        if node.level is not None:
            column = name[: name.index("[")]
            if column in categorical:
                levels = categorical.pop(column)
                users = dict.fromkeys(c for d in pathway.exposures if d.startswith(f"{column}[")
                                      for c in pathway.children(d))
                rows.append({"column": column, "role": "categorical", "need": "required",
                             "unit": f"one of {', '.join(levels)} (reference {levels[0]})",
                             "used_by": ", ".join(users),
                             "note": "dummy-coded: one coefficient per level against the reference"})
            continue
        held = node.reference is not None
        rows.append({"column": name, "role": "covariate" if node.covariate else "exposure",
                     "need": "optional" if held else "required",
                     "unit": node.unit_label or "value", "used_by": ", ".join(pathway.children(name)),
                     "note": (f"absent: held at its reference {node.reference:g} (its links then keep their priors)"
                              if held else "an 'adjust:' covariate, read as a number" if node.covariate
                              else "no 'reference:' in the spec, so the data must give it")})
    denominators: dict[str, dict[str, str]] = {}
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        rows.append({"column": name, "role": node.kind, "need": "optional", "unit": _node_unit(pathway, name),
                     "used_by": name, "note": node.label or ""})
        extra = {c: "group" for c in node.observed_at} | ({node.weight: "weight"} if node.weight else {})
        for column, role in (node.node_kind.data_columns(node) | extra).items():
            if column in pathway.nodes:
                continue  # a node's own column, listed with that node
            if column in denominators:
                denominators[column]["used_by"] += f", {name}"
                continue
            denominators[column] = {
                "column": column, "role": role, "need": "denominator", "unit": _UNITS[role].format(column=column),
                "used_by": name, "note": ""}
            rows.append(denominators[column])
    return pd.DataFrame(rows).set_index("column")
