r"""The ``binary`` kind: a 0/1 outcome per row, Bernoulli with a logit link.

Structural equation: :math:`y_i \sim \text{Bernoulli}(\operatorname{logit}^{-1}\eta_i)`, the
node's column holding 0 or 1 (no ``trials`` column: it is a proportion of one trial, and
:class:`~copath.kinds.proportion.Proportion` supplies everything but the data and the
likelihood). A coefficient on a link into it is a log odds ratio per unit of the parent, and as
a parent it enters its children as the logit of its expected probability, as a proportion does.
A row of one trial cannot vary more than the Bernoulli allows, so there is no beta-binomial
family. For sampling it enters by the binomial kernel with one trial,
:math:`\sum_i y_i\eta_i - \log(1 + e^{\eta_i})`, and rows sharing their inputs collapse into
summed successes out of the number of rows (McCullagh & Nelder 1989, ch. 4: the Bernoulli rows
of one covariate pattern are a binomial).

Example
-------
>>> import numpy as np
>>> BINARY.check_values(None, np.array([0.0, 1.0, 2.0]), np.array([True, True, True]), {})[1]
'values must be 0 or 1'
>>> BINARY.unit_label(type("N", (), {"unit": ""})())
'probability'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pymc as pm
from scipy.special import expit

from copath.kinds.base import NodeSpec, NoiseParameter
from copath.kinds.proportion import Proportion, binomial_kernel

__all__ = ["Binary", "BINARY"]


class Binary(Proportion):
    """A 0/1 outcome: Bernoulli, logit link (a proportion of one trial per row)."""

    name: ClassVar[str] = "binary"
    display: ClassVar[str] = "binary (Bernoulli, logit link)"
    colour: ClassVar[str] = "#f6e0c8"
    natural_level: ClassVar[str] = "probability"
    noise_variable: ClassVar[str | None] = None
    noise_dim: ClassVar[str | None] = None

    def unit_label(self, node: NodeSpec) -> str:
        return node.unit or "probability"

    def check_level(self, amount: float) -> str | None:
        return None if 0 < amount < 1 else "is a probability: set it strictly between 0 and 1"

    def validate(self, node: NodeSpec) -> list[str]:
        problems = []
        if node.trials:
            problems.append("a binary node has no 'trials' column (each row is one 0/1 outcome; for successes "
                            "out of trials use kind: proportion)")
        if node.family not in ("", "bernoulli"):
            problems.append(f"a binary node's family is bernoulli, got {node.family!r} (one trial cannot be "
                            "overdispersed)")
        if node.given_as != "count":
            problems.append("a binary node's column holds 0 or 1; 'given_as' is for proportions")
        if node.baseline is not None and not 0 < node.baseline < 1:
            problems.append("a binary node's baseline is a probability strictly between 0 and 1")
        return problems

    def data_columns(self, node: NodeSpec) -> dict[str, str]:
        return {}

    def check_values(self, node: NodeSpec, y: np.ndarray, present: np.ndarray,
                     columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str] | None:
        bad = present & ~np.isin(y, (0.0, 1.0))
        return (bad, "values must be 0 or 1") if bad.any() else None

    def observed_value(self, node: NodeSpec, y: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return y

    def observed_rows(self, node: NodeSpec, present: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return present

    def size(self, node: NodeSpec, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray | float:
        return 1.0

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        return None

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        pm.Bernoulli(name, logit_p=eta, observed=np.asarray(y).astype("int64"), dims=dims)

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        return binomial_kernel(y, eta, 1.0)

    def collapsible(self, node: NodeSpec) -> bool:
        return True

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        return rng.binomial(1, expit(eta)).astype(float)


BINARY = Binary()
