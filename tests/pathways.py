"""Small pathways for tests: one factory for the toy chain x -> c -> p -> y and its variants.

``toy_spec()`` is the chain of one node of every kind: exposure ``x`` (a share), count
``c``, proportion ``p`` (trials ``n``), continuous ``y``; each node's fields can be
changed (``c={"offset": "hh", "per": 1000}``), a field removed with ``None``, a middle
node left out with ``False`` (the chain then skips it), and the direct link x -> y added.
"""

from __future__ import annotations

from typing import Any

import yaml

import copath as cp

__all__ = ["toy_spec", "toy_pathway", "TWO_ARMS", "TWO_ARMS_JOINED", "TWO_ARMS_TRUTH"]

_DEFAULTS: dict[str, dict[str, Any]] = {
    "x": {"kind": "exposure", "range": [0, 1]},
    "c": {"kind": "count"},
    "p": {"kind": "proportion", "trials": "n"},
    "y": {"kind": "continuous"},
}


def toy_spec(name: str = "toy", *, x: dict | None = None, c: dict | bool | None = None,
             p: dict | bool | None = None, y: dict | bool | None = None, direct: bool = False,
             outcome: str | None = None, directions: dict[str, str] | None = None) -> str:
    """YAML of the chain x -> c -> p -> y (see the module docstring); the outcome is the
    last node of the chain unless ``outcome`` says; ``directions`` gives links a stated sign
    (``{"x -> c": "-"}``)."""
    changes = {"x": x, "c": c, "p": p, "y": y}
    nodes: dict[str, dict[str, Any]] = {}
    for node, default in _DEFAULTS.items():
        change = changes[node]
        if change is False:
            continue
        fields = {**default, **(change if isinstance(change, dict) else {})}
        nodes[node] = {k: v for k, v in fields.items() if v is not None}
    chain = list(nodes)
    links = [{"from": a, "to": b} for a, b in zip(chain[:-1], chain[1:], strict=True)]
    if direct:
        links.append({"from": "x", "to": chain[-1]})
    for link in links:
        if f"{link['from']} -> {link['to']}" in (directions or {}):
            link["direction"] = directions[f"{link['from']} -> {link['to']}"]
    doc = {"name": name, "nodes": nodes, "links": links, "outcomes": [outcome or chain[-1]]}
    return yaml.safe_dump(doc, sort_keys=False)


def toy_pathway(name: str = "toy", **changes: Any) -> cp.Pathway:
    """The pathway of :func:`toy_spec`."""
    return cp.loads_pathway(toy_spec(name, **changes))


#: Two arms, x1 -> y (area effects) and x2 -> z: four implied independencies, every one testable
#: (their conditioning nodes are exposures). ``TWO_ARMS_JOINED`` adds x2 -> y, which
#: ``TWO_ARMS_TRUTH`` makes 1.0 per unit (y's residual sd 0.3), so ``TWO_ARMS`` leaves out a real link.
TWO_ARMS = """name: simple
nodes:
  x1: {kind: exposure}
  x2: {kind: exposure}
  y: {kind: continuous, baseline: 5, scale: 1, area_effects: true}
  z: {kind: continuous, baseline: 5, scale: 1}
links:
  - {from: x1, to: y}
  - {from: x2, to: z}
outcomes: [y, z]
"""
TWO_ARMS_JOINED = TWO_ARMS.replace("  - {from: x2, to: z}\n", "  - {from: x2, to: z}\n  - {from: x2, to: y}\n")
TWO_ARMS_TRUTH = {"beta": {"x2 -> y": 1.0, "x1 -> y": 0.5, "x2 -> z": 0.5}, "sigma": {"y": 0.3, "z": 0.5},
                  "area_sd": {"y": 0.1}}
