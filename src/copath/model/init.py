"""Where the chains start: in the posterior's mass by Pathfinder, or at a MAP optimisation.

With ``init="pathfinder"`` (:func:`pathfinder_starter`; the default is ``"map"``) each chain starts at its
own draw from Pathfinder (:mod:`copath.model.pathfinder`; Zhang, Carpenter, Gelman &
Vehtari 2022, JMLR 23(306)): L-BFGS paths from dispersed points give a Gaussian each,
and every chain's start is one draw resampled by Pareto-smoothed importance weights from
draws of its own path's Gaussian, or of four shared paths' when its own ended in a minor
mode (:class:`PathfinderStarts`), so it lies in the posterior's typical set rather than
at its mode (on a hierarchical model the mode can sit a hundred log-density units above
the draws). Should Pathfinder fail, the chains start as ``init="map"`` says, with a
warning.

With ``init="map"`` every chain starts at the highest of three posterior modes found by L-BFGS, each from
its own starting point: the model's support point with its coefficients, intercepts,
spreads and dispersions shaken by standard-normal noise on the unconstrained scale
(about a draw from the priors, which have scale near 1 there) and its area effects left
at the support point (:func:`start_shake`), seeded per chain (:func:`chain_optimum`).
Starting at a mode spares the sampler a long walk in. Modes of equal height (a sign the
data cannot tell) are reached at random, so chains land in different ones and R-hat
reveals them; a lower mode is reached less often than from one optimisation (with
probability q^3 instead of q), which is the point: single optimisations left chains in
modes hundreds of log-density units down that warm-up did not leave. The optimum is
shaken by N(0, 0.01) so no gradient is exactly zero. With nutpie (``cp.fit``'s default) the optimiser runs on nutpie's compiled log
density (:func:`copath.model.nutpie_compile.compile_for_nutpie`), each chain's when
nutpie asks for its start; :func:`map_starts` serves PyMC's sampler and
:func:`map_start` (the best of several) the variational fits.

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

import warnings
from collections.abc import Callable

import numpy as np
import pymc as pm
from pymc.blocking import DictToArrayBijection, RaveledVars
from scipy.optimize import minimize

from copath.model.pathfinder import Pathfinder, fit_path, pathfinder

__all__ = ["PathfinderStarts", "best_optimum", "chain_optimum", "chain_starter", "flat_layout", "map_start",
           "map_starts", "pathfinder_starter", "pilot_spread", "start_shake", "starter", "support_vector"]


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
                 n_starts: int = 3, random_seed: int | None = None, maxiter: int = 400,
                 shake: np.ndarray | float = 1.0) -> np.ndarray:
    """The best of ``n_starts`` L-BFGS maximisations of ``logp_dlogp`` (a flat
    unconstrained vector to log density and gradient), from ``x0`` and ``x0`` shaken by
    N(0, shake^2); returned shaken by N(0, 0.01) so no gradient is exactly zero.

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
        start = np.asarray(x0, dtype=float) + (np.asarray(shake) * rng.normal(0.0, 1.0, size=np.shape(x0)) if k else 0.0)
        try:
            res = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
        except (FloatingPointError, ValueError):
            continue
        if np.isfinite(res.fun) and -res.fun > best_value:
            best_x, best_value = res.x, -res.fun
    # a small shake: at an exact mode, parameters without data have a zero gradient,
    # which nutpie refuses as a starting point
    return best_x + rng.normal(0.0, 0.01, size=best_x.shape)


def chain_optimum(logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                  seed: int | None, maxiter: int = 400, shake: np.ndarray | float = 1.0,
                  n_starts: int = 3) -> np.ndarray:
    """One chain's start: the best of ``n_starts`` L-BFGS optimisations from ``x0`` shaken by
    N(0, shake^2) (seeded by ``seed``), the optimum shaken by N(0, 0.01).

    One optimisation from a shaken point can end in a local mode far below the best (on
    the flagship demo, a chain's log density 250 below the other's, with
    ``burglary -> worried`` of the wrong sign, which the chain kept through warm-up). The
    best of several steers each chain towards the highest mode it finds. Modes of equal
    height are still reached at random, so chains land in both and R-hat sees them; a
    lower mode that one optimisation reaches with probability q is kept with probability
    about q^n_starts, so R-hat is less likely to see a real but lower second mode. Heights
    are compared in the optimiser's coordinates (:func:`funnel_free`).

    Parameters
    ----------
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient).
    x0
        The model's support point.
    seed
        The chain's seed (the same seed, the same start).
    maxiter
        L-BFGS iterations.
    shake
        The sd of the shake per coordinate (:func:`start_shake`: none on area effects).
    n_starts
        How many shaken points to optimise from; the best is kept.

    Returns
    -------
    numpy.ndarray

    Example
    -------
    >>> f = lambda x: (-float(((x - 2.0) ** 2).sum()), -2.0 * (x - 2.0))
    >>> a, b = chain_optimum(f, np.zeros(3), 1), chain_optimum(f, np.zeros(3), 2)
    >>> bool(np.all(np.abs(a - 2.0) < 0.05)), bool(np.array_equal(a, chain_optimum(f, np.zeros(3), 1)))
    (True, True)
    """
    rng = np.random.default_rng(seed)
    best_x, best_value = None, -np.inf
    for _ in range(max(1, n_starts)):
        start = np.asarray(x0, dtype=float) + np.asarray(shake, dtype=float) * rng.normal(0.0, 1.0, size=np.shape(x0))
        x = best_optimum(logp_dlogp, start, n_starts=1, random_seed=int(rng.integers(2**31)), maxiter=maxiter)
        value = logp_dlogp(x)[0]
        if best_x is None or (np.isfinite(value) and value > best_value):
            best_x, best_value = x, value
    return best_x


def flat_layout(x0: RaveledVars) -> dict[str, slice]:
    """Where each value variable sits in the flat unconstrained vector.

    Parameters
    ----------
    x0
        A flat vector with its layout (:func:`support_vector`).

    Returns
    -------
    dict[str, slice]
        Value variable name -> its slice, in order.

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 1.0, 1.0, shape=2)
    ...     s = pm.HalfNormal("s", 1.0)
    >>> flat_layout(support_vector(m))
    {'x': slice(0, 2, None), 's_log__': slice(2, 3, None)}
    """
    out, i = {}, 0
    for name, shape, *_ in x0.point_map_info:
        size = int(np.prod(shape, dtype=int))
        out[name] = slice(i, i + size)
        i += size
    return out


#: The free variables that hold area effects (centred levels, non-centred z).
AREA_PARTS = ("area_c", "area_z")


def start_shake(x0: RaveledVars) -> np.ndarray:
    """How far to shake each coordinate of a start before optimising: 1, and 0 on area effects.

    Shaken, hundreds of area effects are noise that the optimiser removes fastest by
    shrinking their spread towards 0, where (seen non-centred, as :func:`funnel_free`
    optimises them) they stop having a gradient; L-BFGS then stops there, with every
    area at the intercept (seen on the Lancashire model: spread 1e-16, a start 35,000
    below the mode). The coefficients, intercepts, spreads and dispersions are shaken:
    they are where a second mode would show.

    Parameters
    ----------
    x0
        The model's support point (its layout).

    Returns
    -------
    numpy.ndarray

    Example
    -------
    >>> with pm.Model(coords={"area_noncentred": ["y: a", "y: b"]}) as m:
    ...     sd = pm.HalfNormal("area_sd", 1.0)
    ...     z = pm.Normal("area_z", 0.0, 1.0, dims="area_noncentred")
    >>> start_shake(support_vector(m)).tolist()
    [1.0, 0.0, 0.0]
    """
    scale = np.ones(x0.data.size)
    for name, where in flat_layout(x0).items():
        if name in AREA_PARTS:
            scale[where] = 0.0
    return scale


def funnel_free(model: pm.Model, x0: RaveledVars,
                logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]]
                ) -> tuple[Callable[[np.ndarray], tuple[float, np.ndarray]], Callable[[np.ndarray], np.ndarray],
                           Callable[[np.ndarray], np.ndarray]]:
    """The log density to optimise for a start, with centred area effects seen non-centred.

    A centred area level ``area_c ~ Normal(intercept, area_sd)`` has no highest point:
    with two or more of them the density grows without limit as ``area_sd`` shrinks and
    the levels close in on the intercept, and an optimiser follows it into the neck of
    the funnel. Seen as ``area_c = intercept + area_sd * z`` (the density times the
    Jacobian ``area_sd`` per level), the mode is a proper one. Returns the objective in
    those coordinates and the maps from them to the model's flat vector and back; the
    identity when the model has no centred area effects.

    Parameters
    ----------
    model
        The model (its ``node``, ``area_node`` and ``area_centred`` coords say which
        intercept and spread each centred level has).
    x0
        The model's support point (its layout).
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient).

    Returns
    -------
    tuple of (objective, to_model, to_view)

    Example
    -------
    >>> coords = {"node": ["y"], "area_node": ["y"], "area_centred": ["y: a", "y: b"]}
    >>> with pm.Model(coords=coords) as m:
    ...     b0 = pm.Normal("intercept", 0.0, 1.0, dims="node")
    ...     sd = pm.HalfNormal("area_sd", 1.0, dims="area_node")
    ...     c = pm.Normal("area_c", b0[[0, 0]], sd[[0, 0]], dims="area_centred")
    >>> x0 = support_vector(m)
    >>> f = m.logp_dlogp_function(ravel_inputs=True, mode="CVM"); f.set_extra_values({})
    >>> obj, to_model, to_view = funnel_free(m, x0, lambda x: f(RaveledVars(x, x0.point_map_info)))
    >>> x = np.array([0.5, np.log(2.0), 0.5, -1.0])  # intercept, log area_sd, z of the two levels
    >>> bool(np.allclose(to_view(to_model(x)), x)), to_model(x).round(3).tolist()
    (True, [0.5, 0.693, 1.5, -1.5])
    """
    at = flat_layout(x0)
    if "area_c" not in at or "area_sd_log__" not in at:
        return logp_dlogp, (lambda x: x), (lambda x: x)
    nodes, endo = list(model.coords["area_node"]), list(model.coords["node"])
    names = [label.split(": ", 1)[0] for label in model.coords["area_centred"]]
    ic = np.arange(at["area_c"].start, at["area_c"].stop)
    isd = at["area_sd_log__"].start + np.array([nodes.index(n) for n in names])
    ib = at["intercept"].start + np.array([endo.index(n) for n in names])

    def to_model(xv: np.ndarray) -> np.ndarray:
        x = np.array(xv, dtype=float)
        x[ic] = xv[ib] + np.exp(xv[isd]) * xv[ic]
        return x

    def to_view(x: np.ndarray) -> np.ndarray:
        xv = np.array(x, dtype=float)
        xv[ic] = (x[ic] - x[ib]) / np.exp(x[isd])
        return xv

    def objective(xv: np.ndarray) -> tuple[float, np.ndarray]:
        x = to_model(xv)
        value, grad = logp_dlogp(x)
        grad = np.asarray(grad, dtype=float)
        out = grad.copy()
        out[ic] = grad[ic] * np.exp(xv[isd])  # d c / d z = area_sd
        np.add.at(out, isd, grad[ic] * (x[ic] - x[ib]) + 1.0)  # d c / d log sd = sd z; log Jacobian: log sd per level
        np.add.at(out, ib, grad[ic])  # d c / d intercept = 1
        return float(value) + float(np.sum(xv[isd])), out

    return objective, to_model, to_view


def chain_starter(model: pm.Model, x0: RaveledVars,
                  logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]],
                  maxiter: int = 400) -> Callable[[int], np.ndarray]:
    """Seed -> that chain's start on the model's flat unconstrained scale: :func:`chain_optimum`
    in the coordinates of :func:`funnel_free`, shaken as :func:`start_shake` says. What
    every sampler's MAP start calls (PyMC's, nutpie's, NumPyro's), so that none of them
    can leave out the funnel view or the unshaken area effects.

    Parameters
    ----------
    model
        The model.
    x0
        Its support point (:func:`support_vector`).
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient), the sampler's own.
    maxiter
        L-BFGS iterations.

    Returns
    -------
    Callable[[int], numpy.ndarray]

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 3.0, 1.0)
    >>> x0 = support_vector(m)
    >>> f = m.logp_dlogp_function(ravel_inputs=True, mode="CVM"); f.set_extra_values({})
    >>> start = chain_starter(m, x0, lambda x: f(RaveledVars(x, x0.point_map_info)))
    >>> bool(abs(start(1)[0] - 3.0) < 0.05)
    True
    """
    objective, to_model, to_view = funnel_free(model, x0, logp_dlogp)
    shake = start_shake(x0)
    view0 = to_view(x0.data)
    return lambda seed: to_model(chain_optimum(objective, view0, seed, maxiter, shake))


#: How far below the shared paths' best ELBO a chain's own path may end and still give
#: the chain its start: exp(-5) < 1%, a mode with under 1% of the best one's mass.
ELBO_GAP = 5.0


class PathfinderStarts:
    """Seed -> that chain's start, a draw from multi-path Pathfinder (built on first use).

    The paths run once, in the coordinates of :func:`funnel_free` (centred area effects
    seen non-centred, whose density has a proper mode), from the model's support point
    shaken by N(0, 1) in every coordinate (area effects too, unlike :func:`start_shake`'s
    MAP starts: a path that never moves the area effects learns nothing of their
    curvature, and Pathfinder stops at its best ELBO before the spreads can collapse;
    on the calibration pathway the paths' best ELBOs rose by about 10), seeded by
    ``random_seed`` (or taken from a pilot, ``fitted``).

    Each chain then runs one path of its own, from a point shaken by its own seed, and
    keeps one of ``draws_per_path`` x paths draws of that path's Gaussian, resampled by
    Pareto-smoothed importance weights. Its own path, so that chains reach the modes of a
    posterior independently, as MAP starts from dispersed points do, and R-hat and the
    stray-chain check can see them: drawn from the shared paths' pool, chains are tied to
    where those few paths ended (with four paths, all four chains of a posterior with two
    equal modes start in one mode a third of the time instead of an eighth, and
    ``tests/model/test_identification.py`` saw one sign only). But a chain whose path ended
    more than :data:`ELBO_GAP` below the shared paths' best (a minor mode) is started from
    the shared paths' pooled draws, resampled by their weights (Zhang et al.'s multi-path
    Pathfinder), so no chain starts in a mode that holds under 1% of the best one's mass.
    Chains with different seeds get different starts (draws from a continuous
    distribution), and the same seed the same start, whichever order the chains ask in
    (nutpie asks from its chains' threads).

    ``info`` says what was done: ``"method"`` (``"pathfinder"``, or ``"map"`` after a
    fallback, with ``"fallback"`` the reason), the paths fitted and failed, the iterate
    each path kept and its ELBO, and the Pareto k of each chain's importance weights
    (``"pareto_k"``, in the order chains asked; above 0.7 the weights are unreliable and
    the start sits nearer the paths' Gaussians than the posterior, though usually near its
    mass: :meth:`copath.model.pathfinder.Pathfinder.resample`) and each start's log
    density (``"logp"``, the model's, as the sampler reports it) and where it came from
    (``"source"``: ``"own path"`` or ``"pool"``).

    Parameters
    ----------
    model
        The model.
    x0
        Its support point (:func:`support_vector`).
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient), the sampler's own.
    random_seed
        Seed of the paths' starts and ELBO draws.
    paths
        How many L-BFGS paths.
    draws_per_path
        Draws from each path's Gaussian per chain, resampled to one.
    maxiter
        L-BFGS iterations per path at most.
    fitted
        Paths already fitted to this model's density in the same coordinates (a pilot's,
        :attr:`fitted`): they are reused, and only the chains' draws are taken here, with
        ``logp_dlogp``.

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 3.0, 1.0, shape=2)
    >>> x0 = support_vector(m)
    >>> f = m.logp_dlogp_function(ravel_inputs=True, mode="CVM"); f.set_extra_values({})
    >>> start = PathfinderStarts(m, x0, lambda x: f(RaveledVars(x, x0.point_map_info)), random_seed=0)
    >>> a, b = start(1), start(2)
    >>> bool(np.all(np.abs(a - 3.0) < 4)), bool(np.any(a != b)), bool(np.array_equal(a, start(1)))
    (True, True, True)
    >>> start.info["method"], len(start.info["pareto_k"])
    ('pathfinder', 2)
    """

    def __init__(self, model: pm.Model, x0: RaveledVars,
                 logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]], random_seed: int | None = None,
                 paths: int = 4, draws_per_path: int = 100, maxiter: int = 1000,
                 fitted: Pathfinder | None = None) -> None:
        self._model, self._x0, self._logp_dlogp = model, x0, logp_dlogp
        self._seed, self._paths, self._m, self._maxiter = random_seed, paths, draws_per_path, maxiter
        self._fit: Pathfinder | None = None
        self._given = fitted
        self._fallback: Callable[[int], np.ndarray] | None = None
        self._starts: dict[int, np.ndarray] = {}
        self.info: dict = {"method": "pathfinder", "paths": paths, "pareto_k": []}

    def _prepare(self) -> None:
        objective, to_model, to_view = funnel_free(self._model, self._x0, self._logp_dlogp)
        self._objective, self._to_model = objective, to_model
        rng = np.random.default_rng(np.random.SeedSequence(self._seed).spawn(1)[0])
        view0 = self._view0 = to_view(self._x0.data)
        starts = view0 + rng.normal(0.0, 1.0, size=(self._paths, view0.size))
        try:
            with np.errstate(all="ignore"):
                self._fit = self._given if self._given is not None else pathfinder(
                    objective, starts, random_seed=self._seed, maxiter=self._maxiter)
        except (FloatingPointError, ValueError, np.linalg.LinAlgError) as err:
            self._use_fallback(str(err))
            return
        self.info.update(failed=self._fit.failed, iterations=[p.iteration for p in self._fit.paths],
                         elbo=[round(p.elbo, 3) for p in self._fit.paths], paths=len(self._fit.paths) + self._fit.failed)
        if self._given is not None:
            self.info["paths_from"] = "pilot"

    @property
    def fitted(self) -> Pathfinder | None:
        """The paths' Gaussians (None before the first start, or after a fallback); a
        second :class:`PathfinderStarts` of the same model can reuse them (``fitted=``)."""
        return self._fit

    def _use_fallback(self, reason: str) -> None:
        warnings.warn(f"Pathfinder failed ({reason}); the chains start at MAP optimisations instead", stacklevel=3)
        self.info.update(method="map", fallback=reason)
        self._fallback = chain_starter(self._model, self._x0, self._logp_dlogp)

    def pilot(self, n: int = 100, seed: int = 0) -> np.ndarray:
        """``n`` distinct draws on the model's flat scale, resampled from the paths' pooled
        draws (:meth:`copath.model.pathfinder.Pathfinder.resample`): a pilot of the
        posterior, for the geometry (:func:`pilot_spread`).

        Parameters
        ----------
        n
            How many draws.
        seed
            Seed of the draws.

        Returns
        -------
        numpy.ndarray
            ``(n, N)``.

        Raises
        ------
        FloatingPointError
            If Pathfinder failed.
        """
        if self._fit is None and self._fallback is None:
            self._prepare()
        if self._fit is None:
            raise FloatingPointError(self.info.get("fallback", "Pathfinder failed"))
        with np.errstate(all="ignore"):
            draws, khat = self._fit.resample(np.random.default_rng(seed), n, max(n, self._m), self._objective)
        self.info["pilot_pareto_k"] = round(khat, 3)
        return np.array([self._to_model(d) for d in draws])

    def _chain_draw(self, rng: np.random.Generator) -> tuple[np.ndarray, float]:
        """One chain's draw: from its own path when that path's ELBO is within
        :data:`ELBO_GAP` of the shared paths' best, else from the shared paths' pool."""
        view0 = self._view0
        start = view0 + rng.normal(0.0, 1.0, size=view0.size)
        try:
            own = fit_path(self._objective, start, rng, maxiter=self._maxiter)
        except FloatingPointError:
            own = None
        best = max(p.elbo for p in self._fit.paths)
        if own is not None and own.elbo >= best - ELBO_GAP:
            self.info.setdefault("source", []).append("own path")
            return Pathfinder((own,), 0, self._objective).resample(rng, 1, self._m * len(self._fit.paths))
        self.info.setdefault("source", []).append("pool")
        return self._fit.resample(rng, 1, self._m, self._objective)

    def __call__(self, seed: int) -> np.ndarray:
        key = int(seed)
        if key in self._starts:
            return self._starts[key].copy()
        if self._fit is None and self._fallback is None:
            self._prepare()
        if self._fallback is None:
            try:
                with np.errstate(all="ignore"):
                    mixed = np.random.SeedSequence([key % 2**63, 0 if self._seed is None else int(self._seed)])
                    draw, khat = self._chain_draw(np.random.default_rng(mixed))
                self.info["pareto_k"].append(round(khat, 3))
                x = self._to_model(draw[0])
                self.info.setdefault("logp", []).append(round(float(self._logp_dlogp(x)[0]), 3))
            except (FloatingPointError, ValueError) as err:
                self._use_fallback(str(err))
        if self._fallback is not None:
            x = self._fallback(key)
        self._starts[key] = x
        return x.copy()


def pathfinder_starter(model: pm.Model, x0: RaveledVars,
                       logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]],
                       random_seed: int | None = None, fitted: Pathfinder | None = None) -> PathfinderStarts:
    """Seed -> that chain's start, a Pathfinder draw (:class:`PathfinderStarts`).

    Parameters
    ----------
    model
        The model.
    x0
        Its support point (:func:`support_vector`).
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient), the sampler's own.
    random_seed
        Seed of the paths.
    fitted
        A pilot's paths on the same model, to reuse.

    Returns
    -------
    PathfinderStarts

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 3.0, 1.0)
    >>> x0 = support_vector(m)
    >>> f = m.logp_dlogp_function(ravel_inputs=True, mode="CVM"); f.set_extra_values({})
    >>> start = pathfinder_starter(m, x0, lambda x: f(RaveledVars(x, x0.point_map_info)), 0)
    >>> bool(abs(start(1)[0] - 3.0) < 4.0)
    True
    """
    return PathfinderStarts(model, x0, logp_dlogp, random_seed, fitted=fitted)


def pilot_spread(model: pm.Model, random_seed: int | None = None, n: int = 100
                 ) -> tuple[dict[str, float], dict, Pathfinder | None]:
    """Each area node's areas' sd from a Pathfinder pilot: the median of ``area_sd`` over
    ``n`` draws (:meth:`PathfinderStarts.pilot`), on PyMC's own compiled log density.

    Parameters
    ----------
    model
        The model (with ``area_sd``, dim ``area_node``; else nothing to say).
    random_seed
        Seed of the paths and draws.
    n
        Pilot draws.

    Returns
    -------
    tuple of (dict[str, float], dict, Pathfinder or None)
        Node -> its areas' sd (empty when the model has no area effects or Pathfinder
        failed), what the pilot did (:class:`PathfinderStarts`'s ``info``), and its paths
        (for the chains' starts when the model stays as it is).

    Example
    -------
    >>> coords = {"node": ["y"], "area_node": ["y"], "area_noncentred": ["y: a", "y: b", "y: c"]}
    >>> with pm.Model(coords=coords) as m:
    ...     sd = pm.HalfNormal("area_sd", 1.0, dims="area_node")
    ...     z = pm.Normal("area_z", 0.0, 1.0, dims="area_noncentred")
    ...     _ = pm.Normal("obs", sd[0] * z, 0.05, observed=[1.0, -1.0, 0.5])
    >>> spread, info, _ = pilot_spread(m, random_seed=1)
    >>> 0.4 < spread["y"] < 2.0, info["method"]
    (True, 'pathfinder')
    """
    x0 = support_vector(model)
    at = flat_layout(x0)
    if "area_sd_log__" not in at:
        return {}, {"method": "none"}, None
    logp_dlogp = model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    logp_dlogp.set_extra_values({})
    start = PathfinderStarts(model, x0, lambda x: logp_dlogp(RaveledVars(x, x0.point_map_info)), random_seed)
    try:
        draws = start.pilot(n, seed=0 if random_seed is None else int(random_seed))
    except FloatingPointError:
        return {}, start.info, None
    sd = np.median(np.exp(draws[:, at["area_sd_log__"]]), axis=0)
    return ({str(node): float(v) for node, v in zip(model.coords["area_node"], sd, strict=True)}, start.info,
            start.fitted)


def starter(model: pm.Model, x0: RaveledVars, logp_dlogp: Callable[[np.ndarray], tuple[float, np.ndarray]],
            init: str, random_seed: int | None = None, fitted: Pathfinder | None = None
            ) -> Callable[[int], np.ndarray]:
    """Seed -> a chain's start as ``init`` says: ``"pathfinder"`` (:class:`PathfinderStarts`)
    or ``"map"`` (:func:`chain_starter`).

    Parameters
    ----------
    model
        The model.
    x0
        Its support point (:func:`support_vector`).
    logp_dlogp
        Flat unconstrained vector -> (log density, gradient), the sampler's own.
    init
        ``"pathfinder"`` or ``"map"``.
    random_seed
        Seed of Pathfinder's paths (the MAP starts are seeded by each chain's seed alone).
    fitted
        A pilot's Pathfinder paths on this model, reused by ``init="pathfinder"``.

    Returns
    -------
    Callable[[int], numpy.ndarray]
        With an ``info`` dict when Pathfinder (see :class:`PathfinderStarts`).

    Example
    -------
    >>> with pm.Model() as m:
    ...     x = pm.Normal("x", 3.0, 1.0)
    >>> x0 = support_vector(m)
    >>> f = m.logp_dlogp_function(ravel_inputs=True, mode="CVM"); f.set_extra_values({})
    >>> bool(abs(starter(m, x0, lambda x: f(RaveledVars(x, x0.point_map_info)), "map")(1)[0] - 3.0) < 0.05)
    True
    """
    if init == "pathfinder":
        return pathfinder_starter(model, x0, logp_dlogp, random_seed, fitted)
    if init == "map":
        return chain_starter(model, x0, logp_dlogp)
    raise ValueError(f"init must be 'pathfinder' or 'map' for a start per chain, got {init!r}")


def map_starts(model: pm.Model, chains: int, random_seed: int | None = None,
               maxiter: int = 400, init: str = "map", info: dict | None = None,
               fitted: Pathfinder | None = None) -> list[dict[str, np.ndarray]]:
    """One start per chain (:func:`starter`: a MAP optimisation, or a Pathfinder draw with
    ``init="pathfinder"``), on the constrained scale, by RV name; what PyMC's sampler takes.

    Parameters
    ----------
    model
        The model.
    chains
        How many starts.
    random_seed
        Seed of the chains' starting points.
    maxiter
        L-BFGS iterations of a MAP start.
    init
        ``"map"`` or ``"pathfinder"``.
    info
        When given, updated with how the chains started (:class:`PathfinderStarts`'s ``info``).
    fitted
        A pilot's Pathfinder paths on this model, reused by ``init="pathfinder"``.

    Returns
    -------
    list of dict
    """
    seeds = np.random.SeedSequence(random_seed).generate_state(chains)
    logp_dlogp = model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    logp_dlogp.set_extra_values({})
    x0 = support_vector(model)
    f = lambda x: logp_dlogp(RaveledVars(x, x0.point_map_info))  # noqa: E731
    start = chain_starter(model, x0, f, maxiter) if init == "map" else starter(model, x0, f, init, random_seed, fitted)
    out = [_constrained(model, start(int(seed)), x0) for seed in seeds]
    if info is not None:
        info.update(getattr(start, "info", {"method": "map"}))
    return out


def _constrained(model: pm.Model, flat: np.ndarray, x0: RaveledVars) -> dict[str, np.ndarray]:
    unraveled = DictToArrayBijection.rmap(RaveledVars(flat, x0.point_map_info))
    out: dict[str, np.ndarray] = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        value = unraveled[value_var.name]
        if transform is not None:
            value = transform.backward(value, *rv.owner.inputs).eval(mode="CVM")
        out[rv.name] = np.asarray(value)
    return out


def map_start(model: pm.Model, n_starts: int = 3, random_seed: int | None = None,
              maxiter: int = 400) -> dict[str, np.ndarray]:
    """The best of ``n_starts`` MAP optimisations, on the constrained scale, by RV name."""
    # PyTensor's C backend, not the default numba one: numba's fastmath code differs in
    # the last bits between a fresh compilation and one loaded from its disk cache, and
    # the optimiser's path (so every draw after it) with them
    logp_dlogp = model.logp_dlogp_function(ravel_inputs=True, mode="CVM")
    logp_dlogp.set_extra_values({})
    x0 = support_vector(model)
    objective, to_model, to_view = funnel_free(model, x0, lambda x: logp_dlogp(RaveledVars(x, x0.point_map_info)))
    best_x = best_optimum(objective, to_view(x0.data), n_starts=n_starts, random_seed=random_seed, maxiter=maxiter,
                          shake=start_shake(x0))
    return _constrained(model, to_model(best_x), x0)
