"""``copath value DIR --set NODE=VALUE ...`` and ``copath evsi DIR LINK --n N ...``: what a
scenario is worth, and what a study of one link is worth, on a saved result.

``copath value`` prints the scenario's net benefit against no change (``--value`` per unit of
improvement of each outcome, default 1 for every final outcome, times the change, less
``--cost``), with its interval and, with ``--per-year``, over the population of decisions; then
the cost-effectiveness acceptability curve and the EVPI over willingness to pay per unit of that
valued effect (``--wtp``; at 1 the values are taken as they are). It writes ``ceac.csv``,
``ceac_evpi.csv`` and ``ceac.png`` to ``--out`` (default ``DIR/value``).

``--value`` may name a table entry instead of a number (``burglary=home_office_2005:burglary_dwelling``
per event of a count; ``qol_citizens=green_book:wellby`` per person-year of a 0-10 score, with
``--population qol_citizens=350000``), uprated to ``--price-year`` (default the GDP deflator's
last year; :mod:`copath.sensitivity.pounds`): the net benefit is then in pounds a year at that
year's prices, per valued node and in total (also ``pounds.csv``), ``--cost`` is in the same
unit, and the tables say so. A Home Office unit cost is per crime, recorded or not;
``--recorded-share burglary=0.5`` states the share of crimes recorded, so that a count of
recorded crimes is priced for all the crimes behind it (without it the value covers recorded
crimes only, and so understates). The pounds are average social costs of crime avoided, not
cashable savings to the force's budget. They are already the total over the data's areas and a
year, so ``--per-year`` above 1 multiplies the force's total (warned about).
``copath evsi`` takes the same flags.

``copath evsi`` prints the EVSI and the expected net benefit of sampling of a study of ``LINK``
at each size ``--n`` (two arms of n/2 units with outcome sd ``--unit-sd``, or ``--study-se`` per
size), and the optimal size; it writes ``enbs.csv`` and ``enbs.png``.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> import tempfile
>>> from copath.cli import main
>>> folder = str(res.save(tempfile.mkdtemp() + "/run"))
>>> main(["value", folder, "--set", "x=+0.1", "--cost", "0.01", "--wtp", "0", "1", "2"])  # doctest: +ELLIPSIS
Scenario 'x +0.1' against no change: net benefit ...
0
>>> main(["evsi", folder, "p -> y", "--set", "x=+0.1", "--n", "20", "200", "--unit-sd", "1"])  # doctest: +ELLIPSIS
EVSI and expected net benefit of sampling of a study of 'p -> y'...
0
>>> main(["evsi", folder, "p -> y", "--set", "x=+0.1", "--n", "20"])  # no --unit-sd: one line, exit 2
2
>>> main(["value", folder, "--set", "x=+0.1", "--value", "c=home_office_2005:burglary_dwelling",
...       "--price-year", "2024", "--cost", "1000"])  # doctest: +ELLIPSIS
Scenario 'x +0.1' against no change: net benefit (priced change - cost) ... GBP (2024 prices) a year...
0
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from copath.cli.scenario import scenario_from_args
from copath.errors import CopathError

__all__ = ["register", "parse_values", "parse_population", "parse_recorded_share"]

#: Why --per-year above 1 is questionable with table entries (printed as a warning).
PER_YEAR_WARNING = ("with table entries the pounds are already the total a year over the data's areas (the force); "
                    "--per-year {n:g} multiplies that total by {n:g}, which double counts if it counts areas already "
                    "in the data, and assumes every other force has this force's totals if it counts forces")
#: HM Treasury, "Review of discounting in the Green Book: Terms of Reference" (16 December 2025),
#: https://www.gov.uk/government/publications/green-book-discount-rate-review-2026/review-of-discounting-in-the-green-book-terms-of-reference
_GREEN_BOOK_RATE = ("e.g. 0.035: 'The STPR is currently set at 3.5%% in real terms for the first 30 years of a "
                    "proposal' (HM Treasury, gov.uk/government/publications/green-book-discount-rate-review-2026); "
                    "its rate for health or wellbeing streams was not found and is not given here")


def _population_args(p: argparse.ArgumentParser, default_per_year: float | None) -> None:
    p.add_argument("--per-year", type=float, default=default_per_year, metavar="N",
                   help="decisions a year the choice applies to, for population values. With table entries the "
                        "pounds are already the force's total a year (over the data's areas), so leave it at 1: "
                        "a larger N multiplies that total (double counting areas, or assuming every force has "
                        "this force's totals) and is warned about"
                        + ("" if default_per_year is None else f" (default {default_per_year:g})"))
    p.add_argument("--horizon", type=int, default=None, metavar="YEARS",
                   help="years the decision or information stays useful (default 1)")
    p.add_argument("--discount", type=float, default=0.0, metavar="RATE",
                   help=f"annual discount rate for population values ({_GREEN_BOOK_RATE}; default 0)")


def _decision_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("result", help="a result folder written by 'copath fit'")
    p.add_argument("--set", dest="changes", action="append", required=True, metavar="NODE=VALUE",
                   help="the scenario's changes, e.g. nw_coverage=+0.2 (repeatable)")
    p.add_argument("--name", help="a name for the scenario")
    p.add_argument("--value", dest="values", action="append", metavar="NODE=NUMBER|NODE=TABLE:ENTRY",
                   help="value of one unit of improvement of an outcome, or a table entry priced in pounds a "
                        "year, e.g. burglary=home_office_2005:burglary_dwelling or qol=green_book:wellby "
                        "(repeatable; default 1 for each final outcome)")
    p.add_argument("--price-year", type=int, default=None, metavar="YEAR",
                   help="with table entries: the year of the prices (default the GDP deflator's last year)")
    p.add_argument("--population", dest="populations", action="append", metavar="NODE=PEOPLE",
                   help="with a WELLBY entry: the people the node describes, e.g. qol_citizens=350000 (repeatable)")
    p.add_argument("--recorded-share", dest="recorded_shares", action="append", metavar="NODE=SHARE",
                   help="with a Home Office cost per crime (all crimes, recorded or not): the share of such crimes "
                        "the police record, in (0, 1], e.g. burglary=0.5; the cost per recorded crime is the cost "
                        "divided by it. Without it the value covers recorded crimes only and so understates "
                        "(repeatable)")
    p.add_argument("--cost", type=float, default=0.0,
                   help="the scenario's cost, in the units of --value (pounds a year with table entries; "
                        "default 0; negative: a saving)")
    p.add_argument("--money-unit", default="", metavar="LABEL",
                   help="a label for the money unit, e.g. GBP (the default with table entries)")
    p.add_argument("--out", help="folder for the tables and figure (default: RESULT/value or RESULT/evsi)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("value", help="a scenario's net benefit, its acceptability curve and the EVPI")
    _decision_args(p)
    p.add_argument("--wtp", type=float, nargs="+", metavar="W",
                   help="willingness to pay per unit of the valued effect (default: 0 to twice the break-even)")
    _population_args(p, None)
    p.set_defaults(run=_run_value)
    e = sub.add_parser("evsi", help="EVSI and expected net benefit of sampling of a study of one link; optimal size")
    _decision_args(e)
    e.add_argument("link", help="the studied link, e.g. 'nw_coverage -> burglary'")
    e.add_argument("--n", type=float, nargs="+", required=True, metavar="N",
                   help="study sizes to compare (all units, both arms)")
    e.add_argument("--unit-sd", type=float, help="outcome sd between units: two arms of n/2 units")
    e.add_argument("--study-se", type=float, nargs="+", metavar="SE",
                   help="the study's standard error at each --n instead of --unit-sd")
    e.add_argument("--contrast", type=float, default=1.0, help="difference in the parent between the arms (default 1)")
    e.add_argument("--design-effect", type=float, default=1.0, help="variance inflation of a clustered design")
    e.add_argument("--fixed-cost", type=float, default=0.0, help="the study's set-up cost (default 0)")
    e.add_argument("--cost-per-unit", type=float, default=0.0, help="the study's cost per unit of n (default 0)")
    e.add_argument("--seed", type=int, default=0, help="seed of the simulated study results (default 0)")
    _population_args(e, 1.0)
    e.set_defaults(run=_run_evsi)


def parse_values(items: list[str] | None) -> dict[str, float | str] | float:
    """``["NODE=NUMBER", "NODE=TABLE:ENTRY", ...]`` from ``--value`` as node -> number or entry
    name (1.0 for every final outcome when none is given); a bad item is one CopathError line.
    Whether an entry exists and fits its node is checked against the result
    (:func:`copath.sensitivity.decisions.check_value`).

    Parameters
    ----------
    items
        The ``--value`` arguments.

    Returns
    -------
    dict or float

    Example
    -------
    >>> parse_values(["burglary=2400", "qol=1.5"]), parse_values(None)
    ({'burglary': 2400.0, 'qol': 1.5}, 1.0)
    >>> parse_values(["burglary=home_office_2005:burglary_dwelling"])
    {'burglary': 'home_office_2005:burglary_dwelling'}
    """
    if not items:
        return 1.0
    out: dict[str, float | str] = {}
    for item in items:
        node, sep, text = (part.strip() for part in item.partition("="))
        try:
            value: float | str = float(text)
        except ValueError:
            value = text if ":" in text else float("nan")
        if not sep or not node or (isinstance(value, float) and not np.isfinite(value)):
            raise CopathError(f"{item!r}: expected NODE=NUMBER or NODE=TABLE:ENTRY, e.g. burglary=2400 or "
                              "burglary=home_office_2005:burglary_dwelling", where="--value")
        out[node] = value
    return out


def parse_population(items: list[str] | None) -> dict[str, float] | None:
    """``["NODE=PEOPLE", ...]`` from ``--population`` as node -> people; a bad item is one
    CopathError line.

    Parameters
    ----------
    items
        The ``--population`` arguments.

    Returns
    -------
    dict or None
        None when none is given.

    Example
    -------
    >>> parse_population(["qol_citizens=350000"])
    {'qol_citizens': 350000.0}
    """
    if not items:
        return None
    out: dict[str, float] = {}
    for item in items:
        node, sep, text = (part.strip() for part in item.partition("="))
        try:
            people = float(text)
        except ValueError:
            people = float("nan")
        if not sep or not node or not (np.isfinite(people) and people > 0):
            raise CopathError(f"{item!r}: expected NODE=PEOPLE with a positive number, e.g. qol_citizens=350000",
                              where="--population")
        out[node] = people
    return out


def parse_recorded_share(items: list[str] | None) -> dict[str, float]:
    """``["NODE=SHARE", ...]`` from ``--recorded-share`` as node -> share of crimes recorded,
    each in (0, 1]; a bad item is one CopathError line.

    Parameters
    ----------
    items
        The ``--recorded-share`` arguments.

    Returns
    -------
    dict
        Empty when none is given.

    Example
    -------
    >>> parse_recorded_share(["burglary=0.5"])
    {'burglary': 0.5}
    """
    out: dict[str, float] = {}
    for item in items or []:
        node, sep, text = (part.strip() for part in item.partition("="))
        try:
            share = float(text)
        except ValueError:
            share = float("nan")
        if not sep or not node or not (np.isfinite(share) and 0.0 < share <= 1.0):
            raise CopathError(f"{item!r}: expected NODE=SHARE with a share in (0, 1], e.g. burglary=0.5",
                              where="--recorded-share")
        out[node] = share
    return out


def _with_recorded_shares(values, shares: dict[str, float]):
    """Each named per-event entry divided by its node's recorded share
    (:func:`copath.datasets.values.per_recorded_crime`)."""
    if not shares:
        return values
    from copath.datasets.values import per_recorded_crime

    if not isinstance(values, dict) or any(node not in values for node in shares):
        missing = ", ".join(n for n in shares if not isinstance(values, dict) or n not in values)
        raise CopathError(f"{missing}: a recorded share needs a table entry in --value for the node",
                          where="--recorded-share")
    out = dict(values)
    for node, share in shares.items():
        if not isinstance(out[node], str):
            raise CopathError(f"{node}: a recorded share applies to a table entry (a cost per crime), not a number",
                              where="--recorded-share")
        try:
            out[node] = per_recorded_crime(out[node], share)
        except ValueError as err:
            raise CopathError(str(err), where="--recorded-share") from None
    return out


def _checked(call, where: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return call()
    except ValueError as err:
        if isinstance(err, CopathError):
            raise
        raise CopathError(str(err), where=where) from None


def _setup(args: argparse.Namespace):
    import copath as cp

    for name in ("per_year", "discount"):
        v = getattr(args, name, None)
        if v is not None and not (np.isfinite(v) and v >= 0):
            raise CopathError(f"must be a non-negative number; got {v!r}", where=f"--{name.replace('_', '-')}")
    if not np.isfinite(args.cost):  # a negative cost is a saving
        raise CopathError(f"must be a finite number; got {args.cost!r}", where="--cost")
    values = _with_recorded_shares(parse_values(args.values), parse_recorded_share(args.recorded_shares))
    priced = {"price_year": args.price_year, "population": parse_population(args.populations)}
    res = cp.load_result(args.result)
    from copath.sensitivity.decisions import check_value

    try:
        unit = check_value(res, values, **priced)
    except ValueError as err:
        text = str(err)
        where = ("--population" if text.startswith("population") else
                 "--price-year" if text.startswith(("price year", "price_index", "price_year")) else "--value")
        raise CopathError(text.replace("price_year, population and price_index apply",
                                       "--price-year and --population apply"), where=where) from None
    sc = scenario_from_args(res, args.changes, name=args.name)
    if unit and args.per_year is not None and args.per_year > 1:
        print(f"Warning: {PER_YEAR_WARNING.format(n=args.per_year)}.", file=sys.stderr)
    return cp, res, sc, values, priced, unit


#: One sentence on what the pounds are, printed under every table in pounds.
_MEANING = ("The figures are average social costs of crime avoided (and wellbeing gained), not cashable savings to "
            "the force's budget.")


def _pounds(v: float) -> str:
    return "" if pd.isna(v) else f"{v:,.0f}"


def _plain(v: float) -> str:
    return "" if pd.isna(v) else f"{v:,.4g}"


def _prob(v: float) -> str:
    return "" if pd.isna(v) else f"{v:.2f}"


def _hdi(draws: np.ndarray) -> tuple[float, float]:
    from copath.scenarios.scenario import hdi_1d

    return hdi_1d(draws)


def _run_value(args: argparse.Namespace) -> int:
    from copath.constants import HDI_PROB
    from copath.io_atomic import atomic_write_bytes
    from copath.plotting import to_png
    from copath.sensitivity.value import net_benefit

    if args.wtp is not None and not all(np.isfinite(w) and w >= 0 for w in args.wtp):
        raise CopathError(f"must be non-negative numbers; got {' '.join(f'{w:g}' for w in args.wtp)}", where="--wtp")
    cp, res, sc, values, priced, in_pounds = _setup(args)
    cost = {sc.name: args.cost}
    nb = _checked(lambda: net_benefit(res, [sc], values, cost, **priced)[sc.name].to_numpy(), "--value")
    low, high = _hdi(nb)
    pct = round(100 * HDI_PROB)
    out = Path(args.out) if args.out else Path(args.result) / "value"
    if in_pounds:
        def amount(x: float) -> str:
            return f"{x:,.0f}"
        total = in_pounds.removesuffix(" a year")
        print(f"Scenario {sc.name!r} against no change: net benefit (priced change - cost) {amount(nb.mean())} "
              f"{in_pounds} ({pct}% HDI {amount(low)} to {amount(high)}); P(net benefit > 0) = {np.mean(nb > 0):.2f}.")
    else:
        unit = f"{args.money_unit} " if args.money_unit else ""

        def amount(x: float) -> str:
            return f"{unit}{x:,.4g}"
        total = ""
        print(f"Scenario {sc.name!r} against no change: net benefit (value x improvement - cost) {amount(nb.mean())} "
              f"per decision ({pct}% HDI {low:,.4g} to {high:,.4g}); P(net benefit > 0) = {np.mean(nb > 0):.2f}.")
    if args.per_year is not None:
        factor = _checked(lambda: cp.scale_value(1.0, args.per_year, args.horizon, args.discount), "--per-year")
        years = f"{args.horizon or 1} year(s), discounted at {args.discount:g}"
        where = (f"The force's total a year (over the data's areas) x {args.per_year:g} for {years} "
                 f"(x{factor:,.4g})" if in_pounds
                 else f"Over the population ({args.per_year:g} decisions a year for {years}: x{factor:,.4g})")
        print(f"{where}: {amount(nb.mean() * factor)} ({pct}% HDI "
              f"{amount(low * factor)} to {amount(high * factor)}){' ' + total + ', present value' if total else ''}.")
    if in_pounds:
        from copath.sensitivity.pounds import pounds_table

        table = _checked(lambda: pounds_table(res, sc, values, **priced), "--value")
        print(f"\nValue per valued node ({in_pounds}, before the cost):")
        cols = ["entry", "basis", "amount", "population", "change_a_year", "gbp_a_year", "hdi_low", "hdi_high",
                "p_gain"]
        whole = {c: _pounds for c in ("amount", "population", "gbp_a_year", "hdi_low", "hdi_high")}
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table[cols].to_string(formatters={**whole, "change_a_year": _plain, "p_gain": _prob}, na_rep=""))
        print(_MEANING)
        if table.attrs.get("recorded_only"):
            print(f"{', '.join(table.attrs['recorded_only'])}: a Home Office cost per crime (all crimes, recorded or "
                  "not) on a count of recorded crimes with no --recorded-share, so the value covers recorded crimes "
                  "only and understates.")
        atomic_write_bytes(out / "pounds.csv", table.to_csv().encode())
    ac = _checked(lambda: res.ceac([sc], value=values, cost=cost, wtp=args.wtp, per_year=args.per_year,
                                   horizon_years=args.horizon, discount_rate=args.discount,
                                   money_unit=args.money_unit, **priced), "--wtp")
    wide = ac.table.pivot(index="wtp", columns="option", values="p_best")[list(ac.options)]
    wide.columns = [f"P({c})" for c in wide.columns]
    wide[f"E[NB {sc.name}]"] = ac.table[ac.table["option"] == sc.name].set_index("wtp")["expected_nb"]
    evpi = ac.evpi.set_index("wtp")
    wide["chosen"] = evpi["best_option"]
    wide["EVPI"] = evpi["evpi"]
    pv = f"population EVPI ({'GBP, ' if ac.unit else ''}PV)"
    if "population_evpi" in evpi:
        wide[pv] = evpi["population_evpi"]
    per = f"{ac.money_unit} " if ac.money_unit else ""
    print(f"\nAcceptability curve and EVPI over willingness to pay ({per}per {ac.effect_unit})"
          + (f"; E[NB] and EVPI in {ac.unit} per decision" if ac.unit else "")
          + (f"; {pv}: present value over {args.horizon or 1} year(s) discounted at {args.discount:g}"
             if pv in wide else "") + ":")
    money = [c for c in wide.columns if c.startswith(("E[NB", "EVPI", "population EVPI"))]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(wide.to_string(float_format=lambda v: f"{v:.4g}",
                             formatters=dict.fromkeys(money, _pounds) if ac.unit else None))
    print()
    print(ac.describe())
    atomic_write_bytes(out / "ceac.csv", ac.table.to_csv(index=False).encode())
    atomic_write_bytes(out / "ceac_evpi.csv", ac.evpi.to_csv(index=False).encode())
    atomic_write_bytes(out / "ceac.png", to_png(ac.figure))
    print(f"\nWrote {'pounds.csv, ' if in_pounds else ''}ceac.csv, ceac_evpi.csv, ceac.png to {out}")
    return 0


def _run_evsi(args: argparse.Namespace) -> int:
    from copath.io_atomic import atomic_write_bytes
    from copath.plotting import to_png

    for name in ("fixed_cost", "cost_per_unit"):
        v = getattr(args, name)
        if not (np.isfinite(v) and v >= 0):
            raise CopathError(f"must be a non-negative number; got {v!r}", where=f"--{name.replace('_', '-')}")
    if (args.unit_sd is None) == (args.study_se is None):
        raise CopathError("give either --unit-sd (two arms of n/2 units) or --study-se (one per --n)",
                          where="--unit-sd")
    from copath.sensitivity.value import check_evsi_request

    _, res, sc, values, priced, _ = _setup(args)
    _checked(lambda: check_evsi_request(res, args.link, 1.0), "LINK")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        r = _checked(lambda: res.enbs(
            args.link, args.n, [sc], value=values, cost={sc.name: args.cost}, study_se=args.study_se,
            unit_sd=args.unit_sd, contrast=args.contrast, design_effect=args.design_effect,
            fixed_cost=args.fixed_cost, cost_per_unit=args.cost_per_unit, per_year=args.per_year,
            horizon_years=args.horizon, discount_rate=args.discount, random_seed=args.seed,
            money_unit=args.money_unit, **priced), "--n")
    unit = f" ({args.money_unit})" if args.money_unit and not r.unit else ""
    print(f"EVSI and expected net benefit of sampling of a study of {args.link!r}{unit}, for {sc.name!r} against "
          f"no change (population factor x{r.population_factor:,.4g}); {r.column_units()}:")
    cols = ["n", "study_se", "evsi", "evsi_se", "population_evsi", "study_cost", "enbs", "enbs_se"]
    money = ["evsi", "evsi_se", "population_evsi", "study_cost", "enbs", "enbs_se"]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(r.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}",
                                      formatters=dict.fromkeys(money, _pounds) if r.unit else None))
    if r.unit:
        print(_MEANING)
    print()
    print(r.describe())
    for w in {str(w.message) for w in caught if issubclass(w.category, UserWarning)}:
        print(f"Note: {w}")
    out = Path(args.out) if args.out else Path(args.result) / "evsi"
    atomic_write_bytes(out / "enbs.csv", r.table.to_csv(index=False).encode())
    atomic_write_bytes(out / "enbs.png", to_png(r.figure))
    print(f"\nWrote enbs.csv, enbs.png to {out}")
    return 0
