"""Shared fixtures: the flagship pathway, the registry, and the seed paper's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import copath as cp

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
