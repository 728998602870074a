"""Expected net benefit of sampling (sensitivity/enbs.py): the closed form of a normal mean with
known variance, the optimal size, common random numbers shared with cp.evsi, no study worth it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import copath as cp

MU, TAU, SIGMA = 0.2, 1.0, 4.0  # theta ~ N(0.2, 1); one unit of the study measures theta with sd 4
SIZES = [5, 10, 20, 40, 80, 160, 320, 640]


def _exact_evsi(n: float) -> float:
    """NB = (0, theta); a study of n units gives a mean with variance SIGMA^2 / n, so the posterior
    mean after it is N(MU, s_n^2), s_n = TAU^2 / sqrt(TAU^2 + SIGMA^2 / n), and
    EVSI = E[max(0, mean)] - max(0, MU) = s_n L(|MU| / s_n), L the unit normal loss integral."""
    s = TAU**2 / np.sqrt(TAU**2 + SIGMA**2 / n)
    z = abs(MU) / s
    return float(s * (norm.pdf(z) - z * norm.sf(z)))


def _problem(seed: int = 2004, n: int = 4000):
    theta = np.random.default_rng(seed).normal(MU, TAU, n)
    return pd.DataFrame({"no": 0.0, "yes": theta}), pd.Series(theta, name="theta")


def test_enbs_and_the_optimal_size_match_the_closed_form():
    nb, theta = _problem()
    res = cp.enbs(nb, theta, SIZES, study_se=lambda n: SIGMA / np.sqrt(n), fixed_cost=100.0, cost_per_unit=4.0,
                  per_year=1000, horizon_years=5, discount_rate=0.035, rng=3)
    factor = cp.scale_value(1.0, 1000, 5, 0.035)
    assert res.population_factor == pytest.approx(factor)
    exact = np.array([factor * _exact_evsi(n) - 100.0 - 4.0 * n for n in SIZES])
    t = res.table
    assert t["n"].tolist() == SIZES
    np.testing.assert_allclose(t["study_cost"], 100.0 + 4.0 * np.array(SIZES))
    np.testing.assert_allclose(t["enbs"], t["population_evsi"] - t["study_cost"])
    # every size within 3 Monte Carlo SE of the closed form (the SE is about 40 of a curve peaking near 850)
    assert (np.abs(t["enbs"] - exact) < 3 * t["enbs_se"]).all(), (t["enbs"].round(0).tolist(), exact.round(0))
    assert (t["enbs_se"] > 10).all() and (t["enbs_se"] < 80).all()
    # the optimum on the grid by hand is n = 40 (853) with n = 80 next (812): the chosen size is as good up to 2 SE
    assert SIZES[int(exact.argmax())] == 40
    chosen = exact[SIZES.index(res.optimal_n)]
    assert chosen >= exact.max() - 2 * res.best["enbs_se"], (res.optimal_n, chosen)
    assert res.evppi == pytest.approx(TAU * (norm.pdf(MU / TAU) + MU / TAU * norm.cdf(MU / TAU)) - MU, abs=0.02)
    assert "n = " in res.describe() and len(res.figure.axes) == 1


def test_the_evsi_at_each_size_is_cp_evsi_with_the_same_seed():
    nb, theta = _problem(n=1000)
    ses = [2.0, 1.0, 0.5]
    res = cp.enbs(nb, theta, [1, 4, 16], study_se=ses, rng=9)
    for se, got in zip(ses, res.table["evsi"], strict=True):
        assert got == cp.evsi(nb, theta, study_se=se, rng=9).evsi
    # common random numbers: the EVSI rises with the size without noise reversing the order
    assert res.table["evsi"].is_monotonic_increasing


def test_a_study_that_costs_more_than_it_is_worth_is_not_recommended():
    nb, theta = _problem(n=1000)
    res = cp.enbs(nb, theta, [10, 100], study_se=lambda n: SIGMA / np.sqrt(n), fixed_cost=1e6, per_year=100)
    assert res.optimal_n is None and res.best is None and (res.table["enbs"] < 0).all()
    assert res.describe().startswith("No study")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sizes": [0, 10]}, "sizes"),
    ({"sizes": [10, 10]}, "sizes"),
    ({"study_se": [1.0]}, "study_se has 1"),
    ({"study_se": lambda n: -1.0}, "positive"),
    ({"fixed_cost": -5.0}, "fixed_cost"),
])
def test_bad_input_is_refused(kwargs, message):
    nb, theta = _problem(n=200)
    args = {"sizes": [10, 20], "study_se": lambda n: 1.0 / np.sqrt(n), **kwargs}
    with pytest.raises(ValueError, match=message):
        cp.enbs(nb, theta, **args)
