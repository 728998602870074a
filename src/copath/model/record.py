"""The fitted record: the DataTree with what produced it, and the tables read off it.

A :class:`FitRecord` is what :func:`copath.model.fit.fit_model` returns and a result
folder holds (:mod:`.storage`): the posterior and every other group, the pathway, the
registry, the link priors, the data as fitted, the :class:`~copath.model.settings.FitSettings`
of the call and the :class:`~copath.model.settings.FitRun` of what it did. It reads the
link summary, the diagnostics and the predictive checks off itself. The user-facing
:class:`copath.FitResult` adds scenarios, sensitivity, reports and saving on top of it
(:mod:`copath.workflow`); this layer knows nothing of them.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one, as a :class:`copath.FitResult`):

>>> row = rec.summary().loc["x -> c"]
>>> row["grade"], bool(row["local_data"]), bool(row["post_hdi_low"] < row["post_mean"] < row["post_hdi_high"])
('-', True, True)
>>> rec.diagnostics().passed, rec.settings.draws == rec.posterior.sizes["draw"]
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from copath.constants import HDI_PROB
from copath.evidence.priors import LinkPrior
from copath.evidence.registry import Evidence
from copath.model.builder import BuiltModel, build_model
from copath.model.data import prepare_data
from copath.model.diagnostics import Diagnostics, compute_diagnostics
from copath.model.equations import make_plan
from copath.model.mirror import mirror_modes
from copath.model.predictive import PREDICTIVE_DRAWS_MIN, misfits, predictive_table
from copath.model.settings import FitRun, FitSettings
from copath.model.within import identified_from, within_contrast
from copath.spec.pathway import Pathway

__all__ = ["FitRecord"]


def _period_sd_label(time: tuple[str, ...]) -> str:
    """The time summary's label of a node's period sd: a random walk's is the sd of one step."""
    return "period step sd" if "period_rw" in time else "period sd"


def _dataset(tree: xr.DataTree, group: str) -> xr.Dataset:
    return tree[group].to_dataset()



#: The columns of :meth:`FitRecord.summary`, in order (``link`` becomes the index).
SUMMARY_COLUMNS = ("link", "from", "to", "role", "grade", "weak", "scale", "sign", "direction", "prior_mean",
                   "prior_hdi_low", "prior_hdi_high", "prior_sd", "prior_scaled_by", "post_mean", "post_sd",
                   "post_hdi_low", "post_hdi_high", "sd_ratio", "contraction", "shift", "local_data",
                   "identification", "identification_reason", "identified", "r_hat", "ess_bulk")


@dataclass(eq=False)
class FitRecord:
    """A fitted pathway: the DataTree plus everything needed to read and reproduce it.

    Compared by identity (each fit is its own record), so layers above can cache what
    they derive from one (:func:`copath.scenarios.forward.forward_of`).
    """

    idata: xr.DataTree
    pathway: Pathway
    evidence: Evidence | None
    priors: dict[str, LinkPrior]
    data: pd.DataFrame
    settings: FitSettings = field(default_factory=FitSettings)
    run: FitRun = field(default_factory=lambda: FitRun(sampler="nutpie"))
    _built: BuiltModel | None = field(default=None, repr=False)
    _diagnostics: Diagnostics | None = field(default=None, repr=False)
    #: SHA-256 of each file of the result folder this record was saved to or loaded from
    saved_hashes: dict[str, str] | None = field(default=None, repr=False)

    # ---------------------------------------------------------------- model
    @property
    def built(self) -> BuiltModel:
        """The PyMC model (rebuilt from spec, priors, data, the fit's centring and its centred
        areas after a load)."""
        if self._built is None:
            self._built = build_model(self.pathway, self.data, priors=self.priors, centres=self.centres(),
                                      centred=self.run.centred or None, prior_scale=self.settings.prior_scale)
        return self._built

    def centres(self) -> dict[str, float]:
        """The constants each node's input was centred at in this fit: recorded by the fit;
        for a result fitted before they were recorded, the baselines (exposures at their
        data means), as copath then centred them.

        Returns
        -------
        dict[str, float]
        """
        if self.run.centres:
            return dict(self.run.centres)
        prepared = prepare_data(self.pathway, self.data)
        return dict(make_plan(self.pathway, prepared.exposure_centres).centres)

    @property
    def model(self):
        """The row-level PyMC model."""
        return self.built.model

    @property
    def posterior(self) -> xr.Dataset:
        """The posterior group as an ``xarray.Dataset``."""
        return _dataset(self.idata, "posterior")

    def nodes_with_data(self) -> set[str]:
        """The nodes of the ``observed_data`` group: those with local data (empty without it).

        Returns
        -------
        set[str]
        """
        return set(self.idata["observed_data"].to_dataset().data_vars) if "observed_data" in self.idata.children else set()

    def observed_links(self) -> list[str]:
        """Links the local data inform on their own (the ``local_data`` column of tables).

        A link whose child has data is not enough: its parent must also vary over the
        child's rows, apart from the child's other inputs. So this is every link whose
        identification status (:mod:`copath.model.identification`) is ``local data``;
        links the data inform only jointly (``combination``, ``product``) are not in it.
        For a record saved without an identification check: every link whose child has data.

        Returns
        -------
        list[str]
            Link names (``"a -> b"``), in spec order; empty when the record has no
            ``observed_data`` group.
        """
        observed = self.nodes_with_data()
        if not observed:
            return []
        status = {name: entry.get("status") for name, entry in self.run.identification.items()}
        if not status:
            return [link.name for link in self.pathway.links if link.target in observed]
        return [link.name for link in self.pathway.links if status.get(link.name) == "local data"]

    # -------------------------------------------------------------- tables
    def summary(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """One row per link: grade, prior and posterior mean/HDI, r_hat, ess_bulk.

        ``sd_ratio`` is posterior sd / prior sd and ``contraction`` 1 - posterior var /
        prior var (how much the data narrowed the link; Schad, Betancourt and Vasishth 2021,
        *Psychological Methods* 26:103); ``shift`` is (posterior mean - prior mean) / prior
        sd. Where the link is not informed (``prior only``) they measure only the Monte Carlo
        error of the draws of its prior, of order 1/sqrt(ESS); ``weak local data`` adds an
        expected narrowing of under 10%.

        Parameters
        ----------
        prob
            Probability mass of the intervals (default :data:`copath.HDI_PROB`, 0.94). The
            posterior interval is the HDI of the draws; the prior interval is the prior's
            HDI (the central interval of a normal; for a link with a fixed sign, the narrowest
            interval of its truncated normal).

        Returns
        -------
        pandas.DataFrame
            Indexed by link name, in spec order, with columns ``from``, ``to``, ``role``
            (``"pathway"``, or ``"covariate"`` for a link made by a node's ``adjust:``), ``grade``
            (``"-"`` without evidence), ``weak``, ``scale``, ``sign`` (``"+"``/``"-"``
            when held fixed, else empty), ``direction`` (a stated direction and how it was used:
            ``"+ stated by <source>, soft"``, a prior the data may overturn, or ``"+ assumed from
            <source>, not checked by the data"`` where the data cannot tell the sign;
            :meth:`copath.LinkPrior.direction_note`), ``prior_mean``,
            ``prior_hdi_low``, ``prior_hdi_high``, ``prior_sd``, ``prior_scaled_by`` (for a
            default prior on the data's scale, the rule and spreads that set its sd,
            :mod:`copath.model.autoscale`; else empty), ``post_mean``, ``post_sd``,
            ``post_hdi_low``, ``post_hdi_high``, ``sd_ratio``, ``contraction``, ``shift``,
            ``local_data`` (the data inform the link on its own: :meth:`observed_links`), ``identification``
            (what the data can inform: ``local data``, ``weak local data``, ``combination``, ``product`` or
            ``prior only``; :mod:`copath.model.identification`), ``identification_reason`` (why, in
            words: e.g. how much of the link's information comes from the areas' differences),
            ``identified`` (where the data's
            information comes from: ``within areas``, ``between areas``, ``both``, or empty where the
            parent's input is not given by the data; :func:`copath.model.within.identified_from`;
            a ``within: true`` link is ``within areas`` and its between-area slope is the posterior's
            ``between[link]``, :meth:`within_contrast`), ``r_hat`` and ``ess_bulk``. Coefficients are on the link's coefficient scale, per unit of
            the parent.
        """
        if not self.pathway.links:  # a pathway of nodes alone: no link to summarise
            return pd.DataFrame(columns=list(SUMMARY_COLUMNS)).set_index("link")
        beta = self.posterior["beta"]
        hdi = az.hdi(beta, prob=prob)
        rhat = az.rhat(beta)
        ess = az.ess(beta, method="bulk")
        informed = set(self.observed_links())
        where = identified_from(self.pathway, self._built.data if self._built is not None
                                else prepare_data(self.pathway, self.data))
        rows = []
        for link in self.pathway.links:
            name = link.name
            prior = self.priors[name]
            draws = beta.sel(link=name).values.ravel()
            post_sd = float(draws.std(ddof=1))
            low, high = prior.hdi(prob)
            rows.append({
                "link": name, "from": link.source, "to": link.target,
                "role": "covariate" if link.covariate else "pathway",
                "grade": prior.grade or "-", "weak": prior.weak, "scale": prior.scale,
                "sign": {1: "+", -1: "-"}.get(prior.sign, ""),
                "direction": prior.direction_note(),
                "prior_mean": prior.mean, "prior_hdi_low": low, "prior_hdi_high": high,
                "prior_sd": prior.sd, "prior_scaled_by": prior.scaled_by,
                "post_mean": float(draws.mean()), "post_sd": post_sd,
                "post_hdi_low": float(hdi.sel(link=name, ci_bound="lower")),
                "post_hdi_high": float(hdi.sel(link=name, ci_bound="upper")),
                "sd_ratio": post_sd / prior.sd, "contraction": 1 - post_sd**2 / prior.sd**2,
                "shift": (float(draws.mean()) - prior.mean) / prior.sd,
                "local_data": name in informed,
                "identification": self.run.identification.get(name, {}).get("status", ""),
                "identification_reason": self.run.identification.get(name, {}).get("reason", ""),
                "identified": where.get(name, ""),
                "r_hat": float(rhat.sel(link=name)), "ess_bulk": float(ess.sel(link=name)),
            })
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).set_index("link")

    def within_contrast(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """The within-between contrast of every ``within: true`` link, a Hausman-style check
        (:func:`copath.model.within.within_contrast`): the within-area effect, the between-area
        slope and their difference, ``differ`` True when the difference's ``prob`` interval
        excludes 0.

        Parameters
        ----------
        prob
            The intervals' probability (default 0.94).

        Returns
        -------
        pandas.DataFrame
            One row per within link (empty without them).

        Example
        -------
        ``rec`` is a fitted record without within links:

        >>> rec.within_contrast().empty
        True
        """
        return within_contrast(self.posterior, prob)

    def time_summary(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """The effects of time of each node that has them (:mod:`copath.model.time`).

        Parameters
        ----------
        prob
            Probability mass of the HDIs (default :data:`copath.HDI_PROB`, 0.94).

        Returns
        -------
        pandas.DataFrame
            One row per node and term (``trend per year``, then ``Jan`` ... ``Dec``, then
            ``period sd`` or ``period step sd`` (a random walk's), then one row per period
            labelled as in the data, ``2014-12`` ...), with the posterior ``mean``,
            ``hdi_low`` and ``hdi_high`` on the link scale, and ``factor`` (exp of the mean:
            the rate or odds ratio against a typical month or period, or per year; NaN for a
            continuous node and for the sds). Empty when no node has effects of time.

        Example
        -------
        ``rec`` is a fitted record; its nodes have no effects of time, so the table is empty
        (``tests/model/test_time.py`` shows one with them):

        >>> rec.time_summary().empty, list(rec.time_summary().columns)
        (True, ['mean', 'hdi_low', 'hdi_high', 'factor'])
        """
        rows = []
        post = self.posterior
        for var, dim, terms in (("trend", "trend_node", None), ("season", "season_node", "month_of_year"),
                                ("period_sd", "period_node", None), ("period_effect", "period_node", "period")):
            if var not in post:
                continue
            for node in post[var].coords[dim].values:
                ratio = self.pathway.nodes[str(node)].node_kind.ratio_scale
                values = post[var].sel({dim: node})
                if terms is None:
                    labels = ["trend per year" if var == "trend" else _period_sd_label(self.pathway.nodes[str(node)].time)]
                else:
                    labels = [str(m) for m in values.coords[terms].values]
                for label in labels:
                    draws = (values if terms is None else values.sel({terms: label})).values.ravel()
                    low, high = az.hdi(draws, prob=prob)
                    rows.append({"node": str(node), "term": label, "mean": float(draws.mean()),
                                 "hdi_low": float(low), "hdi_high": float(high),
                                 "factor": float(np.exp(draws.mean())) if ratio and var != "period_sd"
                                 else float("nan")})
        columns = ["node", "term", "mean", "hdi_low", "hdi_high", "factor"]
        return pd.DataFrame(rows, columns=columns).set_index(["node", "term"])

    def diagnostics(self) -> Diagnostics:
        """One verdict on the fit: the sampler's checks (divergences, worst R-hat and ESS over
        all parameters, BFMI, stray chains) and the posterior predictive check of every observed
        node (computed once).

        Returns
        -------
        Diagnostics
            The checks of :func:`copath.model.diagnostics.compute_diagnostics` for this fit's
            method, with :attr:`~copath.model.diagnostics.Diagnostics.predictive` the nodes whose
            posterior predictive check fails (:func:`copath.model.predictive.misfits`: interval
            coverage far below nominal, ``p_mean`` or ``p_sd`` near 0 or 1, each with its remedy);
            ``passed`` needs both, ``sampler_passed`` only the sampler's. The first call computes
            them and later calls return the same object.
        """
        if self._diagnostics is None:
            notes = {f"beta[{link}]": f"{v['status']}: {v['reason']}"
                     for link, v in self.run.identification.items() if v.get("status") != "local data"}
            if self.settings.method == "nuts" and "beta" in self.posterior:
                notes.update(mirror_modes(self.posterior["beta"]))
            failed, why = None, ""
            group = self.idata.children.get("posterior_predictive")
            draws = int(group.sizes.get("chain", 1) * group.sizes.get("draw", 0)) if group is not None else 0
            if group is not None and draws < PREDICTIVE_DRAWS_MIN:
                why = (f"posterior predictive check not made: {draws} predictive draws, fewer than "
                       f"{PREDICTIVE_DRAWS_MIN} (ppc_draws)")
            else:
                try:
                    table = predictive_table(self.idata, self.pathway, self.data, "posterior_predictive", HDI_PROB)
                except ValueError:  # no posterior predictive group (no node has data): nothing to check
                    failed = None
                else:
                    failed = misfits(table, self.pathway, HDI_PROB)
            diag = compute_diagnostics(self.idata, self.settings.method, notes, predictive=failed)
            self._diagnostics = replace(diag, predictive_note=why) if why else diag
        return self._diagnostics

    def _predictive_check(self, group: str, prob: float) -> pd.DataFrame:
        return predictive_table(self.idata, self.pathway, self.data, group, prob)

    def prior_predictive(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Prior predictive check per observed node: does the prior allow the data?

        ``p_mean`` / ``p_sd`` are the shares of prior-predictive data sets whose mean /
        sd is at least the observed one (near 0 or 1: the prior rules the data out);
        ``coverage`` is the share of observations inside the central ``prob`` interval. A
        proportion node is compared as shares of its trials (``scale`` says ``share of
        trials``): its means and sds are of the rows' shares, not of successes
        (:func:`copath.model.predictive.predictive_table`).

        Parameters
        ----------
        prob
            Probability mass of the central (equal-tailed) intervals: of the simulated
            means (``mean_low``, ``mean_high``) and, per observation, of the simulated
            values (``coverage``). Default :data:`copath.HDI_PROB` (0.94).

        Returns
        -------
        pandas.DataFrame
            Indexed by node (each variable of ``observed_data`` that the group simulates),
            with columns ``kind``, ``scale`` (``share of trials`` or ``as observed``), ``n_obs``,
            ``observed_mean``, ``predicted_mean``, ``mean_low``,
            ``mean_high``, ``p_mean``, ``observed_sd``, ``predicted_sd``, ``p_sd``,
            ``coverage`` and ``ok`` (True when ``p_mean`` and ``p_sd`` both lie in
            [0.01, 0.99] and ``coverage`` is not far below ``prob``:
            :func:`copath.model.predictive.flag_reasons`).

        Raises
        ------
        ValueError
            If the record has no ``prior_predictive`` or no ``observed_data`` group.
        """
        return self._predictive_check("prior_predictive", prob)

    def posterior_predictive(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Posterior predictive check per observed node (same columns as :meth:`prior_predictive`).

        Parameters
        ----------
        prob
            Probability mass of the central (equal-tailed) intervals, as in
            :meth:`prior_predictive`. Default :data:`copath.HDI_PROB` (0.94).

        Returns
        -------
        pandas.DataFrame
            One row per observed node, with the columns of :meth:`prior_predictive`,
            computed from the ``posterior_predictive`` group.

        Raises
        ------
        ValueError
            If the record has no ``posterior_predictive`` or no ``observed_data`` group.
        """
        return self._predictive_check("posterior_predictive", prob)

    def __repr__(self) -> str:
        post = self.posterior
        return (f"{type(self).__name__}({self.pathway.name!r}: {len(self.pathway.links)} links, "
                f"{len(self.data)} rows, {post.sizes['chain']} chains x {post.sizes['draw']} draws, "
                f"sampler={self.run.sampler})")
