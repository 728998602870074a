"""A continuous node with ``link: logit`` in the model: its likelihood, its collapsed forms,
the simulator and a simulate-then-recover fit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import norm

import copath as cp
from copath.model.builder import build_model
from copath.model.compact import affine_in_inputs
from copath.model.data import prepare_data

SPEC = """name: bounded
nodes:
  x: {kind: exposure}
  s: {kind: continuous, range: [0, 10], link: logit, baseline: 7.0, scale: 0.5}
  h: {kind: continuous, scale: 1.0}
links:
  - {from: x, to: s}
  - {from: s, to: h}
outcomes: [h]
"""


def test_log_density_of_one_row_is_the_normal_at_the_scaled_expit():
    pw = cp.loads_pathway(SPEC)
    df = pd.DataFrame({"area": ["a", "b"], "month": 1, "x": [0.2, 1.4], "s": [8.1, 6.0], "h": [1.0, 2.0]})
    model = build_model(pw, df).model
    point = model.initial_point()
    a, b_xs, sigma = 0.9, -0.7, 0.8
    k_xs = list(model.coords["link"]).index("x -> s")
    point["intercept"] = np.array([a, 0.3])
    point["beta"] = np.where(np.arange(2) == k_xs, b_xs, 0.4)
    point["sigma_log__"] = np.log(np.array([sigma, 1.3]))
    logp = model.compile_logp(vars=[model["s"]])(point)
    eta = a + b_xs * (np.array([0.2, 1.4]) - 0.8)  # x centred at its mean
    expected = norm.logpdf([8.1, 6.0], loc=0.0 + 10.0 * expit(eta), scale=sigma).sum()
    assert logp == pytest.approx(expected, rel=1e-10)
    # h sees s's observed value, centred at s's level in the data on its natural scale (each row is its own
    # area, so the level pools both rows)
    kind = pw.nodes["s"].node_kind
    centre = float(kind.natural(kind.pooled_level(8.1 + 6.0, 2.0)))
    logp_h = model.compile_logp(vars=[model["h"]])(point)
    mean_h = 0.3 + 0.4 * (np.array([8.1, 6.0]) - centre)
    assert logp_h == pytest.approx(norm.logpdf([1.0, 2.0], mean_h, 1.3).sum(), rel=1e-10)


def _panel(areas: int = 30, months: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.repeat(rng.normal(size=areas), months)  # x per area: rows of an area share their inputs
    s = np.clip(7 + 0.5 * x + rng.normal(0, 0.4, x.size), 0.5, 9.5)
    return pd.DataFrame({"area": np.repeat(np.arange(areas), months), "month": np.tile(np.arange(months), areas),
                         "x": x, "s": s, "h": 0.3 * s + rng.normal(size=x.size)})


def _random_points(model, k: int, seed: int):
    rng = np.random.default_rng(seed)
    return [{n: rng.normal(0, 0.7, size=np.shape(v)) for n, v in model.initial_point().items()} for _ in range(k)]


@pytest.mark.parametrize("with_s", [True, False])
def test_collapsed_log_density_differs_by_a_constant(with_s):
    """s collapses by group (no Z'Z form: its mean is not affine); h, the child of s, keeps the
    Z'Z form when it sees s's data and loses it when it sees s's nonlinear expected value."""
    pw = cp.loads_pathway(SPEC)
    df = _panel() if with_s else _panel().drop(columns="s")
    rows, collapsed = build_model(pw, df), build_model(pw, df, collapse=True)
    groups = collapsed.groups
    if with_s:
        assert groups["s"].affine is None and groups["s"].n_terms == 30
    assert (groups["h"].affine is not None) == with_s
    assert affine_in_inputs(pw, prepare_data(pw, df), "h") == with_s
    f_rows, f_coll = rows.model.compile_logp(), collapsed.model.compile_logp()
    points = _random_points(rows.model, 5, seed=3)
    diffs = [f_rows(p) - f_coll(p) for p in points]
    assert np.ptp(diffs) < 1e-8 * max(1.0, abs(diffs[0]))
    assert np.ptp([f_rows(p) for p in points]) > 50  # the check has teeth


def test_simulate_keeps_the_expected_value_inside_the_range_whatever_the_coefficient():
    pw = cp.loads_pathway(SPEC)
    params = {"beta": {"x -> s": 50.0, "s -> h": 0.3}, "intercept": {"s": 0.85, "h": 0.0},
              "sigma": {"s": 0.0, "h": 1.0}}  # no noise: the simulated s is its expected value
    s = cp.simulate(pw, areas=40, months=3, params=params, random_seed=4).data["s"]
    assert s.min() >= 0.0 and s.max() <= 10.0 and s.min() < 0.01 and s.max() > 9.99  # both ends reached
    identity = cp.loads_pathway(SPEC.replace(", link: logit", ""))
    with pytest.warns(UserWarning, match="outside its range"):
        far = cp.simulate(identity, areas=40, months=3, params=params, random_seed=4).data["s"]
    assert far.min() < -10 and far.max() > 20  # the identity link leaves the range


def test_simulate_draws_around_the_scaled_expit():
    pw = cp.loads_pathway(SPEC)
    params = {"beta": {"x -> s": 0.6, "s -> h": 0.3}, "intercept": {"s": 0.85, "h": 0.0},
              "sigma": {"s": 0.2, "h": 1.0}}
    sim = cp.simulate(pw, areas=200, months=5, params=params, random_seed=5)
    x = sim.data["x"].to_numpy()
    mean = 10 * expit(0.85 + 0.6 * (x - x.mean()))
    resid = sim.data["s"].to_numpy() - mean
    assert abs(resid.mean()) < 0.02 and resid.std() == pytest.approx(0.2, rel=0.05)
    assert sim.truth["centres"]["s"] == 7.0  # h sees s in points: centred at its baseline


@pytest.mark.slow
def test_simulate_then_recover():
    pw = cp.loads_pathway(SPEC)
    truth = {"beta": {"x -> s": 0.6, "s -> h": 0.4}, "intercept": {"s": 1.2, "h": 0.3},
             "sigma": {"s": 0.5, "h": 0.6}}
    sim = cp.simulate(pw, areas=50, months=5, params=truth, random_seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, sim.data, draws=300, tune=300, chains=2, random_seed=3, progressbar=False,
                     prior_draws=20, ppc_draws=20, log_likelihood="pointwise")
    post = res.posterior
    # h's intercept is at s's centre: the simulation's is s's baseline, the fit's s's level in the data
    truth["intercept"]["h"] += truth["beta"]["s -> h"] * (res.centres()["s"] - sim.truth["centres"]["s"])
    for group, values in truth.items():
        dim = "link" if group == "beta" else "continuous_node" if group == "sigma" else "node"
        for name, value in values.items():
            draws = post[group].sel({dim: name})
            z = (float(draws.mean()) - value) / float(draws.std())
            assert abs(z) < 3.5, (group, name, float(draws.mean()), value)
    # the pointwise log likelihood is the normal at the scaled expit, draw by draw
    c, d = 1, 7
    a = float(post["intercept"].sel(node="s")[c, d])
    b = float(post["beta"].sel(link="x -> s")[c, d])
    sig = float(post["sigma"].sel(continuous_node="s")[c, d])
    x = sim.data["x"].to_numpy()
    expected = norm.logpdf(sim.data["s"], 10 * expit(a + b * (x - x.mean())), sig)
    np.testing.assert_allclose(res.idata["log_likelihood"]["s"][c, d].values, expected, rtol=1e-8)
