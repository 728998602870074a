"""Aggregated negative-binomial and beta-binomial nodes: the dispersion is the group figures'
(its own prior and label), predictive draws and simulations are at the group level, and
``cp.simulate`` writes what ``prepare_data`` needs for a node with ``observed_at``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytest
from scipy.special import expit
from scipy.stats import betabinom, nbinom

import copath as cp
from copath.kinds.count import GROUP_NB_SCALE
from copath.kinds.proportion import GROUP_BB_SCALE
from copath.model.aggregate import draw_group_figures
from copath.model.builder import build_model
from copath.model.data import prepare_data

SPEC = """name: agg
nodes:
  x: {kind: exposure}
  crime: {kind: count, family: negative_binomial, offset: households, per: 1000, observed_at: [borough, quarter],
          baseline: 20}
  trust: {kind: proportion, family: beta_binomial, trials: n, observed_at: [borough], weight: pop, baseline: 0.6}
  calls: {kind: count, family: negative_binomial, baseline: 5}
links:
  - {from: x, to: crime}
  - {from: x, to: trust}
  - {from: crime, to: calls}
outcomes: [trust, calls]
"""
CRIME, TRUST = "crime@borough x quarter", "trust@borough"
#: one aggregated negative-binomial count and its link, for the fits
NB_ONLY = """name: nb
nodes:
  x: {kind: exposure}
  crime: {kind: count, family: negative_binomial, offset: households, per: 1000, observed_at: [borough, quarter],
          baseline: 20}
links:
  - {from: x, to: crime}
outcomes: [crime]
"""


def test_simulate_writes_group_columns_and_one_figure_per_group_that_prepare_data_accepts():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=16, months=6, random_seed=3,
                      params={"inv_sqrt_phi": {CRIME: 0.4, "calls": 0.2}, "inv_sqrt_kappa": {TRUST: 0.3}})
    d = sim.data
    # 16 areas in round(sqrt(16)) = 4 consecutive blocks of 4; months 1-3 -> Q1, 4-6 -> Q2
    assert sorted(d["borough"].unique()) == ["borough0", "borough1", "borough2", "borough3"]
    assert (d.groupby("borough")["area"].nunique() == 4).all()
    assert d.loc[d["month"] <= 3, "quarter"].eq("Q1").all() and d.loc[d["month"] > 3, "quarter"].eq("Q2").all()
    # each group's rows share one figure (and a proportion's survey size); the weight is per area
    assert (d.groupby(["borough", "quarter"])["crime"].nunique() == 1).all()
    assert (d.groupby("borough")[["trust", "n"]].nunique() == 1).all().all()
    assert d["crime"].nunique() == 8 and d["trust"].nunique() <= 4
    assert (d.groupby("area")["pop"].nunique() == 1).all()
    # the truth names the group dispersions as the model does
    assert sim.truth["inv_sqrt_phi"] == {CRIME: 0.4, "calls": 0.2}
    assert sim.truth["inv_sqrt_kappa"] == {TRUST: 0.3}
    prepared = prepare_data(pw, d)
    assert prepared.aggregated["crime"].n_groups == 8 and prepared.aggregated["trust"].n_groups == 4
    # a count's group size is its summed offset / per, a proportion's its survey's respondents
    first = d.groupby(["borough", "quarter"]).first()
    assert np.allclose(prepared.aggregated["crime"].y, first["crime"].to_numpy())
    assert np.allclose(prepared.aggregated["crime"].size,
                       d.groupby(["borough", "quarter"])["households"].sum().to_numpy() / 1000)
    assert np.allclose(prepared.aggregated["trust"].size, d.groupby("borough")["n"].first().to_numpy())
    built = build_model(pw, d)
    assert built.model.coords["nb_node"] == (CRIME, "calls") and built.model.coords["bb_node"] == (TRUST,)
    # a node's name where its dispersion is group-level is refused, naming the label to use
    with pytest.raises(ValueError, match="named 'crime@borough x quarter'"):
        cp.simulate(pw, areas=4, months=3, params={"inv_sqrt_phi": {"crime": 0.4}})


def test_the_group_dispersion_has_its_own_prior():
    pw = cp.loads_pathway(SPEC)
    assert pw.nodes["crime"].node_kind.noise(pw.nodes["crime"]).scale == GROUP_NB_SCALE
    assert pw.nodes["trust"].node_kind.noise(pw.nodes["trust"]).scale == GROUP_BB_SCALE
    built = build_model(pw, cp.simulate(pw, areas=4, months=3, random_seed=0).data)
    sigma = built.model["inv_sqrt_phi"].owner.inputs[-1].eval()
    assert sigma.tolist() == [GROUP_NB_SCALE, 1.0]  # crime's group prior, calls' row prior


def _point(built, r_crime: float, r_calls: float, r_trust: float, b0: np.ndarray, beta: np.ndarray) -> dict:
    point = built.model.initial_point()
    point["intercept"] = b0
    point["beta"] = beta
    point["inv_sqrt_phi_log__"] = np.log([r_crime, r_calls])
    point["inv_sqrt_kappa_log__"] = np.log([r_trust])
    return point


def test_the_aggregated_likelihood_is_the_group_figures_nb_and_beta_binomial_with_the_group_dispersion():
    pw = cp.loads_pathway(SPEC)
    d = cp.simulate(pw, areas=16, months=6, random_seed=3).data
    built = build_model(pw, d)
    model = built.model
    assert list(model.coords["link"]) == ["x -> crime", "x -> trust", "crime -> calls"]
    b0, beta = np.array([np.log(20.0), 0.4, np.log(5.0)]), np.array([0.3, -0.2, 0.5])
    r_crime, r_calls, r_trust = 0.45, 0.9, 0.3  # distinct: the wrong entry would give other numbers
    point = _point(built, r_crime, r_calls, r_trust, b0, beta)
    logp = model.compile_logp(vars=[model["crime"], model["trust"]], sum=False)(point)
    # by hand: group total ~ NB(mean = sum_i s_i exp(eta_i), alpha = 1 / r^2), scipy's (n, p) = (alpha, alpha / (alpha + mean))
    x = d["x"].to_numpy() - built.plan.centres["x"]
    keys = d["borough"] + " | " + d["quarter"]
    mean = (d["households"] / 1000 * np.exp(b0[0] + beta[0] * x)).groupby(keys).sum().sort_index()
    y = d.groupby(keys)["crime"].first().sort_index()
    alpha = 1 / r_crime**2
    assert np.allclose(logp[0], nbinom.logpmf(y.to_numpy(), alpha, alpha / (alpha + mean.to_numpy())))
    # the row dispersion (calls') would give other numbers: the test can tell them apart
    wrong = 1 / r_calls**2
    assert not np.allclose(logp[0], nbinom.logpmf(y.to_numpy(), wrong, wrong / (wrong + mean.to_numpy())))
    # trust: successes ~ BetaBinomial(n_g, pbar kappa, (1 - pbar) kappa) at the pop-weighted mean share
    share = expit(b0[1] + beta[1] * x)
    pbar = (d["pop"] * share).groupby(d["borough"]).sum() / d["pop"].groupby(d["borough"]).sum()
    n = d.groupby("borough")["n"].first().to_numpy()
    k = 1 / r_trust**2
    yt = d.groupby("borough")["trust"].first().to_numpy()
    assert np.allclose(logp[1], betabinom.logpmf(yt, n, pbar.to_numpy() * k, (1 - pbar.to_numpy()) * k))
    # the sampling model (kernels, no data-only constants) moves with the group dispersions as
    # the row-level model does: the same change of log density between two points
    collapsed = build_model(pw, d, collapse=True).model
    other = _point(built, 0.2, r_calls, 0.6, b0, beta)
    sampled, rows = collapsed.compile_logp(), model.compile_logp()
    change = rows(point) - rows(other)
    assert abs(change) > 1.0 and np.isclose(sampled(point) - sampled(other), change)


def test_predictive_draws_of_an_aggregated_count_are_group_level_nb_with_the_group_dispersion():
    pw = cp.loads_pathway(NB_ONLY)
    d = cp.simulate(pw, areas=16, months=6, random_seed=4).data
    built = build_model(pw, d)
    r, b0, beta = 0.5, np.log(20.0), 0.3
    fixed = pm.do(built.model, {"inv_sqrt_phi": np.array([r]), "intercept": np.array([b0]),
                                "beta": np.array([beta])})
    draws = pm.draw(fixed["crime"], draws=4000, random_seed=1)
    assert draws.shape == (4000, 8)  # one per borough x quarter group, not per row
    x = d["x"].to_numpy() - built.plan.centres["x"]
    keys = d["borough"] + " | " + d["quarter"]
    mu = d["households"] / 1000 * np.exp(b0 + beta * x)
    m = mu.groupby(keys).sum().sort_index().to_numpy()
    group_nb = m + m**2 * r**2  # NB2 at the group level with the group dispersion
    rows_summed = m + (mu**2).groupby(keys).sum().sort_index().to_numpy() * r**2  # 12 NB rows summed: ~ m + m^2 r^2 / 12
    ratio = draws.var(axis=0) / group_nb
    assert np.all(np.abs(ratio - 1) < 0.15), ratio
    assert np.all(group_nb / rows_summed > 5)  # the two readings are far apart here
    assert np.allclose(draws.mean(axis=0) / m, 1, atol=0.05)


def test_simulated_group_figures_spread_as_the_group_level_likelihood_says():
    pw = cp.loads_pathway(SPEC)
    # 3,000 copies of one group of 12 rows (one borough x quarter): one draw each, in one call
    copies, rows = 3000, 12
    households = np.tile(np.linspace(500.0, 1600.0, rows), copies)
    d = pd.DataFrame({"borough": np.repeat(np.arange(copies), rows).astype(str), "quarter": "Q1"})
    rng = np.random.default_rng(7)
    totals = draw_group_figures(pw.nodes["crime"], np.full(len(d), np.log(10.0)), d,  # 10 per 1,000 households
                                {"households": households}, 0.3, rng)[::rows]
    m = households[:rows].sum() / 1000 * 10
    assert abs(totals.mean() / m - 1) < 0.03
    assert abs(totals.var() / (m + m**2 * 0.09) - 1) < 0.1  # NB2 at the group level, dispersion 1 / 0.3^2
    # a proportion: beta-binomial at the weighted mean share, with the group's respondents
    share = np.tile(np.where(np.arange(rows) < 3, 0.2, 0.7), copies)
    pop = np.tile(np.linspace(1.0, 3.0, rows), copies)
    n = np.full(len(d), 150.0)
    ys = draw_group_figures(pw.nodes["trust"], np.log(share / (1 - share)), d, {"n": n, "pop": pop}, 0.3,
                            rng)[::rows]
    pbar, k = float((pop * share)[:rows].sum() / pop[:rows].sum()), 1 / 0.09
    assert abs(ys.mean() / (150 * pbar) - 1) < 0.03
    assert abs(ys.var() / betabinom.var(150, pbar * k, (1 - pbar) * k) - 1) < 0.1


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_group_dispersion_is_recovered_from_simulated_group_totals():
    pw = cp.loads_pathway(NB_ONLY)
    sim = cp.simulate(pw, areas=36, months=24, random_seed=11,
                      params={"inv_sqrt_phi": {CRIME: 0.3}, "beta": {"x -> crime": 0.3}})
    assert sim.data.groupby(["borough", "quarter"]).ngroups == 48
    # the unit prior on x -> crime (the default before priors were put on the data's scale): with
    # 2.5 / sd(x) this small fit's R-hat was 1.011, just over the threshold (copath.model.autoscale)
    unit = {"x -> crime": cp.priors_for(pw, None)["x -> crime"]}
    res = cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=2, progressbar=False, priors=unit)
    assert res.diagnostics().passed
    r = res.posterior["inv_sqrt_phi"].sel(nb_node=CRIME).values.ravel()
    low, high = np.quantile(r, [0.03, 0.97])
    assert low < 0.3 < high and high - low < 0.3, (low, high)
    row = res.summary().loc["x -> crime"]
    assert row["post_hdi_low"] < 0.3 < row["post_hdi_high"]
    ppc = res.posterior_predictive().loc["crime"]
    assert 0.85 <= ppc["coverage"] <= 1.0


def test_calibration_truth_names_the_group_dispersion_as_the_model_does():
    from copath.calibration.sbc import draw_prior_params, model_truth

    pw = cp.loads_pathway(SPEC)
    params = draw_prior_params(pw, cp.priors_for(pw, None), np.random.default_rng(0))
    sim = cp.simulate(pw, areas=9, months=6, params=params, random_seed=1)
    built = build_model(pw, sim.data, centres=sim.truth["centres"])
    truth = model_truth(pw, built.plan, sim.truth)
    noise = {k for k in truth if k.startswith("inv_sqrt")}
    assert noise == {f"inv_sqrt_phi[{CRIME}]", "inv_sqrt_phi[calls]", f"inv_sqrt_kappa[{TRUST}]"}
    coords = {f"{v}[{label}]" for v, dim in (("inv_sqrt_phi", "nb_node"), ("inv_sqrt_kappa", "bb_node"))
              for label in built.model.coords[dim]}
    assert noise == coords  # every ranked dispersion is found in the posterior by its label


@pytest.mark.slow  # two simulations fitted, about 25 s (make test-slow)
def test_calibrate_runs_a_pathway_with_aggregated_nodes():
    pw = cp.loads_pathway(NB_ONLY)
    cal = cp.calibrate(pw, n_sims=2, areas=9, months=6, n_post=20, workers=1, progressbar=False,
                       settings=cp.FitSettings(draws=100, tune=150, chains=2, progressbar=False))
    labels = {"x -> crime", "intercept[crime]", f"inv_sqrt_phi[{CRIME}]"}
    assert set(cal.ranks.columns) == labels
    assert cal.ranks.to_numpy().min() >= 0 and cal.ranks.to_numpy().max() <= 20
