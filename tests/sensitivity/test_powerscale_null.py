"""The likelihood label's permutation null: its false-positive rate on coefficients the data
do not inform, measured where the truth is known (the log likelihood is pure noise)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from copath.sensitivity.powerscale import CONFLICT, THRESHOLD, diagnose, likelihood_null


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> np.ndarray:
    """Standard-normal AR(1) series along axis 1 (draws), lag-1 autocorrelation ``rho``."""
    x = rng.normal(size=shape)
    for t in range(1, shape[1]):
        x[:, t] = rho * x[:, t - 1] + np.sqrt(1 - rho**2) * x[:, t]
    return x


def _tree(seed: int, draws: int, k: int = 10, sd: float = 12.0, related: float = 0.0, rho: float = 0.0) -> xr.DataTree:
    """k standard-normal coefficients; a log likelihood of sd ``sd`` that depends on the first
    one through ``related`` and on none of the others; both autocorrelated as MCMC draws are
    (lag-1 ``rho``)."""
    rng = np.random.default_rng(seed)
    beta = _ar1(rng, (2, draws, k), rho)
    ll = sd * _ar1(rng, (2, draws), rho) + related * beta[..., 0]
    posterior = xr.Dataset({"beta": (("chain", "draw", "link"), beta)}, coords={"link": [f"l{i}" for i in range(k)]})
    return xr.DataTree.from_dict({"posterior": posterior, "log_likelihood": xr.Dataset({"y": (("chain", "draw"), ll)})})


def _informative(tree: xr.DataTree, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from arviz_stats import psense

    sens = psense(tree, var_names=["beta"], group="likelihood", alphas=(0.99, 1.01))["beta"].values
    null = likelihood_null(tree, random_seed=seed)["beta"].max("permutation").values
    return sens, null


def test_noise_passes_the_raw_threshold_but_not_the_null_and_real_dependence_does():
    tree = _tree(seed=3, draws=600, related=25.0)
    sens, null = _informative(tree, seed=3)
    assert (sens[1:] >= THRESHOLD).mean() >= 0.8        # the raw rule calls noise informative
    assert sens[0] > null[0] and sens[0] >= THRESHOLD     # the coefficient the likelihood depends on
    labels = [diagnose(0.2, s, likelihood_null=n) for s, n in zip(sens, null, strict=True)]
    assert labels[0] == CONFLICT
    assert labels[1:].count(CONFLICT) <= 2


@pytest.mark.slow
@pytest.mark.parametrize("rho", [0.0, 0.7])
def test_false_positive_rate_of_the_likelihood_label_at_the_demo_draws_is_at_most_5_percent(rho):
    # 20 seeds x 10 unrelated coefficients at 2 x 1,200 draws (copath demo's), independent
    # draws and draws as autocorrelated as a sticky chain's (a uniform shuffle flagged 17% there)
    raw, perm = 0, 0
    for seed in range(20):
        sens, null = _informative(_tree(seed=100 + seed, draws=1200, rho=rho), seed=seed)
        raw += int((sens >= THRESHOLD).sum())
        perm += int(((sens >= THRESHOLD) & (sens > null)).sum())
    print(f"rho {rho}: raw rule {raw}/200, circular-shift null {perm}/200")
    assert raw >= 150            # the noise floor the issue measured
    assert perm <= 10            # at most 5%; the test's level is about 1/40 (5 of 200 expected)


def test_the_prior_sensitivity_of_a_prior_the_data_overrule_stays_far_below_the_threshold():
    # Why the prior sensitivity needs no permutation null: its weights come from the link's own
    # log prior, which barely varies over a posterior the data have narrowed. Posterior sd 0.1,
    # priors 5 to 30 times wider, 2 x 1,200 draws: 0 of 200 reached 0.05 over 20 seeds (largest
    # 0.023); here 5 seeds.
    from arviz_stats import psense
    from scipy.stats import norm

    values = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        beta = rng.normal(0.3, 0.1, size=(2, 1200, 10))
        lp = norm.logpdf(beta, 0.0, np.linspace(0.5, 3.0, 10))
        post = xr.Dataset({"beta": (("chain", "draw", "link"), beta)}, coords={"link": [f"l{i}" for i in range(10)]})
        tree = xr.DataTree.from_dict({"posterior": post, "log_prior": xr.Dataset(
            {"beta": (("chain", "draw", "link"), lp)}, coords=post.coords)})
        for i in range(10):
            sens = psense(tree, group="prior", alphas=(0.99, 1.01), group_var_names=["beta"],
                          group_coords={"link": f"l{i}"})
            values.append(float(sens["beta"].sel(link=f"l{i}")))
    assert max(values) < THRESHOLD / 2
