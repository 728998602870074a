"""cp.compare_fits on nested pathways whose extra link is truly 0: how often "more than 2 SE"
would have called one of them worse, against copath's rule (worse only when the ELPD difference
is at least 4 and more than 2 SE; Sivula, Magnusson & Vehtari 2020).

Pathway x -> m (continuous) -> y (count), simulated with x -> y = 0 (x -> m 0.5, m -> y 0.4),
20 areas x 6 months, seeds 1-N; both the pathway with x -> y and the one without are fitted
(2 chains x 300 draws after 300, seed 1) and compared with max_refits=0. The guide's (docs/guides/checking.md)
figures on the nested case come from this script.

    .venv/bin/python benchmarks/bench_loo_nested.py [--sims 8]
"""

from __future__ import annotations

import argparse
import platform
import warnings
from datetime import UTC, datetime

import copath as cp
from _record import record


def spec(direct: bool) -> str:
    links = "  - {from: x, to: m}\n  - {from: m, to: y}\n" + ("  - {from: x, to: y}\n" if direct else "")
    return ("name: t\nnodes:\n  x: {kind: exposure}\n  m: {kind: continuous}\n  y: {kind: count}\n"
            f"links:\n{links}outcomes: [y]\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=8)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    full, short = cp.loads_pathway(spec(True)), cp.loads_pathway(spec(False))
    kw = dict(draws=300, tune=300, chains=2, random_seed=1, progressbar=False)
    lines = ["## compare_fits on nested pathways with a truly zero extra link (issue 30 item 1)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
             f"copath {cp.__version__}; 20 areas x 6 months, 2 x 300 draws, max_refits=0.", "",
             "| seed | better | ELPD difference | SE | difference / SE | copath's verdict |", "| --- | --- | --- | --- | --- | --- |"]
    over, similar = 0, 0
    for seed in range(1, args.sims + 1):
        sim = cp.simulate(full, areas=20, months=6, random_seed=seed,
                          params={"beta": {"x -> y": 0.0, "m -> y": 0.4, "x -> m": 0.5}})
        cmp = cp.compare_fits({"with x -> y": cp.fit(full, sim.data, **kw), "without": cp.fit(short, sim.data, **kw)},
                              max_refits=0)
        total = cmp.table.loc["total"]
        row = total.iloc[1]
        ratio = -row["elpd_diff"] / row["se_diff"]
        over += ratio > 2
        similar += str(row["verdict"]).startswith("similar")
        lines.append(f"| {seed} | {total.index[0]} | {row['elpd_diff']:.2f} | {row['se_diff']:.2f} | {ratio:.2f} | "
                     f"{row['verdict']} |")
    lines += ["", f"More than 2 SE apart in {over} of {args.sims}; copath's verdict 'similar' in {similar} of "
              f"{args.sims}.", ""]
    record(lines)


if __name__ == "__main__":
    main()
