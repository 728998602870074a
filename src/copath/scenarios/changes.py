"""Parse and apply scenario changes: ``0.5`` (absolute), ``"+0.2"``, ``"-10%"``, ``"x1.5"``.

Pure functions. An absolute value sets the node everywhere (in the chosen areas); a
relative change moves each row's own value: ``"+0.2"`` adds 0.2 in the node's unit,
``"-10%"`` scales by 0.9, ``"x1.5"`` scales by 1.5.

Example
-------
>>> import numpy as np
>>> parse_change("+0.2"), parse_change("-10%"), parse_change("x1.5"), parse_change(0.3)
(Change(kind='add', amount=0.2), Change(kind='scale', amount=0.9), Change(kind='scale', amount=1.5), Change(kind='set', amount=0.3))
>>> parse_change("x1.5").apply(np.array([0.2, 0.4])).tolist()
[0.30000000000000004, 0.6000000000000001]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Change", "parse_change"]

_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"


@dataclass(frozen=True)
class Change:
    """``set`` to a value, ``add`` an amount, or ``scale`` by a factor."""

    kind: str
    amount: float

    def apply(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "set":
            return np.full_like(values, self.amount, dtype=float)
        if self.kind == "add":
            return values + self.amount
        return values * self.amount

    def describe(self) -> str:
        if self.kind == "set":
            return f"= {self.amount:g}"
        if self.kind == "add":
            return f"{self.amount:+g}"
        return f"x{self.amount:g}"


def parse_change(value: float | int | str) -> Change:
    """A :class:`Change` from a number or a string (``"0.5"``, ``"+0.2"``, ``"-10%"``, ``"x1.5"``).

    Example
    -------
    >>> parse_change("a lot")
    Traceback (most recent call last):
    ...
    ValueError: cannot read change 'a lot': use a value (0.5), a difference (+0.2 or -0.1), a percentage (-10%) or a factor (x1.5)
    """
    if isinstance(value, bool):
        raise ValueError(f"cannot read change {value!r}: a number or a string is needed")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"cannot read change {value!r}: it must be finite")
        return Change("set", float(value))
    text = str(value).strip().replace(" ", "")
    if m := re.fullmatch(rf"([+-])({_NUMBER})%", text):
        pct = float(m.group(2)) * (1 if m.group(1) == "+" else -1)
        if pct <= -100:
            raise ValueError(f"cannot read change {value!r}: a fall of 100% or more leaves nothing")
        return Change("scale", 1 + pct / 100)
    if m := re.fullmatch(rf"([+-])({_NUMBER})", text):
        return Change("add", float(m.group(2)) * (1 if m.group(1) == "+" else -1))
    if m := re.fullmatch(rf"[x*]({_NUMBER})", text):
        return Change("scale", float(m.group(1)))
    if re.fullmatch(rf"{_NUMBER}", text):
        return Change("set", float(text))
    raise ValueError(
        f"cannot read change {value!r}: use a value (0.5), a difference (+0.2 or -0.1), "
        "a percentage (-10%) or a factor (x1.5)"
    )
