"""Every notebook in notebooks/ runs top to bottom (small draws through environment variables),
in a kernel with Jupyter's own (inline) Matplotlib backend: no ``MPLBACKEND`` is set, and
the cells that return a figure show it once, as a PNG.

01 saves the flagship result that 03 and 04 reuse, so they run in file order and share
one output folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT, SHARED

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Cells ending in one of these return a Matplotlib figure.
FIGURE_CALLS = (".figure", "figure_tornado()", ".draw()", ".draw(ev)", ".figure()")


def run_cells(sources: list[str]) -> nbformat.NotebookNode:
    """A notebook of these code cells, executed in a fresh kernel."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    return nb


def test_import_copath_leaves_the_inline_backend_and_figures_display(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = run_cells([
        "import matplotlib\nbefore = matplotlib.get_backend()\nimport copath as cp\n"
        "after = matplotlib.get_backend()\nprint(before, after, before == after)",
        "cp.load_pathway('policing_coproduction').draw()",
    ])
    text = nb.cells[0].outputs[0]["text"].split()
    assert "inline" in text[0] and text[2] == "True", text
    images = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1


@pytest.fixture(scope="module")
def nb_env(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks")
    old = dict(os.environ)
    os.environ.update({"COPATH_NB_DRAWS": "100", "COPATH_NB_TUNE": "100", "COPATH_NB_OUT": str(out),
                       "COPATH_DATA": str(SHARED / "data")})
    os.environ.pop("MPLBACKEND", None)  # the kernel picks Jupyter's inline backend, as a user's would
    yield out
    os.environ.clear()
    os.environ.update(old)


def test_there_are_five_notebooks_saved_without_outputs():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(not c.outputs and c.execution_count is None for c in code), path.name


@pytest.mark.slow  # 164 s for the five (01 alone 99 s: the flagship end to end): make test-slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, nb_env):
    if path.name.startswith("02") and not (SHARED / "data" / "police-uk").is_dir():
        pytest.skip(f"notebook 02 reads police.uk files from {SHARED / 'data'}, which is not there")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    for cell in nb.cells:  # a cell whose value is a figure shows it, once
        if cell.cell_type == "code" and cell.source.rstrip().endswith(FIGURE_CALLS):
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert len(images) == 1, f"{path.name}: {cell.source!r} showed {len(images)} figures"
    if path.name.startswith("01"):
        assert (nb_env / "quickstart_report.html").stat().st_size > 10_000
        assert (nb_env / "flagship_result" / "manifest.json").is_file()
