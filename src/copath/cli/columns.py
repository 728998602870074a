"""``copath columns MODEL`` and ``copath template MODEL --out FILE.csv``: what the data need.

``columns`` prints every column a model's local data can hold, with its role, whether it
is required, optional or a denominator, its unit and the nodes that use it
(:meth:`copath.Pathway.required_columns`). ``template`` writes an empty CSV with those
headers, to fill in; it will not overwrite a file unless given ``--force``.

Example
-------
>>> import tempfile
>>> from copath.cli import main
>>> out = tempfile.mkdtemp() + "/data.csv"
>>> main(["template", "policing_coproduction", "--out", out])  # doctest: +ELLIPSIS
Wrote the 36 column headers of policing_coproduction to ...
0
>>> open(out).readline().startswith("area,month,social_causes,")
True
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("columns", help="list every column a model's data can hold: role, need, unit")
    p.add_argument("model", help="a bundled model name or a spec file")
    p.set_defaults(run=_columns)
    t = sub.add_parser("template", help="write an empty data file (CSV) with a model's column headers")
    t.add_argument("model", help="a bundled model name or a spec file")
    t.add_argument("--out", required=True, help="the CSV file to write")
    t.add_argument("--force", action="store_true", help="replace the file if it exists")
    t.set_defaults(run=_template)


def _columns(args: argparse.Namespace) -> int:
    from copath.display import text_table
    from copath.spec.columns import NEEDS
    from copath.spec.loader import load_pathway

    pw = load_pathway(args.model)
    table = pw.required_columns()
    print(f"Columns of {pw.name!r} local data, one row per {' x '.join(pw.index)} (the spec's 'index:'; "
          f"{len(table)} columns):\n")
    print(text_table(table.reset_index()[["column", "role", "need", "unit", "used_by"]]))
    print()
    for need, meaning in NEEDS.items():
        print(f"{need}: {meaning} ({int((table['need'] == need).sum())} here)")
    notes = table[table["note"].str.startswith("absent")]
    for column, row in notes.iterrows():
        print(f"{column}: {row['note']}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from copath.errors import DataError
    from copath.io_atomic import atomic_write_bytes
    from copath.spec.loader import load_pathway

    pw = load_pathway(args.model)
    out = Path(args.out)
    if out.exists() and not args.force:
        raise DataError("the file exists; give --force to replace it", file=str(out))
    columns = list(pw.required_columns().index)
    atomic_write_bytes(out, (",".join(columns) + "\n").encode())
    print(f"Wrote the {len(columns)} column headers of {pw.name} to {out}. "
          f"`copath columns {args.model}` says what each holds.")
    return 0
