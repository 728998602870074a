"""The report's section "What is it worth?": a scenario's value in pounds a year.

Built from the tables of :meth:`copath.FitResult.value_in_pounds`
(:func:`copath.sensitivity.pounds.pounds_table`): per valued node the table entry it was
priced from, the amount per event or per person-year at the price year, the change a year,
the pounds a year with their interval and the probability of a gain; then the total.

Example
-------
>>> import pandas as pd
>>> t = pd.DataFrame({"entry": ["home_office_2005:burglary_dwelling", ""], "basis": ["per event", ""],
...                   "amount": [5609.0, float("nan")], "population": [None, None],
...                   "change_a_year": [-10.0, float("nan")], "gbp_a_year": [56090.0, 56090.0],
...                   "hdi_low": [1000.0, 1000.0], "hdi_high": [90000.0, 90000.0], "p_gain": [0.97, 0.97]},
...                  index=pd.Index(["burglary", "total"], name="node"))
>>> t.attrs.update(unit="GBP (2024 prices) a year", scenario="more watch", prob=0.94)
>>> worth_section([t]).title
'What is it worth?'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from copath.reports.document import Paragraph, Section, Table

__all__ = ["worth_section", "worth_sentence"]


def worth_sentence(table: pd.DataFrame) -> str:
    """One sentence: the scenario's total in pounds a year with its interval and the
    probability of a gain.

    Parameters
    ----------
    table
        A :func:`~copath.sensitivity.pounds.pounds_table`.

    Returns
    -------
    str
    """
    total = table.loc["total"]
    prob = round(100 * float(table.attrs.get("prob", 0.94)))
    return (f"{table.attrs.get('scenario', 'The scenario')}: {total['gbp_a_year']:+,.0f} "
            f"{table.attrs.get('unit', '')} ({prob}% HDI {total['hdi_low']:+,.0f} to {total['hdi_high']:+,.0f}); "
            f"probability of a gain {total['p_gain']:.0%}.")


def worth_section(tables: Sequence[pd.DataFrame]) -> Section:
    """The section for one or more scenarios priced in pounds.

    Parameters
    ----------
    tables
        :func:`~copath.sensitivity.pounds.pounds_table` results.

    Returns
    -------
    Section
    """
    blocks: list[Any] = [Paragraph(
        "Each valued outcome's change is priced from a cited table entry (datasets/values/, each with a data "
        "card quoting its figures), uprated to the price year by the GDP deflator. A count is priced per event: "
        "fewer events are a gain of the unit cost each, over the scenario's areas, scaled to a year. A 0-10 "
        "life-satisfaction score is priced in WELLBYs (HM Treasury's value of one point for one person for one "
        "year) times the population stated for it. Intervals are highest-density intervals of the posterior "
        "draws; the total is the sum per draw, which counts an outcome twice if one valued outcome lies on "
        "the pathway to another.")]
    for t in tables:
        blocks.append(Paragraph(worth_sentence(t)))
        cols = ["entry", "basis", "amount", "population", "change_a_year", "gbp_a_year", "hdi_low", "hdi_high",
                "p_gain"]
        blocks.append(Table(t[cols], caption=f"{t.attrs.get('scenario', '')}: value in "
                                             f"{t.attrs.get('unit', 'GBP a year')}"))
    return Section("worth", "What is it worth?", blocks)
