"""What a fit was asked to do (:class:`FitSettings`) and what it did (:class:`FitRun`).

:class:`FitSettings` records every argument of :func:`copath.fit` besides the pathway,
the data and the registry, validated once, frozen, and round-tripping through a plain
mapping (the result folder's ``manifest.json``). A refit (a prior swap, a Dask refit,
simulation-based calibration) takes a fit's settings and changes only what it means to
change, with :func:`dataclasses.replace` or :meth:`FitSettings.with_prior`, so nothing
else is lost. :class:`FitRun` records what the fit chose and measured: the sampler
actually used, the log-likelihood mode, the capped predictive draws, timings, what was
collapsed, and, for a result with a swapped prior, the swap.

Example
-------
>>> s = FitSettings(draws=200, chains=2, random_seed=1)
>>> FitSettings.from_dict(s.to_dict()) == s
True
>>> FitSettings(draws=0)
Traceback (most recent call last):
...
ValueError: draws must be a positive whole number, got 0
>>> FitSettings(sampler="stan")
Traceback (most recent call last):
...
ValueError: sampler must be one of 'nutpie', 'pymc', 'numpyro'; got 'stan'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from numbers import Integral
from typing import Any

from copath.evidence.priors import LinkPrior
from copath.options import Adaptation, Init, LogLikelihood, Method, Sampler, check

__all__ = ["FitSettings", "FitRun", "PriorSwap", "pareto_k_meaning", "default_target_accept"]


def pareto_k_meaning(k: float, threshold: float = 0.7) -> str:
    """What a PSIS Pareto :math:`\\hat k` says about importance weights, in a sentence.

    :math:`\\hat k` is the shape of the generalised Pareto distribution fitted to the largest
    importance weights (Vehtari et al. 2024, "Pareto smoothed importance sampling", *JMLR*
    25:72). Below 0 the fitted tail is bounded, lighter than an exponential's: the weights
    have an upper limit, every moment is finite, and the reweighted estimates are well
    behaved (a k far below 0, as -1.7, typically means the new prior differs from the old
    only where the posterior has little mass, so the weights barely vary). From 0 to the
    threshold the tail is heavier but PSIS is reliable; above it the estimates are not.

    Parameters
    ----------
    k
        The Pareto k.
    threshold
        The reliability threshold (``min(1 - 1/log10(S), 0.7)`` for S draws).

    Returns
    -------
    str

    Example
    -------
    >>> pareto_k_meaning(-1.73)[:60]
    'Pareto k -1.73 < 0: the largest importance weights have a bo'
    """
    if k != k:  # NaN
        return "Pareto k not available."
    if k < 0:
        return (f"Pareto k {k:.2f} < 0: the largest importance weights have a bounded tail, lighter than an "
                "exponential's: the density ratio is bounded over the draws, so no single draw can dominate "
                "(not an error; Vehtari et al. 2024, JMLR 25:72). Bounded weights can still be uneven (a "
                "new prior narrower than the posterior gives k < 0 with few effective draws): read the "
                "importance ESS beside it.")
    if k <= threshold:
        return (f"Pareto k {k:.2f} <= {threshold:.2f}: the weights' tail is light enough for PSIS to be "
                "reliable (Vehtari et al. 2024).")
    return (f"Pareto k {k:.2f} > {threshold:.2f}: the weights' tail is too heavy, the reweighted estimates are "
            "unreliable; refit to trust them (Vehtari et al. 2024).")


#: NUTS's target acceptance rate for a model with area (random) effects, and without: the
#: defaults of rstanarm ("The default value of adapt_delta is 0.95",
#: https://mc-stan.org/rstanarm/reference/adapt_delta.html) and of multinma ("0.8 for fixed
#: effect models, and 0.95 for random effects models",
#: https://search.r-project.org/CRAN/refmans/multinma/html/adapt_delta.html). Measured here on
#: fresh simulations of a City-like pathway with 6-24 areas (benchmarks/bench_few_areas.py):
#: 10 of 15 fits passed at 0.95 against 8 of 15 at 0.8 (two paired fits changed, both at 6
#: areas: weak evidence), and the large divergence counts fell (831 to 3, 534 to 0, 59 to 4,
#: 36 to 8; one fit kept its 1). Run times there do not compare the settings (the 0.8 fit ran
#: first and paid the compilation).
TARGET_ACCEPT_HIERARCHICAL = 0.95
TARGET_ACCEPT_FLAT = 0.8


def default_target_accept(pathway: Any, mirrored: bool = False) -> float:
    """NUTS's target acceptance rate when the user gives none: 0.95 when any node of
    ``pathway`` has area effects (their spread and the areas' values form a funnel whose
    neck needs small steps) or the fit samples a weak mediator symmetrised, 0.8 otherwise
    (:data:`TARGET_ACCEPT_HIERARCHICAL`).

    The symmetrised density (:mod:`copath.model.symmetrise`) keeps the hyperbola of a product the
    data fix: on ``benchmarks/bench_mirror.py``'s weak mediator it passed 0 of 6 fits at 0.8
    (7-149 divergences) and 4 of 6 at 0.95 (2026-12-08 01:16).

    Parameters
    ----------
    pathway
        A :class:`~copath.Pathway`.
    mirrored
        Whether the fit samples a weak mediator symmetrised.

    Returns
    -------
    float

    Example
    -------
    >>> import copath as cp
    >>> default_target_accept(cp.load_pathway("policing_coproduction"))
    0.95
    """
    hierarchical = any(getattr(node, "area_effects", False) for node in pathway.nodes.values())
    return TARGET_ACCEPT_HIERARCHICAL if hierarchical or mirrored else TARGET_ACCEPT_FLAT


def _whole(name: str, value: Any, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
        kind = "a positive whole number" if least > 0 else "a whole number >= 0"
        raise ValueError(f"{name} must be {kind}, got {value!r}")


@dataclass(frozen=True)
class FitSettings:
    """Every option of a fit (the arguments of :func:`copath.fit` besides pathway, data and
    evidence), checked on creation.

    Parameters
    ----------
    draws, tune, chains
        Posterior draws per chain, tuning steps per chain, and chains.
    random_seed
        Seed of every random step (chains' starts, sampler, predictive draws); None for fresh entropy.
    sampler
        ``"nutpie"`` (default), ``"pymc"`` or ``"numpyro"``.
    progressbar
        Show the sampler's progress bar.
    prior_draws, ppc_draws
        Draws for the prior (and prior predictive; 0 leaves both groups out) and cap on the
        posterior draws used for the posterior predictive.
    init
        ``"map"`` (default: each chain starts at its own MAP optimisation, from its own
        dispersed point, so chains can find different modes), ``"pathfinder"`` (each chain
        starts at its own draw from multi-path Pathfinder, Zhang et al. 2022, in the
        posterior's mass rather than at its mode: :mod:`copath.model.pathfinder`; not the
        default: on the flagship at the demo's settings, on a redraw of its force, its paths
        fell into the neck of the burglary area funnel, area_sd 0.01 where the truth was 0.35) or
        ``"default"`` (the sampler's own jittered start).
    source
        How the data are named in error messages (a file name).
    priors
        Link priors that replace the registry's, one :class:`~copath.LinkPrior` per link.
    adaptation
        Mass-matrix adaptation: ``"low_rank"`` or ``"diag"``.
    log_likelihood
        ``"auto"``, ``"pointwise"``, ``"total"`` or ``"none"``.
    method
        ``"nuts"`` or a variational approximation (``"advi"``, ``"fullrank_advi"``).
    advi_iterations
        Optimisation steps of a variational fit.
    collapse
        Sample the model with rows that share their inputs collapsed (same posterior).
    target_accept
        The acceptance rate NUTS adapts its step size to (0.8 here; ``cp.fit`` passes None when
        the user gives none: the fit then takes :func:`default_target_accept` of the pathway and
        of whether it samples a weak mediator symmetrised, and records it); higher values
        take smaller steps, which can remove divergences at the cost of time.
    max_treedepth
        The deepest NUTS tree (at most 2 ** max_treedepth leapfrog steps per draw).
    prior_scale
        Widen every default prior (a link without evidence) by this factor; None (default)
        takes the spec's ``prior_scale:`` (1 when it has none). See :mod:`copath.model.autoscale`.

    Example
    -------
    >>> FitSettings().with_prior(LinkPrior("x -> y", 0.0, 0.5, "slope")).prior_overrides()["x -> y"].sigma
    0.5
    """

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    random_seed: int | None = None
    sampler: Sampler = "nutpie"
    progressbar: bool = True
    prior_draws: int = 500
    ppc_draws: int = 500
    init: Init = "map"
    source: str = "<data>"
    priors: tuple[LinkPrior, ...] = ()
    adaptation: Adaptation = "low_rank"
    log_likelihood: LogLikelihood = "auto"
    method: Method = "nuts"
    advi_iterations: int = 30_000
    collapse: bool = True
    target_accept: float | None = 0.8
    max_treedepth: int = 10
    prior_scale: float | None = None

    def __post_init__(self) -> None:
        for name, least in (("draws", 1), ("tune", 0), ("chains", 1), ("prior_draws", 0), ("ppc_draws", 1),
                            ("advi_iterations", 1), ("max_treedepth", 1)):
            _whole(name, getattr(self, name), least)
            object.__setattr__(self, name, int(getattr(self, name)))
        if self.target_accept is not None and (
                isinstance(self.target_accept, bool) or not isinstance(self.target_accept, (int, float))
                or not 0 < self.target_accept < 1):
            raise ValueError(f"target_accept must be a number between 0 and 1, got {self.target_accept!r}")
        if self.random_seed is not None:
            if isinstance(self.random_seed, bool) or not isinstance(self.random_seed, Integral) or self.random_seed < 0:
                raise ValueError(f"random_seed must be a whole number >= 0 or None, got {self.random_seed!r}")
            object.__setattr__(self, "random_seed", int(self.random_seed))
        if self.prior_scale is not None:
            if isinstance(self.prior_scale, bool) or not isinstance(self.prior_scale, (int, float)) or not (
                    0 < self.prior_scale < float("inf")):
                raise ValueError(f"prior_scale must be a positive number or None, got {self.prior_scale!r}")
            object.__setattr__(self, "prior_scale", float(self.prior_scale))
        check("sampler", self.sampler, Sampler)
        check("init", self.init, Init)
        check("adaptation", self.adaptation, Adaptation)
        check("log_likelihood", self.log_likelihood, LogLikelihood)
        check("method", self.method, Method)
        priors = tuple(self.priors)
        for prior in priors:
            if not isinstance(prior, LinkPrior):
                raise TypeError(f"priors must be LinkPrior objects, got {type(prior).__name__}")
        if len({p.link for p in priors}) != len(priors):
            raise ValueError("priors: two priors for one link")
        object.__setattr__(self, "priors", priors)

    def prior_overrides(self) -> dict[str, LinkPrior]:
        """The replaced link priors, by link name.

        Returns
        -------
        dict[str, LinkPrior]
            The priors of ``priors`` keyed by their link name (``"a -> b"``); empty when
            no prior is replaced.
        """
        return {p.link: p for p in self.priors}

    def with_prior(self, prior: LinkPrior) -> FitSettings:
        """These settings with ``prior`` replacing its link's prior (and nothing else changed).

        Parameters
        ----------
        prior
            The new prior; its ``link`` names the link. A prior already set for that link
            is dropped.

        Returns
        -------
        FitSettings
            A new settings object (this one is unchanged) whose ``priors`` end with ``prior``.
        """
        if any(p.link == prior.link for p in self.priors):
            return replace(self, priors=tuple(prior if p.link == prior.link else p for p in self.priors))
        return replace(self, priors=(*self.priors, prior))

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (JSON/YAML-ready); :meth:`from_dict` reads it back.

        Returns
        -------
        dict[str, Any]
            One key per field; ``priors`` is a list of :meth:`LinkPrior.to_dict` mappings.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["priors"] = [p.to_dict() for p in self.priors]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FitSettings:
        """Settings from :meth:`to_dict`'s mapping (unknown keys are refused).

        Parameters
        ----------
        data
            A mapping of field names to values, as :meth:`to_dict` writes it. Missing
            fields take their defaults; ``priors`` is a list of :meth:`LinkPrior.to_dict`
            mappings (or absent/None for none).

        Returns
        -------
        FitSettings
            The settings, validated as on creation.

        Raises
        ------
        ValueError
            If ``data`` has a key that is not a field, or a value fails validation.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fit setting(s) {', '.join(unknown)}: written by a newer copath; upgrade copath")
        kwargs = dict(data)
        kwargs["priors"] = tuple(LinkPrior.from_dict(p) for p in kwargs.get("priors") or ())
        return cls(**kwargs)


@dataclass(frozen=True)
class PriorSwap:
    """How a result's prior on one link was swapped (:meth:`copath.FitResult.with_prior`):
    by PSIS reweighting or a refit, with Pareto k, its threshold and the importance ESS.
    A negative Pareto k is good news (a bounded tail of the weights): :meth:`describe`
    says what ``pareto_k`` means (:func:`pareto_k_meaning`).

    Example
    -------
    >>> PriorSwap("x -> y", {}, "psis", -1.73, 0.7, 3900.0, True).describe()[:22]
    'x -> y: psis reweighti'
    """

    link: str
    prior: dict[str, Any]
    method: str
    pareto_k: float
    threshold: float
    ess: float
    reliable: bool

    def describe(self) -> str:
        """The swap in a sentence, with what its Pareto k means.

        Returns
        -------
        str
            ``"x -> y: psis reweighting, importance ESS 3900. Pareto k -1.73 < 0: ..."``.
        """
        how = "psis reweighting" if self.method == "psis" else "refit (reweighting was unreliable)"
        return f"{self.link}: {how}, importance ESS {self.ess:.0f}. {pareto_k_meaning(self.pareto_k, self.threshold)}"


@dataclass(frozen=True)
class FitRun:
    """What a fit chose and measured.

    ``sampler`` is the sampler used (nutpie falls back to PyMC's for discrete parameters;
    a variational fit records its method); ``adaptation`` the mass matrix (NumPyro's
    ``"dense"`` for ``"low_rank"``); ``log_likelihood`` the storage mode ``"auto"`` chose;
    ``prior_draws``/``ppc_draws`` after capping to memory; ``posterior_seconds`` from the
    call to the posterior draws (``sampling_seconds``: MAP start, compilation and
    sampling); ``collapsed`` what the sampled model collapsed; ``approximation`` a
    variational fit's convergence; ``prior_swap`` how a prior was swapped;
    ``identification`` what the data can inform, per link (status and reason;
    :mod:`copath.model.identification`; results saved before issue 27 may also name a node a
    link's sign was tied through, a rule since removed); ``centres`` the constant each node's input was
    centred at (:func:`copath.model.equations.make_plan`), so the scenarios of a saved
    result use exactly the fit's equations; ``maturing`` the months each node with a
    ``maturity_lag`` had left out of its likelihood; ``starts`` how the chains started
    (``"method"``: ``"pathfinder"``, ``"map"`` or ``"default"``; with Pathfinder its paths,
    the iterate and ELBO each kept, the Pareto k of each chain's importance weights, and a
    fallback's reason: :class:`copath.model.init.PathfinderStarts`; ``"pilot"``: the
    Pathfinder pilot's ``area_sd`` per node, which chose the parametrisation); ``centred``
    the areas whose effects were sampled centred, per node (the model of a reloaded result
    is built with them, so its variables match the stored posterior; empty for results
    saved before it was recorded, which the moment rule rebuilds); ``mirrored`` the weak
    mediators sampled symmetrised (``"nodes"``: each with its expected squared z) and the share
    of draws each element of their mirror group took when flipped back
    (:mod:`copath.model.symmetrise`).
    """

    sampler: str
    adaptation: str | None = None
    log_likelihood: str = "none"
    prior_draws: int = 0
    ppc_draws: int = 0
    sampling_seconds: float = 0.0
    posterior_seconds: float = 0.0
    collapsed: tuple[str, ...] = ()
    approximation: dict[str, Any] | None = None
    prior_swap: PriorSwap | None = field(default=None)
    identification: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    centres: dict[str, float] = field(default_factory=dict, compare=False)
    maturing: dict[str, list[str]] = field(default_factory=dict, compare=False)
    starts: dict[str, Any] = field(default_factory=dict, compare=False)
    centred: dict[str, list[str]] = field(default_factory=dict, compare=False)
    mirrored: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping; :meth:`from_dict` reads it back.

        Returns
        -------
        dict[str, Any]
        """
        out = asdict(self)
        out["collapsed"] = list(self.collapsed)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FitRun:
        """A run from :meth:`to_dict`'s mapping (keys it does not know are ignored).

        Parameters
        ----------
        data
            The mapping.

        Returns
        -------
        FitRun
        """
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["collapsed"] = tuple(kwargs.get("collapsed") or ())
        if kwargs.get("prior_swap"):
            swap_fields = {f.name for f in fields(PriorSwap)}
            kwargs["prior_swap"] = PriorSwap(**{k: v for k, v in kwargs["prior_swap"].items() if k in swap_fields})
        return cls(**kwargs)
