"""Few areas: does cp.fit converge at its defaults where only a handful of areas are seen?

A force's own data are often a few neighbourhoods: the City of London's police.uk files give
6 LSOAs x 18 months. Fitted at ``cp.fit``'s defaults, a three-node pathway of those real data
(burglary and violent crime, counts with area effects and a trend; the charge share, a
proportion with area effects, read from violent crime) failed on divergences (issue 28 note of
2026-12-07). This benchmark asks whether that is the design or the data: the same pathway,
with the City's levels as baselines, simulated from its priors (``plausible=True``) at 6, 12 and
24 areas x 18 months, seeds used nowhere else, and fitted at ``cp.fit``'s defaults
(target_accept 0.8) and at 0.95 (rstanarm's default ``adapt_delta`` for all its models, multinma's for
random-effects models). The 0.8 fit of each simulation runs first and pays the one-off
compilation, so the seconds do not compare the settings.
Per fit: the sampler's verdict, divergences, max R-hat, min bulk ESS, the seconds, and whether
the 94% intervals of the link and of each ``area_sd`` hold their truths.

    .venv/bin/python benchmarks/bench_few_areas.py [--seeds 5] [--areas 6 12 24] [--accept 0.8 0.95]
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

SPEC = """
name: city_like
nodes:
  burglary: {kind: count, offset: households, per: 1000, baseline: 4.5, area_effects: true, time: [trend]}
  violent_crime: {kind: count, offset: residents, per: 1000, baseline: 7, area_effects: true, time: [trend]}
  detection: {kind: proportion, trials: crimes_recorded, baseline: 0.15, area_effects: true}
links:
  - {from: violent_crime, to: detection}
outcomes: [detection]
"""
LINK = "violent_crime -> detection"


def held(draws: np.ndarray, truth: float) -> bool:
    low, high = az.hdi(np.asarray(draws).ravel(), prob=0.94)
    return bool(low <= truth <= high)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--areas", type=int, nargs="+", default=[6, 12, 24])
    parser.add_argument("--accept", type=float, nargs="+", default=[0.8, 0.95])
    args = parser.parse_args()
    pw = cp.loads_pathway(SPEC)
    lines = ["## Few areas: a City-like pathway at cp.fit's defaults (issue 28)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
             f"copath {cp.__version__}; 18 months; truths drawn from the priors (plausible=True), seeds "
             f"{7101}-{7100 + args.seeds}; 4 x 1,000 after 1,000; 'passes' is the sampler's verdict.", "",
             "| areas | target_accept | seed | passes | divergences | max R-hat | min bulk ESS | "
             "intervals holding truth (link, area_sd x3) | fit s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    tally: dict[tuple[int, float], list[int]] = {}
    for areas in args.areas:
        for seed in range(7101, 7101 + args.seeds):
            sim = cp.simulate(pw, areas=areas, months=18, random_seed=seed, plausible=True)
            for accept in args.accept:
                start = time.perf_counter()
                res = cp.fit(pw, sim.data, random_seed=seed, progressbar=False, target_accept=accept,
                             prior_draws=0)
                seconds = time.perf_counter() - start
                d = res.diagnostics()
                post = res.posterior
                holds = [held(post["beta"].sel(link=LINK).values, sim.truth["beta"][LINK])]
                holds += [held(post["area_sd"].sel(area_node=n).values, sim.truth["area_sd"][n])
                          for n in ("burglary", "violent_crime", "detection")]
                row = tally.setdefault((areas, accept), [0, 0, 0, 0])
                row[0] += 1
                row[1] += int(d.sampler_passed)
                row[2] += sum(holds)
                row[3] += len(holds)
                lines.append(f"| {areas} | {accept} | {seed} | {'yes' if d.sampler_passed else 'no'} | "
                             f"{d.divergences} | {d.max_rhat:.3f} | {d.min_ess_bulk:.0f} | "
                             f"{sum(holds)}/{len(holds)} | {seconds:.0f} |")
    lines.append("")
    for (areas, accept), (n, ok, hold, total) in tally.items():
        lines.append(f"{areas} areas, target_accept {accept}: {ok}/{n} pass; intervals hold their truth "
                     f"{hold}/{total}.")
    record(lines)


if __name__ == "__main__":
    main()
