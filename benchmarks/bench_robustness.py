"""Do ``cp.fit``'s defaults converge on data copath was never tuned for? (issue 28)

Fits the flagship pathway to fresh simulations of varied size (areas x months from the
list below, seeds 28_000 + i, used by no test, example or other benchmark) and the
calibration pathway (its middle node ``fear`` left without data, as in its calibration) to
more, every fit at ``cp.fit``'s defaults (4 chains x 1,000 draws after 1,000 tuning steps, the
default start and target_accept). Data are drawn with ``cp.simulate(..., plausible=True)``:
parameters from the priors the fit samples with (a stated sign held where the data cannot
tell it, as in simulation-based calibration), restricted to worlds whose expected values
stay inside every node's bounds (a force's data come from a world that exists); a node left
without data enters its children centred at its own level, as the fit centres it. Because the
truth comes from the priors restricted to plausible worlds while the fit samples with the
unrestricted priors, coverage is optimistic for links the data barely inform (their posterior
is near the prior, which is wider than the truth's distribution): the coverage is therefore
also given separately for the links the data inform well (posterior sd under half the prior
sd). simulate's own conventions also apply: intercepts drawn with half their prior sd, and
endogenous parents centred at their baseline.

Records, per pathway (and per fit the weak mediators it sampled symmetrised,
:mod:`copath.model.symmetrise`): the share of fits that pass their own diagnostics (R-hat <= 1.01, bulk
and tail ESS >= 400, no divergences, BFMI >= 0.3); among those that pass, the coverage of the
94% HDIs of the link coefficients (share of links whose truth lies inside) and the largest
distance of a truth from its posterior mean in posterior sds; and wall time per fit.

    .venv/bin/python benchmarks/bench_robustness.py                    # both pathways (about an hour on 2 cores)
    .venv/bin/python benchmarks/bench_robustness.py --model calibration_pathway --n 20
    .venv/bin/python benchmarks/bench_robustness.py --model policing_coproduction --n 10
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
from copath.model.data import prepare_data
from copath.model.fit import sampling_priors

#: (areas, months) cycled over the flagship's fits: 40-200 areas, 12-36 months.
FLAGSHIP_SIZES = [(40, 12), (60, 24), (80, 12), (40, 36), (100, 12), (60, 12), (200, 12), (40, 24), (120, 12),
                  (50, 36)]
CALIBRATION_SIZES = [(30, 6), (60, 12), (40, 24), (100, 6), (20, 12)]
UNOBSERVED = {"calibration_pathway": ["fear"]}
SEED_BASE = 28_000


def priors_as_fitted(pw: cp.Pathway, evidence: cp.Evidence, areas: int, months: int) -> dict:
    """The link priors cp.fit samples with on data of this shape (a sign held where the data
    cannot tell it, soft elsewhere): the truth is drawn from these, as in calibration."""
    pilot = cp.simulate(pw, areas=areas, months=months, random_seed=0, evidence=evidence)
    hidden = UNOBSERVED.get(pw.name, [])
    prepared = prepare_data(pw, pilot.data.drop(columns=hidden))
    return sampling_priors(pw, prepared, cp.priors_for(pw, evidence))[0]


def one_fit(pw: cp.Pathway, evidence: cp.Evidence, areas: int, months: int, seed: int) -> dict:
    hidden = UNOBSERVED.get(pw.name, [])
    sim = cp.simulate(pw, areas=areas, months=months, random_seed=seed, plausible=True, hidden=hidden,
                      priors=priors_as_fitted(pw, evidence, areas, months))
    data = sim.data.drop(columns=hidden)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, data, evidence=evidence, random_seed=seed, progressbar=False)
    seconds = time.perf_counter() - started
    table = res.summary()
    truth = sim.truth["beta"]
    inside, z, informed = [], [], []
    for link in pw.link_names:
        lo, hi = table.loc[link, "post_hdi_low"], table.loc[link, "post_hdi_high"]
        inside.append(lo <= truth[link] <= hi)
        z.append(abs(truth[link] - table.loc[link, "post_mean"]) / max(table.loc[link, "post_sd"], 1e-12))
        informed.append(table.loc[link, "sd_ratio"] < 0.5)
    d = res.diagnostics()
    return {"areas": areas, "months": months, "seed": seed, "passed": d.passed, "divergences": d.divergences,
            "max_rhat": d.max_rhat, "min_ess": min(d.min_ess_bulk, d.min_ess_tail), "coverage": float(np.mean(inside)),
            "inside_informed": int(np.sum(np.array(inside) & np.array(informed))), "informed": int(np.sum(informed)),
            "max_z": float(max(z)), "seconds": seconds, "worst": d.worst[0].describe() if d.worst else "",
            "mirrored": ", ".join(res.run.mirrored.get("nodes", {})) or "-"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["policing_coproduction", "calibration_pathway", "both"], default="both")
    parser.add_argument("--n", type=int, default=0, help="fits per pathway (default 10 flagship, 20 calibration)")
    args = parser.parse_args()
    evidence = cp.load_evidence()
    models = ["calibration_pathway", "policing_coproduction"] if args.model == "both" else [args.model]
    for name in models:
        pw = cp.load_pathway(name)
        sizes = FLAGSHIP_SIZES if name == "policing_coproduction" else CALIBRATION_SIZES
        n = args.n or (10 if name == "policing_coproduction" else 20)
        rows = []
        for i in range(n):
            areas, months = sizes[i % len(sizes)]
            row = one_fit(pw, evidence, areas, months, SEED_BASE + i)
            rows.append(row)
            print(f"{name} {i + 1}/{n}: {areas} x {months}, pass {row['passed']}, R-hat {row['max_rhat']:.3f}, "
                  f"ESS {row['min_ess']:.0f}, div {row['divergences']}, coverage {row['coverage']:.2f}, "
                  f"max z {row['max_z']:.1f}, {row['seconds']:.0f} s, symmetrised {row['mirrored']} {row['worst']}",
                  flush=True)
        passed = [r for r in rows if r["passed"]]
        lines = [f"## Robustness: {name} at cp.fit's defaults on {n} fresh simulations", "",
                 f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
                 f"copath {cp.__version__}; seeds {SEED_BASE}..{SEED_BASE + n - 1}; data from "
                 "`cp.simulate(..., plausible=True)`"
                 + (f"; {', '.join(UNOBSERVED[name])} left without data" if name in UNOBSERVED else "") + ".", "",
                 "| areas x months | seed | pass | divergences | max R-hat | min ESS | coverage (94% HDI) | max z | s "
                 "| symmetrised |",
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in rows:
            lines.append(f"| {r['areas']} x {r['months']} | {r['seed']} | {'yes' if r['passed'] else 'no'} | "
                         f"{r['divergences']} | {r['max_rhat']:.3f} | {r['min_ess']:.0f} | {r['coverage']:.3f} | "
                         f"{r['max_z']:.2f} | {r['seconds']:.0f} | {r['mirrored']} |")
        coverage = float(np.mean([r["coverage"] for r in passed])) if passed else float("nan")
        n_informed = sum(r["informed"] for r in passed)
        informed = sum(r["inside_informed"] for r in passed) / n_informed if n_informed else float("nan")
        max_z = max((r["max_z"] for r in passed), default=float("nan"))
        lines += ["", f"Passed {len(passed)} of {n} ({100 * len(passed) / n:.0f}%); among them, coverage of the 94% "
                      f"HDIs {coverage:.3f} ({informed:.3f} over the {n_informed} well-informed links, posterior "
                      f"sd < half the prior's) and the largest truth-to-mean distance {max_z:.2f} posterior sds; "
                      f"median {np.median([r['seconds'] for r in rows]):.0f} s per fit.", ""]
        record(lines)


if __name__ == "__main__":
    main()
