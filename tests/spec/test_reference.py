"""The spec reference (docs/guides/spec.md) cannot go stale: it has a row for every key the loader
accepts and for no other, names every allowed value of the keys with fixed choices, and its
examples load."""

from __future__ import annotations

import re

import pytest

import copath as cp
from copath import kinds
from copath.options import Better, ContinuousLink, CountFamily, GivenAs, ProportionFamily, TimeEffect, choices
from copath.spec import loader
from copath.yaml_io import read_yaml_text
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "guides" / "spec.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return DOC.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _keys(title: str) -> list[str]:
    """The first cell of every row of the section's table."""
    return re.findall(r"^\| `([^`]+)` \|", _section(title), flags=re.M)


@pytest.mark.parametrize(("title", "allowed"), [
    ("Top-level keys", loader._TOP_KEYS),
    ("Node keys", loader._NODE_KEYS),
    ("Link keys", loader._LINK_KEYS),
    ("Risk keys", loader._RISK_KEYS),
])
def test_every_key_the_loader_accepts_has_one_row_and_no_other(title, allowed):
    rows = _keys(title)
    assert len(rows) == len(set(rows)), f"{title}: a key is listed twice"
    assert sorted(rows) == sorted(allowed), (f"{title}: missing {sorted(set(allowed) - set(rows))}, "
                                             f"not accepted {sorted(set(rows) - set(allowed))}")


@pytest.mark.parametrize(("key", "values"), [
    ("kind", kinds.names()), ("given_as", choices(GivenAs)), ("link", choices(ContinuousLink)),
    ("better", choices(Better)), ("time", choices(TimeEffect)),
    ("family", choices(CountFamily) + choices(ProportionFamily)),
])
def test_every_allowed_value_is_named_in_its_row(key, values):
    row = next(line for line in _section("Node keys").splitlines() if line.startswith(f"| `{key}` |"))
    for value in values:
        assert f"`{value}`" in row, f"{key}: value {value!r} not in the reference"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def test_the_complete_examples_load():
    complete = [b for b in _yaml_blocks() if b.startswith("name:")]
    assert len(complete) == 5
    for block in complete:
        pw = cp.loads_pathway(block, source="docs/guides/spec.md")
        assert pw.link_names
    first = cp.loads_pathway(complete[0])
    assert first.nodes["good_job"].given_as == "share" and first.risks[0].nodes == ("contact", "good_job")
    coarser = cp.loads_pathway(complete[2])
    assert coarser.nodes["confidence"].observed_at == ("borough", "quarter")


def test_the_link_and_risk_fragments_load_on_the_flagship(flagship):
    doc = loader.pathway_to_dict(flagship)
    fragments = [b for b in _yaml_blocks() if not b.startswith("name:")]
    assert [b.split(":", 1)[0] for b in fragments] == ["links", "risks"]
    for block in fragments:  # each replaces the flagship's own links or risks
        part = read_yaml_text(block)
        pw = loader.pathway_from_dict({**doc, **part, "outcomes": []}, source="docs/guides/spec.md")
        assert len(getattr(pw, next(iter(part)))) == len(next(iter(part.values())))


def test_the_docstrings_point_to_the_reference_not_to_a_missing_file():
    src = ROOT / "src" / "copath"
    assert not [str(p.relative_to(src)) for p in src.rglob("*.py") if "DESIGN.md" in p.read_text(encoding="utf-8")]
    assert "docs/guides/spec.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/guides/spec.md" in (cp.Node.__doc__ or "") and "docs/guides/spec.md" in (loader.__doc__ or "")
