"""Simulation-based calibration of the fitting, recorded (issue: reliability).

Runs ``cp.calibrate`` on ``models/calibration.yaml`` (one count, one proportion and one
continuous node; 20 areas x 3 months per simulation) twice:

(a) the correct model: parameters drawn from the priors the model uses;
(b) a deliberately wrong model: link coefficients simulated from the prior moved by
    ``--shift`` prior sds, fitted with the unmoved prior. It must fail.

Writes ``calibration_correct.png`` / ``calibration_wrong.png`` and the rank and test
tables beside this script, and appends the p-values to ``results.md``.

    .venv/bin/python benchmarks/bench_calibration.py [--sims 200] [--shift 2]
    .venv/bin/python benchmarks/bench_calibration.py --model calibration_pathway --unobserved fear --wrong-sims 0
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import copath as cp
from _record import record

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=200)
    parser.add_argument("--wrong-sims", type=int, default=100,
                        help="simulations for the wrong model (a 2-sd shift fails long before 200)")
    parser.add_argument("--shift", type=float, default=2.0)
    parser.add_argument("--model", default="calibration",
                        help="bundled pathway (calibration; calibration_pathway: NB with area effects, a middle "
                             "node left without data)")
    parser.add_argument("--unobserved", default="", help="comma-separated nodes whose data are dropped before each fit")
    parser.add_argument("--draws", type=int, default=300, help="draws per chain of each fit (2 chains)")
    parser.add_argument("--tune", type=int, default=300, help="tuning steps per chain of each fit")
    args = parser.parse_args()
    pw = cp.load_pathway(args.model)
    unobserved = [n for n in args.unobserved.split(",") if n]
    stem = "calibration" if args.model == "calibration" else args.model
    runs = {}
    for label, shift, sims in (("correct", 0.0, args.sims), ("wrong", args.shift, args.wrong_sims)):
        if sims <= 0:
            continue
        t0 = time.perf_counter()
        cal = cp.calibrate(pw, n_sims=sims, prior_shift=shift, random_seed=7, unobserved=unobserved,
                           draws=args.draws, tune=args.tune)
        runs[label] = (cal, time.perf_counter() - t0)
        cal.save(HERE / "calibration", name=f"{stem}_{label}")
    n_par = next(iter(runs.values()))[0].ranks.shape[1]
    lines = ["", f"## Calibration: simulation-based calibration of the fit (`models/{args.model}.yaml`)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, Python {platform.python_version()}, "
             f"2 cores. `models/{args.model}.yaml` ({pw.title}), 20 areas x 3 months per simulation"
             + (f", {', '.join(unobserved)} left without data" if unobserved else "")
             + f", 2 chains x {args.draws} draws after {args.tune} tuning steps, thinned to 100; {args.sims} simulations for the correct model, "
             f"{args.wrong_sims} for the wrong one. Ranked: every link coefficient, intercept (in the model's "
             f"centring), area spread, dispersion and residual sd ({n_par} parameters). Pass: no parameter's "
             f"ECDF or chi-square p-value below 0.05 / {n_par}.", ""]
    for label, (cal, secs) in runs.items():
        what = "correct model" if label == "correct" else f"wrong model (coefficients simulated {args.shift:g} prior sd off)"
        lines += [f"**{what}**: {'PASS' if cal.passed else 'FAIL'} ({len(cal.ranks)} simulations, "
                  f"{secs / 60:.1f} min; {sum(cal.fits_passed)} of {len(cal.fits_passed)} fits passed their own "
                  "diagnostics)", "",
                  "| parameter | ECDF-difference p | chi-square p | pass |", "| --- | --- | --- | --- |"]
        for link, row in cal.tests.iterrows():
            lines.append(f"| {link} | {row['ecdf_p']:.3g} | {row['chi2_p']:.3g} | {'yes' if row['pass'] else 'no'} |")
        lines += ["", f"![{label}](calibration/{stem}_{label}.png)", ""]
    record(lines)


if __name__ == "__main__":
    main()
