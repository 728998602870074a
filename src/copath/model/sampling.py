"""Draw the posterior of a built model as a fit's settings say: NUTS or a variational fit.

:func:`draw_posterior` is the one place a copath model is sampled: :func:`copath.fit`
and simulation-based calibration (:mod:`copath.calibration`) both call it, so a
calibration checks the sampler users run. With NUTS it runs nutpie (default; one
compilation serves the starts and the sampler, :mod:`.nutpie_compile`), NumPyro
(:mod:`.numpyro_sample`) or PyMC's own sampler; each chain starts at its own draw from
multi-path Pathfinder (``init="pathfinder"``), or at its own MAP optimised from its own
dispersed point (``init="map"``), or at the sampler's own start (``init="default"``; see
:mod:`.init`). ``method="advi"``/``"fullrank_advi"`` fits a variational approximation
from one Pathfinder draw (or the best MAP start) instead.

A Ctrl-C is never lost: a KeyboardInterrupt swallowed inside numba's compilation is
remembered and raised at the next checkpoint, and a partial nutpie run is refused.

Example
-------
>>> import pymc as pm
>>> from copath.model.settings import FitSettings
>>> with pm.Model() as m:
...     x = pm.Normal("x", 3.0, 1.0)
>>> drawn = draw_posterior(m, FitSettings(draws=200, tune=200, chains=2, random_seed=1, progressbar=False))
>>> drawn.sampler, drawn.tree["posterior"].sizes["draw"]
('nutpie', 200)
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import xarray as xr

from copath.model.init import map_start, map_starts
from copath.model.numpyro_sample import sample_numpyro
from copath.model.nutpie_compile import compile_for_nutpie
from copath.model.settings import FitSettings

__all__ = ["Drawn", "draw_posterior", "fit_seeds"]


def fit_seeds(random_seed: int | None) -> np.ndarray:
    """The four seeds of a fit (sampler, posterior predictive, prior, MAP start).

    Example
    -------
    >>> fit_seeds(1).tolist() == fit_seeds(1).tolist()
    True
    """
    return np.random.SeedSequence(random_seed).generate_state(4)


@dataclass(frozen=True)
class Drawn:
    """The posterior (and sample stats) of one sampling run, with what it used."""

    tree: xr.DataTree
    sampler: str
    adaptation: str | None
    seconds: float
    approximation: dict[str, Any] | None = None
    starts: dict[str, Any] | None = None


def _has_discrete(model: pm.Model) -> bool:
    return any(rv.dtype.startswith("int") for rv in model.free_RVs)


def _choose_sampler(requested: str, model: pm.Model) -> str:
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


def _sample_nutpie(model: pm.Model, s: FitSettings, seed: int, map_seed: int,
                   interrupted: list[int] | tuple = (), start_info: dict | None = None,
                   fitted: Any = None, mirrors: Sequence[Any] = ()) -> xr.DataTree:
    """nutpie's posterior and sample stats, from one compilation that also finds the starts
    (how the chains started is written into ``start_info`` when given)."""
    import nutpie

    compiled = compile_for_nutpie(model, init=s.init, random_seed=map_seed, fitted=fitted, mirrors=mirrors)
    if start_info is not None:  # filled as nutpie's chains ask for their starts
        start_info.clear()
        start_info.update(method=s.init)
        start_info.update(getattr(compiled, "start_info", {}))
    _stop_if(interrupted, "compilation and the MAP start")
    tree = nutpie.sample(compiled, draws=s.draws, tune=s.tune, chains=s.chains, seed=seed,
                         progress_bar=s.progressbar, save_warmup=False, adaptation=s.adaptation,
                         target_accept=s.target_accept, maxdepth=s.max_treedepth)
    # nutpie answers Ctrl-C by returning what it has drawn so far: a partial posterior
    # must never pass for a fit, so turn it back into the interrupt it was
    got = tree["posterior"].sizes.get("draw", 0) if "posterior" in tree.children else 0
    if got < s.draws:
        raise KeyboardInterrupt(f"sampling stopped after {got} of {s.draws} draws")
    if start_info is not None:
        start_info.update(getattr(compiled, "start_info", {}))
    return xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset(),
                                  "sample_stats": tree["sample_stats"].to_dataset()})


def _sample_pymc(model: pm.Model, s: FitSettings, seed: int,
                 start: list[dict[str, np.ndarray]] | None) -> xr.DataTree:
    """PyMC's posterior and sample stats; chain ``k`` starts at ``start[k]`` when given."""
    with model:
        # nuts_sampler="pymc": left unset, PyMC 6 hands the model to nutpie when it is installed
        tree = pm.sample(draws=s.draws, tune=s.tune, chains=s.chains, random_seed=seed, initvals=start,
                         progressbar=s.progressbar, compute_convergence_checks=False, nuts_sampler="pymc",
                         target_accept=s.target_accept, max_treedepth=s.max_treedepth)
    return xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset(),
                                  "sample_stats": tree["sample_stats"].to_dataset()})


def _approximate(model: pm.Model, s: FitSettings, seed: int,
                 start: dict[str, np.ndarray] | None) -> tuple[xr.DataTree, dict[str, Any]]:
    """Variational fit (ADVI) from the MAP start; draws x chains independent draws as one chain."""
    with model:
        approx = pm.fit(n=s.advi_iterations, method=s.method, start=start, random_seed=seed,
                        progressbar=s.progressbar)
        sample = approx.sample(s.draws * s.chains, random_seed=seed)
    loss = np.asarray(approx.hist, dtype=float)
    window = max(len(loss) // 10, 1)
    last, before = np.nanmean(loss[-window:]), np.nanmean(loss[-2 * window:-window])
    change = float(abs(last - before) / max(abs(before), 1e-12))
    info = {"iterations": s.advi_iterations, "final_loss": float(last), "loss_change_last_10pct": round(change, 5),
            "converged": bool(change < 0.01)}
    posterior = sample["posterior"]
    posterior = posterior.to_dataset() if hasattr(posterior, "to_dataset") else posterior
    return xr.DataTree.from_dict({"posterior": posterior}), info


def draw_posterior(model: pm.Model, settings: FitSettings, pilot: Any = None, mirrors: Sequence[Any] = ()) -> Drawn:
    """The posterior of ``model`` as ``settings`` say (sampler, method, draws, init, seed).

    Parameters
    ----------
    model
        The model to sample (:func:`copath.model.builder.build_model`, collapsed for speed).
    settings
        A fit's settings; only the sampling ones are read here.
    pilot
        Pathfinder paths already fitted to ``model`` (:func:`copath.model.init.pilot_spread`'s),
        reused for the chains' starts with ``init="pathfinder"``.
    mirrors
        Reflections each chain's start is moved by where the log density is higher at its image
        (nutpie only: :func:`copath.model.symmetrise.align_start`).

    Returns
    -------
    Drawn
        ``tree`` (posterior, and sample stats for NUTS), the sampler used, the mass-matrix
        adaptation, the seconds it took and, for a variational fit, its convergence.
    """
    s = settings
    if s.target_accept is None and s.method == "nuts":
        raise ValueError("target_accept is None: give a number (copath.model.settings.default_target_accept "
                         "gives the fit's default; cp.fit resolves None itself)")
    chosen = _choose_sampler(s.sampler, model)
    seeds = fit_seeds(s.random_seed)
    numpyro_mass = "dense" if s.adaptation == "low_rank" else "diag"  # NumPyro has no low-rank mass matrix
    started = time.perf_counter()
    approx_info = None
    start_info: dict[str, Any] = {"method": s.init}
    with _interrupt_guard() as interrupted:
        if s.method == "nuts" and chosen == "nutpie":  # one compilation for the starts and the sampler
            tree = _sample_nutpie(model, s, int(seeds[0]), int(seeds[3]), interrupted, start_info, pilot, mirrors)
        elif s.method == "nuts" and chosen == "numpyro":  # one JAX translation for the starts and the sampler
            tree = sample_numpyro(model, s.draws, s.tune, s.chains, int(seeds[0]), s.init, int(seeds[3]),
                                  s.progressbar, target_accept=s.target_accept, dense_mass=numpyro_mass == "dense",
                                  max_tree_depth=s.max_treedepth, start_info=start_info, fitted=pilot)
        else:
            if s.method == "nuts":
                starts = (map_starts(model, s.chains, random_seed=int(seeds[3]), init=s.init, info=start_info,
                                     fitted=pilot) if s.init != "default" else None)
                _stop_if(interrupted, "the starts")
                tree = _sample_pymc(model, s, int(seeds[0]), starts)
            else:
                if s.init == "pathfinder":
                    start = map_starts(model, 1, random_seed=int(seeds[3]), init=s.init, info=start_info,
                                       fitted=pilot)[0]
                else:
                    start = map_start(model, random_seed=int(seeds[3])) if s.init == "map" else None
                _stop_if(interrupted, "the start")
                tree, approx_info = _approximate(model, s, int(seeds[0]), start)
                chosen = s.method
        _stop_if(interrupted, "sampling")
    adaptation = {"nutpie": s.adaptation, "numpyro": numpyro_mass}.get(chosen)
    return Drawn(tree, chosen, adaptation, time.perf_counter() - started, approx_info, start_info)
