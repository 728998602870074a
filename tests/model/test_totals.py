"""Direct links sampled as their totals through nodes without data (copath.model.totals)."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

import copath as cp
from copath.evidence.priors import LinkPrior
from copath.model import builder
from copath.model.builder import build_model
from copath.model.totals import LinkTotals, indirect, plan_totals

CHAIN = """
name: chain
nodes:
  x: {kind: exposure}
  u1: {kind: continuous, baseline: 0}
  u2: {kind: continuous, baseline: 0}
  y: {kind: continuous, baseline: 0}
links:
  - {from: x, to: u1}
  - {from: u1, to: u2}
  - {from: u2, to: y}
  - {from: x, to: y}
  - {from: x, to: u2}
outcomes: [y]
"""


def _free(pw):
    return {name: 0 for name in pw.link_names}


def test_the_direct_link_beside_a_middle_node_without_data_is_sampled_as_a_total():
    pw = cp.load_pathway("calibration_pathway")
    t = plan_totals(pw, hidden={"fear"}, signs=_free(pw))
    assert [pw.link_names[i] for i in t.links] == ["crime -> wellbeing"]
    assert [[pw.link_names[j] for j in route] for route in t.paths[0]] == [["crime -> fear", "fear -> wellbeing"]]
    # with data on the middle node there is no ridge; a stated sign on the direct link keeps it as it is
    assert not plan_totals(pw, hidden=set(), signs=_free(pw))
    assert not plan_totals(pw, hidden={"fear"}, signs={**_free(pw), "crime -> wellbeing": -1})


def test_every_path_through_hidden_nodes_is_summed():
    pw = cp.loads_pathway(CHAIN)
    t = plan_totals(pw, hidden={"u1", "u2"}, signs=_free(pw))
    names = pw.link_names
    assert [names[i] for i in t.links] == ["x -> y"]
    routes = sorted(tuple(names[j] for j in r) for r in t.paths[0])
    assert routes == [("x -> u1", "u1 -> u2", "u2 -> y"), ("x -> u2", "u2 -> y")]
    beta = np.array([2.0, 3.0, 5.0, 100.0, 7.0])  # x->u1, u1->u2, u2->y, x->y, x->u2
    assert indirect(t, beta).tolist() == [2 * 3 * 5 + 7 * 5]
    # u1 observed: the path through it no longer counts, the one through u2 alone does
    t2 = plan_totals(pw, hidden={"u2"}, signs=_free(pw))
    assert [[names[j] for j in r] for r in t2.paths[0]] == [["x -> u2", "u2 -> y"]]


def test_indirect_is_the_same_on_numpy_and_pytensor():
    t = LinkTotals(links=(3,), paths=(((0, 1), (2, 1)),))
    beta = np.array([0.5, -2.0, 1.5, 0.0])
    assert indirect(t, beta).tolist() == [-4.0]
    assert indirect(t, pm.math.constant(beta)).eval().tolist() == [-4.0]


def _chain_model(monkeypatch, with_totals: bool):
    pw = cp.loads_pathway(CHAIN)
    rng = np.random.default_rng(0)
    data = cp.simulate(pw, areas=30, months=2, random_seed=1).data.drop(columns=["u1", "u2"])
    data["y"] = data["y"] + rng.normal(0, 0.1, len(data))
    priors = {name: LinkPrior(name, mu=0.3 * i - 0.5, sigma=0.5 + 0.25 * i, scale="slope")
              for i, name in enumerate(pw.link_names)}
    if not with_totals:
        monkeypatch.setattr(builder, "plan_totals", lambda *a, **k: LinkTotals((), ()))
    return build_model(pw, data, priors=priors), priors


def test_sampling_the_total_leaves_the_model_unchanged(monkeypatch):
    # a change of variables with Jacobian 1: at the same link coefficients, the model with
    # the total has the same joint log density as the model without it
    totals, priors = _chain_model(monkeypatch, True)
    monkeypatch.undo()
    plain, _ = _chain_model(monkeypatch, False)
    assert "beta_total" in totals.model.named_vars and "beta_total" not in plain.model.named_vars
    names = list(totals.plan.link_names)
    rng = np.random.default_rng(3)
    logp_t, logp_p = totals.model.compile_logp(), plain.model.compile_logp()
    for _ in range(3):
        beta = rng.normal(0, 1, len(names))
        point_p = plain.model.initial_point()
        point_p["beta"] = beta
        point_t = {k: v for k, v in totals.model.initial_point().items()}
        free = list(totals.model.coords["link_free"])
        point_t["beta_free"] = np.array([beta[names.index(n)] for n in free])
        direct = names.index("x -> y")
        through = beta[names.index("x -> u1")] * beta[names.index("u1 -> u2")] * beta[names.index("u2 -> y")] \
            + beta[names.index("x -> u2")] * beta[names.index("u2 -> y")]
        point_t["beta_total"] = np.array([beta[direct] + through])
        for key in point_p:
            if key not in ("beta",):
                point_t[key] = point_p[key]
        assert logp_t(point_t) == pytest.approx(logp_p(point_p), rel=1e-9)
        [beta_of_values] = totals.model.replace_rvs_by_values([totals.model["beta"]])
        fn = totals.model.compile_fn(beta_of_values, inputs=totals.model.value_vars, on_unused_input="ignore")
        assert np.allclose(fn(point_t), beta)


def test_the_prior_on_the_direct_link_is_its_own(monkeypatch):
    # drawn forward, the direct link keeps its N(mu, sigma) and is independent of the path
    built, priors = _chain_model(monkeypatch, True)
    draws = pm.draw(built.model["beta"], draws=4000, random_seed=2)
    names = list(built.plan.link_names)
    direct = draws[:, names.index("x -> y")]
    p = priors["x -> y"]
    assert abs(direct.mean() - p.mu) < 4 * p.sigma / np.sqrt(4000)
    assert direct.std() == pytest.approx(p.sigma, rel=0.05)
    product = draws[:, names.index("x -> u2")] * draws[:, names.index("u2 -> y")]
    assert abs(np.corrcoef(direct, product)[0, 1]) < 0.05
