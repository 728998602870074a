"""res.ceac, res.enbs and res.best_mix with named table entries (issue 32 items 2 and 6): the
pounds are the hand-computed ones on the committed tiny result (x -> y (count) -> z, two
months of rows), and every result, table and description names the unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.datasets.values import Pounds
from copath.sensitivity.decisions import check_value
from copath.sensitivity.enbs import enbs
from copath.sensitivity.importance import link_draws
from tests.conftest import ROOT

BURGLARY_2019 = 3268.0 * 81.1085 / 58.266   # the 2003/04 burglary in a dwelling, uprated to 2019 prices
ENTRY = {"y": "home_office_2005:burglary_dwelling"}
UNIT = "GBP (2019 prices) a year"


@pytest.fixture(scope="module")
def tiny():
    res = cp.load_result(ROOT / "tests" / "fixtures" / "result_format_1")
    sc = res.scenario({"x": "+1"}, name="more x")
    # by hand: fewer events a year are worth the unit cost each; the rows span two months
    pounds = -BURGLARY_2019 * sc.total_difference("y") * 12 / 2
    return res, sc, np.asarray(pounds, dtype=float)


def test_res_ceac_with_a_named_entry_gives_the_hand_computed_pounds(tiny):
    res, sc, pounds = tiny
    c = res.ceac([sc], value=ENTRY, cost={"more x": 1000.0}, wtp=[0.0, 0.5, 1.0], price_year=2019)
    assert c.unit == UNIT and c.table.attrs["unit"] == UNIT and c.evpi.attrs["unit"] == UNIT
    rows = c.table[c.table["option"] == "more x"].set_index("wtp")
    for lam in (0.0, 0.5, 1.0):
        assert rows.loc[lam, "expected_nb"] == pytest.approx(lam * pounds.mean() - 1000.0)
        assert rows.loc[lam, "p_best"] == pytest.approx(np.mean(lam * pounds - 1000.0 > 0))
    evpi_1 = np.maximum(pounds - 1000.0, 0.0).mean() - max(pounds.mean() - 1000.0, 0.0)
    assert c.evpi.set_index("wtp").loc[1.0, "evpi"] == pytest.approx(evpi_1)
    assert f"{UNIT} per decision" in c.describe() and "willingness to pay of 1" in c.describe()
    assert UNIT in c.figure.axes[1].get_ylabel()
    assert list(res.computed.decisions)[-1] == "ceac: more x"        # remembered for the report
    # the default grid holds 1, the tables' own prices, and runs to at least 2 (here the scenario loses
    # on average, so there is no break-even); your own Pounds give the same numbers
    own = res.ceac([sc], value={"y": Pounds(3268.0, "per event", 2003)}, cost={"more x": 1000.0}, price_year=2019)
    assert 1.0 in own.evpi["wtp"].tolist() and own.evpi["wtp"].max() == 2.0
    assert own.evpi.set_index("wtp").loc[1.0, "evpi"] == pytest.approx(evpi_1)


def test_res_enbs_and_best_mix_in_pounds_are_the_pure_maths_on_the_hand_computed_net_benefit(tiny):
    res, sc, pounds = tiny
    e = res.enbs("x -> y", [20, 200], [sc], value=ENTRY, cost={"more x": 1000.0}, unit_sd=1.0,
                 fixed_cost=5000.0, per_year=43, price_year=2019)
    nb = pd.DataFrame({"no change": 0.0, "more x": pounds - 1000.0})
    ref = enbs(nb, link_draws(res)["x -> y"], [20, 200], lambda n: cp.study_se_for(n_per_arm=n / 2, unit_sd=1.0),
               fixed_cost=5000.0, per_year=43, rng=0)
    np.testing.assert_allclose(e.table["enbs"], ref.table["enbs"])
    assert e.unit == UNIT and e.table.attrs["unit"] == UNIT
    assert "present values in GBP (2019 prices)" in e.describe() and e.figure.axes[0].get_ylabel() == "GBP (2019 prices)"
    m = res.best_mix({"x": [1.0]}, {"x": 1000.0}, budget=1500.0, value=ENTRY, price_year=2019)
    assert m.table.loc["x +1", "expected_nb"] == pytest.approx(pounds.mean() - 1000.0)
    assert m.table.loc["x +1", "cost"] <= 1500.0 and m.unit == UNIT and m.evppi.unit == UNIT
    assert m.describe().endswith(f"Costs, budget and net benefits in {UNIT}.")
    assert f"Next: 'x +1' (GBP {pounds.mean() - 1000.0:,.0f}, P(best)" in m.describe() and "e+" not in m.describe()
    assert UNIT in m.figure.axes[0].get_xlabel()
    assert list(res.computed.decisions)[-2:] == ["enbs: x -> y", "best mix: budget 1,500"]


def test_numbers_stay_unitless_and_bad_pricing_is_refused_before_any_scenario(tiny):
    res, sc, _ = tiny
    assert res.ceac([sc], value={"y": 1.0}, wtp=[1.0]).unit == ""
    assert check_value(res, ENTRY, price_year=2019) == UNIT
    with pytest.raises(ValueError, match="apply to table entries"):
        check_value(res, {"y": 2.0}, price_year=2019)
    with pytest.raises(ValueError, match="is a number beside table entries"):
        res.best_mix({"x": [1.0]}, {"x": 1.0}, budget=2.0, value={**ENTRY, "z": 3.0})
    with pytest.raises(ValueError, match="population: y is not valued per person-year"):
        res.enbs("x -> y", [20], [sc], value=ENTRY, unit_sd=1.0, population={"y": 10.0})
