"""EVSI of a study of one parameter (sensitivity/evsi.py): the closed form, its limits, the
bound by EVPPI, a parameter the choice does not hang on, the study size helper, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.sensitivity.evppi import scale_value


def _closed_form(s: float) -> float:
    """theta ~ N(0, 1), NB = (0, theta), T = theta + s z: E[theta | T] = T / (1 + s^2) is
    N(0, 1 / (1 + s^2)), so EVSI = E[max(0, E[theta | T])] = 1 / sqrt(2 pi (1 + s^2))."""
    return 1.0 / np.sqrt(2 * np.pi * (1 + s**2))


def _problem(n: int, seed: int):
    theta = np.random.default_rng(seed).normal(size=n)
    return pd.DataFrame({"no": 0.0, "yes": theta}), pd.Series(theta, name="theta")


@pytest.mark.parametrize("s", [0.5, 2.0])
def test_evsi_within_three_standard_errors_of_the_closed_form(s):
    nb, theta = _problem(4000, seed=2015)
    res = cp.evsi(nb, theta, study_se=s, rng=1)
    assert abs(res.evsi - _closed_form(s)) < 3 * res.se, (res.evsi, res.se, _closed_form(s))
    assert 0.005 < res.se < 0.02  # about 0.01 at 4,000 draws (spread over seeds 0.008-0.011)
    assert res.evsi <= res.evppi + 2 * res.se
    assert res.above_noise and res.parameter == "theta" and res.decisions == ("no", "yes")
    assert res.best_now in res.decisions and res.n_draws == 4000 and res.study_se == s


def test_evsi_tends_to_evppi_for_a_precise_study_and_to_zero_for_a_useless_one():
    nb, theta = _problem(4000, seed=7)
    precise = cp.evsi(nb, theta, study_se=0.01)
    assert precise.evsi == pytest.approx(precise.evppi, abs=0.005)
    assert abs(precise.evppi - _closed_form(0.0)) < 3 * precise.evppi_se
    useless = cp.evsi(nb, theta, study_se=50.0)  # closed form 0.008
    assert useless.evsi < 0.03 and not useless.above_noise
    # in between it falls as the study shrinks (same simulated z, so a clean ordering)
    values = [cp.evsi(nb, theta, study_se=s).evsi for s in (0.01, 0.3, 1.0, 3.0, 50.0)]
    assert values == sorted(values, reverse=True), values


def test_evsi_is_at_most_evppi_and_evpi():
    rng = np.random.default_rng(3)
    theta = rng.normal(0.2, 1.0, 2000)
    other = rng.normal(0.0, 0.7, 2000)
    nb = np.column_stack([np.zeros(2000), theta + other - 0.1, 0.6 * theta])  # three decisions
    res = cp.evsi(nb, theta, study_se=0.4)
    assert 0 < res.evsi <= res.evppi + 2 * res.se
    assert res.evppi <= res.evpi + 2 * res.evppi_se
    assert res.evsi < 0.9 * res.evpi  # other's uncertainty is left: the study cannot buy it


def test_a_study_of_a_parameter_the_choice_does_not_hang_on_is_worth_about_nothing():
    rng = np.random.default_rng(11)
    theta, unrelated = rng.normal(size=(2, 2000))
    res = cp.evsi(np.column_stack([np.zeros(2000), theta]), unrelated, study_se=0.1)
    assert res.evsi < 0.02 and res.evppi < 0.02 and res.evpi > 0.35  # EVPI 0.399
    assert not res.above_noise


def test_evsi_population_scaling_and_description():
    nb, theta = _problem(1000, seed=5)
    res = cp.evsi(nb, theta, study_se=1.0, per_year=[40, 43], discount_rate=0.035, chains=2)
    factor = 40 / 1.035 + 43 / 1.035**2
    assert res.population_factor == pytest.approx(factor)
    assert res.population_factor == pytest.approx(scale_value(1.0, [40, 43], discount_rate=0.035))
    assert res.population_evsi == pytest.approx(res.evsi * factor)
    assert res.population_se == pytest.approx(res.se * factor)
    text = res.describe()
    assert "'theta'" in text and "% of the" in text and "EVSI" in text and "over the population" in text.lower()
    plain = cp.evsi(nb, theta, study_se=1.0)
    assert plain.population_factor is None and plain.population_evsi is None
    assert plain.evsi == pytest.approx(res.evsi)  # chains change only the null


def test_evsi_repeats_for_a_seed_and_varies_with_it():
    nb, theta = _problem(1000, seed=5)
    a, b = cp.evsi(nb, theta, 1.0, rng=4), cp.evsi(nb, theta, 1.0, rng=4)
    c = cp.evsi(nb, theta, 1.0, rng=6)
    assert a == b and c.evsi != a.evsi and abs(c.evsi - a.evsi) < 3 * a.se


@pytest.mark.parametrize("seed", [0, 5])
def test_theta_drawn_with_the_same_seed_is_not_reused_as_the_study_noise(seed):
    # default_rng(seed).normal(size=n) is theta here; were it also the noise z, T = 2 theta
    # and the EVSI would equal the EVPPI (0.399) instead of 1 / sqrt(4 pi) = 0.282
    nb, theta = _problem(1000, seed=seed)
    res = cp.evsi(nb, theta, 1.0, rng=seed) if seed else cp.evsi(nb, theta, 1.0)
    assert abs(res.evsi - _closed_form(1.0)) < 3 * res.se and res.evsi < res.evppi - 0.05


def test_study_se_for_names_its_formulas():
    assert cp.study_se_for(n_per_arm=50, unit_sd=2.0) == pytest.approx(2.0 * np.sqrt(2 / 50))  # 0.4
    assert cp.study_se_for(events=(25, 100)) == pytest.approx(np.sqrt(1 / 25 + 1 / 100))  # 0.2236
    assert cp.study_se_for(events=(25, 100), contrast=0.1) == pytest.approx(2.2361, abs=1e-4)
    # a study four times as large halves the standard error
    assert cp.study_se_for(n_per_arm=200, unit_sd=1.0) == pytest.approx(cp.study_se_for(n_per_arm=50, unit_sd=1.0) / 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give either"),
        ({"n_per_arm": 10, "unit_sd": 1.0, "events": (5, 5)}, "give either"),
        ({"n_per_arm": 10}, "needs both"),
        ({"n_per_arm": 0, "unit_sd": 1.0}, "positive"),
        ({"n_per_arm": 10, "unit_sd": -1.0}, "positive"),
        ({"events": (0, 5)}, "two positive counts"),
        ({"events": (5, 5, 5)}, "two positive counts"),
        ({"events": (5, 5), "contrast": 0}, "contrast"),
    ],
)
def test_study_se_for_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cp.study_se_for(**kwargs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros((100, 2)), np.zeros(100), 0.0), "study_se must be a positive"),
        ((np.zeros((100, 2)), np.zeros(100), -1.0), "study_se must be a positive"),
        ((np.zeros((100, 2)), np.zeros(100), float("nan")), "study_se must be a positive"),
        ((np.zeros((100, 2)), np.zeros(100), float("inf")), "study_se must be a positive"),
        ((np.zeros((100, 2)), np.zeros(100), "big"), "study_se must be a positive"),
        ((np.zeros((100, 2)), np.zeros((100, 2)), 1.0), "one parameter"),
        ((np.zeros((100, 2)), np.zeros(99), 1.0), "99 draws"),
        ((np.zeros((100, 1)), np.zeros(100), 1.0), "two decisions"),
        ((np.full((100, 2), np.nan), np.zeros(100), 1.0), "NaN"),
        ((np.zeros((100, 2)), np.full(100, np.inf), 1.0), "NaN or infinite"),
    ],
)
def test_evsi_refuses_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        cp.evsi(*args)


def test_evsi_refuses_chains_that_do_not_divide_the_draws():
    with pytest.raises(ValueError, match="3 chains"):
        cp.evsi(np.zeros((100, 2)), np.zeros(100), 1.0, chains=3)


def test_a_study_of_a_link_with_other_paths_is_warned_to_measure_the_total_effect():
    # x -> y also runs x -> c -> p -> y: a trial of x measuring y estimates the total, not the link
    from types import SimpleNamespace

    import copath as cp
    from copath.sensitivity.value import _warn_other_paths
    from tests.conftest import TOY_SPEC

    rec = SimpleNamespace(pathway=cp.loads_pathway(TOY_SPEC))
    with pytest.warns(UserWarning, match=r"x -> y: .*total effect, which also runs through x -> c -> p -> y"):
        _warn_other_paths(rec, "x -> y")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_other_paths(rec, "c -> p")   # the only path from c to p


def test_a_clustered_design_inflates_the_standard_error_by_the_root_of_its_design_effect():
    from copath.sensitivity.evsi import study_se_for

    assert study_se_for(events=(40, 60), design_effect=2.25) == pytest.approx(1.5 * np.sqrt(1 / 40 + 1 / 60))
    with pytest.raises(ValueError, match="design_effect"):
        study_se_for(n_per_arm=10, unit_sd=1.0, design_effect=0.5)
