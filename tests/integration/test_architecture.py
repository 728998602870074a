"""ARCHITECTURE.md stays true: its module table names every module under src/copath and
only modules that exist; the stack it draws is the one the layering test enforces."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.integration.test_layering import LAYERS

DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
SRC = ROOT / "src" / "copath"


def table_modules() -> list[str]:
    """The first cell of every row of the module table."""
    section = DOC.split("## Modules", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)


def test_the_table_lists_every_module_and_no_other():
    listed = table_modules()
    actual = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py"))
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert sorted(listed) == actual, (f"missing from ARCHITECTURE.md: {sorted(set(actual) - set(listed))}; "
                                      f"listed but absent: {sorted(set(listed) - set(actual))}")


def test_the_drawn_stack_is_the_enforced_one():
    drawing = DOC.split("## The stack", 1)[1].split("```")[1]
    rows = [line.split("   ")[0].split() for line in drawing.strip().splitlines()]
    drawn = [{w.rstrip("/").removesuffix(".py") for w in row} for row in rows]
    enforced = [layer for layer in reversed(LAYERS) if layer != {"__main__"}]
    assert drawn == enforced
