"""Sensitivity for a whole path: a route whose links trade off is named as the path (issue 29 item 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.sensitivity.path_shares import path_shares, paths_between

MEDIATED = """name: mediated
nodes:
  x: {kind: exposure, range: [0, 1]}
  m: {kind: count, baseline: 4, offset: pop, per: 10000}
  y: {kind: continuous, baseline: 5, scale: 0.5}
links:
  - {from: x, to: m}
  - {from: m, to: y}
outcomes: [y]
"""


def test_paths_between_lists_routes_of_two_or_more_links(flagship):
    routes = paths_between(flagship, "speedwatch", "qol_citizens")
    assert routes == [("speedwatch", "road_casualties", "qol_citizens")]
    # a direct link alone is not a path; beat meetings reach qol_citizens three ways
    routes = paths_between(flagship, "beat_meetings", "qol_citizens")
    assert ("beat_meetings", "worried", "qol_citizens") in routes
    assert all(len(r) >= 3 for r in routes) and len(routes) == len(set(routes))
    assert [len(r) for r in routes] == sorted(len(r) for r in routes)
    assert paths_between(flagship, "qol_citizens", "speedwatch") == []


def test_path_share_against_links_on_hand_built_draws():
    rng = np.random.default_rng(7)
    a = rng.normal(1.0, 0.05, 3000)     # an independent, well-known link
    b = rng.normal(0.5, 0.1, 3000)
    params = pd.DataFrame({"x -> m": a, "m -> y": b, "x -> y": rng.normal(0, 0.01, 3000)})
    table = path_shares({"e": a * b}, {"e": [("x", "m", "y")]}, params)
    row = table.iloc[0]
    # y is the product itself: the path explains all of it; b explains most too (a varies less)
    assert row["share"] == pytest.approx(1.0, abs=0.01)
    assert 0.7 < row["largest_link_share"] < row["share"]
    assert abs(row["correlation"]) < 0.1 and not row["trade_off"]


def test_a_product_ridge_trades_off_at_any_width_and_links_rising_together_do_not():
    rng = np.random.default_rng(8)
    for width in (0.5, 1.5):   # the coefficients' own correlation fades as the hyperbola widens
        a = np.exp(rng.normal(0, width, 4000))
        b = 0.3 / a * np.exp(rng.normal(0, 0.05, 4000))
        row = path_shares({"e": a * b}, {"e": [("x", "m", "y")]}, pd.DataFrame({"x -> m": a, "m -> y": b})).iloc[0]
        assert row["trade_off"] and row["correlation"] < -0.95
    a = np.exp(rng.normal(0, 0.5, 4000))
    b = a * np.exp(rng.normal(0, 0.3, 4000))     # rising together: the product spreads more, no trade-off
    row = path_shares({"e": a * b}, {"e": [("x", "m", "y")]}, pd.DataFrame({"x -> m": a, "m -> y": b})).iloc[0]
    assert row["correlation"] > 0.5 and not row["trade_off"]


def test_chains_in_mirror_modes_do_not_make_a_trade_off_of_their_own():
    rng = np.random.default_rng(9)
    # two chains at opposite signs, each with independent links: pooled, a and b correlate strongly
    a = np.concatenate([rng.normal(-0.5, 0.05, 1000), rng.normal(0.5, 0.05, 1000)])
    b = np.concatenate([rng.normal(-0.3, 0.05, 1000), rng.normal(0.3, 0.05, 1000)])
    params = pd.DataFrame({"x -> m": a, "m -> y": b})
    assert np.corrcoef(a, b)[0, 1] > 0.9
    row = path_shares({"e": a * b}, {"e": [("x", "m", "y")]}, params, chains=2).iloc[0]
    assert abs(row["correlation"]) < 0.1 and not row["trade_off"]


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_trading_links_are_named_as_one_path():
    pw = cp.loads_pathway(MEDIATED)
    sim = cp.simulate(pw, areas=40, months=12, random_seed=3,
                      params={"beta": {"x -> m": -0.8, "m -> y": 0.5}, "intercept": {"m": 1.4, "y": 5.0},
                              "sigma": {"y": 0.3}})
    res = cp.fit(pw, sim.data, draws=500, tune=500, chains=2, random_seed=3, progressbar=False,
                 prior_draws=0, ppc_draws=50)
    sc = res.scenario({"x": "+0.2"}, name="more x")
    sens = res.sensitivity(scenarios=[sc])
    row = sens.paths.set_index("path").loc["x -> m -> y"]
    assert row["trade_off"] and row["correlation"] <= -0.5
    # the path explains nearly all of the effect, each of its links alone far less
    assert row["share"] > 0.9 > 0.5 > row["largest_link_share"]
    assert row["largest_link_share"] == pytest.approx(sens.importance["more x: y"].max(), abs=1e-9)
    text = sens.describe()
    assert "more x: y runs through the path x -> m -> y: the product of its links explains" in text
    assert "its links trade off in the posterior" in text
    # the links are still ranked among themselves, the path apart from them
    assert "hangs most on: the path" not in text
