"""The report's "What is it worth?": the scenario's pounds a year with the interval, as computed."""

from __future__ import annotations

import dataclasses
import html

import numpy as np

import copath as cp
from copath.datasets.values import per_recorded_crime
from copath.reports.document import Document
from copath.reports.render_html import to_html
from copath.reports.render_markdown import to_markdown
from copath.reports.worth import decision_blocks, worth_section, worth_sentence
from copath.sensitivity.enbs import enbs
from tests.conftest import ROOT


def test_the_section_shows_the_pounds_a_year_with_the_interval_and_the_unit():
    res = cp.load_result(ROOT / "tests" / "fixtures" / "result_format_1")
    sc = res.scenario({"x": "+1"}, name="more x")
    table = res.value_in_pounds(sc, {"y": "home_office_2005:burglary_dwelling"}, price_year=2024)
    assert list(res.computed.worth) == ["more x"]          # remembered: the report picks it up by default
    total = table.loc["total"]
    sentence = worth_sentence(table)
    assert sentence.startswith(f"more x: {total['gbp_a_year']:+,.0f} GBP (2024 prices) a year (94% HDI "
                               f"{total['hdi_low']:+,.0f} to {total['hdi_high']:+,.0f})")
    text, _ = to_markdown(Document(title="t", subtitle="", sections=[worth_section([table])]), "f")
    assert "## What is it worth?" in text and sentence in text
    assert "home_office_2005:burglary_dwelling" in text


def test_the_section_shows_the_ceac_and_enbs_computed_on_the_result_as_tables_and_figures(tmp_path):
    res = cp.load_result(ROOT / "tests" / "fixtures" / "result_format_1")
    sc = res.scenario({"x": "+1"}, name="<b>more</b> x")
    c = res.ceac([sc], value={"y": "home_office_2005:burglary_dwelling"}, cost={sc.name: 1000.0},
                 wtp=[0.0, 0.5, 1.0], price_year=2024)
    e = res.enbs("x -> y", [20, 200], [sc], value={"y": "home_office_2005:burglary_dwelling"}, unit_sd=1.0,
                 price_year=2024)
    path = res.report(tmp_path / "r.md")                      # the remembered analyses, by default
    text = path.read_text()
    worth = text[text.index("## What is it worth?"):]
    assert "Acceptability curves and EVPI over willingness to pay (net benefit in GBP (2024 prices) a year)" in worth
    assert "P(no change best)" in worth and "Expected net benefit of sampling of a study of x" in worth
    assert (tmp_path / "r_files" / "worth_ceac_1.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "r_files" / "worth_enbs_2.png").is_file()
    # every user string is escaped in HTML: the scenario's name reaches the page only as text
    page = to_html(Document(title="t", subtitle="", sections=[worth_section([], [c, e])]))
    assert "&lt;b&gt;more&lt;/b&gt; x" in page and "<b>more</b>" not in page
    assert html.escape(c.describe()) in page


def test_the_enbs_caption_gives_each_columns_unit_and_pounds_print_whole():
    theta = np.random.default_rng(3).normal(0.0, 1.0, 2000)
    nb = np.column_stack([np.zeros(2000), 50_000.0 * theta])          # pounds a year per decision
    r = dataclasses.replace(enbs(nb, theta, [10, 100], lambda n: 2.0 / np.sqrt(n), fixed_cost=1000.0,
                                 per_year=2, horizon_years=5, discount_rate=0.035),
                            unit="GBP (2024 prices) a year")
    table = decision_blocks(r, 1)[1]
    assert table.caption == ("Expected net benefit of sampling of a study of param_0: evsi in GBP (2024 prices) a year "
                             "per decision; population_evsi, study_cost and enbs present values in GBP (2024 prices) "
                             "over 5 year(s) discounted at 0.035")
    assert table.frame["study_cost"].tolist() == ["1,000", "1,000"]
    assert table.frame["enbs"].iloc[1] == f"{r.table['enbs'].iloc[1]:,.0f}"
    assert "e+" not in r.describe()


def test_the_section_says_what_the_pounds_are_and_when_they_cover_recorded_crimes_only():
    res = cp.load_result(ROOT / "tests" / "fixtures" / "result_format_1")
    sc = res.scenario({"x": "+1"}, name="more x")
    plain = res.value_in_pounds(sc, {"y": "home_office_2005:burglary_dwelling"}, price_year=2024)
    text, _ = to_markdown(Document(title="t", subtitle="", sections=[worth_section([plain])]), "f")
    assert "not cashable savings to the force's budget" in text
    assert "y: priced at a cost per crime with no recorded share stated" in text
    assert f"{plain.loc['y', 'amount']:,.0f}" in text and "e+0" not in text
    shared = res.value_in_pounds(sc, {"y": per_recorded_crime("home_office_2005:burglary_dwelling", 0.5)},
                                 price_year=2024)
    text, _ = to_markdown(Document(title="t", subtitle="", sections=[worth_section([shared])]), "f")
    assert "no recorded share stated" not in text and "/ 0.5 (recorded share of all crimes)" in text
