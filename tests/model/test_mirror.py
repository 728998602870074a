"""Mirror-image modes: a path's product agrees across chains while its links' signs do not."""

from __future__ import annotations

import numpy as np
import xarray as xr

from copath.model.diagnostics import likely_causes
from copath.model.mirror import mirror_modes


def _beta(a: np.ndarray, b: np.ndarray, names=("x -> m", "m -> y")) -> xr.DataArray:
    return xr.DataArray(np.stack([a, b], -1), dims=("chain", "draw", "link"), coords={"link": list(names)})


def test_two_modes_of_opposite_sign_with_one_product_are_named():
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.normal(-0.4, 0.1, (3, 400)), rng.normal(0.4, 0.1, (1, 400))])
    b = 0.08 / a * np.exp(rng.normal(0, 0.05, (4, 400)))
    found = mirror_modes(_beta(a, b))
    assert set(found) == {"beta[x -> m]", "beta[m -> y]"}
    assert "x -> m and m -> y" in found["beta[x -> m]"] and "m's own data" in found["beta[x -> m]"]
    # the sentence reaches the diagnostics' causes in place of the generic 'ridge' reading
    from copath.model.diagnostics import Worst
    causes = likely_causes((Worst("beta[x -> m]", 1.5, 8.0, 9.0),), 0, found)
    assert causes[0].startswith("beta[x -> m]: chains sit in mirror-image modes")


def test_one_posterior_straddling_zero_is_not_a_mirror():
    rng = np.random.default_rng(4)   # every chain explores both signs: well mixed, not two modes
    a = rng.normal(0.0, 0.5, (4, 1000))
    b = rng.normal(0.1, 0.5, (4, 1000))
    assert mirror_modes(_beta(a, b)) == {}


def test_chains_apart_whose_products_disagree_are_not_a_mirror():
    rng = np.random.default_rng(5)   # opposite signs, but the product differs between chains too
    a = np.concatenate([rng.normal(-0.4, 0.05, (2, 400)), rng.normal(0.4, 0.05, (2, 400))])
    b = np.concatenate([rng.normal(0.5, 0.05, (2, 400)), rng.normal(0.5, 0.05, (2, 400))])
    assert mirror_modes(_beta(a, b)) == {}


def test_links_not_meeting_at_a_node_are_not_paired():
    rng = np.random.default_rng(6)
    a = np.concatenate([rng.normal(-0.4, 0.05, (2, 400)), rng.normal(0.4, 0.05, (2, 400))])
    b = 0.1 / a
    assert mirror_modes(_beta(a, b, names=("x -> m", "z -> y"))) == {}
