"""The prior predictive check: shares outside a node's bounds, against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import copath as cp
from copath.errors import SpecError
from copath.model.prior_check import PLAUSIBLE_RATIO, node_bounds, prior_check

TOY = """
name: toy
nodes:
  x: {kind: exposure, range: [0, 1]}
  z: {kind: exposure, range: [0, 1]}
  y: {kind: count, baseline: 2}
  s: {kind: continuous, baseline: 5, scale: 1.0, range: [0, 10]}
links:
  - {from: x, to: y}
  - {from: z, to: y}
  - {from: x, to: s}
outcomes: [y, s]
"""


def _priors(**sds):
    scales = {"x -> y": "log rate ratio", "z -> y": "log rate ratio", "x -> s": "slope"}
    out = {}
    for name, scale in scales.items():
        mu, sd = sds.get(name.replace(" -> ", "_"), (0.0, 1e-6))
        out[name] = cp.LinkPrior(name, mu, sd, scale)
    return out


def test_share_outside_a_range_matches_the_intercept_prior_by_hand():
    pw = cp.loads_pathway(TOY)
    check = prior_check(pw, priors=_priors(), draws=4000, random_seed=2)
    # s = intercept ~ N(5, 2 x scale = 2), links ~ 0: outside [0, 10] with probability 2 (1 - Phi(2.5))
    expected = 2 * stats.norm.sf(2.5)
    assert check.nodes.loc["s", "outside"] == pytest.approx(expected, abs=0.006)
    # y = intercept ~ N(log 2, 1): beyond 20 x / 20 either way with probability 2 (1 - Phi(log 20))
    assert check.nodes.loc["y", "outside"] == pytest.approx(2 * stats.norm.sf(np.log(PLAUSIBLE_RATIO)), abs=0.004)
    assert check.passed and check.failing == []


def test_an_absurd_prior_is_flagged_and_named():
    pw = cp.loads_pathway(TOY)
    check = prior_check(pw, priors=_priors(x_y=(0.0, 25.0), z_y=(0.0, 0.05)), draws=500, random_seed=1, strict=True)
    assert not check.passed
    assert check.failing == ["y"]
    assert check.nodes.loc["y", "outside"] > 0.2
    top = check.culprits("y")
    assert top.index[0] == "x -> y" and top.iloc[0, 0] > 0.15
    assert check.links.loc["z -> y", "drop[y]"] < 0.01
    assert "y:" in check.describe() and "x -> y" in check.describe()


def test_the_default_bound_is_advisory_unless_strict_or_stated():
    pw = cp.loads_pathway(TOY)
    wild = _priors(x_y=(0.0, 25.0))
    check = prior_check(pw, priors=wild, draws=500, random_seed=1)
    assert check.passed and check.failing == [] and check.advisories == ["y"]
    assert not check.nodes.loc["y", "binding"] and check.nodes.loc["y", "passed"] is None
    assert "advisory" in check.describe() and "- y:" in check.describe()
    stated = cp.loads_pathway(TOY.replace("y: {kind: count, baseline: 2}",
                                          "y: {kind: count, baseline: 2, plausible: [0.1, 40]}"))
    assert prior_check(stated, priors=wild, draws=500, random_seed=1).failing == ["y"]
    # a continuous node's range binds: a wild slope fails it
    assert prior_check(pw, priors=_priors(x_s=(0.0, 60.0)), draws=500, random_seed=1).failing == ["s"]


def test_what_a_link_implies_across_its_parents_whole_range():
    pw = cp.loads_pathway(TOY)
    # a log rate ratio of 6 per unit share: across 0..1 the rate moves x 403, past 20 x in every draw
    check = prior_check(pw, priors=_priors(x_y=(6.0, 0.01)), draws=300, random_seed=3)
    row = check.links.loc["x -> y"]
    assert (row["span_low"], row["span_high"], row["span_source"]) == (0.0, 1.0, "its range")
    assert row["change_median"] == pytest.approx(6.0, abs=0.01)
    assert row["natural"].startswith("rate ratio 40")  # e^6 = 403
    assert row["beyond"] > 0.95
    assert "x -> y: across 0 to 1" in check.describe()
    assert check.links.loc["z -> y", "beyond"] < 0.05


def test_plausible_bounds_from_the_spec_replace_the_default():
    spec = TOY.replace("y: {kind: count, baseline: 2}", "y: {kind: count, baseline: 2, plausible: [1, 4]}")
    pw = cp.loads_pathway(spec)
    assert node_bounds(pw, "y") == (1.0, 4.0, "plausible")
    check = prior_check(pw, priors=_priors(), draws=3000, random_seed=4)
    # y = exp(N(log 2, 1)) outside [1, 4]: P(|N(0,1)| > log 2)
    assert check.nodes.loc["y", "outside"] == pytest.approx(2 * stats.norm.sf(np.log(2)), abs=0.02)


@pytest.mark.parametrize("bounds, message", [
    ("[4, 1]", "low < high"),
    ("[1]", "must be \\[low, high\\]"),
    ("[-1, 5]", None),  # a count may state any bounds (no range to lie inside)
])
def test_plausible_is_validated(bounds, message):
    spec = TOY.replace("y: {kind: count, baseline: 2}", f"y: {{kind: count, baseline: 2, plausible: {bounds}}}")
    if message is None:
        assert cp.loads_pathway(spec).nodes["y"].plausible == (-1.0, 5.0)
        return
    with pytest.raises(SpecError, match=message):
        cp.loads_pathway(spec)


def test_plausible_must_lie_inside_a_range_and_not_on_an_exposure():
    with pytest.raises(SpecError, match="inside the range"):
        cp.loads_pathway(TOY.replace("range: [0, 10]}", "range: [0, 10], plausible: [2, 12]}"))
    with pytest.raises(SpecError, match="only an endogenous node"):
        cp.loads_pathway(TOY.replace("x: {kind: exposure, range: [0, 1]}",
                                     "x: {kind: exposure, range: [0, 1], plausible: [0, 1]}"))


def test_the_flagships_citizen_alert_prior_is_flagged_across_the_whole_range(flagship, evidence):
    check = prior_check(flagship, evidence, draws=300, random_seed=0)
    row = check.links.loc["citizen_alert -> detection"]
    # a direction read over a 5% sign-up (contrast 0.05): per unit share the prior is about
    # N(6, 16) log odds, so across no one -> everyone signed up its 90% interval spans ~50 log
    # odds and the change passes the 20x bound in most draws
    assert flagship.link("citizen_alert", "detection").contrast == 0.05
    assert row["change_high"] - row["change_low"] > 35 and row["beyond"] > 0.5
    assert "citizen_alert -> detection: across 0 to 1" in check.describe()
    # the identity-link quality of life leaves 0..10: the check fails on it
    assert "qol_citizens" in check.failing
    assert set(check.nodes.index) == set(flagship.endogenous)


def test_bad_arguments():
    pw = cp.loads_pathway(TOY)
    with pytest.raises(ValueError, match="draws"):
        prior_check(pw, draws=0)
    with pytest.raises(ValueError, match="unknown link"):
        prior_check(pw, priors={"a -> b": cp.LinkPrior("a -> b", 0.0, 1.0, "slope")})
    with pytest.raises(ValueError, match="no column for exposure"):
        import pandas as pd
        prior_check(pw, data=pd.DataFrame({"x": [0.1, 0.2]}))


def test_nothing_binding_is_not_a_pass_and_a_logit_node_is_held_inside():
    spec = TOY.replace("range: [0, 10]}", "range: [0, 10], link: logit}")
    pw = cp.loads_pathway(spec)
    check = prior_check(pw, priors=_priors(x_s=(0.0, 40.0)), draws=300, random_seed=1)
    # s cannot leave 0..10 whatever its prior; y's bound is advisory: nothing binds
    assert check.passed is None and check.failing == []
    assert not check.nodes.loc["s", "can_leave"] and check.nodes.loc["s", "outside"] == 0.0
    text = check.describe()
    assert text.startswith("Nothing binding to check") and "Kept inside their range by their logit link" in text
    assert np.isnan(check.links.loc["x -> s", "beyond"])
    # a logit slope's change is given in logit units and in points from the baseline 5
    row = prior_check(pw, priors=_priors(x_s=(1.0, 1e-6)), draws=50, random_seed=1).links.loc["x -> s"]
    points = 10 * (1 / (1 + np.exp(-1.0))) - 5  # 10 expit(logit(0.5) + 1) - 5 = 2.31
    assert f"{points:+.3g} points from 5" in row["natural"]


def test_a_node_without_baseline_is_centred_at_its_data_level():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure, range: [0, 1]}\n"
                          "  y: {kind: continuous, scale: 5, range: [0, 100]}\nlinks:\n  - {from: x, to: y}\n"
                          "outcomes: [y]\n")
    rng = np.random.default_rng(0)
    import pandas as pd
    data = pd.DataFrame({"area": np.repeat(np.arange(20), 3), "month": np.tile([1, 2, 3], 20),
                         "x": rng.uniform(0, 1, 60), "y": rng.normal(60, 5, 60)})
    tight = {"x -> y": cp.LinkPrior("x -> y", 0.0, 0.1, "slope")}
    # with the data: the intercept prior is centred near 60 (sd 10): P(outside 0..100) is about 0
    assert prior_check(pw, data=data, priors=tight, draws=300).nodes.loc["y", "outside"] < 0.01
    # without data or a baseline its level is unknown: the node is not checked
    assert np.isnan(prior_check(pw, priors=tight, draws=300).nodes.loc["y", "outside"])


def test_a_link_nothing_downstream_depends_on_names_no_node():
    pw = cp.loads_pathway(TOY)
    check = prior_check(pw, priors=_priors(), draws=200, random_seed=0)
    assert check.links.loc["z -> y", "worst_node"] == "" and check.links.loc["z -> y", "responsible_for"] == 0.0


def test_a_failure_from_the_levels_prior_is_said_to_be_so():
    # y's level ~ exp(N(log 2, 1)) against a stated band [1, 4]: 49% outside with every link at 0
    spec = TOY.replace("y: {kind: count, baseline: 2}", "y: {kind: count, baseline: 2, plausible: [1, 4]}")
    check = prior_check(cp.loads_pathway(spec), priors=_priors(), draws=2000, random_seed=4)
    row = check.nodes.loc["y"]
    assert row["without_links"] == pytest.approx(row["outside"], abs=1e-12)
    assert row["without_links"] == pytest.approx(2 * stats.norm.sf(np.log(2)), abs=0.03)
    text = check.describe()
    assert "with every link at 0, 49% would still be outside" in text and "give it a baseline" in text
    assert "removing it cuts" not in text  # no link is to blame
    table = repr(check).split("\n\n")[-1]
    assert table.split()[0] == "node" and {"y", "s"} <= set(table.split())  # the printed table names its nodes
