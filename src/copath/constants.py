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

from collections.abc import Collection
from typing import Literal, get_args

__all__ = ["HDI_PROB", "PLAUSIBLE_RATIO", "MODEL_NAMES", "data_name", "missing_name", "observed_dim", "GRADES", "WEAK_GRADES", "STRONG_GRADES", "WEAK_RULE", "STRONG_RULE", "is_weak", "GRADE_MEANING", "DESIGNS", "DESIGN_GRADE", "DOWNGRADE_DOMAINS", "downgraded",
           "UpgradeDomain", "UPGRADE_DOMAINS", "UPGRADE_CEILING", "LARGE_EFFECT_RR", "SMS_LEVELS", "SMS_MEANING", "SMS_SOURCES", "SMS_GRADE", "SMS_DESIGNS",
           "can_upgrade", "starting_grade", "expected_grade", "EmmieDimension", "EMMIE_DIMENSIONS", "EMMIE_MEANING"]

#: Probability mass of every highest-density interval copath reports.
HDI_PROB: float = 0.94

#: A count's rate or a proportion's odds may lie at most this factor above or below the node's
#: baseline before the prior predictive check calls an expected value implausible (advisory;
#: a spec's ``plausible: [low, high]`` replaces it): :mod:`copath.model.prior_check`.
PLAUSIBLE_RATIO: float = 20.0

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
                                "season_node", "trend_node", "month_of_year", "period", "period_sd", "period_raw", "period_effect",
                                "period_node", "period_free", "between", "link_within")

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

#: The grade a study design starts from when no SMS level is stated, before downgrades
#: (in the spirit of GRADE: Guyatt et al. 2008, BMJ 336:924; docs/guides/evidence.md). Reviews of
#: controlled studies start at A, randomised studies at B, single evaluations, official figures
#: and surveys at C, qualitative work at D, a hypothesis at E. A quasi-experiment starts at C,
#: the grade of SMS 3 (a comparison with a comparable group; SMS 2, the level below, also starts
#: at C): only a stated ``sms: 4`` (several units, with controls for other factors) makes it the
#: well-controlled study of grade B (:func:`starting_grade`). Were it B without a level, leaving
#: the level out would pay: the same study would lose a grade by stating ``sms: 3``.
DESIGN_GRADE: dict[str, str] = {
    "meta-analysis": "A",
    "systematic-review": "A",
    "rct": "B",
    "quasi-experiment": "C",
    "official-statistics": "C",
    "evaluation": "C",
    "survey": "C",
    "qualitative": "D",
    "none": "E",
}

#: The reasons a grade is lowered below its design's (GRADE's domains: Guyatt et al. 2011,
#: J Clin Epidemiol 64:383); each recorded reason lowers the grade one step. The fifth,
#: publication bias (Guyatt et al. 2011, "GRADE guidelines: 5. Rating the quality of evidence -
#: publication bias", J Clin Epidemiol 64:1277, doi:10.1016/j.jclinepi.2011.01.011,
#: https://edoc.unibas.ch/30221/), applies to a body of evidence: a review's pooled effect
#: from many small studies, say, where the ones that found nothing may be missing.
DOWNGRADE_DOMAINS: tuple[str, ...] = ("risk_of_bias", "inconsistency", "indirectness", "imprecision",
                                      "publication_bias")

#: GRADE's reasons for rating evidence up one step (Guyatt et al. 2011, "GRADE guidelines: 9.
#: Rating up the quality of evidence", J Clin Epidemiol 64:1311, doi:10.1016/j.jclinepi.2011.06.004,
#: http://pubmed.gov/21802902): a large effect, a dose-response gradient, and plausible
#: confounding that would reduce the effect shown (or would make a spurious effect where none is
#: found). The abstract (read at that address): "GRADE suggests considering rating up quality of
#: evidence one level when methodologically rigorous observational studies show at least a
#: two-fold reduction or increase in risk, and rating up two levels for at least a five-fold
#: reduction or increase in risk. Systematic review authors and guideline developers may also
#: consider rating up quality of evidence when a dose-response gradient is present, and when all
#: plausible confounders or biases would decrease an apparent treatment effect". GRADE rates up
#: a body of evidence, and systematic-review authors do; in copath a single study may be rated
#: up when it starts at C or below (:func:`can_upgrade`), and a review, which starts at A, has
#: no step above it. copath's conditions, checked by the registry:
#:
#: - not beside a ``risk_of_bias`` downgrade: GRADE rates up "methodologically rigorous"
#:   observational studies, and a study rated down for its risk of bias is not one;
#: - ``large_effect`` only where the effect is at least two-fold (:data:`LARGE_EFFECT_RR`);
#: - never above :data:`UPGRADE_CEILING`.
UpgradeDomain = Literal["large_effect", "dose_response", "plausible_confounding"]
UPGRADE_DOMAINS: tuple[str, ...] = get_args(UpgradeDomain)

#: The best grade upgrades can give a single study: B, the grade of a randomised or
#: well-controlled study. In GRADE randomised trials start at the top and observational studies
#: two levels below it (as the Belgian KCE's GRADE process book puts it, "Randomized trials start
#: as high-quality evidence, observational studies as low quality",
#: https://processbook.kce.be/book/export/html/96), so rating up can make observational evidence
#: equal to randomised evidence, never better. copath starts a randomised
#: study at B and keeps A for reviews of several, so an upgraded single study stops at B.
UPGRADE_CEILING: str = "B"

#: The relative risks a ``large_effect`` upgrade must reach: an entry whose effect is a ratio
#: (``rate_ratio``, ``odds_ratio``) or a ``percent_reduction`` with a size is refused the
#: upgrade when its reported central value lies strictly inside this interval. GRADE 9's
#: threshold for one level: "at least a two-fold reduction or increase in risk"
#: (http://pubmed.gov/21802902), in its table "relative risk [RR]=2-5 or RR=0.5-0.2 with no
#: plausible confounders" (as quoted from the article at
#: https://help.magicapp.org/knowledgebase/articles/295011-how-to-rate-up-the-quality-of-evidence).
#: The central value is the entry's ``value``, else the centre of ``low``-``high`` on the log
#: scale (as :mod:`copath.evidence.conversions` reads a range); a percentage reduction ``r`` is
#: RR = 1 - r/100, against the comparison's ``control`` fall ``c`` where one is given
#: (RR = (1 - r/100)/(1 - c/100), the ratio the prior is built from). An odds ratio is taken as
#: it is: it lies further from 1 than the risk ratio, so one inside the interval is never
#: two-fold in risk. Other measures (a Cohen's d, before/after counts) are not checked.
LARGE_EFFECT_RR: tuple[float, float] = (0.5, 2.0)

#: The Maryland Scientific Methods Scale (SMS), 1 (weakest) to 5: how well an evaluation's
#: design rules out other explanations of the effect it reports (internal validity). Levels 1
#: and 2 follow Sherman et al. (1998), "Preventing Crime: What Works, What Doesn't, What's
#: Promising", NIJ Research in Brief NCJ 171676 (http://www.ncjrs.gov/txtfiles/171676.txt), as
#: quoted at http://www.crimevictimsunited.org/issues/evaluatingprevention.htm; level 3 the
#: What Works Centre for Local Economic Growth's reading ("a comparison group ... argued to be
#: similar to the treatment group", http://www.whatworksgrowth.org/resources/the-scientific-maryland-scale/)
#: and the Center for Evidence-Based Crime Policy's ("separate comparison group present but
#: non-randomly constituted", http://cebcp.org/evidence-based-policing/the-matrix/inclusion-criteria-methods-key/);
#: level 5 is random assignment (the What Works Centre: "5 for randomised control trials").
#: Level 4, the step between, adds several units and controls for other factors to level 3's
#: comparison (the full text of Sherman et al.'s definition was not among the pages read).
SMS_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
SMS_MEANING: dict[int, str] = {
    1: "correlation between a programme and a crime measure at one point in time",
    2: "before/after without a comparison group, or with one not shown to be comparable",
    3: "before/after in the programme area and in a comparable comparison area",
    4: "several programme and comparison units, with controls for other factors",
    5: "random assignment of comparable units to the programme and to a comparison",
}
#: Where the level meanings come from (printed by ``copath evidence show``).
SMS_SOURCES: tuple[str, ...] = (
    "http://www.ncjrs.gov/txtfiles/171676.txt",
    "http://www.whatworksgrowth.org/resources/the-scientific-maryland-scale/",
)

#: The grade an evaluation starts from by its SMS level, when one is stated (never above the
#: grade of its design's best level, :func:`starting_grade`: an evaluation at SMS 3 stays at C,
#: a quasi-experiment reaches B only at SMS 4). SMS 5 and 4 are copath's "randomised or
#: well-controlled study" (B); SMS 3, one comparison with a comparable group but not yet several
#: units with controls, stays at C, on the cautious side of a grade scale with no step between B
#: and C (the What Works Centre for Local Economic Growth shortlists only evaluations that
#: "could potentially score 3 or above", the threshold for an impact evaluation, not the mark of
#: a strong one); SMS 2, a before/after, is what grade C describes; SMS 1, a correlation at one
#: point in time, cannot even tell which came first (temporal order is what level 2 adds), so it
#: starts one step lower, at D. No level starts at A: the SMS rates one evaluation, and A is for
#: a review of several.
SMS_GRADE: dict[int, str] = {5: "B", 4: "B", 3: "C", 2: "C", 1: "D"}

#: The SMS levels each design can have; an entry whose ``sms`` is outside its design's levels
#: is refused as a plain disagreement. An RCT is level 5, or 4 where its randomisation was
#: compromised (the What Works Centre scores "the robustness of the method used and the quality
#: of its implementation"); a quasi-experiment 2 to 4 (2 when the comparison group is not shown
#: to be comparable); an uncontrolled evaluation 1 to 3; surveys and official figures 1 or 2.
#: Reviews, qualitative work and hypotheses take no level: the SMS rates one quantitative
#: evaluation (a review's included studies have their own levels, for its note).
SMS_DESIGNS: dict[str, tuple[int, ...]] = {
    "meta-analysis": (),
    "systematic-review": (),
    "rct": (4, 5),
    "quasi-experiment": (2, 3, 4),
    "evaluation": (1, 2, 3),
    "official-statistics": (1, 2),
    "survey": (1, 2),
    "qualitative": (),
    "none": (),
}

#: The College of Policing Crime Reduction Toolkit's EMMIE dimensions, each rated for the
#: quality of its evidence, with the toolkit's own labels for them (e.g.
#: http://whatworks.college.police.uk/toolkit/Pages/Intervention.aspx?InterventionID=8). The
#: toolkit rates the review behind an intervention, not single studies: "ratings are based on
#: the method used to review the research, not the methods of single research studies"
#: (https://whatworks.college.police.uk/toolkit/pages/BubbleMode.aspx).
EmmieDimension = Literal["effect", "mechanism", "moderators", "implementation", "economic_cost"]
EMMIE_DIMENSIONS: tuple[str, ...] = get_args(EmmieDimension)
EMMIE_MEANING: dict[str, str] = {
    "effect": "impact on crime",
    "mechanism": "how it works",
    "moderators": "where it works",
    "implementation": "how to do it",
    "economic_cost": "what it costs",
}


def _count(reasons: int | Collection[str]) -> int:
    return reasons if isinstance(reasons, int) else len(reasons)


def can_upgrade(design: str, sms: int | None = None) -> bool:
    """Whether GRADE's upgrades (:data:`UPGRADE_DOMAINS`) apply to a study of ``design`` at SMS
    level ``sms``: whether it is one quantitative study (a design the SMS rates,
    :data:`SMS_DESIGNS`) whose :func:`starting_grade` is C or below.

    Parameters
    ----------
    design
        One of :data:`DESIGNS`.
    sms
        The study's Maryland SMS level (1 to 5), or None.

    Returns
    -------
    bool
        True for observational evidence starting at C or below: an evaluation, survey or
        official figure, and a quasi-experiment at SMS 2 or 3 or without a level. False for a
        start of B (a randomised study, a quasi-experiment at SMS 4), which an upgraded single
        study cannot pass (:data:`UPGRADE_CEILING`), and of A (a review, already at the top);
        False too for qualitative work (no size to be large, no dose to respond to) and for
        ``none``, a hypothesis with no study to rate.

    Example
    -------
    >>> can_upgrade("evaluation"), can_upgrade("quasi-experiment", 3), can_upgrade("quasi-experiment", 4)
    (True, True, False)
    >>> can_upgrade("rct"), can_upgrade("meta-analysis"), can_upgrade("qualitative")
    (False, False, False)
    """
    return bool(SMS_DESIGNS[design]) and GRADES.index(starting_grade(design, sms)) >= GRADES.index("C")


def starting_grade(design: str, sms: int | None = None) -> str:
    """The grade a study starts from: its design's (:data:`DESIGN_GRADE`) when no SMS level is
    stated; its SMS level's (:data:`SMS_GRADE`) when one is, but never above the grade of the
    best level its design can have (:data:`SMS_DESIGNS`; for a design the SMS does not rate,
    never above the design's).

    Parameters
    ----------
    design
        One of :data:`DESIGNS`.
    sms
        The study's Maryland SMS level (1 to 5), or None.

    Returns
    -------
    str
        A grade in :data:`GRADES`.

    Example
    -------
    >>> starting_grade("quasi-experiment"), starting_grade("quasi-experiment", 4), starting_grade("evaluation", 1)
    ('C', 'B', 'D')
    """
    start = DESIGN_GRADE[design]
    if sms is None:
        return start
    levels = SMS_DESIGNS[design]
    best = SMS_GRADE[max(levels)] if levels else start
    return GRADES[max(GRADES.index(SMS_GRADE[sms]), GRADES.index(best))]


def expected_grade(design: str, sms: int | None = None, downgrades: int | Collection[str] = 0,
                   upgrades: int | Collection[str] = 0) -> str:
    """The grade the design, the SMS level and the recorded reasons give a study.

    The study starts at :func:`starting_grade`; each downgrade lowers it one step and each
    upgrade raises it one step, and the net result is kept between A and E. With an upgrade the
    result is never above :data:`UPGRADE_CEILING` (B) nor above the start: upgraded observational
    evidence can match a randomised study, not pass it, and only a review is A. Whether an
    upgrade is allowed (:func:`can_upgrade` and the conditions under :data:`UPGRADE_DOMAINS`) and
    whether ``sms`` fits the design (:data:`SMS_DESIGNS`) is checked by the registry, not here.

    Parameters
    ----------
    design
        One of :data:`DESIGNS`.
    sms
        The Maryland SMS level (1 to 5), or None when not given.
    downgrades, upgrades
        How many reasons are recorded, or the reasons themselves (a mapping or list of
        :data:`DOWNGRADE_DOMAINS` / :data:`UPGRADE_DOMAINS` names; only their number counts).

    Returns
    -------
    str
        A grade in :data:`GRADES`.

    Example
    -------
    >>> expected_grade("rct", sms=5), expected_grade("evaluation", sms=2, downgrades=["imprecision"])
    ('B', 'D')
    >>> expected_grade("evaluation", upgrades=["large_effect", "dose_response"]), expected_grade("survey", 1, 1, 1)
    ('B', 'D')
    """
    start = GRADES.index(starting_grade(design, sms))
    index = start + _count(downgrades) - _count(upgrades)
    if _count(upgrades):
        index = max(index, min(start, GRADES.index(UPGRADE_CEILING)))
    return GRADES[min(max(index, 0), len(GRADES) - 1)]


def downgraded(design: str, steps: int) -> str:
    """The grade of a study of ``design`` lowered by ``steps`` recorded downgrades
    (:func:`expected_grade` without an SMS level or upgrades).

    Parameters
    ----------
    design
        One of :data:`DESIGNS`.
    steps
        How many downgrade reasons are recorded (0 to 5).

    Returns
    -------
    str
        The grade, never below the weakest (E).

    Example
    -------
    >>> downgraded("meta-analysis", 2), downgraded("qualitative", 3)
    ('C', 'E')
    """
    return expected_grade(design, downgrades=steps)
