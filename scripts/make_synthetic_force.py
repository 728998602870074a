"""Generate datasets/synthetic_force.csv, its truth file and its data card.

The data are simulated from the flagship pathway's own structural equations with
`cp.simulate` (120 areas x 24 months, seed 2026). The link coefficients and intercepts
were drawn once from the registry's priors as they stood before issue 27 (grade-capped
heterogeneity, tied signs held), and are kept in `datasets/synthetic_force.truth.yaml`
so that the bundled force stays a fixed test bed while the prior rules evolve: by default
the script re-simulates the data from that truth (`pinned_params`), and `--redraw` draws
new coefficients and intercepts from the current priors (then the demo, the notebooks and
the figures in docs/guides/ must be re-verified). The nuisance parameters (area sd,
overdispersion, residual sd) are set to typical values in NUISANCE, because a draw from
their wide half-normal priors can give a force with, say, 150 burglaries in one small
area-month. Run: `.venv/bin/python scripts/make_synthetic_force.py [--redraw]`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

import copath as cp
from copath.io_atomic import atomic_write_bytes
from copath.model.data import required_columns

AREAS, MONTHS, SEED = 120, 24, 2026
NUISANCE = {
    "area_sd": {"burglary": 0.35, "violent_crime": 0.3},
    "inv_sqrt_phi": {"burglary": 0.35, "violent_crime": 0.3},
    "sigma": {"policing_cost": 1.0, "qol_citizens": 0.4, "qol_victims": 0.4, "qol_offenders": 0.4},
}
OUT = Path(__file__).resolve().parents[1] / "datasets"


def pinned_params() -> dict:
    """The nuisance values and the kept truth's link coefficients and intercepts."""
    truth = cp.datasets.load_truth("synthetic_force")
    return {**NUISANCE, "beta": truth["beta"], "intercept": truth["intercept"]}


def pinned_priors(pw: cp.Pathway) -> dict:
    """The link priors with every stated direction held, as they were when the kept truth was
    drawn: a held prior consumes the random stream as it did then, so the area effects and
    every count come out bit for bit (the values drawn are replaced by the kept truth)."""
    return {name: p.held() for name, p in cp.priors_for(pw, cp.load_evidence()).items()}


def main(redraw: bool = False) -> None:
    pw = cp.load_pathway("policing_coproduction")
    if redraw:
        sim = cp.simulate(pw, areas=AREAS, months=MONTHS, random_seed=SEED, params=NUISANCE)
    else:
        sim = cp.simulate(pw, areas=AREAS, months=MONTHS, random_seed=SEED, params=pinned_params(),
                          priors=pinned_priors(pw))
    data = sim.data
    csv = data.to_csv(index=False, float_format="%.6g").encode()
    truth = {
        group: {k: float(v) for k, v in values.items()}
        for group, values in sim.truth.items()
        if group not in ("area_effect",)
    }
    truth["area_effect"] = {k: [round(float(x), 6) for x in v] for k, v in sim.truth["area_effect"].items()}
    atomic_write_bytes(OUT / "synthetic_force.csv", csv)
    atomic_write_bytes(OUT / "synthetic_force.truth.yaml", yaml.safe_dump(truth, sort_keys=False).encode())
    atomic_write_bytes(OUT / "synthetic_force.md", card(pw, data, truth).encode())
    print(f"wrote {len(data)} rows to {OUT / 'synthetic_force.csv'}")


def card(pw: cp.Pathway, data, truth: dict) -> str:
    cols = required_columns(pw)
    lines = [
        "# synthetic_force: a simulated police force, 120 areas x 24 months",
        "",
        f"Made by `scripts/make_synthetic_force.py` with `cp.simulate(policing_coproduction, areas={AREAS}, "
        f"months={MONTHS}, random_seed={SEED}, params=pinned_params())`. Every value comes from the flagship",
        "pathway's own structural equations, with link coefficients and intercepts drawn once from the",
        "registry's priors as they stood before issue 27 (kept since, so the test bed stays fixed) and",
        "typical nuisance values (area sd, overdispersion, residual sd; see the script), so a",
        "fit should recover the true link coefficients below. It is not real data: use it to learn",
        "copath and to test a fit. The machine-readable truth is `synthetic_force.truth.yaml`.",
        "",
        "## Columns",
        "",
        "| column | what | unit |",
        "| --- | --- | --- |",
    ]
    for col in data.columns:
        if col in pw.nodes:
            node = pw.nodes[col]
            what = f"{node.display} ({node.kind})"
            unit = node.unit if node.kind in ("exposure", "continuous") else (
                "count" if node.kind == "count" else f"successes out of `{node.trials}`")
        else:
            what, unit = cols.get(col, "index column"), "count" if col not in pw.index else ""
        lines.append(f"| `{col}` | {what} | {unit} |")
    lines += ["", "## True link coefficients", "",
              "On each link's coefficient scale (log rate ratio, log odds ratio or slope) per unit of the parent.", "",
              "| link | true value |", "| --- | --- |"]
    lines += [f"| {k} | {v:.4f} |" for k, v in truth["beta"].items()]
    lines += ["", "## Other true values", "", "| parameter | node | value |", "| --- | --- | --- |"]
    for group in ("intercept", "area_sd", "inv_sqrt_phi", "sigma"):
        lines += [f"| {group} | {k} | {v:.4f} |" for k, v in truth[group].items()]
    lines += ["", "Exposure centring constants (their means): "
              + ", ".join(f"{k} {v:.4g}" for k, v in truth["centres"].items() if k in pw.exposures) + ".",
              "", f"Rows: {len(data)}; no missing values.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    np.seterr(all="ignore")
    main(redraw="--redraw" in sys.argv[1:])
