r"""Non-parametric regression of draws on parameters: the one estimator behind
first-order variance shares, the tornado and EVPPI.

All three need :math:`g(\phi) = E[y \mid \phi]` from joint draws :math:`(y_s, \phi_s)`.

- One parameter: a penalised cubic regression spline (P-spline, Eilers and Marx
  1996): a B-spline basis with :func:`n_knots` interior knots at quantiles of
  :math:`\phi` and a second-difference penalty :math:`\lambda`, chosen by generalised
  cross-validation. An irrelevant parameter gets a near-flat fit with about two
  effective degrees of freedom, so it picks up little noise. This plays the part of
  the generalised additive model in Strong, Oakley and Brennan (2014).
- Two to six parameters: least squares on each parameter's cubic polynomial plus all
  pairwise products; more than six: each parameter's linear and squared terms.
  Columns are capped at ``n / 10``.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=2000)
>>> y = np.sin(x) + rng.normal(scale=0.1, size=2000)
>>> fit = smooth(y, x)
>>> bool(np.sqrt(np.mean((fit.fitted - np.sin(x)) ** 2)) < 0.02)   # noise sd is 0.1
True
>>> round(float(fit.predict(np.array([0.5]))[0]), 1)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.interpolate import BSpline

__all__ = ["conditional_mean", "basis", "n_knots", "explained_share", "smooth", "Smooth"]


def n_knots(n: int) -> int:
    """Interior knots for a one-parameter spline: about one per 50 draws, 5 to 20
    (the penalty, not the knot count, sets the smoothness).

    Example
    -------
    >>> n_knots(100), n_knots(800), n_knots(100_000)
    (5, 16, 20)
    """
    return int(np.clip(n // 50, 5, 20))


def _knots(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    inner = np.unique(np.quantile(x, np.linspace(0, 1, n_knots(x.size) + 2)[1:-1]))
    inner = inner[(inner > lo) & (inner < hi)]
    return np.concatenate([[lo] * 4, inner, [hi] * 4])


def _design(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    return BSpline.design_matrix(np.clip(x, knots[0], knots[-1]), knots, 3).toarray()


@dataclass(frozen=True)
class Smooth:
    """A fitted P-spline of ``y`` on one parameter: fitted values, effective degrees of
    freedom, and :meth:`predict` at new parameter values."""

    knots: np.ndarray
    coef: np.ndarray
    fitted: np.ndarray
    edf: float
    lam: float

    def predict(self, at: np.ndarray) -> np.ndarray:
        return _design(np.asarray(at, dtype=float), self.knots) @ self.coef


def smooth(y: np.ndarray, x: np.ndarray, lambdas: np.ndarray | None = None) -> Smooth:
    """P-spline of ``y`` (draws, or draws x columns) on ``x`` with the penalty chosen by GCV.

    With :math:`B^\\top B = R^\\top R` and :math:`R^{-\\top} D^\\top D R^{-1} = U\\,\\mathrm{diag}(s)\\,U^\\top`
    (Demmler-Reinsch), every :math:`\\lambda` costs one pass: the fit shrinks each
    component by :math:`1/(1 + \\lambda s_j)` and :math:`\\text{edf} = \\sum_j 1/(1+\\lambda s_j)`.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float)
    y2 = y.reshape(y.shape[0], -1)
    n = x.size
    if np.ptp(x) == 0:
        mean = np.broadcast_to(y2.mean(axis=0), y2.shape).reshape(y.shape)
        knots = np.array([x[0]] * 4 + [x[0] + 1] * 4)
        return Smooth(knots, np.zeros((4,) + y.shape[1:]), mean.copy(), 1.0, np.inf)
    knots = _knots(x)
    b = _design(x, knots)
    p = b.shape[1]
    d = np.diff(np.eye(p), n=2, axis=0)
    gram = b.T @ b + 1e-10 * np.trace(b.T @ b) / p * np.eye(p)
    r = np.linalg.cholesky(gram).T  # gram = r.T @ r
    r_inv = np.linalg.inv(r)
    s_vals, u = np.linalg.eigh(r_inv.T @ d.T @ d @ r_inv)
    s_vals = np.clip(s_vals, 0, None)
    m = r_inv @ u  # coefficients = m @ diag(shrink) @ (b @ m).T @ y
    z = (b @ m).T @ y2  # p x columns
    bm = b @ m
    lambdas = np.logspace(-6, 6, 49) * np.trace(gram) / p if lambdas is None else np.asarray(lambdas)
    best = None
    for lam in lambdas:
        shrink = 1.0 / (1.0 + lam * s_vals)
        fitted = bm @ (shrink[:, None] * z)
        edf = float(shrink.sum())
        rss = float(np.sum((y2 - fitted) ** 2))
        gcv = n * rss / max(n - edf, 1.0) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, lam, shrink, fitted, edf)
    _, lam, shrink, fitted, edf = best
    coef = m @ (shrink[:, None] * z)
    return Smooth(knots, coef.reshape((p,) + y.shape[1:]), fitted.reshape(y.shape), edf, float(lam))


def basis(params: np.ndarray) -> np.ndarray:
    """The regression basis (draws x columns) for ``params`` (draws x k); see the module text.

    Constant columns are dropped (a parameter with no spread explains nothing).

    Example
    -------
    >>> import numpy as np
    >>> basis(np.random.default_rng(1).normal(size=(1000, 3))).shape
    (1000, 13)
    """
    x = np.asarray(params, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    sd = x.std(axis=0)
    x = x[:, sd > 0]
    if x.shape[1] == 0:
        return np.ones((n, 1))
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    k = z.shape[1]
    if k == 1:
        return _design(z[:, 0], _knots(z[:, 0]))
    cap = max(2, n // 10)
    cols = [np.ones(n)]
    cols += [z[:, j] for j in range(k)]
    cols += [z[:, j] ** 2 for j in range(k)]
    if k <= 6:
        cols += [z[:, j] ** 3 for j in range(k)]
        cols += [z[:, i] * z[:, j] for i, j in combinations(range(k), 2)]
    return np.column_stack(cols[:cap])


def conditional_mean(y: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Fitted :math:`\\hat E[y \\mid \\phi]` at every draw (same shape as ``y``; ``y`` may
    have a second axis, e.g. one column per decision): :func:`smooth` for one
    parameter, least squares on :func:`basis` for several."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(params, dtype=float)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"y has {y.shape[0]} draws but params has {x.shape[0]}")
    if x.ndim == 1 or x.shape[1] == 1:
        return smooth(y, x.ravel()).fitted
    design = basis(x)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coef


def explained_share(y: np.ndarray, x: np.ndarray) -> float:
    """The share of ``var(y)`` explained by ``E[y | x]`` for one parameter ``x``: the
    first-order (variance-based) sensitivity index, as an :math:`R^2` adjusted for the
    smoother's effective degrees of freedom (so fitted noise is not counted), clipped
    to [0, 1].

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> a, b = rng.normal(size=(2, 4000))
    >>> round(explained_share(2 * a + b, a), 2)   # var 4 of 5
    0.8
    """
    y = np.asarray(y, dtype=float)
    total = float(np.var(y))
    if total == 0 or not np.isfinite(total):
        return 0.0
    fit = smooth(y, x)
    n = y.size
    r2 = 1 - float(np.var(y - fit.fitted)) / total
    adjusted = 1 - (1 - r2) * (n - 1) / max(n - fit.edf, 1.0)
    return float(np.clip(adjusted, 0.0, 1.0))
