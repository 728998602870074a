"""Effects of time: month features, spec checks, a seasonal count recovered, scenarios in a period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.errors import DataError, SpecError
from copath.model.compact import input_columns
from copath.model.data import prepare_data
from copath.model.time import month_features, time_terms

SPEC = """name: seasonal
nodes:
  x: {{kind: exposure}}
  y: {{kind: count, offset: households, per: 1000, time: {time}}}
links:
  - {{from: x, to: y}}
outcomes: [y]
"""


def test_month_features_read_text_dates_and_numbers():
    text = month_features(["2016-12", "2017-01", "2017-06"])
    assert text.month_of_year.tolist() == [11, 0, 5]
    # months from the first: 0, 1, 6; centred at their mean 7/3
    assert np.allclose(text.years * 12, np.array([0, 1, 6]) - 7 / 3)
    numbers = month_features([1, 12, 13, 25])
    assert numbers.month_of_year.tolist() == [0, 11, 0, 0]
    assert np.allclose(numbers.years * 12, np.array([0, 11, 12, 24]) - 47 / 4)
    periods = month_features(pd.period_range("2020-03", periods=2, freq="M").astype(str))
    assert periods.month_of_year.tolist() == [2, 3]
    with pytest.raises(ValueError, match="whole numbers"):
        month_features([1.5, 2.0])
    with pytest.raises(ValueError, match="could not read 'spring'"):
        month_features(["spring", "summer"])


def test_time_terms_add_season_and_trend_per_draw():
    f = month_features([1, 2, 3])  # Jan, Feb, Mar; years -1/12, 0, 1/12
    season = np.array([np.arange(12.0), -np.arange(12.0)])  # two draws
    out = time_terms(f, season=season, trend=np.array([12.0, 0.0]))
    assert np.allclose(out, [[0 - 1, 1 + 0, 2 + 1], [0, -1, -2]])
    assert time_terms(f) == 0.0


def test_spec_checks_time_effects():
    pw = cp.loads_pathway(SPEC.format(time="[season, trend]"))
    assert pw.nodes["y"].time == ("season", "trend")
    assert cp.loads_pathway(SPEC.format(time="season")).nodes["y"].time == ("season",)
    with pytest.raises(SpecError, match="time must be one of 'season', 'trend', 'period', 'period_rw'; got 'weekly'"):
        cp.loads_pathway(SPEC.format(time="[weekly]"))
    with pytest.raises(SpecError, match="lists an effect twice"):
        cp.loads_pathway(SPEC.format(time="[trend, trend]"))
    with pytest.raises(SpecError, match="only a node with an equation"):
        cp.loads_pathway(SPEC.format(time="[]").replace("x: {kind: exposure}", "x: {kind: exposure, time: [trend]}"))
    with pytest.raises(SpecError, match="has no second \\(period\\) column"):
        cp.loads_pathway(SPEC.format(time="[trend]").replace("name: seasonal", "name: seasonal\nindex: [area]"))
    # round trip through the spec mapping
    assert pw.with_nodes({"y": {"time": ["trend"]}}).nodes["y"].time == ("trend",)


def test_unreadable_months_are_one_data_error_naming_the_column():
    pw = cp.loads_pathway(SPEC.format(time="[season]"))
    df = pd.DataFrame({"area": ["a", "b"], "month": ["spring", "summer"], "x": [0.0, 1.0], "y": [1, 2],
                       "households": [100.0, 100.0]})
    with pytest.raises(DataError, match="column 'month'.*could not read 'spring'"):
        prepare_data(pw, df)
    # a trend within one year is a seasonal pattern: both cannot be told apart
    both = cp.loads_pathway(SPEC.format(time="[season, trend]"))
    year = cp.simulate(both, areas=2, months=12, random_seed=0).data
    with pytest.raises(DataError, match="span 12 month.*give y one of them"):
        prepare_data(both, year)
    assert prepare_data(cp.loads_pathway(SPEC.format(time="[season]")), year).time is not None
    # without time effects the month column is only an index
    assert prepare_data(cp.loads_pathway(SPEC.format(time="[]")), df).time is None


def test_a_timed_node_is_not_collapsed():
    pw = cp.loads_pathway(SPEC.format(time="[trend]"))
    sim = cp.simulate(pw, areas=3, months=4, random_seed=0)
    assert input_columns(pw, prepare_data(pw, sim.data), "y") is None
    plain = cp.loads_pathway(SPEC.format(time="[]"))
    assert input_columns(plain, prepare_data(plain, sim.data), "y") == (("x",), False)


@pytest.fixture(scope="module")
def seasonal():
    """A seasonal, trending count simulated at known truth and fitted."""
    pw = cp.loads_pathway(SPEC.format(time="[season, trend]"))
    sim = cp.simulate(pw, areas=20, months=36, random_seed=3,
                      params={"trend": {"y": 0.15}, "season_sd": {"y": 0.2}, "beta": {"x -> y": 0.3},
                              "intercept": {"y": 2.0}})  # about 9 burglaries per area-month
    # at cp.fit's defaults (4 chains x 1,000): at 2 x 400 season_sd's R-hat sat at 1.01 either
    # way a chain started (seeds 1 and 2: 1.0125 / 1.0068 from Pathfinder, 1.0093 / 1.0139 from MAP)
    res = cp.fit(pw, sim.data, random_seed=1, progressbar=False)
    return pw, sim, res


def test_a_seasonal_count_is_recovered(seasonal):
    _, sim, res = seasonal
    assert res.diagnostics().passed
    season = res.posterior["season"].sel(season_node="y")
    mean, sd = season.mean(("chain", "draw")).values, season.std(("chain", "draw")).values
    z = (mean - sim.truth["season"]["y"]) / sd
    # calibrated: z^2 averages 1 (1.03 over 48 months in 4 seeds of this design); twelve
    # zero-sum effects have 11 free ones, and the 99th percentile of chi2(11)/11 is 2.25
    assert np.mean(z**2) < 2.25, z
    # the data tell the months apart: every sd well under the prior's 0.25 x 0.9
    assert np.all(sd < 0.06)
    trend = res.posterior["trend"].sel(trend_node="y").values.ravel()
    assert abs(trend.mean() - 0.15) < 3 * trend.std()
    assert trend.std() < 0.05


def test_a_scenario_in_a_period_keeps_that_months_season(seasonal):
    pw, sim, res = seasonal
    july = res.scenario({"x": "+0.5"}, period=["7"])  # month 7 (a July) only
    last = res.scenario({"x": "+0.5"}, period=12)
    assert july.period == ["7"] and last.period == [str(m) for m in range(25, 37)]
    # by hand: the July rows' expected rate per draw, from the posterior draws
    post = res.posterior.stack(sample=("chain", "draw"))
    rows = sim.data.index[sim.data["month"] == 7].to_numpy()
    f = month_features(sim.data["month"])
    x = sim.data["x"].to_numpy()[rows]
    centre = res.centres()["x"]
    eta = (post["intercept"].sel(node="y").values[:, None]
           + post["season"].sel(season_node="y", month_of_year="Jul").values[:, None]
           + post["trend"].sel(trend_node="y").values[:, None] * f.years[rows][None, :]
           + post["beta"].sel(link="x -> y").values[:, None] * (x[None, :] - centre))
    w = sim.data["households"].to_numpy()[rows]
    expected = (np.exp(eta) @ w) / w.sum()  # burglaries per 1,000 households, weighted by households
    assert np.allclose(july.baseline["y"], expected, rtol=1e-5)
    # and the months differ as their seasons say: July's level against the last year's
    assert not np.allclose(july.baseline["y"], last.baseline["y"], rtol=0.02)
    assert "over 12 months, 25 to 36" in last.describe()
    with pytest.raises(ValueError, match="unknown month"):
        res.scenario({"x": "+0.5"}, period=["40"])


def test_time_summary_reports_the_posterior_of_each_term(seasonal):
    _, sim, res = seasonal
    table = res.time_summary()
    assert list(table.loc["y"].index) == ["trend per year", *["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                              "Aug", "Sep", "Oct", "Nov", "Dec"]]
    jul = res.posterior["season"].sel(season_node="y", month_of_year="Jul").values
    assert np.isclose(table.loc[("y", "Jul"), "mean"], jul.mean())
    assert np.isclose(table.loc[("y", "Jul"), "factor"], np.exp(jul.mean()))
    row = table.loc[("y", "trend per year")]
    assert row["hdi_low"] < 0.15 < row["hdi_high"]


def test_dates_periods_and_year_numbers_are_read_as_they_are_meant():
    dates = month_features(pd.Series(pd.to_datetime(["2016-01-01", "2016-07-01", "2017-01-01"])))
    assert dates.month_of_year.tolist() == [0, 6, 0] and np.allclose(np.diff(dates.years), [0.5, 0.5])
    periods = month_features(pd.Series(pd.period_range("2016-01", periods=3, freq="M")))
    assert periods.month_of_year.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="looks like a year"):
        month_features(["2014", "2015"])
    with pytest.raises(ValueError, match="YYYYMM"):
        month_features([201601, 201602])
