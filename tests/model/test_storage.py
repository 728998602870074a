"""Saving and loading results: round trip, hashes, atomic swaps, older and newer formats."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
import xarray as xr
import yaml

import copath as cp
from copath.model.storage import FORMAT_VERSION, content_hashes, load_record, save_record
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "result_format_1"


def test_a_result_of_format_1_still_loads():
    """Written by copath 0.1 (format 1) and committed: every later version must read it."""
    res = cp.load_result(FIXTURE)
    assert res.pathway.link_names == ["x -> y", "y -> z"]
    assert res.summary().shape[0] == 2 and res.posterior.sizes["draw"] == 40
    assert json.loads((FIXTURE / "manifest.json").read_text())["format_version"] == 1


def test_a_format_1_result_keeps_its_settings_and_priors_for_a_refit():
    rec = load_record(FIXTURE)
    assert (rec.settings.draws, rec.settings.tune, rec.settings.prior_draws, rec.settings.ppc_draws) == (40, 60, 40, 40)
    # format 1 did not say which priors were the user's: all are kept, so a refit uses the fitted ones
    assert rec.settings.prior_overrides() == rec.priors


def test_a_newer_format_is_refused_with_the_reason(tmp_path):
    copy = shutil.copytree(FIXTURE, tmp_path / "r")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = 99
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(cp.ResultError, match="newer than this copath reads"):
        cp.load_result(copy)


def test_save_load_round_trip(toy, tmp_path):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    again = cp.load_result(out)
    xr.testing.assert_equal(res.posterior, again.posterior)
    for group in ("log_likelihood", "log_prior", "posterior_predictive"):
        xr.testing.assert_allclose(res.idata[group].to_dataset(), again.idata[group].to_dataset())
    assert res.summary().equals(again.summary())
    assert again.pathway.link_names == res.pathway.link_names
    assert again.priors == res.priors
    assert again.settings == res.settings and again.run == res.run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION and set(manifest["sha256"]) == {
        "idata.nc", "pathway.yaml", "evidence.yaml", "priors.yaml", "data.csv"}
    assert not list(tmp_path.glob(".run*"))  # no temporary folders left behind


@pytest.mark.parametrize("victim", ["data.csv", "idata.nc", "pathway.yaml", "evidence.yaml"])
def test_tampered_result_is_refused(toy, tmp_path, victim):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    blob = bytearray((out / victim).read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (out / victim).write_bytes(bytes(blob))
    with pytest.raises(cp.ResultError, match=f"{victim} does not match its hash"):
        cp.load_result(out)


def test_interrupted_save_keeps_the_previous_result(toy, tmp_path, monkeypatch):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    before = (out / "manifest.json").read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.DataTree, "to_netcdf", boom)
    with pytest.raises(KeyboardInterrupt):
        res.save(out)
    monkeypatch.undo()
    assert (out / "manifest.json").read_bytes() == before
    assert cp.load_result(out).summary().equals(res.summary())
    assert not list(tmp_path.glob(".run.tmp-*"))


def test_crash_between_renames_is_recovered_on_load(toy, tmp_path):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    out.rename(tmp_path / ".run.previous")  # as if the process died after the first rename
    assert cp.load_result(tmp_path / "run").summary().equals(res.summary())




def test_settings_from_a_newer_copath_are_refused_with_the_reason(toy, tmp_path):
    _, _, res = toy
    out = res.save(tmp_path / "run")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["settings"]["a_future_option"] = 1
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(cp.ResultError, match="a_future_option: written by a newer copath; upgrade copath"):
        cp.load_result(out)


def test_the_report_shows_the_hashes_of_the_saved_files(toy, tmp_path):
    """Area codes such as '001' come back from the CSV as numbers: recomputed hashes would
    then differ from the manifest's, so a loaded result keeps the manifest's."""
    _, _, res = toy
    padded = res.data.assign(area=[f"{i:03d}" for i in res.data["area"].factorize()[0]])
    folder = save_record(dataclasses.replace(res, data=padded, saved_hashes=None), tmp_path / "run")
    manifest = json.loads((folder / "manifest.json").read_text())["sha256"]
    again = load_record(folder)
    assert again.data["area"].dtype.kind == "i"  # the round trip lost the padding
    assert content_hashes(again) == manifest
    from copath.reports.content import reproducibility

    assert reproducibility(again)["sha256"] == manifest


def test_a_result_saved_before_groups_keeps_its_first_index_column_as_the_area():
    from copath.model.storage import legacy_groups

    old = {"index": ["borough", "month"], "nodes": {"x": {"kind": "exposure"},
                                                    "y": {"kind": "count", "area_effects": True}}}
    assert legacy_groups(old)["groups"] == "borough" and "groups" not in old
    assert "groups" not in legacy_groups({**old, "nodes": {"y": {"kind": "count"}}})  # no area effects: none needed
    assert legacy_groups({**old, "groups": "ward"})["groups"] == "ward"  # a saved groups: is kept
    doc = {**old, "name": "t", "links": [{"from": "x", "to": "y"}], "outcomes": ["y"]}
    assert cp.loads_pathway(yaml.safe_dump(legacy_groups(doc))).area_column == "borough"
