"""Does the pathway fit the data? The report section, and the same text for ``copath check``.

Four checks, each already computed elsewhere and only gathered here:

- **predictive fit**: PSIS-LOO ELPD, its SE and the largest Pareto k per observed node and in total
  (:func:`copath.model.loo.loo_of`; Vehtari, Gelman & Gabry 2017). The report leaves out one
  *row* at a time and never refits (``max_refits=0``), so writing a report costs no extra fit;
  a unit with k above 0.7 is then named as unreliable, not refitted. ``res.loo()`` gives
  leave-one-area-out and exact refits;
- **the pathway's implications**: each implied conditional independence tested by
  :func:`copath.sensitivity.pathway_check.check_pathway` (score test for the omitted link,
  clustered by area, Holm across the list), those rejected, and those left untested;
- **where each link is identified**: within areas, between areas or both
  (:func:`copath.model.within.identified_from`); the links identified *only between areas*
  (their parent is constant within every area, so the estimate rests on the areas' differences
  against the child's own area levels, and on the assumption that those levels are unrelated to
  the parent); and for each ``within: true`` link the within-between contrast, a Hausman-style
  check (Mundlak 1978; Hausman 1978; Bell & Jones 2015): a warning when the 94% interval of
  ``between - beta`` excludes 0 (:func:`copath.model.within.within_contrast`);
- **posterior predictive checks**: the verdict of the checks the fit already made
  (:attr:`copath.model.diagnostics.Diagnostics.predictive`, Gelman, Meng and Stern 1996).

A check that cannot be made (e.g. a fit saved with only per-node totals of its log likelihood)
is said in its place, with the reason, instead of failing the report.

Example
-------
``rec`` is a fitted record of the toy chain x -> c -> p -> y:

>>> fit = pathway_fit(rec)
>>> fit.loo.by, fit.check.untested[0]
('row', 'p _||_ x | c (given c, seen through an expected value)')
>>> [type(b).__name__ for b in pathway_fit_section(fit).blocks][:3]
['Paragraph', 'Paragraph', 'Table']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from copath.errors import CopathError
from copath.model.diagnostics import Diagnostics
from copath.model.loo import K_THRESHOLD, Loo, LooWarning, loo_of
from copath.model.record import FitRecord
from copath.reports.document import Callout, Paragraph, Section, Table
from copath.sensitivity.pathway_check import PathwayCheck, check_pathway

__all__ = ["PathwayFit", "pathway_fit", "pathway_fit_section", "LOO_NOTE", "CONTRAST_RULE"]

#: The within-between contrast's rule, said beside it.
CONTRAST_RULE = ("(Warned when the 94% interval of between minus within excludes 0: a Hausman-style contrast in "
                 "the within-between form; Mundlak 1978, Hausman 1978, Bell & Jones 2015.)")

#: What the report's LOO is, said beside it.
LOO_NOTE = (f"Leave-one-row-out, without refits (max_refits=0), so the report never refits: a unit with Pareto k "
            f"above {K_THRESHOLD} is named as unreliable rather than refitted. Rows of one area share its area "
            "effect, so leaving out one row is optimistic where nodes have area effects: res.loo() (by='auto') "
            "leaves out whole areas and refits the few units with a high k exactly.")


@dataclass(frozen=True)
class PathwayFit:
    """The three checks of one fit; a check that could not be made is ``None`` with its reason.

    Attributes
    ----------
    loo : Loo or None
        Leave-one-row-out PSIS-LOO without refits.
    loo_error : str
        Why ``loo`` is absent ("" when present).
    check : PathwayCheck or None
        The tests of the pathway's implied independencies.
    check_error : str
        Why ``check`` is absent ("" when present).
    predictive : str
        The posterior predictive checks' verdict, one sentence per failing node.
    predictive_passed : bool or None
        ``None`` when no posterior predictive check was made.
    identified : dict[str, str]
        Link -> where the data identify it: ``within areas``, ``between areas``, ``both`` or ``""``
        (not computed: the parent's input is a model quantity, or it never varies).
    contrast : pandas.DataFrame or None
        The within-between contrast of the ``within: true`` links (:meth:`FitRecord.within_contrast`).
    """

    loo: Loo | None
    loo_error: str
    check: PathwayCheck | None
    check_error: str
    predictive: str
    predictive_passed: bool | None
    identified: dict[str, str] = field(default_factory=dict)
    contrast: pd.DataFrame | None = None

    @property
    def between_only(self) -> list[str]:
        """Links identified only between areas (their parent is constant within every area)."""
        return [link for link, where in self.identified.items() if where == "between areas"]

    @property
    def differ(self) -> list[str]:
        """``within: true`` links whose within and between estimates differ beyond their uncertainty."""
        return [] if self.contrast is None else [str(k) for k in self.contrast.index[self.contrast["differ"]]]

    def describe_identification(self) -> list[str]:
        """Where each link is identified, the links identified only between areas, and the
        within-between contrasts, as lines of text.

        Returns
        -------
        list[str]
        """
        known = {k: v for k, v in self.identified.items() if v}
        unknown = [k for k, v in self.identified.items() if not v]
        lines = ["Where the data identify each link: " + ("; ".join(f"{k}: {v}" for k, v in known.items())
                                                       if known else "not computed for any link") + "."]
        if unknown:
            lines.append("Not computed for " + ", ".join(unknown[:6]) + (" ..." if len(unknown) > 6 else "")
                         + ": the parent is itself modelled (it enters through its fitted expected value), or "
                         "it never varies in the data, so the split between areas and within them is not read "
                         "from the data's columns.")
        if self.between_only:
            lines.append("Links identified only between areas: " + ", ".join(self.between_only) + ". Their "
                         "parents are constant within every area, so these estimates rest on the areas' differences "
                         "and on the assumption that the areas' own levels are unrelated to them; 'within: true' "
                         "cannot help (there is no change within areas to use).")
        else:
            lines.append("Links identified only between areas: none.")
        if self.contrast is not None and len(self.contrast):
            for link, row in self.contrast.iterrows():
                verdict = ("DIFFER: the areas' differences say something the changes within areas do not (an "
                           "unmeasured difference between areas, or an effect that builds over longer than the "
                           "data's span); the link's coefficient is the within-area effect"
                           if row["differ"] else "agree within their uncertainty")
                lines.append(f"Within and between areas, {link}: within {row['within_mean']:.3g} "
                             f"[{row['within_low']:.3g}, {row['within_high']:.3g}], between {row['between_mean']:.3g} "
                             f"[{row['between_low']:.3g}, {row['between_high']:.3g}], difference "
                             f"{row['difference_mean']:.3g} [{row['difference_low']:.3g}, "
                             f"{row['difference_high']:.3g}]: {verdict}. {CONTRAST_RULE}")
        return lines

    def describe(self) -> str:
        """The whole verdict as plain text (what ``copath check`` prints before the LOO table).

        Returns
        -------
        str
        """
        lines = ["Predictive fit (PSIS-LOO): " + (self.loo.describe() if self.loo is not None
                                                  else f"not computed: {self.loo_error}")]
        lines.append("Implications of the pathway: " + (self.check.describe() if self.check is not None
                                                        else f"not tested: {self.check_error}"))
        lines.extend(self.describe_identification())
        lines.append("Posterior predictive checks: " + self.predictive)
        return "\n".join(lines)


def _predictive(diag: Diagnostics) -> tuple[str, bool | None]:
    if diag.predictive is None:
        return (diag.predictive_note or "none made (no node has data to check)."), None
    if not diag.predictive:
        return "every observed node passes.", True
    return "FAIL. " + " ".join(diag.predictive), False


def pathway_fit(res: FitRecord, diag: Diagnostics | None = None, alpha: float = 0.05) -> PathwayFit:
    """Gather the three checks of ``res`` (nothing is refitted).

    Parameters
    ----------
    res
        The fitted result.
    diag
        Its diagnostics, when already computed (else computed here).
    alpha
        Family-wise level of the tests of the implications (Holm).

    Returns
    -------
    PathwayFit

    Example
    -------
    >>> pathway_fit(rec).predictive_passed
    True
    """
    try:
        with warnings.catch_warnings():  # the units with a high k are named in describe() and the section
            warnings.simplefilter("ignore", LooWarning)
            loo, loo_error = loo_of(res, by="row", max_refits=0), ""
    except (CopathError, ValueError, KeyError) as err:
        loo, loo_error = None, str(err)
    try:
        check, check_error = check_pathway(res, alpha=alpha), ""
    except (CopathError, ValueError, KeyError) as err:
        check, check_error = None, str(err)
    text, passed = _predictive(diag if diag is not None else res.diagnostics())
    identified = dict(res.summary()["identified"]) if "beta" in res.posterior else {}
    return PathwayFit(loo, loo_error, check, check_error, text, passed, identified, res.within_contrast())


def pathway_fit_section(fit: PathwayFit) -> Section:
    """The report section "Does the pathway fit the data?".

    Parameters
    ----------
    fit
        From :func:`pathway_fit`.

    Returns
    -------
    Section

    Example
    -------
    >>> pathway_fit_section(pathway_fit(rec)).title
    'Does the pathway fit the data?'
    """
    blocks: list[Any] = [Paragraph(
        "Every answer in this report is conditional on the pathway: its arrows, the arrows it leaves out, and "
        "its area and time effects. Four checks of it against the data: how well it predicts data it did not "
        "see, whether the independencies its missing arrows imply hold, whether each link is identified by "
        "change within areas or only by differences between them, and whether it reproduces the data it "
        "was fitted to.")]
    if fit.loo is not None:
        table = fit.loo.table
        cols = [c for c in ("elpd", "se", "p_loo", "n_units", "k_max", "high_k", "reliable") if c in table]
        blocks += [Paragraph("Predictive fit. " + fit.loo.describe() + " " + LOO_NOTE),
                   Table(table[cols], caption="PSIS-LOO per observed node and in total: ELPD (higher predicts "
                                              "better), its SE, effective number of parameters, units left out, "
                                              f"largest Pareto k and units with k above {K_THRESHOLD}",
                         float_digits=2)]
        if not fit.loo.reliable:
            blocks.append(Callout("fail", f"{len(fit.loo.unreliable)} unit(s) have Pareto k above {K_THRESHOLD}: "
                                          "their ELPD is unreliable (run res.loo() to refit them exactly)."))
    else:
        blocks.append(Paragraph(f"Predictive fit: PSIS-LOO is absent here: {fit.loo_error}"))
    if fit.check is not None:
        lines = fit.check.describe().splitlines()
        blocks.append(Paragraph("The pathway's implications (copath.sensitivity.pathway_check): " + lines[0]))
        blocks.extend(Paragraph(line.removeprefix("- ")) for line in lines[1:])
        if len(fit.check.table):
            blocks.append(Table(fit.check.table, index=False,
                                caption="Each implied independence: the residual association, its score "
                                        "statistic and p-values (raw and Holm-adjusted), and whether it is rejected"))
        if len(fit.check.rejected):
            blocks.append(Callout("fail", f"The data reject {len(fit.check.rejected)} of the pathway's implied "
                                          "independencies: add the missing link, or the common cause, and refit."))
    else:
        blocks.append(Paragraph(f"The pathway's implications: not tested here: {fit.check_error}"))
    lines = fit.describe_identification()
    blocks.append(Paragraph(lines[0]))
    blocks.append(Paragraph(lines[1]))
    if fit.between_only:
        blocks.append(Callout("note", f"{len(fit.between_only)} link(s) identified only between areas: "
                                      + ", ".join(fit.between_only) + "."))
    if fit.contrast is not None and len(fit.contrast):
        blocks.append(Table(fit.contrast, caption="Within-area effect (the link's coefficient), between-area slope "
                                                  "and their difference, with 94% intervals; 'differ' when the "
                                                  "difference's interval excludes 0", float_digits=3))
        blocks.extend(Paragraph(line) for line in lines[2:])
        if fit.differ:
            blocks.append(Callout("fail", "Within and between areas disagree for " + ", ".join(fit.differ)
                                          + ": the between-area contrast is likely confounded by what differs "
                                          "between areas; scenarios use the within-area effect."))
    blocks.append(Paragraph("Posterior predictive checks (details under Diagnostics): " + fit.predictive))
    return Section("fit", "Does the pathway fit the data?", blocks)
