"""models/, priors/ and datasets/ ship inside the wheel and are found from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if shutil.which("hatchling", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("hatchling is not installed in this environment")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [str(Path(sys.executable).parent / "hatchling"), "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )
    return next(out.glob("copath-*.whl"))


def test_wheel_contains_models_priors_datasets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "copath/_bundled/models/policing_coproduction.yaml" in names
    for registry in (ROOT / "priors").glob("*.yaml"):
        assert f"copath/_bundled/priors/{registry.name}" in names
    assert any(n.startswith("copath/_bundled/datasets/") for n in names)
    for table in (ROOT / "datasets" / "values").iterdir():  # the value tables and their data cards
        assert f"copath/_bundled/datasets/values/{table.name}" in names
    assert "copath/py.typed" in names  # type checkers read the package's annotations


def test_installed_wheel_finds_its_bundled_files(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import copath, copath.resources as r;"
        "assert str(r.bundled_dir('models')).startswith(%r), r.bundled_dir('models');"
        "pw = copath.load_pathway('policing_coproduction'); ev = copath.load_evidence();"
        "print(len(pw.links), len(ev))" % str(target)
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    n_links, n_entries = map(int, proc.stdout.split())
    assert n_links >= 18 and n_entries >= 30


@pytest.mark.slow  # about 70 s: builds the wheel, a fresh venv and a 2 x 100-draw fit (make wheel-check)
def test_the_wheel_works_from_a_fresh_venv_outside_the_checkout(tmp_path):
    from scripts.wheel_check import check_wheel

    out = check_wheel(tmp_path)
    assert "burglary" in out["columns"] and "households" in out["columns"]
    n_links, n_entries, n_rows = map(int, out["check"].split())
    assert n_links >= 18 and n_entries >= 30 and n_rows == 10 * 24  # 10 areas x 24 months of synthetic_force
    link = next(line for line in out["fit"].splitlines() if line.startswith("nw_coverage -> burglary"))
    grade, prior_mean = link.split()[3:5]
    assert (grade, prior_mean) == ("B", "-0.238")  # Bennett et al.'s review from the bundled registry
