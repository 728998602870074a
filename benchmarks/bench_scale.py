"""Fits side by side at force and national scale, a scaling curve, and ADVI against NUTS.

One pathway that all three tools can express (pathmc: gaussian, bernoulli and poisson
nodes whose parents enter as observed values):

    g ~ x1 + x2        (continuous)
    c ~ g + x1         (count, Poisson)
    b ~ g + x2         (proportion of 1 trial, i.e. Bernoulli)

data drawn from those equations with a fixed seed (every run sees the same rows), and

(a) copath: ``cp.fit`` (nutpie, MAP start, low-rank adaptation), 2 chains x 1000 draws;
    and at standard size also ``cp.fit(..., sampler="numpyro")`` (JAX; dense mass matrix);
(b) plain PyMC: the same equations hand-written, ``pm.sample()`` defaults;
(c) pathmc 0.4: ``pathmc.model(spec, data, families=...)`` then ``.fit()`` (pm.sample defaults).

Each run is a separate process (so peak memory is its own): wall time (build to
posterior), min bulk ESS and max R-hat over the five link coefficients, ESS per second,
peak resident memory. Sizes: ``standard`` (300 areas x 24 months) for all three;
``large`` (35,000 x 36 = 1.26 million rows) for copath; a scaling curve of copath's fit
time over rows; and copath's ``method="fullrank_advi"`` against its NUTS fit.
Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_scale.py                    # everything (about an hour)
    .venv/bin/python benchmarks/bench_scale.py --large none       # without the 1.26M-row fits
    .venv/bin/python benchmarks/bench_scale.py --large copath     # copath alone at 1.26M rows
    .venv/bin/python benchmarks/bench_scale.py --standard-only    # the 7,200-row comparison alone
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from _record import record

SPEC = """name: bench_scale
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  g: {kind: continuous, scale: 1.0}
  c: {kind: count}
  b: {kind: proportion, trials: one}
links:
  - {from: x1, to: g}
  - {from: x2, to: g}
  - {from: g, to: c}
  - {from: x1, to: c}
  - {from: g, to: b}
  - {from: x2, to: b}
outcomes: [c, b]
"""
TRUTH = {"beta": {"x1 -> g": 0.5, "x2 -> g": -0.3, "g -> c": 0.4, "x1 -> c": -0.2, "g -> b": 0.6, "x2 -> b": 0.3},
         "intercept": {"g": 0.0, "c": 1.0, "b": 0.0}, "sigma": {"g": 1.0}}

# The panel design: what national data look like. Area attributes (x1 a scheme's
# coverage, x2 deprivation) are fixed over the months; crime c is counted per area and
# month; b (a yes/no per area-month, e.g. an arrest) and g (a continuous score) respond
# to the expected crime rate (copath's semantics for a count parent) and to x2 / x1.
PANEL_SPEC = """name: bench_panel
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  c: {kind: count}
  b: {kind: proportion, trials: one}
  g: {kind: continuous, scale: 1.0}
links:
  - {from: x1, to: c}
  - {from: x2, to: c}
  - {from: c, to: b}
  - {from: x2, to: b}
  - {from: c, to: g}
  - {from: x1, to: g}
outcomes: [b, g]
"""
PANEL_TRUTH = {"beta": {"x1 -> c": 0.3, "x2 -> c": -0.2, "c -> b": 0.5, "x2 -> b": 0.3, "c -> g": 0.6,
                        "x1 -> g": -0.4},
               "intercept": {"c": 1.0, "b": 0.0, "g": 0.0}, "sigma": {"g": 1.0}}
DESIGNS = ("rows", "panel")


def links(design: str) -> list[str]:
    return list((TRUTH if design == "rows" else PANEL_TRUTH)["beta"])


def make_data(areas: int, months: int, design: str = "rows"):
    """The same rows for every run of a design (seed 11).

    ``rows``: x1, x2 ~ N(0, 1) per row; g, c, b from the equations with TRUTH.
    ``panel``: x1, x2 per area (standardised: mean 0 over rows, so copath's centring is
    a no-op), c ~ Poisson(exp(eta_c)), b ~ Bernoulli(logit^-1(. + 0.5 eta_c + .)), g ~ N(. + 0.6 eta_c + ., 1).
    """
    import pandas as pd
    from scipy.special import expit

    import copath as cp

    rng = np.random.default_rng(11)
    n = areas * months
    frame = {"area": np.repeat(np.arange(areas), months).astype(str), "month": np.tile(np.arange(months), areas)}
    if design == "rows":
        beta, a = TRUTH["beta"], TRUTH["intercept"]
        x1, x2 = rng.normal(size=(2, n))
        g = a["g"] + beta["x1 -> g"] * x1 + beta["x2 -> g"] * x2 + rng.normal(0, TRUTH["sigma"]["g"], n)
        c = rng.poisson(np.exp(a["c"] + beta["g -> c"] * g + beta["x1 -> c"] * x1))
        b = rng.binomial(1, expit(a["b"] + beta["g -> b"] * g + beta["x2 -> b"] * x2))
        return cp.loads_pathway(SPEC), pd.DataFrame({**frame, "x1": x1, "x2": x2, "g": g, "c": c, "b": b, "one": 1})
    beta, a = PANEL_TRUTH["beta"], PANEL_TRUTH["intercept"]
    z = rng.normal(size=(2, areas))
    z = (z - z.mean(axis=1, keepdims=True)) / z.std(axis=1, keepdims=True)
    x1, x2 = np.repeat(z[0], months), np.repeat(z[1], months)
    eta_c = a["c"] + beta["x1 -> c"] * x1 + beta["x2 -> c"] * x2
    c = rng.poisson(np.exp(eta_c))
    b = rng.binomial(1, expit(a["b"] + beta["c -> b"] * eta_c + beta["x2 -> b"] * x2))
    g = a["g"] + beta["c -> g"] * eta_c + beta["x1 -> g"] * x1 + rng.normal(0, PANEL_TRUTH["sigma"]["g"], n)
    return cp.loads_pathway(PANEL_SPEC), pd.DataFrame({**frame, "x1": x1, "x2": x2, "c": c, "b": b, "g": g, "one": 1})


def _stats(posterior, names: list[str]) -> tuple[float, float]:
    import arviz as az

    ess = az.ess(posterior, method="bulk")
    rhat = az.rhat(posterior)
    return (float(min(np.min(ess[n].values) for n in names)), float(max(np.max(rhat[n].values) for n in names)))


def run_copath(areas: int, months: int, design: str, method: str = "nuts", sampler: str = "nutpie") -> dict:
    import copath as cp

    pw, data = make_data(areas, months, design)
    t0 = time.perf_counter()
    res = cp.fit(pw, data, draws=1000, tune=1000, chains=2, random_seed=1, progressbar=False, method=method,
                 sampler=sampler)
    wall = time.perf_counter() - t0
    post = res.posterior
    beta = post["beta"]
    ess, rhat = _stats(post, ["beta"])
    return {"wall": wall, "posterior_s": res.run.posterior_seconds, "ess": ess, "rhat": rhat,
            "sampling": res.run.sampling_seconds, "collapsed": list(res.run.collapsed),
            "means": {n: float(beta.sel(link=n).mean()) for n in links(design)},
            "sds": {n: float(beta.sel(link=n).std()) for n in links(design)}}


def run_plain(areas: int, months: int, design: str) -> dict:
    import pymc as pm

    _, data = make_data(areas, months, design)
    x1, x2 = (data[k].to_numpy(float) for k in ("x1", "x2"))
    c_obs, b_obs, g_obs = data["c"].to_numpy(int), data["b"].to_numpy(int), data["g"].to_numpy(float)
    names = links(design)
    t0 = time.perf_counter()
    with pm.Model():
        ag, ac, ab = (pm.Normal(f"a_{n}", 0, 2) for n in ("g", "c", "b"))
        b = {n: pm.Normal(f"b[{n}]", 0, 1) for n in names}
        s = pm.HalfNormal("sigma_g", 1)
        if design == "rows":
            pm.Normal("g", ag + b["x1 -> g"] * x1 + b["x2 -> g"] * x2, s, observed=g_obs)
            pm.Poisson("c", pm.math.exp(ac + b["g -> c"] * g_obs + b["x1 -> c"] * x1), observed=c_obs)
            pm.Bernoulli("b", logit_p=ab + b["g -> b"] * g_obs + b["x2 -> b"] * x2, observed=b_obs)
        else:  # the same equations, the expected log rate of crime entering b and g
            eta_c = ac + b["x1 -> c"] * x1 + b["x2 -> c"] * x2
            pm.Poisson("c", pm.math.exp(eta_c), observed=c_obs)
            pm.Bernoulli("b", logit_p=ab + b["c -> b"] * eta_c + b["x2 -> b"] * x2, observed=b_obs)
            pm.Normal("g", ag + b["c -> g"] * eta_c + b["x1 -> g"] * x1, s, observed=g_obs)
        idata = pm.sample(random_seed=1, progressbar=False)
    wall = time.perf_counter() - t0
    ess, rhat = _stats(idata["posterior"].to_dataset(), [f"b[{n}]" for n in names])
    return {"wall": wall, "posterior_s": wall, "ess": ess, "rhat": rhat}


def run_pathmc(areas: int, months: int, design: str) -> dict:
    import pathmc

    _, data = make_data(areas, months, design)
    frame = data[["x1", "x2", "g", "c", "b"]].astype(float)
    frame["c"] = data["c"].astype(int)
    frame["b"] = data["b"].astype(int)
    formula = ("g ~ x1 + x2\nc ~ g + x1\nb ~ g + x2\n" if design == "rows"
               else "c ~ x1 + x2\nb ~ c + x2\ng ~ c + x1\n")
    t0 = time.perf_counter()
    m = pathmc.model(formula, data=frame, families={"c": "poisson", "b": "bernoulli"})
    idata = m.fit(random_seed=1, progressbar=False)
    wall = time.perf_counter() - t0
    post = idata["posterior"]
    post = post.to_dataset() if hasattr(post, "to_dataset") else post
    coefs = [n for n in post.data_vars if n.startswith(("beta", "b_"))]
    ess, rhat = _stats(post, coefs)
    return {"wall": wall, "posterior_s": wall, "ess": ess, "rhat": rhat, "coefficients": coefs}


def child(args) -> None:
    if args.run == "advi":
        out = run_copath(args.areas, args.months, args.design, method="fullrank_advi")
    elif args.run == "numpyro":
        out = run_copath(args.areas, args.months, args.design, sampler="numpyro")
    else:
        out = {"copath": run_copath, "plain": run_plain, "pathmc": run_pathmc}[args.run](
            args.areas, args.months, args.design)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out), flush=True)


def spawn(run: str, areas: int, months: int, timeout: float, design: str = "rows") -> dict:
    cmd = [sys.executable, __file__, "--run", run, "--areas", str(areas), "--months", str(months),
           "--design", design]
    t0 = time.perf_counter()
    print(f"  {run} {design} {areas} x {months} ...", flush=True)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout / 60:.0f} minutes", "wall": time.perf_counter() - t0}
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        if proc.returncode < 0:  # killed: -9 is what the kernel's out-of-memory killer sends
            why = f"killed by signal {-proc.returncode}" + (" (out of memory?)" if proc.returncode == -9 else "")
        else:
            last = (proc.stderr or proc.stdout).strip().splitlines()
            why = f"exit {proc.returncode}: " + (last[-1][:200] if last else "no output")
        return {"error": why, "wall": time.perf_counter() - t0}
    return json.loads(line[len("RESULT "):])


def row(name: str, r: dict) -> str:
    if "error" in r:
        return f"| {name} | {r['wall']:.0f} | - | - | - | - | - | {r['error']} |"
    note = "; ".join(r.get("collapsed", [])) if r.get("collapsed") else ""
    return (f"| {name} | {r['posterior_s']:.1f} | {r['wall']:.1f} | {r['ess']:.0f} | {r['ess'] / r['posterior_s']:.1f} "
            f"| {r['rhat']:.3f} | {r['peak_mib']:.0f} | {note} |")


def ratio_line(design: str, runs: dict, mine: str = "copath") -> str:
    a = runs[mine]
    label = "copath" if mine == "copath" else f"copath {mine}"
    parts = []
    for other in ("plain", "pathmc"):
        b = runs[other]
        if "error" in a or "error" in b:
            parts.append(f"{label} / {other}: - (a run failed)")
            continue
        to_post = (a["ess"] / a["posterior_s"]) / (b["ess"] / b["posterior_s"])
        total = (a["ess"] / a["wall"]) / (b["ess"] / b["wall"])
        parts.append(f"{label} / {other}: ESS per second {to_post:.2f} to the posterior, {total:.2f} counting "
                     f"copath's extra groups")
    return f"Ratios, {design}: " + "; ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", choices=["copath", "numpyro", "plain", "pathmc", "advi"])
    parser.add_argument("--design", choices=DESIGNS, default="rows")
    parser.add_argument("--areas", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--large", choices=["all", "panel", "copath", "none"], default="all",
                        help="which large (35,000 x 36) runs: all (about 1.5 hours), panel only (all three "
                             "tools), copath (copath alone on both designs), none")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run (default 30 minutes)")
    parser.add_argument("--standard-only", action="store_true",
                        help="only the standard-size comparison (about 4 minutes; to repeat it for the spread)")
    args = parser.parse_args()
    if args.run:
        child(args)
        return

    from importlib.metadata import version

    versions = ", ".join(f"{p} {version(p)}" for p in ("pymc", "nutpie", "pathmc"))
    lines = ["", "## Scale: copath vs plain PyMC vs pathmc (same pathways, same simulated data)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, Python {platform.python_version()}, "
             f"{versions}, 2 cores, 24 GiB. 2 chains x 1000 draws after 1000 tuning steps for every run. "
             "Design `rows`: g ~ x1 + x2 (normal), c ~ g + x1 (Poisson), b ~ g + x2 (Bernoulli), x1 and x2 "
             "drawn per row. Design `panel`: c ~ x1 + x2 (Poisson), b ~ c + x2 (Bernoulli), g ~ c + x1 "
             "(normal), x1 and x2 per area (fixed over the months, as area attributes are), c entering b and g "
             "through its expected log rate (copath's semantics; the plain model writes the same; pathmc enters "
             "parents as observed values, so its b and g equations use the observed count). "
             "'to posterior' is from building the model to the posterior draws (copath: MAP start, compilation, "
             "sampling); 'all groups' adds what copath computes after sampling and the others do not (prior and "
             "posterior predictive, log likelihood, log prior). ESS/s uses 'to posterior'.",
             "", "| run | to posterior s | all groups s | min bulk ESS (links) | ESS/s | max R-hat (links) | peak MiB "
             "| collapsed by copath |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    ratios = []
    standard = {}
    for design in DESIGNS:
        runs = {name: spawn(name, 300, 24, args.timeout, design) for name in ("copath", "numpyro", "plain", "pathmc")}
        standard[design] = runs
        for name in ("copath", "numpyro", "plain", "pathmc"):
            label = "copath sampler='numpyro'" if name == "numpyro" else name
            lines.append(row(f"{label}, {design}, standard (300 x 24 = 7,200 rows)", runs[name]))
        ratios.append(ratio_line(f"{design}, standard", runs))
        ratios.append(ratio_line(f"{design}, standard", runs, mine="numpyro"))
    if args.standard_only:
        record(lines + ["", "(Standard sizes only: `--standard-only`.)", ""] + ratios)
        return
    curve: dict[str, dict[int, dict]] = {d: {} for d in DESIGNS}
    for design in DESIGNS:
        for areas, months in ((100, 10), (500, 20), (2_800, 36)):
            curve[design][areas * months] = spawn("copath", areas, months, args.timeout, design)
    large_designs = {"all": DESIGNS, "panel": ("panel",), "copath": DESIGNS, "none": ()}[args.large]
    for design in large_designs:
        names = ("copath", "plain", "pathmc") if design == "panel" and args.large != "copath" else ("copath",)
        runs = {name: spawn(name, 35_000, 36, args.timeout, design) for name in names}
        for name in names:
            lines.append(row(f"{name}, {design}, large (35,000 x 36 = 1,260,000 rows)", runs[name]))
        curve[design][35_000 * 36] = runs["copath"]
        if len(names) == 3:
            ratios.append(ratio_line(f"{design}, large", runs))
    if "rows" not in large_designs:
        lines.append("| copath, rows, large | not run (`--large panel`/`none`) | | | | | | |")
    if args.large == "copath":
        lines.append("| plain and pathmc, panel, large | not run (`--large copath`; see the last full run) | | | | | | |")
    advi = spawn("advi", 300, 24, args.timeout, "rows")
    lines.append(row("copath fullrank ADVI, rows, standard (not MCMC: ESS is of independent draws)", advi))
    lines += [""] + ratios
    nuts = standard["rows"]["copath"]
    if "error" not in advi and "error" not in nuts:
        names = links("rows")
        errs = [abs(advi["means"][n] - nuts["means"][n]) / nuts["sds"][n] for n in names]
        sd_ratio = [advi["sds"][n] / nuts["sds"][n] for n in names]
        lines.append(f"ADVI against NUTS on the link coefficients: largest |mean difference| {max(errs):.2f} NUTS "
                     f"posterior sd; sd ratio ADVI/NUTS {min(sd_ratio):.2f} to {max(sd_ratio):.2f}; "
                     f"to posterior ADVI {advi['posterior_s']:.0f} s against NUTS {nuts['posterior_s']:.0f} s.")
    lines += ["", "Scaling curve (copath, NUTS 2 x 1000):", "",
              "| design | rows | to posterior s | all groups s | min bulk ESS | s per 1,000 rows (all groups) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for design in DESIGNS:
        for rows_n, r in sorted(curve[design].items()):
            if "error" in r:
                lines.append(f"| {design} | {rows_n:,} | - | {r['wall']:.0f} | - | {r['error']} |")
            else:
                lines.append(f"| {design} | {rows_n:,} | {r['posterior_s']:.1f} | {r['wall']:.1f} | {r['ess']:.0f} | "
                             f"{1000 * r['wall'] / rows_n:.3f} |")
    for design in DESIGNS:
        ok = {n: r for n, r in curve[design].items() if "error" not in r}
        if len(ok) >= 2:
            big = {n: r for n, r in ok.items() if n >= 100_000}
            x, y = np.log10(list(ok)), np.log10([r["wall"] for r in ok.values()])
            lines.append(f"\nLog-log slope of wall time (all groups) on rows, {design}: "
                         f"{float(np.polyfit(x, y, 1)[0]):.2f} over all sizes (1 = linear)"
                         + (f"; from 1e5 rows up, x{max(r['wall'] for r in big.values()) / min(r['wall'] for r in big.values()):.1f} "
                            f"time for x{max(big) / min(big):.1f} rows" if len(big) >= 2 else "") + ".")
    _figure(curve)
    lines.append("\n![fit time against rows](scaling.png)")
    record(lines)


def _figure(curve: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for design, marker in zip(DESIGNS, ("o", "s")):
        ok = {n: r for n, r in curve[design].items() if "error" not in r}
        if not ok:
            continue
        rows_n = sorted(ok)
        ax.loglog(rows_n, [ok[n]["wall"] for n in rows_n], marker + "-", label=f"{design}: all groups")
        ax.loglog(rows_n, [ok[n]["posterior_s"] for n in rows_n], marker + "--", label=f"{design}: to posterior")
    ax.set_xlabel("rows (areas x months)")
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(Path(__file__).with_name("scaling.png"), dpi=110)


if __name__ == "__main__":
    main()
