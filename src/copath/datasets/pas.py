"""Read the London Public Attitude Survey (MOPAC) borough file.

The published file is semicolon-separated with decimal commas: ``Date`` (dd/mm/yyyy,
the quarter's end), ``Survey``, ``Borough``, ``Measure``, ``Proportion`` and ``MPS``
(the Met-wide figure). :func:`read_pas` returns one row per borough, quarter and
measure with columns ``borough``, ``quarter`` (a date), ``measure`` (snake case, e.g.
``good_job_local``), ``proportion`` and ``mps``; ``wide=True`` gives one column per
measure instead. Borough names that differ only in case are one borough, spelled as most
rows spell it (the published file has both "Richmond upon Thames" and "Richmond Upon
Thames"); ``attrs["merged_boroughs"]`` lists the spellings replaced and
``attrs["merged_rows"]`` how many rows each covered. What it merged it says on stderr, as
:func:`copath.datasets.read_police_uk` says what it dropped (``report=False`` keeps it quiet;
the facts are in ``attrs`` either way); on the published file: "read_pas: 9,312 rows: 32
boroughs x 37 quarters x 8 measures; merged 1 spelling that differs only in case (33 names -> 32
boroughs): 'Richmond Upon Thames' (24 rows) into 'Richmond upon Thames'."

The borough figures behave as rolling 12-month estimates: the survey is designed for 100
interviews a quarter in each of the 32 boroughs, "400 interviews in any 12-month rolling
period" (UK Data Service, study 7048 description), and the quarter-to-quarter changes of
"Good Job" local have a lag-4 autocorrelation of -0.40 over the boroughs (-0.5 for pure
sampling noise in overlapping 4-quarter windows). Consecutive quarters then share three
quarters of their interviews: model one quarter a year (e.g. the years to December) with
an effective sample size of at most 400 a borough (``given_as: share``, :mod:`copath.kinds.proportion`),
as ``examples/london_confidence_pas.py`` does, not every quarter as if independent.

Example
-------
>>> from pathlib import Path
>>> f = Path(__file__).resolve().parents[4] / "shared/data/mopac-pas/PAS_boroughs.csv"
>>> pas = read_pas(f) if f.exists() else None
>>> pas is None or bool(pas["proportion"].between(0, 1).all())
True
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from copath.errors import DataError

__all__ = ["read_pas", "measure_column"]

_COLUMNS = ("Date", "Borough", "Measure", "Proportion", "MPS")


def measure_column(measure: str) -> str:
    """Snake-case name of a PAS measure.

    Example
    -------
    >>> measure_column('"Good Job" local')
    'good_job_local'
    """
    return re.sub(r"[^a-z0-9]+", "_", measure.lower()).strip("_")


def read_pas(path: str | Path, wide: bool = False, report: bool = True) -> pd.DataFrame:
    """The PAS borough file as a tidy table (or wide, one column per measure).

    Parameters
    ----------
    path
        ``PAS_boroughs.csv`` as MOPAC publishes it (semicolon-separated, decimal commas).
    wide
        One row per borough and quarter with a column per measure, instead of one row per measure.
    report
        Say on stderr what was read and which borough spellings were merged (default True).

    Returns
    -------
    pandas.DataFrame
        ``borough``, ``quarter`` (the quarter's date), ``measure`` (a column-safe name),
        ``proportion`` (share agreeing, 0-1) and ``mps`` (the Met-wide share); or the wide table.
        ``attrs``: ``merged_boroughs`` ({replaced spelling: kept spelling}) and ``merged_rows``
        ({replaced spelling: its rows}).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=path)
    try:
        raw = pd.read_csv(path, sep=";", decimal=",", dtype={"Borough": str, "Measure": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"not a readable PAS file ({err})", file=path) from None
    missing = [c for c in _COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(map(repr, missing))}; is it semicolon-separated?",
                        file=path)
    quarter = pd.to_datetime(raw["Date"], format="%d/%m/%Y", errors="coerce")
    if quarter.isna().any():
        row = int(quarter.isna().to_numpy().nonzero()[0][0])
        raise DataError(f"date {raw['Date'].iloc[row]!r} is not dd/mm/yyyy", file=path,
                        where=f"row {row + 2}, column 'Date'")
    for column in ("Proportion", "MPS"):
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.notna() & ~values.between(0, 1)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"a proportion must be between 0 and 1, got {raw[column].iloc[row]!r}",
                            file=path, where=f"row {row + 2}, column {column!r}")
        raw[column] = values
    borough, merged = _one_spelling(raw["Borough"])
    tidy = pd.DataFrame({
        "borough": borough, "quarter": quarter, "measure": raw["Measure"].map(measure_column),
        "proportion": raw["Proportion"], "mps": raw["MPS"],
    })
    if wide:
        tidy = tidy.pivot_table(index=["borough", "quarter"], columns="measure", values="proportion").reset_index()
    tidy.attrs["merged_boroughs"] = merged
    tidy.attrs["merged_rows"] = {name: int((raw["Borough"] == name).sum()) for name in merged}
    if report:
        print(_report(raw, borough, quarter, tidy.attrs), file=sys.stderr)
    return tidy


def _report(raw: pd.DataFrame, borough: pd.Series, quarter: pd.Series, attrs: dict) -> str:
    """One line: rows, boroughs x quarters x measures, and the spellings merged."""
    merged = attrs["merged_boroughs"]
    line = (f"read_pas: {len(raw):,} rows: {borough.nunique()} boroughs x {quarter.nunique()} quarters x "
            f"{raw['Measure'].nunique()} measures")
    if not merged:
        return line + "; no borough spellings merged."
    names = raw["Borough"].nunique()
    listing = "; ".join(f"{old!r} ({attrs['merged_rows'][old]:,} rows) into {new!r}" for old, new in merged.items())
    return (line + f"; merged {len(merged)} spelling{'s' * (len(merged) != 1)} that differ{'s' * (len(merged) == 1)} "
            f"only in case ({names} names -> {borough.nunique()} boroughs): {listing}.")


def _one_spelling(names: pd.Series) -> tuple[pd.Series, dict[str, str]]:
    """Each borough name replaced by its most common spelling among names equal up to case;
    returns the names and {replaced spelling: kept spelling}."""
    counts = names.value_counts()
    kept: dict[str, str] = {}
    for name in sorted(counts.index, key=lambda n: (-counts[n], n)):
        kept.setdefault(name.casefold(), name)
    merged = {n: kept[n.casefold()] for n in counts.index if kept[n.casefold()] != n}
    return names.replace(merged), merged
