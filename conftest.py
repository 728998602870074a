"""Doctests of ``src/copath`` that read a fitted result find one as ``res`` (and ``rec``).

The docstrings of the workflow's verbs (scenarios, path effects, sensitivity, storage,
reports) show them on a fitted result. Rather than fitting in every docstring, those
doctests share one small fit of the toy chain x -> c -> p -> y (plus x -> y), made once per
test session and only when a doctest that names ``res`` or ``rec`` runs.
"""

from __future__ import annotations

import re
import warnings

import pytest
from _pytest.doctest import DoctestItem

from tests.pathways import toy_spec

#: The doctests' pathway: every kind of node, an area effect, a direct link.
DOCTEST_SPEC = toy_spec("toy", c={"offset": "hh", "per": 1000, "area_effects": True, "better": "lower"},
                        y={"better": "higher"}, direct=True)


@pytest.fixture(scope="session")
def doctest_result():
    """A fitted result of the doctests' pathway (passes its diagnostics)."""
    import copath as cp

    pw = cp.loads_pathway(DOCTEST_SPEC)
    sim = cp.simulate(pw, areas=40, months=6, random_seed=11,
                      params={"beta": {"x -> c": -0.8, "c -> p": 0.5, "p -> y": 0.6, "x -> y": 0.4},
                              "area_sd": {"c": 0.3}, "sigma": {"y": 0.4}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cp.fit(pw, sim.data, draws=1000, tune=1000, chains=2, random_seed=4, progressbar=False)


@pytest.fixture(autouse=True)
def _doctest_names(request):
    """Put the shared result in the namespace of doctests that use it."""
    if not isinstance(request.node, DoctestItem):
        return
    source = "".join(example.source for example in request.node.dtest.examples)
    own = re.search(r"^(res|rec)\s*=", source, flags=re.M)  # the doctest makes its own
    if re.search(r"\b(res|rec)\b", source) and not own:
        namespace = request.getfixturevalue("doctest_namespace")
        namespace["res"] = namespace["rec"] = request.getfixturevalue("doctest_result")
