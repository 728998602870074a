"""Is the inference calibrated? Simulation-based calibration (:mod:`.sbc`)."""

from copath.calibration.sbc import Calibration, calibrate

__all__ = ["Calibration", "calibrate"]
