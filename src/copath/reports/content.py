"""What the report says: one function per section, each returning a
:class:`~copath.reports.document.Section` built from a :class:`~copath.FitRecord`.

Sections: summary; the pathway (DAG, nodes with units); evidence and prior per link;
diagnostics (pass/fail, plain-language warnings, predictive checks); prior vs
posterior per link; does the pathway fit the data (:mod:`.pathway_fit`: LOO, the pathway's
implications, the predictive checks); final outcomes; scenarios and path effects (when given); weak
links and sensitivity (when given); the data used; risks the model does not capture (the
spec's own ``risks:``, then the generic threats to a causal reading worded for its nodes, as
checklists); reproducibility.

Example
-------
``rec`` is a fitted record (``cp.fit`` returns one):

>>> doc = build_document(rec)
>>> [s.title for s in doc.sections][:4]
['Summary', 'The pathway', 'Evidence and priors per link', 'Diagnostics']
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd
import yaml

from copath.constants import HDI_PROB, WEAK_RULE
from copath.evidence.registry import link_entries
from copath.model.diagnostics import RHAT_MAX, Diagnostics
from copath.model.predictive import COVERAGE_SES, COVERAGE_SHORTFALL, P_EXTREME
from copath.model.prior_check import prior_check
from copath.model.record import FitRecord
from copath.model.storage import content_hashes
from copath.model.time import month_features, span_words
from copath.reports.document import Callout, Checklist, Code, Document, Paragraph, Section, Table
from copath.reports.document import Figure as Fig
from copath.reports.figures import (
    compare_png,
    dag_svg,
    forest_png,
    forest_rows,
    outcomes_png,
    prior_posterior_png,
    tornado_png,
)
from copath.reports.pathway_fit import pathway_fit, pathway_fit_section
from copath.reports.worth import Decision, worth_section
from copath.scenarios.forward import forward_of
from copath.scenarios.paths import PathEffects
from copath.scenarios.scenario import Scenario, hdi_1d
from copath.sensitivity.analysis import Sensitivity
from copath.spec.pathway import Pathway
from copath.spec.risks import GENERIC_GROUP, GENERIC_SOURCE, Risk, generic_risks

__all__ = ["build_document", "risks_section", "reproducibility", "data_summary"]

_PACKAGES = ("copath", "pymc", "pytensor", "arviz", "arviz-stats", "nutpie", "numpy", "pandas", "scipy", "xarray")


def _pct(prob: float) -> str:
    return f"{round(100 * prob)}%"


# ----------------------------------------------------------------------------- sections
def _badge(diag: Diagnostics) -> Callout:
    """The one diagnostics verdict on the first screen (the sampler and the posterior predictive
    check), linking to the details."""
    verdict = str(diag).splitlines()[0].rstrip(".")
    verdict += (". This says whether the draws represent the model's posterior" +
                (" and whether the model reproduces the data" if diag.predictive is not None else "") +
                ", not whether the answer rests on local data.")
    if not diag.sampler_passed:
        verdict += " Every number in this report may be unreliable: see Diagnostics."
    elif not diag.passed:
        verdict += (" The model misses the data where its check fails, so intervals through those nodes may be "
                    "too narrow: see Diagnostics for the remedy.")
    return Callout("pass" if diag.passed else "fail", verdict, href="#diagnostics")


def summary_section(res: FitRecord, diag: Diagnostics, scenarios: Sequence[Scenario],
                    rests: pd.DataFrame | None = None) -> Section:
    """The first screen. With a scenario: the question, the answer on each node it moves as a
    forest plot (final outcomes first, totals a year where a node has them), what the answer
    rests on (``rests``: the first scenario's :meth:`~copath.scenarios.scenario.Scenario.path_links`,
    computed here when not given), and one diagnostics badge. Without: the pathway in a
    sentence and the badge."""
    pw = res.pathway
    weak = sum(p.weak for p in res.priors.values())
    covariates = pw.covariate_links
    adjusted = (f" and {len(covariates)} covariate coefficient(s) from 'adjust:' (adjustments, not pathway links)"
                if covariates else "")
    about = Paragraph(f"Pathway {pw.name!r}: {len(pw.nodes)} nodes, {len(pw.links) - len(covariates)} links ({weak} "
                      f"weak: {WEAK_RULE}){adjusted}, fitted to {len(res.data)} rows of local data.")
    if not scenarios:
        return Section("summary", "Summary", [about, _badge(diag)])
    sc = scenarios[0]
    what = ", ".join(f"{pw.nodes[n].display} {c.describe()} ({pw.nodes[n].unit_label})" for n, c in sc.changes.items())
    areas = "area" if pw.area_column == "area" else None  # rows that are not areas are not called so
    if sc.areas is None:
        where = "every area" if areas else "all rows"
    else:
        where = f"{len(sc.areas)} area(s)" if areas else f"{len(sc.areas)} {pw.unit_column} value(s)"
    months = sc.months()
    when = (f"over the period's {sc.span()}, {sc.period[0]} to {sc.period[-1]}" if sc.period
            else f"over the data's {sc.span()}" if months else "over the data's rows")
    rests = sc.path_links() if rests is None else rests
    informed = int(rests["rests_on"].isin(["local data", "both"]).sum())
    default = int((rests["rests_on"] == "default prior").sum())
    if len(rests) and informed == 0:
        rests_text = (f"None of the {len(rests)} link(s) on the scenario's paths is informed by the local data: the "
                      "answer is the registry's evidence (see each link's grade below)"
                      + (f", and for {default} link(s) without evidence a default prior," if default else "")
                      + " carried through the pathway; the local data set only the starting levels.")
    else:
        rests_text = (f"The local data inform {informed} of the {len(rests)} link(s) on the scenario's paths; the "
                      "rest keep their evidence priors (table below).")
    answer = forest_rows(sc)
    blocks: list[Any] = [
        Paragraph(f"Question: what happens if {what}, in {where}, {when}?"),
        Callout("note", "What the answer rests on: " + rests_text),
        _badge(diag),
        Fig("answer", forest_png(sc.name, answer), alt=f"Scenario {sc.name}: the change in each node it moves, with intervals",
            caption=f"The answer: each node's expected change under the scenario, mean and {_pct(HDI_PROB)} "
                    "highest-density interval of the posterior draws, in the node's own unit (shares in percentage "
                    "points; final outcomes first). Means are weighted by each row's offset, trials or survey "
                    f"weight; totals a year are expected events or successes over the scenario's "
                    f"{'areas' if areas else 'rows'}. Grey: rests "
                    "on links without local data."),
    ]
    for node, r in answer.iterrows():
        blocks.append(Paragraph(f"{pw.nodes[node].display}: {r['text']}."))
    if len(rests):
        blocks.append(Table(rests, caption="Links on the scenario's paths: evidence grade, what the local data can "
                                           "inform, and posterior sd / prior sd (1: unmoved)"))
    blocks.append(about)
    if len(scenarios) > 1:
        blocks.append(Paragraph(f"{len(scenarios) - 1} more scenario(s) in 'Scenarios and path effects'."))
    return Section("summary", "The answer" if scenarios else "Summary", blocks)


def pathway_section(res: FitRecord, highlight: Sequence[str] = ()) -> Section:
    pw = res.pathway
    path = " Links on the scenario's paths are thick and orange." if highlight else ""
    return Section("pathway", "The pathway", [
        Fig("pathway", None, svg=dag_svg(res, highlight), natural_size=True,
            alt=f"The pathway {pw.name} as a directed graph",
            caption=f"Exposures on the left, final outcomes on the right; dashed links are weak ({WEAK_RULE}).{path} "
                    "Shown at its own size (scroll sideways); it is a vector image, so it zooms sharply."),
        Table(pw.node_table(), caption="Nodes, with their units and which direction is better"),
    ])


def evidence_section(res: FitRecord) -> Section:
    pw = res.pathway
    prior_rows = []
    for link in pw.links:
        p = res.priors[link.name]
        q = p.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
        syn = p.synthesis
        prior_rows.append({"link": link.name, "grade": p.grade or "-", "weak": p.weak, "scale": p.scale,
                           "prior": f"N({p.mu:.3g}, {p.sigma:.3g})" + ("" if p.sign == 0 else
                                                                         f" truncated {'>' if p.sign > 0 else '<'} 0"),
                           "direction": p.direction_note(),
                           "contrast": p.contrast, "natural 5%": q[0], "natural 50%": q[1],
                           "natural 95%": q[2], "method": p.method, "default prior's scale": p.scaled_by,
                           "k": syn.k if syn else None,
                           "pooled mean (sd)": f"{syn.mean:.3g} ({syn.sd:.3g})" if syn else "",
                           "tau (interval)": (f"{syn.tau_median:.3g} ({syn.tau_interval[0]:.2g}-{syn.tau_interval[1]:.2g})"
                                              if syn else ""),
                           "I^2, Q": f"{syn.i2:.0%}, {syn.q:.3g}" if syn and syn.i2 is not None else "",
                           "sources": ", ".join(p.sources)})
    blocks: list[Any] = [
        Paragraph("Each link's prior comes from the registry entries on it, converted to the child's coefficient "
                  "scale and pooled under a random-effects model (copath.evidence.priors): each study's own bias "
                  "by its grade, the spread between settings (tau) estimated under a half-normal prior that is "
                  "the same for every grade, and a shared-bias (transport) spread by the link's grade added once, "
                  "so the prior is the predictive distribution for a new setting, this area. 'k' counts the pooled "
                  "entries; 'pooled mean (sd)' is their mean effect on the coefficient scale for the evidence "
                  "contrast; with one entry tau is its prior's (one study cannot tell how much an effect varies "
                  "between places), and I^2 and Cochran's Q need two study-level entries. Links with no evidence "
                  "get a weakly-informative default on the data's scale, N(0, 2.5 x sd(child) / sd(parent)) with "
                  "sd(child) only for continuous children (rstanarm's autoscaling, copath.model.autoscale; "
                  "'default prior's scale' gives the numbers). 'natural' quantiles are for the contrast the evidence "
                  "describes (rate or odds ratio, or slope), a change of 'contrast' in the parent. These are the "
                  "priors the fit used: a stated direction is a soft prior the data may overturn (a normal with "
                  "the sign-fixed prior's mean and sd; 'direction' says 'soft'), except where the data cannot tell "
                  "the sign, where it is held fixed and 'direction' says it is assumed, not checked by the data; "
                  "so a prior here can differ from the registry's as `copath evidence show` prints it."),
        Table(pd.DataFrame(prior_rows).set_index("link"), caption="Prior per link"),
    ]
    entry_rows = []
    for link in pw.links:
        for e in link_entries(link, res.evidence, pw):
            entry_rows.append({"link": link.name, "id": e.id, "grade": e.grade, "design": e.design,
                               "sms": "-" if e.sms is None else e.sms,
                               "emmie": f"{e.emmie.describe()} ({e.emmie.url})" if e.emmie else "-",
                               "citation": e.citation, "quote": e.quote.strip()})
    if entry_rows:
        blocks.append(Table(pd.DataFrame(entry_rows).set_index("link"),
                            caption="Evidence per link: citation and verbatim quote"))
    return Section("evidence", "Evidence and priors per link", blocks)


_PLAIN = {
    "divergences": "Divergent transitions mean the sampler could not follow the posterior's shape; "
                   "estimates may be biased.",
    "r_hat": "R-hat above 1.01 means the chains disagree: they have not converged to the same distribution.",
    "ess_bulk": "Too few effective draws for stable means and intervals.",
    "ess_tail": "Too few effective draws in the tails for stable intervals.",
    "bfmi": "Low BFMI means the sampler explored the energy poorly (often a funnel-shaped posterior).",
    "predictive": "A failed posterior predictive check means the model misses the data at a node: the data "
                  "vary more (or less) than the model allows, so its intervals are too narrow (or wide) there.",
}


def diagnostics_section(res: FitRecord, diag: Diagnostics) -> Section:
    blocks: list[Any] = [Callout("pass" if diag.passed else "fail",
                                 "Diagnostics pass." if diag.passed else "Diagnostics FAIL.")]
    for check, ok in diag.checks.items():
        if not ok and check in _PLAIN:
            blocks.append(Callout("fail", _PLAIN[check]))
    blocks.extend(Paragraph(w) for w in diag.warnings)
    # four digits: an R-hat of 1.006 must not read "1.01" beside its threshold "<= 1.01"
    blocks.append(Table(diag.to_frame(), caption="Diagnostics: the sampler and the posterior predictive check",
                        float_digits=4))
    if diag.worst:
        blocks.append(Table(diag.worst_frame(), caption="The parameters that fail worst"))
    if res.settings.method == "nuts":
        blocks.append(Paragraph(
            f"Which thresholds apply where: rank-normalised split R-hat <= {RHAT_MAX} and bulk and tail ESS >= "
            f"{diag.ess_min:.0f} (copath's rule: 100 per chain, at most 400) on every element "
            "of every sampled parameter: link coefficients (beta), intercepts, area-effect spreads (area_sd) and "
            "area effects (area_c, area_z and area_effect), overdispersions (inv_sqrt_phi, inv_sqrt_kappa; "
            "a label node@groups marks the dispersion of a node's group figures), residual sds (sigma) "
            "and imputed values; no divergent transition after warm-up and BFMI >= 0.3 in every chain "
            "(Vehtari et al. 2021, Bayesian Analysis 16:667; Betancourt 2016)."))
    s, run = res.settings, res.run
    if s.method == "nuts":
        blocks.append(Paragraph(f"Sampler {run.sampler}: {s.chains} chains x {s.draws} draws "
                                f"after {s.tune} tuning steps, seed {s.random_seed}."))
        if run.collapsed:
            blocks.append(Paragraph("Sampled with sufficient statistics (rows sharing a node's inputs as one "
                                    "likelihood term; the same posterior): " + "; ".join(run.collapsed) + "."))
    else:
        blocks.append(Paragraph(f"Variational approximation ({s.method}), seed {s.random_seed}: "
                                f"{run.approximation or {}}."))
    for group, title in (("posterior_predictive", "Posterior predictive check"),
                         ("prior_predictive", "Prior predictive check")):
        try:
            table = (res.posterior_predictive() if group == "posterior_predictive" else res.prior_predictive())
        except ValueError:
            continue
        blocks.append(Table(table, caption=f"{title} per observed node (p near 0 or 1, or coverage far below "
                                           f"{_pct(HDI_PROB)}: the model misses the data; proportions as shares "
                                           "of their trials)"))
        if group == "posterior_predictive":
            blocks.append(Paragraph(
                f"The check fails at a node when p_mean or p_sd lies within {P_EXTREME} of 0 or 1, or the "
                f"coverage of its {_pct(HDI_PROB)} intervals falls below nominal by more than "
                f"{COVERAGE_SHORTFALL} and {COVERAGE_SES:g} binomial standard errors "
                "(copath.model.predictive; Gelman, Meng and Stern 1996)."))
    check = prior_check(res.pathway, res.evidence, data=res.data, priors=res.priors, draws=300, random_seed=0)
    lines = check.describe().splitlines()
    blocks.append(Paragraph("Prior predictive check of expected values against each node's bounds "
                            "(copath.prior_check, on these data's exposures): " + lines[0]))
    blocks.extend(Paragraph(line) for line in lines[1:])
    return Section("diagnostics", "Diagnostics", blocks)


def links_section(res: FitRecord, summary: pd.DataFrame) -> Section:
    # only links the data inform can be said to be moved by them: elsewhere a shift or a
    # contraction is the Monte Carlo error of the draws of a prior
    informed = summary[summary["identification"].isin(["local data", "combination", "product"])]
    moved = informed.reindex(informed["shift"].abs().sort_values(ascending=False).index)
    top = [f"{name} ({row['shift']:+.1f} prior sd)" for name, row in moved.head(3).iterrows()]
    narrowed = informed.sort_values("contraction", ascending=False)
    if len(informed):
        effect = (f"Of the {len(informed)} links the local data inform (alone or jointly), they moved these most: "
                  f"{', '.join(top)}, and narrowed {narrowed.index[0]} most "
                  f"(contraction {narrowed['contraction'].iloc[0]:.2f}).")
    else:
        effect = ("The local data inform none of the links: every posterior is its prior, and the shifts and "
                  "contractions in the table are Monte Carlo error of the draws (of order 1/sqrt(ESS)).")
    cols = ["grade", "weak", "identification", "direction", "prior_mean", "prior_hdi_low", "prior_hdi_high", "post_mean",
            "post_hdi_low", "post_hdi_high", "sd_ratio", "shift", "r_hat", "ess_bulk"]
    covariate = (summary["role"] == "covariate") if "role" in summary else pd.Series(False, index=summary.index)
    adjusted = []
    if covariate.any():
        adjusted = [Table(summary.loc[covariate, ["from", "to", "prior_mean", "prior_hdi_low", "prior_hdi_high",
                                                  "post_mean", "post_hdi_low", "post_hdi_high", "r_hat"]],
                          caption="Covariates (a node's 'adjust:'): adjustments, not pathway links; each has the "
                                  "default prior of a link without evidence, centred on 0 on the child's coefficient "
                                  "scale. A categorical one has one coefficient per level against its reference "
                                  "(e.g. educ[b])")]
        summary = summary.loc[~covariate]
    return Section("links", "Prior vs posterior per link", [
        Paragraph("'sd_ratio' is the posterior sd over the prior sd (below 1: the local data narrowed the link; "
                  "contraction, 1 - sd_ratio squared, is in the saved link summary); 'shift' is how far the "
                  "posterior mean moved, in prior standard deviations. "
                  + effect),
        Fig("prior_posterior", prior_posterior_png(summary), alt="Prior and posterior interval of every link",
            caption=f"Each link's posterior {_pct(HDI_PROB)} HDI (blue) against its prior's {_pct(HDI_PROB)} interval "
                    "(grey band), in prior standard deviations: a short bar inside the band is data that narrowed the "
                    "prior; a bar outside it is data that moved it."),
        Table(summary[[c for c in cols if c in summary]],
              caption=f"Links: prior and posterior mean and {_pct(HDI_PROB)} HDI; 'identification' says what the "
                      "local data can inform (local data, weak local data, combination, product or prior only: see below)"),
        *adjusted,
        *identification_blocks(res),
    ])


def identification_blocks(res: FitRecord) -> list[Any]:
    """What the identification check found before sampling: one sentence per flagged link."""
    flagged = {k: v for k, v in res.run.identification.items() if v.get("status") != "local data"}
    held = [f"{name}: {p.direction_note()}" for name, p in res.priors.items() if p.sign]
    out = [Paragraph("Signs assumed, not checked by the data (the data inform these links only as products through "
                     "a node without data, and flipping all their signs fits equally well, so a stated direction "
                     "is held fixed): " + "; ".join(held) + ". Every other stated direction is a soft prior "
                     "the data may overturn.")] if held else []
    if not flagged:
        return [Paragraph("Identification: the local data inform every link one by one."), *out]
    return [*out, Paragraph("Identification, checked before sampling: the local data do not inform these links one "
                      "by one (copath.model.identification). " + "; ".join(
                          f"{k}: {v['status']} ({v.get('reason', '')})" for k, v in flagged.items()) + ".")]


def outcomes_section(res: FitRecord) -> Section:
    pw = res.pathway
    baseline, _ = forward_of(res).node_means({}, {})
    rows = []
    for node in pw.outcomes:
        lo, hi = hdi_1d(baseline[node])
        spec = pw.nodes[node]
        unit = spec.unit_label
        observed = node in res.data.columns and res.data[node].notna().any()
        rows.append({"outcome": node, "label": spec.label, "unit": unit, "mean": float(baseline[node].mean()),
                     "hdi_low": lo, "hdi_high": hi, "better": spec.better or "", "local_data": bool(observed)})
    return Section("outcomes", "Final outcomes", [
        Paragraph("Each final outcome's expected level, averaged over the local data (weighted by each row's "
                  f"offset or trials where it has one), with its posterior {_pct(HDI_PROB)} HDI."),
        Table(pd.DataFrame(rows).set_index("outcome"), caption="Final outcomes"),
        Fig("outcomes", outcomes_png(pw, baseline), alt="Posterior distribution of each final outcome"),
    ])


def scenarios_section(scenarios: Sequence[Scenario], effects: Sequence[PathEffects]) -> Section:
    blocks: list[Any] = []
    cols = ["role", "unit", "weighted_by", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low",
            "diff_hdi_high", "total_difference_per_year", "p_improves", "prior_only", "uninformed_share"]
    if scenarios:
        blocks.append(Paragraph(
            "Means are over the scenario's rows, weighted by each row's offset or trials ('weighted_by'): a rate is "
            "total expected events over the total offset. 'total_difference_per_year' is the change in expected "
            "events (counts) or successes (shares) over the scenario's areas, scaled from the data's span to a "
            f"year (proportions at the observed trials). Intervals are {_pct(HDI_PROB)} highest-density intervals "
            "of the posterior draws. 'uninformed_share' is the "
            "share of the difference's variance that goes when the links the local data do not inform are fixed at "
            "their posterior means."))
    for sc in scenarios:  # the diagnostics verdict is on the first screen, once
        blocks.extend(Paragraph(line) for line in sc.describe(diagnostics=False).splitlines())
        blocks.append(Table(sc.outcomes()[cols], caption=f"Scenario {sc.name}"))
    if len(scenarios) > 1:
        blocks.append(Fig("scenarios", compare_png(scenarios), alt="Scenario effects on the final outcomes"))
    if effects:
        blocks.append(Paragraph(
            "Path effects show two decompositions of the same total effect, each row named in 'decomposition'. "
            "The natural direct effect (PNDE: the source changed, every mediator held at its value before the "
            "change) and the natural indirect effect (TNIE: the rest) are nested counterfactuals (Pearl 2001; "
            "VanderWeele 2015) and add up to the total. The rows named by a path split the total in proportion to "
            "the paths' link-scale products of coefficients: they add up too, but with a log or logit link they "
            f"are not natural or path-specific effects. Means are posterior means; intervals {_pct(HDI_PROB)} "
            "highest-density intervals."))
        blocks.append(Paragraph(
            "A second table gives the interventional indirect effect through each mediator (Vansteelandt and "
            "Daniel 2017): that mediator moved from its value before the change to its value after, the source "
            "changed and every other mediator held at its value before the change. It counts the paths whose "
            "last step into the target is from that mediator, so a mediator without a link into the target has "
            "0, and it stays identified when another mediator affected by the source confounds it and the "
            "target, where a natural effect through one mediator is not. The natural direct effect, these and "
            "the remainder (the mediators' interaction on the target's scale, 0 with an identity link) add up "
            "to the total."))
    for eff in effects:
        blocks.extend(Paragraph(line) for line in eff.describe().splitlines())
        blocks.append(Table(eff.table(), caption=f"Effects of {eff.source} on {eff.target}: total, natural "
                                                 "direct and indirect, and the split by path in proportion to "
                                                 "link-scale path products"))
        interventional = eff.interventional()
        if len(interventional):
            blocks.append(Table(interventional, caption=f"Interventional indirect effects of {eff.source} on "
                                                        f"{eff.target}, one mediator at a time"))
    return Section("scenarios", "Scenarios and path effects", blocks)


def _confounding_blocks(sens: Sensitivity) -> list[Any]:
    """The E-values of the links the local data inform, with what an E-value means."""
    t = sens.table
    if "e_value" not in t.columns:
        return []
    informed = t[t["local_data"]]
    if not len(informed):
        return []
    cols = [c for c in ("from", "to", "contrast_label", "contrast", "risk_ratio", "e_value", "e_value_ci",
                        "e_value_basis") if c in t.columns]
    return [
        Paragraph(
            "E-value: an unmeasured area-level confounder associated with both the parent and the child by a risk "
            "ratio of E each, above the measured covariates, could explain away the link. 'e_value' is for the "
            "link's effect at its posterior mean, 'e_value_ci' for the limit of its "
            f"{_pct(HDI_PROB)} interval nearer no effect (1: the interval already holds no effect); both are for the "
            "change of the parent that 'contrast_label' names ('contrast', in the parent's input units): a scenario's "
            "change of it, else 10 points for a share, else one standard deviation of the parent over the areas. An "
            "E-value grows with the contrast: one for a small contrast reads as fragile only because the contrast "
            "is small. The effect is read as a risk ratio as 'e_value_basis' says (VanderWeele and Ding 2017). "
            "Only links with 'local_data' have one: for a link resting on its prior, informed only jointly with "
            "others or only weakly, it would describe the prior (the literature) more than these data."),
        Table(informed[cols], caption="Robustness to unmeasured confounding of the links the local data inform"),
    ]


def sensitivity_section(sens: Sensitivity) -> Section:
    ranked = sens.ranked()
    cols = ["grade", "local_data", "prior_sensitivity", "contraction", "conflict_p", "diagnosis",
            "max_importance", "most_important_for"]
    blocks: list[Any] = [Paragraph(line) for line in sens.describe(diagnostics=False).splitlines()]
    blocks.append(Table(ranked[cols], caption="Weak links, ranked by the largest share of a final outcome's "
                                              "(or scenario effect's) variance they explain"))
    blocks.extend(_confounding_blocks(sens))
    if sens.parameters is not None and not sens.parameters.empty:
        blocks.append(Table(sens.parameters.drop(columns=["parameter", "element"]),
                            caption="Intercepts, scales and dispersions: power-scaling of each one's own prior, "
                                    "posterior contraction and the prior-data conflict check (as for the links)"))
    if len(sens.tornado):
        blocks.append(Fig("tornado", tornado_png(sens), alt="Tornado: outcomes at each weak or important link's 5% and 95%"))
    if sens.alternatives is not None and len(sens.alternatives):
        alt = sens.alternatives.reindex(sens.alternatives["relative_change"].abs().sort_values(ascending=False).index)
        blocks.append(Table(alt.head(15).set_index(["link", "alternative"])[
            ["quantity", "current_mean", "new_mean", "relative_change", "pareto_k", "reliable"]],
            caption="Largest moves under sceptical / vague / registry priors (PSIS; unreliable rows need a refit)"))
        blocks.append(Paragraph(
            "Pareto k is the shape of the tail of the importance weights (Vehtari et al. 2024, \"Pareto smoothed "
            "importance sampling\", JMLR 25:72): a row is reliable when k is at most min(1 - 1/log10(S), 0.7) "
            "for S draws. A negative k is good, not an error: the weights' tail is bounded, lighter than an "
            "exponential's: the density ratio is bounded over the draws, so no draw dominates; the weights "
            "can still be uneven (a new prior narrower than the posterior gives k < 0 with few effective "
            "draws)."
            + (f" Here k runs down to {alt['pareto_k'].min():.2f}." if (alt["pareto_k"] < 0).any() else "")))
    return Section("sensitivity", "Weak links and sensitivity", blocks)


def data_summary(res: FitRecord) -> pd.DataFrame:
    """One row per data column the pathway uses: kind, rows present, missing, min, max."""
    pw = res.pathway
    frame = res.data
    rows = []
    roles = pw.required_columns()["role"]
    for col in frame.columns:
        if col in pw.index:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        node = pw.nodes.get(col)
        used = pw.role(col) if node else (roles.get(col, "offset/trials") if col != pw.groups else "group")
        if col in pw.categorical:  # its levels, not numbers: counted, no min or max
            present = frame[col].notna()
            rows.append({"column": col, "used as": used, "present": int(present.sum()),
                         "missing": int((~present).sum()), "min": np.nan, "max": np.nan})
            continue
        rows.append({"column": col, "used as": used,
                     "present": int(values.notna().sum()), "missing": int(values.isna().sum()),
                     "min": float(values.min()) if values.notna().any() else np.nan,
                     "max": float(values.max()) if values.notna().any() else np.nan})
    return pd.DataFrame(rows).set_index("column")


def data_section(res: FitRecord) -> Section:
    pw = res.pathway
    frame = res.data
    area_col, time_col = pw.unit_column, pw.period_column
    areas = frame[area_col].nunique()
    absent = [n for n in pw.endogenous if n not in frame.columns]
    no_data = f" Nodes with no data column (they rest on their priors): {', '.join(absent)}." if absent else ""
    if time_col is None:  # rows that are people, schools, ...: no period column
        blocks: list[Any] = [Paragraph(f"{len(frame)} rows ({' x '.join(pw.index)}); {areas} distinct {area_col}."
                                       + no_data), Table(data_summary(res), caption="Columns used")]
        return Section("data", "The data used", blocks)
    unique = frame[time_col].dropna().unique()
    # numbers in number order (months 1..24, not "1", "10", ..., "9"); labels such as "2016-01" as text
    times = [str(t) for t in (sorted(unique) if pd.api.types.is_numeric_dtype(frame[time_col])
                              else sorted(map(str, unique)))]
    blocks = [Paragraph(
        f"{len(frame)} rows: {areas} {'areas' if area_col == 'area' else 'groups'} ({area_col}) x {len(times)} "
        f"periods ({time_col}, {times[0]} to {times[-1]})." + no_data),
        Table(data_summary(res), caption="Columns used")]
    try:  # the rows' own period: a maturity_lag on yearly rows leaves out years
        step = month_features(pd.Series(unique)).step
    except ValueError:
        step = 1
    for node, months in res.run.maturing.items():
        span = span_words(len(months), step)
        which = f"the last {span.split()[1]} ({months[0]}) is" if len(months) == 1 else \
            f"the last {span} ({months[0]} to {months[-1]}) are"
        blocks.append(Paragraph(
            f"{node}: {which} left out of its likelihood: "
            f"its outcomes are still maturing (maturity_lag: {pw.nodes[node].maturity_lag} in the spec). Those "
            f"rows' values stay in the data table above; the fit treats them as not yet known."))
    return Section("data", "The data used", blocks)


def _risk_groups(risks: Sequence[Risk], default: str) -> tuple[list[tuple[str, list[tuple[str, str]]]], str]:
    """Checklist groups of ``risks`` (in order of first appearance) and the one citation they
    share (else each item carries its own, with the nodes and links it concerns)."""
    cited = {r.citation for r in risks}
    shared = cited.pop() if len(cited) == 1 else ""
    groups: dict[str, list[tuple[str, str]]] = {}
    for risk in risks:
        detail = risk.description
        concerns = [*risk.nodes, *risk.links]
        if concerns and risk.group != GENERIC_GROUP:
            detail += f" (concerns {', '.join(concerns)})"
        if risk.citation and not shared:
            detail += f" [{risk.citation}]"
        groups.setdefault(risk.group or default, []).append((risk.name, detail))
    return list(groups.items()), shared


def risks_section(pathway: Pathway) -> Section:
    """What could make the answer wrong that the model does not represent: the risks the spec
    lists (``risks:``; the flagship's are Table 1 of Loeffler & Bovaird), then the generic
    threats to a causal reading of observational area data, worded for the pathway's nodes
    (:func:`copath.spec.risks.generic_risks`).

    Parameters
    ----------
    pathway
        The fitted pathway.

    Returns
    -------
    Section
        Titled "Risks the model does not capture".
    """
    blocks: list[Any] = []
    if pathway.risks:
        groups, shared = _risk_groups(pathway.risks, "Risks listed in the spec")
        n = len(pathway.risks)
        blocks += [Paragraph(f"The pathway's spec lists {n} risk{'s' if n != 1 else ''} that can reduce or reverse "
                             "the effects estimated here and are not in the model: check each before acting on the "
                             "results."),
                   Checklist(groups, source=shared)]
    else:
        blocks.append(Paragraph("The pathway's spec lists no risks of its own (a 'risks:' list in the spec adds "
                                "them: what could make its links fail or backfire that the model cannot see; "
                                "docs/guides/spec.md in the project shows how)."))
    groups, _ = _risk_groups(generic_risks(pathway), GENERIC_GROUP)
    blocks += [Paragraph(f"The links are estimated from observational data (rows of {' x '.join(pathway.index)}), "
                         "not from an experiment. "
                         "The threats below, worded for this pathway's nodes, can make an estimated link differ from "
                         "the effect of changing its parent; each names its source."),
               Checklist(groups, source=GENERIC_SOURCE)]
    return Section("risks", "Risks the model does not capture", blocks)


def reproducibility(res: FitRecord) -> dict[str, Any]:
    """Versions, the fit's settings and run, and the SHA-256 hashes of the data, spec,
    registry and priors exactly as a saved result's manifest records them
    (:func:`copath.model.storage.content_hashes`)."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    settings = res.settings.to_dict()
    settings["priors"] = [p["link"] for p in settings["priors"]]  # the replaced links; their priors are above
    return {
        "written": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": versions,
        "settings": settings,
        "run": {k: v for k, v in res.run.to_dict().items() if k not in ("collapsed",)},
        "sha256": content_hashes(res),
    }


def reproducibility_section(res: FitRecord) -> Section:
    info = reproducibility(res)
    return Section("reproducibility", "Reproducibility", [
        Paragraph("Re-running the same spec and evidence on the same data with these versions and this seed "
                  "gives the same draws (nutpie is deterministic given the seed on the same machine)."),
        Code(yaml.safe_dump(info, sort_keys=False, default_flow_style=False)),
    ])


# ----------------------------------------------------------------------------- document
def build_document(
    res: FitRecord,
    scenarios: Sequence[Scenario] = (),
    path_effects: Sequence[PathEffects] = (),
    sensitivity: Sensitivity | None = None,
    title: str | None = None,
    worth: Sequence[pd.DataFrame] = (),
    decisions: Sequence[Decision] = (),
) -> Document:
    """The whole report for ``res`` (scenarios, path effects, sensitivity, their value in
    pounds and the decision analyses when given)."""
    diag = res.diagnostics()
    summary = res.summary()
    rests = scenarios[0].path_links() if scenarios else None  # the first scenario's paths, used twice
    sections = [
        summary_section(res, diag, scenarios, rests),
        pathway_section(res, list(rests.index) if rests is not None else ()),
        evidence_section(res),
        diagnostics_section(res, diag),
        links_section(res, summary),
        pathway_fit_section(pathway_fit(res, diag)),
        outcomes_section(res),
    ]
    if scenarios or path_effects:
        sections.append(scenarios_section(scenarios, path_effects))
    if worth or decisions:
        sections.append(worth_section(worth, decisions))
    if sensitivity is not None:
        sections.append(sensitivity_section(sensitivity))
    sections += [data_section(res), risks_section(res.pathway), reproducibility_section(res)]
    pw = res.pathway
    return Document(
        title=title or f"copath report: {pw.name}",
        subtitle=f"Written {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by copath; "
                 f"HDI probability {HDI_PROB}.",
        sections=sections,
    )
