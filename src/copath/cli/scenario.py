"""``copath scenario DIR --set NODE=VALUE ...``: a do-intervention on a saved result.

Prints the outcomes table and writes it as CSV (``DIR/scenario_<name>.csv`` unless
``--csv`` says where).

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["scenario", folder, "--set", "x=+0.1", "--name", "more x"])  # doctest: +ELLIPSIS
Scenario 'more x' (x +0.1):
...
Wrote .../run/scenario_more_x.csv
0
>>> main(["scenario", "/no/such/result", "--set", "x=+1"])  # one line on stderr
2
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from copath.errors import CopathError

__all__ = ["register", "parse_changes", "scenario_from_args"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenario", help="what if: set exposures or mediators on a saved result")
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("--set", dest="changes", action="append", required=True, metavar="NODE=VALUE",
                   help="e.g. nw_coverage=+0.2, peer_mentoring=0.5, worried=-10%%, beat_meetings=x1.5")
    p.add_argument("--areas", nargs="+", help="only these areas (default: all)")
    p.add_argument("--period", nargs="+", metavar="MONTH",
                   help="only these periods: a number n (the data's last n periods, counted in the rows' own "
                        "period: 12 on monthly rows is a year, 3 on yearly rows is three years) or month labels "
                        "(default: every period)")
    p.add_argument("--name", help="a name for the scenario")
    p.add_argument("--csv", help="where to write the table (default: RESULT/scenario_NAME.csv)")
    p.set_defaults(run=_run)


def parse_changes(items: list[str]) -> dict[str, str]:
    """``["NODE=VALUE", ...]`` from ``--set`` as a changes mapping."""
    changes: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise CopathError(f"--set {item!r}: expected NODE=VALUE, e.g. nw_coverage=+0.2")
        node, value = item.split("=", 1)
        changes[node.strip()] = value.strip()
    return changes


def scenario_from_args(res, items: list[str], areas=None, name: str | None = None, period=None):
    """The scenario ``--set`` asks for on ``res``; a bad node, value or month is one CopathError line."""
    if period is not None and len(period) == 1 and period[0].isdigit():
        period = int(period[0])
    try:
        return res.scenario(parse_changes(items), areas=areas, name=name, period=period)
    except ValueError as err:
        if isinstance(err, CopathError):
            raise
        about_period = str(err).startswith(("period", "unknown month", "a period"))
        raise CopathError(str(err), where="--period" if about_period else "--set") from None


def _run(args: argparse.Namespace) -> int:
    import copath as cp
    from copath.io_atomic import atomic_write_bytes

    res = cp.load_result(args.result)
    sc = scenario_from_args(res, args.changes, areas=args.areas, name=args.name, period=args.period)
    table = sc.outcomes()
    print(sc.describe())
    print()
    cols = ["role", "unit", "baseline_mean", "scenario_mean", "difference", "diff_hdi_low", "diff_hdi_high",
            "relative_change", "total_difference_per_year", "p_improves", "prior_only", "uninformed_share"]
    if table["p_improves"].isna().all():  # no node the scenario moves has `better:` (describe said why)
        cols.remove("p_improves")
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(table[cols].to_string(float_format=lambda v: f"{v:.4g}"))
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", sc.name).strip("_")[:60] or "scenario"
    out = Path(args.csv) if args.csv else Path(args.result) / f"scenario_{slug}.csv"
    atomic_write_bytes(out, table.to_csv().encode())
    print(f"\nWrote {out}")
    return 0
