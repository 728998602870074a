"""The ``exposure`` kind: an exogenous input (a co-production activity or another driver).

It has no structural equation, no likelihood and no intercept: the data give it, in its
stated unit, and its children see it as given (centred on its mean in the data).

Example
-------
>>> from types import SimpleNamespace
>>> EXPOSURE.endogenous, EXPOSURE.validate(SimpleNamespace(baseline=0.3))
(False, ["an exposure has no equation, so no 'baseline'"])
"""

from __future__ import annotations

from typing import ClassVar

from copath.kinds.base import NodeKind, NodeSpec

__all__ = ["Exposure", "EXPOSURE"]


class Exposure(NodeKind):
    """An exogenous input: no equation, no likelihood."""

    name: ClassVar[str] = "exposure"
    display: ClassVar[str] = "exposure (given by the data)"
    colour: ClassVar[str] = "#cfe3f5"
    endogenous: ClassVar[bool] = False

    def validate(self, node: NodeSpec) -> list[str]:
        return [] if node.baseline is None else ["an exposure has no equation, so no 'baseline'"]


EXPOSURE = Exposure()
