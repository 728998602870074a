"""Fit a pathway to local data: build, sample, and collect every group the workflow needs.

``cp.fit`` samples the posterior with nutpie (PyMC's NUTS when nutpie is missing,
when asked, or when the model has discrete parameters), then adds the prior and prior
predictive, the posterior predictive (thinned to ``ppc_draws``), the pointwise log
likelihood and the log prior (needed by the sensitivity analysis), all in one ArviZ
``DataTree``.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: count}\\n"
...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
>>> sim = cp.simulate(pw, areas=20, months=3, random_seed=3)
>>> res = cp.fit(pw, sim.data, draws=100, tune=100, chains=2, random_seed=1, progressbar=False)
>>> sorted(res.idata.children)  # doctest: +NORMALIZE_WHITESPACE
['log_likelihood', 'log_prior', 'observed_data', 'posterior', 'posterior_predictive',
 'prior', 'prior_predictive', 'sample_stats']
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence
from copath.model.builder import BuiltModel, build_model
from copath.model.init import INITS, map_start
from copath.model.loglik import POINTWISE_LIMIT, choose_log_likelihood, log_likelihood_totals
from copath.model.numpyro_sample import sample_numpyro
from copath.model.nutpie_compile import compile_for_nutpie
from copath.model.result import FitResult
from copath.spec.pathway import Pathway

__all__ = ["fit", "SAMPLERS", "METHODS"]

#: ``nutpie`` (default, numba), ``pymc`` (PyMC's own NUTS), ``numpyro`` (JAX: uses a GPU
#: when JAX sees one; needs ``pip install copath[jax]``).
SAMPLERS = ("nutpie", "pymc", "numpyro")
#: ``"nuts"`` is exact MCMC; the others are fast variational approximations for exploration.
METHODS = ("nuts", "advi", "fullrank_advi")


def _has_discrete(model: pm.Model) -> bool:
    return any(rv.dtype.startswith("int") for rv in model.free_RVs)


def _choose_sampler(requested: str, model: pm.Model) -> str:
    if requested not in SAMPLERS:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {requested!r}")
    if requested == "nutpie":
        try:
            import nutpie  # noqa: F401
        except ImportError:
            warnings.warn("nutpie is not installed; falling back to PyMC's NUTS sampler", stacklevel=3)
            return "pymc"
        if _has_discrete(model):
            return "pymc"
    if requested == "numpyro":
        # one JAX CPU device per core, so chains run in parallel on the CPU too
        os.environ.setdefault("XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count() or 1}")
        try:
            import jax  # noqa: F401
            import numpyro  # noqa: F401
        except ImportError:
            raise ValueError("sampler='numpyro' needs JAX and NumPyro: pip install 'copath[jax]'") from None
    return requested


@contextmanager
def _interrupt_guard() -> Iterator[list[int]]:
    """Remember a Ctrl-C even where it gets swallowed: a KeyboardInterrupt raised inside a
    ctypes callback (llvmlite's object cache, during numba compilation) is printed and
    dropped, and the fit would carry on. The list is non-empty once SIGINT arrived."""
    seen: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        seen.append(signum)
        if previous is signal.SIG_IGN:
            return
        if callable(previous):
            previous(signum, frame)
        raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:  # the swallowed interrupt is recorded: no traceback for it
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            previous_hook(unraisable)

    signal.signal(signal.SIGINT, handler)
    sys.unraisablehook = quiet
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook


def _stop_if(interrupted: list[int] | tuple, phase: str) -> None:
    if interrupted:
        raise KeyboardInterrupt(f"interrupted during {phase}")


def _sample_nutpie(built: BuiltModel, draws: int, tune: int, chains: int, seed: int | None,
                   progressbar: bool, init: str, map_seed: int, adaptation: str = "low_rank",
                   interrupted: list[int] | tuple = ()) -> xr.DataTree:
    """nutpie's posterior and sample stats, from one compilation that also finds the MAP start."""
    import nutpie

    compiled = compile_for_nutpie(built.model, init=init, random_seed=map_seed)
    _stop_if(interrupted, "compilation and the MAP start")
    tree = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, seed=seed,
                         progress_bar=progressbar, save_warmup=False, adaptation=adaptation)
    # nutpie answers Ctrl-C by returning what it has drawn so far: a partial posterior
    # must never pass for a fit, so turn it back into the interrupt it was
    got = tree["posterior"].sizes.get("draw", 0) if "posterior" in tree.children else 0
    if got < draws:
        raise KeyboardInterrupt(f"sampling stopped after {got} of {draws} draws")
    return xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset(),
                                  "sample_stats": tree["sample_stats"].to_dataset()})


def _sample_pymc(built: BuiltModel, draws: int, tune: int, chains: int, seed: int | None,
                 progressbar: bool, start: dict[str, np.ndarray] | None) -> xr.DataTree:
    """PyMC's posterior and sample stats; every chain starts at ``start`` when given."""
    with built.model:
        tree = pm.sample(draws=draws, tune=tune, chains=chains, random_seed=seed, initvals=start,
                         progressbar=progressbar, compute_convergence_checks=False)
    return xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset(),
                                  "sample_stats": tree["sample_stats"].to_dataset()})


def _approximate(built: BuiltModel, method: str, draws: int, seed: int, progressbar: bool,
                 start: dict[str, np.ndarray] | None, n_iter: int) -> tuple[xr.DataTree, dict[str, Any]]:
    """Variational fit (ADVI) from the MAP start; ``draws`` independent draws as one chain."""
    with built.model:
        approx = pm.fit(n=n_iter, method=method, start=start, random_seed=seed, progressbar=progressbar)
        sample = approx.sample(draws, random_seed=seed)
    loss = np.asarray(approx.hist, dtype=float)
    window = max(len(loss) // 10, 1)
    last, before = np.nanmean(loss[-window:]), np.nanmean(loss[-2 * window:-window])
    change = float(abs(last - before) / max(abs(before), 1e-12))
    info = {"iterations": n_iter, "final_loss": float(last), "loss_change_last_10pct": round(change, 5),
            "converged": bool(change < 0.01)}
    posterior = sample["posterior"]
    posterior = posterior.to_dataset() if hasattr(posterior, "to_dataset") else posterior
    return xr.DataTree.from_dict({"posterior": posterior}), info


def _thin(posterior: xr.Dataset, max_draws: int) -> xr.Dataset:
    n = posterior.sizes["chain"] * posterior.sizes["draw"]
    if n <= max_draws:
        return posterior
    step = int(np.ceil(n / max_draws))
    return posterior.isel(draw=slice(None, None, step))


def fit(
    pathway: Pathway,
    data: pd.DataFrame,
    evidence: Evidence | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int | None = None,
    sampler: str = "nutpie",
    progressbar: bool = True,
    prior_draws: int = 500,
    ppc_draws: int = 500,
    init: str = "map",
    source: str = "<data>",
    priors: Mapping[str, LinkPrior] | None = None,
    adaptation: str = "low_rank",
    log_likelihood: str = "auto",
    method: str = "nuts",
    advi_iterations: int = 30_000,
    collapse: bool = True,
) -> FitResult:
    """Fit ``pathway`` to ``data`` with evidence priors; return a :class:`FitResult`.

    ``evidence`` defaults to the bundled registry. ``ppc_draws`` caps the posterior
    draws used for the posterior predictive (it is stored per row). ``init="map"``
    starts every chain at the best of several MAP optimisations
    (:mod:`copath.model.init`); ``init="default"`` uses the sampler's own start.
    ``priors`` replaces the evidence prior of the links it names (e.g. a sceptical prior).
    ``adaptation`` is nutpie's mass-matrix adaptation: ``"low_rank"`` (default) learns the
    directions in which coefficients trade off (a child's data often pin only a product
    or a sum of links); ``benchmarks/bench_adaptation.py`` compares the two on the
    flagship model (results in benchmarks/results.md). With ``sampler="numpyro"``,
    ``"low_rank"`` adapts NumPyro's dense mass matrix (it has no low-rank one) and
    ``"diag"`` its diagonal one; the MAP start and the sampler share one JAX translation
    of the model (:mod:`copath.model.numpyro_sample`); on the scale benchmark's 7,200-row
    row design it reached the posterior in about two thirds of nutpie's time
    (benchmarks/results.md).
    ``log_likelihood`` is ``"pointwise"`` (draws x rows, for LOO), ``"total"`` (one sum per
    observed node and draw: enough for the sensitivity analysis, in constant memory),
    ``"none"``, or ``"auto"``: pointwise unless that would exceed 50 million values
    (:mod:`copath.model.loglik`). Predictive draws are capped the same way.
    ``method="advi"`` or ``"fullrank_advi"`` fits a variational approximation instead of
    running NUTS (``draws`` x ``chains`` independent draws, one chain), for a first look
    at a model; on the scale benchmark it was no faster than NUTS and up to 0.58 posterior
    sd off (benchmarks/results.md). Its diagnostics say it is approximate.
    ``collapse=True`` samples a model in which rows that share a node's inputs are one
    likelihood term (sufficient statistics, :mod:`copath.model.compact`) and count and
    proportion nodes enter by their likelihood kernel (:mod:`copath.model.kernels`):
    the same posterior, in less time when covariates repeat across rows (area-level
    exposures over months), for every continuous node, and per row for the others.
    ``settings["collapsed"]`` lists what was collapsed; the predictive groups and log
    likelihood are row-level either way.
    ``settings["posterior_seconds"]`` is the time from the call to the posterior draws
    (``sampling_seconds``: MAP start, compilation and sampling); the groups computed
    after it take the rest.
    """
    entered = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if adaptation not in ("diag", "low_rank"):
        raise ValueError(f"adaptation must be 'diag' or 'low_rank', got {adaptation!r}")
    choose_log_likelihood(log_likelihood, 1, 1)  # validates the mode before the long part
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    if evidence is None:
        from copath.evidence.registry import load_evidence

        evidence = load_evidence()
    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if not isinstance(value, int) or value < (0 if name == "tune" else 1):
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    link_priors = priors_for(pathway, evidence)
    for name, prior in (priors or {}).items():
        if name not in link_priors:
            raise ValueError(f"priors: unknown link {name!r}; links are: {', '.join(link_priors)}")
        if not isinstance(prior, LinkPrior):
            raise TypeError(f"priors[{name!r}] must be a LinkPrior, got {type(prior).__name__}")
        link_priors[name] = prior
    built = build_model(pathway, data, priors=link_priors, source=source)
    # the model NUTS sees: rows sharing inputs collapsed, likelihood kernels (same posterior)
    sampled = build_model(pathway, built.data, priors=link_priors, collapse=True) if collapse else built
    chosen = _choose_sampler(sampler, sampled.model)
    seeds = np.random.SeedSequence(random_seed).generate_state(4)
    numpyro_mass = "dense" if adaptation == "low_rank" else "diag"  # NumPyro has no low-rank mass matrix
    start_time = time.perf_counter()
    approx_info = None
    with _interrupt_guard() as interrupted:
        if method == "nuts" and chosen == "nutpie":  # one compilation for the MAP start and the sampler
            tree = _sample_nutpie(sampled, draws, tune, chains, int(seeds[0]), progressbar, init, int(seeds[3]),
                                  adaptation, interrupted)
        elif method == "nuts" and chosen == "numpyro":  # one JAX translation for the MAP start and the sampler
            tree = sample_numpyro(sampled.model, draws, tune, chains, int(seeds[0]), init, int(seeds[3]), progressbar,
                                  dense_mass=numpyro_mass == "dense")
        else:
            start = map_start(sampled.model, random_seed=int(seeds[3])) if init == "map" else None
            _stop_if(interrupted, "the MAP start")
            if method == "nuts":
                tree = _sample_pymc(sampled, draws, tune, chains, int(seeds[0]), progressbar, start)
            else:
                tree, approx_info = _approximate(sampled, method, draws * chains, int(seeds[0]), progressbar,
                                                 start, advi_iterations)
                chosen = method
        _stop_if(interrupted, "sampling")
    sampling_seconds = time.perf_counter() - start_time
    posterior_seconds = time.perf_counter() - entered
    posterior = tree["posterior"].to_dataset()
    n_obs = max(1, sum(int(v.size) for v in built.data.observed.values()))
    n_draws = posterior.sizes["chain"] * posterior.sizes["draw"]
    ll_mode = choose_log_likelihood(log_likelihood, n_draws, n_obs)
    cap = max(20, POINTWISE_LIMIT // n_obs)  # predictive draws x rows stay under the same limit
    ppc_draws, prior_draws = min(ppc_draws, cap), min(prior_draws, cap)
    with built.model:
        groups: dict[str, Any] = {}
        if ll_mode == "pointwise":
            groups["log_likelihood"] = pm.compute_log_likelihood(tree, extend_inferencedata=False,
                                                                 progressbar=False)
        elif ll_mode == "total":
            # from the sampling model when there is one (the same totals, at its cost)
            rows_model = built.model if sampled is not built else None
            groups["log_likelihood"] = log_likelihood_totals(sampled.model, posterior, rows_model=rows_model)
        from pymc.stats import compute_log_prior

        groups["log_prior"] = compute_log_prior(tree, extend_inferencedata=False, progressbar=False)
        thinned = xr.DataTree.from_dict({"posterior": _thin(posterior, ppc_draws)})
        pp = pm.sample_posterior_predictive(thinned, random_seed=int(seeds[1]), progressbar=False)
        groups["posterior_predictive"] = pp["posterior_predictive"].to_dataset()
        if "observed_data" in pp.children:
            groups["observed_data"] = pp["observed_data"].to_dataset()
        prior = pm.sample_prior_predictive(prior_draws, random_seed=int(seeds[2]))
        groups["prior"] = prior["prior"].to_dataset()
        if "prior_predictive" in prior.children:
            groups["prior_predictive"] = prior["prior_predictive"].to_dataset()
    if "sample_stats" in tree.children:
        groups["sample_stats"] = tree["sample_stats"].to_dataset()
    idata = xr.DataTree.from_dict({"posterior": posterior, **groups})
    settings = {
        "draws": draws, "tune": tune, "chains": chains, "random_seed": random_seed,
        "sampler": chosen, "sampling_seconds": round(sampling_seconds, 3),
        "posterior_seconds": round(posterior_seconds, 3),
        "prior_draws": prior_draws, "ppc_draws": ppc_draws, "init": init,
        "adaptation": {"nutpie": adaptation, "numpyro": numpyro_mass}.get(chosen),
        "log_likelihood": ll_mode, "method": method,
        "collapsed": [g.describe() for g in sampled.groups.values()],
    }
    if approx_info is not None:
        settings["approximation"] = approx_info
    return FitResult(
        idata=idata, pathway=pathway, evidence=evidence, priors=built.priors,
        data=built.data.frame, settings=settings, _built=built,
    )
