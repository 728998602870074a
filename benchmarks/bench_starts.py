"""Chains started by Pathfinder at short warm-up vs MAP starts at full warm-up (copath issue 28).

For ``--sims`` fresh simulations of the bundled ``calibration_pathway`` (``--areas`` x
``--months``, seeds ``--seed``, ``--seed + 1``, ...), fits each arm of ``--arms``
(``init:tune`` pairs; by default Pathfinder starts with 300 tuning steps, MAP starts with
1,000, and MAP starts with 300 to tell the start's share from the warm-up's) with
``--chains`` x ``--draws`` and the same sampler seed, and reports per arm: the share of fits
that pass every diagnostic (divergences, R-hat, ESS, BFMI, stray chains), the median
seconds to the posterior (the Pathfinder pilot and any rebuild, compilation, starts,
warm-up and draws: ``FitRun.posterior_seconds``), the median max R-hat and min
bulk ESS, and, for Pathfinder, the share of starts whose log density lies inside the
central 98% of the posterior draws' (a start at the mode lies above it), how far the
starts' log densities lie from the posterior draws' median, and the median Pareto k. The warm-up saved is the difference in tuning steps per chain and in seconds.

Appends to ``benchmarks/results.md`` unless ``--dry`` (print only: for a short check that the
script runs, which is not a result).

    .venv/bin/python benchmarks/bench_starts.py [--sims 12 --areas 30 --months 6 --chains 4]
        [--draws 1000] [--arms pathfinder:300,map:1000,map:300] [--dry]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from datetime import UTC, datetime

import numpy as np

import copath as cp
from _record import record


def fit_once(pw: cp.Pathway, data, init: str, tune: int, draws: int, chains: int, seed: int) -> dict:
    """One fit and what the benchmark reads from it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, data, draws=draws, tune=tune, chains=chains, random_seed=seed, progressbar=False,
                     init=init, log_likelihood="none")
    diag = res.diagnostics()
    lp = res.idata["sample_stats"]["logp"].values
    low, mid, high = np.quantile(lp, [0.01, 0.5, 0.99])
    starts = res.run.starts.get("logp", [])
    inside = [low <= s <= high for s in starts]
    return {"passed": diag.passed, "seconds": res.run.posterior_seconds, "rhat": diag.max_rhat,
            "ess": diag.min_ess_bulk, "stray": len(diag.stray), "inside": inside,
            "above": sum(s > high for s in starts), "k": res.run.starts.get("pareto_k", []),
            "gap": [s - mid for s in starts], "width": high - low}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=12)
    parser.add_argument("--areas", type=int, default=30)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2801)
    parser.add_argument("--arms", default="pathfinder:300,map:1000,map:300")
    parser.add_argument("--dry", action="store_true", help="print only; do not append to results.md")
    args = parser.parse_args()
    arms = [(a.split(":")[0], int(a.split(":")[1])) for a in args.arms.split(",")]
    pw = cp.load_pathway("calibration_pathway")
    out: dict[tuple[str, int], list[dict]] = {arm: [] for arm in arms}
    started = time.perf_counter()
    for i in range(args.sims):
        data = cp.simulate(pw, areas=args.areas, months=args.months, random_seed=args.seed + i).data
        for init, tune in arms:
            got = fit_once(pw, data, init, tune, args.draws, args.chains, seed=args.seed + 1000 + i)
            out[(init, tune)].append(got)
            print(f"sim {i} {init}:{tune} pass={got['passed']} {got['seconds']:.1f}s R-hat {got['rhat']:.3f} "
                  f"ESS {got['ess']:.0f} stray {got['stray']} starts inside {sum(got['inside'])}/{len(got['inside'])}"
                  f" above {got['above']}", flush=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "", f"## Starts: Pathfinder vs MAP ({when}, {platform.machine()}, bench_starts.py)", "",
        f"calibration_pathway, {args.sims} simulations of {args.areas} areas x {args.months} months (seeds "
        f"{args.seed}..{args.seed + args.sims - 1}); {args.chains} chains x {args.draws} draws, nutpie; "
        f"{time.perf_counter() - started:.0f} s in all.", "",
        "| init | tune | pass | median s | median max R-hat | median min bulk ESS | stray chains | "
        "starts inside central 98% | starts above it | start lp - posterior median (median [min, max]) | "
        "posterior's 98% width (median) | median Pareto k |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (init, tune), fits in out.items():
        inside = [x for f in fits for x in f["inside"]]
        ks = [k for f in fits for k in f["k"]]
        gaps = [g for f in fits for g in f["gap"]]
        lines.append(
            f"| {init} | {tune} | {sum(f['passed'] for f in fits)}/{len(fits)} | "
            f"{np.median([f['seconds'] for f in fits]):.1f} | {np.median([f['rhat'] for f in fits]):.3f} | "
            f"{np.median([f['ess'] for f in fits]):.0f} | {sum(f['stray'] for f in fits)} | "
            + (f"{sum(inside)}/{len(inside)} | {sum(f['above'] for f in fits)} | "
               f"{np.median(gaps):.1f} [{min(gaps):.1f}, {max(gaps):.1f}] | "
               f"{np.median([f['width'] for f in fits]):.1f} | {np.median(ks):.2f} |" if inside
               else "- | - | - | - | - |"))
    base = next(((i, t) for i, t in arms if i == "map"), None)
    for init, tune in arms:
        if init == "pathfinder" and base is not None:
            saved = base[1] - tune
            secs = np.median([f["seconds"] for f in out[base]]) - np.median([f["seconds"] for f in out[(init, tune)]])
            lines.append(f"\nWarm-up saved by pathfinder:{tune} against map:{base[1]}: {saved} tuning steps per chain, "
                         f"{secs:.1f} s median time to the posterior per fit.")
    if args.dry:
        print("\n".join(lines))
    else:
        record(lines)


if __name__ == "__main__":
    main()
