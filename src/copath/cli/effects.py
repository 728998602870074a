"""``copath effects RESULT SOURCE TARGET [--at A0 A1 | --delta D]``: path effects of a saved result.

Prints the total effect, the natural direct and indirect effects and the interventional
indirect effect through each mediator, each with its posterior mean and highest-density
interval (:mod:`copath.scenarios.paths`), then the sentences of
:meth:`~copath.scenarios.paths.PathEffects.describe`. ``--at A0 A1`` sets every row's source
(an exposure) to A0 against A1, the average-effect contrast; ``--delta D`` shifts each row's
own value by D (default 1). A value outside the source's declared range is refused, as
``copath scenario`` refuses it. P(improves), the share of draws whose total effect moves the
target in its better direction, is printed only when the target has ``better:`` in the spec;
otherwise the reason is printed once.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["effects", folder, "x", "y", "--at", "0.2", "0.4"])  # doctest: +ELLIPSIS
Effects of x on y: every row's x set to 0.4 against 0.2...
0
>>> main(["effects", folder, "x", "y", "--at", "0", "2"])  # outside x's range [0, 1]: one line on stderr
2
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from copath.constants import HDI_PROB
from copath.errors import CopathError

__all__ = ["register", "effects_table", "improvement_line"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("effects", help="total, natural direct/indirect and interventional effects of SOURCE on TARGET")
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("source", help="the node that changes")
    p.add_argument("target", help="the node whose change is decomposed")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--at", nargs=2, type=float, metavar=("A0", "A1"),
                     help="set every row's SOURCE (an exposure) to A0, then to A1: the average-effect contrast")
    how.add_argument("--delta", type=float, default=None, metavar="D",
                     help="shift each row's own SOURCE value by D (default 1; link scale for counts and proportions)")
    p.add_argument("--csv", help="also write the table to this CSV file")
    p.set_defaults(run=_run)


def effects_table(eff, prob: float = HDI_PROB) -> pd.DataFrame:
    """The total, the natural effects and the interventional indirect effects, one row each.

    Parameters
    ----------
    eff
        A :class:`~copath.scenarios.paths.PathEffects`.
    prob
        The HDI's probability.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``effect``, with ``decomposition``, ``mean``, ``hdi_low``, ``hdi_high``.

    Example
    -------
    >>> from copath.scenarios.paths import PathEffects
    >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, 0.5]), {}, "points", pnde=np.array([0.3, 0.5]),
    ...                   tnie=np.zeros(2), tnde=np.array([0.3, 0.5]), pnie=np.zeros(2))
    >>> list(effects_table(eff).index)[:3]
    ['total', 'natural direct (PNDE)', 'natural indirect (TNIE)']
    """
    table = eff.table(prob)
    from copath.scenarios.paths import PROPORTIONAL

    rows = table[table["decomposition"] != PROPORTIONAL][["decomposition", "mean", "hdi_low", "hdi_high"]]
    iv = eff.interventional(prob)
    if not iv.empty:
        extra = iv[["mean", "hdi_low", "hdi_high"]].copy()
        extra.index = [f"interventional indirect via {m}" if m in eff.interventional_indirect else str(m)
                       for m in iv.index]
        extra.insert(0, "decomposition", "interventional (Vansteelandt & Daniel 2017)")
        rows = pd.concat([rows, extra])
    rows.index.name = "effect"
    return rows


def improvement_line(eff, better: str | None) -> str:
    """P(improves) of the total effect, or why it is left out (no ``better:`` for the target).

    Example
    -------
    >>> from copath.scenarios.paths import PathEffects
    >>> eff = PathEffects("x", "y", 1.0, np.array([0.3, -0.1, 0.5, 0.2]), {}, "points")
    >>> improvement_line(eff, "higher")
    'P(improves) = 0.75: the share of draws whose total effect raises y (better: higher).'
    >>> improvement_line(eff, None).startswith("P(improves) left out: y has no `better:` in the spec")
    True
    """
    if better not in ("higher", "lower"):
        return (f"P(improves) left out: {eff.target} has no `better:` in the spec, so nothing says which "
                "direction is an improvement (add `better: higher` or `better: lower` to the node).")
    p = float(np.mean(eff.total > 0) if better == "higher" else np.mean(eff.total < 0))
    verb = "raises" if better == "higher" else "lowers"
    return f"P(improves) = {p:.2f}: the share of draws whose total effect {verb} {eff.target} (better: {better})."


def _run(args: argparse.Namespace) -> int:
    import copath as cp

    res = cp.load_result(args.result)
    try:
        eff = res.path_effects(args.source, args.target, delta=args.delta,
                               at=None if args.at is None else tuple(args.at))
    except ValueError as err:
        if isinstance(err, CopathError):
            raise
        raise CopathError(str(err), where="--at" if args.at is not None else "--delta") from None
    how = (f"every row's {eff.source} set to {eff.at[1]:g} against {eff.at[0]:g}" if eff.at is not None
           else f"each row's own {eff.source} shifted by {eff.delta:+g}")
    unit = f" ({eff.unit})" if eff.unit else ""
    print(f"Effects of {eff.source} on {eff.target}: {how}; change of {eff.target}{unit}, posterior mean and "
          f"{int(round(HDI_PROB * 100))}% HDI")
    table = effects_table(eff)
    with pd.option_context("display.width", 200, "display.max_colwidth", 50):
        print(table.to_string(float_format=lambda v: f"{v:+.4g}"))
    print()
    print(improvement_line(eff, res.pathway.nodes[eff.target].better))
    print()
    print(eff.describe())
    if args.csv:
        from copath.io_atomic import atomic_write_bytes

        atomic_write_bytes(args.csv, table.to_csv().encode())
        print(f"\nWrote {args.csv}")
    return 0
