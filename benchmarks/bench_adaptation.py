"""nutpie's mass-matrix adaptation on the flagship model: diagonal against low-rank.

One run, same model, data, MAP start and seed; 2 chains x ``--draws`` after ``--tune``.
Reports sampling time, leapfrog steps per draw, min bulk ESS and max R-hat over the link
coefficients, and ESS per second; appends to ``results.md``. (copath's default is
low-rank because of this comparison.)

    .venv/bin/python benchmarks/bench_adaptation.py [--draws 400 --tune 400]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import arviz as az
import nutpie

import copath as cp
from _record import record
from copath.model.builder import build_model
from copath.model.nutpie_compile import compile_for_nutpie



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--tune", type=int, default=400)
    args = parser.parse_args()
    pw = cp.load_pathway("policing_coproduction")
    built = build_model(pw, cp.datasets.load("synthetic_force"), evidence=cp.load_evidence())
    compiled = compile_for_nutpie(built.model, init="map", random_seed=1)
    rows = []
    for adaptation in ("diag", "low_rank"):
        t0 = time.perf_counter()
        tree = nutpie.sample(compiled, draws=args.draws, tune=args.tune, chains=2, seed=1, progress_bar=False,
                             save_warmup=False, adaptation=adaptation)
        secs = time.perf_counter() - t0
        beta = tree["posterior"]["beta"]
        beta = beta.to_dataset()["beta"] if hasattr(beta, "to_dataset") else beta
        ess = float(az.ess(beta).min())
        rhat = float(az.rhat(beta).max())
        steps = float(tree["sample_stats"]["n_steps"].mean())
        rows.append((adaptation, secs, steps, ess, rhat))
    lines = ["", "## Adaptation: nutpie diagonal vs low-rank mass matrix, flagship on synthetic_force", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, 2 cores; "
             f"2 chains x {args.draws} draws after {args.tune}; same MAP start, same seed.", "",
             "| adaptation | sampling s | steps per draw | min bulk ESS (links) | ESS/s | max R-hat (links) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, secs, steps, ess, rhat in rows:
        lines.append(f"| {name} | {secs:.0f} | {steps:.1f} | {ess:.0f} | {ess / secs:.3f} | {rhat:.3f} |")
    (_, s0, _, e0, _), (_, s1, _, e1, _) = rows
    lines += ["", f"Ratio low-rank / diagonal: ESS {e1 / e0:.2f}, sampling time {s1 / s0:.2f}, "
              f"ESS per second {(e1 / s1) / (e0 / s0):.2f}.", ""]
    record(lines)


if __name__ == "__main__":
    main()
