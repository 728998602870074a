"""Small-sample bias and standard errors of ``cp.evsi`` against its closed form.

theta ~ N(0, 1), net benefit (0, theta) (act when theta > 0), a study reporting T ~ N(theta,
s^2): EVSI = 1/sqrt(2 pi (1 + s^2)). For 400, 1,000 and 4,000 draws and s = 0.5, 1, 2, over
100 seeds each: the mean estimate minus the truth (and as a percentage), its Monte Carlo
error, the spread of the estimates against the mean reported ``se``, and how many estimates
lay within 3 ``se`` of the truth. The table in :mod:`copath.sensitivity.evsi` quotes a run of
this script. Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_evsi_bias.py
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from _record import record
from copath.sensitivity.evsi import evsi

SEEDS = 100


def main() -> None:
    lines = [f"\n## EVSI bias against the closed form ({datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {SEEDS} seeds a cell)", "",
             "| draws | s | truth | bias | bias % | MC error | sd of estimates | mean se | within 3 se |",
             "|---|---|---|---|---|---|---|---|---|"]
    for n in (400, 1000, 4000):
        for s in (0.5, 1.0, 2.0):
            truth = 1 / np.sqrt(2 * np.pi * (1 + s * s))
            est, ses, cover = [], [], 0
            for seed in range(SEEDS):
                rng = np.random.default_rng(10_000 + seed)
                theta = rng.normal(size=n)
                r = evsi(np.column_stack([np.zeros(n), theta]), theta, s, rng=rng)
                est.append(r.evsi)
                ses.append(r.se)
                cover += abs(r.evsi - truth) < 3 * r.se
            e = np.array(est)
            d = e.mean() - truth
            lines.append(f"| {n} | {s} | {truth:.4f} | {d:+.4f} | {100 * d / truth:+.1f}% | "
                         f"{e.std(ddof=1) / np.sqrt(SEEDS):.4f} | {e.std(ddof=1):.4f} | {np.mean(ses):.4f} | "
                         f"{cover}/{SEEDS} |")
    record(lines)


if __name__ == "__main__":
    main()
