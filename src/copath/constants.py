"""Constants shared across copath: the HDI probability, the evidence grades and the weak-link rule.

Example
-------
>>> HDI_PROB
0.94
>>> sorted(WEAK_GRADES)
['C', 'D', 'E']
>>> WEAK_RULE
'strongest evidence graded C, D or E, direction-only evidence, or no evidence'
>>> DESIGN_GRADE["rct"], is_weak("A", direction_only=True)
('B', True)
"""

from __future__ import annotations

__all__ = ["HDI_PROB", "MODEL_NAMES", "data_name", "missing_name", "observed_dim", "GRADES", "WEAK_GRADES", "STRONG_GRADES", "WEAK_RULE", "STRONG_RULE", "is_weak", "GRADE_MEANING", "DESIGNS", "DESIGN_GRADE", "DOWNGRADE_DOMAINS", "downgraded"]

#: Probability mass of every highest-density interval copath reports.
HDI_PROB: float = 0.94

#: Evidence grades, strongest first.
GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")

#: What each grade says about the study behind a number (not whether it reported a size).
GRADE_MEANING: dict[str, str] = {
    "A": "systematic review or meta-analysis of controlled studies",
    "B": "randomised or well-controlled study",
    "C": "single uncontrolled evaluation, before/after or survey figure",
    "D": "qualitative or anecdotal",
    "E": "hypothesised, no evidence",
}

#: A link whose strongest evidence has one of these grades (or none) is weak.
WEAK_GRADES: frozenset[str] = frozenset({"C", "D", "E"})


def is_weak(grade: str | None, direction_only: bool = False) -> bool:
    """Whether a link whose strongest evidence has ``grade`` (None: no evidence) is weak.

    A link is weak when its strongest grade is in :data:`WEAK_GRADES`, when it has no
    evidence, or when all its evidence gives only a direction (or a hypothesis): a
    systematic review that reports only a sign is a strong study, but the size of the
    effect then comes from copath's direction convention, not from the evidence.

    Parameters
    ----------
    grade
        The strongest grade of the link's effect entries, or None for no evidence.
    direction_only
        True when every effect entry on the link is a ``direction`` or ``hypothesis``.

    Returns
    -------
    bool
        Whether the link is weak (:data:`WEAK_RULE`).

    Example
    -------
    >>> is_weak("B"), is_weak("C"), is_weak(None)
    (False, True, True)
    """
    return grade is None or grade in WEAK_GRADES or direction_only


#: The other grades, strongest first.
STRONG_GRADES: tuple[str, ...] = tuple(g for g in GRADES if g not in WEAK_GRADES)


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


#: The weak-link rule in words: every report, table, legend and message that states it reads this.
WEAK_RULE: str = (f"strongest evidence graded {_either([g for g in GRADES if g in WEAK_GRADES])}, "
                  "direction-only evidence, or no evidence")
#: A link that is not weak, in words.
STRONG_RULE: str = f"strongest evidence graded {_either(list(STRONG_GRADES))}, with a size or a null"

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

#: The grade a study design starts from, before downgrades (DESIGN.md, "in the spirit of
#: GRADE": Guyatt et al. 2008, BMJ 336:924). Reviews of controlled studies start at A,
#: randomised and well-controlled studies at B, single uncontrolled evaluations, official
#: figures and surveys at C, qualitative work at D, a hypothesis at E.
DESIGN_GRADE: dict[str, str] = {
    "meta-analysis": "A",
    "systematic-review": "A",
    "rct": "B",
    "quasi-experiment": "B",
    "official-statistics": "C",
    "evaluation": "C",
    "survey": "C",
    "qualitative": "D",
    "none": "E",
}

#: The reasons a grade is lowered below its design's (GRADE's domains: Guyatt et al. 2011,
#: J Clin Epidemiol 64:383); each recorded reason lowers the grade one step.
DOWNGRADE_DOMAINS: tuple[str, ...] = ("risk_of_bias", "inconsistency", "indirectness", "imprecision")


def downgraded(design: str, steps: int) -> str:
    """The grade of a study of ``design`` lowered by ``steps`` recorded downgrades.

    Parameters
    ----------
    design
        One of :data:`DESIGNS`.
    steps
        How many downgrade reasons are recorded (0 to 4).

    Returns
    -------
    str
        The grade, never below the weakest (E).

    Example
    -------
    >>> downgraded("meta-analysis", 2), downgraded("qualitative", 3)
    ('C', 'E')
    """
    start = GRADES.index(DESIGN_GRADE[design])
    return GRADES[min(start + steps, len(GRADES) - 1)]
