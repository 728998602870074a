r"""Vectorised forward pass of the structural equations over posterior draws.

For every posterior draw and every row of the local data, the pathway's equations
(:mod:`copath.model.equations`) give each node's expected value. A do-intervention
replaces exposure values (or a mediator's expected value) and recomputes everything
downstream; a continuous node that feeds its children keeps its observed residual
(its input becomes observed + change in expectation), as in an abduction step.

Each node is summarised per draw by the mean over the chosen rows of its expected
value on the natural scale: a rate per ``per`` for counts, a share for proportions,
the mean for continuous nodes. Draws are processed in chunks so memory stays small.

Example
-------
>>> import copath as cp  # doctest: +SKIP
>>> fw = Forward(res)  # doctest: +SKIP
>>> base = fw.node_means({}, {})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from copath.model.data import prepare_data
from copath.model.equations import linear_predictors, make_plan
from copath.scenarios.changes import Change

__all__ = ["Forward", "natural", "link"]


def natural(kind: str, eta: np.ndarray) -> np.ndarray:
    """Expected value on the natural scale from the link scale."""
    if kind == "count":
        return np.exp(np.clip(eta, -50, 50))
    if kind == "proportion":
        return expit(eta)
    return eta


def link(kind: str, value: np.ndarray) -> np.ndarray:
    """Link scale from the natural scale (log, logit, identity)."""
    if kind == "count":
        return np.log(np.maximum(value, 1e-300))
    if kind == "proportion":
        return logit(np.clip(value, 1e-12, 1 - 1e-12))
    return value


@dataclass
class _Draws:
    beta: np.ndarray  # (S, L)
    intercept: np.ndarray  # (S, K)
    area: dict[str, np.ndarray]  # node -> (S, n_areas)


class Forward:
    """The fitted pathway as a function of interventions, over posterior draws."""

    def __init__(self, result, max_draws: int | None = None, chunk_elements: int = 2_000_000) -> None:
        self.result = result
        self.pathway = result.pathway
        self.prepared = prepare_data(self.pathway, result.data)
        self.plan = make_plan(self.pathway, self.prepared.exposure_centres)
        post = result.posterior
        stacked = post.stack(sample=("chain", "draw"))
        n = stacked.sizes["sample"]
        take = np.arange(n) if not max_draws or n <= max_draws else np.linspace(0, n - 1, max_draws).astype(int)
        beta = stacked["beta"].transpose("sample", "link").values[take]
        intercept = stacked["intercept"].transpose("sample", "node").values[take]
        area = {}
        if "area_sd" in post:
            sd = stacked["area_sd"].transpose("sample", "area_node").values[take]
            z = stacked["area_z"].transpose("sample", "area_node", "area").values[take]
            for k, name in enumerate(post["area_sd"].coords["area_node"].values):
                area[str(name)] = sd[:, k, None] * z[:, k, :]
        self.draws = _Draws(beta, intercept, area)
        self.n_draws = beta.shape[0]
        self.chunk_elements = chunk_elements

    # ------------------------------------------------------------------ rows
    def rows_for(self, areas) -> np.ndarray:
        """Row positions of the given areas (all rows when ``areas`` is None)."""
        if areas is None:
            return np.arange(self.prepared.n_rows)
        wanted = {str(a) for a in ([areas] if isinstance(areas, (str, int)) else areas)}
        known = {str(a) for a in self.prepared.areas}
        unknown = sorted(wanted - known)
        if unknown:
            raise ValueError(f"unknown area(s): {', '.join(unknown[:5])}")
        col = self.prepared.frame[self.pathway.index[0]].astype(str).to_numpy()
        return np.flatnonzero(np.isin(col, list(wanted)))

    # --------------------------------------------------------------- forward
    def baseline_eta_chunks(self, target: str):
        """Yield ``(draw slice, eta)`` of ``target``'s baseline linear predictor (draws x rows)."""
        n = self.prepared.n_rows
        kinds = self.plan.kinds
        observed = {m: self.prepared.values[m] for m in self.plan.endogenous
                    if kinds[m] == "continuous" and m in self.prepared.values}

        def value_of(name: str, eta: np.ndarray) -> np.ndarray:
            y = observed.get(name)
            return eta if y is None else np.where(np.isnan(y), eta, y)

        x = {e: self.prepared.values[e] for e in self.pathway.exposures}
        step = max(1, self.chunk_elements // max(n, 1))
        for start in range(0, self.n_draws, step):
            sl = slice(start, start + step)
            params = {"intercept": self.draws.intercept[sl], "beta": self.draws.beta[sl]}
            area_terms = {m: a[sl][:, self.prepared.area_index] for m, a in self.draws.area.items()}
            yield sl, linear_predictors(self.plan, x, params, area_terms, value_of=value_of)[target]

    def node_means(
        self,
        exposures: Mapping[str, np.ndarray],
        do_nodes: Mapping[str, Change],
        rows: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per draw, the mean over ``rows`` of every endogenous node's expected value,
        at baseline and under the intervention: ``(baseline, scenario)``.

        ``exposures`` replaces exposure columns (full-length arrays); ``do_nodes``
        sets endogenous nodes (a :class:`Change` of their expected value).
        """
        rows = np.arange(self.prepared.n_rows) if rows is None else rows
        kinds = self.plan.kinds
        x_base = {e: self.prepared.values[e][rows] for e in self.pathway.exposures}
        x_new = {e: (np.asarray(exposures[e])[rows] if e in exposures else x_base[e]) for e in x_base}
        observed = {}
        for name in self.plan.endogenous:
            if kinds[name] == "continuous" and name in self.prepared.values:
                observed[name] = self.prepared.values[name][rows]
        area_idx = self.prepared.area_index[rows]
        out0 = {name: np.empty(self.n_draws) for name in self.plan.endogenous}
        out1 = {name: np.empty(self.n_draws) for name in self.plan.endogenous}
        step = max(1, self.chunk_elements // max(len(rows), 1))
        for start in range(0, self.n_draws, step):
            sl = slice(start, start + step)
            params = {"intercept": self.draws.intercept[sl], "beta": self.draws.beta[sl]}
            area_terms = {n: a[sl][:, area_idx] for n, a in self.draws.area.items()}
            base_eta: dict[str, np.ndarray] = {}

            def base_value(name: str, eta: np.ndarray) -> np.ndarray:
                y = observed.get(name)
                return eta if y is None else np.where(np.isnan(y), eta, y)

            def keep(name: str, eta: np.ndarray) -> np.ndarray:
                base_eta[name] = eta
                return eta

            eta0 = linear_predictors(self.plan, x_base, params, area_terms, value_of=base_value, adjust=keep)
            if not exposures and not do_nodes:
                eta1 = eta0
            else:
                def adjust(name: str, eta: np.ndarray) -> np.ndarray:
                    change = do_nodes.get(name)
                    if change is None:
                        return eta
                    kind = kinds[name]
                    return link(kind, change.apply(natural(kind, base_eta[name])))

                def value(name: str, eta: np.ndarray) -> np.ndarray:
                    base_input = base_value_cache[name]
                    if name in do_nodes:
                        return do_nodes[name].apply(base_input) if observed.get(name) is not None else eta
                    return base_input + (eta - base_eta[name])

                base_value_cache = {
                    n: (np.where(np.isnan(observed[n]), base_eta[n], observed[n]) if n in observed else base_eta[n])
                    for n in self.plan.endogenous if kinds[n] == "continuous"
                }
                eta1 = linear_predictors(self.plan, x_new, params, area_terms, value_of=value, adjust=adjust)
            for name in self.plan.endogenous:
                out0[name][sl] = natural(kinds[name], eta0[name]).mean(axis=-1)
                out1[name][sl] = natural(kinds[name], eta1[name]).mean(axis=-1)
        return out0, out1
