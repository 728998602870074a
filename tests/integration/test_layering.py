"""copath's packages form a one-way stack: no module imports from a layer above its own.

Every import is read from the source (top level, inside functions, under
``TYPE_CHECKING``), so a lazy import cannot hide an upward dependency. The stack, lowest
first, is the one ARCHITECTURE.md draws.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SRC = ROOT / "src" / "copath"

#: Lowest first. A module may import from its own layer and the ones below it.
LAYERS: list[set[str]] = [
    {"constants", "errors", "yaml_io", "io_atomic", "resources", "tables", "options", "version", "display",
     "plotting"},
    {"kinds"},
    {"spec"},
    {"evidence"},
    {"datasets"},
    {"model"},
    {"jobs"},
    {"scenarios"},
    {"sensitivity"},
    {"calibration"},
    {"reports"},
    {"workflow"},
    {"__init__"},  # the public API, import copath as cp
    {"cli"},
    {"__main__"},
]
LAYER_OF = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def top_name(module: str) -> str:
    """``copath.model.fit`` -> ``model``; ``copath`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1] if len(parts) > 2 else parts
    return ".".join(parts)


def imported(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, copath module) of every import of copath in ``source``, wherever it stands."""
    out = []
    package = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "copath"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "copath":
                continue
            if base == "copath":  # from copath import kinds, plotting: each name is a submodule (or the API)
                for a in node.names:
                    target = f"copath.{a.name}"
                    is_sub = (SRC / a.name).is_dir() or (SRC / f"{a.name}.py").is_file()
                    out.append((node.lineno, target if is_sub else "copath"))
            else:
                out.append((node.lineno, base))
    return out


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports in ``source`` (of ``module``) that reach a layer above the module's."""
    own = LAYER_OF[top_name(module)]
    found = []
    for line, target in imported(source, module, is_package):
        if LAYER_OF[top_name(target)] > own:
            found.append(f"{module}, line {line}: imports {target} ({top_name(target)} is above {top_name(module)})")
    return found


MODULES = sorted(SRC.rglob("*.py"))


def test_every_package_has_a_layer():
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in MODULES}
    assert tops <= set(LAYER_OF), f"not in the stack: {sorted(tops - set(LAYER_OF))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_from_a_layer_above(path):
    module = module_name(path)
    assert upward_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py") == []


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from copath.reports.report import write_report\n", "copath.model.record"),  # top level
        ("def f():\n    from copath.scenarios.forward import forward_of\n", "copath.model.fit"),  # in a function
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from copath.workflow import FitResult\n",
         "copath.spec.pathway"),  # for type checking only
        ("import copath as cp\n", "copath.evidence.priors"),  # the whole API
        ("from copath import plotting, workflow\n", "copath.spec.pathway"),  # one of several names
        ("from ..sensitivity import analysis\n", "copath.model.fit"),  # relative
    ],
)
def test_the_check_catches_an_upward_import(source, module):
    assert upward_imports(source, module), "an upward import went unnoticed"


def test_the_check_allows_downward_and_sideways_imports():
    source = ("from copath import kinds, plotting\nfrom copath.model.record import FitRecord\n"
              "from .paths import PathEffects\n")
    assert upward_imports(source, "copath.scenarios.scenario") == []
