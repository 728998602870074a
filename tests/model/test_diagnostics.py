"""compute_diagnostics reads every element it can: a constant coordinate does not hide the rest."""

from __future__ import annotations

import numpy as np
import xarray as xr

from copath.model.diagnostics import compute_diagnostics


def _tree(beta: np.ndarray) -> xr.DataTree:
    post = xr.Dataset({"beta": (("chain", "draw", "link"), beta)},
                      coords={"link": ["a -> b", "b -> c"]})
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros(beta.shape[:2], dtype=bool)),
                        "energy": (("chain", "draw"), np.random.default_rng(0).normal(size=beta.shape[:2]))})
    return xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})


def test_a_constant_element_does_not_hide_a_disagreeing_one():
    rng = np.random.default_rng(1)
    beta = np.zeros((2, 500, 2))
    beta[:, :, 1] = rng.normal(size=(2, 500)) + np.array([[0.0], [3.0]])  # chains 3 sd apart
    d = compute_diagnostics(_tree(beta))
    assert d.max_rhat > 1.5 and not d.passed
    assert d.worst and d.worst[0].parameter == "beta[b -> c]"
    beta[:, :, 1] = rng.normal(size=(2, 500))  # the same chains agreeing: passes
    assert compute_diagnostics(_tree(beta)).max_rhat < 1.01


def _tree_with_logp(logp: np.ndarray) -> xr.DataTree:
    rng = np.random.default_rng(2)
    post = xr.Dataset({"x": (("chain", "draw"), rng.normal(size=logp.shape))})
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros(logp.shape, dtype=bool)),
                        "energy": (("chain", "draw"), rng.normal(size=logp.shape)),
                        "logp": (("chain", "draw"), logp)})
    return xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})


def test_a_chain_whose_log_density_sits_apart_is_named():
    rng = np.random.default_rng(3)
    logp = rng.normal(-500.0, 5.0, size=(4, 400))  # within-chain sd 5
    d = compute_diagnostics(_tree_with_logp(logp))
    assert d.stray == () and d.checks["chains"] and d.to_frame().loc["stray chains", "value"] == "none"
    logp[2] -= 48.0  # chain 2 in a mode 48 units down: 9.6 sds, past the 3-sd rule
    d = compute_diagnostics(_tree_with_logp(logp))
    assert len(d.stray) == 1 and d.stray[0].startswith("chain 2 sits 4")  # 48 +- noise of the means
    assert "below the others" in d.stray[0] and "another mode" in d.stray[0]
    assert not d.passed and d.to_frame().loc["stray chains", "value"] == "2"
    assert any(w.startswith("chain 2 sits") for w in d.warnings)


def test_the_stray_rule_sits_at_three_within_chain_sds():
    from copath.model.diagnostics import stray_chains
    base = np.tile(np.array([-1.0, 1.0]), (4, 200))  # every chain: mean 0, sd 1.0025
    shifted = base.copy()
    shifted[0] += 2.9  # 2.9 sds above the others' median: kept
    assert stray_chains(shifted) == ()
    shifted[0] += 0.2  # 3.1 sds: named, above
    assert len(stray_chains(shifted)) == 1 and stray_chains(shifted)[0].startswith("chain 0 sits 3.1 log-density units above")
    assert stray_chains(shifted[:2]) == ()  # two chains: R-hat's job, no chain to name
