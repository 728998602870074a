"""Simulate from the flagship pathway, fit, and recover the true link coefficients."""

from __future__ import annotations

import pytest

import copath as cp


@pytest.mark.xfail(strict=True, reason=(
    "open bug (issue 16): on this 40 x 12 simulation the fit fails its own diagnostics (R-hat up to 1.10) and "
    "misses 12 of 40 intervals: from the per-chain MAP starts both chains settle in a wrong mode "
    "(focused_deterrence -> violent_crime +0.39, truth -1.01; its log density is about 120 below the mode that "
    "nutpie's jittered starts find, and the MAP points themselves lie in the right basin, so warm-up leaves it); "
    "from nutpie's jittered starts 5 miss, two of them "
    "links whose stated sign is held fixed (tied through trials_collapsed and prisoner_complaints) and whose "
    "posteriors are pulled toward 0. strict: the suite says when this starts passing"))
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
