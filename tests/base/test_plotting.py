"""Figures from plain data: the DAG layout, and figures that never touch pyplot's state."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from copath import plotting


def test_layered_layout_puts_roots_first_and_outcomes_last():
    order = ["a", "b", "c", "d"]
    parents = {"b": ["a"], "c": ["b"], "d": ["a"]}
    pos = plotting.layered_layout(order, parents, last=["d"])
    assert pos["a"][0] == 0 and pos["b"][0] == 1 and pos["c"][0] == 2
    assert pos["d"][0] == 2  # a final outcome is pushed to the last layer


def test_figures_are_not_registered_with_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    table = pd.DataFrame({"outcome": ["y", "y"], "scenario": ["a", "b"], "unit": ["u", "u"],
                          "difference": [0.1, -0.2], "diff_hdi_low": [0.0, -0.3], "diff_hdi_high": [0.2, -0.1],
                          "prior_only": [False, True]}).set_index(["outcome", "scenario"])
    figures = [plotting.comparison(table, ["a", "b"], 0.94),
               plotting.histograms({"y": (np.random.default_rng(0).normal(size=50), "u")})]
    assert plt.get_fignums() == before
    for fig in figures:
        assert isinstance(fig, plotting.NotebookFigure) and fig._repr_png_()[:4] == b"\x89PNG"


def test_importing_copath_selects_no_backend():
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('svg'); import copath; "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "svg"


@pytest.mark.parametrize("prob", [0.5, 0.94])
def test_the_comparison_title_states_the_interval(prob):
    table = pd.DataFrame({"outcome": ["y"], "scenario": ["a"], "unit": ["u"], "difference": [0.1],
                          "diff_hdi_low": [0.0], "diff_hdi_high": [0.2], "prior_only": [False]}
                         ).set_index(["outcome", "scenario"])
    fig = plotting.comparison(table, ["a"], prob)
    assert f"{round(prob * 100)}% HDI" in fig._suptitle.get_text()
    assert matplotlib.get_backend()  # still whatever it was
