"""The identification check names the links the data cannot inform one by one, and a
sign the data cannot tell is refused before sampling instead of reported with false certainty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.model.data import prepare_data
from copath.model.identification import IdentificationError, identify
from tests.pathways import toy_spec

CHAIN = toy_spec("chain", c={"area_effects": True}, p=False)  # x -> c -> y, c with area effects


def _check(spec: str, data, priors=None):
    """The check on the priors cp.fit gives it: default priors on the data's scale (autoscaled)."""
    from copath.model.fit import link_priors
    from copath.model.settings import FitSettings

    pw = cp.loads_pathway(spec)
    prepared = prepare_data(pw, data)
    return identify(pw, prepared, priors or link_priors(pw, None, FitSettings(), prepared), held=None)


@pytest.fixture(scope="module")
def chain_data():
    pw = cp.loads_pathway(CHAIN)
    return cp.simulate(pw, areas=20, months=12, random_seed=1).data


def test_a_fully_observed_chain_is_not_flagged(chain_data):
    check = _check(CHAIN, chain_data)
    assert check.statuses == {"x -> c": "local data", "c -> y": "local data"} and not check.flagged()
    assert check.sign_ambiguous == {}


def test_a_constant_exposure_leaves_its_link_to_the_prior(chain_data):
    check = _check(CHAIN, chain_data.assign(x=0.3))
    assert check.status("x -> c") == "prior only" and "does not vary in the data (always 0.3)" in check.reasons["x -> c"]
    assert check.status("c -> y") == "local data"  # c still varies by area


def test_an_exposure_that_barely_varies_is_weak_and_its_posterior_is_its_prior(chain_data):
    """Structurally informed, practically not: the Fisher-information bound says the data can
    narrow the prior by under 10%, and the fit's posterior indeed keeps the prior's spread."""
    rng = np.random.default_rng(3)
    barely = chain_data.assign(x=0.3 + rng.normal(0, 0.001, len(chain_data)))
    check = _check(CHAIN, barely)
    assert check.status("x -> c") == "weak local data"
    assert "varies so little" in check.reasons["x -> c"] and "expected to narrow" in check.reasons["x -> c"]
    assert check.status("c -> y") == "local data"
    # an exposure that varies as the simulation made it stays "local data"
    assert _check(CHAIN, chain_data).status("x -> c") == "local data"
    # the fit keeps the unit prior N(0, 1) the check above used for this link: scaled to the data it
    # would be 2.5 / sd(x) = 2,500 per unit of x (rstanarm's autoscaling, copath.model.autoscale),
    # a scale the data hardly inform
    pw = cp.loads_pathway(CHAIN)
    res = cp.fit(pw, barely, draws=300, tune=300, chains=2, random_seed=1, progressbar=False)
    summary = res.summary()
    assert summary.loc["x -> c", "prior_sd"] == 1.0 and "the unit default" in summary.loc["x -> c", "prior_scaled_by"]
    assert summary.loc["x -> c", "identification"] == "weak local data" and not summary.loc["x -> c", "local_data"]
    assert summary.loc["x -> c", "identification_reason"].startswith("x varies so little")
    assert summary.loc["x -> c", "contraction"] < 0.2  # narrowed by under 20% (the bound says 10%, + MC noise)
    assert summary.loc["c -> y", "contraction"] > 0.5


def test_a_parent_constant_over_its_childs_rows_leaves_the_link_to_the_prior(chain_data):
    # without area effects and with its only input constant, c passes on a constant: the
    # link c -> y only shifts y's level, which y's intercept does too (City of London's
    # detection -> burglary, with every exposure held at its reference)
    spec = toy_spec("chain", p=False)
    check = _check(spec, chain_data.assign(x=0.3))
    assert check.status("c -> y") == "prior only"
    assert "c's input is constant, so the child's data cannot tell this link from y's intercept" in check.reasons["c -> y"]
    assert _check(spec, chain_data).status("c -> y") == "local data"


def test_a_parent_constant_only_where_its_child_has_data_is_left_to_what_lies_below():
    # c is observed only where x = 0, but passes its linear predictor to y on every row:
    # y's data inform x -> c jointly with c -> y, so it is not "prior only" (methods review)
    spec = ("name: t\nnodes:\n  x: {kind: exposure}\n  c: {kind: count}\n  y: {kind: continuous}\n"
            "links:\n  - {from: x, to: c}\n  - {from: c, to: y, direction: '+'}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    data = cp.simulate(pw, areas=20, months=2, random_seed=3).data
    data["x"] = np.tile([0.0, 1.0], 20)
    data.loc[data["x"] == 1, "c"] = np.nan
    check = _check(spec, data)
    assert check.status("x -> c") == "combination"
    assert "only data downstream of c can inform it" in check.reasons["x -> c"]


def test_an_absent_exposure_held_at_its_reference(chain_data):
    pw = cp.loads_pathway(toy_spec("chain", x={"reference": 0.2}, c={"area_effects": True}, p=False))
    prepared = prepare_data(pw, chain_data.drop(columns=["x"]))
    check = identify(pw, prepared, cp.priors_for(pw, None), held=prepared.held)
    assert check.status("x -> c") == "prior only" and "held at its reference value 0.2" in check.reasons["x -> c"]


def test_a_middle_node_without_data_identifies_only_a_product_up_to_sign(chain_data):
    check = _check(CHAIN, chain_data.drop(columns=["c"]))
    assert check.status("x -> c") == "product" and check.status("c -> y") == "product"
    assert check.sign_ambiguous == {"c": ("x -> c", "c -> y")}
    # a direction on one link settles the sign of the product
    signed = _check(toy_spec("chain", c={"area_effects": True}, p=False, directions={"x -> c": "-"}),
                    chain_data.drop(columns=["c"]))
    assert signed.sign_ambiguous == {}


def test_a_child_without_data_anywhere_below_rests_on_its_prior(chain_data):
    check = _check(CHAIN, chain_data.drop(columns=["y"]))
    assert check.status("c -> y") == "prior only" and check.status("x -> c") == "local data"


def test_collinear_latent_parents_are_a_combination():
    """x -> c -> p -> y and x -> y, no area effects: p's expected value is a linear function of
    x alone, so y's data inform only a combination of p -> y and x -> y."""
    spec = toy_spec("tri", direct=True)
    pw = cp.loads_pathway(spec)
    data = cp.simulate(pw, areas=20, months=3, random_seed=2).data
    check = _check(spec, data)
    assert check.status("p -> y") == "combination" and check.status("x -> y") == "combination"
    assert check.status("x -> c") == "local data" and check.status("c -> p") == "local data"
    # an area effect on c gives p variation of its own: no longer a combination
    spec2 = toy_spec("tri", c={"area_effects": True}, direct=True)
    data2 = cp.simulate(cp.loads_pathway(spec2), areas=20, months=3, random_seed=2).data
    assert not _check(spec2, data2).flagged()


def test_the_symmetric_product_is_refused_not_reported_with_false_certainty(chain_data):
    """x -> u -> y with u unobserved and sign-free priors: flipping both signs fits equally
    well, so P(beta > 0) is 0.5, not the 0 or 1 a single-mode fit would report."""
    pw = cp.loads_pathway(CHAIN)
    with pytest.raises(IdentificationError, match=r"x -> c, c -> y are identified only up to a common sign "
                                                  r"\(c has no local data"):
        cp.fit(pw, chain_data.drop(columns=["c"]), draws=50, tune=50, chains=1, progressbar=False)


@pytest.mark.slow  # 5-8 s: kept out of make test's 10-minute budget (make test-slow runs it)
def test_a_direction_makes_the_product_fit_and_converge(chain_data):
    spec = toy_spec("chain", c={"area_effects": True}, p=False, directions={"x -> c": "-"})
    pw = cp.loads_pathway(spec)
    sim = cp.simulate(pw, areas=60, months=4, random_seed=3, params={"beta": {"x -> c": -0.8, "c -> y": -0.5}})
    with pytest.warns(cp.model.fit.IdentificationWarning, match="x -> c .product"):
        res = cp.fit(pw, sim.data.drop(columns=["c"]), draws=400, tune=400, chains=2, random_seed=1,
                     progressbar=False)
    diag = res.diagnostics()  # a product is a curved ridge: when it mixes slowly, the diagnostics say why
    assert diag.passed or any("product" in cause for cause in diag.causes)
    beta = res.posterior["beta"]
    assert float((beta.sel(link="x -> c") < 0).mean()) == 1.0  # the stated sign
    product = (beta.sel(link="x -> c") * beta.sel(link="c -> y")).values
    assert np.mean(product > 0) > 0.95  # the data's product: (-0.8) x (-0.5) > 0
    assert res.summary().loc["c -> y", "identification"] == "product"


def test_dispersed_starts_find_both_signs_of_an_unsigned_product():
    """Bypass the refusal: sampled from dispersed MAP starts, the chains of the symmetric
    product visit both sign modes, so neither the pooled P(beta > 0) nor R-hat claims one sign."""
    import arviz as az

    from copath.model.builder import build_model
    from copath.model.sampling import draw_posterior
    from copath.model.settings import FitSettings

    pw = cp.loads_pathway(CHAIN)
    sim = cp.simulate(pw, areas=40, months=3, random_seed=1, params={"beta": {"x -> c": 0.8, "c -> y": 0.6}})
    built = build_model(pw, sim.data.drop(columns=["c"]), collapse=True)
    tree = draw_posterior(built.model, FitSettings(draws=100, tune=200, chains=4, random_seed=3,
                                                   progressbar=False)).tree
    beta = tree["posterior"]["beta"].sel(link="c -> y")
    assert set(np.sign(beta.median("draw").values)) == {-1.0, 1.0}  # chains settle in each mode
    assert 0.1 < float((beta > 0).mean()) < 0.9  # not one sign at probability 1
    rhat = az.rhat(tree["posterior"].to_dataset()[["beta"]])["beta"].sel(link="c -> y")
    assert float(rhat) > 1.05  # and the diagnostics fail, far past the 1.01 threshold


def test_a_stated_direction_through_a_node_with_data_is_soft_and_the_data_overturn_it():
    """Issue 27: x -> c -> y, c a count with data and one input. c's own data tell the sign of
    x -> c, so nothing is mirror-symmetric and a stated '+' on c -> y stays a soft prior. The
    truth is -0.5: the fit must find it (94% HDI below 0), where the old 'tied sign' rule held
    the '+' fixed and returned +0.015 [0, 0.043] with no flag."""
    from copath.model.fit import signs_where_needed

    spec = toy_spec("stated", p=False, directions={"c -> y": "+"})
    pw = cp.loads_pathway(spec)
    # c's data must tell x -> c's sign: 360 rows of counts near 20 (at counts near 2 on 120
    # rows the fit fails its diagnostics, R-hat 1.06: the sign is then weakly identified, and
    # the diagnostics say so rather than a held sign hiding it)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=11,
                      params={"beta": {"x -> c": 1.0, "c -> y": -0.5}, "intercept": {"c": 3.0}})
    check = _check(spec, sim.data)
    assert check.status("c -> y") == "local data" and check.sign_ambiguous == {}
    used = signs_where_needed(cp.priors_for(pw, None), check)
    assert used["c -> y"].sign == 0 and used["c -> y"].stated == 1  # soft, the stated side remembered
    assert used["c -> y"].direction_note() == "+ stated by the spec, soft"
    res = cp.fit(pw, sim.data, draws=400, tune=400, chains=2, random_seed=3, progressbar=False)
    row = res.summary().loc["c -> y"]
    assert row["post_hdi_high"] < 0, row
    assert row["direction"] == "+ stated by the spec, soft" and row["sign"] == ""
    assert res.diagnostics().passed


def test_a_stated_sign_through_a_node_without_data_is_held_and_said_to_be_assumed(chain_data):
    """Where the middle node has no data, flipping both signs fits equally well (a true mirror
    symmetry): the stated sign is held, and the summary says it is assumed, not checked."""
    from copath.model.fit import signs_where_needed

    spec = toy_spec("mirror", c={"area_effects": True}, p=False, directions={"x -> c": "-"})
    pw = cp.loads_pathway(spec)
    check = _check(spec, chain_data.drop(columns=["c"]))
    used = signs_where_needed(cp.priors_for(pw, None), check)
    assert used["x -> c"].sign == -1
    assert used["x -> c"].direction_note() == "- assumed from the spec, not checked by the data"
    assert "not checked by the data" in used["x -> c"].note
    # one held sign per node without data shuts the mirror: a second stated sign through c stays
    # soft, so the data can tell it relative to the held one (methods review)
    both = toy_spec("mirror2", c={"area_effects": True}, p=False, directions={"x -> c": "-", "c -> y": "+"})
    check2 = _check(both, chain_data.drop(columns=["c"]))
    used2 = signs_where_needed(cp.priors_for(cp.loads_pathway(both), None), check2)
    assert check2.mirror_groups == {"c": ("x -> c", "c -> y")} and check2.sign_ambiguous == {}
    assert (used2["x -> c"].sign, used2["c -> y"].sign, used2["c -> y"].stated) == (-1, 0, 1)


def test_expected_contraction_uses_each_areas_rate_and_skips_inputs_known_only_at_prior_draws():
    """Where areas' rates differ a hundredfold, the information is that of each area's own
    rate (an overall mean level would undercount it), and a count parent's input, a linear
    predictor known before the fit only at prior draws, is not judged weak."""
    from copath.model.identification import expected_contraction

    pw = cp.loads_pathway(toy_spec("t", c={"area_effects": True}, p=False))
    rng = np.random.default_rng(0)
    area = np.repeat(np.arange(20), 6)
    rate = np.where(area < 10, 0.2, 20.0)
    x = 0.5 + rng.normal(0.0, 0.05, area.size)
    data = pd.DataFrame({"area": area, "month": np.tile(np.arange(6), 20), "x": x,
                         "c": rng.poisson(rate), "y": rng.normal(0, 1, area.size)})
    prepared = prepare_data(pw, data)
    exact_info = float(np.sum(rate * (x - np.average(x, weights=rate)) ** 2))
    exact = exact_info / (1 + exact_info)
    assert expected_contraction(pw, prepared, "c", x, 1.0) == pytest.approx(exact, rel=0.15)
    # a chain whose middle count varies only through a barely moving exposure: the link out
    # of the count is not judged from a prior draw of its input
    barely = data.assign(x=0.3 + rng.normal(0, 1e-4, area.size))
    check = _check(toy_spec("t", c={"area_effects": False}, p=False), barely)
    assert check.status("x -> c") == "weak local data" and check.status("c -> y") != "weak local data"


def test_a_parent_varying_between_areas_informs_a_child_with_area_effects_by_its_areas_not_its_rows():
    # issue 30 item 4: the child's area intercepts absorb between-area variation, so the
    # information is the mixed model's; variation within areas keeps its full weight

    from copath.model.data import prepare_data
    from copath.model.identification import expected_contraction

    spec = ("name: b\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, baseline: 2, offset: pop, per: 1000, "
            "area_effects: AE}\nlinks:\n  - {from: x, to: y}\noutcomes: [y]\n")
    mixed, pooled = cp.loads_pathway(spec.replace("AE", "true")), cp.loads_pathway(spec.replace("AE", "false"))
    data = cp.simulate(mixed, areas=10, months=24, random_seed=0).data
    between = 0.1 * data.groupby("area")["x"].transform("mean").to_numpy()
    within = 0.1 * (data["x"] - data.groupby("area")["x"].transform("mean")).to_numpy()

    def contraction(pw, x):
        frame = data.assign(x=x)
        prepared = prepare_data(pw, frame)
        return expected_contraction(pw, prepared, "y", prepared.values["x"][prepared.observed["y"]], 1.0)

    # on these data (seed 0) a fit narrowed the prior variance by 0.38 (expected here 0.44; 0.87 before, pooled)
    assert contraction(mixed, between) < 0.5 < contraction(pooled, between)
    assert contraction(mixed, within) == pytest.approx(contraction(pooled, within), rel=0.05)


def test_a_parent_varying_only_between_areas_is_not_local_data_below_half_a_contraction():
    # issue 30 item 4: expected 0.44 on these data (a fit narrowed it by 0.38), above the general
    # 0.1 rule but below the 0.5 asked of a link informed only by areas' differences
    spec = ("name: b\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, baseline: 2, offset: pop, per: 1000, "
            "area_effects: true}\nlinks:\n  - {from: x, to: y}\noutcomes: [y]\n")
    pw = cp.loads_pathway(spec)
    data = cp.simulate(pw, areas=10, months=24, random_seed=0).data
    means = data.groupby("area")["x"].transform("mean")
    # a declared range gives x a unit a prior per unit can speak of (the label's reference)
    spec = spec.replace("{kind: exposure}", "{kind: exposure, range: [-5, 5]}")
    between = _check(spec, data.assign(x=0.1 * means))
    assert between.status("x -> y") == "weak local data"
    assert "varies mostly between areas (100%" in between.reasons["x -> y"] and "below the 50%" in between.reasons["x -> y"]
    # a jitter within areas (sd 1e-3 against 0.1 between) does not flip the label: the split is continuous
    jitter = np.random.default_rng(3).normal(0, 1e-3, len(data))
    assert _check(spec, data.assign(x=0.1 * means + jitter)).status("x -> y") == "weak local data"
    assert _check(spec, data.assign(x=means)).status("x -> y") == "local data"  # whole: expected above 0.5
    # the same small variation within areas keeps its full weight: local data
    within = _check(spec, data.assign(x=0.3 + 0.1 * (data["x"] - means)))
    assert within.status("x -> y") == "local data"


def test_a_within_link_whose_parent_never_changes_within_an_area_rests_on_its_prior():
    spec = ("name: w\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, area_effects: true}\n"
            "links:\n  - {from: x, to: y, within: true}\noutcomes: [y]\n")
    data = pd.DataFrame({"area": [0, 0, 1, 1, 2, 2], "month": [1, 2] * 3, "x": [0.0, 0.0, 1.0, 1.0, 3.0, 3.0],
                         "y": [1, 2, 3, 4, 5, 6]})
    check = _check(spec, data)
    assert check.status("x -> y") == "prior only" and "never changes within an area" in check.reasons["x -> y"]
    assert _check(spec, data.assign(x=[0.0, 1.0, 1.0, 1.5, 3.0, 2.0])).status("x -> y") == "local data"
