"""Error types for copath: every expected bad input raises one of these.

Each error carries *where* the problem is (a file, a line, a node, a link, a row,
a field) and *what* is wrong, and renders as one sentence. The command line turns
them into one line on stderr and exit code 2, with no traceback.

Example
-------
>>> err = SpecError("unknown node 'foo'", file="models/x.yaml", where="link a -> foo", line=12)
>>> str(err)
"models/x.yaml, line 12: link a -> foo: unknown node 'foo'"
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CopathError", "SpecError", "EvidenceError", "DataError"]


class CopathError(ValueError):
    """Bad input to copath; the message names the file, line/row and field.

    Example
    -------
    >>> raise CopathError("must be positive", file="data.csv", where="column 'households'")
    Traceback (most recent call last):
    ...
    copath.errors.CopathError: data.csv: column 'households': must be positive
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        where: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.where = where
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f", line {self.line}" if self.line else ""))
        elif self.line:
            parts.append(f"line {self.line}")
        if self.where:
            parts.append(self.where)
        parts.append(self.message)
        return ": ".join(parts)


class SpecError(CopathError):
    """A pathway spec (``models/*.yaml``) is malformed or describes an invalid DAG."""


class EvidenceError(CopathError):
    """An evidence registry entry (``priors/*.yaml``) is malformed."""


class DataError(CopathError):
    """Local data do not fit the pathway (missing column, bad value, ...)."""
