"""A fit whose rows are people: a binary mediator, a categorical covariate and an ``adjust:``
covariate, simulated with known coefficients and fitted small. Its messages never mention
areas or months; the binary link's 94% interval holds the truth; covariates are covariates;
path effects through the binary mediator equal the hand-computed products."""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

import copath as cp

pytestmark = pytest.mark.slow

SPEC = """name: survey_people
index: [id]
nodes:
  treat: {kind: exposure, range: [0, 1], unit: indicator (0/1)}
  educ: {kind: exposure, levels: [none, school, degree]}
  m: {kind: binary, adjust: [age, educ]}
  y: {kind: continuous, better: higher}
links:
  - {from: treat, to: m}
  - {from: m, to: y}
  - {from: treat, to: y}
outcomes: [y]
"""
TRUE = {"treat -> m": 1.0, "m -> y": 0.5, "treat -> y": 0.3, "age -> m": -0.4, "educ[school] -> m": 0.6,
        "educ[degree] -> m": 1.2}
AREA_OR_MONTH = re.compile(r"\b(area|month)", re.I)


@pytest.fixture(scope="module")
def people():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=600, months=1, random_seed=11,
                      params={"beta": TRUE, "intercept": {"m": -0.2, "y": 0.0}, "sigma": {"y": 0.5}})
    data = sim.data
    assert "educ" in data and "educ[school]" not in data  # the data hold the levels, as a user's would
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(out):
        warnings.simplefilter("always")
        res = cp.fit(pw, data, draws=400, tune=400, chains=2, random_seed=3, progressbar=False)
        summary = res.summary()
        print(res.diagnostics)
        effects = res.path_effects("treat", "y", at=(0, 1))  # a 0/1 exposure: 0 against 1, not +1
        scenario = res.scenario({"treat": 1})
        print(scenario)
    messages = [str(w.message) for w in caught] + [out.getvalue()]
    return pw, sim, res, summary, effects, scenario, messages


def test_a_people_fit_never_mentions_areas_or_months(people):
    *_, messages = people
    hits = [m for m in messages if AREA_OR_MONTH.search(m)]
    assert not hits, hits


def test_the_binary_link_recovers_its_coefficient(people):
    _, _, _, summary, *_ = people
    for link in ("treat -> m", "educ[degree] -> m"):
        row = summary.loc[link]
        assert row["post_hdi_low"] < TRUE[link] < row["post_hdi_high"], (link, row["post_mean"])
    assert summary.loc["treat -> m", "post_hdi_low"] > 0.3  # informed: the interval excludes 0 by a margin


def test_covariates_are_shown_as_covariates(people):
    pw, _, res, summary, *_ = people
    assert summary.loc[pw.covariate_links, "role"].eq("covariate").all()
    assert summary.loc[["treat -> m", "m -> y", "treat -> y"], "role"].eq("pathway").all()
    assert list(summary.index) == ["treat -> m", "m -> y", "treat -> y", "age -> m", "educ[school] -> m",
                                   "educ[degree] -> m"]


def test_path_effects_through_a_binary_mediator_are_the_link_products(people):
    # the mediator enters y as the logit of its expected probability, so with an identity y every
    # effect is linear: TE = b(t->y) + b(t->m) b(m->y), NDE = b(t->y), NIE = b(t->m) b(m->y), per draw
    _, _, res, _, effects, scenario, _ = people
    beta = res.posterior["beta"].stack(sample=("chain", "draw"))
    direct = beta.sel(link="treat -> y").values
    indirect = (beta.sel(link="treat -> m") * beta.sel(link="m -> y")).values
    np.testing.assert_allclose(np.sort(effects.total), np.sort(direct + indirect), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.sort(effects.pnde), np.sort(direct), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.sort(effects.tnie), np.sort(indirect), rtol=1e-6, atol=1e-9)
    assert np.isfinite(scenario.outcomes()["difference"]).all()


def test_the_predictive_check_and_loo_read_a_binary_node(people):
    _, sim, res, *_ = people
    check = res.posterior_predictive().loc["m"]
    assert check["kind"] == "binary" and np.isnan(check["p_sd"]) and bool(check["ok"])
    assert check["observed_mean"] == pytest.approx(sim.data["m"].mean())
    lo = res.loo(max_refits=0)
    assert lo.by == "row" and np.isfinite(lo.table.loc["m", "elpd"])
    # the links carry real effects, so m's ELPD beats the intercept-only Bernoulli's in-sample log likelihood
    p = sim.data["m"].mean()
    flat = len(sim.data) * (p * np.log(p) + (1 - p) * np.log(1 - p))
    assert flat < lo.table.loc["m", "elpd"] < 0


def test_the_report_puts_covariates_in_their_own_table(people, tmp_path):
    _, _, res, *_ = people
    text = res.report(tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Covariates (a node's 'adjust:')" in text
    assert "3 links (3 weak" in text and "3 covariate coefficient(s) from 'adjust:'" in text


def test_a_saved_people_fit_loads_with_its_levels_covariates_and_index(people, tmp_path):
    pw, _, res, summary, *_ = people
    again = cp.load_result(res.save(tmp_path / "fit"))
    assert again.pathway.index == ("id",) and again.pathway.categorical == {"educ": ("none", "school", "degree")}
    assert again.pathway.covariate_links == pw.covariate_links
    np.testing.assert_allclose(again.summary()["post_mean"], summary["post_mean"])


def test_the_reports_data_table_reads_levels_and_covariates(people):
    from copath.reports.content import data_summary

    _, sim, res, *_ = people
    table = data_summary(res)
    assert table.loc["educ", "used as"] == "categorical" and table.loc["educ", "present"] == len(sim.data)
    assert table.loc["age", "used as"] == "covariate" and table.loc["m", "used as"] == "intermediate"


def test_a_scenario_sets_a_categorical_exposure_to_a_level(people):
    _, _, res, *_ = people
    by_level = res.scenario({"educ": "degree"})
    by_dummies = res.scenario({"educ[school]": 0, "educ[degree]": 1})
    assert by_level.name == "educ = degree"
    np.testing.assert_allclose(by_level.outcomes()["difference"], by_dummies.outcomes()["difference"])
    assert by_level.outcomes().loc["m", "difference"] > 0  # degree raises m (true log OR 1.2 against none)
    with pytest.raises(ValueError, match="educ is categorical: set it to one of its levels none, school, degree"):
        res.scenario({"educ": "phd"})


def test_path_effects_refuse_a_level_indicator_and_point_to_the_scenario(people):
    _, _, res, *_ = people
    with pytest.raises(ValueError, match=r"res\.scenario\(\{'educ': 'school'\}\)"):
        res.path_effects("educ[school]", "m", at=(0, 1))
