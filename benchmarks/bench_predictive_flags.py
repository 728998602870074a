"""How often the diagnostics' predictive-check verdict flags a correct model, and a wrong one.

The verdict (:mod:`copath.model.predictive`) fails a node when its posterior predictive
interval coverage is far below nominal or ``p_mean`` / ``p_sd`` lies near 0 or 1. Two
conditions:

- **correct**: the chain x -> c -> p (a count with area effects and an offset, a binomial
  proportion with trials) simulated by ``cp.simulate`` at fixed links (30 areas x 6 months,
  seeds 0-9) and fitted with the same model (2 chains x 400 draws after 400): every node flag
  is a false positive;
- **overdispersed**: x -> p with p a share with an effective sample size, simulated
  beta-binomial (inv_sqrt_kappa 0.3, 30 areas x 3 months, seeds 0-2), fitted with the binomial
  (should be flagged) and with the beta-binomial (should not), 2 chains x 200 draws after 300.

    .venv/bin/python benchmarks/bench_predictive_flags.py
"""

from __future__ import annotations

import platform
import time
import warnings
from datetime import UTC, datetime

import copath as cp
from _record import record

CHAIN = """name: fp
nodes:
  x: {kind: exposure, range: [0, 1]}
  c: {kind: count, offset: hh, per: 1000, area_effects: true}
  p: {kind: proportion, trials: n}
links:
  - {from: x, to: c}
  - {from: c, to: p}
outcomes: [p]
"""
SHARES = """name: shares
nodes:
  x: {kind: exposure}
  p: {kind: proportion, trials: n, given_as: share, family: beta_binomial}
links:
  - {from: x, to: p}
outcomes: [p]
"""


def main() -> None:
    warnings.simplefilter("ignore")
    start = time.time()
    pw = cp.loads_pathway(CHAIN)
    flags, checks = 0, 0
    for seed in range(10):
        sim = cp.simulate(pw, areas=30, months=6, random_seed=seed, params={
            "beta": {"x -> c": -0.8, "c -> p": 0.6}, "intercept": {"c": 1.0, "p": -0.3}, "area_sd": {"c": 0.3}})
        res = cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=seed, progressbar=False)
        flags += len(res.diagnostics().predictive)
        checks += len(res.posterior_predictive())
    caught = {"binomial": 0, "beta_binomial": 0}
    for seed in range(3):
        sim = cp.simulate(cp.loads_pathway(SHARES), areas=30, months=3, random_seed=seed, params={
            "beta": {"x -> p": 0.5}, "intercept": {"p": 0.5}, "inv_sqrt_kappa": {"p": 0.3}})
        for family, spec in (("binomial", SHARES.replace(", family: beta_binomial", "")), ("beta_binomial", SHARES)):
            res = cp.fit(cp.loads_pathway(spec), sim.data, draws=200, tune=300, chains=2, random_seed=1,
                         progressbar=False)
            caught[family] += bool(res.diagnostics().predictive)
    record([
        "", "## Predictive-check verdict: false positives and overdispersion caught", "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
        f"copath {cp.__version__}; `bench_predictive_flags.py`, {time.time() - start:.0f} s.", "",
        "| condition | fits | flagged |", "| --- | --- | --- |",
        f"| correct model (x -> c -> p), node checks | {checks} | {flags} |",
        f"| overdispersed shares fitted binomial | 3 | {caught['binomial']} |",
        f"| overdispersed shares fitted beta-binomial | 3 | {caught['beta_binomial']} |",
    ])


if __name__ == "__main__":
    main()
