"""``copath demo``: run the main job on the bundled flagship model.

For now (fitting arrives with the model builder) it loads the flagship pathway and
the registry, prints every link's prior and the weak links, and writes the DAG
figure (``pathway.png``) and the prior table (``link_priors.csv``) to ``--out``.

Example
-------
>>> import tempfile
>>> from copath.cli import main
>>> main(["demo", "--out", tempfile.mkdtemp()])  # doctest: +ELLIPSIS
Pathway 'policing_coproduction': ...
0
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "link_prior_table"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the flagship model on the bundled data and write the outputs")
    p.add_argument("--out", default="out/demo", help="output folder (default: %(default)s)")
    p.set_defaults(run=_run)


def link_prior_table(pathway, evidence):
    """One row per link: from, to, grade, weak, prior mean/sd and natural-scale 5/50/95%.

    Example
    -------
    >>> import copath as cp
    >>> t = link_prior_table(cp.load_pathway("policing_coproduction"), cp.load_evidence())
    >>> t.loc["nw_coverage -> burglary", "grade"]
    'A'
    """
    import pandas as pd

    from copath.evidence.priors import priors_for

    rows = []
    for link, prior in zip(pathway.links, priors_for(pathway, evidence).values(), strict=True):
        q = prior.natural_quantiles([0.05, 0.5, 0.95], per_contrast=True)
        rows.append({
            "link": link.name, "from": link.source, "to": link.target,
            "grade": prior.grade or "-", "weak": prior.weak, "scale": prior.scale,
            "prior_mu": prior.mu, "prior_sigma": prior.sigma, "contrast": prior.contrast,
            "natural_q05": q[0], "natural_q50": q[1], "natural_q95": q[2],
            "sources": " ".join(prior.sources),
        })
    return pd.DataFrame(rows).set_index("link")


def _run(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from copath.evidence.registry import load_evidence
    from copath.io_atomic import atomic_write_bytes
    from copath.spec.loader import load_pathway

    out = Path(args.out)
    pw = load_pathway("policing_coproduction")
    ev = load_evidence()
    print(f"Pathway {pw.name!r}: {len(pw.nodes)} nodes, {len(pw.links)} links, "
          f"final outcomes {', '.join(pw.outcomes)}; registry of {len(ev)} entries.")
    table = link_prior_table(pw, ev)
    with_cols = table[["grade", "scale", "prior_mu", "prior_sigma", "natural_q05", "natural_q50", "natural_q95"]]
    print("\nLink priors (natural scale for the evidence contrast: rate/odds ratio or slope):")
    print(with_cols.to_string(float_format=lambda v: f"{v:.3g}"))
    weak = pw.weak_links(ev)
    print(f"\n{len(weak)} of {len(pw.links)} links are weak (strongest evidence C, D, E or none):")
    for name in weak:
        print(f"  - {name}")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "link_priors.csv", table.to_csv().encode())
    fig = pw.draw(ev)
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    atomic_write_bytes(out / "pathway.png", buf.getvalue())
    print(f"\nWrote {out / 'pathway.png'} and {out / 'link_priors.csv'}")
    return 0
