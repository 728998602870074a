"""Read a pathway spec (models/*.yaml) into a validated :class:`Pathway`.

Every key a spec takes, with its meaning, allowed values and an example, is in the spec
reference, ``docs/guides/spec.md`` in the project (linked from the README). Unknown keys are
refused (a typo such as ``ofset`` would otherwise be ignored silently), every value is
type-checked, and each error names the file, the line, and the node, link or risk.

Example
-------
>>> import copath as cp
>>> pw = cp.load_pathway("policing_coproduction")
>>> pw.nodes["burglary"].offset, pw.nodes["burglary"].per
('households', 1000.0)
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

from copath.errors import CopathError, SpecError
from copath.resources import find_bundled
from copath.spec.pathway import Link, Node, Pathway
from copath.spec.risks import Risk
from copath.yaml_io import line_of, read_yaml, read_yaml_text

__all__ = ["load_pathway", "loads_pathway", "pathway_from_dict", "pathway_to_dict"]

_TOP_KEYS = {"name", "title", "index", "nodes", "links", "outcomes", "description", "risks", "groups",
             "prior_scale"}
_NODE_KEYS = {
    "kind", "label", "unit", "range", "offset", "per", "trials", "family",
    "area_effects", "scale", "baseline", "better", "description", "reference", "maturity_lag",
    "time", "given_as", "observed_at", "weight", "plausible", "link", "within", "levels", "adjust",
}
_LINK_KEYS = {"from", "to", "evidence", "contrast", "note", "direction", "within"}
_RISK_KEYS = {"name", "description", "nodes", "links", "citation", "group"}


def load_pathway(name_or_path: str | Path) -> Pathway:
    """Load a pathway spec by bundled name (in ``models/``) or by path.

    Parameters
    ----------
    name_or_path
        The path of an existing YAML file, used as it is; otherwise the name of a
        bundled spec, looked up in ``models/`` as given, then with ``.yaml``, then
        with ``.yml``.

    Returns
    -------
    Pathway
        The validated pathway, with ``source`` set to the file's path.

    Raises
    ------
    SpecError
        If no such file or bundled spec exists (the message lists the bundled ones), the
        YAML cannot be read, or the spec is invalid.

    Example
    -------
    >>> import copath as cp
    >>> cp.load_pathway("policing_coproduction").outcomes
    ('qol_citizens', 'qol_victims', 'qol_offenders')
    """
    try:
        path = find_bundled("models", name_or_path, (".yaml", ".yml"))
    except FileNotFoundError as err:
        raise SpecError(str(err)) from None
    try:
        doc = read_yaml(path)
    except CopathError as err:
        raise SpecError(err.message, file=err.file, where=err.where, line=err.line) from None
    return pathway_from_dict(doc, source=str(path))


def loads_pathway(text: str, source: str = "<string>") -> Pathway:
    """Load a pathway from YAML text (handy in notebooks and tests).

    Parameters
    ----------
    text
        The spec as YAML, in the format of the files in ``models/``.
    source
        How the text is named in error messages (default ``"<string>"``); also the
        pathway's ``source``.

    Returns
    -------
    Pathway
        The validated pathway.

    Raises
    ------
    SpecError
        If the YAML cannot be parsed or the spec is invalid.

    Example
    -------
    >>> pw = loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n  y: {kind: continuous}\\n"
    ...                    "links:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> pw.link_names
    ['x -> y']
    """
    try:
        doc = read_yaml_text(text, source=source)
    except CopathError as err:
        raise SpecError(err.message, file=err.file, where=err.where, line=err.line) from None
    return pathway_from_dict(doc, source=source)


def pathway_from_dict(doc: Any, source: str | None = None) -> Pathway:
    """Build a Pathway from a parsed spec mapping, checking every field.

    Example
    -------
    >>> pathway_from_dict({"name": "t", "nodes": {"x": {"kind": "exposure"}}, "links": [],
    ...                    "outcomes": []}).nodes["x"].kind
    'exposure'
    """

    def err(message: str, where: str | None = None, line: int | None = None) -> SpecError:
        return SpecError(message, file=source, where=where, line=line)

    if doc is None:
        raise err("the file is empty")
    if not isinstance(doc, dict):
        raise err("a pathway spec must be a mapping with name, nodes, links and outcomes")
    _check_keys(doc, _TOP_KEYS, "the spec", err)
    for required in ("name", "nodes", "links"):
        if required not in doc:
            raise err(f"missing required key {required!r}", where="the spec")
    name = _text(doc["name"], "name", err)
    raw_nodes = doc["nodes"]
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        raise err("'nodes' must be a non-empty mapping of node name -> {kind: ...}", where="nodes")
    nodes = {}
    for node_name, raw in raw_nodes.items():
        nodes[str(node_name)] = _node(node_name, raw, err)
    raw_links = doc["links"]
    if raw_links is None:
        raw_links = []
    if not isinstance(raw_links, list):
        raise err("'links' must be a list of {from: ..., to: ...}", where="links")
    links = [_link(i, raw, err) for i, raw in enumerate(raw_links)]
    outcomes = doc.get("outcomes") or []
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        raise err("'outcomes' must be a list of node names", where="outcomes")
    index = doc.get("index", ["area", "month"])
    if isinstance(index, str):
        index = [index]
    if not isinstance(index, list) or not index or not all(isinstance(c, str) for c in index):
        raise err("'index' must be a non-empty list of column names", where="index")
    groups = doc.get("groups")
    if groups is not None and (not isinstance(groups, str) or not groups):
        raise err(f"'groups' must be one column name (the column whose groups get area effects), got {groups!r}",
                  where="groups", line=line_of(doc))
    raw_risks = doc.get("risks")
    if raw_risks is None:
        raw_risks = []
    if not isinstance(raw_risks, list):
        raise err("'risks' must be a list of {name: ..., description: ...}", where="risks")
    risks = [_risk(i, raw, err) for i, raw in enumerate(raw_risks)]
    return Pathway.build(
        name=name,
        title=_text(doc.get("title", ""), "title", err),
        nodes=nodes,
        links=links,
        outcomes=outcomes,
        index=index,
        source=source,
        risks=risks,
        groups=groups,
        prior_scale=doc.get("prior_scale", 1.0),
    )


def _check_keys(raw: dict, allowed: set[str], where: str, err) -> None:
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise err(
            f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
            where=where,
            line=line_of(raw),
        )


def _text(value: Any, field: str, err, where: str | None = None, line: int | None = None) -> str:
    if not isinstance(value, str):
        raise err(f"{field!r} must be text, got {value!r}", where=where, line=line)
    return value


def _number(value: Any, field: str, err, where: str, line: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise err(f"{field!r} must be a finite number, got {value!r}", where=where, line=line)
    return float(value)


def _node(name: Any, raw: Any, err) -> Node:
    where = f"node {name}"
    if not isinstance(name, str):
        raise err(f"node names must be text, got {name!r}", where=where)
    if not isinstance(raw, dict):
        raise err("a node must be a mapping such as {kind: count, ...}", where=where)
    line = line_of(raw)
    _check_keys(raw, _NODE_KEYS, where, err)
    if "kind" not in raw:
        raise err("missing 'kind'", where=where, line=line)
    kwargs: dict[str, Any] = {"kind": _text(raw["kind"], "kind", err, where, line)}
    for key in ("label", "unit", "offset", "trials", "family", "better", "description", "given_as", "weight",
                "link"):
        if key in raw and raw[key] is not None:
            kwargs[key] = _text(raw[key], key, err, where, line)
    if "per" in raw and raw["per"] is not None:
        kwargs["per"] = _number(raw["per"], "per", err, where, line)
    if "scale" in raw:
        kwargs["scale"] = _number(raw["scale"], "scale", err, where, line)
    if "baseline" in raw and raw["baseline"] is not None:
        kwargs["baseline"] = _number(raw["baseline"], "baseline", err, where, line)
    if "levels" in raw and raw["levels"] is not None:
        levels = raw["levels"]
        if not isinstance(levels, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                   for v in levels):
            raise err(f"'levels' must be a list of the column's levels such as [low, mid, high], got {levels!r}",
                      where=where, line=line)
        levels = [str(v) for v in levels]
        reference = raw.get("reference")
        if reference is not None:
            if str(reference) not in levels:
                raise err(f"'reference' {reference!r} is not one of the levels {levels}", where=where, line=line)
            levels.remove(str(reference))
            levels.insert(0, str(reference))
        kwargs["levels"] = tuple(levels)
    elif "reference" in raw and raw["reference"] is not None:
        kwargs["reference"] = _number(raw["reference"], "reference", err, where, line)
    if "adjust" in raw and raw["adjust"] is not None:
        adjust = raw["adjust"]
        adjust = [adjust] if isinstance(adjust, str) else adjust
        if not isinstance(adjust, list) or not all(isinstance(a, str) and a for a in adjust):
            raise err(f"'adjust' must be a list of columns such as [age, educ, gender], got {raw['adjust']!r}",
                      where=where, line=line)
        if len(set(adjust)) != len(adjust):
            raise err(f"'adjust' lists a column twice: {adjust}", where=where, line=line)
        kwargs["adjust"] = tuple(adjust)
    if "maturity_lag" in raw and raw["maturity_lag"] is not None:
        lag = raw["maturity_lag"]
        if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
            raise err(f"'maturity_lag' must be a whole number of months (0 or more), got {lag!r}",
                      where=where, line=line)
        kwargs["maturity_lag"] = lag
    if "time" in raw and raw["time"] is not None:
        time = raw["time"]
        time = [time] if isinstance(time, str) else time
        if not isinstance(time, list) or not all(isinstance(t, str) for t in time):
            raise err(f"'time' must be a list such as [season, trend], got {raw['time']!r}", where=where, line=line)
        kwargs["time"] = tuple(time)
    if "observed_at" in raw and raw["observed_at"] is not None:
        groups = raw["observed_at"]
        groups = [groups] if isinstance(groups, str) else groups
        if not isinstance(groups, list) or not groups or not all(isinstance(g, str) and g for g in groups):
            raise err(f"'observed_at' must be a list of group columns such as [borough, quarter], got "
                      f"{raw['observed_at']!r}", where=where, line=line)
        kwargs["observed_at"] = tuple(groups)
    for key in ("area_effects", "within"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise err(f"'{key}' must be true or false", where=where, line=line)
            kwargs[key] = raw[key]
    if "range" in raw and raw["range"] is not None:
        rng = raw["range"]
        if not isinstance(rng, list) or len(rng) != 2:
            raise err("'range' must be [low, high]", where=where, line=line)
        kwargs["range"] = tuple(_number(v, "range", err, where, line) for v in rng)
    if "plausible" in raw and raw["plausible"] is not None:
        bounds = raw["plausible"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise err("'plausible' must be [low, high] on the node's natural scale", where=where, line=line)
        kwargs["plausible"] = tuple(_number(v, "plausible", err, where, line) for v in bounds)
    return Node(name=name, **kwargs)


def _link(i: int, raw: Any, err) -> Link:
    if not isinstance(raw, dict):
        raise err("a link must be a mapping {from: ..., to: ...}", where=f"links[{i}]")
    line = line_of(raw)
    where = f"link {raw.get('from', '?')} -> {raw.get('to', '?')}"
    _check_keys(raw, _LINK_KEYS, where, err)
    for end in ("from", "to"):
        if end not in raw:
            raise err(f"missing {end!r}", where=where, line=line)
        _text(raw[end], end, err, where, line)
    evidence = raw.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise err("'evidence' must be a list of registry ids", where=where, line=line)
    contrast = 1.0
    if "contrast" in raw:
        contrast = _number(raw["contrast"], "contrast", err, where, line)
    direction = raw.get("direction")
    if direction is not None and direction not in ("+", "-"):
        raise err(f"'direction' must be '+' or '-', got {direction!r}", where=where, line=line)
    within = raw.get("within", False)
    if not isinstance(within, bool):
        raise err(f"'within' must be true or false, got {within!r}", where=where, line=line)
    return Link(
        source=raw["from"],
        target=raw["to"],
        evidence=tuple(evidence),
        contrast=contrast,
        note=_text(raw.get("note", ""), "note", err, where, line),
        line=line,
        direction=direction,
        within=within,
    )


def _risk(i: int, raw: Any, err) -> Risk:
    """One entry of ``risks:``: name and description (text, required), nodes (names), links
    (``"from -> to"``), citation and group (text)."""
    where = f"risks[{i}]"
    if not isinstance(raw, dict):
        raise err("a risk must be a mapping {name: ..., description: ...}", where=where)
    line = line_of(raw)
    if isinstance(raw.get("name"), str) and raw["name"].strip():
        where = f"risks[{i}] ({raw['name']})"
    _check_keys(raw, _RISK_KEYS, where, err)
    text: dict[str, str] = {}
    for key in ("name", "description", "citation", "group"):
        if key not in raw or raw[key] is None:
            if key in ("name", "description"):
                raise err(f"missing {key!r} (a risk needs a name and a description)", where=where, line=line)
            continue
        value = _text(raw[key], key, err, where, line).strip()
        if key in ("name", "description") and not value:
            raise err(f"{key!r} must not be empty", where=where, line=line)
        text[key] = value
    parts: dict[str, tuple[str, ...]] = {}
    for key, what in (("nodes", "node names"), ("links", "links written 'from -> to'")):
        value = raw.get(key)
        if value is None:
            continue
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise err(f"{key!r} must be a list of {what}, got {raw[key]!r}", where=where, line=line)
        parts[key] = tuple(" -> ".join(p.strip() for p in v.split("->")) if key == "links" else v.strip()
                           for v in value)
    return Risk(name=text["name"], description=text["description"], nodes=parts.get("nodes", ()),
                links=parts.get("links", ()), citation=text.get("citation", ""), group=text.get("group", ""),
                line=line)


def _risk_to_dict(risk: Risk) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": risk.name, "description": risk.description}
    for key in ("nodes", "links"):
        if getattr(risk, key):
            entry[key] = list(getattr(risk, key))
    for key in ("citation", "group"):
        if getattr(risk, key):
            entry[key] = getattr(risk, key)
    return entry


def pathway_to_dict(pathway: Pathway) -> dict[str, Any]:
    """The spec mapping of ``pathway`` (the inverse of :func:`pathway_from_dict`).

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.load_pathway("policing_coproduction")
    >>> pathway_from_dict(pathway_to_dict(pw)).link_names == pw.link_names
    True
    """
    defaults = Node(name="_", kind="exposure")
    nodes: dict[str, Any] = {}
    categorical = pathway.categorical
    for name, node in pathway.nodes.items():
        if node.covariate:
            continue  # made again from its node's ``adjust:``
        entry: dict[str, Any] = {"kind": node.kind}
        if node.level is not None:  # a dummy: written once as its categorical node
            name = name[: name.index("[")]
            if name in nodes:
                continue
            node = replace(node, label="", unit="", range=None)
            entry["reference"] = categorical[name][0]
        for key in sorted(_NODE_KEYS - {"kind"}):
            value = getattr(node, key)
            if value != getattr(defaults, key):
                entry[key] = list(value) if isinstance(value, tuple) else value
        nodes[name] = entry
    links = []
    written: set[tuple[str, str]] = set()
    for link in pathway.links:
        if link.covariate:
            continue
        source = link.source
        if pathway.nodes[source].level is not None:
            source = source[: source.index("[")]
            if (source, link.target) in written:
                continue
        written.add((source, link.target))
        item: dict[str, Any] = {"from": source, "to": link.target}
        if link.evidence:
            item["evidence"] = list(link.evidence)
        if link.contrast != 1.0:
            item["contrast"] = link.contrast
        if link.note:
            item["note"] = link.note
        if link.direction:
            item["direction"] = link.direction
        if link.within:
            item["within"] = True
        links.append(item)
    doc: dict[str, Any] = {
        "name": pathway.name, "title": pathway.title, "index": list(pathway.index),
        "nodes": nodes, "links": links, "outcomes": list(pathway.outcomes),
    }
    if pathway.risks:
        doc["risks"] = [_risk_to_dict(r) for r in pathway.risks]
    if pathway.groups is not None:
        doc["groups"] = pathway.groups
    if pathway.prior_scale != 1.0:
        doc["prior_scale"] = pathway.prior_scale
    return doc
