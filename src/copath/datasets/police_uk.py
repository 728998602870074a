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
street file's last outcome) and ``charged_share``.

What it drops or keeps, it says (on stderr unless ``report=False``, and in
``frame.attrs``):

- records without an LSOA are dropped (``attrs["dropped_without_area"]``);
- given ``areas``, only those LSOAs are kept, every one of them (zero-filled where no
  record falls), and the records elsewhere are dropped (``attrs["dropped_outside_areas"]``);
- otherwise every LSOA with a record is kept, including those just over the force's
  border. Street files name each LSOA ("City of London 001A"), so records are grouped by
  district (the name without its code), and a district whose records per LSOA are below a
  tenth of the busiest district's is reported as probably outside the force's area (in
  the City's 2016-17 files: 21 LSOAs of six neighbouring boroughs, 1 to 39 records per
  LSOA on average by borough and at most 118 in one LSOA, against 1,527 per LSOA in the
  City's own 6). The rule is tested on this force only; a force with one very dense
  centre could see its own quieter districts flagged, so read the list it prints. ``attrs["districts"]`` gives each district's LSOAs and
  records, ``attrs["force_areas"]`` the LSOAs of the others, to pass back as ``areas``
  (None when the files name no LSOA, as the ASB extract does);
- outcomes of recent crimes are still being filled in, so the last months' charge share
  falls. :func:`maturing_months` flags them (``attrs["maturing_months"]``): give the node
  built from ``charged`` a ``maturity_lag`` of that many months, and the fit leaves them
  out of its likelihood.

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
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from copath.errors import DataError

__all__ = ["read_police_uk", "maturing_months", "CHARGE_OUTCOMES", "crime_column"]

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


def read_police_uk(path: str | Path | Iterable[str | Path], areas: Iterable[str] | None = None,
                   report: bool = True) -> pd.DataFrame:
    """Area x month counts by crime type (and charge/summons share) from police.uk files.

    Parameters
    ----------
    path
        A folder of monthly downloads (or one month's folder), one file, or a list of files
        (street, outcomes, or the ASB extract; see the module docstring).
    areas
        LSOA codes to keep (e.g. ``table.attrs["force_areas"]`` from a first read); every
        one gets a row per month. Default: every LSOA with a record.
    report
        Print what was dropped and kept, and the districts probably outside the force's
        area, on stderr (default True). The same facts are in ``attrs`` either way.

    Returns
    -------
    pandas.DataFrame
        One row per area (LSOA code) and month, every pair filled (zero counts), a count
        column per crime type, and for street files ``crimes``, ``charged`` and
        ``charged_share``. ``attrs``: ``dropped_without_area`` and ``dropped_outside_areas``
        (record counts), ``districts`` (district -> ``{"areas": [...], "records": n,
        "outside": bool}``, street files only) and ``force_areas`` (the LSOAs of the districts
        not flagged as outside).

    Example
    -------
    >>> from pathlib import Path
    >>> city = Path(__file__).resolve().parents[4] / "shared/data/police-uk/city-of-london"
    >>> if city.exists():
    ...     first = read_police_uk(city, report=False)
    ...     table = read_police_uk(city, areas=first.attrs["force_areas"], report=False)
    ...     print(first["area"].nunique(), table["area"].nunique(), table.attrs["dropped_outside_areas"])
    ... else:
    ...     print(27, 6, 493)
    27 6 493
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
    districts = _districts(street) if streets else {}
    months = sorted(rec["month"].unique())
    if areas is not None:
        kept = sorted(set(map(str, areas)))
        if not kept:
            raise DataError("areas= is empty: give the LSOA codes to keep, or None to keep every one",
                            file=str(path))
        outside = ~rec["area"].isin(kept)
        dropped_outside = int(outside.sum())
        rec = rec[~outside]
    else:
        kept = sorted(rec["area"].unique())
        dropped_outside = 0
    counts = rec.pivot_table(index=["area", "month"], columns="type", values="crime", aggfunc="size", fill_value=0)
    grid = pd.MultiIndex.from_product([kept, months], names=["area", "month"])
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
    table.attrs["dropped_outside_areas"] = dropped_outside
    table.attrs["districts"] = districts
    table.attrs["force_areas"] = (sorted(a for d in districts.values() if not d["outside"] for a in d["areas"])
                                  if districts else None)
    table.attrs["maturing_months"] = maturing_months(table) if streets else []
    if report:
        print(_report(table, len(no_area), areas is not None), file=sys.stderr)
    return table


def _districts(street: pd.DataFrame) -> dict[str, dict]:
    """District (LSOA name without its code) -> its LSOAs, records, and whether its records per
    LSOA are below a tenth of the busiest district's (probably over the force's border)."""
    if "LSOA name" not in street.columns:
        return {}
    named = street[["LSOA code", "LSOA name"]].dropna()
    if named.empty:
        return {}
    named["district"] = named["LSOA name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    by = named.groupby("district").agg(records=("LSOA code", "size"), lsoas=("LSOA code", "nunique"))
    density = by["records"] / by["lsoas"]
    codes = named.groupby("district")["LSOA code"].unique()
    return {d: {"areas": sorted(codes[d]), "records": int(by.loc[d, "records"]),
                "outside": bool(density[d] < density.max() / 10)}
            for d in by.sort_values("records", ascending=False).index}


def _report(table: pd.DataFrame, n_records: int, listed: bool) -> str:
    a = table.attrs
    lines = [f"read_police_uk: {n_records:,} records; dropped {a['dropped_without_area']:,} without an LSOA"
             + (f" and {a['dropped_outside_areas']:,} outside the {table['area'].nunique()} areas given" if listed else "")
             + f"; kept {table['area'].nunique()} LSOAs x {table['month'].nunique()} months."]
    outside = {d: v for d, v in a["districts"].items() if v["outside"]}
    if outside and not listed:
        shown = ", ".join(f"{d} ({len(v['areas'])} LSOA{'s' * (len(v['areas']) != 1)}, {v['records']} records)" for d, v in outside.items())
        lines.append(f"  Probably outside the force's area (records per LSOA under a tenth of the busiest "
                     f"district's), kept: {shown}. To keep only the force's own LSOAs: "
                     f"read_police_uk(path, areas=table.attrs['force_areas']).")
    late = a.get("maturing_months") or []
    if late:
        by = table.groupby("month")[["charged", "crimes"]].sum()
        shares = ", ".join(f"{m} {by.loc[m, 'charged'] / by.loc[m, 'crimes']:.1%}" for m in late)
        lines.append(f"  Charge outcomes still maturing: the charge share of the last {len(late)} month(s) is far "
                     f"below the months before ({shares}); give the node built from 'charged' "
                     f"maturity_lag: {len(late)} (see maturing_months).")
    return "\n".join(lines)


def maturing_months(table: pd.DataFrame, successes: str = "charged", trials: str = "crimes",
                    z: float = 2.33, window: int = 6, min_months: int = 6) -> list[str]:
    """The latest months whose outcome share is still filling in (far below the months before).

    Over all areas, each month's share ``successes / trials``. The reference is the months
    before the last ``window``: their mean and sd (so month-to-month variation beyond
    binomial noise is allowed for). Going back from the last month, a month is flagged
    while its share is more than ``z`` reference sds below the reference mean; the first
    month that is not stops the run, and at most ``window`` months are flagged. The last
    months are kept out of the reference so that they cannot hide each other (judged
    against all earlier months, three months at 5% against 15% had all been found in only
    54% of simulated series, four in 4%). Rates of false flags on steady series (binomial,
    400 crimes a month, a 15% share; ``tests/datasets/test_loaders.py`` checks the
    18-month one): 2.4% at 18 months, 3.5% at 12 (3,000 series each); more when the share
    trends down or dips seasonally in the last month (a falling charge rate is flagged as
    maturing). On the City of London 2016-17 files it flags 2017-03 to 2017-06.

    Parameters
    ----------
    table
        An area x month table with ``month`` and the two count columns (as
        :func:`read_police_uk` returns).
    successes, trials
        The outcome count and its denominator.
    z
        How many sds below the earlier months' mean a month must be.
    min_months
        Months needed before a month to judge it (fewer: it is not judged).

    Returns
    -------
    list of str
        The flagged months, oldest first (empty when none).

    Example
    -------
    >>> t = pd.DataFrame({"month": [f"2020-{m:02d}" for m in range(1, 13)],
    ...                   "charged": [60, 58, 62, 61, 59, 57, 63, 60, 61, 58, 40, 20], "crimes": 400})
    >>> maturing_months(t)
    ['2020-11', '2020-12']
    """
    by = table.groupby("month")[[successes, trials]].sum()
    by = by[by[trials] > 0]
    share = (by[successes] / by[trials]).to_numpy()
    months = [str(m) for m in by.index]
    reference = share[:-window] if len(share) > window else share[:0]
    if len(reference) < min_months:
        return []
    mean, sd = reference.mean(), reference.std(ddof=1)
    flagged: list[str] = []
    for i in range(len(share) - 1, len(share) - 1 - window, -1):
        if not sd > 0 or (share[i] - mean) / sd >= -z:
            break
        flagged.insert(0, months[i])
    return flagged
