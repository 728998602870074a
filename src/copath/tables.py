"""Read a user's data file (CSV, TSV or Parquet) with errors that name the file.

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
>>> _ = p.write_text("area,month,x\\na,1,0.5\\n")
>>> read_table(p).shape
(1, 3)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from copath.errors import DataError

__all__ = ["read_table"]


def read_table(path: str | Path) -> pd.DataFrame:
    """A DataFrame from ``path`` (.csv, .tsv/.txt tab-separated, .parquet)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".tsv", ".txt"):
            return pd.read_csv(path, sep="\t")
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, ImportError) as err:
        raise DataError(f"could not read the table ({type(err).__name__}: {str(err).splitlines()[0]})",
                        file=path) from None
