"""Posterior reports (HTML and Markdown), the report CLI, and Jupyter HTML reprs."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from pathlib import Path

import pytest

import copath as cp
from copath.cli import main
from copath.reports import content

HOSTILE = "<script>alert(1)</script>"
SPEC = f"""name: hostile
nodes:
  x: {{kind: exposure, label: "exposure {HOSTILE}", range: [0, 1]}}
  y: {{kind: count, label: "{HOSTILE}", unit: "crimes <b>per</b> area", better: lower, maturity_lag: 1}}
  z: {{kind: continuous, better: higher, area_effects: false}}
links:
  - {{from: x, to: y}}
  - {{from: y, to: z}}
outcomes: [z]
"""
SECTIONS = ["The answer", "The pathway", "Evidence and priors per link", "Diagnostics", "Prior vs posterior per link",
            "Does the pathway fit the data?",
            "Final outcomes", "Scenarios and path effects", "Weak links and sensitivity", "The data used",
            "Risks the model does not capture", "Reproducibility"]


@pytest.fixture(scope="module")
def fitted():
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=30, months=3, random_seed=5, params={"beta": {"x -> y": -0.8, "y -> z": -0.5}})
    res = cp.fit(pw, sim.data, draws=300, tune=300, chains=2, random_seed=5, progressbar=False)
    sc = res.scenario({"x": "+0.2"}, name="more x")
    res.path_effects("x", "z", at=(0.0, 1.0))  # x is a share in [0, 1]: a shift of every row by 1 is refused
    res.sensitivity(scenarios=[sc])
    return res


@pytest.fixture(scope="module")
def html_report(fitted, tmp_path_factory):
    return fitted.report(tmp_path_factory.mktemp("report") / "report.html")


def test_html_report_has_every_section_and_escapes_user_text(html_report):
    page = html_report.read_text(encoding="utf-8")
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in page
    assert "<script" not in page and "<b>per</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;per&lt;/b&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page  # no network
    assert page.count("data:image/png;base64,") >= 4  # DAG, prior/posterior, outcomes, tornado
    # risks come from the pathway: this one lists none, so the generic threats worded for its nodes,
    # and none of the seed paper's dysfunctions (the flagship's own risks: tests/spec/test_risks.py)
    assert "lists no risks of its own" in page and "<strong>Unmeasured confounding</strong>" in page
    assert "<strong>Spill-over between areas</strong>" in page and "Vigilante" not in page


def test_a_maturity_lag_is_left_out_of_the_fit_and_said_in_the_report(fitted, html_report, tmp_path):
    # y's last month (3 of 3) is out of its likelihood: 30 areas x 2 months observed
    assert fitted.run.maturing == {"y": ["3"]}
    assert fitted.idata["observed_data"]["y"].size == 60
    assert "y: the last month (3) is left out of its likelihood" in html_report.read_text(encoding="utf-8")
    fitted.save(tmp_path / "res")
    assert cp.load_result(tmp_path / "res").run.maturing == {"y": ["3"]}


def test_report_numbers_come_from_the_result(fitted, html_report):
    page = html_report.read_text(encoding="utf-8")
    diag = fitted.diagnostics()
    assert f"{diag.max_rhat:.4g}" in page or f"{round(diag.max_rhat, 4):.3g}" in page
    repro = content.reproducibility(fitted)
    assert repro["sha256"]["data.csv"] == hashlib.sha256(fitted.data.to_csv(index=False).encode()).hexdigest()
    assert repro["sha256"]["data.csv"] in page and repro["sha256"]["pathway.yaml"] in page
    assert f"seed {fitted.settings.random_seed}" in page
    data = content.data_summary(fitted)
    assert data.loc["y", "present"] == len(fitted.data) and data.loc["y", "missing"] == 0
    assert "30 areas (area) x 3 periods" in page
    # z (normal, no area effect) was sampled by its sufficient statistics, and the report says so
    assert fitted.run.collapsed and all(html.escape(line) in page for line in fitted.run.collapsed)
    # the prior predictive check on the data's exposures: y (count, no baseline) and z (no range) have no
    # bounds, so nothing binds and the report says what was not checked
    check = fitted.prior_check(draws=300)
    assert check.passed is None and "Prior predictive check of expected values" in page
    assert "Nothing binding to check" in page
    assert html.escape("Not checked (no range, baseline or plausible bounds): y, z.") in page


def test_path_effects_say_which_decomposition_each_number_is(fitted, html_report):
    page = html_report.read_text(encoding="utf-8")
    eff = fitted.computed.path_effects["x -> z"]
    assert "Path effects show two decompositions of the same total effect" in page
    # the natural pair is shown beside the proportional split, each row named by its decomposition
    for label in ("natural direct (PNDE)", "natural indirect (TNIE)", "x -&gt; y -&gt; z"):
        assert f"<th>{label}</th>" in page
    assert "share of total in proportion to link-scale path products" in page
    assert f"{eff.table().loc['natural direct (PNDE)', 'mean']:+.3g} (94% HDI" in page
    assert html.escape(eff.describe().splitlines()[1]) in page
    # and the interventional indirect effects, one row per mediator (y) and the remainder
    assert "<caption>Interventional indirect effects of x on z, one mediator at a time</caption>" in page
    assert "<th>y</th>" in page and "<th>(remainder: mediators' interaction)</th>" in page
    assert html.escape(eff.describe().splitlines()[2]) in page


def test_path_effects_section_shows_the_interventional_table_escaped():
    # a hand-made record (no sampling): s -> l -> m -> y, s -> m, l -> y
    from copath.reports.document import Document, Paragraph, Table
    from copath.reports.render_html import to_html
    from copath.scenarios.paths import path_effects
    from tests.scenarios.test_paths import CHAIN, CHAIN_BETA, _record

    rec = _record(CHAIN, CHAIN_BETA, {"l": [0.0] * 3, "m": [0.0] * 3, "y": [0.0] * 3})
    eff = path_effects(rec, "s", "y", delta=0.5)
    section = content.scenarios_section([], [eff])
    tables = [b for b in section.blocks if isinstance(b, Table)]
    assert [t.caption for t in tables][1] == "Interventional indirect effects of s on y, one mediator at a time"
    assert tables[1].frame.equals(eff.interventional())
    texts = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
    assert "interventional indirect effect through each mediator (Vansteelandt and Daniel 2017)" in texts
    page = to_html(Document("r", [section]))
    assert "<th>(remainder: mediators' interaction)</th>" in page
    assert html.escape(eff.describe().splitlines()[2]) in page


def test_sensitivity_section_gives_the_e_values_of_the_informed_links(fitted, html_report):
    page = html_report.read_text(encoding="utf-8")
    assert ("an unmeasured area-level confounder associated with both the parent and the child by a risk ratio of "
            "E each, above the measured covariates, could explain away the link") in page
    caption = "<caption>Robustness to unmeasured confounding of the links the local data inform</caption>"
    assert caption in page
    table = page.split(caption, 1)[1].split("</table>", 1)[0]
    t = fitted.computed.sensitivity.table
    assert t["local_data"].all()  # x -> y and y -> z both have data
    for name in t.index:
        assert f"<th>{html.escape(name)}</th>" in table
    assert "<th>e_value</th>" in table and "<th>e_value_ci</th>" in table and "rate ratio" in table
    if (t["e_value_ci"] > 1).any():   # some interval is clear of no effect: the weakest of those is named
        assert "Weakest to unmeasured confounding" in page
    else:
        assert "already holds no effect, so no E-value is quoted" in page


def test_report_and_manifest_give_the_same_hashes(fitted, tmp_path):
    manifest = json.loads((fitted.save(tmp_path / "run") / "manifest.json").read_text(encoding="utf-8"))
    repro = content.reproducibility(fitted)["sha256"]
    assert repro and all(manifest["sha256"][name] == digest for name, digest in repro.items())
    # once saved, the report also gives the draws' hash, so the two lists are the same
    assert set(manifest["sha256"]) == set(repro) and "idata.nc" in repro


def test_markdown_report_writes_figures_beside_it(fitted, tmp_path):
    path = fitted.report(tmp_path / "r.md")
    text = path.read_text(encoding="utf-8")
    for title in SECTIONS:
        assert f"## {title}" in text
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "Robustness to unmeasured confounding of the links the local data inform" in text
    figures = sorted(p.name for p in (tmp_path / "r_files").iterdir())
    assert {"answer.png", "pathway.svg", "prior_posterior.png", "outcomes.png", "tornado.png"} <= set(figures)
    for name in figures:
        assert f"(r_files/{name})" in text
        head = (tmp_path / "r_files" / name).read_bytes()[:5]
        assert head == (b"<?xml" if name.endswith(".svg") else b"\x89PNG\r"[:5])


def test_a_failed_report_leaves_the_previous_one(fitted, tmp_path, monkeypatch):
    path = fitted.report(tmp_path / "r.html")
    before = path.read_bytes()

    def boom(*_a, **_k):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr("copath.reports.report.to_html", boom)
    with pytest.raises(RuntimeError):
        fitted.report(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left
    with pytest.raises(ValueError, match="fmt must be one of 'html', 'md'; got 'pdf'"):
        fitted.report(tmp_path / "r.pdf", fmt="pdf")


def test_cli_report(fitted, tmp_path, capsys):
    folder = fitted.save(tmp_path / "run")
    assert main(["report", str(folder), "--format", "md", "--set", "x=+0.1", "--sensitivity"]) == 0
    assert "Wrote" in capsys.readouterr().out
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert "## Scenarios and path effects" in text and "## Weak links and sensitivity" in text
    assert main(["report", str(tmp_path / "nothing")]) == 2


def test_jupyter_reprs_are_escaped_html(fitted):
    for obj in (fitted.pathway, fitted, fitted.computed.scenarios["more x"], fitted.computed.sensitivity):
        html = obj._repr_html_()
        assert html.startswith("<div>") and "<table" in html
        assert "<script" not in html
    assert "data:image/png;base64," in fitted.pathway._repr_html_()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow  # 12 s: a headless browser; make test-slow (make test stays under 10 minutes)
def test_report_renders_in_headless_chromium(html_report, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium package when it can)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(Path(html_report).resolve().as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        dialogs = page.evaluate("typeof window.alert")  # the page ran no script of its own
        shot = tmp_path / "report.png"
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(shot), full_page=False)
        # the first screen: the question, the diagnostics badge and the forest plot of the answer
        answer = page.evaluate("(() => { const i = Array.from(document.images).find(i => i.alt.startsWith('Scenario'));"
                               " const r = i.getBoundingClientRect(); return [r.top, r.bottom, r.width]; })()")
        badge = page.evaluate("document.querySelector('.callout a').getAttribute('href')")
        text = page.evaluate("document.body.innerText")
        dag = page.evaluate("(() => { const i = Array.from(document.images).find(i => i.alt.startsWith('The pathway'));"
                            " return [i.src.slice(0, 26), i.naturalWidth, i.getBoundingClientRect().width]; })()")
        browser.close()
    assert answer[0] < 900 and answer[2] > 600, answer  # the forest plot starts on the first screen, wide
    assert badge == "#diagnostics"
    assert text.count("Diagnostics pass:") + text.count("Diagnostics fail:") <= 2  # the badge and the section's own
    assert text.count("did not pass its diagnostics") == 0
    # the DAG is vector and shown at its own size (not shrunk below its labels' point size)
    assert dag[0] == "data:image/svg+xml;base64," and dag[2] >= dag[1] * 0.99, dag
    assert not errors, errors
    assert len(images) >= 4 and all(done and width > 0 for done, width, _ in images), images
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert dialogs == "function"
    assert shot.stat().st_size > 20_000


def test_diagnostics_table_shows_r_hat_beside_its_threshold_without_rounding_onto_it(fitted):
    from copath.display import format_frame
    from copath.reports.document import Table

    diag = cp.Diagnostics(0, 1.006, 900.0, 800.0, 0.9, 4000, 400.0)
    table = next(b for b in content.diagnostics_section(fitted, diag).blocks if isinstance(b, Table))
    shown = format_frame(table.frame, table.float_digits)
    assert shown.loc["max r_hat", "value"] == "1.006" and shown.loc["max r_hat", "threshold"] == "<= 1.01"

