"""Independent jobs through Dask distributed: scenario sweeps and sensitivity refits give
what the same calls give in one process; and the numpyro (JAX) sampler on the CPU."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import copath as cp
from tests.pathways import toy_spec

pytest.importorskip("dask.distributed", reason="Dask distributed is not installed (pip install 'copath[distributed]')")

SPEC = toy_spec("jobs", c={"area_effects": True, "better": "lower"}, p=False, y={"better": "higher"})


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    pw = cp.loads_pathway(SPEC)
    sim = cp.simulate(pw, areas=20, months=3, random_seed=1, params={"beta": {"x -> c": -0.5, "c -> y": 0.4}})
    res = cp.fit(pw, sim.data, draws=200, tune=200, chains=2, random_seed=1, progressbar=False)
    return res, res.save(tmp_path_factory.mktemp("jobs") / "result")


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_sweep_matches_scenarios_run_one_by_one(saved, client):
    res, folder = saved
    plan = {f"x +{d}": {"x": f"+{d}"} for d in (0.01, 0.02, 0.03)}
    table = cp.sweep(folder, plan, client=client)
    assert set(table.index.get_level_values("scenario")) == set(plan)
    for name, changes in plan.items():
        one = res.scenario(changes, name=name).outcomes()
        np.testing.assert_allclose(table.loc[name].loc[one.index, "difference"], one["difference"], rtol=1e-6)
    with pytest.raises(ValueError, match="at least one"):
        cp.sweep(folder, {}, client=client)


@pytest.mark.slow  # 17 s: Dask refits of every alternative prior; make test-slow (make test stays under 10 minutes)
def test_refits_of_alternative_priors_run_as_jobs(saved, client):
    res, folder = saved
    alts = res.sensitivity(alternatives=True, links=["c -> y"]).alternatives
    alts = alts[alts["alternative"].isin(["sceptical", "registry"])]  # two refits keep the test short
    refits = cp.sensitivity.refit_alternatives(folder, alts, only_unreliable=False, client=client)
    assert set(refits["alternative"]) == {"sceptical", "registry"} and set(refits["quantity"]) == {"y"}
    # the registry prior is the fitted one: its refit reproduces the fit (same seed, same draws)
    reg = refits.set_index("alternative").loc["registry", "refit_mean"]
    assert reg == pytest.approx(float(res.forward.node_means({}, {})[0]["y"].mean()), rel=1e-6)


@pytest.mark.slow  # 7 s: a JAX compile and a second sampler; make test-slow (make test stays under 10 minutes)
def test_numpyro_sampler_on_cpu_agrees_with_nutpie(saved):
    pytest.importorskip("numpyro", reason="JAX/NumPyro not installed (pip install 'copath[jax]')")
    res, _ = saved
    jx = cp.fit(res.pathway, res.data, draws=300, tune=300, chains=2, random_seed=2, progressbar=False,
                sampler="numpyro")
    assert jx.run.sampler == "numpyro" and jx.run.adaptation == "dense"
    a, b = jx.summary(), res.summary()
    assert (abs(a["post_mean"] - b["post_mean"]) < 3 * b["post_sd"]).all()
    assert isinstance(a, pd.DataFrame) and np.isfinite(a["r_hat"]).all()


def test_an_in_memory_result_is_shipped_by_a_temporary_folder_that_is_removed(saved, client, monkeypatch, tmp_path):
    import tempfile

    res, _ = saved
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    table = cp.sweep(res, {"x +0.01": {"x": "+0.01"}}, client=client)
    assert table.shape[0] == 2 and list(tmp_path.iterdir()) == []
