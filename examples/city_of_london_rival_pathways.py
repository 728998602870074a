"""Worked example: does a pathway fit the City of London's data? Rival pathways compared.

The question a City analyst brings: is the charge rate lower where and when there is more
violent crime, and if so, is that a change within an LSOA from month to month, or only that
busy LSOAs differ? Three rival pathways for the same police.uk data (the City's 6 LSOAs x 18
months, the last months' immature outcomes left out of the likelihood):

- ``between_and_within``: violent crime (``log(1 + count)`` in the LSOA-month, an input as
  given) -> the charge share, a beta-binomial proportion with LSOA effects. Its coefficient
  mixes the comparison of LSOAs with each other and of months within an LSOA.
- ``within``: the same link with ``within: true``: the LSOA's mean violent crime enters
  with its own slope (Mundlak 1978), so the link is the within-LSOA effect.
- ``no_link``: the charge share with LSOA effects only.

Every rival also holds burglary (a count with LSOA effects and a trend) with no link to or
from the other two nodes, so the pathway implies testable independencies: burglary is
independent of violent crime, and the charge share of burglary given violent crime.

The script fits all three at ``cp.fit``'s defaults, compares them by PSIS-LOO
(``cp.compare_fits``, leaving out one LSOA-month at a time: with 6 LSOAs, leaving out one
LSOA would rest on 6 units), tests what the first pathway implies (``res.check_pathway``),
reads the within and between slopes against each other (``res.within_contrast``) and says
what an analyst changes in response. It prints as it goes; the guide page
``docs/guides/worked-rival-pathways.md`` records a run.

    .venv/bin/python examples/city_of_london_rival_pathways.py [--data DIR] [--draws N] [--tune N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import copath as cp

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/police-uk/city-of-london"

SPEC = """
name: charges_{name}
nodes:
  log_violent: {{kind: exposure, unit: "log(1 + violence and sexual offences in the LSOA-month)"}}
  charged:
    kind: proportion
    label: Crimes charged or summonsed
    trials: crimes
    family: beta_binomial
    area_effects: true
    maturity_lag: {lag}
    better: higher
  burglary: {{kind: count, label: Burglaries in the LSOA-month, area_effects: true, time: [trend]}}
links: {links}
outcomes: [charged]
"""


def load(folder: Path) -> pd.DataFrame:
    """The City's own LSOAs x months: charges, crimes, burglaries and violent crime (as log(1 + count))."""
    first = cp.datasets.read_police_uk(folder, report=False)
    table = cp.datasets.read_police_uk(folder, areas=first.attrs["force_areas"], report=False)
    out = pd.DataFrame({"area": table["area"], "month": table["month"], "charged": table["charged"],
                        "crimes": table["crimes"], "burglary": table["burglary"],
                        "log_violent": np.log1p(table["violence_and_sexual_offences"])}).reset_index(drop=True)
    out.attrs["maturing_months"] = list(table.attrs["maturing_months"])
    return out


def pathways(lag: int) -> dict[str, cp.Pathway]:
    """The three rivals, by name."""
    links = {"between_and_within": "[{from: log_violent, to: charged}]",
             "within": "[{from: log_violent, to: charged, within: true}]",
             "no_link": "[]"}
    return {name: cp.loads_pathway(SPEC.format(name=name, lag=lag, links=text)) for name, text in links.items()}


def main(argv: list[str] | None = None) -> dict[str, cp.FitResult]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args(argv)
    data = load(args.data)
    lag = len(data.attrs["maturing_months"])
    print(f"{len(data)} rows: {data['area'].nunique()} LSOAs x {data['month'].nunique()} months; the last {lag} "
          f"months' charges are still maturing and left out of the likelihood.")
    fits = {}
    for name, pw in pathways(lag).items():
        print(f"\n== {name}")
        res = cp.fit(pw, data, draws=args.draws, tune=args.tune, random_seed=args.seed, progressbar=False,
                     log_likelihood="pointwise")
        print(res.diagnostics())
        links = res.summary()
        if len(links):
            print(links[["post_mean", "post_hdi_low", "post_hdi_high", "identified"]].round(3).to_string())
        fits[name] = res
    print("\n== What the first pathway implies, tested")
    print(fits["between_and_within"].check_pathway().describe())
    print("\n== Within an LSOA or between LSOAs")
    contrast = fits["within"].within_contrast()
    print(contrast.round(3).to_string())
    print("\n== Rival pathways by PSIS-LOO (one LSOA-month left out at a time)")
    comparison = cp.compare_fits(fits, by="row")
    print(comparison.describe())
    return fits


if __name__ == "__main__":
    main()
