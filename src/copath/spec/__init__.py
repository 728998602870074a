"""Pathway specs: the DAG (:mod:`.pathway`, which also draws itself), its YAML loader (:mod:`.loader`)
and the risks the model does not represent (:mod:`.risks`)."""

from copath.spec.loader import load_pathway, loads_pathway
from copath.spec.pathway import Link, Node, Pathway, link_name
from copath.spec.risks import Risk, generic_risks

__all__ = ["Link", "Node", "Pathway", "Risk", "generic_risks", "link_name", "load_pathway", "loads_pathway"]
