"""Scenarios and path effects through a continuous node with ``link: logit``.

No sampling: a record with three hand-made posterior draws (as in ``test_paths``), so every
expected number is a difference of scaled expits computed here from the draws and the data
(to a relative 1e-6: scenarios keep their baseline linear predictors in float32).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from copath.scenarios.forward import forward_of
from copath.scenarios.paths import path_effects
from copath.scenarios.scenario import build_scenario
from tests.scenarios.test_paths import _record

SPEC = """name: bounded
nodes:
  x: {kind: exposure}
  s: {kind: continuous, range: [0, 10], link: logit, baseline: 7.0}
  y: {kind: continuous}
links:
  - {from: x, to: s}
  - {from: s, to: y}
  - {from: x, to: y}
outcomes: [y, s]
"""
BETA = {"x -> s": [0.5, -0.3, 1.2], "s -> y": [0.8, 0.4, -0.2], "x -> y": [0.1, 0.0, 0.3]}
INTERCEPT = {"s": [0.9, 1.4, -0.5], "y": [0.2, 0.1, 0.0]}


def _draws(rec):
    b = {k: np.array(v)[:, None] for k, v in BETA.items()}
    x = rec.data["x"].to_numpy()
    eta_s = np.array(INTERCEPT["s"])[:, None] + b["x -> s"] * (x - x.mean())  # draws x rows
    return b, x, eta_s


def test_a_scenario_moves_the_node_by_a_difference_of_scaled_expits():
    rec = _record(SPEC, BETA, INTERCEPT)
    b, _, eta_s = _draws(rec)
    sc = build_scenario(rec, {"x": "+1"})
    before, after = 10 * expit(eta_s), 10 * expit(eta_s + b["x -> s"])
    np.testing.assert_allclose(sc.baseline["s"], before.mean(axis=1), rtol=1e-10)
    np.testing.assert_allclose(sc.values["s"] - sc.baseline["s"], (after - before).mean(axis=1), rtol=1e-6)
    # y sees s's observed value, which keeps its residual and moves by its scaled expit's change
    dy = (b["s -> y"] * (after - before)).mean(axis=1) + b["x -> y"][:, 0]
    np.testing.assert_allclose(sc.values["y"] - sc.baseline["y"], dy, rtol=1e-6)
    linear = b["x -> s"][:, 0] * b["s -> y"][:, 0] + b["x -> y"][:, 0]  # what an identity link would give
    assert np.abs(dy - linear).max() > 0.1
    # set s to 9 points: its mean is 9; y moves by its slope times 9 - the observed s
    s_obs = rec.data["s"].to_numpy()
    do = build_scenario(rec, {"s": 9.0})
    np.testing.assert_allclose(do.values["s"], 9.0, rtol=1e-6)
    np.testing.assert_allclose(do.values["y"] - do.baseline["y"], b["s -> y"][:, 0] * (9.0 - s_obs).mean(), rtol=1e-6)
    with pytest.raises(ValueError, match="strictly between"):
        build_scenario(rec, {"s": 10.0})


def test_path_effects_through_a_scaled_logit_mediator_are_row_by_row():
    rec = _record(SPEC, BETA, INTERCEPT)
    b, _, eta_s = _draws(rec)
    eff = path_effects(rec, "x", "y", delta=0.5)
    change = 10 * expit(eta_s + 0.5 * b["x -> s"]) - 10 * expit(eta_s)
    indirect = (b["s -> y"] * change).mean(axis=1)
    np.testing.assert_allclose(eff.total, 0.5 * b["x -> y"][:, 0] + indirect, rtol=1e-6)
    np.testing.assert_allclose(eff.pnde, 0.5 * b["x -> y"][:, 0], rtol=1e-6)
    np.testing.assert_allclose(eff.tnie, indirect, rtol=1e-6)
    np.testing.assert_allclose(eff.interventional_indirect["s"], indirect, rtol=1e-6)
    # the proportional split puts each path's product in points: the path through s carries s's
    # points per logit unit at its baseline, 10 p (1 - p) averaged over rows (the delta method)
    slope = (10 * expit(eta_s) * (1 - expit(eta_s))).mean(axis=1)
    via_s = 0.5 * b["x -> s"][:, 0] * slope * b["s -> y"][:, 0]
    direct = 0.5 * b["x -> y"][:, 0]
    ratio = eff.total / (via_s + direct)
    np.testing.assert_allclose(eff.proportional_split["x -> s -> y"], ratio * via_s, rtol=1e-6)
    np.testing.assert_allclose(eff.proportional_split["x -> y"], ratio * direct, rtol=1e-6)
    # and each part has the sign of its own effect (draw 3: direct +0.15, through s -0.203)
    assert np.sign(eff.proportional_split["x -> y"][2]) == np.sign(eff.pnde[2]) > 0
    assert np.sign(eff.proportional_split["x -> s -> y"][2]) == np.sign(eff.tnie[2]) < 0
    # the target itself: s's total effect is its mean scaled-expit difference
    own = path_effects(rec, "x", "s", delta=0.5)
    np.testing.assert_allclose(own.total, change.mean(axis=1), rtol=1e-6)


def test_a_coefficient_set_and_a_node_without_data_go_through_the_scaled_expit():
    rec = _record(SPEC, BETA, INTERCEPT)
    b, x, eta_s = _draws(rec)
    fw = forward_of(rec)
    k = fw.plan.link_names.index("x -> s")
    out = fw.node_means_with_coefficient(k, 2.0)
    moved = 10 * expit(np.array(INTERCEPT["s"])[:, None] + 2.0 * (x - x.mean()))
    np.testing.assert_allclose(out["s"], moved.mean(axis=1), rtol=1e-6)
    base, _ = fw.node_means({}, {})
    dy = (b["s -> y"] * (moved - 10 * expit(eta_s))).mean(axis=1)
    np.testing.assert_allclose(out["y"] - base["y"], dy, rtol=1e-6)
    # without s's data, y sees s's expected value (points), centred at s's baseline
    hidden = _record(SPEC, BETA, INTERCEPT)
    hidden.data = hidden.data.drop(columns="s")
    base, _ = forward_of(hidden).node_means({}, {})
    y0 = (np.array(INTERCEPT["y"])[:, None] + b["s -> y"] * (10 * expit(eta_s) - 7.0)
          + b["x -> y"] * (x - x.mean()))
    np.testing.assert_allclose(base["y"], y0.mean(axis=1), rtol=1e-6)
    sc = build_scenario(hidden, {"x": "+1"})
    dy = (b["s -> y"] * (10 * expit(eta_s + b["x -> s"]) - 10 * expit(eta_s))).mean(axis=1) + b["x -> y"][:, 0]
    np.testing.assert_allclose(sc.values["y"] - sc.baseline["y"], dy, rtol=1e-6)


def test_path_effects_are_the_same_computed_in_draw_chunks():
    """The draws are processed in chunks on large data: every chunk must use its own draws'
    shifts (a chunked run once reused the first chunk's and failed on the demo)."""
    from copath.scenarios.forward import forward_of

    spec = SPEC.replace("s: {kind: continuous, range: [0, 10], link: logit, baseline: 7.0}",
                        "s: {kind: count, baseline: 2.0}")  # no logit mediator: the per-draw branch
    for text in (SPEC, spec):
        rec = _record(text, BETA, INTERCEPT)
        whole = path_effects(rec, "x", "y", delta=0.5)
        rec2 = _record(text, BETA, INTERCEPT)
        forward_of(rec2).chunk_elements = len(rec2.data)  # one draw per chunk
        parts = path_effects(rec2, "x", "y", delta=0.5)
        np.testing.assert_allclose(parts.total, whole.total, rtol=1e-6)
        np.testing.assert_allclose(parts.tnie, whole.tnie, rtol=1e-6)


def test_the_at_contrast_through_a_scaled_logit_mediator_is_two_scenarios():
    # every row's x at 0 against every row's at 1: s moves row by row from its own x to each value
    rec = _record(SPEC, BETA, INTERCEPT)
    b, x, eta_s = _draws(rec)
    eff = path_effects(rec, "x", "y", at=(0.0, 1.0))
    s_at = {a: 10 * expit(eta_s + b["x -> s"] * (a - x)) for a in (0.0, 1.0)}  # s's mean with x at a
    indirect = (b["s -> y"] * (s_at[1.0] - s_at[0.0])).mean(axis=1)
    np.testing.assert_allclose(eff.pnde, b["x -> y"][:, 0], rtol=1e-6)
    np.testing.assert_allclose(eff.tnie, indirect, rtol=1e-6)
    fw = forward_of(rec)
    _, one = fw.node_means({"x": np.ones(x.size)}, {})
    _, zero = fw.node_means({"x": np.zeros(x.size)}, {})
    np.testing.assert_allclose(eff.total, one["y"] - zero["y"], rtol=1e-5)
