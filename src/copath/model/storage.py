"""Save and load fitted results: netCDF + YAML + CSV, hashed, written atomically. No pickle.

A result folder holds:

- ``idata.nc``: the ArviZ DataTree (netCDF4 via h5netcdf);
- ``pathway.yaml``, ``evidence.yaml``, ``priors.yaml``: the spec, the registry and
  the link priors used;
- ``data.csv``: the local data as fitted;
- ``manifest.json``: format version, copath version, the fit's settings and run, and the
  SHA-256 of every file above (:func:`content_hashes`, which the report shows too).
  :func:`load_record` refuses a folder whose files do not match.

Writing is atomic: the new result is written to a hidden sibling folder, then swapped
in by two renames (old -> ``.NAME.previous``, new -> ``NAME``). If a save dies between
the two renames, the previous result is still whole in ``.NAME.previous`` and
:func:`load_record` (and the next save) put it back.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> import tempfile
>>> folder = save_record(rec, tempfile.mkdtemp() + "/run")
>>> again = load_record(folder)
>>> again.settings == rec.settings, bool((again.posterior["beta"] == rec.posterior["beta"]).all())
(True, True)
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr
import yaml

from copath.errors import CopathError
from copath.evidence.priors import LinkPrior
from copath.evidence.registry import Evidence, entries_from_doc
from copath.model.record import FitRecord
from copath.model.settings import FitRun, FitSettings
from copath.spec.loader import pathway_from_dict, pathway_to_dict
from copath.version import __version__
from copath.yaml_io import read_yaml_text

__all__ = ["save_record", "load_record", "content_hashes", "ResultError", "FORMAT_VERSION", "legacy_groups"]

#: 5: settings include ``prior_scale``, the spec may have a top-level ``prior_scale:`` and a
#: link prior a ``scaled_by`` (default priors on the data's scale); 4: ``pathway.yaml`` may hold spec keys a format-3 copath refuses as unknown (a node's
#: ``link: logit`` and ``plausible``, the pathway's ``risks``), so it says "upgrade copath"
#: instead; 3: settings include target_accept and max_treedepth; 2: the manifest holds the fit's
#: ``settings`` and its ``run`` apart; 1: one flat mapping. Bump it whenever FitSettings
#: gains a field or the spec a key, so an older copath refuses a newer result instead of
#: refitting it without it.
FORMAT_VERSION = 5
_FILES = ("idata.nc", "pathway.yaml", "evidence.yaml", "priors.yaml", "data.csv")


class ResultError(CopathError):
    """A result folder is missing, incomplete, or has been changed since it was saved."""


def legacy_groups(doc: Any) -> Any:
    """A saved spec from before ``groups:`` with area effects gets ``groups:`` = its first index
    column: the column its area effects were fitted on then (a spec read today must name it).

    Parameters
    ----------
    doc
        The saved ``pathway.yaml``, parsed.

    Returns
    -------
    The same mapping, with ``groups`` added where it was implied.

    Example
    -------
    >>> legacy_groups({"index": ["lsoa", "month"], "nodes": {"y": {"kind": "count", "area_effects": True}}})["groups"]
    'lsoa'
    """
    if isinstance(doc, dict) and "groups" not in doc and any(
            isinstance(n, dict) and n.get("area_effects") for n in (doc.get("nodes") or {}).values()):
        doc = {**doc, "groups": (doc.get("index") or ["area"])[0]}
    return doc


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


def _blobs(record: FitRecord) -> dict[str, bytes]:
    """The text files of a result folder, as bytes."""
    return {
        "pathway.yaml": _dump_yaml(pathway_to_dict(record.pathway)),
        "evidence.yaml": _dump_yaml([e.to_dict() for e in (record.evidence or [])]),
        "priors.yaml": _dump_yaml({k: p.to_dict() for k, p in record.priors.items()}),
        "data.csv": record.data.to_csv(index=False).encode("utf-8"),
    }


def content_hashes(record: FitRecord) -> dict[str, str]:
    """SHA-256 of the files of ``record``'s result folder: the manifest's own when the record
    was saved or loaded (the report's reproducibility section shows these), else those its
    spec, registry, priors and data files would have.

    Parameters
    ----------
    record
        A fitted record.

    Returns
    -------
    dict[str, str]
        File name -> SHA-256 (``idata.nc`` too once the record is saved).

    Example
    -------
    >>> {"data.csv", "evidence.yaml", "pathway.yaml", "priors.yaml"} <= set(content_hashes(rec))
    True
    """
    if record.saved_hashes:
        return dict(record.saved_hashes)
    return {name: _sha256(data) for name, data in _blobs(record).items()}


def save_record(record: FitRecord, path: str | Path) -> Path:
    """Write ``record`` to folder ``path`` atomically; return the folder.

    Parameters
    ----------
    record
        A fitted record (or :class:`copath.FitResult`).
    path
        The result folder; an existing result there is replaced atomically, anything else
        that is not empty is refused.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _recover(path)
    if path.exists() and not (path / "manifest.json").is_file() and any(path.iterdir()):
        raise ResultError("exists and is not a copath result folder; refusing to replace it", file=path)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        blobs = _blobs(record)
        for name, data in blobs.items():
            (tmp / name).write_bytes(data)
        _netcdf_ready(record.idata).to_netcdf(tmp / "idata.nc", engine="h5netcdf")
        hashes = {name: _sha256(data) for name, data in blobs.items()}
        hashes["idata.nc"] = _sha256((tmp / "idata.nc").read_bytes())
        manifest = {
            "format_version": FORMAT_VERSION,
            "copath_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "pathway": record.pathway.name,
            "settings": record.settings.to_dict(),
            "run": record.run.to_dict(),
            "sha256": hashes,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        prev = _previous(path)
        if path.exists():
            path.rename(prev)
        tmp.rename(path)
        shutil.rmtree(prev, ignore_errors=True)
        record.saved_hashes = hashes
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _recover(path)
        raise
    return path


def _legacy(flat: dict, priors: dict[str, LinkPrior]) -> tuple[FitSettings, FitRun]:
    """Settings and run of a format-1 manifest, which kept both in one mapping (the sampler
    and the log-likelihood mode as chosen, the predictive draws as capped). Format 1 did not
    say which priors replaced the registry's, so every saved prior is kept as one: a refit
    then uses exactly the priors the result was fitted with."""
    sampler = flat.get("sampler")
    settings = FitSettings(
        draws=int(flat.get("draws", 1000)), tune=int(flat.get("tune", 1000)), chains=int(flat.get("chains", 4)),
        random_seed=flat.get("random_seed"), sampler=sampler if sampler in ("nutpie", "pymc", "numpyro") else "nutpie",
        init=flat.get("init", "map"), adaptation="diag" if flat.get("adaptation") == "diag" else "low_rank",
        log_likelihood=flat.get("log_likelihood", "auto"), method=flat.get("method", "nuts"),
        prior_draws=int(flat.get("prior_draws", 500)), ppc_draws=int(flat.get("ppc_draws", 500)),
        priors=tuple(priors.values()),
    )
    return settings, FitRun.from_dict({**flat, "sampler": str(sampler or "nutpie")})


def load_record(path: str | Path) -> FitRecord:
    """Load a result folder written by :func:`save_record`, checking every hash.

    Parameters
    ----------
    path
        The result folder.

    Returns
    -------
    FitRecord

    Example
    -------
    >>> load_record("/no/such/folder")
    Traceback (most recent call last):
    ...
    copath.model.storage.ResultError: /no/such/folder: no copath result here (manifest.json is missing)
    """
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
    doc = legacy_groups(read_yaml_text(blobs["pathway.yaml"].decode(), str(path / "pathway.yaml")))
    pathway = pathway_from_dict(doc, source=str(path / "pathway.yaml"))
    evidence = Evidence(entries_from_doc(read_yaml_text(blobs["evidence.yaml"].decode()), str(path / "evidence.yaml")))
    priors = {k: LinkPrior.from_dict(v) for k, v in read_yaml_text(blobs["priors.yaml"].decode()).items()}
    data = pd.read_csv(io.BytesIO(blobs["data.csv"]))
    with xr.open_datatree(path / "idata.nc", engine="h5netcdf") as tree:
        idata = tree.load().copy()
    try:
        if version == 1:
            settings, run = _legacy(manifest.get("settings") or {}, priors)
        else:
            settings, run = FitSettings.from_dict(manifest["settings"]), FitRun.from_dict(manifest["run"])
    except (KeyError, TypeError, ValueError) as err:
        raise ResultError(f"manifest.json: unreadable fit settings ({err})", file=path) from None
    return FitRecord(idata=idata, pathway=pathway, evidence=evidence, priors=priors, data=data,
                     settings=settings, run=run, saved_hashes=dict(manifest["sha256"]))
