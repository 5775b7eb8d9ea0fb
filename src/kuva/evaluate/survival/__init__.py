"""Person-level duration designs: Kaplan–Meier by group, the Cox model with a time-varying
treatment (service start), on start–stop spells, its discrete-time (grouped-time, cloglog)
counterpart for data known by period, and competing risks (Aalen–Johansen cumulative
incidence of exit to work, education or other, and the Fine–Gray subdistribution-hazard
model); results follow the one results contract."""

from kuva.evaluate.survival.finegray import FineGray
from kuva.evaluate.survival.model import (
    CoxTimeVarying,
    DiscreteTimeHazard,
    cumulative_incidence,
    kaplan_meier,
    person_periods,
)
from kuva.evaluate.survival.results import (
    CumulativeIncidence,
    DiscreteHazardResults,
    HazardRatioResults,
    SubdistributionHazardResults,
    SurvivalCurves,
)

__all__ = ["CoxTimeVarying", "CumulativeIncidence", "DiscreteHazardResults", "DiscreteTimeHazard", "FineGray",
           "HazardRatioResults", "SubdistributionHazardResults", "SurvivalCurves", "cumulative_incidence",
           "kaplan_meier", "person_periods"]
