"""Cost-effectiveness acceptability curves and EVPI over willingness to pay (sensitivity/ceac.py):
the closed forms of a normal incremental net benefit, the frontier, several options, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import copath as cp
from copath.sensitivity.ceac import default_wtp, option_costs


def unit_normal_loss(z: float) -> float:
    """L(z) = E[(Z - z)^+] for a standard normal Z: phi(z) - z (1 - Phi(z))."""
    return float(norm.pdf(z) - z * norm.sf(z))


def _closed_form(m: float, s: float) -> tuple[float, float]:
    """Two options, incremental net benefit N(m, s^2): P(the second is best) = Phi(m / s) and
    EVPI = E[max(0, INB)] - max(0, m) = s L(|m| / s)."""
    return float(norm.cdf(m / s)), s * unit_normal_loss(abs(m) / s)


def test_two_options_with_a_normal_incremental_net_benefit_match_the_closed_forms():
    n, mu, sigma, cost = 20_000, 2.0, 1.0, 100.0
    gain = np.random.default_rng(2001).normal(mu, sigma, n)
    wtp = [20.0, 40.0, 50.0, 60.0, 150.0]
    res = cp.ceac(pd.DataFrame({"no change": 0.0, "patrol": gain}), cost={"patrol": cost}, wtp=wtp)
    for lam in wtp:
        p, evpi = _closed_form(lam * mu - cost, lam * sigma)
        row = res.table[(res.table["wtp"] == lam) & (res.table["option"] == "patrol")].iloc[0]
        se = np.sqrt(p * (1 - p) / n)
        assert abs(row["p_best"] - p) < 4 * se + 1e-12, (lam, row["p_best"], p)
        e = res.evpi.set_index("wtp").loc[lam]
        assert abs(e["evpi"] - evpi) < 4 * e["evpi_se"], (lam, e["evpi"], evpi, e["evpi_se"])
    # the curves of the two options add to one; the frontier switches at the break-even, 50 a point
    wide = res.table.pivot(index="wtp", columns="option", values="p_best")
    np.testing.assert_allclose(wide.sum(axis=1), 1.0)
    assert res.frontier().loc[40.0] == "no change" and res.frontier().loc[60.0] == "patrol"
    assert res.switches() == [(60.0, "no change", "patrol")]
    # the EVPI peaks at the break-even (closed form 50 * L(0) = 19.95)
    assert res.evpi.set_index("wtp")["evpi"].idxmax() == 50.0
    assert res.evpi.set_index("wtp").loc[50.0, "evpi"] == pytest.approx(50 * norm.pdf(0), rel=0.03)


def test_uncertain_costs_widen_the_incremental_net_benefit_as_the_closed_form_says():
    n = 20_000
    rng = np.random.default_rng(7)
    gain, cost = rng.normal(1.0, 0.5, n), rng.normal(30.0, 10.0, n)
    effect = pd.DataFrame({"a": 0.0, "b": gain})
    res = cp.ceac(effect, cost=pd.DataFrame({"a": 0.0, "b": cost}), wtp=[25.0, 45.0])
    for lam in (25.0, 45.0):
        p, evpi = _closed_form(lam * 1.0 - 30.0, float(np.hypot(lam * 0.5, 10.0)))
        got = res.table[(res.table["wtp"] == lam) & (res.table["option"] == "b")].iloc[0]
        assert abs(got["p_best"] - p) < 4 * np.sqrt(p * (1 - p) / n)
        e = res.evpi.set_index("wtp").loc[lam]
        assert abs(e["evpi"] - evpi) < 4 * e["evpi_se"]


def test_three_options_the_frontier_and_the_population():
    rng = np.random.default_rng(3)
    n = 4000
    # a: nothing; b: cheap and small; c: dear and large but uncertain
    effect = pd.DataFrame({"a": 0.0, "b": rng.normal(1.0, 0.2, n), "c": rng.normal(3.0, 2.0, n)})
    res = cp.ceac(effect, cost={"b": 10.0, "c": 60.0}, wtp=np.linspace(0, 100, 21), per_year=10, horizon_years=2,
                  effect_unit="point", money_unit="GBP")
    assert res.options == ("a", "b", "c")
    for _, part in res.table.groupby("wtp"):
        assert part["p_best"].sum() == pytest.approx(1.0)
        assert part["on_frontier"].sum() == 1
        assert part.loc[part["on_frontier"], "option"].iloc[0] == part.loc[part["expected_nb"].idxmax(), "option"]
    # expected net benefit by hand: b = 1 lam - 10, c = 3 lam - 60: a until 10, b until 25, then c
    best = res.frontier()
    assert best.loc[5.0] == "a" and best.loc[15.0] == "b" and best.loc[35.0] == "c"
    assert [s[2] for s in res.switches()] == ["b", "c"]
    assert res.population_factor == 20.0
    np.testing.assert_allclose(res.evpi["population_evpi"], res.evpi["evpi"] * 20.0)
    text = res.describe()
    assert "'a'" in text and "'c' from GBP" in text and "per point" in text
    assert len(res.figure.axes) == 2 and "<table" in res._repr_html_()
    assert res.curve("c").index.tolist() == res.evpi["wtp"].tolist()


def test_default_grid_costs_and_bad_input():
    e, c = np.array([[0.0, 2.0], [0.0, 2.0]]), option_costs({"b": 100.0}, ["a", "b"], 2)
    assert default_wtp(e, c, points=5).tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]  # twice the break-even 50
    assert option_costs(5.0, ["a", "b", "c"], 1).tolist() == [[0.0, 5.0, 5.0]]
    effect = pd.DataFrame({"a": 0.0, "b": [1.0, 2.0]})
    assert cp.ceac(effect, cost={"b": 3.0}).evpi["wtp"].max() == pytest.approx(4.0)
    with pytest.raises(ValueError, match="unknown option"):
        cp.ceac(effect, cost={"z": 1.0})
    with pytest.raises(ValueError, match="non-negative"):
        cp.ceac(effect, wtp=[-1.0])
    with pytest.raises(ValueError, match="two options"):
        cp.ceac(effect[["a"]])
    with pytest.raises(ValueError, match="NaN"):
        cp.ceac(pd.DataFrame({"a": 0.0, "b": [np.nan, 1.0]}))
    with pytest.raises(ValueError, match="shape"):
        cp.ceac(effect, cost=np.zeros((3, 2)))


def test_in_pounds_the_description_leads_with_the_evpi_at_the_tables_own_prices():
    gain = np.random.default_rng(7).normal(10_000.0, 2_000.0, 4000)         # pounds a year, priced
    effect = pd.DataFrame({"no change": 0.0, "patrol": gain})
    unit = "GBP (2024 prices) a year"
    # willingness to pay 1 against a cost of 12,000: EVPI = E[max(0, g - c)] - max(0, E[g] - c), by hand
    evpi_1 = np.maximum(gain - 12_000.0, 0).mean() - max(gain.mean() - 12_000.0, 0)
    at_end = dataclasses.replace(cp.ceac(effect, cost={"patrol": 12_000.0}, wtp=[0.0, 0.5, 1.0], per_year=2),
                                 unit=unit)
    text = at_end.describe()
    assert text.startswith("At the tables' own prices (willingness to pay 1) 'no change' has the highest expected net "
                           f"benefit and perfect information is worth {evpi_1:,.0f} {unit} per decision (SE ")
    assert f"{2 * evpi_1:,.0f} GBP (2024 prices) over the population and horizon" in text
    assert "worth most" not in text and "e+" not in text    # the grid's largest EVPI is its end: not a peak
    inside = dataclasses.replace(cp.ceac(effect, cost={"patrol": 12_000.0}, wtp=[0.5, 1.0, 1.2, 2.0, 4.0]),
                                 unit=unit)
    top = inside.evpi.loc[inside.evpi["evpi"].idxmax()]
    assert 0 < inside.evpi["evpi"].idxmax() < 4                # the EVPI peaks near break-even, 1.2, inside
    assert f"Perfect information is worth most, {top['evpi']:,.0f} {unit} per decision" in inside.describe()
    plain = cp.ceac(effect / 10_000.0, cost={"patrol": 1.2}, wtp=[0.0, 0.5, 1.0])   # no unit: as before
    assert not plain.describe().startswith("At the tables' own prices") and "worth most" in plain.describe()
