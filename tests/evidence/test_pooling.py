"""Random-effects pooling against independent computations of the same model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import halfnorm, norm

import copath as cp

# Rubin (1981) / BDA eight schools: a standard random-effects example
SCHOOLS_Y = np.array([28.0, 8, -3, 7, -1, 1, 18, 12])
SCHOOLS_S = np.array([15.0, 10, 16, 11, 9, 11, 10, 18])


def brute_force_moments(y, s, tau_density, tau_max, mu_lim):
    """E[mu], E[mu^2], E[tau^2] by 2-D quadrature of the joint posterior (flat mu prior)."""

    def joint(mu, tau):
        return tau_density(tau) * np.prod(norm.pdf(y, mu, np.sqrt(s**2 + tau**2)))

    opts = {"epsabs": 0, "epsrel": 1e-7}
    z = integrate.dblquad(joint, 0, tau_max, -mu_lim, mu_lim, **opts)[0]
    m1 = integrate.dblquad(lambda mu, t: mu * joint(mu, t), 0, tau_max, -mu_lim, mu_lim, **opts)[0]
    m2 = integrate.dblquad(lambda mu, t: mu**2 * joint(mu, t), 0, tau_max, -mu_lim, mu_lim, **opts)[0]
    t2 = integrate.dblquad(lambda mu, t: t**2 * joint(mu, t), 0, tau_max, -mu_lim, mu_lim, **opts)[0]
    return m1 / z, m2 / z, t2 / z


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_matches_two_dimensional_quadrature_half_normal():
    scale = 10.0
    res = cp.pool_effects(SCHOOLS_Y, SCHOOLS_S, tau_prior="half_normal", tau_scale=scale)
    e_mu, e_mu2, e_tau2 = brute_force_moments(
        SCHOOLS_Y, SCHOOLS_S, lambda t: halfnorm.pdf(t, scale=scale), tau_max=80, mu_lim=120
    )
    assert res.mean == pytest.approx(e_mu, abs=1e-3)
    assert res.sd == pytest.approx(np.sqrt(e_mu2 - e_mu**2), rel=1e-3)
    # predictive for a new school: var(mu) + E[tau^2]
    assert res.predictive_sd == pytest.approx(np.sqrt(e_mu2 - e_mu**2 + e_tau2), rel=1e-3)


def test_eight_schools_uniform_prior():
    # BDA3 section 5.5: the complete-pooling estimate is 7.7 (sd 4.1); with a uniform prior
    # on tau the posterior of mu stays near it but is wider, and tau is not pinned to zero
    y, s = SCHOOLS_Y, SCHOOLS_S
    w = 1 / s**2
    assert np.sum(w * y) / np.sum(w) == pytest.approx(7.69, abs=0.01)
    res = cp.pool_effects(y, s, tau_prior="uniform")
    assert abs(res.mean - 7.69) < 0.5
    assert res.sd > 1 / np.sqrt(np.sum(w))
    assert res.tau_interval[1] > 10


def test_tiny_heterogeneity_gives_the_inverse_variance_mean():
    y = np.array([-0.4, -0.1, -0.25])
    s = np.array([0.1, 0.2, 0.15])
    w = 1 / s**2
    res = cp.pool_effects(y, s, tau_prior="half_normal", tau_scale=1e-6)
    assert res.mean == pytest.approx(np.sum(w * y) / np.sum(w), abs=1e-6)
    assert res.sd == pytest.approx(1 / np.sqrt(np.sum(w)), rel=1e-4)
    lo, hi = res.interval
    z = norm.ppf(0.5 + res.prob / 2)
    assert lo == pytest.approx(res.mean - z * res.sd, rel=1e-3)
    assert hi == pytest.approx(res.mean + z * res.sd, rel=1e-3)


def test_normal_prior_on_mu_shrinks_toward_its_mean():
    flat = cp.pool_effects([1.0, 1.2], [0.3, 0.3])
    shrunk = cp.pool_effects([1.0, 1.2], [0.3, 0.3], mu_prior_mean=0.0, mu_prior_sd=0.2)
    assert 0 < shrunk.mean < flat.mean


def test_custom_tau_density_equals_named_prior():
    named = cp.pool_effects(SCHOOLS_Y, SCHOOLS_S, tau_prior="half_normal", tau_scale=5.0)
    custom = cp.pool_effects(SCHOOLS_Y, SCHOOLS_S, tau_prior=lambda t: halfnorm.pdf(t, scale=5.0))
    # the grid upper bound differs, the answer must not
    assert custom.mean == pytest.approx(named.mean, abs=1e-3)
    assert custom.tau_median == pytest.approx(named.tau_median, rel=1e-2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"estimates": [1, 2], "std_errors": [1]}, "same non-zero length"),
        ({"estimates": [1, 2], "std_errors": [1, 0]}, "positive"),
        ({"estimates": [1, np.nan], "std_errors": [1, 1]}, "finite"),
        ({"estimates": [1], "std_errors": [1], "tau_prior": "gamma"}, "tau_prior"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cp.pool_effects(**kwargs)
