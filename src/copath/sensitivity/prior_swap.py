r"""Swap one link's prior without refitting: Pareto-smoothed importance sampling.

The posterior under a new prior :math:`p_1` for coefficient :math:`\beta_l` differs
from the fitted one (prior :math:`p_0`) by the ratio
:math:`w_s \propto p_1(\beta_{l,s}) / p_0(\beta_{l,s})` at each draw (the likelihood
and every other prior cancel). The raw ratios can have a heavy right tail; PSIS
(Vehtari et al. 2024, *JMLR* 25:72) smooths the largest ones with a fitted
generalised Pareto distribution whose shape :math:`\hat k` says whether the swap can
be trusted: above :math:`\min(1 - 1/\log_{10} S,\ 0.7)` for :math:`S` draws the
reweighted posterior is unreliable and :func:`with_prior` refits instead (or, with
``refit=False``, warns and marks the result unreliable). A *negative* :math:`\hat k` (-1.7,
say) is not an error: the fitted tail is bounded, lighter than an exponential's, so the
weights have an upper limit (the density ratio is bounded over the draws) and no draw dominates;
the weights can still be uneven (a new prior narrower than the posterior gives k < 0 with an
importance ESS of an eighth of the draws, in a methods review's check), so read the importance
ESS beside it
(:func:`copath.model.settings.pareto_k_meaning` says it in a sentence wherever k is shown).

The reweighted result keeps the original number of draws by systematic resampling
with the smoothed weights; its effective sample size is at most the importance ESS
:math:`1/\sum_s w_s^2` reported in ``run.prior_swap``.

Standard alternatives for a link (:func:`alternative_priors`):

- ``sceptical``: centred on no effect, with a 5% chance of an effect beyond the
  registry prior's central value (Spiegelhalter, Freedman and Parmar 1994),
  :math:`N(0, \max(|\mu|/1.645,\ \sigma/2))`;
- ``vague``: :math:`N(0, 3\max(\sigma, \sigma_0))` with :math:`\sigma_0` the
  weakly-informative default of :mod:`copath.evidence.priors` on the fit's data scale
  (:mod:`copath.model.autoscale`);
- ``registry``: the prior the evidence registry gives (the fitted one unless the fit
  was given other priors).

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> draws = rng.normal(0.0, 1.0, 4000)                    # fitted: N(0, 1)
>>> w, k = psis_weights(-0.5 * draws**2 / 0.25 + 0.5 * draws**2)   # target: N(0, 0.5)
>>> round(float(np.sum(w * draws**2)), 2), bool(k < 0.7)
(0.26, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import xarray as xr

from copath.evidence.priors import LinkPrior, prior_for
from copath.evidence.registry import load_evidence
from copath.model.fit import fit_model
from copath.model.record import FitRecord
from copath.model.settings import PriorSwap
from copath.options import AlternativePrior, check, choices

__all__ = ["psis_weights", "khat_threshold", "alternative_priors", "as_prior", "importance_weights",
           "with_prior", "registry_prior", "refit_with_prior", "ALTERNATIVES"]

ALTERNATIVES = choices(AlternativePrior)


def khat_threshold(n_draws: int) -> float:
    """The reliability threshold for Pareto :math:`\\hat k` with ``n_draws`` draws.

    Example
    -------
    >>> round(khat_threshold(800), 3), khat_threshold(4000)
    (0.656, 0.7)
    """
    return float(min(1 - 1 / np.log10(n_draws), 0.7))


def psis_weights(log_ratios: np.ndarray) -> tuple[np.ndarray, float]:
    """Normalised PSIS weights and Pareto :math:`\\hat k` for per-draw log density ratios
    (target over proposal). Uses ArviZ's PSIS, which takes the *negated* log ratios."""
    from arviz_stats.base import array_stats

    lr = np.asarray(log_ratios, dtype=float).ravel()
    if not np.isfinite(lr).all():
        raise ValueError("log importance ratios must be finite")
    if np.ptp(lr) < 1e-12:  # the same prior: equal weights, nothing to smooth
        return np.full(lr.size, 1.0 / lr.size), 0.0
    log_w, khat = array_stats.psislw(-(lr - lr.max()), axis=-1)
    log_w = np.asarray(log_w, dtype=float)
    w = np.exp(log_w - log_w.max())
    return w / w.sum(), float(khat)


def _on_data_scale(result: FitRecord, link: str, prior: LinkPrior) -> LinkPrior:
    """A default prior (``method="default"``) as the fit put it on its data's scale
    (:mod:`copath.model.autoscale`): the fitted prior when it is that one, else scaled anew."""
    if prior.method != "default":
        return prior
    fitted = result.priors.get(link)
    if fitted is not None and fitted.scaled_by:
        return fitted
    from copath.model.autoscale import autoscale_priors
    from copath.model.data import prepare_data

    k = getattr(result.settings, "prior_scale", None)
    return autoscale_priors(result.pathway, prepare_data(result.pathway, result.data), {link: prior}, k)[link]


def _default_sigma(result: FitRecord, link: str) -> float:
    src, dst = link.split(" -> ")
    return _on_data_scale(result, link, prior_for(result.pathway.link(src, dst), None, result.pathway)).sigma


def registry_prior(result: FitRecord, link: str) -> LinkPrior:
    """The prior the evidence registry gives ``link`` (the bundled registry if the result has none);
    for a link without evidence, the default on the fit's data scale."""
    src, dst = link.split(" -> ")
    evidence = result.evidence if result.evidence is not None else load_evidence()
    return _on_data_scale(result, link, prior_for(result.pathway.link(src, dst), evidence, result.pathway))


def alternative_priors(result: FitRecord, link: str) -> dict[str, LinkPrior]:
    """The sceptical, vague and registry priors for ``link`` (see the module text)."""
    reg = registry_prior(result, link)
    sceptical = replace(reg, mu=0.0, sigma=max(abs(reg.mu) / 1.645, reg.sigma / 2), method="sceptical",
                        note="Sceptical: centred on no effect.", components=())
    vague = replace(reg, mu=0.0, sigma=3 * max(reg.sigma, _default_sigma(result, link)), method="vague",
                    note="Vague: centred on no effect, three times wider.", components=())
    return {"sceptical": sceptical, "vague": vague, "registry": reg}


def as_prior(result: FitRecord, link: str, prior: LinkPrior | Mapping[str, Any] | str) -> LinkPrior:
    """Read ``prior`` as a :class:`LinkPrior` for ``link``: a LinkPrior, a mapping with
    ``mu`` and ``sigma``, or one of ``"sceptical"``, ``"vague"``, ``"registry"``."""
    if link not in result.priors:
        raise ValueError(f"unknown link {link!r}; links are: {', '.join(result.priors)}")
    current = result.priors[link]
    if isinstance(prior, LinkPrior):
        if prior.link != link:
            raise ValueError(f"the prior is for {prior.link!r}, not {link!r}")
        return prior
    if isinstance(prior, str):
        return alternative_priors(result, link)[check("prior", prior, AlternativePrior)]
    if isinstance(prior, Mapping):
        unknown = set(prior) - {"mu", "sigma", "note"}
        if unknown or not {"mu", "sigma"} <= set(prior):
            raise ValueError(f"a prior mapping needs 'mu' and 'sigma' (and optionally 'note'), got {sorted(prior)}")
        return replace(current, mu=float(prior["mu"]), sigma=float(prior["sigma"]), method="user",
                       note=str(prior.get("note", "Set by the user.")), components=(), sources=())
    raise TypeError(f"prior must be a LinkPrior, a mapping or a name, got {type(prior).__name__}")


def _stacked_link(result: FitRecord, link: str) -> np.ndarray:
    beta = result.posterior["beta"].sel(link=link)
    return beta.transpose("chain", "draw").values.ravel()


def importance_weights(result: FitRecord, link: str, prior: LinkPrior) -> tuple[np.ndarray, float]:
    """PSIS weights (over draws in chain-major order) for swapping ``link``'s prior to ``prior``."""
    b = _stacked_link(result, link)
    log_ratio = prior.logpdf(b) - result.priors[link].logpdf(b)
    if not np.isfinite(log_ratio).all():  # the new prior excludes draws (another sign): no reweighting can reach it
        return np.full(b.size, 1.0 / b.size), float("inf")
    return psis_weights(log_ratio)


def _systematic(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    idx = np.searchsorted(np.cumsum(weights), positions)
    return np.minimum(idx, n - 1)


def _resample_group(ds: xr.Dataset, idx: np.ndarray) -> xr.Dataset:
    """Draws ``idx`` (chain-major positions) of every variable, in the same (chain, draw) shape."""
    chains, draws = ds.sizes["chain"], ds.sizes["draw"]
    out = ds.copy()
    for name, var in ds.data_vars.items():
        var = var.transpose("chain", "draw", ...)
        values = var.values.reshape(chains * draws, *var.shape[2:])[idx]
        out[name] = (var.dims, values.reshape(var.shape))
    return out


def _reweighted(result: FitRecord, link: str, prior: LinkPrior, weights: np.ndarray, info: PriorSwap,
                seed: int) -> FitRecord:
    idx = np.sort(_systematic(weights, np.random.default_rng(seed)))
    groups: dict[str, xr.Dataset] = {}
    for name in ("posterior", "sample_stats", "log_likelihood", "log_prior"):
        if name in result.idata.children:
            groups[name] = _resample_group(result.idata[name].to_dataset(), idx)
    if "log_prior" in groups and "beta" in groups["log_prior"]:
        lp = groups["log_prior"]
        b = groups["posterior"]["beta"].sel(link=link)
        lp["beta"].loc[{"link": link}] = prior.logpdf(b)
    if "prior" in result.idata.children:
        pr = result.idata["prior"].to_dataset().copy(deep=True)
        if "beta" in pr:
            shape = pr["beta"].sel(link=link).shape
            pr["beta"].loc[{"link": link}] = prior.sample(int(np.prod(shape)), seed).reshape(shape)
        groups["prior"] = pr
    if "observed_data" in result.idata.children:
        groups["observed_data"] = result.idata["observed_data"].to_dataset()
    # posterior_predictive and prior_predictive were drawn under the old prior: dropped
    priors = dict(result.priors)
    priors[link] = prior
    return FitRecord(idata=xr.DataTree.from_dict(groups), pathway=result.pathway, evidence=result.evidence,
                     priors=priors, data=result.data, settings=result.settings.with_prior(prior),
                     run=replace(result.run, prior_swap=info))


def with_prior(
    result: FitRecord,
    link: str,
    prior: LinkPrior | Mapping[str, Any] | str,
    refit: bool = True,
    random_seed: int = 0,
    progressbar: bool = False,
) -> FitRecord:
    """``result`` under a new prior for one link: PSIS-reweighted, or refitted when
    Pareto :math:`\\hat k` says reweighting is unreliable (see the module docstring).

    ``run.prior_swap`` of the returned result (a :class:`~copath.model.settings.PriorSwap`)
    records ``link``, the new prior, ``method`` (``"psis"`` or ``"refit"``), ``pareto_k``,
    its ``threshold``, the importance ``ess`` and ``reliable``. With ``refit=False`` an
    unreliable swap is returned with a warning and ``reliable=False``. Its settings are the
    fit's with the new prior, so a later refit keeps it.

    Parameters
    ----------
    result
        The fitted result.
    link
        The link's name, e.g. ``"x -> c"``.
    prior
        A :class:`~copath.LinkPrior`, a mapping with ``mu`` and ``sigma``, or one of
        ``"sceptical"``, ``"vague"``, ``"registry"``.
    refit
        Refit when Pareto k says reweighting is unreliable.
    random_seed
        Seed of the resampling.
    progressbar
        Show the refit's progress bar.

    Returns
    -------
    FitRecord

    Example
    -------
    ``rec`` is a fitted record of the toy pathway x -> c -> p -> y (``cp.fit`` returns one):

    >>> swapped = with_prior(rec, "x -> c", "sceptical", refit=False)
    >>> swapped.run.prior_swap.method, swapped.priors["x -> c"].method
    ('psis', 'sceptical')
    """
    new = as_prior(result, link, prior)
    weights, khat = importance_weights(result, link, new)
    threshold = khat_threshold(weights.size)
    info = PriorSwap(link=link, prior=new.to_dict(), method="psis", pareto_k=round(khat, 4),
                     threshold=round(threshold, 4), ess=round(float(1 / np.sum(weights**2)), 1),
                     reliable=bool(khat <= threshold))
    if khat <= threshold:
        return _reweighted(result, link, new, weights, info, random_seed)
    if not refit:
        warnings.warn(f"prior swap on {link}: Pareto k = {khat:.2f} > {threshold:.2f}, so the reweighted "
                      "posterior is unreliable; refit (refit=True) to trust it", stacklevel=2)
        return _reweighted(result, link, new, weights, info, random_seed)
    refitted = refit_with_prior(result, link, new, progressbar=progressbar)
    refitted.run = replace(refitted.run, prior_swap=replace(info, method="refit", reliable=True))
    return refitted


def refit_with_prior(result: FitRecord, link: str, prior: LinkPrior, progressbar: bool = False) -> FitRecord:
    """Fit ``result``'s pathway and data again with ``prior`` on ``link``: its settings
    unchanged but for that prior (and the progress bar).

    Parameters
    ----------
    result
        The fitted result.
    link
        The link whose prior changes.
    prior
        Its new prior.
    progressbar
        Show the sampler's progress bar.

    Returns
    -------
    FitRecord
    """
    if prior.link != link:
        raise ValueError(f"the prior is for {prior.link!r}, not {link!r}")
    settings = replace(result.settings.with_prior(prior), progressbar=progressbar)
    return fit_model(result.pathway, result.data, result.evidence, settings)
