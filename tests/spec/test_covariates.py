"""Categorical exposures (``levels:``) and ``adjust:`` covariates: their nodes, links, columns and
design matrix, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.model.data import prepare_data
from copath.model.equations import linear_predictors, make_plan
from copath.spec.loader import pathway_from_dict, pathway_to_dict

SPEC = """name: people
index: [id]
nodes:
  treat: {kind: exposure, range: [0, 1]}
  educ: {kind: exposure, levels: [low, mid, high], reference: mid}
  emo: {kind: continuous, adjust: [age, educ]}
  job: {kind: binary, adjust: [age]}
links:
  - {from: treat, to: emo}
  - {from: emo, to: job}
  - {from: treat, to: job}
outcomes: [job]
"""


@pytest.fixture(scope="module")
def pw() -> cp.Pathway:
    return cp.loads_pathway(SPEC)


def test_levels_become_one_dummy_per_non_reference_level_and_adjust_becomes_covariate_links(pw):
    assert list(pw.nodes) == ["treat", "educ[low]", "educ[high]", "emo", "job", "age"]
    assert pw.link_names == ["treat -> emo", "emo -> job", "treat -> job", "age -> emo", "educ[low] -> emo",
                             "educ[high] -> emo", "age -> job"]
    assert pw.covariate_links == ["age -> emo", "educ[low] -> emo", "educ[high] -> emo", "age -> job"]
    assert pw.categorical == {"educ": ("mid", "low", "high")}  # the reference first
    assert pw.nodes["age"].covariate and not pw.nodes["treat"].covariate
    assert pw.nodes["educ[high]"].label == "educ: high (vs mid)"


def test_the_spec_round_trips_to_one_categorical_node_and_its_adjust(pw):
    doc = pathway_to_dict(pw)
    assert doc["nodes"]["educ"] == {"kind": "exposure", "reference": "mid", "levels": ["mid", "low", "high"]}
    assert "age" not in doc["nodes"] and [(l["from"], l["to"]) for l in doc["links"]] == [
        ("treat", "emo"), ("emo", "job"), ("treat", "job")]
    again = pathway_from_dict(doc)
    assert again.link_names == pw.link_names and again.covariate_links == pw.covariate_links


def test_the_columns_name_the_categorical_column_and_the_covariates(pw):
    table = pw.required_columns()
    assert list(table.index) == ["id", "treat", "educ", "age", "emo", "job"]
    assert table.loc["educ", "role"] == "categorical" and table.loc["educ", "unit"] == "one of mid, low, high (reference mid)"
    assert table.loc["age", "role"] == "covariate" and table.loc["age", "used_by"] == "emo, job"


def test_the_design_matrix_by_hand(pw):
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "treat": [0.0, 1.0, 1.0, 0.0], "age": [20.0, 30.0, 40.0, 50.0],
                          "educ": ["mid", "low", "high", "low"], "emo": [1.0, 2.0, 3.0, 4.0], "job": [0, 1, 1, 0]})
    prepared = prepare_data(pw, frame)
    assert prepared.values["educ[low]"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert prepared.values["educ[high]"].tolist() == [0.0, 0.0, 1.0, 0.0]
    plan = make_plan(pw, prepared.exposure_centres)
    beta = {"treat -> emo": 0.5, "emo -> job": 0.0, "treat -> job": 0.0, "age -> emo": 0.1,
            "educ[low] -> emo": -1.0, "educ[high] -> emo": 2.0, "age -> job": 0.0}
    exposures = {e: prepared.values[e] for e in pw.exposures}
    eta = linear_predictors(plan, exposures, {"intercept": np.array([3.0, 0.0]),
                                              "beta": np.array([beta[n] for n in plan.link_names])})
    # centred at the exposures' means: treat 0.5, age 35, educ[low] 0.5, educ[high] 0.25
    by_hand = [3.0 + 0.5 * (t - 0.5) + 0.1 * (a - 35.0) - 1.0 * (lo - 0.5) + 2.0 * (hi - 0.25)
               for t, a, lo, hi in [(0, 20, 0, 0), (1, 30, 1, 0), (1, 40, 0, 1), (0, 50, 1, 0)]]
    np.testing.assert_allclose(eta["emo"], by_hand)
    # the coefficients read as level against the reference: a high row minus a mid row, all else equal
    assert by_hand[2] - by_hand[0] == pytest.approx(0.5 + 0.1 * 20 + 2.0)


def test_an_unknown_level_is_named_with_its_row_and_value(pw):
    frame = pd.DataFrame({"id": [1, 2, 3], "treat": [0.0, 1.0, 1.0], "age": [20.0, 30.0, 40.0],
                          "educ": ["mid", "phd", None]})
    with pytest.raises(cp.DataError, match=r"column 'educ': a categorical exposure's values must be one of its "
                                           r"levels mid, low, high; first bad rows: 1 \('phd'\), 2 \(missing\)"):
        prepare_data(pw, frame)


def test_covariates_are_not_weak_links_and_keep_the_default_prior(pw, evidence):
    priors = cp.priors_for(pw, evidence)
    assert evidence.weak_links(pw) == ["treat -> emo", "emo -> job", "treat -> job"]
    age, treat = priors["age -> emo"], priors["treat -> emo"]
    assert (age.mu, age.sigma, age.weak, age.method) == (0.0, treat.sigma, False, "default")
    assert treat.weak and priors["educ[high] -> emo"].scale == "slope" and priors["age -> job"].scale == "log odds ratio"


def test_the_dag_draws_pathway_links_and_lists_covariates_under_it(pw):
    assert pw.drawn_nodes() == ["treat", "emo", "job"]
    fig = pw.draw()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Adjusted for (covariates, not pathway links): emo for age, educ; job for age." in texts
    assert not any(t.startswith("age") for t in texts)  # no box for a covariate


@pytest.mark.parametrize(("spec", "message"), [
    (SPEC.replace("reference: mid", "reference: phd"), r"'reference' 'phd' is not one of the levels"),
    (SPEC.replace("levels: [low, mid, high], reference: mid", "levels: [low]"), "two or more distinct levels"),
    (SPEC.replace("emo: {kind: continuous,", "emo: {kind: continuous, levels: [a, b],"), "for a categorical exposure"),
    (SPEC.replace("  - {from: treat, to: emo}", "  - {from: educ, to: job, evidence: [bennett2008_nw]}"),
     "link educ -> job: evidence describes one contrast"),
    (SPEC.replace("adjust: [age]", "adjust: [job]"), r"'adjust' lists the node itself \('job'\)"),
])
def test_bad_levels_and_adjust_are_refused_naming_the_node(spec, message):
    with pytest.raises(cp.SpecError, match=message):
        cp.loads_pathway(spec)


def test_the_prior_check_reads_a_categorical_column(pw, evidence):
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "treat": [0.0, 1.0, 1.0, 0.0], "age": [20.0, 30.0, 40.0, 50.0],
                          "educ": ["mid", "low", "high", "low"]})
    check = cp.prior_check(pw, evidence, data=frame, draws=50)
    assert check.rows == 4 and {"emo", "job"} <= set(check.nodes.index)
