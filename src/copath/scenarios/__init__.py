"""Scenarios on a fitted pathway: change parsing (:mod:`.changes`), the forward pass over
posterior draws (:mod:`.forward`), scenario tables (:mod:`.scenario`), path-specific
effects (:mod:`.paths`), comparisons (:mod:`.compare`) and Dask sweeps (:mod:`.sweep`)."""

from copath.scenarios.compare import Comparison, compare
from copath.scenarios.paths import PathEffects, path_effects
from copath.scenarios.scenario import Scenario, build_scenario
from copath.scenarios.sweep import sweep

__all__ = ["Comparison", "PathEffects", "Scenario", "build_scenario", "compare", "path_effects", "sweep"]
