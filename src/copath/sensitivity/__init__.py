"""Which links do the conclusions hang on? Power-scaling (:mod:`.powerscale`), prior swaps
by importance sampling (:mod:`.prior_swap`), variance shares and tornado
(:mod:`.importance`), value of information (:mod:`.evppi`, :mod:`.evsi`, :mod:`.value`), decisions (acceptability curves
:mod:`.ceac`, the net benefit of sampling :mod:`.enbs`, the best mix under a budget :mod:`.budget`, joined to a
fit in :mod:`.decisions`), E-values against
unmeasured confounding (:mod:`.confounding`), all joined
by :func:`sensitivity` (:mod:`.analysis`); refits as Dask jobs in :mod:`.refits`. The regression they share is in
:mod:`.regression`."""

from copath.sensitivity.analysis import Sensitivity, sensitivity
from copath.sensitivity.budget import MixResult
from copath.sensitivity.ceac import CEACResult, ceac
from copath.sensitivity.enbs import ENBSResult, enbs
from copath.sensitivity.evppi import EVPPIResult, evpi, evppi, scale_value
from copath.sensitivity.evsi import EVSIResult, evsi, study_se_for
from copath.sensitivity.prior_swap import alternative_priors, with_prior
from copath.sensitivity.refits import refit_alternatives

__all__ = ["CEACResult", "ENBSResult", "EVPPIResult", "EVSIResult", "MixResult", "Sensitivity", "alternative_priors",
           "ceac", "enbs", "evpi", "evppi", "evsi", "refit_alternatives", "scale_value", "sensitivity", "study_se_for", "with_prior"]
