"""Constants shared across copath: the HDI probability and the evidence grades.

Example
-------
>>> HDI_PROB
0.94
>>> sorted(WEAK_GRADES)
['C', 'D', 'E']
"""

from __future__ import annotations

__all__ = ["HDI_PROB", "GRADES", "WEAK_GRADES", "GRADE_MEANING", "DESIGNS", "NODE_KINDS"]

#: Probability mass of every highest-density interval copath reports.
HDI_PROB: float = 0.94

#: Evidence grades, strongest first.
GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")

GRADE_MEANING: dict[str, str] = {
    "A": "pooled quantitative estimate (meta-analysis or systematic review)",
    "B": "controlled study with an effect size",
    "C": "single uncontrolled evaluation or survey figure",
    "D": "direction only, qualitative, or 'not quite significant'",
    "E": "hypothesised, no evidence, or evidence of no effect",
}

#: A link whose strongest evidence has one of these grades (or none) is weak.
WEAK_GRADES: frozenset[str] = frozenset({"C", "D", "E"})

DESIGNS: tuple[str, ...] = (
    "meta-analysis",
    "systematic-review",
    "official-statistics",
    "rct",
    "quasi-experiment",
    "evaluation",
    "survey",
    "qualitative",
    "none",
)

NODE_KINDS: tuple[str, ...] = ("exposure", "count", "proportion", "continuous")
