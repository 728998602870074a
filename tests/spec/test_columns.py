"""What a pathway's data need: copath.spec.columns, ``copath columns`` and ``copath template``."""

from __future__ import annotations

import pandas as pd
import pytest

import copath as cp
from copath.cli import main
from copath.model.data import prepare_data

SPEC = """
name: t
nodes:
  x: {kind: exposure, unit: share, range: [0, 1]}
  z: {kind: exposure, reference: 0.5}
  c: {kind: count, offset: households, per: 1000}
  p: {kind: proportion, trials: surveyed}
  q: {kind: proportion, trials: surveyed}
  y: {kind: continuous, unit: score 0-10}
links:
  - {from: x, to: c}
  - {from: z, to: p}
  - {from: c, to: q}
  - {from: p, to: y}
  - {from: q, to: y}
outcomes: [y]
"""


def test_each_column_has_its_role_and_need():
    table = cp.loads_pathway(SPEC).required_columns()
    assert table.index.tolist()[:4] == ["area", "month", "x", "z"]
    assert table.loc["x", ["role", "need", "unit", "used_by"]].tolist() == ["exposure", "required", "share", "c"]
    assert table.loc["z", "need"] == "optional" and "held at its reference 0.5" in table.loc["z", "note"]
    assert table.loc["households", ["role", "need", "used_by"]].tolist() == ["offset", "denominator", "c"]
    # one trials column shared by two nodes is listed once, with both users
    assert table.loc["surveyed", "used_by"] == "p, q" and (table.index == "surveyed").sum() == 1
    assert table.loc["c", "unit"] == "count in the row (whole number, modelled per 1000 households)"
    assert set(table.loc[["c", "p", "q", "y"], "need"]) == {"optional"}


def test_the_table_says_exactly_what_the_data_check_requires():
    """Drop every 'optional' column and keep the rest: the check passes; drop one 'required'
    column instead: it fails naming it; a denominator is needed once its node has a column."""
    pw = cp.loads_pathway(SPEC)
    table = pw.required_columns()
    sim = cp.simulate(pw, areas=3, months=2, random_seed=0).data
    minimal = sim.drop(columns=[c for c in table.index if table.loc[c, "need"] != "required" and c in sim])
    prepare_data(pw, minimal)
    for column in table.index[table["need"] == "required"]:
        with pytest.raises(cp.DataError, match=f"'{column}'"):
            prepare_data(pw, minimal.drop(columns=[column]))
    with pytest.raises(cp.DataError, match="'households' \\(offset of c\\)"):
        prepare_data(pw, minimal.assign(c=sim["c"]))


def test_columns_command_prints_the_table(capsys):
    assert main(["columns", "policing_coproduction"]) == 0
    out = capsys.readouterr().out
    assert "households           offset      denominator" in out
    assert "required: the fit stops without it (14 here)" in out


def test_template_writes_the_headers_and_keeps_an_existing_file(tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert main(["template", "policing_coproduction", "--out", str(out)]) == 0
    columns = pd.read_csv(out).columns.tolist()
    assert columns == cp.load_pathway("policing_coproduction").required_columns().index.tolist()
    out.write_text("area,month\nA,1\n")
    assert main(["template", "policing_coproduction", "--out", str(out)]) == 2
    assert "the file exists; give --force" in capsys.readouterr().err
    assert out.read_text() == "area,month\nA,1\n"
    assert main(["template", "policing_coproduction", "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("area,month,social_causes,")
