r"""Risks to a pathway's answer that its model does not represent: the ones its spec lists
(``risks:``), and the generic threats to a causal reading of observational area data, worded
for the pathway's own nodes.

A spec lists its own risks under ``risks:`` (:class:`Risk`: a name, a description and,
optionally, the nodes and links it concerns, a citation and a group heading; the flagship
keeps Table 1 of Loeffler & Bovaird there). Whatever the spec says, the links are read from
observational data about areas and periods, so :func:`generic_risks` words six standard
threats for the pathway at hand, naming its exposures, its survey figures and its links:

- **unmeasured confounding**: Shadish, Cook & Campbell (2002), *Experimental and
  Quasi-Experimental Designs for Generalized Causal Inference*, threat "Selection:
  Systematic differences over conditions in respondent characteristics that could also
  cause the observed effect" (as tabulated by Harris et al. 2006, *JAMIA* 13(1):16-23,
  Table 1, "Adapted from Shadish et al.");
- **events common to a period**: the same list's "History: Events occurring concurrently
  with intervention could cause the observed effect";
- **reverse causation**: its "Ambiguous temporal precedence: Lack of clarity about whether
  intervention occurred before outcome";
- **measurement error in the exposures**: "Random measurement error in an exposure variable
  will bias the estimates of regression slope coefficients towards the null", and more data
  "will only make estimates more precisely wrong when the error is in an exposure variable"
  (Hutcheon, Chiolero & Hanley 2010, *BMJ* 340:c2289, summary points);
- **shared respondents**: common method variance, "variance that is attributable to the
  measurement method rather than to the constructs the measures represent" (Podsakoff,
  MacKenzie, Lee & Podsakoff 2003, *J. Appl. Psychol.* 88(5):879-903);
- **spill-over between areas**: the no-interference part of the stable unit treatment value
  assumption (Rubin 1980): "potential outcomes for each person *i* are unrelated to the
  treatment status of other individuals" (Angrist, Imbens & Rubin 1996).

Which nodes are survey figures is read from the spec: a proportion given as a share or
percent with an effective sample size, a node observed only per group (``observed_at``), or a
label, unit or description that names a survey, respondents or interviews.

Example
-------
>>> import copath as cp
>>> pw = cp.loads_pathway("name: t\nindex: [borough, year]\nnodes:\n  x: {kind: exposure}\n"
...                       "  y: {kind: proportion, trials: n, given_as: share}\nlinks:\n  - {from: x, to: y}\n"
...                       "outcomes: [y]\n")
>>> [r.name for r in generic_risks(pw)]  # doctest: +NORMALIZE_WHITESPACE
['Unmeasured confounding', 'Events common to a period', 'Reverse causation',
 'Measurement error in the exposures', 'Shared respondents', 'Spill-over between boroughs']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copath.options import PERIOD_EFFECTS

if TYPE_CHECKING:  # pragma: no cover
    from copath.spec.pathway import Node, Pathway

__all__ = ["Risk", "generic_risks", "survey_nodes", "GENERIC_GROUP", "GENERIC_SOURCE"]

#: The heading the generic threats are listed under.
GENERIC_GROUP = "Threats to a causal reading of the data"
#: Where the list of generic threats comes from (each threat names its own source too).
GENERIC_SOURCE = ("confounding, period events and reverse causation after Shadish, Cook & Campbell (2002), "
                  "Experimental and Quasi-Experimental Designs for Generalized Causal Inference; measurement error, "
                  "shared respondents and spill-over from the sources each threat names; worded for this pathway's "
                  "nodes by copath")

_SURVEY_WORDS = re.compile(r"survey|respondent|interview", re.IGNORECASE)
_SHADISH = "Shadish, Cook & Campbell 2002"


@dataclass(frozen=True)
class Risk:
    """One risk to the pathway's answer that the model does not represent.

    ``nodes`` and ``links`` (link names such as ``"x -> y"``) say what it concerns, when it
    concerns some parts more than others; ``citation`` where it comes from; ``group`` the
    heading it is listed under (e.g. a type of dysfunction). ``line`` is the spec line it was
    read from (for error messages).

    Example
    -------
    >>> Risk("Lack of trust", "Citizens and police unwilling to trust each other.", nodes=("confidence",)).nodes
    ('confidence',)
    """

    name: str
    description: str
    nodes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    citation: str = ""
    group: str = ""
    line: int | None = field(default=None, compare=False)


def _names(items: list[str], limit: int = 12) -> str:
    """``a``, ``a and b``, ``a, b and c``; beyond ``limit`` names, ``a, b, ... (and N more)``."""
    items = list(items)
    if len(items) > limit:
        return f"{', '.join(items[:limit])} (and {len(items) - limit} more)"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _plural_of(word: str) -> str:
    """``borough`` -> ``boroughs``, ``city`` -> ``cities``, ``class`` -> ``classes``."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2].lower() not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _a(word: str) -> str:
    """``a borough``, ``an area``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _is_survey(node: Node) -> bool:
    text = " ".join((node.label, node.unit, node.description))
    return node.given_as in ("share", "percent") or bool(node.observed_at) or bool(_SURVEY_WORDS.search(text))


def survey_nodes(pathway: Pathway) -> list[str]:
    """The nodes whose figures look like a survey's, in spec order: a proportion given as a share
    or percent (with an effective sample size), a node observed only per group
    (``observed_at``), or a label, unit or description naming a survey, respondents or interviews.

    Parameters
    ----------
    pathway
        The pathway.

    Returns
    -------
    list[str]
        Node names.

    Example
    -------
    >>> import copath as cp
    >>> survey_nodes(cp.load_pathway("policing_coproduction"))
    ['worried', 'confidence', 'victim_satisfaction']
    """
    return [n for n, node in pathway.nodes.items() if _is_survey(node)]


def _plural(items: list[str], one: str, many: str) -> str:
    return one if len(items) == 1 else many


def generic_risks(pathway: Pathway) -> tuple[Risk, ...]:
    """The generic threats to a causal reading of observational area data, worded for ``pathway``:
    unmeasured confounding, events common to a period (when the index has a period column),
    reverse causation, measurement error in the exposures, shared respondents and spill-over
    between areas. The sources are in the module's docstring.

    Parameters
    ----------
    pathway
        The pathway whose nodes and links the threats name.

    Returns
    -------
    tuple[Risk, ...]
        One :class:`Risk` per threat, under :data:`GENERIC_GROUP`, each with the nodes and links
        it names and its citation.

    Example
    -------
    >>> import copath as cp
    >>> risks = generic_risks(cp.load_pathway("lancashire_anti_social"))
    >>> risks[0].name, risks[-1].name
    ('Unmeasured confounding', 'Spill-over between areas')
    """
    area, areas = pathway.unit_column, _plural_of(pathway.unit_column)
    period = pathway.period_column
    exposures = pathway.exposures
    exposure_links = [link.name for link in pathway.links if link.source in exposures]
    inner_links = [link.name for link in pathway.links if link.source not in exposures]
    children = list(dict.fromkeys(link.target for link in pathway.links if link.source in exposures))
    endogenous = pathway.endogenous
    out: list[Risk] = []

    def add(name: str, text: str, nodes: list[str], links: list[str], citation: str) -> None:
        out.append(Risk(name, text, tuple(nodes), tuple(links), citation, GENERIC_GROUP))

    # --- unmeasured confounding
    if exposures:
        text = (f"The {_plural(exposures, 'exposure', 'exposures')} {_names(exposures)} "
                f"{_plural(exposures, 'is', 'are')} not assigned at random: {areas}"
                f"{f' and {_plural_of(period)}' if period else ''} that differ in {_plural(exposures, 'it', 'them')} "
                "differ in much else. A common cause of an exposure and "
                f"{_names(children) if children else 'its children'} that the pathway leaves out is read as "
                f"the link's effect.")
    else:
        text = (f"The links are read from {areas} that differ in many ways at once: a common cause of a parent "
                "and its child that the pathway leaves out is read as the link's effect.")
    if inner_links:
        text += (f" The same holds between measured nodes ({_names(inner_links, 3)}): a cause of both that is not "
                 "in the pathway is read as the link.")
    within_links = set(pathway.within_links)
    with_area = [n for n in endogenous if pathway.nodes[n].area_effects]
    # a node whose every link in from an exposure is read within areas (within: true)
    read_within = [n for n in with_area
                   if (ins := [f"{p} -> {n}" for p in pathway.parents(n) if p in exposures])
                   and all(link in within_links for link in ins)]
    pooled = [n for n in with_area if n not in read_within]
    if pooled:
        text += (f" Area effects on {_names(pooled)} absorb causes that stay constant within {_a(area)} only in "
                 "part: they are partially pooled (random) effects, which assume the areas' levels unrelated to "
                 "their exposures, so a cause behind both still leaks into the links (Mundlak 1978; Bell and "
                 f"Jones 2015); no part of the model absorbs one that changes within {_a(area)} over time.")
    if read_within:
        text += (f" The links from exposures into {_names(read_within)} are read within {areas} ('within: true': "
                 "the exposures' area means are in the equation, Mundlak 1978; Bell and Jones 2015), so a cause "
                 f"that stays constant within {_a(area)} does not leak into them; one that changes within "
                 f"{_a(area)} over time still does.")
    if not with_area:
        text += (f" No node has area effects, so the links are read from differences between {areas} as well as "
                 "within them, where such causes are most likely.")
    add("Unmeasured confounding", text, exposures, exposure_links + inner_links,
        f"{_SHADISH}, 'selection'")

    # --- events common to a period
    if period:
        none = [n for n in endogenous if not pathway.nodes[n].time]
        per_period = set(PERIOD_EFFECTS)
        smooth = [n for n in endogenous if pathway.nodes[n].time and not per_period & set(pathway.nodes[n].time)]
        each = [n for n in endogenous if per_period & set(pathway.nodes[n].time)]
        text = (f"An event that moves a node in every {area} at once in one period (the rows sharing a {period} "
                "value: a national incident, a campaign, a change in how figures are collected) is read as the "
                "links' effect when a parent moves in the same periods, unless the node has an effect for each "
                "period.")
        if none:
            text += f" Without effects of time: {_names(none)}."
        if smooth:
            text += f" With only a season or a straight-line trend, which a one-off shock does not fit: {_names(smooth)}."
        if each:
            text += f" With an effect per period (`time: [period]` or `[period_rw]`): {_names(each)}."
        elif endogenous:
            text += " `time: [period]` gives a node one partially pooled effect per period."
        add("Events common to a period", text, none + smooth, [], f"{_SHADISH}, 'history'")

    # --- reverse causation
    if pathway.links:
        first = pathway.links[0]
        text = (f"Each link is read within a row, the parent and the child measured in the same {area}"
                f"{f' and {period}' if period else ''}. If the child also moves the parent (for "
                f"{first.name}: if {first.target} changes {first.source}), the link takes up both directions; "
                f"the data cannot tell them apart. Links concerned: {_names(pathway.link_names)}.")
        add("Reverse causation", text, [], pathway.link_names, f"{_SHADISH}, 'ambiguous temporal precedence'")

    # --- measurement error in the exposures
    continuous_parents = [n for n in endogenous if pathway.nodes[n].kind == "continuous" and pathway.children(n)]
    given = exposures + continuous_parents
    if given:
        surveyed = [n for n in given if _is_survey(pathway.nodes[n])]
        parts = []
        if exposures:
            parts.append(f"the {_plural(exposures, 'exposure', 'exposures')} {_names(exposures)}")
        if continuous_parents:
            parts.append(f"the continuous {_plural(continuous_parents, 'node', 'nodes')} {_names(continuous_parents)} "
                         f"(whose children see {_plural(continuous_parents, 'its', 'their')} observed value)")
        text = (f"{' and '.join(parts)} {_plural(given, 'enters its', 'enter their')} children's equations as "
                "given, measured without error. Where one is an estimate (a survey share, a count of recorded "
                "events), its random sampling or recording error biases a single link out of it towards zero and "
                "can bias the other links into the same child either way (they absorb what the mismeasured parent "
                "misses), and more rows make the estimate more precisely wrong.")
        text = text[0].upper() + text[1:]
        if surveyed:
            text += f" {_names(surveyed)} {_plural(surveyed, 'is a survey figure', 'are survey figures')}."
        links = [link.name for link in pathway.links if link.source in given]
        add("Measurement error in the exposures", text, given, links,
            "Hutcheon, Chiolero & Hanley 2010, BMJ 340:c2289")

    # --- shared respondents
    surveys = survey_nodes(pathway)
    if len(surveys) >= 2:
        text = (f"The nodes {_names(surveys)} look like survey figures. Where two come from the same respondents, their "
                "sampling errors are correlated and one answer colours another (common method variance): the "
                "model reads that as a link between them.")
        links = [link.name for link in pathway.links if link.source in surveys and link.target in surveys]
        if links:
            text += f" Links concerned: {_names(links)}."
    else:
        text = ("Fewer than two nodes look like survey figures (a share with an effective sample size, "
                "'observed_at', or a unit naming a survey). If two nodes come from the same survey's respondents, "
                "their sampling errors are correlated and one answer colours another (common method variance): "
                "the model reads that as a link between them.")
        links = []
    if exposures:
        text += (f" If {_names(exposures)} {_plural(exposures, 'comes', 'come')} from the same survey as "
                 f"{_plural(exposures, 'its', 'their')} children, the same holds for the links out of "
                 f"{_plural(exposures, 'it', 'them')}.")
    add("Shared respondents", text, surveys, links,
        "Podsakoff, MacKenzie, Lee & Podsakoff 2003, J. Appl. Psychol. 88:879")

    # --- spill-over between areas
    text = f"Each {area}'s nodes depend only on its own exposures"
    if exposures and children:
        text += (f": {_names(exposures)} in one {area} {_plural(exposures, 'is', 'are')} assumed not to change "
                 f"{_names(children)} in another")
    text += (f". Crime displaced to a neighbouring {area}, people who live in one {area} and are policed or surveyed "
            f"in another, or a scheme copied next door break this, and the model would misread them.")
    add(f"Spill-over between {areas}", text, exposures, exposure_links,
        "no interference (the stable unit treatment value assumption), Rubin 1980")
    return tuple(out)
