"""Shared by the benchmark scripts: print a result section and append it to results.md."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")


def record(lines: list[str]) -> None:
    """Print ``lines`` and append them to ``results.md`` (never rewritten: a log of runs)."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    print(text)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(text)
