"""The bundled value tables: every figure quoted in its data card, look-ups and uprating by hand."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from copath.datasets.values import (
    Pounds,
    entries,
    lookup,
    per_recorded_crime,
    police_uk_unit_cost,
    price_index,
    table_path,
    uprate,
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("> ", " ")).strip()


@pytest.mark.parametrize("file, figure", [("home_office_costs", "total"), ("green_book_wellby", "value_gbp")])
def test_every_bundled_figure_is_quoted_in_its_data_card(file, figure):
    table = pd.read_csv(table_path(f"{file}.csv"), dtype={"quote": str})
    card = _norm(table_path(f"{file}.md").read_text(encoding="utf-8"))
    with_figure = table[table[figure].notna()]
    assert len(with_figure) >= 3
    for row in with_figure.itertuples():
        quote = _norm(row.quote)
        assert f"{getattr(row, figure):,.0f}" in quote, (row.entry, quote)
        assert quote in card, (row.entry, quote)
    for row in table[table[figure].isna()].itertuples():  # a figure not read stays out, with no quote
        assert pd.isna(row.quote)


def test_every_deflator_value_is_a_line_of_its_card():
    card = table_path("gdp_deflator.md").read_text(encoding="utf-8").splitlines()
    lines = table_path("gdp_deflator.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(lines) == 35 and all(line in card for line in lines)


def test_look_ups_give_the_quoted_figures_and_price_years():
    assert lookup("home_office_2005:burglary_dwelling") == Pounds(3268.0, "per event", 2003,
                                                                   "home_office_2005:burglary_dwelling")
    assert (lookup("home_office_2000:burglary_dwelling").amount, lookup("home_office_2000:burglary_dwelling").price_year) == (2300.0, 2000)
    wellby = lookup("green_book:wellby")
    assert (wellby.amount, wellby.basis, wellby.price_year) == (13000.0, "per person-year", 2019)
    assert (lookup("green_book:wellby_low").amount, lookup("green_book:wellby_high").amount) == (10000.0, 16000.0)
    assert np.isnan(entries().loc["home_office:burglary_domestic", "amount"])


def test_an_entry_without_a_figure_or_an_unknown_name_is_refused_with_the_way_out():
    with pytest.raises(ValueError, match=r"has no figure.*home_office_costs\.md.*Pounds"):
        lookup("home_office:burglary_domestic")
    with pytest.raises(ValueError, match="no entry 'home_office_2005:burglary'.*home_office_2005:burglary_dwelling"):
        lookup("home_office_2005:burglary")
    with pytest.raises(ValueError, match="is not a table entry"):
        lookup("burglary")


def test_uprating_by_hand():
    index = price_index()
    assert (index[2003], index[2019], index[2024]) == (58.266, 81.1085, 100.0)
    assert uprate(3268.0, 2003, 2024) == pytest.approx(3268.0 * 100.0 / 58.266)       # 5608.76
    assert uprate(13000.0, 2019, 2024) == pytest.approx(13000.0 * 100.0 / 81.1085)    # 16027.9
    assert uprate(uprate(500.0, 2010, 2020), 2020, 2010) == pytest.approx(500.0)
    assert uprate(1000.0, 2015, 2025, index={2015: 100.0, 2025: 131.0}) == pytest.approx(1310.0)
    with pytest.raises(ValueError, match=r"price year 2025 is not in the bundled GDP deflator \(1990-2024\)"):
        uprate(1000.0, 2015, 2025)
    with pytest.raises(ValueError, match="price year 2014 is not in price_index"):
        uprate(1000.0, 2014, 2025, index={2015: 100.0, 2025: 131.0})


def test_police_uk_categories_map_with_the_stated_shares():
    categories = set(pd.read_csv(table_path("police_uk_to_home_office.csv"))["category"])
    assert categories == {  # the 14 crime types of the police.uk street files
        "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
        "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
        "Vehicle crime", "Violence and sexual offences"}
    assert police_uk_unit_cost("Robbery", price_year=2003).amount == pytest.approx(7282.0)
    assert police_uk_unit_cost("Bicycle theft", price_year=2024).amount == pytest.approx(844.0 * 100 / 58.266)
    shares = {"home_office_2005:burglary_dwelling": 0.8, "home_office_2000:burglary_not_dwelling": 0.2}
    mixed = police_uk_unit_cost("Burglary", shares=shares, price_year=2003)
    assert mixed.amount == pytest.approx(0.8 * 3268.0 + 0.2 * 2700.0 * 58.266 / 54.8102)  # 2614.4 + 574.1
    with pytest.raises(ValueError, match="give shares for each, summing to 1"):
        police_uk_unit_cost("Burglary")
    with pytest.raises(ValueError, match="give shares for each, summing to 1"):
        police_uk_unit_cost("Burglary", shares={**shares, "home_office_2000:burglary_not_dwelling": 0.3})
    with pytest.raises(ValueError, match="no Home Office unit cost: Not a notifiable crime"):
        police_uk_unit_cost("Anti-social behaviour")
    with pytest.raises(ValueError, match="unknown police.uk category"):
        police_uk_unit_cost("Burglary ")


def test_a_cost_per_crime_becomes_a_cost_per_recorded_crime_only_with_a_stated_share():
    # the Home Office's figures are per crime, recorded or not: 3,268 / 0.4 = 8,170 per recorded crime
    p = per_recorded_crime("home_office_2005:burglary_dwelling", 0.4)
    assert (p.amount, p.basis, p.price_year) == (8170.0, "per event", 2003)
    assert p.source == "home_office_2005:burglary_dwelling / 0.4 (recorded share of all crimes)"
    robbery = police_uk_unit_cost("Robbery", price_year=2003)
    assert per_recorded_crime(robbery, 1.0).amount == pytest.approx(7282.0)
    for bad in (0.0, 1.2, float("nan")):
        with pytest.raises(ValueError, match=r"recorded_share must lie in \(0, 1\]"):
            per_recorded_crime("home_office_2005:theft", bad)
    with pytest.raises(ValueError, match="applies to a cost per event"):
        per_recorded_crime("green_book:wellby", 0.5)


def test_police_uk_shares_outside_0_1_are_refused_naming_the_share():
    with pytest.raises(ValueError, match=r"shares must each lie in \[0, 1\]; got "
                                         r"home_office_2005:burglary_dwelling=1\.5, "
                                         r"home_office_2000:burglary_not_dwelling=-0\.5"):
        police_uk_unit_cost("Burglary", {"home_office_2005:burglary_dwelling": 1.5,
                                         "home_office_2000:burglary_not_dwelling": -0.5})


def test_the_card_says_per_crime_and_the_largest_ratio_between_editions_it_states():
    card = _norm(table_path("home_office_costs.md").read_text(encoding="utf-8"))
    assert "order of magnitude" not in card and "Per crime, not per recorded crime." in card
    assert "not cashable savings to a force's budget" in card
    # the HORS 217 (2000) and 2003/04 columns of the quoted table: the largest ratio either way is 2.7
    rows = re.findall(r"£([\d,]+) £([\d,]+) £[\d,]+", card)
    pairs = [(float(a.replace(",", "")), float(b.replace(",", ""))) for a, b in rows]
    assert len(pairs) == 7
    assert round(max(max(a / b, b / a) for a, b in pairs), 1) == 2.7 and "about 2.7 times" in card
