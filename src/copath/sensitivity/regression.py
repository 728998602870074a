r"""Non-parametric regression of draws on parameters: the one estimator behind
first-order variance shares, the tornado and EVPPI.

All three need :math:`g(\phi) = E[y \mid \phi]` from joint draws :math:`(y_s, \phi_s)`.

- One parameter: a penalised cubic regression spline (P-spline, Eilers and Marx
  1996): a B-spline basis with :func:`n_knots` interior knots at quantiles of
  :math:`\phi` and a second-difference penalty :math:`\lambda`, chosen by generalised
  cross-validation. An irrelevant parameter gets a near-flat fit with about two
  effective degrees of freedom, so it picks up little noise. This plays the part of
  the generalised additive model in Strong, Oakley and Brennan (2014).
- Several parameters (:func:`fit_conditional`): a Gaussian process with a
  squared-exponential kernel and one length-scale per parameter (automatic relevance
  determination), so interactions are fitted and irrelevant parameters get long
  length-scales. Hyperparameters by maximum marginal likelihood (Rasmussen and Williams
  2006, *Gaussian Processes for Machine Learning*, ch. 5) on :data:`GP_SUBSAMPLE`
  draws; the fit to all draws by the subset-of-regressors approximation (same draws as
  inducing points, Quinonero-Candela and Rasmussen 2005, *JMLR* 6:1939-1959), its
  noise-to-signal ratio re-chosen on all draws by the profiled marginal likelihood.
  Strong, Oakley and Brennan (2014) recommend a GP for groups of parameters (theirs is
  exact, on fewer draws, with a linear mean).

Every fit is a linear smoother with a Gaussian posterior for its fitted values
(:class:`Fit`), which EVPPI's standard error samples.

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

import numpy as np
from scipy.interpolate import BSpline
from scipy.linalg import cho_solve, lapack

__all__ = ["conditional_mean", "fit_conditional", "Fit", "gp_hyperparameters", "GP_SUBSAMPLE", "n_knots",
           "explained_share", "smooth", "Smooth"]


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
    #: orthonormal draws x p basis and shrinkage factors: fitted = q diag(shrink) q^T y
    q: np.ndarray | None = None
    shrink: np.ndarray | None = None

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
        return Smooth(knots, np.zeros((4,) + y.shape[1:]), mean.copy(), 1.0, np.inf,
                      np.full((n, 1), 1 / np.sqrt(n)), np.ones(1))
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
    return Smooth(knots, coef.reshape((p,) + y.shape[1:]), fitted.reshape(y.shape), edf, float(lam), bm, shrink)


# ------------------------------------------------------------------ linear smoothers with a posterior

@dataclass(frozen=True)
class Fit:
    """A fitted linear smoother of ``y`` (draws x columns) with its approximate posterior.

    Every smoother here has the form :math:`\\hat y_c = Q_c\\,\\mathrm{diag}(w_c)\\,Q_c^\\top y_c`
    with :math:`Q_c` orthonormal (draws x p) and shrinkage factors :math:`0 < w_{cj} \\le 1`;
    under the matching Gaussian prior the fitted values have posterior
    :math:`N(\\hat y_c,\\ \\sigma_c^2 Q_c\\,\\mathrm{diag}(w_c)\\,Q_c^\\top)`, with
    :math:`\\sigma_c^2 = \\mathrm{RSS}_c / (n - \\sum_j w_{cj})` (the Bayesian view of a penalised
    regression: Wood 2017, *Generalized Additive Models*, 2nd ed.; used for EVPPI's
    standard error by Strong, Oakley and Brennan 2014).
    :meth:`sample` draws from it.

    Parameters
    ----------
    fitted
        Draws x columns fitted values.
    parts
        Per column ``(Q, w)``; columns may share one ``Q``.
    sigma2
        Per column residual variance.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500)
    >>> fit = fit_conditional(x + rng.normal(size=500), x)
    >>> fit.sample(rng, 3).shape
    (3, 500, 1)
    """

    fitted: np.ndarray
    parts: tuple[tuple[np.ndarray, np.ndarray], ...]
    sigma2: np.ndarray

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draws from the fitted values' posterior.

        Parameters
        ----------
        rng
            Random generator.
        size
            Number of draws.

        Returns
        -------
        numpy.ndarray
            ``size`` x draws x columns.

        Example
        -------
        >>> import numpy as np
        >>> x = np.linspace(0, 1, 200)
        >>> fit = fit_conditional(2 * x, x)
        >>> bool(np.abs(fit.sample(np.random.default_rng(1), 2) - 2 * x[:, None]).max() < 1e-6)
        True
        """
        out = np.empty((size,) + self.fitted.shape)
        for c, (q, w) in enumerate(self.parts):
            coef = q.T @ self.fitted[:, c]  # = w * (Q^T y): the posterior mean in Q's coordinates
            noise = rng.standard_normal((size, w.size)) * np.sqrt(w * self.sigma2[c])
            out[:, :, c] = (coef + noise) @ q.T
        return out


def _finish(y2: np.ndarray, parts: list[tuple[np.ndarray, np.ndarray]]) -> Fit:
    n = y2.shape[0]
    fitted = np.column_stack([q @ (w * (q.T @ y2[:, c])) for c, (q, w) in enumerate(parts)])
    edf = np.array([w.sum() for _, w in parts])
    sigma2 = ((y2 - fitted) ** 2).sum(axis=0) / np.maximum(n - edf, 1.0)
    return Fit(fitted, tuple(parts), sigma2)


#: Draws used to tune a Gaussian process's hyperparameters, and its inducing points.
GP_SUBSAMPLE = 200
_LOG_BOUNDS_ELL = (np.log(0.05), np.log(1e3))
_LOG_BOUNDS_ETA = (np.log(1e-3), np.log(1e2))
_LOG_BOUNDS_SIGMA = (np.log(1e-3), np.log(1e1))


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :] - 2 * a @ b.T
    return np.maximum(d, 0.0)


def _gp_nll(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood of a zero-mean GP with squared-exponential ARD kernel
    plus noise, and its gradient in ``(log ell_1..k, log eta, log sigma)`` (Rasmussen and
    Williams 2006, eq. 5.8-5.9)."""
    k = x.shape[1]
    ell, eta, sigma = np.exp(theta[:k]), np.exp(theta[k]), np.exp(theta[k + 1])
    xs = x / ell
    kf = eta**2 * np.exp(-0.5 * _sq_dist(xs, xs))
    n = y.size
    kmat = kf + (sigma**2 + 1e-8) * np.eye(n)
    chol, info = lapack.dpotrf(kmat, lower=1)
    if info != 0:
        return 1e10, np.zeros_like(theta)
    alpha = cho_solve((chol, True), y)
    nll = 0.5 * y @ alpha + np.log(np.diag(chol)).sum() + 0.5 * n * np.log(2 * np.pi)
    kinv, info = lapack.dpotri(chol, lower=1)  # lower triangle of K^-1
    kinv = np.tril(kinv) + np.tril(kinv, -1).T
    w = np.outer(alpha, alpha) - kinv
    m = w * kf
    r = m.sum(axis=1)
    # sum_ab M_ab (x_aj - x_bj)^2 for each j, from M's row sums and M x
    dist_weighted = 2 * ((xs**2).T @ r - np.einsum("aj,aj->j", xs, m @ xs))
    grad = np.empty_like(theta)
    grad[:k] = -0.5 * dist_weighted
    grad[k] = -m.sum()
    grad[k + 1] = -sigma**2 * np.trace(w)
    return float(nll), grad


def gp_hyperparameters(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Type-II maximum likelihood hyperparameters of a squared-exponential ARD Gaussian
    process (Rasmussen and Williams 2006, ch. 5) for standardised ``y`` on standardised ``x``.

    Parameters
    ----------
    y
        Responses (1-D), centred and scaled to unit variance.
    x
        Inputs (rows x k), each column centred and scaled.

    Returns
    -------
    numpy.ndarray
        ``(log ell_1, ..., log ell_k, log eta, log sigma)``: length-scales, signal sd, noise sd.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(200, 2))
    >>> theta = gp_hyperparameters(np.sin(2 * x[:, 0]) / 0.7, x)
    >>> bool(theta[0] < np.log(2) and theta[1] > np.log(5))   # x0 matters, x1 does not
    True
    """
    from scipy.optimize import minimize

    k = x.shape[1]
    start = np.concatenate([np.full(k, np.log(max(1.0, np.sqrt(k)))), [0.0, np.log(0.5)]])
    bounds = [_LOG_BOUNDS_ELL] * k + [_LOG_BOUNDS_ETA, _LOG_BOUNDS_SIGMA]
    res = minimize(_gp_nll, start, args=(x, y), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 200, "ftol": 1e-7})
    return res.x


def _gp_part(y: np.ndarray, z: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Q, w) of a GP tuned on the rows ``sub``, evaluated on every row by the
    subset-of-regressors approximation with the same rows as inducing points."""
    sd = y.std()
    if sd == 0:
        return np.ones((y.size, 1)) / np.sqrt(y.size), np.ones(1)
    k = z.shape[1]
    theta = gp_hyperparameters((y[sub] - y.mean()) / sd, z[sub])
    ell, eta = np.exp(theta[:k]), np.exp(theta[k])  # the noise sd is re-chosen below
    zs = z / ell
    kmm = eta**2 * np.exp(-0.5 * _sq_dist(zs[sub], zs[sub]))
    kmm += 1e-8 * eta**2 * np.eye(sub.size)
    vals, vecs = np.linalg.eigh(kmm)
    keep = vals > 1e-10 * vals.max()
    # features phi with phi phi^T = K_nm K_mm^-1 K_mn; prior weights N(0, I)
    phi = eta**2 * np.exp(-0.5 * _sq_dist(zs, zs[sub])) @ (vecs[:, keep] / np.sqrt(vals[keep]))
    # a flat prior on the mean (Rasmussen and Williams 2006, section 2.7) amounts to
    # centring the features; the constant then enters unpenalised, orthogonal to them
    phi -= phi.mean(axis=0)
    e, v = np.linalg.eigh(phi.T @ phi)
    keep = e > 1e-10 * e.max()
    e = e[keep]
    u = phi @ (v[:, keep] / np.sqrt(e))
    # the lengthscales come from the subsample; the noise-to-signal ratio lam is re-chosen
    # on all draws by the marginal likelihood with the scale profiled out, over a wide
    # grid, so a subsample the tuning interpolated (noise sd at its floor) does not make
    # the fit follow every draw. Over the centred draws the covariance is
    # tau^2 (phi phi^T + lam I), with eigenvalues tau^2 (e_j + lam) on u and tau^2 lam off it.
    yc = y - y.mean()
    proj = u.T @ yc
    outside = max(float(yc @ yc - proj @ proj), 0.0)
    n = y.size
    best = None
    for lam in np.logspace(-8, 4, 49):
        tau2 = (float((proj**2 / (e + lam)).sum()) + outside / lam) / (n - 1)
        nll = (n - 1) * np.log(tau2) + np.log(e + lam).sum() + (n - 1 - e.size) * np.log(lam)
        if best is None or nll < best[0]:
            best = (nll, e / (e + lam))
    q = np.column_stack([np.full(n, 1 / np.sqrt(n)), u])
    w = np.concatenate([[1.0], best[1]])
    return q, w


def fit_conditional(y: np.ndarray, params: np.ndarray, rng: np.random.Generator | None = None) -> Fit:
    r"""Fit :math:`E[y \mid \phi]` at every draw, with the fit's posterior (see :class:`Fit`).

    One parameter: :func:`smooth` (one penalty for all columns of ``y``). Several: a
    Gaussian process per column of ``y`` (see the module text), its hyperparameters tuned
    on :data:`GP_SUBSAMPLE` draws chosen by ``rng``.

    Parameters
    ----------
    y
        Draws, or draws x columns (e.g. one column per decision).
    params
        Draws, or draws x k parameter values.
    rng
        Chooses the tuning subsample (default: seed 0, so results repeat).

    Returns
    -------
    Fit
        Fitted values (draws x columns) and their posterior.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(4)
    >>> x = rng.normal(size=(2000, 3))
    >>> fit = fit_conditional(x[:, 0] * x[:, 1] + rng.normal(scale=0.3, size=2000), x)
    >>> bool(np.sqrt(np.mean((fit.fitted[:, 0] - x[:, 0] * x[:, 1]) ** 2)) < 0.1)
    True
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(params, dtype=float)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"y has {y.shape[0]} draws but params has {x.shape[0]}")
    y2 = y.reshape(y.shape[0], -1)
    n = y2.shape[0]
    if x.ndim == 1 or x.shape[1] == 1:
        sm = smooth(y2, x.ravel())
        return _finish(y2, [(sm.q, sm.shrink)] * y2.shape[1])
    sd = x.std(axis=0)
    x = x[:, sd > 0]
    if x.shape[1] == 0:
        return _finish(y2, [(np.full((n, 1), 1 / np.sqrt(n)), np.ones(1))] * y2.shape[1])
    if x.shape[1] == 1:
        return fit_conditional(y2, x[:, 0], rng)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    rng = np.random.default_rng(0) if rng is None else rng
    sub = np.sort(rng.choice(n, size=min(n, GP_SUBSAMPLE), replace=False))
    return _finish(y2, [_gp_part(y2[:, c], z, sub) for c in range(y2.shape[1])])


def conditional_mean(y: np.ndarray, params: np.ndarray) -> np.ndarray:
    r"""Fitted :math:`\hat E[y \mid \phi]` at every draw (same shape as ``y``): the
    fitted values of :func:`fit_conditional`.

    Parameters
    ----------
    y
        Draws, or draws x columns.
    params
        Draws, or draws x k parameter values.

    Returns
    -------
    numpy.ndarray
        Fitted values, shaped like ``y``.

    Example
    -------
    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 300)
    >>> bool(np.allclose(conditional_mean(3 * x + 1, x), 3 * x + 1, atol=1e-4))
    True
    """
    y = np.asarray(y, dtype=float)
    return fit_conditional(y, params).fitted.reshape(y.shape)


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
