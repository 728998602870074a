"""Likelihood kernels: the sampling model's per-row count and proportion terms.

Exact checks: a kernel plus its data-only constant is the full log likelihood (against
scipy); the sampling model and the row-level model differ by a constant at random
parameter values, with equal gradients; negative-binomial nodes keep PyMC's density.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
from pytensor import function as pytensor_function
from scipy import stats
from scipy.special import gammaln

import copath as cp
from copath.kinds.count import poisson_kernel
from copath.kinds.proportion import binomial_kernel
from copath.model.builder import build_model
from tests.model.test_compact import random_points

# covariates drawn per row: nothing is shared, so c and b stay one term per row
SPEC = """name: rows
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  g: {kind: continuous, scale: 1.0}
  c: {kind: count, offset: pop, per: 100}
  b: {kind: proportion, trials: n}
links:
  - {from: x1, to: g}
  - {from: g, to: c}
  - {from: x1, to: c}
  - {from: c, to: b}
  - {from: x2, to: b}
outcomes: [b]
"""


def rows_data(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(2, n))
    g = 0.5 * x1 + rng.normal(size=n)
    pop = rng.integers(200, 900, n)
    trials = rng.integers(0, 15, n)  # zero trials included
    return pd.DataFrame({"area": np.arange(n) % 20, "month": np.arange(n) // 20, "x1": x1, "x2": x2, "g": g,
                         "pop": pop, "c": rng.poisson(pop / 100 * np.exp(0.2 + 0.3 * g)), "n": trials,
                         "b": rng.binomial(trials, 0.3)})


def test_poisson_kernel_plus_constant_is_the_log_likelihood():
    rng = np.random.default_rng(1)
    y, s, eta = rng.poisson(4, 40), rng.uniform(0.2, 5, 40), rng.normal(0, 1, 40)
    kernel = float(poisson_kernel(y, pt.as_tensor_variable(eta), s).eval())
    constant = np.sum(y * np.log(s) - gammaln(y + 1))
    np.testing.assert_allclose(kernel + constant, stats.poisson.logpmf(y, s * np.exp(eta)).sum(), rtol=1e-12)


def test_binomial_kernel_plus_constant_is_the_log_likelihood():
    rng = np.random.default_rng(2)
    n = rng.integers(0, 20, 40)
    y, eta = rng.binomial(n, 0.4), rng.normal(0, 2, 40)
    kernel = float(binomial_kernel(y, pt.as_tensor_variable(eta), n).eval())
    constant = np.sum(gammaln(n + 1) - gammaln(y + 1) - gammaln(n - y + 1))
    p = 1 / (1 + np.exp(-eta))
    np.testing.assert_allclose(kernel + constant, stats.binom.logpmf(y, n, p).sum(), rtol=1e-12)


def test_an_intercept_only_eta_counts_every_row():
    y = np.array([1, 0, 2])
    kernel = float(poisson_kernel(y, pt.as_tensor_variable(0.5), np.array([1.0, 2.0, 3.0])).eval())
    np.testing.assert_allclose(kernel, 3 * 0.5 - 6 * np.exp(0.5))


def _same_density_up_to_a_constant(rows: pm.Model, sampled: pm.Model, seed: int) -> None:
    """``sampled``'s log density is ``rows``'s plus a constant, and their gradients agree,
    at random points where the density itself moves (so the check has teeth)."""
    f_rows, f_kern = rows.compile_logp(), sampled.compile_logp()
    points = random_points(rows, 6, seed=seed)
    diffs = [f_rows(p) - f_kern(p) for p in points]
    assert np.ptp(diffs) < 1e-8 * max(1.0, abs(diffs[0]))
    assert np.ptp([f_rows(p) for p in points]) > 100  # the densities move: the check has teeth
    g_rows, g_kern = rows.compile_dlogp(), sampled.compile_dlogp()
    for p in points[:3]:
        np.testing.assert_allclose(g_kern(p), g_rows(p), rtol=1e-7, atol=1e-7)


def test_sampling_model_with_kernels_differs_by_a_constant():
    pw = cp.loads_pathway(SPEC)
    df = rows_data()
    rows, sampled = build_model(pw, df), build_model(pw, df, collapse=True)
    assert "c" not in sampled.groups and "b" not in sampled.groups  # per row
    assert {p.name for p in sampled.model.potentials} >= {"c", "b"}
    assert not {rv.name for rv in sampled.model.observed_RVs} & {"c", "b"}
    _same_density_up_to_a_constant(rows.model, sampled.model, seed=3)


def test_negative_binomial_kernel_differs_from_pymc_density_by_a_constant():
    """A negative binomial node is sampled through its kernel (no constants in y alone),
    whose density and gradient are PyMC's NegativeBinomial's up to a constant."""
    pw = cp.loads_pathway(SPEC.replace("per: 100}", "per: 100, family: negative_binomial}"))
    rows = build_model(pw, rows_data(), collapse=False)
    sampled = build_model(pw, rows_data(), collapse=True)
    assert "c" in {rv.name for rv in rows.model.observed_RVs}
    assert "c" in {p.name for p in sampled.model.potentials}
    _same_density_up_to_a_constant(rows.model, sampled.model, seed=5)


@pytest.mark.slow  # 13 s: two fits' log likelihoods; make test-slow (make test stays under 10 minutes)
def test_log_likelihood_totals_from_the_kernels_equal_the_row_level_ones():
    pw = cp.loads_pathway(SPEC)
    df = rows_data(seed=4)
    res = cp.fit(pw, df, draws=30, tune=100, chains=2, random_seed=2, progressbar=False,
                 log_likelihood="total", prior_draws=10, ppc_draws=10)
    from copath.model.loglik import log_likelihood_totals

    slow = log_likelihood_totals(res._built.model, res.posterior)
    for name in ("b", "c", "g"):
        np.testing.assert_allclose(res.idata["log_likelihood"][name], slow[name], rtol=1e-9, atol=1e-6)
        assert float(slow[name].std()) > 0.1


def test_negative_binomial_kernel_has_no_false_mode_near_the_poisson_limit():
    """As 1/sqrt(phi) -> 0 the negative binomial becomes the Poisson: the kernel must tend to
    the Poisson kernel, with no rounding-error bumps. The textbook form (N alpha log alpha -
    sum (alpha + y) log(alpha + mu)) was off by tens of log-density units at 2e-7, enough for a
    chain to freeze in a false mode (benchmarks/bench_identification.py)."""
    from copath.kinds.count import negative_binomial_kernel

    rng = np.random.default_rng(0)
    y = rng.poisson(40.0, 240).astype(float)
    size = rng.uniform(0.5, 2.0, 240)
    eta = np.log(40.0 / size)
    poisson = float(poisson_kernel(y, pt.as_tensor_variable(eta), size).eval())
    phi = pt.dscalar("phi")
    kernel = negative_binomial_kernel(y, pt.as_tensor_variable(eta), size, phi)
    f = pytensor_function([phi], [kernel, pt.grad(kernel, phi)])
    values = [f(v) for v in (1e-3, 1e-5, 2.3e-7, 1e-9, 1e-12)]
    # exact at moderate dispersion (scipy's density less the data-only constants)
    alpha = 1e6
    exact = (stats.nbinom.logpmf(y, alpha, alpha / (alpha + size * np.exp(eta))).sum()
             + gammaln(y + 1).sum() - (y * np.log(size)).sum())
    assert abs(float(values[0][0]) - exact) < 1e-6
    # and it rises smoothly to the Poisson value as 1/sqrt(phi) shrinks, never above it
    assert all(float(v) <= poisson + 1e-7 for v, _ in values)
    assert abs(float(values[-1][0]) - poisson) < 1e-8 and abs(float(values[2][0]) - poisson) < 1e-6
    assert all(np.isfinite(float(g)) and abs(float(g)) < 1e3 for _, g in values)
