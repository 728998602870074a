"""Runtime of ``res.loo()`` and ``res.check_pathway()`` against its fit, on the flagship pathway (issue 30's check: less
than 25% of the fit), and how many units' Pareto k exceed 0.7 by row and by area.

The flagship on the first ``--areas`` areas of ``synthetic_force`` (24 months each), fitted with
``--draws`` draws and as many tuning steps on 2 chains; ``res.loo(by=..., max_refits=0)`` timed
for rows and areas (no exact refits, so the time is PSIS and, by area, the quadrature that
integrates each area's effect out).

    .venv/bin/python benchmarks/bench_loo.py [--areas 30] [--draws 300]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from datetime import UTC, datetime

import copath as cp
from _record import record


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--areas", type=int, default=30)
    parser.add_argument("--draws", type=int, default=300)
    args = parser.parse_args()
    pw = cp.load_pathway("policing_coproduction")
    df = cp.datasets.load("synthetic_force")
    keep = sorted(df["area"].unique())[: args.areas]
    df = df[df["area"].isin(keep)].reset_index(drop=True)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    res = cp.fit(pw, df, draws=args.draws, tune=args.draws, chains=2, random_seed=1, progressbar=False)
    fit_s = time.perf_counter() - start
    lines = [f"## LOO runtime: flagship on synthetic_force ({args.areas} areas x 24 months)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}; "
             f"fit {args.draws} draws + {args.draws} tune, 2 chains: {fit_s:.0f} s (wall, with compiling).", "",
             "| by | loo s | share of fit | units | units with k > 0.7 | nodes with most such units |",
             "| --- | --- | --- | --- | --- | --- |"]
    for by in ("row", "area"):
        start = time.perf_counter()
        lo = res.loo(by=by, max_refits=0)
        loo_s = time.perf_counter() - start
        table = lo.table.drop(index="total")
        worst = table[table["high_k"] > 0]["high_k"].sort_values(ascending=False).head(3)
        lines.append(f"| {by} | {loo_s:.1f} | {loo_s / fit_s:.2f} | {int(lo.table.loc['total', 'n_units'])} | "
                     f"{len(lo.unreliable)} | {', '.join(f'{n} {int(k)}' for n, k in worst.items()) or '-'} |")
    start = time.perf_counter()
    check = res.check_pathway()
    check_s = time.perf_counter() - start
    tested = int(check.table["p_value"].notna().sum())
    lines += ["", f"res.check_pathway(): {check_s:.1f} s, {check_s / fit_s:.2f} of the fit "
                  f"({tested} statement(s) tested, {len(check.untested)} listed as untested)."]
    record([*lines, ""])


if __name__ == "__main__":
    main()
