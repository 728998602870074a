"""Pathway specs: the flagship model, validation errors, structure and drawing."""

from __future__ import annotations

import pytest

import copath as cp

BASE = """name: t
nodes:
  x: {kind: exposure, unit: share, range: [0, 1]}
  m: {kind: count, offset: households, per: 1000}
  p: {kind: proportion, trials: n}
  y: {kind: continuous}
links:
  - {from: x, to: m}
  - {from: m, to: p}
  - {from: p, to: y}
outcomes: [y]
"""


def test_flagship_model_is_complete(flagship):
    assert len(flagship.links) >= 18
    required = {
        "nw_coverage", "foot_patrol", "focused_deterrence", "beat_meetings", "citizen_alert",
        "witness_support", "peer_mentoring", "restorative_justice", "social_causes",
        "burglary", "violent_crime", "detection", "trials_collapsed", "reoffending",
        "worried", "confidence", "victim_satisfaction",
        "qol_citizens", "qol_victims", "qol_offenders",
    }
    assert required <= set(flagship.nodes)
    assert all(node.unit for node in flagship.nodes.values())
    assert set(flagship.outcomes) == {"qol_citizens", "qol_victims", "qol_offenders"}
    assert flagship.nodes["social_causes"].kind == "exposure"


def test_every_flagship_link_has_a_seed_comment(flagship):
    lines = open(flagship.source, encoding="utf-8").read().splitlines()
    for link in flagship.links:
        i = link.line - 2  # the line above the link (0-based)
        while lines[i].strip().startswith("- {from:"):  # links grouped under one comment
            i -= 1
        above = lines[i].strip()
        assert above.startswith("#") and len(above) > 20, f"{link.name} (line {link.line}) has no comment"


def test_loads_and_exposes_structure():
    pw = cp.loads_pathway(BASE)
    assert pw.link_names == ["x -> m", "m -> p", "p -> y"]
    assert pw.exposures == ["x"] and pw.endogenous == ["m", "p", "y"]
    assert pw.parents("p") == ["m"] and pw.children("m") == ["p"]
    g = pw.to_networkx()
    assert g.number_of_edges() == 3 and g.nodes["m"]["kind"] == "count"


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("  - {from: p, to: y}", "  - {from: p, to: z}", "link p -> z: unknown node 'z'"),
        ("  - {from: p, to: y}", "  - {from: p, to: y}\n  - {from: y, to: m}", "cycle: m -> p -> y -> m"),
        ("  - {from: p, to: y}", "  - {from: p, to: y}\n  - {from: x, to: m}", "link x -> m: duplicate link"),
        ("  - {from: p, to: y}", "  - {from: p, to: y}\n  - {from: y, to: x}", "links into an exposure"),
        ("y: {kind: continuous}", "y: {kind: ordinal}", "node y: unknown kind 'ordinal'"),
        ("m: {kind: count, offset: households, per: 1000}", "m: {kind: count, per: 1000}", "node m: a count node with 'per' needs an 'offset'"),
        ("p: {kind: proportion, trials: n}", "p: {kind: proportion}", "node p: a proportion node needs a 'trials'"),
        ("outcomes: [y]", "outcomes: [qol]", "outcome 'qol' is not a node"),
        ("y: {kind: continuous}", "y: {kind: continuous, ofset: z}", "unknown key 'ofset'"),
        ("range: [0, 1]", "range: [1, 0]", "low < high"),
        ("per: 1000", "per: lots", "'per' must be a finite number"),
        ("name: t", "name: t\nname: u", "key 'name': given twice"),
        ("links:", "links: [", "malformed YAML"),
        # a node may not take a name the model gives its own parameters, data or dimensions
        ("y: {kind: continuous}\nlinks:", "y: {kind: continuous}\n  area_sd: {kind: continuous}\nlinks:",
         "node area_sd: 'area_sd' is a name the model uses for its own parameters"),
        ("y: {kind: continuous}\nlinks:", "y: {kind: continuous}\n  sigma: {kind: continuous}\nlinks:",
         "node sigma: 'sigma' is a name the model uses"),
        ("y: {kind: continuous}\nlinks:", "y: {kind: continuous}\n  x_x: {kind: continuous}\nlinks:",
         "node x_x: 'x_x' is the model's name for the data of exposure 'x'"),
        ("y: {kind: continuous}\nlinks:", "y: {kind: continuous}\n  m_missing: {kind: continuous}\nlinks:",
         "the imputed values of 'm'"),
    ],
)
def test_invalid_specs_give_one_clear_error(old, new, match):
    assert old in BASE
    with pytest.raises(cp.SpecError) as info:
        cp.loads_pathway(BASE.replace(old, new), source="models/bad.yaml")
    message = str(info.value)
    assert message.startswith("models/bad.yaml")
    assert match in message
    assert "\n" not in message


def test_errors_give_the_line_of_the_link():
    text = BASE.replace("  - {from: p, to: y}", "  - {from: p, to: z}")
    with pytest.raises(cp.SpecError, match=r"line 10: link p -> z"):
        cp.loads_pathway(text, source="s.yaml")


def test_empty_and_non_mapping_files_are_refused(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(cp.SpecError, match="empty"):
        cp.load_pathway(empty)
    with pytest.raises(cp.SpecError, match="mapping"):
        cp.loads_pathway("- a\n- b\n")
    with pytest.raises(cp.SpecError, match="no file or bundled model"):
        cp.load_pathway("no_such_model")


def test_weak_links(flagship, evidence):
    weak = flagship.weak_links(evidence)
    assert "nw_coverage -> burglary" not in weak  # grade A
    assert "foot_patrol -> violent_crime" not in weak  # grade B
    assert "speedwatch -> road_casualties" in weak  # grade C
    assert "burglary -> worried" in weak  # no evidence
    # without a registry every link is weak
    assert flagship.weak_links(None) == flagship.link_names


def test_layers_run_from_exposures_to_final_outcomes(flagship):
    pos = flagship.layout()
    last = max(x for x, _ in pos.values())
    assert all(pos[n][0] == 0 for n in flagship.exposures)
    assert all(pos[o][0] == last for o in flagship.outcomes)
    for link in flagship.links:  # every link points rightwards
        assert pos[link.source][0] < pos[link.target][0]


def test_draw_dashes_weak_links(flagship, evidence):
    from matplotlib.patches import FancyArrowPatch

    fig = flagship.draw(evidence)
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(flagship.links)
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == len(flagship.weak_links(evidence))
    texts = {t.get_text().replace("\n", " ") for t in fig.axes[0].texts}
    assert "Residential burglaries" in texts


@pytest.mark.parametrize(
    "node, match",
    [
        ("y: {kind: continuous, link: logit}", "node y: 'link: logit' needs a 'range: [low, high]'"),
        ("y: {kind: continuous, range: [0, 10], link: probit}",
         "node y: link must be one of 'identity', 'logit'; got 'probit'"),
        ("y: {kind: continuous, range: [0, 10], link: logit, baseline: 10}",
         "node y: 'baseline' 10 must lie strictly inside the range [0, 10]"),
        ("y: {kind: continuous, range: [0, 10], link: 3}", "node y"),
    ],
)
def test_a_continuous_link_is_checked(node, match):
    with pytest.raises(cp.SpecError) as info:
        cp.loads_pathway(BASE.replace("y: {kind: continuous}", node), source="models/bad.yaml")
    assert match in str(info.value) and str(info.value).startswith("models/bad.yaml")
    with pytest.raises(cp.SpecError, match="node m: 'link: logit' is for a continuous node"):
        cp.loads_pathway(BASE.replace("m: {kind: count,", "m: {kind: count, range: [0, 9], link: logit,"))


def test_a_logit_link_round_trips_through_the_spec_mapping():
    from copath.spec.loader import pathway_from_dict, pathway_to_dict

    pw = cp.loads_pathway(BASE.replace("y: {kind: continuous}", "y: {kind: continuous, range: [0, 10], link: logit}"))
    doc = pathway_to_dict(pw)
    assert doc["nodes"]["y"]["link"] == "logit" and "link" not in doc["nodes"]["p"]  # the default is left out
    assert pathway_from_dict(doc).nodes["y"].coefficient_scale == "logit slope"
