r"""The ``count`` kind: Poisson or negative binomial with a log link.

Structural equation: :math:`y_i \sim \text{Poisson}(s_i e^{\eta_i})` (or negative
binomial with :math:`1/\sqrt{\phi} \sim HN(1)`), where :math:`s_i` is the row's exposure,
``offset / per`` (1 without an offset), so :math:`e^{\eta}` is a rate per ``per`` of the
offset. A coefficient on a link into it is a log rate ratio per unit of the parent; its
children see it through :math:`\eta` (the expected log rate), so Poisson noise does not
attenuate them.

For sampling, a Poisson node enters by its kernel :math:`\sum_i y_i \eta_i - s_i e^{\eta_i}`
(the log likelihood less :math:`\sum_i y_i \log s_i - \log y_i!`, which depends on the
data alone), and rows sharing their inputs collapse into one term with summed counts and
exposures (the kernel is the same). Negative-binomial nodes keep PyMC's density, row by row.

Example
-------
>>> import numpy as np, pytensor.tensor as pt
>>> from scipy.stats import poisson
>>> y, s, eta = np.array([0, 3, 5]), np.array([1.0, 2.0, 0.5]), np.array([0.1, 0.4, 2.0])
>>> kernel = float(poisson_kernel(y, pt.as_tensor_variable(eta), s).eval())
>>> constant = float(np.sum(y * np.log(s)) - np.sum([np.log(np.arange(1, k + 1)).sum() for k in y]))
>>> bool(np.isclose(kernel + constant, poisson.logpmf(y, s * np.exp(eta)).sum()))
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from copath.kinds.base import NodeKind, NodeSpec, NoiseParameter
from copath.options import CountFamily, check, choices

__all__ = ["Count", "COUNT", "FAMILIES", "MAX_COUNT", "poisson_kernel", "negative_binomial_kernel"]

FAMILIES = choices(CountFamily)
#: Largest count (or number of trials) accepted: beyond it a float no longer holds every
#: whole number exactly, and the likelihood's integer cast would corrupt it.
MAX_COUNT = 1e15


def poisson_kernel(y: np.ndarray, eta: Any, exposure: np.ndarray | float = 1.0) -> Any:
    """:math:`\\sum_i y_i \\eta_i - s_i e^{\\eta_i}`: a Poisson log likelihood with
    :math:`\\log \\mu = \\eta + \\log s`, less its data-only constant.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> float(poisson_kernel(np.array([2]), pt.as_tensor_variable(np.array([0.0]))).eval())
    -1.0
    """
    y = np.asarray(y, dtype=float)
    eta = pt.broadcast_to(eta, y.shape)  # an intercept-only node: one eta for every row
    return pt.sum(y * eta - pt.exp(eta) * exposure)


def negative_binomial_kernel(y: np.ndarray, eta: Any, exposure: np.ndarray | float, inv_sqrt_phi: Any) -> Any:
    r"""A negative-binomial log likelihood with mean :math:`\mu_i = s_i e^{\eta_i}` and shape
    :math:`\alpha = 1 / (\phi^{-1/2})^2`, less its data-only constants:

    .. math:: \sum_k n_k[\log\Gamma(k + \alpha) - \log\Gamma(\alpha)] + N\alpha\log\alpha
              + \sum_i [y_i\eta_i - (\alpha + y_i)\log(\alpha + \mu_i)]

    where :math:`n_k` is how many rows have count :math:`k`: the log-gamma terms depend on
    the counts only through their distinct values, so they cost one evaluation per
    distinct count instead of one per row (:math:`\log y_i!` and :math:`y_i\log s_i` are
    data only and left out).

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> from scipy.stats import nbinom
    >>> from scipy.special import gammaln
    >>> y, s, eta, phi = np.array([0, 3, 3, 7]), np.array([1.0, 2.0, 0.5, 1.5]), np.array([0.1, 0.4, 2.0, 1.0]), 0.6
    >>> alpha = 1 / phi**2
    >>> kernel = float(negative_binomial_kernel(y, pt.as_tensor_variable(eta), s, pt.as_tensor_variable(phi)).eval())
    >>> mu = s * np.exp(eta)
    >>> full = nbinom.logpmf(y, alpha, alpha / (alpha + mu)).sum()
    >>> bool(np.isclose(kernel - gammaln(y + 1).sum() + (y * np.log(s)).sum(), full))
    True
    """
    y = np.asarray(y, dtype=float)
    values, counts = np.unique(y, return_counts=True)
    alpha = 1.0 / inv_sqrt_phi**2
    eta = pt.broadcast_to(eta, y.shape)
    log_mu = eta + np.log(np.broadcast_to(np.asarray(exposure, dtype=float), y.shape))
    gamma_terms = pt.sum(counts * (pt.gammaln(values + alpha) - pt.gammaln(alpha)))
    return (gamma_terms + y.size * alpha * pt.log(alpha)
            + pt.sum(y * eta - (alpha + y) * pt.logaddexp(pt.log(alpha), log_mu)))


def whole_numbers(v: np.ndarray, upper: np.ndarray | float = MAX_COUNT) -> np.ndarray:
    """Where ``v`` is not a whole number from 0 to ``upper``.

    Example
    -------
    >>> whole_numbers(np.array([0.0, 2.5, -1.0, 3.0])).tolist()
    [False, True, True, False]
    """
    return (v < 0) | (v != np.round(v)) | (v > upper)


class Count(NodeKind):
    """Counts: Poisson or negative binomial, log link, optional offset and ``per``."""

    name: ClassVar[str] = "count"
    display: ClassVar[str] = "count (Poisson or negative binomial, log link)"
    colour: ClassVar[str] = "#fde2c8"
    coefficient_scale: ClassVar[str] = "log rate ratio"
    natural_effect: ClassVar[str] = "rate ratio"
    natural_level: ClassVar[str] = "rate"
    ratio_scale: ClassVar[bool] = True
    noise_variable: ClassVar[str | None] = "inv_sqrt_phi"
    noise_dim: ClassVar[str | None] = "nb_node"

    def link(self, value: Any) -> Any:
        return np.log(np.maximum(value, 1e-300))

    def natural(self, eta: Any) -> Any:
        return np.exp(np.clip(eta, -50, 50))

    def unit_label(self, node: NodeSpec) -> str:
        """The unit given in the spec, else "rate per <per> <offset>" (or "count per row").

        Example
        -------
        >>> from types import SimpleNamespace
        >>> COUNT.unit_label(SimpleNamespace(unit="", offset="households", per=1000.0))
        'rate per 1000 households'
        """
        if node.unit:
            return node.unit
        if node.offset:
            return f"rate per {node.per or 1:g} {node.offset}"
        return "count per row"

    def d_scale(self, node: NodeSpec) -> float:
        return float(np.pi / np.sqrt(3))

    def check_level(self, amount: float) -> str | None:
        return None if amount > 0 else "is a rate: set it above 0"

    def validate(self, node: NodeSpec) -> list[str]:
        problems = []
        if node.per is not None and node.offset is None:
            problems.append("a count node with 'per' needs an 'offset' column")
        if node.per is not None and not node.per > 0:
            problems.append("'per' must be a positive number")
        try:
            check("family", node.family, CountFamily)
        except ValueError as err:
            problems.append(str(err))
        if node.baseline is not None and not node.baseline > 0:
            problems.append("a count node's baseline is a rate and must be positive")
        return problems

    def data_columns(self, node: NodeSpec) -> dict[str, str]:
        return {node.offset: "offset"} if node.offset else {}

    def check_values(self, node: NodeSpec, y: np.ndarray, present: np.ndarray,
                     columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str] | None:
        bad = present & whole_numbers(y)
        return (bad, f"counts must be whole numbers from 0 to {MAX_COUNT:.0e}") if bad.any() else None

    def size(self, node: NodeSpec, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray | float:
        return columns[node.offset][rows] / (node.per or 1.0) if node.offset else 1.0

    def pooled_level(self, total: float, size: float) -> float:
        return float(np.log((total + 0.5) / size))

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        # Poisson: the information about log(mu) is mu, summed over rows = the area's expected
        # total. Negative binomial: each row's mu / (1 + mu d), d the overdispersion by moments.
        mean = np.divide(totals, rows, out=np.zeros(len(totals)), where=rows > 0)
        grand = float(totals.sum() / max(rows.sum(), 1))
        d = max(0.0, (within - grand) / grand**2) if node.family == "negative_binomial" and grand > 0 else 0.0
        return rows * mean / (1.0 + mean * d)

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        return NoiseParameter(self.noise_variable, self.noise_dim, 1.0) if node.family == "negative_binomial" else None

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        mu = pt.exp(eta) * size
        if noise is not None:
            pm.NegativeBinomial(name, mu=mu, alpha=1.0 / noise**2, observed=y.astype("int64"), dims=dims)
        else:
            pm.Poisson(name, mu=mu, observed=y.astype("int64"), dims=dims)

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        if node.family == "poisson":
            return poisson_kernel(y, eta, size)
        return negative_binomial_kernel(y, eta, size, noise)

    def collapsible(self, node: NodeSpec) -> bool:
        return node.family == "poisson"

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        return poisson_kernel(totals, eta, sizes)

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        mu = np.exp(np.clip(eta, -30, 20))
        if node.offset:
            mu = mu * columns[node.offset] / (node.per or 1.0)
        if node.family == "negative_binomial":
            phi = 1.0 / noise**2
            mu = rng.gamma(phi, mu / phi)
        return rng.poisson(mu)


COUNT = Count()
