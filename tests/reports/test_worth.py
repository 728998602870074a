"""The report's "What is it worth?": the scenario's pounds a year with the interval, as computed."""

from __future__ import annotations

import copath as cp
from copath.reports.document import Document
from copath.reports.render_markdown import to_markdown
from copath.reports.worth import worth_section, worth_sentence
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
