"""Fit a pathway to local data: build, sample, and collect every group the workflow needs.

:func:`fit_model` builds the row-level model (predictive draws, pointwise log likelihood)
and the sampling model (rows sharing their inputs collapsed, likelihood kernels: the same
posterior, :mod:`.compact`), chooses the area effects' parametrisation from a Pathfinder
pilot when the chains start from Pathfinder (:func:`geometry_from_pilot`), draws the
posterior (:mod:`.sampling`), then adds the prior
and prior predictive, the posterior predictive (thinned to ``ppc_draws``), the log
likelihood and the log prior (the sensitivity analysis needs both), all in one ArviZ
``DataTree``, and returns the :class:`~copath.model.record.FitRecord`.
:func:`copath.fit` is its user-facing form; refits call it with a result's
:class:`~copath.model.settings.FitSettings`, changed only where they mean to.

Example
-------
>>> import copath as cp
>>> from copath.model.settings import FitSettings
>>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: count}\\n"
...                       "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
>>> sim = cp.simulate(pw, areas=20, months=3, random_seed=3)
>>> rec = fit_model(pw, sim.data, None, FitSettings(draws=100, tune=100, chains=2, random_seed=1,
...                                                 progressbar=False))
>>> sorted(rec.idata.children)  # doctest: +NORMALIZE_WHITESPACE
['log_likelihood', 'log_prior', 'observed_data', 'posterior', 'posterior_predictive',
 'prior', 'prior_predictive', 'sample_stats']
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from pymc.stats import compute_log_prior

from copath.evidence.priors import LinkPrior, priors_for
from copath.evidence.registry import Evidence, load_evidence
from copath.model.autoscale import TightPriorWarning, autoscale_priors, tight_defaults
from copath.model.builder import build_model
from copath.model.data import PreparedData, prepare_data
from copath.model.identification import Identification, identify, refuse_sign_symmetry
from copath.model.init import pilot_spread
from copath.model.loglik import POINTWISE_LIMIT, choose_log_likelihood, log_likelihood_totals
from copath.model.parametrisation import centred_from_spread, mask_to_lists
from copath.model.record import FitRecord
from copath.model.sampling import draw_posterior, fit_seeds
from copath.model.settings import FitRun, FitSettings, default_target_accept
from copath.model.symmetrise import flip_back, mirror_candidates, mirrors_of, symmetrise, weak_mediators
from copath.spec.pathway import Pathway

__all__ = ["fit_model", "link_priors", "sampling_priors", "signs_where_needed", "IdentificationWarning"]


class IdentificationWarning(UserWarning):
    """Some links are informed by the data only in combination, as a product, or not at all."""


def link_priors(pathway: Pathway, evidence: Evidence | None, settings: FitSettings,
                prepared: PreparedData | None = None) -> dict[str, LinkPrior]:
    """Every link's prior: the registry's, with default priors on ``prepared``'s scale
    (:func:`copath.model.autoscale.autoscale_priors`, widened by ``settings.prior_scale`` or
    the spec's), replaced where ``settings.priors`` says.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> p = cp.LinkPrior("nw_coverage -> burglary", 0.0, 0.1, "log rate ratio")
    >>> link_priors(pw, None, FitSettings(priors=(p,)))["nw_coverage -> burglary"].sigma
    0.1
    """
    priors = priors_for(pathway, evidence)
    if prepared is not None:
        priors = autoscale_priors(pathway, prepared, priors, settings.prior_scale)
    for prior in settings.priors:
        if prior.link not in priors:
            raise ValueError(f"priors: unknown link {prior.link!r}; links are: {', '.join(priors)}")
        priors[prior.link] = prior
    return priors


def signs_where_needed(priors: dict[str, LinkPrior], check: Identification) -> dict[str, LinkPrior]:
    """The link priors as the model uses them: a stated direction is a soft prior the data may
    overturn (:meth:`copath.LinkPrior.softened`), except where the data cannot tell a sign at all.

    Through a node without data (its links informed only as products), flipping the signs of
    every link through it fits the data equally well: a true mirror symmetry. One held sign
    per such node shuts it, so one stated sign is held there (the best-graded one on a link
    whose other end is not itself such a node; all of them where there is none) and reported
    as assumed, not checked by the data (:meth:`copath.LinkPrior.held`); the other stated
    signs through the node stay soft, and the data then tell their signs relative to the
    held one.

    Parameters
    ----------
    priors
        The link priors from the evidence (some with a stated direction, soft; a prior given
        with ``sign`` already held is softened unless it is held here).
    check
        What the data can inform (:func:`copath.model.identification.identify`).

    Returns
    -------
    dict[str, LinkPrior]
    """
    from copath.constants import GRADES

    hold: set[str] = set()
    middles = set(check.mirror_groups)
    for node, links in check.mirror_groups.items():
        stated = [n for n in links if priors[n].sign or priors[n].stated]
        if not stated or hold.intersection(n for n in links if _other_end(n, node) not in middles):
            continue
        outside = [n for n in stated if _other_end(n, node) not in middles]
        if outside:
            hold.add(min(outside, key=lambda n: GRADES.index(priors[n].grade or "E")))
        else:
            hold.update(stated)
    return {name: p.held(check.reasons[name]) if name in hold else p.softened() for name, p in priors.items()}


def _other_end(link: str, node: str) -> str:
    source, target = link.split(" -> ")
    return target if source == node else source


def centred_of(built: Any) -> dict[str, list[str]]:
    """The areas whose effects ``built``'s model samples centred, per area node (from its
    ``area_centred`` labels, ``"<node>: <area>"``).

    Parameters
    ----------
    built
        A built model (:func:`copath.model.builder.build_model`).

    Returns
    -------
    dict[str, list[str]]
        Every area node, with its centred areas in the model's area order.
    """
    labels = set(built.model.coords.get("area_centred", ()))
    nodes, areas = list(built.plan.area_nodes), list(built.model.coords.get("area", ()))
    return {node: [a for a in areas if f"{node}: {a}" in labels] for node in nodes}


#: The largest Pareto k of a Pathfinder pilot's importance weights for its area spreads to set
#: the centring (Vehtari et al. 2024, "Pareto smoothed importance sampling", JMLR 25(72): above
#: 0.7 the importance-sampling estimate is unreliable).
PILOT_K_MAX = 0.7


def geometry_from_pilot(pathway: Pathway, prepared: PreparedData, sampled: Any, seed: int
                        ) -> tuple[dict[str, list[str]] | None, dict[str, Any], Any]:
    """The area effects' parametrisation from a Pathfinder pilot of the sampling model: the
    rule ``I[a] * sd^2 > 1`` with each node's ``area_sd`` from the pilot's draws
    (:func:`copath.model.init.pilot_spread`, :func:`copath.model.parametrisation.centred_from_spread`)
    instead of the moment estimate on the raw data, when the pilot's Pareto k is at most
    :data:`PILOT_K_MAX` (else None: the moment rule stays).

    Parameters
    ----------
    pathway, prepared
        The pathway and its prepared data.
    sampled
        The model that will be sampled (its parametrisation from the moment rule).
    seed
        Seed of the pilot.

    Returns
    -------
    tuple
        The centred areas per node (None when the pilot failed), what the pilot did (its
        Pareto k and each node's ``area_sd``), and its paths (reused for the chains'
        starts when the parametrisation stays).
    """
    spread, info, paths = pilot_spread(sampled.model, random_seed=seed)
    if not spread:
        return None, {"method": info.get("method", "none"), "failed": info.get("fallback", "no area spread")}, None
    k = info.get("pilot_pareto_k")
    if k is None or not k <= PILOT_K_MAX:
        # unreliable importance weights: the pilot's area_sd is no better than the moment
        # estimate (on the doctests' toy it read 0.69 where the truth was 0.3 and the moment
        # estimate 0.25, and centring every area cut the min ESS from 583 to 169)
        return None, {"area_sd": {n: round(v, 4) for n, v in spread.items()}, "pareto_k": k,
                      "used": False, "why": f"Pareto k {k} > {PILOT_K_MAX}: the moment rule kept"}, paths
    nodes = list(sampled.plan.area_nodes)
    mask = centred_from_spread(pathway, prepared, nodes, spread)
    chosen = mask_to_lists(nodes, list(sampled.model.coords["area"]), mask)
    return chosen, {"area_sd": {k: round(v, 4) for k, v in spread.items()},
                    "pareto_k": info.get("pilot_pareto_k"), "elbo": info.get("elbo")}, paths


def sampling_priors(pathway: Pathway, prepared: PreparedData,
                    priors: dict[str, LinkPrior]) -> tuple[dict[str, LinkPrior], Identification]:
    """The link priors the model samples with on ``prepared``, and what the data identify.

    Works out which links the data inform (:func:`copath.model.identification.identify`),
    refuses a sign nothing can fix (:func:`~copath.model.identification.refuse_sign_symmetry`),
    and holds or softens each stated sign (:func:`signs_where_needed`): what :func:`fit_model`
    and simulation-based calibration both sample with.

    Parameters
    ----------
    pathway
        The pathway.
    prepared
        The prepared data.
    priors
        The link priors from the evidence (some with a fixed sign).

    Returns
    -------
    tuple of (dict[str, LinkPrior], Identification)

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> prepared = prepare_data(pw, cp.datasets.load("synthetic_force"))
    >>> used, check = sampling_priors(pw, prepared, cp.priors_for(pw, cp.load_evidence()))
    >>> {p.sign for p in used.values()}, check.any()  # every link has local data: no sign held, nothing to flag
    ({0}, False)
    >>> sum(p.stated != 0 for p in used.values())   # stated directions, all soft
    26
    """
    check = identify(pathway, prepared, priors, held=prepared.held)
    refuse_sign_symmetry(check, pathway)
    return signs_where_needed(priors, check), check


@contextmanager
def _quiet_pymc() -> Iterator[None]:
    """PyMC's INFO log lines off for the duration (warnings still show, except PyTensor's note
    that Numba runs a random generator without a compiled form, the beta-binomial's and a
    share's, in Python: a speed note about predictive draws, which it does not change)."""
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Numba will use object mode to run .*_rv", category=UserWarning)
            yield
    finally:
        logger.setLevel(level)


def _thin(posterior: xr.Dataset, max_draws: int) -> xr.Dataset:
    n = posterior.sizes["chain"] * posterior.sizes["draw"]
    if n <= max_draws:
        return posterior
    step = int(np.ceil(n / max_draws))
    return posterior.isel(draw=slice(None, None, step))


def fit_model(pathway: Pathway, data: pd.DataFrame, evidence: Evidence | None, settings: FitSettings) -> FitRecord:
    """Fit ``pathway`` to ``data`` with the registry's priors as ``settings`` say.

    Parameters
    ----------
    pathway
        The pathway.
    data
        Local data, one row per area x period (checked by :mod:`copath.model.data`).
    evidence
        The registry the link priors come from (None: the bundled one).
    settings
        Every other option of the fit (:class:`~copath.model.settings.FitSettings`).

    Returns
    -------
    FitRecord
        The DataTree with every group, the pathway, priors, data, settings and what the
        run chose (:class:`~copath.model.settings.FitRun`).
    """
    entered = time.perf_counter()
    s = settings
    if evidence is None:
        evidence = load_evidence()
    prepared = prepare_data(pathway, data, source=s.source)
    priors = link_priors(pathway, evidence, s, prepared)
    tight = tight_defaults(pathway, prepared, priors)
    if tight:
        warnings.warn(f"{len(tight)} default prior(s) tight against the data (each pulls its data-only "
                      f"least-squares estimate more than 0.5 SE towards 0; copath.model.autoscale): "
                      + "; ".join(t.describe() for t in tight)
                      + ". Widen them with prior_scale (cp.fit, copath fit --prior-scale, or the spec's "
                        "prior_scale:), or give the links evidence.", TightPriorWarning, stacklevel=3)
    priors, check = sampling_priors(pathway, prepared, priors)
    if check.any():
        warnings.warn(check.describe(), IdentificationWarning, stacklevel=3)
    built = build_model(pathway, prepared, priors=priors, prior_scale=s.prior_scale)
    # the model NUTS sees: rows sharing inputs collapsed, likelihood kernels (same posterior)
    sampled = build_model(pathway, built.data, priors=priors, collapse=True,
                                                          prior_scale=s.prior_scale) if s.collapse else built
    centred, pilot, paths = centred_of(built), {}, None
    if s.init == "pathfinder" and s.method == "nuts" and built.plan.area_nodes:
        chosen, pilot, paths = geometry_from_pilot(pathway, prepared, sampled, int(fit_seeds(s.random_seed)[3]))
        if chosen is not None and chosen != centred:
            # another parametrisation: other coordinates, so the chains' starts take new paths
            centred, paths = chosen, None
            built = build_model(pathway, prepared, priors=priors, centred=centred, prior_scale=s.prior_scale)
            sampled = build_model(pathway, built.data, priors=priors, collapse=True, centred=centred,
                                      prior_scale=s.prior_scale) \
                if s.collapse else built
    mirrors, mirrored, aligned = [], {}, []
    if s.method == "nuts":
        coords = sampled.model.coords
        free_links = list(coords.get("link_free", coords["link"]))
        candidates = mirror_candidates(pathway, prepared, priors, free_links)
        weak = weak_mediators(pathway, prepared, priors, free_links, candidates=candidates)
        if weak:
            if sampled is built:  # a model of its own: the potential must not reach the row-level model
                sampled = build_model(pathway, prepared, priors=priors, centred=centred, prior_scale=s.prior_scale)
            mirrors = mirrors_of(sampled.model, pathway, sampled.plan, list(weak))
            symmetrise(sampled.model, mirrors)
            mirrored = {"nodes": weak}
        # the other mediators' mirror basins: no chain starts in one of less mass
        aligned = mirrors_of(sampled.model, pathway, sampled.plan, [n for n in candidates if n not in weak])
    if s.target_accept is None:
        s = dataclasses.replace(s, target_accept=default_target_accept(pathway, mirrored=bool(mirrors)))
    drawn = draw_posterior(sampled.model, s, pilot=paths, mirrors=aligned)
    tree = drawn.tree
    seeds = fit_seeds(s.random_seed)
    if mirrors:  # the symmetrised density's draws, each moved to its orbit's element as p says
        flipped, shares, element = flip_back(tree["posterior"].to_dataset(), sampled.model, mirrors,
                                             int(seeds[0]) + 1)
        others = {k: tree[k].to_dataset() for k in tree.children if k != "posterior"}
        if "sample_stats" in others:
            others["sample_stats"] = others["sample_stats"].assign(mirror_element=element)
        tree = xr.DataTree.from_dict({"posterior": flipped, **others})
        mirrored["shares"] = shares
    posterior_seconds = time.perf_counter() - entered
    posterior = tree["posterior"].to_dataset()
    n_obs = max(1, sum(int(v.size) for v in built.data.observed.values()))
    n_draws = posterior.sizes["chain"] * posterior.sizes["draw"]
    ll_mode = choose_log_likelihood(s.log_likelihood, n_draws, n_obs)
    cap = max(20, POINTWISE_LIMIT // n_obs)  # predictive draws x rows stay under the same limit
    ppc_draws, prior_draws = min(s.ppc_draws, cap), min(s.prior_draws, cap)
    with built.model:
        groups: dict[str, Any] = {}
        if ll_mode == "pointwise":
            groups["log_likelihood"] = pm.compute_log_likelihood(tree, extend_inferencedata=False,
                                                                 progressbar=False)
        elif ll_mode == "total":
            # from the sampling model when there is one (the same totals, at its cost)
            rows_model = built.model if sampled is not built else None
            groups["log_likelihood"] = log_likelihood_totals(sampled.model, posterior, rows_model=rows_model)
        groups["log_prior"] = compute_log_prior(tree, extend_inferencedata=False, progressbar=False)
        thinned = xr.DataTree.from_dict({"posterior": _thin(posterior, ppc_draws)})
        with _quiet_pymc():  # its "Sampling: [...]" lines name internals, not progress
            pp = pm.sample_posterior_predictive(thinned, random_seed=int(seeds[1]), progressbar=False)
        if "posterior_predictive" in pp.children:  # absent when no node has data
            groups["posterior_predictive"] = pp["posterior_predictive"].to_dataset()
        if "observed_data" in pp.children:
            groups["observed_data"] = pp["observed_data"].to_dataset()
        if prior_draws:  # 0: no prior or prior predictive group (cp.prior_check needs neither)
            with _quiet_pymc():
                prior = pm.sample_prior_predictive(prior_draws, random_seed=int(seeds[2]))
            groups["prior"] = prior["prior"].to_dataset()
            if "prior_predictive" in prior.children:
                groups["prior_predictive"] = prior["prior_predictive"].to_dataset()
    if "sample_stats" in tree.children:
        groups["sample_stats"] = tree["sample_stats"].to_dataset()
    run = FitRun(
        sampler=drawn.sampler, adaptation=drawn.adaptation, log_likelihood=ll_mode, prior_draws=prior_draws,
        ppc_draws=ppc_draws, sampling_seconds=round(drawn.seconds, 3), posterior_seconds=round(posterior_seconds, 3),
        collapsed=tuple(g.describe() for g in sampled.groups.values()), approximation=drawn.approximation,
        identification=check.to_dict(), centres=dict(built.plan.centres), maturing=dict(prepared.maturing),
        starts={**(drawn.starts or {}), **({"pilot": pilot} if pilot else {})}, centred=centred, mirrored=mirrored,
    )
    return FitRecord(idata=xr.DataTree.from_dict({"posterior": posterior, **groups}), pathway=pathway,
                     evidence=evidence, priors=built.priors, data=built.data.frame, settings=s, run=run,
                     _built=built)
