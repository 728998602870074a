r"""Simulation-based calibration (Talts et al. 2018; Modrák et al. 2023).

If the model's inference is right, then drawing parameters from the prior, simulating
data from them, and fitting gives posterior draws among which the true value sits at a
uniformly distributed rank. For each simulation :math:`i` and parameter
:math:`\theta_\ell` (every link coefficient, intercept, area spread, negative-binomial
dispersion and residual sd): draw every parameter from the priors the fit uses, simulate
data with :func:`copath.simulate`, fit, thin the posterior to :math:`L` roughly
independent draws, and record the rank :math:`r_{i\ell} = \#\{s : \theta^{(s)}_\ell <
\theta^{true}_\ell\} \in \{0, \dots, L\}`. Intercepts are compared in the model's own
centring (:func:`model_truth`).

Each simulation is fitted as :func:`copath.fit` fits (collapsed model, its sampler, MAP
starts, signs held where :func:`copath.fit` holds them) with one difference: a parent
with data is centred where the simulation centres it (at its baseline's link value)
rather than at the data's level. That centring is what makes the intercepts' prior the
one their truth is drawn from; in a user's fit the intercepts are the same quantities
shifted by data-dependent constants, which SBC cannot test as such. A node left without
data (``unobserved``) is centred at its own intercept in the simulation and in the fit,
as :func:`copath.fit` centres it (``simulate(..., hidden=...)``), so the model ranked is
the one users sample, direct links sampled as totals (:mod:`copath.model.totals`) included.

Two checks per link, on :math:`u_i = (r_i + v_i)/(L + 1)` with :math:`v_i \sim U(0, 1)`
(randomised so that :math:`u` is continuous-uniform under calibration):

- **ECDF difference with simultaneous bands** (Säilynoja, Bürkner and Vehtari 2022): at
  :math:`K` points :math:`z_k`, :math:`N F_N(z_k) \sim \text{Binomial}(N, z_k)`; the statistic
  is the smallest two-sided binomial tail probability over the points, and its null
  distribution (by simulating uniform samples) gives the p-value and the band level
  :math:`\gamma` such that the whole ECDF stays inside the pointwise :math:`\gamma` bands
  with probability :math:`1 - \alpha`;
- **chi-square** on the counts of :math:`u` in ``bins`` equal bins.

The model passes when no parameter's p-value is below :math:`\alpha / (\text{parameters})`
(Bonferroni). ``prior_shift`` simulates the coefficients from the prior moved by that many
prior sds while fitting with the unmoved prior: a deliberately wrong model, which must fail.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> ecdf_test(rng.integers(0, 100, 200), 99, rng=np.random.default_rng(1))[0] > 0.05   # uniform ranks
True
>>> ecdf_test(np.clip(rng.normal(70, 10, 200), 0, 99).astype(int), 99)[0] < 0.001      # skewed ranks
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from copath import plotting
from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence, load_evidence
from copath.io_atomic import atomic_write_bytes
from copath.kinds import noise_variables
from copath.model.builder import build_model
from copath.model.data import prepare_data
from copath.model.diagnostics import compute_diagnostics
from copath.model.equations import Plan
from copath.model.fit import sampling_priors
from copath.model.sampling import draw_posterior
from copath.model.settings import FitSettings
from copath.model.simulate import check_hidden, draw_params, simulate
from copath.spec.pathway import Pathway

__all__ = ["calibrate", "Calibration", "ecdf_test", "chi2_test", "draw_prior_params", "model_truth"]


# ----------------------------------------------------------------------------- the tests
def _uniform(ranks: np.ndarray, n_post: int, rng: np.random.Generator) -> np.ndarray:
    ranks = np.asarray(ranks, dtype=float)
    return (ranks + rng.random(ranks.size)) / (n_post + 1)


def _min_tail(u: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Smallest two-sided binomial tail probability of the ECDF over the points ``z``
    (``u``: samples x N, or N)."""
    u = np.atleast_2d(u)
    n = u.shape[1]
    counts = (u[:, :, None] <= z[None, None, :]).sum(axis=1)  # samples x K
    lower = stats.binom.cdf(counts, n, z)
    upper = stats.binom.sf(counts - 1, n, z)
    return np.minimum(1.0, 2 * np.minimum(lower, upper)).min(axis=1)


def _points(n: int) -> np.ndarray:
    k = min(n, 100)
    return np.arange(1, k) / k


def _null(n: int, n_sim: int = 2000, seed: int = 20220) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _min_tail(rng.random((n_sim, n)), _points(n))


def ecdf_test(ranks: np.ndarray, n_post: int, alpha: float = 0.05,
              rng: np.random.Generator | None = None) -> tuple[float, float]:
    """(p-value, band level gamma) of the ECDF-difference test for ``ranks`` in 0..``n_post``."""
    rng = rng or np.random.default_rng(0)
    u = _uniform(ranks, n_post, rng)
    null = _null(u.size)
    observed = float(_min_tail(u, _points(u.size))[0])
    return float(np.mean(null <= observed)), float(np.quantile(null, alpha))


def chi2_test(ranks: np.ndarray, n_post: int, bins: int = 10, rng: np.random.Generator | None = None) -> float:
    """p-value of a chi-square test of uniformity on ``bins`` equal bins of the ranks."""
    rng = rng or np.random.default_rng(0)
    u = _uniform(ranks, n_post, rng)
    counts = np.histogram(u, bins=bins, range=(0, 1))[0]
    return float(stats.chisquare(counts).pvalue)


# ----------------------------------------------------------------------------- simulation
def draw_prior_params(pathway: Pathway, priors: Mapping[str, LinkPrior], rng: np.random.Generator,
                      prior_shift: float = 0.0) -> dict[str, dict[str, float]]:
    """Every parameter drawn from exactly the priors :func:`copath.model.builder.build_model`
    uses (``prior_shift`` moves the link coefficients by that many prior sds)."""
    return draw_params(pathway, priors, rng, prior_shift=prior_shift, intercept_sd_factor=1.0)


def model_truth(pathway: Pathway, plan: Plan, truth: Mapping[str, Any]) -> dict[str, float]:
    """The true value of every ranked parameter in the fitted model's own terms.

    Links, spreads and dispersions are the simulation's values. Intercepts are not: a
    parent enters its child centred, the simulation at its own centre (``truth["centres"]``)
    and the model at the data's level or, for a node without data, at its own intercept
    (``plan.centres``), so the model's intercept of ``k`` is
    ``b0_k + sum_j beta_jk (c_j(model) - c_j(simulation))`` over ``k``'s parents ``j``, taken
    in the pathway's order so that a parent centred at its own intercept uses the model's.

    Parameters
    ----------
    pathway
        The pathway simulated and fitted.
    plan
        The fitted model's plan (its centres).
    truth
        The simulation's truth (:attr:`copath.model.simulate.Simulation.truth`).

    Returns
    -------
    dict
        Label -> true value: links by name, others as ``"intercept[node]"``,
        ``"area_sd[node]"``, ``"inv_sqrt_phi[node]"``, ``"sigma[node]"``.

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.builder import build_model
    >>> pw = cp.load_pathway("calibration")
    >>> sim = cp.simulate(pw, areas=5, months=2, random_seed=0)
    >>> plan = build_model(pw, sim.data).plan
    >>> t = model_truth(pw, plan, sim.truth)
    >>> t["x -> crime"] == sim.truth["beta"]["x -> crime"], "intercept[wellbeing]" in t
    (True, True)
    """
    out: dict[str, float] = {name: float(truth["beta"][name]) for name in pathway.link_names}
    model_b0: dict[str, float] = {}
    for name in plan.endogenous:  # parents first
        b0 = float(truth["intercept"][name])
        for link in pathway.links:
            if link.target != name:
                continue
            j = link.source
            c_model, c_sim = plan.centres[j], float(truth["centres"][j])
            if c_model != c_model:  # NaN: centred at its own (model) intercept
                c_model = model_b0[j]
            if c_sim != c_sim:  # NaN: the simulation centred it at its own intercept too
                c_sim = float(truth["intercept"][j])
            b0 += float(truth["beta"][link.name]) * (c_model - c_sim)
        model_b0[name] = b0
        out[f"intercept[{name}]"] = b0
    for group in ("area_sd", *noise_variables()):
        for name, value in truth.get(group, {}).items():
            if group != "area_sd" or name in plan.area_nodes:  # no data, no area effects in the model
                out[f"{group}[{name}]"] = float(value)
    return out


def _one(job: tuple) -> tuple[dict[str, int], bool]:
    """Ranks of the true parameters for one simulation, and whether its fit passed its own
    diagnostics (run in a worker process)."""
    import warnings

    pathway, priors, evidence, seed, areas, months, settings, n_post, shift, unobserved = job
    rng = np.random.default_rng(seed)
    truth = draw_prior_params(pathway, priors, rng, shift)
    sim = simulate(pathway, areas=areas, months=months, params=truth, random_seed=int(rng.integers(2**31)),
                   evidence=evidence, hidden=unobserved)
    # fitted in the simulation's centring, so that the intercepts' prior is the one their truth
    # was drawn from (a fit's own centring at the data's levels would give them a wider,
    # data-dependent prior: not SBC)
    built = build_model(pathway, sim.data.drop(columns=list(unobserved)), priors=dict(priors),
                        collapse=settings.collapse, centres=sim.truth["centres"])
    # the fit's own sampler and settings (collapsed model, MAP start); only the seed is the simulation's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawn = draw_posterior(built.model, replace(settings, random_seed=int(rng.integers(2**31)),
                                                    progressbar=False))
    posterior = drawn.tree["posterior"].to_dataset()
    true = model_truth(pathway, built.plan, sim.truth)
    ranks: dict[str, int] = {}
    for label, value in true.items():
        if "[" in label:
            group, name = label[:-1].split("[", 1)
            var = posterior[group]
            dim = next(d for d in var.dims if d not in ("chain", "draw"))
            draws = var.sel({dim: name}).values
        else:
            draws = posterior["beta"].sel(link=label).values
        flat = draws.reshape(-1)
        step = max(1, flat.size // n_post)
        ranks[label] = int((flat[::step][:n_post] < value).sum())
    return ranks, compute_diagnostics(drawn.tree).passed


# ----------------------------------------------------------------------------- the result
@dataclass
class Calibration:
    """Ranks (simulations x links), the tests per link, and the verdict."""

    ranks: pd.DataFrame
    n_post: int
    alpha: float
    tests: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    #: One per simulation: did its fit pass its own diagnostics (R-hat, ESS, divergences, BFMI)?
    fits_passed: tuple[bool, ...] = ()

    @property
    def passed(self) -> bool:
        return bool(self.tests["pass"].all())

    def describe(self) -> str:
        """One sentence: the verdict, the size of the run and the smallest p-value.

        Returns
        -------
        str
            Whether calibration passes, the number of simulations, posterior draws and
            links, the smallest ECDF or chi-square p-value with its link, and the
            Bonferroni cut ``alpha / links`` it is compared with.
        """
        verdict = "passes" if self.passed else "FAILS"
        worst = self.tests[["ecdf_p", "chi2_p"]].min(axis=1).idxmin()
        return (f"Simulation-based calibration {verdict}: {len(self.ranks)} simulations, {self.n_post} posterior "
                f"draws each, {self.ranks.shape[1]} parameters; smallest p-value {self.tests.loc[worst, ['ecdf_p', 'chi2_p']].min():.3g} "
                f"({worst}) against alpha / parameters = {self.alpha / self.ranks.shape[1]:.3g}"
                + (f"; {sum(self.fits_passed)} of {len(self.fits_passed)} fits passed their own diagnostics."
                   if self.fits_passed else "."))

    def figure(self) -> Figure:
        """ECDF difference of each link's ranks with the simultaneous band.

        Returns
        -------
        matplotlib.figure.Figure
            One panel per link: the ECDF of the randomised ranks minus the uniform CDF,
            inside the ``1 - alpha`` simultaneous band; each title gives the link's ECDF
            p-value.
        """
        links = list(self.ranks.columns)
        n = len(self.ranks)
        z = np.linspace(0, 1, 201)
        gamma = float(np.quantile(_null(n), self.alpha))
        band = (stats.binom.ppf(gamma / 2, n, z) / n - z, stats.binom.ppf(1 - gamma / 2, n, z) / n - z)
        rng = np.random.default_rng(0)
        curves = {}
        for link in links:
            u = np.sort(_uniform(self.ranks[link].to_numpy(), self.n_post, rng))
            curves[link] = np.searchsorted(u, z, side="right") / n - z
        titles = {link: f"{link}\nECDF p={self.tests.loc[link, 'ecdf_p']:.2g}" for link in links}
        return plotting.calibration_ecdf(z, band, curves, titles, f"{100 * (1 - self.alpha):.0f}% simultaneous band")

    def save(self, folder: str | Path, name: str = "calibration") -> list[Path]:
        """``<name>_ranks.csv``, ``<name>_tests.csv`` and ``<name>.png`` in ``folder``.

        Parameters
        ----------
        folder
            Where to write; created (with its parents) if missing.
        name
            Stem of the file names (default ``"calibration"``).

        Returns
        -------
        list[Path]
            The three files written: the ranks table, the tests table (both CSV) and
            the :meth:`figure` as PNG.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / f"{name}_ranks.csv", self.ranks.to_csv().encode())
        atomic_write_bytes(folder / f"{name}_tests.csv", self.tests.to_csv().encode())
        atomic_write_bytes(folder / f"{name}.png", plotting.to_png(self.figure()))
        return [folder / f"{name}_ranks.csv", folder / f"{name}_tests.csv", folder / f"{name}.png"]


def tests_table(ranks: pd.DataFrame, n_post: int, alpha: float = 0.05, bins: int = 10) -> pd.DataFrame:
    """Per link: ECDF-difference and chi-square p-values, and pass at alpha / links."""
    rows = []
    cut = alpha / ranks.shape[1]
    for i, link in enumerate(ranks.columns):
        r = ranks[link].to_numpy()
        e, _ = ecdf_test(r, n_post, alpha, rng=np.random.default_rng(i))
        c = chi2_test(r, n_post, bins, rng=np.random.default_rng(i))
        rows.append({"link": link, "ecdf_p": e, "chi2_p": c, "pass": bool(e > cut and c > cut)})
    return pd.DataFrame(rows).set_index("link")


def _priors_as_fitted(pathway: Pathway, priors: dict[str, LinkPrior], areas: int, months: int,
                      unobserved: tuple[str, ...], evidence: Evidence) -> dict[str, LinkPrior]:
    """The link priors :func:`copath.fit` would sample with on data of this shape: a stated
    sign held where the data cannot tell it and softened elsewhere
    (:func:`copath.model.fit.signs_where_needed`), and a sign nothing fixes refused. Which
    links are which depends on which columns there are and which exposures vary, so one
    pilot simulation tells (an indicator exposure constant in one simulation by chance
    would be judged differently by a real fit); the truth is then drawn from these
    priors, the ones the fit uses."""
    pilot = simulate(pathway, areas=areas, months=months, random_seed=0, evidence=evidence)
    return sampling_priors(pathway, prepare_data(pathway, pilot.data.drop(columns=list(unobserved))), dict(priors))[0]


def calibrate(
    pathway: Pathway,
    n_sims: int = 200,
    areas: int = 20,
    months: int = 3,
    draws: int = 300,
    tune: int = 300,
    chains: int = 2,
    n_post: int = 100,
    random_seed: int = 0,
    evidence: Evidence | None = None,
    priors: Mapping[str, LinkPrior] | None = None,
    prior_shift: float = 0.0,
    alpha: float = 0.05,
    workers: int | None = None,
    progressbar: bool = True,
    settings: FitSettings | None = None,
    unobserved: Sequence[str] = (),
) -> Calibration:
    """Run simulation-based calibration of ``pathway`` (see the module docstring).

    Every simulation is fitted as :func:`copath.fit` fits (:func:`copath.model.sampling.draw_posterior`
    on the collapsed model, every chain from the MAP), with ``settings`` changed only in
    the seed. Simulations are independent jobs run in ``workers`` processes (default: the
    cores). Every endogenous node should have a ``baseline`` so that no prior depends on
    the simulated data.

    Parameters
    ----------
    pathway
        The pathway to calibrate.
    n_sims
        Simulations (each: draw parameters, simulate data, fit, rank).
    areas, months
        Size of each simulated data set.
    draws, tune, chains
        The fit's draws, tuning steps and chains, when ``settings`` is not given.
    n_post
        Posterior draws the ranks are taken among (thinned).
    random_seed
        Seed of the whole run.
    evidence
        The registry (default: bundled); ``priors`` replaces its link priors.
    priors
        Link name -> prior replacing the registry's, to draw the truth from and fit with.
    prior_shift
        Draw the true coefficients this many prior sds off (a wrong model that must fail).
    alpha
        Level of the tests (Bonferroni over links).
    workers
        Processes (default: the cores).
    progressbar
        Print progress every 10 simulations.
    settings
        The fit's settings (default: ``FitSettings(draws, tune, chains)``); their ``priors``
        replace registry priors as ``priors`` does.
    unobserved
        Endogenous nodes whose simulated columns are dropped before each fit (a middle
        node without local data, whose links are then informed only as a product).

    Returns
    -------
    Calibration

    Example (run by ``make calibrate``; 200 simulations take several minutes)::

        cal = cp.calibrate(cp.load_pathway("calibration"), n_sims=200)
        cal.passed, cal.tests
    """
    if evidence is None:
        evidence = load_evidence()
    if settings is None:
        settings = FitSettings(draws=draws, tune=tune, chains=chains, progressbar=False)
    elif (draws, tune, chains) != (300, 300, 2):
        raise ValueError("give draws, tune and chains in settings, not beside it")
    link_priors = priors_for(pathway, evidence)  # in the pathway's link order, as the model's ranks are
    wanted = {**settings.prior_overrides(), **(priors or {})}
    unknown = sorted(set(wanted) - set(link_priors))
    if unknown:
        raise ValueError(f"priors: unknown link(s) {', '.join(unknown)}")
    link_priors.update(wanted)
    unobserved = tuple(unobserved)
    check_hidden(pathway, unobserved, "unobserved")
    link_priors = _priors_as_fitted(pathway, link_priors, areas, months, unobserved, evidence)
    seeds = np.random.SeedSequence(random_seed).generate_state(n_sims)
    jobs = [(pathway, link_priors, evidence, int(s), areas, months, settings, n_post, prior_shift, unobserved)
            for s in seeds]
    workers = workers or os.cpu_count() or 1
    results: list[dict[str, int]] = []
    passed: list[bool] = []
    if workers == 1:
        iterator = map(_one, jobs)
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        iterator = pool.map(_one, jobs)
    try:
        for i, (ranks, ok) in enumerate(iterator, 1):
            results.append(ranks)
            passed.append(ok)
            if progressbar and (i % 10 == 0 or i == n_sims):
                print(f"calibrate: {i}/{n_sims} simulations", flush=True)
    finally:
        if workers != 1:
            pool.shutdown(cancel_futures=True)
    table = pd.DataFrame(results)
    record = {"n_sims": n_sims, "areas": areas, "months": months, "draws": settings.draws,
              "tune": settings.tune, "chains": settings.chains, "random_seed": random_seed,
              "prior_shift": prior_shift, "fit": settings.to_dict()}
    return Calibration(ranks=table, n_post=n_post, alpha=alpha, tests=tests_table(table, n_post, alpha),
                       settings=record, fits_passed=tuple(passed))
