"""Node kinds: one module per kind, each the one home of what that kind means.

``exposure`` (:mod:`.exposure`), ``count`` (:mod:`.count`), ``proportion``
(:mod:`.proportion`), ``continuous`` (:mod:`.continuous`) and ``binary`` (:mod:`.binary`), each a
:class:`~copath.kinds.base.NodeKind`. Code elsewhere asks :func:`of` for a node's kind
and calls its methods. Adding a kind is a new module here, listed in :data:`KINDS`
(or added at run time with :func:`register`), plus its tests: the spec, the data checks,
the model, the simulator, scenarios and reports then know it.

Example
-------
>>> from types import SimpleNamespace
>>> of("count").unit_label(SimpleNamespace(unit="", offset=None, per=None))
'count per row'
>>> names()
('exposure', 'count', 'proportion', 'continuous', 'binary')
>>> natural_effects()["log odds ratio"]
'odds ratio'
"""

from __future__ import annotations

from typing import Any

from copath.kinds.base import NodeKind, NodeSpec, NoiseParameter
from copath.kinds.binary import BINARY
from copath.kinds.continuous import CONTINUOUS
from copath.kinds.count import COUNT, FAMILIES, MAX_COUNT
from copath.kinds.exposure import EXPOSURE
from copath.kinds.proportion import PROPORTION

__all__ = ["KINDS", "NodeKind", "NodeSpec", "NoiseParameter", "of", "names", "register", "coefficient_scales",
           "natural_effects", "noise_variables", "reserved_names", "FAMILIES", "MAX_COUNT"]

#: Every kind by name, in the order the model declares their parameters.
KINDS: dict[str, NodeKind] = {k.name: k for k in (EXPOSURE, COUNT, PROPORTION, CONTINUOUS, BINARY)}


def names() -> tuple[str, ...]:
    """The kinds a spec may name."""
    return tuple(KINDS)


def register(kind: NodeKind) -> NodeKind:
    """Add ``kind`` to :data:`KINDS` (a kind defined outside copath); returns it.

    Example
    -------
    >>> from copath.kinds.continuous import Continuous
    >>> class Score(Continuous):
    ...     name = "score"
    ...     display = "score (normal)"
    >>> "score" in names(), register(Score()).name in names()
    (False, True)
    >>> del KINDS["score"]
    """
    if not isinstance(kind, NodeKind):
        raise TypeError(f"a kind must be a NodeKind, got {type(kind).__name__}")
    if kind.name in KINDS:
        raise ValueError(f"there is already a kind {kind.name!r}")
    KINDS[kind.name] = kind
    return kind


def _with_variants() -> list[NodeKind]:
    return [v for k in KINDS.values() for v in (k, *k.variants())]


def coefficient_scales() -> tuple[str, ...]:
    """What a link coefficient can be: the scales of the endogenous kinds and their variants."""
    return tuple(dict.fromkeys(k.coefficient_scale for k in _with_variants() if k.endogenous))


def natural_effects() -> dict[str, str]:
    """A coefficient scale -> its natural-scale effect (``"log rate ratio"`` -> ``"rate ratio"``)."""
    return {k.coefficient_scale: k.natural_effect for k in _with_variants() if k.endogenous}


def reserved_names() -> tuple[str, ...]:
    """The kinds' noise variables and their dimensions: model names no node may take."""
    return tuple(dict.fromkeys(n for k in KINDS.values() for n in (k.noise_variable, k.noise_dim) if n))


def noise_variables() -> tuple[str, ...]:
    """The noise parameters' model variables, in the order the model declares them."""
    return tuple(dict.fromkeys(k.noise_variable for k in KINDS.values() if k.noise_variable))


def of(node_or_name: Any) -> NodeKind:
    """The kind of a node (anything with a ``kind`` attribute), as the node uses it
    (:meth:`NodeKind.for_node`: a continuous node with ``link: logit`` gets its scaled logit),
    or of a kind name.

    Example
    -------
    >>> of("proportion").coefficient_scale
    'log odds ratio'
    >>> from types import SimpleNamespace
    >>> of(SimpleNamespace(kind="continuous", link="logit", range=(0.0, 10.0))).coefficient_scale
    'logit slope'
    """
    name = node_or_name if isinstance(node_or_name, str) else node_or_name.kind
    try:
        kind = KINDS[name]
    except KeyError:
        raise KeyError(f"unknown node kind {name!r}; expected one of {', '.join(KINDS)}") from None
    return kind if isinstance(node_or_name, str) else kind.for_node(node_or_name)
