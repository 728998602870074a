"""The ``copath`` command line. One module per command group; this one wires them.

Expected bad input (a :class:`~copath.errors.CopathError`) is one line on stderr and
exit code 2, with no traceback; a failed run is exit code 1.

Example
-------
>>> main(["evidence", "show", "bennett2008_nw"])  # doctest: +ELLIPSIS
id: bennett2008_nw
...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from copath.errors import CopathError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    from copath.cli import (
        check,
        columns,
        compare,
        demo,
        effects,
        evidence,
        fit,
        report,
        scenario,
        sensitivity,
        value,
    )

    parser = argparse.ArgumentParser(
        prog="copath",
        description="Bayesian causal-pathway estimation for co-produced public services.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (check, columns, compare, demo, effects, evidence, fit, report, scenario, sensitivity, value):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failed run, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except CopathError as err:
        print(f"copath: error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"copath: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("copath: interrupted", file=sys.stderr)
        return 1


def run() -> None:  # console-script entry point
    sys.exit(main())
