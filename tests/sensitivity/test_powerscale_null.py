"""The likelihood sensitivity's permutation null: its false-positive rate on coefficients the data
do not inform, measured where the truth is known (the log likelihood is pure noise)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from copath.sensitivity.powerscale import THRESHOLD, likelihood_informative, likelihood_null


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
    flags = [likelihood_informative(s, n) for s, n in zip(sens, null, strict=True)]
    assert flags[0]
    assert sum(flags[1:]) <= 2


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


@pytest.mark.parametrize("draws", [2400, 400])
def test_conflict_check_flags_about_5_percent_when_prior_and_data_agree_and_its_power_when_they_do_not(draws):
    # Conjugate normal, exact posterior draws (2,400 as copath demo keeps; 400, an ESS as low as the
    # flagship's worst): truth from the prior N(0, 1), the data's estimate N(truth, s^2), contraction
    # c = 1/(1 + s^2) uniform-ish over [0.2, 0.95]. Under agreement p is uniform, so about 5% of 2,000 fall
    # below 0.05. With the prior 4 sds off, z ~ N(4 sqrt(c), 1): the expected power is computed exactly.
    from scipy.stats import norm

    from copath.sensitivity.powerscale import conflict_p

    rng = np.random.default_rng(7)
    n, flagged, power, expected = 2000, 0, 0, 0.0
    for _ in range(n):
        s = float(rng.uniform(0.23, 2.0))
        c = 1.0 / (1.0 + s**2)
        truth = rng.normal(0.0, 1.0)
        v = 1.0 / (1.0 + 1.0 / s**2)
        for prior_mu in (0.0, 4.0):
            m = v * (prior_mu + rng.normal(truth, s) / s**2)
            d = rng.normal(m, np.sqrt(v), draws)
            p = conflict_p(prior_mu, 1.0, float(d.mean()), float(d.std()), ess=draws)
            if prior_mu == 0.0:
                flagged += p < 0.05
            else:
                power += p < 0.05
        mu_z = 4.0 * np.sqrt(c)
        expected += (norm.sf(1.96 - mu_z) + norm.cdf(-1.96 - mu_z)) / n
    print(f"draws {draws}: agreement flagged {flagged / n:.3f}, power {power / n:.3f} (expected {expected:.3f})")
    assert 0.035 <= flagged / n <= 0.065, flagged / n
    assert abs(power / n - expected) < 0.04, (power / n, expected)


def test_the_labels_rule_by_rule():
    from copath.sensitivity.powerscale import diagnose, min_contraction

    # conflict first (also when the prior still dominates), then fine, then dominates / both inform
    assert diagnose(0.3, 0.1, contraction=0.3, conflict=0.001) == "prior-data conflict"
    assert diagnose(0.01, 0.1, contraction=0.95, conflict=0.001) == "fine (the data overrule a conflicting prior)"
    assert diagnose(0.01, 0.1, contraction=0.95, conflict=0.5) == "fine"
    assert diagnose(0.3, 0.1, contraction=0.3, conflict=0.5) == "prior dominates (no conflict detected)"
    assert diagnose(0.3, 0.1, contraction=0.9) == "prior and data both inform (conflict not checked)"
    assert diagnose(0.3, 0.1, contraction=0.3) == "prior dominates (conflict not checked)"   # no p given: not run
    # the check's gate: three Monte Carlo standard errors of the contraction, 3 sqrt(2/ESS) (1 - c) < c
    k = 3 * np.sqrt(2 / 400)
    assert min_contraction(400) == pytest.approx(k / (1 + k))



@pytest.mark.parametrize("hard", [("slope", 0.0, 1.0), ("log rate ratio", 0.3, 0.32)], ids=["hypothesis", "direction"])
def test_conflict_check_on_soft_direction_priors_flags_at_most_6_percent_when_the_direction_holds(hard):
    """Issue 27: a stated direction is a soft prior (the sign-fixed prior's mean and sd as a
    normal) and the conflict check runs on it. Truths drawn from the stated side (the direction
    is right) or from the soft prior itself, data of contraction 0.2-0.95, exact conjugate draws at
    the demo's 2 x 1,200: the check flags at most 6% (benchmarks/bench_prior_rules.py records
    3.7-4.5% at 2,000 a cell for the soft priors copath now builds)."""
    from copath.evidence.priors import LinkPrior
    from copath.sensitivity.powerscale import conflict_p

    scale, mu, sigma = hard
    stated = LinkPrior("a -> b", mu, sigma, scale, sign=1)
    soft = stated.softened()
    for source in ("stated side", "soft prior"):
        rng = np.random.default_rng(5)
        n, flagged = 1000, 0
        for _ in range(n):
            s = float(rng.uniform(0.23, 2.0)) * soft.sigma
            truth = float(stated.draw(rng)) if source == "stated side" else rng.normal(soft.mu, soft.sigma)
            v = 1.0 / (1.0 / soft.sigma**2 + 1.0 / s**2)
            m = v * (soft.mu / soft.sigma**2 + rng.normal(truth, s) / s**2)
            d = rng.normal(m, np.sqrt(v), 2400)
            flagged += conflict_p(soft.mu, soft.sigma, float(d.mean()), float(d.std()), ess=2400) < 0.05
        assert 0.025 <= flagged / n <= 0.06, (source, flagged / n)
