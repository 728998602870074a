"""Log likelihood storage: totals per node agree with summed pointwise values; auto mode."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.model.loglik import choose_log_likelihood, log_likelihood_totals
from tests.pathways import toy_spec

SPEC = toy_spec("ll", x={"range": None}, c={"family": "negative_binomial", "area_effects": True})


@pytest.fixture(scope="module")
def small_fit():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=15, months=4, random_seed=1)
    return cp.fit(pw, sim.data, draws=60, tune=100, chains=2, random_seed=2, progressbar=False,
                  log_likelihood="pointwise")


def test_totals_equal_summed_pointwise(small_fit):
    pointwise = small_fit.idata["log_likelihood"].to_dataset()
    totals = log_likelihood_totals(small_fit.model, small_fit.posterior)
    assert set(totals.data_vars) == set(pointwise.data_vars) == {"c", "p", "y"}
    for name in totals.data_vars:
        summed = pointwise[name].sum([d for d in pointwise[name].dims if d not in ("chain", "draw")])
        np.testing.assert_allclose(totals[name].values, summed.values, rtol=1e-6)


@pytest.mark.slow  # three full sensitivity tables (about 25 s): make test was near its 10 minutes
def test_fit_with_totals_keeps_the_sensitivity_working(small_fit):
    res = cp.fit(small_fit.pathway, small_fit.data, draws=60, tune=100, chains=2, random_seed=2,
                 progressbar=False, log_likelihood="total")
    assert res.run.log_likelihood == "total"
    assert dict(res.idata["log_likelihood"].to_dataset().sizes) == {"chain": 2, "draw": 60}
    a = res.sensitivity().table["likelihood_sensitivity"]
    b = small_fit.sensitivity().table["likelihood_sensitivity"]
    np.testing.assert_allclose(a.values, b.values, rtol=1e-6)  # same draws (same seed), same numbers
    none = cp.fit(small_fit.pathway, small_fit.data, draws=60, tune=100, chains=2, random_seed=2,
                  progressbar=False, log_likelihood="none")
    assert "log_likelihood" not in none.idata.children
    assert set(none.sensitivity().table["diagnosis"]) == {"unknown (no log likelihood)"}


def test_auto_mode_switches_by_size():
    assert choose_log_likelihood("auto", 4000, 12_500) == "pointwise"
    assert choose_log_likelihood("auto", 4000, 12_501) == "total"
    with pytest.raises(ValueError, match="log_likelihood"):
        choose_log_likelihood("some", 1, 1)


@pytest.mark.slow  # 17 s: 30,000 ADVI iterations beside the NUTS fit (make test-slow)
def test_advi_is_close_to_nuts_and_says_it_is_approximate(small_fit):
    approx = cp.fit(small_fit.pathway, small_fit.data, draws=500, chains=2, random_seed=3, progressbar=False,
                    method="fullrank_advi", advi_iterations=15_000)
    assert approx.settings.method == "fullrank_advi" and approx.posterior.sizes["draw"] == 1000
    diag = approx.diagnostics()
    assert not diag.passed and "approximate" in str(diag)
    a = approx.posterior["beta"].mean(("chain", "draw"))
    b = small_fit.posterior["beta"].mean(("chain", "draw"))
    sd = small_fit.posterior["beta"].std(("chain", "draw"))
    assert float(abs(a - b).max() / sd.max()) < 1.0  # within a posterior sd of NUTS on every link
    assert approx.summary().shape[0] == 3 and approx.scenario({"x": "+0.1"}).outcomes().shape[0] == 3
    with pytest.raises(ValueError, match="method"):
        cp.fit(small_fit.pathway, small_fit.data, method="laplace")
