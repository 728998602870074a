"""Scenario speed on the flagship model, against what a user would otherwise do.

(a) copath: ``res.scenario(...)`` (vectorised forward pass over the posterior draws,
    all intermediate and final outcomes), one scenario and 100 scenarios;
(b) the alternative: ``pm.do`` on the PyMC model plus ``pm.sample_posterior_predictive``
    of every outcome node, for one scenario.

The result must hold 4,000 draws: pass a saved result with ``--result DIR`` or let the
script fit ``synthetic_force`` (2 chains x 2,000 draws). Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_scenarios.py [--result DIR]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import numpy as np
import pymc as pm

import copath as cp
from _record import record



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--result", help="a saved result with 4,000 draws")
    parser.add_argument("--out", default="out/bench_scenarios", help="where the fitted result is kept")
    args = parser.parse_args()
    if args.result:
        res = cp.load_result(args.result)
    else:
        pw = cp.load_pathway("policing_coproduction")
        res = cp.fit(pw, cp.datasets.load("synthetic_force"), draws=2000, tune=600, chains=2,
                     random_seed=1, progressbar=False, ppc_draws=200)
        res.save(args.out)
    n_draws = res.posterior.sizes["chain"] * res.posterior.sizes["draw"]

    t0 = time.perf_counter()
    res.scenario({"nw_coverage": "x1.2"}).outcomes()  # includes building the forward pass once
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    res.scenario({"peer_mentoring": "x1.2"}).outcomes()
    one = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(100):
        factor = float(rng.uniform(0.8, 1.25))
        res.scenario({"nw_coverage": f"x{factor:.3f}", "restorative_justice": f"x{factor:.3f}"}).outcomes()
    hundred = time.perf_counter() - t0

    model = res.built.model
    new = res.data["peer_mentoring"].to_numpy() * 1.2
    t0 = time.perf_counter()
    intervened = pm.do(model, {"x_peer_mentoring": new})
    with intervened:
        pm.sample_posterior_predictive(res.idata, var_names=[rv.name for rv in model.observed_RVs],
                                       random_seed=1, progressbar=False)
    alt = time.perf_counter() - t0

    lines = [
        "## Scenarios: flagship model, synthetic_force",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, 2 cores; "
        f"{n_draws} posterior draws, {len(res.data)} rows, all {len(res.pathway.endogenous)} outcomes.",
        "",
        "| run | seconds |",
        "| --- | --- |",
        f"| copath, first scenario (builds the forward pass) | {first:.2f} |",
        f"| copath, one scenario | {one:.2f} |",
        f"| copath, 100 scenarios | {hundred:.2f} |",
        f"| pm.do + pm.sample_posterior_predictive, one scenario | {alt:.2f} |",
        "",
        f"Ratio copath / pm.do for one scenario: {one / alt:.3f} (copath is {alt / one:.0f}x faster).",
        "",
    ]
    record(lines)


if __name__ == "__main__":
    main()
