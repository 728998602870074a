"""Many scenarios at once, as independent Dask jobs (:mod:`copath.jobs`).

Example (tested in ``tests/test_jobs.py``; it starts a Dask cluster)::

    table = cp.sweep("out/demo/result", {f"NW +{d}": {"nw_coverage": f"+{d}"} for d in (0.1, 0.2, 0.3)})
    table.loc[("NW +0.2", "qol_citizens"), "difference"]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from copath.jobs import load_cached, result_folder, run_jobs
from copath.model.record import FitRecord
from copath.scenarios.scenario import build_scenario

__all__ = ["sweep"]


def _one(job: tuple[str, str, dict[str, Any], Any]) -> pd.DataFrame:
    folder, name, changes, areas = job
    table = build_scenario(load_cached(folder), changes, areas=areas, name=name).outcomes(uninformed=False)
    return table.assign(scenario=name).reset_index().set_index(["scenario", "outcome"])


def sweep(
    result: FitRecord | str | Path,
    scenarios: Mapping[str, Mapping[str, float | str]],
    areas: Any = None,
    client: Any = None,
    address: str | None = None,
    n_workers: int | None = None,
) -> pd.DataFrame:
    """Every scenario's outcome table, stacked (index: scenario, outcome).

    Parameters
    ----------
    result
        A fitted result (saved to a temporary folder first) or the folder of a saved one.
    scenarios
        Scenario name -> changes (as for ``res.scenario``).
    areas
        Only these areas (default: all).
    client, address, n_workers
        Where the jobs run: an existing Dask client, a scheduler address, or a local
        cluster of ``n_workers`` processes started for the sweep.

    Returns
    -------
    pandas.DataFrame
        The outcome table of every scenario (index: scenario, outcome).
    """
    if not scenarios:
        raise ValueError("sweep needs at least one scenario")
    with result_folder(result) as folder:
        jobs = [(folder, str(name), dict(changes), areas) for name, changes in scenarios.items()]
        return pd.concat(run_jobs(_one, jobs, client=client, address=address, n_workers=n_workers))
