"""Staggered adoption: Callaway–Sant'Anna group-time ATTs and Sun–Abraham event study."""

from kuva.evaluate.staggered.model import CallawaySantAnna, SunAbraham
from kuva.evaluate.staggered.results import (
    AggregatedEffects,
    CallawaySantAnnaResults,
    SunAbrahamResults,
)

__all__ = [
    "AggregatedEffects",
    "CallawaySantAnna",
    "CallawaySantAnnaResults",
    "SunAbraham",
    "SunAbrahamResults",
]
