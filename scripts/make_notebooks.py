"""Write the teaching notebooks in notebooks/ from the cell text below (saved without outputs).

Edit the cells here and re-run, so the notebooks stay reviewable as plain Python (all but
notebook 02, which is edited in Jupyter):

    .venv/bin/python scripts/make_notebooks.py

Every notebook reads its sizes from environment variables, so the test suite runs
them top to bottom with small draws: ``COPATH_NB_DRAWS`` (default 1000),
``COPATH_NB_TUNE`` (default = draws), ``COPATH_NB_OUT`` (default ``../out/notebooks``)
and, for notebook 02, ``COPATH_DATA`` (default ``../../shared/data``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = '''import os
from pathlib import Path

import numpy as np
import pandas as pd

import copath as cp

DRAWS = int(os.environ.get("COPATH_NB_DRAWS", 1000))   # the tests set small values
TUNE = int(os.environ.get("COPATH_NB_TUNE", DRAWS))
# the flagship's 240 area effects mix slowly: at 2 x 1,000 draws its max R-hat was 1.011 (fail)
FLAGSHIP_DRAWS = int(os.environ.get("COPATH_NB_DRAWS", 1500))
# and it takes smaller steps than the default target_accept 0.8 gives: at 0.8 one chain's step
# size (0.36) left one isolated divergence in 3,000 draws, outside any funnel; at 0.9 none
FLAGSHIP_TARGET_ACCEPT = 0.9
OUT = Path(os.environ.get("COPATH_NB_OUT", "../out/notebooks"))
OUT.mkdir(parents=True, exist_ok=True)
pd.set_option("display.width", 160)'''

FLAGSHIP_RESULT = '''# Reuse the result notebook 01 saved, if it is there; otherwise fit now.
saved = OUT / "flagship_result"
if (saved / "manifest.json").is_file():
    res = cp.load_result(saved)
else:
    res = cp.fit(cp.load_pathway("policing_coproduction"), cp.datasets.load("synthetic_force"),
                 draws=FLAGSHIP_DRAWS, tune=TUNE, chains=2, random_seed=1, target_accept=FLAGSHIP_TARGET_ACCEPT)
    res.save(saved)
res'''

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": [
        ("md", "# 01 Quickstart: the flagship pathway end to end\n\n"
               "Load the co-production pathway of policing and criminal justice (Figure 1 of Loeffler & "
               "Bovaird), see where each link's prior comes from, fit it to the bundled `synthetic_force` "
               "data, check the fit, run a scenario, see which weak links the conclusion hangs on, and write "
               "a report. Sizes come from environment variables so the test suite can run it quickly."),
        ("code", SETUP),
        ("md", "## The pathway and its evidence\n\nWeak links (strongest evidence graded C, D or E, direction-only evidence, or none) are dashed."),
        ("code", 'pw = cp.load_pathway("policing_coproduction")\nev = cp.load_evidence()\npw'),
        ("code", 'weak = pw.weak_links(ev)\nprint(f"{len(weak)} of {len(pw.links)} links are weak")\n'
                 'print(cp.prior_for(pw.link("nw_coverage", "burglary"), ev, pw).describe())'),
        ("md", "## Local data\n\n120 areas x 24 months simulated from the pathway itself; the true values "
               "are in `datasets/synthetic_force.truth.yaml`."),
        ("code", 'df = cp.datasets.load("synthetic_force")\ndf.head()'),
        ("md", "## Fit\n\nnutpie NUTS, every chain started at the best of several MAP optimisations."),
        ("code", 'res = cp.fit(pw, df, evidence=ev, draws=FLAGSHIP_DRAWS, tune=TUNE, chains=2, random_seed=1,\n'
                 '             target_accept=FLAGSHIP_TARGET_ACCEPT)\nres'),
        ("code", 'print(res.diagnostics())\nres.posterior_predictive()'),
        ("code", 'summary = res.summary()\nassert list(summary.index) == pw.link_names\n'
                 'summary[["grade", "prior_mean", "post_mean", "post_hdi_low", "post_hdi_high", "contraction"]]'),
        ("md", "## What if Neighbourhood Watch coverage rose by 20 points?"),
        ("code", 'sc = res.scenario({"nw_coverage": "+0.2"}, name="NW +20 points")\nsc'),
        ("md", "## Which links does that hang on?"),
        ("code", 'sens = res.sensitivity(scenarios=[sc])\nsens'),
        ("code", 'sens.figure_tornado()'),
        ("md", "## Report and save"),
        ("code", 'print(res.report(OUT / "quickstart_report.html"))\nres.save(OUT / "flagship_result")'),
    ],
    # 02_local_data.ipynb is edited by hand (the analyst's path on the City of London data) and
    # is not written here.
    "03_scenarios_and_paths.ipynb": [
        ("md", "# 03 Scenarios and path effects\n\nA scenario is a do-intervention: set an exposure (or a "
               "mediator) and carry the change through the fitted equations, draw by draw. Changes can be "
               "absolute (`0.5`), shifts (`+0.2`), percentages (`-10%`) or factors (`x1.5`)."),
        ("code", SETUP),
        ("code", FLAGSHIP_RESULT),
        ("code", 'more_nw = res.scenario({"nw_coverage": "+0.2"}, name="NW +20 points")\n'
                 'mentoring = res.scenario({"peer_mentoring": "x1.2"}, name="mentoring x1.2")\n'
                 'both = res.scenario({"nw_coverage": "+0.2", "peer_mentoring": "x1.2"}, name="both")\n'
                 'print(more_nw.describe())\nmore_nw.outcomes().head(6)'),
        ("md", "Side by side on the final outcomes:"),
        ("code", 'cmp = cp.compare([more_nw, mentoring, both])\ncmp.table'),
        ("code", 'cmp.figure'),
        ("md", "## Through which paths?\n\nThe total effect of Neighbourhood Watch coverage on citizens' "
               "quality of life, split by path (exact on the link scale; the parts add up to the total)."),
        ("code", 'eff = res.path_effects("nw_coverage", "qol_citizens", delta=0.2)\nprint(eff.describe())\neff.table()'),
        ("code", 'parts = sum(eff.paths.values())\nassert np.allclose(parts, eff.total)'),
        ("md", "## Only some areas\n\nA scenario can target a subset of areas, e.g. the ten with the most burglary."),
        ("code", 'top = (res.data.groupby("area")["burglary"].sum().sort_values(ascending=False).head(10).index)\n'
                 'res.scenario({"nw_coverage": "+0.2"}, areas=list(top), name="NW in hot spots").outcomes().head(3)'),
    ],
    "04_sensitivity_and_value_of_information.ipynb": [
        ("md", "# 04 Weak-link sensitivity and value of information\n\n"
               "Most links in the flagship pathway rest on qualitative evidence or none. Which of them do "
               "the conclusions hang on, and which is worth researching first? Everything here reuses the "
               "existing draws; nothing is refitted unless a prior swap is too far for importance sampling."),
        ("code", SETUP),
        ("code", FLAGSHIP_RESULT),
        ("code", 'sc = res.scenario({"nw_coverage": "+0.2"}, name="NW +20 points")\n'
                 'sens = res.sensitivity(alternatives=True, scenarios=[sc])\nprint(sens.describe())'),
        ("md", "Per link: power-scaling sensitivity to its own prior and to the likelihood, the diagnosis, "
               "and the share of each final outcome's variance its coefficient explains."),
        ("code", 'sens.table.drop(columns=["from", "to"]).round(3)'),
        ("code", 'sens.figure_tornado()'),
        ("md", "## Swapping a prior without refitting\n\nPareto-smoothed importance sampling; Pareto k says "
               "whether the swap can be trusted (above the threshold, `with_prior` refits, unless told not to)."),
        ("code", 'link = "worried -> qol_citizens"\nswapped = res.with_prior(link, "sceptical", refit=False)\n'
                 'swapped.run.prior_swap'),
        ("code", 'sens.alternatives.query("quantity == \'NW +20 points: qol_citizens\'")'
                 '.sort_values("relative_change").head(8)'),
        ("md", "## Value of information\n\nSuppose each point of quality of life gained is worth 1 (in any "
               "unit) and the scenario costs about what it is expected to gain: which link would be worth "
               "learning before deciding? EVPPI by regression (Strong, Oakley & Brennan 2014)."),
        ("code", 'gain = float(sc.difference("qol_citizens").mean())\n'
                 'vi = res.evppi([sc], value={"qol_citizens": 1.0}, cost={sc.name: gain})\n'
                 'print(vi.describe())\nvi.table.head(8)'),
        ("md", "`cp.evppi` works on any draws x decisions net benefit. A check with a closed form: adopt "
               "if t1 + t2 > 0, with t1 ~ N(0.2, 1) and t2 ~ N(0, 0.5)."),
        ("code", 'from scipy.stats import norm\nrng = np.random.default_rng(0)\n'
                 'theta = pd.DataFrame({"t1": rng.normal(0.2, 1, 20000), "t2": rng.normal(0, 0.5, 20000)})\n'
                 'toy = cp.evppi(pd.DataFrame({"reject": 0.0, "adopt": theta.sum(axis=1)}), theta)\n'
                 'exact = 0.2 * norm.cdf(0.2) + norm.pdf(0.2) - 0.2\n'
                 'print(f"EVPPI(t1) = {toy.table.loc[\'t1\', \'evppi\']:.3f}, exact {exact:.3f}")'),
    ],
    "05_build_your_own.ipynb": [
        ("md", "# 05 Building your own pathway and evidence registry\n\n"
               "A pathway is a YAML file of nodes and links; the evidence registry is YAML entries, each "
               "with a citation, a verbatim quote, a design, a grade (A-E) and an effect. Here we write "
               "both, check the priors they give, simulate data with known truth and recover it."),
        ("code", SETUP + '\nwork = OUT / "my_pathway"\nwork.mkdir(parents=True, exist_ok=True)'),
        ("code", '(work / "pathway.yaml").write_text("""\nname: mentoring\nnodes:\n'
                 '  mentoring: {kind: exposure, range: [0, 1], unit: share of offenders mentored}\n'
                 '  reoffending: {kind: proportion, trials: offenders, better: lower, unit: share reoffending}\n'
                 '  wellbeing: {kind: continuous, scale: 1.5, better: higher, unit: score 0-10, baseline: 5}\n'
                 'links:\n  - {from: mentoring, to: reoffending, evidence: [my_review]}\n'
                 '  - {from: reoffending, to: wellbeing}\noutcomes: [wellbeing]\n""")\n'
                 'pw = cp.load_pathway(work / "pathway.yaml")\npw'),
        ("code", '(work / "evidence.yaml").write_text("""\n- id: my_review\n'
                 '  citation: "An example review (2024)"\n'
                 '  quote: "mentored offenders reoffended 20% less often"\n'
                 '  design: systematic-review\n  grade: B\n'
                 '  effect: {measure: percent_reduction, low: 10, high: 30, interval: 0.90}\n'
                 '  link: {from: mentoring, to: reoffending}\n""")\n'
                 'ev = cp.load_evidence(work / "evidence.yaml")\n'
                 'for link in pw.links:\n    print(cp.prior_for(link, ev, pw).describe())'),
        ("md", "Several studies on one link are pooled by a random-effects meta-analysis; the prior is the "
               "predictive distribution for a new setting, wider than the pooled mean:"),
        ("code", 'pooled = cp.pool_effects([-0.22, -0.10, -0.35], [0.08, 0.05, 0.12])\npooled'),
        ("md", "Simulate data from the pathway with known values and check the fit recovers them. Plan the "
               "size first: wellbeing sees reoffending through its log-odds, which varies little between areas "
               "(mentoring moves it by about 0.5 per unit of coverage), so the second link needs many rows. With "
               "60 areas x 6 months its 94% interval was about 1.8 wide and missed the truth in one seed of four; "
               "with 200 areas it is about 1 wide. Even then each interval misses its truth 6% of the time: "
               "`cp.calibrate` checks coverage over many simulations."),
        ("code", 'truth = {"beta": {"mentoring -> reoffending": -0.5, "reoffending -> wellbeing": -0.8}}\n'
                 'sim = cp.simulate(pw, areas=200, months=6, params=truth, random_seed=3, evidence=ev)\n'
                 'res = cp.fit(pw, sim.data, evidence=ev, draws=DRAWS, tune=TUNE, chains=2, random_seed=4)\n'
                 'print(res.diagnostics())\n'
                 'table = res.summary()[["prior_mean", "post_mean", "post_hdi_low", "post_hdi_high"]]\n'
                 'table["truth"] = [truth["beta"][name] for name in table.index]\ntable'),
        ("code", 'inside = (table["post_hdi_low"] <= table["truth"]) & (table["truth"] <= table["post_hdi_high"])\n'
                 'print("truth inside the 94% HDI:", inside.to_dict())'),
    ],
}


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), HERE / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main()
