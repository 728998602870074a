"""Read police.uk street-level crime and outcome files into an area x month table.

Accepted layouts, exactly as published:

- the monthly download folders ``YYYY-MM/YYYY-MM-<force>-street.csv`` and
  ``...-outcomes.csv`` (pass the parent folder, one month's folder, or a list of files);
- the reduced five-column anti-social behaviour extract (``month, longitude, latitude,
  location, lsoa_code``, tab-separated) such as ``lancashire_asb_2022.tsv``.

The result has one row per area (LSOA code) and month, with zero rows filled in
for area-months without incidents, and one count column per crime type
(``burglary``, ``violence_and_sexual_offences``, ``anti_social_behaviour``, ...).
For the street layout it adds ``crimes`` (records with a Crime ID, i.e. excluding
anti-social behaviour), ``charged`` (of those, how many reached a charge or
summons: a charge outcome or any court outcome, in the outcomes file or as the
street file's last outcome) and ``charged_share``. Records without an LSOA are
dropped and counted in ``frame.attrs["dropped_without_area"]``.

Example
-------
>>> from pathlib import Path
>>> folder = Path(__file__).resolve().parents[4] / "shared/data/police-uk/city-of-london/2016-01"
>>> table = read_police_uk(folder) if folder.exists() else None
>>> table is None or {"area", "month", "burglary", "crimes", "charged", "charged_share"} <= set(table.columns)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from copath.errors import DataError

__all__ = ["read_police_uk", "CHARGE_OUTCOMES", "crime_column"]

#: Outcomes that mean a crime reached a charge or summons (police.uk wording).
CHARGE_OUTCOMES: frozenset[str] = frozenset({
    "Suspect charged", "Suspect charged as part of another case", "Awaiting court outcome",
    "Court result unavailable", "Court case unable to proceed", "Defendant found not guilty",
    "Defendant sent to Crown Court", "Offender sent to prison", "Offender given suspended prison sentence",
    "Offender given community sentence", "Offender fined", "Offender given conditional discharge",
    "Offender deprived of property", "Offender ordered to pay compensation", "Offender otherwise dealt with",
})
_STREET_COLUMNS = ("Crime ID", "Month", "LSOA code", "Crime type", "Last outcome category")
_OUTCOME_COLUMNS = ("Crime ID", "Outcome type")
_ASB_COLUMNS = ("month", "lsoa_code")


def crime_column(crime_type: str) -> str:
    """Column name for a police.uk crime type.

    Example
    -------
    >>> crime_column("Violence and sexual offences"), crime_column("Anti-social behaviour")
    ('violence_and_sexual_offences', 'anti_social_behaviour')
    """
    return re.sub(r"[^a-z0-9]+", "_", crime_type.lower()).strip("_")


def _files(path: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(path, (str, Path)):
        p = Path(path)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in (".csv", ".tsv"))
            if not found:
                raise DataError("no police.uk CSV files in this folder", file=p)
            return found
        if not p.is_file():
            raise DataError("no such file or folder", file=p)
        return [p]
    files = [Path(p) for p in path]
    for p in files:
        if not p.is_file():
            raise DataError("no such file", file=p)
    return files


def _read(file: Path) -> pd.DataFrame:
    sep = "\t" if file.suffix.lower() == ".tsv" else ","
    try:
        return pd.read_csv(file, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"not a readable police.uk file ({err})", file=file) from None


def _require(frame: pd.DataFrame, columns: Iterable[str], file: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(map(repr, missing))}; found {', '.join(frame.columns)}",
                        file=file)


def _check_months(months: pd.Series, file: Path) -> pd.Series:
    parsed = pd.to_datetime(months, format="%Y-%m", errors="coerce")
    bad = parsed.isna() & months.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"month {months.iloc[row]!r} is not YYYY-MM", file=file, where=f"row {row + 2}, column 'Month'")
    return parsed.dt.strftime("%Y-%m")


def read_police_uk(path: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Area x month counts by crime type (and charge/summons share) from police.uk files.

    Parameters
    ----------
    path
        A folder of monthly downloads (or one month's folder), one file, or a list of files
        (street, outcomes, or the ASB extract; see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per area (LSOA code) and month, every pair filled (zero counts), a count
        column per crime type, and for street files ``crimes``, ``charged`` and
        ``charged_share``; ``attrs["dropped_without_area"]`` counts records without an LSOA.
    """
    streets, outcomes, asb = [], [], []
    for file in _files(path):
        frame = _read(file)
        name = file.name.lower()
        if set(_ASB_COLUMNS) <= set(frame.columns):
            frame = frame.assign(month=_check_months(frame["month"].str.slice(0, 7), file))
            asb.append(frame)
        elif name.endswith("-outcomes.csv"):
            _require(frame, _OUTCOME_COLUMNS, file)
            outcomes.append(frame)
        elif name.endswith("-street.csv"):
            _require(frame, _STREET_COLUMNS, file)
            frame = frame.assign(Month=_check_months(frame["Month"], file))
            streets.append(frame)
        elif name.endswith("-stop-and-search.csv"):
            continue
        else:
            raise DataError("not a police.uk street, outcomes or ASB file (by its name and columns)", file=file)
    if not streets and not asb:
        raise DataError("no street-level crime file among the files given", file=str(path))

    records = []
    if streets:
        street = pd.concat(streets, ignore_index=True)
        charged_ids: set[str] = set()
        if outcomes:
            out = pd.concat(outcomes, ignore_index=True)
            charged_ids = set(out.loc[out["Outcome type"].isin(CHARGE_OUTCOMES), "Crime ID"].dropna())
        is_crime = street["Crime ID"].notna()
        charged = is_crime & (
            street["Crime ID"].isin(charged_ids) | street["Last outcome category"].isin(CHARGE_OUTCOMES)
        )
        records.append(pd.DataFrame({
            "area": street["LSOA code"], "month": street["Month"],
            "type": street["Crime type"].map(crime_column),
            "crime": is_crime.astype(int), "charged": charged.astype(int),
        }))
    if asb:
        a = pd.concat(asb, ignore_index=True)
        records.append(pd.DataFrame({
            "area": a["lsoa_code"], "month": a["month"], "type": "anti_social_behaviour", "crime": 0, "charged": 0,
        }))
    rec = pd.concat(records, ignore_index=True)
    no_area = rec["area"].isna()
    rec = rec[~no_area]
    counts = rec.pivot_table(index=["area", "month"], columns="type", values="crime", aggfunc="size", fill_value=0)
    areas = sorted(rec["area"].unique())
    months = sorted(rec["month"].unique())
    grid = pd.MultiIndex.from_product([areas, months], names=["area", "month"])
    table = counts.reindex(grid, fill_value=0)
    table.columns = [str(c) for c in table.columns]
    if streets:
        sums = rec.groupby(["area", "month"])[["crime", "charged"]].sum().reindex(grid, fill_value=0)
        table["crimes"] = sums["crime"]
        table["charged"] = sums["charged"]
        with np.errstate(invalid="ignore", divide="ignore"):
            table["charged_share"] = np.where(sums["crime"] > 0, sums["charged"] / sums["crime"], np.nan)
    table = table.reset_index()
    table.attrs["dropped_without_area"] = int(no_area.sum())
    return table
