"""Sensitivity speed on the flagship model: the full table without refits, against the fit.

In one run: fit ``policing_coproduction`` to ``synthetic_force`` (2 chains x 2,000
draws, as the scenario benchmark), then time

(a) ``res.sensitivity()``: power-scaling per link, variance shares, tornado;
(b) ``res.sensitivity(alternatives=True, scenarios=[...])``: the same plus sceptical /
    vague / registry prior swaps for every weak link, and one scenario's effects;
(c) ``res.evppi(...)`` for that scenario against no change.

The alternative a user would otherwise run is a refit per swapped prior: each costs
about one fit, so the fit time is the unit. Target: (b) under a quarter of the fit.
Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_sensitivity.py
"""

from __future__ import annotations

import platform
import time
from datetime import UTC, datetime

import copath as cp
from _record import record



def main() -> None:
    pw = cp.load_pathway("policing_coproduction")
    data = cp.datasets.load("synthetic_force")
    t0 = time.perf_counter()
    res = cp.fit(pw, data, draws=2000, tune=600, chains=2, random_seed=1, progressbar=False, ppc_draws=200)
    fit_s = time.perf_counter() - t0
    n_draws = res.posterior.sizes["chain"] * res.posterior.sizes["draw"]
    weak = sum(p.weak for p in res.priors.values())

    t0 = time.perf_counter()
    res.sensitivity()
    plain_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sc = res.scenario({"nw_coverage": "+0.2"}, name="more NW")
    sens = res.sensitivity(alternatives=True, scenarios=[sc])
    full_s = time.perf_counter() - t0
    effect = float(sc.difference("qol_citizens").mean())
    t0 = time.perf_counter()
    res.evppi([sc], value={"qol_citizens": 1.0}, cost={"more NW": effect})
    evppi_s = time.perf_counter() - t0

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        "## Sensitivity: flagship model, synthetic_force",
        "",
        f"{stamp}, {platform.machine()}, {platform.python_version()}, 2 cores; {n_draws} posterior draws, "
        f"{len(res.pathway.links)} links ({weak} weak), 2880 rows.",
        "",
        "| run | seconds | / fit |",
        "| --- | --- | --- |",
        f"| fit (2 x 2000 draws, all groups) = one refit per swapped prior | {fit_s:.1f} | 1 |",
        f"| res.sensitivity() | {plain_s:.1f} | {plain_s / fit_s:.3f} |",
        f"| res.sensitivity(alternatives=True, one scenario) | {full_s:.1f} | {full_s / fit_s:.3f} |",
        f"| res.evppi(one scenario vs no change) | {evppi_s:.1f} | {evppi_s / fit_s:.3f} |",
        "",
        f"The full table (with {len(sens.alternatives) // max(len(sens.alternatives['quantity'].unique()), 1)} "
        f"prior swaps by PSIS) takes {full_s / fit_s:.3f} of the fit time (target: under 0.25); the same swaps "
        f"by refitting would cost about that many fits.",
        "",
    ]
    record(lines)


if __name__ == "__main__":
    main()
