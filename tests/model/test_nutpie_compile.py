"""One nutpie compilation for the MAP start and the sampler.

Each chain's MAP search runs on nutpie's compiled log density, so its flat layout must be the
model's value variables in order (checked against PyMC's own log density and gradient
at random points), and the starts it finds must be PyMC's MAP (checked against
:func:`copath.model.init.map_start`, which compiles the model with PyTensor's C backend).
"""

from __future__ import annotations

import numpy as np
import pytest
from pymc.blocking import DictToArrayBijection

import copath as cp
from copath.model.builder import build_model
from copath.model.init import map_start
from copath.model.nutpie_compile import compile_for_nutpie
from tests.kinds.test_kernels import SPEC, rows_data
from tests.model.test_compact import random_points


@pytest.fixture(scope="module")
def sampled():
    # intercepts, a vector of link coefficients, a log-transformed scale: layout matters
    return build_model(cp.loads_pathway(SPEC), rows_data(seed=5), collapse=True)


@pytest.fixture(scope="module")
def compiled(sampled):
    return compile_for_nutpie(sampled.model, init="map", random_seed=4)


def _flat(model, point: dict) -> np.ndarray:
    return DictToArrayBijection.map({v.name: point[v.name] for v in model.value_vars}).data


def test_nutpie_layout_is_the_value_variables_in_order(sampled, compiled):
    model = sampled.model
    f, df = model.compile_logp(), model.compile_dlogp()
    points = random_points(model, 4, seed=2)
    values = []
    for point in points:
        value, grad = compiled.logp_func(_flat(model, point))
        np.testing.assert_allclose(float(value), f(point), rtol=1e-10)
        np.testing.assert_allclose(grad, df(point), rtol=1e-8, atol=1e-8)
        values.append(float(value))
    assert np.ptp(values) > 10  # the points differ: a shuffled layout would show


def test_each_chain_starts_at_its_own_optimum_from_its_own_point(sampled, compiled):
    model = sampled.model
    a, b = compiled.initial_point_func(11), compiled.initial_point_func(12)
    assert np.abs(a - b).max() > 1e-3  # dispersed: the two chains' optimisations differ
    assert np.array_equal(a, compiled.initial_point_func(11))  # the same chain seed, the same start
    # each start is a mode: the gradient there is small next to the support point's
    def grad_at(x):
        return np.abs(compiled.logp_func(np.ascontiguousarray(x))[1]).max()

    support = _flat(model, model.initial_point())
    assert grad_at(a) < 0.1 * grad_at(support) and grad_at(b) < 0.1 * grad_at(support)
    # the unimodal toy posterior: both land at the best MAP PyMC's optimiser finds
    reference = map_start(model, random_seed=4)  # constrained, by RV name
    ref = {model.rvs_to_values[rv].name: reference[rv.name] for rv in model.free_RVs}
    for rv in model.free_RVs:
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            ref[model.rvs_to_values[rv].name] = transform.forward(reference[rv.name], *rv.owner.inputs).eval()
    np.testing.assert_allclose(a, _flat(model, ref), atol=0.05)  # both shaken by N(0, 0.01)
    assert np.abs(a - support).max() > 0.2  # the optimiser moved: the check has teeth


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_same_seed_same_start_and_default_init_is_nutpies(sampled, compiled):
    again = compile_for_nutpie(sampled.model, init="map", random_seed=4)
    assert np.array_equal(again.initial_point_func(0), compiled.initial_point_func(0))
    default = compile_for_nutpie(sampled.model, init="default")
    assert not np.array_equal(default.initial_point_func(0), default.initial_point_func(1))  # jittered
    with pytest.raises(ValueError, match="init must be one of 'pathfinder', 'map', 'default'"):
        compile_for_nutpie(sampled.model, init="mode")
