"""Worked individual-level example: mediation on simulated survey respondents (one row per person).

A binary mediator (employed), a 0-10 outcome, covariates (age, and education as categories), and
path effects checked against the truth computed by hand. The guide page
``docs/guides/worked-people.md`` records a run.

    .venv/bin/python examples/survey_mediation_people.py
"""

from __future__ import annotations

import copath as cp

pw = cp.loads_pathway("""
name: mentoring_survey
index: [id]
nodes:
  mentoring: {kind: exposure, range: [0, 1], unit: share of the year's mentoring sessions attended}
  educ: {kind: exposure, levels: [none, school, degree]}
  employed: {kind: binary, adjust: [age, educ], better: higher, unit: employed (0/1)}
  wellbeing: {kind: continuous, range: [0, 10], adjust: [age], better: higher, unit: points (0-10)}
links:
  - {from: mentoring, to: employed}
  - {from: employed, to: wellbeing}
  - {from: mentoring, to: wellbeing}
outcomes: [wellbeing]
""")
truth = {"beta": {"mentoring -> employed": 0.8, "employed -> wellbeing": 0.5, "mentoring -> wellbeing": 0.3,
                  "age -> employed": -0.8, "educ[school] -> employed": 0.6, "educ[degree] -> employed": 1.2,
                  "age -> wellbeing": 0.2},
         "intercept": {"employed": 0.0, "wellbeing": 6.0}, "sigma": {"wellbeing": 1.0}}
sim = cp.simulate(pw, areas=2000, months=1, random_seed=11, params=truth)
print(sim.data.head())
print(sim.data[["mentoring", "employed", "wellbeing"]].mean().round(3).to_dict())
res = cp.fit(pw, sim.data, chains=2, random_seed=11, progressbar=False)
print(res.diagnostics())
print(res.summary()[["role", "post_mean", "post_hdi_low", "post_hdi_high"]].round(3))
eff = res.path_effects("mentoring", "wellbeing", at=(0, 1))
print(eff.describe())
print(eff.table().round(3).to_string())
b = truth["beta"]
print("hand: direct", b["mentoring -> wellbeing"], "indirect", b["mentoring -> employed"] * b["employed -> wellbeing"],
      "total", b["mentoring -> wellbeing"] + b["mentoring -> employed"] * b["employed -> wellbeing"])
