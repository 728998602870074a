"""Rival pathways fitted to the same data, compared by their PSIS-LOO ELPD.

For each observed node and in total, every fit's ELPD, its difference from the best
fit's and the standard error of that difference, computed from the unit-by-unit
differences, ``sqrt(n var(d_i))`` (Vehtari, Gelman & Gabry 2017, *Statistics and
Computing* 27:1413, eq. 24), which is much smaller than the two SEs combined because
the fits predict the same units. A fit is read as clearly worse when its difference is
at least 4 and more than 2 SE; a difference under 4 is read as similar predictive
performance whatever its SE, because there the normal approximation's SE is unreliable
and too small for nested fits with nearly the same predictions (Sivula, Magnusson &
Vehtari 2020, "Uncertainty in Bayesian leave-one-out cross-validation based model
comparison", arXiv:2008.10296).
Every fit is left out by the same units: ``by="auto"`` takes areas when any fit has
area effects, so a fit with area effects and one without are compared on the same
leave-one-area-out predictions.

Example
-------
A fit compared with itself differs by nothing:

>>> cmp = compare_fits({"a": res, "b": res}, by="row", max_refits=0)
>>> cmp.table.loc["total", "elpd_diff"].tolist()
[0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from copath.display import frame_html
from copath.errors import CopathError
from copath.model.loo import K_THRESHOLD, MAX_REFITS, REFERENCES, TOTAL, Loo, loo_of, pointwise_log_likelihood
from copath.model.record import FitRecord
from copath.options import LooBy, check

__all__ = ["FitComparison", "compare_fits", "same_data", "verdict", "SE_MULTIPLE", "SMALL_DIFF"]

#: A difference beyond this many SEs of the difference is read as a real difference...
SE_MULTIPLE = 2.0
#: ...when it is at least this large; below it the fits predict alike (Sivula et al. 2020).
SMALL_DIFF = 4.0


def verdict(elpd_diff: float, se_diff: float) -> str:
    """How a fit compares with the best: ``"best"``, ``"similar"`` or ``"worse"``.

    Parameters
    ----------
    elpd_diff
        The fit's ELPD less the best fit's (<= 0).
    se_diff
        The SE of that difference.

    Returns
    -------
    str

    Example
    -------
    >>> verdict(0.0, 0.0), verdict(-1.3, 0.3), verdict(-32.0, 8.2), verdict(-6.0, 4.0)
    ('best', 'similar', 'worse', 'similar')
    """
    if elpd_diff == 0.0:
        return "best"
    if -elpd_diff >= SMALL_DIFF and -elpd_diff > SE_MULTIPLE * se_diff:
        return "worse"
    return "similar"


@dataclass
class FitComparison:
    """ELPD differences of rival fits, per observed node and in total.

    Attributes
    ----------
    by : str
        The unit left out, ``"row"`` or ``"area"`` (the same for every fit).
    table : pandas.DataFrame
        Indexed by (node, fit), best fit first within each node: ``elpd``, ``se``,
        ``elpd_diff`` (the fit's ELPD less the best's, <= 0), ``se_diff`` (SE of that
        difference, from the unit-by-unit differences), ``verdict`` (``best``, ``similar``
        or ``worse``, :func:`verdict`), ``p_loo``, ``k_max``, ``reliable``.
    loos : dict[str, Loo]
        Each fit's own LOO.
    """

    by: str
    table: pd.DataFrame
    loos: dict[str, Loo]

    def best(self, node: str = TOTAL) -> str:
        """The fit with the highest ELPD for ``node``.

        Parameters
        ----------
        node
            An observed node, or ``"total"`` (default).

        Returns
        -------
        str
        """
        return str(self.table.loc[node].index[0])

    def describe(self) -> str:
        """One sentence on the total: which fit predicts best and by how many SEs of the difference.

        Returns
        -------
        str
        """
        t = self.table.loc[TOTAL]
        best = str(t.index[0])
        unit = "area" if self.by == "area" else "row"
        parts = []
        for name, row in t.iloc[1:].iterrows():
            ratio = -row["elpd_diff"] / row["se_diff"] if row["se_diff"] > 0 else np.inf
            said = {"worse": "clearly worse",
                    "similar": "similar: a difference under 4, or within 2 SE, does not tell them apart"}
            parts.append(f"'{name}' {row['elpd_diff']:.1f} (SE {row['se_diff']:.1f}, {ratio:.1f} SE: "
                         f"{said.get(row['verdict'], row['verdict'])})")
        text = (f"Leaving out one {unit} at a time, '{best}' predicts the data best "
                f"(ELPD {t.iloc[0]['elpd']:.1f}); against it: {'; '.join(parts)}.")
        if not t["reliable"].all():
            text += (" Some fits have units with Pareto k above the threshold that were not refitted: "
                     f"{', '.join(map(str, t.index[~t['reliable'].to_numpy(bool)]))}; read their ELPD with care.")
        return text + " " + REFERENCES + " Small differences: Sivula, Magnusson & Vehtari (2020), arXiv:2008.10296."

    def _repr_html_(self) -> str:
        return f"<p>{escape(self.describe())}</p>" + frame_html(self.table.round(3))

    def __repr__(self) -> str:
        return f"{self.describe()}\n{self.table.round(2).to_string()}"


def _observed_nodes(record: FitRecord) -> list[str]:
    return sorted(pointwise_log_likelihood(record).data_vars)


def same_data(fits: Mapping[str, FitRecord]) -> None:
    """Refuse fits that did not see the same data: the same rows (index columns, in
    order) and the same observed nodes with the same values.

    Raises
    ------
    CopathError
        Naming the first fit that differs from the first one and how.
    """
    names = list(fits)
    first = fits[names[0]]
    nodes = _observed_nodes(first)
    for name in names[1:]:
        other = fits[name]
        problem = None
        if _observed_nodes(other) != nodes:
            problem = f"observed nodes {_observed_nodes(other)} against {nodes}"
        elif len(other.data) != len(first.data):
            problem = f"{len(other.data)} rows against {len(first.data)}"
        else:
            for col in [*(c for c in first.pathway.index if c in first.data.columns), *nodes]:
                if col not in other.data.columns:
                    problem = f"no column '{col}'"
                    break
                a, b = first.data[col].to_numpy(), other.data[col].to_numpy()
                if a.dtype.kind in "fiu" and b.dtype.kind in "fiu":
                    equal = np.array_equal(a.astype(float), b.astype(float), equal_nan=True)
                else:
                    equal = bool((pd.Series(a).astype(str).to_numpy() == pd.Series(b).astype(str).to_numpy()).all())
                if not equal:
                    problem = f"column '{col}' differs"
                    break
        if problem:
            raise CopathError(f"fits compared by LOO must be fitted to the same data; '{name}' has {problem} "
                              f"of '{names[0]}'", where="compare_fits")


def compare_fits(fits: Mapping[str, Any], by: LooBy = "auto", k_threshold: float = K_THRESHOLD,
                 max_refits: int = MAX_REFITS) -> FitComparison:
    """Compare rival pathways fitted to the same data by their PSIS-LOO ELPD.

    Parameters
    ----------
    fits
        Name -> fitted result (at least two), each stored with its pointwise log likelihood.
    by
        ``"row"``, ``"area"`` or ``"auto"`` (area when any fit has area effects), the same for all.
    k_threshold, max_refits
        As in :meth:`copath.FitResult.loo`.

    Returns
    -------
    FitComparison

    Raises
    ------
    CopathError
        Fewer than two fits, or fits on different data.

    Example
    -------
    >>> cmp = compare_fits({"fit": res, "again": res}, by="row", max_refits=0)
    >>> cmp.by, cmp.best()
    ('row', 'fit')
    """
    check("by", by, LooBy)
    if len(fits) < 2:
        raise CopathError(f"needs at least two fits to compare; got {len(fits)}", where="compare_fits")
    same_data(fits)
    if by == "auto":
        by = "area" if any(n.area_effects for f in fits.values() for n in f.pathway.nodes.values()) else "row"
    loos = {}
    for name, fit in fits.items():
        loo = getattr(fit, "loo", None)
        loos[name] = loo(by=by, k_threshold=k_threshold, max_refits=max_refits) if callable(loo) \
            else loo_of(fit, by=by, k_threshold=k_threshold, max_refits=max_refits)
    frames = []
    for node in loos[next(iter(loos))].table.index:
        elpd = {name: lo.table.loc[node, "elpd"] for name, lo in loos.items()}
        order = sorted(elpd, key=elpd.get, reverse=True)
        best = loos[order[0]].pointwise[node]
        rows = []
        for name in order:
            lo = loos[name]
            here = lo.pointwise[node]
            if list(here.index) != list(best.index):
                raise CopathError(f"'{name}' leaves out other units than '{order[0]}' for {node}",
                                  where="compare_fits")
            diff = here.to_numpy() - best.to_numpy()
            se_diff = float(np.sqrt(diff.size * np.var(diff, ddof=1))) if diff.size > 1 else float("nan")
            t = lo.table.loc[node]
            rows.append({"node": node, "fit": name, "elpd": t["elpd"], "se": t["se"], "elpd_diff": float(diff.sum()),
                         "se_diff": se_diff, "verdict": verdict(float(diff.sum()), se_diff) if name != order[0]
                         else "best", "p_loo": t["p_loo"], "k_max": t["k_max"], "reliable": bool(t["reliable"])})
        frames.append(pd.DataFrame(rows))
    table = pd.concat(frames).set_index(["node", "fit"])
    return FitComparison(by=by, table=table, loos=loos)
