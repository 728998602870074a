r"""How much each link coefficient moves the final outcomes, from the existing draws.

**Variance share** (first-order, variance-based): for an outcome summary :math:`Y`
(a final outcome's mean over the data, or a scenario's effect on it, one value per
draw) and a coefficient :math:`\beta_\ell`,

.. math:: S_\ell = \operatorname{Var}(E[Y \mid \beta_\ell]) / \operatorname{Var}(Y),

estimated by regressing :math:`Y` on :math:`\beta_\ell` over the posterior draws
(:func:`copath.sensitivity.regression.explained_share`). Coefficients can be
correlated in the posterior, so the shares need not add up to 1.

**Tornado**: the expected :math:`Y` when :math:`\beta_\ell` is fixed at its 5% and
at its 95% posterior quantile. Two readings of "fixed":

- ``conditional`` (default): :math:`E[Y \mid \beta_\ell = q]` in the posterior, read
  off the same regression: what we would expect if research showed the link to be
  :math:`q`. The other parameters move with it as the data say they must (an
  intercept that trades off against the link moves too).
- ``fixed``: the structural equations re-run with :math:`\beta_\ell = q` and every
  other parameter keeping its draw
  (:meth:`copath.scenarios.forward.Forward.node_means_with_coefficient`); final
  outcome levels only. When a link trades off against an intercept in the posterior
  this swing is large although the data pin the outcome, so it overstates what the
  conclusion hangs on; it is offered for comparison.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> p = pd.DataFrame({"a": rng.normal(size=3000), "b": rng.normal(size=3000)})
>>> shares = variance_shares({"y": 3 * p["a"] + p["b"]}, p)
>>> shares.round(1).to_dict()
{'y': {'a': 0.9, 'b': 0.1}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from copath.model.record import FitRecord
from copath.scenarios.forward import forward_of
from copath.sensitivity.regression import explained_share, smooth

__all__ = ["variance_shares", "link_draws", "outcome_draws", "tornado", "fixed_tornado"]


def link_draws(result: FitRecord) -> pd.DataFrame:
    """The link coefficients, one column per link, one row per draw (chain-major order)."""
    beta = result.posterior["beta"].transpose("chain", "draw", "link")
    values = beta.values.reshape(-1, beta.sizes["link"])
    return pd.DataFrame(values, columns=[str(n) for n in beta.coords["link"].values])


def outcome_draws(result: FitRecord, nodes: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Per draw, each final outcome's expected value averaged over the local data (weighted by
    each row's offset or trials, as :mod:`copath.scenarios.forward` averages)."""
    baseline, _ = forward_of(result).node_means({}, {})
    return {n: baseline[n] for n in (nodes if nodes is not None else result.pathway.outcomes)}


def variance_shares(quantities: Mapping[str, np.ndarray], params: pd.DataFrame) -> pd.DataFrame:
    """First-order variance shares: one row per parameter, one column per quantity."""
    out = {name: {p: explained_share(np.asarray(y), params[p].to_numpy()) for p in params.columns}
           for name, y in quantities.items()}
    return pd.DataFrame(out, index=list(params.columns))


def tornado(
    quantities: Mapping[str, np.ndarray],
    params: pd.DataFrame,
    links: Sequence[str],
    probs: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Conditional tornado: one row per (quantity, link) with
    :math:`E[Y \\mid \\beta_\\ell = q]` at the ``probs`` quantiles of the link, the posterior
    mean, and the ``swing`` (high minus low); sorted by absolute swing within each quantity.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"a": rng.normal(size=4000), "b": rng.normal(size=4000)})
    >>> t = tornado({"y": 2 * p["a"]}, p, ["a", "b"])
    >>> t["link"].tolist(), round(float(t["swing"].iloc[0]), 1)   # about 2 x 3.29
    (['a', 'b'], 6.5)
    """
    rows = []
    for name, y in quantities.items():
        y = np.asarray(y, dtype=float)
        for link in links:
            x = params[link].to_numpy()
            lo_v, hi_v = np.quantile(x, probs)
            at = smooth(y, x).predict(np.array([lo_v, hi_v]))
            rows.append({"quantity": name, "link": link, "coef_low": float(lo_v), "coef_high": float(hi_v),
                         "posterior_mean": float(y.mean()), "at_low": float(at[0]), "at_high": float(at[1])})
    return _sorted(rows)


def _sorted(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["quantity", "link", "coef_low", "coef_high", "posterior_mean",
                                        "at_low", "at_high"])
    table["swing"] = table["at_high"] - table["at_low"]
    order = table.assign(_abs=table["swing"].abs(),
                         _q=pd.Categorical(table["quantity"], list(dict.fromkeys(table["quantity"]))))
    order = order.sort_values(["_q", "_abs"], ascending=[True, False], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def fixed_tornado(
    result: FitRecord,
    links: Sequence[str],
    outcomes: Sequence[str] | None = None,
    probs: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """The ``fixed`` reading (see the module text) for final outcome levels: same columns
    as :func:`tornado`."""
    forward = forward_of(result)
    outcomes = list(outcomes if outcomes is not None else result.pathway.outcomes)
    baseline, _ = forward.node_means({}, {})
    position = {name: i for i, name in enumerate(forward.plan.link_names)}
    rows = []
    for node in outcomes:
        for name in links:
            j = position[name]
            lo_v, hi_v = np.quantile(forward.draws.beta[:, j], probs)
            rows.append({"quantity": node, "link": name, "coef_low": float(lo_v), "coef_high": float(hi_v),
                         "posterior_mean": float(baseline[node].mean()),
                         "at_low": float(forward.node_means_with_coefficient(j, lo_v)[node].mean()),
                         "at_high": float(forward.node_means_with_coefficient(j, hi_v)[node].mean())})
    return _sorted(rows)
