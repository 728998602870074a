"""E-values and bias to the null of a link against unmeasured confounding (pure maths, fast)."""

from __future__ import annotations

import numpy as np
import pytest

from copath.scenarios.scenario import hdi_1d
from copath.sensitivity.confounding import (
    bias_to_null,
    e_value,
    e_value_interval,
    link_e_values,
    log_risk_ratio_factor,
    risk_ratio_from_odds_ratio,
    risk_ratio_from_standardised_difference,
)


@pytest.mark.parametrize(("rr", "expected"), [
    (3.9, 3.9 + np.sqrt(3.9 * 2.9)),  # VanderWeele and Ding's example: 7.26
    (0.5, 2 + np.sqrt(2)),  # inverted to 2: 3.41
    (1.0, 1.0),
    (1.2, 1.2 + np.sqrt(1.2 * 0.2)),  # 1.69
])
def test_e_value_by_hand(rr, expected):
    assert e_value(rr) == pytest.approx(expected, abs=1e-12)


def test_e_value_published_numbers():
    assert round(e_value(3.9), 2) == 7.26
    assert round(e_value(0.5), 2) == 3.41


def test_e_value_of_an_interval_uses_the_limit_nearer_the_null():
    assert e_value_interval(0.8, 1.3) == 1.0  # crosses 1
    assert e_value_interval(1.0, 2.0) == 1.0  # touches 1
    assert e_value_interval(1.5, 3.0) == pytest.approx(1.5 + np.sqrt(1.5 * 0.5))
    assert e_value_interval(0.2, 0.5) == pytest.approx(e_value(0.5))  # the upper limit is nearer 1
    assert np.isnan(e_value_interval(np.nan, 2.0))
    with pytest.raises(ValueError, match="above its high limit"):
        e_value_interval(2.0, 1.5)


def test_odds_ratio_and_standardised_difference_conversions():
    assert risk_ratio_from_odds_ratio(4.0) == pytest.approx(2.0)  # common outcome: sqrt(OR)
    assert e_value(risk_ratio_from_odds_ratio(4.0)) == pytest.approx(2 + np.sqrt(2))
    assert risk_ratio_from_odds_ratio(4.0, "rare") == 4.0
    assert e_value(risk_ratio_from_odds_ratio(4.0, "rare")) == pytest.approx(4 + np.sqrt(12))
    rr = risk_ratio_from_standardised_difference(0.5)  # exp(0.455) = 1.5762
    assert rr == pytest.approx(1.57617, abs=1e-5)
    assert e_value(rr) == pytest.approx(1.57617 + np.sqrt(1.57617 * 0.57617), abs=1e-4)  # 2.53
    assert risk_ratio_from_standardised_difference(-0.5) == pytest.approx(1 / rr)
    with pytest.raises(ValueError, match="outcome must be one of"):
        risk_ratio_from_odds_ratio(2.0, "often")


def test_log_risk_ratio_factors():
    assert log_risk_ratio_factor("log") == 1.0
    assert log_risk_ratio_factor("logit", "common") == 0.5
    assert log_risk_ratio_factor("logit", "rare") == 1.0
    assert log_risk_ratio_factor("identity", outcome_sd=2.0) == pytest.approx(0.455)
    assert np.isnan(log_risk_ratio_factor("identity", outcome_sd=0.0))
    with pytest.raises(ValueError, match="outcome_sd"):
        log_risk_ratio_factor("identity")
    with pytest.raises(ValueError, match="link must be one of"):
        log_risk_ratio_factor("probit")


def test_e_value_is_monotone_and_symmetric():
    rr = np.linspace(1.0, 10.0, 200)
    e = e_value(rr)
    assert np.all(np.diff(e) > 0) and np.all(e >= rr)
    np.testing.assert_allclose(e_value(1 / rr), e)
    assert np.all(np.diff(e_value(np.linspace(0.1, 1.0, 50))) < 0)
    with pytest.raises(ValueError, match="positive"):
        e_value(-1.0)


def test_bias_to_null():
    assert bias_to_null(0.75, 0.25, 0.25, 1.25) == (3.0, 1.0)
    assert bias_to_null(-0.75, 0.25, -1.25, -0.5) == (3.0, 2.0)
    assert bias_to_null(0.1, 0.25, -0.3, 0.5)[1] == 0.0
    assert all(np.isnan(bias_to_null(0.1, 0.0, 0.1, 0.1)))


def test_link_e_values_from_draws_by_hand():
    draws = np.random.default_rng(1).normal(-0.4, 0.1, 4000)
    low, high = hdi_1d(draws)
    out = link_e_values(draws, contrast=1.5, link="logit", outcome="common")
    k = 0.5 * 1.5
    assert out["risk_ratio"] == pytest.approx(np.exp(k * draws.mean()))
    assert out["e_value"] == pytest.approx(e_value(np.exp(k * draws.mean())))
    assert out["e_value_ci"] == pytest.approx(e_value(np.exp(k * high)))  # the upper limit is nearer the null
    assert out["bias_to_null"] == pytest.approx(abs(draws.mean()) / draws.std(ddof=1))
    assert out["bias_to_null_ci"] == pytest.approx(abs(high) / draws.std(ddof=1))
    # a larger contrast, or a rarer outcome, reads the same coefficient as a larger ratio
    bigger = link_e_values(draws, contrast=3.0, link="logit")
    rare = link_e_values(draws, contrast=1.5, link="logit", outcome="rare")
    assert bigger["e_value"] > out["e_value"] and rare["e_value"] > out["e_value"]
    assert bigger["bias_to_null"] == out["bias_to_null"]  # no contrast in it


def test_link_e_values_of_an_interval_crossing_zero_and_without_a_contrast():
    draws = np.random.default_rng(2).normal(0.05, 0.2, 4000)
    out = link_e_values(draws, contrast=1.0, link="log")
    assert out["e_value_ci"] == 1.0 and out["bias_to_null_ci"] == 0.0 and out["e_value"] > 1.0
    none = link_e_values(draws, contrast=float("nan"), link="log")
    assert np.isnan(none["e_value"]) and np.isnan(none["e_value_ci"]) and np.isfinite(none["bias_to_null"])
    assert np.isnan(link_e_values(draws, contrast=1.0, link="identity", outcome_sd=float("nan"))["e_value"])
