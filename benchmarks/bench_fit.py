"""Fit the flagship model on synthetic_force two ways, in one run, and compare.

(a) copath: ``cp.fit`` (nutpie, MAP start), 2 chains x ``--draws`` after ``--tune``;
(b) plain PyMC: the same structural equations and priors written directly in PyMC,
    one scalar variable per link, sampled with ``pm.sample()`` defaults (PyMC's NUTS,
    1000 tune + 1000 draws, one chain per core) - what a user would write without copath.

Prints and appends to ``benchmarks/results.md``: wall time (build + sampling), minimum
bulk ESS over the link coefficients, ESS per second, max R-hat over the links, and the
ratios copath / plain.

    .venv/bin/python benchmarks/bench_fit.py [--draws 1000 --tune 1000] [--areas N --months T]
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
from copath.model.equations import link_value



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
                if parent_node.kind != "exposure" and parent_node.baseline is not None:
                    centre = link_value(parent_node.kind, parent_node.baseline)
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
                pm.Normal(name, eta, sigma, observed=y)
                value[name] = y
    return model


def link_stats(posterior, names: list[str]) -> tuple[float, float]:
    ess = az.ess(posterior, method="bulk")
    rhat = az.rhat(posterior)
    if "beta" in posterior:
        return float(ess["beta"].min()), float(rhat["beta"].max())
    return (float(min(ess[n].values for n in names)), float(max(rhat[n].values for n in names)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--areas", type=int, default=0, help="0: the bundled synthetic_force")
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
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
