"""Service types of the TEM employment service statistics and their activation-rate
classification.

The activation rate (aktivointiaste) counts seven activating services: subsidised employment,
labour market training, coaching, work and training trials, rehabilitative work activity,
self-motivated study on unemployment benefit and job-alternation substitutes. "Other services"
are tracked but not activating.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kuva.errors import KuvaLookupError
from kuva.registry.names import closest, normalise
from kuva.registry.resources import read_csv


@dataclass(frozen=True)
class ServiceType:
    code: str  #: KuVa code, e.g. ``rehabilitative_work``
    measure: str  #: StatFin measure of persons in the service at month end, e.g. ``KUNTTYOLOP``
    activating: bool  #: counts in the activation rate
    name_fi: str
    name_sv: str
    name_en: str

    def name(self, lang: str = "fi") -> str:
        return {"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


@cache
def service_types() -> tuple[ServiceType, ...]:
    """Every service type, activating ones first (in the order of the bundled file)."""
    rows = read_csv("service_types.csv", ("code", "measure", "activating", "name_fi", "name_sv", "name_en"))
    return tuple(
        ServiceType(r["code"], r["measure"], r["activating"] == "yes", r["name_fi"], r["name_sv"], r["name_en"])
        for r in rows
    )


def activating_service_types() -> tuple[ServiceType, ...]:
    """The seven service types that count in the activation rate."""
    return tuple(s for s in service_types() if s.activating)


def service_type(query: str) -> ServiceType:
    """A service type by KuVa code, measure code or fi/sv/en name."""
    key = normalise(query)
    for s in service_types():
        if key in {normalise(s.code), normalise(s.measure), normalise(s.name_fi),
                   normalise(s.name_sv), normalise(s.name_en)}:
            return s
    cands = [s.code for s in service_types()] + [s.name_fi for s in service_types()]
    raise KuvaLookupError(f"unknown service type {query!r}; closest: {', '.join(closest(query, cands)) or '(none)'}")
