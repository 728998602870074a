"""Path effects: total, natural direct and indirect effects, and the proportional split.

No sampling: each record carries a hand-made posterior of three fixed draws, so every
expected number is computed by hand from those draws and the simulated data.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import copath as cp
from copath.model.record import FitRecord
from copath.scenarios.changes import Change
from copath.scenarios.forward import forward_of
from copath.scenarios.paths import (
    INTERVENTIONAL,
    NATURAL,
    PROPORTIONAL,
    REMAINDER_ROW,
    TOTAL,
    PathEffects,
    path_effects,
)
from copath.scenarios.scenario import build_scenario


def _record(spec: str, beta: dict[str, list[float]], intercept: dict[str, list[float]]) -> FitRecord:
    """A record of ``spec`` on simulated data whose posterior is the given draws (one chain)."""
    pw = cp.loads_pathway(spec)
    sim = cp.simulate(pw, areas=6, months=2, random_seed=3,
                      params={"beta": {k: v[0] for k, v in beta.items()}, "sigma": {}})
    post = xr.Dataset(
        {"beta": (("chain", "draw", "link"), np.array([[beta[k] for k in pw.link_names]]).transpose(0, 2, 1)),
         "intercept": (("chain", "draw", "node"),
                       np.array([[intercept[k] for k in pw.endogenous]]).transpose(0, 2, 1))},
        coords={"link": pw.link_names, "node": pw.endogenous})
    return FitRecord(idata=xr.DataTree.from_dict({"posterior": post}), pathway=pw, evidence=None, priors={},
                     data=sim.data)


LINEAR = """name: linear
nodes:
  x: {kind: exposure}
  m: {kind: continuous}
  y: {kind: continuous}
links:
  - {from: x, to: m}
  - {from: m, to: y}
  - {from: x, to: y}
outcomes: [y]
"""
A, B, C = [0.8, 1.2, -0.4], [-0.5, 0.3, 2.0], [0.3, -0.1, 0.7]

# no declared range on x: these tests shift every row's own value by delta up to 1, which a range
# [0, 1] would refuse (as a scenario does); test_at_contrast_* test the range
LOG = """name: log
nodes:
  x: {kind: exposure}
  m: {kind: continuous}
  y: {kind: count, offset: hh, per: 1000}
links:
  - {from: x, to: m}
  - {from: m, to: y}
  - {from: x, to: y}
outcomes: [y]
"""
# per draw: x -> m, m -> y, x -> y
LOG_BETA = {"x -> m": [1.0, 2.0, -1.0], "m -> y": [0.8, 0.25, 0.5], "x -> y": [0.5, -0.3, 1.0]}

CONFOUNDED = """name: confounded
nodes:
  x: {kind: exposure}
  l: {kind: continuous}
  m: {kind: continuous}
  y: {kind: continuous}
links:
  - {from: x, to: l}
  - {from: l, to: m}
  - {from: m, to: y}
  - {from: l, to: y}
  - {from: x, to: y}
outcomes: [y]
"""


def test_linear_chain_natural_effects_are_c_and_ab():
    rec = _record(LINEAR, {"x -> m": A, "m -> y": B, "x -> y": C}, {"m": [0.0, 0.1, 0.2], "y": [1.0, 0.0, -1.0]})
    eff = path_effects(rec, "x", "y", delta=0.5)
    # NDE = c * delta, NIE = a * b * delta, draw by draw
    np.testing.assert_allclose(eff.pnde, [0.15, -0.05, 0.35], atol=1e-12)
    np.testing.assert_allclose(eff.tnie, [-0.2, 0.18, -0.4], atol=1e-12)
    np.testing.assert_allclose(eff.total, [-0.05, 0.13, -0.05], atol=1e-12)
    # identity link: pure and total versions agree, and so does the proportional split
    np.testing.assert_allclose(eff.tnde, eff.pnde, atol=1e-12)
    np.testing.assert_allclose(eff.pnie, eff.tnie, atol=1e-12)
    np.testing.assert_allclose(eff.proportional_split["x -> y"], eff.pnde, atol=1e-12)
    np.testing.assert_allclose(eff.proportional_split["x -> m -> y"], eff.tnie, atol=1e-12)
    assert eff.mediators == ("m",) and eff.induced_confounders == ()
    t = eff.table()
    assert t.loc["natural direct (PNDE)", "mean"] == pytest.approx(0.15)
    assert t.loc["natural indirect (TNIE)", "mean"] == pytest.approx(-0.14)


@pytest.fixture(scope="module")
def log_record():
    return _record(LOG, LOG_BETA, {"m": [0.0, 0.0, 0.0], "y": [1.0, 0.5, 1.5]})


def test_log_link_natural_effects_by_hand(log_record):
    rec, delta = log_record, 1.0
    eff = path_effects(rec, "x", "y", delta=delta)
    bxm, bmy, bxy = (np.array(LOG_BETA[k]) for k in ("x -> m", "m -> y", "x -> y"))
    # y's expected rate in every row, from the data and the draws
    data, centres = rec.data, rec.centres()
    eta = (np.array([1.0, 0.5, 1.5])[:, None] + bxy[:, None] * (data["x"].to_numpy() - centres["x"])
           + bmy[:, None] * (data["m"].to_numpy() - centres["m"]))
    w = data["hh"].to_numpy() / 1000

    def mean(shift):
        return np.exp(eta + shift[:, None]) @ w / w.sum()

    direct, indirect = delta * bxy, delta * bxm * bmy  # [0.5, -0.3, 1.0], [0.8, 0.5, -0.5]
    base = mean(np.zeros(3))
    np.testing.assert_allclose(eff.total, mean(direct + indirect) - base, rtol=1e-12)
    np.testing.assert_allclose(eff.pnde, mean(direct) - base, rtol=1e-12)
    np.testing.assert_allclose(eff.tnie, mean(direct + indirect) - mean(direct), rtol=1e-12)
    np.testing.assert_allclose(eff.tnde, mean(direct + indirect) - mean(indirect), rtol=1e-12)
    np.testing.assert_allclose(eff.pnie, mean(indirect) - base, rtol=1e-12)
    np.testing.assert_allclose(eff.pnde + eff.tnie, eff.total, rtol=1e-12)
    np.testing.assert_allclose(eff.tnde + eff.pnie, eff.total, rtol=1e-12)
    # a log link multiplies every row by the same factor: PNDE / TE = (e^0.5 - 1) / (e^1.3 - 1) = 0.24303 in
    # draw 1, while the proportional split gives the direct path 0.5 / 1.3 = 0.3846 of the total
    np.testing.assert_allclose(eff.pnde / eff.total, np.expm1(direct) / np.expm1(direct + indirect), rtol=1e-12)
    assert eff.pnde[0] / eff.total[0] == pytest.approx(0.24303, abs=1e-5)
    share = eff.proportional_split["x -> y"] / eff.total
    np.testing.assert_allclose(share, direct / (direct + indirect), rtol=1e-12)
    assert share[0] == pytest.approx(0.38462, abs=1e-5)
    assert np.all(np.abs(eff.pnde - eff.proportional_split["x -> y"]) > 0.05 * np.abs(eff.total))


def test_natural_direct_effect_is_a_do_intervention_holding_the_mediators(log_record):
    # Y(a', M(a)) by the general forward pass: x moved, do(m) keeping each row's own value
    rec = log_record
    eff = path_effects(rec, "x", "y", delta=0.3)
    fw = forward_of(rec)
    x = rec.data["x"].to_numpy() + 0.3
    base, held = fw.node_means({"x": x}, {"m": Change("add", 0.0)})
    np.testing.assert_allclose(held["y"] - base["y"], eff.pnde, rtol=1e-5)
    base, moved = fw.node_means({"x": x}, {})
    np.testing.assert_allclose(moved["y"] - base["y"], eff.total, rtol=1e-5)


def test_table_and_describe_say_which_decomposition(log_record):
    eff = path_effects(log_record, "x", "y", delta=1.0)
    t = eff.table()
    assert list(t.index) == ["total", "natural direct (PNDE)", "natural indirect (TNIE)",
                             "total natural direct (TNDE)", "pure natural indirect (PNIE)", "x -> m -> y", "x -> y"]
    assert list(t["decomposition"]) == [TOTAL] + [NATURAL] * 4 + [PROPORTIONAL] * 2
    assert PROPORTIONAL == "share of total in proportion to link-scale path products"
    assert t.loc["natural direct (PNDE)", "mean"] == pytest.approx(eff.pnde.mean())
    lo, hi = t.loc["total", ["hdi_low", "hdi_high"]]
    assert lo == pytest.approx(eff.total.min()) and hi == pytest.approx(eff.total.max())  # 3 draws: all of them
    text = eff.describe()
    assert "94% highest-density interval" in text
    assert "natural direct effect (PNDE" in text and "natural indirect effect (TNIE" in text
    assert "mediators taken jointly: m" in text and "mean-structure model" in text
    assert "in proportion to link-scale path products" in text and "not natural or path-specific" in text
    assert "exposure-induced" not in text
    # the old names keep working
    assert eff.paths is eff.proportional_split
    np.testing.assert_array_equal(eff.direct, eff.proportional_split["x -> y"])


def test_an_exposure_induced_mediator_outcome_confounder_is_said():
    draws = [0.5, 0.6, 0.7]
    rec = _record(CONFOUNDED, {k: draws for k in ("x -> l", "l -> m", "m -> y", "l -> y", "x -> y")},
                  {"l": [0.0] * 3, "m": [0.0] * 3, "y": [0.0] * 3})
    eff = path_effects(rec, "x", "y", delta=1.0)
    assert eff.mediators == ("l", "m") and eff.induced_confounders == (("l", "m"),)
    # identity links: PNDE = b_xy, TNIE = b_xl (b_ly + b_lm b_my)
    b = np.array(draws)
    np.testing.assert_allclose(eff.pnde, b, atol=1e-12)
    np.testing.assert_allclose(eff.tnie, b * (b + b * b), atol=1e-12)
    text = eff.describe()
    assert ("l is affected by x and confounds m and y (an exposure-induced mediator-outcome confounder)"
            in text and "VanderWeele, Vansteelandt & Robins 2014" in text)
    # from l, m is a mediator with no confounder affected by l
    assert path_effects(rec, "l", "y").induced_confounders == ()


def test_a_single_link_has_no_indirect_effect(log_record):
    eff = path_effects(log_record, "m", "y", delta=0.5)
    assert eff.mediators == ()
    np.testing.assert_allclose(eff.pnde, eff.total, rtol=1e-12)
    np.testing.assert_array_equal(eff.tnie, np.zeros(3))
    assert "No node lies between m and y" in eff.describe()


# s -> l -> m -> y with s -> m and l -> y: l is affected by s and confounds m and y
CHAIN = """name: chain
nodes:
  s: {kind: exposure}
  l: {kind: continuous}
  m: {kind: continuous}
  y: {kind: continuous}
links:
  - {from: s, to: l}
  - {from: l, to: m}
  - {from: m, to: y}
  - {from: s, to: m}
  - {from: l, to: y}
outcomes: [y]
"""
CHAIN_BETA = {"s -> l": [1.0, 2.0, -1.0], "l -> m": [0.5, 0.25, 2.0], "m -> y": [2.0, -1.0, 0.5],
              "s -> m": [1.0, 0.0, 0.5], "l -> y": [-0.5, 1.0, 2.0]}


def test_interventional_indirect_effects_of_a_linear_chain_are_path_products():
    rec = _record(CHAIN, CHAIN_BETA, {"l": [0.0] * 3, "m": [0.1] * 3, "y": [1.0, 0.0, -1.0]})
    eff = path_effects(rec, "s", "y", delta=0.5)
    assert eff.mediators == ("l", "m") and eff.induced_confounders == (("l", "m"),)
    assert eff.enters_target == ("l", "m")
    # via l: only s -> l -> y (m is held at its value under a), 0.5 b_sl b_ly
    np.testing.assert_allclose(eff.interventional_indirect["l"], [-0.25, 1.0, -1.0], atol=1e-12)
    # via m: s -> m -> y and s -> l -> m -> y, 0.5 b_my (b_sm + b_sl b_lm)
    np.testing.assert_allclose(eff.interventional_indirect["m"], [1.5, -0.25, -0.375], atol=1e-12)
    # identity link: no interaction, so no remainder; no s -> y link, so PNDE = 0 and they add up to TE
    np.testing.assert_array_equal(eff.interventional_remainder, np.zeros(3))
    np.testing.assert_allclose(eff.pnde, 0.0, atol=1e-12)
    np.testing.assert_allclose(eff.total, [1.25, 0.75, -1.375], atol=1e-12)
    np.testing.assert_allclose(eff.pnde + eff.interventional_indirect["l"] + eff.interventional_indirect["m"]
                               + eff.interventional_remainder, eff.total, atol=1e-12)
    t = eff.interventional()
    assert list(t.index) == ["l", "m", REMAINDER_ROW] and t.index.name == "mediator"
    assert list(t.columns) == ["enters_target", "mean", "hdi_low", "hdi_high", "share_of_total"]
    assert t.loc["l", "mean"] == pytest.approx(-0.25 / 3) and t.loc["m", "mean"] == pytest.approx(0.875 / 3)
    # via l (-0.083) and via m (+0.292) pull in opposite directions: no shares of the total (m's would be 1.4)
    assert t["share_of_total"].isna().all()
    assert "opposite signs (m +0.292, l -0.0833; total +0.208)" in eff.share_notes()[INTERVENTIONAL]
    assert "No shares of the total where" in eff.describe()  # the natural pair shares a sign (PNDE 0)
    assert (t.loc["m", "hdi_low"], t.loc["m", "hdi_high"]) == pytest.approx((-0.375, 1.5))  # 3 draws: all
    assert t.loc[REMAINDER_ROW, "mean"] == 0 and not t.loc[REMAINDER_ROW, "enters_target"]
    text = eff.describe()
    assert "Interventional indirect effects, one mediator at a time (Vansteelandt & Daniel 2017)" in text
    assert "via l -0.0833 (94% HDI -1 to +1); via m +0.292" in text
    assert "a remainder +0 (94% HDI +0 to +0) = the total" in text
    assert "only interventional analogues are (VanderWeele, Vansteelandt & Robins 2014), which are the " \
           "interventional indirect effects above" in text
    # the natural effects and the proportional split are as before
    np.testing.assert_allclose(eff.tnie, eff.total, atol=1e-12)
    assert sorted(eff.proportional_split) == ["s -> l -> m -> y", "s -> l -> y", "s -> m -> y"]


LOG2 = """name: log2
nodes:
  s: {kind: exposure}
  l: {kind: continuous}
  m: {kind: continuous}
  y: {kind: count, offset: hh, per: 1000}
links:
  - {from: s, to: l}
  - {from: l, to: m}
  - {from: m, to: y}
  - {from: s, to: m}
  - {from: l, to: y}
  - {from: s, to: y}
outcomes: [y]
"""
LOG2_BETA = {**CHAIN_BETA, "l -> y": [-0.5, 0.4, 0.3], "m -> y": [0.6, -0.2, 0.25], "s -> y": [0.3, -0.2, 0.1]}


def test_log_link_interventional_effects_by_hand_and_their_interaction_remainder():
    rec = _record(LOG2, LOG2_BETA, {"l": [0.0] * 3, "m": [0.0] * 3, "y": [0.5, 1.0, 1.5]})
    delta = 0.8
    eff = path_effects(rec, "s", "y", delta=delta)
    b = {k: np.array(v) for k, v in LOG2_BETA.items()}
    data, centres = rec.data, rec.centres()
    # y's baseline log rate in every row: its parents enter at their data values
    eta = (np.array([0.5, 1.0, 1.5])[:, None] + b["s -> y"][:, None] * (data["s"].to_numpy() - centres["s"])
           + b["l -> y"][:, None] * (data["l"].to_numpy() - centres["l"])
           + b["m -> y"][:, None] * (data["m"].to_numpy() - centres["m"]))
    w = data["hh"].to_numpy() / 1000

    def mean(shift):
        return np.exp(eta + shift[:, None]) @ w / w.sum()

    d = delta * b["s -> y"]
    x_l = delta * b["s -> l"] * b["l -> y"]  # s -> l -> y
    x_m = delta * (b["s -> m"] + b["s -> l"] * b["l -> m"]) * b["m -> y"]  # s -> m -> y, s -> l -> m -> y
    iie_l, iie_m = mean(d + x_l) - mean(d), mean(d + x_m) - mean(d)
    remainder = mean(d + x_l + x_m) - mean(d + x_l) - mean(d + x_m) + mean(d)
    np.testing.assert_allclose(eff.interventional_indirect["l"], iie_l, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(eff.interventional_indirect["m"], iie_m, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(eff.interventional_remainder, remainder, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(eff.total, mean(d + x_l + x_m) - mean(np.zeros(3)), rtol=1e-10)
    # the decomposition TE = PNDE + IIE_l + IIE_m + R, and R = TNIE - the sum
    np.testing.assert_allclose(eff.pnde + iie_l + iie_m + remainder, eff.total, rtol=1e-10)
    np.testing.assert_allclose(eff.tnie - iie_l - iie_m, eff.interventional_remainder, rtol=1e-10, atol=1e-12)
    # a log link shifts every row's rate by the same factor: R = E[Y(a', M(a))] (e^x_l - 1)(e^x_m - 1), not 0
    np.testing.assert_allclose(remainder, mean(d) * np.expm1(x_l) * np.expm1(x_m), rtol=1e-10)
    assert np.all(np.abs(eff.interventional_remainder) > 0.01 * np.abs(eff.total))
    assert "a remainder +0 " not in eff.describe()


def test_a_mediator_without_a_link_into_the_target_has_no_interventional_effect(log_record):
    spec = LINEAR.replace("  - {from: x, to: y}\n", "").replace("y: {kind: continuous}", "y: {kind: continuous}\n  "
                                                                                       "z: {kind: continuous}")
    spec = spec.replace("links:\n", "links:\n  - {from: y, to: z}\n").replace("outcomes: [y]", "outcomes: [z]")
    # x -> m -> y -> z: m reaches z only through y, so its part is y's
    rec = _record(spec, {"x -> m": A, "m -> y": B, "y -> z": C}, {"m": [0.0] * 3, "y": [0.0] * 3, "z": [0.0] * 3})
    eff = path_effects(rec, "x", "z", delta=1.0)
    assert eff.mediators == ("m", "y") and eff.enters_target == ("y",)
    np.testing.assert_array_equal(eff.interventional_indirect["m"], np.zeros(3))
    np.testing.assert_allclose(eff.interventional_indirect["y"], np.array(A) * np.array(B) * np.array(C), atol=1e-12)
    assert not eff.interventional().loc["m", "enters_target"]
    assert "m has no link into z: 0 by construction" in eff.describe()
    # no mediator, no rows
    assert path_effects(log_record, "m", "y").interventional().empty
    assert PathEffects("x", "y", 1.0, np.zeros(2), {}, "").interventional().empty


def test_no_proportion_mediated_when_the_direct_and_indirect_effects_have_opposite_signs():
    # draw means: ab = (-0.4 + 0.36 - 0.8) / 3 = -0.28 and c = 0.3; at delta 0.5 PNDE +0.15, TNIE -0.14,
    # total +0.0100: TNIE / total would be -14, PNDE / total 15
    rec = _record(LINEAR, {"x -> m": A, "m -> y": B, "x -> y": C}, {"m": [0.0, 0.1, 0.2], "y": [1.0, 0.0, -1.0]})
    eff = path_effects(rec, "x", "y", delta=0.5)
    t = eff.table()
    assert t.loc["natural direct (PNDE)", "mean"] == pytest.approx(0.15)
    assert t.loc["natural indirect (TNIE)", "mean"] == pytest.approx(-0.14)
    assert t.loc[t["decomposition"] != TOTAL, "share_of_total"].isna().all()
    assert t.loc["total", "share_of_total"] == 1.0
    notes = eff.share_notes()
    assert set(notes) == {NATURAL, f"{NATURAL}, TNDE + PNIE", PROPORTIONAL, INTERVENTIONAL}
    assert notes[NATURAL] == ("the natural effects PNDE and TNIE: parts of opposite signs (natural direct (PNDE) "
                              "+0.15, natural indirect (TNIE) -0.14; total +0.01)")
    text = eff.describe()
    assert "No proportion mediated and no shares of the total" in text and "Proportion mediated (TNIE" not in text
    assert notes[PROPORTIONAL] in text


def test_the_proportion_mediated_is_given_when_the_parts_share_a_sign():
    # constant draws a = 1, b = 0.5, c = 0.25: TNIE 0.5, PNDE 0.25, proportion mediated 0.5 / 0.75
    rec = _record(LINEAR, {"x -> m": [1.0] * 3, "m -> y": [0.5] * 3, "x -> y": [0.25] * 3},
                  {"m": [0.0] * 3, "y": [0.0] * 3})
    eff = path_effects(rec, "x", "y", delta=1.0)
    t = eff.table()
    assert t.loc["natural indirect (TNIE)", "share_of_total"] == pytest.approx(2 / 3)
    assert t.loc["x -> m -> y", "share_of_total"] == pytest.approx(2 / 3)
    assert eff.share_notes() == {}
    assert "Proportion mediated (TNIE over the total): 0.67" in eff.describe()
    # a negligible part of the other sign (under 1% of the total) does not block it
    rec = _record(LINEAR, {"x -> m": [1.0] * 3, "m -> y": [0.5] * 3, "x -> y": [-0.004] * 3},
                  {"m": [0.0] * 3, "y": [0.0] * 3})
    shares = path_effects(rec, "x", "y").table()["share_of_total"]
    assert shares["natural indirect (TNIE)"] == pytest.approx(0.5 / 0.496)


def test_at_contrast_of_a_linear_chain_is_a_hand_computation():
    # every row's x set to a0 = -1, then a1 = 2: identity links, so TE = 3 (c + a b), PNDE = 3 c, TNIE = 3 a b
    rec = _record(LINEAR, {"x -> m": A, "m -> y": B, "x -> y": C}, {"m": [0.0, 0.1, 0.2], "y": [1.0, 0.0, -1.0]})
    eff = path_effects(rec, "x", "y", at=(-1.0, 2.0))
    a, b, c = np.array(A), np.array(B), np.array(C)
    np.testing.assert_allclose(eff.total, 3 * (c + a * b), atol=1e-12)      # [-0.3, 0.78, -0.3]
    np.testing.assert_allclose(eff.pnde, 3 * c, atol=1e-12)
    np.testing.assert_allclose(eff.tnie, 3 * a * b, atol=1e-12)
    np.testing.assert_allclose(eff.interventional_indirect["m"], 3 * a * b, atol=1e-12)
    assert eff.total[1] == pytest.approx(0.78) and eff.at == (-1.0, 2.0) and eff.delta == 3.0
    # the levels themselves: E[Y(a1)] = E[Y at the rows' own x] + (a1 - mean x)(c + a b)
    assert "setting x to 2 in every row, against -1 in every row" in eff.describe()


def test_at_contrast_on_a_log_link_equals_two_scenarios(log_record):
    # E[Y(1)] - E[Y(0)] over the rows: the same as the difference of the scenarios x = 1 and x = 0
    eff = path_effects(log_record, "x", "y", at=(0.0, 1.0))
    fw = forward_of(log_record)
    n = log_record.data.shape[0]
    _, at1 = fw.node_means({"x": np.ones(n)}, {})
    _, at0 = fw.node_means({"x": np.zeros(n)}, {})
    np.testing.assert_allclose(eff.total, at1["y"] - at0["y"], rtol=1e-6)
    # PNDE: x at 1 with m held at its value under x = 0 (m's own value moved by b_xm (0 - x_i))
    x = log_record.data["x"].to_numpy()
    bxm = np.array(LOG_BETA["x -> m"])
    bmy, bxy = np.array(LOG_BETA["m -> y"]), np.array(LOG_BETA["x -> y"])
    data, centres = log_record.data, log_record.centres()
    eta = (np.array([1.0, 0.5, 1.5])[:, None] + bxy[:, None] * (x - centres["x"])
           + bmy[:, None] * (data["m"].to_numpy() - centres["m"]))
    w = data["hh"].to_numpy() / 1000

    def mean(direct_at, mediator_at):
        shift = bxy[:, None] * (direct_at - x) + bmy[:, None] * bxm[:, None] * (mediator_at - x)
        return np.exp(eta + shift) @ w / w.sum()

    np.testing.assert_allclose(eff.pnde, mean(1.0, 0.0) - mean(0.0, 0.0), rtol=1e-10)
    np.testing.assert_allclose(eff.tnie, mean(1.0, 1.0) - mean(1.0, 0.0), rtol=1e-10)
    np.testing.assert_allclose(eff.tnde, mean(1.0, 1.0) - mean(0.0, 1.0), rtol=1e-10)


def test_contrasts_refuse_values_outside_the_declared_range():
    spec = LOG.replace("x: {kind: exposure}", "x: {kind: exposure, range: [0, 1]}")
    rec = _record(spec, LOG_BETA, {"m": [0.0, 0.0, 0.0], "y": [1.0, 0.5, 1.5]})
    with pytest.raises(ValueError, match=r"^x = 1.5 gives 1.5, outside its range \[0, 1\]"):
        path_effects(rec, "x", "y", at=(0.0, 1.5))
    with pytest.raises(ValueError, match=r"^x = -0.1 gives -0.1, outside its range"):
        path_effects(rec, "x", "y", at=(-0.1, 1.0))
    # a per-row shift that takes a row past 1 is refused too (scenarios refuse the same move)
    x_max = float(rec.data["x"].max())
    assert 0.5 < x_max <= 1
    with pytest.raises(ValueError, match=r"^x \+0.5 gives .*outside its range \[0, 1\]"):
        path_effects(rec, "x", "y", delta=0.5)
    with pytest.raises(ValueError, match="outside its range"):  # as the scenario refuses the same move
        build_scenario(rec, {"x": "+0.5"})
    # inside the range both run; at= and delta= together, or at= on an endogenous source, are refused
    small = 1.0 - x_max
    assert path_effects(rec, "x", "y", delta=small).total.shape == (3,)
    assert path_effects(rec, "x", "y", at=(0.0, 1.0)).at == (0.0, 1.0)
    with pytest.raises(ValueError, match="not both"):
        path_effects(rec, "x", "y", delta=0.1, at=(0.0, 1.0))
    with pytest.raises(ValueError, match="at= sets an exposure"):
        path_effects(rec, "m", "y", at=(0.0, 1.0))


def test_p_improves_is_left_out_with_its_reason_when_the_target_has_no_better():
    rec = _record(LINEAR, {"x -> m": A, "m -> y": B, "x -> y": C}, {"m": [0.0, 0.1, 0.2], "y": [1.0, 0.0, -1.0]})
    text = build_scenario(rec, {"x": "+0.5"}).describe(diagnostics=False)
    assert "P(improves) =" not in text and "nan" not in text
    assert text.count("P(improves) left out for y: no `better:` in the spec") == 1
    better = _record(LINEAR.replace("y: {kind: continuous}", "y: {kind: continuous, better: higher}"),
                     {"x -> m": A, "m -> y": B, "x -> y": C}, {"m": [0.0, 0.1, 0.2], "y": [1.0, 0.0, -1.0]})
    # total per draw at +0.5: [-0.05, 0.13, -0.05], so one draw in three raises y
    assert "P(improves) = 0.33" in build_scenario(better, {"x": "+0.5"}).describe(diagnostics=False)
    from copath.cli.effects import improvement_line
    eff = path_effects(better, "x", "y", delta=0.5)
    assert improvement_line(eff, "higher").startswith("P(improves) = 0.33")
    assert improvement_line(eff, None).startswith("P(improves) left out: y has no `better:`")


def test_a_level_indicator_of_a_categorical_exposure_is_refused_as_a_source():
    """educ[mid] at (0, 1) would put rows of educ = high at mid and high at once: path effects
    refuse it and point to a scenario setting the level (methods review)."""
    from types import SimpleNamespace

    from copath.scenarios.paths import path_effects

    pw = cp.loads_pathway("name: c\nindex: [id]\nnodes:\n  educ: {kind: exposure, levels: [low, mid, high]}\n"
                          "  y: {kind: continuous}\nlinks:\n  - {from: educ, to: y}\noutcomes: [y]\n")
    fake = SimpleNamespace(pathway=pw)  # refused before anything of a fit is read
    for kw in ({"at": (0, 1)}, {"delta": 1.0}):
        with pytest.raises(ValueError, match=r"'educ\[mid\]' is one level indicator of the categorical exposure "
                                             r"'educ'.*res\.scenario\(\{'educ': 'mid'\}\)"):
            path_effects(fake, "educ[mid]", "y", **kw)
