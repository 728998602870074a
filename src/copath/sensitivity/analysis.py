"""``res.sensitivity()``: which links do the conclusions hang on?

One table per link joins what the other modules of :mod:`copath.sensitivity`
compute from the existing draws, with no refit:

- ``grade``, ``weak``, ``local_data`` (does the link's child have data?);
- ``prior_sensitivity``, ``likelihood_sensitivity`` and ``diagnosis``
  (:mod:`.powerscale`);
- ``importance: <outcome>``: the share of each final outcome's posterior variance
  explained by the link's coefficient (:mod:`.importance`).

``tornado`` holds each final outcome (and each scenario's effect on it) with each
weak link's coefficient at its 5% and 95% quantiles (conditional by default; see
:mod:`.importance` for the two readings). With ``alternatives=True``, ``alternatives`` shows how every final
outcome, and every scenario's effect on it, moves when a weak link's prior is swapped
for the sceptical, vague or registry prior (:mod:`.prior_swap`, PSIS; Pareto k and
``reliable`` say when the swap would need a refit; ``mcse`` is the Monte Carlo
standard error of the reweighted mean, which treats draws as independent, so read
changes of a few ``mcse`` as noise).

Example
-------
>>> sens = res.sensitivity(alternatives=True, scenarios=[res.scenario({"nw_coverage": "+0.2"})])  # doctest: +SKIP
>>> print(sens.describe())  # doctest: +SKIP
>>> sens.figure_tornado().savefig("tornado.png")  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from copath.sensitivity.importance import fixed_tornado, link_draws, outcome_draws, tornado, variance_shares
from copath.sensitivity.powerscale import CONFLICT, PRIOR_DOMINATES, THRESHOLD, power_scaling
from copath.sensitivity.prior_swap import alternative_priors, importance_weights, khat_threshold

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from copath.model.result import FitResult
    from copath.scenarios.scenario import Scenario

__all__ = ["Sensitivity", "sensitivity", "IMPORTANCE_PREFIX"]

IMPORTANCE_PREFIX = "importance: "
#: A variance share worth naming in :meth:`Sensitivity.describe`.
MATERIAL = 0.05


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

    def ranked(self) -> pd.DataFrame:
        """Weak links, most important first: the largest variance share they explain of a
        final outcome or of a scenario's effect on one (``max_importance``, and where)."""
        weak = self.table[self.table["weak"]].copy()
        shares = self.importance.reindex(weak.index).fillna(0.0)
        weak["max_importance"] = shares.max(axis=1) if shares.shape[1] else 0.0
        weak["most_important_for"] = shares.idxmax(axis=1) if shares.shape[1] else ""
        return weak.sort_values("max_importance", ascending=False)

    def describe(self) -> str:
        """Plain sentences: conflicts, prior-dominated links, and the links each final outcome hangs on."""
        t = self.table
        lines = []
        if self.warning:
            lines.append(f"Warning: {self.warning}")
        conflicts = t.index[t["diagnosis"] == CONFLICT].tolist()
        dominated = t.index[t["diagnosis"] == PRIOR_DOMINATES].tolist()
        lines.append(f"{len(t)} links, {int(t['weak'].sum())} of them weak (grade D/E or no evidence).")
        lines.append(f"Prior-data conflict on {len(conflicts)} link(s)"
                     + (f": {', '.join(conflicts)}." if conflicts else "."))
        lines.append(f"The prior dominates (the local data say little) on {len(dominated)} link(s)"
                     + (f": {', '.join(dominated[:8])}{' ...' if len(dominated) > 8 else ''}." if dominated else "."))
        for outcome in self.outcomes:
            col = t[f"{IMPORTANCE_PREFIX}{outcome}"].sort_values(ascending=False)
            top = [f"{name} ({100 * v:.0f}%)" for name, v in col.head(3).items() if v >= MATERIAL]
            if top:
                lines.append(f"{outcome} hangs most on: {', '.join(top)} of its posterior variance.")
            else:
                lines.append(f"No single link explains {100 * MATERIAL:.0f}% of the variance of {outcome}'s "
                             "level: the local data and intercepts set it.")
        for name in self.importance.columns:
            if name in self.outcomes:
                continue
            col = self.importance[name].sort_values(ascending=False)
            top = [f"{link} ({100 * v:.0f}%)" for link, v in col.head(3).items() if v >= MATERIAL]
            if top:
                lines.append(f"{name} (scenario effect) hangs most on: {', '.join(top)}.")
        if self.alternatives is not None and len(self.alternatives):
            alt = self.alternatives.dropna(subset=["relative_change"])
            for quantity, group in alt.groupby("quantity", sort=False):
                worst = group.loc[group["relative_change"].abs().idxmax()]
                if abs(worst["relative_change"]) < 0.01:
                    lines.append(f"No alternative prior moves {quantity} by 1% or more.")
                    continue
                lines.append(
                    f"Under alternative priors {quantity} moves most ({100 * worst['relative_change']:+.1f}%) "
                    f"when {worst['link']} gets the {worst['alternative']} prior"
                    + ("" if worst["reliable"] else " (Pareto k too high: refit to trust it)") + "."
                )
        return "\n".join(lines)

    def figure_tornado(self, quantities: Sequence[str] | None = None, top: int = 10) -> Figure:
        """One panel per quantity (default: each scenario's effect on the final outcomes
        when scenarios were given, else the final outcomes): bars from the quantity at
        each weak link's 5% to its 95% coefficient quantile, around the posterior mean;
        the ``top`` widest links."""
        import matplotlib.pyplot as plt

        if quantities is None:
            effects = [q for q in dict.fromkeys(self.tornado["quantity"]) if q not in self.outcomes]
            quantities = effects or list(self.outcomes)
        quantities = list(quantities)
        n = max(len(quantities), 1)
        fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 0.45 * top + 1.6), squeeze=False)
        for ax, quantity in zip(axes[0], quantities, strict=False):
            rows = self.tornado[self.tornado["quantity"] == quantity].head(top).iloc[::-1]
            if rows.empty:
                ax.set_axis_off()
                continue
            centre = float(rows["posterior_mean"].iloc[0])
            y = np.arange(len(rows))
            low, high = rows["at_low"].to_numpy(), rows["at_high"].to_numpy()
            ax.barh(y, high - centre, left=centre, color="#4c72b0", label="coefficient at 95%")
            ax.barh(y, low - centre, left=centre, color="#dd8452", label="coefficient at 5%")
            ax.axvline(centre, color="black", lw=0.8)
            ax.set_yticks(y, rows["link"].tolist(), fontsize=8)
            node = quantity.split(": ")[-1]
            unit = self.units.get(node, "")
            ax.set_xlabel(f"{quantity}{f' ({unit})' if unit else ''}", fontsize=9)
            ax.set_title(quantity, fontsize=10)
        axes[0][0].legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        return fig

    def save(self, folder: str | Path) -> list[Path]:
        """Write the tables as CSV and the tornado figure as PNG into ``folder``."""
        from copath.io_atomic import atomic_write_bytes

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        frames = {"sensitivity.csv": self.table, "importance.csv": self.importance,
                  "outcome_prior_sensitivity.csv": self.outcome_prior_sensitivity,
                  "tornado.csv": self.tornado.set_index(["quantity", "link"])}
        if self.alternatives is not None:
            frames["alternatives.csv"] = self.alternatives.set_index(["link", "alternative", "quantity"])
        for name, frame in frames.items():
            atomic_write_bytes(folder / name, frame.to_csv().encode())
            written.append(folder / name)
        if len(self.tornado):
            from copath.reports.figures import to_png

            atomic_write_bytes(folder / "tornado.png", to_png(self.figure_tornado(), dpi=110))
            written.append(folder / "tornado.png")
        return written

    def _repr_html_(self) -> str:
        cols = ["grade", "weak", "local_data", "prior_sensitivity", "likelihood_sensitivity", "diagnosis"]
        cols += [f"{IMPORTANCE_PREFIX}{o}" for o in self.outcomes]
        body = self.table[cols].to_html(float_format=lambda v: f"{v:.3f}")  # to_html escapes cell text
        text = "".join(f"<p>{html.escape(line)}</p>" for line in self.describe().splitlines())
        return f"<div>{text}{body}</div>"

    def __repr__(self) -> str:
        return (f"Sensitivity({len(self.table)} links, {int((self.table['diagnosis'] != 'fine').sum())} flagged, "
                f"outcomes={list(self.outcomes)})")


def _alternatives_table(result: FitResult, links: Sequence[str], quantities: dict[str, np.ndarray]) -> pd.DataFrame:
    threshold = None
    rows = []
    current = {q: float(np.mean(v)) for q, v in quantities.items()}
    for name in links:
        for alt, prior in alternative_priors(result, name).items():
            w, k = importance_weights(result, name, prior)
            threshold = threshold or khat_threshold(w.size)
            for q, values in quantities.items():
                new = float(np.sum(w * values))
                mcse = float(np.sqrt(np.sum(w**2 * (values - new) ** 2)))
                rows.append({
                    "link": name, "alternative": alt, "prior_mu": prior.mu, "prior_sigma": prior.sigma,
                    "pareto_k": k, "reliable": bool(k <= threshold), "ess": float(1 / np.sum(w**2)),
                    "quantity": q, "current_mean": current[q], "new_mean": new, "change": new - current[q],
                    "mcse": mcse,
                    "relative_change": (new - current[q]) / current[q] if current[q] else float("nan"),
                })
    return pd.DataFrame(rows)


def _convergence_warning(result: FitResult) -> str | None:
    diag = result.diagnostics()
    if diag.passed:
        return None
    return ("the fit did not pass its diagnostics, so these sensitivities describe draws that may not "
            "represent the posterior: " + " ".join(diag.warnings))


def sensitivity(
    result: FitResult,
    threshold: float = THRESHOLD,
    alternatives: bool = False,
    scenarios: Sequence[Scenario] = (),
    links: Sequence[str] | None = None,
    tornado_probs: tuple[float, float] = (0.05, 0.95),
    tornado_method: str = "conditional",
) -> Sensitivity:
    """Sensitivity of ``result`` to each link (see the module docstring).

    ``links`` chooses the links for the tornado and the alternative priors (default:
    the weak ones). ``scenarios`` adds each scenario's effect on every final outcome
    to the importance, tornado and alternatives tables (as ``"<scenario>: <outcome>"``).
    ``tornado_method`` is ``"conditional"`` or ``"fixed"`` (final outcome levels only).
    """
    if tornado_method not in ("conditional", "fixed"):
        raise ValueError(f"tornado_method must be 'conditional' or 'fixed', got {tornado_method!r}")
    pw = result.pathway
    finals = list(pw.outcomes)
    chosen = list(links) if links is not None else [n for n, p in result.priors.items() if p.weak]
    unknown = [n for n in chosen if n not in result.priors]
    if unknown:
        raise ValueError(f"unknown link(s): {', '.join(unknown)}")
    outcomes = outcome_draws(result, finals)
    quantities: dict[str, np.ndarray] = dict(outcomes)
    for sc in scenarios:
        for node in finals:
            quantities[f"{sc.name}: {node}"] = sc.difference(node)
    power, outcome_prior = power_scaling(result, threshold=threshold, extra=outcomes)
    params = link_draws(result)
    shares = variance_shares(quantities, params)
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
    units = {}
    for node in finals:
        spec = pw.nodes[node]
        units[node] = spec.unit or (f"rate per {spec.per or 1:g}" if spec.kind == "count" else "")
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
    )
