"""The report's section "What is it worth?": a scenario's value in pounds a year, and the
decision analyses computed on the result.

Built from the tables of :meth:`copath.FitResult.value_in_pounds`
(:func:`copath.sensitivity.pounds.pounds_table`): per valued node the table entry it was
priced from, the amount per event or per person-year at the price year, the change a year,
the pounds a year with their interval and the probability of a gain; then the total. Then,
each as its description, a table and its figure: the acceptability curves with the EVPI over
willingness to pay (:meth:`copath.FitResult.ceac`), the expected net benefit of sampling over
study sizes (:meth:`copath.FitResult.enbs`) and the best programme mix under a budget
(:meth:`copath.FitResult.best_mix`). The renderers escape every string.

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

import numpy as np
import pandas as pd

from copath.plotting import to_png
from copath.reports.document import Figure, Paragraph, Section, Table
from copath.sensitivity.budget import MixResult
from copath.sensitivity.ceac import CEACResult
from copath.sensitivity.enbs import ENBSResult

__all__ = ["worth_section", "worth_sentence", "decision_blocks"]

Decision = CEACResult | ENBSResult | MixResult


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


def _in(unit: str) -> str:
    return f" (net benefit in {unit})" if unit else ""


def _whole_pounds(frame: pd.DataFrame, columns: Sequence[str], unit: str) -> pd.DataFrame:
    """With a money ``unit``, the pound ``columns`` as whole pounds with thousands separators
    (as text, so the report does not print them in scientific notation)."""
    if not unit:
        return frame
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = [("" if pd.isna(v) else f"{float(v):,.0f}") for v in out[c]]
    return out


#: What the pounds are, said under every table of them.
NOT_CASHABLE = ("The figures are average social costs of crime avoided (and wellbeing gained), not cashable savings "
                "to the force's budget.")


def decision_blocks(result: Decision, number: int) -> list[Any]:
    """One decision analysis as its description, a table and its figure.

    Parameters
    ----------
    result
        A :class:`~copath.sensitivity.ceac.CEACResult`, :class:`~copath.sensitivity.enbs.ENBSResult`
        or :class:`~copath.sensitivity.budget.MixResult`.
    number
        Its place in the section (names the figure's file).

    Returns
    -------
    list
        Report blocks.
    """
    if isinstance(result, CEACResult):
        wide = result.table.pivot(index="wtp", columns="option", values="p_best")[list(result.options)]
        wide.columns = [f"P({c} best)" for c in wide.columns]
        evpi = result.evpi.set_index("wtp")
        wide["chosen"] = evpi["best_option"]
        wide["EVPI"] = evpi["evpi"]
        keep = sorted(set(np.linspace(0, len(wide) - 1, min(len(wide), 11)).round().astype(int))
                      | set(np.flatnonzero(np.isclose(wide.index.to_numpy(dtype=float), 1.0))))
        wide = wide.iloc[keep]  # the figure has every point; the table a few, with 1 when priced
        wide.index = pd.Index([float(f"{w:.6g}") for w in wide.index], name="wtp")
        wide = _whole_pounds(wide, ["EVPI"], result.unit)
        title = "Acceptability curves and EVPI over willingness to pay"
        table = Table(wide, caption=f"{title}{_in(result.unit)}; willingness to pay in "
                                    f"{result.money_unit + ' ' if result.money_unit else ''}per {result.effect_unit}")
        alt = f"{title}: P(best) of {', '.join(result.options)} and the EVPI"
        name = "ceac"
    elif isinstance(result, ENBSResult):
        cols = ["n", "study_se", "evsi", "population_evsi", "study_cost", "enbs", "enbs_se"]
        title = f"Expected net benefit of sampling of a study of {result.parameter}"
        frame = _whole_pounds(result.table[cols], cols[2:], result.unit)
        table = Table(frame, caption=f"{title}: {result.column_units()}", index=False)
        alt = f"{title} against the study size"
        name = "enbs"
    elif isinstance(result, MixResult):
        cols = [*result.exposures, "cost", "expected_nb", "nb_low", "nb_high", "p_best", "p_beats_no_change"]
        title = "Programme mixes within the budget, best first"
        frame = _whole_pounds(result.table[cols].head(15), ["cost", "expected_nb", "nb_low", "nb_high"], result.unit)
        table = Table(frame, caption=f"{title}{_in(result.unit)}")
        alt = f"{title}: net benefit and interval of each mix"
        name = "best_mix"
    else:
        raise TypeError(f"not a decision analysis: {type(result).__name__}")
    return [Paragraph(result.describe()), table,
            Figure(f"worth_{name}_{number}", to_png(result.figure), alt=alt, caption=title)]


def worth_section(tables: Sequence[pd.DataFrame], decisions: Sequence[Decision] = ()) -> Section:
    """The section for one or more scenarios priced in pounds, and the decision analyses.

    Parameters
    ----------
    tables
        :func:`~copath.sensitivity.pounds.pounds_table` results.
    decisions
        Results of :meth:`copath.FitResult.ceac`, :meth:`~copath.FitResult.enbs` and
        :meth:`~copath.FitResult.best_mix`, each shown as :func:`decision_blocks`.

    Returns
    -------
    Section
    """
    blocks: list[Any] = []
    if tables:
        blocks.append(Paragraph(
            "Each valued outcome's change is priced from a cited table entry (datasets/values/, each with a data "
            "card quoting its figures), uprated to the price year by the GDP deflator. A count is priced per event: "
            "fewer events are a gain of the unit cost each, over the scenario's areas, scaled to a year. A Home "
            "Office unit cost is the average cost of one crime, all crimes counted, recorded or not; on a count of "
            "recorded crimes it values only the recorded crimes, and so understates, unless the share of crimes "
            "recorded is stated (the entry then says so). A 0-10 life-satisfaction score is priced in WELLBYs "
            "(HM Treasury's value of one point of life satisfaction, as the ONS measures it, for one person for "
            "one year) times the population stated for it. Intervals are highest-density intervals of the "
            "posterior draws; the total is the sum per draw, which counts an outcome twice if one valued outcome "
            "lies on the pathway to another, or if a crime's full unit cost is added to a WELLBY (life "
            "satisfaction already carries the victims' harm). " + NOT_CASHABLE))
    for t in tables:
        blocks.append(Paragraph(worth_sentence(t)))
        recorded_only = list(t.attrs.get("recorded_only", []))
        if recorded_only:
            blocks.append(Paragraph(
                f"{', '.join(recorded_only)}: priced at a cost per crime with no recorded share stated, so the value "
                "covers recorded crimes only and understates what preventing all the crimes behind them is worth."))
        cols = ["entry", "basis", "amount", "population", "change_a_year", "gbp_a_year", "hdi_low", "hdi_high",
                "p_gain"]
        frame = _whole_pounds(t[cols], ["amount", "population", "gbp_a_year", "hdi_low", "hdi_high"], "GBP")
        blocks.append(Table(frame, caption=f"{t.attrs.get('scenario', '')}: value in "
                                           f"{t.attrs.get('unit', 'GBP a year')}"))
    if decisions:
        blocks.append(Paragraph(
            "The decision analyses compare each option's net benefit draw by draw: the acceptability curve is the "
            "probability that an option has the highest net benefit at each willingness to pay, beside the "
            "expected value of perfect information there (Fenwick, Claxton and Sculpher 2001); the expected net "
            "benefit of sampling is a study's EVSI over the population of decisions less its cost; the best mix "
            "is the one with the highest expected net benefit among those within the budget. With table entries "
            "the net benefits are pounds a year at the price year, and values over the population and horizon are "
            "present values. " + NOT_CASHABLE))
    for i, d in enumerate(decisions, start=1):
        blocks += decision_blocks(d, i)
    return Section("worth", "What is it worth?", blocks)
