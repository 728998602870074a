r"""The ``proportion`` kind: binomial successes out of trials, logit link.

Structural equation: :math:`y_i \sim \text{Binomial}(n_i, \operatorname{logit}^{-1}\eta_i)`
with the successes in the node's column and the trials in its ``trials`` column. A
coefficient on a link into it is a log odds ratio per unit of the parent; its children
see the logit of its expected share. Rows with zero trials carry no information and
are left out of the likelihood.

For sampling it enters by its kernel :math:`\sum_i y_i\eta_i - n_i\log(1 + e^{\eta_i})`
(no :math:`\log\binom{n}{y}`), and rows sharing their inputs collapse into summed
successes and trials.

Example
-------
>>> import numpy as np, pytensor.tensor as pt
>>> round(float(binomial_kernel(np.array([1]), pt.as_tensor_variable(np.array([0.0]))).eval()), 4)
-0.6931
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.special import expit, logit

from copath.kinds.base import NodeKind, NodeSpec
from copath.kinds.count import whole_numbers

__all__ = ["Proportion", "PROPORTION", "binomial_kernel"]


def binomial_kernel(y: np.ndarray, eta: Any, trials: np.ndarray | float = 1.0) -> Any:
    """:math:`\\sum_i y_i \\eta_i - n_i \\log(1 + e^{\\eta_i})`: a binomial log likelihood
    with logit :math:`\\eta`, less its data-only constant.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> float(binomial_kernel(np.array([0]), pt.as_tensor_variable(np.array([0.0])), 0.0).eval())
    0.0
    """
    y = np.asarray(y, dtype=float)
    eta = pt.broadcast_to(eta, y.shape)
    return pt.sum(y * eta - pt.softplus(eta) * trials)


class Proportion(NodeKind):
    """Successes out of trials: binomial, logit link."""

    name: ClassVar[str] = "proportion"
    display: ClassVar[str] = "proportion (binomial, logit link)"
    colour: ClassVar[str] = "#e3f1d4"
    coefficient_scale: ClassVar[str] = "log odds ratio"
    natural_effect: ClassVar[str] = "odds ratio"
    natural_level: ClassVar[str] = "share"
    ratio_scale: ClassVar[bool] = True
    odds_scale: ClassVar[bool] = True

    def link(self, value: Any) -> Any:
        return logit(np.clip(value, 1e-12, 1 - 1e-12))

    def natural(self, eta: Any) -> Any:
        return expit(eta)

    def unit_label(self, node: NodeSpec) -> str:
        return node.unit or "share"

    def d_scale(self, node: NodeSpec) -> float:
        return float(np.pi / np.sqrt(3))

    def check_level(self, amount: float) -> str | None:
        return None if 0 < amount < 1 else "is a share: set it strictly between 0 and 1"

    def validate(self, node: NodeSpec) -> list[str]:
        problems = []
        if not node.trials:
            problems.append("a proportion node needs a 'trials' column")
        if node.baseline is not None and not 0 < node.baseline < 1:
            problems.append("a proportion node's baseline is a share strictly between 0 and 1")
        return problems

    def data_columns(self, node: NodeSpec) -> dict[str, str]:
        return {node.trials: "trials"}

    def check_values(self, node: NodeSpec, y: np.ndarray, present: np.ndarray,
                     columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str] | None:
        bad = present & whole_numbers(y, columns[node.trials])
        if bad.any():
            return bad, f"successes must be whole numbers between 0 and trials ({node.trials!r})"
        return None

    def observed_rows(self, node: NodeSpec, present: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return present & (columns[node.trials] > 0)

    def size(self, node: NodeSpec, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray | float:
        return columns[node.trials][rows]

    def pooled_level(self, total: float, size: float) -> float:
        return float(self.link((total + 0.5) / (size + 1.0)))

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        # binomial: the information about logit(p) is n p (1 - p), at the area's pooled share
        p = (totals + 0.5) / (sizes + 1.0)
        return sizes * p * (1.0 - p)

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        pm.Binomial(name, n=size.astype("int64"), logit_p=eta, observed=y.astype("int64"), dims=dims)

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        return binomial_kernel(y, eta, size)

    def collapsible(self, node: NodeSpec) -> bool:
        return True

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        return binomial_kernel(totals, eta, sizes)

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        return rng.binomial(np.asarray(columns[node.trials]).astype(int), expit(eta))


PROPORTION = Proportion()
