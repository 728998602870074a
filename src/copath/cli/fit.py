"""``copath fit`` and ``copath simulate``.

``copath fit`` saves the result whether or not the sampler's diagnostics pass (an
unconverged result is still worth inspecting), but when they fail it says so on stderr
and exits with code 3, so a batch script cannot mistake it for a usable posterior;
``--allow-unconverged`` makes that exit 0. A converged fit whose posterior predictive check
fails at a node (the model misses the data: :mod:`copath.model.predictive`) is a usable
posterior of a model to revise: it says so on stderr, with the remedy, and exits 0.
Bad input is exit 2, an interrupted run 1.

Example
-------
>>> import tempfile
>>> from copath.cli import main
>>> out = tempfile.mkdtemp() + "/sim.csv"
>>> main(["simulate", "policing_coproduction", "--areas", "3", "--months", "2", "--out", out])  # doctest: +ELLIPSIS
Wrote 6 rows ...
0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from copath.options import Method, Sampler, choices

__all__ = ["register", "print_fit", "UNCONVERGED"]

#: Exit code of ``copath fit`` when the result was saved but the sampler's diagnostics failed.
UNCONVERGED = 3


def _fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}")
    return value


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fit", help="fit a pathway to local data and save the result")
    p.add_argument("model", help="a bundled model name or a spec file")
    p.add_argument("--data", required=True, help="local data (CSV, TSV or Parquet)")
    p.add_argument("--out", required=True, help="result folder (replaced atomically)")
    p.add_argument("--registry", help="evidence registry file or folder (default: bundled)")
    p.add_argument("--draws", type=_positive, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=_positive, default=4)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--sampler", choices=choices(Sampler), default="nutpie")
    p.add_argument("--method", choices=choices(Method), default="nuts",
                   help="nuts (default) or a fast variational approximation for exploration")
    p.add_argument("--target-accept", type=_fraction, default=None,
                   help="NUTS's target acceptance rate (default 0.95 with area effects, else 0.8); "
                        "raise it when the diagnostics report divergences")
    p.add_argument("--max-treedepth", type=_positive, default=10, help="NUTS's deepest tree (default 10)")
    p.add_argument("--prior-scale", type=_positive_float, default=None, metavar="K",
                   help="widen every default prior (a link without evidence, N(0, 2.5 sd(child)/sd(parent)) on "
                        "the data's scale) by K; default: the spec's prior_scale, else 1")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--allow-unconverged", action="store_true",
                   help="exit 0 even when the diagnostics fail (default: exit 3)")
    p.set_defaults(run=_fit)

    s = sub.add_parser("simulate", help="simulate data with known truth from a pathway")
    s.add_argument("model")
    s.add_argument("--areas", type=int, default=100)
    s.add_argument("--months", type=int, default=24)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", required=True, help="CSV file; the truth goes beside it as FILE.truth.yaml")
    s.set_defaults(run=_simulate)


def print_fit(res) -> None:
    """The link summary and the diagnostics, for the terminal."""
    table = res.summary()[["grade", "prior_mean", "post_mean", "post_hdi_low", "post_hdi_high",
                           "contraction", "r_hat", "ess_bulk"]]
    with pd.option_context("display.width", 160, "display.max_rows", 500):
        print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    scaled = [(name, p) for name, p in res.priors.items() if p.scaled_by]
    if scaled:
        print("\nDefault priors on the data's scale (links without evidence: N(0, sd)):")
        for name, p in scaled:
            print(f"  {name}: sd {p.scaled_by}")
    print()
    print(res.diagnostics())


def _fit(args: argparse.Namespace) -> int:
    import copath as cp
    from copath.tables import read_table

    pw = cp.load_pathway(args.model)
    ev = cp.load_evidence(args.registry)
    data = read_table(args.data)
    print(f"Fitting {pw.name!r} to {len(data)} rows of {args.data} ...", flush=True)
    res = cp.fit(pw, data, evidence=ev, draws=args.draws, tune=args.tune, chains=args.chains,
                 random_seed=args.seed, sampler=args.sampler, progressbar=not args.quiet, source=args.data,
                 method=args.method, target_accept=args.target_accept, max_treedepth=args.max_treedepth,
                 prior_scale=args.prior_scale)
    print_fit(res)
    out = res.save(args.out)
    print(f"\nSaved the result to {out}")
    diag = res.diagnostics()
    if diag.passed:
        return 0
    if diag.sampler_passed:  # converged, but the model misses the data somewhere: say so, exit 0
        print(f"copath: warning: the model misses the data: {' '.join(diag.predictive or ())}", file=sys.stderr)
        return 0
    print(f"copath: warning: the fit did not converge; the saved result is for inspection only. "
          f"{' '.join(diag.warnings)}", file=sys.stderr)
    return 0 if args.allow_unconverged else UNCONVERGED


def _simulate(args: argparse.Namespace) -> int:
    import yaml

    import copath as cp
    from copath.io_atomic import atomic_write_bytes

    pw = cp.load_pathway(args.model)
    sim = cp.simulate(pw, areas=args.areas, months=args.months, random_seed=args.seed)
    out = Path(args.out)
    atomic_write_bytes(out, sim.data.to_csv(index=False, float_format="%.6g").encode())
    truth = {g: ({k: (v.tolist() if hasattr(v, "tolist") else float(v)) for k, v in vals.items()})
             for g, vals in sim.truth.items()}
    truth_file = out.with_name(out.name + ".truth.yaml")
    atomic_write_bytes(truth_file, yaml.safe_dump(truth, sort_keys=False).encode())
    print(f"Wrote {len(sim.data)} rows to {out} and the true parameters to {truth_file}")
    return 0
