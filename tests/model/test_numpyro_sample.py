"""copath's NumPyro driver: one JAX translation for the MAP start, the sampler and the draws.

Checked against a posterior known in closed form (normal mean with known scale), on the
model's own scale with its dims and coords; the sample statistics against PyMC's log
density at the draws; reproducibility; and through ``cp.fit`` in tests/test_jobs.py.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

pytest.importorskip("numpyro", reason="JAX/NumPyro not installed (pip install 'copath[jax]')")

from copath.model.numpyro_sample import sample_numpyro

Y = np.random.default_rng(0).normal(1.5, 2.0, size=(40, 2)) + np.array([0.0, -3.0])


def conjugate_model() -> pm.Model:
    # mu[k] ~ N(0, 10), y[:, k] ~ N(mu[k], 2): posterior N(m, s) in closed form; tau is
    # there to be back-transformed (HalfNormal, sampled as log tau)
    with pm.Model(coords={"group": ["north", "south"]}) as model:
        mu = pm.Normal("mu", 0.0, 10.0, dims="group")
        pm.HalfNormal("tau", 1.0)
        pm.Normal("y", mu, 2.0, observed=Y)
    return model


@pytest.fixture(scope="module")
def tree():
    # tau is prior-only: its half-normal is a long left tail on the log scale, where the
    # default step size (target_accept 0.8) diverged once in 1,200 draws; a smaller step
    return sample_numpyro(conjugate_model(), draws=600, tune=400, chains=2, random_seed=3, map_seed=1,
                          target_accept=0.9)


def test_recovers_the_closed_form_posterior(tree):
    precision = 1 / 10.0**2 + len(Y) / 2.0**2
    mean, sd = (Y.sum(axis=0) / 2.0**2) / precision, precision**-0.5
    mu = tree.posterior["mu"]
    assert mu.dims == ("chain", "draw", "group") and list(mu["group"].values) == ["north", "south"]
    np.testing.assert_allclose(mu.mean(("chain", "draw")), mean, atol=0.25 * sd)
    np.testing.assert_allclose(mu.std(("chain", "draw")), sd, rtol=0.15)
    tau = tree.posterior["tau"].values
    assert tau.shape == (2, 600) and tau.min() > 0  # on its own scale, not log tau
    assert 0.5 < np.mean(tau) < 1.0  # HalfNormal(1): mean 0.80, nothing in the data about tau
    assert "tau_log__" not in tree.posterior


def test_sample_stats_are_the_log_density_at_the_draws(tree):
    stats = tree.sample_stats
    assert {"diverging", "n_steps", "energy", "acceptance_rate", "step_size", "lp", "tree_depth"} <= set(stats)
    assert int(stats["diverging"].sum()) == 0
    logp = conjugate_model().compile_logp()
    for chain, draw in ((0, 0), (1, 599), (0, 300)):
        point = {"mu": tree.posterior["mu"].values[chain, draw],
                 "tau_log__": np.log(tree.posterior["tau"].values[chain, draw])}
        assert float(stats["lp"][chain, draw]) == pytest.approx(float(logp(point)), rel=1e-6)


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_same_seed_same_draws_and_bad_init_refused(tree):
    again = sample_numpyro(conjugate_model(), draws=600, tune=400, chains=2, random_seed=3, map_seed=1,
                           target_accept=0.9)
    np.testing.assert_array_equal(again.posterior["mu"].values, tree.posterior["mu"].values)
    other = sample_numpyro(conjugate_model(), draws=50, tune=50, chains=1, random_seed=4, init="default")
    assert other.posterior["mu"].shape == (1, 50, 2)
    with pytest.raises(ValueError, match="init must be one of 'pathfinder', 'map', 'default'"):
        sample_numpyro(conjugate_model(), draws=10, tune=10, chains=1, init="mode")
