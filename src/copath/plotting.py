"""Every figure copath draws, from plain data (frames, arrays, names), as a Matplotlib ``Figure``.

The one module that imports Matplotlib. Figures are
:class:`matplotlib.figure.Figure` objects (:class:`NotebookFigure`), made without
``pyplot``: copath never selects a backend or touches the pyplot state, so
``import copath`` leaves Jupyter's backend alone, a returned figure displays once (as the
cell's value, through its ``_repr_png_`` or the inline backend's own formatter) and is
freed when dropped; ``fig.savefig`` works as usual. Callers prepare the data (the DAG's
layout and colours, the scenario table, the tornado rows, ...) and this module only
draws; :func:`to_png` renders.

Example
-------
>>> fig = histograms({"y": (np.array([0.1, 0.2, 0.2, 0.4]), "rate per 1,000")})
>>> to_png(fig)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.ticker import MaxNLocator

__all__ = [
    "NotebookFigure", "DagNode", "DagLink", "to_png", "to_svg", "layered_layout", "draw_dag", "comparison", "tornado",
    "prior_posterior", "histograms", "calibration_ecdf", "forest", "ceac", "enbs", "budget_mixes",
]


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """``fig`` rendered as PNG bytes (tight bounding box).

    Example
    -------
    >>> to_png(Figure(figsize=(1, 1)))[:4] == b"\\x89PNG"
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def to_svg(fig: Figure) -> bytes:
    """``fig`` rendered as SVG bytes (vector: sharp at any zoom; text kept as paths, so no
    font is needed to view it).

    Example
    -------
    >>> to_svg(Figure(figsize=(1, 1)))[:5] == b"<?xml"
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


class NotebookFigure(Figure):
    """A Matplotlib figure that shows itself as a PNG in Jupyter without pyplot.

    Example
    -------
    >>> NotebookFigure(figsize=(1, 1))._repr_png_()[:4] == b"\\x89PNG"
    True
    """

    def _repr_png_(self) -> bytes:
        return to_png(self)


# ----------------------------------------------------------------------------- the DAG
#: The colour of highlighted DAG links and of the forest plot's points.
HIGHLIGHT = "#d9730d"

@dataclass(frozen=True)
class DagNode:
    """A node as the DAG figure shows it: its box text, colour, and whether it is a final outcome."""

    name: str
    label: str
    colour: str = "white"
    final: bool = False


@dataclass(frozen=True)
class DagLink:
    """A link as the DAG figure shows it (``weak`` links are dashed and grey; ``highlight``
    links, e.g. those on a scenario's paths, thick and orange)."""

    source: str
    target: str
    weak: bool = False
    highlight: bool = False


def layered_layout(order: Sequence[str], parents: Mapping[str, Sequence[str]],
                   last: Sequence[str] = ()) -> dict[str, tuple[float, float]]:
    """(x, y) of every node of a DAG: x = layer, y = rank within the layer (top = 0).

    ``order`` is topological. A node's layer is its longest path from a root; the nodes
    in ``last`` (final outcomes) are pushed to the last layer. Within a layer nodes are
    ordered by the mean rank of their parents (one barycentre sweep), which keeps most
    links short and uncrossed.

    Example
    -------
    >>> layered_layout(["a", "b", "c"], {"b": ["a"], "c": ["a"]}, last=["c"])
    {'a': (0.0, 0.5), 'b': (1.0, 0.0), 'c': (1.0, 1.0)}
    """
    layer: dict[str, int] = {}
    for name in order:
        ps = parents.get(name, ())
        layer[name] = 0 if not ps else 1 + max(layer[p] for p in ps)
    final = [n for n in last if n in layer]
    if final:
        deepest = max(max(layer.values()), max(layer[o] for o in final))
        for o in final:
            layer[o] = deepest
    layers: dict[int, list[str]] = {}
    for name in order:
        layers.setdefault(layer[name], []).append(name)
    tallest = max((len(v) for v in layers.values()), default=0)
    rank: dict[str, float] = {}
    for depth in sorted(layers):
        names = layers[depth]
        if depth > 0:
            def barycentre(n: str) -> float:
                ps = [rank[p] for p in parents.get(n, ()) if p in rank]
                return sum(ps) / len(ps) if ps else 0.0

            names = sorted(names, key=barycentre)
        offset = (tallest - len(names)) / 2
        for i, n in enumerate(names):
            rank[n] = offset + i
    return {n: (float(layer[n]), rank[n]) for n in order}


def draw_dag(
    nodes: Sequence[DagNode],
    links: Sequence[DagLink],
    positions: Mapping[str, tuple[float, float]],
    title: str = "",
    legend: Mapping[str, str] | None = None,
    link_labels: tuple[str, str] = ("link", "weak link"),
    figsize: tuple[float, float] | None = None,
    font: float = 7.5,
    highlight_label: str = "on the scenario's paths",
    note: str = "",
) -> Figure:
    """A layered DAG: boxes at ``positions`` (layer, rank), arrows for ``links`` (weak ones
    dashed, highlighted ones thick orange), final outcomes in bold; ``legend`` maps a label
    to a box colour, and ``link_labels`` name a strong and a weak link in it; ``font`` is
    the box text size in points; ``note`` is a line of text under the figure (e.g. the
    covariates a node is adjusted for).

    Example
    -------
    >>> fig = draw_dag([DagNode("a", "A"), DagNode("b", "B", final=True)], [DagLink("a", "b", weak=True)],
    ...                {"a": (0.0, 0.0), "b": (1.0, 0.0)}, title="t")
    >>> fig.axes[0].get_title()
    't'
    """
    n_layers = int(max(x for x, _ in positions.values())) + 1
    tallest = int(max(y for _, y in positions.values())) + 1
    if figsize is None:
        figsize = (max(12.0, 2.9 * n_layers), max(6.0, 0.62 * tallest + 1.5))
    fig = NotebookFigure(figsize=figsize)
    ax = fig.subplots()
    x_gap, y_gap = 3.4, 0.8
    xy = {n: (x * x_gap, -y * y_gap) for n, (x, y) in positions.items()}
    box_w, box_h = 2.2, 0.62
    for link in links:
        (x0, y0), (x1, y1) = xy[link.source], xy[link.target]
        colour = HIGHLIGHT if link.highlight else ("#9a9a9a" if link.weak else "#2b4c7e")
        ax.add_patch(FancyArrowPatch(
            (x0 + box_w / 2, y0), (x1 - box_w / 2, y1), arrowstyle="-|>", mutation_scale=11,
            linestyle=(0, (4, 3)) if link.weak else "-", color=colour,
            linewidth=2.6 if link.highlight else (1.0 if link.weak else 1.6),
            connectionstyle="arc3,rad=0.08" if x1 - x0 > x_gap else "arc3,rad=0.0", zorder=1.5 if link.highlight else 1,
        ))
    for node in nodes:
        x, y = xy[node.name]
        ax.add_patch(FancyBboxPatch(
            (x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=node.colour, edgecolor="#333333" if node.final else "#777777",
            linewidth=1.8 if node.final else 0.8, zorder=2,
        ))
        ax.text(x, y, "\n".join(textwrap.wrap(node.label, 22)[:3]), ha="center", va="center", fontsize=font,
                zorder=3, fontweight="bold" if node.final else "normal")
    ax.set_xlim(-box_w, (n_layers - 1) * x_gap + box_w)
    ax.set_ylim(-(tallest - 1) * y_gap - box_h * 1.5, box_h * 1.5)
    ax.axis("off")
    ax.set_title(title, fontsize=12)
    handles: list = [Patch(facecolor=c, edgecolor="#777777", label=k) for k, c in (legend or {}).items()]
    handles += [
        Line2D([0], [0], color="#2b4c7e", lw=1.6, label=link_labels[0]),
        Line2D([0], [0], color="#9a9a9a", lw=1.0, ls=(0, (4, 3)), label=link_labels[1]),
    ]
    if any(link.highlight for link in links):
        handles.append(Line2D([0], [0], color=HIGHLIGHT, lw=2.6, label=highlight_label))
    ax.legend(handles=handles, loc="lower left", fontsize=font, frameon=False, ncol=3, bbox_to_anchor=(0.0, -0.06))
    if note:
        ax.text(0.0, -0.12, "\n".join(textwrap.wrap(note, 160)), transform=ax.transAxes, fontsize=font,
                ha="left", va="top", color="#444444")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- results
def comparison(table: pd.DataFrame, scenarios: Sequence[str], prob: float) -> Figure:
    """One panel per final outcome: each scenario's mean difference and HDI (grey when it
    rests on prior-only links). ``table`` is indexed by (outcome, scenario) with columns
    ``unit``, ``difference``, ``diff_hdi_low``, ``diff_hdi_high`` and ``prior_only``.

    Example
    -------
    >>> t = pd.DataFrame({"outcome": ["y"], "scenario": ["s"], "unit": ["u"], "difference": [0.1],
    ...                   "diff_hdi_low": [0.0], "diff_hdi_high": [0.2], "prior_only": [False]})
    >>> len(comparison(t.set_index(["outcome", "scenario"]), ["s"], 0.94).axes)
    1
    """
    outcomes = list(dict.fromkeys(table.index.get_level_values(0)))
    fig = NotebookFigure(figsize=(4.2 * len(outcomes), 0.6 * len(scenarios) + 1.8))
    axes = fig.subplots(1, len(outcomes), squeeze=False, sharey=True)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        part = table.loc[outcome]
        for i, name in enumerate(scenarios):
            r = part.loc[name]
            colour = "#2b4c7e" if not r["prior_only"] else "#9a9a9a"
            ax.plot([r["diff_hdi_low"], r["diff_hdi_high"]], [i, i], color=colour, lw=2)
            ax.plot(r["difference"], i, "o", color=colour)
        ax.axvline(0, color="#999999", lw=0.8, ls=":")
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel(f"difference ({part['unit'].iloc[0]})", fontsize=8)
    axes[0][0].set_yticks(range(len(scenarios)), list(scenarios), fontsize=8)
    axes[0][0].invert_yaxis()
    fig.suptitle(f"Scenario effects on the final outcomes (mean and {round(prob * 100)}% HDI; grey: prior-only links)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def forest(rows: pd.DataFrame, title: str) -> Figure:
    """A forest plot in which every row has its own axis, so rows in different units sit one
    under another: the point is ``mean``, the bar ``low`` to ``high``, the dotted line zero;
    ``label`` goes on the left and ``text`` (the numbers, with units) on the right. Rows with
    ``muted`` True (e.g. resting on prior-only links) are grey.

    Example
    -------
    >>> t = pd.DataFrame({"label": ["y"], "mean": [0.1], "low": [0.0], "high": [0.2], "text": ["+0.1"],
    ...                   "muted": [False]})
    >>> len(forest(t, "t").axes)
    1
    """
    n = len(rows)
    fig = NotebookFigure(figsize=(12.0, 0.85 * n + 0.9))
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    for ax, (_, r) in zip(axes, rows.iterrows(), strict=True):
        colour = "#8a8a8a" if r.get("muted", False) else HIGHLIGHT
        ax.plot([r["low"], r["high"]], [0, 0], color=colour, lw=3, solid_capstyle="butt")
        ax.plot(r["mean"], 0, "o", color=colour, ms=7)
        ax.axvline(0, color="#666666", lw=0.9, ls=":")
        span = max(abs(r["low"]), abs(r["high"]), 1e-12)
        ax.set_xlim(-1.15 * span, 1.15 * span)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(5, symmetric=True))
        ax.tick_params(axis="x", labelsize=8, length=2, pad=1)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.text(-0.02, 0.5, "\n".join(textwrap.wrap(str(r["label"]), 30)[:2]), transform=ax.transAxes, ha="right",
                va="center", fontsize=10, fontweight="bold")
        ax.text(1.03, 0.5, "\n".join(textwrap.wrap(str(r["text"]), 62)), transform=ax.transAxes, ha="left",
                va="center", fontsize=9)
    fig.suptitle(title, fontsize=11, x=0.02, ha="left")
    height = 0.85 * n + 0.9
    fig.subplots_adjust(left=0.21, right=0.5, top=1 - 0.5 / height, bottom=0.35 / height, hspace=1.6)
    return fig


def tornado(rows: pd.DataFrame, quantities: Sequence[str], units: Mapping[str, str] | None = None,
            top: int = 10) -> Figure:
    """One panel per quantity: bars from the quantity at each link's low to its high
    coefficient quantile, around the posterior mean; the ``top`` widest links. ``rows``
    has columns ``quantity``, ``link``, ``posterior_mean``, ``at_low``, ``at_high``,
    sorted widest first within a quantity.

    Example
    -------
    >>> t = pd.DataFrame({"quantity": ["y"], "link": ["a -> y"], "posterior_mean": [1.0], "at_low": [0.8],
    ...                   "at_high": [1.3]})
    >>> tornado(t, ["y"]).axes[0].get_title()
    'y'
    """
    units = units or {}
    n = max(len(quantities), 1)
    fig = NotebookFigure(figsize=(5.2 * n, 0.45 * top + 1.6))
    axes = fig.subplots(1, n, squeeze=False)
    for ax, quantity in zip(axes[0], quantities, strict=False):
        part = rows[rows["quantity"] == quantity].head(top).iloc[::-1]
        if part.empty:
            ax.set_axis_off()
            continue
        centre = float(part["posterior_mean"].iloc[0])
        y = np.arange(len(part))
        low, high = part["at_low"].to_numpy(), part["at_high"].to_numpy()
        ax.barh(y, high - centre, left=centre, color="#4c72b0", label="coefficient at 95%")
        ax.barh(y, low - centre, left=centre, color="#dd8452", label="coefficient at 5%")
        ax.axvline(centre, color="black", lw=0.8)
        ax.set_yticks(y, part["link"].tolist(), fontsize=8)
        unit = units.get(quantity.split(": ")[-1], "")
        ax.set_xlabel(f"{quantity}{f' ({unit})' if unit else ''}", fontsize=9)
        ax.set_title(quantity, fontsize=10)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def prior_posterior(summary: pd.DataFrame, z: float, pct: str) -> Figure:
    """Per link, the posterior HDI in prior standard deviations from the prior mean
    (the prior's own central interval, ``+-z``, is the grey band). ``summary`` has the
    columns of ``FitResult.summary()``.

    Example
    -------
    >>> s = pd.DataFrame({"prior_mean": [0.0], "prior_hdi_low": [-1.88], "prior_hdi_high": [1.88],
    ...                   "post_mean": [0.5], "post_hdi_low": [0.2], "post_hdi_high": [0.8], "weak": [True]},
    ...                  index=["a -> b"])
    >>> len(prior_posterior(s, 1.88, "94%").axes)
    1
    """
    n = len(summary)
    sd = (summary["prior_hdi_high"] - summary["prior_hdi_low"]) / (2 * z)
    z_lo = (summary["post_hdi_low"] - summary["prior_mean"]) / sd
    z_hi = (summary["post_hdi_high"] - summary["prior_mean"]) / sd
    z_mean = (summary["post_mean"] - summary["prior_mean"]) / sd
    fig = NotebookFigure(figsize=(8, 0.26 * n + 1.3))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    ax.axvspan(-z, z, color="#ddd", label=f"prior {pct} interval")
    ax.hlines(y, z_lo, z_hi, color="#1f77b4", lw=3, label=f"posterior {pct} HDI")
    ax.plot(z_mean, y, "o", color="#1f77b4", ms=3)
    ax.axvline(0, color="#777", lw=0.6)
    ax.set_yticks(y, [f"{name}{' *' if weak else ''}" for name, weak in zip(summary.index, summary["weak"], strict=True)],
                  fontsize=7)
    ax.set_ylim(-1, n)
    ax.set_xlabel("posterior, in prior standard deviations from the prior mean (* weak link)")
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def histograms(draws: Mapping[str, tuple[np.ndarray, str]]) -> Figure:
    """One histogram per title: ``{title: (draws, x-axis label)}``.

    Example
    -------
    >>> len(histograms({"a": (np.arange(5.0), "u"), "b": (np.arange(5.0), "")}).axes)
    2
    """
    fig = NotebookFigure(figsize=(3.6 * len(draws), 2.8))
    axes = fig.subplots(1, len(draws), squeeze=False)
    for ax, (title, (values, xlabel)) in zip(axes[0], draws.items(), strict=True):
        ax.hist(values, bins=40, color="#1f77b4", alpha=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def calibration_ecdf(z: np.ndarray, band: tuple[np.ndarray, np.ndarray], curves: Mapping[str, np.ndarray],
                     titles: Mapping[str, str], band_label: str) -> Figure:
    """One panel per parameter: its ECDF minus the uniform CDF at ``z`` (``curves``), inside
    the simultaneous band ``(low, high)``.

    Example
    -------
    >>> z = np.linspace(0, 1, 5)
    >>> fig = calibration_ecdf(z, (z * 0 - 0.1, z * 0 + 0.1), {"a": z * 0}, {"a": "a"}, "95% band")
    >>> fig.axes[0].get_title()
    'a'
    """
    fig = NotebookFigure(figsize=(3.2 * len(curves), 2.8))
    axes = fig.subplots(1, len(curves), squeeze=False, sharey=True)
    for ax, (name, curve) in zip(axes[0], curves.items(), strict=True):
        ax.fill_between(z, band[0], band[1], color="#ddd", label=band_label)
        ax.plot(z, curve, color="#1f77b4")
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(titles.get(name, name), fontsize=8)
        ax.set_xlabel("fractional rank", fontsize=8)
    axes[0][0].set_ylabel("ECDF - uniform")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- decisions
def ceac(table: pd.DataFrame, evpi: pd.DataFrame, effect_unit: str, money_unit: str = "",
         value_unit: str = "") -> Figure:
    """Two panels against willingness to pay: each option's probability of the highest net
    benefit (thick where it is on the frontier, the option with the highest expected net
    benefit), and the EVPI with a band of 2 Monte Carlo standard errors. ``table`` has columns
    ``wtp``, ``option``, ``p_best``, ``on_frontier``; ``evpi`` has ``wtp``, ``evpi``, ``evpi_se``;
    ``value_unit`` names the EVPI's unit (e.g. ``"GBP (2024 prices) a year"``).

    Example
    -------
    >>> t = pd.DataFrame({"wtp": [0.0, 1.0, 0.0, 1.0], "option": ["a", "a", "b", "b"], "p_best": [1, 0.2, 0, 0.8],
    ...                   "on_frontier": [True, False, False, True]})
    >>> e = pd.DataFrame({"wtp": [0.0, 1.0], "evpi": [0.0, 0.1], "evpi_se": [0.0, 0.01]})
    >>> len(ceac(t, e, "point").axes)
    2
    """
    fig = NotebookFigure(figsize=(6.4, 5.6))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    colours = ["#2b4c7e", HIGHLIGHT, "#3a8a4f", "#8e44ad", "#b03a2e", "#7f8c8d", "#1abc9c", "#d4ac0d"]
    for i, (name, part) in enumerate(table.groupby("option", sort=False)):
        colour = colours[i % len(colours)]
        top.plot(part["wtp"], part["p_best"], color=colour, lw=1.2, label=str(name))
        front = part["p_best"].where(part["on_frontier"].astype(bool))
        top.plot(part["wtp"], front, color=colour, lw=4, alpha=0.45)
    top.set_ylim(-0.02, 1.02)
    top.set_ylabel("P(highest net benefit)", fontsize=9)
    top.legend(fontsize=8, frameon=False, title="thick: chosen (frontier)", title_fontsize=7)
    bottom.plot(evpi["wtp"], evpi["evpi"], color="#333333", lw=1.5)
    bottom.fill_between(evpi["wtp"], evpi["evpi"] - 2 * evpi["evpi_se"], evpi["evpi"] + 2 * evpi["evpi_se"],
                        color="#999999", alpha=0.35, lw=0)
    bottom.set_ylabel("EVPI per decision" + (f"\n({value_unit})" if value_unit else ""), fontsize=9)
    money = f"{money_unit} " if money_unit else ""
    bottom.set_xlabel(f"willingness to pay ({money}per {effect_unit})", fontsize=9)
    fig.suptitle("Cost-effectiveness acceptability curves and the value of perfect information", fontsize=10)
    fig.tight_layout()
    return fig


def enbs(table: pd.DataFrame, optimal_n: float | None, money_unit: str = "") -> Figure:
    """The expected net benefit of sampling against study size, with a band of 2 Monte Carlo
    standard errors, beside the population EVSI and the study's cost; the optimal size marked.
    ``table`` has columns ``n``, ``enbs``, ``enbs_se``, ``population_evsi``, ``study_cost``.

    Example
    -------
    >>> t = pd.DataFrame({"n": [10, 20], "enbs": [1.0, 0.5], "enbs_se": [0.1, 0.1], "population_evsi": [2.0, 2.5],
    ...                   "study_cost": [1.0, 2.0]})
    >>> enbs(t, 10).axes[0].get_xlabel()
    'study size n'
    """
    fig = NotebookFigure(figsize=(6.4, 4.0))
    ax = fig.subplots()
    ax.plot(table["n"], table["population_evsi"], color="#2b4c7e", lw=1.2, label="EVSI x population")
    ax.plot(table["n"], table["study_cost"], color="#7f8c8d", lw=1.2, ls="--", label="study cost")
    ax.plot(table["n"], table["enbs"], color=HIGHLIGHT, lw=2, label="ENBS")
    ax.fill_between(table["n"], table["enbs"] - 2 * table["enbs_se"], table["enbs"] + 2 * table["enbs_se"],
                    color=HIGHLIGHT, alpha=0.25, lw=0)
    ax.axhline(0, color="#999999", lw=0.8, ls=":")
    if optimal_n is not None:
        ax.axvline(optimal_n, color=HIGHLIGHT, lw=0.8, ls=":")
        ax.annotate(f"n = {optimal_n:g}", (optimal_n, 0), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("study size n")
    ax.set_ylabel(money_unit or "value")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("Expected net benefit of sampling (band: 2 Monte Carlo SE)", fontsize=10)
    fig.tight_layout()
    return fig


def budget_mixes(table: pd.DataFrame, top: int = 15, money_unit: str = "") -> Figure:
    """The ``top`` mixes by expected net benefit: the mean and interval of each, with its
    probability of being the best of those compared and its cost. ``table`` has columns
    ``mix``, ``expected_nb``, ``nb_low``, ``nb_high``, ``p_best``, ``cost``, sorted best first.

    Example
    -------
    >>> t = pd.DataFrame({"mix": ["a +1"], "expected_nb": [1.0], "nb_low": [0.5], "nb_high": [1.5], "p_best": [1.0],
    ...                   "cost": [2.0]})
    >>> len(budget_mixes(t).axes)
    1
    """
    part = table.head(top).iloc[::-1]
    fig = NotebookFigure(figsize=(8.0, 0.38 * len(part) + 1.4))
    ax = fig.subplots()
    y = np.arange(len(part))
    ax.hlines(y, part["nb_low"], part["nb_high"], color="#2b4c7e", lw=2)
    ax.plot(part["expected_nb"], y, "o", color="#2b4c7e")
    ax.plot(part["expected_nb"].iloc[-1:], y[-1:], "o", color=HIGHLIGHT, ms=9)
    ax.axvline(0, color="#999999", lw=0.8, ls=":")
    labels = [f"{m}  (P best {p:.2f}, cost {c:,.4g})" for m, p, c in zip(part["mix"], part["p_best"], part["cost"],
                                                                            strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(f"net benefit{f' ({money_unit})' if money_unit else ''}", fontsize=9)
    ax.set_title("Programme mixes within the budget (mean and interval; best at the top)", fontsize=10)
    fig.tight_layout()
    return fig
