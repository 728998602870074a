"""Fit the flagship model on synthetic_force two ways, in one run, and compare.

(a) copath: ``cp.fit`` (nutpie, MAP start), 2 chains x ``--draws`` after ``--tune``;
(b) plain PyMC: the same structural equations and priors written directly in PyMC,
    one scalar variable per link, sampled with ``pm.sample()`` defaults (PyMC's NUTS,
    1000 tune + 1000 draws, one chain per core) - what a user would write without copath.

Prints and appends to ``benchmarks/results.md``: wall time (build + sampling), minimum
bulk ESS over the link coefficients, ESS per second, max R-hat over the links, and the
ratios copath / plain.

    .venv/bin/python benchmarks/bench_fit.py [--draws 1000 --tune 1000] [--areas N --months T]

``--against REV`` instead compares this checkout with an older release (a git revision), each
``cp.fit`` at its own defaults on its own bundled synthetic_force, by the seconds to min bulk
ESS 400 over every parameter (issue 28's "twice as fast" check):

    .venv/bin/python benchmarks/bench_fit.py --against 762b534
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import arviz as az
import numpy as np
import pymc as pm
import pytensor.tensor as pt

import copath as cp
from _record import record
from copath.evidence.priors import priors_for
from copath.model.builder import intercept_prior
from copath.model.data import prepare_data



def plain_pymc_model(pw: cp.Pathway, df, ev) -> pm.Model:
    """The flagship equations written out directly, as a PyMC user would."""
    priors = priors_for(pw, ev)
    prepared = prepare_data(pw, df)
    values = prepared.values
    areas = prepared.area_index
    n_areas = len(prepared.areas)
    with pm.Model() as model:
        value: dict[str, object] = {}
        for name in pw.exposures:
            value[name] = values[name] - values[name].mean()
        for name in pw.topological_order():
            node = pw.nodes[name]
            if node.kind == "exposure":
                continue
            mean, sd = intercept_prior(pw, name, prepared)
            eta = pm.Normal(f"a_{name}", mean, sd) + pt.zeros(len(df))
            if node.area_effects:
                s = pm.HalfNormal(f"area_sd_{name}", 0.5)
                z = pm.Normal(f"z_{name}", 0, 1, shape=n_areas)
                eta = eta + s * z[areas]
            for parent in pw.parents(name):
                prior = priors[f"{parent} -> {name}"]
                b = pm.Normal(f"b[{parent} -> {name}]", prior.mu, prior.sigma)
                centre = 0.0
                parent_node = pw.nodes[parent]
                if parent_node.kind == "continuous" and parent_node.baseline is not None:
                    centre = parent_node.baseline  # a continuous parent enters by its value
                elif parent_node.kind != "exposure" and parent_node.baseline is not None:
                    centre = float(parent_node.node_kind.link(parent_node.baseline))
                eta = eta + b * (value[parent] - centre)
            y = values[name]
            if node.kind == "count":
                mu = pt.exp(eta) * (values[node.offset] / (node.per or 1.0) if node.offset else 1.0)
                if node.family == "negative_binomial":
                    phi = pm.HalfNormal(f"inv_sqrt_phi_{name}", 1.0)
                    pm.NegativeBinomial(name, mu=mu, alpha=1 / phi**2, observed=y.astype(int))
                else:
                    pm.Poisson(name, mu=mu, observed=y.astype(int))
                value[name] = eta
            elif node.kind == "proportion":
                pm.Binomial(name, n=values[node.trials].astype(int), logit_p=eta, observed=y.astype(int))
                value[name] = eta
            else:
                sigma = pm.HalfNormal(f"sigma_{name}", node.scale)
                if getattr(node, "link", "identity") == "logit":  # a scaled logit keeps the mean in its range
                    lo, hi = node.range
                    pm.Normal(name, lo + (hi - lo) * pm.math.sigmoid(eta), sigma, observed=y)
                else:
                    pm.Normal(name, eta, sigma, observed=y)
                value[name] = y
    return model


def link_stats(posterior, names: list[str]) -> tuple[float, float]:
    ess = az.ess(posterior, method="bulk")
    rhat = az.rhat(posterior)
    if "beta" in posterior:
        return float(ess["beta"].min()), float(rhat["beta"].max())
    return (float(min(ess[n].values for n in names)), float(max(rhat[n].values for n in names)))


#: Run in a subprocess against an older checkout (``--against REV``): that release's cp.fit at its
#: own defaults on its own bundled synthetic_force, timed the same way.
_SNIPPET = """
import json, time, warnings
import arviz as az, numpy as np, copath as cp
warnings.simplefilter("ignore")
pw, df = cp.load_pathway("policing_coproduction"), cp.datasets.load("synthetic_force")
t0 = time.perf_counter()
res = cp.fit(pw, df, random_seed=1, progressbar=False)
wall = time.perf_counter() - t0
post = res.posterior
ess = az.ess(post, method="bulk")
rhat = az.rhat(post)
print(json.dumps({"wall": wall, "ess_all": float(min(float(ess[v].min()) for v in ess.data_vars)),
                  "rhat_all": float(max(float(rhat[v].max()) for v in rhat.data_vars)),
                  "ess_links": float(ess["beta"].min()),
                  "divergences": int(res.idata["sample_stats"]["diverging"].sum())}))
"""


def run_release(rev: str | None) -> dict:
    """``cp.fit`` at its defaults on the bundled synthetic_force: this checkout (None) or ``rev``
    (a git worktree of it in a temporary folder, run in a subprocess with its own source)."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if rev is None:
        where = root
    else:
        where = Path(tempfile.mkdtemp(prefix="copath-rev-")) / "tree"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(where), rev], check=True)
    try:
        env = {**os.environ, "PYTHONPATH": str(where / "src")}
        out = subprocess.run([sys.executable, "-c", _SNIPPET], cwd=where, env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        if rev is not None:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(where)], check=False)


def to_400(run: dict) -> float:
    """Seconds to min bulk ESS 400 on every parameter: the wall time when the run reached it,
    else the wall time scaled by 400 / ESS (ESS grows about linearly with draws)."""
    return run["wall"] * max(1.0, 400.0 / max(run["ess_all"], 1e-9))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--areas", type=int, default=0, help="0: the bundled synthetic_force")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--against", default="",
                        help="a git revision: compare this checkout's cp.fit defaults with that release's, each on "
                             "its own bundled synthetic_force, over every parameter (no plain PyMC run)")
    parser.add_argument("--against-json", default="",
                        help="with --against: read that release's run from this JSON file (written by an earlier "
                             "--against run with --save-json) instead of running it again")
    parser.add_argument("--save-json", default="", help="with --against: write the older release's run here")
    args = parser.parse_args()
    if args.against:
        import json
        from pathlib import Path

        if args.against_json:
            then = json.loads(Path(args.against_json).read_text())
        else:
            then = run_release(args.against)
            if args.save_json:
                Path(args.save_json).write_text(json.dumps(then))
        now = run_release(None)
        lines = ["## Fit: flagship on synthetic_force at cp.fit's defaults, this checkout vs " + args.against, "",
                 f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, 2 cores; "
                 "each release at its own defaults on its own bundled data; ESS and R-hat over every parameter.", "",
                 "| release | wall s | min bulk ESS (all) | max R-hat (all) | min bulk ESS (links) | divergences | "
                 "s to ESS 400 (all) |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for label, run in (("this checkout", now), (args.against, then)):
            lines.append(f"| {label} | {run['wall']:.0f} | {run['ess_all']:.0f} | {run['rhat_all']:.3f} | "
                         f"{run['ess_links']:.0f} | {run['divergences']} | {to_400(run):.0f} |")
        lines += ["", f"Ratio this / {args.against}, seconds to min bulk ESS 400 on every parameter: "
                      f"{to_400(now) / to_400(then):.2f} (scaled by 400 / ESS where a run fell short).", ""]
        record(lines)
        return
    pw = cp.load_pathway("policing_coproduction")
    ev = cp.load_evidence()
    if args.areas:
        df = cp.simulate(pw, areas=args.areas, months=args.months, random_seed=1).data
        label = f"simulated {args.areas} areas x {args.months} months"
    else:
        df = cp.datasets.load("synthetic_force")
        label = "synthetic_force (120 areas x 24 months)"

    t0 = time.perf_counter()
    res = cp.fit(pw, df, evidence=ev, draws=args.draws, tune=args.tune, chains=2, random_seed=1,
                 progressbar=False)
    copath_s = time.perf_counter() - t0
    c_ess, c_rhat = link_stats(res.posterior, [])

    t0 = time.perf_counter()
    model = plain_pymc_model(pw, df, ev)
    with model:
        idata = pm.sample(random_seed=1, progressbar=False)
    plain_s = time.perf_counter() - t0
    names = [f"b[{link}]" for link in pw.link_names]
    p_ess, p_rhat = link_stats(idata["posterior"].to_dataset(), names)

    rows = [
        ("copath (nutpie, MAP start, 2 chains)", copath_s, c_ess, c_rhat),
        ("plain PyMC, pm.sample() defaults", plain_s, p_ess, p_rhat),
    ]
    lines = [
        f"## Fit: flagship model on {label}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
        f"2 cores; copath draws {args.draws} + tune {args.tune}; wall time includes building, "
        "compiling and (for copath) the prior/predictive/log-likelihood groups.",
        "",
        "| run | wall s | min bulk ESS (links) | ESS/s | max R-hat (links) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, secs, ess, rhat in rows:
        lines.append(f"| {name} | {secs:.0f} | {ess:.0f} | {ess / secs:.2f} | {rhat:.3f} |")
    lines += ["", f"Ratio copath / plain: wall time {copath_s / plain_s:.2f}, "
              f"ESS per second {(c_ess / copath_s) / (p_ess / plain_s):.2f}.", ""]
    record(lines)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
