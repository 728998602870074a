"""Shared fixtures: the flagship pathway, the registry, and the seed paper's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import copath as cp
from tests.pathways import toy_spec

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_70669a742c2e5018.txt"


def normalise(text: str) -> str:
    """Collapse white space and unify quote marks, for verbatim-quote checks."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text)  # a hyphenated word broken across lines
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="session")
def flagship() -> cp.Pathway:
    return cp.load_pathway("policing_coproduction")


@pytest.fixture(scope="session")
def evidence() -> cp.Evidence:
    return cp.load_evidence()


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"the seed paper is not at {SEED} (shared/ must sit beside the project)")
    return normalise(SEED.read_text(encoding="utf-8"))


TOY_SPEC = toy_spec(c={"offset": "hh", "per": 1000, "area_effects": True}, direct=True)
TRUE_BETA = {"x -> c": -0.8, "c -> p": 0.6, "p -> y": 0.7, "x -> y": 0.5}


@pytest.fixture(scope="session")
def toy():
    """A fit of the toy chain (x -> c -> p -> y and x -> y) to simulated data with known links."""
    pw = cp.loads_pathway(TOY_SPEC)
    sim = cp.simulate(pw, areas=60, months=6, random_seed=21, params={
        "beta": TRUE_BETA, "intercept": {"c": 1.0, "p": -0.3, "y": 0.2},
        "area_sd": {"c": 0.3}, "sigma": {"y": 0.3},
    })
    res = cp.fit(pw, sim.data, draws=1000, tune=800, chains=2, random_seed=7, progressbar=False)
    return pw, sim, res
