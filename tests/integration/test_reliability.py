"""Nothing lost, failures surface: Ctrl-C, format versions, unconverged fits on the CLI."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

import copath as cp
from copath.cli import main
from copath.cli.fit import UNCONVERGED
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "result_format_1"


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_ctrl_c_during_a_fit_leaves_no_result(tmp_path):
    data = tmp_path / "d.csv"
    assert main(["simulate", "calibration", "--areas", "200", "--months", "12", "--seed", "1",
                 "--out", str(data)]) == 0
    out = tmp_path / "res"
    proc = subprocess.Popen(
        [sys.executable, "-m", "copath", "fit", "calibration", "--data", str(data), "--out", str(out),
         "--draws", "5000", "--tune", "1000", "--chains", "2", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert "Fitting" in proc.stdout.readline()
    time.sleep(8)  # in MAP start, compilation or sampling: every phase must stop cleanly
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err[-2000:]
    assert err.strip().endswith("copath: interrupted") and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".res*"))


def test_an_unconverged_fit_is_saved_but_exits_3(tmp_path, capsys, monkeypatch):
    data = tmp_path / "d.csv"
    main(["simulate", "calibration", "--areas", "10", "--months", "2", "--seed", "2", "--out", str(data)])
    capsys.readouterr()
    unconverged = cp.load_result(FIXTURE)  # 2 chains x 40 draws: fails its diagnostics
    monkeypatch.setattr(cp, "fit", lambda *a, **k: unconverged)  # the exit decision, without a long fit
    args = ["fit", "calibration", "--data", str(data), "--quiet"]
    assert main([*args, "--out", str(tmp_path / "a")]) == UNCONVERGED == 3
    err = capsys.readouterr().err
    assert "did not converge" in err and ("R-hat" in err or "ESS" in err)
    assert cp.load_result(tmp_path / "a").diagnostics().passed is False  # saved, for inspection
    assert main([*args, "--out", str(tmp_path / "b"), "--allow-unconverged"]) == 0


def test_scenario_and_sensitivity_on_an_unconverged_fit_say_so():
    res = cp.load_result(FIXTURE)  # 2 chains x 40 draws: too few effective draws
    assert not res.diagnostics().passed
    text = res.scenario({"x": "+0.1"}).describe()
    assert text.splitlines()[1].startswith("Warning: the fit did not pass its diagnostics")
    assert res.sensitivity().describe().startswith("Warning: the fit did not pass its diagnostics")


def test_a_ctrl_c_swallowed_during_compilation_still_stops_the_fit():
    """A KeyboardInterrupt raised inside a ctypes callback (numba compiling) is printed and
    dropped; the guard remembers the signal so the fit stops at the next phase."""
    import os

    from copath.model.sampling import _interrupt_guard, _stop_if

    before, before_hook = signal.getsignal(signal.SIGINT), sys.unraisablehook
    with _interrupt_guard() as seen:
        _stop_if(seen, "compilation")  # nothing yet: carries on
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)  # the handler runs here
        except KeyboardInterrupt:
            pass  # what the ctypes callback does with it
        with pytest.raises(KeyboardInterrupt, match="during compilation"):
            _stop_if(seen, "compilation")
    assert signal.getsignal(signal.SIGINT) is before and sys.unraisablehook is before_hook
