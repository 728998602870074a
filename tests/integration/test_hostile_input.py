"""Hostile input, property-based (hypothesis): every invalid spec, registry entry or data
frame is refused with one clear line (a CopathError naming file, row or field; exit code 2
on the CLI), never a traceback and never accepted; every valid generated spec loads,
builds and samples its prior predictive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import copath as cp
from copath.cli import main
from copath.constants import MODEL_NAMES
from copath.errors import CopathError, DataError, EvidenceError, SpecError
from copath.kinds import reserved_names
from copath.model.builder import build_model
from copath.model.data import prepare_data
from tests.pathways import toy_spec

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ["count", "proportion", "continuous"]
RESERVED = {"area", "month", *MODEL_NAMES, *reserved_names()}
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda s: s[0].isalpha() and s not in RESERVED and not s.startswith("x_")
    and not s.endswith(("_missing", "_obs")))


# ----------------------------------------------------------------------------- valid specs
@st.composite
def valid_specs(draw) -> dict:
    """A random DAG: 1-2 exposures, 1-4 endogenous nodes in a fixed order, links only forwards."""
    names = draw(st.lists(NAME, min_size=2, max_size=6, unique=True))
    n_exp = draw(st.integers(1, min(2, len(names) - 1)))
    exposures, endogenous = names[:n_exp], names[n_exp:]
    nodes: dict = {e: {"kind": "exposure"} for e in exposures}
    links = []
    for i, name in enumerate(endogenous):
        kind = draw(st.sampled_from(KINDS))
        spec: dict = {"kind": kind}
        if kind == "proportion":
            spec["trials"] = f"n_{name}"
        if kind == "count":
            spec["family"] = draw(st.sampled_from(["poisson", "negative_binomial"]))
            spec["area_effects"] = draw(st.booleans())
        nodes[name] = spec
        earlier = exposures + endogenous[:i]
        parents = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=min(3, len(earlier)), unique=True))
        links += [{"from": p, "to": name} for p in parents]
    return {"name": "generated", "nodes": nodes, "links": links, "outcomes": [endogenous[-1]]}


@FAST
@given(valid_specs())
def test_every_valid_spec_loads(spec):
    pw = cp.loads_pathway(yaml.safe_dump(spec))
    assert sorted(pw.nodes) == sorted(spec["nodes"]) and len(pw.links) == len(spec["links"])


@pytest.mark.slow  # 23 s: eight generated specs, each compiled and sampled (make test-slow)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_specs(), st.integers(0, 2**16))
def test_every_valid_spec_builds_and_samples_its_prior(spec, seed):
    pw = cp.loads_pathway(yaml.safe_dump(spec))
    sim = cp.simulate(pw, areas=4, months=2, random_seed=seed)
    built = build_model(pw, sim.data)
    with built.model:
        prior = pm.sample_prior_predictive(5, random_seed=seed)
    beta = prior["prior"]["beta"].values
    assert beta.shape[-1] == len(pw.links) and np.isfinite(beta).all()


# ----------------------------------------------------------------------------- invalid specs
def _mutations(spec: dict) -> list[tuple[str, str]]:
    """(label, YAML text) of specs broken in one way each."""
    first = next(iter(spec["nodes"]))
    last = spec["outcomes"][0]
    out = []
    bad = yaml.safe_load(yaml.safe_dump(spec))
    bad["links"].append({"from": "no_such_node", "to": last})
    out.append(("unknown node", yaml.safe_dump(bad)))
    bad = yaml.safe_load(yaml.safe_dump(spec))
    link = bad["links"][-1]
    bad["links"].append({"from": link["to"], "to": link["from"]})  # a cycle (or a link into an exposure)
    out.append(("cycle", yaml.safe_dump(bad)))
    bad = yaml.safe_load(yaml.safe_dump(spec))
    bad["nodes"][first]["colour"] = "blue"
    out.append(("unknown key", yaml.safe_dump(bad)))
    bad = yaml.safe_load(yaml.safe_dump(spec))
    bad["nodes"][first]["range"] = ["low", "high"]
    out.append(("strings where numbers belong", yaml.safe_dump(bad)))
    bad = yaml.safe_load(yaml.safe_dump(spec))
    bad["nodes"][last]["kind"] = "banana"
    out.append(("unknown kind", yaml.safe_dump(bad)))
    bad = yaml.safe_load(yaml.safe_dump(spec))
    bad["outcomes"] = [first]
    out.append(("outcome is an exposure", yaml.safe_dump(bad)))
    text = yaml.safe_dump(spec)
    out.append(("duplicate key", text + "name: again\n"))
    out.append(("huge number", text.replace("kind: exposure", "kind: exposure\n    range: [0, 1e400]", 1)))
    out.append(("alias", "x: &a [1]\n" + text + "extra: *a\n"))
    out.append(("unknown tag", "!!python/object/apply:os.system ['echo hi']\n"))
    out.append(("empty", ""))
    out.append(("not a mapping", "- just\n- a list\n"))
    out.append(("truncated", text[: len(text) // 2] + "\n  - {from: [\n"))
    return out


def _one_line(err: Exception) -> str:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text and text
    return text


@FAST
@given(valid_specs())
def test_every_broken_spec_is_refused_with_one_line(spec):
    for label, text in _mutations(spec):
        with pytest.raises(SpecError) as info:
            cp.loads_pathway(text, source="spec.yaml")
        message = _one_line(info.value)
        assert message.startswith("spec.yaml"), (label, message)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"


def test_yaml_bomb_and_tags_are_refused_on_the_cli(tmp_path, capsys):
    for label, text in [("bomb", BOMB), ("tag", "!!python/object/apply:os.system ['echo pwned']\n"),
                        ("unicode", "name: é\nnodes:\n  ünïcode: {kind: exposure}\n  ÿ: {kind: banana}\n"),
                        ("empty", "")]:
        path = tmp_path / f"{label}.yaml"
        path.write_text(text, encoding="utf-8")
        code = main(["simulate", str(path), "--areas", "2", "--months", "1", "--out", str(tmp_path / "x.csv")])
        err = capsys.readouterr().err.strip()
        assert code == 2, label
        assert err.count("\n") == 0 and str(path) in err and "Traceback" not in err, (label, err)
        assert not (tmp_path / "x.csv").exists()


# ----------------------------------------------------------------------------- registry entries
GOOD_ENTRY = {"id": "e1", "citation": "A study (2020)", "quote": "a quote", "design": "rct", "grade": "B",
              "effect": {"measure": "percent_reduction", "low": 10, "high": 20, "interval": 0.9},
              "link": {"from": "x", "to": "y"}}
ENTRY_BREAKS = st.sampled_from([
    ("grade", "Z"), ("grade", None), ("design", "vibes"), ("citation", ""), ("id", 7),
    ("effect", {"measure": "percent_reduction", "low": "ten", "high": 20}),
    ("effect", {"measure": "percent_reduction", "low": 30, "high": 20}),
    ("effect", {"measure": "no_such_measure"}), ("effect", "big"),
    ("link", {"from": "x"}), ("link", "x -> y"), ("unexpected", 1),
])


@FAST
@given(ENTRY_BREAKS, st.booleans())
def test_every_broken_registry_entry_is_refused(brk, drop):
    field, value = brk
    entry = dict(GOOD_ENTRY)
    if drop and field in entry:
        del entry[field]
    else:
        entry[field] = value
    with pytest.raises(EvidenceError) as info:
        cp.loads_evidence(yaml.safe_dump([entry]), source="reg.yaml")
    assert _one_line(info.value).startswith("reg.yaml")


def test_the_good_entry_is_accepted():
    assert len(cp.loads_evidence(yaml.safe_dump([GOOD_ENTRY]))) == 1


# ----------------------------------------------------------------------------- data frames
SPEC = toy_spec("d", c={"offset": "hh"})


@pytest.fixture(scope="module")
def data_pathway():
    return cp.loads_pathway(SPEC)


def _good_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    trials = rng.integers(1, 30, n)
    return pd.DataFrame({"area": [f"a{i // 2}" for i in range(n)], "month": [f"2024-{1 + i % 2:02d}" for i in range(n)],
                         "x": rng.random(n), "hh": rng.integers(100, 500, n), "c": rng.integers(0, 20, n),
                         "n": trials, "p": rng.integers(0, trials + 1), "y": rng.normal(size=n)})


BREAKS = {
    "negative count": ("c", -3), "fractional count": ("c", 2.5), "successes above trials": ("p", 10_000),
    "NaN exposure": ("x", np.nan), "exposure out of range": ("x", 7.0), "string in numbers": ("y", "seven"),
    "infinite value": ("y", np.inf), "zero offset": ("hh", 0), "negative trials": ("n", -1),
    "missing area": ("area", None), "huge count": ("c", 1e300),
}


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(BREAKS)), st.integers(4, 12), st.integers(0, 2**16), st.data())
def test_every_broken_frame_is_refused_naming_column_and_row(data_pathway, label, n, seed, data):
    rng = np.random.default_rng(seed)
    frame = _good_frame(n, rng).astype(object)
    column, value = BREAKS[label]
    row = data.draw(st.integers(0, n - 1))
    frame.loc[row, column] = value
    with pytest.raises(DataError) as info:
        prepare_data(data_pathway, frame, source="local.csv")
    message = _one_line(info.value)
    assert message.startswith("local.csv") and repr(column) in message, (label, message)
    assert str(row) in message, (label, message)


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 12), st.integers(0, 2**16))
def test_duplicated_rows_and_shuffled_months(data_pathway, n, seed):
    rng = np.random.default_rng(seed)
    frame = _good_frame(n, rng)
    shuffled = frame.sample(frac=1.0, random_state=seed)  # months out of order: accepted as they are
    assert prepare_data(data_pathway, shuffled).n_rows == n
    dup = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="duplicated area x month"):
        prepare_data(data_pathway, dup, source="local.csv")
    with pytest.raises(DataError, match="missing"):
        prepare_data(data_pathway, frame.drop(columns="hh"))


def test_bad_data_file_on_the_cli_is_exit_2(tmp_path, capsys):
    spec = tmp_path / "d.yaml"
    spec.write_text(SPEC)
    frame = _good_frame(6, np.random.default_rng(0))
    frame.loc[3, "p"] = 999
    csv = tmp_path / "local.csv"
    frame.to_csv(csv, index=False)
    code = main(["fit", str(spec), "--data", str(csv), "--out", str(tmp_path / "res"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "column 'p'" in err and "3" in err
    assert not (tmp_path / "res").exists()


def test_copath_error_is_a_value_error():
    assert issubclass(CopathError, ValueError)
