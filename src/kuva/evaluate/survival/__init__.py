"""Person-level duration designs: Kaplan–Meier by group and the Cox model with a time-varying
treatment (service start), on start–stop spells; results follow the one results contract."""

from kuva.evaluate.survival.model import CoxTimeVarying, kaplan_meier
from kuva.evaluate.survival.results import HazardRatioResults, SurvivalCurves

__all__ = ["CoxTimeVarying", "HazardRatioResults", "SurvivalCurves", "kaplan_meier"]
