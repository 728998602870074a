"""res.check_pathway(): its false-positive rate on data from the pathway itself, and its power
against one omitted link.

Pathway: x1 -> y (continuous, area effects), x2 -> z (continuous, no area effects), y and z
final outcomes; ``pw.implications()`` gives four statements (y _||_ x2 | x1, y _||_ z | x1,
z _||_ x1 | x2, z _||_ y | x2), all testable (their conditioning nodes are exposures).
Null arm: data simulated from this pathway (cp.simulate, its priors' draw per seed, 40 areas x
12 months), fitted with it: a data set is a false positive when any statement is rejected at
family-wise 0.05 (Holm). Power arm: the same with a true link x2 -> y added (in residual sds of
y per sd of x2, ``--effect``), fitted without it: power is the share of data sets in which
"y _||_ x2 | x1" is rejected. 2 chains x 500 draws after 500 tuning steps each.

    .venv/bin/python benchmarks/bench_pathway_check.py [--sims 30] [--effect 0.3]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import copath as cp
from _record import record

NODES = """name: check
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  y: {kind: continuous, baseline: 5, scale: 1, area_effects: true}
  z: {kind: continuous, baseline: 5, scale: 1}
links:
  - {from: x1, to: y}
  - {from: x2, to: z}
"""
TRUE = NODES + "outcomes: [y, z]\n"
WITH_EXTRA = NODES + "  - {from: x2, to: y}\noutcomes: [y, z]\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=30)
    parser.add_argument("--effect", type=float, default=0.3)
    args = parser.parse_args()
    fitted = cp.loads_pathway(TRUE)
    statements = [str(i) for i in fitted.implications()]
    start = time.perf_counter()
    null_flags, power_hits, passed = 0, 0, 0
    for seed in range(args.sims):
        for arm, spec in (("null", TRUE), ("power", WITH_EXTRA)):
            pw = cp.loads_pathway(spec)
            sim = cp.simulate(pw, areas=40, months=12, random_seed=1000 + seed)
            if arm == "power":   # the omitted link's size in y's residual sds per sd of x2
                slope = args.effect * sim.truth["sigma"]["y"] / sim.data["x2"].std()
                sim = cp.simulate(pw, areas=40, months=12, random_seed=1000 + seed,
                                  params={"beta": {"x2 -> y": slope}})
            res = cp.fit(fitted, sim.data, draws=500, tune=500, chains=2, random_seed=seed, progressbar=False,
                         prior_draws=0, ppc_draws=500)
            passed += res.diagnostics().sampler_passed
            check = res.check_pathway()
            if arm == "null":
                null_flags += bool(check.table["rejected"].any())
            else:
                row = check.table[(check.table["node"] == "y") & (check.table["other"] == "x2")]
                power_hits += bool(row["rejected"].any())
    n = args.sims
    record(["## check_pathway: false positives and power (issue 30 item 2)", "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
            f"copath {cp.__version__}; {n} data sets per arm, 40 areas x 12 months, seeds 1000-{999 + n}; "
            f"{len(statements)} statements: {'; '.join(statements)}.", "",
            "| arm | data sets | flagged | rate |", "| --- | --- | --- | --- |",
            f"| null (data from the fitted pathway): any statement rejected | {n} | {null_flags} | {null_flags / n:.2f} |",
            f"| power (true x2 -> y of {args.effect:g} residual sds per sd of x2, omitted): y _||_ x2 rejected | {n} | "
            f"{power_hits} | {power_hits / n:.2f} |",
            "", f"Sampler checks passed on {passed} of {2 * n} fits; {time.perf_counter() - start:.0f} s in all.", ""])


if __name__ == "__main__":
    main()
