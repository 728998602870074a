r"""The ``continuous`` kind: normal, identity link.

Structural equation: :math:`y_i \sim N(\eta_i, \sigma)` with :math:`\sigma \sim
HN(\text{scale})`. A coefficient on a link into it is a slope per unit of the parent; its
children see its *observed* value (missing values imputed by the model), so it keeps its
residual when a scenario changes it. Its ``scale`` (a typical sd) sets the intercept's
prior sd (2 x scale), the area spread's scale and the default slope prior.

Rows sharing their inputs collapse exactly: per group the count :math:`n_g`, the mean and
the within-group sum of squares; with no area effect the whole likelihood needs only
:math:`Z^\top Z`, the least-squares fit and its residual sum of squares
(:mod:`copath.model.compact`).

Example
-------
>>> CONTINUOUS.natural(2.5), CONTINUOUS.noise_variable
(2.5, 'sigma')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from copath.kinds.base import NodeKind, NodeSpec, NoiseParameter

__all__ = ["Continuous", "CONTINUOUS"]


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
