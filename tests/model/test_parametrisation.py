"""Area effects are centred where an area's data pin its level down, non-centred where
they do not; the choice changes the geometry, not the answer."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.model.builder import build_model
from copath.model.data import prepare_data
from copath.model.parametrisation import area_information, centred_areas
from tests.pathways import toy_spec

SPEC = toy_spec("areas", c={"area_effects": True, "offset": "hh", "per": 1000}, p=False, y=False)


def _data(rate: float, area_sd: float, seed: int = 0):
    """60 areas x 6 months, 500-2,000 households each, ``rate`` crimes per 1,000 a month."""
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=seed,
                      params={"intercept": {"c": np.log(rate)}, "area_sd": {"c": area_sd}, "beta": {"x -> c": -0.5}})
    return pw, sim


@pytest.mark.parametrize(("rate", "centred"), [(20.0, True), (0.05, False)])
def test_areas_with_much_data_are_centred_and_with_little_not(rate, centred):
    # 20 per 1,000 households a month: about 150 expected crimes per area in 6 months
    # (information 150 >> 1 / 0.5^2 = 4); 0.05 per 1,000: about 0.4 (information << 4)
    pw, sim = _data(rate, 0.5)
    mask = centred_areas(pw, prepare_data(pw, sim.data), ["c"])
    assert mask.shape == (1, 60)
    assert mask.mean() > 0.9 if centred else not mask.any()


def test_the_spread_beyond_noise_and_exposures_is_recovered():
    # tau^2 is the areas' residual spread after the exposure's part and the Poisson noise
    pw, sim = _data(20.0, 0.4, seed=2)
    info, tau2 = area_information(pw, prepare_data(pw, sim.data), "c")
    truth = np.var(sim.truth["area_effect"]["c"], ddof=1)
    assert tau2 == pytest.approx(truth, rel=0.3)
    assert info == pytest.approx(np.bincount(prepare_data(pw, sim.data).area_index,
                                             weights=sim.data["c"].to_numpy(), minlength=60))


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_mixed_model_has_both_forms_and_one_area_effect():
    pw, sim = _data(20.0, 0.5, seed=3)
    data = sim.data.copy()
    small = data["area"].isin(data["area"].unique()[:20])
    data.loc[small, "c"] = np.nan  # 20 areas without data: their effects are the prior's
    built = build_model(pw, data)
    names = {v.name for v in built.model.free_RVs}
    assert {"area_c", "area_z"} <= names
    assert len(built.model.coords["area_noncentred"]) >= 20 and len(built.model.coords["area_centred"]) >= 30
    assert "c: A0000" in built.model.coords["area_noncentred"]  # an area without data
    res = cp.fit(pw, data, draws=1000, tune=500, chains=2, random_seed=4, progressbar=False)
    assert res.diagnostics().passed, res.diagnostics().causes
    u = res.posterior["area_effect"].sel(area_node="c").mean(("chain", "draw")).values
    big = ~np.isin(res.posterior.coords["area"].values, data.loc[small, "area"].astype(str).unique())
    # the data-rich areas' effects are recovered (their level is known to about 1/sqrt(120))
    truth = sim.truth["area_effect"]["c"]
    assert np.corrcoef(u[big], truth[big])[0, 1] > 0.9


def test_starts_do_not_fall_into_the_funnel_of_centred_area_effects():
    """Centred effects have no MAP (the density grows as area_sd and the effects shrink
    together); the starts are optimised with them seen non-centred, so area_sd stays near
    the areas' real spread instead of collapsing to 0."""
    from pymc.blocking import RaveledVars

    from copath.model.init import chain_optimum, funnel_free, map_starts, support_vector

    pw, sim = _data(3.0, 0.3, seed=5)  # modest data per area: I * tau^2 of 2 to 4
    built = build_model(pw, sim.data)
    assert "area_c" in built.model.named_vars
    starts = map_starts(built.model, chains=2, random_seed=1)
    for start in starts:
        assert float(start["area_sd"][0]) > 0.1  # not in the neck (the truth is 0.3)
    x0 = support_vector(built.model)
    f = built.model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    f.set_extra_values({})
    raw = chain_optimum(lambda x: f(RaveledVars(x, x0.point_map_info)), x0.data, 1)
    names = [name for name, *_ in x0.point_map_info]
    sd_at = sum(int(np.prod(shape)) for _, shape, *_ in x0.point_map_info[:names.index("area_sd_log__")])
    assert np.exp(raw[sd_at]) < 1e-3  # the model's own density, optimised as it is, collapses
    # the objective's gradient is the derivative of its value (finite differences)
    objective, _, to_view = funnel_free(built.model, x0, lambda x: f(RaveledVars(x, x0.point_map_info)))
    x = to_view(x0.data) + np.random.default_rng(0).normal(0, 0.3, x0.data.size)
    value, grad = objective(x)
    at_intercept = sum(int(np.prod(shape)) for _, shape, *_ in x0.point_map_info[:names.index("intercept")])
    for i in [at_intercept, sd_at, *np.random.default_rng(1).choice(x.size, 5, replace=False)]:
        step = np.zeros_like(x)
        step[i] = 1e-6
        assert (objective(x + step)[0] - objective(x - step)[0]) / 2e-6 == pytest.approx(grad[i], rel=1e-4, abs=1e-4)


def test_the_pilot_chooses_by_the_posteriors_spread_and_a_stored_choice_is_built():
    """Geometry from a pilot (copath issue 28, item 3): the rule I[a] * sd^2 > 1 with
    area_sd from Pathfinder's draws; a stored choice is what the model is built with."""
    from copath.model.fit import PILOT_K_MAX, centred_of, geometry_from_pilot
    from copath.model.parametrisation import centred_from_spread, mask_to_lists

    pw, sim = _data(3.0, 0.3, seed=5)
    prepared = prepare_data(pw, sim.data)
    sampled = build_model(pw, prepared, collapse=True)
    chosen, pilot, paths = geometry_from_pilot(pw, prepared, sampled, seed=1)
    assert paths is not None and len(paths.paths) >= 3
    sd = pilot["area_sd"]["c"]
    assert 0.15 < sd < 0.6  # the truth is 0.3
    if pilot["pareto_k"] > PILOT_K_MAX:  # unreliable weights: the moment rule stays, and it says why
        assert chosen is None and pilot["used"] is False and "moment rule kept" in pilot["why"]
    else:
        mask = centred_from_spread(pw, prepared, ["c"], {"c": sd})
        assert chosen == mask_to_lists(["c"], sampled.model.coords["area"], mask)
        info, _ = area_information(pw, prepared, "c")
        assert chosen["c"] == [a for a, i in zip(sampled.model.coords["area"], info, strict=True) if i * sd**2 > 1]
    # the rule itself, with a spread given: centred where I[a] sd^2 > 1
    mask = centred_from_spread(pw, prepared, ["c"], {"c": 0.3})
    info, _ = area_information(pw, prepared, "c")
    assert mask_to_lists(["c"], sampled.model.coords["area"], mask)["c"] == [
        a for a, i in zip(sampled.model.coords["area"], info, strict=True) if i * 0.09 > 1]
    # a stored choice is what the model is built with, not the moment rule
    none_centred = build_model(pw, prepared, centred={"c": []})
    assert "area_c" not in none_centred.model.named_vars and centred_of(none_centred) == {"c": []}
    with pytest.raises(ValueError, match="areas not in the data"):
        build_model(pw, prepared, centred={"c": ["nowhere"]})


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_fit_stores_its_parametrisation_and_a_reload_builds_it():
    import dataclasses
    import tempfile

    from copath.model.fit import centred_of

    pw, sim = _data(3.0, 0.3, seed=5)
    res = cp.fit(pw, sim.data, draws=100, tune=100, chains=2, random_seed=2, progressbar=False, init="pathfinder")
    assert res.run.centred == centred_of(res.built) and "pilot" in res.run.starts
    # the pilot's paths serve the chains' starts unless the parametrisation changed
    moment_rule = centred_of(build_model(pw, sim.data))
    assert (res.run.starts.get("paths_from") == "pilot") == (res.run.centred == moment_rule)
    with tempfile.TemporaryDirectory() as folder:
        res.save(folder + "/r")
        back = cp.load_result(folder + "/r")
    assert back.run.centred == res.run.centred
    assert list(back.model.coords.get("area_centred", [])) == list(res.model.coords.get("area_centred", []))
    record = dataclasses.replace(back, run=dataclasses.replace(back.run, centred={"c": []}), _built=None)
    assert "area_c" not in record.built.model.named_vars  # the stored choice, whatever the rule says
