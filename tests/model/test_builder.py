"""The PyMC model: one equation per node, priors on the right edges, labelled dims."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytest

import copath as cp
from copath.evidence.priors import priors_for
from copath.model.builder import SOFT_SCALE, build_model, intercept_prior
from copath.model.equations import linear_predictors, make_plan


def _normal_params(model, name):
    rv = model[name]
    mu, sigma = rv.owner.inputs[-2], rv.owner.inputs[-1]
    return np.asarray(pytensor.function([], mu)()), np.asarray(pytensor.function([], sigma)())


@pytest.fixture(scope="module")
def flagship_built(flagship, evidence):
    data = cp.simulate(flagship, areas=6, months=3, random_seed=5).data
    return build_model(flagship, data, evidence=evidence)


def test_each_link_prior_in_the_model_is_the_registry_prior(flagship, evidence):
    """The model's log density of every coefficient equals its prior's, sign included: the
    registry's priors with every stated direction held (as the fit holds one through a node
    without data), so that both the free and the sign-held parametrisations are checked."""
    registry = {name: p.held() for name, p in priors_for(flagship, evidence).items()}
    data = cp.simulate(flagship, areas=6, months=3, random_seed=5).data
    model = build_model(flagship, data, priors=registry).model
    assert list(model.coords["link"]) == flagship.link_names
    free, signed = list(model.coords.get("link_free", ())), list(model.coords.get("link_signed", ()))
    assert set(free) | set(signed) == set(flagship.link_names) and signed, "the flagship has sign-fixed links"
    for var, names in (("beta_free", free), ("beta_soft", signed)):
        rv = model[var]
        for value in (0.05, 0.4, -0.4):
            logp = pm.logp(rv, np.full(len(names), value)).eval()
            for i, name in enumerate(names):
                prior = registry[name]
                if not prior.sign:
                    assert logp[i] == pytest.approx(float(prior.logpdf(np.array([value]))[0]), rel=1e-6), name
                    continue
                # beta = sign x kappa softplus(t / kappa): the density of t is the prior's at beta times |dbeta/dt|
                kappa = SOFT_SCALE * prior.sigma
                size = kappa * np.logaddexp(0, value / kappa)
                jacobian = -np.logaddexp(0, -value / kappa)
                expected = float(prior.logpdf(np.array([prior.sign * size]))[0]) + jacobian
                assert logp[i] == pytest.approx(expected, rel=1e-6), name


def test_model_has_one_likelihood_per_observed_node(flagship, flagship_built):
    model = flagship_built.model
    observed = {rv.name for rv in model.observed_RVs}
    assert observed == set(flagship.endogenous)
    assert set(model.coords["area_node"]) == {"burglary", "violent_crime"}
    assert model["burglary"].owner.op.name == "negative_binomial"
    assert model["road_casualties"].owner.op.name == "poisson"


def test_intercepts_centre_on_baselines(flagship, flagship_built):
    mu, _ = _normal_params(flagship_built.model, "intercept")
    nodes = list(flagship_built.model.coords["node"])
    assert mu[nodes.index("detection")] == pytest.approx(np.log(0.08 / 0.92))
    assert mu[nodes.index("burglary")] == pytest.approx(np.log(0.8))


def test_intercept_without_baseline_comes_from_the_data():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, offset: hh, per: 100}\n"
                          "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    df = pd.DataFrame({"area": [1, 2], "month": 1, "x": [0.0, 1.0], "hh": [100.0, 300.0], "y": [3, 5]})
    from copath.model.data import prepare_data

    mean, sd = intercept_prior(pw, "y", prepare_data(pw, df))
    # every row is its own area here, so the level pools over all rows (a per-row log rate with +0.5 would
    # be biased for small counts): (3 + 5 + 0.5) / (1 + 3) per 100 households
    assert mean == pytest.approx(np.log(8.5 / 4.0)) and sd == 1.0
    # with two rows per area it is the mean over rows of each area's pooled log rate
    two = pd.concat([df, df.assign(month=2)], ignore_index=True)
    mean2, _ = intercept_prior(pw, "y", prepare_data(pw, two))
    assert mean2 == pytest.approx((np.log(6.5 / 2.0) + np.log(10.5 / 6.0)) / 2)


def test_missing_continuous_parent_values_are_imputed():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  m: {kind: continuous}\n"
                          "  y: {kind: continuous}\nlinks:\n  - {from: x, to: m}\n  - {from: m, to: y}\noutcomes: [y]\n")
    df = pd.DataFrame({"area": [1, 2, 3], "month": 1, "x": [0.0, 1.0, 2.0], "m": [0.5, np.nan, 1.5],
                       "y": [1.0, 2.0, np.nan]})
    built = build_model(pw, df)
    assert "m_missing" in built.model.named_vars
    assert built.model["m_missing"].shape.eval().tolist() == [1]
    assert list(built.model.coords["m_obs"]) == [0, 2] and list(built.model.coords["y_obs"]) == [0, 1]


def test_linear_predictors_by_hand():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  c: {kind: count}\n"
                          "  p: {kind: proportion, trials: n, baseline: 0.5}\n"
                          "links:\n  - {from: x, to: c}\n  - {from: c, to: p}\n  - {from: x, to: p}\noutcomes: [p]\n")
    plan = make_plan(pw, {"x": 1.0})
    x = np.array([0.0, 2.0])
    params = {"intercept": np.array([[0.5, -1.0], [0.0, 0.0]]), "beta": np.array([[2.0, 3.0, -1.0], [1.0, 1.0, 1.0]])}
    eta = linear_predictors(plan, {"x": x}, params)
    # draw 0: eta_c = 0.5 + 2 (x - 1); eta_p = -1 + 3 (eta_c - 0) - (x - 1)
    eta_c = 0.5 + 2 * (x - 1)
    np.testing.assert_allclose(eta["c"][0], eta_c)
    np.testing.assert_allclose(eta["p"][0], -1 + 3 * eta_c - (x - 1))
    # draw 1 broadcasts separately
    np.testing.assert_allclose(eta["p"][1], (x - 1) + (x - 1))
