"""The flagship's failure mode in two links: a mediator with weak data of its own.

Issue 28's failing flagship fits (and a plausible redraw of the bundled force) had chains apart
on ``speedwatch -> road_casualties`` and ``road_casualties -> qol_citizens``. This benchmark
fits that sub-pathway alone, as the flagship writes it (the Milton 2016 registry prior on the
first link, the sign-free default on the second, a logit quality-of-life node), to fresh
simulations at the redraw's true values (120 areas x 24 months, seeds 1-N), at ``cp.fit``'s
defaults. Two arms: ``weak`` as the flagship has it (casualties per 100,000 residents: 0.06 a
row, so the child's data fix only the product of the two links), and ``strong``, the same truth
with the rate per 1,000 (about 6 a row: road casualties' own data tell the first link's sign).
Per seed: whether the sampler's checks pass (``sampler_passed``; the predictive check is not
part of this question), max R-hat, divergences, the chains' means of the first link, whether
:func:`copath.model.mirror.mirror_modes` named a mirror pair, and whether the product's 94%
interval holds its truth. The label firing in the ``strong`` arm, where the sign is identified,
is its false positive.

    .venv/bin/python benchmarks/bench_mediator.py [--seeds 10] [--arms weak strong] [--no-symmetrise]
        [--target-accept 0.95]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import arviz as az
import numpy as np

import copath as cp
from _record import record
from copath.model import symmetrise

SPEC = """
name: mediator
nodes:
  speedwatch: {kind: exposure, range: [0, 1]}
  road_casualties: {kind: count, baseline: 4, offset: residents, per: PER}
  qol_citizens: {kind: continuous, baseline: 7.5, range: [0, 10], scale: 0.5, link: logit}
links:
  - {from: speedwatch, to: road_casualties, evidence: [milton2016_speedwatch]}
  - {from: road_casualties, to: qol_citizens}
outcomes: [qol_citizens]
"""
IN, OUT = "speedwatch -> road_casualties", "road_casualties -> qol_citizens"
TRUTH = {"beta": {IN: -0.3577, OUT: 0.2224}, "intercept": {"road_casualties": 1.4885, "qol_citizens": 0.9534},
         "sigma": {"qol_citizens": 0.4}}


ARMS = {"weak": 100000, "strong": 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--arms", nargs="+", choices=list(ARMS), default=list(ARMS))
    parser.add_argument("--no-symmetrise", action="store_true",
                        help="sample the posterior as it is (copath.model.symmetrise off), for comparison")
    parser.add_argument("--target-accept", type=float, default=None, help="default: cp.fit's")
    args = parser.parse_args()
    if args.no_symmetrise:
        symmetrise.MAX_MIRRORS = 0
    ev = cp.load_evidence()
    lines = ["## A mediator with weak data of its own (issue 28's failure mode in two links)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
             f"copath {cp.__version__}; 120 areas x 24 months, cp.fit defaults (4 x 1,000 after 1,000, MAP starts)"
             + ("; symmetrising off" if args.no_symmetrise else "")
             + (f"; target_accept {args.target_accept:g}" if args.target_accept else "")
             + "; 'passes' is the sampler's verdict.", "",
             "| arm | seed | passes | max R-hat | divergences | chain means of speedwatch -> road_casualties | "
             "mirror label | product's 94% interval holds truth | fit s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    summary = []
    for arm in args.arms:
        pw = cp.loads_pathway(SPEC.replace("PER", str(ARMS[arm])))
        passed = mirrors = held = 0
        for seed in range(1, args.seeds + 1):
            sim = cp.simulate(pw, areas=120, months=24, params=TRUTH, random_seed=seed, evidence=ev)
            start = time.perf_counter()
            res = cp.fit(pw, sim.data, ev, random_seed=seed, progressbar=False, prior_draws=0, ppc_draws=200,
                         target_accept=args.target_accept)
            seconds = time.perf_counter() - start
            d = res.diagnostics()
            beta = res.posterior["beta"]
            means = beta.sel(link=IN).mean("draw").values
            product = (beta.sel(link=IN) * beta.sel(link=OUT)).values.ravel()
            low, high = az.hdi(product, prob=0.94)
            truth = TRUTH["beta"][IN] * TRUTH["beta"][OUT]
            mirror = any("mirror-image" in c for c in d.causes)
            passed += d.sampler_passed
            mirrors += mirror
            held += low <= truth <= high
            lines.append(f"| {arm} | {seed} | {'yes' if d.sampler_passed else 'no'} | {d.max_rhat:.3f} | "
                         f"{d.divergences} | {', '.join(f'{m:+.2f}' for m in means)} | {'yes' if mirror else 'no'} | "
                         f"{'yes' if low <= truth <= high else 'no'} | {seconds:.0f} |")
        summary.append(f"{arm}: sampler passes {passed}/{args.seeds}; mirror label on {mirrors}/{args.seeds}"
                       + (" (false positives: the sign is identified here)" if arm == "strong" else "")
                       + f"; the product's interval holds its truth in {held}/{args.seeds}.")
    lines += ["", *summary, ""]
    record(lines)


if __name__ == "__main__":
    main()
