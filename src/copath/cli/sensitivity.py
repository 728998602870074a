"""``copath sensitivity DIR``: which links the conclusions of a saved result hang on.

Prints the per-link table (grade, power-scaling sensitivities, diagnosis, variance
share of each final outcome, E-values of the links the local data inform) and its summary sentences, and writes the tables (CSV)
and the tornado figure (PNG) to ``--out`` (default ``DIR/sensitivity``). ``--set``
adds a scenario, whose effects then get their own importance and tornado;
``--alternatives`` adds the sceptical / vague / registry prior swaps.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["sensitivity", folder, "--set", "x=+0.2"])  # doctest: +ELLIPSIS
4 links, 4 of them weak ...
Wrote sensitivity.csv, importance.csv, outcome_prior_sensitivity.csv, tornado.csv, parameter_sensitivity.csv, path_importance.csv, tornado.png to .../sensitivity
0
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from copath.cli.scenario import scenario_from_args
from copath.errors import CopathError

__all__ = ["register", "print_sensitivity"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sensitivity", help="which weak links the conclusions hang on (no refit)")
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("--out", help="folder for the tables and figures (default: RESULT/sensitivity)")
    p.add_argument("--threshold", type=float, default=0.05,
                   help="power-scaling sensitivity that counts as sensitive (default 0.05)")
    p.add_argument("--set", dest="changes", action="append", metavar="NODE=VALUE",
                   help="a scenario to analyse as well, e.g. nw_coverage=+0.2 (repeatable)")
    p.add_argument("--alternatives", action="store_true",
                   help="also swap each weak link's prior for sceptical / vague / registry ones")
    p.set_defaults(run=_run)


def print_sensitivity(sens) -> None:
    """The summary sentences and the per-link table, for a terminal."""
    print(sens.describe())
    print()
    cols = ["grade", "weak", "local_data", "prior_sensitivity", "contraction", "conflict_p", "likelihood_sensitivity",
            "likelihood_null_max", "diagnosis"]
    cols += [c for c in sens.table.columns if c.startswith("importance: ")]
    cols += [c for c in ("e_value", "e_value_ci") if c in sens.table.columns]
    with pd.option_context("display.width", 250, "display.max_colwidth", 45, "display.max_rows", 500):
        print(sens.table[cols].to_string(float_format=lambda v: f"{v:.3f}"))


def _run(args: argparse.Namespace) -> int:
    import copath as cp

    res = cp.load_result(args.result)
    scenarios = [scenario_from_args(res, args.changes, name="scenario")] if args.changes else []
    try:
        sens = res.sensitivity(threshold=args.threshold, alternatives=args.alternatives, scenarios=scenarios)
    except ValueError as err:
        if isinstance(err, CopathError):
            raise
        raise CopathError(str(err), where="--threshold") from None
    print_sensitivity(sens)
    out = Path(args.out) if args.out else Path(args.result) / "sensitivity"
    written = sens.save(out)
    print(f"\nWrote {', '.join(p.name for p in written)} to {out}")
    return 0
