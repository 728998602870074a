"""Simulation-based calibration: the rank tests, and a small run (the full one is
benchmarks/bench_calibration.py, ``make calibrate``)."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.calibration.sbc import chi2_test, draw_prior_params, ecdf_test, model_truth
from copath.model.builder import build_model
from copath.model.equations import linear_predictors, make_plan


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
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
    # 4 links, 3 intercepts, the count's area spread and the continuous node's residual sd
    assert cal.ranks.shape == (30, 9) and cal.ranks.to_numpy().max() <= 50
    assert {"intercept[crime]", "area_sd[crime]", "sigma[wellbeing]"} <= set(cal.ranks.columns)
    assert cal.passed, cal.tests
    assert len(cal.fits_passed) == 30 and "of 30 fits passed their own diagnostics" in cal.describe()
    paths = cal.save(tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize(("model", "unobserved"), [("calibration", []), ("calibration_pathway", ["fear"])])
def test_model_truth_gives_the_same_linear_predictors_in_the_model_centring(model, unobserved):
    # the simulation centres a parent at its baseline, the model at the data's level (or,
    # without data, at its own intercept): with the intercepts model_truth gives, the
    # model's equations reproduce the simulation's linear predictors on every row
    pw = cp.load_pathway(model)
    sim = cp.simulate(pw, areas=8, months=3, random_seed=5)
    built = build_model(pw, sim.data.drop(columns=unobserved))
    true = model_truth(pw, built.plan, sim.truth)
    exposures = {e: sim.data[e].to_numpy() for e in pw.exposures}
    area = {n: sim.truth["area_effect"][n][built.data.area_index] for n in built.plan.area_nodes}
    sim_plan = make_plan(pw, {e: float(np.mean(v)) for e, v in exposures.items()})
    sim_params = {"beta": np.array([sim.truth["beta"][n] for n in sim_plan.link_names]),
                  "intercept": np.array([sim.truth["intercept"][n] for n in sim_plan.endogenous])}
    model_params = {"beta": np.array([true[n] for n in built.plan.link_names]),
                    "intercept": np.array([true[f"intercept[{n}]"] for n in built.plan.endogenous])}
    observed = lambda name, eta: sim.data[name].to_numpy()  # noqa: E731 -- a continuous parent passes its value
    a = linear_predictors(sim_plan, exposures, sim_params, area, value_of=observed)
    b = linear_predictors(built.plan, exposures, model_params, area, value_of=observed)
    for name in pw.endogenous:
        assert np.allclose(a[name], b[name]), name
    changed = [n for n in pw.endogenous if abs(true[f"intercept[{n}]"] - sim.truth["intercept"][n]) > 1e-6]
    assert changed  # the check has something to check: some intercept moves with the centring
    assert ("area_sd[crime]" in true) and all(k in true for k in pw.link_names)


def test_calibrate_refuses_an_unknown_unobserved_node():
    with pytest.raises(ValueError, match="unobserved: nope"):
        cp.calibrate(cp.load_pathway("calibration"), n_sims=1, unobserved=["nope"], workers=1, progressbar=False)
    # a node whose simulated area effects or passed-on values the model could not have
    for node in ("crime", "wellbeing"):
        with pytest.raises(ValueError, match=f"unobserved: {node} has area or time effects or passes"):
            cp.calibrate(cp.load_pathway("calibration"), n_sims=1, unobserved=[node], workers=1, progressbar=False)


def test_in_the_simulation_centring_the_intercepts_are_the_simulated_ones():
    # how calibration fits: with the simulation's centres, and the node without data
    # centred at its own intercept in both (as a user's fit centres it), the model's
    # intercepts are the truth itself, so their prior is the one the truth came from
    pw = cp.load_pathway("calibration_pathway")
    sim = cp.simulate(pw, areas=8, months=3, random_seed=6, hidden=["fear"])
    assert np.isnan(sim.truth["centres"]["fear"]) and not np.isnan(sim.truth["centres"]["crime"])
    built = build_model(pw, sim.data.drop(columns=["fear"]), centres=sim.truth["centres"])
    true = model_truth(pw, built.plan, sim.truth)
    for name in pw.endogenous:
        assert true[f"intercept[{name}]"] == pytest.approx(sim.truth["intercept"][name])
    # and the simulated wellbeing is the model's equation at the truth plus noise of sd sigma
    exposures = {e: sim.data[e].to_numpy() for e in pw.exposures}
    area = {n: sim.truth["area_effect"][n][built.data.area_index] for n in built.plan.area_nodes}
    params = {"beta": np.array([true[n] for n in built.plan.link_names]),
              "intercept": np.array([true[f"intercept[{n}]"] for n in built.plan.endogenous])}
    eta = linear_predictors(built.plan, exposures, params, area)
    residual = sim.data["wellbeing"].to_numpy() - eta["wellbeing"]
    assert abs(residual.mean()) < 4 * true["sigma[wellbeing]"] / np.sqrt(residual.size)
    assert residual.std() == pytest.approx(true["sigma[wellbeing]"], rel=0.3)
    with pytest.raises(ValueError, match="hidden: nope"):
        cp.simulate(pw, areas=2, months=1, hidden=["nope"])
    with pytest.raises(ValueError, match="hidden: crime has area or time effects"):
        cp.simulate(pw, areas=2, months=1, hidden=["crime"])


def test_the_fit_priors_are_what_calibration_draws_from():
    # through the unobserved middle node only the product is informed: one stated sign is held
    # (it shuts the mirror), the other stays soft; the truth is drawn from the same priors
    from copath.calibration.sbc import _priors_as_fitted

    pw = cp.load_pathway("calibration_pathway")
    fitted = _priors_as_fitted(pw, cp.priors_for(pw, None), 20, 3, ("fear",), cp.load_evidence())
    assert fitted["crime -> fear"].sign == 1 and fitted["fear -> wellbeing"].sign == 0
    assert fitted["fear -> wellbeing"].stated == -1
    held = [draw_prior_params(pw, fitted, np.random.default_rng(i))["beta"]["crime -> fear"] for i in range(50)]
    soft = [draw_prior_params(pw, fitted, np.random.default_rng(i))["beta"]["fear -> wellbeing"] for i in range(200)]
    assert min(held) > 0 and 0.5 < np.mean(np.array(soft) < 0) < 0.8  # 63% on the stated side
