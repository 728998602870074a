"""NumPyro's NUTS on a PyMC model, from one JAX translation of its log density.

``cp.fit(..., sampler="numpyro")`` runs here: the model's log density is translated to
JAX once and serves the starts (Pathfinder's paths or the MAP optimisations on its
jitted value and gradient, see :mod:`copath.model.init`), NumPyro's sampler (tuning and draws in one XLA program, on a
GPU when JAX sees one), and the back-transform of the draws. PyMC's own
``pm.sample(nuts_sampler="numpyro")`` would need the MAP start compiled separately and
evaluates the initial point and the sample statistics op by op, each a small XLA
compilation.

Chains run in parallel when JAX has a device per chain (``cp.fit`` asks for one CPU
device per core before JAX is first imported), one after the other otherwise.

Example
-------
>>> import pymc as pm
>>> with pm.Model(coords={"k": ["a", "b"]}) as m:
...     x = pm.Normal("x", [1.0, -1.0], 1.0, dims="k")
...     s = pm.HalfNormal("s", 1.0)
>>> tree = sample_numpyro(m, draws=300, tune=300, chains=2, random_seed=1, map_seed=1)
>>> tree.posterior["x"].dims, tree.posterior["s"].shape
(('chain', 'draw', 'k'), (2, 300))
>>> bool(abs(float(tree.posterior["x"].sel(k="a").mean()) - 1.0) < 0.3)
True
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr
from pymc.backends.arviz import coords_and_dims_for_inferencedata
from pymc.util import get_default_varnames

from copath.model.init import starter, support_vector
from copath.options import Init, check

__all__ = ["sample_numpyro"]

#: NumPyro's per-draw statistics, under the names PyMC and nutpie give them
_STATS = {"diverging": "diverging", "num_steps": "n_steps", "energy": "energy",
          "accept_prob": "acceptance_rate", "adapt_state.step_size": "step_size", "potential_energy": "lp"}


def sample_numpyro(model: pm.Model, draws: int = 1000, tune: int = 1000, chains: int = 4,
                   random_seed: int = 0, init: str = "pathfinder", map_seed: int | None = None,
                   progressbar: bool = False, target_accept: float = 0.8, dense_mass: bool = True,
                   max_tree_depth: int = 10, start_info: dict | None = None, fitted=None) -> xr.DataTree:
    """Posterior and sample statistics of ``model`` by NumPyro's NUTS.

    ``init="pathfinder"`` starts each chain at its own draw from multi-path Pathfinder
    (:class:`copath.model.init.PathfinderStarts`, seeded from ``map_seed``; what it did is
    written into ``start_info`` when given; ``fitted``, a pilot's paths on this model, are
    reused); ``init="map"`` at its own MAP optimisation from
    a dispersed point (:func:`copath.model.init.chain_optimum`, seeded from ``map_seed``);
    ``init="default"`` at the model's support point jittered by U(-1, 1)
    on the unconstrained scale, per chain (PyMC's default). ``dense_mass`` adapts a dense
    mass matrix (NumPyro has no low-rank one): a pathway's links trade off against each
    other, which a diagonal mass matrix cannot follow (the reason ``cp.fit`` adapts a
    low-rank one with nutpie). The posterior carries the model's variables on their own
    scale, with the model's dims and coords.
    """
    import jax
    import jax.numpy as jnp
    from numpyro.infer import MCMC, NUTS
    from pymc.sampling.jax import get_jaxified_graph

    check("init", init, Init)
    support = support_vector(model)
    x0 = support.data.astype(float)
    shapes = [shape for _, shape, *_ in support.point_map_info]
    cuts = np.cumsum([size for _, _, size, _ in support.point_map_info])[:-1].tolist()

    def unravel(flat):
        return [part.reshape(shape) for part, shape in zip(jnp.split(flat, cuts), shapes, strict=True)]

    logp_graph = get_jaxified_graph(inputs=model.value_vars, outputs=[model.logp()])

    def logp(flat):
        return logp_graph(*unravel(flat))[0]

    if init in ("map", "pathfinder"):
        value_and_grad = jax.jit(jax.value_and_grad(logp))

        def logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = value_and_grad(jnp.asarray(x))
            return float(value), np.asarray(grad, dtype=float)

        seeds = np.random.SeedSequence(map_seed).generate_state(chains)
        start = starter(model, support, logp_dlogp, init, map_seed, fitted)
        starts = np.stack([start(int(seed)) for seed in seeds])
        if start_info is not None:
            start_info.update(getattr(start, "info", {"method": "map"}))
    else:
        rng = np.random.default_rng(random_seed)
        starts = x0[None, :] + rng.uniform(-1.0, 1.0, size=(chains, x0.size))
    parallel = jax.local_device_count() >= chains
    mcmc = MCMC(NUTS(potential_fn=lambda x: -logp(x), target_accept_prob=target_accept, dense_mass=dense_mass,
                     max_tree_depth=max_tree_depth),
                num_warmup=tune, num_samples=draws, num_chains=chains,
                chain_method="parallel" if parallel else "sequential", progress_bar=progressbar)
    mcmc.run(jax.random.PRNGKey(random_seed), init_params=jnp.asarray(starts if chains > 1 else starts[0]),
             extra_fields=tuple(_STATS))
    flat_draws = jnp.reshape(mcmc.get_samples(group_by_chain=True), (chains, draws, x0.size))

    # the model's variables (free, transformed back, and deterministic) from the draws
    outputs = list(get_default_varnames(model.unobserved_value_vars, include_transformed=False))
    expand_graph = get_jaxified_graph(inputs=model.value_vars, outputs=outputs)
    expand = jax.jit(jax.vmap(jax.vmap(lambda x: tuple(expand_graph(*unravel(x))))))
    values = [np.asarray(v) for v in expand(flat_draws)]

    coords, dims = coords_and_dims_for_inferencedata(model)
    posterior = xr.Dataset(
        {var.name: (["chain", "draw", *(dims.get(var.name) or [f"{var.name}_dim_{i}" for i in range(v.ndim - 2)])], v)
         for var, v in zip(outputs, values, strict=True)},
        coords={"chain": np.arange(chains), "draw": np.arange(draws)})
    posterior = posterior.assign_coords({d: coords[d] for d in posterior.dims if d in coords})
    fields = {k: np.asarray(v) for k, v in mcmc.get_extra_fields(group_by_chain=True).items()}
    stats = {_STATS[k]: (["chain", "draw"], np.reshape(v, (chains, draws))) for k, v in fields.items()
             if k in _STATS}
    stats["lp"] = (["chain", "draw"], -stats["lp"][1])  # the log density, as nutpie reports it
    stats["tree_depth"] = (["chain", "draw"], (np.log2(stats["n_steps"][1]).astype(int) + 1))
    sample_stats = xr.Dataset(stats, coords={"chain": np.arange(chains), "draw": np.arange(draws)})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": sample_stats})
