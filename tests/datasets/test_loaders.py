"""Real-data loaders on the publishers' own files in ../shared/data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.datasets.police_uk import maturing_months
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
    # 32 London boroughs: "Richmond Upon Thames" (a few rows) is merged into "Richmond upon Thames"
    assert len(tidy) == 9312 and tidy["borough"].nunique() == 32
    assert tidy.attrs["merged_boroughs"] == {"Richmond Upon Thames": "Richmond upon Thames"}
    assert tidy.attrs["merged_rows"] == {"Richmond Upon Thames": 24}
    assert not tidy.duplicated(["borough", "quarter", "measure"]).any()
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


@needs_data
def test_city_border_lsoas_are_reported_and_an_area_list_keeps_only_those(capsys):
    table = cp.datasets.read_police_uk(CITY)
    err = capsys.readouterr().err
    street = pd.concat(pd.read_csv(f) for f in sorted(CITY.glob("*/*-street.csv")))
    city = street.loc[street["LSOA name"].str.startswith("City of London", na=False), "LSOA code"]
    # the force's own LSOAs are exactly those the files name "City of London ..."
    assert table.attrs["force_areas"] == sorted(city.unique())
    districts = table.attrs["districts"]
    assert [d for d, v in districts.items() if not v["outside"]] == ["City of London"]
    assert districts["Tower Hamlets"]["records"] == (street["LSOA name"].str.startswith("Tower Hamlets")).sum()
    assert f"dropped {street['LSOA code'].isna().sum():,} without an LSOA" in err
    assert "Probably outside the force's area" in err and "Tower Hamlets (7 LSOAs" in err
    kept = cp.datasets.read_police_uk(CITY, areas=table.attrs["force_areas"] + ["E09999999"], report=False)
    assert capsys.readouterr().err == ""
    # every listed area gets its 18 months, zero-filled where no record falls (the made-up code)
    assert kept["area"].nunique() == 7 and len(kept) == 7 * 18
    assert kept.loc[kept["area"] == "E09999999", "crimes"].sum() == 0
    assert kept["burglary"].sum() == ((street["Crime type"] == "Burglary") & street["LSOA code"].isin(city)).sum()
    outside = street["LSOA code"].notna() & ~street["LSOA code"].isin(city)
    assert kept.attrs["dropped_outside_areas"] == outside.sum()


@needs_data
def test_city_charge_outcomes_of_the_last_three_months_are_flagged_as_maturing(capsys):
    table = cp.datasets.read_police_uk(CITY)
    assert table.attrs["maturing_months"] == ["2017-03", "2017-04", "2017-05", "2017-06"]
    assert "Charge outcomes still maturing" in capsys.readouterr().err


def test_maturing_months_rarely_flags_a_steady_series():
    """The label's false-positive rate: steady binomial charge shares, 18 months."""
    rng = np.random.default_rng(1)
    months = [f"2020-{k:02d}" for k in range(18)]
    wrong = sum(bool(maturing_months(pd.DataFrame({"month": months, "charged": rng.binomial(400, 0.15, 18),
                                                   "crimes": 400}))) for _ in range(1000))
    assert wrong / 1000 < 0.04
    # and a real drop in the last months is found whole, not the months before it: the
    # trailing months cannot hide each other (4 months at 5%, found whole in over 95% of series)
    found = 0
    for _ in range(200):
        charged = rng.binomial(400, 0.15, 18)
        charged[-4:] = rng.binomial(400, 0.05, 4)
        found += maturing_months(pd.DataFrame({"month": months, "charged": charged, "crimes": 400})) == months[-4:]
    assert found / 200 > 0.95


def test_read_pas_says_which_borough_spellings_it_merged(tmp_path, capsys):
    pas = tmp_path / "pas.csv"
    rows = ["Date;Survey;Borough;Measure;Proportion;MPS"]
    for date in ("31/03/2020", "30/06/2020", "30/09/2020"):
        rows += [f"{date};PAS;Richmond upon Thames;Good Job local;0,7;0,6", f"{date};PAS;Camden;Good Job local;0,5;0,6"]
    rows.append("31/12/2020;PAS;Richmond Upon Thames;Good Job local;0,72;0,6")
    pas.write_text("\n".join(rows) + "\n")
    tidy = cp.datasets.read_pas(pas)
    err = capsys.readouterr().err
    assert tidy["borough"].nunique() == 2 and tidy.attrs["merged_rows"] == {"Richmond Upon Thames": 1}
    assert err.strip() == ("read_pas: 7 rows: 2 boroughs x 4 quarters x 1 measures; merged 1 spelling that differs "
                           "only in case (3 names -> 2 boroughs): 'Richmond Upon Thames' (1 rows) into "
                           "'Richmond upon Thames'.")
    cp.datasets.read_pas(pas, report=False)
    assert capsys.readouterr().err == ""
