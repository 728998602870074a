r"""The ``count`` kind: Poisson or negative binomial with a log link.

Structural equation: :math:`y_i \sim \text{Poisson}(s_i e^{\eta_i})` (or negative
binomial with :math:`1/\sqrt{\phi} \sim HN(1)`), where :math:`s_i` is the row's exposure,
``offset / per`` (1 without an offset), so :math:`e^{\eta}` is a rate per ``per`` of the
offset. A negative-binomial count observed only as group totals (``observed_at``) has
instead the dispersion :math:`\phi_g` of its group totals, with its own prior
:math:`1/\sqrt{\phi_g} \sim HN(1)` (:data:`GROUP_NB_SCALE`) and its own label,
``"<node>@<group columns>"`` (:meth:`NodeKind.noise_label`): a sum of rows with dispersion
:math:`\phi` is not negative binomial with :math:`\phi` (:mod:`copath.model.aggregate`). A coefficient on a link into it is a log rate ratio per unit of the parent; its
children see it through :math:`\eta` (the expected log rate), so Poisson noise does not
attenuate them.

For sampling, a Poisson node enters by its kernel :math:`\sum_i y_i \eta_i - s_i e^{\eta_i}`
(the log likelihood less :math:`\sum_i y_i \log s_i - \log y_i!`, which depends on the
data alone), and rows sharing their inputs collapse into one term with summed counts and
exposures (the kernel is the same). Negative-binomial nodes enter row by row through
:func:`negative_binomial_kernel` (PyMC's density less the same data-only terms, written so
that nothing cancels near the Poisson limit); PyMC's own density is used for the row-level
log likelihood and predictive draws.

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

__all__ = ["Count", "COUNT", "FAMILIES", "MAX_COUNT", "NB_SCALE", "GROUP_NB_SCALE", "poisson_kernel",
           "negative_binomial_kernel"]

FAMILIES = choices(CountFamily)
#: The half-normal scale of a negative-binomial row count's ``inv_sqrt_phi``, :math:`1/\sqrt{\phi}`:
#: the coefficient of variation of the gamma-distributed rate behind each row's count.
NB_SCALE = 1.0
#: The half-normal scale of the group-level ``inv_sqrt_phi`` of a negative-binomial count
#: observed only as group totals: :math:`1/\sqrt{\phi_g}` is the coefficient of variation of
#: the group's total around its expected total beyond Poisson noise. The node has no area or
#: time effects of its own, so this also takes up differences between groups that its links do
#: not explain (boroughs' rates differ by factors of 2 or 3): hence the row's weakly
#: informative scale again, a coefficient of variation up to about 2 within two prior sds. One
#: shared value assumes the extra variation's coefficient of variation is the same for groups of
#: every size; if it arose row by row it would shrink with the group's size (phi_g about m phi
#: for m equal rows: :mod:`copath.model.aggregate`), which this model does not represent.
GROUP_NB_SCALE = 1.0
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

    .. math:: \sum_k n_k D(k, \alpha) + \sum_i [y_i\eta_i - (\alpha + y_i)\log(1 + \mu_i/\alpha)],
              \quad D(k, \alpha) = \log\Gamma(k + \alpha) - \log\Gamma(\alpha) - k\log\alpha

    where :math:`n_k` is how many rows have count :math:`k`: :math:`D` depends on the counts
    only through their distinct values, so it costs one evaluation per distinct count
    instead of one per row (:math:`\log y_i!` and :math:`y_i\log s_i` are data only and
    left out). Written so that nothing cancels as :math:`\alpha \to \infty` (the Poisson
    limit, :math:`\phi^{-1/2} \to 0`): :math:`\log(1 + \mu/\alpha)` by ``log1p``, and
    :math:`D` by Stirling's series (:func:`log_rising_ratio`). The textbook form
    :math:`N\alpha\log\alpha - \sum(\alpha + y)\log(\alpha + \mu)` subtracts numbers
    near :math:`10^{17}` at :math:`\phi^{-1/2} = 2 \times 10^{-7}`, and its rounding error
    made a false mode 123 log-density units above the true one, in which a chain froze
    (step size 1e-92) on nearly-Poisson simulated counts.

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
    r = inv_sqrt_phi**2  # 1 / alpha
    eta = pt.broadcast_to(eta, y.shape)
    mu = pt.exp(eta) * np.broadcast_to(np.asarray(exposure, dtype=float), y.shape)
    return (pt.sum(counts * log_rising_ratio(values, 1.0 / r))
            + pt.sum(y * eta - (1.0 / r + y) * pt.log1p(mu * r)))


def log_rising_ratio(k: np.ndarray, alpha: Any) -> Any:
    r""":math:`\log\Gamma(k + \alpha) - \log\Gamma(\alpha) - k\log\alpha` without cancellation.

    For :math:`\alpha > 10`, Stirling's series: :math:`(\alpha + k - \tfrac12)\log(1 + k/\alpha)
    - k + \tfrac{1}{12}(z^{-1} - \alpha^{-1}) - \tfrac{1}{360}(z^{-3} - \alpha^{-3})`, with
    :math:`z = \alpha + k` (the next term is below :math:`10^{-8}`); it tends to 0 as
    :math:`\alpha \to \infty`, as it should. Below, the log-gamma difference directly.

    Parameters
    ----------
    k
        Non-negative counts (NumPy).
    alpha
        The shape, a positive PyTensor scalar.

    Returns
    -------
    PyTensor tensor, the shape of ``k``.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> from scipy.special import gammaln
    >>> k = np.array([0.0, 1.0, 5.0, 40.0])
    >>> exact = gammaln(k + 50.0) - gammaln(50.0) - k * np.log(50.0)
    >>> bool(np.allclose(log_rising_ratio(k, pt.as_tensor_variable(50.0)).eval(), exact, atol=1e-9))
    True
    >>> f"{float(log_rising_ratio(np.array([3.0]), pt.as_tensor_variable(1e14)).eval()[0]):.2g}"  # 3 x 2 / (2 x 1e14)
    '3e-14'
    """
    z = alpha + k
    stirling = ((z - 0.5) * pt.log1p(k / alpha) - k + (1.0 / z - 1.0 / alpha) / 12.0
                - (1.0 / z**3 - 1.0 / alpha**3) / 360.0)
    direct = pt.gammaln(z) - pt.gammaln(alpha) - k * pt.log(alpha)
    return pt.switch(alpha > 10.0, stirling, direct)


def _family(node: NodeSpec) -> str:
    return node.family or "poisson"


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
            check("family", node.family or "poisson", CountFamily)
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
        d = max(0.0, (within - grand) / grand**2) if _family(node) == "negative_binomial" and grand > 0 else 0.0
        return rows * mean / (1.0 + mean * d)

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        r"""``inv_sqrt_phi`` of a negative-binomial count: the rows' :math:`1/\sqrt{\phi}`, or for a
        node observed only as group totals the group totals' :math:`1/\sqrt{\phi_g}`, with its own
        prior scale :data:`GROUP_NB_SCALE` (labelled ``"<node>@<groups>"``: :meth:`noise_label`)."""
        if _family(node) != "negative_binomial":
            return None
        return NoiseParameter(self.noise_variable, self.noise_dim, GROUP_NB_SCALE if node.observed_at else NB_SCALE)

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        mu = pt.exp(eta) * size
        if noise is not None:
            pm.NegativeBinomial(name, mu=mu, alpha=1.0 / noise**2, observed=y.astype("int64"), dims=dims)
        else:
            pm.Poisson(name, mu=mu, observed=y.astype("int64"), dims=dims)

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        if _family(node) == "poisson":
            return poisson_kernel(y, eta, size)
        return negative_binomial_kernel(y, eta, size, noise)

    def collapsible(self, node: NodeSpec) -> bool:
        return _family(node) == "poisson"

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        return poisson_kernel(totals, eta, sizes)

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        mu = np.exp(np.clip(eta, -30, 20))
        if node.offset:
            mu = mu * columns[node.offset] / (node.per or 1.0)
        if _family(node) == "negative_binomial":
            phi = 1.0 / noise**2
            mu = rng.gamma(phi, mu / phi)
        return rng.poisson(mu)


COUNT = Count()
