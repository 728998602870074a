"""``copath evidence list`` and ``copath evidence show ID``.

Example
-------
>>> from copath.cli import main
>>> main(["evidence", "list", "--grade", "A"])  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
id                            link                                        measure     grade  sms  emmie  role
bennett2008_nw_votes          nw_coverage -> burglary                     proportion  A      -           context
umbreit2008_vom_recidivism    restorative_justice -> reoffending          direction   A      -           effect
umbreit2008_vom_satisfaction  restorative_justice -> victim_satisfaction  direction   A      -           effect
<BLANKLINE>
3 entries
sms: Maryland Scientific Methods Scale level, 1-5 (-: not given); emmie: ...
0
"""

from __future__ import annotations

import argparse
import textwrap

from copath.errors import EvidenceError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evidence", help="the evidence registry: list entries, show one with its prior")
    p.add_argument("--registry", help="a registry file or folder (default: the bundled priors/)")
    p.add_argument("--model", default="policing_coproduction",
                   help="pathway used to turn an entry into a link prior (default: %(default)s)")
    esub = p.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    lp = esub.add_parser("list", help="table of every entry: id, link, measure, grade, SMS level, EMMIE ratings")
    lp.add_argument("--grade", help="only entries with this grade (A-E)")
    lp.set_defaults(run=_list)
    sp = esub.add_parser("show", help="one entry, its quote, its ratings and reasons, and the prior it gives")
    sp.add_argument("id")
    sp.set_defaults(run=_show)


def _list(args: argparse.Namespace) -> int:
    import pandas as pd

    from copath.display import text_table
    from copath.evidence.registry import load_evidence

    frame = load_evidence(args.registry).to_frame()
    if args.grade:
        frame = frame[frame["grade"] == args.grade.upper()]
    table = frame[["id", "link", "measure", "grade"]].assign(
        sms=["-" if pd.isna(v) else str(v) for v in frame["sms"]],
        emmie=["yes" if text else "" for text in frame["emmie_effect"]],
        role=frame["role"])
    print(text_table(table))
    print(f"\n{len(table)} entries")
    print("sms: Maryland Scientific Methods Scale level, 1-5 (-: not given); emmie: rated in the College of "
          "Policing Crime Reduction Toolkit ('copath evidence show ID' gives the ratings)")
    return 0


def _ratings(entry) -> list[str]:
    """The lines ``show`` prints for the entry's SMS level, GRADE reasons and EMMIE ratings."""
    from copath.constants import EMMIE_MEANING, SMS_DESIGNS, SMS_MEANING, starting_grade

    out = []
    if entry.sms is not None:
        out.append(f"SMS: level {entry.sms} of 5, {SMS_MEANING[entry.sms]} (Maryland Scientific Methods Scale)")
    elif not SMS_DESIGNS[entry.design]:
        out.append(f"SMS: none (the scale rates one quantitative evaluation; this is a {entry.design})")
    else:
        out.append("SMS: not given")
    reasons = [f"starts at {starting_grade(entry.design, entry.sms)} by its "
               f"{'design and SMS level' if entry.sms is not None else 'design'}"]
    reasons += [f"down for {domain.replace('_', ' ')}: {why}" for domain, why in entry.downgrade.items()]
    reasons += [f"up for {domain.replace('_', ' ')}: {why}" for domain, why in entry.upgrade.items()]
    out.append(f"grade {entry.grade}: " + "; ".join(reasons))
    if entry.emmie is not None:
        out.append(f"EMMIE (College of Policing Crime Reduction Toolkit, '{entry.emmie.intervention}'): the quality "
                   "of the evidence on each dimension (and the impact on crime), in the page's words:")
        for dim, rating in entry.emmie.ratings.items():
            line = f"  {dim.replace('_', ' ')} ({EMMIE_MEANING[dim]}): {rating.describe()}"
            out.append(line + (f" \u2014 \u201c{rating.quote}\u201d" if rating.quote else ""))
        out.append(f"  source: {entry.emmie.url}")
    return out


def _show(args: argparse.Namespace) -> int:
    from copath.evidence.priors import entry_estimate, prior_for
    from copath.evidence.registry import load_evidence
    from copath.spec.loader import load_pathway

    ev = load_evidence(args.registry)
    if args.id not in ev:
        raise EvidenceError(f"no entry with id {args.id!r} (see 'copath evidence list')",
                            file=args.registry or "priors/")
    entry = ev[args.id]
    wrap = lambda text: textwrap.fill(text, 88, initial_indent="  ", subsequent_indent="  ",  # noqa: E731
                                      break_on_hyphens=False)
    print(f"id: {entry.id}")
    print(f"citation: {entry.citation}")
    if entry.section:
        print(f"seed section: {entry.section}")
    print(f"design: {entry.design}   grade: {entry.grade}   role: {entry.role}")
    for line in _ratings(entry):  # wrapped, except an address, which stays whole to be copied
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        print(line if "://" in line else textwrap.fill(line, 100, subsequent_indent=indent,
                                                       break_long_words=False, break_on_hyphens=False))
    print(f"effect: {entry.effect.describe()}")
    print(f"{'link' if entry.link else 'node'}: {entry.link_name or entry.node}")
    print("quote:")
    print(wrap(f"\u201c{entry.quote}\u201d"))
    if entry.informs:
        print("informs:")
        print(wrap(entry.informs))
    if entry.note:
        print("note:")
        print(wrap(entry.note))
    if entry.role != "effect" or entry.link is None:
        print("prior: none (a base rate or context figure, not an effect on a link)")
        return 0
    pw = load_pathway(args.model)
    if not all(n in pw.nodes for n in entry.link):
        print(f"prior: link {entry.link_name} is not in pathway {pw.name!r}")
        return 0
    try:
        link = pw.link(*entry.link)
    except KeyError:
        print(f"prior: link {entry.link_name} is not in pathway {pw.name!r}")
        return 0
    prior = prior_for(link, ev, pw)
    if entry.effect.measure == "hypothesis":  # a stated sign, no size
        print(f"this entry alone: a hypothesised direction ({entry.effect.values.get('sign', '?')}), no size; "
              "it states the link's sign, which the data may overturn")
    else:
        est = entry_estimate(entry, pw.nodes[entry.link[1]])
        print(f"this entry alone: {prior.scale} {est.mean:.4g} (sd {est.sd:.4g}) for the evidence contrast, "
              "before widening")
    print(f"link prior ({prior.method}, from {', '.join(prior.sources)}):")
    if prior.synthesis is not None:
        print(wrap(f"pooled for a new setting, on the {prior.scale} for the evidence contrast: "
                   + prior.synthesis.describe()))
    if prior.stated:  # the fit's default is this normal; the truncated one only where the data cannot tell the sign
        side = 1 - prior.prob_below_zero() if prior.stated > 0 else prior.prob_below_zero()
        print(f"  coefficient ~ Normal({prior.mu:.4g}, {prior.sigma:.4g}) per unit of {entry.link[0]}: the stated "
              f"direction as a soft prior, as the fit uses it ({side:.0%} on that side; the data may overturn it)")
        print(f"  held fixed only where the data cannot tell the sign: that normal truncated to "
              f"{'above' if prior.stated > 0 else 'below'} 0")
    else:
        print(f"  coefficient ~ Normal({prior.mu:.4g}, {prior.sigma:.4g}) per unit of {entry.link[0]}")
    q = prior.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
    contrast = "" if prior.contrast == 1 else f" for a change of {prior.contrast:g} in {entry.link[0]}"
    print(f"  {prior.natural_scale}{contrast}: 5% {q[0]:.3f}, 50% {q[1]:.3f}, 95% {q[2]:.3f}")
    if prior.is_ratio:
        print(f"  P({prior.natural_scale} < 1) = {prior.prob_below_zero():.3f}")
    return 0
