"""Save and load fitted results: netCDF + YAML + CSV, hashed, written atomically. No pickle.

A result folder holds:

- ``idata.nc``: the ArviZ DataTree (netCDF4 via h5netcdf);
- ``pathway.yaml``, ``evidence.yaml``, ``priors.yaml``: the spec, the registry and
  the link priors used;
- ``data.csv``: the local data as fitted;
- ``manifest.json``: format version, copath version, fit settings, and the SHA-256 of
  every file above. :func:`load_result` refuses a folder whose files do not match.

Writing is atomic: the new result is written to a hidden sibling folder, then swapped
in by two renames (old -> ``.NAME.previous``, new -> ``NAME``). If a save dies between
the two renames, the previous result is still whole in ``.NAME.previous`` and
:func:`load_result` (and the next save) put it back.

Example
-------
>>> import copath as cp, tempfile  # doctest: +SKIP
>>> res.save(tempfile.mkdtemp() + "/run"); cp.load_result(_)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import xarray as xr
import yaml

from copath.errors import CopathError
from copath.evidence.priors import LinkPrior
from copath.evidence.registry import Evidence, entries_from_doc
from copath.spec.loader import pathway_from_dict, pathway_to_dict
from copath.yaml_io import read_yaml_text

if TYPE_CHECKING:  # pragma: no cover
    from copath.model.result import FitResult

__all__ = ["save_result", "load_result", "ResultError", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_FILES = ("idata.nc", "pathway.yaml", "evidence.yaml", "priors.yaml", "data.csv")


class ResultError(CopathError):
    """A result folder is missing, incomplete, or has been changed since it was saved."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _netcdf_ready(tree: xr.DataTree) -> xr.DataTree:
    """Drop variables netCDF cannot hold (object arrays of None, e.g. divergence messages)."""
    groups = {}
    for name, node in tree.children.items():
        ds = node.to_dataset()
        drop = [v for v in ds.data_vars if ds[v].dtype == object]
        ds = ds.drop_vars(drop)
        for coord in ds.coords:
            if ds[coord].dtype == object:
                ds = ds.assign_coords({coord: ds[coord].astype(str)})
        groups[name] = ds
    return xr.DataTree.from_dict(groups)


def _dump_yaml(obj) -> bytes:
    return yaml.safe_dump(obj, sort_keys=False, allow_unicode=True).encode("utf-8")


def _previous(path: Path) -> Path:
    return path.parent / f".{path.name}.previous"


def _recover(path: Path) -> None:
    """Finish an interrupted swap: put the previous result back if NAME is missing."""
    prev = _previous(path)
    if prev.exists():
        if path.exists():
            shutil.rmtree(prev, ignore_errors=True)
        else:
            prev.rename(path)


def save_result(result: FitResult, path: str | Path) -> Path:
    """Write ``result`` to folder ``path`` atomically; return the folder."""
    from copath import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _recover(path)
    if path.exists() and not (path / "manifest.json").is_file() and any(path.iterdir()):
        raise ResultError("exists and is not a copath result folder; refusing to replace it", file=path)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        blobs: dict[str, bytes] = {
            "pathway.yaml": _dump_yaml(pathway_to_dict(result.pathway)),
            "evidence.yaml": _dump_yaml([e.to_dict() for e in (result.evidence or [])]),
            "priors.yaml": _dump_yaml({k: p.to_dict() for k, p in result.priors.items()}),
            "data.csv": result.data.to_csv(index=False).encode("utf-8"),
        }
        for name, data in blobs.items():
            (tmp / name).write_bytes(data)
        _netcdf_ready(result.idata).to_netcdf(tmp / "idata.nc", engine="h5netcdf")
        hashes = {name: _sha256(data) for name, data in blobs.items()}
        hashes["idata.nc"] = _sha256((tmp / "idata.nc").read_bytes())
        manifest = {
            "format_version": FORMAT_VERSION,
            "copath_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "pathway": result.pathway.name,
            "settings": result.settings,
            "sha256": hashes,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        prev = _previous(path)
        if path.exists():
            path.rename(prev)
        tmp.rename(path)
        shutil.rmtree(prev, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _recover(path)
        raise
    return path


def load_result(path: str | Path) -> FitResult:
    """Load a result folder written by :meth:`FitResult.save`, checking every hash.

    Example
    -------
    >>> load_result("/no/such/folder")
    Traceback (most recent call last):
    ...
    copath.model.storage.ResultError: /no/such/folder: no copath result here (manifest.json is missing)
    """
    from copath.model.result import FitResult

    path = Path(path)
    _recover(path)
    manifest_file = path / "manifest.json"
    if not manifest_file.is_file():
        raise ResultError("no copath result here (manifest.json is missing)", file=path)
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ResultError(f"manifest.json is not valid JSON ({err})", file=path) from None
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ResultError(f"result format {version!r} is newer than this copath reads ({FORMAT_VERSION}); "
                          "upgrade copath", file=path)
    blobs: dict[str, bytes] = {}
    for name in _FILES:
        file = path / name
        if not file.is_file():
            raise ResultError(f"{name} is missing", file=path)
        blobs[name] = file.read_bytes()
        expected = manifest.get("sha256", {}).get(name)
        if _sha256(blobs[name]) != expected:
            raise ResultError(f"{name} does not match its hash in manifest.json: it was changed after saving",
                              file=path)
    pathway = pathway_from_dict(read_yaml_text(blobs["pathway.yaml"].decode(), str(path / "pathway.yaml")),
                                source=str(path / "pathway.yaml"))
    evidence = Evidence(entries_from_doc(read_yaml_text(blobs["evidence.yaml"].decode()), str(path / "evidence.yaml")))
    priors = {k: LinkPrior.from_dict(v) for k, v in read_yaml_text(blobs["priors.yaml"].decode()).items()}
    data = pd.read_csv(io.BytesIO(blobs["data.csv"]))
    with xr.open_datatree(path / "idata.nc", engine="h5netcdf") as tree:
        idata = tree.load().copy()
    return FitResult(idata=idata, pathway=pathway, evidence=evidence, priors=priors, data=data,
                     settings=manifest.get("settings", {}))
