"""Hand-computed checks of every evidence -> coefficient conversion."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from copath.errors import EvidenceError
from copath.evidence import conversions as conv
from copath.evidence.priors import TRANSPORT_SD, entry_estimate
from copath.evidence.registry import loads_evidence
from copath.spec.pathway import Node

Z90 = norm.ppf(0.95)
Z95 = norm.ppf(0.975)


def test_percent_range_read_as_90pct_interval():
    est = conv.percent_reduction(low=16, high=26, interval=0.90)
    assert est.mean == pytest.approx((math.log(0.84) + math.log(0.74)) / 2)
    assert est.sd == pytest.approx((math.log(0.84) - math.log(0.74)) / (2 * Z90))


def test_percent_point_gets_one_study_sampling_sd():
    est = conv.percent_reduction(23)
    assert est.mean == pytest.approx(math.log(0.77))
    assert est.sd == conv.POINT_SE == 0.15  # the study's bias is added by grade when the prior is built


def test_percent_against_a_comparison_fall():
    est = conv.percent_reduction(35, control=22)
    assert est.mean == pytest.approx(math.log(0.65 / 0.78))


def test_percent_of_100_or_more_is_refused():
    with pytest.raises(ValueError, match="below 100"):
        conv.percent_reduction(100)


def test_ratio_with_95pct_ci():
    est = conv.ratio(0.8, low=0.6, high=1.1)
    assert est.mean == pytest.approx(math.log(0.8))
    assert est.sd == pytest.approx((math.log(1.1) - math.log(0.6)) / (2 * Z95))


def test_before_after_counts_poisson_sd():
    est = conv.before_after(160, 47)
    assert est.mean == pytest.approx(math.log(47 / 160))
    assert est.sd == pytest.approx(math.sqrt(1 / 160 + 1 / 47))
    did = conv.before_after(100, 50, control_before=100, control_after=80)
    assert did.mean == pytest.approx(math.log(0.5 / 0.8))
    assert did.sd == pytest.approx(math.sqrt(1 / 100 + 1 / 50 + 1 / 100 + 1 / 80))


def test_cohens_d_chinn():
    assert conv.cohens_d_to_log_or(0.5) == pytest.approx(0.5 * math.pi / math.sqrt(3))


def test_risk_ratio_to_odds_ratio():
    # RR 0.6 at baseline 50%: risks 0.5 -> 0.3, odds 1 -> 0.3/0.7
    assert math.exp(conv.risk_ratio_to_odds_ratio(math.log(0.6), 0.5)) == pytest.approx(0.3 / 0.7)


def _entry(effect: str, grade: str = "C"):
    text = f"""
- id: e1
  citation: "T (2020)"
  quote: "q"
  design: evaluation
  grade: {grade}
  effect: {effect}
  link: {{from: a, to: b}}
"""
    return loads_evidence(text)["e1"]


@pytest.mark.parametrize(
    "kind, expected_mean",
    [
        ("count", -0.5 * math.pi / math.sqrt(3)),
        ("proportion", -0.5 * math.pi / math.sqrt(3)),
        ("continuous", -0.5 * 2.0),  # d x node scale
    ],
)
def test_cohens_d_by_child_kind(kind, expected_mean):
    node = Node("b", kind, trials="n" if kind == "proportion" else None, scale=2.0)
    est = entry_estimate(_entry("{measure: cohens_d, value: -0.5}"), node)
    assert est.mean == pytest.approx(expected_mean)


def test_direction_and_null_readings():
    count = Node("b", "count")
    up = entry_estimate(_entry('{measure: direction, sign: "+"}', "D"), count)
    down = entry_estimate(_entry('{measure: direction, sign: "-"}', "D"), count)
    null = entry_estimate(_entry('{measure: "null"}', "E"), count)
    assert (up.mean, up.sd) == (conv.DIRECTION_MEAN, conv.DIRECTION_SD)
    assert down.mean == -conv.DIRECTION_MEAN
    assert (null.mean, null.sd) == (0.0, conv.NULL_SD)
    # slopes are in the child's unit: scaled by the node's typical sd
    slope = entry_estimate(_entry('{measure: direction, sign: "+"}', "D"), Node("b", "continuous", scale=0.5))
    assert (slope.mean, slope.sd) == (0.5 * conv.DIRECTION_MEAN, 0.5 * conv.DIRECTION_SD)


def test_percent_on_proportion_with_baseline_becomes_odds_ratio():
    node = Node("b", "proportion", trials="n")
    est = entry_estimate(_entry("{measure: percent_reduction, value: 40, baseline: 50}"), node)
    assert math.exp(est.mean) == pytest.approx(0.3 / 0.7)


def test_ratio_on_a_continuous_child_is_refused():
    from copath.errors import EvidenceError

    with pytest.raises(EvidenceError, match="cannot set a slope"):
        entry_estimate(_entry("{measure: percent_reduction, value: 40}"), Node("b", "continuous"))


def test_risk_ratio_interval_converted_by_its_ends():
    """Issue 27's case by hand: a 40% reduction (20-60%, a 90% range) at a 25% baseline risk.
    Log RR ends log 0.8 and log 0.4; as odds ratios 0.8 x 0.75 / (1 - 0.2) = 0.75 and
    0.4 x 0.75 / (1 - 0.1) = 1/3, so sd = (log 0.75 - log(1/3)) / (2 x 1.6449) = 0.24651 (the ratio
    of the two means gave 0.261)."""
    node = Node("b", "proportion", trials="n")
    est = entry_estimate(_entry("{measure: percent_reduction, low: 20, high: 60, baseline: 25}"), node)
    assert est.sd == pytest.approx((math.log(0.75) - math.log(1 / 3)) / (2 * Z90)) == pytest.approx(0.24651, abs=1e-5)
    mid = math.exp((math.log(0.8) + math.log(0.4)) / 2)
    assert est.mean == pytest.approx(math.log(mid * 0.75 / (1 - mid * 0.25)))


def test_risk_ratio_conversion_is_continuous_at_one():
    """A point value at RR = 1 and at 0.999 (baseline 25%): the sd moves by the conversion's slope,
    1 / (1 - RR p0) = 4/3 at RR = 1, not by a jump (issue 27 measured the old rule at 0.200 at 1 and 0.267 at 0.999)."""
    node = Node("b", "proportion", trials="n")
    at_one = entry_estimate(_entry("{measure: percent_reduction, value: 0, baseline: 25}"), node)
    near = entry_estimate(_entry("{measure: percent_reduction, value: 0.1, baseline: 25}"), node)
    assert at_one.mean == pytest.approx(0.0)
    assert abs(at_one.sd - near.sd) < 1e-3
    # with the +-1 sd ends of a 0.15 log-RR sd: (f(0.15) - f(-0.15)) / 2, close to 0.15 x 4/3
    f = lambda x: conv.risk_ratio_to_odds_ratio(x, 0.25)  # noqa: E731
    assert at_one.sd == pytest.approx((f(0.15) - f(-0.15)) / 2) == pytest.approx(0.2, abs=0.002)


def test_transport_widening_grows_as_grade_weakens():
    values = [TRANSPORT_SD[g] for g in "ABCDE"]
    assert values == sorted(values) and len(set(values)) == 5


def test_a_logit_continuous_child_reads_effects_at_its_baseline():
    """d, a direction and the default prior on the logit scale: the node's scale in points over
    (hi - lo) p0 (1 - p0) at its baseline (the delta method); a ratio cannot set a logit slope."""
    node = Node("b", "continuous", range=(0.0, 10.0), link="logit", scale=2.0, baseline=7.5)
    unit = 2.0 / (10 * 0.75 * 0.25)
    assert entry_estimate(_entry("{measure: cohens_d, value: -0.5}"), node).mean == pytest.approx(-0.5 * unit)
    up = entry_estimate(_entry('{measure: direction, sign: "+"}', "D"), node)
    assert (up.mean, up.sd) == (pytest.approx(conv.DIRECTION_MEAN * unit), pytest.approx(conv.DIRECTION_SD * unit))
    with pytest.raises(EvidenceError, match="cannot set a logit slope on continuous node 'b'"):
        entry_estimate(_entry("{measure: rate_ratio, value: 0.8, low: 0.7, high: 0.9}"), node)
