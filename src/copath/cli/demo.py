"""``copath demo``: the main job on the bundled data.

It loads the flagship pathway and the registry, prints every link's prior and the
weak links, fits the pathway to the bundled ``synthetic_force`` data, prints the link
summary and the diagnostics, runs a default scenario (Neighbourhood Watch coverage up
20 points) and the sensitivity analysis, and writes to ``--out``: the report
(``report.html``), the DAG figure (``pathway.png``), the prior table
(``link_priors.csv``), the link summary (``link_summary.csv``), the scenario table and
its burglary change in pounds a year with the interval (``worth.csv``, priced at the Home
Office's cost of a burglary in a dwelling uprated to 2024 prices),
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

__all__ = ["register", "link_prior_table", "DEFAULT_SCENARIO", "DEMO_VALUE", "worth_lines"]

#: The demo's scenario: (name, changes).
DEFAULT_SCENARIO = ("Neighbourhood Watch coverage +20 points", {"nw_coverage": "+0.2"})
#: What the demo prices its scenario's burglary change at: the Home Office's 2003/04 cost of a
#: burglary in a dwelling (datasets/values/home_office_costs.md), uprated to 2024 prices.
DEMO_VALUE = {"burglary": "home_office_2005:burglary_dwelling"}
DEMO_PRICE_YEAR = 2024


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


def worth_lines(table) -> list[str]:
    """Per valued node of a :meth:`copath.FitResult.value_in_pounds` table: its change a year
    and what that is worth, with the interval.

    Example
    -------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"entry": ["home_office_2005:burglary_dwelling", ""], "amount": [5609.0, float("nan")],
    ...                   "basis": ["per event", ""], "change_a_year": [-12.0, float("nan")],
    ...                   "gbp_a_year": [67308.0, 67308.0], "hdi_low": [9000.0, 9000.0],
    ...                   "hdi_high": [130000.0, 130000.0], "p_gain": [0.98, 0.98]}, index=["burglary", "total"])
    >>> t.attrs.update(unit="GBP (2024 prices) a year", prob=0.94)
    >>> worth_lines(t)[0]
    '  burglary: -12 events a year at 5,609 GBP each (home_office_2005:burglary_dwelling): +67,308 GBP (2024 prices) a year (94% HDI +9,000 to +130,000), probability of a gain 98%'
    """
    prob = round(100 * float(table.attrs.get("prob", 0.94)))
    lines = []
    for node, row in table.drop(index="total").iterrows():
        what = (f"{row['change_a_year']:+.3g} events a year at {row['amount']:,.0f} GBP each"
                if row["basis"] == "per event" else
                f"{row['change_a_year']:+.3g} points at {row['amount']:,.0f} GBP per WELLBY")
        lines.append(f"  {node}: {what} ({row['entry']}): {row['gbp_a_year']:+,.0f} {table.attrs['unit']} "
                     f"({prob}% HDI {row['hdi_low']:+,.0f} to {row['hdi_high']:+,.0f}), "
                     f"probability of a gain {row['p_gain']:.0%}")
    return lines


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
    worth = res.value_in_pounds(sc, DEMO_VALUE, price_year=DEMO_PRICE_YEAR)
    print("\nWhat is it worth? (the Home Office's cost of a burglary, uprated by the GDP deflator; "
          "datasets/values/home_office_costs.md)")
    print("\n".join(worth_lines(worth)))
    print("  The figures are average social costs of crime avoided, not cashable savings to the force's budget"
          + ("; a cost per crime (all crimes) on recorded crimes with no recorded share stated, so they cover "
             "recorded crimes only and understate." if worth.attrs.get("recorded_only") else "."))
    atomic_write_bytes(out / "worth.csv", worth.to_csv().encode())
    res.path_effects("nw_coverage", "qol_citizens", delta=0.2)   # the scenario's +20 points

    step("3/4 sensitivity analysis (power-scaling, variance shares, alternative priors) ...")
    sens = res.sensitivity(alternatives=True, scenarios=[sc])
    print(sens.describe())
    sens.save(out / "sensitivity")

    step("4/4 report ...")
    path = res.report(out / "report.html")
    step(f"done. Open {path} in a browser.")
    return 0
