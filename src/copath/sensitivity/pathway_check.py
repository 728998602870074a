r"""Does the data contradict the pathway? Tests of its implied conditional independencies.

Every statement of :meth:`copath.Pathway.implications` (``node`` independent of ``other``
given ``given``) is tested on the fitted model's residuals with a **score test for the omitted
link** ``other -> node``, cluster-robust over areas:

1. the residual of each of ``node``'s observations, standardised by the posterior predictive
   distribution, :math:`r_i = (y_i - \bar y^{rep}_i) / \operatorname{sd}(y^{rep}_i)` (the fit
   already conditions ``node`` on its parents, its area effects and its time effects);
2. ``other``'s input as a child would see it (:meth:`copath.scenarios.forward.Forward.input_means`:
   an exposure's value, else the posterior mean of its log rate, logit or value), residualised
   by least squares on the inputs of ``given`` (and a constant) over ``node``'s rows,
   :math:`\tilde w_i`;
3. :math:`T = \sum_i r_i \tilde w_i \big/ \sqrt{\tfrac{G}{G-1}\sum_a (\sum_{i \in a} r_i \tilde w_i)^2}`,
   the score statistic with the sandwich variance clustered by area over :math:`G` areas (rows
   of one area are dependent; Liang and Zeger 1986, *Biometrika* 73:13), with the usual
   small-sample factor :math:`G/(G-1)` and referred to Student's t with :math:`G - 1` degrees of
   freedom (Cameron and Miller 2015, "A practitioner's guide to cluster-robust inference",
   *Journal of Human Resources* 50:317, sect. VI): two-sided p-value.

Across the list, **Holm's step-down adjustment** (Holm 1979, *Scandinavian Journal of
Statistics* 6:65) controls the chance of rejecting any true statement at ``alpha``. A
rejected statement says the data hold an association the pathway has no arrow for: a missing
link ``other -> node``, an unmeasured cause of both, or a wrong functional form. ``association``
is the correlation of :math:`r` and :math:`\tilde w`; ``slope`` the residual sds of ``node``
per unit of ``other``'s input, the size of the missing association.

Which statements are tested: those whose ``given`` nodes are exposures or continuous nodes,
whose children see the value the data give. A count or proportion node's children see its
expected log rate or logit, which the data only estimate: conditioning on an estimate of it
leaves the path through it open (on a simulated null, ``p _||_ x1 | x2, m`` with ``m`` a count
was rejected in 2 of 2 data sets), so such statements are listed as untested. What it cannot
see: an association between areas that ``node``'s area effects absorb (the residuals are within
the fitted area levels), and nodes observed only as group figures (``observed_at``: no row
residuals; skipped). Its false-positive rate and power are measured
in ``benchmarks/bench_pathway_check.py`` (results in ``benchmarks/results.md``).

Example
-------
``rec`` is a fitted record of the toy chain x -> c -> p -> y:

>>> check = check_pathway(rec)
>>> len(check.table), len(check.untested)   # every statement conditions on the count c or the share p
(0, 2)
>>> check.untested[0]
'p _||_ x | c (given c, seen through an expected value)'

"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from copath.display import frame_html, paragraphs
from copath.model.record import FitRecord
from copath.scenarios.forward import forward_of

__all__ = ["PathwayCheck", "check_pathway", "holm", "cluster_score_test", "CHECK_COLUMNS"]

CHECK_COLUMNS = ("node", "other", "given", "n_obs", "association", "slope", "statistic", "p_value", "p_holm",
                 "rejected")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (monotone, capped at 1).

    Example
    -------
    >>> holm(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        adjusted[i] = min(running, 1.0)
    return adjusted


def cluster_score_test(r: np.ndarray, w: np.ndarray, clusters: np.ndarray) -> tuple[float, float]:
    """The score statistic :math:`T` of the module docstring and its two-sided p-value (t, G - 1 df).

    Parameters
    ----------
    r
        Standardised residuals.
    w
        The residualised candidate input, same rows.
    clusters
        Each row's cluster (area) code.

    Returns
    -------
    (float, float)
        ``T`` and ``p``; NaN when nothing varies.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> w = rng.normal(size=400); r = 0.3 * w + rng.normal(size=400)
    >>> t, p = cluster_score_test(r, w - w.mean(), np.arange(400) // 4)
    >>> round(t, 1), p < 1e-6
    (6.1, True)
    """
    scores = r * w
    _, inverse = np.unique(clusters, return_inverse=True)
    per_cluster = np.bincount(inverse, weights=scores)
    g = per_cluster.size
    variance = float(np.sum(per_cluster ** 2)) * g / max(g - 1, 1)
    if not variance > 0 or g < 2:
        return float("nan"), float("nan")
    t = float(scores.sum() / np.sqrt(variance))
    return t, float(2 * student_t.sf(abs(t), df=g - 1))


@dataclass(frozen=True)
class PathwayCheck:
    """The result of :func:`check_pathway`: one row per tested statement."""

    table: pd.DataFrame
    alpha: float
    skipped: tuple[str, ...] = ()
    #: statements not tested because they condition on a count or proportion node (see the module text)
    untested: tuple[str, ...] = ()

    @property
    def rejected(self) -> pd.DataFrame:
        """The statements the data reject at ``alpha`` after Holm's adjustment."""
        return self.table[self.table["rejected"]]

    def describe(self) -> str:
        """One line for the verdict, one per rejected statement with the size of its association."""
        tested = self.table["p_value"].notna()
        n = int(tested.sum())
        flat = self.table[~tested]
        if not n:
            lines = ["No implied independence could be tested here." if self.untested or len(flat) else
                     "The pathway implies no testable independence among the nodes with data."]
        else:
            bad = self.rejected
            lines = [f"{n} implied independence(s) tested (score test for the omitted link, clustered by area; "
                     f"Holm-adjusted at {self.alpha:g}): the data reject {len(bad)}."]
            for row in bad.itertuples():
                given = f" given {row.given}" if row.given else ""
                lines.append(f"- {row.node} is not independent of {row.other}{given} (Holm p {row.p_holm:.3g}; "
                             f"{row.slope:+.3g} residual sds of {row.node} per unit of {row.other}'s input, "
                             f"correlation {row.association:+.2f}): a missing link {row.other} -> {row.node}, "
                             "or a cause of both that the pathway leaves out.")
        if len(flat):
            names = [f"{r.node} _||_ {r.other}" + (f" | {r.given}" if r.given else "") for r in flat.itertuples()]
            lines.append(f"Not tested: {len(flat)} statement(s) whose other node does not vary in these data once "
                         "the conditioning nodes are taken out (e.g. an exposure held at one reference value), so "
                         "the data say nothing about them (" + "; ".join(names[:4])
                         + (" ..." if len(names) > 4 else "") + ").")
        if self.skipped:
            lines.append("Not tested (no row-level data): " + ", ".join(self.skipped) + ".")
        if self.untested:
            lines.append(f"Not tested: {len(self.untested)} statement(s) that condition on a count or proportion "
                         "node, which its children see through its expected log rate or logit: an estimate of it "
                         "does not block the path the statement needs blocked (" + "; ".join(self.untested[:4])
                         + (" ..." if len(self.untested) > 4 else "") + ").")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<div>{paragraphs(self.describe())}{frame_html(self.table)}</div>"

    def __repr__(self) -> str:
        tested = int(self.table["p_value"].notna().sum())
        return (f"PathwayCheck({tested} of {len(self.table)} statements tested, "
                f"{int(self.table['rejected'].sum())} rejected)")


def check_pathway(result: FitRecord, alpha: float = 0.05) -> PathwayCheck:
    """Test the pathway's implied independencies against the fitted data (module docstring).

    Parameters
    ----------
    result
        A fitted record with a posterior predictive group.
    alpha
        Family-wise level (Holm).

    Returns
    -------
    PathwayCheck
        ``table`` with :data:`CHECK_COLUMNS`, in the order of the implications.

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1) or the result has no posterior predictive group.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    tree = result.idata
    if "posterior_predictive" not in tree.children or "observed_data" not in tree.children:
        raise ValueError("check_pathway needs the fit's posterior predictive group (fit with ppc_draws > 0)")
    pw = result.pathway
    forward = forward_of(result)
    prepared = forward.prepared
    inputs = forward.input_means()
    pred = tree["posterior_predictive"].to_dataset()
    obs = tree["observed_data"].to_dataset()
    observed = set(result.nodes_with_data()) | set(pw.exposures)
    skipped = tuple(n for n in pw.endogenous if n in prepared.aggregated)
    rows = []
    latent_given = []
    for imp in pw.implications(observed=observed):
        if imp.node in prepared.aggregated or imp.node not in pred or imp.node not in obs:
            continue
        hidden = [g for g in imp.given if not _seen_by_value(pw, g)]
        if hidden:
            latent_given.append(f"{imp} (given {', '.join(hidden)}, seen through an expected value)")
            continue
        at = prepared.observed[imp.node]
        y = obs[imp.node].values.astype(float).ravel()
        sims = pred[imp.node].values.astype(float).reshape(-1, y.size)
        sd = sims.std(axis=0)
        keep = sd > 0
        r = np.where(keep, (y - sims.mean(axis=0)) / np.where(keep, sd, 1.0), 0.0)
        w = _residualised(inputs[imp.other][at], [inputs[g][at] for g in imp.given])
        t, p = cluster_score_test(r[keep], w[keep], prepared.area_index[at][keep])
        wk = w[keep]
        rows.append({"node": imp.node, "other": imp.other, "given": ", ".join(imp.given), "n_obs": int(keep.sum()),
                     "association": float(np.corrcoef(r[keep], wk)[0, 1]) if wk.std() > 0 else float("nan"),
                     "slope": float(np.sum(r[keep] * wk) / np.sum(wk ** 2)) if np.sum(wk ** 2) > 0 else float("nan"),
                     "statistic": t, "p_value": p})
    table = pd.DataFrame(rows, columns=list(CHECK_COLUMNS[:-2]))
    tested = table["p_value"].notna().to_numpy()
    adjusted = np.full(len(table), np.nan)
    if tested.any():
        adjusted[tested] = holm(table.loc[tested, "p_value"].to_numpy())
    table["p_holm"] = adjusted
    table["rejected"] = table["p_holm"] < alpha
    return PathwayCheck(table=table, alpha=alpha, skipped=skipped, untested=tuple(latent_given))


def _seen_by_value(pathway, name: str) -> bool:
    """Whether a node's children see a value the data give (an exposure, a continuous node),
    rather than its expected log rate or logit, which the data only estimate."""
    kind = pathway.nodes[name].node_kind
    return not kind.endogenous or kind.passes_value


def _residualised(w: np.ndarray, given: list[np.ndarray]) -> np.ndarray:
    """``w`` less its least-squares fit on a constant and ``given``."""
    design = np.column_stack([np.ones_like(w), *given]) if given else np.ones((w.size, 1))
    coef, *_ = np.linalg.lstsq(design, w, rcond=None)
    return w - design @ coef
