"""copath: Bayesian causal-pathway estimation for co-produced public services.

Write the pathway as a DAG of structural equations, give every link a prior from
cited evidence, fit the links to local data, and carry the uncertainty through to
the final outcomes.

Example
-------
>>> import copath as cp
>>> pw = cp.load_pathway("policing_coproduction")
>>> ev = cp.load_evidence()
>>> len(pw.links) >= 18 and len(ev) >= 30
True
"""

from copath import datasets
from copath.calibration import Calibration, calibrate
from copath.constants import HDI_PROB
from copath.errors import CopathError, DataError, EvidenceError, SpecError
from copath.evidence import (
    Evidence,
    EvidenceEntry,
    LinkPrior,
    PooledEffect,
    load_evidence,
    loads_evidence,
    pool_effects,
    prior_for,
    priors_for,
)
from copath.kinds.proportion import effective_sample_size
from copath.model.diagnostics import Diagnostics
from copath.model.loo import Loo
from copath.model.loo_compare import FitComparison, compare_fits
from copath.model.prior_check import PriorCheck, prior_check
from copath.model.settings import FitSettings
from copath.model.simulate import Simulation, simulate
from copath.model.storage import ResultError
from copath.scenarios import Comparison, PathEffects, Scenario, compare, sweep
from copath.sensitivity import (
    CEACResult,
    ENBSResult,
    EVPPIResult,
    EVSIResult,
    MixResult,
    Sensitivity,
    ceac,
    enbs,
    evpi,
    evppi,
    evsi,
    scale_value,
    study_se_for,
)
from copath.spec import Link, Node, Pathway, load_pathway, loads_pathway
from copath.version import __version__
from copath.workflow import FitResult, fit, load_result

__all__ = [
    "HDI_PROB",
    "CopathError",
    "Diagnostics",
    "FitComparison",
    "Loo",
    "compare_fits",
    "FitResult",
    "FitSettings",
    "Simulation",
    "Calibration",
    "calibrate",
    "Comparison",
    "EVPPIResult",
    "EVSIResult",
    "Sensitivity",
    "evpi",
    "evppi",
    "scale_value",
    "evsi",
    "study_se_for",
    "CEACResult",
    "ENBSResult",
    "MixResult",
    "ceac",
    "enbs",
    "PathEffects",
    "ResultError",
    "Scenario",
    "compare",
    "fit",
    "load_result",
    "simulate",
    "PriorCheck",
    "prior_check",
    "sweep",
    "DataError",
    "Evidence",
    "EvidenceEntry",
    "EvidenceError",
    "Link",
    "LinkPrior",
    "Node",
    "Pathway",
    "PooledEffect",
    "SpecError",
    "datasets",
    "effective_sample_size",
    "load_evidence",
    "load_pathway",
    "loads_evidence",
    "loads_pathway",
    "pool_effects",
    "prior_for",
    "priors_for",
    "__version__",
]
