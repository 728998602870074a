"""Sufficient statistics: the collapsed model has the row-level model's posterior.

Two checks: (1) exact - at random parameter values the two log densities differ by the
same constant (so every posterior quantity is equal); (2) by sampling - a small fit
with and without collapsing gives link means within Monte Carlo error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.model.builder import build_model
from copath.model.compact import input_columns, plan_groups
from copath.model.data import prepare_data

SPEC = """name: compact
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  g: {kind: continuous, scale: 1.0}
  h: {kind: continuous, scale: 2.0, area_effects: true}
  c: {kind: count, offset: pop, per: 100}
  b: {kind: proportion, trials: n, area_effects: true}
links:
  - {from: x1, to: g}
  - {from: x2, to: g}
  - {from: g, to: c}
  - {from: x1, to: c}
  - {from: c, to: b}
  - {from: x2, to: b}
  - {from: c, to: h}
outcomes: [b, h]
"""


def panel(areas: int = 30, months: int = 6, seed: int = 0) -> pd.DataFrame:
    """Area-level x1, x2 and g; counts with a per-row offset; h varies by row."""
    rng = np.random.default_rng(seed)
    n = areas * months
    rep = lambda v: np.repeat(v, months)  # noqa: E731
    x1, x2 = rep(rng.normal(size=areas)), rep(rng.normal(size=areas))
    g = rep(0.5 * x1[::months] + rng.normal(size=areas))
    pop = rng.integers(200, 900, n)  # differs by row: the groups add their exposures
    c = rng.poisson(pop / 100 * np.exp(0.3 + 0.4 * g))
    return pd.DataFrame({"area": rep(np.arange(areas)), "month": np.tile(np.arange(months), areas),
                         "x1": x1, "x2": x2, "g": g, "pop": pop, "c": c, "n": 12,
                         "b": rng.binomial(12, 0.3, n), "h": rng.normal(size=n)})


def random_points(model, k: int, seed: int):
    rng = np.random.default_rng(seed)
    base = model.initial_point()
    return [{name: rng.normal(0, 0.7, size=np.shape(v)) for name, v in base.items()} for _ in range(k)]


def test_collapsed_log_density_differs_by_a_constant():
    pw = cp.loads_pathway(SPEC)
    df = panel()
    rows, collapsed = build_model(pw, df), build_model(pw, df, collapse=True)
    assert set(collapsed.groups) == {"g", "c", "b", "h"}
    assert collapsed.groups["g"].affine is not None  # no area effect: the Z'Z form
    assert collapsed.groups["c"].n_terms == 30 and collapsed.groups["b"].n_terms == 30  # one per area
    assert collapsed.groups["h"].n_terms == 30  # h's inputs: area effect + x1, x2, g (through c)
    f_rows, f_coll = rows.model.compile_logp(), collapsed.model.compile_logp()
    diffs = [f_rows(p) - f_coll(p) for p in random_points(rows.model, 6, seed=1)]
    assert np.ptp(diffs) < 1e-8 * max(1.0, abs(diffs[0]))
    # and the log densities themselves move a lot between the points (the check has teeth)
    assert np.ptp([f_rows(p) for p in random_points(rows.model, 6, seed=1)]) > 100


def test_collapsed_gradient_equals_row_level_gradient():
    pw = cp.loads_pathway(SPEC)
    df = panel(seed=3)
    rows, collapsed = build_model(pw, df), build_model(pw, df, collapse=True)
    g_rows, g_coll = rows.model.compile_dlogp(), collapsed.model.compile_dlogp()
    for p in random_points(rows.model, 3, seed=2):
        np.testing.assert_allclose(g_coll(p), g_rows(p), rtol=1e-7, atol=1e-7)


def test_affine_form_is_exact_with_collinear_and_constant_columns():
    """x2 = 2 x1 (a singular Z'Z) still gives the exact residual sum of squares."""
    pw = cp.loads_pathway("name: t\nnodes:\n  x1: {kind: exposure}\n  x2: {kind: exposure}\n"
                          "  y: {kind: continuous, scale: 1.0}\nlinks:\n  - {from: x1, to: y}\n"
                          "  - {from: x2, to: y}\noutcomes: [y]\n")
    rng = np.random.default_rng(4)
    x1 = rng.normal(size=50)
    df = pd.DataFrame({"area": np.arange(50), "month": 1, "x1": x1, "x2": 2 * x1, "y": rng.normal(size=50)})
    rows, collapsed = build_model(pw, df), build_model(pw, df, collapse=True)
    f_rows, f_coll = rows.model.compile_logp(), collapsed.model.compile_logp()
    diffs = [f_rows(p) - f_coll(p) for p in random_points(rows.model, 5, seed=5)]
    assert np.ptp(diffs) < 1e-8 and abs(diffs[0]) < 1e-8  # the normal's constant is kept


def test_what_is_not_collapsed():
    """Row-level covariates, negative-binomial counts and imputed parents stay per row."""
    pw = cp.loads_pathway(SPEC.replace("c: {kind: count, offset: pop, per: 100}",
                                       "c: {kind: count, offset: pop, per: 100, family: negative_binomial}"))
    df = panel()
    groups = plan_groups(pw, prepare_data(pw, df))
    assert "c" not in groups and "b" in groups
    df.loc[3, "g"] = np.nan  # g (a parent) is imputed there: a parameter per missing row
    prepared = prepare_data(pw, df)
    assert input_columns(pw, prepared, "b") is None
    assert set(plan_groups(pw, prepared)) == {"g"}  # g's own likelihood still collapses
    df = panel()
    df["x1"] = np.random.default_rng(0).normal(size=len(df))  # x1 per row: nothing shared by c or b
    groups = plan_groups(cp.loads_pathway(SPEC), prepare_data(cp.loads_pathway(SPEC), df))
    assert "c" not in groups and "b" not in groups


@pytest.mark.slow  # 15 s: two full fits compared; make test-slow (make test stays under 10 minutes)
def test_collapsed_fit_recovers_the_same_posterior():
    """Same data, collapse on and off: link means agree to Monte Carlo error."""
    pw = cp.loads_pathway(SPEC)
    df = panel(areas=40, months=8, seed=7)
    kw = dict(draws=600, tune=600, chains=2, random_seed=11, progressbar=False, log_likelihood="none",
              prior_draws=20, ppc_draws=20)
    a = cp.fit(pw, df, collapse=True, **kw)
    b = cp.fit(pw, df, collapse=False, **kw)
    assert len(a.run.collapsed) == 4 and b.run.collapsed == ()
    import arviz as az

    ma, mb = a.posterior["beta"].mean(("chain", "draw")), b.posterior["beta"].mean(("chain", "draw"))
    se = np.sqrt(az.mcse(a.posterior, method="mean")["beta"] ** 2 + az.mcse(b.posterior, method="mean")["beta"] ** 2)
    z = np.abs((ma - mb) / se).values
    assert z.max() < 4.5, dict(zip(a.posterior["link"].values, z.round(2)))
    sa, sb = a.posterior["beta"].std(("chain", "draw")), b.posterior["beta"].std(("chain", "draw"))
    np.testing.assert_allclose(sa, sb, rtol=0.25)
    # the row-level groups are unchanged by collapsing: predictive draws per row
    assert a.idata["posterior_predictive"]["c"].shape[-1] == len(df)


@pytest.mark.parametrize("kind", ["count", "proportion"])
def test_group_totals(kind):
    pw = cp.loads_pathway(SPEC)
    df = panel()
    g = plan_groups(pw, prepare_data(pw, df))["c" if kind == "count" else "b"]
    col = "c" if kind == "count" else "b"
    assert g.totals.sum() == df[col].sum()
    expected = df["pop"].sum() / 100 if kind == "count" else df["n"].sum()
    assert g.sizes.sum() == pytest.approx(expected)
    assert "rows -> 30 terms" in g.describe()


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_log_likelihood_totals_from_the_collapsed_model_equal_the_row_level_ones():
    pw = cp.loads_pathway(SPEC)
    df = panel(seed=5)
    res = cp.fit(pw, df, draws=30, tune=100, chains=2, random_seed=2, progressbar=False,
                 log_likelihood="total", prior_draws=10, ppc_draws=10)
    from copath.model.loglik import log_likelihood_totals

    collapsed = build_model(pw, df, priors=res.priors, collapse=True)
    fast = log_likelihood_totals(collapsed.model, res.posterior, rows_model=res._built.model)
    slow = log_likelihood_totals(res._built.model, res.posterior)
    assert sorted(fast.data_vars) == sorted(slow.data_vars) == ["b", "c", "g", "h"]
    for name in slow.data_vars:
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-9, atol=1e-6)
        assert float(slow[name].std()) > 0.1  # varies over draws: the constant alone would not do
    np.testing.assert_allclose(res.idata["log_likelihood"]["c"], slow["c"], rtol=1e-9)
