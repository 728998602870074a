"""res.check_pathway(): score tests of the pathway's implied independencies (issue 30 item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from copath.sensitivity.pathway_check import cluster_score_test, holm
from tests.pathways import TWO_ARMS, TWO_ARMS_JOINED, TWO_ARMS_TRUTH


def test_holm_and_the_clustered_score_statistic_by_hand():
    assert holm(np.array([0.01, 0.04, 0.03])).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm(np.array([0.5, 0.001])).tolist() == pytest.approx([0.5, 0.002])
    # two clusters: scores (r * w) 1, 2 | 3, -1 -> sums 3 and 2; variance 2/1 x (9 + 4) = 26
    t, p = cluster_score_test(np.array([1.0, 2.0, 3.0, -1.0]), np.ones(4), np.array([0, 0, 1, 1]))
    assert t == pytest.approx(5 / np.sqrt(26))
    from scipy.stats import t as student_t
    assert p == pytest.approx(2 * student_t.sf(5 / np.sqrt(26), df=1))
    # nothing varies between clusters' scores: no statistic
    assert np.isnan(cluster_score_test(np.array([1.0, -1.0]), np.ones(2), np.array([0, 0]))[0])


def test_an_omitted_link_is_rejected_and_named():
    true = cp.loads_pathway(TWO_ARMS_JOINED)
    sim = cp.simulate(true, areas=40, months=12, random_seed=5, params=TWO_ARMS_TRUTH)
    res = cp.fit(cp.loads_pathway(TWO_ARMS), sim.data, draws=400, tune=400, chains=2, random_seed=5,
                 progressbar=False, prior_draws=0)
    check = res.check_pathway()
    table = check.table.set_index(["node", "other"])
    assert table.loc[("y", "x2"), "rejected"] and table.loc[("y", "x2"), "slope"] > 0
    assert table.loc[("y", "x2"), "p_holm"] >= table.loc[("y", "x2"), "p_value"]
    assert "y is not independent of x2 given x1" in check.describe()
    # x1 -> y and x2 -> z are in the pathway: z's statements hold in these data
    assert not table.loc[("z", "x1"), "rejected"]


def test_statements_given_a_count_are_listed_as_untested():
    pw = cp.loads_pathway("""name: chain
nodes:
  x: {kind: exposure}
  m: {kind: count, offset: pop, per: 1000}
  y: {kind: continuous, scale: 1}
links:
  - {from: x, to: m}
  - {from: m, to: y}
outcomes: [y]
""")
    sim = cp.simulate(pw, areas=20, months=6, random_seed=2)
    res = cp.fit(pw, sim.data, draws=300, tune=300, chains=2, random_seed=2, progressbar=False, prior_draws=0)
    check = res.check_pathway()
    assert check.table.empty and check.untested == ("y _||_ x | m (given m, seen through an expected value)",)
    assert "Not tested: 1 statement(s) that condition on a count or proportion node" in check.describe()
    with pytest.raises(ValueError, match="alpha"):
        res.check_pathway(alpha=1.5)


def test_statements_with_nothing_to_test_are_not_counted_as_tested():
    # the City trial's case: exposures held at one value give NaN statistics; the verdict must not read
    # "18 tested ... reject 0" (a pass) when none was tested
    from copath.sensitivity.pathway_check import CHECK_COLUMNS, PathwayCheck
    rows = [{"node": "burglary", "other": "nw_coverage", "given": "", "n_obs": 10, "association": np.nan,
             "slope": np.nan, "statistic": np.nan, "p_value": np.nan, "p_holm": np.nan, "rejected": False},
            {"node": "burglary", "other": "violent", "given": "", "n_obs": 10, "association": 0.1,
             "slope": 0.1, "statistic": 1.0, "p_value": 0.3, "p_holm": 0.3, "rejected": False}]
    check = PathwayCheck(table=pd.DataFrame(rows, columns=list(CHECK_COLUMNS)), alpha=0.05)
    text = check.describe()
    assert text.startswith("1 implied independence(s) tested") and "Not tested: 1 statement(s)" in text
    assert "burglary _||_ nw_coverage" in text and repr(check).startswith("PathwayCheck(1 of 2 statements tested")
    none = PathwayCheck(table=pd.DataFrame(rows[:1], columns=list(CHECK_COLUMNS)), alpha=0.05)
    assert none.describe().startswith("No implied independence could be tested here.")
