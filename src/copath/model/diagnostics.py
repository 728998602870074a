"""Sampler diagnostics: divergences, R-hat, bulk and tail ESS, BFMI, and whether they pass.

The thresholds are the usual ones (Vehtari et al. 2021, *Bayesian Analysis* 16:667):
R-hat <= 1.01 and bulk and tail ESS >= 400 (``min(400, 100 x chains)`` for small runs) on
every parameter of the posterior, no divergent transition, and BFMI >= 0.3 in every chain
(Betancourt 2016).

Example
-------
>>> d = Diagnostics(divergences=0, max_rhat=1.004, min_ess_bulk=850.0, min_ess_tail=700.0,
...                 min_bfmi=0.8, n_draws=4000)
>>> d.passed, d.to_frame().columns.tolist()
(True, ['value', 'threshold', 'pass'])
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["Diagnostics", "compute_diagnostics", "RHAT_MAX", "ESS_MIN", "BFMI_MIN"]

RHAT_MAX = 1.01
ESS_MIN = 400
BFMI_MIN = 0.3


@dataclass(frozen=True)
class Diagnostics:
    """Sampler diagnostics and whether they pass (R-hat <= 1.01, bulk/tail ESS >= 400,
    no divergences, BFMI >= 0.3 in every chain). ``ess_min`` scales with small runs:
    it is ``min(400, 100 x chains)``.

    Example
    -------
    >>> Diagnostics(0, 1.003, 900.0, 800.0, 0.9, 4000, 400.0).passed
    True
    """

    divergences: int
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    min_bfmi: float
    n_draws: int
    ess_min: float = ESS_MIN
    approximate: str | None = None  # the variational method, when the fit was not MCMC

    @property
    def checks(self) -> dict[str, bool]:
        if self.approximate:
            return {"mcmc": False}
        return {
            "divergences": self.divergences == 0,
            "r_hat": self.max_rhat <= RHAT_MAX,
            "ess_bulk": self.min_ess_bulk >= self.ess_min,
            "ess_tail": self.min_ess_tail >= self.ess_min,
            "bfmi": self.min_bfmi >= BFMI_MIN,
        }

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings for the checks that fail."""
        out = []
        if self.approximate:
            return [f"approximate fit ({self.approximate}): no MCMC diagnostics, and variational fits "
                    "understate uncertainty; use it to explore, then fit with NUTS (method='nuts')."]
        c = self.checks
        if not c["divergences"]:
            out.append(f"{self.divergences} divergent transitions: the posterior may be biased; "
                       "reparametrise or raise target_accept.")
        if not c["r_hat"]:
            out.append(f"max R-hat {self.max_rhat:.3f} > {RHAT_MAX}: chains disagree; run longer.")
        if not c["ess_bulk"] or not c["ess_tail"]:
            out.append(f"min ESS {min(self.min_ess_bulk, self.min_ess_tail):.0f} < {self.ess_min:.0f}: "
                       "too few effective draws for stable intervals; draw more.")
        if not c["bfmi"]:
            out.append(f"min BFMI {self.min_bfmi:.2f} < {BFMI_MIN}: poor exploration of the energy.")
        return out

    def to_frame(self) -> pd.DataFrame:
        """The checks as a table.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``check`` with columns ``value``, ``threshold`` (as text, e.g.
            ``"<= 1.01"``) and ``pass``: one row each for divergences, max r_hat,
            min ess_bulk, min ess_tail and min bfmi. For a variational fit it holds one
            row, ``method``, whose value is the method and whose ``pass`` is False.
        """
        if self.approximate:
            return pd.DataFrame([("method", self.approximate, "nuts", False)],
                                columns=["check", "value", "threshold", "pass"]).set_index("check")
        rows = [
            ("divergences", self.divergences, "0", self.checks["divergences"]),
            ("max r_hat", round(self.max_rhat, 4), f"<= {RHAT_MAX}", self.checks["r_hat"]),
            ("min ess_bulk", round(self.min_ess_bulk), f">= {self.ess_min:.0f}", self.checks["ess_bulk"]),
            ("min ess_tail", round(self.min_ess_tail), f">= {self.ess_min:.0f}", self.checks["ess_tail"]),
            ("min bfmi", round(self.min_bfmi, 3), f">= {BFMI_MIN}", self.checks["bfmi"]),
        ]
        return pd.DataFrame(rows, columns=["check", "value", "threshold", "pass"]).set_index("check")

    def __str__(self) -> str:
        if self.approximate:
            return f"Diagnostics FAIL: {self.warnings[0]} ({self.n_draws} draws)."
        verdict = "pass" if self.passed else "FAIL"
        text = (f"Diagnostics {verdict}: {self.divergences} divergences, max R-hat {self.max_rhat:.3f}, "
                f"min bulk ESS {self.min_ess_bulk:.0f}, min tail ESS {self.min_ess_tail:.0f}, "
                f"min BFMI {self.min_bfmi:.2f} ({self.n_draws} draws).")
        return text + "".join(f"\n  - {w}" for w in self.warnings)



def compute_diagnostics(idata: xr.DataTree, method: str = "nuts") -> Diagnostics:
    """Divergences, worst R-hat and ESS over all posterior variables, and BFMI, of ``idata``.

    Parameters
    ----------
    idata
        A DataTree with ``posterior`` (and ``sample_stats`` for NUTS).
    method
        The fit's method: a variational fit (``"advi"``) has no MCMC diagnostics.

    Returns
    -------
    Diagnostics
    """
    post = idata["posterior"].to_dataset()
    if method != "nuts":
        n = int(post.sizes["chain"] * post.sizes["draw"])
        return Diagnostics(0, float("nan"), float("nan"), float("nan"), float("nan"), n, approximate=method)
    stats = idata["sample_stats"].to_dataset() if "sample_stats" in idata.children else xr.Dataset()
    divergences = int(stats["diverging"].sum()) if "diverging" in stats else 0
    rhat = az.rhat(post)
    ess_b = az.ess(post, method="bulk")
    ess_t = az.ess(post, method="tail")

    def extreme(ds: xr.Dataset, fn) -> float:
        vals = [float(fn(ds[v].values)) for v in ds.data_vars if ds[v].size]
        vals = [v for v in vals if np.isfinite(v)]
        return fn(np.array(vals)) if vals else float("nan")

    try:
        bfmi = float(np.min(az.bfmi(idata).to_dataset()["energy"].values))
    except Exception:  # noqa: BLE001 - samplers without an energy statistic
        bfmi = float("nan")
    chains = post.sizes["chain"]
    return Diagnostics(
        divergences=divergences,
        max_rhat=float(extreme(rhat, np.max)),
        min_ess_bulk=float(extreme(ess_b, np.min)),
        min_ess_tail=float(extreme(ess_t, np.min)),
        min_bfmi=bfmi if np.isfinite(bfmi) else 1.0,
        n_draws=int(chains * post.sizes["draw"]),
        ess_min=float(min(ESS_MIN, 100 * chains)),
    )

