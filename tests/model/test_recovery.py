"""Simulate from the flagship pathway, fit, and recover the true link coefficients."""

from __future__ import annotations

import copath as cp


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
