"""Sensitivity analysis: power-scaling, prior swaps, variance shares, tornado, EVPPI, CLI."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import copath as cp
from copath.cli import main
from copath.sensitivity.evppi import evpi_se, scale_value
from copath.sensitivity.importance import tornado, variance_shares
from copath.sensitivity.powerscale import CONFLICT, FINE, FINE_OVERRULED, PRIOR_DOMINATES
from copath.sensitivity.prior_swap import psis_weights
from copath.sensitivity.regression import explained_share, fit_conditional
from copath.sensitivity.value import net_benefit, result_evppi

ONE_LINK = """name: one
nodes:
  x: {kind: exposure}
  y: {kind: continuous, scale: 1, area_effects: false}
links:
  - {from: x, to: y}
outcomes: [y]
"""
TRUE_SLOPE = 0.6


def _fit_one(areas: int, months: int, mu: float, sigma: float, seed: int, draws: int = 1000):
    pw = cp.loads_pathway(ONE_LINK)
    sim = cp.simulate(pw, areas=areas, months=months, random_seed=seed,
                      params={"beta": {"x -> y": TRUE_SLOPE}, "sigma": {"y": 0.5}})
    prior = cp.LinkPrior("x -> y", mu=mu, sigma=sigma, scale="slope")
    return cp.fit(pw, sim.data, priors={"x -> y": prior}, draws=draws, tune=500, chains=2,
                  random_seed=seed, progressbar=False)


# ------------------------------------------------------------------ power-scaling
@pytest.mark.parametrize(
    ("areas", "months", "mu", "sigma", "expected"),
    [
        (4, 2, TRUE_SLOPE, 0.02, PRIOR_DOMINATES),  # tight prior, little data
        (100, 5, 0.0, 10.0, FINE),  # vague prior, plenty of data
        (100, 5, TRUE_SLOPE - 1.5, 0.05, CONFLICT),  # tight prior far from plenty of data
    ],
    ids=["tight-little", "vague-plenty", "tight-far"],
)
def test_power_scaling_diagnosis_on_conjugate_normal(areas, months, mu, sigma, expected):
    res = _fit_one(areas, months, mu, sigma, seed=11)
    table = res.sensitivity().table
    row = table.loc["x -> y"]
    assert row["diagnosis"].startswith(expected), row[["prior_sensitivity", "contraction", "conflict_p"]].to_dict()
    if expected == FINE:
        assert row["prior_sensitivity"] < 0.05 <= row["likelihood_sensitivity"]


@pytest.mark.slow  # 5-12 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_threshold_is_a_parameter():
    res = _fit_one(100, 5, TRUE_SLOPE - 1.5, 0.05, seed=11, draws=500)
    t = res.sensitivity().table.loc["x -> y"]
    high = max(t["prior_sensitivity"], t["likelihood_sensitivity"]) + 0.01
    # above the threshold the prior no longer counts as influential; the conflict remains, so it is named
    assert res.sensitivity(threshold=high).table.loc["x -> y", "diagnosis"] == FINE_OVERRULED
    with pytest.raises(ValueError, match="threshold"):
        res.sensitivity(threshold=-0.1)


# ------------------------------------------------------------------ prior swaps
@pytest.fixture(scope="module")
def swap_fits():
    base = _fit_one(30, 2, 0.0, 1.0, seed=5, draws=2000)
    new = cp.LinkPrior("x -> y", mu=1.0, sigma=0.15, scale="slope")
    pw = base.pathway
    refit = cp.fit(pw, base.data, priors={"x -> y": new}, draws=2000, tune=500, chains=2, random_seed=6,
                   progressbar=False)
    return base, new, refit


def test_psis_prior_swap_matches_a_refit(swap_fits):
    base, new, refit = swap_fits
    swapped = base.with_prior("x -> y", new)
    info = swapped.run.prior_swap
    assert info.method == "psis" and info.reliable and info.pareto_k < 0.7
    a = swapped.posterior["beta"].sel(link="x -> y").values.ravel()
    b = refit.posterior["beta"].sel(link="x -> y").values.ravel()
    # the swap moved the posterior towards the new prior ...
    old_mean = base.posterior["beta"].sel(link="x -> y").values.mean()
    assert abs(a.mean() - old_mean) > 3 * b.std() / np.sqrt(info.ess)
    # ... to where a refit under that prior puts it, within Monte Carlo error
    mcse = np.sqrt(b.var() / info.ess + b.var() / (0.5 * b.size))
    assert a.mean() == pytest.approx(b.mean(), abs=4 * mcse)
    assert a.std() == pytest.approx(b.std(), rel=0.15)
    assert swapped.priors["x -> y"] == new
    assert swapped.summary().loc["x -> y", "prior_mean"] == 1.0


def test_unreliable_swap_warns_or_refits(swap_fits):
    base, _, _ = swap_fits
    far = {"mu": -3.0, "sigma": 0.02}
    with pytest.warns(UserWarning, match="Pareto k"):
        bad = base.with_prior("x -> y", far, refit=False)
    assert bad.run.prior_swap.reliable is False
    refitted = base.with_prior("x -> y", far)
    assert refitted.run.prior_swap.method == "refit"
    beta = refitted.posterior["beta"].sel(link="x -> y").values
    assert beta.mean() < -2.0  # the tight prior now holds the link


def test_named_alternatives_and_bad_priors(swap_fits):
    base, _, _ = swap_fits
    alts = cp.sensitivity.alternative_priors(base, "x -> y")
    assert alts["sceptical"].mu == 0.0 and alts["vague"].sigma >= 3 * alts["registry"].sigma
    with pytest.raises(ValueError, match="unknown link"):
        base.with_prior("x -> z", "sceptical")
    with pytest.raises(ValueError, match="prior must be one of 'sceptical', 'vague', 'registry'"):
        base.with_prior("x -> y", "optimistic")
    with pytest.raises(ValueError, match="mu"):
        base.with_prior("x -> y", {"mean": 1})


def test_psis_weights_reproduce_a_known_reweighting():
    rng = np.random.default_rng(3)
    x = rng.normal(size=8000)  # N(0, 1) draws, target N(0.5, 0.8)
    w, k = psis_weights(norm.logpdf(x, 0.5, 0.8) - norm.logpdf(x))
    assert k < 0.5
    assert np.sum(w * x) == pytest.approx(0.5, abs=0.03)
    assert np.sqrt(np.sum(w * (x - 0.5) ** 2)) == pytest.approx(0.8, abs=0.03)
    w, k = psis_weights(norm.logpdf(x, 3.0, 0.1) - norm.logpdf(x))
    assert k > 0.7


# ------------------------------------------------------------------ importance and tornado
def test_variance_share_catches_nonlinear_dependence():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 6000))
    # y = a^2 + b: uncorrelated with a, yet a explains var(a^2) / (var(a^2) + 1) = 2/3
    assert np.corrcoef(a, a**2 + b)[0, 1] == pytest.approx(0, abs=0.05)
    assert explained_share(a**2 + b, a) == pytest.approx(2 / 3, abs=0.03)
    assert explained_share(a**2 + b, b) == pytest.approx(1 / 3, abs=0.03)
    assert explained_share(b, a) < 0.01


def test_tornado_is_the_conditional_mean_at_the_quantiles():
    rng = np.random.default_rng(1)
    p = pd.DataFrame({"a": rng.normal(1.0, 0.5, 5000), "b": rng.normal(size=5000)})
    y = np.exp(p["a"]) + 0.3 * p["b"]  # E[y | a] = exp(a); fitted to about 0.3 sqrt(edf / n) ~ 0.02
    t = tornado({"y": y}, p, ["a", "b"])
    row = t[t["link"] == "a"].iloc[0]
    lo, hi = np.quantile(p["a"], [0.05, 0.95])
    assert row["at_low"] == pytest.approx(np.exp(lo), rel=0.05)
    assert row["at_high"] == pytest.approx(np.exp(hi), rel=0.05)
    assert t.iloc[0]["link"] == "a"  # the widest bar first
    shares = variance_shares({"y": y}, p)
    assert shares.loc["a", "y"] > shares.loc["b", "y"]


CHAIN = """name: chain
nodes:
  x: {kind: exposure}
  m: {kind: count, offset: pop, per: 1000, better: lower}
  y: {kind: continuous, better: higher, area_effects: false}
  z: {kind: continuous, better: higher, area_effects: false}
links:
  - {from: x, to: m}
  - {from: m, to: y}
  - {from: y, to: z}
outcomes: [z]
"""


@pytest.fixture(scope="module")
def chain_fit():
    pw = cp.loads_pathway(CHAIN)
    sim = cp.simulate(pw, areas=40, months=3, random_seed=4, params={
        "beta": {"x -> m": -0.8, "m -> y": -0.7, "y -> z": 0.5}, "sigma": {"y": 0.3, "z": 0.3}})
    data = sim.data.drop(columns=["z"])  # z has no local data: y -> z rests on its prior
    prior = cp.LinkPrior("y -> z", mu=0.5, sigma=0.3, scale="slope")  # as if from a (weak) study
    return cp.fit(pw, data, priors={"y -> z": prior}, draws=500, tune=500, chains=2, random_seed=2,
                  progressbar=False)


def test_fixed_coefficient_forward_pass_matches_hand_computation(chain_fit):
    from copath.kinds import of
    from copath.model.equations import linear_predictors

    fw = chain_fit.forward
    j = fw.plan.link_names.index("m -> y")
    # at its own draws nothing changes
    same = fw.node_means_with_coefficient(j, fw.draws.beta[:, j])
    base, _ = fw.node_means({}, {})
    np.testing.assert_allclose(same["z"], base["z"], rtol=1e-5)
    # at a fixed value: the equations by hand with that coefficient
    out = fw.node_means_with_coefficient(j, -0.2)
    beta = fw.draws.beta.copy()
    beta[:, j] = -0.2
    x = {"x": fw.prepared.values["x"]}
    area = {m: a[:, fw.prepared.area_index] for m, a in fw.draws.area.items()}
    observed = fw.prepared.values

    def value_of(name, eta):
        y = observed.get(name)
        return eta if y is None else np.where(np.isnan(y), eta, y)

    params = {"intercept": fw.draws.intercept, "beta": fw.draws.beta}
    eta_old = linear_predictors(fw.plan, x, params, area, value_of=value_of)

    def abducted(name, eta):  # an observed continuous node keeps its residual: input y + change of eta
        y = observed.get(name)
        return eta if y is None else np.where(np.isnan(y), eta, y + (eta - eta_old[name]))

    eta = linear_predictors(fw.plan, x, {**params, "beta": beta}, area, value_of=abducted)
    np.testing.assert_allclose(out["z"], of("continuous").natural(eta["z"]).mean(axis=-1), rtol=1e-4)
    np.testing.assert_allclose(out["m"], base["m"], rtol=1e-6)  # upstream untouched


def test_sensitivity_table_on_a_fitted_chain(chain_fit, tmp_path):
    sc = chain_fit.scenario({"x": "+0.2"}, name="more x")
    sens = chain_fit.sensitivity(alternatives=True, scenarios=[sc], links=chain_fit.pathway.link_names)
    t = sens.table
    assert list(t.index) == chain_fit.pathway.link_names
    assert {"prior_sensitivity", "likelihood_sensitivity", "diagnosis", "importance: z"} <= set(t.columns)
    # z has no data: its link is the prior's alone
    assert not t.loc["y -> z", "local_data"]
    assert np.isnan(t.loc["y -> z", "likelihood_sensitivity"]) and t.loc["y -> z", "prior_sensitivity"] >= 0.05
    assert t.loc["y -> z", "diagnosis"] == "no local data"
    # the scenario's effect on z is the product of the three links: y -> z, the least known, dominates it
    imp = sens.importance["more x: z"]
    assert imp.idxmax() == "y -> z"
    # alternatives: the sceptical prior pulls the prior-only link, and the effect, towards zero
    alt = sens.alternatives.set_index(["link", "alternative", "quantity"])
    row = alt.loc[("y -> z", "sceptical", "more x: z")]
    assert abs(row["new_mean"]) < abs(row["current_mean"])
    assert alt.loc[("x -> m", "registry", "more x: z"), "change"] == pytest.approx(0.0, abs=1e-12)
    assert set(sens.tornado["quantity"]) == {"z", "more x: z"}
    written = sens.save(tmp_path)
    assert {p.name for p in written} >= {"sensitivity.csv", "tornado.png", "alternatives.csv"}
    assert pd.read_csv(tmp_path / "sensitivity.csv", index_col=0).shape[0] == 3
    assert "prior dominates" in sens.describe() and "<table" in sens._repr_html_()
    # the alternatives' sentences say whether they are about an outcome's level or a scenario's effect on it
    assert "the effect of more x on z moves most" in sens.describe()


def test_e_values_for_the_links_the_local_data_inform(chain_fit):
    t = chain_fit.sensitivity().table
    informed = t.index[t["local_data"]].tolist()
    assert informed == ["x -> m", "m -> y"]
    for name in informed:
        row = t.loc[name]
        assert np.isfinite(row["e_value"]) and 1.0 <= row["e_value_ci"] <= row["e_value"]
        assert row["bias_to_null"] >= row["bias_to_null_ci"] >= 0
    assert t.loc["x -> m", "e_value_basis"] == "rate ratio"
    assert t.loc["m -> y", "e_value_basis"].startswith("standardised difference")
    # the contrast: one sd over areas of the parent's area means (x is an exposure, given by the data)
    area = chain_fit.pathway.index[0]
    expected = chain_fit.data.groupby(area)["x"].mean().std(ddof=1)
    assert t.loc["x -> m", "contrast"] == pytest.approx(expected)
    beta = chain_fit.posterior["beta"].sel(link="x -> m").values.mean()
    assert t.loc["x -> m", "risk_ratio"] == pytest.approx(np.exp(beta * expected), rel=1e-9)
    # y -> z rests on its prior: an E-value would be the literature's, not these data's
    row = t.loc["y -> z"]
    assert row[["contrast", "risk_ratio", "e_value", "e_value_ci", "bias_to_null"]].isna().all()
    assert row["e_value_basis"] == "no local data"
    text = chain_fit.sensitivity().describe()
    clear = int((t.loc[informed, "e_value_ci"] > 1).sum())   # intervals clear of no effect: the ones worth ranking
    assert clear >= 1 and f"Weakest to unmeasured confounding of the {clear} link(s)" in text


def test_result_evppi_ranks_the_link_the_choice_hangs_on(chain_fit):
    sc = chain_fit.scenario({"x": "+0.3"}, name="more x")
    effect = sc.difference("z")
    # cost set at the expected benefit: the choice is a toss-up, so information has value
    vi = result_evppi(chain_fit, [sc], value={"z": 1.0}, cost={"more x": float(effect.mean())},
                      per_year=[40, 43], discount_rate=0.035)  # res.evppi without the population
    assert vi.evpi > 0
    factor = 40 / 1.035 + 43 / 1.035**2
    assert vi.population_factor == pytest.approx(factor)
    assert vi.table["population_evppi"].to_numpy() == pytest.approx(vi.table["evppi"].to_numpy() * factor)
    assert (vi.table["se"] > 0).all() and "over the population" in vi.describe().lower()
    singles = vi.table[vi.table["kind"] == "parameter"]
    assert singles.index[0] == "y -> z"
    assert singles["evppi"].iloc[0] <= vi.evpi * 1.02
    assert vi.table.loc["(all parameters)", "evppi"] == pytest.approx(vi.evpi, rel=0.1)
    assert vi.decisions == ("no change", "more x")
    with pytest.raises(ValueError, match="unknown outcome"):
        chain_fit.evppi([sc], value={"nope": 1.0})
    assert vi.table.loc[["x -> m", "m -> y", "y -> z"], "on_path"].all()
    # valuing y alone leaves y -> z off the path from x: its coefficient does not enter the net benefit
    from copath.sensitivity.value import _on_path_links
    assert _on_path_links(chain_fit, [sc], {"y": 1.0}) == {"x -> m", "m -> y"}
    # y leads to z: valuing both counts y's effect twice (once in y, again through z)
    with pytest.warns(UserWarning, match="y leads to z"):
        net_benefit(chain_fit, [sc], value={"y": 1.0, "z": 1.0})


def test_res_evsi_values_a_study_of_the_link_the_choice_hangs_on(chain_fit):
    sc = chain_fit.scenario({"x": "+0.3"}, name="more x")
    cost = {"more x": float(sc.difference("z").mean())}  # a toss-up, as above
    vi = result_evppi(chain_fit, [sc], value={"z": 1.0}, cost=cost)
    precise = chain_fit.evsi("y -> z", 0.005, [sc], value={"z": 1.0}, cost=cost, per_year=43, horizon_years=5,
                             discount_rate=0.035)
    # the link's EVPPI is the same regression on the same draws as its row in res.evppi
    assert precise.evppi == vi.table.loc["y -> z", "evppi"] and precise.evpi == pytest.approx(vi.evpi)
    assert precise.evsi == pytest.approx(precise.evppi, rel=0.05) and precise.above_noise
    assert precise.population_factor == pytest.approx(scale_value(1.0, 43, 5, 0.035))
    # y -> z rests on its N(0.5, 0.3) prior and the net benefit is linear in it, at a tie: a study
    # with se 0.3 leaves sd(E[beta | T]) = 0.3 / sqrt(2), so EVSI is about EVPPI / sqrt(2)
    sd = float(chain_fit.posterior["beta"].sel(link="y -> z").std())
    half = chain_fit.evsi("y -> z", sd, {"more x": {"x": "+0.3"}}, value={"z": 1.0}, cost=cost)
    expected = half.evppi * sd / np.hypot(sd, sd)
    assert abs(half.evsi - expected) < 3 * np.hypot(half.se, half.evppi_se), (half.evsi, expected, half.se)
    assert half.evsi < 0.85 * half.evppi
    # a study of a link the local data already pin down adds little
    known = chain_fit.evsi("x -> m", 0.05, [sc], value={"z": 1.0}, cost=cost)
    assert known.evsi < 0.2 * precise.evsi
    with pytest.raises(ValueError, match=r"unknown link 'z -> y'; the links are: .*y -> z"):
        chain_fit.evsi("z -> y", 0.1, [sc], value={"z": 1.0})
    before = list(chain_fit.computed.scenarios)
    for bad in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="study_se must be a positive"):
            chain_fit.evsi("y -> z", bad, {"not run": {"x": "+1"}}, value={"z": 1.0})
    assert list(chain_fit.computed.scenarios) == before  # refused before any scenario ran


# ------------------------------------------------------------------ EVPPI
def _closed_form(mu: float, s: float) -> float:
    """E[max(0, X)] - max(0, mu) for X ~ N(mu, s)."""
    return mu * norm.cdf(mu / s) + s * norm.pdf(mu / s) - max(0.0, mu)


@pytest.mark.slow
def test_evppi_matches_closed_form_two_decisions():  # 40,000 draws: 40 s
    rng = np.random.default_rng(2014)
    n = 40_000
    mu, s1, s2 = 0.2, 1.0, 0.5
    theta = pd.DataFrame({"t1": rng.normal(mu, s1, n), "t2": rng.normal(0, s2, n)})
    nb = pd.DataFrame({"reject": np.zeros(n), "adopt": theta["t1"] + theta["t2"]})
    res = cp.evppi(nb, theta, groups={"both": ["t1", "t2"]})
    assert res.evpi == pytest.approx(_closed_form(mu, np.hypot(s1, s2)), rel=0.05)
    assert res.table.loc["t1", "evppi"] == pytest.approx(_closed_form(mu, s1), rel=0.05)
    assert res.table.loc["t2", "evppi"] == pytest.approx(_closed_form(mu, s2), rel=0.05)
    assert res.table.loc["both", "evppi"] == pytest.approx(res.evpi, rel=0.01)
    assert res.table.loc["(all parameters)", "evppi"] == pytest.approx(res.evpi, rel=0.01)
    assert res.best_now == "adopt" and res.table.loc["t1", "above_noise"]


@pytest.mark.slow
def test_evppi_of_all_parameters_approaches_evpi_nonlinear():  # 20,000 draws: 7-15 s
    rng = np.random.default_rng(7)
    n = 20_000
    a, b = rng.normal(size=(2, n))
    nb = np.column_stack([np.zeros(n), a * b + 0.3 * a, np.full(n, 0.05)])
    res = cp.evppi(nb, np.column_stack([a, b]))
    assert res.table.loc["(all parameters)", "evppi"] == pytest.approx(res.evpi, rel=0.03)
    # each alone is worth less than both together
    assert res.table.loc["param_0", "evppi"] < 0.8 * res.evpi
    assert res.table.loc["param_1", "evppi"] < 0.8 * res.evpi


@pytest.mark.parametrize(
    ("nb", "params", "message"),
    [
        (np.zeros((10, 1)), np.zeros((10, 1)), "two decisions"),
        (np.zeros((10, 2)), np.zeros((9, 1)), "draws"),
        (np.full((10, 2), np.nan), np.zeros((10, 1)), "NaN"),
        (np.zeros((10, 2)), np.full((10, 1), np.inf), "NaN or infinite"),
    ],
)
def test_evppi_refuses_bad_input(nb, params, message):
    with pytest.raises(ValueError, match=message):
        cp.evppi(nb, params)


# ------------------------------------------------------------------ CLI
def test_cli_sensitivity_prints_table_and_writes_figures(chain_fit, tmp_path, capsys):
    folder = chain_fit.save(tmp_path / "run")
    out = tmp_path / "sens"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["sensitivity", str(folder), "--out", str(out), "--set", "x=+0.2"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "y -> z" in printed and "prior dominates" in printed
    assert (out / "tornado.png").stat().st_size > 1000
    assert (out / "sensitivity.csv").is_file()
    assert main(["sensitivity", str(tmp_path / "missing")]) == 2


def test_links_the_likelihood_does_not_depend_on_are_no_local_data():
    pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  c: {kind: count}\n  y: {kind: continuous}\n"
                          "links:\n  - {from: x, to: c}\n  - {from: c, to: y}\noutcomes: [y]\n")
    data = cp.simulate(pw, areas=30, months=3, random_seed=2).data.drop(columns=["y"])  # nothing below c
    res = cp.fit(pw, data, draws=300, tune=300, chains=2, random_seed=1, progressbar=False)
    table = res.sensitivity().table
    assert table.loc["c -> y", "diagnosis"] == "no local data" and np.isnan(table.loc["c -> y", "likelihood_sensitivity"])
    # the link with data keeps its number and an ordinary label
    assert table.loc["x -> c", "diagnosis"] != "no local data"
    assert np.isfinite(table.loc["x -> c", "likelihood_sensitivity"])
    assert "No local data on 1 link(s)" in res.sensitivity().describe()


def _irrelevant_flags(seed: int, n: int = 2000, k: int = 4) -> list[bool]:
    rng = np.random.default_rng(seed)
    theta = pd.DataFrame(rng.normal(size=(n, k + 1)), columns=["t"] + [f"z{j}" for j in range(k)])
    nb = pd.DataFrame({"no": np.zeros(n), "yes": theta["t"] + 0.1})
    res = cp.evppi(nb, theta)
    assert res.table.loc["t", "above_noise"]  # the parameter the choice hangs on is found
    return [bool(res.table.loc[f"z{j}", "above_noise"]) for j in range(k)]


def test_evppi_permutation_null_per_parameter():
    assert not any(_irrelevant_flags(3))  # this seed: none of the four irrelevant parameters is flagged
    # draws in the order they were drawn (the null shifts the series circularly, which assumes it is
    # stationary: a sorted series would keep its order under a shift)
    x = np.random.default_rng(0).permutation(np.linspace(-1, 1, 500))
    res = cp.evppi(np.column_stack([np.zeros(500), x]), x)  # the choice is x's sign: EVPPI = EVPI = 0.25
    row = res.table.loc["param_0"]
    assert row["evppi"] == pytest.approx(0.25, abs=0.01) and row["null_95"] < 0.05 and row["above_noise"]


@pytest.mark.slow
def test_evppi_null_flags_irrelevant_parameters_at_most_five_percent():
    flags = [f for seed in range(20) for f in _irrelevant_flags(seed)]  # about 5 s
    # a permutation test at level 1/20: 4 of 80 expected (4 found); 9 or more has probability 0.03 if it holds
    assert sum(flags) <= 8, sum(flags)


def test_intercepts_and_noise_get_their_own_power_scaling_rows(chain_fit):
    # z has no local data and nothing below it: its intercept and residual sd are their priors
    p = chain_fit.sensitivity().parameters
    assert {"intercept[m]", "intercept[y]", "intercept[z]", "sigma[y]", "sigma[z]"} <= set(p.index)
    for name in ("intercept[z]", "sigma[z]"):
        assert p.loc[name, "diagnosis"] == "no local data" and np.isnan(p.loc[name, "likelihood_sensitivity"])
        assert abs(p.loc[name, "contraction"]) < 0.15          # posterior = prior, up to draw noise
    for name in ("intercept[y]", "sigma[y]"):
        # fine; the conflict check skips a half-normal sd and an intercept centred on the data itself
        assert p.loc[name, "prior_sensitivity"] < 0.05 and p.loc[name, "diagnosis"] == "fine (conflict not checked)"
        assert p.loc[name, "contraction"] > 0.9                 # 120 rows pin them down




def test_a_swap_the_weights_cannot_reach_reports_no_change_not_zero(chain_fit, monkeypatch):
    # an infinite Pareto k (the new prior excludes draws): uniform weights would read as "no change"
    from copath.sensitivity import analysis

    real = analysis.importance_weights

    def excluded(result, link, prior):
        w, k = real(result, link, prior)
        return (np.full(w.size, 1 / w.size), float("inf")) if link == "y -> z" else (w, k)

    monkeypatch.setattr(analysis, "importance_weights", excluded)
    alt = chain_fit.sensitivity(alternatives=True, links=["y -> z", "x -> m"]).alternatives
    gone = alt[alt["link"] == "y -> z"]
    assert gone["change"].isna().all() and gone["new_mean"].isna().all() and not gone["reliable"].any()
    assert alt[alt["link"] == "x -> m"]["change"].notna().all()

def test_links_and_parameter_rows_share_one_likelihood_pass(chain_fit):
    # sensitivity() weights the 39 reorderings once for beta and the parameters together; each reordering
    # depends only on the seed, so the rows equal those computed alone
    from copath.sensitivity.nuisance import parameter_power_scaling
    from copath.sensitivity.powerscale import power_scaling

    s = chain_fit.sensitivity()
    alone = parameter_power_scaling(chain_fit)
    cols = ["likelihood_sensitivity", "likelihood_null_max", "diagnosis"]
    pd.testing.assert_frame_equal(s.parameters[cols], alone[cols])
    links, _ = power_scaling(chain_fit)
    pd.testing.assert_frame_equal(s.table[cols], links[cols])


def test_prior_moments_exact_for_normal_and_half_normal_and_sampled_otherwise():
    import pymc as pm

    from copath.sensitivity.nuisance import prior_moments

    with pm.Model() as m:
        pm.Normal("a", mu=np.array([1.0, -2.0]), sigma=np.array([0.5, 3.0]))
        pm.HalfNormal("s", sigma=2.0, shape=3)
        pm.Exponential("e", lam=2.0)
    np.testing.assert_allclose(prior_moments(m["a"])[:2], [[1.0, -2.0], [0.25, 9.0]])
    assert prior_moments(m["a"])[2] and not prior_moments(m["s"])[2]
    np.testing.assert_allclose(prior_moments(m["s"])[1], np.full(3, 4 * (1 - 2 / np.pi)))   # 1.4535 each
    np.testing.assert_allclose(prior_moments(m["s"])[0], np.full(3, 2 * np.sqrt(2 / np.pi)))  # 1.5958 each
    assert abs(float(prior_moments(m["e"], draws=20_000)[1]) - 0.25) < 0.02             # 1 / lambda^2 by draws

# closed forms: theta1, theta2 ~ N(0, 1), NB_0 = 0, NB_1 = theta1 + theta2, so E[NB_1 | theta1] = theta1,
# EVPPI(theta1) = E[max(0, theta1)] = 1/sqrt(2 pi) and EVPI = E[max(0, N(0, 2))] = sqrt(2)/sqrt(2 pi)
EVPPI_T1 = 1 / np.sqrt(2 * np.pi)
EVPI_SUM = np.sqrt(2) / np.sqrt(2 * np.pi)
# theta1..theta8 ~ N(0, 1), NB_0 = 0, NB_1 = theta1 theta2 + 0.5: EVPI = E[max(0, theta1 theta2 + 0.5)] - 0.5,
# 0.16118 by one-dimensional quadrature over theta1 (given theta1, theta1 theta2 + 0.5 is normal); theta1 alone is
# worth nothing (E[NB_1 | theta1] = 0.5)
EVPI_PRODUCT = 0.16118


def test_evppi_within_three_standard_errors_of_the_closed_form():
    rng = np.random.default_rng(31)
    n = 2000
    theta = pd.DataFrame(rng.normal(size=(n, 2)), columns=["t1", "t2"])
    res = cp.evppi(pd.DataFrame({"no": 0.0, "yes": theta["t1"] + theta["t2"]}), theta)
    row, both = res.table.loc["t1"], res.table.loc["(all parameters)"]
    # sensible SEs: about 0.58/sqrt(n) from the draws plus the fit's share (0.018 over seeds at n = 2000)
    assert 0.008 < row["se"] < 0.03 and 0.008 < both["se"] < 0.03
    assert abs(row["evppi"] - EVPPI_T1) < 3 * row["se"], (row["evppi"], row["se"])
    assert abs(both["evppi"] - EVPI_SUM) < 3 * both["se"], (both["evppi"], both["se"])
    assert abs(res.evpi - EVPI_SUM) < 3 * res.evpi_se and res.evpi_se == pytest.approx(evpi_se(
        np.column_stack([np.zeros(n), theta.sum(axis=1)])))


def test_evppi_standard_error_matches_the_spread_over_seeds():
    estimates, ses = [], []
    for seed in range(24):
        rng = np.random.default_rng(seed)
        t = rng.normal(size=(1000, 2))
        res = cp.evppi(np.column_stack([np.zeros(1000), t.sum(axis=1)]), t[:, :1])
        estimates.append(res.table.loc["param_0", "evppi"])
        ses.append(res.table.loc["param_0", "se"])
    # measured: sd over seeds 0.023, mean SE 0.026 (the SE is a little conservative)
    assert 0.75 < np.mean(ses) / np.std(estimates) < 1.6, (np.mean(ses), np.std(estimates))
    # the plug-in's bias at 1,000 draws is -0.016 (see the module docstring)
    assert np.mean(estimates) - EVPPI_T1 == pytest.approx(-0.016, abs=0.012)


def test_group_evppi_captures_an_interaction():
    rng = np.random.default_rng(8)
    n = 1000
    theta = pd.DataFrame(rng.normal(size=(n, 8)), columns=[f"t{j}" for j in range(1, 9)])
    res = cp.evppi(pd.DataFrame({"no": 0.0, "yes": theta["t1"] * theta["t2"] + 0.5}), theta)
    everything = res.table.loc["(all parameters)"]
    # a linear + squared basis finds none of it; the GP finds all of it
    assert everything["evppi"] == pytest.approx(res.evpi, abs=0.002)
    assert abs(everything["evppi"] - EVPI_PRODUCT) < 3 * everything["se"]
    assert everything["above_noise"]
    assert res.table.loc["t1", "evppi"] < 0.03 and res.table.loc["t3", "evppi"] < 0.01


def test_gp_fit_posterior_covers_a_smooth_surface():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(800, 3))
    truth = np.sin(x[:, 0]) * x[:, 1]
    fit = fit_conditional(truth + rng.normal(scale=0.5, size=800), x, rng)
    draws = fit.sample(rng, 200)[:, :, 0]
    inside = np.mean(np.abs(truth - draws.mean(axis=0)) < 2 * draws.std(axis=0))
    assert np.sqrt(np.mean((fit.fitted[:, 0] - truth) ** 2)) < 0.15
    assert 0.8 < inside <= 1.0, inside


@pytest.mark.slow
def test_irrelevant_group_flagged_in_at_most_five_percent_of_seeds():
    flagged = 0
    for seed in range(40):  # about 2 min
        rng = np.random.default_rng(500 + seed)
        theta = pd.DataFrame(rng.normal(size=(1000, 7)), columns=["t"] + [f"z{j}" for j in range(6)])
        res = cp.evppi(pd.DataFrame({"no": 0.0, "yes": theta["t"] + 0.1}), theta,
                       groups={"noise": [f"z{j}" for j in range(6)]})
        flagged += bool(res.table.loc["noise", "above_noise"])
    # level 0.05: 2 of 40 expected; 6 or more has probability 0.014 if it holds
    assert flagged <= 5, flagged


def test_scale_value_by_hand():
    # 43 forces a year for 3 years at 3.5%, discounted at the end of each year
    hand = 0.25 * (43 / 1.035 + 43 / 1.035**2 + 43 / 1.035**3)
    assert scale_value(0.25, per_year=43, horizon_years=3, discount_rate=0.035) == pytest.approx(hand)
    assert scale_value(0.25, per_year=43, horizon_years=3, discount_rate=0.035, timing="start") == pytest.approx(
        0.25 * (43 + 43 / 1.035 + 43 / 1.035**2))
    assert scale_value(np.array([1.0, 2.0]), per_year=[10, 20, 30]) == pytest.approx([60.0, 120.0])
    assert scale_value(1.0, per_year=5) == 5.0
    with pytest.raises(ValueError, match="horizon_years"):
        scale_value(1.0, per_year=[1, 2], horizon_years=3)
    with pytest.raises(ValueError, match="discount_rate"):
        scale_value(1.0, per_year=1, discount_rate=-0.1)
    with pytest.raises(ValueError, match="timing"):
        scale_value(1.0, per_year=1, timing="middle")


def test_the_conflict_check_does_not_run_on_a_sign_fixed_prior(chain_fit):
    # the posterior of a sign-fixed prior cannot cross zero, so data against the sign could never be flagged
    import copath as cp

    name = chain_fit.pathway.link_names[0]
    fixed = chain_fit.with_prior(name, cp.LinkPrior(name, mu=0.0, sigma=1.0, scale=chain_fit.priors[name].scale,
                                                    sign=1 if chain_fit.posterior["beta"].sel(link=name).mean() > 0
                                                    else -1))
    from copath.sensitivity.powerscale import power_scaling

    table, _ = power_scaling(fixed)
    assert np.isnan(table.loc[name, "conflict_p"])
    assert table.loc[name, "diagnosis"] in ("fine (conflict not checked)", "prior dominates (conflict not checked)",
                                            "prior and data both inform (conflict not checked)")


def test_e_values_are_for_a_contrast_a_reader_can_picture(toy):
    from copath.sensitivity.analysis import _confounding, readable_contrast
    from copath.sensitivity.confounding import link_e_values

    _, sim, res = toy
    observed = set(res.observed_links())
    t = _confounding(res, observed)
    # x is a share (range 0-1): 10 points, not one area sd (about 0.1 or less here)
    assert t.loc["x -> c", "contrast"] == 0.1 and t.loc["x -> c", "contrast_label"] == "10 points"
    beta = res.posterior["beta"].sel(link="x -> c").values.ravel()
    assert t.loc["x -> c", "e_value"] == pytest.approx(link_e_values(beta, 0.1, "log")["e_value"])
    # p is a proportion: its logit over the 10 points around its mean share
    row = t.loc["p -> y"]
    assert row["contrast_label"].startswith("10 points around its mean share")
    share = float(row["contrast_label"].split("share ")[1].split("%")[0]) / 100
    assert row["contrast"] == pytest.approx(np.log((share + 0.05) / (0.95 - share))
                                            - np.log((share - 0.05) / (1.05 - share)), abs=0.02)
    # a scenario's change of the parent sets the contrast, named with it
    sc = res.scenario({"x": "+0.02"}, name="more x")
    t = _confounding(res, observed, scenarios=[sc])
    assert t.loc["x -> c", "contrast"] == 0.02 and t.loc["x -> c", "contrast_label"] == "+0.02, as scenario 'more x'"
    # an unranged exposure keeps one area sd, and says so
    node = cp.loads_pathway(CHAIN).nodes["x"]
    values, area = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0, 0, 1, 1])
    assert readable_contrast(node, values, area) == (pytest.approx(np.std([0.5, 2.5], ddof=1)), "one area sd (1.41)")


def test_the_confounding_sentence_names_the_contrast(chain_fit):
    sc = chain_fit.scenario({"x": "+0.3"}, name="more x")
    sens = chain_fit.sensitivity(scenarios=[sc])
    t = sens.table
    assert t.loc["x -> m", "contrast"] == pytest.approx(0.3)
    assert "one area sd of its log rate" in t.loc["m -> y", "contrast_label"]
    text = sens.describe()
    weakest = text.split("Weakest to unmeasured confounding")[1].split(": an unmeasured")[0]
    name = weakest.split("clear of no effect: ")[1].split(",")[0]
    expected = {"x -> m": "for x +0.3, as scenario 'more x')",
                "m -> y": f"for one area sd of m of its log rate ({t.loc['m -> y', 'contrast']:.3g}))"}[name]
    assert weakest.endswith(expected)


def test_a_scenario_change_of_a_count_parent_is_not_read_as_a_log_rate_contrast():
    # the scenario moves a count's rate by 5 per `per`; its input to the child is the log rate, which
    # moves by far less: the default contrast (one area sd of the log rate) stays
    from types import SimpleNamespace

    from copath.scenarios.changes import parse_change
    from copath.sensitivity.analysis import readable_contrast

    pw = cp.loads_pathway(CHAIN)
    sc = SimpleNamespace(name="fewer m", changes={"m": parse_change("-5"), "x": parse_change("+0.3")})
    values, area = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0, 0, 1, 1])
    contrast, label = readable_contrast(pw.nodes["m"], values, area, [sc])
    assert label.startswith("one area sd of its log rate") and contrast == pytest.approx(np.std([0.5, 2.5], ddof=1))
    assert readable_contrast(pw.nodes["x"], values, area, [sc]) == (pytest.approx(0.3), "+0.3, as scenario 'fewer m'")
