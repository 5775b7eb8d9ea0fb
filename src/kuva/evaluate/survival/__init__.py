"""Person-level duration designs: Kaplan–Meier by group, the Cox model with a time-varying
treatment (service start), on start–stop spells, and competing risks (Aalen–Johansen cumulative
incidence of exit to work, education or other); results follow the one results contract."""

from kuva.evaluate.survival.model import CoxTimeVarying, cumulative_incidence, kaplan_meier
from kuva.evaluate.survival.results import CumulativeIncidence, HazardRatioResults, SurvivalCurves

__all__ = ["CoxTimeVarying", "CumulativeIncidence", "HazardRatioResults", "SurvivalCurves", "cumulative_incidence",
           "kaplan_meier"]
