"""The information a child's data give about a link before the fit: the area spread estimated
from the data, the within/between split, and other parents partialled out."""

from __future__ import annotations

import numpy as np
import pytest

import copath as cp
from copath.model.data import prepare_data
from copath.model.information import (
    area_spread,
    expected_contraction,
    random_intercept_information,
)

SPEC = ("name: t\nnodes:\n  x: {kind: exposure}\n  z: {kind: exposure}\n"
        "  y: {kind: count, baseline: 20, area_effects: true}\n"
        "links:\n  - {from: x, to: y}\n  - {from: z, to: y}\noutcomes: [y]\n")


def test_the_area_spread_is_estimated_from_the_data_across_fresh_simulations():
    # 8 fresh worlds of 60 areas, true spreads 0.005 to 0.89: Hedges' moment estimate within 0.15
    # of the truth in at least 7 (all 8 when written; the prior's median, 0.34, in 3) and no
    # systematic error
    pw = cp.loads_pathway(SPEC)
    errors = []
    for seed in range(8):
        sim = cp.simulate(pw, areas=60, months=12, random_seed=100 + seed)
        errors.append(area_spread(pw, prepare_data(pw, sim.data), "y") - sim.truth["area_sd"]["y"])
    errors = np.array(errors)
    assert np.sum(np.abs(errors) < 0.15) >= 7, errors
    assert abs(float(np.median(errors))) < 0.05, errors


def test_no_heterogeneity_floors_the_spread_at_what_the_data_cannot_rule_out():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=40, months=12, random_seed=5, params={"area_sd": {"y": 0.0}})
    tau = area_spread(pw, prepare_data(pw, sim.data), "y")
    assert 0.0 < tau < 0.15


def test_a_collinear_other_parent_takes_the_information_away():
    rng = np.random.default_rng(0)
    n_areas, months = 30, 12
    area = np.repeat(np.arange(n_areas), months)
    w = np.full(area.size, 4.0)
    x = rng.normal(0, 1, area.size)
    alone = random_intercept_information(w, x, area, n_areas, 0.3)
    # an unrelated other parent leaves it about as it was; a near copy leaves almost nothing
    unrelated = random_intercept_information(w, x, area, n_areas, 0.3, rng.normal(0, 1, (area.size, 1)))
    copy = random_intercept_information(w, x, area, n_areas, 0.3, (x + rng.normal(0, 0.05, area.size))[:, None])
    assert unrelated.total == pytest.approx(alone.total, rel=0.1)
    assert copy.total < 0.01 * alone.total
    # by hand without area effects' discount (tau 0, one area): the residual sum of squares of x on z
    z = 0.8 * x + rng.normal(0, 0.6, area.size)
    one = np.zeros(area.size, dtype=int)
    info = random_intercept_information(w, x, one, 1, 0.0, z[:, None])
    design = np.column_stack([np.ones(area.size), z])
    resid = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
    assert info.within == pytest.approx(4.0 * float(resid @ resid), rel=1e-8) and info.between == 0.0


def test_expected_contraction_partials_out_the_other_parents():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=30, months=12, random_seed=2)
    data = sim.data.assign(z=sim.data["x"] * 2.0 + 0.01 * np.random.default_rng(1).normal(size=len(sim.data)))
    prepared = prepare_data(pw, data)
    rows = prepared.observed["y"]
    x, z = prepared.values["x"][rows], prepared.values["z"][rows]
    assert expected_contraction(pw, prepared, "y", x, 1.0) > 0.5
    assert expected_contraction(pw, prepared, "y", x, 1.0, z[:, None]) < 0.5
