"""Worked examples run end to end (slow: real-data fits)."""

from __future__ import annotations

import pytest

from copath.model.data import prepare_data
from tests.conftest import ROOT, SHARED


@pytest.mark.slow
def test_lancashire_anti_social_example(tmp_path):
    data = SHARED / "data" / "police-uk" / "lancashire-asb" / "lancashire_asb_2022.tsv"
    if not data.is_file():
        pytest.skip("../shared/data is not beside the project")
    res = _example("lancashire_anti_social").main(["--data", str(data), "--out", str(tmp_path / "res"), "--draws", "300", "--tune", "300"])
    table = res.summary()
    # 942 areas x 12 months, and the seasonal rate ratio is estimated tightly
    assert len(res.data) == 942 * 12
    assert table.loc["summer -> anti_social_behaviour", "contraction"] > 0.99
    assert float(res.posterior["area_sd"].mean()) > 0.3  # areas differ a lot
    assert (tmp_path / "res" / "manifest.json").is_file()


def _example(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CITY = SHARED / "data" / "police-uk" / "city-of-london"


def test_city_of_london_table_keeps_the_city_lsoas_and_leaves_maturing_outcomes_out():
    if not CITY.is_dir():
        pytest.skip("../shared/data is not beside the project")
    module = _example("city_of_london_flagship")
    data = module.load(CITY)
    # the six LSOAs named "City of London 001x", 18 months; the over-the-border LSOAs are gone
    assert sorted(data["area"].unique()) == ["E01000001", "E01000002", "E01000003", "E01000005", "E01032739",
                                             "E01032740"]
    assert len(data) == 6 * 18
    assert (data["detection"] <= data["crimes_recorded"]).all()
    months = data.attrs["maturing_months"]
    pw = module.pathway(len(months))
    assert all(pw.nodes[e].reference is not None for e in pw.exposures)
    # the months the loader flags as maturing are the ones the fit leaves out of detection's likelihood
    # in the City's own LSOAs the charge share falls from about 15% to 10.0, 5.7, 5.2% in the last
    # three months (March's 12.0% is 2.1 sds below 2016, not flagged)
    assert months == ["2017-04", "2017-05", "2017-06"]
    prepared = prepare_data(pw, data)
    with_crimes = data["crimes_recorded"] > 0  # a row with no crime recorded has no detection to observe
    left_out = set(data.loc[with_crimes & ~data.index.isin(prepared.observed["detection"]), "month"])
    assert prepared.maturing == {"detection": months} and left_out == set(months)


@pytest.mark.slow
def test_city_of_london_flagship_passes_its_diagnostics_at_its_defaults(tmp_path):
    if not CITY.is_dir():
        pytest.skip("../shared/data is not beside the project")
    res = _example("city_of_london_flagship").main(["--data", str(CITY), "--out", str(tmp_path / "res")])
    assert res.diagnostics().passed, res.diagnostics()
    table = res.summary()
    # every exposure is held at its reference: only the links from detection (with LSOA effects) into the two
    # crime counts move, read from the six LSOAs' differences; every other link is prior only
    moved = set(table.index[table["identification"] != "prior only"])
    assert moved <= {"detection -> burglary", "detection -> violent_crime"}, moved


PAS = SHARED / "data" / "mopac-pas" / "PAS_boroughs.csv"


def test_london_confidence_table_keeps_one_non_overlapping_figure_a_year():
    if not PAS.is_file():
        pytest.skip("../shared/data is not beside the project")
    module = _example("london_confidence_pas")
    table = module.load(PAS)
    # 32 boroughs (Richmond's two spellings merged) x the 10 years to December 2014-2023
    assert table["borough"].nunique() == 32 and sorted(table["month"].unique()) == [f"{y}-12" for y in range(2014, 2024)]
    assert len(table) == 320
    assert table[["contact_ward_officer", "informed_local", "fair", "good_job"]].stack().between(0, 1).all()
    import copath as cp

    # the years are the periods: one effect per year on both survey outcomes, no hand-made indicators
    pw = cp.loads_pathway(module.SPEC.format(time="[period]"))
    prepared = prepare_data(pw, table)
    assert prepared.time.labels == tuple(f"{y}-12" for y in range(2014, 2024)) and prepared.time.step == 12
    assert not any(e.startswith("year") for e in pw.exposures)


@pytest.mark.slow  # two fits, about 3 minutes on a shared 2-core machine
def test_london_confidence_example_passes_with_year_effects():
    if not PAS.is_file():
        pytest.skip("../shared/data is not beside the project")
    results = _example("london_confidence_pas").main(["--data", str(PAS)])
    for res in results.values():
        assert res.diagnostics().passed, res.diagnostics()
        assert (res.posterior_predictive()["coverage"] > 0.85).all()
    years = results["years"].time_summary().loc["good_job"]
    assert len(years) == 11  # the period sd and ten years
    # informed -> fair -> good_job is the main route of information's effect (2026-12-07: +2.45 of +3.02 points)
    pe = results["years"].path_effects("informed_local", "good_job", delta=0.1).table()
    assert pe.loc["natural indirect (TNIE)", "hdi_low"] > 0
