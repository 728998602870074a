"""Issue 28's weak mediator: does sampling the mirror-symmetrised posterior, then flipping each
draw back with its exact probability, cure the fits that ``bench_mediator.py`` shows failing?

``bench_mediator.py``'s weak arm (``speedwatch -> road_casualties -> qol_citizens``, 0.06
casualties a row, so the child's data fix only the product ``a b`` of the two links) fails 10 of
10 fits at ``cp.fit``'s defaults: chains in mirror-image branches (R-hat), and divergences at the
hyperbola's neck. This benchmark writes the same two links as a raw PyMC model, as copath writes
them (the child sees the mediator's log rate centred at its data level; the Milton prior on
``a``, N(0, 0.5) on ``b``), and compares two samplings of it, each at ``target_accept`` 0.8
(``cp.fit``'s default without area effects) and 0.95:

``raw``
    The posterior :math:`p(\\theta)` as it is.
``sym``
    The mirror-symmetrised density :math:`q(\\theta) \\propto p(\\theta) + p(R\\theta)`, with
    :math:`R` the involution that flips both links and moves the child's intercept by
    :math:`2 b (\\alpha_m - c_m)` (so that the child's linear predictor, and every likelihood
    term below the mediator, is unchanged; :math:`R` has unit Jacobian). :math:`q` is
    symmetric under :math:`R`, so a chain that stays in one branch samples it correctly up to
    the flip; each draw is then replaced by :math:`R\\theta` with probability
    :math:`p(R\\theta) / (p(\\theta) + p(R\\theta))`, which turns draws from :math:`q` into
    draws from :math:`p` exactly (a two-point mixture per orbit).

Per fit: divergences, R-hat of the product and of :math:`|a|` (both invariant under :math:`R`:
a chain stuck in one branch shows in :math:`|a|` when the branches differ), R-hat of :math:`a`
after the flips, bulk ESS of the product, the posterior probability that :math:`a < 0`, and
whether the product's 94% interval holds its truth. Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_mirror.py [--seeds 6] [--target-accept 0.8 0.95] [--arms raw sym]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from datetime import UTC, datetime

import arviz as az
import numpy as np
import nutpie
import pymc as pm
import pytensor.tensor as pt
from _record import record
from bench_mediator import IN, OUT, SPEC, TRUTH

import copath as cp

#: The default prior of the link out of a count parent with few events a row (the unit default,
#: copath.model.autoscale.MIN_EVENTS) on the quality-of-life node's scale.
SD_OUT = 0.5


def _data(seed: int, pw, ev) -> dict[str, np.ndarray]:
    d = cp.simulate(pw, areas=120, months=24, params=TRUTH, random_seed=seed, evidence=ev).data
    x = d["speedwatch"].to_numpy(dtype=float)
    off = np.log(d["residents"].to_numpy(dtype=float) / 100000)
    y = d["road_casualties"].to_numpy()
    return {"x": x - x.mean(), "off": off, "y": y, "q": d["qol_citizens"].to_numpy(dtype=float),
            "c": float(np.log((y.sum() + 0.5) / np.exp(off).sum()))}


def _logp(a, b, am, aq, sig, d, mu_a, sd_a):
    """Every term of the posterior that R moves (the links' priors and both likelihoods)."""
    eta_m = am + a * d["x"]
    lp = pm.logp(pm.Normal.dist(mu_a, sd_a), a) + pm.logp(pm.Normal.dist(0.0, SD_OUT), b)
    lp += pm.logp(pm.Normal.dist(1.1, 1.5), aq)
    lp += pt.sum(pm.logp(pm.Poisson.dist(pt.exp(d["off"] + eta_m)), d["y"]))
    lp += pt.sum(pm.logp(pm.Normal.dist(10 * pm.math.sigmoid(aq + b * (eta_m - d["c"])), sig), d["q"]))
    return lp


def _fit(arm: str, d: dict, seed: int, target_accept: float, mu_a: float, sd_a: float) -> dict:
    with pm.Model() as model:
        am = pm.Normal("am", 0.0, 3.0)
        sig = pm.HalfNormal("sig", 1.0)
        a, b, aq = pm.Flat("a"), pm.Flat("b"), pm.Flat("aq")
        lp = _logp(a, b, am, aq, sig, d, mu_a, sd_a)
        if arm == "raw":
            pm.Potential("p", lp)
        else:
            lp_r = _logp(-a, -b, am, aq + 2 * b * (am - d["c"]), sig, d, mu_a, sd_a)
            pm.Potential("q", pt.logaddexp(lp, lp_r))
            pm.Deterministic("lp", lp)
            pm.Deterministic("lp_r", lp_r)
    start = time.perf_counter()
    trace = nutpie.sample(nutpie.compile_pymc_model(model), chains=4, draws=1000, tune=1000, seed=seed,
                          progress_bar=False, target_accept=target_accept)
    seconds = time.perf_counter() - start
    post = trace.posterior
    a_draws, b_draws = post["a"].values, post["b"].values
    if arm == "sym":
        rng = np.random.default_rng(seed)
        flip = rng.random(a_draws.shape) < 1.0 / (1.0 + np.exp(post["lp"].values - post["lp_r"].values))
        a_draws, b_draws = np.where(flip, -a_draws, a_draws), np.where(flip, -b_draws, b_draws)
    product = a_draws * b_draws

    def rhat(v: np.ndarray) -> float:
        return float(az.rhat(az.convert_to_dataset({"v": v}))["v"])

    truth = TRUTH["beta"][IN] * TRUTH["beta"][OUT]
    low, high = az.hdi(product.ravel(), prob=0.94)
    return {"divergences": int(trace.sample_stats["diverging"].sum()), "rhat_product": rhat(product),
            "rhat_abs_a": rhat(np.abs(a_draws)), "rhat_a": rhat(a_draws),
            "ess": float(az.ess(az.convert_to_dataset({"v": product}))["v"]),
            "p_negative": float(np.mean(a_draws < 0)), "holds": bool(low <= truth <= high), "s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--target-accept", type=float, nargs="+", default=[0.8, 0.95])
    parser.add_argument("--arms", nargs="+", choices=["raw", "sym"], default=["raw", "sym"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ev = cp.load_evidence()
    pw = cp.loads_pathway(SPEC.replace("PER", "100000"))
    prior = cp.priors_for(pw, ev)[IN]
    lines = ["", "## Mirror-symmetrised sampling of a weak mediator (`bench_mirror.py`, issue 28)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
             f"2 cores; bench_mediator's weak arm (120 areas x 24 months, seeds 1-{args.seeds}) as a raw PyMC "
             f"model, nutpie 4 x 1,000 after 1,000. A fit passes with no divergence and every R-hat below 1.01.",
             "", "| arm | target_accept | seed | divergences | R-hat product | R-hat abs(a) | R-hat a | ESS product "
             "| P(a < 0) | product's interval holds truth | passes | s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    summary = []
    for arm in args.arms:
        for ta in args.target_accept:
            passed = 0
            for seed in range(1, args.seeds + 1):
                r = _fit(arm, _data(seed, pw, ev), seed, ta, prior.mu, prior.sigma)
                ok = r["divergences"] == 0 and max(r["rhat_product"], r["rhat_abs_a"], r["rhat_a"]) < 1.01
                passed += ok
                lines.append(f"| {arm} | {ta:g} | {seed} | {r['divergences']} | {r['rhat_product']:.3f} | "
                             f"{r['rhat_abs_a']:.3f} | {r['rhat_a']:.3f} | {r['ess']:.0f} | {r['p_negative']:.2f} | "
                             f"{'yes' if r['holds'] else 'no'} | {'yes' if ok else 'no'} | {r['s']:.0f} |")
                print(lines[-1], flush=True)
            summary.append(f"- {arm} at target_accept {ta:g}: {passed} of {args.seeds} pass.")
    record([*lines, "", *summary, ""])


if __name__ == "__main__":
    main()
