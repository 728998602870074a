r"""Chains in mirror-image modes: a path's product agrees, its links' signs do not.

A parent enters its child through its expected value (:mod:`copath.model.equations`). When
a node :math:`m` between :math:`x \to m \to y` has weak data of its own, the child's data
inform mostly the *product* :math:`\beta_{x \to m}\,\beta_{m \to y}`: flipping both signs
(and moving the child's intercept to make up for :math:`\beta_{m \to y}` times :math:`m`'s
level, and :math:`m`'s area effects with them) leaves the fit to :math:`y` nearly as good, and
:math:`m`'s own data and the priors tell the two apart only weakly. The posterior then has two
modes of the two signs, of unequal mass, and NUTS chains started apart settle in different
ones: R-hat fails on both links although every quantity that runs through the path agrees
across chains (multimodal posteriors and why chains stick in one mode: Gelman et al. 2013,
*Bayesian Data Analysis*, 3rd ed., sect. 12.3; the two-link reproduction is
``benchmarks/bench_mediator.py``).

:func:`mirror_modes` finds such pairs from the draws: the per-chain means of both links take
both signs, each by at least :data:`MIRROR_SEPARATION` within-chain sds, while the product's
rank-normalised split R-hat is at most :data:`PRODUCT_RHAT`. It names the pair and says what
it means, so the diagnostics do not read a sign the data cannot tell as a ridge to "run
longer" on. What it cannot see: chains that all settle in the same mode, the wrong one
included (then nothing disagrees; ``bench_mediator`` seed 8 is such a fit). Pooled over
chains, the draws weight the two modes by how many chains found each, not by their mass.
In ``bench_mediator``'s arm where the mediator's data tell the sign (rates per 1,000, not
per 100,000), the label is its false positive (results in ``benchmarks/results.md``).

A fit samples the nodes :func:`copath.model.symmetrise.weak_mediators` finds (weak data about
the signs of their links in) from the mirror-symmetrised density and flips each draw back with
its exact probability, so their chains hold both modes in proportion to their mass and this
label should not fire on them; it remains for mediators that rule does not select.

Example
-------
>>> import numpy as np, xarray as xr
>>> rng = np.random.default_rng(0)
>>> a = np.concatenate([rng.normal(-0.5, 0.05, (2, 500)), rng.normal(0.5, 0.05, (2, 500))])
>>> b = -0.1 / a * np.exp(rng.normal(0, 0.02, (4, 500)))   # the product is about -0.1 in every chain
>>> beta = xr.DataArray(np.stack([a, b], -1), dims=("chain", "draw", "link"),
...                     coords={"link": ["x -> m", "m -> y"]})
>>> found = mirror_modes(beta)
>>> list(found), found["beta[x -> m]"][:44]
(['beta[x -> m]', 'beta[m -> y]'], 'chains sit in mirror-image modes of x -> m a')
"""

from __future__ import annotations

import arviz as az
import numpy as np
import xarray as xr

__all__ = ["mirror_modes", "MIRROR_SEPARATION", "PRODUCT_RHAT"]

#: How far from zero (in within-chain sds of the link) chain means of opposite signs must sit
#: to count as separate modes rather than one wide posterior that straddles zero. At 1, two
#: chains split 2/2 already give R-hat about 1.4, so a label never stands beside agreeing
#: chains: it only explains an R-hat failure.
MIRROR_SEPARATION = 1.0
#: The product's R-hat below which the chains agree on the path (a looser bar than the
#: diagnostics' 1.01: it tells mirror modes from chains lost elsewhere, it passes nothing).
PRODUCT_RHAT = 1.05


def mirror_modes(beta: xr.DataArray) -> dict[str, str]:
    """Link pairs ``x -> m``, ``m -> y`` whose chains sit in mirror-image modes.

    Parameters
    ----------
    beta
        The link coefficients with dims ``chain``, ``draw`` and ``link`` (coords ``"a -> b"``).

    Returns
    -------
    dict[str, str]
        ``"beta[<link>]"`` -> one sentence, for both links of every such pair (a link in
        several pairs keeps the first). Empty with one chain.
    """
    beta = beta.transpose("chain", "draw", "link")
    if beta.sizes["chain"] < 2:
        return {}
    names = [str(n) for n in beta.coords["link"].values]
    values = np.asarray(beta.values, dtype=float)
    split = {n: tuple(n.split(" -> ", 1)) for n in names}
    out: dict[str, str] = {}
    for i, into in enumerate(names):
        for j, onward in enumerate(names):
            if split[into][1] != split[onward][0]:
                continue
            a, b = values[..., i], values[..., j]
            if not (_opposite_modes(a) and _opposite_modes(b)):
                continue
            product_rhat = float(az.rhat(np.asarray(a * b)))
            if not product_rhat <= PRODUCT_RHAT:
                continue
            node = split[into][1]
            means = ", ".join(f"{m:+.2g}" for m in a.mean(axis=1))
            text = (f"chains sit in mirror-image modes of {into} and {onward} (chain means of {into}: {means}): "
                    f"the data below {node} fix their product (its R-hat {product_rhat:.3f}) but {node}'s own data "
                    f"cannot tell the two links' signs. Effects that run through {node} agree across chains; "
                    f"each link's own sign and size are not estimated. Evidence on either link's sign (a registry "
                    f"entry), or data on {node} that vary more, would separate the modes.")
            for link in (into, onward):
                out.setdefault(f"beta[{link}]", text)
    return out


def _opposite_modes(x: np.ndarray) -> bool:
    """Whether some chains' means sit above zero and others below, each clear of zero."""
    means, sds = x.mean(axis=1), x.std(axis=1)
    clear = np.abs(means) >= MIRROR_SEPARATION * np.maximum(sds, 1e-12)
    return bool((clear & (means > 0)).any() and (clear & (means < 0)).any())
