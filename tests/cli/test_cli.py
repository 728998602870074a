"""The command line: output, exit codes, and one-line errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from copath.cli import main


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copath", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_evidence_list_lists_every_entry(evidence, capsys):
    assert main(["evidence", "list"]) == 0
    out = capsys.readouterr().out
    for entry in evidence:
        assert entry.id in out
    assert f"{len(evidence)} entries" in out


def test_evidence_show_gives_quote_and_prior_quantiles(capsys):
    assert main(["evidence", "show", "bennett2008_nw"]) == 0
    out = capsys.readouterr().out
    assert "Neighborhood Watch was followed by a reduction in crime" in out
    line = next(l for l in out.splitlines() if l.strip().startswith("rate ratio"))
    q05, q50, q95 = (float(part.split()[-1]) for part in line.split(":", 1)[1].split(","))
    assert q05 < q50 < q95
    assert 0.74 < q50 < 0.84
    # a review's mean for a new setting: sd sqrt(0.0385^2 + 0.05^2 (a review's own bias) + 0.5^2 (tau's
    # prior) + 0.15^2 (shared bias, grade B)) = 0.5258, so exp(-0.2377 + 1.645 x 0.5258) = 1.872 at 95%
    assert q95 == pytest.approx(1.872, abs=0.002)
    flat = " ".join(out.split())  # the synthesis sentence is wrapped
    assert "k = 1: pooled mean -0.238" in flat and "half-normal(0.5)" in flat


def test_evidence_list_shows_the_sms_level_and_marks_emmie_ratings(capsys):
    assert main(["evidence", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split()
    assert header == ["id", "link", "measure", "grade", "sms", "emmie", "role"]
    groff = next(line for line in lines if line.startswith("groff2011_foot_patrol "))
    assert groff.split()[-3:] == ["5", "yes", "effect"]      # SMS 5, rated by the toolkit
    weisburd = next(line for line in lines if line.startswith("weisburd2004_no_crime_cut "))
    assert weisburd.split()[-2:] == ["-", "effect"]          # a review: no SMS level, no toolkit rating


def test_evidence_show_gives_the_sms_meaning_the_reasons_and_the_emmie_ratings(capsys):
    assert main(["evidence", "show", "groff2011_foot_patrol"]) == 0
    out = capsys.readouterr().out
    assert "SMS: level 5 of 5, random assignment of comparable units to the programme and to a comparison" in out
    assert "grade B: starts at B by its design and SMS level" in out
    assert "EMMIE (College of Policing Crime Reduction Toolkit, 'Hot spots policing')" in out
    effect = next(line for line in out.splitlines() if line.strip().startswith("effect (impact on crime):"))
    assert "Evidence quality 4" in effect and "Overall, the evidence suggests that hot spots" in effect
    assert "mechanism (how it works): Evidence quality 1" in out
    assert "  source: http://whatworks.college.police.uk/toolkit/Pages/Intervention.aspx?InterventionID=46" in out


def test_evidence_show_gives_each_downgrade_with_its_reason(capsys):
    assert main(["evidence", "show", "braga2012_focused_deterrence"]) == 0
    out = " ".join(capsys.readouterr().out.split())   # unwrapped
    assert "SMS: none (the scale rates one quantitative evaluation; this is a meta-analysis)" in out
    assert "grade C: starts at A by its design; down for imprecision: 'medium-sized' is a word" in out
    assert "down for indirectness: crime among the targeted groups" in out
    assert "effect (impact on crime): Overall reduction; Very strong" in out
    assert "economic cost (what it costs): No information" in out


def test_evidence_show_a_hypothesis_gives_its_sign_not_an_error(capsys):
    # the flagship's own detection -> burglary prior comes from this entry
    assert main(["evidence", "show", "fig1_detection_deters_burglary"]) == 0
    out = capsys.readouterr().out
    assert "a hypothesised direction (-), no size" in out and "truncated to below 0" in out  # only where held
    assert "as a soft prior, as the fit uses it (63% on that side; the data may overturn it)" in out


def test_evidence_show_base_rate_has_no_prior(capsys):
    assert main(["evidence", "show", "bbc2016_trials_crown"]) == 0
    assert "prior: none" in capsys.readouterr().out


def test_unknown_id_is_exit_2_one_line():
    proc = run_cli("evidence", "show", "nope")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no entry with id 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_malformed_registry_is_exit_2_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  citation: c\n  quote: q\n  design: rct\n  grade: Q\n"
                   "  effect: {measure: null}\n  link: {from: a, to: b}\n")
    proc = run_cli("evidence", "--registry", str(bad), "list")
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert str(bad) in err and "line 1" in err and "'grade'" in err


def test_malformed_spec_is_exit_2_one_line(tmp_path):
    bad = tmp_path / "spec.yaml"
    bad.write_text("name: t\nnodes:\n  x: {kind: exposure}\nlinks:\n  - {from: x, to: q}\n")
    proc = run_cli("evidence", "--model", str(bad), "show", "bennett2008_nw")
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert "unknown node 'q'" in err and "line 5" in err


def test_demo_writes_the_dag_and_the_prior_table(tmp_path):
    proc = run_cli("demo", "--no-fit", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr
    png = tmp_path / "demo" / "pathway.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import pandas as pd

    table = pd.read_csv(tmp_path / "demo" / "link_priors.csv", index_col="link")
    assert table.loc["nw_coverage -> burglary", "grade"] == "B"
    assert "weak" in proc.stdout


@pytest.mark.parametrize("argv", [["evidence"], ["nonsense"]])
def test_usage_errors_exit_2(argv):
    proc = run_cli(*argv)
    assert proc.returncode == 2 and "usage" in proc.stderr
