"""The evidence registry: completeness against the seed paper, and refusal of bad entries."""

from __future__ import annotations

import pytest

import copath as cp
from copath.errors import EvidenceError
from copath.evidence.registry import MEASURES, loads_evidence
from tests.conftest import normalise


def test_registry_has_at_least_30_entries(evidence):
    assert len(evidence) >= 30


def test_every_quote_is_verbatim_from_the_seed(evidence, seed_text):
    missing = [e.id for e in evidence if normalise(e.quote) not in seed_text]
    assert missing == []


def test_every_effect_entry_sits_on_a_flagship_link(evidence, flagship):
    links = {(link.source, link.target) for link in flagship.links}
    off = [e.id for e in evidence if e.link is not None and e.link not in links]
    assert off == []
    nodes_off = [e.id for e in evidence if e.node is not None and e.node not in flagship.nodes]
    assert nodes_off == []


def test_base_rates_say_what_they_inform(evidence):
    base = [e for e in evidence if e.role == "base_rate"]
    assert len(base) >= 8
    assert all(e.informs for e in base)


# every quantitative effect the seed reports, as (measure, field, value)
SEED_FIGURES = [
    ("bennett2008_nw", "percent_reduction", {"low": 16, "high": 26}),
    ("groff2011_foot_patrol", "percent_reduction", {"value": 23}),
    ("probono2010_through_the_gates", "percent_reduction", {"value": 40}),
    ("milton2016_speedwatch", "percent_reduction", {"value": 35, "control": 22}),
    ("bbc2016_trials_crown", "proportion", {"value": 2.1}),
    ("bbc2016_trials_magistrates", "proportion", {"value": 6.8}),
    ("meijer2012_citizennet_signup", "proportion", {"value": 4.6}),
    ("meijer2012_cases_solved", "proportion", {"value": 9}),
    ("weaver2012_routes_out_of_prison", "proportion", {"value": 43}),
    ("uservoice2010_complaints", "percent_reduction", {"value": 37}),
    ("uservoice2010_segregation", "before_after", {"before": 160, "after": 47}),
    ("ons2015_perceived_rise", "proportion", {"value": 60}),
    ("gallup_crime_worse_2000s", "proportion", {"low": 53, "high": 74}),
    ("loeffler2008_watch_neighbour", "proportion", {"value": 40}),
    ("bennett2008_nw_votes", "proportion", {"successes": 19, "trials": 25}),
    ("foundation4life_facilitators", "proportion", {"value": 9}),
]


@pytest.mark.parametrize("entry_id, measure, values", SEED_FIGURES)
def test_seed_figures_are_recorded(evidence, entry_id, measure, values):
    entry = evidence[entry_id]
    assert entry.effect.measure == measure
    for key, value in values.items():
        assert entry.effect.get(key) == value


def test_directional_and_null_findings_are_recorded(evidence):
    assert evidence["zhao2002_meetings_fear"].effect.get("sign") == "-"
    assert evidence["bazemore2007_rj_recidivism"].effect.get("sign") == "-"
    assert evidence["braga2012_focused_deterrence"].effect.measure == "cohens_d"
    for null_id, grade in (("musso2019_no_cost_relationship", "D"), ("weisburd2004_no_crime_cut", "C")):
        assert evidence[null_id].effect.measure == "null"
        assert evidence[null_id].grade == grade   # graded by the study: a null is not "no evidence"
    meadows = evidence["meadows2012_rj_reconviction"]
    assert meadows.grade == "D" and "not quite statistically significant" in meadows.quote


def test_every_measure_is_used(evidence):
    used = {e.effect.measure for e in evidence}
    assert used >= set(MEASURES) - {"rate_ratio", "odds_ratio"}


def test_round_trip_through_dict(evidence):
    from copath.evidence.registry import entry_from_dict

    for entry in evidence:
        again = entry_from_dict(entry.to_dict(), source=entry.source)
        assert again.to_dict() == entry.to_dict()


GOOD = """
- id: x1
  citation: "A (2020)"
  quote: "q"
  design: evaluation
  grade: C
  effect: {measure: percent_reduction, value: 10}
  link: {from: a, to: b}
"""


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("grade: C", "grade: F", "field 'grade': must be one of A, B, C, D, E"),
        ("design: evaluation", "design: anecdote", "field 'design'"),
        ("value: 10}", "value: 120}", "below 100%"),
        ("value: 10}", "value: ten}", "field 'effect.value': must be a finite number"),
        ("measure: percent_reduction", "measure: vibes", "unknown measure 'vibes'"),
        ("value: 10}", "low: 30, high: 10}", "low (30) is above high (10)"),
        ("  link: {from: a, to: b}\n", "", "exactly one of 'link'"),
        ('  quote: "q"\n', "", "field 'quote': missing"),
        ("grade: C", "grade: C\n  colour: red", "unknown key"),
        ("{measure: percent_reduction, value: 10}", "{measure: proportion, successes: 5, trials: 3}", "successes <= trials"),
        ("{measure: percent_reduction, value: 10}", "{measure: before_after, before: -1, after: 3}", "positive"),
    ],
)
def test_malformed_entries_are_refused_with_the_field(old, new, match):
    assert old in GOOD
    with pytest.raises(cp.EvidenceError, match=match.replace("(", r"\(").replace(")", r"\)")) as info:
        loads_evidence(GOOD.replace(old, new), source="bad.yaml")
    assert str(info.value).startswith("bad.yaml")
    assert "entry x1" in str(info.value) or "entry #1" in str(info.value)


def test_duplicate_ids_and_keys_are_refused():
    with pytest.raises(cp.EvidenceError, match="duplicate id"):
        loads_evidence(GOOD + GOOD.replace("x1", "x1"), source="dup.yaml")
    with pytest.raises(cp.CopathError, match="given twice"):
        loads_evidence(GOOD.replace("grade: C", "grade: C\n  grade: B"), source="dup.yaml")


def test_unsafe_yaml_tags_are_refused():
    with pytest.raises(cp.EvidenceError, match="malformed YAML"):
        loads_evidence("- !!python/object/apply:os.system ['echo hi']\n", source="evil.yaml")


def test_every_bundled_grade_is_its_design_lowered_by_its_recorded_reasons(evidence):
    from copath.constants import DESIGN_GRADE, DOWNGRADE_DOMAINS, UPGRADE_DOMAINS, expected_grade

    for e in evidence:
        if e.role == "effect":
            assert e.grade == expected_grade(e.design, e.sms, e.downgrade, e.upgrade), e.id
            assert set(e.downgrade) <= set(DOWNGRADE_DOMAINS) and all(r.strip() for r in e.downgrade.values())
            assert set(e.upgrade) <= set(UPGRADE_DOMAINS) and all(r.strip() for r in e.upgrade.values())
    # the entries the issue named: a reviewed null is not "no evidence"; "medium-sized" is a word
    assert evidence["weisburd2004_no_crime_cut"].grade == "C" and DESIGN_GRADE["systematic-review"] == "A"
    assert set(evidence["weisburd2004_no_crime_cut"].downgrade) == {"risk_of_bias", "indirectness"}
    assert evidence["braga2012_focused_deterrence"].grade == "C"
    assert set(evidence["braga2012_focused_deterrence"].downgrade) == {"imprecision", "indirectness"}
    assert evidence["umbreit2008_vom_recidivism"].grade == "A"   # >50 studies, direction only


def test_a_grade_above_what_the_design_allows_is_refused_and_a_downgrade_needs_its_reason():
    base = ("- id: e1\n  citation: c\n  quote: q\n  design: evaluation\n  grade: {g}\n{extra}"
            "  effect: {{measure: percent_reduction, value: 20}}\n  link: {{from: a, to: b}}\n")
    with pytest.raises(EvidenceError, match=r"entry e1: field 'grade': design 'evaluation' starts at grade C and 0 "
                                            r"recorded downgrade\(s\) allow at most C, not B"):
        loads_evidence(base.format(g="B", extra=""))
    assert loads_evidence(base.format(g="D", extra="  downgrade: {imprecision: one site}\n"))["e1"].downgrade == {
        "imprecision": "one site"}
    with pytest.raises(EvidenceError, match="downgrade.*unknown domain 'bias'"):
        loads_evidence(base.format(g="D", extra="  downgrade: {bias: x}\n"))
    with pytest.raises(EvidenceError, match="domain 'imprecision' needs its reason"):
        loads_evidence(base.format(g="D", extra="  downgrade: {imprecision: ''}\n"))
    round_trip = loads_evidence(base.format(g="D", extra="  downgrade: {imprecision: one site}\n"))["e1"].to_dict()
    assert round_trip["downgrade"] == {"imprecision": "one site"}


# ---------------------------------------------------------------------------- the field's own ratings
RATED = """
- id: r1
  citation: "A (2020)"
  quote: "q"
  design: evaluation
  grade: C
  sms: 2
  upgrade: {dose_response: "more patrols, fewer crimes, in steps"}
  effect: {measure: percent_reduction, value: 10}
  link: {from: a, to: b}
  emmie:
    url: "https://example.org/toolkit/x"
    intervention: Patrols
    effect: {impact: "Overall reduction", rating: "Strong", quote: "it reduced crime"}
    mechanism: {rating: "Low"}
"""

UP = '  upgrade: {dose_response: "more patrols, fewer crimes, in steps"}\n'


@pytest.mark.parametrize(
    "old, new, field, match",
    [
        ("sms: 2", "sms: 6", "sms", "must be a Maryland SMS level, a whole number from 1 to 5, got 6"),
        ("sms: 2", "sms: two", "sms", "must be a Maryland SMS level"),
        ("sms: 2", "sms: true", "sms", "must be a Maryland SMS level"),
        ("design: evaluation\n  grade: C\n  sms: 2\n" + UP, "design: rct\n  grade: C\n  sms: 2\n", "sms",
         "SMS 2 (before/after without a comparison group, or with one not shown to be comparable) does not fit "
         "design 'rct', which is SMS 4, 5"),
        ("design: evaluation\n  grade: C\n  sms: 2\n" + UP, "design: meta-analysis\n  grade: C\n  sms: 2\n", "sms",
         "the SMS rates one quantitative evaluation and design 'meta-analysis' takes no level"),
        ("    mechanism:", "    mechanisms:", "emmie", "unknown key 'mechanisms'"),
        ('    url: "https://example.org/toolkit/x"\n', "", "emmie.url", "required, in text"),
        ('"https://example.org/toolkit/x"', '"toolkit page 3"', "emmie.url", "must be the toolkit page's web address"),
        ('{rating: "Low"}', '{quote: "how it works"}', "emmie.mechanism",
         "must be a mapping with the toolkit's 'rating'"),
        ('{rating: "Low"}', '{rating: "Low", stars: 2}', "emmie.mechanism", "unknown key 'stars'"),
        ('{rating: "Low"}', '{rating: 2}', "emmie.mechanism.rating", "must be text, as the toolkit page states it"),
        ("upgrade: {dose_response:", "upgrade: {big_effect:", "upgrade", "unknown domain 'big_effect'"),
        ("design: evaluation\n  grade: C\n  sms: 2", "design: rct\n  grade: B\n  sms: 5", "upgrade",
         "design 'rct' at SMS 5 starts at grade B, the grade of a randomised or well-controlled study, which an "
         "upgraded single study cannot pass"),
        ("design: evaluation\n  grade: C\n  sms: 2", "design: systematic-review\n  grade: A", "upgrade",
         "design 'systematic-review' starts at grade A"),
        ("design: evaluation\n  grade: C\n  sms: 2", "design: qualitative\n  grade: D", "upgrade",
         "design 'qualitative' is not"),
        ("grade: C", "grade: A", "grade",
         "design 'evaluation' at SMS 2 starts at grade C and 0 recorded downgrade(s) and 1 upgrade(s) allow at "
         "most B, not A"),
        ("  sms: 2\n" + UP, "  sms: 1\n", "grade",
         "design 'evaluation' at SMS 1 starts at grade D and 0 recorded downgrade(s) allow at most D, not C"),
    ],
)
def test_bad_ratings_are_refused_naming_the_field(old, new, field, match):
    assert old in RATED
    with pytest.raises(EvidenceError) as info:
        loads_evidence(RATED.replace(old, new), source="rated.yaml")
    message = str(info.value)
    assert message.startswith("rated.yaml, line 2: entry r1: ")
    assert f"field {field!r}: " in message and match in message, message


def test_a_well_formed_rated_entry_loads_and_round_trips():
    import yaml

    from copath.evidence.registry import entry_from_dict

    entry = loads_evidence(RATED)["r1"]
    assert entry.sms == 2 and entry.upgrade == {"dose_response": "more patrols, fewer crimes, in steps"}
    assert entry.emmie.url == "https://example.org/toolkit/x" and entry.emmie.intervention == "Patrols"
    assert entry.emmie.ratings["effect"].describe() == "Overall reduction; Strong"
    assert entry.emmie.ratings["effect"].quote == "it reduced crime"
    assert set(entry.emmie.ratings) == {"effect", "mechanism"}   # what the page does not state stays absent
    d = entry.to_dict()
    assert d["sms"] == 2 and d["upgrade"] == {"dose_response": "more patrols, fewer crimes, in steps"}
    assert d["emmie"] == {"url": "https://example.org/toolkit/x", "intervention": "Patrols",
                          "effect": {"rating": "Strong", "impact": "Overall reduction", "quote": "it reduced crime"},
                          "mechanism": {"rating": "Low"}}
    assert entry_from_dict(d).to_dict() == d
    again = loads_evidence(yaml.safe_dump([d], sort_keys=False))["r1"]
    assert again.to_dict() == d and again.emmie == entry.emmie
    plain = loads_evidence(GOOD)["x1"].to_dict()
    assert not {"sms", "emmie", "upgrade"} & set(plain)   # absent ratings are not written as empty


@pytest.mark.parametrize(
    "design, sms, down, up, grade",
    [
        ("rct", 5, 0, 0, "B"),                      # randomised: the design's B
        ("quasi-experiment", 4, 0, 0, "B"),         # well-controlled: B either way
        ("quasi-experiment", 2, 0, 0, "C"),         # a non-comparable comparison: SMS 2 lowers B to C
        ("evaluation", 3, 0, 0, "C"),               # SMS 3 starts at C, no higher than the design
        ("evaluation", 1, 1, 0, "E"),               # a correlation starts at D, one step down
        ("evaluation", 2, 0, 1, "B"),               # one step up from C
        ("survey", None, 0, 3, "B"),                # three steps up from C stop at B, a randomised study's grade
        ("evaluation", 2, 5, 0, "E"),               # five steps down from C stop at E
        ("meta-analysis", None, ["publication_bias"], 0, "B"),
        ("systematic-review", None, ["risk_of_bias", "inconsistency"], 0, "C"),
        ("survey", 1, ["indirectness"], ["large_effect"], "D"),
    ],
)
def test_the_grade_follows_from_design_sms_and_reasons(design, sms, down, up, grade):
    from copath.constants import expected_grade

    assert expected_grade(design, sms, down, up) == grade


def test_publication_bias_is_a_downgrade_reason():
    base = ("- id: e1\n  citation: c\n  quote: q\n  design: meta-analysis\n  grade: {g}\n"
            "  downgrade: {{publication_bias: \"small studies only, funnel plot asymmetric\"}}\n"
            "  effect: {{measure: percent_reduction, value: 20}}\n  link: {{from: a, to: b}}\n")
    assert loads_evidence(base.format(g="B"))["e1"].downgrade == {
        "publication_bias": "small studies only, funnel plot asymmetric"}
    with pytest.raises(EvidenceError, match="allow at most B, not A"):
        loads_evidence(base.format(g="A"))


def test_bundled_sms_levels_fit_their_designs_and_the_unclear_ones_say_why(evidence):
    from copath.constants import SMS_DESIGNS

    assert evidence["groff2011_foot_patrol"].sms == 5          # "a controlled experiment"
    assert evidence["milton2016_speedwatch"].sms == 2          # before/after against the national fall
    assert evidence["uservoice2010_complaints"].sms == 2       # before/after at one site
    rated = [e for e in evidence if e.sms is not None]
    assert all(e.sms in SMS_DESIGNS[e.design] for e in rated)
    # every effect reading from a design the scale rates has a level, or a note saying why not
    unsaid = [e.id for e in evidence if e.link and SMS_DESIGNS[e.design] and e.sms is None and "No sms" not in e.note]
    assert unsaid == []
    assert "No sms" in evidence["probono2010_through_the_gates"].note


def test_every_emmie_rating_is_quoted_from_a_toolkit_page_with_its_address(evidence):
    from copath.constants import EMMIE_DIMENSIONS

    rated = {e.id: e.emmie for e in evidence if e.emmie is not None}
    assert set(rated) >= {"bennett2008_nw", "groff2011_foot_patrol", "braga2012_focused_deterrence",
                          "ross2011_mentoring", "bazemore2007_rj_recidivism"}
    for entry_id, emmie in rated.items():
        assert emmie.url.startswith(("http://", "https://")) and "college.police.uk" in emmie.url, entry_id
        assert emmie.intervention.strip() and emmie.ratings, entry_id
        assert set(emmie.ratings) <= set(EMMIE_DIMENSIONS), entry_id
        assert all(r.rating.strip() for r in emmie.ratings.values()), entry_id
    # the quotes are the toolkit's, not the seed's: each says what the toolkit page says
    nw = rated["bennett2008_nw"]
    assert nw.url.endswith("InterventionID=8") and nw.intervention == "Neighbourhood watch"
    assert nw.ratings["effect"].rating == "Evidence quality 3"
    assert nw.ratings["effect"].quote == "Overall, the evidence suggests that neighbourhood watch can reduce crime."
    assert rated["braga2012_focused_deterrence"].ratings["economic_cost"].rating == "No information"
    assert "quote" not in rated["bazemore2007_rj_recidivism"].ratings["effect"].to_dict()


def test_to_frame_has_the_sms_level_and_the_emmie_effect(evidence):
    table = evidence.to_frame().set_index("id")
    assert table.loc["groff2011_foot_patrol", "sms"] == 5
    assert table["sms"].isna().sum() == sum(e.sms is None for e in evidence)
    assert table.loc["bennett2008_nw", "emmie_effect"] == "Evidence quality 3"
    assert table.loc["braga2012_focused_deterrence", "emmie_effect"] == "Overall reduction; Very strong"
    assert table.loc["weisburd2004_no_crime_cut", "emmie_effect"] == ""


def test_the_report_evidence_table_shows_sms_and_emmie(evidence, flagship):
    from types import SimpleNamespace

    from copath.evidence.priors import priors_for
    from copath.reports import content
    from copath.reports.document import Table

    record = SimpleNamespace(pathway=flagship, evidence=evidence, priors=priors_for(flagship, evidence))
    tables = [b for b in content.evidence_section(record).blocks if isinstance(b, Table)]
    table = next(t for t in tables if t.caption == "Evidence per link: citation and verbatim quote").frame
    assert {"sms", "emmie"} <= set(table.columns)
    row = table[table["id"] == "groff2011_foot_patrol"].iloc[0]
    assert row["sms"] == 5
    assert row["emmie"].startswith("Hot spots policing: effect Evidence quality 4")
    assert "InterventionID=46" in row["emmie"]
    assert table[table["id"] == "weisburd2004_no_crime_cut"].iloc[0]["emmie"] == "-"


# ---------------------------------------------------------------------------- GRADE's limits on rating up
def _entry(design="evaluation", grade="C", extra="", effect="{measure: percent_reduction, value: 60}"):
    return (f"- id: g1\n  citation: c\n  quote: q\n  design: {design}\n  grade: {grade}\n{extra}"
            f"  effect: {effect}\n  link: {{from: a, to: b}}\n")


def _refused(text: str, field: str, *parts: str) -> str:
    with pytest.raises(EvidenceError) as info:
        loads_evidence(text, source="g.yaml")
    message = str(info.value)
    assert message.startswith("g.yaml, line 1: entry g1: ") and f"field {field!r}: " in message, message
    assert all(part in message for part in parts), message
    return message


TWO_UP = '  upgrade: {large_effect: "halved", dose_response: "more patrols, fewer crimes"}\n'


def test_an_upgraded_single_study_stops_at_b_the_grade_of_a_randomised_one():
    from copath.constants import UPGRADE_CEILING, expected_grade

    assert UPGRADE_CEILING == "B"
    assert expected_grade("evaluation", upgrades=["large_effect", "dose_response"]) == "B"
    assert expected_grade("survey", None, 0, 3) == "B"
    assert expected_grade("evaluation", 1, 0, 3) == "B"            # from D, three steps, stop at B
    assert expected_grade("evaluation", 1, 0, 1) == "C"            # from D, one step
    assert expected_grade("meta-analysis", None, 1, 0) == "B"      # only a review is A
    assert loads_evidence(_entry(grade="B", extra=TWO_UP))["g1"].grade == "B"
    _refused(_entry(grade="A", extra=TWO_UP), "grade", "allow at most B, not A",
             "an upgraded single study stops at B, the grade of a randomised or well-controlled study")


def test_no_upgrade_beside_a_downgrade_for_risk_of_bias():
    extra = '  downgrade: {risk_of_bias: "areas chose themselves"}\n  upgrade: {dose_response: "in steps"}\n'
    _refused(_entry(grade="C", extra=extra), "upgrade", "risk_of_bias", "methodologically rigorous")
    ok = '  downgrade: {imprecision: "one site"}\n  upgrade: {dose_response: "in steps"}\n'
    assert loads_evidence(_entry(grade="C", extra=ok))["g1"].grade == "C"


LARGE = '  upgrade: {large_effect: "a big fall"}\n'


@pytest.mark.parametrize(
    "effect, rr",
    [
        ("{measure: percent_reduction, value: 30}", "0.70"),
        ("{measure: percent_reduction, low: 20, high: 40}", "0.69"),        # centre of the log range
        ("{measure: percent_reduction, value: 60, control: 30}", "0.57"),   # against the comparison's fall
        ("{measure: percent_reduction, value: -80}", "1.80"),               # an 80% rise
        ("{measure: rate_ratio, value: 1.5, low: 1.1, high: 2.5}", "1.50"),  # the value, not the interval
        ("{measure: odds_ratio, value: 0.6}", "0.60"),
    ],
)
def test_large_effect_needs_a_relative_risk_of_at_least_two_or_at_most_a_half(effect, rr):
    _refused(_entry(grade="B", extra=LARGE, effect=effect), "upgrade.large_effect",
             f"RR {rr}", "inside (0.5, 2)", "GRADE guidelines: 9")


@pytest.mark.parametrize(
    "effect",
    [
        "{measure: percent_reduction, value: 50}",                 # RR 0.5: two-fold, on the line
        "{measure: percent_reduction, low: 40, high: 60}",         # centre RR 0.49
        "{measure: percent_reduction, value: -150}",               # RR 2.5
        "{measure: rate_ratio, value: 2}",
        "{measure: rate_ratio, low: 0.1, high: 0.4}",
        "{measure: odds_ratio, value: 0.3}",
        "{measure: cohens_d, value: 0.2}",                         # not a ratio: not checked here
        "{measure: before_after, before: 100, after: 80}",         # counts: not checked here
    ],
)
def test_large_effect_beyond_the_threshold_or_without_a_ratio_loads(effect):
    entry = loads_evidence(_entry(grade="B", extra=LARGE, effect=effect))["g1"]
    assert entry.upgrade == {"large_effect": "a big fall"}


UP = '  upgrade: {dose_response: "in steps"}\n'


def test_whether_a_study_may_be_rated_up_follows_its_starting_grade():
    from copath.constants import can_upgrade

    assert can_upgrade("quasi-experiment", 3) and can_upgrade("quasi-experiment", 2)
    assert can_upgrade("evaluation", 3) and can_upgrade("evaluation", 1) and can_upgrade("survey")
    assert not can_upgrade("quasi-experiment", 4) and not can_upgrade("rct", 5) and not can_upgrade("rct")
    assert not can_upgrade("meta-analysis") and not can_upgrade("qualitative") and not can_upgrade("none")
    entry = loads_evidence(_entry("quasi-experiment", "B", "  sms: 3\n" + UP))["g1"]
    assert entry.grade == "B" and entry.sms == 3
    _refused(_entry("quasi-experiment", "B", "  sms: 4\n" + UP), "upgrade",
             "design 'quasi-experiment' at SMS 4 starts at grade B")


def test_a_quasi_experiment_without_its_sms_level_starts_at_c():
    from copath.constants import DESIGN_GRADE, starting_grade

    assert DESIGN_GRADE["quasi-experiment"] == "C"
    assert starting_grade("quasi-experiment") == "C" == starting_grade("quasi-experiment", 3)
    assert starting_grade("quasi-experiment", 4) == "B" and starting_grade("quasi-experiment", 2) == "C"
    assert starting_grade("evaluation", 3) == "C" and starting_grade("rct") == "B" == starting_grade("rct", 4)
    assert loads_evidence(_entry("quasi-experiment", "B", "  sms: 4\n"))["g1"].grade == "B"
    assert loads_evidence(_entry("quasi-experiment", "C"))["g1"].grade == "C"
    _refused(_entry("quasi-experiment", "B"), "grade", "design 'quasi-experiment' starts at grade C",
             "allow at most C, not B", "sms: 4")


def test_an_upgrade_on_a_review_is_refused_as_moot_not_as_outside_grade():
    message = _refused(_entry("systematic-review", "A", UP), "upgrade",
                       "design 'systematic-review' starts at grade A", "moot")
    assert "observational evidence only" not in message


def test_your_own_studies_are_added_to_the_bundled_registry(tmp_path, flagship):
    own = tmp_path / "mine.yaml"
    own.write_text("""
- id: local_eval
  citation: "Local evaluation"
  quote: "burglary fell"
  design: evaluation
  grade: C
  effect: {measure: rate_ratio, value: 0.8, low: 0.65, high: 0.98}
  link: {from: nw_coverage, to: burglary}
""")
    ev = cp.load_evidence(extra=[own])
    assert len(ev) == len(cp.load_evidence()) + 1
    prior = cp.prior_for(flagship.link("nw_coverage", "burglary"), ev, flagship)
    assert prior.synthesis.k == 2 and prior.synthesis.tau_estimated  # a review's mean beside a study informs tau
    assert prior.sigma < cp.prior_for(flagship.link("nw_coverage", "burglary"), cp.load_evidence(), flagship).sigma
    with pytest.raises(EvidenceError, match="duplicate id"):
        cp.load_evidence(extra=[own, own])
