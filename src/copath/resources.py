"""Where the bundled models/, priors/ and datasets/ folders are.

In a wheel they sit inside the package as ``copath/_bundled/<kind>``; in a checkout
(editable install or ``PYTHONPATH=src``) they are the top-level folders of the
repository. :func:`bundled_dir` returns whichever exists, the installed copy first.

Example
-------
>>> bundled_dir("models").name
'models'
>>> "policing_coproduction.yaml" in [p.name for p in bundled_dir("models").glob("*.yaml")]
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["bundled_dir", "find_bundled"]

Kind = Literal["models", "priors", "datasets"]
_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(kind: Kind) -> Path:
    """The folder holding the bundled ``kind`` (models, priors or datasets).

    Example
    -------
    >>> bundled_dir("priors").is_dir()
    True
    """
    if kind not in ("models", "priors", "datasets"):
        raise ValueError(f"unknown bundled folder {kind!r}; expected models, priors or datasets")
    for candidate in (_PACKAGE_DIR / "_bundled" / kind, _PACKAGE_DIR.parents[1] / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"copath's bundled '{kind}' folder is missing (looked in the package and the checkout)"
    )


def find_bundled(kind: Kind, name_or_path: str | Path, suffixes: tuple[str, ...]) -> Path:
    """Resolve a bundled name (``"policing_coproduction"``) or an explicit path.

    A value that names an existing file is used as it is; otherwise it is looked up
    in the bundled folder with each suffix in turn.

    Example
    -------
    >>> find_bundled("models", "policing_coproduction", (".yaml",)).name
    'policing_coproduction.yaml'
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    folder = bundled_dir(kind)
    for suffix in ("", *suffixes):
        candidate = folder / f"{name_or_path}{suffix}"
        if candidate.is_file():
            return candidate
    available = sorted(p.stem for p in folder.iterdir() if p.suffix in suffixes)
    raise FileNotFoundError(
        f"no file or bundled {kind[:-1]} named {str(name_or_path)!r}; bundled: {', '.join(available)}"
    )
