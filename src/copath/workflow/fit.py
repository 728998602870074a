"""``cp.fit`` and ``cp.load_result``: a pathway fitted to local data, as a :class:`~copath.FitResult`.

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
>>> res.settings.draws, res.run.sampler
(100, 'nutpie')
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from copath.evidence.priors import LinkPrior
from copath.evidence.registry import Evidence
from copath.model.fit import fit_model
from copath.model.settings import FitSettings
from copath.model.storage import load_record
from copath.options import Adaptation, Init, LogLikelihood, Method, Sampler
from copath.spec.pathway import Pathway
from copath.workflow.result import FitResult

__all__ = ["fit", "load_result"]


def _overrides(priors: Mapping[str, LinkPrior] | None) -> tuple[LinkPrior, ...]:
    out = []
    for name, prior in (priors or {}).items():
        if not isinstance(prior, LinkPrior):
            raise TypeError(f"priors[{name!r}] must be a LinkPrior, got {type(prior).__name__}")
        if prior.link != name:
            raise ValueError(f"priors[{name!r}] is a prior for {prior.link!r}")
        out.append(prior)
    return tuple(out)


def fit(
    pathway: Pathway,
    data: pd.DataFrame,
    evidence: Evidence | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int | None = None,
    sampler: Sampler = "nutpie",
    progressbar: bool = True,
    prior_draws: int = 500,
    ppc_draws: int = 500,
    init: Init = "map",
    source: str = "<data>",
    priors: Mapping[str, LinkPrior] | None = None,
    adaptation: Adaptation = "low_rank",
    log_likelihood: LogLikelihood = "auto",
    method: Method = "nuts",
    advi_iterations: int = 30_000,
    collapse: bool = True,
    target_accept: float | None = None,
    max_treedepth: int = 10,
    prior_scale: float | None = None,
) -> FitResult:
    """Fit ``pathway`` to ``data`` with evidence priors; return a :class:`~copath.FitResult`.

    Every argument after ``evidence`` is recorded in ``res.settings``
    (:class:`~copath.model.settings.FitSettings`), which refits reuse unchanged; what the
    fit chose and measured is in ``res.run``.

    Parameters
    ----------
    pathway
        The pathway (``cp.load_pathway``).
    data
        Local data: one row per area x period, a column per exposure, outcome, offset and
        trials (``copath.model.data.required_columns``); missing outcomes may be NaN.
    evidence
        The registry the link priors come from (default: the bundled one).
    draws, tune, chains
        Posterior draws and tuning steps per chain, and chains.
    random_seed
        Seed of every random step: same seed, same data, same draws.
    sampler
        ``"nutpie"`` (default), ``"pymc"`` or ``"numpyro"`` (JAX; ``pip install copath[jax]``;
        one JAX translation serves the MAP start and the sampler).
    progressbar
        Show the sampler's progress bar.
    prior_draws
        Draws of the prior and prior predictive (0: neither group, e.g. when wide priors
        make the prior predictive meaningless; ``cp.prior_check`` checks priors without them).
    ppc_draws
        Cap on the posterior draws used for the posterior predictive (stored per row).
    init
        ``"map"`` (default): each chain starts at its own MAP optimisation from its own
        dispersed point, so chains can settle in different modes and R-hat shows it
        (:mod:`copath.model.init`); ``"pathfinder"``: each chain starts at its own draw from
        multi-path Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022), in the posterior's
        mass rather than at its mode (not the default: on the flagship, on a redraw of its
        force, its paths fell into the neck of the burglary area funnel); ``"default"``: the sampler's own
        jittered start.
    source
        How the data are named in error messages (a file name).
    priors
        Link name -> :class:`~copath.LinkPrior` replacing the registry's (e.g. a sceptical prior).
    adaptation
        nutpie's mass-matrix adaptation: ``"low_rank"`` (default) learns the directions in
        which coefficients trade off (a child's data often pin only a product or a sum of
        links), ``"diag"`` a diagonal; with NumPyro ``"low_rank"`` adapts a dense mass
        matrix. ``benchmarks/bench_adaptation.py`` compares them on the flagship.
    log_likelihood
        ``"pointwise"`` (draws x rows, for LOO), ``"total"`` (one sum per observed node and
        draw: enough for the sensitivity analysis, in constant memory), ``"none"``, or
        ``"auto"``: pointwise unless that would exceed 50 million values
        (:mod:`copath.model.loglik`). Predictive draws are capped the same way.
    method
        ``"nuts"`` (exact MCMC), or ``"advi"``/``"fullrank_advi"``: a variational
        approximation (draws x chains independent draws, one chain) for a first look; on
        the scale benchmark it was no faster than NUTS and up to 0.58 posterior sd off
        (``benchmarks/results.md``). Its diagnostics say it is approximate.
    advi_iterations
        Optimisation steps of a variational fit.
    collapse
        Sample a model in which rows sharing a node's inputs are one likelihood term and
        count and proportion nodes enter by their likelihood kernel
        (:mod:`copath.model.compact`): the same posterior, in less time when covariates
        repeat across rows; ``res.run.collapsed`` says what was collapsed. The predictive
        groups and log likelihood are row-level either way.
    target_accept
        The acceptance rate NUTS adapts its step size to. Default (None):
        :func:`~copath.model.settings.default_target_accept`, 0.95 when any node has area
        effects (a hierarchical model, as rstanarm and multinma default) or the fit samples a
        weak mediator symmetrised (:mod:`copath.model.symmetrise`), and 0.8 otherwise;
        ``res.settings.target_accept`` records the value used. Raise it (0.99) when the
        diagnostics report divergences that a reparametrisation has not removed.
    max_treedepth
        The deepest NUTS tree: at most 2 ** max_treedepth leapfrog steps per draw.
    prior_scale
        Widen every default prior by this factor (None: the spec's ``prior_scale:``, else 1).
        A link without evidence gets ``N(0, prior_scale x 2.5 x sd(child) / sd(parent))`` on the
        data's scale (rstanarm's autoscaling; ``sd(child)`` only for continuous children,
        1 on log and logit links): :mod:`copath.model.autoscale`. A default prior that pulls
        its link's data-only estimate more than 0.5 SE towards 0 raises a
        :class:`copath.model.autoscale.TightPriorWarning`.

    Returns
    -------
    FitResult
        ``res.summary()``, ``res.diagnostics()``, ``res.scenario(...)``, ``res.report(...)``.
    """
    settings = FitSettings(
        draws=draws, tune=tune, chains=chains, random_seed=random_seed, sampler=sampler, progressbar=progressbar,
        prior_draws=prior_draws, ppc_draws=ppc_draws, init=init, source=source, priors=_overrides(priors),
        adaptation=adaptation, log_likelihood=log_likelihood, method=method, advi_iterations=advi_iterations,
        collapse=collapse, max_treedepth=max_treedepth, prior_scale=prior_scale,
        target_accept=target_accept,
    )
    return FitResult.from_record(fit_model(pathway, data, evidence, settings))


def load_result(path: str | Path) -> FitResult:
    """A result folder written by :meth:`FitResult.save`, every file checked against its hash.

    Parameters
    ----------
    path
        The result folder.

    Returns
    -------
    FitResult

    Example
    -------
    >>> load_result("/no/such/folder")
    Traceback (most recent call last):
    ...
    copath.model.storage.ResultError: /no/such/folder: no copath result here (manifest.json is missing)
    """
    return FitResult.from_record(load_record(path))
