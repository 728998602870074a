r"""What every node kind knows: the contract a kind module fulfils.

A :class:`NodeKind` holds everything about one kind of node (``exposure``, ``count``,
``proportion``, ``continuous``): its link function and natural scale, the unit label of
its expected value, what a coefficient on a link into it means, the spec fields and data
columns it needs and how they are checked, its likelihood (row by row, as the sampling
kernel, and collapsed over rows that share their inputs), its noise parameter, and how
it is simulated. The rest of copath asks the kind (:func:`copath.kinds.of`) instead of
comparing kind names.

A kind reads a node through :class:`NodeSpec`, the fields of
:class:`copath.spec.Node`, so this layer sits below the spec.

Example
-------
>>> from copath.kinds import of
>>> of("count").coefficient_scale, float(of("proportion").natural(0.0)), of("exposure").endogenous
('log rate ratio', 0.5, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

__all__ = ["NodeSpec", "NoiseParameter", "NodeKind"]


class NodeSpec(Protocol):
    """The fields of a node a kind reads (:class:`copath.spec.Node` has them all)."""

    name: str
    kind: str
    unit: str
    offset: str | None
    per: float | None
    trials: str | None
    family: str
    scale: float
    baseline: float | None
    given_as: str
    observed_at: tuple[str, ...]
    range: tuple[float, float] | None
    link: str


@dataclass(frozen=True)
class NoiseParameter:
    """A per-node noise parameter of a kind: the model variable (one entry per node that
    has it, along ``dim``) and the scale of its half-normal prior, which is either the
    node's own (``per_node``, e.g. a residual sd in the node's unit) or one for the kind.

    Example
    -------
    >>> NoiseParameter("sigma", "continuous_node", 2.0, per_node=True).scale
    2.0
    """

    variable: str
    dim: str
    scale: float
    per_node: bool = False


class NodeKind:
    """Base class of the node kinds; one subclass per kind, one instance each in the registry.

    Class attributes: ``name`` (as written in a spec), ``display`` (for people),
    ``colour`` (in the DAG), ``endogenous`` (False only for exposures),
    ``coefficient_scale`` and ``natural_effect`` (what a link coefficient into the node is,
    on the link and natural scales), ``natural_level`` (what its expected value is),
    ``passes_value`` (children see its observed value, not its linear predictor),
    ``identity_link`` (its natural scale is its link scale, so means shift linearly),
    ``ratio_scale`` (coefficients are log ratios), ``odds_scale`` (log odds ratios),
    ``noise_variable`` and ``noise_dim`` (the model variable of its noise parameter, if any,
    and its dimension) and
    ``affine_collapse`` (its rows collapse to a Z'Z form when no area effect enters).
    """

    name: ClassVar[str]
    display: ClassVar[str]
    colour: ClassVar[str] = "white"
    endogenous: ClassVar[bool] = True
    coefficient_scale: ClassVar[str] = "none"
    natural_effect: ClassVar[str] = "none"
    natural_level: ClassVar[str] = "value"
    passes_value: ClassVar[bool] = False
    identity_link: ClassVar[bool] = False
    ratio_scale: ClassVar[bool] = False
    odds_scale: ClassVar[bool] = False
    noise_variable: ClassVar[str | None] = None
    noise_dim: ClassVar[str | None] = None
    affine_collapse: ClassVar[bool] = False

    def __repr__(self) -> str:
        return f"NodeKind({self.name!r})"

    def for_node(self, node: NodeSpec) -> NodeKind:
        """The kind as ``node`` uses it: this kind, or one of its :meth:`variants` chosen by
        the node's own fields (a continuous node with ``link: logit`` gets the scaled logit
        over its range). :func:`copath.kinds.of` and :attr:`copath.spec.Node.node_kind` ask it."""
        return self

    def variants(self) -> tuple[NodeKind, ...]:
        """One instance of each variant :meth:`for_node` can return (their coefficient scales
        are valid scales of a link prior)."""
        return ()

    # ------------------------------------------------------------------ scales
    def link(self, value: Any) -> Any:
        """The link scale of a natural-scale value (NumPy)."""
        return value

    def natural(self, eta: Any) -> Any:
        """The natural-scale expected value from the link scale (NumPy)."""
        return eta

    def unit_label(self, node: NodeSpec) -> str:
        """The unit of the node's natural-scale expected value, for tables and axes."""
        return node.unit

    def unit_scale(self, node: NodeSpec) -> float:
        """The node's own scale: 1 on log/logit scales, the node's ``scale`` for slopes."""
        return 1.0

    def d_scale(self, node: NodeSpec) -> float:
        """The factor turning a standardised mean difference (Cohen's d) into a coefficient."""
        raise NotImplementedError(f"a {self.name} node has no coefficient scale")

    def check_level(self, amount: float) -> str | None:
        """Why ``amount`` cannot be set as the node's expected value, or None."""
        return None

    # -------------------------------------------------------------------- spec
    def validate(self, node: NodeSpec) -> list[str]:
        """Problems with the kind's own fields of ``node`` (first one is reported)."""
        return []

    def data_columns(self, node: NodeSpec) -> dict[str, str]:
        """Columns besides the node's own that the data need: column -> role
        (``"offset"`` or ``"trials"``)."""
        return {}

    # -------------------------------------------------------------------- data
    def check_values(self, node: NodeSpec, y: np.ndarray, present: np.ndarray,
                     columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str] | None:
        """Rows whose observed value the kind cannot take, and why (None when all are fine)."""
        return None

    def observed_value(self, node: NodeSpec, y: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The value the likelihood reads from the column's ``y`` (a proportion given as a
        share: share x sample size); the column's own value by default."""
        return y

    def observed_rows(self, node: NodeSpec, present: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Which rows inform the node's likelihood (a boolean mask over rows)."""
        return present

    def size(self, node: NodeSpec, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray | float:
        """Each row's size in the likelihood: exposure (count), trials (proportion) or 1."""
        return 1.0

    # ------------------------------------------------------------------- model
    def intercept_sd(self, node: NodeSpec) -> float:
        """The sd of the intercept's prior on the link scale."""
        return 1.0

    def pooled_level(self, total: float, size: float) -> float:
        """The link-scale level of ``total`` outcome over ``size`` (exposure, trials or rows)."""
        raise NotImplementedError

    def data_level(self, node: NodeSpec, y: np.ndarray, columns: Mapping[str, np.ndarray],
                   rows: np.ndarray, areas: np.ndarray | None = None) -> float:
        """The node's typical level in the data on the link scale: the mean over its rows of
        its area's pooled level (:meth:`pooled_level` of the area's summed outcome and size).

        Pooling within an area keeps small counts from biasing a log or logit; averaging
        the areas' levels, rather than pooling everything, puts it where the linear
        predictor is on average when areas differ a lot (the log of a pooled rate lies
        above the mean log rate). It centres the node's intercept prior (without a
        ``baseline``) and the node's input to its children.

        Parameters
        ----------
        node
            The node.
        y
            Its observed values on ``rows``.
        columns
            The data's columns (offsets, trials).
        rows
            The observed rows.
        areas
            Each observed row's area position (None: one pool).

        Returns
        -------
        float
        """
        size = np.broadcast_to(np.asarray(self.size(node, columns, rows), dtype=float), y.shape)
        group = np.zeros(y.size, dtype=int) if areas is None else np.unique(areas, return_inverse=True)[1].ravel()
        totals = np.bincount(group, weights=y)
        sizes = np.bincount(group, weights=size)
        counts = np.bincount(group)
        levels = np.array([self.pooled_level(t, s) for t, s in zip(totals, sizes, strict=True)])
        return float(np.sum(levels * counts) / counts.sum())

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        """Approximate Fisher information each area's data carry about its link-scale level.

        Used to choose centred or non-centred area effects (:mod:`copath.model.parametrisation`).

        Parameters
        ----------
        node
            The node.
        totals, sizes, rows
            Per area: the summed outcome, the summed size (exposure, trials, rows) and the
            number of observed rows.
        within
            The variance of the outcome around its area's mean, pooled over areas (per row).

        Returns
        -------
        numpy.ndarray
            One information per area (0 where an area has no data). This base version
            returns zeros: a kind that does not say keeps non-centred area effects.
        """
        return np.zeros(len(totals))

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        """The node's noise parameter, if its likelihood has one."""
        return None

    def noise_label(self, node: NodeSpec) -> str:
        """The node's entry along its noise parameter's dim: its name, or for a node observed
        only as group aggregates (``observed_at``) ``"<name>@<group columns>"``, e.g.
        ``"crime@borough x quarter"``: that node's noise parameter is the dispersion of its
        group figures, not of rows (:mod:`copath.model.aggregate`), and its label says so.

        Example
        -------
        >>> from types import SimpleNamespace
        >>> from copath.kinds import of
        >>> of("count").noise_label(SimpleNamespace(name="crime", observed_at=("borough", "quarter")))
        'crime@borough x quarter'
        """
        return f"{node.name}@{' x '.join(node.observed_at)}" if node.observed_at else node.name

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        """Add the row-level observed variable ``name`` to the current PyMC model."""
        raise NotImplementedError

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        """The likelihood's kernel in ``eta`` (and the noise parameter) for sampling, without
        data-only constants, or None when the kind samples with its row-level likelihood."""
        return None

    def collapsible(self, node: NodeSpec) -> bool:
        """Whether rows sharing their inputs may be collapsed into one likelihood term."""
        return False

    def group_stats(self, y: np.ndarray, inverse: np.ndarray, sizes: np.ndarray,
                    n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Per group: summed outcome, summed size and (for a normal likelihood) the
        within-group sum of squares."""
        totals = np.bincount(inverse, weights=y, minlength=n_groups)
        return totals, np.bincount(inverse, weights=sizes, minlength=n_groups), None

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        """The log-likelihood term of the collapsed groups (up to a constant)."""
        raise NotImplementedError

    def affine_term(self, n_rows: int, affine: tuple[np.ndarray, np.ndarray, float], theta: Any,
                    noise: Any) -> Any:
        """The log-likelihood of an affine (Z'Z) collapse at coefficients ``theta``."""
        raise NotImplementedError

    # --------------------------------------------------------------- simulate
    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        """Observed values drawn given the linear predictor ``eta`` (``value``: the node's
        already drawn value where its children needed it)."""
        raise NotImplementedError
