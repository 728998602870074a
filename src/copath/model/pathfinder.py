"""Multi-path Pathfinder: approximate posterior draws from L-BFGS paths, for chains' starts.

Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022, "Pathfinder: parallel quasi-Newton
variational inference", JMLR 23(306)) follows an L-BFGS optimisation of the log density
and, at each iterate, forms the Gaussian whose covariance is L-BFGS's inverse Hessian
estimate there (a diagonal plus a low-rank part from the last ``J`` steps, :func:`gaussian_at`)
and whose mean is the Newton step from the iterate. Its ELBO, estimated from ``K`` draws,
picks the iterate whose Gaussian best fits the posterior (:func:`fit_path`): typically
one part-way up the path, in the posterior's mass, not at the mode (where a hierarchical
model's density can be far above its typical set). Several paths from dispersed points
(:func:`pathfinder`) guard against one path ending in a minor mode; their pooled draws
are importance-weighted by ``log p - log q``, the weights Pareto-smoothed (PSIS: Vehtari,
Simpson, Gelman, Yao & Gabry 2024, JMLR 25(72)), and resampled (:meth:`Pathfinder.resample`).

Pure NumPy/SciPy on a function ``x -> (log density, gradient)``; knows nothing of PyMC.

Example
-------
>>> import numpy as np
>>> cov = np.array([[1.0, 0.8], [0.8, 1.0]])
>>> prec = np.linalg.inv(cov)
>>> f = lambda x: (-0.5 * float((x - 1.0) @ prec @ (x - 1.0)), -prec @ (x - 1.0))
>>> pf = pathfinder(f, np.zeros((2, 2)) + [[3.0, -3.0], [-2.0, 0.5]], random_seed=0)
>>> draws, k = pf.resample(np.random.default_rng(1), 2, draws_per_path=200)
>>> draws.shape, bool(k < 0.7)
((2, 2), True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import solve_triangular
from scipy.optimize import minimize

__all__ = ["GaussianApprox", "Pathfinder", "fit_path", "gaussian_at", "lbfgs_path", "pathfinder", "psis_log_weights"]

LogpGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


def lbfgs_path(logp_dlogp: LogpGrad, x0: np.ndarray, maxiter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The iterates of an L-BFGS maximisation of ``logp_dlogp`` from ``x0``, with their gradients.

    Parameters
    ----------
    logp_dlogp
        Flat vector -> (log density, gradient).
    x0
        The start.
    maxiter
        L-BFGS iterations at most (SciPy's L-BFGS-B; it also stops on its own tolerances).

    Returns
    -------
    tuple of numpy.ndarray
        Iterates ``(L + 1, N)`` (the start first) and the log density's gradients there.

    Example
    -------
    >>> f = lambda x: (-float(((x - 2.0) ** 2).sum()), -2.0 * (x - 2.0))
    >>> xs, gs = lbfgs_path(f, np.zeros(3))
    >>> bool(np.allclose(xs[-1], 2.0, atol=1e-4)), bool(np.allclose(gs[0], 4.0))
    (True, True)
    """
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = logp_dlogp(x)
        grad = np.asarray(grad, dtype=float)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(x)
        seen.append((np.array(x, dtype=float), grad))
        return -float(value), -grad

    start = np.asarray(x0, dtype=float)
    xs, gs = [], []
    value, grad = logp_dlogp(start)
    if not np.isfinite(value):
        raise FloatingPointError("the log density is not finite at the path's start")
    xs.append(start.copy())
    gs.append(np.asarray(grad, dtype=float))

    def record(intermediate_result) -> None:  # SciPy passes the accepted iterate
        x = np.asarray(intermediate_result.x, dtype=float)
        for seen_x, seen_g in reversed(seen):
            if np.array_equal(seen_x, x):
                xs.append(x.copy())
                gs.append(seen_g)
                return

    try:
        minimize(objective, start, jac=True, method="L-BFGS-B", callback=record, options={"maxiter": maxiter})
    except (FloatingPointError, ValueError):
        pass  # keep the iterates so far
    return np.array(xs), np.array(gs)


@dataclass(frozen=True)
class GaussianApprox:
    """A Gaussian ``N(mean, diag(alpha) + beta gamma beta')``, held in the factors that draw
    from it: ``draw = mean + sqrt(alpha) * (Q (L - I) Q' u + u)`` with ``u ~ N(0, I)``.

    ``elbo`` is its ELBO estimate and ``iteration`` the path's iterate it was formed at.
    """

    mean: np.ndarray
    sqrt_alpha: np.ndarray
    q: np.ndarray
    chol: np.ndarray
    log_det: float
    elbo: float = -np.inf
    iteration: int = 0

    def draw(self, rng: np.random.Generator | None, n: int,
             normals: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws and their log densities under this Gaussian, from ``normals`` (``(n, N)``
        standard normals) when given.

        Parameters
        ----------
        rng
            Random generator.
        n
            How many draws.
        normals
            The standard normals to transform (``rng`` is then not used).

        Returns
        -------
        tuple of numpy.ndarray
            Draws ``(n, N)`` and ``log q`` of each ``(n,)``.
        """
        u = rng.standard_normal((n, self.mean.size)) if normals is None else np.asarray(normals, dtype=float)
        qu = u @ self.q
        z = u + (qu @ (self.chol - np.eye(self.chol.shape[0])).T) @ self.q.T
        n_dim = self.mean.size
        log_q = -0.5 * (n_dim * np.log(2 * np.pi) + self.log_det) - 0.5 * np.sum(u * u, axis=1)
        return self.mean + self.sqrt_alpha * z, log_q

    def covariance(self) -> np.ndarray:
        """The covariance as a dense matrix (for checks on small problems).

        Returns
        -------
        numpy.ndarray
        """
        n = self.mean.size
        inner = np.eye(n) + self.q @ (self.chol @ self.chol.T - np.eye(self.chol.shape[0])) @ self.q.T
        return self.sqrt_alpha[:, None] * inner * self.sqrt_alpha[None, :]


def _diagonal_update(alpha: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The inverse Hessian's diagonal after one (s, y) pair (Zhang et al. 2022, Algorithm 3;
    Gilbert & Lemarechal 1989): the diagonal BFGS update of the Hessian's diagonal
    ``1 / alpha``, first scaled by ``y' alpha y / y's`` so that directions the path has not
    explored take the scale of those it has. The old diagonal is kept where the update
    would not be positive."""
    a, b, c = y @ (alpha * y), y @ s, s @ (s / alpha)
    new = a / (b * alpha) + y * y / b - a * s * s / (b * c * alpha * alpha)
    return np.where(new > 0, 1.0 / np.where(new > 0, new, 1.0), alpha)


def gaussian_at(x: np.ndarray, grad: np.ndarray, alpha: np.ndarray, s: np.ndarray, y: np.ndarray
                ) -> GaussianApprox | None:
    """The Gaussian L-BFGS's inverse Hessian estimate gives at one iterate.

    The inverse Hessian is ``H = diag(alpha) + beta gamma beta'`` in the compact form of
    Byrd, Nocedal & Schnabel (1994), with ``beta = [diag(alpha) Y, S]`` and ``gamma``
    built from ``R`` (the upper triangle of ``S'Y``) and its diagonal; the mean is the
    Newton step ``x + H grad`` (Zhang et al. 2022, Algorithm 4).

    Parameters
    ----------
    x, grad
        The iterate and the log density's gradient there.
    alpha
        The diagonal of the initial inverse Hessian estimate (positive).
    s, y
        The last ``J`` steps ``x_{k+1} - x_k`` and gradient changes ``g_k - g_{k+1}`` of
        the log density, as rows ``(J, N)``, oldest first; each with ``s'y > 0``.

    Returns
    -------
    GaussianApprox or None
        None when the estimate is not positive definite.

    Example
    -------
    >>> a = gaussian_at(np.zeros(2), np.array([1.0, 0.0]), np.ones(2), np.array([[1.0, 0.0]]),
    ...                 np.array([[2.0, 0.0]]))
    >>> a.mean.round(6).tolist(), a.covariance().round(6).tolist()
    ([0.5, 0.0], [[0.5, 0.0], [0.0, 1.0]])
    """
    n, j = x.size, s.shape[0]
    sqrt_alpha = np.sqrt(alpha)
    if j == 0:
        mean = x + alpha * grad
        return GaussianApprox(mean, sqrt_alpha, np.zeros((n, 0)), np.zeros((0, 0)), float(np.sum(np.log(alpha))))
    S, Y = s.T, y.T  # (N, J)
    sy = S.T @ Y
    r = np.triu(sy)
    if np.any(np.diag(r) <= 0):
        return None
    r_inv = solve_triangular(r, np.eye(j), check_finite=False)
    e = np.diag(np.diag(sy))
    ay = alpha[:, None] * Y
    gamma = np.block([[np.zeros((j, j)), -r_inv], [-r_inv.T, r_inv.T @ (e + Y.T @ ay) @ r_inv]])
    beta = np.hstack([ay, S])  # (N, 2J)
    mean = x + alpha * grad + beta @ (gamma @ (beta.T @ grad))
    q, r_beta = np.linalg.qr(beta / sqrt_alpha[:, None])
    inner = np.eye(q.shape[1]) + r_beta @ gamma @ r_beta.T
    try:
        chol = np.linalg.cholesky(0.5 * (inner + inner.T))
    except np.linalg.LinAlgError:
        return None
    log_det = float(np.sum(np.log(alpha)) + 2.0 * np.sum(np.log(np.diag(chol))))
    if not (np.all(np.isfinite(mean)) and np.isfinite(log_det)):
        return None
    return GaussianApprox(mean, sqrt_alpha, q, chol, log_det)


def _elbo(logp_dlogp: LogpGrad, approx: GaussianApprox, normals: np.ndarray) -> float:
    draws, log_q = approx.draw(None, normals.shape[0], normals=normals)
    log_p = np.array([logp_dlogp(d)[0] for d in draws], dtype=float)
    if not np.all(np.isfinite(log_p)):
        return -np.inf
    return float(np.mean(log_p - log_q))


def fit_path(logp_dlogp: LogpGrad, x0: np.ndarray, rng: np.random.Generator, history: int = 6,
             elbo_draws: int = 10, maxiter: int = 1000) -> GaussianApprox | None:
    """One Pathfinder path: the Gaussian with the best ELBO among those along an L-BFGS path.

    Steps that fail the curvature condition ``s'y > 1e-12 |y|^2`` are skipped (Zhang et al.
    2022, Algorithm 3); the diagonal is updated with every kept pair (:func:`_diagonal_update`).
    The ELBO is estimated at the first 20 iterates and then at every ``stride``-th one
    (and the last), ``stride = ceil(L / 100)`` for a path of ``L`` iterates: at most about
    120 estimates of ``K`` log densities each, where one per iterate made the ELBOs ten
    times the cost of the path itself (a 1,000-iterate path of the flagship model, 302
    parameters: 28 s, against 7 s for its L-BFGS). Every estimate uses the same ``K``
    standard normals (common random numbers): with fresh draws per iterate, the highest of a few hundred noisy estimates
    is often a poor Gaussian that drew lucky points (on a 5-dimensional Gaussian, an
    iterate 0.25 sd off won with an ELBO above log Z, which no Gaussian can reach in
    expectation).

    Parameters
    ----------
    logp_dlogp
        Flat vector -> (log density, gradient).
    x0
        The path's start.
    rng
        Random generator of the ELBO draws.
    history
        ``J``: the (s, y) pairs in the low-rank part.
    elbo_draws
        ``K``: draws per ELBO estimate (10; Zhang et al. use 5, Stan 25: on 5- and
        12-dimensional Gaussians, 5 let a poor iterate win by the luck of its draws).
    maxiter
        L-BFGS iterations at most.

    Returns
    -------
    GaussianApprox or None
        None when no iterate gave a Gaussian with a finite ELBO.

    Example
    -------
    >>> f = lambda x: (-0.5 * float(((x - 1.0) / 2.0) @ ((x - 1.0) / 2.0)), -(x - 1.0) / 4.0)
    >>> a = fit_path(f, np.full(3, 5.0), np.random.default_rng(0))
    >>> a.mean.round(3).tolist(), np.diag(a.covariance()).round(2).tolist()
    ([1.0, 1.0, 1.0], [4.0, 4.0, 4.0])
    """
    xs, gs = lbfgs_path(logp_dlogp, x0, maxiter)
    alpha = np.ones(xs.shape[1])
    kept_s: list[np.ndarray] = []
    kept_y: list[np.ndarray] = []
    best: GaussianApprox | None = None
    normals = rng.standard_normal((elbo_draws, xs.shape[1]))
    last = xs.shape[0] - 1
    stride = max(1, -(-last // 100))
    for i in range(1, xs.shape[0]):
        s, y = xs[i] - xs[i - 1], gs[i - 1] - gs[i]
        if s @ y > 1e-12 * (y @ y):
            alpha = _diagonal_update(alpha, s, y)
            kept_s, kept_y = [*kept_s, s][-history:], [*kept_y, y][-history:]
        if i > 20 and i % stride and i != last:
            continue
        approx = gaussian_at(xs[i], gs[i], alpha, np.array(kept_s).reshape(-1, xs.shape[1]),
                             np.array(kept_y).reshape(-1, xs.shape[1]))
        if approx is None:
            continue
        elbo = _elbo(logp_dlogp, approx, normals)
        if np.isfinite(elbo) and (best is None or elbo > best.elbo):
            best = GaussianApprox(approx.mean, approx.sqrt_alpha, approx.q, approx.chol, approx.log_det, elbo, i)
    return best


def psis_log_weights(log_ratios: np.ndarray) -> tuple[np.ndarray, float]:
    """Pareto-smoothed log importance weights (normalised) and Pareto :math:`\\hat k`, by
    ArviZ's PSIS (Vehtari et al. 2024), which takes the negated log ratios.

    Parameters
    ----------
    log_ratios
        ``log p - log q`` per draw (finite).

    Returns
    -------
    tuple of (numpy.ndarray, float)

    Example
    -------
    >>> lw, k = psis_log_weights(np.zeros(50))
    >>> bool(np.allclose(np.exp(lw), 1 / 50)), k
    (True, 0.0)
    """
    from arviz_stats.base import array_stats

    lr = np.asarray(log_ratios, dtype=float).ravel()
    if np.ptp(lr) < 1e-12:
        return np.full(lr.size, -np.log(lr.size)), 0.0
    log_w, khat = array_stats.psislw(-(lr - lr.max()), axis=-1)
    log_w = np.asarray(log_w, dtype=float)
    log_w = log_w - (np.max(log_w) + np.log(np.sum(np.exp(log_w - np.max(log_w)))))
    return log_w, float(khat)


@dataclass(frozen=True)
class Pathfinder:
    """The paths' best Gaussians (:func:`fit_path`); :meth:`resample` draws from them."""

    paths: tuple[GaussianApprox, ...]
    failed: int = 0
    logp_dlogp: LogpGrad | None = field(default=None, repr=False, compare=False)

    def resample(self, rng: np.random.Generator, n: int, draws_per_path: int = 100,
                 logp_dlogp: LogpGrad | None = None, max_k: float = np.inf) -> tuple[np.ndarray, float]:
        """``n`` distinct draws resampled without replacement from the paths' pooled draws
        by their Pareto-smoothed importance weights (Zhang et al. 2022, Algorithm 5), or,
        when Pareto k exceeds ``max_k`` (never, by default), by their paths' ELBOs alone.

        Above k = 0.7 the smoothed weights are unreliable (Vehtari et al. 2024), and in
        many dimensions they fall on the few draws with the highest ``log p - log q``,
        which are those nearest the mode: on a 200-dimensional Gaussian that Pathfinder
        fits well (its own draws' log densities 97.5 below the mode on average, the
        posterior's 100), resampling by the weights (k = 5.1) gave draws 70.6 below it.
        ``max_k`` then weights each draw by ``exp(ELBO)`` of the path it came from
        instead, so a path that ended in a minor mode still gives way to the others and a
        draw is taken as its path's Gaussian gives it (113.6 below the mode there). It is
        not the default: on three simulations of the calibration pathway (30 areas x 6
        months, k about 2.4) the weights put 8 of 12 starts inside the central 98% of the
        posterior's log densities (median 6.4 below the posterior's median) and the ELBOs
        alone 4 of 12 (median 18.8 below, one 141 below): the paths' Gaussians there have
        long tails the weights trim.

        Parameters
        ----------
        rng
            Random generator.
        n
            How many draws (at most the pool's size, paths x ``draws_per_path``).
        draws_per_path
            ``M``: draws from each path's Gaussian.
        logp_dlogp
            The log density (the one the paths were fitted to, kept from :func:`pathfinder` when None).
        max_k
            Above this Pareto k, resample by the paths' ELBOs instead of the weights.

        Returns
        -------
        tuple of (numpy.ndarray, float)
            The draws ``(n, N)`` and the Pareto :math:`\\hat k` of the importance weights
            (above ``max_k``, the draws were resampled by their paths' ELBOs).
        """
        f = logp_dlogp if logp_dlogp is not None else self.logp_dlogp
        pooled, ratios, elbos = [], [], []
        for approx in self.paths:
            draws, log_q = approx.draw(rng, draws_per_path)
            log_p = np.array([f(d)[0] for d in draws], dtype=float)
            pooled.append(draws)
            ratios.append(np.where(np.isfinite(log_p), log_p - log_q, -np.inf))
            elbos.append(np.full(draws_per_path, approx.elbo))
        draws, ratios, elbos = np.vstack(pooled), np.concatenate(ratios), np.concatenate(elbos)
        finite = np.isfinite(ratios)
        if finite.sum() < n:
            raise FloatingPointError(f"only {int(finite.sum())} of {ratios.size} Pathfinder draws have a finite density")
        log_w, khat = psis_log_weights(ratios[finite])
        if khat > max_k:
            log_w = elbos[finite] - np.max(elbos[finite])
        # weighted sampling without replacement: the n largest of log w + Gumbel noise
        keys = log_w + rng.gumbel(size=log_w.size)
        chosen = np.argsort(-keys, kind="stable")[:n]
        return draws[finite][chosen], khat


def pathfinder(logp_dlogp: LogpGrad, starts: np.ndarray, random_seed: int | None = None, history: int = 6,
               elbo_draws: int = 10, maxiter: int = 1000) -> Pathfinder:
    """Multi-path Pathfinder: one :func:`fit_path` from each row of ``starts``.

    Parameters
    ----------
    logp_dlogp
        Flat vector -> (log density, gradient).
    starts
        The paths' starts ``(P, N)`` (dispersed points).
    random_seed
        Seed of the ELBO draws (the same seed and starts, the same paths).
    history, elbo_draws, maxiter
        As :func:`fit_path`.

    Returns
    -------
    Pathfinder

    Raises
    ------
    FloatingPointError
        If no path gives a Gaussian with a finite ELBO.
    """
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(random_seed).spawn(len(starts))]
    paths, failed = [], 0
    for start, rng in zip(starts, rngs, strict=True):
        try:
            approx = fit_path(logp_dlogp, start, rng, history, elbo_draws, maxiter)
        except FloatingPointError:
            approx = None
        if approx is None:
            failed += 1
        else:
            paths.append(approx)
    if not paths:
        raise FloatingPointError(f"none of {len(starts)} Pathfinder paths gave a usable approximation")
    return Pathfinder(tuple(paths), failed, logp_dlogp)
