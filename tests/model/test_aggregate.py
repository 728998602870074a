"""Coarser-level observations, shares with an effective sample size, and the beta-binomial."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import copath as cp
from copath.errors import DataError, SpecError
from copath.kinds.proportion import effective_sample_size
from copath.model.data import prepare_data

FINE = """name: fine
nodes:
  x: {kind: exposure}
  p: {kind: proportion, trials: n}
links:
  - {from: x, to: p}
outcomes: [p]
"""
COARSE = FINE.replace("name: fine", "name: coarse").replace(
    "{kind: proportion, trials: n}", "{kind: proportion, trials: n, observed_at: [borough, quarter], weight: pop}")
BB = FINE.replace("{kind: proportion, trials: n}", "{kind: proportion, trials: n, family: beta_binomial}")


def survey_data(seed: int = 5, beta: float = 0.8) -> pd.DataFrame:
    """Rows of 40 areas x 12 months; the node observed only as a survey per borough (4 areas)
    and quarter, whose respondents are drawn at the population-weighted mean share."""
    sim = cp.simulate(cp.loads_pathway(FINE), areas=40, months=12, random_seed=seed)
    d = sim.data.drop(columns=["p", "n"])
    number = d["area"].str[1:].astype(int)
    d["borough"] = "B" + (number // 4).astype(str)
    d["quarter"] = "Q" + ((d["month"] - 1) // 3 + 1).astype(str)
    d["pop"] = 1.0 + number % 3
    share = expit(0.3 + beta * (d["x"] - d["x"].mean()))
    rng = np.random.default_rng(seed)
    groups = d.assign(w=d["pop"] * share).groupby(["borough", "quarter"])
    pbar = groups["w"].sum() / groups["pop"].sum()
    survey = pd.DataFrame({"n": rng.integers(80, 150, len(pbar))}, index=pbar.index)
    survey["p"] = rng.binomial(survey["n"], pbar)
    return d.join(survey, on=["borough", "quarter"])


def test_a_link_is_recovered_from_group_aggregates():
    data = survey_data()
    pw = cp.loads_pathway(COARSE)
    prepared = prepare_data(pw, data)
    agg = prepared.aggregated["p"]
    assert agg.n_groups == 40 and agg.rows.size == len(data)  # 10 boroughs x 4 quarters, every row in a group
    # within a group the weights are the rows' populations over the group's
    g0 = agg.group == 0
    assert np.allclose(agg.weights[g0], data["pop"].to_numpy()[agg.rows[g0]] / data["pop"].to_numpy()[agg.rows[g0]].sum())
    res = cp.fit(pw, data, draws=500, tune=500, chains=2, random_seed=1, progressbar=False)
    assert res.diagnostics().passed
    row = res.summary().loc["x -> p"]
    assert row["post_hdi_low"] < 0.8 < row["post_hdi_high"]
    assert row["post_sd"] < 0.15  # prior sd 2: the aggregates inform it
    ppc = res.posterior_predictive().loc["p"]
    assert 0.85 <= ppc["coverage"] <= 1.0
    # a scenario's mean is weighted by the node's 'weight' column, not by respondents
    out = res.scenario({"x": "+1"}).outcomes().loc["p"]
    assert out["weighted_by"] == "pop" and np.isnan(out["total_difference"])


def test_group_figures_must_agree_and_group_columns_be_present():
    data = survey_data()
    pw = cp.loads_pathway(COARSE)
    bad = data.copy()
    bad.loc[bad.index[:2], "p"] = [10, 11]  # the first two rows share a group
    with pytest.raises(DataError, match=r"observed at borough x quarter.*differ in 1 group\(s\), first: B0 \| Q1"):
        prepare_data(pw, bad)
    gap = data.copy()
    gap.loc[3, "borough"] = None
    with pytest.raises(DataError, match="column 'borough'.*every row"):
        prepare_data(pw, gap)
    with pytest.raises(DataError, match=r"'quarter' \(group of p\)"):
        prepare_data(pw, data.drop(columns=["quarter"]))
    # rows outside any surveyed group are fine: their group has no figure
    part = data.copy()
    part.loc[part["quarter"] == "Q4", ["p", "n"]] = np.nan
    assert prepare_data(pw, part).aggregated["p"].n_groups == 30


def test_spec_refuses_what_an_aggregate_cannot_carry():
    with pytest.raises(SpecError, match="no group \\(area\\) or time effects"):
        cp.loads_pathway(COARSE.replace("weight: pop}", "weight: pop, area_effects: true}"))
    with pytest.raises(SpecError, match="'weight' weights a proportion"):
        cp.loads_pathway(FINE.replace("trials: n}", "trials: n, weight: pop}"))
    with pytest.raises(SpecError, match="given_as must be one of"):
        cp.loads_pathway(FINE.replace("trials: n}", "trials: n, given_as: ratio}"))
    with pytest.raises(SpecError, match="family must be one of 'binomial', 'beta_binomial'"):
        cp.loads_pathway(FINE.replace("trials: n}", "trials: n, family: poisson}"))


@pytest.mark.slow  # 12 s: two fits compared; make test-slow (make test stays under 10 minutes)
def test_a_share_with_an_effective_sample_size_is_the_same_likelihood_as_its_successes():
    sim = cp.simulate(cp.loads_pathway(FINE), areas=20, months=3, random_seed=2)
    counts = cp.fit(cp.loads_pathway(FINE), sim.data, draws=200, tune=200, chains=2, random_seed=3,
                    progressbar=False)
    percent = sim.data.assign(p=100 * sim.data["p"] / sim.data["n"])
    pw = cp.loads_pathway(FINE.replace("trials: n}", "trials: n, given_as: percent}"))
    shares = cp.fit(pw, percent, draws=200, tune=200, chains=2, random_seed=3, progressbar=False)
    # same kernel at share x size = successes: the same draws, to rounding
    assert np.allclose(counts.posterior["beta"].values, shares.posterior["beta"].values, atol=1e-6)
    # and the row-level likelihood (with its constant) matches the binomial's
    assert np.allclose(counts.idata["log_likelihood"]["p"].values, shares.idata["log_likelihood"]["p"].values,
                       atol=1e-6)
    # a share outside 0-100, or a negative sample size, is one clear error
    with pytest.raises(DataError, match="percents from 0 to 100"):
        prepare_data(pw, percent.assign(p=percent["p"] + 150))
    assert effective_sample_size(0.5, 0.05) == pytest.approx(100.0)


@pytest.mark.slow  # two fits, 12 s: make test stays under its 10-minute budget (make test-slow)
def test_beta_binomial_covers_where_the_binomial_is_too_sure():
    pw, plain = cp.loads_pathway(BB), cp.loads_pathway(FINE)
    sim = cp.simulate(pw, areas=30, months=4, random_seed=0,
                      params={"beta": {"x -> p": 0.5}, "intercept": {"p": 0.0}, "inv_sqrt_kappa": {"p": 0.3}})
    res = cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=1, progressbar=False)
    assert res.diagnostics().passed
    row = res.summary().loc["x -> p"]
    assert row["post_hdi_low"] < 0.5 < row["post_hdi_high"]
    assert 0.88 <= res.posterior_predictive().loc["p", "coverage"] <= 1.0
    r = res.posterior["inv_sqrt_kappa"].values.ravel()
    assert np.quantile(r, 0.03) < 0.3 < np.quantile(r, 0.97)
    binomial = cp.fit(plain, sim.data, draws=400, tune=400, chains=2, random_seed=1, progressbar=False)
    assert binomial.posterior_predictive().loc["p", "coverage"] < 0.8  # the overdispersion it cannot see


@pytest.mark.slow  # 20 fits, about 2 minutes (make test-slow)
def test_beta_binomial_intervals_cover_at_their_nominal_rate():
    pw = cp.loads_pathway(BB)
    covered = []
    for seed in range(20):
        sim = cp.simulate(pw, areas=30, months=4, random_seed=100 + seed,
                          params={"beta": {"x -> p": 0.5}, "inv_sqrt_kappa": {"p": 0.3}})
        res = cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=seed, progressbar=False)
        row = res.summary().loc["x -> p"]
        covered.append(row["post_hdi_low"] <= 0.5 <= row["post_hdi_high"])
    # 94% intervals over 20 data sets: 16 or more covered has probability 0.99 if calibrated
    assert sum(covered) >= 16, covered


def test_review_fixes_for_aggregates():
    data = survey_data()
    pw = cp.loads_pathway(COARSE)
    # a group whose rows weigh nothing is one clear error, not NaN weights
    zero = data.assign(pop=np.where(data["borough"] == "B3", 0.0, data["pop"]))
    with pytest.raises(DataError, match=r"4 group\(s\) of p weigh nothing in all \(first: B3 \| Q1"):
        prepare_data(pw, zero)
    # a maturity lag cannot apply to groups that span several months
    with pytest.raises(SpecError, match="cannot have a 'maturity_lag'"):
        cp.loads_pathway(COARSE.replace("weight: pop}", "weight: pop, maturity_lag: 2}"))
    # the identification check reads a parent at the groups' means, not at one row per group
    first = prepare_data(pw, data).aggregated["p"].first
    flat = data.copy()
    flat.loc[first, "x"] = 0.5  # one row per group constant; the groups' means still differ
    from copath.evidence.priors import priors_for
    from copath.model.identification import identify

    ident = identify(pw, prepare_data(pw, flat), priors_for(pw, None))
    assert ident.statuses["x -> p"] == "local data", ident.reasons["x -> p"]


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_yearly_rows_count_as_twelve_months_and_shares_have_no_totals():
    pw = cp.loads_pathway(FINE.replace("trials: n}", "trials: n, given_as: share}"))
    sim = cp.simulate(cp.loads_pathway(FINE), areas=8, months=3, random_seed=1).data
    sim["month"] = sim["month"].map({1: "2014-12", 2: "2015-12", 3: "2016-12"})
    sim["p"] = sim["p"] / sim["n"]
    res = cp.fit(pw, sim, draws=200, tune=200, chains=2, random_seed=1, progressbar=False)
    sc = res.scenario({"x": "+0.5"})
    assert sc.months() == 36  # three yearly labels stand for 36 months
    row = sc.outcomes().loc["p"]
    assert np.isnan(row["total_difference_per_year"]) and row["weighted_by"] == ""  # a sample size is no population
