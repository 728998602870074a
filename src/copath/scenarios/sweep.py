"""Many scenarios at once, as independent Dask jobs (:mod:`copath.jobs`).

Example
-------
>>> table = sweep("out/demo/result", {f"NW +{d}": {"nw_coverage": f"+{d}"} for d in (0.1, 0.2, 0.3)})  # doctest: +SKIP
>>> table.loc[("NW +0.2", "qol_citizens"), "difference"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from copath.jobs import load_cached, result_folder, run_jobs

__all__ = ["sweep"]


def _one(job: tuple[str, str, dict[str, Any], Any]) -> pd.DataFrame:
    folder, name, changes, areas = job
    res = load_cached(folder)
    table = res.scenario(changes, areas=areas, name=name).outcomes()
    return table.assign(scenario=name).reset_index().set_index(["scenario", "outcome"])


def sweep(
    result: Any,
    scenarios: Mapping[str, Mapping[str, float | str]],
    areas: Any = None,
    client: Any = None,
    address: str | None = None,
    n_workers: int | None = None,
) -> pd.DataFrame:
    """Every scenario's outcome table, stacked (index: scenario, outcome).

    ``result`` is a :class:`~copath.FitResult` (saved to a temporary folder first) or the
    folder of a saved one. Jobs run on ``client``, on the scheduler at ``address``, or on
    a local cluster started for the sweep."""
    if not scenarios:
        raise ValueError("sweep needs at least one scenario")
    with result_folder(result) as folder:
        jobs = [(folder, str(name), dict(changes), areas) for name, changes in scenarios.items()]
        return pd.concat(run_jobs(_one, jobs, client=client, address=address, n_workers=n_workers))
