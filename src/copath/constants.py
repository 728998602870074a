"""Constants shared across copath: the HDI probability, the evidence grades and the weak-link rule.

Example
-------
>>> HDI_PROB
0.94
>>> sorted(WEAK_GRADES)
['C', 'D', 'E']
>>> WEAK_RULE
'strongest evidence graded C, D or E, or no evidence'
"""

from __future__ import annotations

__all__ = ["HDI_PROB", "MODEL_NAMES", "GRADES", "WEAK_GRADES", "STRONG_GRADES", "WEAK_RULE", "STRONG_RULE", "GRADE_MEANING", "DESIGNS"]

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
#: The other grades, strongest first.
STRONG_GRADES: tuple[str, ...] = tuple(g for g in GRADES if g not in WEAK_GRADES)


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


#: The weak-link rule in words: every report, table, legend and message that states it reads this.
WEAK_RULE: str = f"strongest evidence graded {_either([g for g in GRADES if g in WEAK_GRADES])}, or no evidence"
#: A link that is not weak, in words.
STRONG_RULE: str = f"strongest evidence graded {_either(list(STRONG_GRADES))}"

#: Names the model builder gives its own variables and dimensions (beside each kind's noise
#: parameter): no node may take one.
MODEL_NAMES: tuple[str, ...] = ("beta", "beta_free", "beta_size", "intercept", "area_sd", "area_z", "link",
                                "link_free", "link_signed", "node", "area", "area_node")

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
