"""Independent jobs (scenario sweeps, sensitivity refits) through Dask distributed.

Each job gets the *folder* of a saved result, never the result object: workers load it
from disk once (cached per worker process), so nothing large is shipped and nothing is
pickled to disk. ``client`` is an existing ``dask.distributed.Client``; ``address`` a
scheduler to connect to (scale out over machines that see the same folder); with
neither, a local cluster of one worker process per core is started and closed here.

Example
-------
>>> run_jobs(abs, [-1, 2, -3], address=None)  # doctest: +SKIP
[1, 2, 3]
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["run_jobs", "load_cached"]


@functools.lru_cache(maxsize=4)
def load_cached(folder: str):
    """A saved result, loaded once per worker process."""
    from copath.model.storage import load_result

    return load_result(folder)


def run_jobs(fn: Callable[[Any], Any], items: Iterable[Any], client: Any = None, address: str | None = None,
             n_workers: int | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, run as Dask tasks; results in input order."""
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
def result_folder(result: Any) -> Iterator[str]:
    """The folder of ``result``: itself if it is a path, else a save in a temporary
    folder that is removed when the jobs are done."""
    if isinstance(result, (str, Path)):
        yield str(Path(result).resolve())
        return
    with tempfile.TemporaryDirectory(prefix="copath-jobs-") as tmp:
        yield str(result.save(Path(tmp) / "result").resolve())
