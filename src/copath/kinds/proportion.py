r"""The ``proportion`` kind: binomial (or beta-binomial) successes out of trials, logit link.

Structural equation: :math:`y_i \sim \text{Binomial}(n_i, \operatorname{logit}^{-1}\eta_i)`
with the successes in the node's column and the trials in its ``trials`` column. With
``family: beta_binomial`` the share varies around its expectation from row to row:
:math:`y_i \sim \text{BetaBinomial}(n_i, \mu_i\kappa, (1-\mu_i)\kappa)`,
:math:`\mu_i = \operatorname{logit}^{-1}\eta_i`, so
:math:`\operatorname{Var}(y_i/n_i) = \mu_i(1-\mu_i)/n_i \cdot (1 + (n_i - 1)/(\kappa + 1))`; the
model samples :math:`\kappa^{-1/2} \sim HN(0.25)` (``inv_sqrt_kappa``, dim ``bb_node``), so
the binomial (:math:`\kappa \to \infty`) is at the prior's mode and an extra between-row sd
of the share of up to about :math:`0.5\sqrt{\mu(1-\mu)}` is within two prior sds. A
beta-binomial proportion observed only as group figures (``observed_at``) has instead the
concentration :math:`\kappa_g` of its group figures, with its own prior
:math:`\kappa_g^{-1/2} \sim HN(0.25)` (:data:`GROUP_BB_SCALE`) and its own label,
``"<node>@<group columns>"`` (:meth:`NodeKind.noise_label`; :mod:`copath.model.aggregate`).
With ``given_as: share`` (or ``percent``) the column holds the share (or percentage) and
``trials`` the effective sample size (a survey's respondents divided by its design
effect; :func:`effective_sample_size` from a standard error), which need not be whole:
the likelihood is then the binomial's at the successes-equivalent share x size. A
coefficient on a link into it is a log odds ratio per unit of the parent; its children
see the logit of its expected share. Rows with zero trials carry no information and
are left out of the likelihood.

For sampling it enters by its kernel :math:`\sum_i y_i\eta_i - n_i\log(1 + e^{\eta_i})`
(no :math:`\log\binom{n}{y}`), and rows sharing their inputs collapse into summed
successes and trials.

Example
-------
>>> import numpy as np, pytensor.tensor as pt
>>> round(float(binomial_kernel(np.array([1]), pt.as_tensor_variable(np.array([0.0]))).eval()), 4)
-0.6931
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.special import expit, logit

from copath.kinds.base import NodeKind, NodeSpec, NoiseParameter
from copath.kinds.count import log_rising_ratio, whole_numbers
from copath.options import ProportionFamily, check

__all__ = ["Proportion", "PROPORTION", "binomial_kernel", "beta_binomial_kernel", "effective_sample_size",
           "BB_SCALE", "GROUP_BB_SCALE"]

#: How close to 0 or 1 a beta-binomial's expected share may come in its beta parameters (a
#: saturated logit gives exactly 0 or 1 in floating point, and a beta parameter of 0 is refused).
SHARE_FLOOR: float = 1e-12
#: The half-normal scale of a beta-binomial node's ``inv_sqrt_kappa``.
BB_SCALE = 0.25
#: The half-normal scale of the group-level ``inv_sqrt_kappa`` of a beta-binomial proportion
#: observed only as group figures: :math:`\kappa_g^{-1/2}` is about the extra sd of a group's
#: share around its expected (weighted mean) share, over :math:`\sqrt{\mu(1-\mu)}`, for a large
#: sample. A survey's group figure is not a sum of row surveys (its respondents are drawn from
#: the whole group), so no row concentration could be carried up to it. The scale is the row's
#: again. One shared value assumes the groups' extra variation is alike whatever their size; as
#: the node has no area or time effects of its own it also takes up differences between groups
#: that its links do not explain.
GROUP_BB_SCALE = 0.25


def effective_sample_size(share: Any, standard_error: Any) -> Any:
    r"""The sample size a share's standard error implies: :math:`p(1-p)/\text{se}^2`.

    Parameters
    ----------
    share
        The share(s), between 0 and 1.
    standard_error
        Their standard error(s), on the same 0-1 scale.

    Returns
    -------
    The effective sample size(s), as a float or array.

    Example
    -------
    >>> round(effective_sample_size(0.7, 0.03), 1)
    233.3
    """
    share = np.asarray(share, dtype=float)
    out = share * (1.0 - share) / np.asarray(standard_error, dtype=float) ** 2
    return float(out) if out.ndim == 0 else out


def beta_binomial_kernel(y: np.ndarray, eta: Any, trials: np.ndarray | float, inv_sqrt_kappa: Any) -> Any:
    r"""A beta-binomial log likelihood with mean share :math:`\mu = \operatorname{logit}^{-1}\eta`
    and concentration :math:`\kappa = \kappa^{-1/2}\,{}^{-2}`, less :math:`\log\binom{n}{y}`:

    .. math:: y\eta - n\log(1 + e^\eta) + R(y, \mu\kappa) + R(n - y, (1 - \mu)\kappa) - R(n, \kappa)

    with :math:`R(k, a) = \log\Gamma(k + a) - \log\Gamma(a) - k\log a`
    (:func:`copath.kinds.count.log_rising_ratio`, which keeps it exact as
    :math:`\kappa \to \infty`, where the kernel tends to the binomial's). ``y`` may be a
    successes-equivalent (share x effective size), not whole.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> from scipy.stats import betabinom
    >>> from scipy.special import comb, expit
    >>> y, n, eta, r = np.array([3.0, 7.0]), np.array([10.0, 12.0]), np.array([-0.4, 0.9]), 0.5
    >>> k = 1 / r**2
    >>> got = float(beta_binomial_kernel(y, pt.as_tensor_variable(eta), n, pt.as_tensor_variable(r)).eval())
    >>> full = betabinom.logpmf(y, n, expit(eta) * k, (1 - expit(eta)) * k).sum()
    >>> bool(np.isclose(got + np.log(comb(n, y)).sum(), full))
    True
    """
    y = np.asarray(y, dtype=float)
    n = np.broadcast_to(np.asarray(trials, dtype=float), y.shape)
    return pt.sum(_beta_binomial_terms(y, pt.broadcast_to(eta, y.shape), n, inv_sqrt_kappa))


def _beta_binomial_terms(y: Any, eta: Any, n: Any, inv_sqrt_kappa: Any) -> Any:
    """The beta-binomial kernel of each row (tensors or arrays), as in :func:`beta_binomial_kernel`."""
    kappa = 1.0 / inv_sqrt_kappa**2
    mu = pt.sigmoid(eta)
    return (y * eta - n * pt.softplus(eta) + log_rising_ratio(y, mu * kappa)
            + log_rising_ratio(n - y, (1.0 - mu) * kappa) - log_rising_ratio(n, kappa))


def _log_choose(n: Any, y: Any) -> Any:
    return pt.gammaln(n + 1.0) - pt.gammaln(y + 1.0) - pt.gammaln(n - y + 1.0)


def _family(node: NodeSpec) -> str:
    return node.family or "binomial"


def binomial_kernel(y: np.ndarray, eta: Any, trials: np.ndarray | float = 1.0) -> Any:
    """:math:`\\sum_i y_i \\eta_i - n_i \\log(1 + e^{\\eta_i})`: a binomial log likelihood
    with logit :math:`\\eta`, less its data-only constant.

    Example
    -------
    >>> import numpy as np, pytensor.tensor as pt
    >>> float(binomial_kernel(np.array([0]), pt.as_tensor_variable(np.array([0.0])), 0.0).eval())
    0.0
    """
    y = np.asarray(y, dtype=float)
    eta = pt.broadcast_to(eta, y.shape)
    return pt.sum(y * eta - pt.softplus(eta) * trials)


def _elementwise_binomial(y: Any, eta: Any, n: Any) -> Any:
    return y * eta - n * pt.softplus(eta)


class Proportion(NodeKind):
    """Successes out of trials: binomial, logit link."""

    name: ClassVar[str] = "proportion"
    display: ClassVar[str] = "proportion (binomial, logit link)"
    colour: ClassVar[str] = "#e3f1d4"
    coefficient_scale: ClassVar[str] = "log odds ratio"
    natural_effect: ClassVar[str] = "odds ratio"
    natural_level: ClassVar[str] = "share"
    ratio_scale: ClassVar[bool] = True
    odds_scale: ClassVar[bool] = True
    noise_variable: ClassVar[str | None] = "inv_sqrt_kappa"
    noise_dim: ClassVar[str | None] = "bb_node"

    def link(self, value: Any) -> Any:
        return logit(np.clip(value, 1e-12, 1 - 1e-12))

    def natural(self, eta: Any) -> Any:
        return expit(eta)

    def unit_label(self, node: NodeSpec) -> str:
        return node.unit or "share"

    def d_scale(self, node: NodeSpec) -> float:
        return float(np.pi / np.sqrt(3))

    def check_level(self, amount: float) -> str | None:
        return None if 0 < amount < 1 else "is a share: set it strictly between 0 and 1"

    def validate(self, node: NodeSpec) -> list[str]:
        problems = []
        if not node.trials:
            problems.append("a proportion node needs a 'trials' column")
        if node.baseline is not None and not 0 < node.baseline < 1:
            problems.append("a proportion node's baseline is a share strictly between 0 and 1")
        try:
            check("family", _family(node), ProportionFamily)
        except ValueError as err:
            problems.append(str(err))
        return problems

    def data_columns(self, node: NodeSpec) -> dict[str, str]:
        return {node.trials: "trials" if node.given_as == "count" else "sample size"}

    def check_values(self, node: NodeSpec, y: np.ndarray, present: np.ndarray,
                     columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str] | None:
        n = columns[node.trials]
        if node.given_as != "count":
            top = 100.0 if node.given_as == "percent" else 1.0
            bad = present & ((y < 0) | (y > top))
            if bad.any():
                return bad, f"values must be {node.given_as}s from 0 to {top:g}"
            bad = present & ~(n >= 0)
            if bad.any():
                return bad, f"the sample size ({node.trials!r}) must be a number of 0 or more where the share is given"
            return None
        bad = present & (whole_numbers(y, n) | np.isnan(n))
        if bad.any():
            return bad, f"successes must be whole numbers between 0 and trials ({node.trials!r})"
        return None

    def observed_value(self, node: NodeSpec, y: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Successes (or, for a share, the successes-equivalent share x sample size)."""
        if node.given_as == "count":
            return y
        share = y / 100.0 if node.given_as == "percent" else y
        return share * columns[node.trials]

    def observed_rows(self, node: NodeSpec, present: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        return present & (np.nan_to_num(columns[node.trials], nan=0.0) > 0)

    def size(self, node: NodeSpec, columns: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray | float:
        return columns[node.trials][rows]

    def pooled_level(self, total: float, size: float) -> float:
        return float(self.link((total + 0.5) / (size + 1.0)))

    def area_information(self, node: NodeSpec, totals: np.ndarray, sizes: np.ndarray, rows: np.ndarray,
                         within: float) -> np.ndarray:
        # binomial: the information about logit(p) is n p (1 - p), at the area's pooled share
        p = (totals + 0.5) / (sizes + 1.0)
        return sizes * p * (1.0 - p)

    def noise(self, node: NodeSpec) -> NoiseParameter | None:
        r"""``inv_sqrt_kappa`` of a beta-binomial proportion: the rows' :math:`\kappa^{-1/2}`, or for
        a node observed only as group figures the groups' :math:`\kappa_g^{-1/2}`, with its own
        prior scale :data:`GROUP_BB_SCALE` (labelled ``"<node>@<groups>"``: :meth:`noise_label`)."""
        if _family(node) != "beta_binomial":
            return None
        return NoiseParameter(self.noise_variable, self.noise_dim, GROUP_BB_SCALE if node.observed_at else BB_SCALE)

    def likelihood(self, name: str, node: NodeSpec, eta: Any, y: np.ndarray, size: Any, noise: Any,
                   dims: str) -> None:
        n = np.broadcast_to(np.asarray(size, dtype=float), np.shape(y))
        whole = np.all(y == np.round(y)) and np.all(n == np.round(n))
        if whole and noise is None:
            pm.Binomial(name, n=n.astype("int64"), logit_p=eta, observed=y.astype("int64"), dims=dims)
        elif whole:
            kappa = 1.0 / noise**2
            # a share of exactly 0 or 1 (a saturated logit) would give a beta parameter of 0,
            # which prior and posterior predictive draws refuse: keep it inside (0, 1)
            mu = pt.clip(pm.math.sigmoid(eta), SHARE_FLOOR, 1.0 - SHARE_FLOOR)
            pm.BetaBinomial(name, alpha=mu * kappa, beta=(1.0 - mu) * kappa, n=n.astype("int64"),
                            observed=y.astype("int64"), dims=dims)
        else:  # a share x effective sample size: the binomial (or beta-binomial) density at real y
            def logp(value: Any, eta: Any, n: Any, *noise: Any) -> Any:
                kernel = (_beta_binomial_terms if noise else _elementwise_binomial)
                return _log_choose(n, value) + kernel(value, eta, n, *noise)

            def random(eta: Any, n: Any, *noise: Any, rng: Any = None, size: Any = None) -> np.ndarray:
                p = expit(eta)
                if noise:
                    kappa = 1.0 / np.asarray(noise[0]) ** 2
                    p = np.clip(p, SHARE_FLOOR, 1.0 - SHARE_FLOOR)  # a saturated share: no beta parameter of 0
                    p = rng.beta(p * kappa, (1.0 - p) * kappa, size=size)
                return rng.binomial(np.round(n).astype(int), p, size=size).astype(float)

            extra = (noise,) if noise is not None else ()
            pm.CustomDist(name, eta, n, *extra, logp=logp, random=random, observed=y, dims=dims)

    def kernel(self, node: NodeSpec, y: np.ndarray, eta: Any, size: Any, noise: Any = None) -> Any | None:
        if noise is not None:
            return beta_binomial_kernel(y, eta, size, noise)
        return binomial_kernel(y, eta, size)

    def collapsible(self, node: NodeSpec) -> bool:
        return _family(node) == "binomial"

    def grouped_term(self, totals: np.ndarray, sizes: np.ndarray, within: np.ndarray | None, eta: Any,
                     noise: Any) -> Any:
        return binomial_kernel(totals, eta, sizes)

    def simulate(self, node: NodeSpec, eta: np.ndarray, columns: Mapping[str, Any], noise: float | None,
                 rng: np.random.Generator, value: np.ndarray | None) -> np.ndarray:
        n = np.asarray(columns[node.trials])
        p = expit(eta)
        if noise is not None:
            kappa = 1.0 / noise**2
            p = rng.beta(np.maximum(p * kappa, 1e-12), np.maximum((1.0 - p) * kappa, 1e-12))
        y = rng.binomial(np.round(n).astype(int), p).astype(float)
        if node.given_as == "count":
            return y
        share = np.divide(y, np.round(n), out=np.zeros_like(y), where=np.round(n) > 0)
        return share * (100.0 if node.given_as == "percent" else 1.0)


PROPORTION = Proportion()
