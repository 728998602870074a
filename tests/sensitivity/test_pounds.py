"""Value in pounds: a named table entry gives the hand-computed pounds a year on a tiny fitted
result (the committed ``result_format_1``: x -> y (count) -> z, two months of rows)."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import copath as cp
from copath.datasets.values import Pounds, per_recorded_crime
from copath.sensitivity import pounds
from copath.sensitivity.pounds import PricedNode, WellbyNodeWarning, pounds_a_year, pounds_table, resolve
from copath.sensitivity.value import net_benefit, result_evppi
from tests.conftest import ROOT
from tests.pathways import toy_pathway

BURGLARY_2019 = 3268.0 * 81.1085 / 58.266   # the 2003/04 burglary in a dwelling, uprated to 2019 prices


@pytest.fixture(scope="module")
def tiny():
    res = cp.load_result(ROOT / "tests" / "fixtures" / "result_format_1")
    return res, res.scenario({"x": "+1"}, name="more x")


def test_a_count_priced_per_event_gives_the_hand_computed_pounds_a_year(tiny):
    res, sc = tiny
    events_a_year = sc.total_difference("y") * 12 / 2          # the rows span two months
    nb = net_benefit(res, [sc], {"y": "home_office_2005:burglary_dwelling"}, cost={"more x": 1000.0},
                     price_year=2019)
    assert nb.attrs["unit"] == "GBP (2019 prices) a year"
    np.testing.assert_allclose(nb["more x"], -BURGLARY_2019 * events_a_year - 1000.0)
    assert (nb["no change"] == 0).all()
    t = pounds_table(res, sc, {"y": "home_office_2005:burglary_dwelling"}, price_year=2019)
    assert t.loc["y", "amount"] == pytest.approx(4549.18, abs=0.01)
    assert t.loc["y", "gbp_a_year"] == pytest.approx(-BURGLARY_2019 * events_a_year.mean())
    assert t.loc["y", "hdi_low"] < t.loc["y", "gbp_a_year"] < t.loc["y", "hdi_high"]
    assert t.loc["total", "gbp_a_year"] == pytest.approx(t.loc["y", "gbp_a_year"])
    # your own figure, as Pounds, gives the same as the table's at the same price year
    own = Pounds(3268.0, "per event", 2003, "Online Report 30/05")
    np.testing.assert_allclose(net_benefit(res, [sc], {"y": own}, price_year=2019)["more x"],
                               nb["more x"] + 1000.0)


def test_plain_numbers_keep_their_unit_and_refuse_the_pounds_arguments(tiny):
    res, sc = tiny
    assert net_benefit(res, [sc], {"y": 2.0}).attrs["unit"] == ""
    with pytest.raises(ValueError, match="apply to table entries"):
        net_benefit(res, [sc], {"y": 2.0}, price_year=2024)
    with pytest.raises(ValueError, match="is a number beside table entries"):
        net_benefit(res, [sc], {"y": "home_office_2005:burglary_dwelling", "z": 5.0})


def test_entries_that_do_not_fit_the_node_are_refused(tiny):
    res, sc = tiny
    with pytest.raises(ValueError, match="is per person-year of a 0-10 life-satisfaction score"):
        net_benefit(res, [sc], {"z": "green_book:wellby"}, population={"z": 1000})
    with pytest.raises(ValueError, match="is per event, but z is a continuous node"):
        net_benefit(res, [sc], {"z": "home_office_2005:theft"})
    with pytest.raises(ValueError, match=r"price year 2025 is not in the bundled GDP deflator"):
        net_benefit(res, [sc], {"y": "home_office_2005:theft"}, price_year=2025)
    with pytest.raises(ValueError, match="has no figure"):
        net_benefit(res, [sc], {"y": "home_office:burglary_domestic"})


def test_a_wellby_is_the_mean_change_times_the_population_per_year():
    pw = toy_pathway(y={"range": [0, 10], "better": "higher", "label": "life satisfaction"})
    stub = SimpleNamespace(pathway=pw)
    priced, year = resolve(stub, {"y": "green_book:wellby"}, population={"y": 2000.0})
    p = priced["y"]
    assert year == 2024 and p.amount == pytest.approx(13000.0 * 100 / 81.1085)   # 16,027.9 in 2024 prices
    scenario = SimpleNamespace(difference=lambda node: np.array([0.01, 0.02, -0.01]))
    np.testing.assert_allclose(pounds_a_year(scenario, p), p.amount * 2000.0 * np.array([0.01, 0.02, -0.01]))
    with pytest.raises(ValueError, match="state how many people y describes"):
        resolve(stub, {"y": "green_book:wellby"})
    lower = SimpleNamespace(pathway=toy_pathway(y={"range": [0, 10], "better": "lower"}))
    with pytest.raises(ValueError, match="WELLBY on a node whose better is 'lower'"):
        resolve(lower, {"y": "green_book:wellby"}, population={"y": 10.0})
    with pytest.raises(ValueError, match="population: c is not valued per person-year"):
        resolve(stub, {"y": "green_book:wellby"}, population={"y": 10.0, "c": 5.0})


def test_a_count_cost_is_a_gain_when_events_fall():
    node = PricedNode("c", "e", 100.0, "per event", 2003, 2003, None)
    scenario = SimpleNamespace(total_difference=lambda n: np.array([-6.0, 3.0]), months=lambda: 6)
    np.testing.assert_allclose(pounds_a_year(scenario, node), [1200.0, -600.0])   # -100 x change x 12 / 6


def test_evppi_in_pounds_says_its_unit(tiny):
    res, sc = tiny
    vi = result_evppi(res, [sc], {"y": "home_office_2005:burglary_dwelling"}, cost=1000.0, price_year=2019)
    assert vi.unit == "GBP (2019 prices) a year" and vi.evpi >= 0
    assert vi.describe().endswith("Values in GBP (2019 prices) a year.")
    assert result_evppi(res, [sc], {"y": 1.0}).unit == ""


def test_a_stated_recorded_share_prices_all_the_crimes_behind_a_recorded_one(tiny):
    res, sc = tiny
    plain = pounds_table(res, sc, {"y": "home_office_2005:burglary_dwelling"}, price_year=2019)
    assert plain.attrs["recorded_only"] == ["y"]              # no share stated: recorded crimes only, understates
    shared = pounds_table(res, sc, {"y": per_recorded_crime("home_office_2005:burglary_dwelling", 0.5)},
                          price_year=2019)
    assert shared.attrs["recorded_only"] == []
    assert shared.loc["y", "amount"] == pytest.approx(2 * BURGLARY_2019)
    assert shared.loc["y", "gbp_a_year"] == pytest.approx(2 * plain.loc["y", "gbp_a_year"])
    assert shared.loc["y", "entry"] == "home_office_2005:burglary_dwelling / 0.5 (recorded share of all crimes)"


def test_a_wellby_on_a_node_not_called_life_satisfaction_is_warned_about_once():
    pounds._WARNED.clear()
    trust = SimpleNamespace(pathway=toy_pathway(y={"range": [0, 10], "better": "higher", "label": "Trust in police",
                                                   "unit": "points"}))
    with pytest.warns(WellbyNodeWarning, match=r"y \(label 'Trust in police', unit 'points'\) does not say it is "
                                               "life satisfaction"):
        resolve(trust, {"y": "green_book:wellby"}, population={"y": 10.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve(trust, {"y": "green_book:wellby"}, population={"y": 10.0})       # once
        named = SimpleNamespace(pathway=toy_pathway(y={"range": [0, 10], "better": "higher",
                                                       "label": "Life satisfaction (ONS)"}))
        resolve(named, {"y": "green_book:wellby"}, population={"y": 10.0})       # says what it is: no warning


@pytest.mark.filterwarnings("ignore:value. c leads to y")   # the toy's c is upstream of y: warned apart
def test_a_cost_per_crime_beside_a_wellby_is_warned_about_as_counting_the_victims_harm_twice():
    pw = toy_pathway(y={"range": [0, 10], "better": "higher", "label": "life satisfaction"})
    stub = SimpleNamespace(pathway=pw)
    sc = SimpleNamespace(name="s", difference=lambda node: np.array([0.01, 0.02]),
                         total_difference=lambda node: np.array([-1.0, -2.0]), months=lambda: 12)
    with pytest.warns(UserWarning, match=r"a cost per crime \(c\) and a WELLBY \(y\) are valued together.*property "
                                         r"stolen or damaged, health services, the police and criminal-justice "
                                         r"response, spending in anticipation of crime\); those components are not "
                                         "bundled"):
        nb = net_benefit(stub, [sc], {"c": "home_office_2005:theft", "y": "green_book:wellby"},
                         population={"y": 100.0}, price_year=2003)
    # the sum itself is unchanged: 844 per theft avoided plus the WELLBYs
    wellby_2003 = 13000.0 * 58.266 / 81.1085
    np.testing.assert_allclose(nb["s"], 844.0 * np.array([1.0, 2.0]) + wellby_2003 * 100.0 * np.array([0.01, 0.02]))
