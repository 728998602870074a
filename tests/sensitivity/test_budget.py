"""The best programme mix under a budget (sensitivity/budget.py) and the decision verbs on a fit
(sensitivity/decisions.py: res.ceac, res.enbs, res.best_mix): a knapsack whose optimum is worked
out by hand, the budget never exceeded, the same answer every run, and the glue checked against
scenarios run one by one."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.sensitivity.budget import best_mix, mix_grid, mix_label
from copath.sensitivity.decisions import result_best_mix
from copath.sensitivity.importance import link_draws
from copath.sensitivity.value import net_benefit
from tests.pathways import TWO_ARMS

# A toy pathway with linear equations y = 9 a + 6 b + 4.2 c (coefficients known to about 1%),
# unit costs 4, 3 and 2 and a budget of 5. By hand, with changes of 0 or 1 each:
#   a alone costs 4, net 9 - 4 = 5.0;  b + c costs 5, net (6 - 3) + (4.2 - 2) = 5.2;
#   b alone 3.0; c alone 2.2; a + b (7) and a + c (6) and all three (9) are over the budget.
# The best is b + c, though a has the best value for money (9/4 > 4.2/2 > 6/3): a greedy pick
# by ratio would take a and stop.
COEF = np.array([9.0, 6.0, 4.2])
COST = {"a": 4.0, "b": 3.0, "c": 2.0}


def _draws(n: int = 4000, seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).normal(COEF, 0.01 * COEF, size=(n, 3))


def _benefit(draws):
    return lambda mix: draws @ np.array([mix.get("a", 0.0), mix.get("b", 0.0), mix.get("c", 0.0)])


def test_the_search_finds_the_mix_worked_out_by_hand():
    draws = _draws()
    params = pd.DataFrame(draws, columns=["beta_a", "beta_b", "beta_c"])
    r = best_mix(_benefit(draws), {"a": [1], "b": [1], "c": [1]}, COST, budget=5.0, params=params, evppi_top=2)
    assert r.best == "b +1, c +1" and r.best_cost == 5.0
    assert r.best_changes == {"a": 0.0, "b": 1.0, "c": 1.0}
    assert r.table.index[:4].tolist() == ["b +1, c +1", "a +1", "b +1", "c +1"]
    assert r.best_expected_nb == pytest.approx(5.2, abs=0.01)
    # P(best) by hand on the same draws: b + c beats a alone when 6 b + 4.2 c - 5 > 9 a - 4
    nb_bc, nb_a = draws[:, 1] + draws[:, 2] - 5, draws[:, 0] - 4
    assert r.table.loc["b +1, c +1", "p_best"] == pytest.approx(np.mean(nb_bc > nb_a))
    assert r.table["p_best"].sum() == pytest.approx(1.0)
    assert sorted(r.excluded["mix"]) == ["a +1, b +1", "a +1, b +1, c +1", "a +1, c +1"]
    assert set(r.excluded["reason"]) == {"over budget"}
    # the EVPPI of the choice between the two best: a's coefficient moves their difference most
    # (sd 9% of 1 against 6% and 4.2%), and all three together carry the EVPI
    assert r.evppi is not None and r.evppi_mixes == ("b +1, c +1", "a +1")
    singles = r.evppi.table[r.evppi.table["kind"] == "parameter"]
    assert singles["evppi"].idxmax() == "beta_a" and r.evppi.evpi > 0
    assert r.evppi.table.loc["(all parameters)", "evppi"] == pytest.approx(r.evppi.evpi, rel=0.05)
    assert "'b +1, c +1'" in r.describe() and len(r.figure.axes) == 1


def test_the_budget_is_never_exceeded_and_the_best_is_the_brute_force_one():
    draws = _draws(n=500)
    changes = {"a": [0.5, 1, 2], "b": [-1, 1, 2], "c": [0.25, 1, 3]}
    levels = {k: sorted({0.0, *map(float, v)}) for k, v in changes.items()}
    for budget in (-2.5, 0.0, 1.0, 3.3, 5.0, 7.25, 12.0, 40.0):
        r = best_mix(_benefit(draws), changes, COST, budget=budget)
        assert (r.table["cost"] <= budget).all() and r.best_cost <= budget
        assert len(r.table) + len(r.excluded) == 4 * 4 * 4
        # by brute force: every combination within the budget, its mean net benefit
        means = {}
        for combo in itertools.product(*levels.values()):
            mix = dict(zip(levels, combo, strict=True))
            cost = sum(COST[k] * v for k, v in mix.items())
            if cost <= budget:
                means[mix_label(mix)] = float((_benefit(draws)(mix) - cost).mean())
        assert r.best == max(means, key=means.get)
        assert r.table["expected_nb"].to_dict() == pytest.approx(means)


def test_the_search_repeats_exactly_and_refuses_bad_grids():
    draws = _draws(n=500)
    params = pd.DataFrame(draws, columns=["a", "b", "c"])
    runs = [best_mix(_benefit(draws), {"a": [1, 2], "c": [1]}, {"a": 4.0, "c": 2.0}, budget=6.0, params=params,
                       evppi_top=2)
            for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0].table, runs[1].table)
    pd.testing.assert_frame_equal(runs[0].evppi.table, runs[1].evppi.table)
    g = mix_grid({"a": [2, 1]}, {"a": 0.1}, budget=0.2)
    assert g["mix"].tolist() == ["no change", "a +1", "a +2"] and g["within_budget"].all()  # 0.1 * 2 == 0.2
    for kwargs, message in [
        ({"unit_cost": {"a": 1.0}}, "no cost for c"),
        ({"changes": {}}, "at least one exposure"),
        ({"budget": float("nan")}, "budget"),
        ({"budget": -1.0}, "no mix is within the budget"),
    ]:
        args = {"benefit": _benefit(draws), "changes": {"a": [1], "c": [1]}, "unit_cost": {"a": 4.0, "c": 2.0},
                "budget": 6.0, **kwargs}
        with pytest.raises(ValueError, match=message):
            best_mix(**args)

    def refuses_c(mix):
        if mix["c"]:
            raise ValueError("c +1 gives 1.2, outside its range [0, 1]")
        return _benefit(draws)(mix)

    r = best_mix(refuses_c, {"a": [1], "c": [1]}, {"a": 4.0, "c": 2.0}, budget=6.0)
    assert r.best == "a +1" and "outside its range" in r.excluded.set_index("mix").loc["c +1", "reason"]


# ------------------------------------------------------------------ on a fit (the shared toy fit)
def test_res_ceac_is_the_share_of_draws_by_hand(toy):
    _, _, res = toy
    ac = res.ceac({"more x": {"x": "+0.1"}}, value={"y": 1.0}, cost={"more x": 0.02}, wtp=[0.0, 1.0, 5.0])
    assert "more x" in res.computed.scenarios and ac.options == ("no change", "more x")
    d = res.computed.scenarios["more x"].difference("y")
    for lam in (0.0, 1.0, 5.0):
        got = ac.table[(ac.table["wtp"] == lam) & (ac.table["option"] == "more x")].iloc[0]
        assert got["p_best"] == np.mean(lam * d - 0.02 > 0)
        assert got["expected_nb"] == pytest.approx(lam * d.mean() - 0.02)
    assert ac.effect_unit.endswith("of y")
    with pytest.raises(ValueError, match="unknown scenario"):
        res.ceac({"more x": {"x": "+0.1"}}, value={"y": 1.0}, cost={"less x": 1.0})


def test_res_enbs_is_res_evsi_at_each_size(toy):
    _, _, res = toy
    sc = res.scenario({"x": "+0.1"}, name="more x")
    cost = {"more x": float(sc.difference("y").mean())}  # a toss-up: information has value
    r = res.enbs("p -> y", [20, 200], [sc], value={"y": 1.0}, cost=cost, unit_sd=2.0, fixed_cost=0.001,
                 cost_per_unit=1e-5, per_year=10)
    nb = net_benefit(res, [sc], {"y": 1.0}, cost)
    theta = link_draws(res)["p -> y"]
    for n, got in zip([20, 200], r.table["evsi"], strict=True):
        assert got == cp.evsi(nb, theta, cp.study_se_for(n_per_arm=n / 2, unit_sd=2.0), rng=0).evsi
    assert r.table["study_cost"].tolist() == pytest.approx([0.001 + 20e-5, 0.001 + 200e-5])
    with pytest.raises(ValueError, match="either study_se .* or unit_sd"):
        res.enbs("p -> y", [20], [sc], value={"y": 1.0}, cost=cost)
    with pytest.raises(ValueError, match="unknown link"):
        res.enbs("y -> p", [20], [sc], value={"y": 1.0}, unit_sd=1.0)


def test_res_best_mix_agrees_with_scenarios_run_one_by_one(toy):
    _, _, res = toy
    r = res.best_mix({"x": [0.05, 0.1, 0.2, 0.9]}, unit_cost={"x": 1.0}, budget=0.15, value={"y": 10.0},
                     evppi_top=2)
    assert r.table.index.tolist().count("no change") == 1 and (r.table["cost"] <= 0.15).all()
    assert set(r.excluded["mix"]) == {"x +0.2", "x +0.9"}
    by_hand = {"no change": 0.0}
    for step in (0.05, 0.1):
        sc = res.scenario({"x": f"+{step}"})
        by_hand[f"x +{step:g}"] = 10.0 * float(sc.difference("y").mean()) - step
    assert r.best == max(by_hand, key=by_hand.get)
    assert r.table["expected_nb"].to_dict() == pytest.approx(by_hand)
    assert r.evppi is not None and len(r.evppi_mixes) == 2
    # x is a share in [0, 1]: +0.9 leaves the range on some rows, and is set aside with the reason
    wide = result_best_mix(res, {"x": [0.9]}, unit_cost={"x": 1.0}, budget=1.0, value={"y": 10.0})
    assert "outside its range" in wide.excluded.set_index("mix").loc["x +0.9", "reason"]
    with pytest.raises(ValueError, match="not exposure"):
        res.best_mix({"y": [1.0]}, unit_cost={"y": 1.0}, budget=1.0, value={"y": 1.0})


@pytest.mark.slow
def test_the_best_mix_on_a_fitted_two_arm_pathway_is_the_one_worked_out_by_hand():
    """x1 -> y and x2 -> z, both 0.5 a unit (identity links). Valued 10 a unit of y and 4 of z,
    with unit costs 3 for x1 and 0.5 for x2, a unit of x1 nets 10 * 0.5 - 3 = 2 (5 for 3) and one
    of x2 nets 4 * 0.5 - 0.5 = 1.5 (2 for 0.5). Budget 1, x1 in {0.1, 0.2, 0.3}, x2 in
    {0.1, 0.25, 0.6}: x2 +0.6 first (cost 0.3, net 0.9), then the most x1 the rest buys, +0.2
    (0.6, net 0.4): total cost 0.9, net 1.3. The unconstrained best, x1 +0.3 and x2 +0.6 (net
    1.5), costs 1.2; next within the budget is x1 +0.1, x2 +0.6 (net 1.1)."""
    pw = cp.loads_pathway(TWO_ARMS)
    sim = cp.simulate(pw, areas=30, months=6, random_seed=3, params={
        "beta": {"x1 -> y": 0.5, "x2 -> z": 0.5}, "sigma": {"y": 0.3, "z": 0.5}, "area_sd": {"y": 0.1}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(pw, sim.data, draws=300, tune=300, chains=2, random_seed=3, progressbar=False)
    r = res.best_mix({"x1": [0.1, 0.2, 0.3], "x2": [0.1, 0.25, 0.6]}, unit_cost={"x1": 3.0, "x2": 0.5},
                     budget=1.0, value={"y": 10.0, "z": 4.0}, evppi_top=2)
    assert r.best == "x1 +0.2, x2 +0.6" and r.best_cost == pytest.approx(0.9)
    assert r.table.index[1] == "x1 +0.1, x2 +0.6"
    assert set(r.excluded["mix"]) == {"x1 +0.3, x2 +0.6", "x1 +0.3, x2 +0.25"}
    b = link_draws(res)
    expected = 10 * 0.2 * b["x1 -> y"].mean() + 4 * 0.6 * b["x2 -> z"].mean() - 0.9
    assert r.best_expected_nb == pytest.approx(expected, rel=1e-6)
    assert r.table.iloc[0]["p_best"] > 0.95
