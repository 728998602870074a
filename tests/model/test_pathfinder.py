"""Multi-path Pathfinder and the chains' starts it gives (copath issue 28, item 2).

Known truths: the compact inverse Hessian equals the BFGS updates applied one by one; on a
correlated Gaussian the paths' Gaussians and the resampled draws recover its mean and
covariance; on a conjugate hierarchical normal model (a Gaussian posterior, whose log
density at a draw is the mode's minus half a chi-square with d degrees of freedom) every
start lies in the central 98% of the posterior's log densities, not at the mode; chains'
starts differ, and the same seeds give the same starts.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from pymc.blocking import RaveledVars
from scipy import stats
from scipy.optimize import minimize

from copath.model.init import PathfinderStarts, map_starts, starter, support_vector
from copath.model.pathfinder import gaussian_at, pathfinder, psis_log_weights


def _gaussian(n: int, seed: int):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    cov = a @ a.T / n + 0.3 * np.eye(n)
    prec, mean = np.linalg.inv(cov), rng.normal(size=n)
    return mean, cov, (lambda x: (-0.5 * float((x - mean) @ prec @ (x - mean)), -prec @ (x - mean)))


def test_the_compact_inverse_hessian_is_the_bfgs_updates_one_by_one():
    rng = np.random.default_rng(0)
    n = 7
    _, cov, _ = _gaussian(n, 1)
    s = rng.normal(size=(4, n))
    y = s @ np.linalg.inv(cov)  # gradient changes of a quadratic: y = Hessian s
    alpha = rng.uniform(0.5, 2.0, n)
    h = np.diag(alpha)
    for sk, yk in zip(s, y, strict=True):
        rho, eye = 1.0 / (sk @ yk), np.eye(n)
        h = (eye - rho * np.outer(sk, yk)) @ h @ (eye - rho * np.outer(yk, sk)) + rho * np.outer(sk, sk)
    grad = rng.normal(size=n)
    approx = gaussian_at(np.zeros(n), grad, alpha, s, y)
    assert np.allclose(approx.covariance(), h, atol=1e-10)
    assert np.allclose(approx.mean, h @ grad, atol=1e-10)  # the Newton step from 0
    assert approx.log_det == pytest.approx(np.linalg.slogdet(h)[1], abs=1e-8)
    # its draws have that covariance and log q is the Gaussian's density
    draws, log_q = approx.draw(np.random.default_rng(1), 20_000)
    assert np.abs(np.cov(draws.T) - h).max() < 0.06 * np.abs(h).max()
    assert np.allclose(log_q[:5], stats.multivariate_normal(approx.mean, h).logpdf(draws[:5]), atol=1e-8)


def test_pathfinder_recovers_a_correlated_gaussian():
    mean, cov, f = _gaussian(5, 2)
    starts = np.random.default_rng(3).uniform(-4, 4, size=(4, 5))
    pf = pathfinder(f, starts, random_seed=4)
    assert pf.failed == 0 and len(pf.paths) == 4
    # J = 6 pairs cover all 5 directions, but the iterate kept is the one whose 5-draw ELBO
    # was highest, not always the last: each path's Gaussian is close, not exact
    for path in pf.paths:
        assert np.abs(path.mean - mean).max() < 0.4
        assert np.abs(path.covariance() - cov).max() < 0.4 * np.abs(cov).max()
    draws, khat = pf.resample(np.random.default_rng(5), 500, draws_per_path=500)
    assert khat < 0.7  # PSIS's reliability threshold
    assert np.abs(draws.mean(axis=0) - mean).max() < 0.15
    assert np.abs(np.cov(draws.T) - cov).max() < 0.15 * np.abs(cov).max()
    assert len({tuple(d) for d in draws}) == 500  # without replacement: all distinct


def test_pathfinder_is_determined_by_its_seed():
    _, _, f = _gaussian(4, 6)
    starts = np.random.default_rng(7).normal(size=(3, 4))
    a = pathfinder(f, starts, random_seed=8).resample(np.random.default_rng(9), 3, 50)[0]
    b = pathfinder(f, starts, random_seed=8).resample(np.random.default_rng(9), 3, 50)[0]
    c = pathfinder(f, starts, random_seed=8).resample(np.random.default_rng(10), 3, 50)[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_psis_weights_are_normalised_and_report_k():
    rng = np.random.default_rng(0)
    log_w, k = psis_log_weights(rng.normal(size=400))  # ratios lognormal(0, 1): k about 1/3
    assert np.exp(log_w).sum() == pytest.approx(1.0) and k < 0.5
    _, k_heavy = psis_log_weights(rng.normal(size=400) * 3)  # lognormal(0, 3): a few draws dominate
    assert k_heavy > 0.7


def _hierarchical(areas: int = 20, per_area: int = 5, seed: int = 11):
    """y_ij ~ N(mu + a_j, 1), a_j ~ N(0, 0.5^2), mu ~ N(0, 2^2): a Gaussian posterior (d = areas + 1)."""
    rng = np.random.default_rng(seed)
    effects = rng.normal(0.0, 0.5, areas)
    y = 1.0 + effects[:, None] + rng.normal(size=(areas, per_area))
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 2.0)
        a = pm.Normal("a", 0.0, 0.5, shape=areas)
        pm.Normal("y", mu + a[:, None], 1.0, observed=y)
    return model


def _flat_logp(model):
    f = model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    f.set_extra_values({})
    x0 = support_vector(model)
    return x0, (lambda x: f(RaveledVars(np.asarray(x, dtype=float), x0.point_map_info)))


def test_every_start_differs_and_lies_in_the_posteriors_typical_set_not_at_its_mode():
    model = _hierarchical()
    x0, f = _flat_logp(model)
    d = x0.data.size
    mode = minimize(lambda x: tuple(-np.asarray(v) for v in f(x)), x0.data, jac=True, method="L-BFGS-B",
                    options={"gtol": 1e-10})
    top = -float(mode.fun)
    # a Gaussian posterior: log p(draw) = top - chi2_d / 2, so its central 98% is
    low, high = top - stats.chi2(d).ppf(0.99) / 2, top - stats.chi2(d).ppf(0.01) / 2
    start = PathfinderStarts(model, x0, f, random_seed=1)
    starts = np.array([start(seed) for seed in range(101, 141)])
    heights = np.array([f(x)[0] for x in starts])
    assert len({tuple(x) for x in starts}) == 40  # every chain's start differs
    # forty starts, distributed as posterior draws would be: about 98% inside the central 98%
    # (seen: 38 of 40, 2 below, KS p = 0.19), none above it at the mode's height, 2 (top - log p) ~ chi2_d
    inside = (heights > low) & (heights < high)
    assert inside.mean() >= 0.9 and not np.any(heights >= high), (heights - top, low - top, high - top)
    chi2 = 2 * (top - heights)
    assert abs(chi2.mean() - d) < 3 * np.sqrt(2 * d / 40)
    assert stats.kstest(chi2, stats.chi2(d).cdf).pvalue > 0.01
    assert start.info["method"] == "pathfinder" and len(start.info["pareto_k"]) == 40
    # a Gaussian posterior, but 21 dimensions and 6 (s, y) pairs: the weights are mostly reliable
    assert np.median(start.info["pareto_k"]) < 0.7
    # MAP starts, by contrast, sit at the mode: above the posterior's typical set
    map_start = starter(model, x0, f, "map")
    assert f(map_start(101))[0] > high


def test_the_same_seeds_give_the_same_starts():
    model = _hierarchical(areas=6)
    x0, f = _flat_logp(model)
    a = PathfinderStarts(model, x0, f, random_seed=3)
    b = PathfinderStarts(model, x0, f, random_seed=3)
    first, second = a(7), a(8)
    assert np.array_equal(b(8), second) and np.array_equal(b(7), first)  # asked in the other order
    assert not np.array_equal(first, second)
    assert not np.array_equal(PathfinderStarts(model, x0, f, random_seed=4)(7), first)
    one, two = map_starts(model, 2, random_seed=5, init="pathfinder"), map_starts(model, 2, random_seed=5,
                                                                                 init="pathfinder")
    assert all(np.array_equal(p["a"], q["a"]) for p, q in zip(one, two, strict=True))
    assert not np.array_equal(one[0]["a"], one[1]["a"])


def test_a_failing_pathfinder_falls_back_to_map_starts_with_a_warning():
    with pm.Model() as model:
        pm.Normal("x", 3.0, 1.0)
    x0 = support_vector(model)
    calls = {"n": 0}

    def f(x):  # non-finite at the four paths' starts (the first four calls), fine for the MAP optimisation after
        calls["n"] += 1
        value = -0.5 * float((x[0] - 3.0) ** 2)
        return (value if calls["n"] > 4 else np.nan), np.array([-(x[0] - 3.0)])

    start = PathfinderStarts(model, x0, f, random_seed=0)
    with pytest.warns(UserWarning, match="Pathfinder failed"):
        x = start(1)
    assert start.info["method"] == "map" and "fallback" in start.info
    assert abs(x[0] - 3.0) < 0.05


def test_resampling_by_the_paths_elbos_when_asked_drops_a_worse_path():
    from copath.model.pathfinder import GaussianApprox, Pathfinder

    def unit(mean, elbo):
        return GaussianApprox(np.full(2, mean), np.ones(2), np.zeros((2, 0)), np.zeros((0, 0)), 0.0, elbo, 1)

    f = lambda x: (-0.5 * float(x @ x), -x)  # noqa: E731
    pf = Pathfinder((unit(0.0, -2.0), unit(50.0, -1250.0)), 0, f)
    by_elbo, k = pf.resample(np.random.default_rng(0), 20, 50, max_k=-1.0)  # always by the ELBOs
    assert np.all(np.abs(by_elbo) < 6.0)  # every draw from the better path, none from the one at 50
    by_weights, _ = pf.resample(np.random.default_rng(0), 20, 50)  # by the weights: the same here
    assert np.all(np.abs(by_weights) < 6.0)
    # within the kept path, by the ELBOs takes draws as its Gaussian gives them (norm^2 ~ chi2_2, mean 2)
    assert 0.5 < np.mean(np.sum(by_elbo**2, axis=1)) < 4.0
