"""Bundled value tables in pounds: named entries, price years and uprating.

The tables live in ``datasets/values/`` with a data card each (``NAME.md``) quoting every
figure from its source:

- ``home_office_costs.csv``: the Home Office's unit costs of crime, per event, by edition
  (``home_office`` the 2018 second edition, whose figures could not be read and are empty;
  ``home_office_2005`` the 2003/04 revision; ``home_office_2000`` HORS 217). They are
  average costs per crime, counting all crimes, not only those the police record (the
  written answer quoted in ``home_office_costs.md`` applies them to recorded burglaries and
  adds "these figures do not take into account those burglaries which are not reported to
  the police"); :func:`per_recorded_crime` states the share of
  crimes recorded, so that a count of recorded crimes is priced for all the crimes behind it.
  They are average social costs of crime avoided, not cashable savings to a force's budget;
- ``green_book_wellby.csv``: HM Treasury's value of a WELLBY (one point of 0-10 life
  satisfaction, as ONS asks it, for one person for one year), with its low and high values;
- ``gdp_deflator.csv``: the calendar-year GDP deflator (2024 = 100) for uprating;
- ``police_uk_to_home_office.csv``: which unit cost each police.uk crime category takes.

An entry is named ``"table:entry"`` (``"home_office_2005:burglary_dwelling"``,
``"green_book:wellby"``); :func:`lookup` returns it as :class:`Pounds` and
:func:`uprate` moves an amount between price years by the ratio of the deflator's
values (HM Treasury, *The Green Book* 2022, "Adjustments for inflation").

Example
-------
>>> burglary = lookup("home_office_2005:burglary_dwelling")
>>> burglary.amount, burglary.price_year, burglary.basis
(3268.0, 2003, 'per event')
>>> round(uprate(100.0, 2003, 2024), 2)  # 100 x 100 / 58.266
171.63
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from copath.resources import bundled_dir

__all__ = ["Pounds", "lookup", "uprate", "entries", "price_index", "police_uk_unit_cost", "per_recorded_crime",
           "table_path"]

Basis = Literal["per event", "per person-year"]
#: The words :func:`per_recorded_crime` puts in an entry's source (the value tables look for them).
RECORDED_SHARE_MARK = "recorded share of all crimes"
#: table prefix (the part of an entry's name before the colon) -> the bundled file holding it
_TABLES = {
    "home_office": "home_office_costs.csv",
    "home_office_2005": "home_office_costs.csv",
    "home_office_2000": "home_office_costs.csv",
    "green_book": "green_book_wellby.csv",
}


@dataclass(frozen=True)
class Pounds:
    """An amount in pounds at a price year, per event (a count node) or per person-year
    (a 0-10 life-satisfaction node, as a WELLBY).

    Parameters
    ----------
    amount
        Pounds per unit of ``basis``.
    basis
        ``"per event"`` or ``"per person-year"``.
    price_year
        The calendar year whose prices ``amount`` is in.
    source
        Where the figure comes from (the entry's name, or your citation).

    Example
    -------
    >>> Pounds(5000.0, "per event", 2015, "my table").basis
    'per event'
    """

    amount: float
    basis: Basis
    price_year: int
    source: str = ""

    def __post_init__(self) -> None:
        if self.basis not in ("per event", "per person-year"):
            raise ValueError(f"Pounds basis must be 'per event' or 'per person-year', not {self.basis!r}")
        if not np.isfinite(self.amount):
            raise ValueError(f"Pounds amount must be a finite number, not {self.amount!r}")


def table_path(file: str) -> Path:
    """The bundled value table or card ``file`` (in ``datasets/values/``).

    Parameters
    ----------
    file
        A file name, e.g. ``"gdp_deflator.csv"``.

    Returns
    -------
    pathlib.Path
    """
    return bundled_dir("datasets") / "values" / file


@cache
def _read(file: str) -> pd.DataFrame:
    return pd.read_csv(table_path(file), dtype={"quote": str})


def entries() -> pd.DataFrame:
    """Every named entry: name, amount (NaN where the figure was not read), price year,
    basis and source file.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``"table:entry"``.

    Example
    -------
    >>> "green_book:wellby" in entries().index
    True
    """
    ho = _read("home_office_costs.csv")
    rows = [{"name": f"{r.table}:{r.entry}", "amount": float(r.total), "price_year": int(r.price_year),
             "basis": r.basis, "description": r.offence, "card": "home_office_costs.md"} for r in ho.itertuples()]
    gb = _read("green_book_wellby.csv")
    rows += [{"name": f"green_book:{r.entry}", "amount": float(r.value_gbp), "price_year": int(r.price_year),
              "basis": r.basis, "description": "HM Treasury WELLBY value", "card": "green_book_wellby.md"}
             for r in gb.itertuples()]
    return pd.DataFrame(rows).set_index("name")


def lookup(name: str) -> Pounds:
    """A named table entry as :class:`Pounds`.

    Parameters
    ----------
    name
        ``"table:entry"``, e.g. ``"home_office_2005:burglary_dwelling"`` or ``"green_book:wellby"``.

    Returns
    -------
    Pounds

    Raises
    ------
    ValueError
        For an unknown name (listing the known ones), or an entry whose figure could not be
        read from a source (naming its data card).

    Example
    -------
    >>> lookup("green_book:wellby").amount
    13000.0
    """
    table = entries()
    if not isinstance(name, str) or ":" not in name or name.split(":", 1)[0] not in _TABLES:
        raise ValueError(f"value: {name!r} is not a table entry; write 'table:entry', one of "
                         f"{', '.join(table.index)}")
    if name not in table.index:
        raise ValueError(f"value: no entry {name!r}; the entries are {', '.join(table.index)}")
    row = table.loc[name]
    if not np.isfinite(row["amount"]):
        raise ValueError(f"value: {name!r} has no figure: it could not be read from a source (see "
                         f"datasets/values/{row['card']}); pass the figure yourself as "
                         f"cp.datasets.values.Pounds(amount, {row['basis']!r}, {int(row['price_year'])}, 'source'), "
                         f"or use another edition, e.g. 'home_office_2005:burglary_dwelling'")
    return Pounds(float(row["amount"]), row["basis"], int(row["price_year"]), name)


def price_index() -> dict[int, float]:
    """The bundled GDP deflator: calendar year -> index (2024 = 100).

    Returns
    -------
    dict[int, float]

    Example
    -------
    >>> price_index()[2024]
    100.0
    """
    df = _read("gdp_deflator.csv")
    return {int(y): float(v) for y, v in zip(df["year"], df["index"], strict=True)}


def uprate(amount: float, from_year: int, to_year: int, index: Mapping[int, float] | None = None) -> float:
    """``amount`` in ``from_year`` prices, in ``to_year`` prices: times index(to) / index(from).

    Parameters
    ----------
    amount
        Pounds at ``from_year`` prices.
    from_year, to_year
        Calendar years.
    index
        Year -> price index; default the bundled GDP deflator (:func:`price_index`).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When either year is not in the index (naming the years it holds).

    Example
    -------
    >>> uprate(13000.0, 2019, 2019)
    13000.0
    """
    table = price_index() if index is None else {int(k): float(v) for k, v in index.items()}
    missing = [y for y in (from_year, to_year) if int(y) not in table]
    if missing:
        years = sorted(table)
        source = "the bundled GDP deflator" if index is None else "price_index"
        raise ValueError(f"price year {', '.join(map(str, missing))} is not in {source} "
                         f"({years[0]}-{years[-1]}); pass price_index={{year: index, ...}} holding "
                         f"{from_year} and {to_year} (e.g. from HM Treasury's latest GDP deflators)")
    if table[int(from_year)] <= 0:
        raise ValueError(f"price_index: the index for {from_year} must be positive")
    return float(amount) * (table[int(to_year)] / table[int(from_year)])


def police_uk_unit_cost(category: str, shares: Mapping[str, float] | None = None, price_year: int = 2024,
                        index: Mapping[int, float] | None = None) -> Pounds:
    """Average cost per crime of a police.uk crime category, at ``price_year`` prices
    (``police_uk_to_home_office.csv``; its card writes down every judgement).

    The Home Office's unit costs count all crimes, recorded or not; pass the result to
    :func:`per_recorded_crime` with the share of crimes the police record to price a count of
    recorded crimes for all the crimes behind it.

    Parameters
    ----------
    category
        As police.uk spells it, e.g. ``"Burglary"``.
    shares
        For a category that several offence types share (burglary; violence and sexual
        offences): entry -> share of the category's crimes, each in [0, 1], summing to 1.
        No share is bundled.
    price_year
        The year to uprate to.
    index
        Year -> price index (default the bundled GDP deflator).

    Returns
    -------
    Pounds
        Per event; ``source`` lists the entries and shares.

    Example
    -------
    >>> round(police_uk_unit_cost("Robbery", price_year=2003).amount)
    7282
    """
    table = _read("police_uk_to_home_office.csv")
    rows = table[table["category"] == category]
    if rows.empty:
        raise ValueError(f"unknown police.uk category {category!r}; the categories are "
                         f"{', '.join(dict.fromkeys(table['category']))}")
    if rows["entry"].isna().all():
        raise ValueError(f"{category!r} has no Home Office unit cost: {rows['judgement'].iloc[0]}")
    wanted = list(rows["entry"])
    if len(wanted) == 1:
        weights = {wanted[0]: 1.0}
    else:
        given = dict(shares or {})
        if sorted(given) != sorted(wanted) or not np.isclose(sum(given.values()), 1.0):
            raise ValueError(f"{category!r} spans {', '.join(wanted)}: give shares for each, summing to 1 "
                             f"(no share is bundled; see datasets/values/police_uk_to_home_office.md)")
        weights = {k: float(v) for k, v in given.items()}
        outside = [f"{k}={v:g}" for k, v in weights.items() if not (np.isfinite(v) and 0.0 <= v <= 1.0)]
        if outside:
            raise ValueError(f"{category!r}: shares must each lie in [0, 1]; got {', '.join(outside)}")
    total = sum(w * uprate(lookup(e).amount, lookup(e).price_year, price_year, index) for e, w in weights.items())
    source = " + ".join(f"{w:g} x {e}" for e, w in weights.items())
    return Pounds(total, "per event", price_year, f"police.uk {category}: {source}")


def per_recorded_crime(entry: str | Pounds, recorded_share: float) -> Pounds:
    """A unit cost per crime (all crimes, recorded or not) as a cost per *recorded* crime:
    the amount divided by the share of crimes the police record.

    The Home Office's unit costs are averages over all crimes, recorded or not (see
    ``datasets/values/home_office_costs.md``). A count node of
    recorded crimes priced at them values only the recorded crimes and so understates the
    value of preventing the crimes behind them, if those fall in proportion; with
    ``recorded_share`` = r, one recorded crime fewer stands for 1 / r crimes fewer. The share
    is yours to state (e.g. from the Crime Survey for England and Wales); none is bundled.
    The returned ``source`` records it, and the value tables show it.

    Parameters
    ----------
    entry
        A per-event table entry name (``"home_office_2005:burglary_dwelling"``) or
        :class:`Pounds` per event (e.g. from :func:`police_uk_unit_cost`).
    recorded_share
        The share of all such crimes that the police record, in (0, 1].

    Returns
    -------
    Pounds
        Per event (per recorded crime), at the entry's price year.

    Raises
    ------
    ValueError
        For a share outside (0, 1] or an entry that is not per event.

    Example
    -------
    >>> p = per_recorded_crime("home_office_2005:burglary_dwelling", 0.5)
    >>> p.amount, p.source
    (6536.0, 'home_office_2005:burglary_dwelling / 0.5 (recorded share of all crimes)')
    """
    p = lookup(entry) if isinstance(entry, str) else entry
    if not isinstance(p, Pounds) or p.basis != "per event":
        raise ValueError(f"recorded_share applies to a cost per event (a crime); {entry!r} is not one")
    share = float(recorded_share)
    if not (np.isfinite(share) and 0.0 < share <= 1.0):
        raise ValueError(f"recorded_share must lie in (0, 1] (the share of all crimes the police record); "
                         f"got {recorded_share!r} for {p.source or 'the amount'}")
    return Pounds(p.amount / share, "per event", p.price_year,
                  f"{p.source or 'Pounds'} / {share:g} ({RECORDED_SHARE_MARK})")
