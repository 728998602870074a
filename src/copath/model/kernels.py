r"""Log-likelihood kernels: what a count or proportion node contributes to NUTS.

PyMC's ``Poisson`` and ``Binomial`` log densities carry terms that depend on the data
alone (:math:`\log y!`, :math:`\log \binom{n}{y}`) and checks of their parameters,
evaluated on every gradient. The sampler needs only the part that varies with the
linear predictor :math:`\eta`:

- Poisson with exposure :math:`s`: :math:`\sum_i y_i \eta_i - s_i e^{\eta_i}`
  (:math:`\log \mu_i = \eta_i + \log s_i`; :math:`y_i \log s_i` is data alone);
- binomial with :math:`n_i` trials, logit :math:`\eta_i`:
  :math:`\sum_i y_i \eta_i - n_i \log(1 + e^{\eta_i})`.

Each differs from the full log likelihood by a constant, so the posterior is the same,
and the gradient is cheaper (``benchmarks/bench_ablation.py`` times one log density +
gradient of each form; results in ``benchmarks/results.md``). The sampling model uses
these (:func:`copath.model.builder.build_model` with ``collapse=True``); log
likelihoods for LOO, predictive draws and reports use PyMC's distributions.

Example
-------
>>> import numpy as np, pytensor.tensor as pt
>>> from scipy.stats import poisson
>>> y, s, eta = np.array([0, 3, 5]), np.array([1.0, 2.0, 0.5]), np.array([0.1, 0.4, 2.0])
>>> kernel = float(poisson_kernel(y, pt.as_tensor_variable(eta), s).eval())
>>> full = poisson.logpmf(y, s * np.exp(eta)).sum()
>>> constant = float(np.sum(y * np.log(s)) - np.sum([np.log(np.arange(1, k + 1)).sum() for k in y]))
>>> bool(np.isclose(kernel + constant, full))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytensor.tensor as pt

__all__ = ["poisson_kernel", "binomial_kernel"]


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


def binomial_kernel(y: np.ndarray, eta: Any, trials: np.ndarray | float = 1.0) -> Any:
    """:math:`\\sum_i y_i \\eta_i - n_i \\log(1 + e^{\\eta_i})`: a binomial log likelihood
    with logit :math:`\\eta`, less its data-only constant.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> round(float(binomial_kernel(np.array([1]), pt.as_tensor_variable(np.array([0.0]))).eval()), 4)
    -0.6931
    """
    y = np.asarray(y, dtype=float)
    eta = pt.broadcast_to(eta, y.shape)
    return pt.sum(y * eta - pt.softplus(eta) * trials)
