"""``res.sensitivity()``: which links do the conclusions hang on?

One table per link joins what the other modules of :mod:`copath.sensitivity`
compute from the existing draws, with no refit:

- ``grade``, ``weak``, ``local_data`` (do the data inform the link on its own? :meth:`FitRecord.observed_links`);
- ``prior_sensitivity``, ``likelihood_sensitivity``, ``likelihood_null_max`` (the largest of
  39 likelihood sensitivities with the log likelihood reordered) and ``likelihood_informative``
  (above both it and the threshold), ``contraction``, ``conflict_p`` (the prior-data conflict
  check) and ``diagnosis`` (:mod:`.powerscale`); the same for every
  intercept, area sd, season sd, trend and noise parameter in ``Sensitivity.parameters``
  (:mod:`.nuisance`);
- ``importance: <outcome>``: the share of each final outcome's posterior variance
  explained by the link's coefficient (:mod:`.importance`); for a scenario's effect, each
  path from the changed node to the outcome gets the share its product of links explains
  (``Sensitivity.paths``, :mod:`.path_shares`), named in :meth:`Sensitivity.describe` when it explains
  materially more than any of its links;
- robustness to unmeasured confounding (:mod:`.confounding`), for the links with
  ``local_data`` only (NaN on the others, ``e_value_basis`` saying why: ``no local data``
  for a prior-only link, else ``weak local data`` or ``data inform it only jointly (...)``;
  an E-value of a link the data do not inform on their own would describe the prior, the
  literature's estimate, more than these data):

  - ``contrast``: the parent's contrast the E-value is for, in the parent's input units, and
    ``contrast_label`` naming it, chosen so the E-value answers a question a reader has
    (:func:`readable_contrast`): a scenario's change of the parent when a scenario given
    changes it by an amount (``"+0.2, as scenario 'more x'"``); else 10 points for a parent
    that is a share (an exposure with range 0-1, or 0-100 for percentages: :data:`SHARE_POINTS`)
    or a proportion (its logit over the 10 points around its mean share in the data); else
    one standard deviation over the areas of the parent's input (the area means, over the rows
    where the child has data, of what the child's equation sees: an exposure's value, an
    observed continuous parent's value, else the posterior mean of the parent's log rate).
    An E-value grows with the contrast, so one for a small contrast (one area sd of a share
    can be 3 points) reads as fragile only because the contrast is small;
  - ``risk_ratio``: the link's effect for that contrast at the coefficient's posterior mean,
    as an (approximate) risk ratio; ``e_value_basis`` says how it was read (a rate ratio; an
    odds ratio through sqrt(OR) for a share of 15% or more, else as it is; a
    standardised difference through exp(0.91 d), d over the child's sd in
    the data), or why there is no E-value;
  - ``e_value``: the risk ratio an unmeasured area-level confounder would need with both the
    parent and the child, each, beyond the measured parents of the child, to explain the
    effect away; ``e_value_ci``: the same for the limit of its 94% HDI nearer the null (1
    when the interval holds the null);
  - ``bias_to_null`` and ``bias_to_null_ci``: the confounding bias on the coefficient's own
    scale that would move its posterior mean, and its HDI limit nearer zero, to zero, in
    posterior sds (no contrast needed).

``tornado`` holds each final outcome (and each scenario's effect on it) with each
weak link's coefficient at its 5% and 95% quantiles (conditional by default; see
:mod:`.importance` for the two readings). With ``alternatives=True``, ``alternatives`` shows how every final
outcome, and every scenario's effect on it, moves when a weak link's (or an important link's) prior is swapped
for the sceptical, vague or registry prior (:mod:`.prior_swap`, PSIS; Pareto k and
``reliable`` say when the swap would need a refit, and a negative k means a bounded, well-behaved
tail of the weights, :func:`copath.model.settings.pareto_k_meaning`; ``mcse`` is the Monte Carlo
standard error of the reweighted mean, which treats draws as independent, so read
changes of a few ``mcse`` as noise).

Example
-------
``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one;
``res.sensitivity(...)`` calls this):

>>> from copath.scenarios.scenario import build_scenario
>>> sens = sensitivity(rec, alternatives=True, scenarios=[build_scenario(rec, {"x": "+0.02"}, name="more x")])
>>> print(sens.describe().splitlines()[0])
4 links, 4 of them weak (strongest evidence graded C, D or E, direction-only evidence, or no evidence).
>>> sorted(set(sens.tornado["quantity"]))
['more x: y', 'y']
>>> len(sens.figure_tornado().axes)
1
>>> sens.table.loc["c -> p", "e_value_basis"], bool((sens.table["e_value"] >= sens.table["e_value_ci"]).all())
('odds ratio, common outcome: RR = sqrt(OR)', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.special import expit, logit

from copath import plotting
from copath.constants import HDI_PROB, WEAK_RULE
from copath.display import frame_html, paragraphs
from copath.io_atomic import atomic_write_bytes
from copath.model.record import FitRecord
from copath.options import LinkFunction, OutcomeFrequency, TornadoMethod, check
from copath.scenarios.forward import forward_of
from copath.scenarios.scenario import Scenario
from copath.sensitivity.confounding import RARE_BELOW, link_e_values
from copath.sensitivity.importance import fixed_tornado, link_draws, outcome_draws, tornado, variance_shares
from copath.sensitivity.nuisance import nuisance_parameters, parameter_power_scaling
from copath.sensitivity.path_shares import PATH_COLUMNS, path_shares, paths_between
from copath.sensitivity.powerscale import (
    CONFLICT,
    CONFLICT_LEVEL,
    FINE_OVERRULED,
    NO_LOCAL_DATA,
    PRIOR_DOMINATES,
    PRIOR_INFLUENTIAL,
    THRESHOLD,
    UNCHECKED,
    likelihood_sensitivity,
    power_scaling,
)
from copath.sensitivity.prior_swap import alternative_priors, importance_weights, khat_threshold
from copath.spec.pathway import Node

__all__ = ["Sensitivity", "sensitivity", "readable_contrast", "IMPORTANCE_PREFIX", "CONFOUNDING_COLUMNS",
           "SHARE_POINTS"]

IMPORTANCE_PREFIX = "importance: "
#: A variance share worth naming in :meth:`Sensitivity.describe`.
MATERIAL = 0.05
#: The table's columns on unmeasured confounding (see the module docstring).
CONFOUNDING_COLUMNS = ("contrast", "contrast_label", "risk_ratio", "e_value", "e_value_ci", "bias_to_null",
                       "bias_to_null_ci", "e_value_basis")
#: The contrast of a share parent an E-value is stated for: 10 percentage points (0.1 of a
#: share), a change a policy could make and a reader can picture, whatever the areas' spread.
SHARE_POINTS = 0.1


@dataclass
class Sensitivity:
    """The result of :func:`sensitivity`: per-link ``table``, ``importance`` (links x
    outcome quantities), ``outcome_prior_sensitivity`` (links x final outcomes: how
    much each outcome moves when that link's prior is power-scaled), ``tornado``
    and, if asked, ``alternatives``."""

    table: pd.DataFrame
    importance: pd.DataFrame
    outcome_prior_sensitivity: pd.DataFrame
    tornado: pd.DataFrame
    alternatives: pd.DataFrame | None
    threshold: float
    outcomes: tuple[str, ...]
    warning: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    #: The same power-scaling for intercepts, area sds, season sds, trends and noise
    #: parameters, one row per element (:mod:`.nuisance`).
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Per scenario effect, the variance share of every path from the changed node to the
    #: outcome (the product of its links; :mod:`.path_shares`).
    paths: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PATH_COLUMNS)))

    def ranked(self) -> pd.DataFrame:
        """Weak links, most important first: the largest variance share they explain of a
        final outcome or of a scenario's effect on one (``max_importance``, and where).

        Returns
        -------
        pandas.DataFrame
            The rows of ``table`` whose ``weak`` is True, with two added columns:
            ``max_importance`` (the link's largest variance share in ``importance``, 0 when
            it has none) and ``most_important_for`` (the quantity where it is largest),
            sorted by ``max_importance``, largest first.
        """
        weak = self.table[self.table["weak"]].copy()
        shares = self.importance.reindex(weak.index).fillna(0.0)
        weak["max_importance"] = shares.max(axis=1) if shares.shape[1] else 0.0
        weak["most_important_for"] = shares.idxmax(axis=1) if shares.shape[1] else ""
        return weak.sort_values("max_importance", ascending=False)

    def describe(self, diagnostics: bool = True) -> str:
        """Plain sentences: conflicts, prior-dominated links, and the links each final outcome hangs on.

        Parameters
        ----------
        diagnostics
            Whether to repeat the fit's convergence warning (a report that shows the verdict
            once elsewhere passes False).

        Returns
        -------
        str
            One sentence a line: the convergence warning if any, the number of weak links,
            the links with prior-data conflict and those the prior dominates, up to three
            links explaining at least 5% of each final outcome's (and each scenario
            effect's) posterior variance, and, with ``alternatives``, the prior swap that
            moves each quantity most.
        """
        t = self.table
        lines = []
        if self.warning and diagnostics:
            lines.append(f"Warning: {self.warning}")
        d = t["diagnosis"].astype(str)
        conflicts = t.index[d == CONFLICT].tolist()
        overruled = t.index[d == FINE_OVERRULED].tolist()
        dominated = t.index[d.str.startswith(PRIOR_DOMINATES)].tolist()
        unchecked = t.index[d.str.endswith(UNCHECKED)].tolist()   # every link the check skipped, whatever its label
        checked = int(t["conflict_p"].notna().sum()) if "conflict_p" in t else 0
        lines.append(f"{len(t)} links, {int(t['weak'].sum())} of them weak ({WEAK_RULE}).")
        def _with_correlated(names: list[str]) -> str:
            if "correlated_with" not in t.columns:
                return ", ".join(names)
            return ", ".join(n + (f" (posterior correlated with {t.loc[n, 'correlated_with']}, whose prior may be the "
                                  "one in conflict)" if t.loc[n, "correlated_with"] else "") for n in names)

        lines.append(f"Prior-data conflict (the prior and the estimate the rest of the model implies differ by more "
                     f"than both their uncertainties allow: conflict check p < {CONFLICT_LEVEL}; compare them in the "
                     f"summary) on {len(conflicts)} link(s)" + (f": {_with_correlated(conflicts)}" if conflicts else "")
                     + f". The check ran on {checked} link(s); at this level about {CONFLICT_LEVEL * checked:.1f} "
                     "would be flagged by chance if every prior held.")
        if overruled:
            lines.append(f"The local data overrule a prior they disagree with (conflict check p < {CONFLICT_LEVEL}) on "
                         f"{_with_correlated(overruled)}: the conclusion there is the data's, but the registry's estimate (a "
                         "study's figure, or a hypothesis for a grade-E link) does not hold here.")
        none = t.index[d == NO_LOCAL_DATA].tolist()
        if none:
            lines.append(f"No local data on {len(none)} link(s): the likelihood does not depend on them, so their "
                         "posterior is their prior (no likelihood sensitivity to read).")
        lines.append(f"The prior dominates (the data narrow it by less than half) on {len(dominated)} link(s)"
                     + (f": {', '.join(dominated[:8])}{' ...' if len(dominated) > 8 else ''}." if dominated else "."))
        influential = t.index[d.str.startswith(PRIOR_INFLUENTIAL)].tolist()
        if influential:
            lines.append(f"Prior and local data both inform {len(influential)} link(s): "
                         f"{', '.join(influential[:8])}{' ...' if len(influential) > 8 else ''}.")
        if unchecked:
            lines.append(f"The conflict check could not run on {len(unchecked)} link(s) with local data: "
                         f"{', '.join(unchecked[:8])}{' ...' if len(unchecked) > 8 else ''} (the data narrow the prior "
                         "too little to tell, or the prior fixes the sign). 'No conflict detected' is not agreement "
                         "either: with the data as informative as the prior, a prior 2 sds from the truth is detected "
                         "about 3 times in 10.")
        lines.append(self._confounding_sentence())
        lines.extend(self._parameter_sentences())
        for outcome in self.outcomes:
            col = t[f"{IMPORTANCE_PREFIX}{outcome}"].sort_values(ascending=False)
            top = [f"{name} ({100 * v:.0f}%)" for name, v in col.head(3).items() if v >= MATERIAL]
            if top:
                lines.append(f"{outcome} hangs most on: {', '.join(top)} of its posterior variance.")
            else:
                lines.append(f"No single link explains {100 * MATERIAL:.0f}% of the variance of {outcome}'s "
                             "level: its intercept and area effects (set by the local data where it has data, by "
                             "their priors where it has none) and many links together set it.")
        for name in self.importance.columns:
            if name in self.outcomes:
                continue
            lines.extend(self._effect_sentences(name))
        if self.alternatives is not None and len(self.alternatives):
            alt = self.alternatives.dropna(subset=["relative_change"])
            for quantity, group in alt.groupby("quantity", sort=False):
                worst = group.loc[group["relative_change"].abs().idxmax()]
                # a final outcome's level, or a scenario's effect on it ("<scenario>: <outcome>")
                what = (f"the effect of {quantity.replace(': ', ' on ', 1)}" if ": " in quantity
                        else f"the level of {quantity}")
                if abs(worst["relative_change"]) < 0.01:
                    lines.append(f"No alternative prior moves {what} by 1% or more.")
                    continue
                lines.append(
                    f"Under alternative priors {what} moves most ({100 * worst['relative_change']:+.1f}%) "
                    f"when {worst['link']} gets the {worst['alternative']} prior"
                    + ("" if worst["reliable"] else " (Pareto k too high: refit to trust it)") + "."
                )
        return "\n".join(lines)

    def _effect_sentences(self, name: str) -> list[str]:
        """What a scenario's effect hangs on: the links by variance share, then each path whose
        product explains a material share more than any of its links (a path is no separate
        source of uncertainty, and its share can reach 100% by construction, so it is not
        ranked among the links)."""
        col = self.importance[name].sort_values(ascending=False)
        top = [f"{link} ({100 * v:.0f}%)" for link, v in col.head(3).items() if v >= MATERIAL]
        lines = [f"{name} (scenario effect) hangs most on: {', '.join(top)} of its posterior variance."] if top else []
        if 0 < col.sum() < 0.5:   # 0: the effect does not vary (the node is off every path from the change)
            lines.append(f"The links explain little of {name}'s uncertainty one by one (their shares add to "
                         f"{100 * col.sum():.0f}%): the rest comes from the levels the change acts at (intercepts, "
                         "area and period effects, on a nonlinear scale) and from links acting together. These are "
                         "shares of the effect's variance, not of the effect: where the effect runs is "
                         "res.path_effects's split.")
        paths = self.paths[self.paths["quantity"] == name] if len(self.paths) else self.paths
        for row in paths.itertuples():
            if row.share - row.largest_link_share < MATERIAL:
                continue
            text = (f"{name} runs through the path {row.path}: the product of its links explains "
                    f"{100 * row.share:.0f}% of the effect's variance, any one of them alone at most "
                    f"{100 * row.largest_link_share:.0f}%")
            if row.trade_off:
                text += (f"; its links trade off in the posterior (within-chain correlation of their log sizes "
                         f"{row.correlation:+.2f}): the data fix their product, so new evidence on one moves the "
                         "other. Read the path whole")
            lines.append(text + ".")
        return lines

    def _confounding_sentence(self) -> str:
        """The informed link an unmeasured confounder would explain away most easily."""
        t = self.table
        if "e_value" not in t.columns:  # a table built before E-values
            return "No E-values (robustness to unmeasured confounding) in this table."
        informed = t[t["local_data"] & t["e_value"].notna()]
        if not len(informed):
            return ("No link is informed by the local data on its own, so no E-value is given (for a link resting "
                    "on its prior it would describe the literature's estimate, not these data).")
        clear = informed[informed["e_value_ci"] > 1]   # the interval excludes no effect: there is an effect to explain
        held = len(informed) - len(clear)
        heldtext = (f" The other {held} of the {len(informed)} link(s) the local data inform have a "
                    f"{100 * HDI_PROB:.0f}% interval that already holds no effect, so there is no clear effect for a "
                    "confounder to explain away." if held else "")
        if not len(clear):
            return (f"Every one of the {len(informed)} link(s) the local data inform has a {100 * HDI_PROB:.0f}% "
                    "interval that already holds no effect, so no E-value is quoted.")
        # ranked by the bias that would move the interval to no effect, in posterior sds: E-values of links
        # whose contrasts differ (a scenario's change, 10 points, one area sd) do not compare
        keys = [c for c in ("bias_to_null_ci", "bias_to_null") if c in clear.columns] or ["e_value_ci", "e_value"]
        ranked = clear.sort_values(keys)
        name, weakest = str(ranked.index[0]), ranked.iloc[0]
        return (f"Weakest to unmeasured confounding of the {len(clear)} link(s) the local data inform with an interval "
                f"clear of no effect: {name}, E-value {weakest['e_value']:.2f} ({weakest['e_value_ci']:.2f} for its "
                f"{100 * HDI_PROB:.0f}% interval; for {_contrast_words(weakest)}): an unmeasured area-level "
                f"confounder associated with both {weakest['from']} and {weakest['to']} by a risk ratio of "
                f"{weakest['e_value']:.2f} each, above the measured parents, could explain the link away (links "
                f"ranked by the bias, in posterior sds, that would move their interval to no effect: E-values for "
                f"different contrasts do not compare)." + heldtext)


    def figure_tornado(self, quantities: Sequence[str] | None = None, top: int = 10) -> Figure:
        """One panel per quantity (default: each scenario's effect on the final outcomes
        when scenarios were given, else the final outcomes): bars from the quantity at
        each chosen link's (weak, or explaining 5% of a quantity's variance) 5% to its 95% coefficient quantile, around the posterior mean;
        the ``top`` widest links.

        Parameters
        ----------
        quantities
            Names in the ``quantity`` column of ``tornado`` (a final outcome, or
            ``"<scenario>: <outcome>"``), one panel each. Default: the scenario effects
            when there are any, else the final outcomes.
        top
            Largest number of links per panel, the widest bars first (default 10).

        Returns
        -------
        matplotlib.figure.Figure
            One panel per quantity. The links and coefficient quantiles are those the
            ``tornado`` table was computed with (by default the weak links, at 5% and 95%).
        """
        if quantities is None:
            effects = [q for q in dict.fromkeys(self.tornado["quantity"]) if q not in self.outcomes]
            quantities = effects or list(self.outcomes)
        return plotting.tornado(self.tornado, list(quantities), self.units, top)

    def save(self, folder: str | Path) -> list[Path]:
        """Write the tables as CSV and the tornado figure as PNG into ``folder``.

        Parameters
        ----------
        folder
            Where to write; created (with its parents) if missing.

        Returns
        -------
        list[Path]
            The files written: ``sensitivity.csv``, ``importance.csv``,
            ``outcome_prior_sensitivity.csv``, ``tornado.csv``, ``alternatives.csv``
            (only when alternatives were computed), ``parameter_sensitivity.csv`` (only
            when ``parameters`` has rows), ``path_importance.csv`` (only when ``paths`` has rows) and ``tornado.png`` (only when the tornado table
            has rows).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        frames = {"sensitivity.csv": self.table, "importance.csv": self.importance,
                  "outcome_prior_sensitivity.csv": self.outcome_prior_sensitivity,
                  "tornado.csv": self.tornado.set_index(["quantity", "link"])}
        if self.parameters is not None and not self.parameters.empty:
            frames["parameter_sensitivity.csv"] = self.parameters
        if len(self.paths):
            frames["path_importance.csv"] = self.paths.set_index(["quantity", "path"])
        if self.alternatives is not None:
            frames["alternatives.csv"] = self.alternatives.set_index(["link", "alternative", "quantity"])
        for name, frame in frames.items():
            atomic_write_bytes(folder / name, frame.to_csv().encode())
            written.append(folder / name)
        if len(self.tornado):
            atomic_write_bytes(folder / "tornado.png", plotting.to_png(self.figure_tornado(), dpi=110))
            written.append(folder / "tornado.png")
        return written

    def _parameter_sentences(self) -> list[str]:
        """What the power-scaling says about the intercepts, scales and dispersions."""
        p = self.parameters
        if p is None or p.empty:
            return []
        out = [f"Intercepts, scales and dispersions: {len(p)} checked."]
        conflicts = p.index[p["diagnosis"] == CONFLICT].tolist()
        dominated = p.index[p["diagnosis"].astype(str).str.startswith(PRIOR_DOMINATES)].tolist()
        none = p.index[p["diagnosis"] == NO_LOCAL_DATA].tolist()
        if conflicts:
            out.append(f"Prior-data conflict (conflict check p < {CONFLICT_LEVEL}) on {', '.join(conflicts)}.")
        if none:
            out.append(f"No local data on {', '.join(none[:8])}{' ...' if len(none) > 8 else ''}: neither the node "
                       "nor anything downstream of it has data, so these are their priors (an intercept there is the "
                       "node's illustrative baseline).")
        if dominated:
            out.append(f"Their prior dominates (the local data narrow it little) on "
                       f"{', '.join(dominated[:8])}{' ...' if len(dominated) > 8 else ''}.")
        return out

    def _repr_html_(self) -> str:
        cols = ["grade", "weak", "local_data", "prior_sensitivity", "contraction", "conflict_p", "likelihood_sensitivity",
                "likelihood_null_max", "diagnosis"]
        cols += [f"{IMPORTANCE_PREFIX}{o}" for o in self.outcomes]
        cols += [c for c in ("e_value", "e_value_ci") if c in self.table.columns]
        return f"<div>{paragraphs(self.describe())}{frame_html(self.table[cols])}</div>"

    def __repr__(self) -> str:
        d = self.table["diagnosis"]
        return (f"Sensitivity({len(self.table)} links, {int((d == CONFLICT).sum())} prior-data conflict(s), "
                f"{int(d.astype(str).str.startswith(PRIOR_DOMINATES).sum())} prior-dominated, "
                f"outcomes={list(self.outcomes)})")


def _alternatives_table(result: FitRecord, links: Sequence[str], quantities: dict[str, np.ndarray]) -> pd.DataFrame:
    threshold = None
    rows = []
    current = {q: float(np.mean(v)) for q, v in quantities.items()}
    for name in links:
        for alt, prior in alternative_priors(result, name).items():
            w, k = importance_weights(result, name, prior)
            threshold = threshold or khat_threshold(w.size)
            for q, values in quantities.items():
                # an infinite Pareto k: the weights cannot represent the new posterior (e.g. the new prior
                # excludes draws), so there is no estimate to report, not a change of zero
                new = float(np.sum(w * values)) if np.isfinite(k) else float("nan")
                mcse = float(np.sqrt(np.sum(w**2 * (values - new) ** 2)))
                rows.append({
                    "link": name, "alternative": alt, "prior_mu": prior.mu, "prior_sigma": prior.sigma,
                    "pareto_k": k, "reliable": bool(k <= threshold), "ess": float(1 / np.sum(w**2)),
                    "quantity": q, "current_mean": current[q], "new_mean": new, "change": new - current[q],
                    "mcse": mcse,
                    "relative_change": (new - current[q]) / current[q] if current[q] else float("nan"),
                })
    return pd.DataFrame(rows)


def _area_sd(values: np.ndarray, area: np.ndarray) -> float:
    """The standard deviation over areas of each area's mean of ``values`` (NaN with fewer than two areas)."""
    ok = np.isfinite(values)
    counts = np.bincount(area[ok])
    if np.count_nonzero(counts) < 2:
        return float("nan")
    means = np.bincount(area[ok], weights=values[ok])[counts > 0] / counts[counts > 0]
    return float(np.std(means, ddof=1))


def _contrast_words(row: pd.Series) -> str:
    """``"10 points of contact"``: the contrast an E-value row is for, in words."""
    label = row.get("contrast_label")
    if not isinstance(label, str) or not label:  # a table saved before contrasts were named
        return f"one area sd of {row['from']}"
    for head in ("10 points", "one area sd"):
        if label.startswith(head):
            return f"{head} of {row['from']}{label[len(head):]}"
    return f"{row['from']} {label}"  # a scenario's change: "contact +0.2, as scenario 'more'"


def readable_contrast(node: Node, values: np.ndarray, area: np.ndarray,
                      scenarios: Sequence[Scenario] = ()) -> tuple[float, str]:
    """The contrast of a parent an E-value is stated for, in its input units, and its name.

    Parameters
    ----------
    node
        The parent.
    values
        The parent's input on the rows where the child has data (an exposure's value; a
        proportion's logit; a count's log rate).
    area
        Each of those rows' area position.
    scenarios
        Scenarios; the first that changes the parent by an amount (``"+0.2"``) sets the contrast,
        for an exposure or a continuous parent (whose input is its value); a count's or a
        proportion's input is its log rate or logit, which a change in events or points does not
        move by the same amount, so theirs keep the default contrast.

    Returns
    -------
    contrast : float
        Positive, or NaN when the parent does not vary and nothing else sets it.
    label : str
        ``"+0.2, as scenario 'more x'"``, ``"10 points"``, ``"10 points around its mean share 62% (a step of 0.41 on its logit)"``
        or ``"one area sd (0.031)"``.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure, range: [0, 1]}\\n  y: {kind: continuous}\\n"
    ...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> readable_contrast(pw.nodes["x"], np.array([0.3, 0.33]), np.array([0, 1]))
    (0.1, '10 points')
    """
    for sc in scenarios:   # a scenario's change is on the natural scale: the input's units only where they agree
        change = sc.changes.get(node.name)
        if change is not None and change.kind == "add" and change.amount and node.kind in ("exposure", "continuous"):
            return abs(float(change.amount)), f"{change.describe()}, as scenario '{sc.name}'"
    low, high = node.range if node.range else (None, None)
    if node.kind == "exposure" and (low, high) in ((0, 1), (0.0, 1.0)):
        return SHARE_POINTS, "10 points"
    if node.kind == "exposure" and (low, high) in ((0, 100), (0.0, 100.0)):
        return 100 * SHARE_POINTS, "10 points"
    if node.node_kind.odds_scale and np.isfinite(values).any():  # a proportion: its logit moves
        share = float(np.clip(expit(np.nanmean(values)), SHARE_POINTS / 2 + 0.01, 1 - SHARE_POINTS / 2 - 0.01))
        step = float(logit(share + SHARE_POINTS / 2) - logit(share - SHARE_POINTS / 2))
        return step, f"10 points around its mean share {share:.0%} (a step of {step:.2f} on its logit)"
    sd = _area_sd(values, area)
    scale = " of its log rate" if node.node_kind.ratio_scale else ""
    return sd, f"one area sd{scale} ({sd:.3g})"


def _not_informed(status: str | None) -> str:
    """Why a link outside ``local_data`` has no E-value."""
    if status in (None, "prior only"):
        return "no local data"
    if status == "weak local data":
        return "weak local data"
    return f"data inform it only jointly ({status})"


def _confounding(result: FitRecord, observed: set[str], prob: float = HDI_PROB,
                 scenarios: Sequence[Scenario] = ()) -> pd.DataFrame:
    """The confounding columns of the table (:data:`CONFOUNDING_COLUMNS`), one row per link."""
    pw = result.pathway
    status = {k: v.get("status") for k, v in result.run.identification.items()}
    nan = float("nan")
    rows = []
    if any(link.name in observed for link in pw.links):
        params = link_draws(result)
        fw = forward_of(result)
        prepared = fw.prepared
        inputs = fw.input_means()
    for link in pw.links:
        row: dict[str, float | str] = dict.fromkeys(CONFOUNDING_COLUMNS[:-1], nan)
        if link.name not in observed:
            rows.append({**row, "contrast_label": "", "e_value_basis": _not_informed(status.get(link.name))})
            continue
        child = pw.nodes[link.target]
        kind = child.node_kind
        at = (prepared.aggregated[link.target].rows if link.target in prepared.aggregated
              else prepared.observed[link.target])
        contrast, label = readable_contrast(pw.nodes[link.source], inputs[link.source][at], prepared.area_index[at],
                                            scenarios)
        outcome: OutcomeFrequency = "common"
        sd = None
        fn: LinkFunction
        if kind.odds_scale:
            fn = "logit"
            level = prepared.levels.get(link.target, nan)
            share = 1 / (1 + np.exp(-level))
            outcome = "rare" if share < RARE_BELOW else "common"
            basis = ("odds ratio, rare outcome: RR = OR" if outcome == "rare"
                     else "odds ratio, common outcome: RR = sqrt(OR)")
        elif kind.ratio_scale:
            fn, basis = "log", "rate ratio"
        else:
            fn = "identity"
            sd = float(np.nanstd(prepared.values[link.target][at], ddof=1)) if len(at) > 1 else nan
            basis = "standardised difference d: RR = exp(0.91 d)"
            if not kind.identity_link:  # link: logit, a logit slope: worth (hi - lo) p (1 - p) points at the data's level
                sd = sd / float(kind.points_per_logit(np.nanmean(prepared.values[link.target][at])))
                basis = "standardised difference d at the data's mean (logit slope x (hi - lo) p (1 - p)): RR = exp(0.91 d)"
        if not contrast > 0:
            basis = "parent does not vary across areas"
        values = link_e_values(params[link.name].to_numpy(), contrast if contrast > 0 else nan, fn, outcome, sd, prob)
        rows.append({**row, "contrast": contrast, "contrast_label": label, **values, "e_value_basis": basis})
    return pd.DataFrame(rows, index=pd.Index(pw.link_names, name="link"), columns=list(CONFOUNDING_COLUMNS))


def _convergence_warning(result: FitRecord) -> str | None:
    diag = result.diagnostics()
    if diag.passed:
        return None
    if diag.sampler_passed:  # the draws are the posterior, of a model that misses the data somewhere
        return ("a posterior predictive check fails, so these sensitivities describe the posterior of a model that "
                "misses some of the data: " + " ".join(diag.predictive or ()))
    return ("the fit did not pass its diagnostics, so these sensitivities describe draws that may not "
            "represent the posterior: " + " ".join(diag.warnings))


def sensitivity(
    result: FitRecord,
    threshold: float = THRESHOLD,
    alternatives: bool = False,
    scenarios: Sequence[Scenario] = (),
    links: Sequence[str] | None = None,
    tornado_probs: tuple[float, float] = (0.05, 0.95),
    tornado_method: TornadoMethod = "conditional",
) -> Sensitivity:
    """Sensitivity of ``result`` to each link (see the module docstring).

    ``links`` chooses the links for the tornado and the alternative priors (default: the
    weak ones and every link that explains at least 5% of the variance of a final outcome
    or of a scenario's effect: a strong link the answer hangs on deserves the same
    question, what if its prior were sceptical?). ``scenarios`` adds each scenario's effect on every final outcome
    to the importance, tornado and alternatives tables (as ``"<scenario>: <outcome>"``).
    ``tornado_method`` is ``"conditional"`` or ``"fixed"`` (final outcome levels only).
    """
    check("tornado_method", tornado_method, TornadoMethod)
    pw = result.pathway
    finals = list(pw.outcomes)
    unknown = [n for n in (links or []) if n not in result.priors]
    if unknown:
        raise ValueError(f"unknown link(s): {', '.join(unknown)}")
    outcomes = outcome_draws(result, finals)
    quantities: dict[str, np.ndarray] = dict(outcomes)
    for sc in scenarios:
        for node in finals:
            quantities[f"{sc.name}: {node}"] = sc.difference(node)
    # one pass of the likelihood null for the links and the parameter rows together
    likelihood = likelihood_sensitivity(result, ["beta", *nuisance_parameters(result)])
    power, outcome_prior = power_scaling(result, threshold=threshold, extra=outcomes, likelihood=likelihood)
    parameters = parameter_power_scaling(result, threshold=threshold, likelihood=likelihood)
    params = link_draws(result)
    shares = variance_shares(quantities, params)
    routes = {f"{sc.name}: {node}": [p for source in sc.changes for p in paths_between(pw, source, node)]
              for sc in scenarios for node in finals}
    path_table = path_shares({q: quantities[q] for q in routes}, routes, params,
                             chains=int(result.posterior.sizes["chain"]))
    if links is not None:
        chosen = list(links)
    else:
        material = set(shares.index[(shares >= MATERIAL).any(axis=1)]) if shares.shape[1] else set()
        chosen = [n for n, p in result.priors.items() if p.weak or n in material]
    observed = set(result.observed_links())
    table = pd.DataFrame({
        "from": [link.source for link in pw.links], "to": [link.target for link in pw.links],
        "grade": [result.priors[link.name].grade or "-" for link in pw.links],
        "weak": [result.priors[link.name].weak for link in pw.links],
        "local_data": [link.name in observed for link in pw.links],
    }, index=pd.Index(pw.link_names, name="link"))
    table = table.join(power)
    for node in finals:
        table[f"{IMPORTANCE_PREFIX}{node}"] = shares[node]
    table = table.join(_confounding(result, observed, scenarios=scenarios))
    units = {node: pw.nodes[node].unit_label for node in finals}
    return Sensitivity(
        table=table,
        importance=shares,
        outcome_prior_sensitivity=outcome_prior,
        tornado=(tornado(quantities, params, chosen, tornado_probs) if tornado_method == "conditional"
                 else fixed_tornado(result, chosen, finals, tornado_probs)),
        alternatives=_alternatives_table(result, chosen, quantities) if alternatives else None,
        threshold=threshold,
        outcomes=tuple(finals),
        warning=_convergence_warning(result),
        units=units,
        parameters=parameters,
        paths=path_table,
    )
