"""Local data checks: every bad input is one DataError naming the column and first bad rows."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.model.data import prepare_data
from tests.pathways import toy_spec

SPEC = toy_spec("t", c={"offset": "households", "per": 1000})


@pytest.fixture
def pathway():
    return cp.loads_pathway(SPEC)


@pytest.fixture
def frame():
    return pd.DataFrame({
        "area": ["a", "a", "b", "b"], "month": [1, 2, 1, 2],
        "x": [0.1, 0.2, 0.3, 0.4], "households": [900, 900, 1200, 1200],
        "c": [3, 4, 0, 2], "n": [30, 31, 28, 0], "p": [10, 11, 9, 0], "y": [6.5, np.nan, 7.0, 7.2],
    })


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda f: f.drop(columns="x"), "1 column(s) missing: 'x' (exposure, or give it a 'reference:' value"),
        (lambda f: f.drop(columns="households"), "1 column(s) missing: 'households' (offset of c)"),
        (lambda f: f.drop(columns="area"), "1 column(s) missing: 'area' (index column, from the spec's 'index:' key)"),
        (lambda f: f.assign(c=[3, -4, 0, 2]), "column 'c': counts must be whole numbers from 0 to 1e+15; first bad rows: 1 (-4)"),
        (lambda f: f.assign(c=[3, 4.5, 0, 2]), "column 'c': counts must be whole numbers"),
        (lambda f: f.assign(p=[10, 40, 9, 0]), "column 'p': successes must be whole numbers between 0 and trials ('n'); first bad rows: 1 (40)"),
        (lambda f: f.assign(x=[0.1, np.nan, 0.3, 0.4]), "column 'x': exposure values must be present and finite; first bad rows: 1"),
        (lambda f: f.assign(x=[0.1, 1.5, 0.3, 0.4]), "column 'x': values must lie in the node's range [0, 1]"),
        (lambda f: f.assign(households=[900, 0, 1200, 1200]), "column 'households': offsets must be positive"),
        (lambda f: f.assign(month=[1, 1, 1, 2]), "duplicated area x month rows; first bad rows: 1"),
        (lambda f: f.assign(y=["6.5", "high", "7", "7"]), "column 'y': values must be numbers; first bad rows: 1 ('high')"),
    ],
)
def test_bad_data_is_refused_naming_column_and_rows(pathway, frame, change, match):
    with pytest.raises(cp.DataError) as info:
        prepare_data(pathway, change(frame.copy()), source="local.csv")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith("local.csv: ")
    assert match in message, message


def test_every_missing_column_is_named_in_one_message(pathway, frame):
    with pytest.raises(cp.DataError) as info:
        prepare_data(pathway, frame.drop(columns=["x", "households", "n", "month", "area"]), source="d.csv")
    message = str(info.value)
    assert message.startswith("d.csv: 5 column(s) missing: ")
    for column in ("'x'", "'households'", "'n'", "'month'", "'area'"):
        assert column in message


def test_an_absent_exposure_is_held_at_its_reference(frame):
    pw = cp.loads_pathway(toy_spec("t", x={"reference": 0.25}, c={"offset": "households", "per": 1000}))
    prepared = prepare_data(pw, frame.drop(columns=["x"]))
    assert prepared.held == {"x": 0.25} and prepared.values["x"].tolist() == [0.25] * 4
    with pytest.raises(cp.SpecError, match="'reference' 2 is outside the range"):
        cp.loads_pathway(toy_spec("t", x={"reference": 2}))
    with pytest.raises(cp.SpecError, match="only an exposure has a 'reference'"):
        cp.loads_pathway(toy_spec("t", y={"reference": 2}))


def test_missing_outcomes_are_masked_not_dropped(pathway, frame):
    prepared = prepare_data(pathway, frame)
    assert prepared.observed["y"].tolist() == [0, 2, 3]
    assert prepared.observed["p"].tolist() == [0, 1, 2]  # row 3 has 0 trials
    assert prepared.n_rows == 4  # no row dropped
    assert prepared.exposure_centres["x"] == pytest.approx(0.25)


def test_absent_outcome_column_means_no_local_data(pathway, frame):
    prepared = prepare_data(pathway, frame.drop(columns="p"))
    assert "p" in prepared.unobserved_nodes and prepared.observed["p"].size == 0


def test_cli_fit_with_bad_data_exits_2_with_one_line(tmp_path, frame):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    data = tmp_path / "local.csv"
    frame.assign(c=[3, -4, 0, 2]).to_csv(data, index=False)
    proc = subprocess.run([sys.executable, "-m", "copath", "fit", str(spec), "--data", str(data),
                           "--out", str(tmp_path / "res")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert str(data) in err and "column 'c'" in err and "first bad rows: 1" in err
    assert not (tmp_path / "res").exists()


def test_a_denominator_is_needed_only_where_its_node_has_data(pathway, frame):
    # without the count column its offset would be used by nothing: it may be left out
    prepared = prepare_data(pathway, frame.drop(columns=["c", "households"]))
    assert prepared.observed["c"].size == 0 and "households" not in prepared.values
    # with the count column it is still required, and so are the trials of the proportion
    with pytest.raises(cp.DataError, match="'households' \\(offset of c\\)"):
        prepare_data(pathway, frame.drop(columns=["households"]))
    with pytest.raises(cp.DataError, match="'n' \\(trials of p\\)"):
        prepare_data(pathway, frame.drop(columns=["n"]))


def test_every_missing_or_bad_column_is_named_in_one_message(pathway, frame):
    bad = frame.drop(columns=["n"]).assign(c=[3, -4, 0, 2], x=[0.1, 1.5, 0.3, 0.4],
                                           y=["6.5", "high", "7", "7"])
    with pytest.raises(cp.DataError) as info:
        prepare_data(pathway, bad, source="d.csv")
    message = str(info.value)
    assert message.startswith("d.csv: 4 problems: (1) 1 column(s) missing: 'n' (trials of p)")
    assert "(2) column 'x': values must lie in the node's range [0, 1]; first bad rows: 1 (1.5)" in message
    assert "column 'y': values must be numbers; first bad rows: 1 ('high')" in message
    assert "column 'c': counts must be whole numbers from 0 to 1e+15; first bad rows: 1 (-4)" in message
    assert "\n" not in message


def test_a_maturity_lag_leaves_the_last_months_out_of_that_node_only(frame):
    pw = cp.loads_pathway(toy_spec("t", c={"offset": "households", "per": 1000}, p={"maturity_lag": 1}))
    prepared = prepare_data(pw, frame)
    # month 2 is the data's last: rows 1 and 3; row 3 had no trials anyway
    assert prepared.observed["p"].tolist() == [0, 2]
    assert np.isnan(prepared.values["p"][[1, 3]]).all() and prepared.values["p"][0] == 10
    assert prepared.maturing == {"p": ["2"]}
    assert prepared.observed["c"].tolist() == [0, 1, 2, 3]  # the other nodes keep every month
    # a lag as long as the data leaves the node without data
    frame1 = frame[frame["month"] == 2]
    assert "p" in prepare_data(pw, frame1).unobserved_nodes


@pytest.mark.parametrize("change, match", [
    ({"x": {"maturity_lag": 2}}, "only a node with data has a 'maturity_lag'"),
    ({"p": {"maturity_lag": -1}}, "'maturity_lag' must be a whole number of months"),
    ({"p": {"maturity_lag": 1.5}}, "'maturity_lag' must be a whole number of months"),
])
def test_a_bad_maturity_lag_is_refused(change, match):
    with pytest.raises(cp.SpecError, match=match):
        cp.loads_pathway(toy_spec("t", **change))
    spec = toy_spec("t", p={"maturity_lag": 1}).replace("name: t\n", "name: t\nindex: [area]\n")
    with pytest.raises(cp.SpecError, match=r"the spec's index \(area\) has no second \(period\) column"):
        cp.loads_pathway(spec)
