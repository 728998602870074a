"""PSIS-LOO of a fit (copath.model.loo): grouping by area, the integrated area effect,
exact refits for high Pareto k, and the error for a fit that stored only totals."""

from __future__ import annotations

import warnings
from dataclasses import replace

import arviz as az
import numpy as np
import pymc as pm
import pytest
import xarray as xr
from scipy.special import logsumexp

import copath as cp
from copath.model.loo import (
    TOTAL,
    LooWarning,
    grouped_log_likelihood,
    integrated_area_log_likelihood,
    loo_of,
    resolve_by,
)


def test_grouping_sums_each_units_points():
    values = np.arange(12.0).reshape(1, 2, 6)
    of = np.array([2, 0, 0, 1, 2, 2])
    out = grouped_log_likelihood(values, of, 3)
    assert out[0, 1].tolist() == [7.0 + 8.0, 9.0, 6.0 + 10.0 + 11.0]


def test_leave_one_area_out_is_psis_on_the_area_sums(chain_fit):
    """Without area effects, by="area" is ArviZ's PSIS-LOO on each area's summed log
    likelihood (grouped here independently, with pandas)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LooWarning)
        lo = loo_of(chain_fit, by="area", max_refits=0)
    ll = chain_fit.idata["log_likelihood"].to_dataset()
    area = chain_fit.data["area"].to_numpy()
    per_row = sum(ll[n].transpose("chain", "draw", ...).values for n in ("m", "y"))  # every row observed
    areas = sorted(set(area))
    summed = np.stack([per_row[..., area == a].sum(axis=-1) for a in areas], axis=-1)
    tree = xr.DataTree.from_dict({"posterior": chain_fit.posterior, "log_likelihood": xr.Dataset(
        {"ll": (("chain", "draw", "area"), summed)}, coords={"area": areas})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = az.loo(tree, var_name="ll", pointwise=True)
    assert lo.by == "area" and lo.table.loc[TOTAL, "n_units"] == 20
    assert lo.table.loc[TOTAL, "elpd"] == pytest.approx(float(ref.elpd), abs=1e-6)
    assert lo.table.loc[TOTAL, "se"] == pytest.approx(float(ref.se), rel=1e-6)
    assert lo.pointwise[TOTAL].index.tolist() == areas
    np.testing.assert_allclose(lo.pareto_k[TOTAL].to_numpy(), np.asarray(ref.pareto_k), atol=1e-9)


def test_row_loo_matches_arviz_per_node(chain_fit):
    lo = loo_of(chain_fit, by="row", max_refits=0)
    ref = az.loo(chain_fit.idata, var_name="y", pointwise=True)
    assert lo.table.loc["y", "elpd"] == pytest.approx(float(ref.elpd), abs=1e-6)
    assert lo.table.loc["y", "p_loo"] == pytest.approx(float(ref.p), abs=1e-6)
    assert lo.table.loc["y", "se"] == pytest.approx(float(ref.se), rel=1e-6)
    assert resolve_by(chain_fit, "auto") == "row"


def test_a_high_k_unit_is_refitted_exactly_and_agrees_with_psis(chain_fit):
    """With the threshold just under the largest k, one row is refitted without its data;
    its exact log predictive density agrees with PSIS where k is moderate."""
    psis = loo_of(chain_fit, by="row", max_refits=0)
    k = psis.pareto_k[TOTAL]
    threshold = float(np.sort(np.concatenate([psis.pareto_k[n].to_numpy() for n in psis.pareto_k]))[-2])
    lo = loo_of(chain_fit, by="row", k_threshold=threshold, max_refits=1)
    worst = [n for n in psis.pareto_k if psis.pareto_k[n].max() > threshold]
    unit = psis.pareto_k[worst[0]].idxmax()
    assert lo.refitted == (unit,) and lo.reliable and lo.table["refitted"].sum() >= 1
    assert lo.pointwise[TOTAL][unit] == pytest.approx(psis.pointwise[TOTAL][unit], abs=0.3)
    assert k.max() < 1  # a moderate k, or the agreement above would not be expected
    others = lo.pointwise[TOTAL].drop(unit)
    assert np.array_equal(others.to_numpy(), psis.pointwise[TOTAL].drop(unit).to_numpy())
    assert "refitted exactly" in lo.describe()


def test_too_many_high_k_units_warn_and_mark_the_result_unreliable(chain_fit):
    with pytest.warns(LooWarning, match="unreliable"):
        lo = loo_of(chain_fit, by="row", k_threshold=-1.0, max_refits=2)
    assert not lo.reliable and len(lo.unreliable) == 120 and not lo.refitted
    assert "not refitted" in lo.describe() and "unreliable" in lo.describe()


def test_a_fit_with_only_totals_is_refused_with_the_remedy(chain_fit):
    ll = chain_fit.idata["log_likelihood"].to_dataset()
    totals = ll.sum(dim=[d for d in ll.dims if d not in ("chain", "draw")])
    tree = xr.DataTree.from_dict({"posterior": chain_fit.posterior, "log_likelihood": totals})
    only = replace(chain_fit, idata=tree, run=replace(chain_fit.run, log_likelihood="total"))
    with pytest.raises(cp.CopathError, match='log_likelihood="pointwise"'):
        loo_of(only)
    with pytest.raises(ValueError, match="by must be one of"):
        loo_of(chain_fit, by="cluster")


def test_the_area_effect_is_integrated_out_as_monte_carlo_agrees(toy):
    """The quadrature's marginal likelihood of an area (its effect drawn from N(0, area_sd))
    agrees with plain Monte Carlo over 4000 effects at one posterior draw."""
    _, _, res = toy
    integrated = integrated_area_log_likelihood(res, ["c"])["c"]  # (chain, draw, area)
    post = res.posterior.isel(chain=[0], draw=[5])
    n_mc = 4000
    rng = np.random.default_rng(0)
    z = rng.standard_normal(n_mc)
    sd = float(post["area_sd"].sel(area_node="c").values.squeeze())
    level = float(post["intercept"].sel(node="c").values.squeeze())
    mc = post.isel(draw=np.zeros(n_mc, dtype=int)).assign_coords(draw=np.arange(n_mc))
    for var in ("area_c", "area_z"):
        if var in mc:
            labels = [str(v) for v in mc[var][mc[var].dims[-1]].values]
            on_c = np.array([lab.startswith("c: ") for lab in labels])
            new = mc[var].values.copy()
            shift = sd * z[None, :, None] * np.ones((1, 1, on_c.size))
            new[..., on_c] = (level + shift[..., on_c]) if var == "area_c" else z[None, :, None].repeat(on_c.sum(), -1)
            mc[var] = (mc[var].dims, new)
    with res.built.model:
        ll = pm.compute_log_likelihood(xr.DataTree.from_dict({"posterior": mc}), var_names=["c"],
                                       extend_inferencedata=False, progressbar=False)
    ll = ll["log_likelihood"].to_dataset() if isinstance(ll, xr.DataTree) else ll
    from copath.model.data import prepare_data
    prepared = prepare_data(res.pathway, res.data)
    by_area = grouped_log_likelihood(ll["c"].values, prepared.area_index[prepared.observed["c"]], len(prepared.areas))
    brute = logsumexp(by_area[0], axis=0) - np.log(n_mc)  # (area,)
    np.testing.assert_allclose(integrated[0, 5], brute, atol=0.05)


def test_area_loo_with_area_effects_has_moderate_k(toy):
    """Leaving an area out with its own effect in the weights gives k far above 0.7 for most
    areas; integrating the effect out brings them to the usual range."""
    _, _, res = toy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LooWarning)
        lo = loo_of(res, by="auto", max_refits=0)
    assert lo.by == "area" and lo.table.loc[TOTAL, "n_units"] == 60
    assert (lo.pareto_k["c"] > 0.7).mean() <= 0.1
    assert np.isfinite(lo.table["elpd"]).all()


def test_the_result_keeps_its_loo_and_says_which_unit(chain_fit):
    first = chain_fit.loo(max_refits=0)
    assert first.by == "row" and chain_fit.loo(by="row", max_refits=0) is first
    assert "leaving out one row" in first.describe() and "Vehtari, Gelman & Gabry (2017)" in first.describe()


@pytest.mark.slow
def test_an_area_with_high_k_is_refitted_without_its_rows_and_agrees_with_integrated_psis(toy):
    """by="area": the exact refit masks every outcome of the area (its effect then comes
    from the areas' spread) and agrees with the integrated PSIS estimate where k is moderate."""
    _, _, res = toy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LooWarning)
        psis = loo_of(res, by="area", max_refits=0)
    ks = np.sort(np.concatenate([k.to_numpy() for k in psis.pareto_k.values()]))
    lo = loo_of(res, by="area", k_threshold=float(ks[-2]), max_refits=1)
    (area,) = lo.refitted
    assert area in psis.pointwise[TOTAL].index and lo.reliable
    assert lo.pointwise[TOTAL][area] == pytest.approx(psis.pointwise[TOTAL][area], abs=0.5)


def test_areas_sharing_a_survey_group_are_left_out_together():
    """A node observed only per borough x quarter (4 areas a borough): leaving out an area
    would leave its group's figure in, so the borough's areas form one unit; by row, a
    group is a unit of its own, named by its first row."""
    from tests.model.test_aggregate import COARSE, survey_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cp.fit(cp.loads_pathway(COARSE), survey_data(), draws=200, tune=200, chains=2, random_seed=1,
                     progressbar=False)
    by_area = loo_of(res, by="area", max_refits=0)
    assert by_area.pointwise["p"].index[:2].tolist() == ["A0000 + A0001 + A0002 + A0003",
                                                         "A0004 + A0005 + A0006 + A0007"]
    assert by_area.table.loc["p", "n_units"] == 10
    by_row = loo_of(res, by="row", max_refits=0)
    assert by_row.table.loc["p", "n_units"] == 40 and by_row.pointwise["p"].index[:2].tolist() == ["A0000 1", "A0000 4"]
