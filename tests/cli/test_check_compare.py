"""``copath check`` and ``copath compare-fits`` on saved results (issue 30 item 5)."""

from __future__ import annotations

import pytest

from copath.cli import main
from tests.reports.test_pathway_fit import fit_pathways


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The wrong pathway (x2 -> y left out) and the true one, fitted to the same data and saved."""
    top = tmp_path_factory.mktemp("fits")
    return {name: str(res.save(top / name)) for name, res in fit_pathways("wrong", "true").items()}


def test_check_prints_loo_the_rejected_implication_and_the_predictive_verdict(saved, capsys):
    assert main(["check", saved["wrong"]]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Predictive fit (PSIS-LOO): PSIS-LOO leaving out one row")
    # y _||_ x2 | x1, y _||_ z | x1, z _||_ x1 | x2, z _||_ y | x2: four statements, one false
    assert "Implications of the pathway: 4 implied independence(s) tested" in out
    assert "the data reject 1." in out and "- y is not independent of x2 given x1" in out
    assert any(line.startswith("Posterior predictive checks: ") for line in lines)
    assert "max_refits=0" in out
    # the LOO table: a row per observed node and the total
    assert any(line.startswith("total ") for line in lines) and any(line.startswith("y ") for line in lines)
    # the tests' table: the rejected statement's row ends in True
    row = next(line.split() for line in lines if line.split()[:3] == ["y", "x2", "x1"])
    assert row[-1] == "True" and row[3] == "240"


def test_compare_fits_prefers_the_true_pathway_and_names_fits_by_folder(saved, capsys):
    assert main(["compare-fits", saved["wrong"], saved["true"], "--by", "row", "--max-refits", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Leaving out one row at a time, 'true' predicts the data best")
    assert "'wrong' " in out and "clearly worse" in out
    table = out.split("\n\n", 1)[1]
    assert "elpd_diff" in table and "worse" in table and "best" in table


def test_a_missing_folder_is_one_line_and_exit_2(saved, tmp_path, capsys):
    missing = str(tmp_path / "nothing")
    assert main(["check", missing]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("copath: error:") and "no copath result here" in err
    assert main(["compare-fits", saved["wrong"], missing]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing" in err and "no copath result here" in err


def test_compare_fits_needs_two_distinct_folders(saved, tmp_path, capsys):
    assert main(["compare-fits", saved["wrong"]]) == 2
    assert "at least two result folders" in capsys.readouterr().err
    assert main(["compare-fits", saved["wrong"], saved["wrong"]]) == 2
    assert "share a name" in capsys.readouterr().err
