"""Draw a pathway as a layered DAG: exposures on the left, final outcomes on the right.

Layers are longest-path depths from the exposures; final outcomes are pushed to the
last layer. Within a layer nodes are ordered by the mean position of their parents
(one barycentre sweep), which keeps most links short and uncrossed. Weak links are
dashed; node colours show the kind.

Example
-------
>>> import copath as cp
>>> fig = draw_pathway(cp.load_pathway("policing_coproduction"), evidence=cp.load_evidence())
>>> fig.axes[0].get_title()
'Co-production pathways in policing and criminal justice'
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from copath.evidence.registry import Evidence
    from copath.spec.pathway import Pathway

__all__ = ["draw_pathway", "layer_positions"]

KIND_COLOURS = {
    "exposure": "#cfe3f5",
    "count": "#fde2c8",
    "proportion": "#e3f1d4",
    "continuous": "#ecdff5",
}


def layer_positions(pathway: Pathway) -> dict[str, tuple[float, float]]:
    """(x, y) of every node: x = layer, y = rank within the layer (top = 0).

    Example
    -------
    >>> import copath as cp
    >>> pos = layer_positions(cp.load_pathway("policing_coproduction"))
    >>> pos["nw_coverage"][0] == 0 and pos["qol_citizens"][0] == max(x for x, _ in pos.values())
    True
    """
    order = pathway.topological_order()
    layer: dict[str, int] = {}
    for name in order:
        parents = pathway.parents(name)
        layer[name] = 0 if not parents else 1 + max(layer[p] for p in parents)
    last = max(layer.values()) if layer else 0
    outcomes = set(pathway.outcomes)
    if outcomes:
        last = max(last, max(layer[o] for o in outcomes))
        for o in outcomes:
            layer[o] = last
    layers: dict[int, list[str]] = {}
    for name in order:
        layers.setdefault(layer[name], []).append(name)
    rank: dict[str, float] = {}
    for depth in sorted(layers):
        names = layers[depth]
        if depth > 0:
            def barycentre(n: str) -> float:
                ps = [rank[p] for p in pathway.parents(n) if p in rank]
                return sum(ps) / len(ps) if ps else 0.0

            names = sorted(names, key=barycentre)
        tallest = max(len(v) for v in layers.values())
        offset = (tallest - len(names)) / 2
        for i, n in enumerate(names):
            rank[n] = offset + i
    return {n: (float(layer[n]), rank[n]) for n in order}


def draw_pathway(
    pathway: Pathway,
    evidence: Evidence | None = None,
    weak: list[str] | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> Figure:
    """A matplotlib figure of the pathway; weak links dashed (needs ``evidence`` or ``weak``).

    Example
    -------
    >>> import copath as cp
    >>> fig = draw_pathway(cp.load_pathway("policing_coproduction"), weak=[])
    >>> bool(fig.get_size_inches()[0] > 10)
    True
    """
    pos = layer_positions(pathway)
    if weak is None:
        weak = pathway.weak_links(evidence) if evidence is not None else []
    weak_set = set(weak)
    n_layers = int(max(x for x, _ in pos.values())) + 1
    tallest = int(max(y for _, y in pos.values())) + 1
    if figsize is None:
        figsize = (max(12.0, 2.9 * n_layers), max(6.0, 0.62 * tallest + 1.5))
    fig, ax = plt.subplots(figsize=figsize)
    x_gap, y_gap = 3.4, 0.8
    xy = {n: (x * x_gap, -y * y_gap) for n, (x, y) in pos.items()}
    box_w, box_h = 2.2, 0.62

    for link in pathway.links:
        (x0, y0), (x1, y1) = xy[link.source], xy[link.target]
        is_weak = link.name in weak_set
        arrow = FancyArrowPatch(
            (x0 + box_w / 2, y0),
            (x1 - box_w / 2, y1),
            arrowstyle="-|>",
            mutation_scale=11,
            linestyle=(0, (4, 3)) if is_weak else "-",
            color="#9a9a9a" if is_weak else "#2b4c7e",
            linewidth=1.0 if is_weak else 1.6,
            connectionstyle="arc3,rad=0.08" if x1 - x0 > x_gap else "arc3,rad=0.0",
            zorder=1,
        )
        ax.add_patch(arrow)

    outcomes = set(pathway.outcomes)
    for name, (x, y) in xy.items():
        node = pathway.nodes[name]
        label = "\n".join(textwrap.wrap(node.display, 24)[:3])
        is_outcome = name in outcomes
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=KIND_COLOURS.get(node.kind, "white"),
                edgecolor="#333333" if is_outcome else "#777777",
                linewidth=1.8 if is_outcome else 0.8,
                zorder=2,
            )
        )
        ax.text(x, y, label, ha="center", va="center", fontsize=7.5, zorder=3,
                fontweight="bold" if is_outcome else "normal")

    ax.set_xlim(-box_w, (n_layers - 1) * x_gap + box_w)
    ax.set_ylim(-(tallest - 1) * y_gap - box_h * 1.5, box_h * 1.5)
    ax.axis("off")
    ax.set_title(title if title is not None else (pathway.title or pathway.name), fontsize=12)
    handles = [Patch(facecolor=c, edgecolor="#777777", label=k) for k, c in KIND_COLOURS.items()]
    handles += [
        Line2D([0], [0], color="#2b4c7e", lw=1.6, label="link (evidence graded A or B)"),
        Line2D([0], [0], color="#9a9a9a", lw=1.0, ls=(0, (4, 3)), label="weak link (C, D, E or none)"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, ncol=3,
              bbox_to_anchor=(0.0, -0.06))
    fig.tight_layout()
    return fig
