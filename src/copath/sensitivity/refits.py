"""Refit under alternative priors, as independent Dask jobs (:mod:`copath.jobs`).

Importance sampling answers most prior swaps from the existing draws; where Pareto k is
too high (``reliable`` is False in ``Sensitivity.alternatives``) only a refit can. Each
refit is a job that loads the saved result on a worker, fits again with the one prior
changed, and returns each final outcome's posterior mean.

Example (tested in ``tests/test_jobs.py``; it starts a local Dask cluster)::

    sens = res.sensitivity(alternatives=True)
    refits = refit_alternatives("out/demo/result", sens.alternatives)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from copath.jobs import load_cached, result_folder, run_jobs
from copath.model.record import FitRecord
from copath.sensitivity.importance import outcome_draws
from copath.sensitivity.prior_swap import alternative_priors, refit_with_prior

__all__ = ["refit_alternatives"]


def _one(job: tuple[str, str, str]) -> list[dict[str, Any]]:
    folder, link, alternative = job
    res = load_cached(folder)
    new = refit_with_prior(res, link, alternative_priors(res, link)[alternative])
    return [{"link": link, "alternative": alternative, "quantity": q, "refit_mean": float(v.mean()),
             "refit_max_rhat": new.diagnostics().max_rhat}
            for q, v in outcome_draws(new).items()]


def refit_alternatives(
    result: FitRecord | str | Path,
    alternatives: pd.DataFrame,
    only_unreliable: bool = True,
    client: Any = None,
    address: str | None = None,
    n_workers: int | None = None,
) -> pd.DataFrame:
    """Refit every (link, alternative) of ``alternatives`` (the table from
    ``res.sensitivity(alternatives=True)``), by default only the unreliable ones; one row
    per (link, alternative, final outcome) with the refitted posterior mean."""
    rows = alternatives[~alternatives["reliable"]] if only_unreliable else alternatives
    pairs = sorted(set(zip(rows["link"], rows["alternative"], strict=True)))
    if not pairs:
        return pd.DataFrame(columns=["link", "alternative", "quantity", "refit_mean", "refit_max_rhat"])
    with result_folder(result) as folder:
        out = run_jobs(_one, [(folder, link, alt) for link, alt in pairs], client=client, address=address,
                       n_workers=n_workers)
    return pd.DataFrame([row for rows_ in out for row in rows_])
