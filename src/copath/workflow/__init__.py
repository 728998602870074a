"""The workflow layer: the fitted result with scenarios, sensitivity, reports and saving
(:mod:`.result`), and the fit and load calls that make one (:mod:`.fit`)."""

from copath.workflow.fit import fit, load_result
from copath.workflow.result import Computed, FitResult

__all__ = ["Computed", "FitResult", "fit", "load_result"]
