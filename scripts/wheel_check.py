"""Build the wheel, install it into a fresh virtual environment outside the checkout, and use it.

    .venv/bin/python scripts/wheel_check.py        (or: make wheel-check)

What it shows: a user who installs only the wheel gets the ``copath`` command, and the bundled
models, evidence registry and data are found inside the installed package (``copath/_bundled``),
not in a checkout. Steps, each in a temporary folder that is removed afterwards:

1. ``hatchling build -t wheel`` in the checkout (hatchling is in the ``test`` extra);
2. a fresh venv (``python -m venv``, with its own pip) and ``pip install --no-deps`` of the wheel;
3. the dependencies come from the environment running this script: a ``.pth`` file in the fresh
   venv adds that environment's site-packages *after* the venv's own, so the wheel's copy of
   copath is the one imported. (``--system-site-packages`` would not do: a venv made from a
   venv's python sees the base interpreter's site-packages, not the venv's.) The file is
   written after the install, so pip never sees the other environment's packages, and since
   a directory added by a ``.pth`` line has its own ``.pth`` files ignored, an editable
   install of copath there stays invisible;
4. from a folder outside the checkout, with no ``PYTHONPATH``: ``copath columns
   policing_coproduction``; a Python check that copath, its bundled models, priors and
   datasets all resolve inside the fresh venv; and ``copath fit`` of a two-node spec
   (Neighbourhood Watch -> burglary, the link's prior from the bundled registry) on the first
   10 areas of the bundled ``synthetic_force`` data, 2 chains x 100 draws.

Raises ``RuntimeError`` naming the step and its output when a step fails.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A two-node pathway on the bundled data's columns; its link has bundled evidence.
TINY_SPEC = """\
name: wheel_check
nodes:
  nw_coverage: {kind: exposure, range: [0, 1], unit: share of households in a scheme}
  burglary: {kind: count, offset: households, per: 1000, baseline: 0.8, area_effects: true,
             unit: "burglaries per 1,000 households per month"}
links:
  - {from: nw_coverage, to: burglary, evidence: [bennett2008_nw]}
outcomes: [burglary]
"""

#: Run by the fresh venv's python: where copath and its bundled folders are, and the tiny data.
CHECK_CODE = """\
import sys
from pathlib import Path
import copath as cp
from copath.resources import bundled_dir
venv = Path(sys.prefix).resolve()
where = {"copath": Path(cp.__file__).resolve()}
where.update({kind: bundled_dir(kind).resolve() for kind in ("models", "priors", "datasets")})
outside = {k: str(v) for k, v in where.items() if venv not in v.parents}
assert not outside, f"not from the installed wheel: {outside}"
pw, ev = cp.load_pathway("policing_coproduction"), cp.load_evidence()
df = cp.datasets.load("synthetic_force")
small = df[df["area"].isin(sorted(df["area"].unique())[:10])][["area", "month", "nw_coverage", "households", "burglary"]]
small.to_csv("small.csv", index=False)
print(len(pw.links), len(ev), len(small))
"""


def _run(step: str, cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"wheel check, {step}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def build_wheel(out: Path) -> Path:
    """Build copath's wheel from the checkout into ``out`` and return its path."""
    hatchling = Path(sys.executable).parent / "hatchling"
    if not hatchling.is_file():
        raise RuntimeError(f"wheel check: hatchling is not installed beside {sys.executable} (pip install hatchling)")
    _run("build", [str(hatchling), "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, timeout=300)
    return next(out.glob("copath-*.whl"))


def fresh_venv(wheel: Path, folder: Path) -> Path:
    """A new venv in ``folder`` with the wheel installed and this environment's packages behind it."""
    _run("venv", [sys.executable, "-m", "venv", str(folder)], timeout=120)
    python = folder / "bin" / "python"
    _run("install", [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
         timeout=300)
    purelib = Path(_run("site-packages", [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                   .stdout.strip())
    ours = [p for p in dict.fromkeys([*site.getsitepackages(), sysconfig.get_path("purelib")]) if Path(p).is_dir()]
    (purelib / "_copath_wheel_check_deps.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return folder


def use_wheel(venv: Path, work: Path) -> dict[str, str]:
    """Run the copath command and a tiny fit from ``venv`` in ``work``; return each step's output."""
    work.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "COPATH_DATA")}
    env.update({"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "MPLBACKEND": "Agg"})
    copath = str(venv / "bin" / "copath")
    out = {"columns": _run("copath columns", [copath, "columns", "policing_coproduction"], cwd=work, env=env,
                           timeout=300).stdout}
    out["check"] = _run("bundled files", [str(venv / "bin" / "python"), "-c", CHECK_CODE], cwd=work, env=env,
                        timeout=300).stdout
    (work / "tiny.yaml").write_text(TINY_SPEC, encoding="utf-8")
    out["fit"] = _run("copath fit", [copath, "fit", "tiny.yaml", "--data", "small.csv", "--out", "result",
                                     "--draws", "100", "--tune", "100", "--chains", "2", "--seed", "1", "--quiet",
                                     "--allow-unconverged"], cwd=work, env=env, timeout=600).stdout
    if not (work / "result" / "manifest.json").is_file():
        raise RuntimeError(f"wheel check, copath fit: no saved result in {work / 'result'}\n{out['fit']}")
    return out


def check_wheel(tmp: Path) -> dict[str, str]:
    """Every step above, inside ``tmp`` (which must lie outside the checkout)."""
    if ROOT in tmp.resolve().parents:
        raise ValueError(f"the wheel check must run outside the checkout, not in {tmp}")
    wheel = build_wheel(tmp / "dist")
    venv = fresh_venv(wheel, tmp / "venv")
    return use_wheel(venv, tmp / "work")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="copath-wheel-check-"))
    try:
        out = check_wheel(tmp)
        for step, text in out.items():
            print(f"--- {step}\n{text.rstrip()}")
        print("wheel check passed")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
