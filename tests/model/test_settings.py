"""FitSettings and FitRun: validated, frozen, round-tripping; refits change only what they mean to."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import copath as cp
from copath.model.settings import FitRun, FitSettings, PriorSwap

P1 = cp.LinkPrior("a -> b", 0.0, 0.5, "slope")
P2 = cp.LinkPrior("b -> c", 0.1, 0.2, "slope")


def test_round_trip_and_frozen():
    s = FitSettings(draws=200, random_seed=3, priors=(P1,), target_accept=0.9)
    assert FitSettings.from_dict(s.to_dict()) == s
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.draws = 5  # type: ignore[misc]


def test_numpy_whole_numbers_are_accepted_as_ints():
    s = FitSettings(draws=np.int64(100), chains=np.int32(2), random_seed=np.int64(7))
    assert type(s.draws) is int and type(s.chains) is int and type(s.random_seed) is int


@pytest.mark.parametrize(("field", "value", "message"), [
    ("draws", 0, "draws must be a positive whole number"),
    ("tune", -1, "tune must be a whole number >= 0"),
    ("target_accept", 1.0, "target_accept must be a number between 0 and 1"),
    ("max_treedepth", 0, "max_treedepth must be a positive whole number"),
    ("random_seed", -3, "random_seed must be a whole number >= 0"),
    ("prior_draws", -1, "prior_draws must be a whole number >= 0"),
])
def test_bad_values_are_one_clear_error(field, value, message):
    with pytest.raises(ValueError, match=message):
        FitSettings(**{field: value})


def test_with_prior_replaces_in_place_so_equal_overrides_compare_equal():
    s = FitSettings(priors=(P1, P2))
    again = s.with_prior(dataclasses.replace(P1, sigma=0.3))
    assert [p.link for p in again.priors] == ["a -> b", "b -> c"] and again.prior_overrides()["a -> b"].sigma == 0.3
    assert s.with_prior(P1) == s
    assert [p.link for p in FitSettings().with_prior(P2).priors] == ["b -> c"]


def test_two_priors_for_one_link_are_refused():
    with pytest.raises(ValueError, match="two priors for one link"):
        FitSettings(priors=(P1, P1))


def test_a_run_round_trips_with_its_prior_swap():
    run = FitRun(sampler="nutpie", collapsed=("y: 10 rows -> 2 terms",),
                 prior_swap=PriorSwap("a -> b", P1.to_dict(), "psis", 0.2, 0.7, 300.0, True))
    assert FitRun.from_dict(run.to_dict()) == run


def test_a_run_keeps_how_its_chains_started_through_json():
    import json
    starts = {"method": "pathfinder", "paths": 4, "failed": 0, "iterations": [33, 51, 51, 37],
              "elbo": [10631.0, 10623.7, 10627.9, 10622.7], "pareto_k": [2.18, 1.87]}
    back = FitRun.from_dict(json.loads(json.dumps(FitRun(sampler="nutpie", starts=starts).to_dict())))
    assert back.starts == starts
    assert FitRun.from_dict({"sampler": "nutpie"}).starts == {}  # a result saved before it had none
    assert FitSettings().init == "map"  # Pathfinder is an option (docs/guides/concepts.md: the funnel-neck failure)


def test_a_negative_pareto_k_is_explained_as_a_well_behaved_tail():
    from copath.model.settings import PriorSwap, pareto_k_meaning

    negative = pareto_k_meaning(-1.73, 0.7)
    assert negative.startswith("Pareto k -1.73 < 0: the largest importance weights have a bounded tail")
    assert "lighter than an exponential's" in negative and "Vehtari et al. 2024" in negative
    assert pareto_k_meaning(0.5, 0.7).startswith("Pareto k 0.50 <= 0.70: ") and "reliable" in pareto_k_meaning(0.5)
    assert "unreliable" in pareto_k_meaning(0.9, 0.7) and "refit" in pareto_k_meaning(0.9, 0.7)
    swap = PriorSwap("x -> y", {"mu": 0.0, "sigma": 3.0}, "psis", -1.73, 0.7, 3900.0, True)
    assert swap.describe() == "x -> y: psis reweighting, importance ESS 3900. " + negative


def test_default_target_accept_follows_area_effects():
    from copath.model.settings import default_target_accept
    hierarchical = cp.loads_pathway("name: h\nnodes:\n  x: {kind: exposure}\n"
                                    "  y: {kind: count, area_effects: true}\nlinks:\n  - {from: x, to: y}\n")
    flat = cp.loads_pathway("name: f\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\nlinks:\n"
                            "  - {from: x, to: y}\n")
    assert default_target_accept(hierarchical) == 0.95
    assert default_target_accept(flat) == 0.8


def test_fit_records_the_default_target_accept_it_used(toy):
    _, _, res = toy  # the toy's node c has area effects and the fit gave no target_accept
    assert res.settings.target_accept == 0.95
