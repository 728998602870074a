"""Pathway specs: the DAG (:mod:`.pathway`), its YAML loader (:mod:`.loader`) and its figure (:mod:`.drawing`)."""

from copath.spec.loader import load_pathway, loads_pathway
from copath.spec.pathway import Link, Node, Pathway, link_name

__all__ = ["Link", "Node", "Pathway", "link_name", "load_pathway", "loads_pathway"]
