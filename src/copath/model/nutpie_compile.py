"""Compile a PyMC model for nutpie, reproducibly, every chain started at the MAP.

One compilation serves both the MAP start and the sampler: the MAP search
(:func:`copath.model.init.best_optimum`) runs on the log density and gradient that
nutpie compiled, rather than compiling the model a second time for the optimiser.

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
>>> tree = nutpie.sample(compiled, draws=200, tune=200, chains=1, seed=1, progress_bar=False)
>>> abs(float(tree.posterior["x"].mean()) - 3.0) < 0.3
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pymc as pm

from copath.model.init import best_optimum, support_vector
from copath.options import Init, check

__all__ = ["compile_for_nutpie"]


def compile_for_nutpie(model: pm.Model, init: str = "map", random_seed: int | None = None,
                       n_starts: int = 3) -> Any:
    """nutpie's compiled ``model`` (fastmath off), started at the MAP when ``init="map"``.

    The MAP is the best of ``n_starts`` L-BFGS runs from the model's support point (see
    :mod:`copath.model.init`), on the unconstrained scale, found with nutpie's own
    compiled log density; every chain starts there, without jitter.
    """
    import nutpie
    import pytensor

    check("init", init, Init)
    with pytensor.config.change_flags(numba__fastmath=False):
        compiled = nutpie.compile_pymc_model(model)
    if init == "default":
        return compiled
    x0 = support_vector(model).data
    if x0.size != compiled.n_dim:  # nutpie's flat layout is the value variables, in order
        raise RuntimeError(f"nutpie's model has {compiled.n_dim} parameters, PyMC's {x0.size}")

    def logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = compiled.logp_func(np.ascontiguousarray(x, dtype=np.float64))
        return float(value), np.array(grad, dtype=float)

    best = np.ascontiguousarray(best_optimum(logp_dlogp, x0, n_starts=n_starts, random_seed=random_seed),
                                dtype=np.float64)
    return dataclasses.replace(compiled, initial_point_func=lambda seed=None: best.copy())
