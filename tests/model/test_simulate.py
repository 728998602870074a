"""Simulation with known truth."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp


def test_shapes_ranges_and_truth(flagship):
    sim = cp.simulate(flagship, areas=12, months=5, random_seed=3)
    df, truth = sim
    assert len(df) == 60 and df[["area", "month"]].drop_duplicates().shape[0] == 60
    for name in flagship.exposures:
        lo, hi = flagship.nodes[name].range
        assert df[name].between(lo, hi).all(), name
    for name in flagship.endogenous:
        node = flagship.nodes[name]
        if node.node_kind.ratio_scale:  # counts and successes
            assert (df[name] >= 0).all() and (df[name] == df[name].round()).all()
        if node.node_kind.odds_scale:
            assert (df[name] <= df[node.trials]).all()
    assert set(truth["beta"]) == set(flagship.link_names)
    assert set(truth["intercept"]) == set(flagship.endogenous)


def test_same_seed_same_data(flagship):
    a = cp.simulate(flagship, areas=4, months=2, random_seed=9).data
    b = cp.simulate(flagship, areas=4, months=2, random_seed=9).data
    c = cp.simulate(flagship, areas=4, months=2, random_seed=10).data
    assert a.equals(b) and not a.equals(c)


def test_given_params_are_used_and_checked():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, offset: hh, per: 1000}\n"
                          "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    sim = cp.simulate(pw, areas=400, months=10, random_seed=1,
                      params={"beta": {"x -> y": 0.0}, "intercept": {"y": np.log(2.0)}})
    df = sim.data
    # with no effect the rate is exp(intercept) = 2 per 1,000 households
    rate = df["y"].sum() / (df["hh"].sum() / 1000)
    assert rate == pytest.approx(2.0, rel=0.03)
    assert sim.truth["beta"]["x -> y"] == 0.0
    with pytest.raises(ValueError, match="unknown link"):
        cp.simulate(pw, params={"beta": {"x -> z": 1.0}})
    with pytest.raises(ValueError, match="unknown parameter group"):
        cp.simulate(pw, params={"betas": {}})


def test_bundled_synthetic_force_matches_its_truth_file(flagship):
    df = cp.datasets.load("synthetic_force")
    truth = cp.datasets.load_truth("synthetic_force")
    assert len(df) == 120 * 24
    assert set(truth["beta"]) == set(flagship.link_names)
    from scripts.make_synthetic_force import pinned_params, pinned_priors

    # the coefficients were drawn from the priors before issue 27 and kept (the script says why)
    sim = cp.simulate(flagship, areas=120, months=24, random_seed=2026, params=pinned_params(),
                      priors=pinned_priors(flagship))
    for link, value in truth["beta"].items():
        assert sim.truth["beta"][link] == pytest.approx(value)
    np.testing.assert_allclose(sim.data["burglary"], df["burglary"])


def test_a_continuous_outcome_past_its_range_is_warned_not_clipped():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: continuous, range: [0, 10]}\n"
                          "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    # mean 9.5, sd 1: about 31% of values above 10 (1 - Phi(0.5)), left as the normal equation gives them
    params = {"beta": {"x -> y": 0.0}, "intercept": {"y": 9.5}, "sigma": {"y": 1.0}}
    with pytest.warns(UserWarning, match=r"of the simulated 'y' values fall outside its range \[0, 10\]"):
        sim = cp.simulate(pw, areas=200, months=10, random_seed=1, params=params)
    assert (sim.data["y"] > 10).mean() == pytest.approx(0.31, abs=0.03)
    inside = {**params, "intercept": {"y": 5.0}}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cp.simulate(pw, areas=50, months=4, random_seed=1, params=inside)   # 5 sd from either end: silent


def test_simulate_draws_from_the_priors_it_is_given():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
                          "links:\n  - {from: x, to: y, direction: '-'}\noutcomes: [y]\n")
    soft = cp.priors_for(pw, None)
    held = {n: p.held() for n, p in soft.items()}
    draws = [cp.simulate(pw, areas=2, months=1, random_seed=s, priors=held).truth["beta"]["x -> y"] for s in range(30)]
    assert max(draws) < 0  # held: every world on the stated side
    free = [cp.simulate(pw, areas=2, months=1, random_seed=s, priors=soft).truth["beta"]["x -> y"] for s in range(30)]
    assert min(free) < 0 < max(free)  # soft: some worlds on the other side
    with pytest.raises(ValueError, match="one prior per link"):
        cp.simulate(pw, areas=2, months=1, priors={})


def test_plausible_worlds_only():
    from copath.model.simulate import PLAUSIBLE_TRIES

    spec = ("name: t\nnodes:\n  x: {kind: exposure, range: [0, 1]}\n"
            "  s: {kind: continuous, baseline: 5, scale: 0.5, range: [0, 10]}\n"
            "links:\n  - {from: x, to: s}\noutcomes: [s]\n")
    pw = cp.loads_pathway(spec)
    wide = {"x -> s": cp.LinkPrior("x -> s", 0.0, 40.0, "slope")}
    # one draw from a wide prior: most seeds' worlds leave 0..10
    outside = []
    for seed in range(10):
        sim = cp.simulate(pw, areas=30, months=4, random_seed=seed, priors=wide)
        b, x = sim.truth["beta"]["x -> s"], sim.data["x"]
        mean = sim.truth["intercept"]["s"] + b * (x - x.mean())
        outside.append(float(((mean < 0) | (mean > 10)).mean()))
    assert sum(o > 0.05 for o in outside) >= 3
    for seed in range(10):
        sim = cp.simulate(pw, areas=30, months=4, random_seed=seed, priors=wide, plausible=True)
        b, x = sim.truth["beta"]["x -> s"], sim.data["x"]
        mean = sim.truth["intercept"]["s"] + b * (x - x.mean())
        assert ((mean < 0) | (mean > 10)).mean() <= 0.05
    impossible = {"x -> s": cp.LinkPrior("x -> s", 1e4, 1.0, "slope")}
    with pytest.raises(ValueError, match=f"none of {PLAUSIBLE_TRIES} draws"):
        cp.simulate(pw, areas=30, months=4, random_seed=0, priors=impossible, plausible=True)
