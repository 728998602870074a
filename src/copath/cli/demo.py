"""``copath demo``: the main job on the bundled data.

It loads the flagship pathway and the registry, prints every link's prior and the
weak links, fits the pathway to the bundled ``synthetic_force`` data, prints the link
summary and the diagnostics, runs a default scenario (Neighbourhood Watch coverage up
20 points) and the sensitivity analysis, and writes to ``--out``: the report
(``report.html``), the DAG figure (``pathway.png``), the prior table
(``link_priors.csv``), the link summary (``link_summary.csv``), the scenario table,
the sensitivity tables and tornado (``sensitivity/``) and the saved result
(``result/``). ``--no-fit`` stops after the priors.

Example
-------
>>> import tempfile
>>> from copath.cli import main
>>> main(["demo", "--no-fit", "--out", tempfile.mkdtemp()])  # doctest: +ELLIPSIS
Pathway 'policing_coproduction': ...
0
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

__all__ = ["register", "link_prior_table", "DEFAULT_SCENARIO"]

#: The demo's scenario: (name, changes).
DEFAULT_SCENARIO = ("Neighbourhood Watch coverage +20 points", {"nw_coverage": "+0.2"})


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the flagship model on the bundled data and write the outputs")
    p.add_argument("--out", default="out/demo", help="output folder (default: %(default)s)")
    p.add_argument("--draws", type=int, default=1200)
    p.add_argument("--tune", type=int, default=800)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--target-accept", type=float, default=0.9,
                   help="NUTS target acceptance (default %(default)s: at 0.8 the flagship's adapted step size "
                        "left an isolated divergence on some seeds)")
    p.add_argument("--no-fit", action="store_true", help="only the priors, weak links and DAG")
    p.set_defaults(run=_run)


def link_prior_table(pathway, evidence, data=None):
    """One row per link: from, to, grade, weak, prior mean/sd, stated sign (+1, -1 or 0),
    natural-scale 5/50/95% and, given ``data``, the default priors on its scale with the
    numbers that set them (``default_scale``; :mod:`copath.model.autoscale`).

    Example
    -------
    >>> import copath as cp
    >>> t = link_prior_table(cp.load_pathway("policing_coproduction"), cp.load_evidence())
    >>> t.loc["nw_coverage -> burglary", "grade"]
    'B'
    """
    import pandas as pd

    from copath.evidence.priors import priors_for

    rows = []
    priors = priors_for(pathway, evidence)
    if data is not None:  # the default priors as a fit on these data puts them
        from copath.model.autoscale import autoscale_priors
        from copath.model.data import prepare_data

        priors = autoscale_priors(pathway, prepare_data(pathway, data), priors)
    # soft: a stated direction as the fit uses it wherever the data can tell the sign
    for link, prior in zip(pathway.links, priors.values(), strict=True):
        q = prior.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
        rows.append({
            "link": link.name, "from": link.source, "to": link.target,
            "grade": prior.grade or "-", "weak": prior.weak, "scale": prior.scale,
            "prior_mu": prior.mu, "prior_sigma": prior.sigma, "sign": prior.stated, "contrast": prior.contrast,
            "natural_q05": q[0], "natural_q50": q[1], "natural_q95": q[2],
            "sources": " ".join(prior.sources), "default_scale": prior.scaled_by,
        })
    return pd.DataFrame(rows).set_index("link")


def _bundled_data():
    from copath.datasets import load

    return load("synthetic_force")


def _run(args: argparse.Namespace) -> int:
    from copath.constants import WEAK_RULE
    from copath.evidence.registry import load_evidence
    from copath.io_atomic import atomic_write_bytes
    from copath.plotting import to_png
    from copath.spec.loader import load_pathway

    out = Path(args.out)
    pw = load_pathway("policing_coproduction")
    ev = load_evidence()
    print(f"Pathway {pw.name!r}: {len(pw.nodes)} nodes, {len(pw.links)} links, "
          f"final outcomes {', '.join(pw.outcomes)}; registry of {len(ev)} entries.")
    data = _bundled_data()
    table = link_prior_table(pw, ev, data)
    with_cols = table[["grade", "scale", "sign", "prior_mu", "prior_sigma", "natural_q05", "natural_q50",
                       "natural_q95"]]
    print("\nLink priors (natural scale for the evidence contrast: rate/odds ratio or slope):")
    print(with_cols.to_string(float_format=lambda v: f"{v:.3g}"))
    signed = int((table["sign"] != 0).sum())
    print("(prior_mu and prior_sigma are the normal's parameters and the quantiles are its own; 'sign' is a "
          "stated direction, which the normal leans towards and the data may overturn: the fit holds it "
          "fixed, truncating the normal, only where the data cannot tell the sign, and its summary shows the "
          "priors it used" + (f"; {signed} links here have a stated direction)" if signed else ")"))
    scaled = table[table["default_scale"] != ""]
    if len(scaled):
        print(f"\nDefault priors on the bundled data's scale ({len(scaled)} links without evidence; "
              "copath.model.autoscale):")
        for name, rule in scaled["default_scale"].items():
            print(f"  {name}: sd {rule}")
    weak = pw.weak_links(ev)
    print(f"\n{len(weak)} of {len(pw.links)} links are weak ({WEAK_RULE}):")
    for name in weak:
        print(f"  - {name}")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "link_priors.csv", table.to_csv().encode())
    atomic_write_bytes(out / "pathway.png", to_png(pw.draw(ev), dpi=120))
    print(f"\nWrote {out / 'pathway.png'} and {out / 'link_priors.csv'}")
    if args.no_fit:
        return 0

    import copath as cp
    from copath.cli.fit import print_fit

    print(f"\nFitting to the bundled synthetic_force data ({len(data)} rows: "
          f"{data['area'].nunique()} areas x {data['month'].nunique()} months), "
          f"{args.chains} chains x {args.draws} draws after {args.tune} tuning steps ...")
    started = time.perf_counter()

    def step(text: str) -> None:
        print(f"\n[{time.perf_counter() - started:5.0f} s] {text}", flush=True)

    step("1/4 fitting (Pathfinder starts, then NUTS) ...")
    res = cp.fit(pw, data, evidence=ev, draws=args.draws, tune=args.tune, chains=args.chains,
                 random_seed=args.seed, target_accept=args.target_accept, source="datasets/synthetic_force.csv")
    print()
    print_fit(res)
    atomic_write_bytes(out / "link_summary.csv", res.summary().to_csv().encode())
    res.save(out / "result")
    print(f"\nWrote {out / 'link_summary.csv'} and the saved result {out / 'result'}")

    step(f"2/4 scenario: {DEFAULT_SCENARIO[0]} ...")
    sc = res.scenario(DEFAULT_SCENARIO[1], name=DEFAULT_SCENARIO[0])
    print(sc.describe())
    atomic_write_bytes(out / "scenario.csv", sc.outcomes().to_csv().encode())
    res.path_effects("nw_coverage", "qol_citizens", delta=0.2)   # the scenario's +20 points

    step("3/4 sensitivity analysis (power-scaling, variance shares, alternative priors) ...")
    sens = res.sensitivity(alternatives=True, scenarios=[sc])
    print(sens.describe())
    sens.save(out / "sensitivity")

    step("4/4 report ...")
    path = res.report(out / "report.html")
    step(f"done. Open {path} in a browser.")
    return 0
