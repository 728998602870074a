"""The predictive checks' verdict: it joins the sampler's, flags misfits with a remedy, reads shares as shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.model.predictive import coverage_floor, flag_reasons, misfits, remedies
from copath.reports.content import _badge

SHARES = """name: shares
nodes:
  x: {kind: exposure}
  p: {kind: proportion, trials: n, given_as: share, family: beta_binomial}
links:
  - {from: x, to: p}
outcomes: [p]
"""
BINOMIAL = SHARES.replace(", family: beta_binomial", "")


def overdispersed_shares() -> pd.DataFrame:
    """Shares with an effective sample size drawn beta-binomial: 1 + (n - 1)/(kappa + 1) = about 4.7 times
    the binomial's variance at n = 46, kappa = 11 (inv_sqrt_kappa 0.3)."""
    sim = cp.simulate(cp.loads_pathway(SHARES), areas=30, months=3, random_seed=1,
                      params={"beta": {"x -> p": 0.5}, "intercept": {"p": 0.5}, "inv_sqrt_kappa": {"p": 0.3}})
    return sim.data


def _row(coverage: float, p_mean: float = 0.5, p_sd: float = 0.5, n_obs: int = 320) -> pd.Series:
    return pd.Series({"coverage": coverage, "p_mean": p_mean, "p_sd": p_sd, "n_obs": n_obs})


def test_the_rule_flags_far_coverage_and_extreme_p_values_only():
    # 0.94 - max(0.05, 3 sqrt(0.94 x 0.06 / n)): 0.89 at n = 320; at n = 20 the 3 SEs (0.159) bind
    assert coverage_floor(0.94, 320) == pytest.approx(0.89)
    assert coverage_floor(0.94, 20) == pytest.approx(0.94 - 3 * np.sqrt(0.94 * 0.06 / 20))
    assert flag_reasons(_row(0.90), 0.94) == []
    assert flag_reasons(_row(0.88), 0.94) == ["coverage 0.88 of the 94% intervals (below 0.89)"]
    assert flag_reasons(_row(0.88, n_obs=20), 0.94) == []  # a shortfall chance explains with 20 rows
    assert flag_reasons(_row(1.0), 0.94) == []  # over-coverage: not a misfit (discrete data cover more)
    assert flag_reasons(_row(0.95, p_mean=0.995, p_sd=0.009), 0.94) == ["p_mean 0.995", "p_sd 0.009"]
    assert flag_reasons(_row(0.95, p_mean=0.99, p_sd=0.01), 0.94) == []  # the bounds themselves pass


def test_remedies_name_the_overdispersed_family_a_node_lacks():
    plain = cp.loads_pathway(BINOMIAL).nodes["p"]
    bb = cp.loads_pathway(SHARES).nodes["p"]
    narrow = ["coverage 0.68 of the 94% intervals (below 0.89)"]
    assert "family: beta_binomial" in remedies(plain, narrow)
    assert "family: beta_binomial" not in remedies(bb, narrow) and "effect of time" in remedies(bb, narrow)
    count = cp.loads_pathway(BINOMIAL.replace("{kind: proportion, trials: n, given_as: share}",
                                              "{kind: count, offset: hh}")).nodes["p"]
    assert "family: negative_binomial" in remedies(count, ["p_sd 0.000"])
    assert remedies(plain, ["p_sd 0.998"]).startswith("The data vary less than the model predicts")
    assert "misses the node's mean" in remedies(plain, ["p_mean 0.000"])
    table = pd.DataFrame([_row(0.68, p_sd=0.0), _row(0.95)], index=pd.Index(["p", "x"], name="node"))
    out = misfits(table, cp.loads_pathway(BINOMIAL), 0.94)
    assert len(out) == 1 and out[0].startswith("posterior predictive check fails for p: coverage 0.68")


def test_a_failed_predictive_check_fails_the_one_verdict_but_not_the_sampler():
    ok = cp.Diagnostics(0, 1.006, 800.0, 700.0, 0.9, 4000, predictive=())
    bad = cp.Diagnostics(0, 1.006, 800.0, 700.0, 0.9, 4000,
                         predictive=("posterior predictive check fails for good_job: p_sd 0.000.",))
    assert ok.passed and ok.to_frame().loc["posterior predictive", "value"] == "none"
    assert bad.sampler_passed and not bad.passed and bad.checks["predictive"] is False
    assert bad.to_frame().loc["posterior predictive", "value"] == "good_job"
    assert str(bad).startswith("Diagnostics FAIL: 0 divergences") and "FAILS for good_job" in str(bad)
    assert bad.warnings == list(bad.predictive)
    assert "misses the data" in _badge(bad).text and _badge(bad).kind == "fail"
    assert "may be unreliable" not in _badge(bad).text  # the draws are fine; the model is not
    # without a check made (no node has data) the verdict is the sampler's, as before
    assert "posterior predictive" not in cp.Diagnostics(0, 1.006, 800.0, 700.0, 0.9, 4000).to_frame().index


def test_a_correct_model_passes_and_its_proportion_is_checked_as_shares(toy):
    _, sim, res = toy
    diag = res.diagnostics()
    assert diag.predictive == () and diag.checks["predictive"]
    table = res.posterior_predictive()
    assert table.loc["p", "scale"] == "share of trials" and table.loc["c", "scale"] == "as observed"
    share = (sim.data["p"] / sim.data["n"])[sim.data["n"] > 0]
    assert table.loc["p", "observed_mean"] == pytest.approx(share.mean())
    assert table.loc["p", "observed_sd"] == pytest.approx(share.std(ddof=0))
    assert 0 < table.loc["p", "predicted_mean"] < 1


def test_a_binomial_fit_to_overdispersed_shares_is_flagged_with_its_remedy():
    data = overdispersed_shares()
    res = cp.fit(cp.loads_pathway(BINOMIAL), data, draws=200, tune=300, chains=2, random_seed=1, progressbar=False)
    row = res.posterior_predictive().loc["p"]
    assert row["scale"] == "share of trials" and row["observed_mean"] == pytest.approx(data["p"].mean())
    assert row["coverage"] < 0.8 and not row["ok"]  # 0.66 when measured
    diag = res.diagnostics()
    assert not diag.passed and len(diag.predictive) == 1
    assert "fails for p" in diag.predictive[0] and "family: beta_binomial" in diag.predictive[0]
    assert "FAILS for p" in str(diag).splitlines()[0]
    assert "fails for p" in res.scenario({"x": "+1"}).describe()
    # the sensitivity analysis says the draws are the posterior of a model that misses the data
    from copath.sensitivity.analysis import _convergence_warning

    assert _convergence_warning(res).startswith("a posterior predictive check fails, so these sensitivities describe")


def test_the_beta_binomial_fit_of_the_same_shares_is_not_flagged():
    res = cp.fit(cp.loads_pathway(SHARES), overdispersed_shares(), draws=200, tune=300, chains=2, random_seed=1,
                 progressbar=False)
    row = res.posterior_predictive().loc["p"]
    assert row["ok"] and row["coverage"] >= 0.89
    assert res.diagnostics().predictive == ()


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_too_few_predictive_draws_make_no_verdict_and_say_so():
    # the same misfit as above, but 50 predictive draws cannot tell a misfit from their own coarseness
    res = cp.fit(cp.loads_pathway(BINOMIAL), overdispersed_shares(), draws=200, tune=300, chains=2, random_seed=1,
                 progressbar=False, ppc_draws=50)
    d = res.diagnostics()
    assert d.predictive is None and "predictive" not in d.checks
    assert "posterior predictive check not made: 50 predictive draws, fewer than 200" in str(d).splitlines()[0]


def test_a_proportion_without_data_or_trials_column_does_not_stop_the_check():
    """The City data have no trials_listed column and no data on trials_collapsed (notebook 02):
    its trials were looked up all the same, a KeyError in res.diagnostics()."""
    from copath.model.predictive import _sizes

    pw = cp.loads_pathway("""
name: t
nodes:
  x: {kind: exposure, range: [0, 1]}
  y: {kind: proportion, trials: n}
  z: {kind: proportion, trials: m}
links:
  - {from: x, to: y}
  - {from: x, to: z}
outcomes: [y]
""")
    df = pd.DataFrame({"area": ["a", "b"] * 3, "month": [1, 1, 2, 2, 3, 3], "x": np.linspace(0, 1, 6),
                       "y": [1, 2, 3, 1, 2, 3], "n": [5, 5, 6, 6, 7, 7]})
    sizes = _sizes(pw, df)
    assert list(sizes) == ["y"] and sizes["y"].tolist() == [5, 5, 6, 6, 7, 7]
