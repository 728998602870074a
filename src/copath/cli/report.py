"""``copath report DIR [--format html|md]``: the posterior report of a saved result.

Writes ``DIR/report.html`` (or ``.md``) unless ``--out`` says where. ``--set`` adds a
scenario and ``--sensitivity`` the sensitivity analysis to the report.

Example
-------
``res`` is a fitted result (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["report", folder, "--format", "md"])  # doctest: +ELLIPSIS
Wrote .../run/report.md
0
"""

from __future__ import annotations

import argparse
from pathlib import Path

from copath.cli.scenario import scenario_from_args
from copath.options import ReportFormat, choices

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the posterior report (HTML or Markdown) of a saved result")
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("--format", choices=choices(ReportFormat), default="html", help="default: %(default)s")
    p.add_argument("--out", help="the report file (default: RESULT/report.html or .md)")
    p.add_argument("--set", dest="changes", action="append", metavar="NODE=VALUE",
                   help="include a scenario, e.g. nw_coverage=+0.2 (repeatable)")
    p.add_argument("--sensitivity", action="store_true", help="include the sensitivity analysis")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    import copath as cp

    res = cp.load_result(args.result)
    scenarios = [scenario_from_args(res, args.changes, name="scenario")] if args.changes else []
    sens = res.sensitivity(scenarios=scenarios) if args.sensitivity else None
    out = Path(args.out) if args.out else Path(args.result) / f"report.{args.format}"
    path = res.report(out, scenarios=scenarios, sensitivity=sens, fmt=args.format)
    print(f"Wrote {path}")
    return 0
