"""The evidence registry: citable effects read from ``priors/*.yaml``.

Each entry (its YAML format: ``docs/guides/evidence.md`` and the bundled
``priors/*.yaml``) records what a study reported (the verbatim
quote), its citation, design and grade, the effect as a *measure*, and what it
informs: a ``link`` (an effect, turned into that link's prior) or a ``node`` (a
base rate or context figure that informs a node but is no effect).

``role`` says how an entry is used:

- ``effect`` (default with ``link``): converted and pooled into the link's prior;
- ``base_rate`` (default with ``node``): a level of the node (e.g. 2.1% of trials),
  kept for the record and the report; ``informs`` says what it informs;
- ``context``: corroborating figures that are not a separate estimate (e.g. a vote
  count from a review whose pooled range is already an entry).

Beside copath's own grade an entry may carry the field's ratings: ``sms``, the Maryland
Scientific Methods Scale level of the evaluation behind the number (it sets the starting
grade when it is lower than the design's, :func:`copath.constants.starting_grade`), and
``emmie``, the College of Policing Crime Reduction Toolkit's EMMIE ratings of the
intervention, quoted from the toolkit page with its address (:class:`Emmie`). ``downgrade``
and ``upgrade`` record GRADE's reasons for rating the study down or up (up only from a start
of C or below, :func:`copath.constants.can_upgrade`; not beside a ``risk_of_bias`` downgrade;
``large_effect`` only for an effect at least two-fold, :data:`copath.constants.LARGE_EFFECT_RR`);
the grade may not claim more than :func:`copath.constants.expected_grade` allows (an upgraded
single study at most B).

Example
-------
>>> ev = load_evidence()
>>> entry = ev["bennett2008_nw"]
>>> entry.grade, entry.effect.measure, entry.link   # a review (A), one step down for indirectness
('B', 'percent_reduction', ('nw_coverage', 'burglary'))
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copath.constants import (
    DESIGNS,
    DOWNGRADE_DOMAINS,
    EMMIE_DIMENSIONS,
    GRADES,
    LARGE_EFFECT_RR,
    SMS_DESIGNS,
    SMS_GRADE,
    SMS_LEVELS,
    SMS_MEANING,
    UPGRADE_CEILING,
    UPGRADE_DOMAINS,
    can_upgrade,
    expected_grade,
    is_weak,
    starting_grade,
)
from copath.errors import CopathError, EvidenceError
from copath.resources import bundled_dir
from copath.yaml_io import line_of, read_yaml, read_yaml_text

if TYPE_CHECKING:  # pragma: no cover
    from copath.spec.pathway import Link, Pathway

__all__ = ["Effect", "EvidenceEntry", "Evidence", "load_evidence", "MEASURES", "link_entries", "link_grade", "direction_only", "setting_entries",
           "strongest", "Emmie", "EmmieRating"]

#: Measure name -> (required fields, optional fields).
MEASURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "percent_reduction": ((), ("value", "low", "high", "interval", "control", "baseline")),
    "rate_ratio": ((), ("value", "low", "high", "interval")),
    "odds_ratio": ((), ("value", "low", "high", "interval")),
    "cohens_d": ((), ("value", "low", "high", "interval")),
    "proportion": ((), ("value", "low", "high", "successes", "trials", "of")),
    "before_after": (("before", "after"), ("control_before", "control_after", "unit")),
    "direction": (("sign",), ()),
    "hypothesis": (("sign",), ()),
    "null": ((), ()),
    "count": (("value",), ("unit",)),
}
_ENTRY_KEYS = {
    "id", "citation", "quote", "design", "grade", "effect", "link", "node",
    "role", "informs", "note", "section", "downgrade", "upgrade", "sms", "emmie", "contrast",
}
_EMMIE_KEYS = ("url", "intervention", *EMMIE_DIMENSIONS)
_ROLES = ("effect", "base_rate", "context")
_TEXT_FIELDS = ("of", "unit")


@dataclass(frozen=True)
class Effect:
    """A reported effect: a measure and its numbers (see :data:`MEASURES`).

    Example
    -------
    >>> Effect("percent_reduction", {"low": 16, "high": 26}).get("low")
    16
    """

    measure: str
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def has_size(self) -> bool:
        """True when the effect has a magnitude (not only a sign, a null or a base rate)."""
        return self.measure not in ("direction", "hypothesis", "null", "proportion", "count")

    def describe(self) -> str:
        """A short human reading of the effect.

        Example
        -------
        >>> Effect("percent_reduction", {"low": 16, "high": 26}).describe()
        'percent_reduction: 16-26'
        """
        v = self.values
        if "low" in v and "high" in v:
            text = f"{v['low']}-{v['high']}"
            if "value" in v:
                text = f"{v['value']} ({text})"
        elif "value" in v:
            text = f"{v['value']}"
        elif self.measure == "before_after":
            text = f"{v['before']} -> {v['after']}"
        elif self.measure in ("direction", "hypothesis"):
            text = v["sign"] if self.measure == "direction" else f"hypothesised {v['sign']}"
        elif "successes" in v:
            text = f"{v['successes']}/{v['trials']}"
        else:
            text = ""
        extras = [f"{k} {v[k]}" for k in ("control", "baseline", "interval") if k in v]
        return f"{self.measure}: {text}" + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class EmmieRating:
    """One EMMIE dimension as the toolkit page states it.

    ``rating`` is the page's own words or score for the quality of the evidence (e.g.
    ``"Evidence quality 3"`` or ``"Strong"``); ``impact``, for the effect only, the page's
    summary of the impact on crime where it gives one in words (e.g. ``"Overall
    reduction"``); ``quote`` a short verbatim sentence from the page, where there is one.

    Example
    -------
    >>> EmmieRating("Strong", impact="Overall reduction").describe()
    'Overall reduction; Strong'
    """

    rating: str
    quote: str = ""
    impact: str = ""

    def describe(self) -> str:
        """The impact (when given) and the rating, in the toolkit's words.

        Returns
        -------
        str
            ``"<impact>; <rating>"``, or the rating alone.
        """
        return f"{self.impact}; {self.rating}" if self.impact else self.rating

    def to_dict(self) -> dict[str, str]:
        """Plain dict in the registry's YAML format.

        Returns
        -------
        dict[str, str]
            ``rating``, and ``impact`` and ``quote`` when given.
        """
        out = {"rating": self.rating}
        if self.impact:
            out["impact"] = self.impact
        if self.quote:
            out["quote"] = self.quote
        return out


@dataclass(frozen=True)
class Emmie:
    """Where the College of Policing Crime Reduction Toolkit rates the intervention behind an
    entry: the page's address, the intervention as the toolkit names it, and the dimensions
    (:data:`copath.constants.EMMIE_DIMENSIONS`) the page rates; a dimension the page does not
    state is absent, not guessed.

    Example
    -------
    >>> e = load_evidence()["bennett2008_nw"].emmie
    >>> e.intervention, e.ratings["effect"].rating
    ('Neighbourhood watch', 'Evidence quality 3')
    """

    url: str
    intervention: str
    ratings: dict[str, EmmieRating] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: the intervention and each rated dimension (for tables).

        Returns
        -------
        str
            ``"<intervention>: <dimension> <rating>; ..."`` in the order of
            :data:`copath.constants.EMMIE_DIMENSIONS`.

        Example
        -------
        >>> Emmie("https://x", "Mentoring", {"effect": EmmieRating("Evidence quality 4")}).describe()
        'Mentoring: effect Evidence quality 4'
        """
        parts = [f"{dim.replace('_', ' ')} {r.describe()}" for dim, r in self.ratings.items()]
        return f"{self.intervention}: {'; '.join(parts)}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the registry's YAML format.

        Returns
        -------
        dict[str, Any]
            ``url``, ``intervention`` and one mapping per rated dimension
            (:meth:`EmmieRating.to_dict`).
        """
        return {"url": self.url, "intervention": self.intervention,
                **{dim: r.to_dict() for dim, r in self.ratings.items()}}


@dataclass(frozen=True)
class EvidenceEntry:
    """One citable, graded piece of evidence.

    Example
    -------
    >>> e = load_evidence()["groff2011_foot_patrol"]
    >>> e.link_name
    'foot_patrol -> violent_crime'
    """

    id: str
    citation: str
    quote: str
    design: str
    grade: str
    effect: Effect
    link: tuple[str, str] | None = None
    node: str | None = None
    role: str = "effect"
    informs: str = ""
    note: str = ""
    section: str = ""
    source: str | None = None
    line: int | None = None
    downgrade: dict[str, str] = field(default_factory=dict)
    upgrade: dict[str, str] = field(default_factory=dict)
    sms: int | None = None
    emmie: Emmie | None = None
    #: the change of the parent this entry's effect describes, in the parent's unit (None:
    #: the link's ``contrast``), e.g. 0.3 for a study of coverage rising from 20% to 50%
    contrast: float | None = None

    @property
    def link_name(self) -> str | None:
        return f"{self.link[0]} -> {self.link[1]}" if self.link else None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the registry's YAML format (round-trips through :func:`entry_from_dict`).

        Returns
        -------
        dict[str, Any]
            ``id``, ``citation``, ``quote``, ``design``, ``grade``, ``effect`` (the
            measure and its values), ``link`` as ``{from, to}`` or ``node``, ``role``, and
            ``informs``, ``note``, ``section``, ``downgrade``, ``upgrade``, ``sms`` and
            ``emmie`` when given. ``source`` and ``line`` are not included.
        """
        out: dict[str, Any] = {
            "id": self.id,
            "citation": self.citation,
            "quote": self.quote,
            "design": self.design,
            "grade": self.grade,
            "effect": {"measure": self.effect.measure, **self.effect.values},
        }
        if self.link:
            out["link"] = {"from": self.link[0], "to": self.link[1]}
        if self.node:
            out["node"] = self.node
        out["role"] = self.role
        for key in ("informs", "note", "section"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.downgrade:
            out["downgrade"] = dict(self.downgrade)
        if self.upgrade:
            out["upgrade"] = dict(self.upgrade)
        if self.contrast is not None:
            out["contrast"] = self.contrast
        if self.sms is not None:
            out["sms"] = self.sms
        if self.emmie is not None:
            out["emmie"] = self.emmie.to_dict()
        return out


class Evidence:
    """An ordered collection of :class:`EvidenceEntry`, indexed by id.

    Example
    -------
    >>> ev = load_evidence()
    >>> len(ev) >= 30, "bennett2008_nw" in ev
    (True, True)
    >>> [e.id for e in ev.for_link("nw_coverage", "burglary")]
    ['bennett2008_nw']
    """

    def __init__(self, entries: list[EvidenceEntry] | tuple[EvidenceEntry, ...] = ()) -> None:
        self._entries: dict[str, EvidenceEntry] = {}
        for entry in entries:
            if entry.id in self._entries:
                first = self._entries[entry.id]
                raise EvidenceError(
                    f"duplicate id (first defined in {first.source}, line {first.line})",
                    file=entry.source,
                    where=f"entry {entry.id}",
                    line=entry.line,
                )
            self._entries[entry.id] = entry

    def __getitem__(self, entry_id: str) -> EvidenceEntry:
        try:
            return self._entries[entry_id]
        except KeyError:
            raise KeyError(f"no evidence entry with id {entry_id!r}") from None

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __iter__(self) -> Iterator[EvidenceEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Evidence({len(self)} entries)"

    @property
    def ids(self) -> list[str]:
        return list(self._entries)

    def for_link(self, source: str, target: str, roles: tuple[str, ...] = ("effect",)) -> list[EvidenceEntry]:
        """Entries whose ``link`` is ``source -> target`` and whose role is in ``roles``.

        Parameters
        ----------
        source, target
            Node names at the two ends of the link, as the registry entries name them.
        roles
            Roles to keep (default: ``("effect",)`` only).

        Returns
        -------
        list[EvidenceEntry]
            The matching entries in registry order; empty if there are none.
        """
        return [e for e in self if e.link == (source, target) and e.role in roles]

    def weak_links(self, pathway: Pathway) -> list[str]:
        """The links of ``pathway`` that are weak by this registry: strongest evidence graded
        C, D or E, only direction-only entries, or none (:data:`copath.constants.WEAK_RULE`).

        Parameters
        ----------
        pathway
            The pathway whose links are graded; its links' ``evidence`` ids and the
            registry entries naming each link both count (:func:`link_entries`).

        Returns
        -------
        list[str]
            Names of the weak links, in spec order.

        Raises
        ------
        EvidenceError
            If a link lists an id that is not in the registry, or an entry that cannot
            set its prior (see :func:`link_entries`).

        Example
        -------
        >>> import copath as cp
        >>> "worried -> qol_citizens" in load_evidence().weak_links(cp.load_pathway("policing_coproduction"))
        True
        """
        weak = []
        for link in pathway.links:
            if link.covariate:  # an adjustment (a node's ``adjust:``), not a pathway claim
                continue
            setting = setting_entries(link_entries(link, self, pathway))
            if is_weak(strongest([e.grade for e in setting]), direction_only=direction_only(setting)):
                weak.append(link.name)
        return weak

    def for_node(self, node: str) -> list[EvidenceEntry]:
        """Entries about a node (base rates and context).

        Parameters
        ----------
        node
            The node name, as the entries' ``node`` field gives it.

        Returns
        -------
        list[EvidenceEntry]
            The entries whose ``node`` is ``node``, any role, in registry order.
        """
        return [e for e in self if e.node == node]

    def to_frame(self):
        """A pandas table: id, link/node, measure, grade, design, role, citation, the Maryland
        SMS level (``sms``, missing where not given) and the toolkit's EMMIE effect rating
        (``emmie_effect``, empty where the toolkit rates none).

        Example
        -------
        >>> table = load_evidence().to_frame()
        >>> table.columns.tolist()[:4], int(table.set_index("id").loc["groff2011_foot_patrol", "sms"])
        (['id', 'link', 'measure', 'grade'], 5)
        """
        import pandas as pd

        rows = [
            {
                "id": e.id,
                "link": e.link_name or f"[{e.role}] {e.node or ''}".strip(),
                "measure": e.effect.measure,
                "grade": e.grade,
                "design": e.design,
                "role": e.role,
                "citation": e.citation,
                "sms": e.sms,
                "emmie_effect": e.emmie.ratings["effect"].describe() if e.emmie and "effect" in e.emmie.ratings else "",
            }
            for e in self
        ]
        frame = pd.DataFrame(rows, columns=["id", "link", "measure", "grade", "design", "role", "citation", "sms",
                                            "emmie_effect"])
        frame["sms"] = frame["sms"].astype("Int64")
        return frame


# ---------------------------------------------------------------------------- links
def strongest(grades: Sequence[str]) -> str | None:
    """The strongest of ``grades`` (None if empty).

    Example
    -------
    >>> strongest(["C", "B", "E"]), strongest([])
    ('B', None)
    """
    ranked = [g for g in GRADES if g in grades]
    return ranked[0] if ranked else None


def link_entries(link: Link, evidence: Evidence | None, pathway: Pathway | None = None) -> list[EvidenceEntry]:
    """The effect entries that inform ``link``: those the spec lists on it plus
    those whose registry ``link`` names it.

    An entry listed on the link whose own registry link is a *different* link of the
    same pathway is refused (its prior would land on the wrong edge).

    Example
    -------
    >>> import copath as cp
    >>> pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
    >>> [e.id for e in link_entries(pw.link("police_volunteers", "policing_cost"), ev, pw)]
    ['musso2019_no_cost_relationship', 'bullock2018_costly_demands']
    """
    if evidence is None:
        return []
    chosen: list[EvidenceEntry] = []
    for entry_id in link.evidence:
        if entry_id not in evidence:
            raise EvidenceError(
                f"evidence id {entry_id!r} is not in the registry",
                file=pathway.source if pathway else None,
                where=f"link {link.name}",
                line=link.line,
            )
        entry = evidence[entry_id]
        if entry.role != "effect":
            raise EvidenceError(
                f"entry {entry_id!r} is a {entry.role}, not an effect, and cannot set a link prior",
                file=pathway.source if pathway else None,
                where=f"link {link.name}",
                line=link.line,
            )
        if (
            entry.link != (link.source, link.target)
            and pathway is not None
            and entry.link is not None
            and all(n in pathway.nodes for n in entry.link)
        ):
            raise EvidenceError(
                f"entry {entry_id!r} belongs to link {entry.link_name}, not to this link",
                file=pathway.source,
                where=f"link {link.name}",
                line=link.line,
            )
        chosen.append(entry)
    for entry in evidence.for_link(link.source, link.target):
        if entry not in chosen:
            chosen.append(entry)
    return chosen


def direction_only(entries: Sequence[EvidenceEntry]) -> bool:
    """Whether every one of ``entries`` gives only a sign (``direction`` or ``hypothesis``).

    Parameters
    ----------
    entries
        A link's effect entries.

    Returns
    -------
    bool
        True for a non-empty list with no sized or null entry.

    Example
    -------
    >>> ev = load_evidence()
    >>> direction_only([ev["umbreit2008_vom_recidivism"]]), direction_only([ev["weisburd2004_no_crime_cut"]])
    (True, False)
    """
    return bool(entries) and all(e.effect.measure in ("direction", "hypothesis") for e in entries)


def setting_entries(entries: Sequence[EvidenceEntry]) -> list[EvidenceEntry]:
    """The entries that set a link's estimate: its sized and null entries when it has any (a
    null is an estimate of about zero), else its direction readings, else its hypotheses
    (:mod:`copath.evidence.priors`).

    Parameters
    ----------
    entries
        A link's effect entries (:func:`link_entries`).

    Returns
    -------
    list[EvidenceEntry]
        The subset whose grade is the link's grade; direction readings beside a sized or
        null entry corroborate it without moving it, so their grade does not count.

    Example
    -------
    >>> ev = load_evidence()
    >>> [e.id for e in setting_entries([ev["ross2011_mentoring"], ev["probono2010_through_the_gates"]])]
    ['probono2010_through_the_gates']
    """
    estimates = [e for e in entries if e.effect.has_size or e.effect.measure == "null"]
    readings = [e for e in entries if e.effect.measure != "hypothesis"]
    return estimates or readings or list(entries)


def link_grade(link: Link, evidence: Evidence | None, pathway: Pathway | None = None) -> str | None:
    """The grade of ``link``: the strongest grade of the entries that set its estimate
    (:func:`setting_entries`), None if it has no effect entry.

    Parameters
    ----------
    link, evidence, pathway
        As for :func:`link_entries`.

    Returns
    -------
    str or None
        A grade in :data:`copath.constants.GRADES`, or None.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> link_grade(pw.link("peer_mentoring", "reoffending"), load_evidence(), pw)   # the sized C, not the direction-only B
    'C'
    """
    return strongest([e.grade for e in setting_entries(link_entries(link, evidence, pathway))])



# ---------------------------------------------------------------------------- loading
def load_evidence(path: str | Path | None = None, extra: Sequence[str | Path] = ()) -> Evidence:
    """Load the registry: the bundled ``priors/`` folder, another folder, or one file, and
    optionally more files or folders added to it (your own studies beside the bundled ones).

    A folder is read file by file (``*.yaml``, in name order); every file holds a
    list of entries.

    Parameters
    ----------
    path
        None (default) for the bundled ``priors/`` folder; a folder, whose ``*.yaml``
        files and then ``*.yml`` files are read, each group in name order; or one YAML
        file.
    extra
        More files or folders, read the same way after ``path``: e.g.
        ``load_evidence(extra=["my_studies.yaml"])`` adds your entries to the bundled
        registry. An entry naming a link (``link: {from, to}``) informs it without being
        listed on the link in the spec.

    Returns
    -------
    Evidence
        Every entry of the files read, in file order and then in order within a file.

    Raises
    ------
    EvidenceError
        If ``path`` does not exist, a file is not valid YAML, an entry is invalid, or two
        entries share an id.

    Example
    -------
    >>> ev = load_evidence()
    >>> ev["milton2016_speedwatch"].effect.get("control")
    22
    """
    files = sorted(bundled_dir("priors").glob("*.yaml")) if path is None else _registry_files(path)
    for more in extra:
        files += _registry_files(more)
    entries: list[EvidenceEntry] = []
    for file in files:
        try:
            doc = read_yaml(file)
        except CopathError as err:
            raise EvidenceError(err.message, file=err.file, where=err.where, line=err.line) from None
        entries.extend(entries_from_doc(doc, source=str(file)))
    return Evidence(entries)


def _registry_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
    if path.is_file():
        return [path]
    raise EvidenceError("no such file or folder", file=path)


def loads_evidence(text: str, source: str = "<string>") -> Evidence:
    """Registry from YAML text.

    Parameters
    ----------
    text
        YAML holding a list of entries, in the format of the registry files.
    source
        How the text is named in error messages (default ``"<string>"``); also stored as
        each entry's ``source``.

    Returns
    -------
    Evidence
        The entries in the order of the text.

    Raises
    ------
    EvidenceError
        If the text is not valid YAML, an entry is invalid, or two entries share an id.

    Example
    -------
    >>> ev = loads_evidence('''
    ... - id: x1
    ...   citation: "A (2020)"
    ...   quote: "cut crime by 10%"
    ...   design: evaluation
    ...   grade: C
    ...   effect: {measure: percent_reduction, value: 10}
    ...   link: {from: a, to: b}
    ... ''')
    >>> ev["x1"].effect.get("value")
    10
    """
    try:
        doc = read_yaml_text(text, source=source)
    except CopathError as err:
        raise EvidenceError(err.message, file=err.file, where=err.where, line=err.line) from None
    return Evidence(entries_from_doc(doc, source=source))


def entries_from_doc(doc: Any, source: str | None = None) -> list[EvidenceEntry]:
    """Entries from one parsed registry file (a list of mappings)."""
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise EvidenceError("a registry file must be a list of entries ('- id: ...')", file=source)
    return [entry_from_dict(raw, source=source, position=i) for i, raw in enumerate(doc)]


def entry_from_dict(raw: Any, source: str | None = None, position: int = 0) -> EvidenceEntry:
    """Validate one registry mapping and build the entry.

    Example
    -------
    >>> entry_from_dict({"id": "x", "citation": "c", "quote": "q", "design": "survey",
    ...                  "grade": "Z", "effect": {"measure": "null"}, "link": {"from": "a", "to": "b"}})
    Traceback (most recent call last):
    ...
    copath.errors.EvidenceError: entry x: field 'grade': must be one of A, B, C, D, E, got 'Z'
    """
    line = line_of(raw)
    if not isinstance(raw, dict):
        raise EvidenceError("an entry must be a mapping", file=source, where=f"entry #{position + 1}")
    entry_id = raw.get("id")
    where = f"entry {entry_id}" if isinstance(entry_id, str) else f"entry #{position + 1}"

    def err(message: str, field_name: str | None = None) -> EvidenceError:
        full = f"field {field_name!r}: {message}" if field_name else message
        return EvidenceError(full, file=source, where=where, line=line)

    unknown = sorted(str(k) for k in raw if k not in _ENTRY_KEYS)
    if unknown:
        raise err(f"unknown key (allowed: {', '.join(sorted(_ENTRY_KEYS))})", unknown[0])
    for key in ("id", "citation", "quote", "design", "grade", "effect"):
        if key not in raw:
            raise err("missing", key)
    for key in ("id", "citation", "quote", "design", "grade", "informs", "note", "section"):
        if key in raw and not isinstance(raw[key], str):
            raise err(f"must be text, got {raw[key]!r}", key)
    for key in ("id", "citation", "quote"):
        if not raw[key].strip():
            raise err("must not be empty", key)
    if not raw["id"].replace("_", "").replace("-", "").isalnum():
        raise err("use letters, digits, '_' and '-' only", "id")
    if raw["grade"] not in GRADES:
        raise err(f"must be one of {', '.join(GRADES)}, got {raw['grade']!r}", "grade")
    if raw["design"] not in DESIGNS:
        raise err(f"must be one of {', '.join(DESIGNS)}, got {raw['design']!r}", "design")
    downgrade = _reasons(raw.get("downgrade", {}), DOWNGRADE_DOMAINS, "downgrade", err)
    upgrade = _reasons(raw.get("upgrade", {}), UPGRADE_DOMAINS, "upgrade", err)
    sms = _sms(raw.get("sms"), raw["design"], err)
    if upgrade and not can_upgrade(raw["design"], sms):
        raise err(_no_upgrade(raw["design"], sms), "upgrade")
    if upgrade and "risk_of_bias" in downgrade:
        raise err("GRADE rates up only methodologically rigorous observational evidence (GRADE guidelines: 9), "
                  "and this entry records a downgrade for risk_of_bias: record no upgrade beside it", "upgrade")
    emmie = _emmie(raw["emmie"], err) if "emmie" in raw else None
    effect = _effect(raw["effect"], err)
    if "large_effect" in upgrade:
        rr = _central_ratio(effect)
        low, high = LARGE_EFFECT_RR
        if rr is not None and low < rr < high:
            raise err(f"GRADE rates up for a large effect at a relative risk of {high:g} or more, or {low:g} or less "
                      f"(GRADE guidelines: 9, a two-fold change in risk); this entry's central value is "
                      f"RR {rr:.2f}, inside ({low:g}, {high:g})", "upgrade.large_effect")
    link = None
    if "link" in raw:
        rl = raw["link"]
        if not (isinstance(rl, dict) and set(rl) == {"from", "to"} and all(isinstance(v, str) for v in rl.values())):
            raise err("must be {from: NODE, to: NODE}", "link")
        link = (rl["from"], rl["to"])
    node = raw.get("node")
    if node is not None and not isinstance(node, str):
        raise err("must be a node name", "node")
    if (link is None) == (node is None):
        raise err("give exactly one of 'link' (an effect) or 'node' (a base rate or context)")
    role = raw.get("role", "effect" if link else "base_rate")
    if role not in _ROLES:
        raise err(f"must be one of {', '.join(_ROLES)}, got {role!r}", "role")
    if role == "effect" and link is None:
        raise err("an effect needs a 'link'", "role")
    if role == "effect" and effect.measure in ("proportion", "count"):
        raise err(f"a {effect.measure} is a base rate, not an effect; set role: base_rate or context", "role")
    if role == "base_rate" and not raw.get("informs"):
        raise err("a base rate must say what it informs ('informs: ...')", "informs")
    # A grade may not claim more than the design (or a lower SMS level) and the recorded
    # downgrades and upgrades allow; a lower grade without a recorded reason is accepted (it
    # errs on the cautious side), and the bundled registry records every reason
    # (tests/evidence/test_registry.py).
    expected = expected_grade(raw["design"], sms, downgrade, upgrade)
    if GRADES.index(raw["grade"]) < GRADES.index(expected):
        raise err(_too_high(raw["design"], sms, downgrade, upgrade, expected, raw["grade"]), "grade")
    return EvidenceEntry(
        id=raw["id"],
        citation=raw["citation"],
        quote=raw["quote"],
        design=raw["design"],
        grade=raw["grade"],
        effect=effect,
        link=link,
        node=node,
        role=role,
        informs=raw.get("informs", ""),
        note=raw.get("note", ""),
        section=raw.get("section", ""),
        source=source,
        line=line,
        downgrade=downgrade,
        upgrade=upgrade,
        sms=sms,
        emmie=emmie,
        contrast=_entry_contrast(raw, link, err),
    )


def _entry_contrast(raw: dict, link: tuple[str, str] | None, err) -> float | None:
    """An entry's own contrast: a finite non-zero number, on an entry about a link."""
    if "contrast" not in raw:
        return None
    value = raw["contrast"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value == 0:
        raise err(f"must be a finite non-zero number (the change of the parent the effect describes), got {value!r}",
                  "contrast")
    if link is None:
        raise err("only an entry about a link has a contrast", "contrast")
    return float(value)


def _reasons(raw: Any, domains: tuple[str, ...], key: str, err) -> dict[str, str]:
    """The entry's recorded downgrades or upgrades: GRADE domain -> the reason, in text."""
    if not isinstance(raw, dict):
        raise err(f"must map a domain ({', '.join(domains)}) to its reason", key)
    for domain, reason in raw.items():
        if domain not in domains:
            raise err(f"unknown domain {domain!r} (allowed: {', '.join(domains)})", key)
        if not isinstance(reason, str) or not reason.strip():
            raise err(f"domain {domain!r} needs its reason, in text", key)
    return dict(raw)


def _too_high(design: str, sms: int | None, downgrade: dict, upgrade: dict, expected: str, grade: str) -> str:
    """Why ``grade`` claims more than ``expected``, the best the design, SMS and reasons allow."""
    start = starting_grade(design, sms)
    where = f"design {design!r}" + (f" at SMS {sms}" if sms is not None else "")
    ups = f" and {len(upgrade)} upgrade(s)" if upgrade else ""
    message = (f"{where} starts at grade {start} and {len(downgrade)} recorded downgrade(s){ups} allow at most "
               f"{expected}, not {grade}")
    uncapped = GRADES.index(start) + len(downgrade) - len(upgrade)
    if upgrade and expected == UPGRADE_CEILING and uncapped < GRADES.index(UPGRADE_CEILING):
        message += (f" (an upgraded single study stops at {UPGRADE_CEILING}, the grade of a randomised or "
                    "well-controlled study; only a review starts at A)")
    levels = SMS_DESIGNS[design]
    if sms is None and levels and GRADES.index(SMS_GRADE[max(levels)]) < GRADES.index(start):
        best = max(levels)
        message += (f" (a {design} starts at {SMS_GRADE[best]} only with 'sms: {best}' stated: "
                    f"{SMS_MEANING[best]})")
    return message


def _no_upgrade(design: str, sms: int | None) -> str:
    """Why an entry of ``design`` at SMS level ``sms`` may not record an upgrade."""
    start = starting_grade(design, sms)
    where = f"design {design!r}" + (f" at SMS {sms}" if sms is not None else "")
    if start == "A":
        return (f"{where} starts at grade A, the top grade, so an upgrade is moot (GRADE rates up bodies of "
                "evidence too, but there is no step above A): record no upgrade for it")
    if start == UPGRADE_CEILING:
        return (f"{where} starts at grade {start}, the grade of a randomised or well-controlled study, which an "
                f"upgraded single study cannot pass: record no upgrade for it")
    return (f"GRADE's upgrades (a large effect, a dose-response gradient, confounding that hides an effect) "
            f"rate a quantitative study, and {where} is not one: record no upgrade for it")


def _central_ratio(effect: Effect) -> float | None:
    """The relative risk at the centre of a ratio or percentage-reduction effect with a size
    (:data:`copath.constants.LARGE_EFFECT_RR`), or None for any other measure.

    Example
    -------
    >>> round(_central_ratio(Effect("percent_reduction", {"value": 60, "control": 30})), 4)
    0.5714
    >>> round(_central_ratio(Effect("rate_ratio", {"low": 0.1, "high": 0.4})), 4), _central_ratio(Effect("null"))
    (0.2, None)
    """
    v = effect.values
    sized = "value" in v or "low" in v
    if effect.measure not in ("rate_ratio", "odds_ratio", "percent_reduction") or not sized:
        return None
    as_ratio = (lambda r: 1 - r / 100) if effect.measure == "percent_reduction" else (lambda r: r)
    if "value" in v:
        ratio = as_ratio(v["value"])
    else:
        ratio = math.sqrt(as_ratio(v["low"]) * as_ratio(v["high"]))
    if "control" in v:
        ratio /= 1 - v["control"] / 100
    return ratio


def _sms(raw: Any, design: str, err) -> int | None:
    """The Maryland SMS level, checked against the levels the design can have."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in SMS_LEVELS:
        raise err(f"must be a Maryland SMS level, a whole number from 1 to 5, got {raw!r}", "sms")
    allowed = SMS_DESIGNS[design]
    if not allowed:
        raise err(f"the SMS rates one quantitative evaluation and design {design!r} takes no level "
                  "(a review's included studies have their own: say so in 'note')", "sms")
    if raw not in allowed:
        levels = ", ".join(str(level) for level in allowed)
        raise err(f"SMS {raw} ({SMS_MEANING[raw]}) does not fit design {design!r}, which is SMS {levels}", "sms")
    return raw


def _emmie(raw: Any, err) -> Emmie:
    """The toolkit's EMMIE ratings: its address, the intervention's name and the rated dimensions."""
    if not isinstance(raw, dict):
        raise err(f"must be a mapping with {', '.join(_EMMIE_KEYS)}", "emmie")
    for key in raw:
        if key not in _EMMIE_KEYS:
            raise err(f"unknown key {key!r} (allowed: {', '.join(_EMMIE_KEYS)})", "emmie")
    for key in ("url", "intervention"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise err("required, in text", f"emmie.{key}")
    if not raw["url"].startswith(("http://", "https://")):
        raise err(f"must be the toolkit page's web address, got {raw['url']!r}", "emmie.url")
    ratings = {}
    for dim in EMMIE_DIMENSIONS:
        if dim not in raw:
            continue
        value = raw[dim]
        allowed = ("rating", "quote", "impact") if dim == "effect" else ("rating", "quote")
        if not isinstance(value, dict) or "rating" not in value:
            raise err("must be a mapping with the toolkit's 'rating' (and 'quote' where the page gives one)",
                      f"emmie.{dim}")
        for key, text in value.items():
            if key not in allowed:
                raise err(f"unknown key {key!r} (allowed: {', '.join(allowed)})", f"emmie.{dim}")
            if not isinstance(text, str) or not text.strip():
                raise err("must be text, as the toolkit page states it", f"emmie.{dim}.{key}")
        ratings[dim] = EmmieRating(value["rating"], value.get("quote", ""), value.get("impact", ""))
    if not ratings:
        raise err(f"rates no dimension (give at least one of {', '.join(EMMIE_DIMENSIONS)})", "emmie")
    return Emmie(raw["url"], raw["intervention"], ratings)


def _effect(raw: Any, err) -> Effect:
    if not isinstance(raw, dict) or "measure" not in raw:
        raise err("must be a mapping with a 'measure'", "effect")
    measure = raw["measure"]
    if measure not in MEASURES:
        raise err(f"unknown measure {measure!r} (known: {', '.join(MEASURES)})", "effect.measure")
    required, optional = MEASURES[measure]
    values = {k: v for k, v in raw.items() if k != "measure"}
    for key in values:
        if key not in required and key not in optional:
            allowed = ", ".join(required + optional) or "none"
            raise err(f"not a field of {measure} (allowed: {allowed})", f"effect.{key}")
    for key in required:
        if key not in values:
            raise err(f"required for {measure}", f"effect.{key}")
    for key, value in values.items():
        if key == "sign":
            if value not in ("+", "-"):
                raise err("must be '+' or '-'", "effect.sign")
        elif key in _TEXT_FIELDS:
            if not isinstance(value, str):
                raise err("must be text", f"effect.{key}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise err(f"must be a finite number, got {value!r}", f"effect.{key}")
    _check_effect_numbers(measure, values, err)
    return Effect(measure, values)


def _check_effect_numbers(measure: str, v: dict[str, Any], err) -> None:
    if ("low" in v) != ("high" in v):
        raise err("give both 'low' and 'high', or neither", "effect")
    if "low" in v and v["low"] > v["high"]:
        raise err(f"low ({v['low']}) is above high ({v['high']})", "effect.low")
    if "interval" in v and not 0 < v["interval"] < 1:
        raise err("must be a probability between 0 and 1", "effect.interval")
    sized = ("value" in v) or ("low" in v)
    if measure in ("percent_reduction", "rate_ratio", "odds_ratio", "cohens_d") and not sized:
        raise err(f"{measure} needs 'value' or 'low' and 'high'", "effect")
    if measure == "percent_reduction":
        for key in ("value", "low", "high", "control"):
            if key in v and not v[key] < 100:
                raise err("a reduction must be below 100%", f"effect.{key}")
        if "baseline" in v and not 0 < v["baseline"] < 100:
            raise err("a baseline risk is a percentage between 0 and 100", "effect.baseline")
    if measure in ("rate_ratio", "odds_ratio"):
        for key in ("value", "low", "high"):
            if key in v and not v[key] > 0:
                raise err("a ratio must be positive", f"effect.{key}")
    if measure == "proportion":
        if "successes" in v or "trials" in v:
            if not ("successes" in v and "trials" in v):
                raise err("give both 'successes' and 'trials'", "effect")
            if v["successes"] < 0 or v["trials"] <= 0 or v["successes"] > v["trials"]:
                raise err("need 0 <= successes <= trials and trials > 0", "effect.successes")
        elif not sized:
            raise err("a proportion needs 'value' (percent) or successes/trials", "effect")
        for key in ("value", "low", "high"):
            if key in v and not 0 <= v[key] <= 100:
                raise err("a proportion is a percentage between 0 and 100", f"effect.{key}")
    if measure == "before_after":
        for key in ("before", "after", "control_before", "control_after"):
            if key in v and not v[key] > 0:
                raise err("counts must be positive", f"effect.{key}")
        if ("control_before" in v) != ("control_after" in v):
            raise err("give both comparison counts or neither", "effect")
    if measure == "count" and v["value"] < 0:
        raise err("a count cannot be negative", "effect.value")
