"""Every string option of copath's public API, as a ``typing.Literal``, checked in one place.

A user who passes ``sampler="nutpi"`` gets the same one-line message, naming the
option and its allowed values, wherever the Python API takes it (``cp.fit``,
``res.report``, ``res.sensitivity``, ``cp.pool_effects``, ...); the CLI offers the same
choices (argparse's ``choices``, read from here), and type checkers see them in the signatures.

Example
-------
>>> check("sampler", "numpyro", Sampler)
'numpyro'
>>> check("sampler", "nutpi", Sampler)
Traceback (most recent call last):
...
ValueError: sampler must be one of 'nutpie', 'pymc', 'numpyro'; got 'nutpi'
>>> choices(Method)
('nuts', 'advi', 'fullrank_advi')
"""

from __future__ import annotations

from typing import Any, Literal, get_args

__all__ = [
    "Sampler", "Method", "Init", "Adaptation", "LogLikelihood", "ReportFormat", "TornadoMethod",
    "AlternativePrior", "Better", "CountFamily", "TauPrior", "LinkFunction", "OutcomeFrequency",
    "DiscountTiming", "ContinuousLink", "LooBy", "PERIOD_EFFECTS", "check", "choices",
]

#: ``nutpie`` (default, numba), ``pymc`` (PyMC's own NUTS), ``numpyro`` (JAX; ``copath[jax]``).
Sampler = Literal["nutpie", "pymc", "numpyro"]
#: ``nuts`` is exact MCMC; the others are variational approximations for a first look.
Method = Literal["nuts", "advi", "fullrank_advi"]
#: ``pathfinder``: each chain starts at its own multi-path Pathfinder draw, in the posterior's
#: mass; ``map``: at its own MAP optimisation from its own dispersed point;
#: ``default``: the sampler's own jittered start.
Init = Literal["pathfinder", "map", "default"]
#: Mass-matrix adaptation: nutpie's ``low_rank`` (NumPyro's dense) or ``diag``.
Adaptation = Literal["low_rank", "diag"]
#: How the log likelihood is stored: per row, per node total, not at all, or chosen by size.
LogLikelihood = Literal["auto", "pointwise", "total", "none"]
#: The report's format.
ReportFormat = Literal["html", "md"]
#: The tornado's reading of "a coefficient fixed at a quantile" (see copath.sensitivity.importance).
TornadoMethod = Literal["conditional", "fixed"]
#: The standard alternative priors of a link (see copath.sensitivity.prior_swap).
AlternativePrior = Literal["sceptical", "vague", "registry"]
#: A child node's link function (log: counts, logit: proportions, identity: continuous), as the
#: E-values of copath.sensitivity.confounding read its link coefficients.
LinkFunction = Literal["log", "logit", "identity"]
#: How common a proportion's outcome is, for turning an odds ratio into a risk ratio
#: (copath.sensitivity.confounding): ``common`` (15% or more) or ``rare``.
OutcomeFrequency = Literal["common", "rare"]
#: Which direction of a node is an improvement.
Better = Literal["lower", "higher"]
#: A count node's likelihood.
CountFamily = Literal["poisson", "negative_binomial"]
#: A proportion node's likelihood (beta-binomial: overdispersed).
ProportionFamily = Literal["binomial", "beta_binomial"]
#: A continuous node's link: ``identity`` (E[y] = eta) or ``logit``, the scaled logit that keeps
#: E[y] inside the node's ``range`` (copath.kinds.continuous.ScaledLogit).
ContinuousLink = Literal["identity", "logit"]
#: What a proportion node's column holds: successes (a count), a share (0-1) or a percentage (0-100).
GivenAs = Literal["count", "share", "percent"]
#: A node's effects of time (copath.model.time): month of year, a linear trend, one partially
#: pooled effect per period (month, quarter or year, as the rows are), a random walk over periods.
TimeEffect = Literal["season", "trend", "period", "period_rw"]
#: The time effects that give one effect per period (a node has at most one of them).
PERIOD_EFFECTS = ("period", "period_rw")
#: When each year's value of information is discounted (copath.scale_value):
#: at the end of year t, by (1 + r)^t for t = 1..T, or at its start, t = 0..T-1.
DiscountTiming = Literal["end", "start"]
#: The prior on the between-study sd when pooling evidence (copath.evidence.pooling).
TauPrior = Literal["half_normal", "half_cauchy", "uniform"]
#: What PSIS-LOO leaves out (copath.model.loo): one row, one area's rows, or area when any node has area effects.
LooBy = Literal["auto", "row", "area"]


def choices(option: Any) -> tuple[str, ...]:
    """The allowed values of a ``Literal`` option, in declaration order.

    Example
    -------
    >>> choices(Init)
    ('pathfinder', 'map', 'default')
    """
    return tuple(get_args(option))


def check(name: str, value: Any, option: Any) -> str:
    """``value`` if it is one of ``option``'s choices, else one ``ValueError`` naming both.

    Example
    -------
    >>> check("init", "map", Init)
    'map'
    """
    allowed = choices(option)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
