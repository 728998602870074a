"""Worked real-data fit: confidence in local policing via fairness, with London-wide years (PAS).

The question: in London boroughs where more residents know how to contact their ward
officer, or feel well informed about local policing, do more residents think the police
treat everyone fairly, and through that, that they do a good job locally? The data are
MOPAC's Public Attitude Survey borough file (``../shared/data/mopac-pas/``, read by
``cp.datasets.read_pas``). The guide docs/guides/walkthrough-pas.md
goes through what this script prints.

What the script decides, and says:

- **One figure a year.** The borough figures are rolling 12-month estimates: the survey
  is designed for 100 interviews a quarter in each of the 32 boroughs, "400 interviews in
  any 12-month rolling period" (UK Data Service, study 7048 description), and the
  quarter-to-quarter changes of "Good Job" local have a lag-4 autocorrelation of -0.40,
  the signature of overlapping 12-month windows. Consecutive quarters share three
  quarters of their interviews, so the script keeps the years to December only
  (2014-2023, 10 years, each interview used once). The rows are borough x year (area
  ``borough``, month ``YYYY-12``): copath reads them as one period a year.
- **Effective sample size.** Each borough-year figure is a share (``given_as: share``) of
  400 interviews divided by an assumed design effect of 1.5 (weighting and clustering; not
  published in the file): 267. Both survey outcomes are beta-binomial, so more spread
  between borough-years than these sizes imply is absorbed rather than read as signal.
- **The pathway.** ``contact_ward_officer`` and ``informed_local`` (survey shares
  themselves, used as given) -> ``fair`` ("the police treat everyone fairly") ->
  ``good_job`` ("the police do a good job in the local area"), with direct links from both
  exposures to ``good_job`` as well, so the path through fairness is estimated beside
  them, not imposed. ``fair`` enters ``good_job`` through its expected logit. No registry
  entry covers these links: each has copath's default N(0, 1) prior.
- **London-wide years.** ``fair`` and ``good_job`` have borough effects and one effect per
  year (``time: [period]``: partially pooled, summing to zero over the years), so a year
  in which all of London moved (2020-21, say) is not read as an effect of contact. The
  links are then read from differences between boroughs within a year and changes within
  boroughs beyond London's. Fit (2) replaces the year effects by a straight London-wide
  trend (``time: [trend]``), the only time effect yearly rows had before, to show what the
  years change.
- **Checks.** Each fit's sampler diagnostics and its posterior predictive check per node
  (94% interval coverage of the observed shares, and the p-values of their mean and sd).

It is a comparison of places and years, not an experiment: boroughs that differ in contact
differ in much else, the exposures are survey estimates with sampling error of their own
(which pulls slopes toward zero), and all four measures come from the same interviews, so
their sampling errors are correlated.

    .venv/bin/python examples/london_confidence_pas.py [--data FILE] [--draws N] [--tune N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import copath as cp

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/mopac-pas/PAS_boroughs.csv"

#: Interviews per borough in 12 months (UK Data Service, SN 7048).
BOROUGH_INTERVIEWS = 400
#: An assumed design effect (weighting, clustering); the file does not publish one.
DESIGN_EFFECT = 1.5

SPEC = """name: london_confidence_fairness
title: Contact, information, fairness and confidence in local policing (PAS, borough x year)
index: [borough, month]
groups: borough
nodes:
  contact_ward_officer:
    kind: exposure
    label: Know how to contact their ward officer
    unit: share of residents (0-1)
    range: [0, 1]
  informed_local:
    kind: exposure
    label: Feel well informed about local policing
    unit: share of residents (0-1)
    range: [0, 1]
  fair:
    kind: proportion
    label: Police treat everyone fairly
    unit: share of residents
    trials: ess
    given_as: share
    family: beta_binomial
    area_effects: true
    time: {time}
    better: higher
  good_job:
    kind: proportion
    label: Police do a good job locally
    unit: share of residents
    trials: ess
    given_as: share
    family: beta_binomial
    area_effects: true
    time: {time}
    better: higher
links:
  # no registry entry: the paper's community-contact -> confidence link is qualitative
  - {{from: contact_ward_officer, to: fair}}
  - {{from: informed_local, to: fair}}
  - {{from: fair, to: good_job}}
  - {{from: contact_ward_officer, to: good_job}}
  - {{from: informed_local, to: good_job}}
outcomes: [good_job]
"""

#: The measures the pathway uses, by their read_pas names.
MEASURES = {"contact_ward_officer": "contact_ward_officer", "informed_local": "informed_local",
            "treat_everyone_fairly": "fair", "good_job_local": "good_job"}


def load(path: Path) -> pd.DataFrame:
    """Borough x year rows (years to December) with the four measures as shares."""
    pas = cp.datasets.read_pas(path)
    december = pas[(pas["quarter"].dt.month == 12) & pas["measure"].isin(list(MEASURES))]
    wide = december.pivot_table(index=["borough", "quarter"], columns="measure", values="proportion").reset_index()
    table = pd.DataFrame({"borough": wide["borough"], "month": wide["quarter"].dt.strftime("%Y-%m")})
    for measure, column in MEASURES.items():
        table[column] = wide[measure].to_numpy()
    table["ess"] = BOROUGH_INTERVIEWS / DESIGN_EFFECT
    return table.dropna().reset_index(drop=True)


def fit(table: pd.DataFrame, time: str, draws: int, tune: int) -> cp.FitResult:
    """The fairness pathway with ``time`` effects on both survey outcomes (``[period]``: one
    effect per year; ``[trend]``: a straight line)."""
    pw = cp.loads_pathway(SPEC.format(time=time))
    return cp.fit(pw, table, draws=draws, tune=tune, chains=2, random_seed=2014, progressbar=False)


def report(label: str, res: cp.FitResult) -> None:
    """The links per 10 points of the exposures, diagnostics and the predictive check."""
    diag = res.diagnostics()
    print(f"\n{label}: {'diagnostics pass' if diag.passed else 'DIAGNOSTICS FAIL: ' + ' '.join(diag.warnings)} "
          f"(max R-hat {diag.max_rhat:.3f}, min bulk ESS {diag.min_ess_bulk:.0f}, "
          f"{diag.divergences} divergences; {res.run.sampling_seconds:.0f} s sampling)")
    summary = res.summary()
    for link in summary.index:
        row = summary.loc[link]
        per = 10 if link.startswith(("contact", "informed")) else 1  # exposures per 10 points; fair per logit unit
        unit = "per 10 points" if per == 10 else "per logit of fair"
        print(f"  {link}: {row['post_mean'] / per:+.3f} ({row['post_hdi_low'] / per:+.3f} to "
              f"{row['post_hdi_high'] / per:+.3f}) log odds {unit}; sd ratio to the prior {row['sd_ratio']:.2f}")
    ppc = res.posterior_predictive()
    for node, row in ppc.iterrows():
        print(f"  predictive check {node}: 94% interval coverage {row['coverage']:.2f}, p_mean {row['p_mean']:.2f}, "
              f"p_sd {row['p_sd']:.2f}")


def main(argv: list[str] | None = None) -> dict[str, cp.FitResult]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    args = parser.parse_args(argv)
    if not args.data.is_file():  # one line, not a traceback: the data sit beside the project, not in it
        parser.error(f"--data: no file {args.data} (the MOPAC PAS borough file; this checkout expects it at "
                     f"{DEFAULT_DATA}: pass --data /path/to/PAS_boroughs.csv)")
    table = load(args.data)
    print(f"{len(table)} rows: {table['borough'].nunique()} boroughs x {table['month'].nunique()} years to December "
          f"({table['month'].min()} to {table['month'].max()}).")
    london = table.groupby("month")[["contact_ward_officer", "informed_local", "fair", "good_job"]].mean()
    print("Borough means by year (%):\n" + (100 * london).round(0).astype(int).T.to_string())

    results = {"years": fit(table, "[period]", args.draws, args.tune),
               "trend": fit(table, "[trend]", args.draws, args.tune)}
    report("(1) borough effects + one effect per year (time: [period])", results["years"])
    report("(2) borough effects + a straight London-wide trend (time: [trend])", results["trend"])

    res = results["years"]
    years = res.time_summary().loc["good_job"]
    shocks = years.drop(index="period sd")
    print(f"\nLondon-wide years of good_job (fit 1; log odds against a typical year): period sd "
          f"{years.loc['period sd', 'mean']:.2f} ({years.loc['period sd', 'hdi_low']:.2f} to "
          f"{years.loc['period sd', 'hdi_high']:.2f})")
    print("  " + ", ".join(f"{label[:4]} {row['mean']:+.2f}" for label, row in shocks.iterrows()))

    for source in ("contact_ward_officer", "informed_local"):
        pe = res.path_effects(source, "good_job", delta=0.1)
        print(f"\n{source} +10 points -> good_job (fit 1, natural effects, percentage points):")
        print((100 * pe.table()[["mean", "hdi_low", "hdi_high"]]).round(2).to_string())
    print("\nTotal and through-fairness (TNIE) effects on good_job of +10 points, percentage points:")
    for key, label in (("years", "(1) year effects"), ("trend", "(2) straight trend")):
        for source in ("contact_ward_officer", "informed_local"):
            t = results[key].path_effects(source, "good_job", delta=0.1).table()
            tot, ind = t.loc["total"], t.loc["natural indirect (TNIE)"]
            print(f"  {label}, {source}: total {100 * tot['mean']:+.2f} ({100 * tot['hdi_low']:+.2f} to "
                  f"{100 * tot['hdi_high']:+.2f}), via fair {100 * ind['mean']:+.2f} ({100 * ind['hdi_low']:+.2f} to "
                  f"{100 * ind['hdi_high']:+.2f})")
    for name, period in (("the latest three years", 3), ("all ten years", None)):
        sc = res.scenario({"contact_ward_officer": "+0.1", "informed_local": "+0.1"}, period=period,
                          name=f"10 more points of contact and of informed, {name}")
        print("\n" + sc.describe())
    return results


if __name__ == "__main__":
    main()
