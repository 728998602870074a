"""The gradients the samplers use equal the derivative of the log density they use.

NUTS trusts the gradient: a wrong one gives no error, only a collapsed step size and
chains that do not mix. This happened: PyTensor 3.3.8's fused C and numba code for
``set_subtensor(zeros[k, a], c - b0[k])`` (hierarchically centred area effects) returned
a gradient for the area spread off by 12-33 while the log density was right. So the
compiled functions that sample are checked against central finite differences of their
own log density: PyMC's ``logp_dlogp_function`` and nutpie's ``logp_func`` on a model
with both forms of area effects, and PyMC's on the flagship with its sign-fixed links
(nutpie's numba compilation of the flagship would add about 15 s to the suite).
"""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.model.builder import build_model
from copath.model.data import prepare_data
from copath.model.fit import link_priors, sampling_priors
from copath.model.init import flat_layout, support_vector
from copath.model.nutpie_compile import compile_for_nutpie
from copath.model.settings import FitSettings
from tests.pathways import toy_spec


def _mixed_areas():
    """A count node with area effects, 40 areas centred and 20 (no data) non-centred."""
    spec = toy_spec("areas", c={"area_effects": True, "offset": "hh", "per": 1000}, p=False, y=False)
    pw = cp.loads_pathway(spec)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=3,
                      params={"intercept": {"c": np.log(20.0)}, "area_sd": {"c": 0.5}, "beta": {"x -> c": -0.5}})
    data = sim.data.copy()
    data.loc[data["area"].isin(data["area"].unique()[:20]), "c"] = np.nan
    return pw, data


def _worst_error(logp_dlogp, x0: np.ndarray, n: int, seed: int, always: np.ndarray | None = None) -> float:
    """Largest |gradient - finite difference| / (1 + |finite difference|) over ``n`` random
    coordinates and the coordinates ``always``."""
    rng = np.random.default_rng(seed)
    x = x0 + rng.normal(0.0, 0.3, x0.size)
    _, grad = logp_dlogp(x)
    worst = 0.0
    picked = rng.choice(x.size, min(n, x.size), replace=False)
    for i in np.union1d(picked, [] if always is None else always).astype(int):
        h = np.zeros_like(x)
        h[i] = 1e-5
        fd = (logp_dlogp(x + h)[0] - logp_dlogp(x - h)[0]) / 2e-5
        worst = max(worst, abs(grad[i] - fd) / (1.0 + abs(fd)))
    return worst


def _pymc(model):
    from pymc.blocking import RaveledVars

    x0 = support_vector(model)
    f = model.logp_dlogp_function(ravel_inputs=True)
    f.set_extra_values({})
    return lambda x: f(RaveledVars(x, x0.point_map_info)), x0.data


def _nutpie(model):
    compiled = compile_for_nutpie(model, init="default")

    def logp_dlogp(x):
        value, grad = compiled.logp_func(np.ascontiguousarray(x, dtype=np.float64))
        return float(value), np.asarray(grad, dtype=float)

    return logp_dlogp, support_vector(model).data


@pytest.mark.parametrize("backend", [_pymc, _nutpie])
def test_area_effect_gradients_match_finite_differences(backend):
    pw, data = _mixed_areas()
    model = build_model(pw, data, collapse=True).model
    assert {"area_c", "area_z"} <= {v.name for v in model.free_RVs}
    logp_dlogp, x0 = backend(model)
    spread = flat_layout(support_vector(model))["area_sd_log__"].start
    # the spread's coordinate is the one the bug hit: check it and a sample of the others
    assert _worst_error(lambda x: logp_dlogp(x), x0, 20, seed=0) < 1e-4
    x = x0 + np.random.default_rng(1).normal(0.0, 0.3, x0.size)
    h = np.zeros_like(x)
    h[spread] = 1e-5
    fd = (logp_dlogp(x + h)[0] - logp_dlogp(x - h)[0]) / 2e-5
    assert logp_dlogp(x)[1][spread] == pytest.approx(fd, rel=1e-4, abs=1e-4)


@pytest.mark.slow  # the whole flagship model (about 25 s); the small-model gradient checks above stay fast
def test_flagship_gradients_match_finite_differences():
    # every coordinate that is not an area effect (links free and sign-held, intercepts,
    # spreads, dispersions, imputed values), and a sample of the area effects; without the
    # fear-of-crime survey the links through 'worried' are products, so one stated sign is held
    pw = cp.load_pathway("policing_coproduction")
    prepared = prepare_data(pw, cp.datasets.load("synthetic_force").drop(columns=["worried"]))
    priors, _ = sampling_priors(pw, prepared, link_priors(pw, cp.load_evidence(), FitSettings()))  # as cp.fit does
    model = build_model(pw, prepared, priors=priors, collapse=True).model
    logp_dlogp, x0 = _pymc(model)
    layout = flat_layout(support_vector(model))
    others = np.concatenate([np.arange(where.start, where.stop) for name, where in layout.items()
                             if name not in ("area_c", "area_z")])
    assert {"beta_free", "beta_soft"} <= set(layout) and others.size > 50
    assert _worst_error(logp_dlogp, x0, 30, seed=2, always=others) < 1e-4
