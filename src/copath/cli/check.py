"""``copath check DIR``: does the pathway of a saved result fit its data?

Prints what the report's section "Does the pathway fit the data?" says
(:mod:`copath.reports.pathway_fit`): the PSIS-LOO verdict and its table per node (one row
left out at a time, no refits), the tests of the pathway's implied independencies, where the
data identify each link (within areas, between areas or both; the links identified only between
areas; the within-between contrast of each ``within: true`` link), and the posterior predictive
checks' verdict. Exit code 0 whatever the verdict (it is a report, not
a gate); 2 for a folder that holds no result.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["check", folder])  # doctest: +ELLIPSIS
Predictive fit (PSIS-LOO): PSIS-LOO leaving out one row ...
Implications of the pathway: No implied independence could be tested here.
...
Posterior predictive checks: every observed node passes.
<BLANKLINE>
...
0
"""

from __future__ import annotations

import argparse

import pandas as pd

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="does the pathway fit the data: LOO, its implications, within/between "
                                            "identification, predictive checks")
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="family-wise level of the tests of the implications (Holm; default 0.05)")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    import copath as cp
    from copath.reports.pathway_fit import LOO_NOTE, pathway_fit

    fit = pathway_fit(cp.load_result(args.result), alpha=args.alpha)
    print(fit.describe())
    with pd.option_context("display.width", 200, "display.max_rows", 200, "display.max_colwidth", 60):
        if fit.loo is not None:
            print(f"\n{LOO_NOTE}\n")
            print(fit.loo.table.to_string(float_format=lambda v: f"{v:.2f}"))
        if fit.check is not None and len(fit.check.table):
            print()
            print(fit.check.table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        if fit.contrast is not None and len(fit.contrast):
            print()
            print(fit.contrast.to_string(float_format=lambda v: f"{v:.3g}"))
    return 0
