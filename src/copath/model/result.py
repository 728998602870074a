"""The fitted result: posterior tables, diagnostics and predictive checks.

A :class:`FitResult` comes from :func:`copath.fit` (whose docstring fits a small
model) or :func:`copath.load_result`; :class:`Diagnostics` judges a run.

Example
-------
>>> d = Diagnostics(divergences=0, max_rhat=1.004, min_ess_bulk=850.0, min_ess_tail=700.0,
...                 min_bfmi=0.8, n_draws=4000)
>>> d.passed, d.to_frame().columns.tolist()
(True, ['value', 'threshold', 'pass'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import norm

from copath.constants import HDI_PROB
from copath.evidence.priors import LinkPrior
from copath.evidence.registry import Evidence
from copath.spec.pathway import Pathway

if TYPE_CHECKING:  # pragma: no cover
    from copath.model.builder import BuiltModel

__all__ = ["FitResult", "Diagnostics", "RHAT_MAX", "ESS_MIN", "BFMI_MIN"]

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


def _dataset(tree: xr.DataTree, group: str) -> xr.Dataset:
    return tree[group].to_dataset()


@dataclass
class FitResult:
    """A fitted pathway: the DataTree plus everything needed to read and reproduce it.

    Example
    -------
    >>> import copath as cp  # doctest: +SKIP
    >>> res = cp.fit(pw, df, draws=500, chains=2)  # doctest: +SKIP
    >>> res.summary(); res.diagnostics(); res.save("out/run")  # doctest: +SKIP
    """

    idata: xr.DataTree
    pathway: Pathway
    evidence: Evidence | None
    priors: dict[str, LinkPrior]
    data: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    _built: BuiltModel | None = field(default=None, repr=False)
    _forward: Any = field(default=None, repr=False)
    _diagnostics: Diagnostics | None = field(default=None, repr=False)
    #: scenarios, path effects and the sensitivity computed on this result in this
    #: session; :meth:`report` includes them unless told otherwise
    computed: dict[str, Any] = field(default_factory=lambda: {"scenarios": {}, "path_effects": {},
                                                              "sensitivity": None}, repr=False)

    # ---------------------------------------------------------------- model
    @property
    def built(self) -> BuiltModel:
        """The PyMC model (rebuilt from spec, priors and data after a load)."""
        if self._built is None:
            from copath.model.builder import build_model

            self._built = build_model(self.pathway, self.data, priors=self.priors)
        return self._built

    @property
    def model(self):
        return self.built.model

    @property
    def forward(self):
        """The structural equations over this result's posterior draws (built once, cached);
        scenarios and path effects share it."""
        if self._forward is None:
            from copath.scenarios.forward import Forward

            self._forward = Forward(self)
        return self._forward

    @property
    def posterior(self) -> xr.Dataset:
        return _dataset(self.idata, "posterior")

    def observed_links(self) -> list[str]:
        """Links whose child has local data (the others rest on their prior)."""
        observed = set(self.idata["observed_data"].to_dataset().data_vars) if "observed_data" in self.idata.children else set()
        return [link.name for link in self.pathway.links if link.target in observed]

    # -------------------------------------------------------------- tables
    def summary(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """One row per link: grade, prior and posterior mean/HDI, r_hat, ess_bulk.

        ``contraction`` is 1 - posterior var / prior var (how much the data narrowed
        the link); ``shift`` is (posterior mean - prior mean) / prior sd.
        """
        beta = self.posterior["beta"]
        hdi = az.hdi(beta, prob=prob)
        rhat = az.rhat(beta)
        ess = az.ess(beta, method="bulk")
        informed = set(self.observed_links())
        z = norm.ppf(0.5 + prob / 2)
        rows = []
        for link in self.pathway.links:
            name = link.name
            prior = self.priors[name]
            draws = beta.sel(link=name).values.ravel()
            post_sd = float(draws.std(ddof=1))
            rows.append({
                "link": name, "from": link.source, "to": link.target,
                "grade": prior.grade or "-", "weak": prior.weak, "scale": prior.scale,
                "prior_mean": prior.mu,
                "prior_hdi_low": prior.mu - z * prior.sigma,
                "prior_hdi_high": prior.mu + z * prior.sigma,
                "post_mean": float(draws.mean()), "post_sd": post_sd,
                "post_hdi_low": float(hdi.sel(link=name, ci_bound="lower")),
                "post_hdi_high": float(hdi.sel(link=name, ci_bound="upper")),
                "contraction": 1 - post_sd**2 / prior.sigma**2,
                "shift": (float(draws.mean()) - prior.mu) / prior.sigma,
                "local_data": name in informed,
                "r_hat": float(rhat.sel(link=name)), "ess_bulk": float(ess.sel(link=name)),
            })
        return pd.DataFrame(rows).set_index("link")

    def diagnostics(self) -> Diagnostics:
        """Divergences, worst R-hat and ESS over all parameters, and BFMI (computed once)."""
        if self._diagnostics is None:
            self._diagnostics = self._compute_diagnostics()
        return self._diagnostics

    def _compute_diagnostics(self) -> Diagnostics:
        post = self.posterior
        method = self.settings.get("method", "nuts")
        if method != "nuts":
            n = int(post.sizes["chain"] * post.sizes["draw"])
            return Diagnostics(0, float("nan"), float("nan"), float("nan"), float("nan"), n, approximate=method)
        stats = _dataset(self.idata, "sample_stats") if "sample_stats" in self.idata.children else xr.Dataset()
        divergences = int(stats["diverging"].sum()) if "diverging" in stats else 0
        rhat = az.rhat(post)
        ess_b = az.ess(post, method="bulk")
        ess_t = az.ess(post, method="tail")

        def extreme(ds: xr.Dataset, fn) -> float:
            vals = [float(fn(ds[v].values)) for v in ds.data_vars if ds[v].size]
            vals = [v for v in vals if np.isfinite(v)]
            return fn(np.array(vals)) if vals else float("nan")

        try:
            bfmi = float(np.min(az.bfmi(self.idata).to_dataset()["energy"].values))
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

    def _predictive_check(self, group: str, prob: float) -> pd.DataFrame:
        if group not in self.idata.children or "observed_data" not in self.idata.children:
            raise ValueError(f"this result has no {group} group")
        pred = _dataset(self.idata, group)
        obs = _dataset(self.idata, "observed_data")
        rows = []
        lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2
        for name in obs.data_vars:
            if name not in pred:
                continue
            y = obs[name].values
            sims = pred[name].values.reshape(-1, y.size)
            stat = sims.mean(axis=1)
            sd = sims.std(axis=1)
            node = self.pathway.nodes.get(name)
            rows.append({
                "node": name, "kind": node.kind if node else "",
                "observed_mean": float(y.mean()),
                "predicted_mean": float(stat.mean()),
                "mean_low": float(np.quantile(stat, lo_q)), "mean_high": float(np.quantile(stat, hi_q)),
                "p_mean": float(np.mean(stat >= y.mean())),
                "observed_sd": float(y.std()), "predicted_sd": float(sd.mean()),
                "p_sd": float(np.mean(sd >= y.std())),
                "coverage": float(np.mean((y >= np.quantile(sims, lo_q, axis=0)) & (y <= np.quantile(sims, hi_q, axis=0)))),
            })
        table = pd.DataFrame(rows).set_index("node")
        table["ok"] = table["p_mean"].between(0.01, 0.99) & table["p_sd"].between(0.01, 0.99)
        return table

    def prior_predictive(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Prior predictive check per observed node: does the prior allow the data?

        ``p_mean`` / ``p_sd`` are the shares of prior-predictive data sets whose mean /
        sd is at least the observed one (near 0 or 1: the prior rules the data out);
        ``coverage`` is the share of observations inside the central ``prob`` interval.
        """
        return self._predictive_check("prior_predictive", prob)

    def posterior_predictive(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Posterior predictive check per observed node (same columns as :meth:`prior_predictive`)."""
        return self._predictive_check("posterior_predictive", prob)

    # ----------------------------------------------------------- scenarios
    def scenario(self, changes: dict[str, float | str], areas: Any = None, name: str | None = None):
        """A do-intervention (see :mod:`copath.scenarios.scenario`), e.g.
        ``res.scenario({"nw_coverage": "+0.2"})``; ``.outcomes()`` gives the table."""
        from copath.scenarios.scenario import build_scenario

        sc = build_scenario(self, changes, areas=areas, name=name)
        self._remember("scenarios", sc.name, sc)
        return sc

    def path_effects(self, source: str, target: str, delta: float = 1.0):
        """Total, direct and per-path effects of ``source`` on ``target``
        (see :mod:`copath.scenarios.paths`)."""
        from copath.scenarios.paths import path_effects

        eff = path_effects(self, source, target, delta=delta)
        self._remember("path_effects", f"{source} -> {target}", eff)
        return eff

    def _remember(self, kind: str, key: str, value: Any, keep: int = 10) -> None:
        store = self.computed[kind]
        store.pop(key, None)
        store[key] = value
        while len(store) > keep:  # the report keeps the most recent ones
            store.pop(next(iter(store)))

    # --------------------------------------------------------- sensitivity
    def sensitivity(self, threshold: float = 0.05, alternatives: bool = False, scenarios: Any = (),
                    links: list[str] | None = None):
        """Per link: power-scaling sensitivity to its own prior and to the likelihood,
        the diagnosis, and its share of each final outcome's variance; tornado; and
        with ``alternatives`` the effect of sceptical / vague / registry priors
        (see :mod:`copath.sensitivity.analysis`)."""
        from copath.sensitivity.analysis import sensitivity

        sens = sensitivity(self, threshold=threshold, alternatives=alternatives, scenarios=scenarios,
                           links=links)
        self.computed["sensitivity"] = sens
        return sens

    def with_prior(self, link: str, prior: Any, refit: bool = True, random_seed: int = 0,
                   progressbar: bool = False) -> FitResult:
        """This result with a new prior on ``link`` (a LinkPrior, ``{"mu", "sigma"}``, or
        ``"sceptical"`` / ``"vague"`` / ``"registry"``), by PSIS reweighting, refitting when
        Pareto k is too high (see :mod:`copath.sensitivity.prior_swap`)."""
        from copath.sensitivity.prior_swap import with_prior

        return with_prior(self, link, prior, refit=refit, random_seed=random_seed, progressbar=progressbar)

    def evppi(self, scenarios: Any, value: Any, cost: Any = None):
        """Expected value of perfect information on each link for the choice between
        ``scenarios`` and no change (see :mod:`copath.sensitivity.value`)."""
        from copath.sensitivity.value import result_evppi

        return result_evppi(self, scenarios, value=value, cost=cost)

    # -------------------------------------------------------------- report
    def report(self, path: str | Path, scenarios: Any = None, path_effects: Any = None,
               sensitivity: Any = None, fmt: str | None = None) -> Path:
        """Write the posterior report: self-contained HTML, or Markdown when ``path`` ends
        in ``.md`` (see :mod:`copath.reports`). Scenarios, path effects and sensitivity
        default to those computed on this result (the last 10 of each)."""
        from copath.reports.report import write_report

        return write_report(
            self, path,
            scenarios=list(self.computed["scenarios"].values()) if scenarios is None else scenarios,
            path_effects=list(self.computed["path_effects"].values()) if path_effects is None else path_effects,
            sensitivity=self.computed["sensitivity"] if sensitivity is None else sensitivity,
            fmt=fmt,
        )

    # ------------------------------------------------------------ storage
    def save(self, path: str | Path) -> Path:
        """Save to folder ``path`` atomically (see :mod:`copath.model.storage`)."""
        from copath.model.storage import save_result

        return save_result(self, path)

    def _repr_html_(self) -> str:
        from copath.reports.jupyter import result_html

        return result_html(self)

    def __repr__(self) -> str:
        post = self.posterior
        return (f"FitResult({self.pathway.name!r}: {len(self.pathway.links)} links, "
                f"{len(self.data)} rows, {post.sizes['chain']} chains x {post.sizes['draw']} draws, "
                f"sampler={self.settings.get('sampler')})")
