"""Which links do the conclusions hang on? Power-scaling (:mod:`.powerscale`), prior swaps
by importance sampling (:mod:`.prior_swap`), variance shares and tornado
(:mod:`.importance`), value of information (:mod:`.evppi`, :mod:`.value`), E-values against
unmeasured confounding (:mod:`.confounding`), all joined
by :func:`sensitivity` (:mod:`.analysis`); refits as Dask jobs in :mod:`.refits`. The regression they share is in
:mod:`.regression`."""

from copath.sensitivity.analysis import Sensitivity, sensitivity
from copath.sensitivity.evppi import EVPPIResult, evpi, evppi, scale_value
from copath.sensitivity.prior_swap import alternative_priors, with_prior
from copath.sensitivity.refits import refit_alternatives

__all__ = ["EVPPIResult", "Sensitivity", "alternative_priors", "evpi", "evppi", "refit_alternatives", "scale_value",
           "sensitivity", "with_prior"]
