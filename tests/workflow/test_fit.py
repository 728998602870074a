"""Fitting, the result object, predictive checks, and save/load."""

from __future__ import annotations

import json

import pytest
import xarray as xr

import copath as cp
from tests.pathways import toy_spec

SPEC = toy_spec(c={"offset": "hh", "per": 1000, "area_effects": True}, direct=True)
TRUE_BETA = {"x -> c": -0.8, "c -> p": 0.6, "p -> y": 0.7, "x -> y": 0.5}


@pytest.fixture(scope="module")
def toy():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=21, params={
        "beta": TRUE_BETA, "intercept": {"c": 1.0, "p": -0.3, "y": 0.2},
        "area_sd": {"c": 0.3}, "sigma": {"y": 0.3},
    })
    res = cp.fit(pw, sim.data, draws=600, tune=500, chains=2, random_seed=7, progressbar=False)
    return pw, sim, res


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


def test_save_load_round_trip(toy, tmp_path):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    again = cp.load_result(out)
    xr.testing.assert_equal(res.posterior, again.posterior)
    for group in ("log_likelihood", "log_prior", "posterior_predictive"):
        xr.testing.assert_allclose(res.idata[group].to_dataset(), again.idata[group].to_dataset())
    assert res.summary().equals(again.summary())
    assert again.pathway.link_names == res.pathway.link_names
    assert again.priors == res.priors
    assert again.settings == res.settings and again.run == res.run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format_version"] == 2 and set(manifest["sha256"]) == {
        "idata.nc", "pathway.yaml", "evidence.yaml", "priors.yaml", "data.csv"}
    assert not list(tmp_path.glob(".run*"))  # no temporary folders left behind


@pytest.mark.parametrize("victim", ["data.csv", "idata.nc", "pathway.yaml", "evidence.yaml"])
def test_tampered_result_is_refused(toy, tmp_path, victim):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    blob = bytearray((out / victim).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (out / victim).write_bytes(bytes(blob))
    with pytest.raises(cp.ResultError, match=f"{victim} does not match its hash"):
        cp.load_result(out)


def test_interrupted_save_keeps_the_previous_result(toy, tmp_path, monkeypatch):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    before = (out / "manifest.json").read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.DataTree, "to_netcdf", boom)
    with pytest.raises(KeyboardInterrupt):
        res.save(out)
    monkeypatch.undo()
    assert (out / "manifest.json").read_bytes() == before
    assert cp.load_result(out).summary().equals(res.summary())
    assert not list(tmp_path.glob(".run.tmp-*"))


def test_crash_between_renames_is_recovered_on_load(toy, tmp_path):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    out.rename(tmp_path / ".run.previous")  # as if the process died after the first rename
    assert cp.load_result(tmp_path / "run").summary().equals(res.summary())


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
    res = cp.fit(pw, data, sampler="pymc", draws=100, tune=100, chains=2, random_seed=5, progressbar=False)
    assert res.run.sampler == "pymc"
    assert res.posterior.sizes["draw"] == 100 and "log_prior" in res.idata.children
