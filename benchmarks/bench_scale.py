"""Fits side by side at force and national scale, a scaling curve, and ADVI against NUTS.

One pathway that all three tools can express (pathmc: gaussian, bernoulli and poisson
nodes whose parents enter as observed values):

    g ~ x1 + x2        (continuous)
    c ~ g + x1         (count, Poisson)
    b ~ g + x2         (proportion of 1 trial, i.e. Bernoulli)

data drawn from those equations with a fixed seed (every run sees the same rows), and

(a) copath: ``cp.fit`` (nutpie, MAP start, low-rank adaptation), 2 chains x 1000 draws;
(b) plain PyMC: the same equations hand-written, ``pm.sample()`` defaults;
(c) pathmc 0.4: ``pathmc.model(spec, data, families=...)`` then ``.fit()`` (pm.sample defaults).

Each run is a separate process (so peak memory is its own): wall time (build to
posterior), min bulk ESS and max R-hat over the five link coefficients, ESS per second,
peak resident memory. Sizes: ``standard`` (300 areas x 24 months) for all three;
``large`` (35,000 x 36 = 1.26 million rows) for copath; a scaling curve of copath's fit
time over rows; and copath's ``method="fullrank_advi"`` against its NUTS fit.
Appends to ``results.md``.

    .venv/bin/python benchmarks/bench_scale.py                    # everything (about an hour)
    .venv/bin/python benchmarks/bench_scale.py --skip-large       # without the 1.26M-row fit
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
LINKS = list(TRUTH["beta"])


def make_data(areas: int, months: int):
    """The same rows for every run: x1, x2 ~ N(0, 1); g, c, b from the equations with TRUTH."""
    import pandas as pd
    from scipy.special import expit

    import copath as cp

    rng = np.random.default_rng(11)
    n = areas * months
    beta, a = TRUTH["beta"], TRUTH["intercept"]
    x1, x2 = rng.normal(size=(2, n))
    g = a["g"] + beta["x1 -> g"] * x1 + beta["x2 -> g"] * x2 + rng.normal(0, TRUTH["sigma"]["g"], n)
    c = rng.poisson(np.exp(a["c"] + beta["g -> c"] * g + beta["x1 -> c"] * x1))
    b = rng.binomial(1, expit(a["b"] + beta["g -> b"] * g + beta["x2 -> b"] * x2))
    data = pd.DataFrame({"area": np.repeat(np.arange(areas), months).astype(str),
                         "month": np.tile(np.arange(months), areas), "x1": x1, "x2": x2, "g": g, "c": c, "b": b,
                         "one": 1})
    return cp.loads_pathway(SPEC), data


def _stats(posterior, names: list[str]) -> tuple[float, float]:
    import arviz as az

    ess = az.ess(posterior, method="bulk")
    rhat = az.rhat(posterior)
    return (float(min(np.min(ess[n].values) for n in names)), float(max(np.max(rhat[n].values) for n in names)))


def run_copath(areas: int, months: int, method: str = "nuts") -> dict:
    import copath as cp

    pw, data = make_data(areas, months)
    t0 = time.perf_counter()
    res = cp.fit(pw, data, draws=1000, tune=1000, chains=2, random_seed=1, progressbar=False, method=method)
    wall = time.perf_counter() - t0
    post = res.posterior
    beta = post["beta"]
    ess, rhat = _stats(post, ["beta"])
    return {"wall": wall, "ess": ess, "rhat": rhat, "sampling": res.settings["sampling_seconds"],
            "means": {n: float(beta.sel(link=n).mean()) for n in LINKS},
            "sds": {n: float(beta.sel(link=n).std()) for n in LINKS}}


def run_plain(areas: int, months: int) -> dict:
    import pymc as pm

    _, data = make_data(areas, months)
    x1, x2, g = (data[k].to_numpy(float) for k in ("x1", "x2", "g"))
    t0 = time.perf_counter()
    with pm.Model():
        ag, ac, ab = (pm.Normal(f"a_{n}", 0, 2) for n in ("g", "c", "b"))
        b = {n: pm.Normal(f"b[{n}]", 0, 1) for n in LINKS}
        s = pm.HalfNormal("sigma_g", 1)
        pm.Normal("g", ag + b["x1 -> g"] * x1 + b["x2 -> g"] * x2, s, observed=g)
        pm.Poisson("c", pm.math.exp(ac + b["g -> c"] * g + b["x1 -> c"] * x1), observed=data["c"].to_numpy(int))
        pm.Bernoulli("b", logit_p=ab + b["g -> b"] * g + b["x2 -> b"] * x2, observed=data["b"].to_numpy(int))
        idata = pm.sample(random_seed=1, progressbar=False)
    wall = time.perf_counter() - t0
    ess, rhat = _stats(idata["posterior"].to_dataset(), [f"b[{n}]" for n in LINKS])
    return {"wall": wall, "ess": ess, "rhat": rhat}


def run_pathmc(areas: int, months: int) -> dict:
    import pathmc

    _, data = make_data(areas, months)
    frame = data[["x1", "x2", "g", "c", "b"]].astype(float)
    frame["c"] = data["c"].astype(int)
    frame["b"] = data["b"].astype(int)
    t0 = time.perf_counter()
    m = pathmc.model("g ~ x1 + x2\nc ~ g + x1\nb ~ g + x2\n", data=frame, families={"c": "poisson", "b": "bernoulli"})
    idata = m.fit(random_seed=1, progressbar=False)
    wall = time.perf_counter() - t0
    post = idata["posterior"]
    post = post.to_dataset() if hasattr(post, "to_dataset") else post
    coefs = [n for n in post.data_vars if n.startswith(("beta", "b_"))]
    ess, rhat = _stats(post, coefs)
    return {"wall": wall, "ess": ess, "rhat": rhat, "coefficients": coefs}


def child(args) -> None:
    fn = {"copath": run_copath, "plain": run_plain, "pathmc": run_pathmc,
          "advi": lambda a, m: run_copath(a, m, method="fullrank_advi")}[args.run]
    out = fn(args.areas, args.months)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out), flush=True)


def spawn(run: str, areas: int, months: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--run", run, "--areas", str(areas), "--months", str(months)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout / 60:.0f} minutes", "wall": time.perf_counter() - t0}
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:200] if (proc.stderr or proc.stdout)
                else f"exit {proc.returncode}", "wall": time.perf_counter() - t0}
    return json.loads(line[len("RESULT "):])


def row(name: str, r: dict) -> str:
    if "error" in r:
        return f"| {name} | {r['wall']:.0f} | - | - | - | - | {r['error']} |"
    return (f"| {name} | {r['wall']:.0f} | {r['ess']:.0f} | {r['ess'] / r['wall']:.2f} | {r['rhat']:.3f} | "
            f"{r['peak_mib']:.0f} | |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", choices=["copath", "plain", "pathmc", "advi"])
    parser.add_argument("--areas", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run (default 30 minutes)")
    args = parser.parse_args()
    if args.run:
        child(args)
        return

    from importlib.metadata import version

    versions = ", ".join(f"{p} {version(p)}" for p in ("pymc", "nutpie", "pathmc"))
    lines = ["", "## Scale: copath vs plain PyMC vs pathmc (same pathway, same simulated data)", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, Python {platform.python_version()}, "
             f"{versions}, "
             "2 cores, 24 GiB. Pathway g ~ x1 + x2 (normal), c ~ g + x1 (Poisson), b ~ g + x2 (Bernoulli); "
             "2 chains x 1000 draws after 1000 tuning steps for every run; wall time from building the model to "
             "the posterior (copath's includes its MAP start and its prior, predictive and log-likelihood groups).",
             "", "| run | wall s | min bulk ESS (links) | ESS/s | max R-hat (links) | peak MiB | note |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    std = {name: spawn(name, 300, 24, args.timeout) for name in ("copath", "plain", "pathmc")}
    for name, label in (("copath", "copath, standard (300 x 24 = 7,200 rows)"),
                        ("plain", "plain PyMC, standard"), ("pathmc", "pathmc, standard")):
        lines.append(row(label, std[name]))
    ratios = []
    for other in ("plain", "pathmc"):
        a, b = std["copath"], std[other]
        if "error" not in a and "error" not in b:
            ratios.append(f"copath / {other}: ESS per second {(a['ess'] / a['wall']) / (b['ess'] / b['wall']):.2f}, "
                          f"wall time {a['wall'] / b['wall']:.2f}")
    curve = {}
    for areas, months in ((100, 10), (500, 20), (2_800, 36)):
        curve[areas * months] = spawn("copath", areas, months, args.timeout)
    if not args.skip_large:
        large = spawn("copath", 35_000, 36, args.timeout)
        lines.append(row("copath, large (35,000 x 36 = 1,260,000 rows)", large))
        curve[35_000 * 36] = large
    advi = spawn("advi", 300, 24, args.timeout)
    lines.append(row("copath fullrank ADVI, standard (not MCMC: ESS is of independent draws)", advi))
    lines += ["", "Ratios: " + ("; ".join(ratios) if ratios else "(a run failed; see the table)") + "."]
    if "error" not in advi and "error" not in std["copath"]:
        nuts = std["copath"]
        errs = [abs(advi["means"][n] - nuts["means"][n]) / nuts["sds"][n] for n in LINKS]
        sd_ratio = [advi["sds"][n] / nuts["sds"][n] for n in LINKS]
        lines.append(f"ADVI against NUTS on the link coefficients: largest |mean difference| {max(errs):.2f} NUTS "
                     f"posterior sd; sd ratio ADVI/NUTS {min(sd_ratio):.2f} to {max(sd_ratio):.2f}; "
                     f"wall time ADVI {advi['wall']:.0f} s against NUTS {nuts['wall']:.0f} s.")
    lines += ["", "Scaling curve (copath, NUTS 2 x 1000):", "", "| rows | wall s | sampling s | min bulk ESS | s per 1,000 rows |",
              "| --- | --- | --- | --- | --- |"]
    for rows_n, r in sorted(curve.items()):
        if "error" in r:
            lines.append(f"| {rows_n:,} | {r['wall']:.0f} | - | - | {r['error']} |")
        else:
            lines.append(f"| {rows_n:,} | {r['wall']:.0f} | {r['sampling']:.0f} | {r['ess']:.0f} | "
                         f"{1000 * r['wall'] / rows_n:.3f} |")
    ok = {n: r for n, r in curve.items() if "error" not in r}
    if len(ok) >= 2:
        x, y = np.log10(list(ok)), np.log10([r["wall"] for r in ok.values()])
        slope = float(np.polyfit(x, y, 1)[0])
        lines.append(f"\nLog-log slope of wall time on rows: {slope:.2f} (1 = linear).")
        _figure(ok)
        lines.append("\n![fit time against rows](scaling.png)")
    record(lines)


def _figure(curve: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows_n = sorted(curve)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.loglog(rows_n, [curve[n]["wall"] for n in rows_n], "o-", label="wall (build to all groups)")
    ax.loglog(rows_n, [curve[n]["sampling"] for n in rows_n], "s--", label="MAP start + sampling")
    ax.set_xlabel("rows (areas x months)")
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(Path(__file__).with_name("scaling.png"), dpi=110)


if __name__ == "__main__":
    main()
