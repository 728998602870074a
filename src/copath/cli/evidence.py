"""``copath evidence list`` and ``copath evidence show ID``.

Example
-------
>>> from copath.cli import main
>>> main(["evidence", "list", "--grade", "A"])  # doctest: +NORMALIZE_WHITESPACE
id                            link                                        measure     grade  role
bennett2008_nw_votes          nw_coverage -> burglary                     proportion  A      context
umbreit2008_vom_recidivism    restorative_justice -> reoffending          direction   A      effect
umbreit2008_vom_satisfaction  restorative_justice -> victim_satisfaction  direction   A      effect
<BLANKLINE>
3 entries
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
    lp = esub.add_parser("list", help="table of every entry: id, link, measure, grade")
    lp.add_argument("--grade", help="only entries with this grade (A-E)")
    lp.set_defaults(run=_list)
    sp = esub.add_parser("show", help="one entry, its quote, and the prior it gives")
    sp.add_argument("id")
    sp.set_defaults(run=_show)


def _list(args: argparse.Namespace) -> int:
    from copath.display import text_table
    from copath.evidence.registry import load_evidence

    table = load_evidence(args.registry).to_frame()[["id", "link", "measure", "grade", "role"]]
    if args.grade:
        table = table[table["grade"] == args.grade.upper()]
    print(text_table(table))
    print(f"\n{len(table)} entries")
    return 0


def _show(args: argparse.Namespace) -> int:
    from copath.evidence.priors import entry_estimate, prior_for
    from copath.evidence.registry import load_evidence
    from copath.spec.loader import load_pathway

    ev = load_evidence(args.registry)
    if args.id not in ev:
        raise EvidenceError(f"no entry with id {args.id!r} (see 'copath evidence list')",
                            file=args.registry or "priors/")
    entry = ev[args.id]
    wrap = lambda text: textwrap.fill(text, 88, initial_indent="  ", subsequent_indent="  ")  # noqa: E731
    print(f"id: {entry.id}")
    print(f"citation: {entry.citation}")
    if entry.section:
        print(f"seed section: {entry.section}")
    print(f"design: {entry.design}   grade: {entry.grade}   role: {entry.role}")
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
    soft = prior.softened()
    side = {1: " truncated to above 0", -1: " truncated to below 0"}.get(prior.sign, "")
    if prior.sign:  # the fit's default is the soft form; the truncated one only where the data cannot tell the sign
        print(f"  coefficient ~ Normal({soft.mu:.4g}, {soft.sigma:.4g}) per unit of {entry.link[0]}: the stated "
              f"direction held softly, as the fit uses it ({1 - soft.prob_below_zero() if prior.sign > 0 else soft.prob_below_zero():.0%} "
              "on that side; the data may overturn it)")
        print(f"  held fixed only where the data cannot tell the sign: Normal({prior.mu:.4g}, {prior.sigma:.4g}){side}")
    else:
        print(f"  coefficient ~ Normal({prior.mu:.4g}, {prior.sigma:.4g}) per unit of {entry.link[0]}")
    q = soft.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
    contrast = "" if prior.contrast == 1 else f" for a change of {prior.contrast:g} in {entry.link[0]}"
    print(f"  {prior.natural_scale}{contrast}: 5% {q[0]:.3f}, 50% {q[1]:.3f}, 95% {q[2]:.3f}")
    if prior.is_ratio:
        print(f"  P({prior.natural_scale} < 1) = {soft.prob_below_zero():.3f}")
    return 0
