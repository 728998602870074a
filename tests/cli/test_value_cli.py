"""``copath value`` and ``copath evsi`` on a saved result (issue 32 item 6): what they print and
write, that the numbers are the API's, and one-line errors with exit code 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.cli import main
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def saved(toy, tmp_path_factory):
    _, _, res = toy
    return res, str(res.save(tmp_path_factory.mktemp("value") / "run"))


def test_value_prints_the_net_benefit_and_the_acceptability_curve(saved, capsys):
    res, folder = saved
    argv = ["value", folder, "--set", "x=+0.1", "--name", "more x", "--value", "y=2", "--cost", "0.01",
            "--wtp", "0", "1", "3", "--per-year", "43", "--horizon", "2", "--discount", "0.035", "--money-unit", "GBP"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    d = res.scenario({"x": "+0.1"}, name="more x").difference("y")
    nb = 2 * d - 0.01
    assert f"GBP {nb.mean():,.4g} per decision" in out
    assert f"P(net benefit > 0) = {np.mean(nb > 0):.2f}" in out
    factor = 43 / 1.035 + 43 / 1.035**2
    assert f"x{factor:,.4g}" in out and f"GBP {nb.mean() * factor:,.4g}" in out
    table = pd.read_csv(f"{folder}/value/ceac.csv")
    for lam in (0.0, 1.0, 3.0):
        row = table[(table["wtp"] == lam) & (table["option"] == "more x")].iloc[0]
        assert row["p_best"] == pytest.approx(np.mean(lam * 2 * d - 0.01 > 0))
    evpi = pd.read_csv(f"{folder}/value/ceac_evpi.csv")
    assert evpi["population_evpi"].to_numpy() == pytest.approx(evpi["evpi"].to_numpy() * factor)
    assert open(f"{folder}/value/ceac.png", "rb").read(4) == b"\x89PNG"
    assert "Acceptability curve and EVPI" in out and "P(more x)" in out


def test_evsi_prints_the_enbs_table_and_the_optimal_size(saved, capsys):
    res, folder = saved
    sc = res.scenario({"x": "+0.1"})
    cost = float(sc.difference("y").mean())  # a toss-up
    argv = ["evsi", folder, "p -> y", "--set", "x=+0.1", "--cost", repr(cost), "--n", "20", "200", "--unit-sd", "2",
            "--fixed-cost", "0.001", "--per-year", "10", "--out", f"{folder}/study"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "expected net benefit of sampling of a study of 'p -> y'" in out
    table = pd.read_csv(f"{folder}/study/enbs.csv")
    api = res.enbs("p -> y", [20, 200], [sc], value=1.0, cost={sc.name: cost}, unit_sd=2.0, fixed_cost=0.001,
                   per_year=10).table
    np.testing.assert_allclose(table["enbs"], api["enbs"])
    assert table["n"].tolist() == [20, 200]


@pytest.mark.parametrize(("argv", "message"), [
    (["value", "{f}", "--set", "x=+0.1", "--value", "y=ten"], "--value: 'y=ten': expected NODE=NUMBER"),
    (["value", "{f}", "--set", "x=+0.1", "--value", "q=1"], "unknown outcome node(s) q"),
    (["value", "{f}", "--set", "x=+0.1", "--wtp", "-1"], "--wtp: must be non-negative"),
    (["value", "{f}", "--set", "x=+0.1", "--per-year", "-3"], "--per-year: must be a non-negative"),
    (["value", "{f}", "--set", "x=+0.1", "--cost", "nan"], "--cost: must be a finite number"),
    (["evsi", "{f}", "p -> y", "--set", "x=+0.1", "--n", "20"], "give either --unit-sd"),
    (["evsi", "{f}", "p -> q", "--set", "x=+0.1", "--n", "20", "--unit-sd", "1"], "LINK: unknown link 'p -> q'"),
])
def test_bad_input_is_one_line_and_exit_2(saved, capsys, argv, message):
    _, folder = saved
    assert main([a.replace("{f}", folder) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("copath: error: ") and message in err, err


TINY = str(ROOT / "tests" / "fixtures" / "result_format_1")   # x -> y (count) -> z, two months of rows
BURGLARY_2024 = 3268.0 * 100 / 58.266                          # the 2003/04 burglary in a dwelling, 2024 prices


def test_value_with_a_named_entry_prints_pounds_a_year_and_the_ceac_in_them(tmp_path, capsys):
    argv = ["value", TINY, "--set", "x=+1", "--name", "more x", "--value", "y=home_office_2005:burglary_dwelling",
            "--price-year", "2024", "--cost", "1000", "--wtp", "0", "1", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    res = cp.load_result(TINY)
    pounds = -BURGLARY_2024 * res.scenario({"x": "+1"}).total_difference("y") * 12 / 2 - 1000.0
    assert f"net benefit (priced change - cost) {pounds.mean():,.0f} GBP (2024 prices) a year (94% HDI" in out
    assert "E[NB] and EVPI in GBP (2024 prices) a year per decision" in out
    assert "not cashable savings to the force's budget" in out
    assert "y: a Home Office cost per crime (all crimes, recorded or not) on a count of recorded crimes with no " in out
    assert "e+0" not in out
    table = pd.read_csv(tmp_path / "pounds.csv", index_col="node")
    assert table.loc["y", "gbp_a_year"] == pytest.approx(pounds.mean() + 1000.0)
    ceac = pd.read_csv(tmp_path / "ceac.csv")
    row = ceac[(ceac["wtp"] == 1.0) & (ceac["option"] == "more x")].iloc[0]
    assert row["expected_nb"] == pytest.approx(pounds.mean())


def test_evsi_with_a_named_entry_says_its_unit(tmp_path, capsys):
    argv = ["evsi", TINY, "x -> y", "--set", "x=+1", "--value", "y=home_office_2005:burglary_dwelling",
            "--n", "20", "--unit-sd", "1", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert ("evsi in GBP (2024 prices) a year per decision; population_evsi, study_cost and enbs present values in "
            "GBP (2024 prices) over 1 year(s) discounted at 0:") in out
    assert "e+0" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--value", "y=home_office_2005:nothing"], "--value: value: no entry 'home_office_2005:nothing'"),
    (["--value", "y=2", "--price-year", "2024"], "--price-year: --price-year and --population apply"),
    (["--value", "y=home_office_2005:theft", "--price-year", "1066"], "--price-year: price year 1066 is not in"),
    (["--value", "y=home_office_2005:theft", "--population", "y=many"], "--population: 'y=many': expected"),
    (["--value", "y=home_office_2005:theft", "--population", "y=30"], "--population: population: y is not"),
    (["--value", "z=green_book:wellby"], "--value: value['z']: green_book:wellby is per person-year"),
])
def test_bad_pricing_is_one_line_naming_the_flag_and_exit_2(tmp_path, capsys, argv, message):
    assert main(["value", TINY, "--set", "x=+1", "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("copath: error: ") and message in err, err


def test_value_with_a_recorded_share_a_population_and_the_per_year_warning(tmp_path, capsys):
    argv = ["value", TINY, "--set", "x=+1", "--name", "more x", "--value", "y=home_office_2005:burglary_dwelling",
            "--recorded-share", "y=0.5", "--per-year", "43", "--horizon", "2", "--discount", "0.035",
            "--wtp", "0", "1", "--out", str(tmp_path)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    # the force's total a year is multiplied by 43: warned about, since it double counts or assumes 43 alike forces
    assert captured.err.startswith("Warning: with table entries the pounds are already the total a year over the "
                                   "data's areas (the force); --per-year 43 multiplies that total by 43")
    table = pd.read_csv(tmp_path / "pounds.csv", index_col="node")
    assert table.loc["y", "amount"] == pytest.approx(2 * BURGLARY_2024)              # 5,609 / 0.5 per recorded crime
    assert table.loc["y", "entry"] == "home_office_2005:burglary_dwelling / 0.5 (recorded share of all crimes)"
    assert "no --recorded-share" not in captured.out
    factor = 43 / 1.035 + 43 / 1.035**2
    assert f"The force's total a year (over the data's areas) x 43 for 2 year(s), discounted at 0.035 (x{factor:,.4g})" \
        in captured.out
    assert "population EVPI (GBP, PV)" in captured.out and "e+0" not in captured.out
    evpi = pd.read_csv(tmp_path / "ceac_evpi.csv").set_index("wtp")
    assert f"{evpi.loc[1.0, 'population_evpi']:,.0f}" in captured.out
    assert main(["value", TINY, "--set", "x=+1", "--value", "y=home_office_2005:theft", "--recorded-share", "y=1.5",
                 "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("copath: error: --recorded-share: 'y=1.5': expected NODE=SHARE") and err.count("\n") == 1


def test_the_discount_help_quotes_the_green_book_rate_with_its_address(capsys):
    with pytest.raises(SystemExit):
        main(["value", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "'The STPR is currently set at 3.5% in real terms for the first 30 years of a proposal'" in text
    assert "0.035 is the Green Book's" not in text
