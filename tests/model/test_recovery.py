"""Simulate from the flagship pathway, fit, and recover the true link coefficients."""

from __future__ import annotations

import pytest

import copath as cp


@pytest.mark.slow  # 75 s: a full-size fit (make test-slow)
@pytest.mark.xfail(strict=True, reason=(
    "open bug (issues 16 and 28): on this 40 x 12 simulation, at 2 x 300 draws after 300 tuning steps, the fit "
    "fails its own diagnostics (2026-12-07, after issue 27's soft directions and wider priors: max R-hat 1.044, "
    "bulk ESS 83, 0 divergences; worst intercept[trials_collapsed]) and 3 of 40 intervals miss (2 allowed): "
    "social_causes -> violent_crime 0.25 (truth 0.19), foot_patrol -> violent_crime -0.49 (-0.18), "
    "police_volunteers -> policing_cost 0.00 (0.01). No sign is held any more (before, two misses were "
    "sign-fixed tied links pulled toward their prior). strict: the suite says when this starts passing"))
def test_flagship_recovery_from_simulated_data(flagship, evidence):
    sim = cp.simulate(flagship, areas=40, months=12, random_seed=0, evidence=evidence)
    res = cp.fit(flagship, sim.data, evidence=evidence, draws=300, tune=300, chains=2,
                 random_seed=1, progressbar=False)
    table = res.summary()
    truth = sim.truth["beta"]
    covered = [table.loc[link, "post_hdi_low"] <= truth[link] <= table.loc[link, "post_hdi_high"]
               for link in flagship.link_names]
    misses = [link for link, ok in zip(flagship.link_names, covered, strict=True) if not ok]
    # every link here has local data; allow at most one miss in 20 (94% intervals, short run)
    assert table["local_data"].all()
    assert len(misses) <= len(flagship.link_names) // 20, misses
    # the data, not only the priors, speak: most links narrow by more than half
    assert (table["contraction"] > 0.5).mean() > 0.6
