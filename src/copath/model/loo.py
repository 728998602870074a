"""PSIS-LOO of a fit: expected log predictive density per observed node and in total.

The leave-one-out expected log pointwise predictive density (ELPD), its standard error
and the effective number of parameters ``p_loo`` come from Pareto-smoothed importance
sampling over the fit's stored pointwise log likelihood (PSIS-LOO; Vehtari, Gelman &
Gabry 2017, *Statistics and Computing* 27:1413), computed by ArviZ (``az.loo``). The
unit left out is one data row (``by="row"``), or all the rows of one area
(``by="area"``, leave-one-area-out: the log likelihood summed over the area's rows
before smoothing), since rows within an area share its area effect and are dependent;
``"auto"`` takes areas when any node has area effects. A node's ELPD leaves out its
own values of the unit; the total leaves out every node's values of the unit together
(its log likelihood summed over the nodes), so in area mode it is not the sum of the
nodes' ELPDs.

A unit whose Pareto shape k exceeds 0.7 has an unreliable importance-sampling estimate
(Vehtari, Simpson, Gelman, Yao & Gabry 2024, *JMLR* 25:72). Up to ``max_refits`` such
units are refitted exactly: the fit is repeated with the unit's outcomes masked (so
every area and row keeps its parameters; a left-out area's effect comes from the
areas' spread) and the unit's log predictive density is the log of the mean over the
refit's draws of its likelihood under the full data. More than that: a warning names
them and the result says its ELPD is unreliable.

Example
-------
``res`` is a fit stored with ``log_likelihood="pointwise"`` (the default for small data):

>>> lo = loo_of(res, by="row", max_refits=0)
>>> lo.by, list(lo.table.columns[:4])
('row', ['elpd', 'se', 'p_loo', 'n_units'])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from html import escape

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy.special import logsumexp

from copath.display import frame_html
from copath.errors import CopathError
from copath.model.builder import build_model
from copath.model.data import prepare_data
from copath.model.fit import fit_model
from copath.model.record import FitRecord
from copath.options import LooBy, check

__all__ = ["Loo", "LooWarning", "loo_of", "resolve_by", "unit_map", "grouped_log_likelihood", "K_THRESHOLD",
           "MAX_REFITS", "TOTAL", "REFERENCES", "integrated_area_log_likelihood", "QUADRATURE_POINTS"]

#: Pareto k above this: the importance-sampling estimate is unreliable (Vehtari et al. 2024).
K_THRESHOLD = 0.7
#: At most this many units with a high k are refitted exactly; beyond it, a warning.
MAX_REFITS = 5
#: Gauss-Hermite points integrating a left-out area's effect (``by="area"``).
QUADRATURE_POINTS = 15
#: At most this many log-likelihood values (8 bytes each) per evaluation of the quadrature.
BATCH_VALUES = 20_000_000
#: The row of the tables holding every node together.
TOTAL = "total"
REFERENCES = ("PSIS-LOO: Vehtari, Gelman & Gabry (2017), Statistics and Computing 27:1413. "
              "Pareto k thresholds: Vehtari, Simpson, Gelman, Yao & Gabry (2024), JMLR 25:72.")


class LooWarning(UserWarning):
    """Some units' Pareto k exceed the threshold and were not refitted: their ELPD is unreliable."""


@dataclass
class UnitMap:
    """The units LOO leaves out and which of them each node's pointwise values belong to.

    ``labels`` name the units (areas, or rows as ``"area month"``); ``of[node]`` is each of
    the node's pointwise values' unit position; ``rows[k]`` are the data rows of unit ``k``
    (what an exact refit masks); ``by`` is ``"row"`` or ``"area"``.
    """

    by: str
    labels: list[str]
    of: dict[str, np.ndarray]
    rows: list[np.ndarray]


@dataclass
class Loo:
    """PSIS-LOO of one fit, per observed node and in total.

    Attributes
    ----------
    by : str
        ``"row"`` (leave one row out) or ``"area"`` (leave one area's rows out).
    table : pandas.DataFrame
        One row per observed node and ``"total"``: ``elpd``, ``se``, ``p_loo``, ``n_units``,
        ``k_max``, ``high_k`` (units with k above the threshold), ``refitted`` (of them,
        computed by an exact refit), ``reliable``.
    pointwise : dict[str, pandas.Series]
        Per node and ``"total"``, each unit's ELPD (labelled by unit).
    pareto_k : dict[str, pandas.Series]
        Per node and ``"total"``, each unit's Pareto k.
    refitted : tuple[str, ...]
        Units whose ELPD came from an exact refit.
    unreliable : tuple[str, ...]
        Units with k above the threshold that were not refitted.
    k_threshold : float
    """

    by: str
    table: pd.DataFrame
    pointwise: dict[str, pd.Series]
    pareto_k: dict[str, pd.Series]
    refitted: tuple[str, ...] = ()
    unreliable: tuple[str, ...] = ()
    k_threshold: float = K_THRESHOLD
    references: str = field(default=REFERENCES, repr=False)

    @property
    def reliable(self) -> bool:
        """No unit with a Pareto k above the threshold was left unrefitted."""
        return not self.unreliable

    def describe(self) -> str:
        """The total ELPD, how units were left out, and what was done about high Pareto k.

        Returns
        -------
        str
        """
        t = self.table.loc[TOTAL]
        unit = "area (all its rows, every node)" if self.by == "area" else "row (every node's value on it)"
        text = (f"PSIS-LOO leaving out one {unit}: ELPD {t['elpd']:.1f} (SE {t['se']:.1f}), "
                f"p_loo {t['p_loo']:.1f}, over {int(t['n_units'])} units.")
        if self.refitted:
            text += (f" {len(self.refitted)} unit(s) with Pareto k > {self.k_threshold} were refitted exactly: "
                     f"{', '.join(self.refitted)}.")
        if self.unreliable:
            text += (f" {len(self.unreliable)} unit(s) have Pareto k > {self.k_threshold} and were not refitted "
                     f"({', '.join(self.unreliable[:10])}{', ...' if len(self.unreliable) > 10 else ''}): "
                     "the ELPD is unreliable.")
        elif not self.refitted:
            text += f" Every Pareto k is at most {self.k_threshold}."
        return text + " " + self.references

    def _repr_html_(self) -> str:
        return f"<p>{escape(self.describe())}</p>" + frame_html(self.table.round(3))

    def __repr__(self) -> str:
        return f"{self.describe()}\n{self.table.round(2).to_string()}"


def resolve_by(record: FitRecord, by: LooBy) -> str:
    """``"row"`` or ``"area"``: ``"auto"`` is area when any node has area effects.

    Parameters
    ----------
    record
        A fitted record.
    by
        ``"auto"``, ``"row"`` or ``"area"``.

    Returns
    -------
    str
    """
    check("by", by, LooBy)
    if by != "auto":
        return by
    return "area" if any(n.area_effects for n in record.pathway.nodes.values()) else "row"


def pointwise_log_likelihood(record: FitRecord) -> xr.Dataset:
    """The fit's pointwise log likelihood, one variable per observed node over ``<node>_obs``.

    Raises
    ------
    CopathError
        When the fit stored only per-node totals or no log likelihood.
    """
    mode = record.run.log_likelihood
    has = "log_likelihood" in record.idata.children
    ll = record.idata["log_likelihood"].to_dataset() if has else None
    if ll is None or mode == "total" or any(set(v.dims) == {"chain", "draw"} for v in ll.data_vars.values()):
        stored = "only per-node totals" if has else "no log likelihood"
        raise CopathError(f"this fit stored {stored}; LOO needs it per row: refit with "
                          f"log_likelihood=\"pointwise\"", where="res.loo()")
    if not ll.data_vars:
        raise CopathError("no node has local data, so there is nothing to predict", where="res.loo()")
    return ll


def unit_map(record: FitRecord, by: str, nodes: list[str]) -> UnitMap:
    """Which unit (row or area) each node's pointwise log-likelihood values belong to.

    A node observed only as group aggregates has one value per group: in row mode its unit
    is the group's first row; in area mode, areas that share a group are left out together.

    Parameters
    ----------
    record
        A fitted record.
    by
        ``"row"`` or ``"area"``.
    nodes
        The nodes with pointwise values.

    Returns
    -------
    UnitMap
    """
    prepared = prepare_data(record.pathway, record.data)
    frame = prepared.frame
    index = [c for c in record.pathway.index if c in frame.columns]
    members: dict[str, list[np.ndarray]] = {}
    for node in nodes:
        points = prepared.observed[node]
        agg = prepared.aggregated.get(node)
        if agg is not None:
            members[node] = [agg.rows[agg.group == g] for g in range(agg.n_groups)]
        else:
            members[node] = [np.array([r]) for r in points]
    if by == "row":
        key_rows = sorted({int(m[0]) for ms in members.values() for m in ms})
        position = {r: k for k, r in enumerate(key_rows)}
        labels = [" ".join(str(frame[c].iloc[r]) for c in index) or str(r) for r in key_rows]
        of = {n: np.array([position[int(m[0])] for m in ms], dtype=int) for n, ms in members.items()}
        rows = [np.array([r]) for r in key_rows]
        for ms in members.values():  # a group's rows go with its first row's unit
            for m in ms:
                rows[position[int(m[0])]] = np.union1d(rows[position[int(m[0])]], m)
        return UnitMap(by="row", labels=labels, of=of, rows=rows)
    # areas, joined where a group spans several (union-find over area positions)
    parent = list(range(len(prepared.areas)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for ms in members.values():
        for m in ms:
            areas = np.unique(prepared.area_index[m])
            for a in areas[1:]:
                parent[root(int(a))] = root(int(areas[0]))
    used = sorted({root(int(prepared.area_index[m[0]])) for ms in members.values() for m in ms})
    position = {r: k for k, r in enumerate(used)}
    names = {r: " + ".join(str(prepared.areas[a]) for a in range(len(parent)) if root(a) == r) for r in used}
    labels = [names[r] for r in used]
    of = {n: np.array([position[root(int(prepared.area_index[m[0]]))] for m in ms], dtype=int)
          for n, ms in members.items()}
    area_root = np.array([root(int(a)) for a in prepared.area_index])
    rows = [np.flatnonzero(area_root == r) for r in used]
    return UnitMap(by="area", labels=labels, of=of, rows=rows)


def grouped_log_likelihood(values: np.ndarray, of: np.ndarray, n_units: int) -> np.ndarray:
    """Sum pointwise log likelihoods ``(chain, draw, point)`` into ``(chain, draw, unit)``.

    Parameters
    ----------
    values
        Pointwise log likelihood, last axis the points.
    of
        Each point's unit position.
    n_units
        Number of units.

    Returns
    -------
    numpy.ndarray

    Example
    -------
    >>> grouped_log_likelihood(np.array([[[1.0, 2.0, 4.0]]]), np.array([0, 1, 0]), 2).tolist()
    [[[5.0, 2.0]]]
    """
    onehot = np.zeros((of.size, n_units))
    onehot[np.arange(of.size), of] = 1.0
    return values @ onehot


def _as_dataset(ll: xr.Dataset | xr.DataTree) -> xr.Dataset:
    """PyMC's log likelihood without extending: a Dataset, or a DataTree holding one."""
    if isinstance(ll, xr.DataTree):
        return ll["log_likelihood"].to_dataset() if "log_likelihood" in ll.children else ll.to_dataset()
    return ll


def _gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and log weights of Gauss-Hermite quadrature against a standard normal."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, np.log(w / w.sum())


def _normal_logpdf(x: np.ndarray, mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
    return -0.5 * ((x - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)


def integrated_area_log_likelihood(record: FitRecord, nodes: list[str], points: int = QUADRATURE_POINTS
                                   ) -> dict[str, np.ndarray]:
    """Per node with area effects, each area's log likelihood with its own area effect
    integrated out over the areas' spread, for every draw: ``(chain, draw, area)``.

    Leaving an area out leaves out its effect too: the predictive of a new area draws
    its effect from ``Normal(0, area_sd)``. Importance sampling with the likelihood given
    the area's own effect would put nearly all weight on a few draws (Pareto k far above
    0.7); with the effect integrated out it is the integrated importance sampling of
    Vehtari, Mononen, Tolvanen, Sivula & Winther (2016, *JMLR* 17:103). The integral
    over the one effect is adaptive Gauss-Hermite quadrature, per draw centred on the
    prior N(0, area_sd) times a normal likelihood read from the effect's posterior mean
    and sd, evaluated by the fit's own model. Each node's
    likelihood depends only on its own area effect (parents enter as data), so the
    nodes' integrals are separate.

    Parameters
    ----------
    record
        A fitted record with pointwise log likelihood.
    nodes
        The nodes with pointwise values; those with area effects are integrated.
    points
        Quadrature points.

    Returns
    -------
    dict[str, numpy.ndarray]
        Node -> ``(chain, draw, area)`` over the fit's areas (0 where the node has no data).
    """
    post = record.posterior
    if "area_effect" not in post:
        return {}
    effect = post["area_effect"].transpose("chain", "draw", "area_node", "area")
    area_nodes = [str(n) for n in effect["area_node"].values]
    todo = [n for n in area_nodes if n in nodes]
    if not todo:
        return {}
    areas = [str(a) for a in effect["area"].values]
    sd = post["area_sd"].transpose("chain", "draw", "area_node").values  # (c, d, node)
    level = post["intercept"].sel(node=area_nodes).transpose("chain", "draw", "node").values
    e = effect.values
    # per draw, a normal close to the effect's conditional posterior: the prior N(0, area_sd)
    # times a normal likelihood whose precision is the effect's posterior precision less the
    # average prior precision (adaptive quadrature; points follow the prior where data are few)
    m, s = e.mean(axis=(0, 1)), np.maximum(e.std(axis=(0, 1)), 1e-6)  # (node, area)
    prior_prec = 1.0 / np.mean(sd ** 2, axis=(0, 1))[:, None]  # (node, 1)
    lik_prec = np.maximum(1.0 / s ** 2 - prior_prec, 1e-6)
    draw_prec = lik_prec + 1.0 / sd[..., None] ** 2  # (c, d, node, area)
    centre = m * (lik_prec + prior_prec) / draw_prec
    scale = 1.0 / np.sqrt(draw_prec)
    where = {}  # free variable -> (node position, area position) of each label
    for var in ("area_c", "area_z"):
        if var in post:
            labels = [str(v) for v in post[var][post[var].dims[-1]].values]
            pairs = [lab.split(": ", 1) for lab in labels]
            where[var] = (np.array([area_nodes.index(a) for a, _ in pairs]), np.array([areas.index(b) for _, b in pairs]))
            k, a = where[var]
            here = post[var].transpose("chain", "draw", ...).values
            rebuilt = here - level[..., k] if var == "area_c" else sd[..., k] * here
            if not np.allclose(rebuilt, e[..., k, a], atol=1e-6):
                raise CopathError("the fit's area effects are not parametrised as copath.model.loo expects "
                                  "(area_c - intercept or area_sd * area_z)", where="res.loo(by='area')")
    prepared = prepare_data(record.pathway, record.data)
    x, log_w = _gauss_hermite(points)
    terms = {n: [] for n in todo}
    model = record.built.model
    n_chains = post.sizes["chain"]
    size = post.sizes["chain"] * post.sizes["draw"] * sum(prepared.observed[n].size for n in todo)
    batch = max(1, min(points, BATCH_VALUES // max(size, 1)))  # quadrature points per model evaluation
    for first in range(0, points, batch):
        qs = list(range(first, min(points, first + batch)))
        values = [centre + scale * x[q] for q in qs]  # each (c, d, node, area)
        parts = []
        for j, value in enumerate(values):
            changed = post.copy()
            for var, (k, a) in where.items():
                new = value[..., k, a] + level[..., k] if var == "area_c" else value[..., k, a] / sd[..., k]
                changed[var] = (post[var].transpose("chain", "draw", ...).dims, new)
            parts.append(changed.assign_coords(chain=np.arange(n_chains) + j * n_chains))
        stacked = xr.concat(parts, dim="chain") if len(parts) > 1 else parts[0]
        with model:  # one compiled evaluation for the batch: its points stacked as chains
            ll = _as_dataset(pm.compute_log_likelihood(xr.DataTree.from_dict({"posterior": stacked}), var_names=todo,
                                                       extend_inferencedata=False, progressbar=False))
        for j, (q, value) in enumerate(zip(qs, values, strict=True)):
            for n in todo:
                i = area_nodes.index(n)
                rows = prepared.observed[n]
                here = ll[n].transpose("chain", "draw", ...).values[j * n_chains:(j + 1) * n_chains]
                by_area = grouped_log_likelihood(here, prepared.area_index[rows], len(areas))
                weight = (log_w[q] + _normal_logpdf(value[..., i, :], 0.0, sd[..., i][..., None])
                          - _normal_logpdf(value[..., i, :], centre[..., i, :], scale[..., i, :]))
                terms[n].append(by_area + weight)
    return {n: logsumexp(np.stack(t), axis=0) for n, t in terms.items()}


def _psis(values: np.ndarray, posterior: xr.Dataset, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's PSIS-LOO ELPD and Pareto k, by ArviZ, from ``(chain, draw, unit)``."""
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values, "unit": labels}
    ll = xr.Dataset({"ll": (("chain", "draw", "unit"), values)}, coords=coords)
    tree = xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": ll})
    with warnings.catch_warnings():  # ArviZ's own high-k warning: copath reports and handles them
        warnings.simplefilter("ignore")
        res = az.loo(tree, pointwise=True, var_name="ll")
    return np.asarray(res.elpd_i).reshape(-1), np.asarray(res.pareto_k).reshape(-1)


def _lpd(values: np.ndarray) -> np.ndarray:
    """Log of the mean over draws of the likelihood: ``(chain, draw, unit)`` -> ``(unit,)``."""
    flat = values.reshape(-1, values.shape[-1])
    return logsumexp(flat, axis=0) - np.log(flat.shape[0])


def _exact(record: FitRecord, units: UnitMap, nodes: list[str], ks: list[int]) -> dict[int, dict[str, float]]:
    """Exact leave-out log predictive density of units ``ks``: per node and total, one refit each."""
    out: dict[int, dict[str, float]] = {}
    # the full fit's default priors as they were scaled on the full data (a refit on the masked
    # data would rescale them a little: the prior must not change with the unit left out)
    scaled = {p.link: p for p in record.priors.values() if p.scaled_by} | record.settings.prior_overrides()
    settings = replace(record.settings, progressbar=False, log_likelihood="none", priors=tuple(scaled.values()))
    for k in ks:
        masked = record.data.copy()
        rows = units.rows[k]
        for node in nodes:
            masked[node] = masked[node].astype(float)
            masked.loc[masked.index[rows], node] = np.nan
        refit = fit_model(record.pathway, masked, record.evidence, settings)
        full = build_model(record.pathway, record.data, priors=refit.priors, centres=refit.centres(),
                           centred=refit.run.centred or None, prior_scale=record.settings.prior_scale)
        with full.model:
            ll = pm.compute_log_likelihood(xr.DataTree.from_dict({"posterior": refit.posterior}),
                                           var_names=nodes, extend_inferencedata=False, progressbar=False)
        ll = _as_dataset(ll)
        per = {}
        total = 0.0
        for node in nodes:
            values = ll[node].transpose("chain", "draw", ...).values[..., units.of[node] == k].sum(axis=-1)
            per[node] = float(_lpd(values[..., None])[0])
            total = total + values
        per[TOTAL] = float(_lpd(np.asarray(total)[..., None])[0])
        out[k] = per
    return out


def _summary(elpd_i: np.ndarray, lpd_i: np.ndarray) -> tuple[float, float, float]:
    """ELPD, its standard error sqrt(n var(elpd_i)) and p_loo = lpd - elpd (Vehtari et al. 2017, eqs 4, 23)."""
    n = elpd_i.size
    se = float(np.sqrt(n * np.var(elpd_i, ddof=1))) if n > 1 else float("nan")
    return float(elpd_i.sum()), se, float(lpd_i.sum() - elpd_i.sum())


def loo_of(record: FitRecord, by: LooBy = "auto", k_threshold: float = K_THRESHOLD,
           max_refits: int = MAX_REFITS) -> Loo:
    """PSIS-LOO ELPD, SE, p_loo and Pareto k per observed node and in total.

    Parameters
    ----------
    record
        A fit stored with its pointwise log likelihood.
    by
        ``"row"`` (leave one row out), ``"area"`` (one area's rows) or ``"auto"`` (area when
        any node has area effects, since its rows are then dependent).
    k_threshold
        Pareto k above which a unit's estimate is unreliable (0.7, Vehtari et al. 2024).
    max_refits
        Up to this many such units are refitted exactly; beyond it a :class:`LooWarning`
        names them and the result is marked unreliable. 0 never refits.

    Returns
    -------
    Loo

    Raises
    ------
    CopathError
        When the fit stored only per-node totals of its log likelihood.

    Example
    -------
    >>> lo = loo_of(res, by="area", max_refits=0)
    >>> lo.by, int(lo.table.loc["total", "n_units"])
    ('area', 40)
    """
    ll = pointwise_log_likelihood(record)
    mode = resolve_by(record, by)
    nodes = [n for n in record.pathway.nodes if n in ll.data_vars]
    units = unit_map(record, mode, nodes)
    n_units = len(units.labels)
    posterior = record.posterior
    grouped = {n: grouped_log_likelihood(ll[n].transpose("chain", "draw", ...).values, units.of[n], n_units)
               for n in nodes}
    if mode == "area":  # a left-out area's own effect integrated out (integrated importance sampling)
        prepared = prepare_data(record.pathway, record.data)
        for n, by_area in integrated_area_log_likelihood(record, nodes).items():
            area_unit = np.full(len(prepared.areas), -1)
            area_unit[prepared.area_index[prepared.observed[n]]] = units.of[n]
            has = area_unit >= 0
            grouped[n] = grouped_log_likelihood(by_area[..., has], area_unit[has], n_units)
    present = {n: np.unique(units.of[n]) for n in nodes}
    present[TOTAL] = np.arange(n_units)
    grouped[TOTAL] = sum(grouped[n] for n in nodes)
    elpd, ks, lpd = {}, {}, {}
    for name in [*nodes, TOTAL]:
        idx = present[name]
        vals = grouped[name][..., idx]
        e, k = _psis(vals, posterior, [units.labels[i] for i in idx])
        elpd[name], ks[name], lpd[name] = e, k, _lpd(vals)
    high = sorted({int(present[name][j]) for name in elpd for j in np.flatnonzero(ks[name] > k_threshold)})
    refit_ks = high if 0 < len(high) <= max_refits else []
    if refit_ks:
        exact = _exact(record, units, nodes, refit_ks)
        for name in elpd:
            for k, per in exact.items():
                j = np.flatnonzero(present[name] == k)
                if j.size:
                    elpd[name][j[0]] = per[name]
    unreliable = [units.labels[k] for k in high if k not in refit_ks]
    if unreliable:
        warnings.warn(f"{len(unreliable)} unit(s) have Pareto k > {k_threshold} "
                      f"({', '.join(unreliable[:10])}{', ...' if len(unreliable) > 10 else ''}), more than "
                      f"max_refits={max_refits} to refit exactly: the ELPD is unreliable (Vehtari et al. 2024). "
                      "Raise max_refits to refit them, or compare with care.", LooWarning, stacklevel=3)
    rows, pointwise, pareto = {}, {}, {}
    for name in elpd:
        idx = present[name]
        total, se, p = _summary(elpd[name], lpd[name])
        over = {int(idx[j]) for j in np.flatnonzero(ks[name] > k_threshold)}
        rows[name] = {"elpd": total, "se": se, "p_loo": p, "n_units": int(idx.size),
                      "k_max": float(np.max(ks[name])), "high_k": len(over),
                      "refitted": len(over & set(refit_ks)), "reliable": not (over - set(refit_ks))}
        labels = [units.labels[i] for i in idx]
        pointwise[name] = pd.Series(elpd[name], index=labels, name="elpd")
        pareto[name] = pd.Series(ks[name], index=labels, name="pareto_k")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "node"
    return Loo(by=mode, table=table, pointwise=pointwise, pareto_k=pareto,
               refitted=tuple(units.labels[k] for k in refit_ks), unreliable=tuple(unreliable),
               k_threshold=k_threshold)
