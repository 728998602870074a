"""Run the notebooks in notebooks/ and store the executed copies in docs/gallery/ (``make gallery``).

The documentation site shows the gallery from these stored outputs and never executes a
notebook itself. notebooks/ stays without outputs (reviewable); the copies here differ from it
only by their outputs and by one first Markdown cell saying how they were run
(``tests/integration/test_docs.py`` checks that their code cells are those of notebooks/).

    .venv/bin/python scripts/execute_gallery.py [NAME ...]

Sizes are the notebooks' own defaults unless ``COPATH_NB_DRAWS`` (and ``COPATH_NB_TUNE``) are
set; 01 saves the flagship result that 03 and 04 reuse, so they run in file order in one
output folder (a temporary one). Notebook 02 reads police.uk files from ``COPATH_DATA``
(default ``../../shared/data`` from notebooks/).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
GALLERY = ROOT / "docs" / "gallery"
#: The first cell of every stored copy starts with this line.
RUN_NOTE = "*Stored outputs:*"


def run_note(env: dict[str, str], when: dt.datetime) -> str:
    """The Markdown note put first in a stored copy: when and at which sizes it was run."""
    sizes = ", ".join(f"`{k}={env[k]}`" for k in ("COPATH_NB_DRAWS", "COPATH_NB_TUNE") if k in env)
    how = f"with {sizes}" if sizes else "at the notebook's own sizes"
    return (f"{RUN_NOTE} this copy was run by `make gallery` on {when:%Y-%m-%d %H:%M} UTC {how}. "
            "Its numbers are those of that run; the notebook itself is `notebooks/` in the project.")


def execute(name: str, out: Path) -> nbformat.NotebookNode:
    """Execute ``notebooks/name`` in a fresh kernel (working folder notebooks/) and return it."""
    nb = nbformat.read(SOURCE / name, as_version=4)
    NotebookClient(nb, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(SOURCE)}}).execute()
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(run_note(dict(os.environ), dt.datetime.now(dt.UTC))))
    return nb


def main(names: list[str]) -> None:
    names = names or sorted(p.name for p in SOURCE.glob("*.ipynb"))
    out = Path(tempfile.mkdtemp(prefix="copath-gallery-"))
    os.environ.setdefault("COPATH_NB_OUT", str(out))
    os.environ.pop("MPLBACKEND", None)  # Jupyter's inline backend, as a user's kernel has
    GALLERY.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = dt.datetime.now()
        nb = execute(name, out)
        nbformat.write(nb, GALLERY / name)
        print(f"docs/gallery/{name}: {(dt.datetime.now() - start).total_seconds():.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
