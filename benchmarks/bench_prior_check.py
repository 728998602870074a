"""The prior predictive check on the flagship, before and after issue 28's changes.

"Before" is the bundled flagship spec: quality-of-life nodes with an identity link and the
direction-only CitizenNet evidence read over a 5% sign-up (``contrast: 0.05``); "after" is the
variant issue 28 proposes (``link: logit`` on the quality-of-life nodes, the direction read
across the whole sign-up range), not yet bundled (docs/guides/prior-check.md). For each: ``cp.prior_check`` (500 draws, a simulated force of 40 areas x 12
months), and over 40 single draws from the priors (``cp.simulate``, 30 areas x 12 months, seeds
0-39) the share of worlds in which a node puts more than 5% of its expected values outside its
bounds (its range; the advisory 20 x baseline for counts and proportions).

    .venv/bin/python benchmarks/bench_prior_check.py
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime

import numpy as np

import copath as cp
from _record import record
from copath.model.simulate import _implausible, _simulate_once
from copath.spec.loader import pathway_from_dict, pathway_to_dict


def as_after(pw: cp.Pathway) -> cp.Pathway:
    spec = pathway_to_dict(pw)
    for name in ("qol_citizens", "qol_victims", "qol_offenders"):
        spec["nodes"][name]["link"] = "logit"
    for link in spec["links"]:
        if (link["from"], link["to"]) == ("citizen_alert", "detection"):
            link.pop("contrast", None)
    return pathway_from_dict(spec)


def worlds(pw: cp.Pathway, n: int = 40) -> tuple[float, float]:
    """Share of single prior draws that are implausible on ranged nodes only, and on any bound."""
    priors = cp.priors_for(pw, cp.load_evidence())
    ranged, any_bound = 0, 0
    for seed in range(n):
        _, _, eta = _simulate_once(pw, 30, 12, None, np.random.default_rng(seed), priors, ())
        ranged += _implausible(pw, {m: e for m, e in eta.items() if pw.nodes[m].range is not None}) is not None
        any_bound += _implausible(pw, eta) is not None
    return ranged / n, any_bound / n


def main() -> None:
    before = cp.load_pathway("policing_coproduction")
    after = as_after(before)
    lines = ["## Prior predictive check: flagship before and after issue 28", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {platform.python_version()}, "
             f"copath {cp.__version__}; cp.prior_check(draws=500, 40 x 12 simulated force, seed 0).", "",
             "| node | bound | outside, before | outside, after |", "| --- | --- | --- | --- |"]
    checks = {label: cp.prior_check(pw, random_seed=0) for label, pw in (("before", before), ("after", after))}
    for node in checks["after"].nodes.index:
        row_b, row_a = checks["before"].nodes.loc[node], checks["after"].nodes.loc[node]
        if np.isnan(row_a["outside"]):
            continue
        lines.append(f"| {node} | {row_a['source']} | {100 * row_b['outside']:.1f}% | {100 * row_a['outside']:.1f}% |")
    for label, check in checks.items():
        lines.append("")
        lines.append(f"{label}: passed {check.passed}; failing {check.failing or 'none'}; advisory "
                     f"{check.advisories or 'none'}.")
    cl_b = checks["before"].links.loc["citizen_alert -> detection"]
    cl_a = checks["after"].links.loc["citizen_alert -> detection"]
    lines += ["", f"citizen_alert -> detection across 0..1: before {cl_b['natural']}; after {cl_a['natural']}."]
    for label, pw in (("before", before), ("after", after)):
        ranged, any_bound = worlds(pw)
        lines.append(f"Single prior draws (40 worlds of 30 x 12), {label}: {100 * ranged:.0f}% put more than 5% of a "
                     f"ranged node's expected values outside its range; {100 * any_bound:.0f}% outside any bound "
                     "(advisory 20 x baseline included).")
    lines.append("")
    record(lines)


if __name__ == "__main__":
    main()
