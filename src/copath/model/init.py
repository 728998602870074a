"""Start the sampler in the main posterior mode: multi-start MAP initialisation.

In a pathway, a parent enters its children through its expected value, so the data
of a child often pins down a *product* of coefficients (parent's effect x child's
response). When the parent's own data are weak this gives a ridge with two branches
of opposite signs, and NUTS chains started at random can settle on a minor branch.
Before sampling, :func:`map_start` runs L-BFGS from ``n_starts`` points (the model's
support point, then the same point shaken by standard-normal noise on the
unconstrained scale) and returns the optimum with the highest log density, shaken by
N(0, 0.01) so no gradient is exactly zero; every chain starts there (without the
sampler's own +-1 jitter) and NUTS explores from it. With nutpie (``cp.fit``'s default)
the same optimiser runs on nutpie's compiled log density
(:func:`copath.model.nutpie_compile.compile_for_nutpie`); :func:`map_start` serves the
other samplers and ADVI.

Example
-------
>>> import pymc as pm, numpy as np
>>> with pm.Model() as m:
...     x = pm.Normal("x", 3.0, 1.0)
>>> start = map_start(m, n_starts=2, random_seed=0)
>>> abs(float(start["x"]) - 3.0) < 0.05
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pymc as pm
from pymc.blocking import DictToArrayBijection, RaveledVars
from scipy.optimize import minimize

__all__ = ["best_optimum", "map_start", "support_vector"]


def support_vector(model: pm.Model) -> RaveledVars:
    """The model's support point on the unconstrained scale as one flat vector: the value
    variables in order (the layout nutpie and copath's NumPyro driver use), with their
    names and shapes in ``point_map_info``.

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 1.0, 1.0, shape=2)
    ...     s = pm.HalfNormal("s", 1.0)
    >>> v = support_vector(m)
    >>> v.data.tolist(), [(name, shape) for name, shape, *_ in v.point_map_info]
    ([1.0, 1.0, 0.0], [('x', (2,)), ('s_log__', ())])
    """
    point = model.initial_point()
    return DictToArrayBijection.map({v.name: point[v.name] for v in model.value_vars})


def best_optimum(logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                 n_starts: int = 3, random_seed: int | None = None, maxiter: int = 400) -> np.ndarray:
    """The best of ``n_starts`` L-BFGS maximisations of ``logp_dlogp`` (a flat
    unconstrained vector to log density and gradient), from ``x0`` and ``x0`` shaken by
    N(0, 1); returned shaken by N(0, 0.01) so no gradient is exactly zero.

    Example
    -------
    >>> f = lambda x: (-float(((x - 2.0) ** 2).sum()), -2.0 * (x - 2.0))
    >>> best = best_optimum(f, np.zeros(3), random_seed=0)
    >>> bool(np.all(np.abs(best - 2.0) < 0.05))
    True
    """
    rng = np.random.default_rng(random_seed)

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = logp_dlogp(x)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(x)
        return -float(value), -np.asarray(grad, dtype=float)

    best_x, best_value = np.asarray(x0, dtype=float), -np.inf
    for k in range(max(1, n_starts)):
        start = np.asarray(x0, dtype=float) + (rng.normal(0.0, 1.0, size=np.shape(x0)) if k else 0.0)
        try:
            res = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
        except (FloatingPointError, ValueError):
            continue
        if np.isfinite(res.fun) and -res.fun > best_value:
            best_x, best_value = res.x, -res.fun
    # a small shake: at an exact mode, parameters without data have a zero gradient,
    # which nutpie refuses as a starting point
    return best_x + rng.normal(0.0, 0.01, size=best_x.shape)


def map_start(model: pm.Model, n_starts: int = 3, random_seed: int | None = None,
              maxiter: int = 400) -> dict[str, np.ndarray]:
    """The best of ``n_starts`` MAP optimisations, on the constrained scale, by RV name."""
    # PyTensor's C backend, not the default numba one: numba's fastmath code differs in
    # the last bits between a fresh compilation and one loaded from its disk cache, and
    # the optimiser's path (so every draw after it) with them
    logp_dlogp = model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    logp_dlogp.set_extra_values({})
    x0 = support_vector(model)
    best_x = best_optimum(lambda x: logp_dlogp(RaveledVars(x, x0.point_map_info)), x0.data,
                          n_starts=n_starts, random_seed=random_seed, maxiter=maxiter)
    unraveled = DictToArrayBijection.rmap(RaveledVars(best_x, x0.point_map_info))
    out: dict[str, np.ndarray] = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        value = unraveled[value_var.name]
        if transform is not None:
            value = transform.backward(value, *rv.owner.inputs).eval(mode="CVM")
        out[rv.name] = np.asarray(value)
    return out
