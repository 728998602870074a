"""Any index: rows of people (or schools, or wards x quarters) and a declared grouping column.
The data check, ``copath columns``/``template`` and the simulator follow the spec's index, and
say nothing of areas or months when the spec has neither; the flagship keeps [area, month]."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.cli import main
from copath.model.data import prepare_data

PEOPLE = """name: people
index: [id]
nodes:
  treat: {kind: exposure, range: [0, 1], unit: indicator (0/1)}
  score: {kind: continuous}
  job: {kind: binary, adjust: [age]}
links:
  - {from: treat, to: score}
  - {from: score, to: job}
outcomes: [job]
"""
#: area or month as a word or the start of one (areas, monthly), in any case
AREA_OR_MONTH = re.compile(r"\b(area|month)", re.I)


def _frame(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"id": np.arange(n), "treat": rng.integers(0, 2, n).astype(float),
                         "age": rng.normal(40, 10, n), "score": rng.normal(0, 1, n), "job": rng.integers(0, 2, n)})


@pytest.mark.parametrize(("change", "expected"), [
    (lambda f: f.drop(columns="id"), "1 column(s) missing: 'id' (index column, from the spec's 'index:' key)"),
    (lambda f: f.drop(columns=["age", "treat"]), "2 column(s) missing: 'treat' (exposure, or give it a "
                                                 "'reference:' value in the spec); 'age' (covariate)"),
    (lambda f: f.assign(id=[1, 1, 2, 3, 4, 5]), "duplicated id rows; first bad rows: 1 (1)"),
    (lambda f: f.assign(id=[1, None, 2, 3, 4, 5]), "index values must not be missing; first bad rows: 1 (nan)"),
    (lambda f: f.assign(job=[0, 1, 3, 1, 0, 1]), "column 'job': values must be 0 or 1; first bad rows: 2 (3)"),
])
def test_the_data_check_names_the_specs_own_index_and_never_areas_or_months(change, expected):
    pw = cp.loads_pathway(PEOPLE)
    with pytest.raises(cp.DataError) as err:
        prepare_data(pw, change(_frame()))
    assert expected in str(err.value)
    assert not AREA_OR_MONTH.search(str(err.value)), str(err.value)


def test_columns_and_template_follow_the_index(tmp_path, capsys):
    spec = tmp_path / "people.yaml"
    spec.write_text(PEOPLE, encoding="utf-8")
    assert main(["columns", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "one row per id (the spec's 'index:'; 5 columns)" in out
    assert "0 or 1" in out and not AREA_OR_MONTH.search(out), out
    assert main(["template", str(spec), "--out", str(tmp_path / "d.csv")]) == 0
    assert (tmp_path / "d.csv").read_text().splitlines()[0] == "id,treat,age,score,job"
    assert not AREA_OR_MONTH.search(capsys.readouterr().out)


def test_area_effects_need_a_declared_grouping_column():
    grouped = PEOPLE.replace("score: {kind: continuous}", "score: {kind: continuous, area_effects: true}")
    with pytest.raises(cp.SpecError, match=r"groups: score has 'area_effects', and the spec does not say which column "
                                           r"groups the rows: add a top-level 'groups:' key naming it"):
        cp.loads_pathway(grouped)
    pw = cp.loads_pathway(grouped + "groups: school\n")
    assert (pw.area_column, pw.unit_column, pw.period_column) == ("school", "school", None)
    assert list(pw.required_columns().index[:2]) == ["id", "school"]
    frame = _frame().assign(school=["s1", "s1", "s2", "s2", "s3", "s3"])
    prepared = prepare_data(pw, frame)
    assert prepared.areas.tolist() == ["s1", "s2", "s3"] and prepared.area_index.tolist() == [0, 0, 1, 1, 2, 2]
    with pytest.raises(cp.DataError, match=r"1 column\(s\) missing: 'school' \(grouping column, from the spec's "
                                           r"'groups:' key\)"):
        prepare_data(pw, _frame())
    with pytest.raises(cp.SpecError, match="'groups' names a column of group labels, not a node"):
        cp.loads_pathway(grouped + "groups: treat\n")


def test_a_ward_index_groups_by_the_ward_when_declared():
    spec = PEOPLE.replace("index: [id]", "index: [ward, quarter]\ngroups: ward").replace(
        "score: {kind: continuous}", "score: {kind: continuous, area_effects: true, time: [period]}")
    pw = cp.loads_pathway(spec)
    assert (pw.area_column, pw.period_column) == ("ward", "quarter")
    sim = cp.simulate(pw, areas=4, months=3, random_seed=1)
    assert list(sim.data.columns[:2]) == ["ward", "quarter"] and sim.data["ward"].nunique() == 4
    assert len(sim.truth["area_effect"]["score"]) == 4


def test_simulated_people_have_one_row_each_and_no_area_or_month_column():
    pw = cp.loads_pathway(PEOPLE)
    sim = cp.simulate(pw, areas=50, months=1, random_seed=2)
    assert list(sim.data.columns) == ["id", "treat", "age", "score", "job"]
    assert sim.data["id"].is_unique and set(sim.data["job"].unique()) <= {0.0, 1.0}
    assert prepare_data(pw, sim.data).levels["job"] == pytest.approx(
        float(np.log((sim.data["job"].sum() + 0.5) / (50 - sim.data["job"].sum() + 0.5))))  # one pool, not 50


def test_the_flagship_keeps_area_and_month(flagship):
    assert (flagship.index, flagship.area_column, flagship.period_column, flagship.groups) == (
        ("area", "month"), "area", "month", None)
    sim = cp.simulate(flagship, areas=3, months=2, random_seed=1)
    assert list(sim.data.columns[:2]) == ["area", "month"]
    assert sim.data["area"].tolist() == ["A0000", "A0000", "A0001", "A0001", "A0002", "A0002"]
