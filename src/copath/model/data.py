"""Check local data against a pathway and lay it out for the model.

:func:`prepare_data` refuses what the model cannot use, with one
:class:`~copath.errors.DataError` naming the column and the first bad rows:

- a missing index column (the spec's ``index:``, e.g. ``[area, month]`` or ``[id]``), a missing
  grouping column (the spec's ``groups:``) or duplicated index rows;
- a categorical exposure's value that is not one of its ``levels`` (named with its row);
- a missing or non-finite exposure, offset or trials value (they are given, not modelled);
- a negative or fractional count, successes above trials, a non-positive offset.

Outcome values may be missing (NaN): count and proportion nodes are masked there
(their children use the node's *expected* value, so nothing else is lost), and
missing values of a continuous node that is a parent are imputed by the model. A
node whose column is absent altogether has no local data: its links keep their
prior uncertainty.

Example
-------
>>> import pandas as pd
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: count}\\n"
...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
>>> df = pd.DataFrame({"area": ["a", "a", "b"], "month": [1, 2, 1], "x": [0.1, 0.2, 0.3], "y": [3, None, 1]})
>>> prepared = prepare_data(pw, df)
>>> prepared.observed["y"].tolist()
[0, 2]
>>> prepare_data(pw, df.assign(y=[3, -1, 1]))
Traceback (most recent call last):
...
copath.errors.DataError: <data>: column 'y': counts must be whole numbers from 0 to 1e+15; first bad rows: 1 (-1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from copath.errors import DataError
from copath.kinds import MAX_COUNT
from copath.kinds.count import whole_numbers
from copath.model.aggregate import Aggregation, aggregate_rows
from copath.model.time import PERIOD_EFFECTS, MonthFeatures, month_features, period_basis
from copath.spec.covariates import dummy_columns
from copath.spec.pathway import Pathway

__all__ = ["PreparedData", "prepare_data", "required_columns"]


@dataclass
class PreparedData:
    """Validated local data in the layout the model builder needs.

    ``values[col]`` are float arrays over rows (NaN where missing);
    ``observed[node]`` are the row positions where an outcome node is observed;
    ``area_index`` maps each row to its unit's position in ``areas``: the groups of the spec's
    grouping column (:attr:`copath.Pathway.area_column`, whose groups get area effects), else of
    its first index column (then only for clustering and leave-one-unit-out).
    """

    frame: pd.DataFrame
    values: dict[str, np.ndarray]
    observed: dict[str, np.ndarray]
    areas: np.ndarray
    area_index: np.ndarray
    exposure_centres: dict[str, float]
    unobserved_nodes: list[str] = field(default_factory=list)
    #: each observed endogenous node's overall level in the data, on its link scale
    levels: dict[str, float] = field(default_factory=dict)
    #: exposures absent from the data, held at their spec's reference value
    held: dict[str, float] = field(default_factory=dict)
    #: node -> the latest months left out of its likelihood (its spec's ``maturity_lag``)
    maturing: dict[str, list[str]] = field(default_factory=dict)
    #: each row's month of the year and time in years, when a node has ``time`` effects
    time: MonthFeatures | None = None
    #: node -> its groups, for a node observed only at a coarser level (``observed_at``)
    aggregated: dict[str, Aggregation] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def required_columns(pathway: Pathway) -> dict[str, str]:
    """Column name -> why it is needed (exposures, offsets, trials, index).

    Example
    -------
    >>> import copath as cp
    >>> cols = required_columns(cp.load_pathway("policing_coproduction"))
    >>> cols["households"]
    'offset of burglary'
    """
    cols: dict[str, str] = {c: "index column, from the spec's 'index:' key" for c in pathway.index}
    if pathway.groups is not None:
        cols.setdefault(pathway.groups, "grouping column, from the spec's 'groups:' key")
    categorical = pathway.categorical
    for name in pathway.exposures:
        node = pathway.nodes[name]
        if node.level is not None:
            column = name[: name.index("[")]
            cols.setdefault(column, f"categorical exposure (levels {', '.join(categorical[column])})")
            continue
        cols[name] = "exposure" if not node.covariate else "covariate"
        if pathway.nodes[name].reference is not None:
            cols[name] = f"exposure (absent: held at its reference {pathway.nodes[name].reference:g})"
    for name, node in pathway.nodes.items():
        for column, role in node.node_kind.data_columns(node).items():
            cols.setdefault(column, f"{role} of {name}")
        for column in node.observed_at:
            cols.setdefault(column, f"group of {name}")
        if node.weight:
            cols.setdefault(node.weight, f"weight of {name}")
    return cols


def _bad_rows(frame: pd.DataFrame, mask: np.ndarray, column: str, limit: int = 3) -> str:
    rows = np.flatnonzero(mask)[:limit]

    def show(value: object) -> str:
        return repr(value.item() if hasattr(value, "item") else value)

    shown = ", ".join(f"{frame.index[r]} ({show(frame[column].iloc[r])})" for r in rows)
    more = f" and {int(mask.sum()) - limit} more" if mask.sum() > limit else ""
    return f"first bad rows: {shown}{more}"


class _Problems:
    """Every problem the data check finds, raised together as one :class:`DataError`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[tuple[str | None, str]] = []

    def add(self, column: str | None, message: str, where: str | None = None) -> None:
        self.found.append((where or (f"column {column!r}" if column is not None else None), message))

    def raise_if_any(self) -> None:
        if len(self.found) == 1:
            where, message = self.found[0]
            raise DataError(message, file=self.source, where=where)
        if self.found:
            listed = " ".join(f"({k}) {where + ': ' if where else ''}{message}"
                              for k, (where, message) in enumerate(self.found, 1))
            raise DataError(f"{len(self.found)} problems: {listed}", file=self.source)


def _numeric(frame: pd.DataFrame, column: str, problems: _Problems) -> np.ndarray | None:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & raw.notna().to_numpy()
    if bad.any():
        problems.add(column, f"values must be numbers; {_bad_rows(frame, bad, column)}")
        return None
    return values


def _leave_out_maturing(pathway: Pathway, frame: pd.DataFrame, values: dict[str, np.ndarray],
                        observed: dict[str, np.ndarray], unobserved: list[str]) -> dict[str, list[str]]:
    """Rows in a node's last ``maturity_lag`` months of the data, out of its likelihood (made
    missing, as if not yet published); returns node -> the months left out."""
    lagged = {n: pathway.nodes[n].maturity_lag for n in pathway.endogenous
              if pathway.nodes[n].maturity_lag and observed[n].size}
    if not lagged:
        return {}
    month = frame[pathway.period_column]
    months = sorted(month.unique())
    maturing = {}
    for name, lag in lagged.items():
        late = months[-lag:]
        out = month.isin(late).to_numpy()
        values[name] = np.where(out, np.nan, values[name])
        observed[name] = observed[name][~out[observed[name]]]
        if observed[name].size == 0:
            unobserved.append(name)
        maturing[name] = [str(m) for m in late]
    return maturing


def prepare_data(pathway: Pathway, data: pd.DataFrame, source: str = "<data>") -> PreparedData:
    """Validate ``data`` for ``pathway`` and return the model's view of it.

    ``source`` names the data in error messages (a file name, say). Every column of
    :func:`required_columns` must be there, except an exposure with a ``reference:``
    value (held at it) and a denominator (offset or trials) none of whose nodes has a
    column in the data (nothing would use it). Every missing or bad column is named in one
    :class:`~copath.errors.DataError`. A node with a ``maturity_lag`` of k has its values in
    the data's last k months made missing (``PreparedData.maturing`` names the months).
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError("local data must be a pandas DataFrame", file=source)
    if len(data) == 0:
        raise DataError("the data has no rows", file=source)
    frame = data.reset_index(drop=True)
    problems = _Problems(source)
    for column, levels in pathway.categorical.items():
        if column in frame.columns:
            dummies, problem = dummy_columns(frame, column, levels)
            if problem is not None:
                problems.add(column, f"a categorical exposure's {problem}")
            frame = frame.assign(**dummies)
    needed = required_columns(pathway)
    # a denominator (offset, trials) is needed only where a node that uses it has data
    users: dict[str, list[str]] = {}
    for name, node in pathway.nodes.items():
        extra = {c: "group" for c in node.observed_at} | ({node.weight: "weight"} if node.weight else {})
        for column, role in (node.node_kind.data_columns(node) | extra).items():
            if role in ("offset", "trials", "sample size", "group", "weight") and column not in pathway.nodes:
                users.setdefault(column, []).append(name)
    # a survey's size column need only be given where its figure is (the group's rows)
    group_sizes = {c for c, names in users.items()
                   if all(pathway.nodes[n].observed_at and pathway.nodes[n].trials == c for n in names)}
    needed = {c: why for c, why in needed.items()
              if c in frame.columns or c not in users or any(n in frame.columns for n in users[c])}
    held = {c: float(pathway.nodes[c].reference) for c in pathway.exposures
            if c not in frame.columns and pathway.nodes[c].reference is not None}
    missing = [c for c in needed if c not in frame.columns and c not in held]
    if missing:
        listed = "; ".join(f"{c!r} ({needed[c]}" + (", or give it a 'reference:' value in the spec)"
                                                    if c in pathway.exposures and not pathway.nodes[c].covariate
                                                    else ")") for c in missing)
        problems.add(None, f"{len(missing)} column(s) missing: {listed}. The data has columns: "
                           f"{', '.join(map(str, frame.columns))}")
    index = list(pathway.index)
    for column in dict.fromkeys([*index, pathway.unit_column]):
        if column not in frame.columns:
            continue
        missing_rows = frame[column].isna().to_numpy()
        if missing_rows.any():
            what = "index" if column in index else "group"
            problems.add(column, f"{what} values must not be missing; {_bad_rows(frame, missing_rows, column)}")
    if all(c in frame.columns for c in index):
        dup = frame.duplicated(subset=index, keep="first").to_numpy()
        if dup.any():
            problems.add(None, f"duplicated {' x '.join(index)} rows; {_bad_rows(frame, dup, index[0])}",
                         where=f"columns {', '.join(index)}")

    values: dict[str, np.ndarray] = {}
    for column, why in needed.items():
        if column in index or column in missing or why.startswith(("group", "categorical")):
            continue
        if column in group_sizes:
            v = _numeric(frame, column, problems)
            if v is not None:
                values[column] = v
            continue
        if column in held:
            values[column] = np.full(len(frame), held[column])
            continue
        v = _numeric(frame, column, problems)
        if v is None:
            continue
        bad = ~np.isfinite(v)
        if bad.any():
            problems.add(column, f"{why} values must be present and finite; {_bad_rows(frame, bad, column)}")
        elif why.startswith("offset") and (v <= 0).any():
            problems.add(column, f"offsets must be positive; {_bad_rows(frame, v <= 0, column)}")
        elif why.startswith("trials") and whole_numbers(v).any():
            problems.add(column, f"trials must be whole numbers from 0 to {MAX_COUNT:.0e}; "
                                 f"{_bad_rows(frame, whole_numbers(v), column)}")
        elif why.startswith(("sample size", "weight")) and (v < 0).any():
            problems.add(column, f"{why.split(' of ')[0]}s must be 0 or more; {_bad_rows(frame, v < 0, column)}")
        else:
            values[column] = v
    for name in pathway.exposures:
        node = pathway.nodes[name]
        if node.level is not None and name in frame.columns:
            values[name] = frame[name].to_numpy(dtype=float)  # NaN rows are reported with the levels
        if node.range is not None and name in values:
            lo, hi = node.range
            out = (values[name] < lo) | (values[name] > hi)
            if out.any():
                problems.add(name, f"values must lie in the node's range [{lo:g}, {hi:g}]; "
                                   f"{_bad_rows(frame, out, name)}")

    observed: dict[str, np.ndarray] = {}
    unobserved: list[str] = []
    aggregated: dict[str, Aggregation] = {}
    for name in pathway.endogenous:
        node = pathway.nodes[name]
        if name not in frame.columns:
            unobserved.append(name)
            observed[name] = np.array([], dtype=int)
            continue
        v = _numeric(frame, name, problems)
        if v is None:
            continue
        present = ~np.isnan(v)
        if np.isinf(v).any():
            problems.add(name, f"values must be finite or missing (NaN); {_bad_rows(frame, np.isinf(v), name)}")
            continue
        kind = node.node_kind
        if any(c not in values for c in kind.data_columns(node)):
            continue  # its denominator is missing or bad: reported above
        problem = kind.check_values(node, v, present, values)
        if problem is not None:
            bad, why = problem
            problems.add(name, f"{why}; {_bad_rows(frame, bad, name)}")
            continue
        present = kind.observed_rows(node, present, values)
        v = np.where(present, kind.observed_value(node, v, values), np.nan)
        values[name] = v
        observed[name] = np.flatnonzero(present)
        if node.observed_at and all(c in frame.columns for c in node.observed_at) and (
                not node.weight or node.weight in values):
            agg = aggregate_rows(node, frame, values, v, problems.add)
            if agg is not None:
                aggregated[name] = agg
                observed[name] = agg.first
        if observed[name].size == 0:
            unobserved.append(name)
    time = None
    period = pathway.period_column
    if any(pathway.nodes[n].time for n in pathway.endogenous) and period in frame.columns:
        try:
            time = month_features(frame[period])
        except ValueError as err:
            problems.add(period, str(err))
        else:
            span = int(round((time.years.max() - time.years.min()) * 12)) + 1
            both = [n for n in pathway.endogenous if {"season", "trend"} <= set(pathway.nodes[n].time)]
            if both and span <= 12:
                problems.add(period, f"the data span {span} month(s), and within one year a trend cannot be "
                                     f"told from the season; give {', '.join(both)} one of them, not both")
            for name in pathway.endogenous:
                if set(pathway.nodes[name].time) & set(PERIOD_EFFECTS):
                    try:
                        period_basis(time, pathway.nodes[name].time)
                    except ValueError as err:
                        problems.add(period, f"{name}: {err}")
    problems.raise_if_any()
    maturing = _leave_out_maturing(pathway, frame, values, observed, unobserved)

    codes, areas = pd.factorize(frame[pathway.unit_column], sort=True)
    # a node's level pools within units; when every row is its own unit (people), over all rows
    pool = codes if len(areas) < len(frame) else np.zeros(len(frame), dtype=int)
    centres = {name: float(np.mean(values[name])) for name in pathway.exposures}
    levels = {name: pathway.nodes[name].node_kind.data_level(pathway.nodes[name], values[name][rows], values, rows,
                                                             pool[rows])
              for name, rows in observed.items() if rows.size and name not in aggregated}
    for name, agg in aggregated.items():  # the groups' pooled level
        levels[name] = pathway.nodes[name].node_kind.pooled_level(float(agg.y.sum()), float(agg.size.sum()))
    return PreparedData(
        frame=frame, values=values, observed=observed, areas=np.asarray(areas),
        area_index=codes.astype(int), exposure_centres=centres, unobserved_nodes=unobserved, levels=levels,
        held=held, maturing=maturing, time=time, aggregated=aggregated,
    )
