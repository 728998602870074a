"""``copath compare-fits A B [C ...]``: rival pathways fitted to the same data, compared by PSIS-LOO.

Loads each saved result (:func:`copath.load_result`), names it by its folder's name, and
prints :func:`copath.compare_fits`'s verdict and its table of ELPD differences with their
SE, per observed node and in total. ``--by`` chooses the unit left out (default: areas when
any fit has area effects) and ``--max-refits`` how many high-k units are refitted exactly.
Exit code 2 for a missing folder, two folders with the same name, or fits of different data.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> top = tempfile.mkdtemp()
>>> a, b = str(res.save(top + "/one")), str(res.save(top + "/two"))
>>> main(["compare-fits", a, b, "--by", "row", "--max-refits", "0"])  # doctest: +ELLIPSIS
Leaving out one row at a time, '...' predicts the data best ...
0
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import get_args

import pandas as pd

from copath.errors import CopathError
from copath.model.loo import MAX_REFITS, LooWarning
from copath.options import LooBy

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare-fits", help="rival pathways fitted to the same data, compared by PSIS-LOO")
    p.add_argument("results", nargs="+", metavar="RESULT", help="two or more result folders written by 'copath fit'")
    p.add_argument("--by", choices=get_args(LooBy), default="auto",
                   help="the unit left out: row, area, or auto (area when any fit has area effects)")
    p.add_argument("--max-refits", type=int, default=MAX_REFITS,
                   help=f"refit up to this many units with a high Pareto k exactly (default {MAX_REFITS}; 0: never)")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    import copath as cp

    if len(args.results) < 2:
        raise CopathError("compare-fits needs at least two result folders", where="RESULT")
    names = [Path(r).resolve().name for r in args.results]
    if len(set(names)) < len(names):
        raise CopathError(f"two result folders share a name ({', '.join(names)}): the comparison names fits by "
                          "their folder's name", where="RESULT")
    fits = {name: cp.load_result(folder) for name, folder in zip(names, args.results, strict=True)}
    with warnings.catch_warnings():  # describe() names the fits whose high-k units were not refitted
        warnings.simplefilter("ignore", LooWarning)
        comparison = cp.compare_fits(fits, by=args.by, max_refits=args.max_refits)
    print(comparison.describe())
    print()
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(comparison.table.to_string(float_format=lambda v: f"{v:.2f}"))
    return 0
