"""Fits shared by the LOO tests (tests/model/test_loo.py, test_loo_compare.py): the chain
x -> m -> y with and without the direct link x -> y, on data where that link is real
(0.6) and where it is truly 0."""

from __future__ import annotations

import warnings

import pytest

import copath as cp

FIT = {"draws": 300, "tune": 300, "chains": 2, "random_seed": 1, "progressbar": False}


def chain_spec(direct: bool) -> str:
    """x -> m -> y (continuous m, count y), with the direct link x -> y if ``direct``."""
    links = "  - {from: x, to: m}\n  - {from: m, to: y}\n" + ("  - {from: x, to: y}\n" if direct else "")
    return ("name: chain\nnodes:\n  x: {kind: exposure}\n  m: {kind: continuous}\n  y: {kind: count}\n"
            f"links:\n{links}outcomes: [y]\n")


def _fit(direct: bool, x_to_y: float, seed: int) -> cp.FitResult:
    truth = cp.loads_pathway(chain_spec(True))
    sim = cp.simulate(truth, areas=20, months=6, random_seed=seed,
                      params={"beta": {"x -> y": x_to_y, "m -> y": 0.4, "x -> m": 0.5}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cp.fit(cp.loads_pathway(chain_spec(direct)), sim.data, **FIT)


@pytest.fixture(scope="session")
def chain_fit() -> cp.FitResult:
    """The true pathway (with x -> y = 0.6) fitted to its data: 20 areas x 6 months."""
    return _fit(True, 0.6, 5)


@pytest.fixture(scope="session")
def chain_missing_link() -> cp.FitResult:
    """The same data fitted without the real link x -> y."""
    return _fit(False, 0.6, 5)


@pytest.fixture(scope="session")
def nested_fits() -> dict[str, cp.FitResult]:
    """Data where x -> y is truly 0, fitted with and without that link."""
    return {"with x -> y": _fit(True, 0.0, 1), "without": _fit(False, 0.0, 1)}
