"""How often the sensitivity labels are right, on fits where the truth is known.

The toy chain x -> c -> p -> y with x -> y (count, proportion and continuous nodes; 60 areas x
6 months, as the test suite's toy) is simulated with fixed link values, then fitted with an
informative normal prior on every link, as informative as the data (prior sd = the posterior
sd the data give under a vague prior: 0.23, 0.11, 0.15, 0.13), at 2 chains x 1,500 draws. Two
conditions, ``SEEDS`` simulations each:

- **agree**: each prior's mean is drawn from N(truth, prior sd), so the truth is a draw from
  the prior and there is no prior-data conflict to find;
- **conflict**: each prior's mean is the truth +/- 3 prior sds (sign at random), a real conflict.

For every link it records copath's diagnosis and what priorsense's rule would have said
(prior and likelihood sensitivities both at least 0.05: "potential prior-data conflict"),
and reports the share of links labelled "prior-data conflict" under each condition: the
false-positive rate (agree) and the power (conflict). The conflict check's z is
(m - mu)/(sigma sqrt(c)): with the data as informative as the prior (c about 0.5) a 3-sd
offset gives z about 2.1, so the power expected at this size is about 0.55.

    .venv/bin/python benchmarks/bench_labels.py
"""

from __future__ import annotations

import platform
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd

import copath as cp
from _record import record

#: The test suite's toy chain (tests/conftest.py), written out so the benchmark needs no test code.
TOY_SPEC = """
name: toy
nodes:
  x: {kind: exposure, range: [0, 1]}
  c: {kind: count, offset: hh, per: 1000, area_effects: true}
  p: {kind: proportion, trials: n}
  y: {kind: continuous}
links:
  - {from: x, to: c}
  - {from: c, to: p}
  - {from: p, to: y}
  - {from: x, to: y}
outcomes: [y]
"""
TRUE_BETA = {"x -> c": -0.8, "c -> p": 0.6, "p -> y": 0.7, "x -> y": 0.5}
SEEDS = 20
#: At 2 x 600 draws 33 of 40 fits failed R-hat <= 1.01 by a hair (1.011-1.017 on an area effect or sigma, bulk
#: ESS over 1,400): chance at that length. At 2 x 1,500 the fits pass, so the labels describe converged draws.
DRAWS, TUNE = 1500, 800
PRIOR_SD = {"x -> c": 0.23, "c -> p": 0.11, "p -> y": 0.15, "x -> y": 0.13}
SCALE = {"x -> c": "log rate ratio", "c -> p": "log odds ratio", "p -> y": "slope", "x -> y": "slope"}
OFFSET = 3.0


def one(pw: cp.Pathway, seed: int, condition: str) -> pd.DataFrame:
    rng = np.random.default_rng(10_000 * (condition == "conflict") + seed)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=seed, params={
        "beta": TRUE_BETA, "intercept": {"c": 1.0, "p": -0.3, "y": 0.2}, "area_sd": {"c": 0.3}, "sigma": {"y": 0.3}})
    priors = {}
    for link, sd in PRIOR_SD.items():
        shift = rng.normal() if condition == "agree" else OFFSET * rng.choice([-1.0, 1.0])
        priors[link] = cp.LinkPrior(link, mu=TRUE_BETA[link] + shift * sd, sigma=sd, scale=SCALE[link])
    res = cp.fit(pw, sim.data, priors=priors, draws=DRAWS, tune=TUNE, chains=2, random_seed=seed, progressbar=False)
    t = res.sensitivity().table
    t["condition"], t["seed"], t["passed"] = condition, seed, res.diagnostics().passed
    t["priorsense_conflict"] = (t["prior_sensitivity"] >= 0.05) & (t["likelihood_sensitivity"] >= 0.05)
    return t


def main() -> None:
    warnings.simplefilter("ignore")
    pw = cp.loads_pathway(TOY_SPEC)
    t0 = time.perf_counter()
    rows = [one(pw, seed, condition) for condition in ("agree", "conflict") for seed in range(SEEDS)]
    elapsed = time.perf_counter() - t0
    table = pd.concat(rows)
    lines = [f"\n## Sensitivity labels against known truth ({datetime.now(UTC):%Y-%m-%d %H:%M UTC}, "
             f"{platform.machine()}, {SEEDS} simulations x 4 links per condition, {elapsed:.0f} s)", "",
             "| condition | links | \"prior-data conflict\" | priorsense rule (both >= 0.05) | conflict check ran | "
             "\"both inform\" | \"prior dominates\" | \"fine\" (incl. overruled) | fits passing diagnostics |",
             "|---|---|---|---|---|---|---|---|---|"]
    for condition, g in table.groupby("condition", sort=False):
        d = g["diagnosis"].astype(str)
        lines.append(
            f"| {condition} | {len(g)} | {(d == 'prior-data conflict').sum()} | {int(g['priorsense_conflict'].sum())} | "
            f"{int(g['conflict_p'].notna().sum())} | {d.str.startswith('prior and data both inform').sum()} | "
            f"{d.str.startswith('prior dominates').sum()} | {d.str.startswith('fine').sum()} | "
            f"{int(g.groupby('seed')['passed'].first().sum())} / {SEEDS} |")
    agree = table[table["condition"] == "agree"]
    ok = table[table["passed"]]
    lines += ["", f"Over the {ok.groupby(['condition', 'seed']).ngroups} fits that passed their diagnostics: "
              f"\"prior-data conflict\" {int((ok[ok['condition'] == 'agree']['diagnosis'] == 'prior-data conflict').sum())}"
              f" of {int((ok['condition'] == 'agree').sum())} links (agree), "
              f"{int((ok[ok['condition'] == 'conflict']['diagnosis'] == 'prior-data conflict').sum())} of "
              f"{int((ok['condition'] == 'conflict').sum())} (conflict)."]
    lines += ["", f"False-positive rate of \"prior-data conflict\" where the priors agree with the truth: "
              f"{(agree['diagnosis'] == 'prior-data conflict').mean():.3f} (priorsense's rule: "
              f"{agree['priorsense_conflict'].mean():.3f}); of the check alone (p < 0.05 where it ran): "
              f"{(agree['conflict_p'] < 0.05).sum()} of {int(agree['conflict_p'].notna().sum())}; median contraction "
              f"{agree['contraction'].median():.2f}."]
    record(lines)


if __name__ == "__main__":
    main()
