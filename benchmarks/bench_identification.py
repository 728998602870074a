"""How often the identification labels are wrong: each label checked against what the
posterior did, on simulated data where the truth is known.

``cp.fit`` labels every link ``local data``, ``combination``, ``product`` or ``prior only``
(:mod:`copath.model.identification`) from the pathway and the data, before sampling. Each
label is a claim about the posterior, checked here by the link's contraction
``1 - posterior var / prior var`` against the prior the fit used (a default prior the data
hardly inform keeps the unit default, the label's reference; :mod:`copath.model.autoscale`):

- a link the check assessed (a parent whose input the data give, into a count or proportion
  child: :func:`copath.model.information.assess`) claims an expected contraction above or
  below its own cut (0.1 for information from change within areas, 0.5 for information from
  the areas' differences, in proportion between); its label is counted wrong when the
  contraction lies more than ``MARGIN`` (0.1) on the wrong side of the cut. (At the ESS of these
  fits, >= 400, a variance ratio estimated from the draws has a Monte Carlo sd of about
  sqrt(2 / 400) = 0.07.) The table also gives the median of contraction - expected;
- any other ``prior only`` label claims the posterior is the prior: wrong when the contraction
  exceeds 0.2; any other ``local data`` label is wrong when the contraction is below 0.2;
- ``product`` and ``combination`` claim the data inform only a product or a combination;
  their contraction is reported, not scored (a coefficient can narrow through the other
  factor's prior).

The designs (one small pathway, ``x1, x2 -> u -> y -> z``, 20 areas x 12 months, truth drawn
from the priors, every fit 2 chains x 1000 draws after 1000 tuning steps):

- ``observed``: every column but ``z``;
- ``x1 constant``: ``x1`` held at 0.3 in the data (and without effect in the simulation);
- ``x1 absent``: the ``x1`` column left out (the spec's ``reference: 0.3``);
- ``u without data``: ``u``'s column left out;
- ``x1 nearly constant``: ``x1`` varying by an sd of 0.002 around 0.3 (a stress case:
  structurally informed, practically not);
- ``x1 between areas``: ``x1`` replaced by its area means (0.3 + the area's departure from the
  overall mean), so it varies only between areas and ``u``'s area intercepts are its rival
  (issue 30 item 4; the random-intercept information expects a contraction of about 0.75);
- ``x1 between areas, half``: the same departures halved (expected about 0.45: ``weak local
  data`` under the 0.5 rule for a parent varying mostly between areas, ``local data`` under the
  general 0.1 rule);
- ``x1 between areas, jittered``: as ``half``, plus change within areas of sd 0.002 (the
  within/between split is continuous: it stays a mostly-between parent; seeds of its own).

Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_identification.py [--sims 8] [--designs "x1 between areas"] [--draws 1000]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from _record import record

import copath as cp

SPEC = """
name: identification_check
nodes:
  x1: {kind: exposure, range: [0, 1], reference: 0.3, unit: share}
  x2: {kind: exposure, range: [0, 1], unit: share}
  u: {kind: count, family: negative_binomial, offset: households, per: 1000, baseline: 20, area_effects: true}
  y: {kind: continuous, scale: 1.0, baseline: 5}
  z: {kind: continuous, scale: 1.0, baseline: 5}
links:
  - {from: x1, to: u}
  - {from: x2, to: u}
  - {from: u, to: y, direction: "-"}
  - {from: y, to: z}
outcomes: [z]
"""

DESIGNS = ("observed", "x1 constant", "x1 absent", "u without data", "x1 nearly constant", "x1 between areas",
           "x1 between areas, half", "x1 between areas, jittered")
CUT = 0.2
#: The between-area designs: x1's departure from its mean kept per area, times this factor.
BETWEEN = {"x1 between areas": 1.0, "x1 between areas, half": 0.5, "x1 between areas, jittered": 0.5}
#: An assessed link's label is scored wrong when its contraction lies this far on the wrong side of
#: its cut (about 1.5 Monte Carlo sds of a variance ratio at ESS 400).
MARGIN = 0.1


def _data(design: str, seed: int, pw) -> pd.DataFrame:
    no_x1 = design in ("x1 constant", "x1 absent")
    sim = cp.simulate(pw, areas=20, months=12, random_seed=seed,
                      params={"beta": {"x1 -> u": 0.0}} if no_x1 else None)
    data = sim.data.drop(columns=["z"])
    rng = np.random.default_rng(seed + 1)
    if design == "x1 constant":
        data["x1"] = 0.3
    elif design == "x1 absent":
        data = data.drop(columns=["x1"])
    elif design == "u without data":
        data = data.drop(columns=["u"])
    elif design == "x1 nearly constant":
        data["x1"] = 0.3 + rng.normal(0, 0.002, len(data))
    elif design in BETWEEN:
        means = data.groupby("area")["x1"].transform("mean")
        data["x1"] = 0.3 + BETWEEN[design] * (means - means.mean())
        if design.endswith("jittered"):  # a hair of change within areas: judged as mostly between
            data["x1"] += rng.normal(0, 0.002, len(data))
    return data


def _assessed(pw, data: pd.DataFrame, link: str, prior_sd: float) -> tuple[float, float]:
    """The identification check's expected contraction of ``link`` against a prior of sd
    ``prior_sd``, and the cut its label is held to (NaN, NaN where it makes none)."""
    from copath.model.data import prepare_data
    from copath.model.information import assess

    assessed = assess(pw, prepare_data(pw, data), link, prior_sd)
    return (float("nan"), float("nan")) if assessed is None else (assessed.contraction, assessed.cut)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sims", type=int, default=8, help="simulations per design")
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS), choices=DESIGNS, help="designs to run")
    parser.add_argument("--draws", type=int, default=1000, help="draws (and tuning steps) per chain")
    args = parser.parse_args()
    pw = cp.loads_pathway(SPEC)
    rows = []
    started = time.perf_counter()
    for design in args.designs:
        for k in range(args.sims):
            # the jittered design gets seeds of its own, so that it is not the halved design's data again
            data = _data(design, 1000 + k + (500 if design.endswith("jittered") else 0), pw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = cp.fit(pw, data, draws=args.draws, tune=args.draws, chains=2, random_seed=k, progressbar=False)
            passed = res.diagnostics().passed
            for link, row in res.summary().iterrows():
                # scored against the prior the fit used: a default prior the data hardly inform keeps
                # the unit default (the label's reference), others are scaled to the data
                ref = row["prior_sd"]
                expected, cut = _assessed(pw, data, link, ref)
                rows.append({"design": design, "sim": k, "link": link, "label": row["identification"],
                             "contraction": 1 - row["post_sd"] ** 2 / ref ** 2, "fit_passed": passed,
                             "expected": expected, "cut": cut})
            print(f"{design} {k}: {time.perf_counter() - started:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    between = table["design"].isin(list(BETWEEN)) & (table["link"] == "x1 -> u")
    # a link the check assessed is held to its own cut (0.1, 0.5 for information only from areas'
    # differences, in proportion between), scored with a margin of MARGIN either side; the others
    # as before (prior only wrong above CUT, local data below CUT)
    assessed = table["cut"].notna()
    low = np.where(assessed, table["cut"] - MARGIN, CUT)
    high = np.where(assessed, table["cut"] + MARGIN, CUT)
    wrong = np.where(table["label"].isin(["prior only", "weak local data"]), table["contraction"] > high,
                     np.where(table["label"] == "local data", table["contraction"] < low, False))
    table["wrong"] = wrong
    table["error"] = table["contraction"] - table["expected"]
    scored = table["label"].isin(["prior only", "weak local data", "local data"])
    by = (table.groupby(["design", "link", "label"], sort=False)
          .agg(fits=("sim", "size"), median_contraction=("contraction", "median"),
               min_contraction=("contraction", "min"), max_contraction=("contraction", "max"),
               expected=("expected", "median"), wrong=("wrong", "sum"),
               error=("error", "median"))
          .reset_index())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["", "## Identification labels against the posterior (`bench_identification.py`)", "",
             f"{stamp}, {platform.machine()}, {platform.python_version()}, 2 cores. {args.sims} simulations "
             f"per design ({', '.join(args.designs)}), 20 areas x 12 months, 2 chains x {args.draws} draws after "
             f"{args.draws} tuning steps; "
             f"{int(table.drop_duplicates(['design', 'sim'])['fit_passed'].sum())} of "
             f"{args.sims * len(args.designs)} fits passed their diagnostics. Contraction: against the prior the "
             f"fit used. A link the check assessed (a parent the data give, a count or proportion child) is held "
             f"to its own cut (expected contraction 0.1 for change within areas, 0.5 for areas' differences, in "
             f"proportion between) and scored wrong more than {MARGIN} on the wrong side of it; other `prior only` "
             f"labels are wrong above {CUT}, other `local data` labels below {CUT}. Expected: the check's expected "
             "contraction (median); error: contraction - expected (median).", "",
             "| design | link | label | fits | contraction: median (min to max) | expected | error | wrong |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in by.itertuples():
        score = f"{r.wrong} of {r.fits}" if r.label in ("prior only", "weak local data", "local data") else "(not scored)"
        expected = "-" if r.expected != r.expected else f"{r.expected:.2f}"
        error = "-" if r.error != r.error else f"{r.error:+.2f}"
        lines.append(f"| {r.design} | {r.link} | {r.label} | {r.fits} | {r.median_contraction:.2f} "
                     f"({r.min_contraction:.2f} to {r.max_contraction:.2f}) | {expected} | {error} | {score} |")
    lines.append("")
    for label in ("prior only", "weak local data", "local data"):
        mask = scored & (table["label"] == label)
        n, bad = int(mask.sum()), int(table.loc[mask, "wrong"].sum())
        ok = mask & table["fit_passed"]
        lines.append(f"- `{label}`: wrong on {bad} of {n} links ({bad / max(n, 1):.0%}); among fits that passed "
                     f"their diagnostics {int(table.loc[ok, 'wrong'].sum())} of {int(ok.sum())}.")
    mask = between & scored
    n, bad = int(mask.sum()), int(table.loc[mask, "wrong"].sum())
    lines.append(f"- the between-area rule (x1 -> u in {', '.join(d for d in BETWEEN if d in args.designs)}): "
                 f"wrong on {bad} of {n} ({bad / max(n, 1):.0%}).")
    failed = table.drop_duplicates(["design", "sim"])
    failed = failed[~failed["fit_passed"]]
    lines.append(f"- fits that failed their diagnostics: {len(failed)}"
                 + (f" ({', '.join(f'{d} {s}' for d, s in zip(failed['design'], failed['sim'], strict=True))})"
                    if len(failed) else "") + ".")
    lines.append("")
    record(lines)


if __name__ == "__main__":
    main()
