"""Worked examples run end to end (slow: real-data fits)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, SHARED


@pytest.mark.slow
def test_lancashire_anti_social_example(tmp_path):
    data = SHARED / "data" / "police-uk" / "lancashire-asb" / "lancashire_asb_2022.tsv"
    if not data.is_file():
        pytest.skip("../shared/data is not beside the project")
    import importlib.util

    spec = importlib.util.spec_from_file_location("lancashire_anti_social", ROOT / "examples" / "lancashire_anti_social.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    res = module.main(["--data", str(data), "--out", str(tmp_path / "res"), "--draws", "300", "--tune", "300"])
    table = res.summary()
    # 942 areas x 12 months, and the seasonal rate ratio is estimated tightly
    assert len(res.data) == 942 * 12
    assert table.loc["summer -> anti_social_behaviour", "contraction"] > 0.99
    assert float(res.posterior["area_sd"].mean()) > 0.3  # areas differ a lot
    assert (tmp_path / "res" / "manifest.json").is_file()
