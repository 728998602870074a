"""Evidence -> link priors on the flagship model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

import copath as cp
from copath.evidence.priors import DEFAULT_SD, STUDY_BIAS_SD, TAU_SCALE, TRANSPORT_SD, LinkPrior, priors_for
from copath.evidence.registry import link_entries

#: a one-link pathway x -> y (a count) for registry entries written in a test
XY = "name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\nlinks:\n  - {from: x, to: y}\noutcomes: [y]\n"


def test_nw_burglary_prior(flagship, evidence):
    prior = cp.prior_for(flagship.link("nw_coverage", "burglary"), evidence, flagship)
    median_rr = prior.natural_quantiles([0.5])[0]
    assert 0.74 < median_rr < 0.84
    # hand computation: the review's 90% interval is its mean effect over settings (mu): its
    # own bias by its design (a review: A; its indirectness is shared, not its own), tau once
    # (its prior's E[tau^2] = 0.5^2, as one review's mean says nothing about tau), and the
    # shared bias of the link's grade B (a review, one step down for indirectness) once
    mean = (math.log(0.84) + math.log(0.74)) / 2
    sd = (math.log(0.84) - math.log(0.74)) / (2 * norm.ppf(0.95))
    assert prior.mu == pytest.approx(mean)
    expected = math.sqrt(sd**2 + STUDY_BIAS_SD["A"] ** 2 + TAU_SCALE**2 + TRANSPORT_SD["B"] ** 2)
    assert prior.sigma == pytest.approx(expected, rel=1e-4) == pytest.approx(0.5258, abs=1e-4)
    assert prior.prob_below_zero() == pytest.approx(norm.cdf(-mean / expected), rel=1e-4)  # 0.67
    assert prior.grade == "B" and not prior.weak
    syn = prior.synthesis
    assert syn.k == 1 and syn.i2 is None and syn.q is None and syn.transport_sd == TRANSPORT_SD["B"]
    assert not syn.tau_estimated and "from its prior alone" in syn.describe()
    assert syn.tau_median == pytest.approx(TAU_SCALE * norm.ppf(0.75), rel=5e-3)  # the prior's median (grid)


def test_every_flagship_link_has_a_prior_from_its_own_entries(flagship, evidence):
    priors = priors_for(flagship, evidence)
    assert list(priors) == flagship.link_names
    for link in flagship.links:
        prior = priors[link.name]
        own = {e.id for e in evidence if e.link == (link.source, link.target) and e.role == "effect"}
        assert set(prior.sources) == own, link.name
        assert prior.link == link.name


def test_an_entry_moves_only_its_own_edge(flagship, evidence):
    """Change one entry's number: exactly its link's prior changes."""
    base = priors_for(flagship, evidence)
    entries = list(evidence)
    for target_id in ("bennett2008_nw", "groff2011_foot_patrol", "uservoice2010_complaints"):
        changed = []
        for e in entries:
            if e.id == target_id:
                from dataclasses import replace

                from copath.evidence.registry import Effect

                e = replace(e, effect=Effect(e.effect.measure, {**e.effect.values, "value": 50}
                                             if "value" in e.effect.values else {"low": 40, "high": 50}))
            changed.append(e)
        moved = priors_for(flagship, cp.Evidence(changed))
        diffs = [name for name in base if base[name] != moved[name]]
        assert diffs == [evidence[target_id].link_name]


def test_listing_an_entry_on_the_wrong_link_is_refused(evidence):
    text = """
name: t
nodes:
  nw_coverage: {kind: exposure}
  foot_patrol: {kind: exposure}
  burglary: {kind: count}
links:
  - {from: nw_coverage, to: burglary}
  - {from: foot_patrol, to: burglary, evidence: [bennett2008_nw]}
outcomes: [burglary]
"""
    pw = cp.loads_pathway(text, source="wrong.yaml")
    with pytest.raises(cp.EvidenceError, match="belongs to link nw_coverage -> burglary"):
        link_entries(pw.link("foot_patrol", "burglary"), evidence, pw)


def test_entries_can_be_mapped_onto_a_users_own_node_names(evidence):
    text = """
name: mine
nodes:
  nhw: {kind: exposure}
  burg: {kind: count}
links:
  - {from: nhw, to: burg, evidence: [bennett2008_nw]}
outcomes: [burg]
"""
    pw = cp.loads_pathway(text)
    prior = cp.prior_for(pw.link("nhw", "burg"), evidence, pw)
    assert prior.sources == ("bennett2008_nw",) and prior.grade == "B"


def test_a_stated_direction_leans_the_prior_and_is_held_only_on_request(flagship, evidence):
    prior = cp.prior_for(flagship.link("restorative_justice", "reoffending"), evidence, flagship)
    # a systematic review (grade A) that gives only a direction: the link is weak all the same
    assert prior.weak and prior.grade == "A" and (prior.sign, prior.stated) == (0, -1)
    assert 0.6 < prior.prob_below_zero() < 0.8  # soft: the data may overturn it
    held = prior.held()
    assert held.sign == -1 and held.prob_below_zero() == 1.0 and held.quantiles([0.999])[0] < 0
    density_ratio = np.exp(held.logpdf(np.array([-1e-9]))[0] - held.logpdf(np.array([held.mu]))[0])
    assert density_ratio > 0.5  # a sign, not a size: values near zero stay likely


def test_the_sign_needs_agreement(evidence):
    from copath.evidence.priors import link_sign
    from copath.spec import Link

    entries = [evidence["behn2014_social_causes_burglary"]]  # a '+' direction
    assert link_sign(Link("a", "b"), entries)[0] == 1
    assert link_sign(Link("a", "b", direction="-"), entries)[0] == 0  # spec and registry disagree
    assert link_sign(Link("a", "b", contrast=-2.0), entries)[0] == -1  # per unit of the parent
    assert link_sign(Link("a", "b"), [])[0] == 0


def test_null_prior_centres_on_zero(flagship, evidence):
    prior = cp.prior_for(flagship.link("witness_support", "trials_collapsed"), evidence, flagship)
    assert prior.mu == 0 and prior.grade == "D" and prior.weak   # a qualitative null


def test_a_reviewed_null_is_graded_by_its_review_not_as_no_evidence(flagship, evidence):
    # Weisburd & Eck (2004): a review (A) of experiments, quasi-experiments and correlational
    # studies, one step down for risk of bias and one for indirectness: C, where it was E like
    # "no evidence". A null is an estimate of about zero, pooled like a sized one: the review's
    # mean, its own bias (a review, A, one step down for its risk of bias: B), tau once (prior),
    # then the link's grade C's shared bias (its indirectness is shared)
    link = flagship.link("beat_meetings", "burglary")
    prior = cp.prior_for(link, evidence, flagship)
    assert prior.mu == 0 and prior.grade == "C" and prior.weak
    expected = math.sqrt(0.1**2 + STUDY_BIAS_SD["B"] ** 2 + TAU_SCALE**2 + TRANSPORT_SD["C"] ** 2)
    assert prior.sigma * abs(link.contrast) == pytest.approx(expected, rel=1e-4)


def test_no_evidence_gives_the_weak_default(flagship, evidence):
    prior = cp.prior_for(flagship.link("road_casualties", "qol_citizens"), evidence, flagship)
    assert (prior.mu, prior.grade, prior.weak, prior.sign) == (0.0, None, True, 0)
    assert prior.sigma == DEFAULT_SD * flagship.nodes["qol_citizens"].scale  # a slope: in the node's scale
    ratio = cp.prior_for(flagship.link("confidence", "qol_citizens"), evidence, flagship)
    assert ratio.method == "default" and ratio.sign == 0


def test_a_hypothesised_sign_is_a_grade_e_direction_reading(flagship, evidence):
    """Figure 1's hypothesised arrows: grade E, read as a direction reading N(+0.3, 0.2) of one
    setting with grade E's own bias, tau for its setting and the new one, and grade E's shared
    bias: sd sqrt(0.2^2 + 0.4^2 + 2 x 0.5^2 + 0.3^2) = 0.889, 63% on the stated side (soft)."""
    prior = cp.prior_for(flagship.link("burglary", "worried"), evidence, flagship)
    expected = math.sqrt(0.2**2 + STUDY_BIAS_SD["E"] ** 2 + 2 * TAU_SCALE**2 + TRANSPORT_SD["E"] ** 2)
    assert (prior.grade, prior.weak, prior.sign, prior.stated) == ("E", True, 0, 1)
    assert prior.mu == pytest.approx(0.3) and prior.sigma == pytest.approx(expected, rel=1e-3)
    assert prior.method == "hypothesis" and prior.sources == ("fig1_crime_fear_burglary",)
    assert 1 - prior.prob_below_zero() == pytest.approx(norm.cdf(0.3 / expected), rel=1e-3)


def test_weaker_evidence_never_gives_a_narrower_prior():
    """Issue 27 review: a sized review < a direction from the same review < a sized study < a
    direction from a weaker study < a hypothesis, in prior sd; and for the same discordant
    studies the prior never narrows as their grade weakens (tau is read from the reported
    errors, so a study's own bias cannot explain the spread between studies away)."""
    from copath.evidence.conversions import Estimate
    from copath.evidence.priors import synthesise

    review_sized = synthesise([Estimate(-0.3, 0.05)], ["A"], ["meta-analysis"], "A").prior_sd
    review_direction = synthesise([Estimate(0.3, 0.2)], ["A"], ["meta-analysis"], "D").prior_sd
    trial = synthesise([Estimate(-0.3, 0.1)], ["B"], ["rct"], "B").prior_sd
    evaluation_direction = synthesise([Estimate(0.3, 0.2)], ["C"], ["evaluation"], "D").prior_sd
    hypothesis = synthesise([Estimate(0.3, 0.2)], ["E"], ["none"], "E").prior_sd
    assert review_sized < review_direction < trial < evaluation_direction < hypothesis
    rng = np.random.default_rng(0)
    for k in (2, 5, 10):
        ys = rng.normal(-0.3, 0.4, k)
        sds = [synthesise([Estimate(y, 0.1) for y in ys], [g] * k, ["rct"] * k, g).prior_sd for g in "ABCDE"]
        assert all(b > a for a, b in zip(sds, sds[1:], strict=False)), (k, sds)


def test_a_null_beside_a_sized_entry_is_pooled_with_it():
    text = """
- id: sized
  citation: "c"
  quote: "q"
  design: evaluation
  grade: C
  effect: {measure: rate_ratio, value: 0.6, low: 0.4, high: 0.9}
  link: {from: x, to: y}
- id: nothing
  citation: "c"
  quote: "q"
  design: meta-analysis
  grade: A
  effect: {measure: "null"}
  link: {from: x, to: y}
"""
    pw = cp.loads_pathway(XY)
    prior = cp.prior_for(pw.links[0], cp.loads_evidence(text), pw)
    assert prior.method == "pooled" and prior.synthesis.k == 2 and prior.grade == "A"
    assert math.log(0.6) < prior.mu < 0  # the grade-A null pulls the C study's estimate towards zero


def test_contrast_rescales_to_per_unit(flagship, evidence):
    link = flagship.link("beat_meetings", "confidence")
    prior = cp.prior_for(link, evidence, flagship)
    assert link.contrast == 2
    # per contrast (2 meetings a month) the prior is the direction reading; per meeting half of it
    assert prior.mu * link.contrast == pytest.approx(0.3)
    assert prior.mu == pytest.approx(0.15)


def test_several_sized_entries_are_pooled_to_a_predictive():
    text = """
- id: a
  citation: "c"
  quote: "q"
  design: evaluation
  grade: C
  effect: {measure: percent_reduction, value: 37}
  link: {from: x, to: y}
- id: b
  citation: "c"
  quote: "q"
  design: evaluation
  grade: C
  effect: {measure: percent_reduction, value: 55}
  link: {from: x, to: y}
"""
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
                          "links:\n  - {from: x, to: y, evidence: [a, b]}\noutcomes: [y]\n")
    prior = cp.prior_for(pw.links[0], cp.loads_evidence(text), pw)
    assert prior.method == "pooled"
    comps = prior.components
    assert len(comps) == 2
    # the predictive lies between the two readings and, with two studies, is narrower than one
    # study's prior but never below the shared-bias spread of grade C
    lo, hi = sorted(c["mean"] for c in comps)
    assert lo < prior.mu < hi
    one = math.sqrt(comps[0]["sd"] ** 2 + STUDY_BIAS_SD["C"] ** 2 + 2 * TAU_SCALE**2 + TRANSPORT_SD["C"] ** 2)
    assert TRANSPORT_SD["C"] < prior.sigma < one
    # two point values: their standard errors were assumed (0.15), so Q and I^2 would mean nothing
    assert prior.synthesis.k == 2 and prior.synthesis.q is None and prior.synthesis.i2 is None


def test_sized_entry_is_not_moved_by_corroborating_directions(flagship, evidence):
    prior = cp.prior_for(flagship.link("peer_mentoring", "reoffending"), evidence, flagship)
    assert prior.method == "single"
    # a 40% cut in a 25% reoffending risk: OR = 0.6 x 0.75 / (1 - 0.6 x 0.25) = 0.5294
    assert prior.mu == pytest.approx(math.log(0.6 * 0.75 / (1 - 0.6 * 0.25))) == pytest.approx(-0.63599, abs=1e-5)
    assert len(prior.sources) == 3
    # the grade is the sized entry's (C), not that of the direction-only review beside it (B)
    assert prior.grade == "C" and prior.weak
    # one evaluation (a single setting): its bias, tau twice (its own setting's and the new one's), the shared bias
    assert prior.sigma == pytest.approx(math.sqrt(prior.components[0]["sd"] ** 2 + STUDY_BIAS_SD["C"] ** 2
                                                  + 2 * TAU_SCALE**2 + TRANSPORT_SD["C"] ** 2), rel=1e-4)


def test_weaker_grade_gives_a_wider_prior():
    text = """
- id: e1
  citation: "c"
  quote: "q"
  design: meta-analysis
  grade: {grade}
  effect: {{measure: percent_reduction, value: 20}}
  link: {{from: x, to: y}}
"""
    pw = cp.loads_pathway(XY)
    sigmas = [cp.prior_for(pw.link("x", "y"), cp.loads_evidence(text.format(grade=g)), pw).sigma for g in "ABC"]
    assert sigmas[0] < sigmas[1] < sigmas[2]


def test_link_prior_round_trips_and_validates():
    p = LinkPrior("a -> b", -0.2, 0.3, "log odds ratio", grade="B", weak=False, sources=("s",))
    assert LinkPrior.from_dict(p.to_dict()) == p
    with pytest.raises(ValueError, match="sigma > 0"):
        LinkPrior("a -> b", 0.0, 0.0, "slope")
    with pytest.raises(ValueError, match="unknown scale"):
        LinkPrior("a -> b", 0.0, 1.0, "log hazard")


def test_prior_sd_does_not_grow_as_concordant_studies_are_added():
    # k identical grade-B randomised studies, log RR -0.3 with se 0.1 (issue 27): the sd falls as
    # studies agree but never below grade B's shared-bias spread, which concordance cannot shrink
    entry = """
- id: s{i}
  citation: "study {i}"
  link: {{from: x, to: y}}
  grade: B
  design: rct
  quote: "q"
  effect: {{measure: rate_ratio, low: 0.6089638, high: 0.9012221, interval: 0.95}}"""
    pw = cp.loads_pathway(XY)
    sds = [cp.prior_for(pw.links[0], cp.loads_evidence("".join(entry.format(i=i) for i in range(k))), pw).sigma
           for k in range(1, 11)]
    # one study: its se, its bias, tau for its setting and for the new one, the shared bias
    assert sds[0] == pytest.approx(math.sqrt(0.1**2 + STUDY_BIAS_SD["B"] ** 2 + 2 * TAU_SCALE**2
                                             + TRANSPORT_SD["B"] ** 2), rel=1e-3)
    assert all(b <= a + 1e-9 for a, b in zip(sds, sds[1:], strict=False)), sds
    assert min(sds) >= TRANSPORT_SD["B"]
    assert sds[-1] < sds[0] / 2  # ten concordant studies do teach that settings differ little


def test_focused_deterrence_is_read_from_the_word_medium_widely_and_graded_c(flagship, evidence):
    # "medium-sized": d between 0.2 and 0.8 as a 90% interval, log OR = d pi / sqrt 3 (Chinn 2000),
    # used as a log rate ratio; grade C (a review, two steps down): the review's mean, its own
    # bias (a review's, A: its downgrades are imprecision and indirectness, neither its own bias),
    # tau once and grade C's shared bias
    link = flagship.link("focused_deterrence", "violent_crime")
    prior = cp.prior_for(link, evidence, flagship)
    k = math.pi / math.sqrt(3)
    sd = 0.6 / (2 * norm.ppf(0.95)) * k
    assert prior.mu * link.contrast == pytest.approx(-0.5 * k) == pytest.approx(-0.9069, abs=1e-4)
    assert prior.sigma * abs(link.contrast) == pytest.approx(
        math.sqrt(sd**2 + STUDY_BIAS_SD["A"] ** 2 + TAU_SCALE**2 + TRANSPORT_SD["C"] ** 2), rel=1e-4)
    assert prior.grade == "C" and prior.weak


def test_a_grade_a_entry_outweighs_a_grade_d_one():
    """Issue 27's case: a grade-A estimate (log RR -0.3, se 0.1) pooled with a grade-D one (+0.3,
    se 0.1). With one tau prior for both and no bias terms the mean was 0.000, as if equally
    credible; with each study's own bias by its grade the mean lies nearer the grade-A figure."""
    text = """
- id: strong
  citation: "c"
  quote: "q"
  design: meta-analysis
  grade: A
  effect: {measure: rate_ratio, low: 0.6089638, high: 0.9012221}
  link: {from: x, to: y}
- id: weak
  citation: "c"
  quote: "q"
  design: evaluation
  grade: D
  downgrade: {risk_of_bias: "no comparison group"}
  effect: {measure: rate_ratio, low: 1.1096, high: 1.6421}
  link: {from: x, to: y}
"""
    pw = cp.loads_pathway(XY)
    prior = cp.prior_for(pw.links[0], cp.loads_evidence(text), pw)
    comps = {c["id"]: c["mean"] for c in prior.components}
    assert comps["strong"] == pytest.approx(-0.3, abs=1e-4) and comps["weak"] == pytest.approx(0.3, abs=1e-4)
    assert prior.synthesis.study_bias_sd == (STUDY_BIAS_SD["A"], STUDY_BIAS_SD["D"])
    assert prior.mu < -0.15  # nearer -0.3 than +0.3 by a clear margin


def test_an_entry_may_describe_another_change_of_the_parent_than_the_link():
    """A local study of coverage rising by 0.3 (20% to 50%) beside the link's contrast of 1
    (scheme absent -> present): its log rate ratio is per 0.3 of coverage, so for the link's
    contrast it is 1/0.3 times as large."""
    base = """
- id: local
  citation: "c"
  quote: "q"
  design: evaluation
  grade: C
  effect: {measure: rate_ratio, value: 0.9, low: 0.8, high: 1.0125}
  link: {from: x, to: y}
"""
    pw = cp.loads_pathway(XY)
    plain = cp.prior_for(pw.links[0], cp.loads_evidence(base), pw)
    scaled = cp.prior_for(pw.links[0], cp.loads_evidence(base + "  contrast: 0.3\n"), pw)
    assert scaled.components[0]["mean"] == pytest.approx(math.log(0.9) / 0.3)
    assert scaled.components[0]["sd"] == pytest.approx(plain.components[0]["sd"] / 0.3)
    from copath.errors import EvidenceError
    with pytest.raises(EvidenceError, match="field 'contrast'"):
        cp.loads_evidence(base + "  contrast: 0\n")
    assert cp.loads_evidence(base + "  contrast: 0.3\n")["local"].to_dict()["contrast"] == 0.3


def test_a_direction_stated_only_by_the_spec_is_a_hypothesis_with_no_registry_component():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
                          "links:\n  - {from: x, to: y, direction: '-'}\noutcomes: [y]\n")
    prior = cp.prior_for(pw.links[0], cp.loads_evidence("[]"), pw)
    assert prior.method == "hypothesis" and prior.stated == -1 and prior.mu == pytest.approx(-0.3)
    assert prior.components == () and prior.sources == () and prior.stated_by == "the spec"
    # a registry entry that happens to be called 'spec' is an entry like any other
    own = cp.loads_evidence('- {id: spec, citation: "c", quote: "q", design: evaluation, grade: C, '
                            'effect: {measure: rate_ratio, value: 0.8}, link: {from: x, to: y}}')
    assert [c["id"] for c in cp.prior_for(pw.links[0], own, pw).components] == ["spec"]
