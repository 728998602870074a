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
