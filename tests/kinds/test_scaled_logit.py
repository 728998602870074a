"""The scaled logit of a continuous node with ``link: logit`` (:class:`copath.kinds.continuous.ScaledLogit`)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytensor.tensor as pt
import pytest
from scipy.special import expit, logit

import copath as cp
from copath import kinds
from copath.kinds.continuous import CONTINUOUS, ScaledLogit, scaled_logit
from copath.model.builder import intercept_prior
from copath.spec.pathway import Node


def test_a_logit_node_gets_the_scaled_logit_of_its_range():
    node = Node("qol", "continuous", range=(0.0, 10.0), link="logit", scale=0.5, baseline=7.5)
    kind = node.node_kind
    assert isinstance(kind, ScaledLogit) and (kind.lo, kind.hi) == (0.0, 10.0)
    assert kind is kinds.of(node) is scaled_logit(0.0, 10.0)
    assert kinds.of("continuous") is CONTINUOUS  # by name: the identity link
    assert Node("y", "continuous", range=(0.0, 10.0)).node_kind is CONTINUOUS  # identity by default
    # the same kind name and residual sd; a nonlinear mean
    assert (kind.name, kind.noise_variable, node.coefficient_scale) == ("continuous", "sigma", "logit slope")
    assert kind.passes_value and not kind.identity_link and not kind.affine_collapse


def test_natural_is_the_scaled_expit_and_link_its_inverse():
    k = scaled_logit(2.0, 12.0)
    eta = np.array([-800.0, -3.0, 0.0, 1.5, 800.0])
    v = k.natural(eta)
    np.testing.assert_allclose(v, 2.0 + 10.0 * expit(eta))
    assert v.min() >= 2.0 and v.max() <= 12.0 and not np.isnan(v).any()
    np.testing.assert_allclose(k.link(v[1:4]), eta[1:4], rtol=1e-10)
    assert float(k.natural(pt.as_tensor_variable(1.5)).eval()) == pytest.approx(2.0 + 10.0 * expit(1.5))
    assert k.link(12.0) == pytest.approx(logit(1 - 1e-6))  # an end is read just inside it


def test_d_scale_is_the_delta_method_slope_at_the_baseline():
    k = scaled_logit(0.0, 10.0)
    assert k.d_scale(SimpleNamespace(scale=0.5, baseline=7.5)) == pytest.approx(0.5 / (10 * 0.75 * 0.25))
    assert k.d_scale(SimpleNamespace(scale=0.5, baseline=None)) == pytest.approx(0.2)  # the middle: p0 = 0.5
    assert k.unit_scale(SimpleNamespace(scale=0.5, baseline=7.5)) == pytest.approx(0.26667, abs=1e-5)
    # the delta method: one point near the baseline is that many logit units
    h = 1e-5
    assert (k.link(7.5 + h) - k.link(7.5)) / h == pytest.approx(1 / (10 * 0.75 * 0.25), rel=1e-4)


def test_levels_intercept_prior_and_settable_values():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n"
                          "  s: {kind: continuous, range: [0, 10], link: logit, baseline: 7.5, scale: 0.5}\n"
                          "links:\n  - {from: x, to: s}\noutcomes: [s]\n")
    mean, sd = intercept_prior(pw, "s", None)
    assert (mean, sd) == (pytest.approx(logit(0.75)), 1.0)  # on the logit scale, sd 1 as for shares
    kind = pw.nodes["s"].node_kind
    assert kind.pooled_level(16.0, 2.0) == pytest.approx(logit(0.8))  # a mean of 8 points
    assert kind.check_level(9.9) is None
    assert "strictly between" in kind.check_level(10.0) and "strictly between" in kind.check_level(-1.0)
    # area information: n g'(eta)^2 / sigma^2 at the area's mean, g' = (hi - lo) p (1 - p)
    info = kind.area_information(pw.nodes["s"], np.array([16.0, 0.0]), np.array([2.0, 0.0]), np.array([2, 0]), 0.25)
    assert info[0] == pytest.approx(2 * (10 * 0.8 * 0.2) ** 2 / 0.25) and info[1] == 0.0
