"""Refits are lossless: a prior swap, a Dask refit job and simulation-based calibration
call the fit with the result's settings, changed only in what they mean to change."""

from __future__ import annotations

import dataclasses
from dataclasses import fields, replace

import numpy as np
import pymc as pm
import pytest

import copath as cp
from copath.calibration import sbc
from copath.model import storage
from copath.model.settings import FitSettings
from copath.sensitivity import prior_swap, refits
from tests.pathways import toy_spec

SPEC = toy_spec("refit", c={"area_effects": True}, p=False, y={"better": "higher"})
SWAPPED = cp.LinkPrior("x -> c", mu=0.0, sigma=0.3, scale="log rate ratio", method="user")


def every_setting_changed() -> FitSettings:
    """Settings with every field away from its default."""
    return FitSettings(
        draws=37, tune=41, chains=3, random_seed=99, sampler="pymc", progressbar=False, prior_draws=33,
        ppc_draws=31, init="default", source="my_file.csv",
        priors=(cp.LinkPrior("c -> y", mu=0.1, sigma=0.2, scale="slope", method="user"),),
        adaptation="diag", log_likelihood="total", method="fullrank_advi", advi_iterations=1234, collapse=False,
        target_accept=0.93, max_treedepth=8, prior_scale=1.7,
    )


def test_the_test_changes_every_setting():
    changed, default = every_setting_changed(), FitSettings()
    same = [f.name for f in fields(FitSettings) if getattr(changed, f.name) == getattr(default, f.name)]
    # progressbar is the one setting a refit may change (off in jobs): it must differ from default too
    assert same == [], f"add a changed value for {same}"


@pytest.fixture(scope="module")
def small():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=15, months=2, random_seed=3)
    return cp.fit(pw, sim.data, draws=100, tune=100, chains=2, random_seed=1, progressbar=False)


def _capture(monkeypatch, module, small):
    seen = {}

    def fake_fit(pathway, data, evidence, settings):
        seen["settings"] = settings
        return small

    monkeypatch.setattr(module, "fit_model", fake_fit)
    return seen


def test_a_prior_swap_refit_keeps_every_setting(small, monkeypatch):
    seen = _capture(monkeypatch, prior_swap, small)
    rec = dataclasses.replace(small, settings=every_setting_changed())
    prior_swap.refit_with_prior(rec, "x -> c", SWAPPED, progressbar=True)
    expected = replace(rec.settings.with_prior(SWAPPED), progressbar=True)
    assert seen["settings"] == expected
    assert {p.link for p in seen["settings"].priors} == {"c -> y", "x -> c"}  # the earlier override kept


def test_with_prior_refits_with_the_settings_when_psis_is_unreliable(small, monkeypatch):
    seen = _capture(monkeypatch, prior_swap, small)
    rec = cp.FitResult.from_record(dataclasses.replace(small, settings=every_setting_changed()))
    far = cp.LinkPrior("x -> c", mu=8.0, sigma=0.01, scale="log rate ratio")  # nothing of the posterior there
    rec.with_prior("x -> c", far, refit=True)
    assert seen["settings"] == replace(rec.settings.with_prior(far), progressbar=False)


def test_a_dask_refit_job_keeps_every_setting(small, monkeypatch, tmp_path):
    seen = _capture(monkeypatch, prior_swap, small)
    folder = storage.save_record(dataclasses.replace(small, settings=every_setting_changed()), tmp_path / "r")
    refits.load_cached.cache_clear()
    rows = refits._one((str(folder.resolve()), "x -> c", "sceptical"))
    sceptical = prior_swap.alternative_priors(small, "x -> c")["sceptical"]
    assert seen["settings"] == every_setting_changed().with_prior(sceptical)
    assert {r["quantity"] for r in rows} == {"y"}


def test_calibration_fits_with_the_given_settings(monkeypatch):
    seen = {}

    class Stop(Exception):
        pass

    def fake_draw(model, settings):
        seen["settings"] = settings
        seen["c -> y"] = float(pm.logp(model["beta"], np.array([0.0, 0.1])).eval()[1])
        raise Stop

    monkeypatch.setattr(sbc, "draw_posterior", fake_draw)
    pw = cp.loads_pathway(SPEC)
    settings = every_setting_changed()
    with pytest.raises(Stop):
        sbc.calibrate(pw, n_sims=1, areas=5, months=2, workers=1, progressbar=False, settings=settings)
    got = seen["settings"]
    override = settings.prior_overrides()["c -> y"]  # the simulation was fitted with the settings' prior
    assert seen["c -> y"] == pytest.approx(float(override.logpdf(np.array([0.1]))[0]))
    assert replace(got, random_seed=settings.random_seed) == replace(settings, progressbar=False)


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_real_refit_keeps_draws_chains_and_storage_modes():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=15, months=2, random_seed=3)
    res = cp.fit(pw, sim.data, draws=123, tune=77, chains=1, random_seed=5, progressbar=False, init="default",
                 prior_draws=30, ppc_draws=25, log_likelihood="total", adaptation="diag")
    again = prior_swap.refit_with_prior(res, "x -> c", SWAPPED)
    assert again.settings == res.settings.with_prior(SWAPPED)
    assert again.posterior.sizes["chain"] == 1 and again.posterior.sizes["draw"] == 123
    assert again.idata["prior"].to_dataset().sizes["draw"] == 30
    assert again.run.log_likelihood == "total" and again.run.adaptation == "diag"
    assert again.priors["x -> c"] == SWAPPED
