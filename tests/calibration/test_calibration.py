"""Simulation-based calibration: the rank tests, and a small run (the full one is
benchmarks/bench_calibration.py, ``make calibrate``)."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.calibration.sbc import chi2_test, draw_prior_params, ecdf_test


def test_rank_tests_accept_uniform_and_reject_skewed_ranks():
    rng = np.random.default_rng(4)
    uniform_p = [ecdf_test(rng.integers(0, 100, 200), 99, rng=np.random.default_rng(i))[0] for i in range(40)]
    assert np.mean(np.array(uniform_p) < 0.05) <= 0.15  # about 5% false alarms
    skewed = np.minimum(rng.integers(0, 100, 200), rng.integers(0, 100, 200))  # ranks pile up low
    assert ecdf_test(skewed, 99)[0] < 0.001 and chi2_test(skewed, 99) < 0.001
    narrow = rng.integers(40, 60, 200)  # an overdispersed posterior: ranks in the middle
    assert ecdf_test(narrow, 99)[0] < 0.001


def test_prior_draws_follow_the_model_priors():
    pw = cp.load_pathway("calibration")
    priors = cp.priors_for(pw, cp.load_evidence())
    rng = np.random.default_rng(0)
    draws = np.array([draw_prior_params(pw, priors, rng)["beta"]["x -> crime"] for _ in range(4000)])
    p = priors["x -> crime"]
    assert draws.mean() == pytest.approx(p.mu, abs=4 * p.sigma / np.sqrt(4000))
    assert draws.std() == pytest.approx(p.sigma, rel=0.05)
    shifted = np.array([draw_prior_params(pw, priors, rng, prior_shift=2.0)["beta"]["x -> crime"] for _ in range(2000)])
    assert shifted.mean() == pytest.approx(p.mu + 2 * p.sigma, abs=0.1 * p.sigma + 4 * p.sigma / np.sqrt(2000))


@pytest.mark.slow
def test_small_calibration_run(tmp_path):
    cal = cp.calibrate(cp.load_pathway("calibration"), n_sims=30, draws=200, tune=200, n_post=50, random_seed=3)
    assert cal.ranks.shape == (30, 4) and cal.ranks.to_numpy().max() <= 50
    assert cal.passed, cal.tests
    paths = cal.save(tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)
