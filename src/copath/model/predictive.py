r"""Predictive checks per observed node, and the verdict on them that joins the sampler's.

:func:`predictive_table` compares each observed node's data with the data a predictive
group simulates (the prior's or the posterior's): the mean and sd of each simulated data
set against the observed ones (``p_mean``, ``p_sd``: posterior predictive p-values, Gelman,
Meng and Stern 1996, *Statistica Sinica* 6:733) and the share of observations inside their
central interval (``coverage``). A node whose figures are shares of trials (a
``proportion``: successes, or a share or percentage with an effective sample size) is
compared as shares of its trials, row by row, not as counts, so its means read as the data's
shares do. A ``binary`` node is compared as its 0/1 rows: its ``p_sd`` is not computed (NaN),
since the sd of 0/1 values is :math:`\sqrt{m(1-m)}` of their mean :math:`m` and would flag a
mean near 0.5 for nothing, and its row intervals cover nearly every row, so its check rests on
``p_mean``.

:func:`misfits` reads the posterior predictive table: a node fails when its interval
coverage falls far below nominal or ``p_mean`` or ``p_sd`` lies near 0 or 1 (thresholds
:data:`P_EXTREME`, :data:`COVERAGE_SHORTFALL`, :data:`COVERAGE_SES`, with their reasons),
and each failure says what usually fixes it: an overdispersed family (beta-binomial,
negative binomial), or a missing effect of time or of area. :class:`copath.model.diagnostics.Diagnostics`
carries these sentences beside the sampler's checks, so one verdict covers both.

How often a correctly specified model is flagged: in 0 of 20 node checks (10 fits, seeds
0-9, of the chain ``x -> c -> p``: a count with area effects and a binomial proportion,
simulated by ``cp.simulate`` with 30 areas x 6 months and fitted with the same model, 2 chains
x 400 draws; ``benchmarks/bench_predictive_flags.py``, results in ``benchmarks/results.md``).
Their lowest coverage was 0.95 and their p-values lay in 0.09-0.85. Ten fits bound the
false-positive rate only loosely (0 of 10 fits: below about 26% per fit at 95%), but posterior
predictive p-values of a correct model concentrate near 0.5 and its intervals over-cover, so
the margins are wide. The same runs flagged 3 of 3 binomial fits to overdispersed shares
(beta-binomial, :math:`\kappa^{-1/2} = 0.3`; coverage 0.62-0.66, ``p_sd`` 0.000) and 0 of 3
beta-binomial fits of the same data.

Example
-------
>>> table = pd.DataFrame({"kind": ["proportion"], "coverage": [0.68], "p_mean": [0.4], "p_sd": [0.0],
...                       "n_obs": [320]}, index=pd.Index(["good_job"], name="node"))
>>> flag_reasons(table.iloc[0], 0.94)
['coverage 0.68 of the 94% intervals (below 0.89)', 'p_sd 0.000']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from copath.model.data import prepare_data
from copath.options import PERIOD_EFFECTS
from copath.spec.pathway import Node, Pathway

__all__ = ["predictive_table", "misfits", "flag_reasons", "remedies", "P_EXTREME", "COVERAGE_SHORTFALL",
           "COVERAGE_SES", "PREDICTIVE_COLUMNS", "PREDICTIVE_DRAWS_MIN"]

#: A predictive p-value (``p_mean``, ``p_sd``) within this of 0 or 1 flags a node. Posterior
#: predictive p-values of a correctly specified model are not uniform but concentrate around
#: 0.5 (the data were used to fit; Gelman, Meng and Stern 1996; Meng 1994, *Annals of
#: Statistics* 22:1142), so a value beyond 0.01 almost never arises by chance: it says the
#: simulated data sets nearly all sit on one side of the observed mean or spread.
P_EXTREME = 0.01
#: A node's coverage of its central intervals is far from nominal when it falls below nominal
#: by more than this share of observations (and by more than :data:`COVERAGE_SES` binomial
#: standard errors). Why 0.05: the intervals are quantiles of a few hundred predictive draws
#: (``ppc_draws``), which cover about a point less than their nominal mass, and a correct model's
#: posterior predictive intervals add the parameters' uncertainty, so they cover nominal or
#: more; a shortfall of five points is beyond both. Coverage above nominal is not flagged: the
#: equal-tailed interval of a discrete count or share includes its end values and covers more
#: than its nominal mass by construction.
COVERAGE_SHORTFALL = 0.05
#: ... and by more than this many binomial standard errors of the coverage,
#: :math:`\sqrt{q(1-q)/n}` at the nominal ``q`` over the node's ``n`` observations, so a node
#: with few observations is not flagged for a shortfall that chance explains (3 SEs: about 1 in
#: 700 under independence).
COVERAGE_SES = 3.0
#: The fewest posterior predictive draws from which :func:`misfits` judges a node. With
#: :math:`N` draws an equal-tailed interval covers on average :math:`q (N - 1)/(N + 1)` of
#: draws from the same distribution, and p-values move in steps of :math:`1/N`: a correct
#: model's 94% coverage over 480 rows fell below the floor in 96% of simulations at N = 20,
#: 10% at N = 50, 2.5% at N = 100 and 0% at N = 500 (a methods review's simulation). Below 200
#: the check is not made, and the verdict says so.
PREDICTIVE_DRAWS_MIN = 200
#: The columns of a predictive check table, after its index ``node``.
PREDICTIVE_COLUMNS = ("kind", "scale", "n_obs", "observed_mean", "predicted_mean", "mean_low", "mean_high", "p_mean",
                      "observed_sd", "predicted_sd", "p_sd", "coverage", "ok")


def _sizes(pathway: Pathway, data: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each proportion node's trials (or effective sample size) on its observed rows, in the
    order of ``observed_data`` (its groups' sizes for a node observed only as group figures)."""
    names = [n for n, node in pathway.nodes.items() if node.node_kind.natural_level == "share"]
    if not names:
        return {}
    prepared = prepare_data(pathway, data)
    out = {}
    for name in names:
        node = pathway.nodes[name]
        if name in prepared.aggregated:
            out[name] = np.asarray(prepared.aggregated[name].size, dtype=float)
        else:
            rows = prepared.observed[name]
            if rows.size == 0:  # no data on the node: nothing to check, and its trials column may be absent
                continue
            out[name] = np.broadcast_to(np.asarray(node.node_kind.size(node, prepared.values, rows), dtype=float),
                                        rows.shape)
    return out


def coverage_floor(prob: float, n_obs: int) -> float:
    """The coverage below which a node's check fails: nominal less the larger of
    :data:`COVERAGE_SHORTFALL` and :data:`COVERAGE_SES` binomial standard errors.

    Example
    -------
    >>> round(coverage_floor(0.94, 320), 3), round(coverage_floor(0.94, 20), 3)
    (0.89, 0.781)
    """
    se = np.sqrt(prob * (1 - prob) / max(int(n_obs), 1))
    return float(prob - max(COVERAGE_SHORTFALL, COVERAGE_SES * se))


def flag_reasons(row: Mapping, prob: float) -> list[str]:
    """What fails in one node's row of a predictive check table (empty when nothing does).

    Parameters
    ----------
    row
        A row of :func:`predictive_table` (``coverage``, ``p_mean``, ``p_sd``, ``n_obs``).
    prob
        The nominal coverage of its intervals.

    Returns
    -------
    list of str
        ``"coverage 0.68 of the 94% intervals (below 0.89)"``, ``"p_mean 0.998"``, ``"p_sd 0.000"``.
    """
    out = []
    floor = coverage_floor(prob, int(row.get("n_obs", 0) or 0))
    if row["coverage"] < floor:
        out.append(f"coverage {row['coverage']:.2f} of the {round(100 * prob)}% intervals (below {floor:.2f})")
    for stat in ("p_mean", "p_sd"):
        if np.isnan(row[stat]):  # not compared (a binary node's sd)
            continue
        if not P_EXTREME <= row[stat] <= 1 - P_EXTREME:
            out.append(f"{stat} {row[stat]:.3f}")
    return out


def predictive_table(idata: xr.DataTree, pathway: Pathway, data: pd.DataFrame, group: str,
                     prob: float) -> pd.DataFrame:
    """The predictive check of ``group`` per observed node (see the module docstring).

    Parameters
    ----------
    idata
        A fit's DataTree with ``observed_data`` and ``group``.
    pathway, data
        The fit's pathway and data (for the trials of share nodes).
    group
        ``"prior_predictive"`` or ``"posterior_predictive"``.
    prob
        Probability mass of the central (equal-tailed) intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``node``, with the columns of :data:`PREDICTIVE_COLUMNS`: ``scale`` is
        ``"share of trials"`` for a node compared as shares (its means and sds are of the rows'
        shares) and ``"as observed"`` otherwise; ``n_obs`` the observations compared; ``ok``
        whether nothing in :func:`flag_reasons` fails.

    Raises
    ------
    ValueError
        If ``idata`` has no ``group`` or no ``observed_data`` group.
    """
    if group not in idata.children or "observed_data" not in idata.children:
        raise ValueError(f"this result has no {group} group")
    pred = idata[group].to_dataset()
    obs = idata["observed_data"].to_dataset()
    sizes = _sizes(pathway, data)
    rows = []
    lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2
    for name in obs.data_vars:
        if name not in pred:
            continue
        y = obs[name].values.astype(float).ravel()
        sims = pred[name].values.astype(float).reshape(-1, y.size)
        node = pathway.nodes.get(str(name))
        size = sizes.get(str(name))
        scale = "as observed"
        if size is not None and size.shape == y.shape and np.all(size > 0):
            y, sims, scale = y / size, sims / size, "share of trials"
        stat = sims.mean(axis=1)
        sd = sims.std(axis=1)
        zero_one = node is not None and node.kind == "binary"  # a 0/1 row's sd follows from the mean
        rows.append({
            "node": str(name), "kind": node.kind if node else "", "scale": scale, "n_obs": int(y.size),
            "observed_mean": float(y.mean()),
            "predicted_mean": float(stat.mean()),
            "mean_low": float(np.quantile(stat, lo_q)), "mean_high": float(np.quantile(stat, hi_q)),
            "p_mean": float(np.mean(stat >= y.mean())),
            "observed_sd": float(y.std()), "predicted_sd": float(sd.mean()),
            "p_sd": float("nan") if zero_one else float(np.mean(sd >= y.std())),
            "coverage": float(np.mean((y >= np.quantile(sims, lo_q, axis=0)) & (y <= np.quantile(sims, hi_q, axis=0)))),
        })
    table = pd.DataFrame(rows, columns=["node", *PREDICTIVE_COLUMNS[:-1]]).set_index("node")
    table["ok"] = [not flag_reasons(row, prob) for _, row in table.iterrows()]
    return table


def remedies(node: Node, reasons: list[str]) -> str:
    """What usually fixes a node's failed check, as one sentence.

    Too narrow (coverage short, ``p_sd`` near 0): the rows vary more than the likelihood
    allows, so an overdispersed family where the node has the plain one, and an effect of
    time or of area it lacks. ``p_mean`` near 0 or 1: the model misses the node's level, so a
    prior or held sign that overrules the data, or a missing link. ``p_sd`` near 1: the data
    vary less than the model predicts.

    Parameters
    ----------
    node
        The node.
    reasons
        Its :func:`flag_reasons`.

    Returns
    -------
    str

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  p: {kind: proportion, trials: n}\\n"
    ...                       "links:\\n  - {from: x, to: p}\\noutcomes: [p]\\n")
    >>> remedies(pw.nodes["p"], ["p_sd 0.000"])[:60]
    'The data vary more than the model allows: try family: beta_b'
    """
    out = []
    wide = any(r.startswith("coverage") for r in reasons) or any(
        r.startswith("p_sd") and float(r.split()[1]) < 0.5 for r in reasons)
    if wide:
        fixes = []
        overdispersed = {"proportion": "beta_binomial", "count": "negative_binomial"}.get(node.kind)
        if overdispersed and node.family != overdispersed:
            fixes.append(f"family: {overdispersed} (overdispersion: rows vary more than the "
                         f"{node.family or {'proportion': 'binomial', 'count': 'poisson'}[node.kind]} allows)")
        if not node.time:
            fixes.append("an effect of time (the node's time: key: years or months that move every area together)")
        elif not set(PERIOD_EFFECTS) & set(node.time):
            fixes.append("one effect per period (time: [period]) beside the node's "
                         f"{' and '.join(node.time)}: years that move every area together off a smooth path")
        if not node.area_effects:
            fixes.append("area effects (area_effects: true: areas that sit apart whatever their inputs)")
        fixes.append("a missing link or a confounder the pathway leaves out")
        out.append("The data vary more than the model allows: try " + "; or ".join(fixes) + ".")
    if any(r.startswith("p_mean") for r in reasons):
        out.append("The model misses the node's mean: a prior or held sign that overrules the data "
                   "(compare res.prior_predictive(); try res.with_prior), or a missing link.")
    if any(r.startswith("p_sd") and float(r.split()[1]) > 0.5 for r in reasons):
        out.append("The data vary less than the model predicts: an overdispersion the data do not need, "
                   "or figures smoothed or rounded before fitting.")
    return " ".join(out)


def misfits(table: pd.DataFrame, pathway: Pathway, prob: float) -> tuple[str, ...]:
    """One sentence per node whose posterior predictive check fails, with its remedy.

    Parameters
    ----------
    table
        :func:`predictive_table` of the posterior predictive group.
    pathway
        The fit's pathway.
    prob
        The nominal coverage of the table's intervals.

    Returns
    -------
    tuple of str
        ``"posterior predictive check fails for good_job: coverage 0.68 of the 94% intervals
        (below 0.89), p_sd 0.000; its intervals are too narrow. The data vary more ..."``;
        empty when every node passes.
    """
    out = []
    for name, row in table.iterrows():
        reasons = flag_reasons(row, prob)
        if not reasons:
            continue
        narrow = any(r.startswith("coverage") for r in reasons)
        what = "; its intervals (and any answer through it) are too narrow" if narrow else ""
        text = f"posterior predictive check fails for {name}: {', '.join(reasons)}{what}."
        node = pathway.nodes.get(str(name))
        if node is not None:
            text += " " + remedies(node, reasons)
        out.append(text)
    return tuple(out)
