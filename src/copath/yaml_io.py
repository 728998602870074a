"""Safe YAML reading that remembers line numbers and refuses duplicate keys.

The loader is PyYAML's ``SafeLoader`` (the loader behind ``yaml.safe_load``: no
arbitrary tags, no Python objects) with two additions: every mapping comes back
as a :class:`LineDict` that knows the line it started on, and a key given twice in
one mapping is an error rather than a silent overwrite.

Example
-------
>>> doc = read_yaml_text("a: 1\\nb:\\n  c: 2\\n", source="example.yaml")
>>> doc["b"]["c"], doc["b"].line
(2, 3)
>>> read_yaml_text("a: 1\\na: 2\\n", source="dup.yaml")
Traceback (most recent call last):
...
copath.errors.CopathError: dup.yaml, line 2: key 'a': given twice in one mapping
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from copath.errors import CopathError

__all__ = ["LineDict", "read_yaml", "read_yaml_text", "line_of"]

MAX_YAML_BYTES = 5_000_000


class LineDict(dict):
    """A dict that remembers the (1-based) line its YAML mapping started on."""

    line: int | None = None


class _LineSafeLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are LineDicts and whose duplicate keys and aliases are
    refused (specs and registries never need ``*alias``; refusing them rules out
    "billion laughs" expansion bombs)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.events.AliasEvent):
            mark = self.peek_event().start_mark
            raise CopathError("YAML aliases (*name) are not allowed", line=mark.line + 1)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineSafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise CopathError(
                "a mapping key must be a plain value", line=key_node.start_mark.line + 1
            ) from None
        if key in out:
            raise CopathError(
                "given twice in one mapping",
                where=f"key {key!r}",
                line=key_node.start_mark.line + 1,
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_LineSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def line_of(obj: Any) -> int | None:
    """Line number a YAML mapping started on, or None for anything else.

    Example
    -------
    >>> line_of(read_yaml_text("x:\\n  y: 1\\n")["x"])
    2
    """
    return getattr(obj, "line", None)


def read_yaml_text(text: str, source: str = "<string>") -> Any:
    """Parse YAML text safely; errors name ``source`` and the line.

    Example
    -------
    >>> read_yaml_text("[1, 2]")
    [1, 2]
    """
    if len(text) > MAX_YAML_BYTES:
        raise CopathError(f"larger than {MAX_YAML_BYTES} bytes; refusing to parse", file=source)
    try:
        return yaml.load(text, Loader=_LineSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except CopathError as err:
        raise type(err)(err.message, file=source, where=err.where, line=err.line) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "malformed YAML"
        raise CopathError(f"malformed YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as err:
        raise CopathError(f"malformed YAML: {err}", file=source) from None
    except RecursionError:
        raise CopathError("malformed YAML: nested too deeply", file=source) from None


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely (see :func:`read_yaml_text`).

    Example
    -------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(p, "w").write("k: v\\n")
    >>> read_yaml(p)
    {'k': 'v'}
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CopathError("no such file", file=path) from None
    except UnicodeDecodeError:
        raise CopathError("not UTF-8 text", file=path) from None
    except IsADirectoryError:
        raise CopathError("is a folder, not a YAML file", file=path) from None
    return read_yaml_text(text, source=str(path))
