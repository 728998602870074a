"""Sphinx configuration of copath's documentation site (``make docs``).

Pages are MyST Markdown (``docs/index.md``, ``docs/guides/``, ``docs/api/``); the API pages
use autodoc on the package's numpy-style docstrings, read by ``sphinx.ext.napoleon`` (which
takes copath's ``Example`` sections as they are). The notebooks in ``notebooks/`` are shown
as the gallery by myst-nb, from ``docs/gallery/`` (copies with stored outputs, written by
``make gallery``); nothing is executed during the build.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # the checkout's copath, even without an install

import copath  # noqa: E402

project = "copath"
author = "copath developers"
copyright = "copath developers"
release = copath.__version__
version = release

extensions = [
    "myst_nb",  # MyST Markdown pages and .ipynb notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# MyST: heading anchors so guides can link to sections (guide.md#a-heading)
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# myst-nb: the notebooks are shown with the outputs stored in them, never executed here
nb_execution_mode = "off"
nb_merge_streams = True

# autodoc: signatures as written (string annotations stay strings), members in source order
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": False}
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

html_theme = "pydata_sphinx_theme"
html_title = f"copath {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": []}
