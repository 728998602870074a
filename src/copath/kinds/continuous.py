r"""The ``continuous`` kind: normal, identity link (or a scaled logit inside a ``range``).

Structural equation: :math:`y_i \sim N(\eta_i, \sigma)` with :math:`\sigma \sim
HN(\text{scale})`. A coefficient on a link into it is a slope per unit of the parent; its
children see its *observed* value (missing values imputed by the model), so it keeps its
residual when a scenario changes it. Its ``scale`` (a typical sd) sets the intercept's
prior sd (2 x scale), the area spread's scale and the default slope prior.

Rows sharing their inputs collapse exactly: per group the count :math:`n_g`, the mean and
the within-group sum of squares; with no area effect the whole likelihood needs only
:math:`Z^\top Z`, the least-squares fit and its residual sum of squares
(:mod:`copath.model.compact`).

A node with ``link: logit`` and a ``range: [lo, hi]`` (a 0-10 life-satisfaction mean, say)
has the *scaled logit* link (:class:`ScaledLogit`): :math:`E[y_i] = lo + (hi - lo)\,
\operatorname{logit}^{-1}\eta_i` and :math:`y_i \sim N(E[y_i], \sigma)`, so its expected
value stays inside the range whatever its parents do; the noise keeps :math:`HN(\text{scale})`
in the node's unit. A coefficient into it is a *logit slope* (the change of the logit of the
fraction :math:`(E[y] - lo)/(hi - lo)` per unit of the parent: a log odds ratio of the
fraction), and its children still see its value in points. This is the mean model of a
bounded score with a logit link, as in fractional regression (Papke & Wooldridge 1996,
*J. Appl. Econometrics* 11:619) with a normal error. Such a node's :meth:`Continuous.for_node`
is a :class:`ScaledLogit` that carries the range, so its ``link`` and ``natural`` know it.

Example
-------
>>> CONTINUOUS.natural(2.5), CONTINUOUS.noise_variable
(2.5, 'sigma')
>>> score = scaled_logit(0.0, 10.0)
>>> float(score.natural(0.0)), round(float(score.link(7.5)), 4), score.coefficient_scale
(5.0, 1.0986, 'logit slope')
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pytensor.graph.basic import Variable
from scipy.special import expit, logit

from copath.kinds.base import NodeKind, NodeSpec, NoiseParameter

__all__ = ["Continuous", "CONTINUOUS", "ScaledLogit", "scaled_logit", "FRACTION_FLOOR"]

#: How close to an end of its range a scaled-logit node's level is read (as a fraction of the
#: range) when a value at or past the end is taken to the logit scale: logit(1e-6) = -13.8.
FRACTION_FLOOR = 1e-6


class Continuous(NodeKind):
    """A measured quantity: normal, identity link."""

    name: ClassVar[str] = "continuous"
    display: ClassVar[str] = "continuous (normal, identity link)"
    colour: ClassVar[str] = "#ecdff5"
    coefficient_scale: ClassVar[str] = "slope"
    natural_effect: ClassVar[str] = "slope"
    natural_level: ClassVar[str] = "mean"
    passes_value: ClassVar[bool] = True
    identity_link: ClassVar[bool] = True
    noise_variable: ClassVar[str | None] = "sigma"
    noise_dim: ClassVar[str | None] = "continuous_node"
    affine_collapse: ClassVar[bool] = True

    def for_node(self, node: NodeSpec) -> NodeKind:
        """:class:`ScaledLogit` over the node's range for ``link: logit``, else this kind."""
        bounds = getattr(node, "range", None)
        if getattr(node, "link", "identity") == "logit" and bounds is not None and bounds[0] < bounds[1]:
            return scaled_logit(float(bounds[0]), float(bounds[1]))
        return CONTINUOUS if isinstance(self, ScaledLogit) else self

    def variants(self) -> tuple[NodeKind, ...]:
        return (scaled_logit(0.0, 1.0),)

    def unit_scale(self, node: NodeSpec) -> float:
        return node.scale

    def d_scale(self, node: NodeSpec) -> float:
        return node.scale

    def validate(self, node: NodeSpec) -> list[str]:
        return [] if node.scale > 0 else ["'scale' must be a positive number"]

    def intercept_sd(self, node: NodeSpec) -> float:
        return 2.0 * node.scale

    def pooled_level(self, total: float, size: float) -> float:
        return float(total / size)

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        # normal: n / sigma^2, sigma^2 read as the variance within areas
        return rows / within if within > 0 else np.zeros(len(rows))

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        return NoiseParameter(self.noise_variable, self.noise_dim, node.scale, per_node=True)

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        pm.Normal(name, mu=eta, sigma=noise, observed=y, dims=dims)

    def collapsible(self, node: NodeSpec) -> bool:
        return True

    def group_stats(self, y: np.ndarray, inverse: np.ndarray, sizes: np.ndarray,
                    n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        totals, counts, _ = super().group_stats(y, inverse, sizes, n_groups)
        means = totals / counts
        return totals, counts, np.bincount(inverse, weights=(y - means[inverse]) ** 2, minlength=n_groups)

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        n = sizes
        quad = pt.sum(within + n * (totals / n - eta) ** 2)
        return -n.sum() * pt.log(noise) - 0.5 * n.sum() * np.log(2 * np.pi) - quad / (2 * noise**2)

    def affine_term(self, n_rows: int, affine: tuple[np.ndarray, np.ndarray, float], theta: Any,
                    noise: Any) -> Any:
        gram, theta_hat, rss = affine
        d = theta - theta_hat
        quad = rss + pt.dot(d, pt.dot(gram, d))
        return -n_rows * pt.log(noise) - 0.5 * n_rows * np.log(2 * np.pi) - quad / (2 * noise**2)

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        drawn = eta + rng.normal(0, noise, size=eta.shape)  # drawn even when unused: a seed's data stay the same
        return value if value is not None else drawn


CONTINUOUS = Continuous()


class ScaledLogit(Continuous):
    r"""A continuous node whose expected value stays inside its range ``[lo, hi]``.

    :math:`E[y] = lo + (hi - lo)\operatorname{logit}^{-1}\eta`, :math:`y \sim N(E[y], \sigma)`.
    One instance per range (:func:`scaled_logit`); a node with ``link: logit`` gets it from
    :meth:`Continuous.for_node`. Its name stays ``continuous`` (same spec kind, same residual
    sd ``sigma``); what changes is the link, the coefficient scale (``"logit slope"``) and
    what follows from a nonlinear mean: no :math:`Z^\top Z` collapse (rows sharing their
    inputs still collapse exactly, by group), and a change that flows through it to its
    children is the change of its scaled expit, not of its linear predictor.

    Parameters
    ----------
    lo, hi
        The range's ends, ``lo < hi``.

    Example
    -------
    >>> k = ScaledLogit(0.0, 10.0)
    >>> [round(float(v), 3) for v in k.natural(np.array([-2.0, 0.0, 2.0]))]
    [1.192, 5.0, 8.808]
    >>> k.check_level(10.0)
    'is a mean inside its range (0, 10): set it strictly between the ends'
    """

    display: ClassVar[str] = "continuous (normal, scaled logit link)"
    coefficient_scale: ClassVar[str] = "logit slope"
    natural_effect: ClassVar[str] = "logit slope"
    identity_link: ClassVar[bool] = False
    odds_scale: ClassVar[bool] = False
    affine_collapse: ClassVar[bool] = False

    def __init__(self, lo: float, hi: float) -> None:
        if not lo < hi:
            raise ValueError(f"a scaled logit needs lo < hi, got [{lo}, {hi}]")
        self.lo, self.hi = float(lo), float(hi)

    def __repr__(self) -> str:
        return f"NodeKind('continuous', link='logit', range=[{self.lo:g}, {self.hi:g}])"

    @property
    def width(self) -> float:
        """``hi - lo``."""
        return self.hi - self.lo

    # ------------------------------------------------------------------ scales
    def link(self, value: Any) -> Any:
        fraction = (np.asarray(value, dtype=float) - self.lo) / self.width
        return logit(np.clip(fraction, FRACTION_FLOOR, 1.0 - FRACTION_FLOOR))

    def natural(self, eta: Any) -> Any:
        """``lo + (hi - lo) expit(eta)``: NumPy for arrays and numbers, PyTensor for tensors."""
        if isinstance(eta, Variable):
            return self.lo + self.width * pt.sigmoid(eta)
        return self.lo + self.width * expit(eta)

    def points_per_logit(self, level: Any) -> Any:
        r""":math:`dE[y]/d\eta = (hi - lo)\,p(1 - p)` at a level (natural scale),
        :math:`p = (level - lo)/(hi - lo)`: the points one logit unit is worth there."""
        p = np.clip((np.asarray(level, dtype=float) - self.lo) / self.width, FRACTION_FLOOR, 1.0 - FRACTION_FLOOR)
        return self.width * p * (1.0 - p)

    def _centre(self, node: NodeSpec) -> float:
        """The node's baseline, or the range's middle without one."""
        baseline = getattr(node, "baseline", None)
        return float(baseline) if baseline is not None else 0.5 * (self.lo + self.hi)

    def unit_scale(self, node: NodeSpec) -> float:
        """The node's ``scale`` (points) on the logit scale at its baseline (:meth:`d_scale`)."""
        return self.d_scale(node)

    def d_scale(self, node: NodeSpec) -> float:
        r"""The coefficient of a standardised mean difference, by the delta method at the baseline.

        A change of :math:`\Delta` points near the baseline :math:`b` moves the logit of the
        fraction by :math:`\Delta / ((hi - lo)\,p_0(1 - p_0))`, :math:`p_0 = (b - lo)/(hi - lo)`
        (the range's middle without a baseline): the first-order Taylor expansion of
        :math:`\operatorname{logit}((y - lo)/(hi - lo))` at :math:`b` (the delta method,
        Oehlert 1992, *Am. Stat.* 46:27). A standardised difference :math:`d` is
        :math:`d \times` ``scale`` points, so ``d_scale = scale / ((hi - lo) p0 (1 - p0))``; the
        same factor turns the node's ``scale`` into its unit on the logit scale
        (:meth:`unit_scale`: direction readings, default priors, area and time spreads). Far
        from the baseline the same logit slope is worth fewer points, as it should be near an
        end of the range.

        Example
        -------
        >>> from types import SimpleNamespace
        >>> round(ScaledLogit(0.0, 10.0).d_scale(SimpleNamespace(scale=0.5, baseline=7.5)), 4)   # 0.5 / (10 x 0.25 x 0.75)
        0.2667
        """
        return float(node.scale / self.points_per_logit(self._centre(node)))

    def check_level(self, amount: float) -> str | None:
        if self.lo < amount < self.hi:
            return None
        return f"is a mean inside its range ({self.lo:g}, {self.hi:g}): set it strictly between the ends"

    # -------------------------------------------------------------------- spec
    def validate(self, node: NodeSpec) -> list[str]:
        problems = super().validate(node)
        baseline = getattr(node, "baseline", None)
        if baseline is not None and not self.lo < baseline < self.hi:
            problems.append(f"'baseline' {baseline:g} must lie strictly inside the range [{self.lo:g}, {self.hi:g}] "
                            "of a node with 'link: logit'")
        return problems

    # ------------------------------------------------------------------- model
    def intercept_sd(self, node: NodeSpec) -> float:
        """1 on the logit scale, as for proportions: the mean stays inside the range anyway."""
        return 1.0

    def pooled_level(self, total: float, size: float) -> float:
        return float(self.link(total / size))

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        # normal mean g(eta): n g'(eta)^2 / sigma^2, g' at the area's mean
        if not within > 0:
            return np.zeros(len(rows))
        means = np.where(rows > 0, totals / np.maximum(rows, 1), self._centre(node))
        return rows * self.points_per_logit(means) ** 2 / within

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        pm.Normal(name, mu=self.natural(eta), sigma=noise, observed=y, dims=dims)

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        return super().grouped_term(totals, sizes, within, self.natural(eta), noise)

    def affine_term(self, n_rows: int, affine: tuple[np.ndarray, np.ndarray, float], theta: Any,
                    noise: Any) -> Any:
        raise NotImplementedError("a scaled-logit mean is not affine in its inputs: no Z'Z collapse")

    # --------------------------------------------------------------- simulate
    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        return super().simulate(node, self.natural(eta), columns, noise, rng, value)


@cache
def scaled_logit(lo: float, hi: float) -> ScaledLogit:
    """The :class:`ScaledLogit` kind of the range ``[lo, hi]`` (one instance per range).

    Example
    -------
    >>> scaled_logit(0.0, 10.0) is scaled_logit(0.0, 10.0)
    True
    """
    return ScaledLogit(lo, hi)
