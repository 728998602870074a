"""The report section "Does the pathway fit the data?" (issue 30 item 5): LOO by row without
refits, the pathway's implications tested and rejected, the predictive checks' verdict."""

from __future__ import annotations

import pytest

import copath as cp
from copath.errors import CopathError
from copath.reports import pathway_fit as pf
from copath.reports.document import Callout, Document, Paragraph, Table
from copath.reports.render_html import to_html
from tests.pathways import TWO_ARMS, TWO_ARMS_JOINED, TWO_ARMS_TRUTH

#: x2 -> y is left out of the pathway; the data have it (1.0 per unit, residual sd 0.3)
WRONG = TWO_ARMS.replace("name: simple", "name: wrong")
TRUE = TWO_ARMS_JOINED.replace("name: simple", "name: rival")
TRUTH = TWO_ARMS_TRUTH


def fit_pathways(*names: str) -> dict:
    """The named pathways ("wrong", "true") fitted to the same data, simulated from the true one."""
    sim = cp.simulate(cp.loads_pathway(TRUE), areas=30, months=8, random_seed=5, params=TRUTH)
    specs = {"wrong": WRONG, "true": TRUE}
    return {name: cp.fit(cp.loads_pathway(specs[name]), sim.data, draws=300, tune=300, chains=2, random_seed=5,
                         progressbar=False, prior_draws=0) for name in names}


@pytest.fixture(scope="module")
def wrong():
    return fit_pathways("wrong")["wrong"]


def _text(section) -> str:
    return "\n".join(b.text for b in section.blocks if isinstance(b, Paragraph | Callout))


def test_the_section_gives_loo_per_node_the_rejected_implication_and_the_predictive_verdict(wrong):
    fit = pf.pathway_fit(wrong)
    section = pf.pathway_fit_section(fit)
    assert section.title == "Does the pathway fit the data?"
    text = _text(section)
    # LOO: by row, never refitted, said so; a row per observed node and the total, with Pareto k
    assert fit.loo.by == "row" and not fit.loo.refitted
    assert "Leave-one-row-out, without refits (max_refits=0)" in text
    loo_table = next(b.frame for b in section.blocks if isinstance(b, Table) and "k_max" in b.frame)
    assert set(loo_table.index) == {"y", "z", "total"}
    assert loo_table.loc["total", "elpd"] == pytest.approx(fit.loo.table.loc["total", "elpd"])
    # the omitted link x2 -> y is found, with its size, and the section says what to do
    assert "y is not independent of x2 given x1" in text
    assert any(isinstance(b, Callout) and b.kind == "fail" and "reject 1 of" in b.text for b in section.blocks)
    check_table = next(b.frame for b in section.blocks if isinstance(b, Table) and "p_holm" in b.frame)
    assert check_table.set_index(["node", "other"]).loc[("y", "x2"), "rejected"]
    # the predictive checks already made: the verdict of the fit's own diagnostics
    diag = wrong.diagnostics()
    assert fit.predictive_passed is (not diag.predictive)
    assert ("Posterior predictive checks (details under Diagnostics): " + fit.predictive) in text


def test_a_check_that_cannot_be_made_is_said_with_its_reason_and_escaped(wrong, monkeypatch):
    def no_loo(*args, **kwargs):
        raise CopathError("<script>x</script> stored only per-node totals")

    monkeypatch.setattr(pf, "loo_of", no_loo)
    fit = pf.pathway_fit(wrong)
    assert fit.loo is None and "stored only per-node totals" in fit.loo_error
    assert "Predictive fit (PSIS-LOO): not computed:" in fit.describe()
    section = pf.pathway_fit_section(fit)
    assert "PSIS-LOO is absent here: <script>x</script> stored only per-node totals" in _text(section)
    assert not any(isinstance(b, Table) and "k_max" in b.frame for b in section.blocks)
    # the implications are still tested
    assert fit.check is not None and len(fit.check.rejected) == 1
    page = to_html(Document(title="t", subtitle="", sections=[section]))
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_links_identified_only_between_areas_are_listed_in_the_section_and_the_text():
    from copath.reports.pathway_fit import PathwayFit, pathway_fit_section

    fit = PathwayFit(None, "no log likelihood", None, "not run", "every observed node passes.", True,
                     identified={"a -> y": "between areas", "b -> y": "both", "c -> z": ""})
    text = fit.describe()
    assert "Where the data identify each link: a -> y: between areas; b -> y: both." in text
    assert "Links identified only between areas: a -> y." in text
    notes = [b.text for b in pathway_fit_section(fit).blocks if type(b).__name__ == "Callout"]
    assert notes == ["1 link(s) identified only between areas: a -> y."]
