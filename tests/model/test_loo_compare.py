"""Rival pathways compared by PSIS-LOO (copath.model.loo_compare): the issue's two checks
on simulated data, the verdict rule, and the refusal of fits on different data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import copath as cp
from copath.model.loo import LooWarning
from copath.model.loo_compare import verdict


def _compare(fits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LooWarning)
        return cp.compare_fits(fits, max_refits=0)


def test_the_true_pathway_beats_one_missing_a_real_link_by_more_than_2_se(chain_fit, chain_missing_link):
    cmp = _compare({"true": chain_fit, "missing x -> y": chain_missing_link})
    total = cmp.table.loc["total"]
    assert cmp.by == "row" and cmp.best() == "true"
    rival = total.loc["missing x -> y"]
    assert -rival["elpd_diff"] > 2 * rival["se_diff"] and rival["verdict"] == "worse"
    # the loss is y's (the node that lost a parent); m's equation is the same in both
    assert cmp.table.loc[("y", "missing x -> y"), "verdict"] == "worse"
    assert cmp.table.loc[("m", "missing x -> y") if cmp.best("m") == "true" else ("m", "true"), "verdict"] == "similar"
    assert "'true' predicts the data best" in cmp.describe() and "clearly worse" in cmp.describe()


def test_the_se_of_the_difference_is_from_the_unit_by_unit_differences(chain_fit, chain_missing_link):
    cmp = _compare({"true": chain_fit, "missing x -> y": chain_missing_link})
    d = (cmp.loos["missing x -> y"].pointwise["total"] - cmp.loos["true"].pointwise["total"]).to_numpy()
    row = cmp.table.loc[("total", "missing x -> y")]
    assert row["elpd_diff"] == pytest.approx(d.sum())
    assert row["se_diff"] == pytest.approx(np.sqrt(d.size * d.var(ddof=1)))
    # much smaller than the two SEs combined: the fits predict the same rows
    se = cmp.table.loc["total", "se"]
    assert row["se_diff"] < np.sqrt((se**2).sum())


def test_a_truly_zero_extra_link_leaves_the_nested_fits_similar(nested_fits):
    """The issue asks for the difference to be within 2 SE. Measured over 8 data seeds
    (tests' fit settings): |difference| was 0.45 to 1.37 in all 8, but above 2 SE of the
    difference in 4 (the SE of a small difference between nested fits is too small,
    Sivula, Magnusson & Vehtari 2020); the verdict therefore reads a difference under 4 as
    similar, which held in all 8."""
    cmp = _compare(nested_fits)
    other = cmp.table.loc["total"].iloc[1]
    assert abs(other["elpd_diff"]) < 4 and other["verdict"] == "similar"
    assert "does not tell them apart" in cmp.describe()


def test_verdicts():
    assert verdict(-5.0, 2.0) == "worse"
    assert verdict(-5.0, 3.0) == "similar"  # within 2 SE
    assert verdict(-3.9, 0.1) == "similar"  # under 4, whatever the SE


def test_fits_on_different_data_are_refused(chain_fit, nested_fits):
    with pytest.raises(cp.CopathError, match="same data; 'other' has column 'm' differs"):
        cp.compare_fits({"this": chain_fit, "other": nested_fits["without"]})
    with pytest.raises(cp.CopathError, match="at least two fits"):
        cp.compare_fits({"alone": chain_fit})
    with pytest.raises(ValueError, match="by must be one of"):
        cp.compare_fits({"a": chain_fit, "b": chain_fit}, by="month")
