"""Within-area identification (issue 30 item 3): ``within: true`` adds the parent's area mean,
so a parent correlated with the child's area levels is not read as its effect."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

import copath as cp
from copath.errors import SpecError
from copath.model.data import prepare_data
from copath.model.equations import linear_predictors, make_plan
from copath.model.within import identified_from, mean_inputs, within_contrast
from copath.spec.loader import pathway_from_dict, pathway_to_dict

SPEC = """name: w
nodes:
  x: {kind: exposure}
  y: {kind: count, offset: pop, per: 1000, baseline: 20, area_effects: true NODE}
links:
  - {from: x, to: y LINK}
outcomes: [y]
"""
WITHIN = cp.loads_pathway(SPEC.replace("NODE", "").replace("LINK", ", within: true"))
DEFAULT = cp.loads_pathway(SPEC.replace("NODE", "").replace("LINK", ""))
#: the areas' levels rise with their mean x (between-area slope 0.6); x has no effect within areas
CONFOUNDED = {"beta": {"x -> y": 0.0}, "between": {"x -> y": 0.6}, "area_sd": {"y": 0.1}}
FAST = dict(draws=300, tune=300, chains=2, prior_draws=0, ppc_draws=50, log_likelihood="none", init="default",
            progressbar=False)


def _fit(pw, data, seed=1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cp.fit(pw, data, random_seed=seed, **FAST)


# ---------------------------------------------------------------- spec
def test_within_on_a_node_covers_its_links_from_exposures_and_survives_a_round_trip():
    pw = cp.loads_pathway(SPEC.replace("NODE", ", within: true").replace("LINK", ""))
    assert pw.within_links == ["x -> y"] and DEFAULT.within_links == []
    again = pathway_from_dict(pathway_to_dict(WITHIN))
    assert again.within_links == ["x -> y"] and again.link("x", "y").within


@pytest.mark.parametrize(("spec", "message"), [
    (SPEC.replace("area_effects: true NODE", "area_effects: false").replace("LINK", ", within: true"),
     "link x -> y: 'within: true' compares each area with itself over its rows, so the child 'y' needs "
     "'area_effects: true'"),
    # worded by the grouping column: people compared with themselves, not areas (methods review)
    ("name: w\ngroups: person\nindex: [person, wave]\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
     "links:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n",
     "link x -> y: 'within: true' compares each person with itself over its rows"),
    (SPEC.replace("NODE", "").replace("LINK", ", within: true").replace("outcomes: [y]", "index: [area]\noutcomes: [y]"),
     "link x -> y: 'within: true' needs several rows per group"),
    (SPEC.replace("area_effects: true NODE", "within: true").replace("LINK", ""),
     "node y: 'within: true' compares each area with itself over its rows"),
    ("name: w\nnodes:\n  x: {kind: exposure}\n  c: {kind: count, area_effects: true}\n"
     "  y: {kind: count, area_effects: true}\nlinks:\n  - {from: x, to: c}\n  - {from: c, to: y, within: true}\n"
     "outcomes: [y]\n", "link c -> y: 'within: true' needs a parent whose values the data give"),
    (SPEC.replace("NODE", "").replace("LINK", ", within: 1"), "'within' must be true or false"),
])
def test_within_is_refused_where_it_cannot_work_and_the_error_names_the_link(spec, message):
    with pytest.raises(SpecError) as err:
        cp.loads_pathway(spec)
    assert message in str(err.value)


# ---------------------------------------------------------------- equations and simulation
def test_the_equation_splits_the_parent_into_its_area_mean_and_the_departure_from_it():
    plan = make_plan(WITHIN, {"x": 1.0})
    x = np.array([0.0, 2.0, 4.0])  # areas 0, 0, 1: means 1, 1, 4
    inputs = {"x": x, **mean_inputs(WITHIN, {"x": x}, np.array([0, 0, 1]))}
    eta = linear_predictors(plan, inputs, {"intercept": np.array([0.5]), "beta": np.array([2.0]),
                                           "between": np.array([-1.0])})["y"]
    # 0.5 + 2 (x - mean) - 1 (mean - 1)
    assert eta.tolist() == [0.5 - 2.0, 0.5 + 2.0, 0.5 - 3.0]


def test_simulate_puts_the_between_slope_in_the_truth_and_in_the_data():
    spec = ("name: s\nnodes:\n  x: {kind: exposure}\n  y: {kind: continuous, area_effects: true}\n"
            "links:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    sim = cp.simulate(pw, areas=12, months=6, random_seed=2,
                      params={"beta": {"x -> y": 0.3}, "between": {"x -> y": -0.7}, "sigma": {"y": 1e-9}})
    assert sim.truth["between"] == {"x -> y": -0.7}
    assert cp.simulate(pw, areas=3, months=2, params={"beta": {"x -> y": 0.3}}).truth["between"] == {"x -> y": 0.3}
    d = sim.data
    area = pd.factorize(d["area"])[0]
    mean = d.groupby("area")["x"].transform("mean").to_numpy()
    rest = d["y"].to_numpy() - sim.truth["intercept"]["y"] - sim.truth["area_effect"]["y"][area]
    slopes, *_ = np.linalg.lstsq(np.column_stack([d["x"] - mean, mean - sim.truth["centres"]["x"]]), rest, rcond=None)
    assert slopes == pytest.approx([0.3, -0.7], abs=1e-6)
    with pytest.raises(ValueError, match="unknown within link 'x -> y'"):
        cp.simulate(DEFAULT, areas=3, months=2, params={"between": {"x -> y": 0.1}})


# ---------------------------------------------------------------- labels and the contrast rule
def test_each_link_is_labelled_by_where_its_parent_varies():
    spec = ("name: l\nnodes:\n  a: {kind: exposure}\n  b: {kind: exposure}\n  c: {kind: exposure}\n"
            "  y: {kind: count, area_effects: true}\nlinks:\n  - {from: a, to: y}\n  - {from: b, to: y}\n"
            "  - {from: c, to: y, within: true}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    df = pd.DataFrame({"area": [0, 0, 1, 1, 2, 2], "month": [1, 2] * 3,
                       "a": [0.0, 0.0, 1.0, 1.0, 3.0, 3.0],    # only between areas
                       "b": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],    # only within (every area's mean the same)
                       "c": [0.0, 1.0, 2.0, 2.5, 1.0, 0.0], "y": [1, 2, 3, 4, 5, 6]})
    assert identified_from(pw, prepare_data(pw, df)) == {"a -> y": "between areas", "b -> y": "within areas",
                                                         "c -> y": "within areas"}


def _posterior(beta: np.ndarray, between: np.ndarray) -> xr.Dataset:
    return xr.Dataset({
        "beta": (("chain", "draw", "link"), beta.reshape(1, -1, 1)),
        "between": (("chain", "draw", "link_within"), between.reshape(1, -1, 1)),
    }, coords={"link": ["x -> y"], "link_within": ["x -> y"]})


def test_the_contrast_warns_only_when_the_differences_interval_excludes_zero():
    rng = np.random.default_rng(0)
    beta = rng.normal(0.0, 0.1, 4000)
    apart = within_contrast(_posterior(beta, beta + rng.normal(0.5, 0.1, 4000)))
    close = within_contrast(_posterior(beta, beta + rng.normal(0.1, 0.1, 4000)))  # 0 inside its 94% interval
    assert bool(apart.loc["x -> y", "differ"]) and apart.loc["x -> y", "difference_mean"] == pytest.approx(0.5, abs=0.01)
    assert not bool(close.loc["x -> y", "differ"])
    assert close.loc["x -> y", "difference_low"] < 0 < close.loc["x -> y", "difference_high"]


# ---------------------------------------------------------------- fits
@pytest.fixture(scope="module")
def confounded():
    # about 9 events per row: each area's level is pinned loosely, so the random-intercept model
    # leans on the areas' differences (with many events per row it approaches the within estimate)
    data = cp.simulate(WITHIN, areas=20, months=12, params=CONFOUNDED, random_seed=3).data
    return data, _fit(WITHIN, data)


def test_confounded_area_levels_are_read_as_an_effect_by_default_but_not_within_areas(confounded):
    # the check: correlated area effects with no within-area effect
    data, res = confounded
    within = res.summary().loc["x -> y"]
    default = _fit(DEFAULT, data).summary().loc["x -> y"]
    assert within["post_hdi_low"] < 0 < within["post_hdi_high"]
    assert default["post_hdi_low"] > 0  # the areas' differences taken as the effect
    assert within["identified"] == "within areas" and default["identified"] == "both"
    contrast = res.within_contrast().loc["x -> y"]
    assert bool(contrast["differ"]) and contrast["difference_low"] > 0.2 and contrast["between_low"] > 0.3


def test_a_scenario_moves_the_child_by_the_within_effect_holding_the_area_means(confounded):
    from copath.scenarios.forward import forward_of

    data, res = confounded
    fw = forward_of(res)
    base, moved = fw.node_means({"x": data["x"].to_numpy() + 1.0}, {})
    beta = res.posterior["beta"].sel(link="x -> y").stack(s=("chain", "draw")).values
    np.testing.assert_allclose(moved["y"] / base["y"], np.exp(beta), rtol=1e-5)


def test_the_report_section_and_check_say_where_links_are_identified(confounded):
    from copath.reports.pathway_fit import pathway_fit, pathway_fit_section

    fit = pathway_fit(confounded[1])
    text = fit.describe()
    assert "Where the data identify each link: x -> y: within areas." in text
    assert "Links identified only between areas: none." in text
    assert "Within and between areas, x -> y:" in text and "DIFFER" in text and "Hausman 1978" in text
    kinds = [getattr(b, "kind", "") for b in pathway_fit_section(fit).blocks]
    assert "fail" in kinds


@pytest.mark.slow
def test_when_within_and_between_agree_there_is_no_warning():
    data = cp.simulate(WITHIN, areas=20, months=12, random_seed=12,
                       params={"beta": {"x -> y": 0.4}, "between": {"x -> y": 0.4}, "area_sd": {"y": 0.1}}).data
    contrast = _fit(WITHIN, data).within_contrast().loc["x -> y"]
    assert not bool(contrast["differ"])
    assert contrast["within_low"] < 0.4 < contrast["within_high"]


def test_setting_a_within_coefficient_moves_rows_by_their_departure_from_the_area_mean(confounded):
    from copath.scenarios.forward import forward_of

    data, res = confounded
    fw = forward_of(res)
    rows = np.arange(len(data))
    _, eta = fw._baseline(rows)
    beta = fw.draws.beta[:, 0]
    departure = (data["x"] - data.groupby("area")["x"].transform("mean")).to_numpy()
    pop = data["pop"].to_numpy()
    moved = fw.node_means_with_coefficient(0, beta + 0.5)["y"]
    by_hand = (np.exp(eta["y"] + 0.5 * departure[None, :]) * pop).sum(axis=1) / pop.sum()  # a rate per 1000
    np.testing.assert_allclose(moved, by_hand, rtol=1e-4)


def test_a_saved_within_fit_loads_with_its_between_slopes(confounded, tmp_path):
    res = confounded[1]
    again = cp.load_result(res.save(tmp_path / "run"))
    pd.testing.assert_frame_equal(again.within_contrast(), res.within_contrast())
    assert again.summary().loc["x -> y", "identified"] == "within areas"


# ---------------------------------------------------------------- methods review of the merge
def test_a_within_link_whose_parent_never_departs_from_its_area_means_is_identified_from_nowhere():
    from copath.model.within import between_only

    spec = ("name: l\nnodes:\n  a: {kind: exposure}\n  c: {kind: exposure}\n  y: {kind: count, area_effects: true}\n"
            "  z: {kind: count}\nlinks:\n  - {from: a, to: y}\n  - {from: c, to: y, within: true}\n"
            "  - {from: a, to: z}\noutcomes: [y, z]\n")
    pw = cp.loads_pathway(spec)
    df = pd.DataFrame({"area": [0, 0, 1, 1, 2, 2], "month": [1, 2] * 3, "a": [0.0, 0.0, 1.0, 1.0, 3.0, 3.0],
                       "c": [0.0, 0.0, 2.0, 2.0, 1.0, 1.0], "y": [1, 2, 3, 4, 5, 6], "z": [1, 1, 2, 2, 3, 3]})
    where = identified_from(pw, prepare_data(pw, df))
    # c never changes within an area: its within effect rests on its prior, identified from nowhere
    assert where["c -> y"] == "" and where["a -> y"] == where["a -> z"] == "between areas"
    # only into a node with area effects, as the docstring says: z has none
    assert between_only(pw, prepare_data(pw, df)) == ["a -> y"]


def test_within_link_priors_scale_beta_by_the_departures_and_gamma_by_the_area_means():
    """beta multiplies x - area mean, so its default prior is 2.5 / sd(departures); gamma gets its
    own default 2.5 / sd(area means), whatever evidence the link has (methods review)."""
    from copath.model.autoscale import autoscale_priors, between_prior
    from copath.model.builder import build_model

    rng = np.random.default_rng(4)
    area = np.repeat(np.arange(12), 5)
    means = rng.normal(0, 3.0, 12)[area]              # areas differ a lot ...
    departures = rng.normal(0, 0.2, area.size)        # ... rows within them little
    df = pd.DataFrame({"area": area, "month": np.tile(np.arange(5), 12), "x": means + departures,
                       "pop": 1000.0, "y": rng.poisson(20, area.size)})
    prepared = prepare_data(WITHIN, df)
    dep = df["x"] - df.groupby("area")["x"].transform("mean")
    mean_col = df.groupby("area")["x"].transform("mean")
    beta = autoscale_priors(WITHIN, prepared, cp.priors_for(WITHIN, None))["x -> y"]
    assert beta.sigma == pytest.approx(2.5 / np.std(dep, ddof=1)) and "x - area mean" in beta.scaled_by
    mu, sd, rule = between_prior(WITHIN, prepared, "x -> y")
    assert (mu, sd) == (0.0, pytest.approx(2.5 / np.std(mean_col, ddof=1))) and "x area means" in rule
    assert between_prior(WITHIN, prepared, "x -> y", prior_scale=3)[1] == pytest.approx(7.5 / np.std(mean_col, ddof=1))
    # a link with evidence: beta keeps it, gamma does not inherit it
    evidence = cp.LinkPrior("x -> y", 0.4, 0.05, "log rate ratio", method="single")
    built = build_model(WITHIN, prepared, priors={"x -> y": evidence})
    draws = pm.draw(built.model["between"], draws=4000, random_seed=1)
    assert abs(float(draws.mean())) < 0.1 * 2.5 / np.std(mean_col, ddof=1)
    assert float(draws.std()) == pytest.approx(2.5 / np.std(mean_col, ddof=1), rel=0.05)


def test_the_tight_screen_regresses_a_within_link_on_the_departures_and_the_area_means():
    from copath.model.autoscale import tight_defaults

    spec = ("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: continuous, area_effects: true}\n"
            "links:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    rng = np.random.default_rng(2)
    area = np.repeat(np.arange(30), 6)
    xbar = rng.normal(0, 2.0, 30)[area]
    dep = rng.normal(0, 1.0, area.size)
    # within effect 1, areas' levels confounded with their mean x (slope 4 between areas)
    df = pd.DataFrame({"area": area, "month": np.tile(np.arange(6), 30), "x": xbar + dep,
                       "y": 1.0 * dep + 4.0 * xbar + rng.normal(0, 0.5, area.size)})
    prepared = prepare_data(pw, df)
    tiny = {"x -> y": cp.LinkPrior("x -> y", 0.0, 0.01, "slope", method="default", scaled_by="test")}
    (flag,) = tight_defaults(pw, prepared, tiny, threshold=1e-6)
    assert flag.estimate == pytest.approx(1.0, abs=0.15)   # the within effect, not the pooled slope near 3.6


def test_scenarios_and_path_effects_say_they_hold_the_area_means_once(confounded):
    from copath.scenarios.forward import held_area_means

    data, res = confounded
    said = "holds each area's mean of x at the data's"
    text = res.scenario({"x": float(data["x"].mean())}).describe()
    assert text.count(said) == 1
    assert res.path_effects("x", "y").describe().count(said) == 1
    assert held_area_means(DEFAULT, ["x -> y"]) == ""  # no within link: nothing to say
