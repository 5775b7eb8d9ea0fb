"""Reference registry: municipalities and areas, programmes and pilot membership, service types
and the measure catalogue. Read by every layer; imports none of them."""

from kuva.registry.areas import Area, AreaRegistry, Municipality, area_registry
from kuva.registry.measures import Measure, MeasureRelation, measure, measure_relations, measures
from kuva.registry.pilots import (
    Membership,
    Programme,
    ProgrammeArea,
    ProgrammeRegistry,
    kykyviisari_comparison,
    programme_registry,
)
from kuva.registry.services import ServiceType, activating_service_types, service_type, service_types

__all__ = [
    "Area",
    "AreaRegistry",
    "Measure",
    "MeasureRelation",
    "Membership",
    "Municipality",
    "Programme",
    "ProgrammeArea",
    "ProgrammeRegistry",
    "ServiceType",
    "activating_service_types",
    "area_registry",
    "kykyviisari_comparison",
    "measure",
    "measure_relations",
    "measures",
    "programme_registry",
    "service_type",
    "service_types",
]
