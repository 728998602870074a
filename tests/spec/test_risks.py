"""Risks come from the pathway: the spec's own ``risks:`` (the flagship's are Table 1 of the seed
paper, quoted), checked field by field; and the generic threats to a causal reading, worded for
the pathway's own nodes."""

from __future__ import annotations

import html

import pytest

import copath as cp
from copath.errors import SpecError
from copath.reports.content import risks_section
from copath.reports.document import Document
from copath.reports.render_html import to_html
from copath.spec.loader import pathway_from_dict, pathway_to_dict
from copath.spec.risks import GENERIC_GROUP, generic_risks, survey_nodes
from tests.conftest import normalise

#: The analyst's pathway of issue 29 on the London attitude survey: two survey exposures ->
#: "treat everyone fairly" -> "good job locally", borough x year rows.
PAS = """name: pas_confidence
title: Contact, information, fairness and confidence (PAS)
index: [borough, month]
nodes:
  contact: {kind: exposure, label: Know how to contact their ward officer, unit: share of residents, range: [0, 1]}
  informed: {kind: exposure, label: Feel well informed about local policing, unit: share of residents, range: [0, 1]}
  fair:
    kind: proportion
    label: Police treat everyone fairly
    trials: n_eff
    given_as: share
    area_effects: true
  good_job:
    kind: proportion
    label: Police do a good job locally
    trials: n_eff
    given_as: share
    family: beta_binomial
    area_effects: true
    time: [trend]
links:
  - {from: contact, to: fair}
  - {from: informed, to: fair}
  - {from: fair, to: good_job}
  - {from: contact, to: good_job}
  - {from: informed, to: good_job}
outcomes: [good_job]
groups: borough
"""

TABLE1_GROUPS = ["Inefficient or ineffective practices", "Failure to conform to public governance principles",
                 "Illegal behaviours"]


def _page(pathway: cp.Pathway) -> str:
    return to_html(Document("risks", [risks_section(pathway)]))


def test_the_flagship_keeps_table_1_quoted_from_the_paper(flagship, seed_text):
    risks = flagship.risks
    assert len(risks) == 18  # Table 1: 8 + 7 + 3 types of dysfunction
    assert list(dict.fromkeys(r.group for r in risks)) == TABLE1_GROUPS
    assert [sum(r.group == g for r in risks) for g in TABLE1_GROUPS] == [8, 7, 3]
    assert {r.citation for r in risks} == {"Loeffler & Bovaird, Table 1"}
    for risk in risks:  # word for word; paragraphs the paper does not end with a full stop are joined by '; '
        for piece in risk.description.split("; "):
            assert normalise(piece) in seed_text, (risk.name, piece)
    transparency = next(r for r in risks if r.name == "Lack of transparency")
    assert "spying on neighbours" in transparency.description and transparency.nodes == ("nw_coverage",)


def test_the_flagships_report_lists_table_1_and_the_generic_threats(flagship):
    page = _page(flagship)
    for group in TABLE1_GROUPS:
        assert f"<h3>{html.escape(group)}</h3>" in page
    for risk in flagship.risks:
        assert f"<strong>{html.escape(risk.name)}</strong>" in page
    assert "Source: Loeffler &amp; Bovaird, Table 1" in page  # cited once, not per item
    assert "Vigilante behaviour by communities" in page
    assert f"<h3>{GENERIC_GROUP}</h3>" in page and "<strong>Unmeasured confounding</strong>" in page
    # the flagship's survey figures, read from their units ("share of survey respondents")
    assert survey_nodes(flagship) == ["worried", "confidence", "victim_satisfaction"]


def test_a_pathway_without_risks_gets_generic_threats_naming_its_nodes():
    pw = cp.loads_pathway(PAS)
    assert pw.risks == ()
    risks = {r.name: r for r in generic_risks(pw)}
    assert list(risks) == ["Unmeasured confounding", "Events common to a period", "Reverse causation",
                           "Measurement error in the exposures", "Shared respondents", "Spill-over between boroughs"]
    assert all(r.group == GENERIC_GROUP and r.citation for r in risks.values())
    confounding = risks["Unmeasured confounding"].description
    assert confounding.startswith("The exposures contact and informed are not assigned at random: boroughs and "
                                  "months that differ in them")
    assert "Area effects on fair and good_job absorb causes that stay constant within a borough" in confounding
    period = risks["Events common to a period"].description
    assert "Without effects of time: fair." in period
    assert "With only a season or a straight-line trend, which a one-off shock does not fit: good_job." in period
    assert risks["Reverse causation"].links == tuple(pw.link_names)
    error = risks["Measurement error in the exposures"]
    assert error.nodes == ("contact", "informed") and error.description.startswith("The exposures contact and informed")
    assert error.links == ("contact -> fair", "informed -> fair", "contact -> good_job", "informed -> good_job")
    shared = risks["Shared respondents"]
    assert shared.nodes == ("fair", "good_job") and shared.links == ("fair -> good_job",)
    assert "If contact and informed come from the same survey as their children" in shared.description
    assert "contact and informed in one borough are assumed not to change fair and good_job in another" in \
        risks["Spill-over between boroughs"].description

    page = _page(pw)
    assert "lists no risks of its own" in page
    for name in risks:
        assert f"<strong>{name}</strong>" in page
    # none of the co-production paper's dysfunctions
    flagship = cp.load_pathway("policing_coproduction")
    for risk in flagship.risks:
        assert html.escape(risk.name) not in page and html.escape(risk.description[:40]) not in page
    for word in ("Neighbourhood Watch", "ilante", "spying", "Loeffler", "co-production"):
        assert word not in page


def test_the_generic_threats_follow_the_spec():
    # one index column: no period, so no threat from events common to a period; a continuous parent
    # counts as measured without error; a single survey figure cannot share respondents with another
    pw = cp.loads_pathway("""name: t
index: [lsoa]
nodes:
  x: {kind: exposure}
  c: {kind: continuous}
  p: {kind: proportion, trials: surveyed, unit: share of survey respondents}
links:
  - {from: x, to: c}
  - {from: c, to: p}
outcomes: [p]
""")
    risks = {r.name: r for r in generic_risks(pw)}
    assert list(risks) == ["Unmeasured confounding", "Reverse causation", "Measurement error in the exposures",
                           "Shared respondents", "Spill-over between lsoas"]
    assert risks["Measurement error in the exposures"].description.startswith(
        "The exposure x and the continuous node c (whose children see its observed value) enter their children's")
    assert risks["Shared respondents"].description.startswith("Fewer than two nodes look like survey figures")
    assert "No node has area effects" in risks["Unmeasured confounding"].description
    assert survey_nodes(pw) == ["p"]


def test_risks_round_trip_through_the_spec_mapping_and_with_nodes(flagship):
    again = pathway_from_dict(pathway_to_dict(flagship))
    assert again.risks == flagship.risks
    assert flagship.with_nodes({"nw_coverage": {"reference": 0.0}}).risks == flagship.risks
    assert "risks" not in pathway_to_dict(cp.loads_pathway(PAS))


def _with_risks(entries: str) -> str:
    return PAS + "risks:\n" + entries


@pytest.mark.parametrize(("entries", "message"), [
    ("  - {name: Displacement, descripton: crime moves next door}\n",
     "line 30: risks[0] (Displacement): unknown key 'descripton' (allowed: citation, description, group, links, "
     "name, nodes)"),
    ("  - {name: Displacement}\n",
     "line 30: risks[0] (Displacement): missing 'description' (a risk needs a name and a description)"),
    ("  - {description: crime moves next door}\n",
     "line 30: risks[0]: missing 'name' (a risk needs a name and a description)"),
    ("  - {name: Displacement, description: '  '}\n", "line 30: risks[0] (Displacement): 'description' must not be empty"),
    ("  - {name: Displacement, description: moves, nodes: [contact, burglary]}\n",
     "line 30: risks[0] (Displacement): 'nodes' names unknown node 'burglary' (nodes: contact, informed, fair, "
     "good_job)"),
    ("  - {name: A, description: b}\n  - {name: Displacement, description: moves, links: ['good_job -> contact']}\n",
     "line 31: risks[1] (Displacement): 'links' names unknown link 'good_job -> contact' (write it as 'from -> to'"),
    ("  - {name: Displacement, description: moves, nodes: 3}\n",
     "line 30: risks[0] (Displacement): 'nodes' must be a list of node names, got 3"),
    ("  - {name: Displacement, description: moves, citation: [a, b]}\n",
     "line 30: risks[0] (Displacement): 'citation' must be text, got ['a', 'b']"),
    ("  - just a sentence\n", "risks[0]: a risk must be a mapping {name: ..., description: ...}"),
])
def test_a_bad_risk_gets_one_error_naming_its_line_and_field(entries, message):
    with pytest.raises(SpecError) as err:
        cp.loads_pathway(_with_risks(entries), source="pas.yaml")
    assert str(err.value).startswith("pas.yaml") and message in str(err.value), str(err.value)


def test_risks_must_be_a_list():
    with pytest.raises(SpecError, match=r"risks: 'risks' must be a list of \{name: \.\.\., description: \.\.\.\}"):
        cp.loads_pathway(PAS + "risks: {name: a, description: b}\n")


def test_a_risk_may_name_links_with_or_without_spaces():
    pw = cp.loads_pathway(_with_risks("  - {name: Displacement, description: moves, links: ['contact->fair'], "
                                      "nodes: contact, group: Spill-over, citation: local review}\n"))
    risk = pw.risks[0]
    assert (risk.links, risk.nodes, risk.group, risk.citation) == (("contact -> fair",), ("contact",), "Spill-over",
                                                                    "local review")
    page = _page(pw)
    assert "<h3>Spill-over</h3>" in page and "moves (concerns contact, contact -&gt; fair)" in page


def test_the_threats_use_the_index_names_and_agree_in_number():
    pw = cp.loads_pathway("name: t\nindex: [city, year]\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
                          "links: [{from: x, to: y}]\n")
    risks = {r.name: r.description for r in generic_risks(pw)}
    assert risks["Unmeasured confounding"].startswith("The exposure x is not assigned at random: cities and years that "
                                                      "differ in it differ")
    assert "(the rows sharing a year value:" in risks["Events common to a period"]
    assert "x in one city is assumed not to change y in another" in risks["Spill-over between cities"]
    assert "If x comes from the same survey as its children" in risks["Shared respondents"]


def test_links_read_within_areas_are_not_said_to_leak_area_level_causes():
    # an analyst trial (2026-12-08): with 'within: true' on every link from the exposure, the risk
    # still said the random effects let a cause behind both leak into the links
    spec = ("name: w\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, area_effects: true}\n"
            "  z: {kind: count, area_effects: true}\nlinks:\n  - {from: x, to: y, within: true}\n"
            "  - {from: x, to: z}\noutcomes: [y, z]\n")
    text = {r.name: r for r in generic_risks(cp.loads_pathway(spec))}["Unmeasured confounding"].description
    assert "Area effects on z absorb causes" in text and "leaks into the links" in text
    assert "The links from exposures into y are read within areas" in text
    assert "Area effects on y" not in text
