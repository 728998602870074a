"""The version of copath (one place; the package, result manifests and reports read it)."""

__version__ = "0.1.0"
