"""``cp.enbs`` and ``cp.ceac`` against their closed forms over many seeds.

ENBS: theta ~ N(0.2, 1), net benefit (0, theta), a study of n units with sd 4 (standard error
4 / sqrt(n)), 1,000 decisions a year for 5 years at 3.5%, costs 100 + 4 n; the closed form
is tests/sensitivity/test_enbs.py's (EVSI = s_n L(0.2 / s_n)). Per size over the seeds: the
mean ENBS minus the truth, the spread of the estimates against the mean reported SE, how many
lay within 3 SE; and how often each size was chosen as optimal (truth: n = 40).

CEAC: a gain ~ N(2, 1) against a cost of 100, 4,000 draws; at each willingness to pay the mean
P(best) and EVPI minus their closed forms (Phi(m/s), s L(|m|/s)) and how many of the EVPI
estimates lay within 3 of their SE. Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_enbs_ceac.py
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from scipy.stats import norm

from _record import record
from copath.sensitivity.ceac import ceac
from copath.sensitivity.enbs import enbs
from copath.sensitivity.evppi import scale_value

SEEDS = 50
SIZES = [5, 10, 20, 40, 80, 160, 320, 640]
DRAWS = 4000


def loss(z: float) -> float:
    return float(norm.pdf(z) - z * norm.sf(z))


def main() -> None:
    factor = scale_value(1.0, 1000, 5, 0.035)
    truth = []
    for n in SIZES:
        s = 1 / np.sqrt(1 + 16 / n)
        truth.append(factor * s * loss(0.2 / s) - 100 - 4 * n)
    est, ses, chosen = [], [], Counter()
    for seed in range(SEEDS):
        theta = np.random.default_rng(20_000 + seed).normal(0.2, 1.0, DRAWS)
        r = enbs(np.column_stack([np.zeros(DRAWS), theta]), theta, SIZES, lambda n: 4 / np.sqrt(n),
                 fixed_cost=100, cost_per_unit=4, per_year=1000, horizon_years=5, discount_rate=0.035, rng=seed)
        est.append(r.table["enbs"].to_numpy())
        ses.append(r.table["enbs_se"].to_numpy())
        chosen[r.optimal_n] += 1
    e, se, t = np.array(est), np.array(ses), np.array(truth)
    lines = [f"\n## ENBS and CEAC against their closed forms ({datetime.now(UTC):%Y-%m-%d %H:%M UTC}, "
             f"{SEEDS} seeds, {DRAWS} draws)", "",
             "ENBS (theta ~ N(0.2, 1), study sd 4, x4,515 decisions, cost 100 + 4 n):", "",
             "| n | truth | mean bias | sd of estimates | mean se | within 3 se | chosen as optimal |",
             "|---|---|---|---|---|---|---|"]
    for j, n in enumerate(SIZES):
        lines.append(f"| {n} | {t[j]:.1f} | {e[:, j].mean() - t[j]:+.1f} | {e[:, j].std(ddof=1):.1f} | "
                     f"{se[:, j].mean():.1f} | {(np.abs(e[:, j] - t[j]) < 3 * se[:, j]).sum()}/{SEEDS} | "
                     f"{chosen.get(n, 0)} |")
    lines += ["", "CEAC (gain ~ N(2, 1), cost 100):", "",
              "| wtp | P(best) truth | mean P bias | EVPI truth | mean EVPI bias | EVPI within 3 se |",
              "|---|---|---|---|---|---|"]
    wtp = [25.0, 40.0, 50.0, 60.0, 100.0]
    p_est, v_est, v_cov = {w: [] for w in wtp}, {w: [] for w in wtp}, Counter()
    for seed in range(SEEDS):
        gain = np.random.default_rng(30_000 + seed).normal(2.0, 1.0, DRAWS)
        r = ceac(pd.DataFrame({"no": 0.0, "yes": gain}), cost={"yes": 100.0}, wtp=wtp)
        yes = r.table[r.table["option"] == "yes"].set_index("wtp")["p_best"]
        ev = r.evpi.set_index("wtp")
        for w in wtp:
            m, s = 2 * w - 100, w
            p_est[w].append(yes.loc[w])
            v_est[w].append(ev.loc[w, "evpi"])
            v_cov[w] += abs(ev.loc[w, "evpi"] - s * loss(abs(m) / s)) < 3 * ev.loc[w, "evpi_se"]
    for w in wtp:
        m, s = 2 * w - 100, w
        p, v = norm.cdf(m / s), s * loss(abs(m) / s)
        lines.append(f"| {w:g} | {p:.4f} | {np.mean(p_est[w]) - p:+.4f} | {v:.3f} | {np.mean(v_est[w]) - v:+.3f} | "
                     f"{v_cov[w]}/{SEEDS} |")
    record(lines)


if __name__ == "__main__":
    main()
