"""Scenarios, path-specific effects and comparisons on fitted pathways."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from scipy.special import expit

import copath as cp
from tests.pathways import toy_spec

CHAIN = """name: chain
nodes:
  x: {kind: exposure}
  m: {kind: continuous, better: higher}
  y: {kind: continuous, better: higher}
links:
  - {from: x, to: m}
  - {from: m, to: y}
  - {from: x, to: y}
outcomes: [y]
"""
A, B, C = 0.8, -0.5, 0.3

COUNT_PROP = toy_spec("cp", c={"offset": "hh", "per": 1000, "better": "lower"}, p={"better": "higher"}, y=False)


@pytest.fixture(scope="module")
def chain_fit():
    pw = cp.loads_pathway(CHAIN)
    sim = cp.simulate(pw, areas=80, months=5, random_seed=2, params={
        "beta": {"x -> m": A, "m -> y": B, "x -> y": C}, "sigma": {"m": 0.5, "y": 0.5}})
    return cp.fit(pw, sim.data, draws=500, tune=400, chains=2, random_seed=3, progressbar=False)


@pytest.fixture(scope="module")
def cp_fit():
    pw = cp.loads_pathway(COUNT_PROP)
    sim = cp.simulate(pw, areas=50, months=4, random_seed=8, params={
        "beta": {"x -> c": -1.0, "c -> p": 0.5}, "intercept": {"c": 1.5, "p": 0.0}})
    return cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=4, progressbar=False)


def test_linear_chain_total_and_path_split(chain_fit):
    eff = chain_fit.path_effects("x", "y")
    table = eff.table()
    assert table.loc["total", "mean"] == pytest.approx(A * B + C, abs=0.08)
    assert table.loc["x -> m -> y", "mean"] == pytest.approx(A * B, abs=0.08)
    assert table.loc["x -> y", "mean"] == pytest.approx(C, abs=0.08)
    # identity links: the natural direct effect is the direct path's share
    assert table.loc["natural direct (PNDE)", "mean"] == pytest.approx(table.loc["x -> y", "mean"])
    # the parts add up to the total draw by draw
    np.testing.assert_allclose(sum(eff.proportional_split.values()), eff.total)
    # and the forward pass of a do(x + 1) scenario gives the same total
    sc = chain_fit.scenario({"x": "+1"})
    np.testing.assert_allclose(sc.difference("y"), eff.total, rtol=1e-8, atol=1e-10)


def test_scenario_matches_hand_computation(cp_fit):
    res = cp_fit
    sc = res.scenario({"x": "x1.1"})
    post = res.posterior.stack(s=("chain", "draw"))
    beta = post["beta"].transpose("s", "link").values
    a = post["intercept"].transpose("s", "node").values
    x = res.data["x"].to_numpy()
    xc = x.mean()
    centre_c = res.centres()["c"]  # c enters p centred at its level in the data
    # means weighted by each row's size: households / 1000 for the count, trials for the share
    w_c, w_p = res.data["hh"].to_numpy() / 1000, res.data["n"].to_numpy()

    def means(xv):
        eta_c = a[:, [0]] + beta[:, [0]] * (xv - xc)
        eta_p = a[:, [1]] + beta[:, [1]] * (eta_c - centre_c)
        return np.exp(eta_c) @ w_c / w_c.sum(), expit(eta_p) @ w_p / w_p.sum()

    c0, p0 = means(x)
    c1, p1 = means(x * 1.1)
    # the scenario engine keeps the baseline linear predictors in float32: agreement to ~1e-7
    np.testing.assert_allclose(sc.baseline["c"], c0, rtol=1e-12)
    np.testing.assert_allclose(sc.values["p"] - sc.baseline["p"], p1 - p0, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(sc.values["c"], c1, rtol=1e-6)
    table = sc.outcomes()
    assert table.loc["c", "difference"] == pytest.approx((c1 - c0).mean(), rel=1e-4)
    # totals: the mean times the summed sizes, i.e. expected events (successes) over the rows
    assert table.loc["c", "weighted_by"] == "hh" and table.loc["p", "weighted_by"] == "n"
    assert table.loc["c", "total_difference"] == pytest.approx((c1 - c0).mean() * w_c.sum(), rel=1e-4)
    assert table.loc["p", "total_baseline"] == pytest.approx(p0.mean() * w_p.sum(), rel=1e-6)
    assert table.loc["c", "total_difference_per_year"] == pytest.approx(
        table.loc["c", "total_difference"] * 12 / res.data["month"].nunique())
    # a log-link count with an intercept reproduces the data's total: the weighted baseline
    # is total events over total households (per 1000), where an unweighted mean of rates is not
    observed_rate = res.data["c"].sum() / w_c.sum()
    assert table.loc["c", "baseline_mean"] == pytest.approx(observed_rate, rel=0.02)
    assert "per year" in sc.describe() and "- c: " in sc.describe().split("per year")[1]
    assert table.loc["c", "p_improves"] == pytest.approx(np.mean(c1 - c0 < 0))
    assert list(table.index) == ["p", "c"] and table.loc["p", "role"] == "final"


def test_forward_pass_agrees_with_pm_do(cp_fit):
    res = cp_fit
    sc = res.scenario({"x": 0.9})
    model = res.built.model
    new_x = np.full(len(res.data), 0.9)
    intervened = pm.do(model, {"x_x": new_x})
    thinned = res.idata.isel(draw=slice(None, None, 2))
    with intervened:
        pp = pm.sample_posterior_predictive(thinned, var_names=["p"], random_seed=1, progressbar=False)
    share = pp["posterior_predictive"]["p"].values / res.data["n"].to_numpy()
    forward = sc.values["p"].mean()
    assert share.mean() == pytest.approx(forward, abs=0.01)


def test_changes_on_some_areas_only(cp_fit):
    res = cp_fit
    areas = sorted(res.data["area"].unique())[:5]
    sc = res.scenario({"x": "x1.1"}, areas=areas, name="five areas")
    assert sc.name == "five areas" and sc.areas == areas
    assert "in 5 area(s)" in sc.describe()


def test_mediator_intervention(cp_fit):
    sc = cp_fit.scenario({"c": "-10%"})
    np.testing.assert_allclose(sc.values["c"], 0.9 * sc.baseline["c"], rtol=1e-6)
    assert (sc.values["p"] - sc.baseline["p"]).std() > 0


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"nope": "+1"}, "unknown node 'nope'"),
        ({"x": "+0.99"}, "outside its range"),
        ({"x": "a bit more"}, "cannot read change"),
        ({"p": 1.5}, "strictly between 0 and 1"),
        ({}, "at least one change"),
    ],
)
def test_bad_scenarios_are_refused(cp_fit, changes, match):
    with pytest.raises(ValueError, match=match):
        cp_fit.scenario(changes)


def test_prior_only_links_are_marked():
    pw = cp.loads_pathway(COUNT_PROP)
    data = cp.simulate(pw, areas=20, months=3, random_seed=5).data.drop(columns="p")
    res = cp.fit(pw, data, draws=200, tune=200, chains=2, random_seed=1, progressbar=False)
    table = res.scenario({"x": "x1.1"}).outcomes()
    assert table.loc["p", "prior_only"] and table.loc["p", "prior_only_links"] == "c -> p"
    assert not table.loc["c", "prior_only"]
    # the prior-only link still carries its uncertainty into the outcome
    assert table.loc["p", "diff_hdi_high"] > table.loc["p", "diff_hdi_low"]
    # ...and most of it: by hand, fix c -> p at its posterior mean and recompute p's difference
    post = res.posterior.stack(s=("chain", "draw"))
    beta = post["beta"].transpose("s", "link").values
    a = post["intercept"].transpose("s", "node").values
    x, n = res.data["x"].to_numpy(), res.data["n"].to_numpy()
    centre_c = res.centres()["c"]

    def p_difference(b_cp):
        eta_c0 = a[:, [0]] + beta[:, [0]] * (x - x.mean())
        eta_c1 = a[:, [0]] + beta[:, [0]] * (1.1 * x - x.mean())
        mean = lambda eta_c: expit(a[:, [1]] + b_cp[:, None] * (eta_c - centre_c)) @ n / n.sum()
        return mean(eta_c1) - mean(eta_c0)

    full, fixed = p_difference(beta[:, 1]), p_difference(np.full(len(beta), beta[:, 1].mean()))
    assert table.loc["p", "uninformed_share"] == pytest.approx(1 - fixed.var() / full.var(), abs=1e-4)
    assert table.loc["p", "uninformed_share"] > 0.5 and table.loc["c", "uninformed_share"] == 0.0


def test_compare_table_and_figure(cp_fit):
    a = cp_fit.scenario({"x": "x1.1"}, name="more")
    b = cp_fit.scenario({"x": "x0.9"}, name="less")
    cmp = cp.compare([a, b])
    assert list(cmp.table.index) == [("p", "more"), ("p", "less")]
    assert cmp.table.loc[("p", "more"), "difference"] * cmp.table.loc[("p", "less"), "difference"] < 0
    assert len(cmp.figure.axes) == 1


def test_parse_change():
    from copath.scenarios.changes import parse_change

    assert parse_change("-10%").apply(np.array([2.0]))[0] == pytest.approx(1.8)
    assert parse_change("+0.2").apply(np.array([0.1]))[0] == pytest.approx(0.3)
    assert parse_change("x2").apply(np.array([0.1]))[0] == pytest.approx(0.2)
    assert parse_change("0.4").apply(np.array([0.1]))[0] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="100%"):
        parse_change("-100%")


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_cli_scenario(cp_fit, tmp_path):
    import subprocess
    import sys

    out = cp_fit.save(tmp_path / "run")
    proc = subprocess.run([sys.executable, "-m", "copath", "scenario", str(out), "--set", "x=x1.1",
                           "--name", "ten percent"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "P(improves)" in proc.stdout
    import pandas as pd

    table = pd.read_csv(out / "scenario_ten_percent.csv", index_col="outcome")
    assert set(table.index) == {"c", "p"}
    bad = subprocess.run([sys.executable, "-m", "copath", "scenario", str(out), "--set", "x=+5"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "outside its range" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_uninformed_share_is_not_given_where_links_are_informed_only_as_a_product():
    """x -> c -> p with c without data: x -> c and c -> p are informed only as a product, so
    fixing one at its mean is not 'knowing' it (the other's posterior leans on it)."""
    pw = cp.loads_pathway(toy_spec("prod", c={"offset": "hh", "per": 1000}, y=False, directions={"c -> p": "+"}))
    data = cp.simulate(pw, areas=20, months=3, random_seed=5).data.drop(columns="c")
    res = cp.fit(pw, data, draws=200, tune=200, chains=2, random_seed=1, progressbar=False)
    assert res.summary().loc["x -> c", "identification"] == "product"
    sc = res.scenario({"x": "x1.1"})
    assert np.isnan(sc.outcomes().loc["p", "uninformed_share"])


def test_a_ranged_continuous_node_is_clipped_to_its_range_and_says_how_often():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure, range: [0, 1]}\n"
                          "  y: {kind: continuous, range: [0, 10], baseline: 9, scale: 2}\n"
                          "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    data = cp.simulate(pw, areas=10, months=2, random_seed=0).data.drop(columns=["y"])  # y has no data
    res = cp.fit(pw, data, draws=300, tune=300, chains=2, random_seed=1, progressbar=False)
    sc = res.scenario({"x": "+0.2"})
    row = sc.outcomes().loc["y"]
    # by hand: each draw's expected y per row (intercept + beta (x - centre)), clipped to [0, 10], averaged
    post = res.posterior.stack(sample=("chain", "draw"))
    x = data["x"].to_numpy()
    eta = (post["intercept"].sel(node="y").values[:, None]
           + post["beta"].sel(link="x -> y").values[:, None] * (x[None, :] - res.centres()["x"]))
    assert np.allclose(sc.baseline["y"], np.clip(eta, 0, 10).mean(axis=1))
    assert row["outside_range"] == pytest.approx(np.mean((eta < 0) | (eta > 10)))
    assert 0.1 < row["outside_range"] < 0.9  # intercept prior N(9, 4): a good share of draws above 10
    assert sc.values["y"].max() <= 10 and sc.baseline["y"].max() <= 10
    assert "outside its range [0, 10]" in sc.describe()


def test_yearly_totals_of_a_share_say_they_count_the_trials_in_the_data(cp_fit):
    # p's successes are among its trials n (e.g. survey respondents), not the population: the analyst trial
    # read 'worried: -389 a year' as residents
    text = cp_fit.scenario({"x": "x0.9"}).describe()
    yearly = [ln for ln in text.splitlines() if " a year" in ln]
    assert "among the n counted in the data" in next(ln for ln in yearly if ln.startswith("- p:"))
    assert "counted in the data" not in next(ln for ln in yearly if ln.startswith("- c:"))
