"""A weak mediator's mirror-symmetrised sampling: which nodes, the reflection, the exact flip back."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

import copath as cp
from copath.model.builder import build_model
from copath.model.data import prepare_data
from copath.model.symmetrise import (
    MIRROR_LOGP,
    Mirror,
    flip_back,
    mirrors_of,
    reflect,
    symmetrise,
    weak_mediators,
)

# speedwatch -> road_casualties -> qol (benchmarks/bench_mediator.py): casualties per PER residents
SPEC = """
name: mediator
nodes:
  speedwatch: {kind: exposure, range: [0, 1]}
  road_casualties: {kind: count, baseline: 4, offset: residents, per: PER, area_effects: AREA, time: TIME}
  qol: {kind: continuous, baseline: 7.5, range: [0, 10], scale: 0.5, link: logit, area_effects: AREA}
links:
  - {from: speedwatch, to: road_casualties, evidence: [milton2016_speedwatch]}
  - {from: road_casualties, to: qol}
outcomes: [qol]
"""
TRUTH = {"beta": {"speedwatch -> road_casualties": -0.36, "road_casualties -> qol": 0.22},
         "intercept": {"road_casualties": 1.49, "qol": 0.95}, "sigma": {"qol": 0.4}}
IN, OUT = "speedwatch -> road_casualties", "road_casualties -> qol"


def _pathway(per: int = 100000, area: bool = False, time: str = "[]") -> cp.Pathway:
    return cp.loads_pathway(SPEC.replace("PER", str(per)).replace("AREA", str(area).lower()).replace("TIME", time))


def _prepared(pw: cp.Pathway, areas: int = 60, months: int = 12, seed: int = 3):
    sim = cp.simulate(pw, areas=areas, months=months, params=TRUTH, random_seed=seed, evidence=cp.load_evidence())
    return prepare_data(pw, sim.data)


def test_a_mediator_with_few_events_is_symmetrised_and_one_with_many_is_not():
    ev = cp.load_evidence()
    weak = _pathway(100000)  # about 0.06 casualties a row: its own data hardly tell the sign
    found = weak_mediators(weak, _prepared(weak), cp.priors_for(weak, ev))
    assert list(found) == ["road_casualties"] and found["road_casualties"] < 9.0
    strong = _pathway(1000)  # 100 times the events, on bench_mediator's design: its data tell the sign
    assert weak_mediators(strong, _prepared(strong, areas=120, months=24), cp.priors_for(strong, ev)) == {}


def test_a_link_with_a_held_sign_a_sampled_total_or_a_child_without_data_is_not_flipped():
    ev = cp.load_evidence()
    pw = _pathway(100000)
    sim = cp.simulate(pw, areas=60, months=12, params=TRUTH, random_seed=3, evidence=ev)
    prepared = prepare_data(pw, sim.data)
    priors = cp.priors_for(pw, ev)
    assert list(weak_mediators(pw, prepared, priors)) == ["road_casualties"]
    held = {**priors, OUT: dataclasses.replace(priors[OUT], sign=1)}
    assert weak_mediators(pw, prepared, held) == {}
    assert weak_mediators(pw, prepared, priors, free_links=[IN]) == {}  # the link out sampled as a total
    no_child_data = prepare_data(pw, sim.data.drop(columns=["qol"]))
    assert weak_mediators(pw, no_child_data, priors) == {}


TWO = """
name: two
nodes:
  x1: {kind: exposure, range: [0, 1]}
  x2: {kind: exposure, range: [0, 1]}
  m1: {kind: count, offset: residents, per: 100000, area_effects: true, time: [season]}
  m2: {kind: count, offset: residents, per: 100000, area_effects: true, time: [period]}
  y: {kind: count, offset: residents, per: 1000, area_effects: true}
links:
  - {from: x1, to: m1}
  - {from: x2, to: m2}
  - {from: m1, to: y}
  - {from: m2, to: y}
outcomes: [y]
"""


@pytest.mark.parametrize("centred", [True, False])
def test_the_mirror_log_densities_are_the_model_s_at_each_reflected_point(centred):
    # two weak mediators with a common child: the group has 4 elements; season (ZeroSum-transformed)
    # and period effects on the mediators, area effects everywhere, centred or not
    from copath.model.fit import sampling_priors

    pw = cp.loads_pathway(TWO)
    sim = cp.simulate(pw, areas=8, months=24, random_seed=5,
                      params={"beta": {"x1 -> m1": 0.3, "x2 -> m2": -0.3, "m1 -> y": 0.2, "m2 -> y": 0.2},
                              "intercept": {"m1": 1.0, "m2": 1.0, "y": 1.0}})
    prepared = prepare_data(pw, sim.data)
    priors, _ = sampling_priors(pw, prepared, cp.priors_for(pw, cp.load_evidence()))
    assert set(weak_mediators(pw, prepared, priors)) == {"m1", "m2"}
    areas = [str(a) for a in prepared.areas]
    built = build_model(pw, prepared, priors=priors, collapse=True,
                        centred={n: (areas if centred else []) for n in ("m1", "m2", "y")})
    model = built.model
    reference = model.compile_logp()  # before the mirror term
    mirrors = mirrors_of(model, pw, built.plan, ["m1", "m2"])
    symmetrise(model, mirrors)
    assert list(model.coords["mirror_orbit"]) == ["identity", "m1", "m2", "m1 + m2"]
    (graph,) = model.replace_rvs_by_values([model[MIRROR_LOGP]])
    mirror_logp = model.compile_fn(graph, inputs=model.value_vars, on_unused_input="ignore")
    rng = np.random.default_rng(2)
    point = {k: v + rng.normal(0.0, 0.2, np.shape(v)) for k, v in model.initial_point().items()}
    by_rv = {rv.name: model.rvs_to_values[rv].name for rv in model.free_RVs}
    got = mirror_logp(point)
    np.testing.assert_array_equal(got, mirror_logp(point))  # no random node left in the graph
    for k, element in enumerate([(), (0,), (1,), (0, 1)]):
        moved = {rv: point[value] for rv, value in by_rv.items()}
        for i in element:
            moved = reflect(moved, mirrors[i])
        at = {by_rv[rv]: v for rv, v in moved.items()}
        assert got[k] == pytest.approx(reference(at), abs=1e-6)
    # the model samples log sum_g p(g theta)
    assert model.compile_logp()(point) == pytest.approx(np.logaddexp.reduce(got), abs=1e-6)


def _point(model: pm.Model, seed: int) -> dict[str, np.ndarray]:
    """A random point of the model's free variables (constrained values; all here are real)."""
    rng = np.random.default_rng(seed)
    point = model.initial_point()
    return {name: value + rng.normal(0.0, 0.3, np.shape(value)) for name, value in point.items()}


@pytest.mark.parametrize("centred", [True, False])
def test_the_reflection_keeps_every_term_below_the_mediator_and_is_an_involution(centred):
    pw = _pathway(100000, area=True, time="[trend]")
    prepared = _prepared(pw, areas=12, months=6)
    built = build_model(pw, prepared, evidence=cp.load_evidence(),
                        centred={n: (list(built_areas) if centred else []) for n, built_areas in
                                 [(n, [str(a) for a in prepared.areas]) for n in ("road_casualties", "qol")]})
    model = built.model
    free = {rv.name for rv in model.free_RVs}
    assert ("area_c" in free) == centred and "trend" in free
    (mirror,) = mirrors_of(model, pw, built.plan, ["road_casualties"])
    point = {k: v for k, v in _point(model, 1).items() if not k.endswith("__")}
    point.update({k: v for k, v in model.initial_point().items() if k.endswith("__")})
    moved = reflect(point, mirror)
    assert moved["beta"].tolist() == (-point["beta"]).tolist()
    back = reflect(moved, mirror)
    for name in point:
        np.testing.assert_allclose(back[name], point[name], atol=1e-12)
    child = model.compile_logp(vars=[model["qol"]], sum=True)
    own = model.compile_logp(vars=[model["road_casualties"]], sum=True)
    # the child's likelihood is unchanged (its linear predictor is), the mediator's own is not
    assert child(moved) == pytest.approx(child(point), abs=1e-8)
    assert abs(own(moved) - own(point)) > 1e-3


def test_flip_back_turns_draws_of_the_symmetrised_density_into_draws_of_the_posterior():
    # p(a, b, alpha_y) independent normals; R flips a and b and moves alpha_y by 2 b (alpha_m - c)
    mirror = Mirror(node="m", node_pos=0, n_nodes=2, centre=0.5, beta_var="beta",
                    signs={"beta": np.array([-1.0, -1.0])}, children=((1, (1,)),))
    rng = np.random.default_rng(7)
    n = (4, 2000)
    alpha_m = np.full(n, 1.5)
    a, b, alpha_y = rng.normal(0.6, 0.5, n), rng.normal(0.4, 0.5, n), rng.normal(-1.0, 1.0, n)
    values = {"beta": np.stack([a, b], -1), "intercept": np.stack([alpha_m, alpha_y], -1)}

    def logp(v):
        beta, icpt = v["beta"], v["intercept"]
        return (-0.5 * ((beta[..., 0] - 0.6) / 0.5) ** 2 - 0.5 * ((beta[..., 1] - 0.4) / 0.5) ** 2
                - 0.5 * (icpt[..., 1] + 1.0) ** 2)

    moved = reflect(values, mirror)
    half = rng.random(n) < 0.5  # draws of p, each reflected with probability 1/2: draws of q
    q = {k: np.where(half[..., None], moved[k], values[k]) for k in values}
    assert abs(q["beta"][..., 0].mean()) < 0.05  # q is symmetric: a's mean is 0 there
    q_moved = reflect(q, mirror)
    posterior = xr.Dataset({
        "beta": (("chain", "draw", "link"), q["beta"]),
        "intercept": (("chain", "draw", "node"), q["intercept"]),
        MIRROR_LOGP: (("chain", "draw", "mirror_orbit"), np.stack([logp(q), logp(q_moved)], -1)),
    })
    flipped, shares, element = flip_back(posterior, pm.Model(), [mirror], random_seed=3)
    assert MIRROR_LOGP not in flipped
    assert flipped["beta"].values[..., 0].mean() == pytest.approx(0.6, abs=0.03)
    assert flipped["beta"].values[..., 1].mean() == pytest.approx(0.4, abs=0.03)
    assert flipped["intercept"].values[..., 1].mean() == pytest.approx(-1.0, abs=0.05)
    assert flipped["intercept"].values[..., 1].std() == pytest.approx(1.0, abs=0.05)
    assert set(shares) == {"identity", "m"} and sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert float((element == 1).mean()) == pytest.approx(shares["m"], abs=1e-3)


@pytest.fixture(scope="module")
def weak_fit() -> cp.FitResult:
    pw = _pathway(100000)
    sim = cp.simulate(pw, areas=60, months=12, params=TRUTH, random_seed=11, evidence=cp.load_evidence())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cp.fit(pw, sim.data, draws=300, tune=300, chains=2, random_seed=2, progressbar=False,
                      prior_draws=0, ppc_draws=50)


def test_a_fit_with_a_weak_mediator_samples_it_symmetrised_and_records_it(weak_fit):
    run = weak_fit.run
    assert list(run.mirrored["nodes"]) == ["road_casualties"]
    assert set(run.mirrored["shares"]) == {"identity", "road_casualties"}
    assert weak_fit.settings.target_accept == 0.95  # the symmetrised density's hyperbola needs small steps
    assert MIRROR_LOGP not in weak_fit.posterior
    assert "log_likelihood" in weak_fit.idata.children
    moved = weak_fit.idata["sample_stats"]["mirror_element"].values
    assert set(np.unique(moved)) <= {0, 1} and moved.mean() == pytest.approx(run.mirrored["shares"]["road_casualties"], abs=1e-3)


def test_a_symmetrised_fit_stores_log_likelihood_totals():
    # the mirror term is a potential of the sampled model, not a node's likelihood
    pw = _pathway(100000)
    sim = cp.simulate(pw, areas=10, months=6, params=TRUTH, random_seed=1, evidence=cp.load_evidence())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, sim.data, draws=50, tune=50, chains=1, random_seed=1, progressbar=False, prior_draws=0,
                     ppc_draws=10, log_likelihood="total")
    assert res.run.mirrored and set(res.idata["log_likelihood"].data_vars) == {"road_casualties", "qol"}


def test_a_user_target_accept_is_kept_where_the_fit_is_symmetrised():
    pw = _pathway(100000)
    sim = cp.simulate(pw, areas=10, months=6, params=TRUTH, random_seed=1, evidence=cp.load_evidence())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, sim.data, draws=50, tune=50, chains=1, random_seed=1, progressbar=False, prior_draws=0,
                     ppc_draws=10, target_accept=0.85)
    assert list(res.run.mirrored["nodes"]) == ["road_casualties"] and res.settings.target_accept == 0.85


def test_a_symmetrised_fit_is_saved_and_loaded_with_what_it_flipped(weak_fit, tmp_path):
    weak_fit.save(tmp_path / "result")
    back = cp.load_result(tmp_path / "result")
    assert back.run.mirrored == weak_fit.run.mirrored
    np.testing.assert_array_equal(back.idata["sample_stats"]["mirror_element"].values,
                                  weak_fit.idata["sample_stats"]["mirror_element"].values)
    np.testing.assert_array_equal(back.posterior["beta"].values, weak_fit.posterior["beta"].values)


def test_the_screen_is_the_mirror_s_cost_in_a_regression_with_a_known_answer():
    # an indicator into a count: the Poisson mode of its link is the log ratio of the two groups'
    # rates and its information (intercept profiled out) 1 / (1/S1 + 1/S0), S the groups' event totals,
    # so z^2 = log(rate1 / rate0)^2 / (1/S1 + 1/S0), up to the prior's 1 against hundreds
    from copath.model.symmetrise import sign_strength

    spec = ("name: t\nnodes:\n  x: {kind: exposure}\n  m: {kind: count}\n  y: {kind: count}\n"
            "links:\n  - {from: x, to: m}\n  - {from: m, to: y}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    rng = np.random.default_rng(0)
    months = pd.period_range("2020-01", periods=50, freq="M").astype(str)
    frame = pd.DataFrame({"area": np.repeat([f"a{i}" for i in range(40)], 50), "month": np.tile(months, 40)})
    x = (np.arange(len(frame)) % 2).astype(float)
    frame = frame.assign(x=x, m=rng.poisson(np.exp(-1.0 + 0.5 * x)), y=rng.poisson(2.0, len(frame)))
    prepared = prepare_data(pw, frame)
    prior = cp.LinkPrior("x -> m", 0.0, 1.0, "log rate ratio")
    z2 = sign_strength(pw, prepared, {"x -> m": prior, "m -> y": dataclasses.replace(prior, link="m -> y")}, "m")
    s1, s0 = frame.m[x == 1].sum(), frame.m[x == 0].sum()
    expected = np.log(s1 / s0) ** 2 / (1 / s1 + 1 / s0)
    assert 5 < expected and z2 == pytest.approx(expected, rel=0.02)


def test_a_start_in_a_mirror_basin_is_moved_to_the_image_of_higher_density():
    # the flat layout of the sampler's vector and the real log density: a start at the mirror image
    # of a point of higher density goes back to that point, links flipped and the child's intercept moved
    from copath.model.init import flat_layout, support_vector
    from copath.model.nutpie_compile import compile_for_nutpie
    from copath.model.symmetrise import align_start

    pw = cp.loads_pathway(TWO)
    sim = cp.simulate(pw, areas=8, months=24, random_seed=5,
                      params={"beta": {"x1 -> m1": 0.3, "x2 -> m2": -0.3, "m1 -> y": 0.2, "m2 -> y": 0.2},
                              "intercept": {"m1": 1.0, "m2": 1.0, "y": 1.0}})
    built = build_model(pw, prepare_data(pw, sim.data), evidence=cp.load_evidence(), collapse=True,
                        centred={n: [] for n in ("m1", "m2", "y")})
    model = built.model
    (mirror,) = mirrors_of(model, pw, built.plan, ["m1"])
    support = support_vector(model)
    slices = flat_layout(support)
    names = {model.rvs_to_values[rv].name: rv.name for rv in model.free_RVs}
    shapes = {n: shape for n, shape, *_ in support.point_map_info}
    layout = {names[n]: (slices[n], shapes[n]) for n in slices}
    logp = model.compile_logp()

    def flat_logp(v):
        return float(logp({n: v[at].reshape(shapes[n]) for n, at in slices.items()}))

    links = list(model.coords["link"])
    nodes = list(model.coords["node"])
    rng = np.random.default_rng(4)
    x = support.data + rng.normal(0.0, 0.1, support.data.size)
    x[layout["beta"][0]] = [0.3, -0.3, 0.2, 0.2]
    image = x.copy()
    beta_at, icpt_at = layout["beta"][0], layout["intercept"][0]
    flip = np.array([-1.0 if ("m1" in link) else 1.0 for link in links])
    image[beta_at] = x[beta_at] * flip
    alpha_m1 = x[icpt_at][nodes.index("m1")] - built.plan.centres["m1"]
    image[icpt_at.start + nodes.index("y")] += 2.0 * x[beta_at][links.index("m1 -> y")] * alpha_m1
    labels = list(model.coords["area_noncentred"])
    at = layout["area_z"][0]
    image[at] = x[at] * np.array([-1.0 if a.startswith("m1: ") else 1.0 for a in labels])
    at, shape = layout["season_z"]  # m1's months, by their ZeroSum values
    season = x[at].reshape(shape).copy()
    season[list(model.coords["season_node"]).index("m1")] *= -1.0
    image[at] = season.ravel()
    assert "area_c" not in layout
    high, low = (x, image) if flat_logp(x) > flat_logp(image) else (image, x)
    assert flat_logp(high) > flat_logp(low) + 1e-3  # the reflection changes the density
    aligned, moved = align_start(low.copy(), layout, [mirror], flat_logp)
    assert moved == ["m1"]
    np.testing.assert_allclose(aligned, high, atol=1e-12)
    # nutpie's compiled density differs from PyMC's by a constant: the same flat layout
    compiled = compile_for_nutpie(model, init="map", random_seed=1, mirrors=[mirror])
    gap = [compiled.logp_func(np.ascontiguousarray(v))[0] - flat_logp(v) for v in (low, high)]
    assert gap[0] == pytest.approx(gap[1], abs=1e-6)
    compiled.initial_point_func(3)
    assert set(compiled.start_info["mirror_aligned"]) == {"3"}


@pytest.mark.parametrize("case", ["all_successes", "no_events", "missing_parent"])
def test_the_screen_gives_a_number_or_none_on_awkward_data_and_never_raises(case):
    from copath.model.symmetrise import sign_strength

    spec = ("name: t\nnodes:\n  x: {kind: exposure}\n  w: {kind: continuous}\n  m: KIND\n  y: {kind: count}\n"
            "links:\n  - {from: x, to: m}\n  - {from: w, to: m}\n  - {from: m, to: y}\noutcomes: [y]\n")
    kind = "{kind: binary}" if case == "all_successes" else "{kind: count}"
    pw = cp.loads_pathway(spec.replace("KIND", kind))
    rng = np.random.default_rng(1)
    months = pd.period_range("2020-01", periods=6, freq="M").astype(str)
    frame = pd.DataFrame({"area": np.repeat([f"a{i}" for i in range(10)], 6), "month": np.tile(months, 10)})
    n = len(frame)
    frame = frame.assign(x=rng.normal(0, 1, n), w=rng.normal(0, 1, n), y=rng.poisson(2.0, n),
                         m=np.ones(n, dtype=int) if case == "all_successes" else np.zeros(n, dtype=int))
    if case == "missing_parent":
        frame.loc[::3, "w"] = np.nan
        frame["m"] = rng.poisson(1.0, n)
    prepared = prepare_data(pw, frame)
    prior = cp.LinkPrior("x -> m", 0.3, 1.0, "slope")
    priors = {link: dataclasses.replace(prior, link=link) for link in pw.link_names}
    z2 = sign_strength(pw, prepared, priors, "m")
    assert z2 is None or (np.isfinite(z2) and z2 >= 0)
    if case == "missing_parent":
        assert z2 is not None  # the rows where w is missing are left out, not the node


def test_a_count_parent_s_input_is_its_area_level_or_its_overall_level_without_area_effects():
    from copath.model.symmetrise import area_levels

    pw = _pathway(100000, area=True)
    prepared = _prepared(pw, areas=6, months=12)
    levels = area_levels(pw, prepared, "road_casualties")
    rows = prepared.observed["road_casualties"]
    y = prepared.values["road_casualties"][rows]
    area = prepared.area_index[rows]
    size = np.asarray(pw.nodes["road_casualties"].node_kind.size(pw.nodes["road_casualties"], prepared.values, rows))
    first = area == area[0]
    by_hand = pw.nodes["road_casualties"].node_kind.pooled_level(float(y[first].sum()), float(size[first].sum()))
    assert levels[rows][0] == pytest.approx(by_hand) and np.unique(levels).size == 6
    flat = area_levels(_pathway(100000, area=False), prepared, "road_casualties")
    assert np.unique(flat).size == 1
