"""Node kinds: each kind's scales, units, checks, likelihood and simulator, and that a new
kind registered in one place is understood by the spec, the data checks, the model, the
simulator and scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
from scipy import stats

import copath as cp
from copath import kinds
from copath.model.data import prepare_data
from copath.spec import Node
from tests.pathways import toy_spec


@pytest.mark.parametrize("name", ["count", "proportion", "continuous"])
def test_link_and_natural_are_inverse(name):
    kind = kinds.of(name)
    level = np.array([0.05, 0.3, 0.9])
    np.testing.assert_allclose(kind.natural(kind.link(level)), level, rtol=1e-12)


def test_units_say_what_the_expected_value_is():
    assert Node("b", "count", offset="households", per=1000).unit_label == "rate per 1000 households"
    assert Node("b", "count", offset="prisoners").unit_label == "rate per 1 prisoners"
    assert Node("b", "count").unit_label == "count per row"
    assert Node("b", "count", unit="crimes per month").unit_label == "crimes per month"
    assert Node("p", "proportion", trials="n").unit_label == "share"
    assert Node("y", "continuous").unit_label == ""


def test_coefficient_scales_come_from_the_kinds():
    # "logit slope": a continuous node with link: logit (the continuous kind's variant)
    assert kinds.coefficient_scales() == ("log rate ratio", "log odds ratio", "slope", "logit slope")
    assert kinds.natural_effects() == {"log rate ratio": "rate ratio", "log odds ratio": "odds ratio",
                                       "slope": "slope", "logit slope": "logit slope"}
    assert kinds.noise_variables() == ("inv_sqrt_phi", "inv_sqrt_kappa", "sigma")
    with pytest.raises(KeyError, match="unknown node kind 'banana'"):
        kinds.of("banana")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (Node("c", "count", per=100), "a count node with 'per' needs an 'offset' column"),
        (Node("c", "count", offset="o", per=-1), "'per' must be a positive number"),
        (Node("c", "count", family="zip"), "family must be one of 'poisson', 'negative_binomial'; got 'zip'"),
        (Node("c", "count", baseline=0.0), "baseline is a rate and must be positive"),
        (Node("p", "proportion"), "needs a 'trials' column"),
        (Node("p", "proportion", trials="n", baseline=1.2), "strictly between 0 and 1"),
        (Node("y", "continuous", scale=0.0), "'scale' must be a positive number"),
        (Node("x", "exposure", baseline=0.2), "an exposure has no equation"),
    ],
)
def test_each_kind_checks_its_own_fields(node, message):
    problems = kinds.of(node).validate(node)
    assert problems and message in problems[0]


def test_data_checks_name_the_rule_of_the_kind():
    count, prop = kinds.of("count"), kinds.of("proportion")
    y = np.array([0.0, 2.5, 3.0, -1.0])
    bad, why = count.check_values(Node("c", "count"), y, np.ones(4, bool), {})
    assert bad.tolist() == [False, True, False, True] and "whole numbers" in why
    trials = {"n": np.array([5.0, 5.0, 0.0, 2.0])}
    bad, why = prop.check_values(Node("p", "proportion", trials="n"), np.array([5.0, 6.0, 0.0, 1.0]),
                                 np.ones(4, bool), trials)
    assert bad.tolist() == [False, True, False, False] and "'n'" in why
    assert prop.observed_rows(Node("p", "proportion", trials="n"), np.ones(4, bool), trials).tolist() == [
        True, True, False, True]


def test_collapsed_normal_groups_equal_the_rows():
    """Continuous: n, mean and within-group sum of squares give the row-level log likelihood."""
    kind = kinds.of("continuous")
    rng = np.random.default_rng(0)
    y = rng.normal(size=12)
    inverse = np.repeat(np.arange(4), 3)
    eta = np.array([0.1, -0.2, 0.3, 0.0])
    totals, sizes, within = kind.group_stats(y, inverse, np.ones(12), 4)
    term = float(kind.grouped_term(totals, sizes, within, pt.as_tensor_variable(eta),
                                   pt.as_tensor_variable(0.7)).eval())
    assert term == pytest.approx(stats.norm.logpdf(y, eta[inverse], 0.7).sum())


def test_noise_parameters():
    assert kinds.of("count").noise(Node("c", "count")) is None
    nb = kinds.of("count").noise(Node("c", "count", family="negative_binomial"))
    assert (nb.variable, nb.dim, nb.scale, nb.per_node) == ("inv_sqrt_phi", "nb_node", 1.0, False)
    sd = kinds.of("continuous").noise(Node("y", "continuous", scale=3.0))
    assert (sd.variable, sd.scale, sd.per_node) == ("sigma", 3.0, True)


def test_simulators_draw_what_the_likelihood_models():
    rng = np.random.default_rng(1)
    eta = np.full(20_000, np.log(4.0))
    count = kinds.of("count").simulate(Node("c", "count", offset="o", per=10), eta, {"o": np.full(20_000, 20.0)},
                                       None, rng, None)
    assert count.mean() == pytest.approx(8.0, rel=0.03)  # rate 4 per 10 x 20
    share = kinds.of("proportion").simulate(Node("p", "proportion", trials="n"), np.zeros(20_000),
                                            {"n": np.full(20_000, 10.0)}, None, rng, None)
    assert share.mean() == pytest.approx(5.0, rel=0.03)


# ------------------------------------------------------------------ a kind added in one place
class Score(kinds.NodeKind):
    """A kind defined outside copath: a bounded score, Student-t around its linear predictor,
    with its own noise parameter (``score_sd``, one per node along ``score_node``)."""

    name = "score"
    display = "score (Student-t, identity link)"
    colour = "#ffffff"
    coefficient_scale = "slope"
    natural_effect = "slope"
    natural_level = "mean"
    passes_value = True
    identity_link = True
    noise_variable = "score_sd"
    noise_dim = "score_node"

    def unit_label(self, node) -> str:
        return node.unit or "points"

    def unit_scale(self, node) -> float:
        return node.scale

    def d_scale(self, node) -> float:
        return node.scale

    def intercept_sd(self, node) -> float:
        return 2.0 * node.scale

    def pooled_level(self, total, size) -> float:
        return float(total / size)

    def noise(self, node):
        return kinds.NoiseParameter(self.noise_variable, self.noise_dim, node.scale, per_node=True)

    def likelihood(self, name, node, eta, y, size, noise, dims) -> None:
        pm.StudentT(name, nu=5, mu=eta, sigma=noise, observed=y, dims=dims)

    def simulate(self, node, eta, columns, noise, rng, value):
        drawn = eta + noise * rng.standard_t(5, size=eta.shape)
        return value if value is not None else drawn


@pytest.fixture
def score_kind():
    kinds.register(Score())
    yield kinds.of("score")
    del kinds.KINDS["score"]


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_registered_kind_works_end_to_end(score_kind, tmp_path):
    spec = toy_spec("scored", p=False, y={"kind": "score", "better": "higher"}, direct=True)
    pw = cp.loads_pathway(spec)
    assert pw.nodes["y"].node_kind is score_kind and pw.nodes["y"].coefficient_scale == "slope"
    sim = cp.simulate(pw, areas=30, months=3, random_seed=1, params={"beta": {"x -> c": -0.5, "c -> y": 0.4}})
    assert "score_sd" in sim.truth and "y" in sim.truth["score_sd"]
    res = cp.fit(pw, sim.data, draws=150, tune=150, chains=2, random_seed=1, progressbar=False)
    assert list(res.model.coords["score_node"]) == ["y"] and "score_sd" in res.posterior
    assert res.model["y"].owner.op.__class__.__name__.startswith("StudentT")
    sc = res.scenario({"x": "+0.1"})
    assert sc.outcomes().loc["y", "unit"] == "points"
    assert res.report(tmp_path / "r.html").stat().st_size > 10_000


def test_a_kind_cannot_replace_another():
    with pytest.raises(ValueError, match="there is already a kind 'count'"):
        kinds.register(kinds.of("count"))


def test_an_unregistered_kind_is_one_clear_error():
    with pytest.raises(cp.SpecError, match="unknown kind 'score'; expected one of exposure, count"):
        cp.loads_pathway(toy_spec("scored", p=False, y={"kind": "score"}))


def test_required_columns_come_from_the_kinds():
    pw = cp.loads_pathway(toy_spec(c={"offset": "hh", "per": 1000}))
    from copath.model.data import required_columns

    index = "index column, from the spec's 'index:' key"
    assert required_columns(pw) == {"area": index, "month": index, "x": "exposure",
                                    "hh": "offset of c", "n": "trials of p"}
    frame = pd.DataFrame({"area": ["a"], "month": [1], "x": [0.2], "hh": [0.0], "n": [3], "c": [1], "p": [1],
                          "y": [0.1]})
    with pytest.raises(cp.DataError, match="offsets must be positive"):
        prepare_data(pw, frame)


@pytest.mark.parametrize("given", ["count", "share"])
def test_beta_binomial_predictive_draws_survive_saturated_shares(given):
    """Issue 29: a wide prior drives the expected share to exactly 0 or 1 in floating point; the
    prior predictive draws then stopped with 'b <= 0' (a share with an effective sample size) or
    scipy's domain error (counts). The share is kept inside (0, 1) for the beta parameters."""
    import pandas as pd
    import pymc as pm

    from copath.evidence.priors import LinkPrior
    from copath.model.builder import build_model

    spec = ("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: proportion, trials: n, family: beta_binomial"
            + (", given_as: share" if given == "share" else "") + "}\nlinks:\n  - {from: x, to: y}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    rng = np.random.default_rng(0)
    y = rng.binomial(50, 0.3, 40).astype(float)
    df = pd.DataFrame({"area": [f"A{i}" for i in range(40)], "month": 1, "x": rng.uniform(0, 1, 40),
                       "n": 50.0, "y": y / 50 if given == "share" else y})
    built = build_model(pw, df, priors={"x -> y": LinkPrior("x -> y", 0.0, 200.0, "log odds ratio")})
    with built.model:
        draws = pm.sample_prior_predictive(draws=200, random_seed=1)
    sim = draws["prior_predictive"]["y"].values
    share = sim / 50  # successes out of n = 50 either way (a share enters as share x its sample size)
    assert np.isfinite(sim).all() and ((share == 0) | (share == 1)).mean() > 0.5  # saturated, and drawn
