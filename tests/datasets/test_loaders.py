"""Real-data loaders on the publishers' own files in ../shared/data."""

from __future__ import annotations

import pandas as pd
import pytest

import copath as cp
from tests.conftest import SHARED

DATA = SHARED / "data"
CITY = DATA / "police-uk" / "city-of-london"
ASB = DATA / "police-uk" / "lancashire-asb" / "lancashire_asb_2022.tsv"
PAS = DATA / "mopac-pas" / "PAS_boroughs.csv"

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not beside the project")


@needs_data
def test_city_of_london_street_and_outcomes():
    table = cp.datasets.read_police_uk(CITY)
    street = pd.concat(pd.read_csv(f) for f in sorted(CITY.glob("*/*-street.csv")))
    with_area = street[street["LSOA code"].notna()]
    assert table.attrs["dropped_without_area"] == street["LSOA code"].isna().sum()
    # one row per area x month, zeros filled in
    assert table["area"].nunique() == with_area["LSOA code"].nunique()
    assert table["month"].nunique() == 18 and len(table) == table["area"].nunique() * 18
    # counts by type add up to the records with an area
    type_cols = [cp.datasets.police_uk.crime_column(t) for t in street["Crime type"].unique()]
    assert table[type_cols].to_numpy().sum() == len(with_area)
    assert table["burglary"].sum() == (with_area["Crime type"] == "Burglary").sum()
    assert table["crimes"].sum() == with_area["Crime ID"].notna().sum()
    assert (table["charged"] <= table["crimes"]).all()
    share = table["charged"].sum() / table["crimes"].sum()
    assert 0.05 < share < 0.5


@needs_data
def test_one_month_folder_and_charge_rule():
    table = cp.datasets.read_police_uk(CITY / "2016-01")
    assert set(table["month"]) == {"2016-01"}
    street = pd.read_csv(CITY / "2016-01" / "2016-01-city-of-london-street.csv")
    outcomes = pd.concat(pd.read_csv(f) for f in sorted(CITY.glob("*/*-outcomes.csv")))
    ids = set(outcomes.loc[outcomes["Outcome type"] == "Suspect charged", "Crime ID"])
    charged_here = street["Crime ID"].isin(ids) & street["LSOA code"].notna()
    # crimes charged according to later outcome files are only counted if those files are given
    assert table["charged"].sum() <= charged_here.sum() + street["Last outcome category"].isin(
        cp.datasets.police_uk.CHARGE_OUTCOMES).sum()


@needs_data
def test_lancashire_asb_extract():
    table = cp.datasets.read_police_uk(ASB)
    assert table["area"].nunique() == 942 and table["month"].nunique() == 12
    assert len(table) == 942 * 12
    assert table["anti_social_behaviour"].sum() == 56434


@needs_data
def test_pas_tidy_and_wide():
    tidy = cp.datasets.read_pas(PAS)
    assert len(tidy) == 9312 and tidy["borough"].nunique() == 33
    assert "good_job_local" in set(tidy["measure"])
    assert tidy["proportion"].between(0, 1).all()
    wide = cp.datasets.read_pas(PAS, wide=True)
    assert {"borough", "quarter", "good_job_local", "trust_mps"} <= set(wide.columns)


def test_loader_errors_name_the_file(tmp_path):
    bad = tmp_path / "2020-01-x-street.csv"
    bad.write_text("Crime ID,Month\n1,2020-01\n")
    with pytest.raises(cp.DataError, match="2020-01-x-street.csv: missing column"):
        cp.datasets.read_police_uk(bad)
    month = tmp_path / "2020-02-x-street.csv"
    month.write_text("Crime ID,Month,LSOA code,Crime type,Last outcome category\n1,Feb 2020,E1,Burglary,\n")
    with pytest.raises(cp.DataError, match="row 2, column 'Month': month 'Feb 2020' is not YYYY-MM"):
        cp.datasets.read_police_uk(month)
    pas = tmp_path / "pas.csv"
    pas.write_text("Date,Borough,Measure,Proportion,MPS\n")
    with pytest.raises(cp.DataError, match="semicolon"):
        cp.datasets.read_pas(pas)
    with pytest.raises(cp.DataError, match="no such file"):
        cp.datasets.read_pas(tmp_path / "nope.csv")
