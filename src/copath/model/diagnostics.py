"""Sampler diagnostics: divergences, R-hat, bulk and tail ESS, BFMI, and whether they pass.

The thresholds are the usual ones (Vehtari et al. 2021, *Bayesian Analysis* 16:667):
rank-normalised split R-hat <= 1.01 and bulk and tail ESS >= 400 (``min(400, 100 x
chains)`` for small runs) on every element of every variable in the posterior (link
coefficients, intercepts, area effects and their spread, noise parameters, imputed
values), no divergent transition after warm-up, BFMI >= 0.3 in every chain
(Betancourt 2016), and no chain that sits apart from the others in log density
(:func:`stray_chains`: a chain stuck in another mode, named). Where the model samples a quantity in parts, the checks read the
quantity the answers use, not its parts: the link coefficients ``beta`` (not ``beta_free``,
``beta_soft`` and ``beta_total``, which are transformed or shifted versions of it) and the
area effects ``area_effect`` (not ``area_c``, nor ``area_z`` of ``area_sd * area_z``; the
spread ``area_sd`` is checked itself), the seasonal effects ``season`` (not ``season_z``) and
the period effects ``period_effect`` (not ``period_raw``).

When a check fails, :attr:`Diagnostics.worst` names the parameters that fail it worst,
with their coordinates (``beta[worried -> qol_citizens]``, ``area_sd[burglary]``), and
:attr:`Diagnostics.causes` says what usually causes that pattern (a pair of links whose
chains sit in mirror-image modes is named as such: :mod:`copath.model.mirror`).

The sampler can pass while the model misses the data. A fit's diagnostics
(:meth:`copath.model.record.FitRecord.diagnostics`) therefore carry the posterior predictive
check as well (:attr:`Diagnostics.predictive`: one sentence per node whose check fails, with
its remedy; :mod:`copath.model.predictive` holds the rule), and :attr:`Diagnostics.passed` is
the one verdict on both; :attr:`Diagnostics.sampler_passed` is the sampler's alone (what
simulation-based calibration and ``copath fit``'s exit code ask).

Example
-------
>>> d = Diagnostics(divergences=0, max_rhat=1.004, min_ess_bulk=850.0, min_ess_tail=700.0,
...                 min_bfmi=0.8, n_draws=4000)
>>> d.passed, d.to_frame().columns.tolist()
(True, ['value', 'threshold', 'pass'])
>>> misfit = Diagnostics(0, 1.006, 850.0, 700.0, 0.8, 4000,
...                      predictive=("posterior predictive check fails for good_job: p_sd 0.000.",))
>>> misfit.sampler_passed, misfit.passed, str(misfit).splitlines()[0].split("; ")[-1]
(True, False, 'posterior predictive check FAILS for good_job.')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["Diagnostics", "Worst", "rhat_text", "compute_diagnostics", "worst_parameters", "likely_causes", "stray_chains",
           "RHAT_MAX", "ESS_MIN", "BFMI_MIN", "STRAY_SDS"]

#: Sampled parts of a quantity the checks read whole: the link coefficients ``beta`` (made
#: of ``beta_free``, ``beta_soft`` and ``beta_total``) and the area effects ``area_effect`` (made of
#: ``area_c`` and ``area_sd * area_z``).
AUXILIARY = {"beta_free": "beta", "beta_soft": "beta", "beta_total": "beta", "area_c": "area_effect", "area_z": "area_effect",
             "season_z": "season", "period_raw": "period_effect"}

RHAT_MAX = 1.01
ESS_MIN = 400
BFMI_MIN = 0.3
#: A chain whose mean log density lies more than this many within-chain sds from the
#: median of the other chains' means sits apart (:func:`stray_chains`).
STRAY_SDS = 3.0
#: The log density's name in the sample stats: nutpie's, then PyMC's and copath's NumPyro driver's.
LOGP_STATS = ("logp", "lp")


def rhat_text(value: float) -> str:
    """R-hat to three decimals, or more where three would hide which side of :data:`RHAT_MAX`
    it lies (1.01006 fails the check and must not print as 1.010).

    Example
    -------
    >>> rhat_text(1.0043), rhat_text(1.01006), rhat_text(1.0100004)
    ('1.004', '1.0101', '1.0100004')
    """
    for digits in range(3, 9):
        text = f"{value:.{digits}f}"
        if (float(text) > RHAT_MAX) == (value > RHAT_MAX):
            return text
    return f"{value:.9f}"


@dataclass(frozen=True)
class Worst:
    """One parameter's convergence: its label with coordinates, R-hat and bulk/tail ESS."""

    parameter: str
    r_hat: float
    ess_bulk: float
    ess_tail: float

    def describe(self) -> str:
        """``"beta[x -> y] (R-hat 1.08, bulk ESS 40, tail ESS 52)"``."""
        return f"{self.parameter} (R-hat {rhat_text(self.r_hat)}, bulk ESS {self.ess_bulk:.0f}, tail ESS {self.ess_tail:.0f})"


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
    worst: tuple[Worst, ...] = field(default=(), compare=False)  # the parameters failing worst
    causes: tuple[str, ...] = field(default=(), compare=False)  # what usually causes that
    stray: tuple[str, ...] = field(default=())  # one sentence per chain that sits apart (stray_chains)
    #: one sentence per node whose posterior predictive check fails, with its remedy
    #: (copath.model.predictive.misfits); None when no check was made (no node has data)
    predictive: tuple[str, ...] | None = None
    #: why no posterior predictive check was made, when ``predictive`` is None for a reason
    #: the user should see (too few predictive draws to judge coverage or p-values)
    predictive_note: str = field(default="", compare=False)

    @property
    def sampler_checks(self) -> dict[str, bool]:
        """The sampler's checks by name (``{"mcmc": False}`` for a variational fit)."""
        if self.approximate:
            return {"mcmc": False}
        return {
            "divergences": self.divergences == 0,
            "r_hat": self.max_rhat <= RHAT_MAX,
            "ess_bulk": self.min_ess_bulk >= self.ess_min,
            "ess_tail": self.min_ess_tail >= self.ess_min,
            "bfmi": self.min_bfmi >= BFMI_MIN,
            "chains": not self.stray,
        }

    @property
    def checks(self) -> dict[str, bool]:
        """Every check by name: the sampler's, and ``predictive`` when the posterior
        predictive check was made."""
        out = self.sampler_checks
        if self.predictive is not None:
            out["predictive"] = not self.predictive
        return out

    @property
    def sampler_passed(self) -> bool:
        """Whether the draws represent the model's posterior (the sampler's checks alone)."""
        return all(self.sampler_checks.values())

    @property
    def passed(self) -> bool:
        """The one verdict: the sampler's checks pass and no node's posterior predictive check fails."""
        return all(self.checks.values())

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings for the checks that fail."""
        out = []
        if self.approximate:
            return [f"approximate fit ({self.approximate}): no MCMC diagnostics, and variational fits "
                    "understate uncertainty; use it to explore, then fit with NUTS (method='nuts')."
                    ] + list(self.predictive or ())
        c = self.checks
        if not c["divergences"]:
            out.append(f"{self.divergences} divergent transitions: the posterior may be biased; "
                       "reparametrise or raise target_accept.")
        if not c["r_hat"]:
            out.append(f"max R-hat {rhat_text(self.max_rhat)} > {RHAT_MAX}: chains disagree; run longer.")
        if not c["ess_bulk"] or not c["ess_tail"]:
            out.append(f"min ESS {min(self.min_ess_bulk, self.min_ess_tail):.0f} < {self.ess_min:.0f}: "
                       "too few effective draws for stable intervals; draw more.")
        if not c["bfmi"]:
            out.append(f"min BFMI {self.min_bfmi:.2f} < {BFMI_MIN}: poor exploration of the energy.")
        out.extend(self.stray)
        if out and self.worst:
            out.append("Worst: " + "; ".join(w.describe() for w in self.worst) + ".")
        out.extend(self.causes)
        out.extend(self.predictive or ())
        return out

    def _predictive_row(self) -> list[tuple]:
        if self.predictive is None:
            return []
        failing = ", ".join(s.split(" fails for ", 1)[1].split(":", 1)[0] for s in self.predictive)
        return [("posterior predictive", failing or "none", "none fails", not self.predictive)]

    def worst_frame(self) -> pd.DataFrame:
        """The parameters failing worst, one row each (empty when every check passes).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``parameter`` (with coordinates), columns ``r_hat``, ``ess_bulk``, ``ess_tail``.
        """
        return pd.DataFrame([vars(w) for w in self.worst],
                            columns=["parameter", "r_hat", "ess_bulk", "ess_tail"]).set_index("parameter")

    def to_frame(self) -> pd.DataFrame:
        """The checks as a table.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``check`` with columns ``value``, ``threshold`` (as text, e.g.
            ``"<= 1.01"``) and ``pass``: one row each for divergences, max r_hat,
            min ess_bulk, min ess_tail, min bfmi and stray chains (the value names them:
            ``"2"``, or ``"none"``), and, when it was made, ``posterior predictive`` (the
            nodes whose check fails, or ``"none"``). For a variational fit it holds the
            row ``method``, whose value is the method and whose ``pass`` is False, and the
            predictive row.
        """
        if self.approximate:
            return pd.DataFrame([("method", self.approximate, "nuts", False), *self._predictive_row()],
                                columns=["check", "value", "threshold", "pass"]).set_index("check")
        rows = [
            ("divergences", self.divergences, "0", self.checks["divergences"]),
            ("max r_hat", round(self.max_rhat, 4), f"<= {RHAT_MAX}", self.checks["r_hat"]),
            ("min ess_bulk", round(self.min_ess_bulk), f">= {self.ess_min:.0f}", self.checks["ess_bulk"]),
            ("min ess_tail", round(self.min_ess_tail), f">= {self.ess_min:.0f}", self.checks["ess_tail"]),
            ("min bfmi", round(self.min_bfmi, 3), f">= {BFMI_MIN}", self.checks["bfmi"]),
            ("stray chains", ", ".join(s.split(" ", 2)[1] for s in self.stray) or "none", "none",
             self.checks["chains"]),
            *self._predictive_row(),
        ]
        return pd.DataFrame(rows, columns=["check", "value", "threshold", "pass"]).set_index("check")

    def predictive_summary(self) -> str:
        """The posterior predictive check in a phrase, for the verdict's first line.

        Returns
        -------
        str
            ``"posterior predictive check passes"``, ``"posterior predictive check FAILS for a, b"``,
            :attr:`predictive_note` (e.g. ``"posterior predictive check not made: 20 predictive draws, fewer
            than 200"``) or ``""`` when no check was made.
        """
        if self.predictive is None:
            return self.predictive_note
        if not self.predictive:
            return "posterior predictive check passes"
        return "posterior predictive check FAILS for " + self._predictive_row()[0][1]

    def __str__(self) -> str:
        ppc = self.predictive_summary()
        if self.approximate:
            text = f"Diagnostics FAIL: {self.warnings[0]} ({self.n_draws} draws)."
            return text + "".join(f"\n  - {w}" for w in self.predictive or ())
        verdict = "pass" if self.passed else "FAIL"
        text = (f"Diagnostics {verdict}: {self.divergences} divergences, max R-hat {rhat_text(self.max_rhat)}, "
                f"min bulk ESS {self.min_ess_bulk:.0f}, min tail ESS {self.min_ess_tail:.0f}, "
                f"min BFMI {self.min_bfmi:.2f} ({self.n_draws} draws)" + (f"; {ppc}." if ppc else "."))
        return text + "".join(f"\n  - {w}" for w in self.warnings)



def stray_chains(logp: np.ndarray, sds: float = STRAY_SDS) -> tuple[str, ...]:
    """The chains whose log density sits apart from the others', one sentence each.

    Rule: chain ``c`` sits apart when its mean log density differs from the median of the
    other chains' means by more than ``sds`` times the within-chain sd of the log density
    (the median over chains of each chain's sd). Why this scale: within one mode, a
    chain's mean log density varies from chain to chain by about ``sd / sqrt(ESS)`` of a
    chain, so a gap of 3 sds is at least 9 standard errors once a chain has 10 effective
    draws, never chance; a chain in another mode (or still walking in from its start) is
    apart by a gap of the size of the modes' heights, typically tens of units where the
    sd is a few (about ``sqrt(d / 2)`` for ``d`` parameters near a Gaussian posterior).
    The median of the others, not their mean, so that one stray chain does not move the
    reference the others are compared with. Needs three chains or more to say which
    chain is apart (with two, R-hat sees the disagreement but not whose it is).

    Parameters
    ----------
    logp
        Log density of the posterior draws, ``(chain, draw)``.
    sds
        The threshold in within-chain sds.

    Returns
    -------
    tuple of str
        ``"chain 2 sits 48.1 log-density units below the others: ..."`` per stray chain.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> lp = rng.normal(-100.0, 4.0, size=(4, 500))
    >>> stray_chains(lp)
    ()
    >>> lp[2] -= 48.0
    >>> stray_chains(lp)[0].split(':')[0]
    'chain 2 sits 47.5 log-density units below the others (11.7 within-chain sds)'
    """
    lp = np.asarray(logp, dtype=float)
    if lp.ndim != 2 or lp.shape[0] < 3 or not np.all(np.isfinite(lp)):
        return ()
    means = lp.mean(axis=1)
    within = float(np.median(lp.std(axis=1, ddof=1)))
    if not within > 0:
        return ()
    out = []
    for c in range(lp.shape[0]):
        gap = float(means[c] - np.median(np.delete(means, c)))
        if abs(gap) > sds * within:
            side = "below" if gap < 0 else "above"
            out.append(f"chain {c} sits {abs(gap):.1f} log-density units {side} the others "
                       f"({abs(gap) / within:.1f} within-chain sds): it may be stuck in another mode; "
                       "its draws are not from the same distribution as the others'.")
    return tuple(out)


def _label(name: str, coords: Mapping[str, object]) -> str:
    return f"{name}[{', '.join(str(v) for v in coords.values())}]" if coords else name


def worst_parameters(rhat: xr.Dataset, ess_bulk: xr.Dataset, ess_tail: xr.Dataset, ess_min: float,
                     n: int = 5) -> tuple[Worst, ...]:
    """The ``n`` parameter elements that fail R-hat or ESS worst, labelled with their coordinates.

    Parameters
    ----------
    rhat, ess_bulk, ess_tail
        Per-element R-hat and ESS of every posterior variable (ArviZ's ``rhat`` and ``ess``).
    ess_min
        The ESS threshold.
    n
        How many to name.

    Returns
    -------
    tuple of Worst
        Worst first, by how far each misses its thresholds (R-hat excess over 1.01 in units of
        0.01, and the ESS shortfall as a fraction of the threshold); only failing elements.

    Example
    -------
    >>> import numpy as np, xarray as xr
    >>> r = xr.Dataset({"beta": ("link", [1.001, 1.2])}, coords={"link": ["a -> b", "b -> c"]})
    >>> e = xr.Dataset({"beta": ("link", [800.0, 30.0])}, coords={"link": ["a -> b", "b -> c"]})
    >>> [w.parameter for w in worst_parameters(r, e, e, 400.0)]
    ['beta[b -> c]']
    """
    rows = []
    for name in rhat.data_vars:
        r = rhat[name]
        rv, bv, tv = (np.asarray(ds[name].values, dtype=float).reshape(r.shape) for ds in (rhat, ess_bulk, ess_tail))
        badness = np.fmax((rv - RHAT_MAX) / 0.01, (ess_min - np.fmin(bv, tv)) / ess_min)
        badness = np.where(np.isfinite(rv) & np.isfinite(bv) & np.isfinite(tv), badness, -np.inf)
        flat = badness.ravel()
        for i in np.argsort(-flat)[:n]:
            if not flat[i] > 0:
                break
            index = np.unravel_index(i, r.shape)
            coords = {d: r[d].values[k] for d, k in zip(r.dims, index, strict=True) if d in r.coords}
            rows.append((float(flat[i]), Worst(_label(str(name), coords), float(rv[index]), float(bv[index]),
                                               float(tv[index]))))
    rows.sort(key=lambda pair: -pair[0])
    return tuple(w for _, w in rows[:n])


def likely_causes(worst: tuple[Worst, ...], divergences: int, notes: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """What usually causes the failures, from which parameters fail (one sentence each).

    Parameters
    ----------
    worst
        The parameters failing worst (:func:`worst_parameters`).
    divergences
        Divergent transitions.
    notes
        Parameter label -> what copath's identification check found about it (e.g. a
        link identified only as a product).

    Returns
    -------
    tuple of str

    Example
    -------
    >>> likely_causes((Worst("area_sd[burglary]", 1.05, 60.0, 80.0),), 0)[0][:40]
    "area_sd[burglary]: the area effects' spr"
    """
    notes = notes or {}
    out = []
    for w in worst:
        base = w.parameter.split("[", 1)[0]
        if w.parameter in notes:
            out.append(f"{w.parameter}: {notes[w.parameter]}")
        elif base in ("area_sd", "area_z", "area_c", "area_effect"):
            out.append(f"{w.parameter}: the area effects' spread and the areas' values trade off (a funnel). "
                       "copath samples each area centred or not by how much data it has "
                       "(copath.model.parametrisation); few areas, or areas whose data say little, "
                       "leave the spread weakly identified.")
        elif base == "intercept":
            out.append(f"{w.parameter}: the intercept trades off against a link or its node's group effects; "
                       "a link whose parent barely varies in the data leaves the two weakly separated.")
        elif base == "beta":
            out.append(f"{w.parameter}: the data inform this link only weakly or only in combination with "
                       "other links; its posterior is a ridge the chains cross slowly.")
    if divergences:
        out.append(f"{divergences} divergent transitions: the posterior has regions of high curvature "
                   "(often a funnel in group effects, or a ridge between links). cp.fit already uses "
                   "target_accept 0.95 with group effects; 0.99 may remove a few more, but divergences that "
                   "stay come from the model's geometry: fewer groups than the spread needs, or links the "
                   "data tell apart only in combination.")
    return tuple(dict.fromkeys(out))


def compute_diagnostics(idata: xr.DataTree, method: str = "nuts", notes: Mapping[str, str] | None = None,
                        predictive: tuple[str, ...] | None = None) -> Diagnostics:
    """Divergences, worst R-hat and ESS over all posterior variables, and BFMI, of ``idata``.

    Parameters
    ----------
    idata
        A DataTree with ``posterior`` (and ``sample_stats`` for NUTS).
    method
        The fit's method: a variational fit (``"advi"``) has no MCMC diagnostics.
    notes
        Parameter label -> what the identification check found (named in the causes).
    predictive
        The failed posterior predictive checks (:func:`copath.model.predictive.misfits`),
        carried into the verdict; None (default) when none was made.

    Returns
    -------
    Diagnostics
    """
    post = idata["posterior"].to_dataset()
    if method != "nuts":
        n = int(post.sizes["chain"] * post.sizes["draw"])
        return Diagnostics(0, float("nan"), float("nan"), float("nan"), float("nan"), n, approximate=method,
                           predictive=predictive)
    # checked as the quantities their parts make (beta, area_effect), where the model has them
    post = post.drop_vars([part for part, whole in AUXILIARY.items() if part in post and whole in post])
    stats = idata["sample_stats"].to_dataset() if "sample_stats" in idata.children else xr.Dataset()
    divergences = int(stats["diverging"].sum()) if "diverging" in stats else 0
    rhat = az.rhat(post)
    ess_b = az.ess(post, method="bulk")
    ess_t = az.ess(post, method="tail")

    def extreme(ds: xr.Dataset, fn) -> float:
        # over the finite elements of every variable: one undefined element (a constant
        # coordinate has no R-hat) must not drop the rest of its variable from the check
        vals = [fn(x[np.isfinite(x)]) for v in ds.data_vars if (x := np.asarray(ds[v].values, float)).size
                and np.isfinite(x).any()]
        return float(fn(np.array(vals))) if vals else float("nan")

    try:
        bfmi = float(np.min(az.bfmi(idata).to_dataset()["energy"].values))
    except Exception:  # noqa: BLE001 - samplers without an energy statistic
        bfmi = float("nan")
    chains = post.sizes["chain"]
    ess_min = float(min(ESS_MIN, 100 * chains))
    worst = worst_parameters(rhat, ess_b, ess_t, ess_min)
    logp_name = next((name for name in LOGP_STATS if name in stats), None)
    stray = stray_chains(stats[logp_name].transpose("chain", "draw").values) if logp_name else ()
    return Diagnostics(
        divergences=divergences,
        max_rhat=float(extreme(rhat, np.max)),
        min_ess_bulk=float(extreme(ess_b, np.min)),
        min_ess_tail=float(extreme(ess_t, np.min)),
        min_bfmi=bfmi if np.isfinite(bfmi) else 1.0,
        n_draws=int(chains * post.sizes["draw"]),
        ess_min=ess_min,
        worst=worst,
        causes=likely_causes(worst, divergences, notes) if (worst or divergences) else (),
        stray=stray,
        predictive=predictive,
    )

