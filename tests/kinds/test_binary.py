"""The binary kind: a 0/1 outcome per row, Bernoulli with a logit link, no trials column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytensor.tensor as pt
import pytest
from scipy.special import expit
from scipy.stats import bernoulli

import copath as cp
from copath.kinds import names, of
from copath.model.data import prepare_data

SPEC = """name: b
index: [id]
nodes:
  x: {kind: exposure}
  y: {kind: binary%s}
links:
  - {from: x, to: y}
outcomes: [y]
"""


def test_binary_is_a_registered_kind_with_logit_scales():
    kind = of("binary")
    assert "binary" in names()
    assert kind.coefficient_scale == "log odds ratio" and kind.natural_effect == "odds ratio"
    assert kind.noise_variable is None and kind.endogenous and not kind.passes_value
    assert float(kind.natural(np.log(3.0))) == pytest.approx(0.75)


@pytest.mark.parametrize(("extra", "message"), [
    (", trials: n", "a binary node has no 'trials' column"),
    (", family: beta_binomial", "a binary node's family is bernoulli"),
    (", baseline: 1.2", "baseline is a probability strictly between 0 and 1"),
])
def test_a_binary_node_refuses_proportion_fields(extra, message):
    with pytest.raises(cp.SpecError, match=message):
        cp.loads_pathway(SPEC % extra)


def test_its_kernel_is_the_bernoulli_log_likelihood():
    y, eta = np.array([0.0, 1.0, 1.0, 0.0]), np.array([-1.2, 0.3, 2.0, 0.5])
    got = float(of("binary").kernel(None, y, pt.as_tensor_variable(eta), 1.0).eval())
    assert got == pytest.approx(bernoulli.logpmf(y, expit(eta)).sum(), rel=1e-10)  # no constant to drop


def test_the_data_check_wants_zeros_and_ones_and_no_trials_column():
    pw = cp.loads_pathway(SPEC % "")
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "x": [0.1, 0.2, 0.3, 0.4], "y": [0, 1, None, 1]})
    prepared = prepare_data(pw, frame)
    assert prepared.observed["y"].tolist() == [0, 1, 3]
    assert list(pw.required_columns().index) == ["id", "x", "y"]
    assert pw.required_columns().loc["y", "unit"].startswith("0 or 1")
    with pytest.raises(cp.DataError, match=r"column 'y': values must be 0 or 1; first bad rows: 1 \(2\)"):
        prepare_data(pw, frame.assign(y=[0, 2, 1, 1]))


def test_simulated_rows_are_bernoulli_draws_at_the_expected_probability():
    rng = np.random.default_rng(4)
    eta = np.full(20_000, 0.8)
    y = of("binary").simulate(None, eta, {}, None, rng, None)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.mean() - expit(0.8)) < 3 * np.sqrt(expit(0.8) * (1 - expit(0.8)) / y.size)  # 3 binomial SEs
