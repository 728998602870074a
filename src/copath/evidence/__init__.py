"""Evidence: the registry (:mod:`.registry`), conversions of reported effects
(:mod:`.conversions`), random-effects pooling (:mod:`.pooling`) and link priors (:mod:`.priors`)."""

from copath.evidence.pooling import PooledEffect, pool_effects
from copath.evidence.priors import LinkPrior, prior_for, priors_for
from copath.evidence.registry import Effect, Evidence, EvidenceEntry, load_evidence, loads_evidence

__all__ = [
    "Effect", "Evidence", "EvidenceEntry", "LinkPrior", "PooledEffect",
    "load_evidence", "loads_evidence", "pool_effects", "prior_for", "priors_for",
]
