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

__all__ = ["HDI_PROB", "MODEL_NAMES", "data_name", "missing_name", "observed_dim", "GRADES", "WEAK_GRADES", "STRONG_GRADES", "WEAK_RULE", "STRONG_RULE", "is_weak", "GRADE_MEANING", "DESIGNS"]

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


def is_weak(grade: str | None) -> bool:
    """Whether a link whose strongest evidence has ``grade`` (None: no evidence) is weak.

    Example
    -------
    >>> is_weak("B"), is_weak("C"), is_weak(None)
    (False, True, True)
    """
    return grade is None or grade in WEAK_GRADES


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
def data_name(exposure: str) -> str:
    """The model's name for an exposure's data (``x_<exposure>``)."""
    return f"x_{exposure}"


def missing_name(node: str) -> str:
    """The model's name for a node's imputed missing values (``<node>_missing``)."""
    return f"{node}_missing"


def observed_dim(node: str) -> str:
    """The model's dimension of a node's observed rows (``<node>_obs``)."""
    return f"{node}_obs"


MODEL_NAMES: tuple[str, ...] = ("beta", "beta_free", "beta_soft", "beta_total", "intercept", "area_sd", "area_z", "area_c",
                                "area_effect", "link", "link_free", "link_signed", "link_total", "node", "area", "area_node",
                                "area_centred", "area_noncentred", "season", "season_sd", "season_z", "trend",
                                "season_node", "trend_node", "month_of_year")

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
