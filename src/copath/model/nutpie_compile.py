"""Compile a PyMC model for nutpie, reproducibly, each chain started at its own point.

One compilation serves both the starts and the sampler: Pathfinder's paths and each
chain's resampled draw (:class:`copath.model.init.PathfinderStarts`, ``init="pathfinder"``)
or each chain's MAP search (:func:`copath.model.init.chain_optimum`, ``init="map"``), seeded
by the seed nutpie gives that chain, run on the log density and gradient that nutpie
compiled, rather than compiling the model a second time for the optimiser.

Reproducible across processes: numba code compiled with PyTensor's default fastmath
flags gives last-bit differences between a fresh compilation and one loaded from
PyTensor's disk cache, which NUTS turns into different draws (a refit in a Dask job, or
tomorrow's rerun, would not reproduce the fit). So the function is compiled without
fastmath (its cost per gradient: ``benchmarks/bench_ablation.py``).

Example
-------
>>> import numpy as np, pymc as pm, nutpie
>>> with pm.Model() as m:
...     x = pm.Normal("x", 3.0, 1.0)
>>> compiled = compile_for_nutpie(m, init="map", random_seed=0)
>>> abs(float(compiled.initial_point_func(1)[0]) - 3.0) < 0.05
True
>>> compiled.start_info["method"]
'map'

>>> bool(compiled.initial_point_func(1)[0] != compiled.initial_point_func(2)[0])  # chains differ
True
>>> tree = nutpie.sample(compiled, draws=200, tune=200, chains=1, seed=1, progress_bar=False)
>>> abs(float(tree.posterior["x"].mean()) - 3.0) < 0.3
True
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pymc as pm

from copath.model.init import flat_layout, starter, support_vector
from copath.model.symmetrise import Mirror, align_start
from copath.options import Init, check

__all__ = ["compile_for_nutpie"]


def compile_for_nutpie(model: pm.Model, init: str = "pathfinder", random_seed: int | None = None,
                       fitted: Any = None, mirrors: Sequence[Mirror] = ()) -> Any:
    """nutpie's compiled ``model`` (fastmath off), each chain started at its own Pathfinder
    draw (``init="pathfinder"``) or MAP (``init="map"``).

    nutpie asks for a chain's start with a seed of its own (the same for the same
    ``nutpie.sample`` seed and chain); the start is computed when asked and kept, seeded
    by that seed and ``random_seed``: a draw from multi-path Pathfinder, whose paths run
    once (:class:`copath.model.init.PathfinderStarts`), or an L-BFGS optimisation from the
    model's support point shaken by N(0, 1) on the unconstrained scale
    (:func:`copath.model.init.chain_optimum`). Chains starting apart can settle in
    different modes, which R-hat then reports. The returned model's ``start_info`` (a
    dict, filled as the chains ask) says how they started (Pathfinder's Pareto k per
    chain, or the fallback to MAP starts and why).

    Parameters
    ----------
    model
        The PyMC model.
    init
        ``"pathfinder"``, ``"map"`` (a MAP start per chain) or ``"default"`` (nutpie's own
        jittered start).
    random_seed
        Seed of the starting points, combined with each chain's seed.
    fitted
        Pathfinder paths already fitted to this model (a pilot's), reused for the starts.
    mirrors
        Reflections of mediators (:mod:`copath.model.symmetrise`) a start is moved by when the
        log density is higher at its image (:func:`copath.model.symmetrise.align_start`), so
        that no chain starts in a mirror basin of less mass; ``start_info["mirror_aligned"]``
        lists, per chain seed, the nodes it was moved by.

    Returns
    -------
    nutpie's compiled model.
    """
    import nutpie
    import pytensor

    check("init", init, Init)
    with pytensor.config.change_flags(numba__fastmath=False):
        compiled = nutpie.compile_pymc_model(model)
    if init == "default":
        return compiled
    support = support_vector(model)
    x0 = support.data
    if x0.size != compiled.n_dim:  # nutpie's flat layout is the value variables, in order
        raise RuntimeError(f"nutpie's model has {compiled.n_dim} parameters, PyMC's {x0.size}")

    def logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = compiled.logp_func(np.ascontiguousarray(x, dtype=np.float64))
        return float(value), np.array(grad, dtype=float)

    chain_start = starter(model, support, logp_dlogp, init, random_seed, fitted)
    info = getattr(chain_start, "info", None)
    if info is None:
        info = {"method": "map"}
    values = {model.rvs_to_values[rv].name: rv.name for rv in model.free_RVs}
    layout = {values[name]: (at, shape) for (name, shape, *_), at in
              zip(support.point_map_info, flat_layout(support).values(), strict=True)}
    starts: dict[int, np.ndarray] = {}
    # nutpie asks for the chains' starts from its chains' threads at once; the compiled
    # PyTensor function behind logp_func keeps its inputs and outputs in shared storage,
    # so two optimisations at once would overwrite each other's values (seen as nutpie's
    # "Failed to generate a new initial position", then a crash): one at a time
    lock = threading.Lock()

    def start(seed: int | None = None) -> np.ndarray:
        key = 0 if seed is None else int(seed)
        with lock:
            if key not in starts:
                mixed = int(np.random.SeedSequence([0 if random_seed is None else int(random_seed), key % 2**63])
                            .generate_state(1)[0])
                x = np.asarray(chain_start(mixed), dtype=np.float64)
                if mirrors:
                    x, moved = align_start(x, layout, mirrors, lambda v: logp_dlogp(v)[0])
                    info.setdefault("mirror_aligned", {})[str(key)] = moved
                starts[key] = np.ascontiguousarray(x, dtype=np.float64)
            return starts[key].copy()

    replaced = dataclasses.replace(compiled, initial_point_func=start)
    object.__setattr__(replaced, "start_info", info)
    return replaced
