"""The documentation site stays complete and true: every public name has an API entry, every
guide the README links exists and is in the site's table of contents, the gallery holds the
notebooks' own code, and the release files agree with pyproject.toml. The slow test builds the
site as ``make docs`` does, with warnings as errors."""

from __future__ import annotations

import re
import subprocess
import tomllib

import nbformat
import pytest

import copath as cp
from copath.yaml_io import read_yaml_text
from tests.conftest import ROOT

DOCS = ROOT / "docs"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _documented_names() -> set[str]:
    """Names given to an autodoc directive on the API pages (``.. autoclass:: FitResult``)."""
    names = set()
    for page in (DOCS / "api").glob("*.md"):
        names |= set(re.findall(r"^\.\. auto(?:function|class|exception|data|module):: (\S+)",
                                page.read_text(encoding="utf-8"), flags=re.M))
    return names


def test_every_public_name_has_an_api_entry():
    documented = _documented_names()
    missing = sorted(n for n in cp.__all__ if n not in documented and f"copath.{n}" not in documented)
    assert not missing, f"add these to a page in docs/api/: {missing}"
    assert "copath.datasets" in documented
    for name in cp.datasets.__all__:
        assert name in documented or f"copath.datasets.{name}" in documented, f"cp.datasets.{name} has no entry in docs/api/datasets.md"


def test_every_page_is_in_a_table_of_contents():
    listed = set()
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        for block in re.findall(r"```\{toctree\}\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S):
            entries = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(":")]
            listed |= {(page.parent / entry).resolve() for entry in entries}
    pages = {p.with_suffix("").resolve() for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]
             if "_build" not in p.parts and p != DOCS / "index.md"}
    assert not sorted(str(p.relative_to(DOCS)) for p in pages - listed)


def test_readme_links_into_guides_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert len(links) >= 11
    assert not [link for link in links if not (ROOT / link).is_file()]
    assert "make demo" in readme and "make test" in readme and "```python" in readme


def test_the_gallery_holds_the_notebooks_code_executed():
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert [p.name for p in sorted((DOCS / "gallery").glob("*.ipynb"))] == [p.name for p in sources]
    for source in sources:
        stored = nbformat.read(DOCS / "gallery" / source.name, as_version=4)
        code = [c.source for c in nbformat.read(source, as_version=4).cells if c.cell_type == "code"]
        stored_code = [c for c in stored.cells if c.cell_type == "code"]
        assert [c.source for c in stored_code] == code, f"{source.name}: run make gallery"
        assert all(c.execution_count is not None for c in stored_code), f"{source.name} was not executed"
        assert not [o for c in stored_code for o in c.outputs if o.output_type == "error"], source.name
        assert stored.cells[0].cell_type == "markdown" and stored.cells[0].source.startswith("*Stored outputs:*")


def test_release_files_agree_with_pyproject():
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    cff = read_yaml_text((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    assert cff["version"] == cp.__version__
    assert {"message", "title", "authors"} <= set(cff)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog") and "## [Unreleased]" in changelog
    assert f"## [{cp.__version__}]" in changelog
    assert (ROOT / "src" / "copath" / "py.typed").is_file()
    assert "docs" in PYPROJECT["project"]["optional-dependencies"]


@pytest.mark.slow  # builds the site as make docs does (its own venv, created on first use)
def test_make_docs_builds_with_warnings_as_errors(tmp_path):
    proc = subprocess.run(["make", "-C", str(ROOT), "docs", f"DOCS_OUT={tmp_path}"], capture_output=True,
                          text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    api = (tmp_path / "api" / "fitting.html").read_text(encoding="utf-8")
    for method in ("scenario", "path_effects", "sensitivity", "evppi", "report", "summary", "diagnostics"):
        assert f'id="copath.FitResult.{method}"' in api, method
    gallery = (tmp_path / "gallery" / "01_quickstart.html").read_text(encoding="utf-8")
    assert "output" in gallery and "Stored outputs" in gallery
