"""Independent jobs (scenario sweeps, sensitivity refits) through Dask distributed.

Each job gets the *folder* of a saved result, never the result object: workers load it
from disk once (cached per worker process), so nothing large is shipped and nothing is
pickled to disk. ``client`` is an existing ``dask.distributed.Client``; ``address`` a
scheduler to connect to (scale out over machines that see the same folder); with
neither, a local cluster of one worker process per core is started and closed here.

Example (tested in ``tests/test_jobs.py``; it starts a local Dask cluster)::

    run_jobs(abs, [-1, 2, -3])   # [1, 2, 3]
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from copath.model.record import FitRecord
from copath.model.storage import load_record, save_record

__all__ = ["run_jobs", "load_cached", "result_folder"]


@functools.lru_cache(maxsize=4)
def load_cached(folder: str) -> FitRecord:
    """A saved result, loaded once per worker process.

    Parameters
    ----------
    folder
        A result folder (absolute path).

    Returns
    -------
    FitRecord
    """
    return load_record(folder)


def run_jobs(fn: Callable[[Any], Any], items: Iterable[Any], client: Any = None, address: str | None = None,
             n_workers: int | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, run as Dask tasks; results in input order.

    Parameters
    ----------
    fn
        A function a worker process can import (module level).
    items
        One argument per job.
    client
        An existing ``dask.distributed.Client``.
    address
        A scheduler to connect to, when there is no client.
    n_workers
        Worker processes of the local cluster started otherwise (default: the cores).

    Returns
    -------
    list
        ``fn(item)`` for each item, in order.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ValueError("Dask distributed is needed: pip install 'copath[distributed]'") from None
    items = list(items)
    own = None
    if client is None:
        if address is not None:
            client = own = Client(address)
        else:
            cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = own = Client(cluster)
    try:
        futures = client.map(fn, items, pure=False)
        return client.gather(futures)
    finally:
        if own is not None:
            cluster = own.cluster
            own.close()
            if cluster is not None:
                cluster.close()


@contextlib.contextmanager
def result_folder(result: FitRecord | str | Path) -> Iterator[str]:
    """The folder of ``result``: itself if it is a path, else a save in a temporary
    folder that is removed when the jobs are done."""
    if isinstance(result, (str, Path)):
        yield str(Path(result).resolve())
        return
    with tempfile.TemporaryDirectory(prefix="copath-jobs-") as tmp:
        yield str(save_record(result, Path(tmp) / "result").resolve())
