"""Fitting, the result object, predictive checks, and save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from tests.conftest import TOY_SPEC as SPEC
from tests.conftest import TRUE_BETA


def test_result_has_every_group(toy):
    _, _, res = toy
    assert set(res.idata.children) >= {
        "posterior", "sample_stats", "prior", "prior_predictive", "posterior_predictive",
        "observed_data", "log_likelihood", "log_prior",
    }
    assert list(res.posterior["beta"].coords["link"].values) == list(TRUE_BETA)
    assert set(res.idata["log_likelihood"].to_dataset().data_vars) == {"c", "p", "y"}
    assert res.idata["log_prior"].to_dataset()["beta"].dims == ("chain", "draw", "link")


def test_recovers_known_truth_and_converges(toy):
    _, _, res = toy
    table = res.summary()
    for link, truth in TRUE_BETA.items():
        assert table.loc[link, "post_hdi_low"] <= truth <= table.loc[link, "post_hdi_high"], link
    assert (table["contraction"] > 0.5).all()  # the data, not the N(0, 1) default, decide
    # a short test run; c -> p (a latent parent) mixes slowest
    assert (table["r_hat"] < 1.05).all() and (table["ess_bulk"] > 30).all()
    assert res.diagnostics().divergences == 0


def test_summary_prior_columns_are_the_link_priors(toy):
    pw, _, res = toy
    table = res.summary()
    from scipy.stats import norm

    z = norm.ppf(0.5 + cp.HDI_PROB / 2)
    for link in pw.links:
        prior = res.priors[link.name]
        assert table.loc[link.name, "prior_mean"] == prior.mu
        assert table.loc[link.name, "prior_hdi_high"] == pytest.approx(prior.mu + z * prior.sigma)
    post = res.posterior["beta"].sel(link="x -> c").values
    assert table.loc["x -> c", "post_mean"] == pytest.approx(post.mean())


def test_predictive_checks(toy):
    _, _, res = toy
    prior = res.prior_predictive()
    post = res.posterior_predictive()
    assert set(post.index) == {"c", "p", "y"}
    assert post["ok"].all()
    # the posterior predictive is centred on the data far more tightly than the prior's
    for node in post.index:
        assert (post.loc[node, "mean_high"] - post.loc[node, "mean_low"]) < (
            prior.loc[node, "mean_high"] - prior.loc[node, "mean_low"])


def test_diagnostics_flag_a_bad_run():
    diag = cp.Diagnostics(divergences=3, max_rhat=1.2, min_ess_bulk=50, min_ess_tail=40,
                          min_bfmi=0.2, n_draws=400, ess_min=200)
    assert not diag.passed
    assert set(k for k, ok in diag.checks.items() if not ok) == {"divergences", "r_hat", "ess_bulk", "ess_tail", "bfmi"}
    assert len(diag.warnings) == 4 and "FAIL" in str(diag)


def test_fit_refuses_bad_settings():
    pw = cp.loads_pathway(SPEC)
    data = cp.simulate(pw, areas=3, months=2, random_seed=1).data
    with pytest.raises(ValueError, match="draws"):
        cp.fit(pw, data, draws=0)
    with pytest.raises(ValueError, match="sampler"):
        cp.fit(pw, data, sampler="gibbs", draws=10, tune=10)


def test_link_into_a_node_without_local_data_keeps_its_prior():
    pw = cp.loads_pathway(SPEC)
    data = cp.simulate(pw, areas=30, months=4, random_seed=2, params={"beta": TRUE_BETA}).data
    res = cp.fit(pw, data.drop(columns="y"), draws=300, tune=300, chains=2, random_seed=3, progressbar=False)
    table = res.summary()
    assert not table.loc["p -> y", "local_data"] and table.loc["x -> c", "local_data"]
    prior = res.priors["p -> y"]
    # no data reach y: its links' posteriors are their priors (within Monte Carlo error)
    assert table.loc["p -> y", "post_mean"] == pytest.approx(prior.mu, abs=0.25 * prior.sigma)
    assert table.loc["p -> y", "post_sd"] == pytest.approx(prior.sigma, rel=0.2)
    assert "y" not in res.idata["observed_data"].to_dataset()


def test_a_link_from_a_constant_exposure_is_not_labelled_local_data():
    # its child has data, but nothing in the data moves the parent: the label says so
    pw = cp.loads_pathway(SPEC)
    data = cp.simulate(pw, areas=10, months=2, random_seed=2).data.assign(x=0.5)
    with pytest.warns(UserWarning, match="x -> c .prior only"):
        res = cp.fit(pw, data, draws=100, tune=100, chains=1, random_seed=3, progressbar=False)
    table = res.summary()
    for link in ("x -> c", "x -> y"):
        assert table.loc[link, "identification"] == "prior only" and not table.loc[link, "local_data"]
    # c varies by area (area effects), so what it feeds is still informed
    assert table.loc["c -> p", "identification"] == "local data" and table.loc["c -> p", "local_data"]


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_pymc_sampler_fallback(monkeypatch):
    import sys

    from copath.model.sampling import _choose_sampler

    pw = cp.loads_pathway(SPEC)
    data = cp.simulate(pw, areas=10, months=3, random_seed=4).data
    from copath.model.builder import build_model

    model = build_model(pw, data).model
    assert _choose_sampler("nutpie", model) == "nutpie"
    monkeypatch.setitem(sys.modules, "nutpie", None)  # as if nutpie were not installed
    with pytest.warns(UserWarning, match="nutpie is not installed"):
        assert _choose_sampler("nutpie", model) == "pymc"
    monkeypatch.undo()
    res = cp.fit(pw, data, sampler="pymc", draws=100, tune=100, chains=2, random_seed=5, progressbar=False,
                 max_treedepth=6)
    assert res.run.sampler == "pymc"
    assert res.posterior.sizes["draw"] == 100 and "log_prior" in res.idata.children
    stats = res.idata["sample_stats"].to_dataset()
    # PyMC's own NUTS (PyMC 6 would hand the model to nutpie unless told), with the tree depth asked for
    assert "reached_max_treedepth" in stats and int(stats["tree_depth"].max()) <= 6


def test_prior_draws_0_leaves_out_the_prior_groups():
    """Issue 29: prior_draws=0 is allowed; the fit has no prior or prior predictive group and
    says so when asked for the prior predictive check."""
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, baseline: 2}\n"
                          "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    sim = cp.simulate(pw, areas=15, months=2, random_seed=2)
    res = cp.fit(pw, sim.data, draws=100, tune=100, chains=2, random_seed=2, progressbar=False, prior_draws=0)
    assert "prior" not in res.idata.children and "prior_predictive" not in res.idata.children
    assert res.run.prior_draws == 0
    with pytest.raises(ValueError, match="no prior_predictive group"):
        res.prior_predictive()
    assert "posterior_predictive" in res.idata.children


def test_a_pathway_without_links_fits_and_its_summary_is_empty_with_its_columns():
    # a rival 'no link' pathway (examples/city_of_london_rival_pathways.py) crashed in summary()
    from copath.model.record import SUMMARY_COLUMNS
    pw = cp.loads_pathway("name: n\nnodes:\n  y: {kind: count, area_effects: true}\nlinks: []\noutcomes: [y]\n")
    df = pd.DataFrame({"area": np.repeat(["a", "b", "c"], 4), "month": np.tile([1, 2, 3, 4], 3),
                       "y": [3, 4, 2, 5, 7, 6, 8, 9, 1, 0, 2, 1]})
    res = cp.fit(pw, df, draws=100, tune=100, chains=1, random_seed=1, progressbar=False, prior_draws=0, ppc_draws=200)
    table = res.summary()
    assert table.empty and list(table.columns) == list(SUMMARY_COLUMNS[1:]) and table.index.name == "link"
