"""pw.implications(): the local Markov basis among observed nodes (issue 30 item 2)."""

from __future__ import annotations

import pytest

import copath as cp

# x -> a -> b -> y, z -> b, x -> y: derived by hand from the local Markov property.
DAG = """name: chain
nodes:
  x: {kind: exposure}
  z: {kind: exposure}
  a: {kind: count}
  b: {kind: proportion, trials: n}
  y: {kind: continuous}
links:
  - {from: x, to: a}
  - {from: a, to: b}
  - {from: z, to: b}
  - {from: b, to: y}
  - {from: x, to: y}
outcomes: [y]
"""


def test_small_dag_lists_exactly_the_expected_independencies():
    pw = cp.loads_pathway(DAG)
    got = {str(i) for i in pw.implications()}
    assert got == {
        "a _||_ z | x",          # a's non-descendants: x (parent), z
        "b _||_ x | z, a",       # b's: x, z, a (parents a, z)
        "y _||_ z | x, b",       # y's: x, z, a, b (parents x, b) -> z and a
        "y _||_ a | x, b",
    }


def test_a_node_with_an_unobserved_parent_gives_no_statement():
    pw = cp.loads_pathway(DAG)
    got = {str(i) for i in pw.implications(observed=["x", "z", "b", "y"])}
    # b's parent a has no data: b's statement is untestable; a itself is not observed
    assert got == {"y _||_ z | x, b"}
    assert pw.implications(observed=["x", "y"]) == []


def test_missing_link_names_the_arrow_the_statement_tests_and_bad_names_are_refused():
    pw = cp.loads_pathway(DAG)
    first = pw.implications()[0]
    assert (first.node, first.other, first.given, first.missing_link) == ("a", "z", ("x",), "z -> a")
    with pytest.raises(ValueError, match="unknown node"):
        pw.implications(observed=["x", "nope"])


def test_flagship_statements_never_condition_on_a_descendant(flagship):
    import networkx as nx
    graph = flagship.to_networkx()
    imps = flagship.implications()
    assert len(imps) > 50
    for imp in imps:
        assert imp.other not in nx.descendants(graph, imp.node)
        assert set(imp.given) == set(flagship.parents(imp.node))
        assert not graph.has_edge(imp.other, imp.node)


def test_a_latent_parent_gives_statements_through_observed_separators():
    # x -> a -> b and z -> c, a without data: b's statements need no parent of b (a methods review's case)
    pw = cp.loads_pathway("""name: latent
nodes:
  x: {kind: exposure}
  z: {kind: exposure}
  a: {kind: count}
  b: {kind: continuous}
  c: {kind: continuous}
links:
  - {from: x, to: a}
  - {from: a, to: b}
  - {from: z, to: c}
outcomes: [b, c]
""")
    got = {str(i) for i in pw.implications(observed=["x", "z", "b", "c"])}
    assert got == {"b _||_ z", "b _||_ c", "c _||_ x | z", "c _||_ b | z"}
    # x reaches b only through a: no observed set separates them, so no statement about b and x
    assert not any(i.node == "b" and i.other == "x" for i in pw.implications(observed=["x", "z", "b", "c"]))
