"""Pathway specs: the DAG (:mod:`.pathway`, which also draws itself) and its YAML loader (:mod:`.loader`)."""

from copath.spec.loader import load_pathway, loads_pathway
from copath.spec.pathway import Link, Node, Pathway, link_name

__all__ = ["Link", "Node", "Pathway", "link_name", "load_pathway", "loads_pathway"]
